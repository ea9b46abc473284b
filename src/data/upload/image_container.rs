//! An [`ImageUpload`] as one file (so that it can sit in [`crate::data::DataFiles`] like a shipped dataset), and
//! the [`Dataset`] cut from it. The container: the magic `BPFIMG1\n`, little-endian `u32` channels, height,
//! width, images and classes, each class name as a `u16` length and UTF-8, then the pixels (C, H, W, image
//! after image) and one label byte per image. Reading it checks every field against the upload limits.

use super::{check_classes, err, ImageUpload, MAX_CLASSES, MAX_IMAGES, MAX_IMAGE_SIDE, MAX_PIXEL_BYTES, MIN_IMAGES};
use crate::data::Dataset;
use crate::error::Result;
use crate::rng::Rng;
use ndarray::Array2;

const MAGIC: &[u8; 8] = b"BPFIMG1\n";

/// Reads the container field by field.
struct Cursor<'a> {
    path: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&end| end <= self.bytes.len());
        let Some(end) = end else {
            let what = format!("truncated at byte {} of {}: {what} ({n} bytes) is missing", self.pos, self.bytes.len());
            return Err(err(self.path, what));
        };
        let out = self.bytes.get(self.pos..end).unwrap_or_default();
        self.pos = end;
        Ok(out)
    }

    fn u32(&mut self, what: &str) -> Result<usize> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }
}

impl ImageUpload {
    /// The upload as one container file (module documentation).
    pub fn encode(&self) -> Vec<u8> {
        let [c, h, w] = self.shape;
        let mut out = MAGIC.to_vec();
        for v in [c, h, w, self.labels.len(), self.class_names.len()] {
            out.extend_from_slice(&(v as u32).to_le_bytes());
        }
        for name in &self.class_names {
            let name = &name.as_bytes()[..name.len().min(u16::MAX as usize)];
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(name);
        }
        out.extend_from_slice(&self.pixels);
        out.extend_from_slice(&self.labels);
        out
    }

    /// Reads a container written by [`ImageUpload::encode`]; `path` names it in errors.
    pub fn decode(path: &str, bytes: &[u8]) -> Result<ImageUpload> {
        let mut r = Cursor { path, bytes, pos: 0 };
        if r.take(MAGIC.len(), "the magic")? != MAGIC {
            return Err(err(path, "not an image upload (the magic `BPFIMG1` is missing)"));
        }
        let [c, h, w, n, classes] = [
            r.u32("channels")?,
            r.u32("height")?,
            r.u32("width")?,
            r.u32("the image count")?,
            r.u32("the class count")?,
        ];
        if !(c == 1 || c == 3) || !(1..=MAX_IMAGE_SIDE).contains(&h) || !(1..=MAX_IMAGE_SIDE).contains(&w) {
            return Err(err(path, format!("images of {c}x{h}x{w}: 1 or 3 channels, sides 1 to {MAX_IMAGE_SIDE}")));
        }
        if !(MIN_IMAGES..=MAX_IMAGES).contains(&n) {
            return Err(err(path, format!("{n} images: {MIN_IMAGES} to {MAX_IMAGES} are supported")));
        }
        check_classes(path, classes)?;
        let size = c * h * w;
        // (u64: on wasm32 the product of the limits overflows usize)
        let total = n as u64 * size as u64;
        if total > MAX_PIXEL_BYTES as u64 {
            return Err(err(path, format!("{total} pixel bytes; the limit is {} MiB", MAX_PIXEL_BYTES >> 20)));
        }
        let mut class_names = Vec::with_capacity(classes.min(MAX_CLASSES));
        for i in 0..classes {
            let len = r.take(2, "a class name's length")?;
            let len = u16::from_le_bytes([len[0], len[1]]) as usize;
            let name = std::str::from_utf8(r.take(len, "a class name")?)
                .map_err(|_| err(path, format!("class name {i} is not UTF-8")))?;
            class_names.push(name.to_string());
        }
        let pixels = r.take(n * size, "the pixels")?.to_vec();
        let labels = r.take(n, "the labels")?.to_vec();
        if r.pos != bytes.len() {
            return Err(err(path, format!("{} bytes after the labels", bytes.len() - r.pos)));
        }
        if let Some((i, &l)) = labels.iter().enumerate().find(|&(_, &l)| l as usize >= classes) {
            return Err(err(path, format!("image {i} has label {l}, outside 0..{classes}")));
        }
        Ok(ImageUpload { shape: [c, h, w], pixels, labels, class_names })
    }

    /// The dataset `name` of these images: pixels scaled to `[0, 1]` and standardised per channel with the
    /// upload's own mean and standard deviation (floored at 1e-3), flattened C, H, W (as the shipped image sets).
    /// The split comes from `rng`: of a permutation of the images, the first 20 % (at least one) are the test
    /// set, of the rest the first `validation` fraction are validation and the others train.
    pub fn to_dataset(&self, name: &str, validation: f32, rng: &mut Rng) -> Result<Dataset> {
        let [c, h, w] = self.shape;
        let plane = h.checked_mul(w).unwrap_or(0);
        let (size, n) = (plane.checked_mul(c).unwrap_or(0), self.len());
        if size == 0 || Some(self.pixels.len()) != n.checked_mul(size) || self.class_names.is_empty() {
            return Err(err(name, format!("{} pixel bytes do not hold {n} images of {c}x{h}x{w}", self.pixels.len())));
        }
        // per-channel mean and standard deviation in [0, 1]
        let (mut sum, mut sq) = (vec![0f64; c], vec![0f64; c]);
        for image in self.pixels.chunks_exact(size) {
            for (ch, values) in image.chunks_exact(plane).enumerate() {
                for &p in values {
                    let x = f64::from(p) / 255.0;
                    sum[ch] += x;
                    sq[ch] += x * x;
                }
            }
        }
        let count = (n * plane) as f64;
        let mean: Vec<f32> = sum.iter().map(|s| (s / count) as f32).collect();
        let std: Vec<f32> = sq
            .iter()
            .zip(&sum)
            .map(|(q, s)| ((q / count - (s / count).powi(2)).max(0.0).sqrt() as f32).max(1e-3))
            .collect();
        // the split
        let order = rng.permutation(n);
        let n_test = ((n as f32 * 0.2).round() as usize).max(1).min(n);
        let rest = n - n_test;
        let n_val = ((rest as f32 * validation).round() as usize).min(rest);
        if rest - n_val == 0 {
            return Err(err(name, format!("{n} images leave none to train on after the test and validation sets")));
        }
        let (test, rest) = order.split_at(n_test);
        let (val, train) = rest.split_at(n_val);
        // as ImageSource::normalise: x * 1 / (255 std) - mean / std
        let scale: Vec<f32> = std.iter().map(|s| 1.0 / (255.0 * s)).collect();
        let shift: Vec<f32> = mean.iter().zip(&std).map(|(m, s)| m / s).collect();
        let rows = |idx: &[usize]| {
            let mut x = Array2::<f32>::zeros((idx.len(), size));
            for (mut out, &r) in x.rows_mut().into_iter().zip(idx) {
                let src = self.pixels.get(r * size..(r + 1) * size).unwrap_or_default();
                for (i, (o, &p)) in out.iter_mut().zip(src).enumerate() {
                    let ch = i / plane;
                    *o = f32::from(p) * scale[ch] - shift[ch];
                }
            }
            (x, idx.iter().map(|&r| u32::from(self.labels.get(r).copied().unwrap_or(0))).collect::<Vec<u32>>())
        };
        let (x_train, y_train) = rows(train);
        let (x_val, y_val) = rows(val);
        let (x_test, y_test) = rows(test);
        Ok(Dataset {
            name: name.to_string(),
            x_train,
            y_train,
            x_val,
            y_val,
            x_test,
            y_test,
            classes: self.class_names.len(),
            plane: None,
            image: Some(self.shape),
            class_names: self.class_names.clone(),
            normalization: Some((mean, std)),
        })
    }
}
