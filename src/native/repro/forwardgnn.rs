//! `bpfree repro forwardgnn [--task link]`: ForwardGNN's node-classification tables (arXiv v1 App. E, Tables
//! 3(a), 4(a), 5) or link-prediction ROC-AUC tables (App. E.2, Tables 9(a), 10(a), 10(b)) beside our runs,
//! mean ± std (population) over the folds run; the results are kept in repro/forwardgnn/README.md.
//!
//! Greedy variants (FF-LA, FF-VN, SF) are run once at the deepest depth asked for and report every shallower
//! depth as a prefix, as the paper's scripts do (docs/algorithms/forwardgnn.md, "Protocol and
//! hyper-parameters"); BP and the top-down variants are trained per depth.

use super::cells::{summary, Cell};
use crate::error::{Error, Result};
use crate::native::runs::run_graph_training;
use crate::nn::GnnKind;
use crate::tensor::BackendChoice;

fn list(args: &[String], flag: &str, default: &str) -> Vec<String> {
    let v = args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).map_or(default, String::as_str);
    v.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// The settings every job of a `--jobs` list repeats.
struct Flags {
    link: bool,
    epochs: Option<usize>,
    seed_offset: u64,
    backend: Option<String>,
}

/// Whether `variant` trains greedily (one run at the deepest depth reports every shallower one as a prefix).
fn is_greedy(variant: &str) -> bool {
    matches!(variant, "ff-la" | "ff-vn" | "sf" | "lp-ce" | "lp-ff")
}

/// `--jobs`: one `bpfree repro forwardgnn` command per job — a greedy variant's fold (every depth asked for, from
/// one run), or a fold at one depth of the others — whose saved stdouts `--merge` pools into the tables a single
/// process would print (docs/cli.md, "repro").
fn jobs(
    datasets: &[String],
    models: &[String],
    variants: &[String],
    depths: &[usize],
    folds: &[usize],
    flags: &Flags,
) -> Vec<String> {
    let mut tail = String::new();
    if flags.link {
        tail.push_str(" --task link");
    }
    if let Some(e) = flags.epochs {
        tail.push_str(&format!(" --epochs {e}"));
    }
    if flags.seed_offset != 0 {
        tail.push_str(&format!(" --seed-offset {}", flags.seed_offset));
    }
    if let Some(b) = &flags.backend {
        tail.push_str(&format!(" --backend {b}"));
    }
    let all: Vec<String> = depths.iter().map(usize::to_string).collect();
    let mut out = Vec::new();
    for dataset in datasets {
        for model in models {
            for variant in variants {
                let layer_sets = if is_greedy(variant) { vec![all.join(",")] } else { all.clone() };
                for fold in folds {
                    for layers in &layer_sets {
                        out.push(format!(
                            "bpfree repro forwardgnn --datasets {dataset} --models {model} --variants {variant} \
                             --layers {layers} --folds {fold}{tail}"
                        ));
                    }
                }
            }
        }
    }
    out
}

/// Runs `bpfree repro forwardgnn ARGS`.
pub fn run(args: &[String]) -> Result<()> {
    if let Some(i) = args.iter().position(|a| a == "--merge") {
        return super::merge::run(&args[i + 1..]);
    }
    let quick = args.iter().any(|a| a == "--quick");
    let datasets = list(args, "--datasets", if quick { "cora-ml" } else { "cora-ml,citeseer-full,amazon-photo" });
    let models = list(args, "--models", if quick { "gcn" } else { "gcn,sage,gat" });
    let link = args.windows(2).any(|w| w[0] == "--task" && w[1] == "link");
    let variants = list(
        args,
        "--variants",
        if link { "backprop,lp-ce,lp-ff,lp-ce-top-input" } else { "backprop,ff-la,ff-vn,sf,sf-top-loss,sf-top-input" },
    );
    let depths: Vec<usize> = list(args, "--layers", if quick { "1,2" } else { "1,2,3,4" })
        .iter()
        .map(|s| {
            // the paper's tables have depths 1 to 4 (docs/algorithms/forwardgnn.md, "Protocol and hyper-parameters")
            s.parse()
                .ok()
                .filter(|l| (1..=4).contains(l))
                .ok_or_else(|| Error::invalid("--layers", format!("`{s}` (the paper's tables have depths 1 to 4)")))
        })
        .collect::<Result<_>>()?;
    let folds: Vec<usize> = list(args, "--folds", if quick { "0" } else { "0,1,2,3,4" })
        .iter()
        .map(|s| s.parse().map_err(|_| Error::invalid("--folds", s.clone())))
        .collect::<Result<_>>()?;
    let flag = |f: &str| args.iter().position(|a| a == f).and_then(|i| args.get(i + 1)).cloned();
    let epochs: Option<usize> =
        flag("--epochs").map(|e| e.parse().map_err(|_| Error::invalid("--epochs", e))).transpose()?;
    // Another seed set for the same folds (the paper's runs are 10100 + 3·fold): shows how much a cell's
    // 5-fold mean moves with the random draws alone.
    let seed_offset: u64 = flag("--seed-offset")
        .map(|o| o.parse().map_err(|_| Error::invalid("--seed-offset", o)))
        .transpose()?
        .unwrap_or(0);
    let backend = flag("--backend").map(|b| BackendChoice::parse(&b)).transpose()?.unwrap_or(BackendChoice::Cpu);
    if args.iter().any(|a| a == "--jobs") {
        let flags = Flags { link, epochs, seed_offset, backend: flag("--backend") };
        for line in jobs(&datasets, &models, &variants, &depths, &folds, &flags) {
            println!("{line}");
        }
        return Ok(());
    }
    let data_dir = crate::data::DataRoot::from_env();
    let max_depth = depths.iter().copied().max().unwrap_or(1);
    let mut gaps: Vec<(String, f64)> = Vec::new();
    for dataset in &datasets {
        for model in &models {
            let kind = GnnKind::parse(model)?;
            for variant in &variants {
                let algo = if variant == "backprop" { "backprop".to_string() } else { format!("forwardgnn-{variant}") };
                let greedy = is_greedy(variant);
                // per depth, (fold, test accuracy or ROC-AUC in %) of every fold run
                let mut per_depth: Vec<Vec<(usize, f64)>> = vec![Vec::new(); max_depth + 1];
                let mut seconds = 0.0;
                for &fold in &folds {
                    let runs: Vec<usize> = if greedy { vec![max_depth] } else { depths.clone() };
                    for layers in runs {
                        let mut cfg = crate::algorithms::preset(&algo, dataset);
                        cfg.graph.model = kind;
                        cfg.graph.layers = layers;
                        cfg.graph.fold = fold;
                        cfg.graph.link = link;
                        cfg.seed = 10100 + 3 * fold as u64 + seed_offset; // the paper's per-run seeds (docs/algorithms/forwardgnn.md, "Protocol and hyper-parameters")
                        cfg.backend = backend;
                        if let Some(e) = epochs {
                            cfg.epochs = e;
                        }
                        let s = run_graph_training(&cfg, &data_dir, false, &Default::default())?.summary;
                        seconds += s["seconds"].as_f64().unwrap_or(0.0);
                        for d in s["depths"].as_array().into_iter().flatten() {
                            let (l, acc) = (d["layers"].as_u64().unwrap_or(0) as usize, d["test_accuracy"].as_f64());
                            if let (Some(acc), true) = (acc, l <= max_depth) {
                                per_depth[l].push((fold, acc * 100.0));
                            }
                        }
                    }
                }
                for &l in &depths {
                    let cell = Cell {
                        dataset: dataset.clone(),
                        algo: algo.clone(),
                        model: model.clone(),
                        layers: l,
                        link,
                        seed_offset,
                        trained_layers: if greedy { max_depth } else { l },
                    };
                    let record = cell.record(&per_depth[l], seconds);
                    if let Some(d) = record["difference"].as_f64() {
                        gaps.push((cell.name(), d));
                    }
                    println!("{record}");
                }
            }
        }
    }
    println!("{}", summary(&gaps));
    Ok(())
}
