//! Image datasets from their original files: MNIST and Fashion-MNIST as gzipped IDX (LeCun's format), the
//! CIFAR-10 subset as records of the official *binary version* (1 label byte + 3,072 pixel bytes, R, G, B
//! planes of 32x32). Every field is validated; a truncated or corrupted file is an [`Error::Data`] naming the
//! file and what is wrong with it.
//!
//! Preprocessing follows CCL's MLP loader (docs/algorithms/ccl.md, "Architectures and hyper-parameters"):
//! pixels to `[0, 1]`, then `(x - mean) / std` per channel, flattened in C, H, W order; no augmentation. The
//! validation set is a seeded 90/10 random split of the official training set (`torch.utils.data.random_split`
//! semantics: the first 90 % of a permutation train).

use super::{DataFiles, Dataset};
use crate::error::{Error, Result};
use crate::rng::Rng;
use ndarray::Array2;
use std::io::Read;

/// Which file format an image dataset ships in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    /// Four gzipped IDX files: `train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`, `t10k-…`.
    IdxGz,
    /// CIFAR binary records: a train and a test file.
    CifarBin,
}

/// Where an image dataset lives (relative to the data root) and how to normalise it.
#[derive(Clone, Copy, Debug)]
pub struct ImageSource {
    /// Folder under the data root, e.g. `images/mnist`.
    pub folder: &'static str,
    /// File format.
    pub format: ImageFormat,
    /// Per-channel mean after scaling to `[0, 1]`.
    pub mean: &'static [f32],
    /// Per-channel standard deviation.
    pub std: &'static [f32],
    /// Class names in label order.
    pub classes: &'static [&'static str],
}

const IDX_FILES: [&str; 4] = [
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
];
const CIFAR_FILES: [&str; 2] = ["data_batch_1_first4000.bin", "test_batch_first1000.bin"];

impl ImageSource {
    /// Paths (relative to the data root) of the files [`ImageSource::load`] reads.
    pub fn files(&self) -> Vec<String> {
        let names: &[&str] = match self.format {
            ImageFormat::IdxGz => &IDX_FILES,
            ImageFormat::CifarBin => &CIFAR_FILES,
        };
        names.iter().map(|n| format!("{}/{n}", self.folder)).collect()
    }

    /// Parses, normalises and splits the dataset from the bytes of [`ImageSource::files`].
    pub fn load(&self, name: &str, files: &DataFiles, validation: f32, rng: &mut Rng) -> Result<Dataset> {
        let paths = self.files();
        let file = |i: usize| -> Result<&[u8]> {
            files.get(&paths[i]).map(Vec::as_slice).ok_or_else(|| Error::Data {
                path: paths[i].clone(),
                detail: "not loaded (missing from the data folder or not fetched)".into(),
            })
        };
        let (train, test) = match self.format {
            ImageFormat::IdxGz => (
                idx_pair(&paths[0], file(0)?, &paths[1], file(1)?)?,
                idx_pair(&paths[2], file(2)?, &paths[3], file(3)?)?,
            ),
            ImageFormat::CifarBin => (cifar_records(&paths[0], file(0)?)?, cifar_records(&paths[1], file(1)?)?),
        };
        if train.shape != test.shape {
            return Err(Error::Data {
                path: paths[0].clone(),
                detail: format!("train images are {:?} but test images are {:?}", train.shape, test.shape),
            });
        }
        let classes = self.classes.len();
        for (set, path) in [(&train, &paths[0]), (&test, &paths[paths.len() / 2])] {
            if let Some(&bad) = set.labels.iter().find(|&&l| l as usize >= classes) {
                return Err(Error::Data { path: path.clone(), detail: format!("label {bad} outside 0..{classes}") });
            }
        }
        let order = rng.permutation(train.labels.len());
        let n_val = (train.labels.len() as f32 * validation).round() as usize;
        let (train_idx, val_idx) = order.split_at(train.labels.len() - n_val);
        let all_test: Vec<usize> = (0..test.labels.len()).collect();
        let (x_train, y_train) = self.normalise(&train, train_idx);
        let (x_val, y_val) = self.normalise(&train, val_idx);
        let (x_test, y_test) = self.normalise(&test, &all_test);
        Ok(Dataset {
            name: name.to_string(),
            x_train,
            y_train,
            x_val,
            y_val,
            x_test,
            y_test,
            classes,
            plane: None,
            image: Some(train.shape),
            class_names: self.classes.iter().map(|s| s.to_string()).collect(),
            normalization: Some((self.mean.to_vec(), self.std.to_vec())),
        })
    }

    /// Rows `rows` of `set`, scaled to `[0, 1]` and standardised per channel.
    fn normalise(&self, set: &RawImages, rows: &[usize]) -> (Array2<f32>, Vec<u32>) {
        let [c, h, w] = set.shape;
        let size = c * h * w;
        let plane = h * w;
        let scale: Vec<f32> = (0..c).map(|ch| 1.0 / (255.0 * self.std[ch % self.std.len()])).collect();
        let shift: Vec<f32> =
            (0..c).map(|ch| self.mean[ch % self.mean.len()] / self.std[ch % self.std.len()]).collect();
        let mut x = Array2::<f32>::zeros((rows.len(), size));
        for (mut out, &r) in x.rows_mut().into_iter().zip(rows) {
            let src = &set.pixels[r * size..(r + 1) * size];
            for (i, (o, &p)) in out.iter_mut().zip(src).enumerate() {
                let ch = i / plane;
                *o = f32::from(p) * scale[ch] - shift[ch];
            }
        }
        (x, rows.iter().map(|&r| u32::from(set.labels[r])).collect())
    }
}

/// Decoded images before normalisation: `n` images of `shape` (C, H, W) as bytes, and their labels.
#[derive(Debug)]
pub struct RawImages {
    /// `[channels, height, width]`.
    pub shape: [usize; 3],
    /// `n * C * H * W` bytes, image after image, C-major.
    pub pixels: Vec<u8>,
    /// One label per image.
    pub labels: Vec<u8>,
}

fn data_err(path: &str, detail: impl Into<String>) -> Error {
    Error::Data { path: path.to_string(), detail: detail.into() }
}

/// Most bytes a gzip file may unpack to (the largest shipped set, Fashion-MNIST's training images, is 47 MB): a
/// "gzip bomb" stops there instead of filling the memory.
pub const MAX_GUNZIPPED_BYTES: u64 = 256 << 20;

/// Gunzips `bytes` (a gzip member) into at most [`MAX_GUNZIPPED_BYTES`], with a clear error for a file that is not
/// gzip, is truncated or unpacks to more.
pub fn gunzip(path: &str, bytes: &[u8]) -> Result<Vec<u8>> {
    if bytes.len() >= 2 && (bytes[0] != 0x1f || bytes[1] != 0x8b) {
        return Err(data_err(path, "not a gzip file (bad magic bytes)"));
    }
    if bytes.len() < 18 {
        return Err(data_err(path, format!("corrupted or truncated gzip data: only {} bytes", bytes.len())));
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .take(MAX_GUNZIPPED_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| data_err(path, format!("corrupted or truncated gzip data: {e}")))?;
    if out.len() as u64 > MAX_GUNZIPPED_BYTES {
        return Err(data_err(path, format!("unpacks to more than {} MiB (the limit)", MAX_GUNZIPPED_BYTES >> 20)));
    }
    Ok(out)
}

fn be_u32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Parses an IDX file (already gunzipped) of unsigned bytes with `dims` dimensions; returns the sizes and data.
pub fn parse_idx<'a>(path: &str, bytes: &'a [u8], dims: usize) -> Result<(Vec<usize>, &'a [u8])> {
    let header = 4 + 4 * dims;
    let expected = 0x0800 + dims as u32;
    if bytes.len() >= 4 && be_u32(bytes, 0) != expected {
        let magic = be_u32(bytes, 0);
        return Err(data_err(path, format!("IDX magic number 0x{magic:08x}, expected 0x{expected:08x}")));
    }
    if bytes.len() < header {
        return Err(data_err(path, format!("{} bytes is shorter than the IDX header ({header})", bytes.len())));
    }
    let sizes: Vec<usize> = (0..dims).map(|d| be_u32(bytes, 4 + 4 * d) as usize).collect();
    let count = sizes.iter().try_fold(1usize, |acc, &s| acc.checked_mul(s));
    let count = count.ok_or_else(|| data_err(path, format!("IDX sizes {sizes:?} overflow")))?;
    let body = &bytes[header..];
    if body.len() != count {
        return Err(data_err(
            path,
            format!("IDX sizes {sizes:?} need {count} data bytes, the file has {}", body.len()),
        ));
    }
    Ok((sizes, body))
}

/// An IDX image file and its label file, checked against each other.
pub fn idx_pair(image_path: &str, images_gz: &[u8], label_path: &str, labels_gz: &[u8]) -> Result<RawImages> {
    let images = gunzip(image_path, images_gz)?;
    let labels = gunzip(label_path, labels_gz)?;
    let (isize, pixels) = parse_idx(image_path, &images, 3)?;
    let (lsize, labels) = parse_idx(label_path, &labels, 1)?;
    if isize[0] != lsize[0] {
        return Err(data_err(label_path, format!("{} labels for {} images", lsize[0], isize[0])));
    }
    if isize[1] == 0 || isize[2] == 0 {
        return Err(data_err(image_path, format!("empty images of {}x{}", isize[1], isize[2])));
    }
    if isize[0] == 0 {
        return Err(data_err(image_path, "holds no images"));
    }
    Ok(RawImages { shape: [1, isize[1], isize[2]], pixels: pixels.to_vec(), labels: labels.to_vec() })
}

/// CIFAR-10 binary records (`<1 x label><3072 x pixel>`), 32x32x3.
pub fn cifar_records(path: &str, bytes: &[u8]) -> Result<RawImages> {
    const RECORD: usize = 1 + 3 * 32 * 32;
    if bytes.is_empty() || !bytes.len().is_multiple_of(RECORD) {
        return Err(data_err(
            path,
            format!("{} bytes is not a whole number of {RECORD}-byte CIFAR records", bytes.len()),
        ));
    }
    let n = bytes.len() / RECORD;
    let mut pixels = Vec::with_capacity(n * (RECORD - 1));
    let mut labels = Vec::with_capacity(n);
    for record in bytes.chunks_exact(RECORD) {
        labels.push(record[0]);
        pixels.extend_from_slice(&record[1..]);
    }
    Ok(RawImages { shape: [3, 32, 32], pixels, labels })
}
