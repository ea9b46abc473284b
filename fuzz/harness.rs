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
