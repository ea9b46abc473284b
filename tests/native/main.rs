//! The native integration tests, one test binary with a module per area (so the suite links wgpu once). GPU tests
//! run on the Vulkan adapter (Mesa lavapipe without a GPU) and skip when there is none, unless `REQUIRE_GPU=1`.
//! Run one area with `cargo test --test native ccl::`; the browser suites are `web`, `web_bench` and `e2e`.
#![cfg(not(target_arch = "wasm32"))]

#[macro_use]
mod common;

mod ccl;
mod ccl_conv;
mod cli;
mod data;
mod feedback_alignment;
mod forwardgnn;
mod forwardgnn_links;
mod fuzz_regressions;
mod gallery;
mod gradients;
mod graph_ops;
mod graph_recovery;
mod graphs;
mod images;
mod kernels;
mod kernels_layers;
mod layout;
mod links;
mod noprop;
mod noprop_variants;
mod optimizers;
mod registry;
mod repro_merge;
mod results;
mod selection;
mod training;
mod uploads;
mod weights;
mod wgsl;
