//! The page's session and its browser helpers: the non-`Send` state (GPU context, trainers, fetched files) that
//! lives outside the signals, fetching data files, timing, animation frames and choosing the device.

use super::global::{scope, Scope};
use super::AdapterProbe;
use bpfree::data::{DataFiles, Dataset};
use bpfree::error::{Error, Result};
use bpfree::tensor::{BackendChoice, Device, Gpu, SelfTest};
use bpfree::train::{GraphTrainer, Trainer};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::JsCast;

/// The non-`Send` half of the page state: the GPU context and the current trainer.
#[derive(Clone, Default)]
pub struct Session(Rc<RefCell<SessionInner>>);

#[derive(Default)]
pub(super) struct SessionInner {
    pub(super) gpu: Option<Gpu>,
    /// What the start-up self-test measured on the adapter (`None`: no adapter, or the test failed).
    pub(super) self_test: Option<SelfTest>,
    /// The run on a vector or image dataset.
    pub(super) trainer: Option<Trainer>,
    /// The graph run, when the dataset is a graph.
    pub(super) graph_trainer: Option<GraphTrainer>,
    /// Weights imported from a file, loaded into the next trainer built (named by the file).
    pub(super) pending_weights: Option<(String, bpfree::train::Weights)>,
    /// Bumped by Reset: a loop that sees another generation stops.
    pub(super) generation: u64,
    /// Fetched data files, by path under `data/` (fetched once per page).
    pub(super) files: DataFiles,
    /// The parsed dataset of the current config, keyed by `dataset#seed` (the split depends on the seed).
    pub(super) dataset: Option<(String, Arc<Dataset>)>,
    /// The parsed graph of the current config, keyed by its id.
    pub(super) graph: Option<(String, Rc<bpfree::data::Graph>)>,
    /// On the page: the worker that trains for it (`None`: the page trains on its own thread, as the worker
    /// itself does).
    pub(super) worker: Option<Rc<super::worker_port::WorkerLink>>,
}

impl Session {
    pub(super) fn inner(&self) -> &RefCell<SessionInner> {
        &self.0
    }

    /// The worker that trains for the page, if it has one.
    pub(super) fn worker(&self) -> Option<Rc<super::worker_port::WorkerLink>> {
        self.0.borrow().worker.clone()
    }
}

/// The worker that trains for the page, if it has one.
pub(super) fn worker(session: SessionHandle) -> Option<Rc<super::worker_port::WorkerLink>> {
    session.with_value(Session::worker)
}

/// Fetches the `missing` files of dataset `info` into the session, saying in `state.loading` how many bytes of how
/// many (the sizes are compiled in, [`bpfree::data::file_size`], so the total is known before the download starts).
pub(super) async fn fetch_dataset(
    session: &Session,
    info: &bpfree::data::DatasetInfo,
    missing: Vec<String>,
    state: RwSignal<super::TrainState>,
) -> Result<()> {
    let total: u64 = missing.iter().filter_map(|f| bpfree::data::file_size(f)).sum();
    let mib = |b: u64| b as f64 / f64::from(1u32 << 20);
    let say = move |done: u64| {
        let text = if total > 0 {
            let percent = (100 * done / total.max(1)).min(100);
            format!("Downloading {}: {:.1} of {:.1} MiB ({percent} %)…", info.label, mib(done), mib(total))
        } else {
            format!("Downloading {}…", info.label)
        };
        state.update(|s| s.loading = Some(text));
    };
    say(0);
    let mut before = 0u64;
    for path in missing {
        let shown = std::cell::Cell::new(0u64);
        let bytes = fetch_bytes(&path, &|got| {
            // a new line on the page every 1 % (a chunk is typically 16 to 64 KiB)
            if (got - shown.get()) * 100 >= total.max(1) {
                shown.set(got);
                say(before + got);
            }
        })
        .await?;
        before += bytes.len() as u64;
        say(before);
        session.inner().borrow_mut().files.insert(path, bytes);
    }
    Ok(())
}

/// Fetches `data/<path>` from the page's server, or from the browser's cache when an earlier visit kept it
/// ([`super::data_cache`]); either way the bytes are checked against the digests compiled into the page.
/// `progress` hears the bytes received so far; a body longer than the file's compiled-in size is cut off there
/// (and then fails its digest), so a wrong server cannot fill the tab's memory.
pub(super) async fn fetch_bytes(path: &str, progress: &dyn Fn(u64)) -> Result<Vec<u8>> {
    let url = format!("data/{path}");
    if let Some(bytes) = super::data_cache::cached(&url).await {
        if bpfree::data::verify(path, &bytes).is_ok() {
            return Ok(bytes);
        }
        super::data_cache::drop_entry(&url).await; // a damaged or stale copy: fetch it again
    }
    let fail = |detail: String| Error::Data { path: url.clone(), detail };
    let request = match scope() {
        Some(Scope::Window(w)) => w.fetch_with_str(&url),
        Some(Scope::Worker(w)) => w.fetch_with_str(&url),
        None => return Err(fail("neither a page nor a worker".into())),
    };
    let response =
        wasm_bindgen_futures::JsFuture::from(request).await.map_err(|e| fail(format!("network error: {e:?}")))?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| fail("not a response".into()))?;
    if !response.ok() {
        return Err(fail(format!("HTTP {} {}", response.status(), response.status_text())));
    }
    let kept = response.clone().ok();
    let bytes = read_body(&response, bpfree::data::file_size(path), progress).await.map_err(fail)?;
    // checked against the digests compiled into the page: a damaged download or a swapped file never trains
    bpfree::data::verify(path, &bytes).map_err(|e| match e {
        Error::Data { detail, .. } => {
            fail(format!("{detail}; reload the page, and if this stays, tell whoever serves it"))
        }
        other => other,
    })?;
    if let Some(copy) = kept {
        super::data_cache::keep(&url, &copy).await; // only files that passed the check are kept
    }
    Ok(bytes)
}

/// The body of `response`, chunk by chunk (reporting the bytes so far), stopping one byte past `expected`.
async fn read_body(
    response: &web_sys::Response,
    expected: Option<u64>,
    progress: &dyn Fn(u64),
) -> std::result::Result<Vec<u8>, String> {
    let Some(stream) = response.body() else { return Ok(Vec::new()) };
    let reader: web_sys::ReadableStreamDefaultReader =
        stream.get_reader().dyn_into().map_err(|_| "the body cannot be read".to_string())?;
    let cap = expected.map_or(usize::MAX, |n| n as usize + 1);
    let mut bytes = Vec::with_capacity(expected.unwrap_or(0) as usize);
    loop {
        let chunk = wasm_bindgen_futures::JsFuture::from(reader.read()).await.map_err(|e| format!("{e:?}"))?;
        let done = js_sys::Reflect::get(&chunk, &"done".into()).ok().and_then(|d| d.as_bool()).unwrap_or(true);
        if done {
            break;
        }
        let value: js_sys::Uint8Array = js_sys::Reflect::get(&chunk, &"value".into())
            .ok()
            .and_then(|v| v.dyn_into().ok())
            .ok_or_else(|| "a chunk of the body is not bytes".to_string())?;
        let start = bytes.len();
        let take = (value.length() as usize).min(cap - start);
        bytes.resize(start + take, 0);
        value.subarray(0, take as u32).copy_to(&mut bytes[start..]);
        progress(bytes.len() as u64);
        if bytes.len() >= cap {
            let _ = reader.cancel();
            break;
        }
    }
    Ok(bytes)
}

/// How much more this tab's WebAssembly memory can grow (a wasm32 heap holds at most 4 GiB).
pub(super) fn wasm_memory_left() -> Option<u64> {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().dyn_into().ok()?;
    let used = memory.buffer().dyn_into::<js_sys::ArrayBuffer>().ok()?.byte_length() as u64;
    Some((4u64 << 30).saturating_sub(used))
}

thread_local! {
    /// The GPU context of this thread (the page's or the worker's), for [`memory_stats`].
    static STATS_GPU: RefCell<Option<Gpu>> = const { RefCell::new(None) };
    /// On the page: the worker's last report of its heap and device memory.
    static WORKER_MEMORY: std::cell::Cell<Option<(u64, bpfree::tensor::MemoryStats)>> =
        const { std::cell::Cell::new(None) };
}

/// This thread's WebAssembly heap, and the device memory its tensors hold (for the worker's reports).
pub(super) fn worker_memory() -> (u64, bpfree::tensor::MemoryStats) {
    let heap = wasm_memory_left().map_or(0, |left| (4u64 << 30) - left);
    (heap, STATS_GPU.with(|g| g.borrow().as_ref().map(Gpu::memory)).unwrap_or_default())
}

pub(super) fn set_worker_memory(heap: u64, device: bpfree::tensor::MemoryStats) {
    WORKER_MEMORY.with(|m| m.set(Some((heap, device))));
}

/// The page's memory, for the long-session test and anyone curious (`window.wasmBindings.bpfreeMemory()` in the
/// console): `{wasmHeap, deviceLive, devicePooled}` in bytes (device bytes 0 without WebGPU). With a training
/// worker, the heap is the page's and the worker's together and the device memory the worker's, as last reported.
#[wasm_bindgen::prelude::wasm_bindgen(js_name = bpfreeMemory)]
pub fn memory_stats() -> js_sys::Object {
    let (mut heap, mut device) = worker_memory();
    if let Some((worker_heap, worker_device)) = WORKER_MEMORY.with(std::cell::Cell::get) {
        heap += worker_heap;
        device = worker_device;
    }
    let heap = heap as f64;
    let out = js_sys::Object::new();
    for (key, value) in
        [("wasmHeap", heap), ("deviceLive", device.live_bytes as f64), ("devicePooled", device.pooled_bytes as f64)]
    {
        let _ = js_sys::Reflect::set(&out, &key.into(), &value.into());
    }
    out
}

/// Offers `part` (a string or a `Uint8Array`) as a download named `name`.
pub(super) fn download_part(name: &str, mime: &str, part: &wasm_bindgen::JsValue) -> std::result::Result<(), String> {
    let fail = |e: wasm_bindgen::JsValue| format!("The browser did not allow the download: {e:?}");
    let parts = js_sys::Array::of1(part);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement =
        document.create_element("a").map_err(fail)?.dyn_into().map_err(|_| "not an anchor".to_string())?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    web_sys::Url::revoke_object_url(&url).map_err(fail)
}

/// `bpfree-ccl-xor-seed9`: the stem of the exported files.
pub(super) fn file_stem(cfg: &bpfree::config::RunConfig) -> String {
    format!("bpfree-{}-{}-seed{}", cfg.algorithm, cfg.dataset, cfg.seed)
}

pub(super) type SessionHandle = StoredValue<Session, LocalStorage>;

pub(super) fn now_ms() -> f64 {
    let performance = match scope() {
        Some(Scope::Window(w)) => w.performance(),
        Some(Scope::Worker(w)) => w.performance(),
        None => None,
    };
    performance.map_or(0.0, |p| p.now())
}

/// This thread's channel to itself, and the tasks waiting for their message on it, oldest first. One channel
/// for the thread's life: a channel made per wait could be collected with its message still queued (nothing in
/// JavaScript refers to it), and then the wait would never end.
struct SelfChannel {
    channel: web_sys::MessageChannel,
    waiting: Rc<RefCell<std::collections::VecDeque<js_sys::Function>>>,
    _on_message: wasm_bindgen::closure::Closure<dyn Fn()>,
}

thread_local! {
    static SELF_CHANNEL: Option<SelfChannel> = {
        let channel = web_sys::MessageChannel::new().ok();
        channel.map(|channel| {
            let waiting: Rc<RefCell<std::collections::VecDeque<js_sys::Function>>> = Rc::default();
            let queue = waiting.clone();
            let on_message = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
                let next = queue.borrow_mut().pop_front();
                if let Some(resolve) = next {
                    let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
                }
            });
            channel.port1().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            SelfChannel { channel, waiting, _on_message: on_message }
        })
    };
}

/// What "the next frame" is in the training worker (set by [`super::worker_host`]): the page having drawn the
/// epochs trained so far.
pub(super) type FrameHook = Rc<dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>>;

thread_local! {
    static FRAME_HOOK: RefCell<Option<FrameHook>> = const { RefCell::new(None) };
}

pub(super) fn set_frame_hook(hook: FrameHook) {
    FRAME_HOOK.with(|h| *h.borrow_mut() = Some(hook));
}

/// Resolves as soon as the event loop has run once (a message to ourselves: a task, not throttled like timers
/// in hidden tabs), so that messages that came meanwhile (Pause, Reset) are handled.
pub(super) async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let queued = SELF_CHANNEL.with(|c| {
            let c = c.as_ref()?;
            c.channel.port2().post_message(&wasm_bindgen::JsValue::NULL).ok()?;
            // the message is delivered in a later task, so the resolver is queued in time
            c.waiting.borrow_mut().push_back(resolve.clone());
            Some(())
        });
        if queued.is_none() {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Resolves at the next animation frame — or, in a hidden tab (which gets no animation frames, and whose timers
/// run at most once a second), as soon as the event loop has run, so that training goes on in a background tab.
/// A frame that never comes because the tab was hidden while waiting gives way after [`FRAME_FALLBACK_MS`].
/// In the worker, which draws nothing, it resolves once the page has drawn every finished epoch (so a 2-D run,
/// whose epochs take a millisecond, shows each one, as on the page) and the event loop has turned.
pub(super) async fn next_frame() {
    let window = match scope() {
        Some(Scope::Window(w)) if !w.document().is_some_and(|d| d.hidden()) => w,
        Some(Scope::Worker(_)) => match FRAME_HOOK.with(|h| h.borrow().clone()) {
            Some(hook) => return hook().await,
            None => return next_task().await,
        },
        _ => return next_task().await,
    };
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let _ = window.request_animation_frame(&resolve);
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, FRAME_FALLBACK_MS);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// How long [`next_frame`] waits for a frame before it goes on without one (the tab was hidden meanwhile).
const FRAME_FALLBACK_MS: i32 = 250;

/// The start-up self-test's outcome, for the backend badge: `None` while it runs or without an adapter.
pub type SelfTestResult = RwSignal<Option<std::result::Result<SelfTest, String>>>;

/// Looks for a WebGPU adapter once, at start-up, and runs the backend self-test on it (a numeric check and two
/// timed products against the CPU path) before the page offers Train: *Auto* trains where the test was faster.
pub fn probe_adapter(session: SessionHandle, adapter: RwSignal<AdapterProbe>, tested: SelfTestResult) {
    spawn_local(async move {
        match Gpu::new().await {
            Ok(gpu) => {
                let test = bpfree::tensor::self_test(&gpu, &now_ms).await;
                let kept = test.as_ref().ok().cloned();
                tested.set(Some(test.map_err(|e| e.to_string())));
                STATS_GPU.with(|g| *g.borrow_mut() = Some(gpu.clone()));
                session.with_value(|s| {
                    let mut inner = s.0.borrow_mut();
                    inner.gpu = Some(gpu.clone());
                    inner.self_test = kept;
                });
                adapter.set(Some(Ok(gpu.summary().clone())));
            }
            Err(e) => adapter.set(Some(Err(e.to_string()))),
        }
    });
}

/// The device a run uses: the CPU when asked for, or on *Auto* when there is no adapter or the self-test found the
/// CPU faster for runs of this size (`large`: images and graphs) or the adapter's numbers wrong; else the adapter.
pub(super) fn device_for(
    choice: BackendChoice,
    session: &Session,
    probe: &AdapterProbe,
    large: bool,
) -> Result<Device> {
    let inner = session.inner().borrow();
    let auto_gpu = inner.self_test.as_ref().is_some_and(|t| t.prefers_gpu(large));
    match (choice, inner.gpu.clone()) {
        (BackendChoice::Cpu, _) => Ok(Device::Cpu),
        (BackendChoice::Gpu, Some(gpu)) => Ok(Device::Gpu(gpu)),
        (BackendChoice::Auto, Some(gpu)) if auto_gpu => Ok(Device::Gpu(gpu)),
        (BackendChoice::Auto, _) => Ok(Device::Cpu),
        (BackendChoice::Gpu, None) => Err(Error::NoAdapter(match probe {
            Some(Err(reason)) => format!("this browser offers no WebGPU adapter ({reason}); choose the CPU backend"),
            _ => "WebGPU is still being probed; try again in a moment".to_string(),
        })),
    }
}
