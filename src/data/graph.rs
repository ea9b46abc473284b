//! Graphs in the shipped `mlpg-graph` v1 format (`www/data/DATA.md`, "Graph format"): a JSON header and a
//! little-endian binary file of aligned arrays. Every header field and every array is validated — dtype,
//! shape, offset and length inside the binary, edge ids in range, edges sorted, symmetric and without self
//! loops, CSR features well formed, labels and split codes in range — and a malformed file is an
//! [`Error::Data`] naming the file and the field.

use crate::error::{Error, Result};
use serde_json::Value;

/// A node-classification graph as shipped.
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    /// Registry name, e.g. `cora-ml`.
    pub name: String,
    /// Nodes `N`.
    pub num_nodes: usize,
    /// Directed edges `(src, dst)`, each undirected edge both ways, sorted, no self loops.
    pub edges: Vec<[u32; 2]>,
    /// Feature columns `F` (0 when the graph has no features).
    pub num_features: usize,
    /// CSR row pointer of the binary features (`N + 1` entries).
    pub feat_indptr: Vec<u32>,
    /// Feature ids per row, ascending.
    pub feat_indices: Vec<u16>,
    /// Classes `C`.
    pub num_classes: usize,
    /// Class per node; [`LABEL_UNKNOWN`] where unknown.
    pub labels: Vec<u8>,
    /// Fixed split per node: 0 none, 1 train, 2 val, 3 test.
    pub split: Vec<u8>,
    /// ForwardGNN's five splits (`splits_forwardgnn`), where shipped.
    pub splits_forwardgnn: Vec<Vec<u8>>,
    /// Geom-GCN's ten splits, where shipped.
    pub splits_geomgcn: Vec<Vec<u8>>,
    /// Class names, if stored.
    pub class_names: Vec<String>,
}

/// The label of a node whose class is unknown.
pub const LABEL_UNKNOWN: u8 = 255;

struct Ctx<'a> {
    path: &'a str,
}

impl Ctx<'_> {
    fn err(&self, field: &str, detail: impl std::fmt::Display) -> Error {
        Error::Data { path: self.path.to_string(), detail: format!("field `{field}`: {detail}") }
    }

    fn usize(&self, h: &Value, field: &str) -> Result<usize> {
        let v = h.get(field).ok_or_else(|| self.err(field, "missing"))?;
        v.as_u64().map(|n| n as usize).ok_or_else(|| self.err(field, format!("{v} is not a whole number")))
    }

    fn str<'h>(&self, h: &'h Value, field: &str) -> Result<&'h str> {
        let v = h.get(field).ok_or_else(|| self.err(field, "missing"))?;
        v.as_str().ok_or_else(|| self.err(field, format!("{v} is not a string")))
    }
}

/// One array of the binary file, checked against its header entry.
fn array<'b>(ctx: &Ctx, header: &Value, bin: &'b [u8], name: &str, dtype: &str, shape: &[usize]) -> Result<&'b [u8]> {
    let field = format!("arrays.{name}");
    let a = header.get("arrays").and_then(|a| a.get(name)).ok_or_else(|| ctx.err(&field, "missing"))?;
    let got = a.get("dtype").and_then(Value::as_str).unwrap_or("?");
    if got != dtype {
        return Err(ctx.err(&format!("{field}.dtype"), format!("`{got}`, expected `{dtype}`")));
    }
    let got_shape: Vec<usize> = a
        .get("shape")
        .and_then(Value::as_array)
        .map(|s| s.iter().filter_map(Value::as_u64).map(|n| n as usize).collect())
        .unwrap_or_default();
    if got_shape != shape {
        return Err(ctx.err(&format!("{field}.shape"), format!("{got_shape:?}, expected {shape:?}")));
    }
    let offset = ctx.usize(a, "offset").map_err(|_| ctx.err(&format!("{field}.offset"), "missing or not a number"))?;
    let bytes = ctx.usize(a, "bytes").map_err(|_| ctx.err(&format!("{field}.bytes"), "missing or not a number"))?;
    let width = match dtype {
        "u8" => 1,
        "u16" => 2,
        _ => 4,
    };
    let want = shape.iter().try_fold(width, |acc: usize, &d| acc.checked_mul(d));
    let want = want.ok_or_else(|| ctx.err(&format!("{field}.shape"), format!("{shape:?} overflows")))?;
    if bytes != want {
        return Err(ctx.err(&format!("{field}.bytes"), format!("{bytes}, but shape {shape:?} of {dtype} needs {want}")));
    }
    if offset % 8 != 0 || offset.checked_add(bytes).is_none_or(|end| end > bin.len()) {
        return Err(ctx.err(
            &format!("{field}.offset"),
            format!(
                "{offset}..{} is not an aligned range inside the {}-byte binary",
                offset.saturating_add(bytes),
                bin.len()
            ),
        ));
    }
    Ok(&bin[offset..offset + bytes])
}

fn u32s(b: &[u8]) -> Vec<u32> {
    b.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
}

fn u16s(b: &[u8]) -> Vec<u16> {
    b.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect()
}

/// Most nodes of a graph this reader accepts.
pub const MAX_NODES: usize = 10_000_000;
/// Most directed edges.
pub const MAX_EDGES: usize = 200_000_000;
/// Most feature columns (feature ids are stored as `u16`).
pub const MAX_FEATURES: usize = 1 << 16;

/// Parses and validates a graph from its header (`json`) and binary (`bin`); `path` names the header in errors.
pub fn parse_graph(path: &str, json: &[u8], bin: &[u8]) -> Result<Graph> {
    let ctx = Ctx { path };
    let h: Value = serde_json::from_slice(json).map_err(|e| ctx.err("(header)", format!("not valid JSON: {e}")))?;
    let format = ctx.str(&h, "format")?;
    if format != "mlpg-graph" || ctx.usize(&h, "version")? != 1 {
        return Err(ctx.err("format", format!("`{format}` v{}, expected mlpg-graph v1", h["version"])));
    }
    let n = ctx.usize(&h, "num_nodes")?;
    let e = ctx.usize(&h, "num_edges")?;
    let f = ctx.usize(&h, "num_features")?;
    let c = ctx.usize(&h, "num_classes")?;
    if n == 0 || c == 0 || c >= LABEL_UNKNOWN as usize {
        return Err(ctx.err("num_nodes", format!("{n} nodes and {c} classes are not a usable graph")));
    }
    if n > MAX_NODES || e > MAX_EDGES {
        return Err(ctx.err(
            "num_nodes",
            format!("{n} nodes and {e} edges: this reader takes at most {MAX_NODES} nodes and {MAX_EDGES} edges"),
        ));
    }
    if f > MAX_FEATURES {
        return Err(ctx.err("num_features", format!("{f} (feature ids are 16-bit: at most {MAX_FEATURES})")));
    }
    let kind = ctx.str(&h, "feature_kind")?;
    if kind != "binary" && kind != "none" {
        return Err(ctx.err("feature_kind", format!("`{kind}` (this reader knows binary and none)")));
    }
    let edges: Vec<[u32; 2]> =
        u32s(array(&ctx, &h, bin, "edge_index", "u32", &[e, 2])?).chunks_exact(2).map(|p| [p[0], p[1]]).collect();
    for (i, &[s, d]) in edges.iter().enumerate() {
        if s as usize >= n || d as usize >= n || s == d {
            return Err(ctx.err("arrays.edge_index", format!("edge {i} ({s}, {d}) is a self loop or outside 0..{n}")));
        }
        if i > 0 && edges[i - 1] >= [s, d] {
            return Err(
                ctx.err("arrays.edge_index", format!("edge {i} ({s}, {d}) is not sorted after its predecessor"))
            );
        }
    }
    if let Some(&[s, d]) = edges.iter().find(|&&[s, d]| edges.binary_search(&[d, s]).is_err()) {
        return Err(ctx.err("arrays.edge_index", format!("({s}, {d}) has no reverse edge (graphs are undirected)")));
    }
    let feat_indptr = u32s(array(&ctx, &h, bin, "feat_indptr", "u32", &[n + 1])?);
    let nnz = *feat_indptr.last().unwrap_or(&0) as usize;
    let feat_indices = u16s(array(&ctx, &h, bin, "feat_indices", "u16", &[nnz])?);
    if feat_indptr[0] != 0 || feat_indptr.windows(2).any(|w| w[0] > w[1]) {
        return Err(ctx.err("arrays.feat_indptr", "is not a CSR row pointer (starts at 0, never decreases)"));
    }
    for r in 0..n {
        let row = &feat_indices[feat_indptr[r] as usize..feat_indptr[r + 1] as usize];
        if row.iter().any(|&j| j as usize >= f) || row.windows(2).any(|w| w[0] >= w[1]) {
            return Err(ctx.err("arrays.feat_indices", format!("row {r} has ids outside 0..{f} or out of order")));
        }
    }
    let labels = array(&ctx, &h, bin, "labels", "u8", &[n])?.to_vec();
    if let Some(&bad) = labels.iter().find(|&&l| l != LABEL_UNKNOWN && l as usize >= c) {
        return Err(ctx.err("arrays.labels", format!("label {bad} outside 0..{c} (255 = unknown)")));
    }
    let split = array(&ctx, &h, bin, "split", "u8", &[n])?.to_vec();
    let check_split = |name: &str, s: &[u8]| -> Result<()> {
        let bad = |(i, &code): &(usize, &u8)| code > 3 || (code != 0 && labels[*i] == LABEL_UNKNOWN);
        if let Some((i, code)) = s.iter().enumerate().find(bad) {
            return Err(ctx.err(name, format!("node {i} has code {code} (codes 0..3; unlabelled nodes only 0)")));
        }
        Ok(())
    };
    check_split("arrays.split", &split)?;
    let multi = |name: &str| -> Result<Vec<Vec<u8>>> {
        let Some(a) = h.get("arrays").and_then(|a| a.get(name)) else { return Ok(Vec::new()) };
        let k = a.get("shape").and_then(|s| s.get(0)).and_then(Value::as_u64).unwrap_or(0) as usize;
        let flat = array(&ctx, &h, bin, name, "u8", &[k, n])?;
        let splits: Vec<Vec<u8>> = flat.chunks_exact(n).map(<[u8]>::to_vec).collect();
        for s in &splits {
            check_split(&format!("arrays.{name}"), s)?;
        }
        Ok(splits)
    };
    let splits_forwardgnn = multi("splits_forwardgnn")?;
    let splits_geomgcn = multi("splits_geomgcn")?;
    let class_names = h
        .get("class_names")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    Ok(Graph {
        name: ctx.str(&h, "name")?.to_string(),
        num_nodes: n,
        edges,
        num_features: f,
        feat_indptr,
        feat_indices,
        num_classes: c,
        labels,
        split,
        splits_forwardgnn,
        splits_geomgcn,
        class_names,
    })
}

impl Graph {
    /// Undirected edges (each stored pair once).
    pub fn undirected_edges(&self) -> usize {
        self.edges.len() / 2
    }

    /// Dense `N x F` 0/1 features (for small graphs and tests; layers use the CSR form).
    pub fn dense_features(&self) -> ndarray::Array2<f32> {
        let mut x = ndarray::Array2::zeros((self.num_nodes, self.num_features));
        for r in 0..self.num_nodes {
            for &j in &self.feat_indices[self.feat_indptr[r] as usize..self.feat_indptr[r + 1] as usize] {
                x[[r, j as usize]] = 1.0;
            }
        }
        x
    }

    /// Nodes per split code (0 none, 1 train, 2 val, 3 test) of `split`.
    pub fn split_counts(split: &[u8]) -> [usize; 4] {
        let mut counts = [0; 4];
        for &s in split {
            counts[(s as usize).min(3)] += 1;
        }
        counts
    }
}

impl Graph {
    /// A seeded `k`-fold node split for graphs without shipped splits, as ForwardGNN cuts its own
    /// (docs/algorithms/forwardgnn.md, "Protocol and hyper-parameters"): a permutation of the nodes into `k` folds (the
    /// first `N mod k` one node larger), fold `fold` is test, and of the rest `ceil(0.2 · rest)` nodes are validation,
    /// the others train — 64/16/20 for `k = 5`. Unlabelled nodes get code 0. Codes as [`Graph::split`].
    pub fn kfold_split(&self, k: usize, fold: usize, rng: &mut crate::rng::Rng) -> Vec<u8> {
        let labelled: Vec<usize> = (0..self.num_nodes).filter(|&i| self.labels[i] != LABEL_UNKNOWN).collect();
        let order = rng.permutation(labelled.len());
        let k = k.max(2);
        let (n, fold) = (labelled.len(), fold % k);
        let size = |f: usize| n / k + usize::from(f < n % k);
        let start: usize = (0..fold).map(size).sum();
        let test: Vec<usize> = order[start..start + size(fold)].to_vec();
        let mut rest: Vec<usize> = order[..start].iter().chain(&order[start + size(fold)..]).copied().collect();
        let shuffle = rng.permutation(rest.len());
        rest = shuffle.into_iter().map(|i| rest[i]).collect();
        let val = (rest.len() as f64 * 0.2).ceil() as usize;
        let mut split = vec![0u8; self.num_nodes];
        for &i in &test {
            split[labelled[i]] = 3;
        }
        for (j, &i) in rest.iter().enumerate() {
            split[labelled[i]] = if j < val { 2 } else { 1 };
        }
        split
    }
}
