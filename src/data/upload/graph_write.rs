//! Writes a [`Graph`] in the shipped `mlpg-graph` v1 format (`www/data/DATA.md`, "Graph format"): the JSON
//! header and the little-endian binary of 8-byte aligned arrays that [`crate::data::parse_graph`] reads back, so
//! an uploaded graph can sit in [`crate::data::DataFiles`] like a shipped one.

use crate::data::{Graph, LABEL_UNKNOWN};
use serde_json::{json, Map, Value};

/// The binary being written and the header's `arrays` entries.
struct Writer {
    bin: Vec<u8>,
    arrays: Map<String, Value>,
}

impl Writer {
    /// Appends one array at the next multiple of 8 bytes.
    fn array(&mut self, name: &str, dtype: &str, shape: &[usize], bytes: impl IntoIterator<Item = u8>) {
        while !self.bin.len().is_multiple_of(8) {
            self.bin.push(0);
        }
        let offset = self.bin.len();
        self.bin.extend(bytes);
        let entry = json!({ "dtype": dtype, "shape": shape, "offset": offset, "bytes": self.bin.len() - offset });
        self.arrays.insert(name.to_string(), entry);
    }
}

/// The header (`<name>.json`) and binary (`<name>.bin`) of `g` in the mlpg-graph v1 format.
pub fn write_graph(g: &Graph) -> (Vec<u8>, Vec<u8>) {
    let n = g.num_nodes;
    let mut w = Writer { bin: Vec::new(), arrays: Map::new() };
    w.array("edge_index", "u32", &[g.edges.len(), 2], g.edges.iter().flatten().flat_map(|v| v.to_le_bytes()));
    w.array("feat_indptr", "u32", &[g.feat_indptr.len()], g.feat_indptr.iter().flat_map(|v| v.to_le_bytes()));
    w.array("feat_indices", "u16", &[g.feat_indices.len()], g.feat_indices.iter().flat_map(|v| v.to_le_bytes()));
    w.array("labels", "u8", &[g.labels.len()], g.labels.iter().copied());
    w.array("split", "u8", &[g.split.len()], g.split.iter().copied());
    for (name, splits) in [("splits_forwardgnn", &g.splits_forwardgnn), ("splits_geomgcn", &g.splits_geomgcn)] {
        if !splits.is_empty() {
            w.array(name, "u8", &[splits.len(), n], splits.iter().flatten().copied());
        }
    }
    let counts = Graph::split_counts(&g.split);
    let header = json!({
        "format": "mlpg-graph",
        "version": 1,
        "name": g.name,
        "title": g.name,
        "directed": false,
        "num_nodes": n,
        "num_edges": g.edges.len(),
        "num_undirected_edges": g.undirected_edges(),
        "num_features": g.num_features,
        "num_classes": g.num_classes,
        "feature_kind": if g.num_features == 0 { "none" } else { "binary" },
        "label_unknown": LABEL_UNKNOWN,
        "split_codes": { "0": "none", "1": "train", "2": "val", "3": "test" },
        "splits": { "train": counts[1], "val": counts[2], "test": counts[3] },
        "class_names": if g.class_names.is_empty() { Value::Null } else { json!(g.class_names) },
        "bin": format!("{}.bin", g.name),
        "bin_bytes": w.bin.len(),
        "arrays": Value::Object(w.arrays),
    });
    // compact, not pretty: the pretty printer would add its own copy of serde_json's writer to the page's wasm
    let json = serde_json::to_vec(&header).unwrap_or_default();
    (json, w.bin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::parse_graph;

    #[test]
    fn a_small_graph_reads_back() {
        let g = Graph {
            name: "tiny".into(),
            num_nodes: 3,
            edges: vec![[0, 1], [1, 0], [1, 2], [2, 1]],
            num_features: 2,
            feat_indptr: vec![0, 1, 1, 3],
            feat_indices: vec![1, 0, 1],
            num_classes: 2,
            labels: vec![0, LABEL_UNKNOWN, 1],
            split: vec![1, 0, 3],
            splits_forwardgnn: vec![vec![1, 0, 2], vec![3, 0, 1]],
            splits_geomgcn: Vec::new(),
            class_names: vec!["a".into(), "b".into()],
        };
        let (json, bin) = write_graph(&g);
        assert_eq!(parse_graph("tiny.json", &json, &bin).unwrap(), g);
    }
}
