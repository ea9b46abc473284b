//! Where the page's code runs: the page's window, or the worker that trains for it ([`super::worker_host`]); the
//! browser services both offer (fetch, the clock, the Cache API) are reached through [`scope`].

use wasm_bindgen::JsCast;

/// Where this code runs: the page, or the worker that trains for it ([`super::worker_host`]).
pub(super) enum Scope {
    Window(web_sys::Window),
    Worker(web_sys::WorkerGlobalScope),
}

pub(super) fn scope() -> Option<Scope> {
    let global = js_sys::global();
    if let Some(w) = global.dyn_ref::<web_sys::Window>() {
        return Some(Scope::Window(w.clone()));
    }
    global.dyn_into::<web_sys::WorkerGlobalScope>().ok().map(Scope::Worker)
}

/// The Cache API of the page or the worker (both see the same caches of the origin).
pub(super) fn caches() -> Option<web_sys::CacheStorage> {
    match scope()? {
        Scope::Window(w) => w.caches().ok(),
        Scope::Worker(w) => w.caches().ok(),
    }
}
