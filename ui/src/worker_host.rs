//! The worker's side: the page's training runs here, in a dedicated Web Worker, so that the page's thread only
//! draws. The worker keeps its own [`Session`] and its own copy of the [`TrainState`], drives them with the same
//! code the page would run ([`train_loop`], [`runner`], [`probe_adapter`]), and sends the page what changed
//! ([`StatePatch`]) after every change, coalesced per task. `www/worker.js` loads the page's WebAssembly module
//! in the worker and calls [`start`] (exported as `bpfreeWorker`).

use super::protocol::{Command, Event, StatePatch};
use super::session::{next_task, probe_adapter, set_frame_hook, worker_memory, SelfTestResult, Session, SessionHandle};
use super::{runner, train_loop, weights_io, AdapterProbe, TrainState};
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Where the worker's events go: `postMessage` in the worker, a list in the tests.
pub type Post = Rc<dyn Fn(Event)>;

/// How long the worker waits for the page to draw an epoch before it trains on anyway (a page that is busy, or
/// gone), and how many times.
const PACE_WAIT_MS: i32 = 250;
const PACE_WAITS: usize = 2;

/// The worker's state, and what the page has been told of it.
struct Host {
    session: SessionHandle,
    state: RwSignal<TrainState>,
    adapter: RwSignal<AdapterProbe>,
    /// The page's generation of the state, from its last Show or Reset.
    generation: Cell<u64>,
    /// The state as the page last heard it (`None`: send all of it next).
    sent: RefCell<Option<TrainState>>,
    /// The memory last reported.
    memory: Cell<Option<(u64, bpfree::tensor::MemoryStats)>>,
    /// Commands handled so far.
    heard: Cell<u64>,
    /// A report is on its way and the page has not drawn it yet.
    in_flight: Cell<bool>,
    /// Epochs of the history the page has drawn.
    drawn_epochs: Cell<usize>,
    /// Waiting for the page's next `Drawn`.
    drawn_waiters: RefCell<Vec<js_sys::Function>>,
    post: Post,
}

impl Host {
    /// Tells the page what changed since the last message (everything, at the start of a generation).
    fn flush(&self) {
        if self.in_flight.get() {
            return; // gathered into the next report, after the page's `Drawn`
        }
        let mut sent = self.sent.borrow_mut();
        let patch = self.state.with_untracked(|s| match sent.as_ref() {
            Some(old) => StatePatch::diff(old, s),
            None => StatePatch::full(s),
        });
        if !patch.is_empty() {
            let copy = sent.get_or_insert_with(TrainState::default);
            patch.clone().apply(copy);
            let mut patch = patch;
            if patch.error == Some(None) {
                patch.error = None; // see `Event::State`
            }
            let (generation, heard) = (self.generation.get(), self.heard.get());
            (self.post)(Event::State { generation, heard, patch: Box::new(patch) });
            self.in_flight.set(true);
        }
        let memory = worker_memory();
        if self.memory.replace(Some(memory)) != Some(memory) {
            (self.post)(Event::Memory { heap: memory.0, device: memory.1 });
        }
    }

    /// The page has already made this change to its own state (the command says so): the next report compares
    /// with it, so that a field the worker changes back (a run that stops at once) is still reported.
    fn page_wrote(&self, change: impl FnOnce(&mut TrainState)) {
        if let Some(sent) = self.sent.borrow_mut().as_mut() {
            change(sent);
        }
    }

    /// The worker's "next frame" ([`super::session::next_frame`]): once the page has drawn every finished epoch
    /// (waiting at most [`PACE_WAITS`] times [`PACE_WAIT_MS`] for it), then one turn of the event loop.
    async fn paced(self: Rc<Self>) {
        for _ in 0..PACE_WAITS {
            if self.state.with_untracked(|s| s.history.len()) <= self.drawn_epochs.get() {
                break;
            }
            let promise = js_sys::Promise::new(&mut |resolve, _reject| {
                self.drawn_waiters.borrow_mut().push(resolve.clone());
                let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
                let _ = scope.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, PACE_WAIT_MS);
            });
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        }
        next_task().await;
    }

    fn new_generation(&self, generation: u64) {
        self.generation.set(generation);
        *self.sent.borrow_mut() = None;
    }

    fn handle(self: &Rc<Self>, command: Command) {
        self.heard.set(self.heard.get() + 1);
        let (session, state) = (self.session, self.state);
        match command {
            Command::Show { cfg, generation, controls } => {
                self.new_generation(generation);
                state.update(|s| controls.apply(s));
                train_loop::show_dataset(session, state, &cfg);
            }
            Command::Reset { cfg, generation } => {
                self.new_generation(generation);
                train_loop::reset(session, state, &cfg);
            }
            Command::Train { cfg, one_epoch, controls } => {
                self.page_wrote(|s| {
                    s.running = true;
                    s.error = None;
                    controls.apply(s);
                });
                state.update(|s| controls.apply(s));
                train_loop::run(session, state, cfg, self.adapter.get_untracked(), one_epoch);
            }
            Command::Pause => {
                self.page_wrote(|s| s.running = false);
                state.update(|s| s.running = false);
            }
            Command::RefreshViews { layer } => {
                state.update(|s| s.alignment_layer = layer);
                runner::refresh_views(session, state);
            }
            Command::ExportWeights { id, cfg } => {
                let host = self.clone();
                leptos::task::spawn_local(async move {
                    let result = weights_io::export_file(host.session.get_value(), cfg).await;
                    (host.post)(Event::Download { id, result });
                });
            }
            Command::ImportWeights { name, bytes } => {
                if let Err(message) = weights_io::keep_weights(&session.get_value(), name, &bytes) {
                    state.update(|s| s.error = Some(message));
                }
            }
            Command::Drawn => {
                self.in_flight.set(false);
                self.drawn_epochs.set(self.sent.borrow().as_ref().map_or(0, |s| s.history.len()));
                for resolve in self.drawn_waiters.take() {
                    let _ = resolve.call0(&JsValue::NULL);
                }
                self.flush();
            }
            Command::Adopt { files } => {
                session.with_value(|s| super::upload::adopt(s, files.into_iter().map(|f| (f.path, f.bytes)).collect()));
            }
        }
    }
}

/// Starts the worker's side: probes the adapter, and returns what handles each command; `post` hears the events.
pub fn host(post: Post) -> impl Fn(Command) {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let owner = Owner::new();
    owner.set();
    std::mem::forget(owner); // the worker's reactive scope lives as long as the worker
    let session = StoredValue::new_local(Session::default());
    let state = RwSignal::new(TrainState::default());
    let adapter = RwSignal::new(AdapterProbe::None);
    let tested: SelfTestResult = RwSignal::new(None);
    let host = Rc::new(Host {
        session,
        state,
        adapter,
        generation: Cell::new(0),
        sent: RefCell::new(None),
        memory: Cell::new(None),
        heard: Cell::new(0),
        in_flight: Cell::new(false),
        drawn_epochs: Cell::new(0),
        drawn_waiters: RefCell::new(Vec::new()),
        post,
    });
    let paced = host.clone();
    set_frame_hook(Rc::new(move || Box::pin(paced.clone().paced())));
    probe_adapter(session, adapter, tested);
    // once per task in which the state changed: the page hears it as one message
    let flusher = host.clone();
    Effect::new(move |_| {
        state.track();
        flusher.flush();
    });
    let told = host.clone();
    Effect::new(move |_| (told.post)(Event::Adapter(adapter.get())));
    let told = host.clone();
    Effect::new(move |_| (told.post)(Event::SelfTest(tested.get())));
    move |command| host.handle(command)
}

/// The worker's entry point (`www/worker.js` calls it once the module is loaded): returns the function that
/// handles each message from the page.
#[wasm_bindgen(js_name = bpfreeWorker)]
pub fn start() -> js_sys::Function {
    console_error_panic_hook::set_once();
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let post: Post = Rc::new(move |event: Event| match super::protocol::to_js(&event) {
        Ok(value) => {
            let _ = scope.post_message(&value);
        }
        Err(message) => web_sys::console::error_1(&message.into()),
    });
    let handle = host(post.clone());
    let on_message = move |value: JsValue| match super::protocol::from_js::<Command>(value) {
        Ok(command) => handle(command),
        Err(message) => web_sys::console::error_1(&message.into()),
    };
    Closure::<dyn Fn(JsValue)>::new(on_message).into_js_value().unchecked_into()
}
