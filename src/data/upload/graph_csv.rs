//! A graph from users' CSV files: an edge list (`source,target`), node labels (`node,label`) and, optionally,
//! binary features (`node,f0,f1,…` of 0/1 values). Each file may start with a header row, recognised when its
//! fields are not of the same kind as the rest (`source,target` above whole-number ids). Node ids are whole
//! numbers (node `i` is id `i`) or, as soon as one id in any file is not, names numbered in order of first
//! appearance (labels file first, then edges, then features). Edges become undirected, without self loops or
//! duplicates, sorted: the invariants [`crate::data::parse_graph`] checks.

use super::csv::{CsvReader, Record};
use super::{at, at_line, check_classes, err, thousands, whole, Labels, Named};
use super::{MAX_UPLOAD_BYTES, MAX_UPLOAD_EDGES, MAX_UPLOAD_FEATURES, MAX_UPLOAD_NODES};
use crate::data::{Graph, LABEL_UNKNOWN};
use crate::error::Result;
use std::collections::HashMap;

const LABELS: usize = 0;
const EDGES: usize = 1;
const FEATURES: usize = 2;

/// Node ids as read: each distinct string once, its value if it is a whole number, and where it was first read.
#[derive(Default)]
struct Ids {
    map: HashMap<String, u32>,
    int: Vec<Option<u64>>,
    first: Vec<(usize, usize, usize)>,
}

impl Ids {
    fn intern(&mut self, id: &str, file: (usize, &str), line: usize, column: usize) -> Result<usize> {
        if let Some(&i) = self.map.get(id) {
            return Ok(i as usize);
        }
        if id.is_empty() {
            return Err(at(file.1, line, column, "empty node id"));
        }
        if self.int.len() >= MAX_UPLOAD_NODES {
            let limit = thousands(MAX_UPLOAD_NODES);
            return Err(at(file.1, line, column, format!("more than {limit} different node ids (the node limit)")));
        }
        self.map.insert(id.to_string(), self.int.len() as u32);
        self.int.push(whole(id));
        self.first.push((file.0, line, column));
        Ok(self.int.len() - 1)
    }
}

/// `v[i]`, growing `v` with `None` up to `i`.
fn slot<T: Clone>(v: &mut Vec<Option<T>>, i: usize) -> &mut Option<T> {
    if v.len() <= i {
        v.resize(i + 1, None);
    }
    &mut v[i]
}

/// What the three files hold, by node id index, before the ids are numbered.
struct Reading<'a> {
    paths: [&'a str; 3],
    ids: Ids,
    labels: Labels,
    node_label: Vec<Option<(u32, usize)>>,
    edges: Vec<[u32; 2]>,
    feat_rows: Vec<Option<(u32, u32, usize)>>,
    feat_idx: Vec<u16>,
}

impl Reading<'_> {
    fn label_row(&mut self, line: usize, node: &str, label: &str) -> Result<()> {
        let path = self.paths[LABELS];
        let i = self.ids.intern(node, (LABELS, path), line, 1)?;
        if label.is_empty() {
            return Ok(()); // listed without a label: unknown
        }
        let l = self.labels.intern(label, path, line, 2)?;
        match *slot(&mut self.node_label, i) {
            Some((old, first)) if old != l => {
                let old = self.labels.names.get(old as usize).map_or("", String::as_str);
                // a first row is read last: name the lines in file order
                let ((a, la), (b, lb)) =
                    if first < line { ((old, first), (label, line)) } else { ((label, line), (old, first)) };
                Err(at(path, lb, 2, format!("node `{node}` is labelled `{b}` here but `{a}` on line {la}")))
            }
            Some(_) => Ok(()),
            None => {
                self.node_label[i] = Some((l, line));
                Ok(())
            }
        }
    }

    fn edge_row(&mut self, line: usize, source: &str, target: &str) -> Result<()> {
        let path = self.paths[EDGES];
        if self.edges.len() >= MAX_UPLOAD_EDGES {
            let limit = thousands(MAX_UPLOAD_EDGES);
            return Err(at_line(path, line, format!("more than {limit} edges (the limit)")));
        }
        let a = self.ids.intern(source, (EDGES, path), line, 1)? as u32;
        let b = self.ids.intern(target, (EDGES, path), line, 2)? as u32;
        self.edges.push([a, b]);
        Ok(())
    }

    fn feature_row<'s>(&mut self, line: usize, columns: usize, field: impl Fn(usize) -> &'s str) -> Result<()> {
        let path = self.paths[FEATURES];
        if columns < 2 || columns - 1 > MAX_UPLOAD_FEATURES {
            return Err(bad_feature_columns(path, line, columns));
        }
        let i = self.ids.intern(field(0), (FEATURES, path), line, 1)?;
        if let Some((_, _, other)) = *slot(&mut self.feat_rows, i) {
            let what =
                format!("node `{}` has a second feature row (the first is on line {})", field(0), other.min(line));
            return Err(at(path, other.max(line), 1, what));
        }
        let start = self.feat_idx.len() as u32;
        for c in 1..columns {
            match field(c) {
                "0" => {}
                "1" => self.feat_idx.push((c - 1) as u16),
                v => match v.parse::<f64>() {
                    Ok(0.0) => {}
                    Ok(1.0) => self.feat_idx.push((c - 1) as u16),
                    _ => {
                        let what = format!("`{v}` is not 0 or 1 (features must be 0 or 1: binary bag-of-words)");
                        return Err(at(path, line, c + 1, what));
                    }
                },
            }
        }
        self.feat_rows[i] = Some((start, self.feat_idx.len() as u32, line));
        Ok(())
    }
}

/// The first record of a file, kept aside until it is known whether it is a header.
type FirstRow = Option<(usize, Vec<String>)>;

/// Reads every record of `file` after the first into `row` (which gets the record); returns the first record.
/// `columns`: the exact column count every record must have (and what the columns are), or `None` for "as many
/// as the first record".
fn read_file(
    file: Named,
    columns: Option<(usize, &str)>,
    mut row: impl FnMut(&Record) -> Result<()>,
) -> Result<FirstRow> {
    super::check_size(file.name, file.bytes.len() as u64, MAX_UPLOAD_BYTES)?;
    let mut csv = CsvReader::new(file.name, file.bytes);
    let mut first: FirstRow = None;
    while let Some(rec) = csv.next_record()? {
        match (columns, &first) {
            (Some((n, what)), _) if rec.len() != n => {
                return Err(at_line(file.name, rec.line, format!("{} columns, expected {n} ({what})", rec.len())));
            }
            (None, Some((line, f))) if rec.len() != f.len() => {
                let what = format!(
                    "{} columns, but line {line} has {} (the node, then one 0/1 value per feature)",
                    rec.len(),
                    f.len()
                );
                return Err(at_line(file.name, rec.line, what));
            }
            _ => {}
        }
        if first.is_none() {
            first = Some((rec.line, rec.fields().map(str::to_string).collect()));
        } else {
            row(&rec)?;
        }
    }
    Ok(first)
}

/// Builds a graph named `name` from its CSV files (module documentation): `edges` (`source,target`), `labels`
/// (`node,label`; nodes not listed are unlabelled) and optional `features` (`node` then one 0/1 column per
/// feature). The split is all zeros: the caller cuts a seeded one.
pub fn graph_from_csv(name: &str, edges: Named, labels: Named, features: Option<Named>) -> Result<Graph> {
    let paths = [labels.name, edges.name, features.map_or("", |f| f.name)];
    let mut r = Reading {
        paths,
        ids: Ids::default(),
        labels: Labels::default(),
        node_label: Vec::new(),
        edges: Vec::new(),
        feat_rows: Vec::new(),
        feat_idx: Vec::new(),
    };
    let first_label = read_file(labels, Some((2, "node,label")), |rec| r.label_row(rec.line, rec.get(0), rec.get(1)))?;
    let first_edge = read_file(edges, Some((2, "source,target")), |rec| r.edge_row(rec.line, rec.get(0), rec.get(1)))?;
    let mut first_feature = None;
    if let Some(f) = features {
        first_feature = read_file(f, None, |rec| r.feature_row(rec.line, rec.len(), |c| rec.get(c)))?;
        if let Some((line, fields)) = &first_feature {
            if fields.len() < 2 || fields.len() - 1 > MAX_UPLOAD_FEATURES {
                return Err(bad_feature_columns(f.name, *line, fields.len()));
            }
        }
    }
    let feature_columns = first_feature.as_ref().map_or(0, |(_, f)| f.len() - 1);
    // A first row is a header when its ids are not of the kind of the rest: not whole numbers where every
    // other id is one; where the ids are names, neither whole numbers nor names found in a data row (first rows
    // found to be data count too, so `a,b` above `b,c` is data). A first label that is not a whole number above
    // whole-number labels, and first features that are not numbers, also make a header.
    let int_mode = r.ids.int.iter().all(Option::is_some);
    let int_labels = !r.labels.names.is_empty() && r.labels.names.iter().all(|s| whole(s).is_some());
    let mut firsts = [first_label, first_edge, first_feature];
    let mut progress = true;
    while progress {
        progress = false;
        for file in [LABELS, EDGES, FEATURES] {
            let Some((_, f)) = &firsts[file] else { continue };
            let ids = if file == EDGES { 2 } else { 1 };
            let data = if int_mode {
                (0..ids).all(|i| whole(field(f, i)).is_some())
            } else {
                (0..ids).any(|i| whole(field(f, i)).is_some() || r.ids.map.contains_key(field(f, i)))
            } && match file {
                LABELS => !(int_labels && whole(field(f, 1)).is_none()),
                FEATURES => f.iter().skip(1).all(|v| v.parse::<f64>().is_ok()),
                _ => true,
            };
            let Some((line, f)) = firsts[file].take_if(|_| data) else { continue };
            match file {
                LABELS => r.label_row(line, field(&f, 0), field(&f, 1))?,
                EDGES => r.edge_row(line, field(&f, 0), field(&f, 1))?,
                _ => r.feature_row(line, f.len(), |c| field(&f, c))?,
            }
            progress = true;
        }
    }
    assemble(name, r, int_mode, feature_columns)
}

/// Field `i` of a kept first row (`""` past its end).
fn field(f: &[String], i: usize) -> &str {
    f.get(i).map_or("", String::as_str)
}

/// The error for a features file whose rows do not hold a node and 1 to [`MAX_UPLOAD_FEATURES`] values.
fn bad_feature_columns(path: &str, line: usize, columns: usize) -> crate::error::Error {
    at_line(path, line, format!("{columns} columns: the node, then 1 to {MAX_UPLOAD_FEATURES} feature columns"))
}

/// Numbers the nodes and builds the graph.
fn assemble(name: &str, r: Reading, int_mode: bool, num_features: usize) -> Result<Graph> {
    let [labels_path, edges_path, features_path] = r.paths;
    let (class_names, class_of) = r.labels.classes();
    check_classes(labels_path, class_names.len())?;
    // node index of each id
    let (n, index): (usize, Vec<u32>) = if int_mode {
        let values: Vec<u64> = r.ids.int.iter().map(|v| v.unwrap_or(0)).collect();
        let (arg, &max) = values.iter().enumerate().max_by_key(|&(_, v)| v).unwrap_or((0, &0));
        if max >= MAX_UPLOAD_NODES as u64 {
            let (file, line, column) = r.ids.first[arg];
            let limit = thousands(MAX_UPLOAD_NODES);
            let what = format!("node id {max} is too large: node i is id i, and at most {limit} nodes are supported");
            return Err(at(r.paths[file], line, column, what));
        }
        (max as usize + 1, values.iter().map(|&v| v as u32).collect())
    } else {
        let mut order: Vec<usize> = (0..r.ids.first.len()).collect();
        order.sort_unstable_by_key(|&i| r.ids.first[i]);
        let mut index = vec![0u32; order.len()];
        for (rank, &i) in order.iter().enumerate() {
            index[i] = rank as u32;
        }
        (order.len(), index)
    };
    let mut labels = vec![LABEL_UNKNOWN; n];
    let mut label_line = vec![0usize; n];
    let class_name = |c: u8| class_names.get(c as usize).map_or("", String::as_str);
    for (i, entry) in r.node_label.iter().enumerate() {
        let Some((l, line)) = *entry else { continue };
        let node = index[i] as usize;
        let class = class_of.get(l as usize).copied().unwrap_or(0) as u8;
        if labels[node] != LABEL_UNKNOWN && labels[node] != class {
            let (old, first) = (class_name(labels[node]), label_line[node]);
            let what = format!("node {node} is labelled `{}` here but `{old}` on line {first}", class_name(class));
            return Err(at(labels_path, line, 2, what));
        }
        labels[node] = class;
        label_line[node] = line;
    }
    // undirected, no self loops, no duplicates; then both directions, sorted (as `u64` keys `a << 32 | b`: one
    // sort of plain integers, which the page's wasm already carries, instead of one more per element type)
    let key = |a: u32, b: u32| (u64::from(a) << 32) | u64::from(b);
    let mut pairs: Vec<u64> = r
        .edges
        .iter()
        .map(|&[a, b]| (index[a as usize], index[b as usize]))
        .filter(|(a, b)| a != b)
        .map(|(a, b)| key(a.min(b), a.max(b)))
        .collect();
    drop(r.edges);
    pairs.sort_unstable();
    pairs.dedup();
    if pairs.is_empty() {
        return Err(err(edges_path, "no edge joins two different nodes"));
    }
    if pairs.len() > MAX_UPLOAD_EDGES / 2 {
        let (got, limit) = (thousands(2 * pairs.len()), thousands(MAX_UPLOAD_EDGES));
        return Err(err(edges_path, format!("{got} directed edges (both directions); the limit is {limit}")));
    }
    let mut both = Vec::with_capacity(2 * pairs.len());
    for &p in &pairs {
        both.push(p);
        both.push(p.rotate_left(32));
    }
    drop(pairs);
    both.sort_unstable();
    let edges: Vec<[u32; 2]> = both.into_iter().map(|k| [(k >> 32) as u32, k as u32]).collect();
    // CSR features
    let mut row_of: Vec<Option<(u32, u32, usize)>> = vec![None; n];
    for (i, row) in r.feat_rows.iter().enumerate() {
        let Some(row) = *row else { continue };
        let node = index[i] as usize;
        if let Some((_, _, first)) = row_of[node] {
            let what = format!("node {node} has a second feature row (the first is on line {first})");
            return Err(at(features_path, row.2.max(first), 1, what));
        }
        row_of[node] = Some(row);
    }
    let mut feat_indptr = Vec::with_capacity(n + 1);
    let mut feat_indices = Vec::with_capacity(r.feat_idx.len());
    feat_indptr.push(0u32);
    for row in &row_of {
        if let Some((start, end, _)) = *row {
            feat_indices.extend_from_slice(r.feat_idx.get(start as usize..end as usize).unwrap_or_default());
        }
        feat_indptr.push(feat_indices.len() as u32);
    }
    Ok(Graph {
        name: name.to_string(),
        num_nodes: n,
        edges,
        num_features,
        feat_indptr,
        feat_indices,
        num_classes: class_names.len(),
        labels,
        split: vec![0; n],
        splits_forwardgnn: Vec::new(),
        splits_geomgcn: Vec::new(),
        class_names,
    })
}

/// One line about a graph: "2,708 nodes, 5,278 edges, 7 classes (2,708 labelled), 1,433 features" (undirected
/// edges).
pub fn describe_graph(g: &Graph) -> String {
    let labelled = g.labels.iter().filter(|&&l| l != LABEL_UNKNOWN).count();
    let features = match g.num_features {
        0 => "no features".to_string(),
        1 => "1 feature".to_string(),
        f => format!("{} features", thousands(f)),
    };
    format!(
        "{} nodes, {} edges, {} classes ({} labelled), {features}",
        thousands(g.num_nodes),
        thousands(g.undirected_edges()),
        g.num_classes,
        thousands(labelled)
    )
}
