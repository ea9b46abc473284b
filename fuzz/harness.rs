#![allow(dead_code)] // each fuzz target uses one of these
//! What each fuzz target feeds to bpfree: shared by the targets (`fuzz_targets/*.rs`) and by the native test that
//! replays the saved inputs (`tests/native/fuzz_regressions.rs`), so a crash found here is replayed by the same
//! code. Every reader must answer `Ok` or `Err` — never panic, hang or allocate without bound.

/// The share-link reader and the strict decoder, on any string.
pub fn link(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(read) = bpfree::share::read(&text) {
        // what loads is valid, and its link reads back
        let _ = read.config.validate();
        let _ = bpfree::share::decode(&bpfree::share::encode(&read.config));
    }
    let _ = bpfree::share::decode(&text);
}

/// gunzip (capped) and the IDX parser, on the bytes as they come and on what they unpack to.
pub fn idx(data: &[u8]) {
    for dims in [1, 3] {
        let _ = bpfree::data::parse_idx("fuzz.idx", data, dims);
    }
    if let Ok(raw) = bpfree::data::gunzip("fuzz.gz", data) {
        let _ = bpfree::data::parse_idx("fuzz.idx", &raw, 3);
    }
    // an image/label pair: the first byte says where the label file starts
    let split = data.first().map_or(0, |&b| (b as usize).min(data.len()));
    let (images, labels) = data.split_at(split);
    let _ = bpfree::data::idx_pair("images.gz", images, "labels.gz", labels);
}

/// The CIFAR-10 binary reader.
pub fn cifar(data: &[u8]) {
    let _ = bpfree::data::cifar_records("fuzz.bin", data);
}

/// The graph reader: a JSON header and a binary blob, split where the first two bytes (little-endian) say.
pub fn graph(data: &[u8]) {
    if data.len() < 2 {
        return;
    }
    let n = (u16::from_le_bytes([data[0], data[1]]) as usize).min(data.len() - 2);
    let (json, bin) = data[2..].split_at(n);
    if let Ok(graph) = bpfree::data::parse_graph("fuzz.json", json, bin) {
        for fold in 0..2 {
            let _ = bpfree::data::NodeTask::new(&graph, fold);
            let _ = bpfree::data::LinkTask::new(&graph, fold);
        }
    }
}

/// The results-file reader (the page's "Import results").
pub fn results(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = bpfree::share::results::read_results(text);
    }
}

/// The graph CSV reader (uploads): an edge list, a labels file and a features file, cut where the first two
/// bytes say (the edges' length, then the labels'; the rest is the features, none when empty). What it builds
/// must be a graph the shipped-graph reader accepts once written in that format.
pub fn graph_csv(data: &[u8]) {
    use bpfree::data::upload::{describe_graph, graph_from_csv, write_graph, Named};
    let [a, b, rest @ ..] = data else { return };
    let (edges, rest) = rest.split_at((*a as usize).min(rest.len()));
    let (labels, features) = rest.split_at((*b as usize).min(rest.len()));
    let features = (!features.is_empty()).then_some(Named { name: "features.csv", bytes: features });
    let edges = Named { name: "edges.csv", bytes: edges };
    let labels = Named { name: "labels.csv", bytes: labels };
    if let Ok(graph) = graph_from_csv("fuzz", edges, labels, features) {
        let _ = describe_graph(&graph);
        let (json, bin) = write_graph(&graph);
        let back = bpfree::data::parse_graph("fuzz.json", &json, &bin);
        assert!(back.is_ok_and(|g| g == graph), "a graph read from CSV does not survive write_graph");
    }
}

/// The image CSV reader (uploads); what it reads must survive the container.
pub fn image_csv(data: &[u8]) {
    use bpfree::data::upload::{images_from_csv, ImageUpload, Named};
    if let Ok(images) = images_from_csv(Named { name: "images.csv", bytes: data }) {
        let _ = images.describe();
        let back = ImageUpload::decode("images.bin", &images.encode());
        assert!(back.is_ok_and(|b| b == images), "an image CSV does not survive the container");
    }
}

/// The ZIP reader (uploads).
pub fn zip(data: &[u8]) {
    let _ = bpfree::data::upload::read_zip(bpfree::data::upload::Named { name: "fuzz.zip", bytes: data });
}

/// The image-upload container, and the dataset cut from what it reads.
pub fn image_container(data: &[u8]) {
    if let Ok(images) = bpfree::data::upload::ImageUpload::decode("fuzz.bin", data) {
        let _ = images.describe();
        let _ = images.to_dataset("fuzz", 0.1, &mut bpfree::rng::Rng::new(0));
    }
}
