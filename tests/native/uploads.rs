//! Users' own data (`bpfree::data::upload`): good and broken files for every reader — graph CSV, image CSV,
//! decoded images, the image container, ZIP — and every error names the file (and, for CSV, the line and column).

use bpfree::data::upload::*;
use bpfree::data::{parse_graph, Graph, LABEL_UNKNOWN};
use bpfree::rng::Rng;
use flate2::{write::DeflateEncoder, Compression, Crc};
use std::io::Write;

fn named<'a>(name: &'a str, text: &'a str) -> Named<'a> {
    Named { name, bytes: text.as_bytes() }
}

/// The message of an error, checked to contain every one of `parts`.
fn fails<T: std::fmt::Debug>(r: bpfree::Result<T>, parts: &[&str]) -> String {
    let e = r.expect_err("should fail").to_string();
    for p in parts {
        assert!(e.contains(p), "`{e}` does not contain `{p}`");
    }
    e
}

fn graph(edges: &str, labels: &str, features: Option<&str>) -> bpfree::Result<Graph> {
    graph_from_csv(
        "mine",
        named("edges.csv", edges),
        named("labels.csv", labels),
        features.map(|f| named("feat.csv", f)),
    )
}

#[test]
fn graph_csv_with_whole_number_ids_and_headers() {
    let g = graph(
        "source,target\n0,1\n1,2\n2,1\n3,3\n4,0\n",
        "node,label\n0,10\n1,2\n4,10\n",
        Some("node,f0,f1,f2\n4,1,0,1\n0,0,1,0\n"),
    )
    .unwrap();
    assert_eq!((g.name.as_str(), g.num_nodes, g.num_classes, g.num_features), ("mine", 5, 2, 3));
    assert_eq!(g.edges, vec![[0, 1], [0, 4], [1, 0], [1, 2], [2, 1], [4, 0]]);
    assert_eq!(g.class_names, vec!["2", "10"]); // numeric order
    assert_eq!(g.labels, vec![1, 0, LABEL_UNKNOWN, LABEL_UNKNOWN, 1]);
    assert_eq!((g.feat_indptr.clone(), g.feat_indices.clone()), (vec![0, 1, 1, 1, 1, 3], vec![1, 0, 2]));
    assert_eq!(g.split, vec![0; 5]);
    assert!(g.splits_forwardgnn.is_empty() && g.splits_geomgcn.is_empty());
    assert_eq!(describe_graph(&g), "5 nodes, 3 edges, 2 classes (3 labelled), 3 features");
    // without headers: the same graph
    let h = graph("0,1\n1,2\n2,1\n3,3\n4,0\n", "0,10\n1,2\n4,10\n", Some("4,1,0,1\n0,0,1,0\n")).unwrap();
    assert_eq!(g, h);
}

#[test]
fn graph_csv_with_named_nodes() {
    // labels first, then edges: carol 0, alice 1, bob 2, dave 3; tabs, quotes, CRLF and a BOM
    let g = graph(
        "alice,bob\r\n\"bob\",\"dave, jr\"\r\n\r\nbob,alice\r\n",
        "\u{feff}node\tclass\ncarol\tdog\nalice\tcat\nbob\tcat\n",
        None,
    )
    .unwrap();
    assert_eq!((g.num_nodes, g.num_features, g.class_names.clone()), (4, 0, vec!["cat".into(), "dog".into()]));
    assert_eq!(g.labels, vec![1, 0, 0, LABEL_UNKNOWN]);
    assert_eq!(g.edges, vec![[1, 2], [2, 1], [2, 3], [3, 2]]);
    assert_eq!(describe_graph(&g), "4 nodes, 2 edges, 2 classes (3 labelled), no features");
    // one name among whole numbers: all ids are names, in order of first appearance
    let g = graph("5,x\n", "5,a\nx,b\n7,a\n", None).unwrap();
    assert_eq!((g.num_nodes, g.edges.clone()), (3, vec![[0, 1], [1, 0]]));
}

#[test]
fn broken_graph_csv_names_file_line_and_column() {
    let labels = "0,a\n1,b\n";
    fails(graph("0,1\n1,2,3\n", labels, None), &["edges.csv", "line 2", "3 columns, expected 2"]);
    fails(graph("0,1\n", "0,a\n1,b\n0,b\n", None), &["labels.csv", "line 3, column 2", "`b`", "`a` on line 1"]);
    fails(graph("0,1\n", "0,a\n1,a\n", None), &["labels.csv", "only one class"]);
    fails(graph("0,1\n", labels, Some("0,1,0\n1,2,0\n")), &["feat.csv", "line 2, column 2", "`2`", "0 or 1"]);
    fails(graph("0,1\n", labels, Some("0,1,0\n1,0\n")), &["feat.csv", "line 2", "2 columns, but line 1 has 3"]);
    fails(graph("0,1\n", labels, Some("0,1\n0,0\n")), &["feat.csv", "line 2", "second feature row"]);
    fails(graph("0,1\n1,1000000\n", labels, None), &["edges.csv", "line 2, column 2", "1000000 is too large"]);
    fails(graph("0,1\n1,\"2\n", labels, None), &["edges.csv", "line 2, column 2", "never closed"]);
    let bad_utf8 = Named { name: "edges.csv", bytes: b"0,1\n1,\xff\n" };
    fails(graph_from_csv("g", bad_utf8, named("labels.csv", labels), None), &["edges.csv", "line 2", "UTF-8"]);
    fails(graph("0,0\n", labels, None), &["edges.csv", "no edge"]);
    let many: String = (0..102).map(|i| format!("{i},c{i}\n")).collect();
    fails(graph("0,1\n", &many, None), &["labels.csv", "line 102, column 2", "more than 100"]);
}

#[test]
fn graphs_survive_the_shipped_format() {
    let g = graph("a,b\nb,c\n", "a,x\nc,y\n", Some("a,1,1\nc,0,1\n")).unwrap();
    let (json, bin) = write_graph(&g);
    assert_eq!(parse_graph("mine.json", &json, &bin).unwrap(), g);
    let dir = std::path::Path::new("www/data/graphs/karate");
    let karate = parse_graph(
        "karate.json",
        &std::fs::read(dir.join("karate.json")).unwrap(),
        &std::fs::read(dir.join("karate.bin")).unwrap(),
    )
    .unwrap();
    let (json, bin) = write_graph(&karate);
    assert_eq!(parse_graph("karate.json", &json, &bin).unwrap(), karate);
}

/// `n` rows of `label,p…` with labels `i % classes`.
fn image_rows(n: usize, classes: usize, pixels: usize) -> String {
    (0..n)
        .map(|i| {
            format!("{}{}\n", i % classes, (0..pixels).map(|j| format!(",{}", (i * 7 + j) % 256)).collect::<String>())
        })
        .collect()
}

#[test]
fn image_csv_in_kaggle_and_other_layouts() {
    let up = images_from_csv(named("train.csv", &image_rows(12, 3, 4))).unwrap();
    assert_eq!((up.shape, up.len(), up.class_names.clone()), ([1, 2, 2], 12, vec!["0".into(), "1".into(), "2".into()]));
    assert_eq!(&up.pixels[4..8], &[7, 8, 9, 10]);
    assert_eq!(up.describe(), "12 images of 2x2 gray in 3 classes: 0 4, 1 4, 2 4");
    // named labels, no header: the first row is an image
    let named_rows: String = (0..10).map(|i| format!("{},{i}\n", ["owl", "cat"][i % 2])).collect();
    let up = images_from_csv(named("n.csv", &named_rows)).unwrap();
    assert_eq!((up.shape, up.len(), up.labels[0], up.pixels[9]), ([1, 1, 1], 10, 1, 9));
    // a header naming the label column (last here), values in [0, 1], RGB planes
    let mut text = String::from("r,g,b,Label\n");
    for i in 0..10 {
        text += &format!("1,0.5,0,{}\n", if i < 4 { "dog" } else { "cat" });
    }
    let up = images_from_csv(named("rgb.csv", &text)).unwrap();
    assert_eq!((up.shape, up.class_names.clone()), ([3, 1, 1], vec!["cat".into(), "dog".into()]));
    assert_eq!((&up.pixels[..3], up.labels[0], up.labels[9]), (&[255u8, 128, 0][..], 1, 0));
}

#[test]
fn broken_image_csv_names_file_line_and_column() {
    let e = fails(images_from_csv(named("i.csv", &image_rows(10, 2, 500))), &["i.csv", "line 1"]);
    assert!(e.contains("500 pixel columns are neither a square gray image (784 = 28x28) nor a square RGB one"), "{e}");
    let mut rows = image_rows(10, 2, 4);
    rows.push_str("1,300,0,0,0\n");
    fails(images_from_csv(named("i.csv", &rows)), &["i.csv", "line 11, column 2", "`300`"]);
    let rows = image_rows(10, 2, 4) + "1,0.5,2,0,0\n";
    fails(images_from_csv(named("i.csv", &rows)), &["i.csv", "line 11, column 2", "`0.5` is not a whole number"]);
    let rows = image_rows(10, 2, 4) + "1,0,0,0\n";
    fails(images_from_csv(named("i.csv", &rows)), &["i.csv", "line 11", "4 columns, but the first row has 5"]);
    fails(images_from_csv(named("i.csv", &image_rows(9, 2, 4))), &["i.csv", "9 images"]);
    fails(images_from_csv(named("i.csv", &image_rows(10, 1, 4))), &["i.csv", "only one class"]);
    fails(images_from_csv(named("i.csv", "")), &["i.csv", "no rows"]);
}

/// A decoded `w x h` image filled with one RGBA colour.
fn decoded(path: &str, w: usize, h: usize, rgba: [u8; 4]) -> DecodedImage {
    DecodedImage { path: path.into(), width: w, height: h, rgba: rgba.repeat(w * h) }
}

#[test]
fn decoded_images_take_classes_from_folders_or_names() {
    let mut files: Vec<DecodedImage> =
        (0..6).map(|i| decoded(&format!("set/dogs/{i}.png"), 2, 3, [9, 9, 9, 255])).collect();
    files.extend((0..4).map(|i| decoded(&format!("set/cats/{i}.png"), 2, 3, [0, 0, 0, 0]))); // transparent: white
    let up = images_from_decoded(files).unwrap();
    assert_eq!((up.shape, up.class_names.clone()), ([1, 3, 2], vec!["cats".into(), "dogs".into()]));
    assert_eq!((up.pixels[0], up.pixels[6 * 6], up.labels[0], up.labels[6]), (9, 255, 1, 0));
    assert_eq!(up.describe(), "10 images of 3x2 gray in 2 classes: cats 4, dogs 6");
    // file-name prefixes, one colour pixel: RGB planes
    let mut files: Vec<DecodedImage> =
        (0..10).map(|i| decoded(&format!("cat_{i}.png"), 1, 1, [5, 5, 5, 255])).collect();
    files[3] = decoded("dog-3.png", 1, 1, [10, 20, 30, 255]);
    let up = images_from_decoded(files).unwrap();
    assert_eq!((up.shape, &up.pixels[9..12], up.labels[3]), ([3, 1, 1], &[10u8, 20, 30][..], 1));
}

#[test]
fn broken_decoded_images_name_the_file() {
    let ten = |f: &dyn Fn(usize) -> DecodedImage| (0..10).map(f).collect::<Vec<_>>();
    let mut files = ten(&|i| decoded(&format!("c{}/{i}.png", i % 2), 4, 4, [0, 0, 0, 255]));
    files[5] = decoded("c1/5.png", 4, 5, [0, 0, 0, 255]);
    fails(images_from_decoded(files), &["c1/5.png", "is 4x5 but c0/0.png is 4x4"]);
    let mut files = ten(&|i| decoded(&format!("cat_{i}.png"), 2, 2, [0, 0, 0, 255]));
    files[2].path = "photo.png".into();
    fails(images_from_decoded(files), &["photo.png", "cannot tell its class"]);
    let files = ten(&|i| decoded(&format!("c{}/{i}.png", i % 2), 257, 1, [0; 4]));
    fails(images_from_decoded(files), &["c0/0.png", "257x1"]);
    let mut files = ten(&|i| decoded(&format!("c{}/{i}.png", i % 2), 2, 2, [0; 4]));
    files[1].rgba.pop();
    fails(images_from_decoded(files), &["c1/1.png", "15 RGBA bytes"]);
    let files = (0..9).map(|i| decoded(&format!("c{}/{i}.png", i % 2), 2, 2, [0; 4])).collect();
    fails(images_from_decoded(files), &["9 images"]);
}

#[test]
fn image_container_round_trips_and_rejects_damage() {
    let up = images_from_csv(named("train.csv", &image_rows(20, 4, 9))).unwrap();
    let bytes = up.encode();
    assert_eq!(ImageUpload::decode("up.bin", &bytes).unwrap(), up);
    fails(ImageUpload::decode("up.bin", &bytes[..bytes.len() - 1]), &["up.bin", "truncated"]);
    fails(ImageUpload::decode("up.bin", &[bytes.as_slice(), &[0]].concat()), &["up.bin", "1 bytes after"]);
    fails(ImageUpload::decode("up.bin", b"PNG....."), &["up.bin", "BPFIMG1"]);
    let mut bad = bytes.clone();
    *bad.last_mut().unwrap() = 4;
    fails(ImageUpload::decode("up.bin", &bad), &["up.bin", "label 4"]);
    let mut big = bytes.clone();
    big[12..16].copy_from_slice(&300u32.to_le_bytes()); // height
    fails(ImageUpload::decode("up.bin", &big), &["up.bin", "sides 1 to 256"]);
}

#[test]
fn uploaded_images_make_a_seeded_dataset() {
    let up = images_from_csv(named("train.csv", &image_rows(20, 4, 12))).unwrap();
    let a = up.to_dataset("mine", 0.25, &mut Rng::new(5)).unwrap();
    let b = up.to_dataset("mine", 0.25, &mut Rng::new(5)).unwrap();
    assert_eq!((a.x_train.nrows(), a.x_val.nrows(), a.x_test.nrows()), (12, 4, 4));
    assert_eq!((&a.x_train, &a.y_train, &a.x_test, &a.y_val), (&b.x_train, &b.y_train, &b.x_test, &b.y_val));
    assert_eq!((a.image, a.classes, a.features(), a.plane), (Some([3, 2, 2]), 4, 12, None));
    // standardised: each channel has mean 0 over all images
    let (mean, std) = a.normalization.clone().unwrap();
    assert_eq!((mean.len(), std.len()), (3, 3));
    let all: Vec<f32> = [&a.x_train, &a.x_val, &a.x_test].iter().flat_map(|x| x.iter().copied()).collect();
    let channel_mean = |c: usize| all.chunks(12).map(|r| r[c * 4..c * 4 + 4].iter().sum::<f32>()).sum::<f32>() / 80.0;
    assert!((0..3).all(|c| channel_mean(c).abs() < 1e-4));
    let c = up.to_dataset("mine", 0.25, &mut Rng::new(6)).unwrap();
    assert_ne!(a.y_train, c.y_train);
    fails(up.to_dataset("mine", 1.0, &mut Rng::new(5)), &["mine", "none to train"]);
}

/// A ZIP entry for [`zip`]: name, data, deflated, and damage to apply to its central-directory record.
struct Entry<'a> {
    name: &'a str,
    data: &'a [u8],
    deflate: bool,
    patch: &'a dyn Fn(&mut [u8]),
}

fn entry<'a>(name: &'a str, data: &'a [u8], deflate: bool) -> Entry<'a> {
    Entry { name, data, deflate, patch: &|_| {} }
}

/// A ZIP archive written by hand.
fn zip(entries: &[Entry]) -> Vec<u8> {
    let (mut out, mut cd) = (Vec::new(), Vec::new());
    for e in entries {
        let mut crc = Crc::new();
        crc.update(e.data);
        let packed = if e.deflate {
            let mut enc = DeflateEncoder::new(Vec::new(), Compression::default());
            enc.write_all(e.data).unwrap();
            enc.finish().unwrap()
        } else {
            e.data.to_vec()
        };
        let method: u16 = if e.deflate { 8 } else { 0 };
        let mut common = Vec::new();
        for v in [20u16, 0, method, 0, 0] {
            common.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc.sum(), packed.len() as u32, e.data.len() as u32] {
            common.extend_from_slice(&v.to_le_bytes());
        }
        common.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        common.extend_from_slice(&0u16.to_le_bytes());
        let local = out.len() as u32;
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&common);
        out.extend_from_slice(e.name.as_bytes());
        out.extend_from_slice(&packed);
        let mut rec = 0x0201_4b50u32.to_le_bytes().to_vec();
        rec.extend_from_slice(&20u16.to_le_bytes());
        rec.extend_from_slice(&common);
        rec.extend_from_slice(&[0; 10]); // comment length, disk, internal and external attributes
        rec.extend_from_slice(&local.to_le_bytes());
        rec.extend_from_slice(e.name.as_bytes());
        (e.patch)(&mut rec);
        cd.extend_from_slice(&rec);
    }
    let (offset, size, n) = (out.len() as u32, cd.len() as u32, entries.len() as u16);
    out.extend_from_slice(&cd);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    for v in [0u16, 0, n, n] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    for v in [size, offset] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(b"\x05\x00hello");
    out
}

fn read(bytes: &[u8]) -> bpfree::Result<Vec<(String, Vec<u8>)>> {
    read_zip(Named { name: "photos.zip", bytes })
}

#[test]
fn zip_archives_unpack_in_directory_order() {
    let long = b"abcabcabc".repeat(50);
    let files = read(&zip(&[
        entry("b/1.png", b"stored", false),
        entry("b/", b"", false),
        entry("__MACOSX/b/._1.png", b"meta", false),
        entry("b/.DS_Store", b"hidden", true),
        entry("a/2.png", &long, true),
        entry("empty.txt", b"", true),
    ]))
    .unwrap();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["b/1.png", "a/2.png", "empty.txt"]);
    assert_eq!((files[0].1.as_slice(), &files[1].1, files[2].1.len()), (&b"stored"[..], &long, 0));
}

#[test]
fn broken_zip_archives_are_errors_naming_the_entry() {
    let good = zip(&[entry("a/1.png", b"hello hello hello", true)]);
    fails(read(&good[..good.len() - 30]), &["photos.zip", "end-of-central-directory"]);
    fails(read(&good[20..]), &["photos.zip"]);
    fails(read(b"PK\x03\x04 not really a zip at all"), &["photos.zip", "not a ZIP archive"]);
    let patched = |at: usize, v: &'static [u8]| move |rec: &mut [u8]| rec[at..at + v.len()].copy_from_slice(v);
    let crc = patched(16, b"\x01\x02\x03\x04");
    fails(read(&zip(&[Entry { patch: &crc, ..entry("a/1.png", b"x", true) }])), &["`a/1.png`", "CRC-32"]);
    let bomb = patched(24, b"\x00\x00\xc0\x12"); // 300 MiB
    fails(read(&zip(&[Entry { patch: &bomb, ..entry("a/1.png", b"x", true) }])), &["photos.zip", "256 MiB"]);
    let size = patched(24, &[9, 0, 0, 0]);
    fails(read(&zip(&[Entry { patch: &size, ..entry("a/1.png", b"x", true) }])), &["`a/1.png`", "unpacks to 1 bytes"]);
    let method = patched(10, &[14, 0]);
    fails(read(&zip(&[Entry { patch: &method, ..entry("a/1.png", b"x", false) }])), &["`a/1.png`", "method 14"]);
    let encrypted = patched(8, &[1, 0]);
    fails(read(&zip(&[Entry { patch: &encrypted, ..entry("a/1.png", b"x", true) }])), &["`a/1.png`", "encrypted"]);
    let zip64 = patched(20, &[0xff; 4]);
    fails(read(&zip(&[Entry { patch: &zip64, ..entry("a/1.png", b"x", true) }])), &["`a/1.png`", "ZIP64"]);
    let mut truncated = zip(&[entry("a/1.png", &[7; 100], false)]);
    truncated.drain(40..120); // the data goes, the directory stays
    fails(read(&truncated), &["photos.zip"]);
}
