//! Users' own data ("uploads"), read in the data layer so that the page and the tests share one parser: a graph
//! as CSV files (an edge list, node labels, optional 0/1 features), images as a CSV of pixel rows (Kaggle's
//! MNIST layout) or as decoded PNGs from a folder or a ZIP archive. Every reader is pure Rust, takes the bytes
//! the caller hands over (the page reads the `File`s, the tests read fixtures), checks every value against the
//! limits below before allocating for it, and answers a malformed file with an [`Error::Data`] naming the file
//! and, for CSV, the line and column.

mod csv;
mod graph_csv;
mod graph_write;
mod image_container;
mod images;
mod zip;

pub use csv::{CsvReader, Record};
pub use graph_csv::{describe_graph, graph_from_csv};
pub use graph_write::write_graph;
pub use images::{images_from_csv, images_from_decoded, DecodedImage, ImageUpload};
pub use zip::read_zip;

use crate::error::{Error, Result};
use std::collections::HashMap;

/// Largest CSV or PNG file read (128 MiB: Kaggle's MNIST `train.csv` is 73 MB).
pub const MAX_UPLOAD_BYTES: u64 = 128 << 20;
/// Largest ZIP archive read (128 MiB).
pub const MAX_ZIP_BYTES: u64 = 128 << 20;
/// Most bytes the entries of one ZIP archive may unpack to, all together (256 MiB): checked on the sizes the
/// archive declares before anything is inflated, and again on what each entry inflates to.
pub const MAX_UNPACKED_BYTES: u64 = 256 << 20;
/// Most nodes of an uploaded graph.
pub const MAX_UPLOAD_NODES: usize = 1_000_000;
/// Most directed edges of an uploaded graph (each undirected edge counts twice).
pub const MAX_UPLOAD_EDGES: usize = 20_000_000;
/// Most feature columns of an uploaded graph (feature ids are stored as `u16`).
pub const MAX_UPLOAD_FEATURES: usize = 65_536;
/// Most images of an upload.
pub const MAX_IMAGES: usize = 100_000;
/// Largest height or width of an uploaded image.
pub const MAX_IMAGE_SIDE: usize = 256;
/// Most classes of an upload (graph or images).
pub const MAX_CLASSES: usize = 100;
/// Fewest images of an upload (a test, a validation and a training part must each get some).
pub const MIN_IMAGES: usize = 10;
/// Most pixel bytes (images x channels x height x width) of an image upload, 256 MiB: the training set built
/// from them holds four bytes per pixel.
pub const MAX_PIXEL_BYTES: usize = 256 << 20;

/// One uploaded file: its name (shown in errors) and its bytes.
#[derive(Clone, Copy, Debug)]
pub struct Named<'a> {
    /// The file's name as the user chose it, e.g. `edges.csv`.
    pub name: &'a str,
    /// Its contents.
    pub bytes: &'a [u8],
}

/// Checks a file's size before it is read (the page calls this with a `File`'s size): an error such as
/// "data file photos.zip: the file is 300.0 MiB; the limit is 128 MiB" when `len` is over `limit`.
pub fn check_size(name: &str, len: u64, limit: u64) -> Result<()> {
    if len <= limit {
        return Ok(());
    }
    Err(err(name, format!("the file is {}; the limit is {}", size_text(len, false), size_text(limit, true))))
}

/// `300.0 MiB`, `12.5 KiB`, `900 bytes`; a whole number of units without the decimal when `round` is set
/// (`128 MiB`).
fn size_text(bytes: u64, round: bool) -> String {
    let unit = |shift: u32, name: &str| {
        if round && bytes.is_multiple_of(1 << shift) {
            format!("{} {name}", bytes >> shift)
        } else {
            format!("{:.1} {name}", bytes as f64 / (1u64 << shift) as f64)
        }
    };
    match bytes {
        b if b >= 1 << 20 => unit(20, "MiB"),
        b if b >= 1 << 10 => unit(10, "KiB"),
        b => format!("{b} bytes"),
    }
}

/// An [`Error::Data`] for `path`.
fn err(path: &str, detail: impl Into<String>) -> Error {
    Error::Data { path: path.to_string(), detail: detail.into() }
}

/// An [`Error::Data`] at a line of a CSV file.
fn at_line(path: &str, line: usize, what: impl std::fmt::Display) -> Error {
    err(path, format!("line {line}: {what}"))
}

/// An [`Error::Data`] at a line and column (both 1-based) of a CSV file.
fn at(path: &str, line: usize, column: usize, what: impl std::fmt::Display) -> Error {
    err(path, format!("line {line}, column {column}: {what}"))
}

/// `1234567` -> `1,234,567`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The value of a whole number written in decimal digits only (`007` is 7; a value too large for `u64`
/// saturates), or `None` for anything else.
fn whole(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(s.parse().unwrap_or(u64::MAX))
}

/// Longest class name, in bytes.
const MAX_LABEL_BYTES: usize = 1000;

/// Label strings as first read, each kept once (at most [`MAX_CLASSES`] of them).
#[derive(Default)]
struct Labels {
    map: HashMap<String, u32>,
    names: Vec<String>,
}

impl Labels {
    /// The index of `label`, added if new; an error at `line`/`column` of `path` past the class limit.
    fn intern(&mut self, label: &str, path: &str, line: usize, column: usize) -> Result<u32> {
        if let Some(&i) = self.map.get(label) {
            return Ok(i);
        }
        if label.len() > MAX_LABEL_BYTES {
            return Err(at(path, line, column, format!("a label of more than {MAX_LABEL_BYTES} bytes")));
        }
        if self.names.len() >= MAX_CLASSES {
            return Err(at(path, line, column, format!("more than {MAX_CLASSES} different labels (the class limit)")));
        }
        let i = self.names.len() as u32;
        self.map.insert(label.to_string(), i);
        self.names.push(label.to_string());
        Ok(i)
    }

    /// The classes: whole-number labels in numeric order (`07` and `7` are one class, named `7`), any other
    /// labels sorted by name. Returns the class names and the class of each interned label.
    fn classes(&self) -> (Vec<String>, Vec<u32>) {
        let ints: Option<Vec<u64>> = self.names.iter().map(|s| whole(s)).collect();
        if let Some(ints) = ints {
            let mut values = ints.clone();
            values.sort_unstable();
            values.dedup();
            let class = ints.iter().map(|v| values.binary_search(v).unwrap_or(0) as u32).collect();
            (values.iter().map(u64::to_string).collect(), class)
        } else {
            let mut names = self.names.clone();
            names.sort_unstable();
            names.dedup();
            let class = self.names.iter().map(|s| names.binary_search(s).unwrap_or(0) as u32).collect();
            (names, class)
        }
    }
}

/// Checks a class count against 2..=[`MAX_CLASSES`].
fn check_classes(path: &str, classes: usize) -> Result<()> {
    if classes < 2 {
        let found = if classes == 0 { "no labels" } else { "only one class" };
        return Err(err(path, format!("{found}: at least 2 classes are needed to train a classifier")));
    }
    if classes > MAX_CLASSES {
        return Err(err(path, format!("{classes} classes; at most {MAX_CLASSES} are supported")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_numbers_read_well() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(size_text(300 << 20, true), "300 MiB");
        assert_eq!(size_text(300 << 20, false), "300.0 MiB");
        assert_eq!(size_text((300 << 20) + (1 << 19), true), "300.5 MiB");
        assert_eq!(size_text(900, false), "900 bytes");
        let e = check_size("photos.zip", 300 << 20, MAX_ZIP_BYTES).unwrap_err().to_string();
        assert!(e.contains("photos.zip") && e.contains("300.0 MiB; the limit is 128 MiB"), "{e}");
        assert!(check_size("a.csv", 10, MAX_UPLOAD_BYTES).is_ok());
        assert_eq!(whole("007"), Some(7));
        assert_eq!(whole("-1"), None);
        assert_eq!(whole(""), None);
        assert_eq!(whole("99999999999999999999999"), Some(u64::MAX));
    }

    #[test]
    fn classes_keep_numeric_order_or_sort_names() {
        let mut l = Labels::default();
        for s in ["10", "2", "02", "0"] {
            l.intern(s, "f", 1, 1).unwrap();
        }
        assert_eq!(l.classes(), (vec!["0".into(), "2".into(), "10".into()], vec![2, 1, 1, 0]));
        let mut l = Labels::default();
        for s in ["dog", "cat", "10"] {
            l.intern(s, "f", 1, 1).unwrap();
        }
        assert_eq!(l.classes(), (vec!["10".into(), "cat".into(), "dog".into()], vec![2, 1, 0]));
    }
}
