//! The native program (not built for wasm): the `bpfree` command line ([`cli`]), running one training to the end
//! ([`runs`]), the papers' tables ([`repro`]) and the benchmarks ([`mod@bench`]). Arrows point one way:
//! `cli` → `repro`, `bench` → `runs` → `train`.

pub mod bench;
pub mod cli;
mod files;
pub mod repro;
pub mod runs;
