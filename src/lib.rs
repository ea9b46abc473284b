//! # bpfree
//!
//! Train neural networks without backpropagation, live, in the browser (WebGPU) or natively (Vulkan).
//!
//! Modules, lower layers first (arrows point one way: nothing imports a module listed after it):
//!
//! | module | what it holds |
//! |---|---|
//! | [`error`] | the one error enum |
//! | [`rng`] | the seeded RNG every random draw uses |
//! | [`data`] | datasets as plain arrays, and their registry |
//! | [`tensor`] | tensors and ops on the CPU (ndarray) and GPU (wgpu, one WGSL file per kernel) backends |
//! | [`nn`] | layers with explicit forward/backward, losses, optimisers |
//! | [`config`] | `RunConfig`, the whole definition of a run |
//! | [`algorithms`] | one folder per paper, the backprop baseline, and the registry |
//! | [`train`] | the resumable training step function |
//! | [`share`] | `RunConfig` <-> share-link query string |
//! | [`native`] | the native `bpfree` command: training runs, the papers' tables, benchmarks (not on wasm) |
//! | `ui` | the Leptos page (wasm only) |

pub mod algorithms;
pub mod config;
pub mod data;
pub mod error;
pub mod nn;
pub mod rng;
pub mod share;
pub mod tensor;
pub mod train;

#[cfg(not(target_arch = "wasm32"))]
pub mod native;

pub use error::{Error, Result};
