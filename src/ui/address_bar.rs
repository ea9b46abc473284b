//! The shareable link: the page's configuration lives in the address bar's query (`?dataset=...`,
//! [`crate::share`]), read once at start-up and rewritten in place whenever the configuration changes.

use crate::config::RunConfig;

/// The config in the address bar (`?dataset=...`) and what was wrong with the link (keys ignored, values kept at
/// the preset's), or the defaults and the reason the link was refused.
pub fn config_from_location() -> (RunConfig, Option<String>) {
    let query = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    match crate::share::read(&query) {
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

/// Replaces the address bar's query with `cfg` (no reload, no history entry).
pub fn write_location(cfg: &RunConfig) {
    let Some(window) = web_sys::window() else { return };
    let query = format!("?{}", crate::share::encode(cfg));
    if window.location().search().ok().as_deref() == Some(query.as_str()) {
        return;
    }
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&query));
    }
}
