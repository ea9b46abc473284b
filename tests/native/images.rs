//! Image datasets: the shipped MNIST, Fashion-MNIST and CIFAR-10 subset parse to the published counts and
//! statistics, the validation split is seeded, and every kind of broken file is a clear error naming the file.

#![cfg(not(target_arch = "wasm32"))]

use bpfree::data::{self, cifar_records, gunzip, idx_pair, read_files, DataFiles};
use bpfree::error::Error;
use bpfree::rng::Rng;
use std::path::Path;

fn load(id: &str, seed: u64) -> data::Dataset {
    let files = read_files(id, Path::new("www/data")).unwrap();
    data::load(id, &Default::default(), &mut Rng::new(seed), &files).unwrap()
}

fn counts(labels: &[u32], classes: usize) -> Vec<usize> {
    let mut c = vec![0; classes];
    for &l in labels {
        c[l as usize] += 1;
    }
    c
}

#[test]
fn mnist_has_the_published_counts_and_statistics() {
    let d = load("mnist", 1);
    assert_eq!((d.y_train.len(), d.y_val.len(), d.y_test.len()), (54_000, 6_000, 10_000));
    assert_eq!(d.image, Some([1, 28, 28]));
    assert_eq!(d.features(), 784);
    let mut all = d.y_train.clone();
    all.extend(&d.y_val);
    // DATA.md: train class counts.
    assert_eq!(counts(&all, 10), vec![5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    // Normalised with the training mean/std 0.1307/0.3081: about zero mean, unit variance.
    let n = d.x_train.len() as f64;
    let mean = d.x_train.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let var = d.x_train.iter().map(|&v| (f64::from(v) - mean).powi(2)).sum::<f64>() / n;
    assert!(mean.abs() < 0.01 && (var.sqrt() - 1.0).abs() < 0.01, "mean {mean}, std {}", var.sqrt());
}

#[test]
fn fashion_mnist_and_the_cifar_subset_load() {
    let f = load("fashion-mnist", 1);
    let mut all = f.y_train.clone();
    all.extend(&f.y_val);
    assert_eq!(counts(&all, 10), vec![6000; 10]);
    assert_eq!(counts(&f.y_test, 10), vec![1000; 10]);
    assert_eq!(f.class_names[9], "Ankle boot");
    let c = load("cifar10-subset", 1);
    assert_eq!((c.y_train.len(), c.y_val.len(), c.y_test.len()), (3_600, 400, 1_000));
    assert_eq!(c.image, Some([3, 32, 32]));
    assert_eq!(c.class_names[0], "airplane");
}

#[test]
fn the_validation_split_is_seeded() {
    let (a, b, c) = (load("cifar10-subset", 3), load("cifar10-subset", 3), load("cifar10-subset", 4));
    assert_eq!(a.y_val, b.y_val);
    assert_eq!(a.x_val, b.x_val);
    assert_ne!(a.y_val, c.y_val);
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn idx(magic: u32, sizes: &[u32], body: &[u8]) -> Vec<u8> {
    let mut out = magic.to_be_bytes().to_vec();
    for s in sizes {
        out.extend(s.to_be_bytes());
    }
    out.extend_from_slice(body);
    out
}

fn message(e: Error) -> String {
    assert!(matches!(e, Error::Data { .. }), "expected a data error, got {e:?}");
    e.to_string()
}

#[test]
fn broken_files_are_clear_errors() {
    let images = gzip(&idx(0x803, &[2, 2, 2], &[0; 8]));
    let labels = gzip(&idx(0x801, &[2], &[0, 1]));
    assert!(idx_pair("img", &images, "lab", &labels).is_ok());

    // Not gzip at all, and a truncated gzip stream.
    let m = message(idx_pair("img.gz", b"plain text, not gzip at all", "lab", &labels).unwrap_err());
    assert!(m.contains("img.gz") && m.contains("not a gzip"), "{m}");
    let m = message(idx_pair("img.gz", &images[..images.len() / 2], "lab", &labels).unwrap_err());
    assert!(m.contains("corrupted or truncated"), "{m}");
    // Wrong magic number (labels where images belong).
    let m = message(idx_pair("img", &labels, "lab", &labels).unwrap_err());
    assert!(m.contains("magic"), "{m}");
    // Sizes that do not match the data.
    let short = gzip(&idx(0x803, &[2, 2, 2], &[0; 7]));
    let m = message(idx_pair("img", &short, "lab", &labels).unwrap_err());
    assert!(m.contains("need 8 data bytes") && m.contains("has 7"), "{m}");
    // Label count differs from the image count.
    let three = gzip(&idx(0x801, &[3], &[0, 1, 2]));
    let m = message(idx_pair("img", &images, "lab", &three).unwrap_err());
    assert!(m.contains("3 labels for 2 images"), "{m}");
    // CIFAR: a partial record.
    let m = message(cifar_records("batch.bin", &[0u8; 3074]).unwrap_err());
    assert!(m.contains("batch.bin") && m.contains("3073-byte"), "{m}");
    assert_eq!(gunzip("x", &gzip(b"abc")).unwrap(), b"abc");
    // An IDX pair with no images at all.
    let none = gzip(&idx(0x803, &[0, 28, 28], &[]));
    let m = message(idx_pair("img", &none, "lab", &gzip(&idx(0x801, &[0], &[]))).unwrap_err());
    assert!(m.contains("holds no images"), "{m}");
}

/// A "gzip bomb": a small file that would unpack to more than the cap stops there with an error.
#[test]
fn gzip_output_is_capped() {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..(data::MAX_GUNZIPPED_BYTES >> 20) + 1 {
        e.write_all(&zeros).unwrap();
    }
    let bomb = e.finish().unwrap();
    assert!(bomb.len() < 2 << 20, "{} bytes", bomb.len());
    let m = message(gunzip("bomb.gz", &bomb).unwrap_err());
    assert!(m.contains("bomb.gz") && m.contains("more than 256 MiB"), "{m}");
}

#[test]
fn a_missing_file_or_a_bad_label_names_the_file() {
    let m = message(data::load("mnist", &Default::default(), &mut Rng::new(1), &DataFiles::new()).unwrap_err());
    assert!(m.contains("images/mnist/train-images-idx3-ubyte.gz"), "{m}");
    // A CIFAR record with label 12 (only 10 classes).
    let mut files = DataFiles::new();
    let mut record = vec![0u8; 3073];
    record[0] = 12;
    files.insert("images/cifar10-subset/data_batch_1_first4000.bin".into(), record.clone());
    record[0] = 1;
    files.insert("images/cifar10-subset/test_batch_first1000.bin".into(), record);
    let m = message(data::load("cifar10-subset", &Default::default(), &mut Rng::new(1), &files).unwrap_err());
    assert!(m.contains("label 12 outside 0..10"), "{m}");
}
