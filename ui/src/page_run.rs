//! What the page's training loop ([`super::train_loop`]) asks of a run: take it out of the session, train a slice,
//! put it back. The 2-D/image runner and the graph runner implement it; neither knows the loop.

use super::session::{Session, SessionInner};
use super::{AdapterProbe, TrainState};
use bpfree::config::RunConfig;
use bpfree::error::Result;
use leptos::prelude::*;

/// A change to the page's state that a slice of training produced.
pub(super) type StateChange = Box<dyn FnOnce(&mut TrainState)>;

/// What one slice of training produced.
pub(super) struct Slice {
    /// Applied to the page's state if the run is still current.
    pub update: Option<StateChange>,
    /// The loop stops after this slice (Step done, budget spent, run finished or diverged).
    pub stop: bool,
}

/// A run the page trains in slices: a `Trainer` (2-D sets and images) or a `GraphTrainer`.
pub(super) trait PageRun: Sized {
    /// Takes the run out of the session, or builds it from `cfg` (fetching its data first), so that no borrow
    /// of the session is held across an await.
    async fn take(
        session: &Session,
        cfg: &RunConfig,
        probe: &AdapterProbe,
        state: RwSignal<TrainState>,
    ) -> Result<Self>;

    /// Trains one slice (a few milliseconds, or up to the end of the epoch) and says what the page learns.
    async fn slice(&mut self, cfg: &RunConfig, state: RwSignal<TrainState>, one_epoch: bool) -> Result<Slice>;

    /// After a failed slice: the run rebuilt where it can go on (a GPU error moves it to the CPU from its last good
    /// weights), with the message to show; `None` when the error ends the run.
    fn recover(&self, _cfg: &RunConfig, _error: &bpfree::error::Error) -> Option<(Self, String)> {
        None
    }

    /// Puts the run back into the session.
    fn store(self, session: &mut SessionInner);
}
