//! Datasets fetched once are kept by the browser (the Cache API), so a second visit — or a classroom on a poor
//! network — trains without downloading them again. Every file read from the cache is still checked against the
//! SHA-256 built into the page (`bpfree::data::verify`, by the caller); a copy that fails is dropped and fetched
//! again. Where the Cache API is missing (an insecure context, a private window that refuses it) the page fetches
//! as before. The footer says what is kept and how much it weighs, with a button to forget it.

use bpfree::data::DATASETS;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The cache's name; a new format of the data files would get a new name.
const CACHE: &str = "bpfree-data-v1";

async fn open() -> Option<web_sys::Cache> {
    let caches = super::global::caches()?;
    JsFuture::from(caches.open(CACHE)).await.ok()?.dyn_into().ok()
}

async fn response_bytes(response: &web_sys::Response) -> Result<Vec<u8>, String> {
    let buffer = response.array_buffer().map_err(|e| format!("{e:?}"))?;
    let buffer = JsFuture::from(buffer).await.map_err(|e| format!("{e:?}"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The bytes of `url` from the cache, if it holds them.
pub(super) async fn cached(url: &str) -> Option<Vec<u8>> {
    let cache = open().await?;
    let hit = JsFuture::from(cache.match_with_str(url)).await.ok()?;
    let response: web_sys::Response = hit.dyn_into().ok()?;
    response_bytes(&response).await.ok()
}

/// Keeps `response` (a successful fetch of `url`) in the cache; failures only mean the next visit fetches again.
pub(super) async fn keep(url: &str, response: &web_sys::Response) {
    let (Some(cache), Ok(copy)) = (open().await, response.clone()) else { return };
    let _ = JsFuture::from(cache.put_with_str(url, &copy)).await;
}

/// Drops `url` from the cache (its copy failed the checksum).
pub(super) async fn drop_entry(url: &str) {
    if let Some(cache) = open().await {
        let _ = JsFuture::from(cache.delete_with_str(url)).await;
    }
}

/// The datasets the cache holds files of (by label) and the bytes it holds.
async fn summary() -> Option<(Vec<&'static str>, f64)> {
    let cache = open().await?;
    let keys: js_sys::Array = JsFuture::from(cache.keys()).await.ok()?.dyn_into().ok()?;
    let mut bytes = 0.0;
    let mut labels: Vec<&'static str> = Vec::new();
    for request in keys.iter() {
        let Ok(request) = request.dyn_into::<web_sys::Request>() else { continue };
        let url = request.url();
        if let Ok(hit) = JsFuture::from(cache.match_with_request(&request)).await {
            if let Ok(response) = hit.dyn_into::<web_sys::Response>() {
                if let Ok(blob) = response.blob() {
                    if let Ok(blob) = JsFuture::from(blob).await {
                        bytes += js_sys::Reflect::get(&blob, &JsValue::from_str("size"))
                            .ok()
                            .and_then(|v| v.as_f64())
                            .unwrap_or(0.0);
                    }
                }
            }
        }
        let owner = DATASETS.iter().find(|d| d.files().iter().any(|f| url.ends_with(&format!("data/{f}"))));
        if let Some(d) = owner {
            if !labels.contains(&d.label) {
                labels.push(d.label);
            }
        }
    }
    Some((labels, bytes))
}

/// "11.2 MiB", "4 KiB".
fn size(bytes: f64) -> String {
    if bytes >= 1048576.0 {
        format!("{:.1} MiB", bytes / 1048576.0)
    } else {
        format!("{:.0} KiB", (bytes / 1024.0).ceil())
    }
}

/// The footer's line: what this browser keeps, its size, and a button to forget it.
#[component]
pub fn DataCacheNote() -> impl IntoView {
    let state = expect_context::<RwSignal<super::TrainState>>();
    let note = RwSignal::new(None::<(Vec<&'static str>, f64)>);
    let refresh = move || spawn_local(async move { note.set(summary().await) });
    // again whenever a download ends (the loading line goes away)
    Effect::new(move |_| {
        if state.with(|s| s.loading.is_none()) {
            refresh();
        }
    });
    let forget = move |_| {
        spawn_local(async move {
            if let Some(caches) = super::global::caches() {
                let _ = JsFuture::from(caches.delete(CACHE)).await;
            }
            note.set(summary().await);
        })
    };
    view! {
        {move || note.get().filter(|(labels, _)| !labels.is_empty()).map(|(labels, bytes)| view! {
            <span id="data-cache">
                {format!(" Kept by this browser for the next visit: {} ({}). ", labels.join(", "), size(bytes))}
                <button class="link-button" id="forget-data" on:click=forget>"Forget them"</button>
            </span>
        })}
    }
}
