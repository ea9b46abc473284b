//! Uploaded images: a CSV of pixel rows (Kaggle's MNIST `train.csv`: `label,pixel0,…,pixel783`) or images the
//! page decoded (PNGs from a folder or a ZIP archive, classes named by their folder or file-name prefix), both
//! into an [`ImageUpload`] of byte images in C, H, W order like [`crate::data::RawImages`].

use super::csv::{CsvReader, Record};
use super::{at, at_line, check_classes, err, thousands, Labels, Named};
use super::{MAX_CLASSES, MAX_IMAGES, MAX_IMAGE_SIDE, MAX_PIXEL_BYTES, MAX_UPLOAD_BYTES, MIN_IMAGES};
use crate::error::Result;

/// Images of one size with their classes, before normalisation.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageUpload {
    /// `[channels, height, width]`; 1 channel (gray) or 3 (RGB).
    pub shape: [usize; 3],
    /// `n * C * H * W` bytes, image after image, C-major planes (R, then G, then B).
    pub pixels: Vec<u8>,
    /// The class of each image, in `0..class_names.len()`.
    pub labels: Vec<u8>,
    /// Class names in class order.
    pub class_names: Vec<String>,
}

/// An image the page decoded: its path in the upload (`cats/001.png`) and its RGBA pixels, row after row.
#[derive(Clone, Debug)]
pub struct DecodedImage {
    /// Path of the file in the folder or archive; names its class.
    pub path: String,
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// `width * height * 4` bytes: R, G, B, A of each pixel, row after row.
    pub rgba: Vec<u8>,
}

/// Where errors about the upload as a whole point.
const UPLOAD: &str = "the uploaded images";

/// Image shape of `p` pixel columns: a square gray image, else three square planes.
fn shape_of(path: &str, line: usize, p: usize) -> Result<[usize; 3]> {
    let side = |q: usize| (1..=MAX_IMAGE_SIDE).find(|s| s * s >= q).filter(|s| s * s == q);
    if let Some(s) = side(p) {
        return Ok([1, s, s]);
    }
    if let Some(s) = side(p / 3).filter(|_| p.is_multiple_of(3)) {
        return Ok([3, s, s]);
    }
    let what = format!(
        "{} pixel columns are neither a square gray image (784 = 28x28) nor a square RGB one (3,072 = 3x32x32), \
         with sides up to {MAX_IMAGE_SIDE}",
        thousands(p)
    );
    Err(at_line(path, line, what))
}

/// A pixel value of a CSV (`None`: not a non-negative number).
fn pixel(v: &str) -> Option<f64> {
    if let Ok(b) = v.parse::<u8>() {
        return Some(f64::from(b));
    }
    v.parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0)
}

/// Checks the image and pixel counts of an upload of `n` images of `shape`.
fn check_count(path: &str, n: usize, shape: [usize; 3]) -> Result<()> {
    if n < MIN_IMAGES {
        return Err(err(path, format!("{n} images: at least {MIN_IMAGES} are needed")));
    }
    if n > MAX_IMAGES {
        return Err(err(path, format!("{} images; the limit is {}", thousands(n), thousands(MAX_IMAGES))));
    }
    let bytes = shape.iter().try_fold(n, |acc, &d| acc.checked_mul(d)).unwrap_or(usize::MAX);
    if bytes > MAX_PIXEL_BYTES {
        let what = format!("{} pixel values; the limit is {} MiB of pixels", thousands(bytes), MAX_PIXEL_BYTES >> 20);
        return Err(err(path, what));
    }
    Ok(())
}

/// Reads images from a CSV of one image per row: a label column and the pixels (gray, or the R, G and B planes
/// one after the other). A header row is needed when the label is not the first column: the column named
/// `label` (any case) is then the label. Pixels are whole numbers 0..=255, or numbers in `[0, 1]` (scaled by
/// 255) when no value of the file is above 1.
pub fn images_from_csv(file: Named) -> Result<ImageUpload> {
    let path = file.name;
    super::check_size(path, file.bytes.len() as u64, MAX_UPLOAD_BYTES)?;
    let mut csv = CsvReader::new(path, file.bytes);
    let (header, label_col, columns, shape) = {
        let Some(first) = csv.next_record()? else { return Err(err(path, "holds no rows")) };
        // without a header the label is the first column and every other field a number
        let header =
            first.fields().enumerate().any(|(i, f)| f.eq_ignore_ascii_case("label") || (i > 0 && pixel(f).is_none()));
        let label_col =
            if header { first.fields().position(|f| f.eq_ignore_ascii_case("label")).unwrap_or(0) } else { 0 };
        if first.len() < 2 {
            return Err(at_line(path, first.line, "needs a label column and pixel columns"));
        }
        (header, label_col, first.len(), shape_of(path, first.line, first.len() - 1)?)
    };
    // First pass: check every row, collect the labels, find the pixel scale.
    let mut labels = Labels::default();
    let mut label_of = Vec::new();
    let (mut max, mut fraction) = (0.0f64, None);
    let mut csv = CsvReader::new(path, file.bytes);
    let mut rows = 0usize;
    while let Some(rec) = csv.next_record()? {
        rows += 1;
        if rows == 1 && header {
            continue;
        }
        if rec.len() != columns {
            return Err(at_line(path, rec.line, format!("{} columns, but the first row has {columns}", rec.len())));
        }
        if label_of.len() >= MAX_IMAGES {
            return Err(at_line(path, rec.line, format!("more than {} images (the limit)", thousands(MAX_IMAGES))));
        }
        let label = rec.get(label_col);
        if label.is_empty() {
            return Err(at(path, rec.line, label_col + 1, "empty label"));
        }
        label_of.push(labels.intern(label, path, rec.line, label_col + 1)?);
        for (c, v) in rec.fields().enumerate().filter(|&(c, _)| c != label_col) {
            let Some(x) = pixel(v).filter(|&x| x <= 255.0) else {
                return Err(at(
                    path,
                    rec.line,
                    c + 1,
                    format!("`{v}` is not a pixel value (0 to 255, or all in [0, 1])"),
                ));
            };
            max = f64::max(max, x);
            if fraction.is_none() && x.fract() != 0.0 {
                fraction = Some((rec.line, c + 1, v.to_string()));
            }
        }
    }
    let scaled = max <= 1.0;
    if let (false, Some((line, column, v))) = (scaled, fraction) {
        let what = format!("`{v}` is not a whole number: pixels are whole numbers 0 to 255, or all in [0, 1]");
        return Err(at(path, line, column, what));
    }
    check_count(path, label_of.len(), shape)?;
    let (class_names, class_of) = labels.classes();
    check_classes(path, class_names.len())?;
    // Second pass: the bytes.
    let mut pixels = Vec::with_capacity(label_of.len() * (columns - 1));
    let mut csv = CsvReader::new(path, file.bytes);
    let mut first = true;
    while let Some(rec) = csv.next_record()? {
        if std::mem::take(&mut first) && header {
            continue;
        }
        push_row(&mut pixels, &rec, label_col, scaled);
    }
    let labels = label_of.iter().map(|&l| class_of.get(l as usize).copied().unwrap_or(0) as u8).collect();
    Ok(ImageUpload { shape, pixels, labels, class_names })
}

/// The pixels of a checked CSV row as bytes.
fn push_row(pixels: &mut Vec<u8>, rec: &Record, label_col: usize, scaled: bool) {
    for v in rec.fields().enumerate().filter(|&(c, _)| c != label_col).map(|(_, v)| v) {
        let x = pixel(v).unwrap_or(0.0);
        pixels.push(if scaled { (x * 255.0).round() } else { x }.clamp(0.0, 255.0) as u8);
    }
}

/// The class an image's path names: its folder (`set/cats/1.png` -> `cats`) when `use_folder`, else its
/// file-name prefix before the first `_` or `-` (`cat_001.png` -> `cat`), else its folder.
fn class_from_path(path: &str, use_folder: bool) -> Result<&str> {
    let parts: Vec<&str> = path.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
    let folder = match parts.as_slice() {
        [.., folder, _] => Some(*folder),
        _ => None,
    };
    if let (true, Some(folder)) = (use_folder, folder) {
        return Ok(folder);
    }
    let file = parts.last().copied().unwrap_or("");
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    match (stem.split_once(['_', '-']), folder) {
        (Some((prefix, _)), _) if !prefix.is_empty() => Ok(prefix),
        (_, Some(folder)) => Ok(folder),
        _ => Err(err(
            path,
            "cannot tell its class: put it in a folder named after its class, or name it <class>_<n>.png",
        )),
    }
}

/// White behind a pixel of alpha `a`.
fn over_white(c: u8, a: u8) -> u8 {
    ((u32::from(c) * u32::from(a) + 255 * (255 - u32::from(a)) + 127) / 255) as u8
}

/// Images from decoded files (the page decodes PNGs with the browser). Classes are named by each file's folder
/// (`cats/001.png`), or — when all files share one folder or have none — by the file-name prefix
/// (`cat_001.png`); classes are sorted by name (whole-number names in numeric order). Transparent pixels are
/// composited over white. The images are gray when every pixel has R = G = B, else RGB; all must have one size.
pub fn images_from_decoded(files: Vec<DecodedImage>) -> Result<ImageUpload> {
    let (w, h) = match files.first() {
        Some(f) => (f.width, f.height),
        None => return Err(err(UPLOAD, "no images")),
    };
    check_count(UPLOAD, files.len(), [1, 1, 1])?;
    let mut gray = true;
    for f in &files {
        if f.width == 0 || f.height == 0 || f.width > MAX_IMAGE_SIDE || f.height > MAX_IMAGE_SIDE {
            let what = format!("is {}x{}; sides of 1 to {MAX_IMAGE_SIDE} pixels are supported", f.width, f.height);
            return Err(err(&f.path, what));
        }
        if (f.width, f.height) != (w, h) {
            let first = files.first().map_or("", |f| f.path.as_str());
            let what = format!("is {}x{} but {first} is {w}x{h}: all images must have one size", f.width, f.height);
            return Err(err(&f.path, what));
        }
        if f.rgba.len() != w * h * 4 {
            return Err(err(&f.path, format!("{} RGBA bytes for a {w}x{h} image", f.rgba.len())));
        }
        gray = gray
            && f.rgba.chunks_exact(4).all(|p| {
                let [r, g, b] = [0, 1, 2].map(|i| over_white(p[i], p[3]));
                r == g && g == b
            });
    }
    let folders: std::collections::BTreeSet<Option<&str>> =
        files.iter().map(|f| f.path.rsplit_once(['/', '\\']).map(|(dir, _)| dir)).collect();
    let use_folder = folders.len() > 1;
    let mut labels = Labels::default();
    let mut label_of = Vec::with_capacity(files.len());
    for f in &files {
        let class = class_from_path(&f.path, use_folder)?;
        let too_many = |_| err(&f.path, format!("its class is one too many: at most {MAX_CLASSES} are supported"));
        label_of.push(labels.intern(class, &f.path, 0, 0).map_err(too_many)?);
    }
    let (class_names, class_of) = labels.classes();
    check_classes(UPLOAD, class_names.len())?;
    let c = if gray { 1 } else { 3 };
    check_count(UPLOAD, files.len(), [c, h, w])?;
    let mut pixels = Vec::with_capacity(files.len() * c * h * w);
    for f in &files {
        for ch in 0..c {
            pixels.extend(f.rgba.chunks_exact(4).map(|p| over_white(p[ch], p[3])));
        }
    }
    let labels = label_of.iter().map(|&l| class_of.get(l as usize).copied().unwrap_or(0) as u8).collect();
    Ok(ImageUpload { shape: [c, h, w], pixels, labels, class_names })
}

impl ImageUpload {
    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// One line about the upload: "1,000 images of 28x28 gray in 10 classes: cat 120, dog 130, …".
    pub fn describe(&self) -> String {
        let [c, h, w] = self.shape;
        let mut counts = vec![0usize; self.class_names.len()];
        for &l in &self.labels {
            if let Some(n) = counts.get_mut(l as usize) {
                *n += 1;
            }
        }
        let per_class: Vec<String> =
            self.class_names.iter().zip(&counts).map(|(name, &n)| format!("{name} {}", thousands(n))).collect();
        format!(
            "{} images of {h}x{w} {} in {} classes: {}",
            thousands(self.len()),
            if c == 1 { "gray" } else { "RGB" },
            self.class_names.len(),
            per_class.join(", ")
        )
    }
}
