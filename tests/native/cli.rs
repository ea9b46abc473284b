//! The command line as a user meets it: `--help` on every subcommand and `--version` exit 0; a bad flag or value
//! gets a message that names it (and the closest valid flag) and exit code 2, before anything is allocated; a
//! missing data file points at `--data`; a share link runs natively; a run whose loss stops being a number exits
//! with an error.

use std::process::{Command, Output};

fn bpfree(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bpfree")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap()
}

fn fails_with(args: &[&str], message: &str) {
    let out = bpfree(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.contains(message), "{args:?}: expected `{message}` in: {stderr}");
}

#[test]
fn help_on_every_subcommand_and_version() {
    for command in ["train", "repro", "bench", "info", "list"] {
        let out = bpfree(&[command, "--help"]);
        assert!(out.status.success(), "{command} --help");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(&format!("bpfree {command}")), "{command} --help printed: {text}");
    }
    let out = bpfree(&["--version"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), format!("bpfree {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn bad_flags_and_values_are_named() {
    fails_with(&["train", "--epoch", "3"], "unknown flag `--epoch` (did you mean `--epochs`?");
    fails_with(&["trian"], "`trian` (did you mean `train`?");
    fails_with(&["train", "--lr", "NaN"], "learning rate: NaN");
    fails_with(&["train", "--lr", "-1"], "learning rate: -1");
    fails_with(&["train", "--clip", "-1"], "gradient clip: -1");
    fails_with(&["train", "--hidden", "100000"], "hidden layer width: 100000 (use 1 to 4096)");
    fails_with(&["train", "--hidden", &["64"; 40].join(",")], "hidden layers: 40 (use 0 to 16)");
    fails_with(&["train", "--batch", "0"], "batch size: 0");
    fails_with(&["repro", "forwardgnn", "--layers", "5"], "the paper's tables have depths 1 to 4");
    fails_with(&["train", "--dataset", "mnist", "--data", "/nonexistent"], "--data DIR or the BPFREE_DATA");
}

#[test]
fn a_link_runs_natively_as_its_flags_do() {
    let last = |out: Output| {
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut summary: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
        summary.as_object_mut().unwrap().remove("seconds");
        (text.lines().count(), summary, String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (n, by_flags, _) =
        last(bpfree(&["train", "--dataset", "spiral", "--seed", "3", "--epochs", "4", "--backend", "cpu"]));
    let link = "http://127.0.0.1:8080/?dataset=spiral&seed=3&epochs=4&utm_source=mail&backend=cpu";
    let (m, by_link, notes) = last(bpfree(&["train", "--link", link]));
    assert_eq!((n, by_flags), (m, by_link));
    assert!(notes.contains("note: ignored a key this version does not know: `utm_source`"), "{notes}");
}

#[test]
fn a_diverging_run_exits_with_an_error() {
    // SGD at lr 100 without clipping: the weights overflow within a few epochs
    let args = ["train", "--algo", "ccl", "--dataset", "moons", "--lr", "100", "--clip", "0", "--epochs", "50"];
    fails_with(&[&args[..], &["--backend", "cpu"]].concat(), "diverged");
}

#[test]
fn data_is_checked_against_the_built_in_checksums() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("www/data/graphs/karate");
    let dir = std::env::temp_dir().join(format!("bpfree-cli-data-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("graphs/karate")).unwrap();
    std::fs::copy(root.join("karate.json"), dir.join("graphs/karate/karate.json")).unwrap();
    let mut bin = std::fs::read(root.join("karate.bin")).unwrap();
    bin.push(0); // one byte more: still a readable graph, but not the shipped file
    std::fs::write(dir.join("graphs/karate/karate.bin"), &bin).unwrap();
    let dir_s = dir.to_str().unwrap();
    let args =
        ["train", "--algo", "backprop", "--dataset", "karate", "--epochs", "1", "--backend", "cpu", "--data", dir_s];
    fails_with(&args, "karate.bin: checksum mismatch: expected SHA-256 d880e577");
    fails_with(&args, "for data of your own, pass --unverified-data");
    // knowingly unverified: it runs, and says so on stderr and in the summary
    let out = bpfree(&[&args[..], &["--unverified-data"]].concat());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is not checked against bpfree's built-in checksums"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.lines().last().unwrap_or_default().contains("\"test_accuracy\""), "{stdout}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn results_file_is_written_and_its_link_replays_it() {
    let path = std::env::temp_dir().join(format!("bpfree-results-{}.json", std::process::id()));
    let p = path.to_str().unwrap();
    let out = bpfree(&[
        "train",
        "--algo",
        "ccl",
        "--dataset",
        "xor",
        "--epochs",
        "3",
        "--seed",
        "9",
        "--backend",
        "cpu",
        "--results",
        p,
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let file = bpfree::share::results::read_results(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(file.seal_holds);
    let csv = std::fs::read_to_string(path.with_extension("csv")).unwrap();
    assert_eq!(csv.lines().count(), 4, "{csv}");
    // rerunning the file's link gives the same numbers, bit for bit on the CPU
    let again = path.with_file_name(format!("bpfree-results-{}-again.json", std::process::id()));
    let out = bpfree(&["train", "--link", &file.link, "--results", again.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let replay = bpfree::share::results::read_results(&std::fs::read_to_string(&again).unwrap()).unwrap();
    let bits = |c: &[(usize, f32, f32)]| c.iter().map(|&(e, l, a)| (e, l.to_bits(), a.to_bits())).collect::<Vec<_>>();
    assert_eq!(bits(&file.curve), bits(&replay.curve));
    assert_eq!(file.doc["config"], replay.doc["config"]);
    fails_with(&["train", "--results", "/nonexistent/dir/r.json"], "cannot write /nonexistent/dir/r.json");
    fails_with(&["train", "--results", "curves.csv"], "name the JSON file");
    for f in [path.clone(), path.with_extension("csv"), again.clone(), again.with_extension("csv")] {
        std::fs::remove_file(f).ok();
    }
}

#[test]
fn bench_mlp_prints_the_models_throughput() {
    let out = bpfree(&["bench", "mlp", "--steps", "2"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("CPU, 1 thread:") && text.contains("samples/s (2 steps"), "{text}");
    let out = bpfree(&["bench", "mlp", "--steps", "many"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--steps"), "the bad flag is named");
}

#[test]
fn docs_cli_md_shows_the_usage_text_as_printed() {
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/cli.md")).unwrap();
    assert!(
        docs.contains(bpfree::native::cli::USAGE),
        "docs/cli.md's usage block differs from `bpfree help`: paste the output of `bpfree help` into it"
    );
}
