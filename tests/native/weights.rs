//! Model state by name (`Algorithm::state_mut`), host weights and safetensors files: every algorithm on images and
//! 2-D sets gives its trained weights back bit for bit when they are loaded into a fresh model (the page's last
//! good weights, a move to the CPU, `bpfree train --weights`); a wrong or damaged file names what does not match.

use bpfree::algorithms::preset_for;
use bpfree::config::{Architecture, RunConfig};
use bpfree::data::DataRoot;
use bpfree::share::weights::{from_safetensors, to_safetensors};
use bpfree::tensor::{BackendChoice, Device};
use bpfree::train::{load_dataset, Trainer};
use std::sync::Arc;

fn small(algo: &str, dataset: &str, arch: Architecture) -> RunConfig {
    let mut cfg = preset_for(algo, dataset, arch);
    cfg.backend = BackendChoice::Cpu;
    cfg.epochs = 1;
    cfg.validation = false;
    if dataset != "moons" {
        cfg.train_limit = 64;
        cfg.batch_size = 8;
        cfg.noprop.width = 0.1;
        cfg.noprop.blocks = 2;
        cfg.ae_width = 0.0625;
    }
    cfg
}

fn trainer(cfg: &RunConfig) -> Trainer {
    thread_local! {
        static LOADED: std::cell::RefCell<Vec<(String, Arc<bpfree::data::Dataset>)>> = Default::default();
    }
    let key = format!("{} {}", cfg.dataset, cfg.arch.name());
    let data = LOADED.with(|cache| {
        if let Some((_, d)) = cache.borrow().iter().find(|(k, _)| *k == key) {
            return d.clone();
        }
        let files = DataRoot::new("www/data").read(&cfg.dataset).unwrap();
        let mut data = load_dataset(cfg, &files).unwrap();
        // a few rows keep the CNN and NoProp passes short
        let keep = data.y_test.len().min(40);
        data.x_test = data.x_test.slice(ndarray::s![..keep, ..]).to_owned();
        data.y_test.truncate(keep);
        let keep = data.y_train.len().min(64);
        data.x_train = data.x_train.slice(ndarray::s![..keep, ..]).to_owned();
        data.y_train.truncate(keep);
        let data = Arc::new(data);
        cache.borrow_mut().push((key, data.clone()));
        data
    });
    Trainer::with_dataset(cfg, Device::Cpu, data).unwrap()
}

#[test]
fn every_algorithm_reloads_its_weights_bit_for_bit() {
    let runs = [
        ("backprop", "moons", Architecture::Mlp),
        ("ccl", "moons", Architecture::Mlp),
        ("feedback-alignment", "moons", Architecture::Mlp),
        // the backprop CNN is the same model as CCL's (`CnnPool` in another mode)
        ("ccl", "cifar10-subset", Architecture::Cnn),
        ("ccl", "mnist", Architecture::Autoencoder),
        ("noprop-dt", "mnist", Architecture::NoProp),
        ("noprop-ct", "mnist", Architecture::NoProp),
        ("noprop-fm", "mnist", Architecture::NoProp),
        ("backprop", "mnist", Architecture::NoProp),
    ];
    for (algo, dataset, arch) in runs {
        let cfg = small(algo, dataset, arch);
        let label = format!("{algo} {} on {dataset}", arch.name());
        let mut a = trainer(&cfg);
        for _ in 0..2 {
            a.step().unwrap(); // two updates: trained weights, without an epoch's evaluation passes
        }
        let w = pollster::block_on(a.weights()).unwrap();
        assert!(!w.tensors.is_empty() && w.is_finite(), "{label}");
        let names: std::collections::BTreeSet<&str> = w.tensors.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names.len(), w.tensors.len(), "{label}: duplicate names");
        // through a safetensors file and into a fresh model with other initial weights
        let file = from_safetensors(&to_safetensors(&w, &cfg).unwrap()).unwrap();
        let sorted = |w: &bpfree::train::Weights| {
            let mut w = w.clone();
            w.tensors.sort_by(|a, b| a.name.cmp(&b.name));
            w
        };
        assert_eq!(sorted(&file.weights), sorted(&w), "{label}: safetensors round trip (the file sorts by name)");
        let mut other = cfg.clone();
        if arch != Architecture::NoProp {
            other.seed += 1; // other initial weights (NoProp's samplers draw from the seed: keep it to compare)
        }
        let mut b = trainer(&other);
        b.load_weights(&file.weights).unwrap();
        assert_eq!(pollster::block_on(b.weights()).unwrap(), w, "{label}");
        let data = a.dataset().clone();
        let ea = pollster::block_on(a.evaluate(&data.x_test, &data.y_test)).unwrap();
        let eb = pollster::block_on(b.evaluate(&data.x_test, &data.y_test)).unwrap();
        assert_eq!((ea.0.to_bits(), ea.1.to_bits()), (eb.0.to_bits(), eb.1.to_bits()), "{label}: evaluation");
        println!("{label}: {} tensors, {} bytes, {}", w.tensors.len() + w.host.len(), w.bytes(), w.tensors[0].name);
    }
}

#[test]
fn a_wrong_or_damaged_weights_file_is_named() {
    let cfg = small("backprop", "moons", Architecture::Mlp);
    let mut a = trainer(&cfg);
    let w = pollster::block_on(a.weights()).unwrap();
    let bytes = to_safetensors(&w, &cfg).unwrap();
    let msg = |b: &[u8]| from_safetensors(b).unwrap_err().to_string();
    assert!(msg(&bytes[..bytes.len() - 10]).contains("not a safetensors file"));
    assert!(msg(b"hello").contains("not a safetensors file"));
    // another architecture: the first differing tensor, both shapes
    let mut wide = cfg.clone();
    wide.model.hidden = vec![32, 32];
    let e = trainer(&wide).load_weights(&w).unwrap_err().to_string();
    assert!(e.contains("`layers.0.weight` is 2x16 in the weights, 2x32 in this model"), "{e}");
    // a missing and an extra tensor
    let mut fewer = w.clone();
    fewer.tensors.pop();
    let e = trainer(&cfg).load_weights(&fewer).unwrap_err().to_string();
    assert!(e.contains("the weights do not"), "{e}");
    let mut more = w.clone();
    more.tensors.push(bpfree::train::NamedTensor { name: "extra".into(), shape: [1, 1], data: vec![0.0] });
    let e = trainer(&cfg).load_weights(&more).unwrap_err().to_string();
    assert!(e.contains("the weights have `extra`"), "{e}");
    // a failed load changes nothing
    let mut b = trainer(&cfg);
    let before = pollster::block_on(b.weights()).unwrap();
    assert!(b.load_weights(&more).is_err());
    assert_eq!(pollster::block_on(b.weights()).unwrap(), before);
}

#[test]
fn a_diverging_run_is_caught_at_its_step_and_continues_from_its_last_good_weights() {
    // CCL at lr 100 without clipping overflows within a few epochs (tests/native/cli.rs)
    let mut cfg = preset_for("ccl", "moons", Architecture::Mlp);
    cfg.backend = BackendChoice::Cpu;
    cfg.optimizer = cfg.optimizer.with_lr(100.0);
    cfg.ccl.feedback_lr = 100.0;
    cfg.grad_clip = 0.0;
    cfg.ccl.feedback_clip = 0.0;
    let mut t = Trainer::new(&cfg, Device::Cpu).unwrap();
    pollster::block_on(t.checkpoint()).unwrap();
    // the page's loop: a check after every step, a checkpoint after every good epoch
    let message = loop {
        if t.epoch_complete() {
            pollster::block_on(t.end_epoch()).unwrap();
            pollster::block_on(t.checkpoint()).unwrap();
            assert!(t.epoch() < 100, "never diverged");
        }
        let since = t.steps();
        t.step().unwrap();
        if let Some(msg) = pollster::block_on(t.check_divergence(since)).unwrap() {
            break msg;
        }
    };
    println!("{message}");
    assert!(message.contains("Training diverged at step") && message.contains("are kept"), "{message}");
    let kept = t.last_good().unwrap().clone();
    assert!(kept.weights.is_finite());
    // the preset's learning rate and clipping (what a user lowers them to) continue from the kept weights and epoch
    let mut lower = preset_for("ccl", "moons", Architecture::Mlp);
    lower.backend = BackendChoice::Cpu;
    let mut again = t.restart(&lower, Device::Cpu).unwrap();
    assert_eq!(again.epoch(), kept.epoch);
    assert_eq!(pollster::block_on(again.weights()).unwrap(), kept.weights);
    let m = pollster::block_on(again.run_epoch()).unwrap();
    assert_eq!(m.epoch, kept.epoch + 1);
    assert!(m.train_loss.is_finite(), "{m:?}");
}

#[test]
fn a_run_too_big_for_the_backend_is_refused_with_the_estimate_and_the_limit() {
    let mut cfg = preset_for("backprop", "mnist", Architecture::Mlp);
    cfg.model.hidden = vec![4096, 4096];
    cfg.batch_size = 8192;
    cfg.validate().unwrap(); // under the 1 GiB / 8 GiB caps
                             // 8192 x 4096 activations = 128 MiB in one tensor
    assert_eq!(cfg.largest_tensor_bytes(), 128 << 20);
    let e = cfg.check_fits(Some(64 << 20), None).unwrap_err().to_string();
    assert!(e.contains("its largest tensor needs 128 MiB") && e.contains("at most 64 MiB in one buffer"), "{e}");
    let need = cfg.mlp_bytes();
    let e = cfg.check_fits(None, Some(need - 1)).unwrap_err().to_string();
    assert!(e.contains("can grow by only") && e.contains(&format!("about {} MiB", need.div_ceil(1 << 20))), "{e}");
    assert!(cfg.check_fits(Some(128 << 20), Some(need)).is_ok());
    // the papers' fixed networks and the graphs are not estimated
    assert_eq!(preset_for("ccl", "cifar10-subset", Architecture::Cnn).largest_tensor_bytes(), 0);
}

#[test]
fn noprop_blocks_too_big_for_the_page_are_refused_before_they_are_built() {
    // the example: `width=4&blocks=50` ran the tab out of memory
    let mut cfg = preset_for("noprop-dt", "cifar10-subset", Architecture::NoProp);
    cfg.noprop.width = 4.0;
    cfg.noprop.blocks = 50;
    let info = bpfree::algorithms::algorithm_info("noprop-dt").unwrap();
    let problem = bpfree::algorithms::Problem { inputs: 3072, classes: 10, image: Some([3, 32, 32]) };
    let build = info.build.unwrap();
    let e = build(&cfg, problem, &Device::Cpu, &mut bpfree::rng::Rng::new(1)).err().unwrap().to_string();
    println!("{e}");
    assert!(e.contains("NoProp's 50 block(s)") && e.contains("use fewer blocks or a narrower width"), "{e}");
}

/// The exported file, read by Hugging Face's own Python package into NumPy: every tensor's name, shape and values
/// as written (skipped, and said so, where `python3` lacks `safetensors` or `numpy`; `scripts/setup.sh test`
/// installs both from PyPI).
#[test]
fn python_safetensors_reads_the_exported_weights() {
    let probe = std::process::Command::new("python3").args(["-c", "import safetensors.numpy, numpy"]).output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: python3 with safetensors and numpy not found (pip install safetensors numpy)");
        return;
    }
    let cfg = small("ccl", "moons", Architecture::Mlp);
    let w = pollster::block_on(trainer(&cfg).weights()).unwrap();
    let path = std::env::temp_dir().join(format!("bpfree-python-{}.safetensors", std::process::id()));
    std::fs::write(&path, to_safetensors(&w, &cfg).unwrap()).unwrap();
    let script = "import sys, json, numpy\nfrom safetensors.numpy import load_file\nt = load_file(sys.argv[1])\n\
                  print(json.dumps({k: [list(v.shape), str(v.dtype), [float(x) for x in v.ravel()]] for k, v in t.items()}))";
    let out = std::process::Command::new("python3").args(["-c", script, path.to_str().unwrap()]).output().unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let read: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(read.as_object().unwrap().len(), w.tensors.len());
    for t in &w.tensors {
        let entry = &read[&t.name];
        let shape: Vec<usize> = entry[0].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect();
        assert_eq!(shape.iter().product::<usize>(), t.data.len(), "{}: shape {shape:?}", t.name);
        assert_eq!(entry[1], "float32", "{}", t.name);
        let values: Vec<f32> = entry[2].as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as f32).collect();
        assert_eq!(values, t.data, "{}: values as written", t.name);
    }
    println!("python safetensors read {} tensors, names, shapes and values as written", w.tensors.len());
}
