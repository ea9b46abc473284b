//! The shareable link: the page's configuration lives in the address bar's query (`?dataset=...`,
//! [`crate::share`]), read once at start-up and rewritten in place whenever the configuration changes.

use crate::config::RunConfig;

/// The config in the address bar (`?dataset=...`), or the defaults and the reason the link was rejected.
pub fn config_from_location() -> (RunConfig, Option<String>) {
    let query = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    match crate::share::decode(&query) {
        Ok(cfg) => (cfg, None),
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
