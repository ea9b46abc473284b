//! The shipped graphs (`www/data/graphs`, format in DATA.md) load with the counts DATA.md states, and a
//! malformed header or binary is an error naming the field.

#![cfg(not(target_arch = "wasm32"))]

use bpfree::data::{parse_graph, Graph, LABEL_UNKNOWN};
use serde_json::Value;

fn files(name: &str) -> (Vec<u8>, Vec<u8>) {
    let dir = std::path::Path::new("www/data/graphs").join(name);
    (std::fs::read(dir.join(format!("{name}.json"))).unwrap(), std::fs::read(dir.join(format!("{name}.bin"))).unwrap())
}

fn load(name: &str) -> Graph {
    let (json, bin) = files(name);
    parse_graph(name, &json, &bin).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn every_shipped_graph_loads_with_the_documented_counts() {
    // (name, nodes, undirected edges, features, classes, train/val/test of the fixed split)
    let table = [
        ("cora", 2708, 5278, 1433, 7, [140, 500, 1000]),
        ("citeseer", 3327, 4552, 3703, 6, [120, 500, 1000]),
        ("pubmed-structure", 19717, 44324, 0, 3, [60, 500, 1000]),
        ("karate", 34, 78, 34, 2, [2, 0, 32]),
        ("cornell", 183, 277, 1703, 5, [87, 59, 37]),
        ("texas", 183, 279, 1703, 5, [87, 59, 37]),
        ("wisconsin", 251, 450, 1703, 5, [120, 80, 51]),
        ("actor", 7600, 26659, 932, 5, [3648, 2432, 1520]),
        ("cora-ml", 2995, 8158, 2879, 7, [0, 0, 0]),
        ("citeseer-full", 4230, 5337, 602, 6, [0, 0, 0]),
        ("amazon-photo", 7650, 119081, 745, 8, [0, 0, 0]),
    ];
    for (name, n, e, f, c, split) in table {
        let g = load(name);
        assert_eq!((g.num_nodes, g.undirected_edges(), g.num_features, g.num_classes), (n, e, f, c), "{name}");
        let counts = Graph::split_counts(&g.split);
        assert_eq!([counts[1], counts[2], counts[3]], split, "{name} split");
    }
    // DATA.md: feature nnz, and the ForwardGNN graphs carry the paper's 5 splits.
    assert_eq!(load("cora").feat_indices.len(), 49_216);
    assert_eq!(load("amazon-photo").feat_indices.len(), 1_979_909);
    for name in ["cora-ml", "citeseer-full", "amazon-photo"] {
        let g = load(name);
        assert_eq!(g.splits_forwardgnn.len(), 5, "{name}");
        for s in &g.splits_forwardgnn {
            let c = Graph::split_counts(s);
            assert!(c[1] > 0 && c[2] > 0 && c[3] > 0, "{name}: {c:?}");
        }
    }
    assert_eq!(load("cornell").splits_geomgcn.len(), 10);
    let karate = load("karate");
    assert_eq!(karate.class_names, vec!["Mr. Hi", "Officer"]);
    assert_eq!(karate.dense_features().sum(), 34.0);
    assert!(load("citeseer").labels.contains(&LABEL_UNKNOWN), "CiteSeer has 15 unlabelled nodes");
}

/// The karate header with one JSON edit, and the binary possibly edited too.
fn broken(edit: impl Fn(&mut Value), edit_bin: impl Fn(&mut Vec<u8>)) -> String {
    let (json, mut bin) = files("karate");
    let mut h: Value = serde_json::from_slice(&json).unwrap();
    edit(&mut h);
    edit_bin(&mut bin);
    let e = parse_graph("karate.json", &serde_json::to_vec(&h).unwrap(), &bin).unwrap_err();
    e.to_string()
}

#[test]
fn malformed_graphs_are_errors_naming_the_field() {
    let none = |_: &mut Vec<u8>| {};
    let m = broken(|h| h["format"] = "csv".into(), none);
    assert!(m.contains("karate.json") && m.contains("`format`"), "{m}");
    let m = broken(|h| drop(h.as_object_mut().unwrap().remove("num_nodes")), none);
    assert!(m.contains("`num_nodes`: missing"), "{m}");
    let m = broken(|h| h["num_edges"] = 155.into(), none);
    assert!(m.contains("arrays.edge_index.shape"), "{m}");
    let m = broken(|h| h["arrays"]["labels"]["dtype"] = "u16".into(), none);
    assert!(m.contains("arrays.labels.dtype"), "{m}");
    let m = broken(|h| h["arrays"]["labels"]["offset"] = 100_000.into(), none);
    assert!(m.contains("arrays.labels.offset"), "{m}");
    let m = broken(|_| {}, |b| b.truncate(1000));
    assert!(m.contains("inside the 1000-byte binary"), "{m}");
    // Edge (0, 1) rewritten as (0, 0): a self loop.
    let m = broken(|_| {}, |b| b[4..8].copy_from_slice(&0u32.to_le_bytes()));
    assert!(m.contains("arrays.edge_index") && m.contains("self loop"), "{m}");
    // A label beyond the classes.
    let (json, _) = files("karate");
    let h: Value = serde_json::from_slice(&json).unwrap();
    let at = h["arrays"]["labels"]["offset"].as_u64().unwrap() as usize;
    let m = broken(|_| {}, move |b| b[at] = 7);
    assert!(m.contains("arrays.labels") && m.contains("label 7"), "{m}");
    let m = parse_graph("x.json", b"{not json", &[]).unwrap_err().to_string();
    assert!(m.contains("not valid JSON"), "{m}");
    // Hostile sizes are refused before anything is allocated, never an overflow or a panic.
    let m = broken(|h| h["num_nodes"] = u64::MAX.into(), none);
    assert!(m.contains("at most 10000000 nodes"), "{m}");
    let m = broken(|h| h["num_edges"] = (1u64 << 62).into(), none);
    assert!(m.contains("at most 10000000 nodes and 200000000 edges"), "{m}");
    let m = broken(|h| h["num_features"] = 70_000.into(), none);
    assert!(m.contains("`num_features`") && m.contains("16-bit"), "{m}");
    let m = broken(|h| h["arrays"]["labels"]["offset"] = u64::MAX.into(), none);
    assert!(m.contains("arrays.labels.offset"), "{m}");
}

#[test]
fn kfold_splits_are_64_16_20_like_forwardgnn_and_seeded() {
    use bpfree::rng::Rng;
    let g = load("cora-ml");
    // N = 2,995: every fold has 599 test nodes; val = ceil(0.2 * 2,396) = 480; train 1,916 (spec §4).
    for fold in 0..5 {
        let s = g.kfold_split(5, fold, &mut Rng::new(7));
        assert_eq!(Graph::split_counts(&s)[1..], [1916, 480, 599], "fold {fold}");
    }
    // The shipped ForwardGNN splits follow the same sizes.
    for s in &g.splits_forwardgnn {
        assert_eq!(Graph::split_counts(s)[1..], [1916, 480, 599]);
    }
    // Folds are disjoint test sets covering every node once; same seed, same split.
    let mut covered = vec![0; g.num_nodes];
    for fold in 0..5 {
        for (i, &code) in g.kfold_split(5, fold, &mut Rng::new(7)).iter().enumerate() {
            covered[i] += usize::from(code == 3);
        }
    }
    assert!(covered.iter().all(|&c| c == 1));
    assert_eq!(g.kfold_split(5, 2, &mut Rng::new(7)), g.kfold_split(5, 2, &mut Rng::new(7)));
    assert_ne!(g.kfold_split(5, 2, &mut Rng::new(7)), g.kfold_split(5, 2, &mut Rng::new(8)));
    // Unlabelled nodes (CiteSeer has 15) are never in a split.
    let c = load("citeseer");
    let s = c.kfold_split(5, 0, &mut Rng::new(1));
    assert!(s.iter().zip(&c.labels).all(|(&code, &l)| l != LABEL_UNKNOWN || code == 0));
}

#[test]
fn the_block_model_scales_and_is_homophilous() {
    use bpfree::data::{stochastic_block_model, SbmOptions};
    use bpfree::rng::Rng;
    for (nodes, edges) in [(100, 100), (1_000, 10_000), (20_000, 200_000)] {
        let o = SbmOptions { nodes, edges, classes: 4, features_per_class: 8, homophily: 0.8 };
        let g = stochastic_block_model(&o, &mut Rng::new(3));
        let e = g.undirected_edges();
        assert!(e <= edges && e as f64 >= 0.9 * edges as f64, "{nodes} nodes: {e} of {edges} edges");
        assert!(g.edges.windows(2).all(|w| w[0] < w[1]), "sorted, no duplicates");
        assert!(g.edges.iter().all(|&[s, d]| s != d && g.edges.binary_search(&[d, s]).is_ok()), "symmetric");
        let same = g.edges.iter().filter(|&&[s, d]| g.labels[s as usize] == g.labels[d as usize]).count();
        assert!(same as f64 / g.edges.len() as f64 > 0.75, "homophily {}", same as f64 / g.edges.len() as f64);
        assert_eq!(g.feat_indptr.len(), nodes + 1);
    }
    let o = SbmOptions { nodes: 500, edges: 2_000, classes: 5, features_per_class: 4, homophily: 0.9 };
    assert_eq!(stochastic_block_model(&o, &mut Rng::new(1)), stochastic_block_model(&o, &mut Rng::new(1)));
}
