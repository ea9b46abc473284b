//! The page in a browser (`wasm-pack test --headless --chrome ui` and `--firefox`, `--test web_page`): it mounts.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The page mounts and shows its controls.
#[wasm_bindgen_test]
async fn app_mounts() {
    leptos::mount::mount_to_body(bpfree_ui::App);
    let document = web_sys::window().unwrap().document().unwrap();
    assert!(document.get_element_by_id("train-button").is_some());
    assert!(document.get_element_by_id("decision-map").is_some());
}
