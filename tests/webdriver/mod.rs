//! A minimal WebDriver client for the end-to-end tests: a static file server for `dist/`, chromedriver, and a
//! browser session that closes itself (also when a test panics).
#![allow(dead_code)]

use serde_json::{json, Value};
use std::cell::Cell;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Serves `root` over HTTP/1.0 on an ephemeral loopback port; returns the port.
pub fn serve(root: PathBuf) -> u16 {
    serve_under(root, "/")
}

/// Serves `root` under the path `prefix` (`/bpfree/`, as a project page is served); anything outside it is 404.
pub fn serve_under(root: PathBuf, prefix: &'static str) -> u16 {
    serve_throttled(root, prefix, None)
}

/// [`serve_under`], sending files under `data/` at `rate` bytes per second (a slow network, to watch a download's
/// progress; Chrome's own network emulation does not slow a page's fetches from loopback here).
pub fn serve_throttled(root: PathBuf, prefix: &'static str, rate: Option<u64>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || respond(stream, &root, prefix, rate));
        }
    });
    port
}

/// Every path the test servers were asked for, in order (to count downloads).
pub static REQUESTS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// How many requests so far asked for a path ending in `suffix`.
pub fn requests_for(suffix: &str) -> usize {
    REQUESTS.lock().map(|r| r.iter().filter(|p| p.ends_with(suffix)).count()).unwrap_or(0)
}

fn respond(mut stream: TcpStream, root: &Path, prefix: &str, rate: Option<u64>) {
    let mut line = String::new();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    if reader.read_line(&mut line).is_err() {
        return;
    }
    // drain headers
    let mut header = String::new();
    while reader.read_line(&mut header).map(|n| n > 2).unwrap_or(false) {
        header.clear();
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").split('?').next().unwrap_or("/").to_string();
    if let Ok(mut r) = REQUESTS.lock() {
        r.push(path.clone());
    }
    let inside = path.strip_prefix(prefix).map(|p| format!("/{p}"));
    let rel = match inside.as_deref() {
        Some("/") => "index.html".to_string(),
        Some(p) => p.trim_start_matches('/').to_string(),
        None => "..".to_string(), // outside the prefix: not found
    };
    let file = root.join(&rel);
    let (status, body, mime) = match (rel.contains(".."), std::fs::read(&file)) {
        (false, Ok(body)) => {
            let mime = match file.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("js") => "text/javascript",
                Some("wasm") => "application/wasm",
                Some("css") => "text/css",
                Some("svg") => "image/svg+xml",
                Some("json") => "application/json",
                _ => "application/octet-stream",
            };
            ("200 OK", body, mime)
        }
        _ => ("404 Not Found", b"not found".to_vec(), "text/plain"),
    };
    let _ = write!(
        stream,
        "HTTP/1.0 {status}\r\nContent-Type: {mime}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    match rate {
        Some(rate) if path.contains("/data/") => {
            for piece in body.chunks(64 << 10) {
                if stream.write_all(piece).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_secs_f64(piece.len() as f64 / rate as f64));
            }
        }
        _ => {
            let _ = stream.write_all(&body);
        }
    }
}

pub struct Driver {
    pub base: String,
    child: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

impl Driver {
    pub fn start() -> Driver {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let binary = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let child = Command::new(&binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {binary}: {e} (scripts/setup.sh test installs it)"));
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while ureq::get(&format!("{base}/status")).call().is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver { base, child }
    }

    /// POSTs `body`; `Err` holds the WebDriver error (status and message) instead of panicking.
    fn try_post(&self, path: &str, body: Value) -> Result<Value, String> {
        match ureq::post(&format!("{}{path}", self.base)).send_json(body) {
            Ok(r) => r.into_json::<Value>().map(|v| v["value"].clone()).map_err(|e| format!("POST {path}: {e}")),
            Err(ureq::Error::Status(code, r)) => {
                Err(format!("POST {path}: {code} {}", r.into_string().unwrap_or_default()))
            }
            Err(e) => Err(format!("POST {path}: {e}")),
        }
    }

    pub fn post(&self, path: &str, body: Value) -> Value {
        self.try_post(path, body).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Opens a browser session. Chromium occasionally fails to start on a loaded machine ("session not
    /// created"); that is retried twice before the test fails with the driver's message.
    pub fn session(&self, caps: Value) -> Session<'_> {
        let mut last = String::new();
        for attempt in 1..=3 {
            match self.try_post("/session", caps.clone()) {
                Ok(v) => match v["sessionId"].as_str() {
                    Some(id) => return Session { driver: self, id: id.to_string(), tolerant: Cell::new(false) },
                    None => last = format!("no sessionId in {v}"),
                },
                Err(e) => last = e,
            }
            eprintln!("starting a browser session failed (attempt {attempt} of 3): {last}");
            std::thread::sleep(Duration::from_secs(2));
        }
        panic!("cannot start a browser session: {last}")
    }

    pub fn get(&self, path: &str) -> Value {
        ureq::get(&format!("{}{path}", self.base)).call().unwrap().into_json::<Value>().unwrap()["value"].clone()
    }
}

pub struct Session<'a> {
    driver: &'a Driver,
    pub id: String,
    /// Set while `wait_for` polls: a script error (the page is still loading) reads as null and is retried.
    tolerant: Cell<bool>,
}

/// Closes the browser, also when the test panics (else Chromium outlives chromedriver).
impl Drop for Session<'_> {
    fn drop(&mut self) {
        let _ = ureq::delete(&format!("{}/session/{}", self.driver.base, self.id)).call();
    }
}

impl Session<'_> {
    pub fn script(&self, js: &str) -> Value {
        let result =
            self.driver.try_post(&format!("/session/{}/execute/sync", self.id), json!({"script": js, "args": []}));
        match result {
            Ok(v) => v,
            Err(e) if self.tolerant.get() => {
                eprintln!("script error while waiting (retried): {e}");
                Value::Null
            }
            Err(e) => panic!("{e}"),
        }
    }

    pub fn text(&self, selector: &str) -> String {
        self.script(&format!("const e = document.querySelector('{selector}'); return e ? e.textContent : null;"))
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    pub fn click(&self, selector: &str) {
        let el = self
            .driver
            .post(&format!("/session/{}/element", self.id), json!({"using": "css selector", "value": selector}));
        let id = el.as_object().and_then(|o| o.values().next()).and_then(Value::as_str).unwrap().to_string();
        self.driver.post(&format!("/session/{}/element/{id}/click", self.id), json!({}));
    }

    /// Types `text` into the element (for a file input: the file's path, which the browser then reads).
    pub fn send_keys(&self, selector: &str, text: &str) {
        let el = self
            .driver
            .post(&format!("/session/{}/element", self.id), json!({"using": "css selector", "value": selector}));
        let id = el.as_object().and_then(|o| o.values().next()).and_then(Value::as_str).unwrap().to_string();
        self.driver.post(&format!("/session/{}/element/{id}/value", self.id), json!({"text": text}));
    }

    pub fn wait_for(&self, what: &str, timeout_s: u64, mut ok: impl FnMut(&Self) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(timeout_s);
        self.tolerant.set(true);
        while !ok(self) {
            assert!(Instant::now() < deadline, "timed out after {timeout_s}s waiting for {what}");
            std::thread::sleep(Duration::from_millis(200));
        }
        self.tolerant.set(false);
    }

    /// Waits until the page has mounted and its adapter probe has answered. Right after a navigation the badge
    /// is not in the document yet (the app mounts once its wasm has loaded), and `text` reads "" then.
    pub fn wait_for_adapter(&self) -> String {
        let answered = |t: &str| t.starts_with("WebGPU") || t.starts_with("No WebGPU");
        self.wait_for("the adapter probe", 30, |s| answered(&s.text("#adapter-info")));
        self.text("#adapter-info")
    }

    pub fn epoch(&self) -> usize {
        self.text("#epoch-value").trim().parse().unwrap_or(0)
    }
}
