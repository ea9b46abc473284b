//! `bpfree bench` in the browser: the same measurements for this wasm build's CPU backend and the browser's
//! WebGPU adapter, printed to the console of `wasm-pack test` (numbers, never assertions).
//!
//! Built plainly (as CI does) it runs small shapes so the suite stays short on a software adapter. Built with
//! `BPFREE_BENCH=full` it runs `bpfree bench`'s shapes: matmul 256-2048 (the naive GPU kernel up to 1024),
//! SpMM with 10^5 and 10^6 edges x 128 features, conv2d 3x3 on 64x32x28x28, one Adam step on 10^6 parameters:
//!
//! ```text
//! BPFREE_BENCH=full wasm-pack test --release --headless --chrome --mode no-install -- --test web_bench -- --nocapture
//! ```
#![cfg(target_arch = "wasm32")]

use bpfree::rng::Rng;
use bpfree::tensor::{self, AdamStep, Conv2dShape, Csr, Device, Gpu, Tensor};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn full() -> bool {
    option_env!("BPFREE_BENCH") == Some("full")
}

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

fn random(device: &Device, rows: usize, cols: usize, rng: &mut Rng) -> Tensor {
    let data: Vec<f32> = (0..rows * cols).map(|_| rng.uniform(-1.0, 1.0)).collect();
    device.tensor(rows, cols, &data).unwrap()
}

/// Seconds per call of `op` after one warm-up call: at least 0.3 s and 3 calls, or one call when a call
/// takes over 2 s (the 2048 matmul on a software adapter).
async fn per_call<F, Fut>(mut op: F) -> f64
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    op().await;
    let start = now_ms();
    let mut calls = 0;
    loop {
        op().await;
        calls += 1;
        let elapsed = now_ms() - start;
        if elapsed >= 300.0 && (calls >= 3 || elapsed >= 2000.0) {
            return elapsed / 1e3 / calls as f64;
        }
    }
}

/// Each timed call ends in a readback, so GPU timings include the device work.
async fn sync(t: &Tensor) {
    t.to_vec().await.unwrap();
}

#[wasm_bindgen_test]
async fn bench_in_browser() {
    let simd = if cfg!(target_feature = "simd128") { "simd128" } else { "no simd" };
    let mut devices = vec![(format!("wasm cpu ({simd})"), Device::Cpu)];
    let start = now_ms();
    match Gpu::new().await {
        Ok(gpu) => {
            // The browser compiles the pipelines in the background; the first readback waits for all of them
            // (SwiftShader once took 95 s over one kernel, docs/benchmarks.md).
            let opened = now_ms();
            let gpu = Device::Gpu(gpu);
            sync(&gpu.tensor(1, 1, &[1.0]).unwrap()).await;
            console_log!(
                "BENCH webgpu: context {:.0} ms, every pipeline compiled {:.0} ms later",
                opened - start,
                now_ms() - opened
            );
            devices.push(("webgpu".to_string(), gpu));
        }
        Err(e) => console_log!("BENCH no WebGPU adapter ({e}): CPU only"),
    }
    let full = full();
    let sizes: &[usize] = if full { &[256, 512, 1024, 2048] } else { &[64, 128, 256] };
    let edge_counts: &[usize] = if full { &[100_000, 1_000_000] } else { &[10_000] };
    let images = if full { 64 } else { 4 };
    let params = if full { 1_000_000 } else { 100_000 };
    console_log!("BENCH mode: {}", if full { "full (bpfree bench's shapes)" } else { "small (CI)" });
    for (name, device) in &devices {
        let mut rng = Rng::new(1);
        for &n in sizes {
            let (a, b) = (random(device, n, n, &mut rng), random(device, n, n, &mut rng));
            let flop = 2.0 * (n as f64).powi(3);
            let s = per_call(|| async { sync(&tensor::matmul(&a, &b, false, false).unwrap()).await }).await;
            console_log!("BENCH {name} matmul {n}: {:.2} ms, {:.3} GFLOP/s", s * 1e3, flop / s / 1e9);
            if let Device::Gpu(gpu) = device {
                // the other product kernel than the adapter's choice (`Gpu::direct_kernels`)
                let chosen = gpu.direct_kernels();
                gpu.set_direct_kernels(!chosen);
                let s = per_call(|| async { sync(&tensor::matmul(&a, &b, false, false).unwrap()).await }).await;
                let other = if chosen { "tiled" } else { "direct" };
                console_log!("BENCH {name} matmul ({other}) {n}: {:.2} ms, {:.3} GFLOP/s", s * 1e3, flop / s / 1e9);
                gpu.set_direct_kernels(chosen);
                console_log!("BENCH {name} uses the {} matmul", if chosen { "direct" } else { "tiled" });
            }
            if matches!(device, Device::Gpu(_)) && n <= 1024 {
                let s = per_call(|| async { sync(&tensor::matmul_naive(&a, &b, false, false).unwrap()).await }).await;
                console_log!("BENCH {name} matmul_naive {n}: {:.2} ms, {:.3} GFLOP/s", s * 1e3, flop / s / 1e9);
            }
        }
        for &edges in edge_counts {
            let nodes = edges / 10;
            let list: Vec<(u32, u32)> =
                (0..edges).map(|_| (rng.below(nodes) as u32, rng.below(nodes) as u32)).collect();
            let graph = Csr::gcn_normalized(device, nodes, &list).unwrap();
            let x = random(device, nodes, 128, &mut rng);
            let s = per_call(|| async { sync(&tensor::spmm(&graph, &x).unwrap()).await }).await;
            let nnz = graph.nnz() as f64;
            console_log!(
                "BENCH {name} spmm {edges} edges (+self-loops), {nodes} nodes x 128: {:.2} ms, {:.2} M edges/s",
                s * 1e3,
                nnz / s / 1e6
            );
        }
        let shape = Conv2dShape { in_ch: 32, height: 28, width: 28, out_ch: 32, stride: 1, pad: 1 };
        let x = random(device, images, shape.in_len(), &mut rng);
        let w = random(device, 32, 32 * 9, &mut rng);
        let bias = device.zeros(1, 32).unwrap();
        let flop = 2.0 * images as f64 * shape.out_len() as f64 * (32 * 9) as f64;
        let s = per_call(|| async { sync(&tensor::conv2d(&x, &w, &bias, &shape).unwrap()).await }).await;
        console_log!(
            "BENCH {name} conv2d 3x3 {images}x32x28x28 -> 32: {:.2} ms, {:.3} GFLOP/s",
            s * 1e3,
            flop / s / 1e9
        );
        let cols = params / 1000;
        let mut p = random(device, 1000, cols, &mut rng);
        let g = random(device, 1000, cols, &mut rng);
        let (mut m, mut v) = (device.zeros(1000, cols).unwrap(), device.zeros(1000, cols).unwrap());
        let steps = 20;
        let start = now_ms();
        for t in 1..=steps {
            let hp = AdamStep { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0, decoupled: false, t };
            tensor::adam(&mut p, &g, &mut m, &mut v, &hp).unwrap();
        }
        sync(&p).await;
        let s = (now_ms() - start) / 1e3 / steps as f64;
        console_log!("BENCH {name} adam {params} params: {:.2} ms, {:.0} M params/s", s * 1e3, params as f64 / s / 1e6);
    }
}
