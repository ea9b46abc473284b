//! Where a GPU step's time goes (issue #31): while a [`Gpu`] profiles, every launch is submitted on its own and
//! waited for, and its wall time (recording, submit, execution) is added to its kernel's row. Native only: a page
//! cannot wait for the device inside a step. `bpfree bench mlp --profile` prints the table.

use super::Gpu;
use std::collections::BTreeMap;

/// One kernel's share of a profiled stretch of work.
#[derive(Clone, Debug, PartialEq)]
pub struct KernelTime {
    /// The launch label (the kernel's name, or the op's where one kernel serves several).
    pub label: &'static str,
    /// Dispatches.
    pub calls: u64,
    /// Wall seconds from recording the dispatch to the device finishing it.
    pub seconds: f64,
    /// Bytes of the buffers bound to the dispatches (its parameters included): what it may read and write.
    pub bytes: u64,
}

/// The rows being collected, by label.
#[derive(Default)]
pub(crate) struct Profile(BTreeMap<&'static str, (u64, f64, u64)>);

impl Profile {
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn add(&mut self, label: &'static str, seconds: f64, bytes: u64) {
        let row = self.0.entry(label).or_default();
        row.0 += 1;
        row.1 += seconds;
        row.2 += bytes;
    }
}

impl Gpu {
    /// Starts (or restarts) profiling: from now on every launch waits for the device (much slower than usual).
    pub fn start_profile(&self) {
        self.flush();
        *self.0.profile.borrow_mut() = Some(Profile::default());
    }

    /// Stops profiling and returns the rows, the most time first (none in a browser, where launches never wait).
    pub fn take_profile(&self) -> Vec<KernelTime> {
        let Some(Profile(rows)) = self.0.profile.borrow_mut().take() else { return Vec::new() };
        let mut rows: Vec<KernelTime> = rows
            .into_iter()
            .map(|(label, (calls, seconds, bytes))| KernelTime { label, calls, seconds, bytes })
            .collect();
        rows.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
        rows
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn profiling(&self) -> bool {
        self.0.profile.borrow().is_some()
    }
}
