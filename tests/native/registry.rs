//! The registry is the one place that knows the algorithms: every entry can be built for each task it lists,
//! menus and fallbacks are derived from it, and moving presets into it changed no setting and no link.

use bpfree::algorithms::{algorithm_info, fallback, preset_for, Task, ALGORITHMS};
use bpfree::config::Architecture;
use bpfree::data::{dataset_info, DatasetKind};

#[test]
fn ids_are_unique_and_every_task_has_a_builder() {
    for (i, a) in ALGORITHMS.iter().enumerate() {
        assert!(ALGORITHMS[..i].iter().all(|b| b.id != a.id), "{} registered twice", a.id);
        assert_eq!(algorithm_info(a.id).unwrap().id, a.id);
        let vectors = a.does(Task::Plane) || a.does(Task::Image);
        assert_eq!(a.build.is_some(), vectors, "{}: vector builder vs tasks", a.id);
        assert_eq!(a.nodes.is_some(), a.does(Task::Nodes), "{}: node builder vs tasks", a.id);
        assert_eq!(a.links.is_some(), a.does(Task::Links), "{}: link builder vs tasks", a.id);
        assert_eq!(a.archs.is_empty(), !vectors, "{}: architectures only for vectors", a.id);
        for p in a.presets {
            assert!(!p.id.is_empty() && !p.label.is_empty(), "{}: unnamed preset", a.id);
        }
    }
    assert!(algorithm_info("nope").map(|a| a.id).unwrap_err().to_string().contains("forwardgnn-sf"));
}

#[test]
fn fallbacks_are_what_the_page_always_chose() {
    assert_eq!(fallback(Task::Nodes, Architecture::Mlp).id, "forwardgnn-sf");
    assert_eq!(fallback(Task::Links, Architecture::Mlp).id, "forwardgnn-lp-ce");
    assert_eq!(fallback(Task::Image, Architecture::NoProp).id, "noprop-dt");
    assert_eq!(fallback(Task::Image, Architecture::Mlp).id, "backprop");
    assert_eq!(fallback(Task::Plane, Architecture::Mlp).id, "backprop");
}

/// Equal JSON, numbers compared as the f32 they were written from (serde_json may read a long decimal back one
/// f64 ulp away).
fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64().map(|v| v as f32) == y.as_f64().map(|v| v as f32),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// `tests/fixtures/presets-and-links.jsonl` was written by the code before the registry held the presets (every
/// algorithm × dataset × architecture: the preset, its share link, and what the link decodes to). For every
/// combination an algorithm runs, the registry gives the same settings and the same links, and old links decode
/// to the same runs.
#[test]
fn presets_and_links_are_unchanged() {
    let fixture = include_str!("../fixtures/presets-and-links.jsonl");
    let mut checked = 0;
    for line in fixture.lines() {
        let old: serde_json::Value = serde_json::from_str(line).unwrap();
        let (algo, dataset) = (old["algo"].as_str().unwrap(), old["dataset"].as_str().unwrap());
        let arch = Architecture::parse(old["arch"].as_str().unwrap()).unwrap();
        let (info, kind) = (algorithm_info(algo).unwrap(), dataset_info(dataset).unwrap().kind);
        let runs = info.supports(kind)
            && if kind == DatasetKind::Image { info.trains(arch) } else { arch == Architecture::Mlp };
        if !runs {
            continue;
        }
        let cfg = preset_for(algo, dataset, arch);
        let now = serde_json::to_value(&cfg).unwrap();
        assert!(same(&now, &old["preset"]), "{algo} {dataset} {arch:?}: preset\n{now}\n{}", old["preset"]);
        let link = bpfree::share::encode(&cfg);
        assert_eq!(link, old["link"].as_str().unwrap(), "{algo} {dataset} {arch:?}: link");
        let decoded = serde_json::to_string(&bpfree::share::decode(&link).unwrap()).unwrap();
        assert_eq!(decoded, old["decoded"].as_str().unwrap(), "{algo} {dataset} {arch:?}: decoded link");
        checked += 1;
    }
    assert!(checked >= 100, "only {checked} combinations checked");
}
