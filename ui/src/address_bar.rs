//! The shareable link: the page's configuration lives in the address bar's query (`?dataset=...`,
//! [`bpfree::share`]), read once at start-up and rewritten in place whenever the configuration changes.

use bpfree::config::RunConfig;

/// The config in the address bar (`?dataset=...`) and what was wrong with the link (keys ignored, values kept at
/// the preset's), or the defaults and the reason the link was refused.
pub fn config_from_location() -> (RunConfig, Option<String>) {
    let query = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    match bpfree::share::read(&query) {
        Ok(read) if read.notes.is_empty() => (read.config, None),
        Ok(read) => {
            let notes = read.notes.join("; ");
            (read.config, Some(format!("This link was loaded, but not all of it: {notes}.")))
        }
        Err(e) => {
            (RunConfig::default(), Some(format!("This link could not be read ({e}); the defaults are loaded instead.")))
        }
    }
}

/// True when the page was opened without a link (no query): it then plays the opening demo
/// ([`super::compare::demo_config`]).
pub fn opening_demo() -> bool {
    let query = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    query.trim_start_matches('?').is_empty()
}

/// True when the link sets the page key `key` to 1 (`autostart=1`: train on open; `compare=1`: when the run
/// stops, compare it with backprop or its backprop-free counterpart).
fn page_key(key: &str) -> bool {
    let query = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    form_urlencoded::parse(query.trim_start_matches('?').as_bytes()).any(|(k, v)| k == key && v == "1")
}

/// True when the link asks the page to start training on open (`autostart=1`).
pub fn autostart_requested() -> bool {
    page_key("autostart")
}

/// True when the link asks the page to compare the run when it stops (`compare=1`).
pub fn compare_requested() -> bool {
    page_key("compare")
}

/// Copies the page's address (the link that replays this run) to the clipboard; resolves to an error message
/// when the browser refuses (no clipboard in an insecure context, or no permission).
pub async fn copy_link() -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let href = window.location().href().map_err(|_| "no address")?;
    let promise = window.navigator().clipboard().write_text(&href);
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|_| format!("This browser did not allow copying; the link is the address bar: {href}"))
}

/// The link's classroom keys (`hide=`, `lock=`, `embed=1`, `goal=`) and a note for each bad value.
pub fn classroom_from_location() -> (bpfree::share::classroom::Classroom, Vec<String>) {
    let query = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    bpfree::share::classroom::read_classroom(&query)
}

/// Replaces the address bar's query with `cfg` and the link's classroom keys (no reload, no history entry).
pub fn write_location(cfg: &RunConfig, classroom: &bpfree::share::classroom::Classroom) {
    let Some(window) = web_sys::window() else { return };
    let query = format!("?{}{}", bpfree::share::encode(cfg), classroom.encode());
    if window.location().search().ok().as_deref() == Some(query.as_str()) {
        return;
    }
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&query));
    }
}
