//! Links that survive a classroom: %-encoded values, tracking tags and whole URLs load their run; unknown keys
//! and bad values are named in notes and never stop the rest of the link; only a newer format is refused; and no
//! string makes the reader panic (property test).

use bpfree::algorithms::preset;
use bpfree::share::{decode, encode, read};
use proptest::prelude::*;

#[test]
fn tracking_tags_are_ignored_and_named() {
    let r = read("?dataset=spiral&seed=3&utm_source=slides&fbclid=XYZ").unwrap();
    assert_eq!((r.config.dataset.as_str(), r.config.seed), ("spiral", 3));
    assert_eq!(r.notes.len(), 1, "{:?}", r.notes);
    assert!(r.notes[0].contains("`utm_source`") && r.notes[0].contains("`fbclid`"), "{:?}", r.notes);
    assert!(decode("?dataset=spiral&utm_source=x").is_err(), "the strict reader refuses what the lenient one notes");
}

#[test]
fn percent_encoded_values_and_whole_urls_load() {
    let r = read("https://example.org/bpfree/?dataset=moons&hidden=32%2C32&act=tanh#charts").unwrap();
    assert_eq!(r.config.model.hidden, vec![32, 32]);
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    assert_eq!(read("hidden=8+8").unwrap().config.model.hidden, preset("backprop", "moons").model.hidden);
}

#[test]
fn a_bad_value_keeps_the_preset_and_is_named() {
    let r = read("dataset=moons&lr=banana&seed=7&hidden=999999").unwrap();
    let p = preset("backprop", "moons");
    assert_eq!(r.config.optimizer, p.optimizer);
    assert_eq!(r.config.model.hidden, p.model.hidden);
    assert_eq!(r.config.seed, 7, "the rest of the link loads");
    assert_eq!(r.notes.len(), 2, "{:?}", r.notes);
    assert!(r.notes[0].contains("lr=`banana`"), "{:?}", r.notes);
    assert!(r.notes[1].contains("hidden"), "{:?}", r.notes);
    let r = read("dataset=mnist&algo=noprop-dt&blocks=5000&width=0").unwrap();
    assert_eq!((r.config.noprop.blocks, r.config.noprop.width), (10, 1.0));
    assert_eq!(r.notes.len(), 2, "{:?}", r.notes);
}

#[test]
fn unknown_or_unfit_algorithms_and_datasets_fall_back_with_a_note() {
    let r = read("dataset=karate&algo=noprop-dt").unwrap();
    assert_eq!(r.config.algorithm, "forwardgnn-sf");
    assert!(r.notes[0].contains("does not train on karate"), "{:?}", r.notes);
    let r = read("dataset=nope&algo=ccl").unwrap();
    assert_eq!((r.config.dataset.as_str(), r.config.algorithm.as_str()), ("moons", "ccl"));
    assert!(r.notes[0].contains("dataset=`nope`"), "{:?}", r.notes);
}

#[test]
fn graph_links_carry_their_task() {
    let mut cfg = preset("backprop", "cora");
    cfg.graph.link = true;
    let link = encode(&cfg);
    assert!(link.contains("task=link"), "{link}");
    assert_eq!(decode(&link).unwrap(), cfg, "backprop's link prediction replays from its link");
    let r = read("dataset=cora&algo=forwardgnn-sf&task=link").unwrap();
    assert!(!r.config.graph.link && r.notes.len() == 1, "{:?}", r.notes);
}

#[test]
fn drawn_points_travel_in_the_link() {
    let r = read("dataset=moons&drawn=0.5:-1:1,-2:1.25:0").unwrap();
    assert_eq!(r.config.data.drawn, vec![[0.5, -1.0, 1.0], [-2.0, 1.25, 0.0]]);
    assert!(encode(&r.config).contains("drawn=0.5:-1:1,-2:1.25:0"), "{}", encode(&r.config));
    // %-encoded separators read the same
    assert_eq!(read("dataset=moons&drawn=0.5%3A-1%3A1").unwrap().config.data.drawn, vec![[0.5, -1.0, 1.0]]);
    for bad in ["drawn=1:2", "drawn=1:2:3", "drawn=a:b:0", "drawn=99:0:1", "drawn=1:2:1:4"] {
        let r = read(&format!("dataset=moons&{bad}")).unwrap();
        assert!(r.config.data.drawn.is_empty(), "{bad}");
        assert!(r.notes.iter().any(|n| n.contains("drawn")), "{bad}: {:?}", r.notes);
    }
}

#[test]
fn only_a_newer_format_is_refused() {
    let e = read("v=99&dataset=moons").unwrap_err().to_string();
    assert!(e.contains("newer bpfree"), "{e}");
    assert!(read("v=1&dataset=moons").is_ok());
}

#[test]
fn every_preset_is_valid_and_its_link_replays_it() {
    for a in bpfree::algorithms::ALGORITHMS {
        for d in bpfree::data::DATASETS.iter().filter(|d| a.supports(d.kind)) {
            let cfg = preset(a.id, d.id);
            cfg.validate().unwrap_or_else(|e| panic!("{} on {}: {e}", a.id, d.id));
            let r = read(&encode(&cfg)).unwrap();
            assert!(r.notes.is_empty(), "{} on {}: {:?}", a.id, d.id, r.notes);
            assert_eq!(r.config, cfg, "{} on {}", a.id, d.id);
        }
    }
}

#[test]
fn validation_names_the_field_and_the_range() {
    let mut cfg = preset("backprop", "moons");
    cfg.model.hidden = vec![16; 200];
    assert!(cfg.validate().unwrap_err().to_string().contains("hidden layers: 200 (use 0 to 16)"));
    cfg.model.hidden = vec![4096; 12];
    cfg.batch_size = 65_536;
    let e = cfg.validate().unwrap_err().to_string();
    assert!(e.contains("model size") && e.contains("MiB"), "{e}");
    let mut cfg = preset("ccl", "mnist");
    cfg.optimizer = bpfree::nn::OptimizerConfig::Sgd { lr: f32::NAN, momentum: 0.0, weight_decay: 0.0 };
    assert!(cfg.validate().unwrap_err().to_string().contains("learning rate: NaN"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Any text at all: an answer, never a panic.
    #[test]
    fn any_string_reads_without_panicking(s in ".{0,200}") {
        let _ = read(&s);
    }

    /// Key-value soup built from real keys and hostile values.
    #[test]
    fn any_mix_of_keys_reads_without_panicking(
        pairs in prop::collection::vec((prop::sample::select(KEYS.to_vec()), ".{0,12}"), 0..12)
    ) {
        let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        if let Ok(r) = read(&query.join("&")) {
            prop_assert!(r.config.validate().is_ok());
        }
    }

    /// encode → read is the identity on valid settings.
    #[test]
    fn encode_then_read_is_the_identity(
        algo in prop::sample::select(vec!["backprop", "ccl", "feedback-alignment"]),
        dataset in prop::sample::select(vec!["moons", "spiral", "circles", "xor", "mnist"]),
        seed in 0u64..1_000_000,
        lr in prop::sample::select(vec![0.001f32, 0.01, 0.03, 0.3, 1.0]),
        hidden in prop::collection::vec(1usize..=256, 0..5),
        batch in 1usize..=512,
        epochs in 1usize..=200,
        drawn in prop::collection::vec((-10.0f32..=10.0, -10.0f32..=10.0, 0u8..=1), 0..20),
    ) {
        let mut cfg = preset(algo, dataset);
        cfg.seed = seed;
        cfg.model.hidden = hidden;
        cfg.batch_size = batch;
        cfg.epochs = epochs;
        cfg.optimizer = match cfg.optimizer {
            bpfree::nn::OptimizerConfig::Adam { beta1, beta2, eps, weight_decay, decoupled, .. } => {
                bpfree::nn::OptimizerConfig::Adam { lr, beta1, beta2, eps, weight_decay, decoupled }
            }
            bpfree::nn::OptimizerConfig::Sgd { momentum, weight_decay, .. } => {
                bpfree::nn::OptimizerConfig::Sgd { lr, momentum, weight_decay }
            }
        };
        cfg.ccl.feedback_lr = lr;
        if dataset != "mnist" {
            cfg.data.drawn = drawn.iter().map(|&(x, y, c)| [x, y, f32::from(c)]).collect();
        }
        let r = read(&encode(&cfg)).unwrap();
        prop_assert!(r.notes.is_empty(), "{:?}", r.notes);
        prop_assert_eq!(r.config, cfg);
    }
}

const KEYS: &[&str] = &[
    "v",
    "dataset",
    "algo",
    "model",
    "layers",
    "fold",
    "task",
    "seed",
    "backend",
    "epochs",
    "batch",
    "lr",
    "hidden",
    "act",
    "points",
    "noise",
    "drawn",
    "clip",
    "fblr",
    "limit",
    "select",
    "embed",
    "width",
    "blocks",
    "steps",
    "utm_source",
];

#[test]
fn classroom_keys_are_read_kept_and_named() {
    use bpfree::share::classroom::{read_classroom, Goal};
    let link = "?dataset=moons&algo=ccl&hide=seed,lr,nope&lock=dataset&embed=1&goal=test_accuracy%3E%3D0.9";
    let (c, notes) = read_classroom(link);
    assert_eq!(c.hide, ["seed", "lr"]);
    assert_eq!(c.lock, ["dataset"]);
    assert!(c.embed);
    assert_eq!(c.goal, Some(Goal { metric: "test_accuracy".into(), at_least: true, value: 0.9 }));
    assert_eq!(notes.len(), 1);
    assert!(notes[0].contains("hide=`nope` is not a part of the page"), "{notes:?}");
    // the run's reader neither applies them nor calls them unknown
    let read = bpfree::share::read(link).unwrap();
    assert!(read.notes.is_empty(), "{:?}", read.notes);
    assert_eq!(read.config.noprop.embedding, bpfree::config::RunConfig::default().noprop.embedding);
    // they survive a round trip through the address bar
    let again = format!("?{}{}", bpfree::share::encode(&read.config), c.encode());
    assert_eq!(read_classroom(&again), (c.clone(), Vec::new()));
    assert!(c.hides("seed") && c.hides("dataset") && !c.hides("charts"), "embed hides all but the charts");
    assert!(c.locks("dataset") && !c.locks("lr"));
    // goals
    let g = Goal::parse("test_loss<=0.2").unwrap();
    assert!(g.holds(0.1) && !g.holds(0.3) && !g.at_least);
    assert_eq!(g.describe(), "test loss ≤ 0.2");
    let e = Goal::parse("accuracy>=2").unwrap_err().to_string();
    assert!(e.contains("metrics: test_accuracy"), "{e}");
    let e = bpfree::share::read("?goal=banana").unwrap().notes.join(" ");
    assert!(e.contains("goal"), "{e}");
    // `allow=`: the settings a student may change; every other setting is locked, panels are not settings
    let (c, notes) = read_classroom("?dataset=moons&allow=lr,seed&goal=test_accuracy%3E%3D0.9");
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(c.allowed(), Some(&["lr".to_string(), "seed".to_string()][..]));
    assert!(!c.locks("lr") && !c.locks("seed") && c.locks("dataset") && c.locks("algo") && !c.locks("charts"));
    assert!(bpfree::share::read("?allow=lr").unwrap().notes.is_empty());
    let again = format!("?dataset=moons{}", c.encode());
    assert_eq!(read_classroom(&again), (c, Vec::new()));
    // `embed=` with another value is still NoProp's label embedding
    let read = bpfree::share::read("?dataset=mnist&algo=noprop-dt&embed=learned").unwrap();
    assert_eq!(bpfree::algorithms::noprop::embedding_name(read.config.noprop.embedding), "learned");
}
