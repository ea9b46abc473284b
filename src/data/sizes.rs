//! The size in bytes of every data file a dataset fetches, compiled in like the digests ([`super::SHA256SUMS`]), so
//! the page can say how much a dataset will download before it starts and show the download's progress in bytes.
//! `tests/native/data.rs` checks every entry against the file on disk and that every dataset file has one.

/// `(path under the data root, bytes)`.
pub const FILE_SIZES: &[(&str, u64)] = &[
    ("graphs/actor/actor.bin", 630112),
    ("graphs/actor/actor.json", 3416),
    ("graphs/amazon-photo/amazon-photo.bin", 5949290),
    ("graphs/amazon-photo/amazon-photo.json", 4067),
    ("graphs/citeseer-full/citeseer-full.bin", 170718),
    ("graphs/citeseer-full/citeseer-full.json", 3840),
    ("graphs/citeseer/citeseer.bin", 303135),
    ("graphs/citeseer/citeseer.json", 2604),
    ("graphs/cora-ml/cora-ml.bin", 465831),
    ("graphs/cora-ml/cora-ml.json", 4416),
    ("graphs/cora/cora.bin", 199140),
    ("graphs/cora/cora.json", 2623),
    ("graphs/cornell/cornell.bin", 37902),
    ("graphs/cornell/cornell.json", 3380),
    ("graphs/karate/karate.bin", 1738),
    ("graphs/karate/karate.json", 2441),
    ("graphs/pubmed-structure/pubmed-structure.bin", 827493),
    ("graphs/pubmed-structure/pubmed-structure.json", 2803),
    ("graphs/texas/texas.bin", 37934),
    ("graphs/texas/texas.json", 3351),
    ("graphs/wisconsin/wisconsin.bin", 59350),
    ("graphs/wisconsin/wisconsin.json", 3414),
    ("images/cifar10-subset/data_batch_1_first4000.bin", 12292000),
    ("images/cifar10-subset/test_batch_first1000.bin", 3073000),
    ("images/fashion-mnist/t10k-images-idx3-ubyte.gz", 4422102),
    ("images/fashion-mnist/t10k-labels-idx1-ubyte.gz", 5148),
    ("images/fashion-mnist/train-images-idx3-ubyte.gz", 26421880),
    ("images/fashion-mnist/train-labels-idx1-ubyte.gz", 29515),
    ("images/mnist/t10k-images-idx3-ubyte.gz", 1648877),
    ("images/mnist/t10k-labels-idx1-ubyte.gz", 4542),
    ("images/mnist/train-images-idx3-ubyte.gz", 9912422),
    ("images/mnist/train-labels-idx1-ubyte.gz", 28881),
];

/// The size of the shipped file `path`, if it is one.
pub fn file_size(path: &str) -> Option<u64> {
    FILE_SIZES.iter().find(|(p, _)| *p == path).map(|&(_, n)| n)
}
