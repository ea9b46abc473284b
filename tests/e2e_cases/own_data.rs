//! The user's own data, end to end (issue #29): points drawn on a 2-D set travel in the link and train; a graph
//! uploaded as CSV files and images uploaded as PNG files are read, described, split and trained; a broken file
//! is named with its line and column, and the run that was there stays.

use crate::webdriver::{serve, Driver};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A gray PNG of `side`x`side` pixels (zlib via flate2, CRC-32 via flate2's `Crc`).
fn png(side: u32, value: impl Fn(u32, u32) -> u8) -> Vec<u8> {
    let chunk = |out: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc.sum().to_be_bytes());
    };
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&side.to_be_bytes());
    ihdr.extend_from_slice(&side.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit gray
    chunk(&mut out, b"IHDR", &ihdr);
    let mut raw = Vec::new();
    for y in 0..side {
        raw.push(0); // filter: none
        raw.extend((0..side).map(|x| value(x, y)));
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&raw).unwrap();
    chunk(&mut out, b"IDAT", &z.finish().unwrap());
    chunk(&mut out, b"IEND", &[]);
    out
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
#[ignore = "needs `trunk build --release` and chromium; run by scripts/test.sh"]
fn your_own_points_graph_and_images_train() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target/e2e-own-data");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let port = serve(root.join("dist"));
    let driver = Driver::start();
    let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"args": [
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"
    ]}}}});
    let s = driver.session(caps);
    let url = format!("http://127.0.0.1:{port}/?dataset=moons&backend=cpu&epochs=2");
    driver.post(&format!("/session/{}/url", s.id), json!({"url": url}));
    s.wait_for_adapter();
    // a click in the middle of the map adds a blue point at (0, 0), which the link carries
    s.wait_for("the points", 30, |s| s.script("return document.getElementById('draw-clear') !== null;") == json!(true));
    s.click("#decision-map");
    s.wait_for("the drawn point in the link", 10, |s| {
        s.script("return location.search;").as_str().unwrap_or_default().contains("drawn=")
    });
    let search = s.script("return location.search;").as_str().unwrap_or_default().to_string();
    println!("after a click on the map: {search}");
    assert!(search.contains("drawn=0:0:1"), "{search}");
    assert_eq!(s.text("#draw-clear"), "Remove my points (1)");
    let shot = driver.get(&format!("/session/{}/screenshot", s.id));
    let shot = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, shot.as_str().unwrap()).unwrap();
    std::fs::write(root.join("target/e2e-own-points.png"), shot).unwrap();

    // a graph as CSV: two cliques joined by one edge, labelled by clique, with names for ids
    let mut edges = String::from("source,target\n");
    let mut labels = String::from("node,club\n");
    for (club, base) in [("red", 0), ("blue", 12)] {
        for i in 0..12 {
            labels.push_str(&format!("n{},{club}\n", base + i));
            for j in (i + 1)..12 {
                edges.push_str(&format!("n{},n{}\n", base + i, base + j));
            }
        }
    }
    edges.push_str("n0,n12\n");
    let e = write(&dir, "edges.csv", edges.as_bytes());
    let bad = write(&dir, "labels-bad.csv", b"node,club\nn0,red\nn1\n");
    let l = write(&dir, "labels.csv", labels.as_bytes());
    s.script("document.getElementById('upload-panel').open = true; return null;");
    s.send_keys("#upload-edges", e.to_str().unwrap());
    s.send_keys("#upload-labels", bad.to_str().unwrap());
    s.click("#upload-graph");
    s.wait_for("the broken file's message", 20, |s| s.text("#upload-status").contains("labels-bad.csv"));
    let message = s.text("#upload-status");
    println!("a broken label file: {message}");
    assert!(message.contains("line 3"), "{message}");
    assert_eq!(s.script("return document.getElementById('dataset-select').value;"), json!("moons"), "nothing changed");
    s.send_keys("#upload-labels", l.to_str().unwrap());
    s.click("#upload-graph");
    s.wait_for("the graph", 20, |s| s.text("#upload-status").contains("24 nodes"));
    println!("graph: {}", s.text("#upload-status"));
    assert_eq!(s.script("return document.getElementById('dataset-select').value;"), json!("my-graph"));
    s.wait_for("the Train button", 30, |s| {
        s.script("const b = document.getElementById('train-button'); return !!b && !b.disabled;") == json!(true)
    });
    s.click("#train-button");
    s.wait_for("a graph epoch", 60, |s| s.epoch() >= 1);

    // images: 12 PNGs of 8x8, bright on the left (class "left") or on the right ("right"), named class_n.png
    let mut paths = Vec::new();
    for i in 0..12u32 {
        let (class, bright_left) = if i % 2 == 0 { ("left", true) } else { ("right", false) };
        let image = png(8, |x, _y| if (x < 4) == bright_left { 200 + (i as u8) } else { 10 });
        paths.push(write(&dir, &format!("{class}_{i}.png"), &image).to_str().unwrap().to_string());
    }
    s.send_keys("#upload-images", &paths.join("\n"));
    s.wait_for("the images", 30, |s| s.text("#upload-status").contains("12 images"));
    println!("images: {}", s.text("#upload-status"));
    assert!(s.text("#upload-status").contains("8x8"), "{}", s.text("#upload-status"));
    assert_eq!(s.script("return document.getElementById('dataset-select').value;"), json!("my-images"));
    s.wait_for("the Train button", 30, |s| {
        s.script("const b = document.getElementById('train-button'); return !!b && !b.disabled;") == json!(true)
    });
    s.click("#train-button");
    s.wait_for("an image epoch", 60, |s| s.epoch() >= 1);
    let shot = driver.get(&format!("/session/{}/screenshot", s.id));
    let png = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, shot.as_str().unwrap()).unwrap();
    std::fs::write(root.join("target/e2e-own-data.png"), png).unwrap();
    let errors = s.script("return window.__bpfreeErrors;");
    assert_eq!(errors, json!([]), "console errors in the page");
}
