//! The page's handle on the training worker: sends commands, counts the generations of the page's state, and
//! waits for the answers to weights exports. Started, and heard, by [`super::worker_link`].

use super::protocol::{to_js, Command, File};
use bpfree::config::RunConfig;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::JsValue;

/// Where the answer to a weights export lands.
type Answer = Rc<RefCell<Option<Result<File, String>>>>;

/// The page's handle on the worker.
pub struct WorkerLink {
    worker: web_sys::Worker,
    /// Bumped by every Show and Reset: reports of an older generation are dropped.
    generation: Cell<u64>,
    next_id: Cell<u32>,
    /// Commands sent, and the number of the last one that set fields the worker also sets (Train, Pause).
    posted: Cell<u64>,
    wrote: Cell<u64>,
    /// Weights exports waiting for their file.
    waiting: RefCell<HashMap<u32, Answer>>,
    resolvers: RefCell<HashMap<u32, js_sys::Function>>,
}

impl WorkerLink {
    pub(super) fn new(worker: web_sys::Worker) -> Self {
        WorkerLink {
            worker,
            generation: Cell::new(0),
            next_id: Cell::new(0),
            posted: Cell::new(0),
            wrote: Cell::new(0),
            waiting: RefCell::new(HashMap::new()),
            resolvers: RefCell::new(HashMap::new()),
        }
    }

    /// The page's generation of the state: the number of Shows and Resets sent.
    pub(super) fn generation(&self) -> u64 {
        self.generation.get()
    }

    /// Stops the worker.
    pub(super) fn terminate(&self) {
        self.worker.terminate();
    }

    /// Sends `command` (Train or Pause), which sets fields of the page's state that the worker sets too.
    pub fn post_write(&self, command: &Command) {
        self.post(command);
        self.wrote.set(self.posted.get());
    }

    /// A report that left the worker after it had handled `heard` commands predates the page's last Train or
    /// Pause.
    pub(super) fn predates_writes(&self, heard: u64) -> bool {
        heard < self.wrote.get()
    }

    /// Sends `command`.
    pub fn post(&self, command: &Command) {
        self.posted.set(self.posted.get() + 1);
        match to_js(command) {
            Ok(value) => {
                if let Err(e) = self.worker.post_message(&value) {
                    web_sys::console::error_1(&e);
                }
            }
            Err(message) => web_sys::console::error_1(&message.into()),
        }
    }

    /// The next generation of the page's state (for a Show or a Reset).
    pub fn next_generation(&self) -> u64 {
        self.generation.set(self.generation.get() + 1);
        self.generation.get()
    }

    /// The paused run's weights as a file, from the worker.
    pub async fn export(&self, cfg: RunConfig) -> Result<File, String> {
        let id = self.next_id.get();
        self.next_id.set(id.wrapping_add(1));
        let slot = Rc::new(RefCell::new(None));
        self.waiting.borrow_mut().insert(id, slot.clone());
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            self.resolvers.borrow_mut().insert(id, resolve);
        });
        self.post(&Command::ExportWeights { id, cfg });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        let answer = slot.borrow_mut().take();
        answer.unwrap_or_else(|| Err("Export weights: the worker did not answer.".into()))
    }

    pub(super) fn answer(&self, id: u32, result: Result<File, String>) {
        if let Some(slot) = self.waiting.borrow_mut().remove(&id) {
            *slot.borrow_mut() = Some(result);
        }
        if let Some(resolve) = self.resolvers.borrow_mut().remove(&id) {
            let _ = resolve.call0(&JsValue::NULL);
        }
    }
}
