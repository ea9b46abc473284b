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
//! | [`algorithms`] | one file per paper, and the registry |
//! | [`train`] | the resumable training step function |
//! | [`share`] | `RunConfig` <-> share-link query string |
//! | `cli`, `bench` | the native `bpfree` command and its benchmark (not on wasm) |
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
pub mod bench;
#[cfg(not(target_arch = "wasm32"))]
pub mod bench_forwardgnn;
#[cfg(not(target_arch = "wasm32"))]
pub mod bench_noprop;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli_graph;
#[cfg(not(target_arch = "wasm32"))]
pub mod repro;
#[cfg(not(target_arch = "wasm32"))]
pub mod repro_forwardgnn;
#[cfg(not(target_arch = "wasm32"))]
pub mod repro_forwardgnn_merge;
#[cfg(not(target_arch = "wasm32"))]
pub mod repro_noprop;
#[cfg(target_arch = "wasm32")]
pub mod ui;

pub use error::{Error, Result};
