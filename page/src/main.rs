//! The playground page: mounts the Leptos app (built for wasm32 by Trunk).

#[cfg(target_arch = "wasm32")]
fn main() {
    // the same module runs the training worker (www/worker.js), which has no document: it starts there through
    // `bpfreeWorker` instead
    if web_sys::window().is_none() {
        return;
    }
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(bpfree_ui::App);
    // the app is up: the loading line of index.html goes
    if let Some(boot) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("boot")) {
        boot.remove();
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the playground is a web page: run `trunk serve` (see README.md)");
}
