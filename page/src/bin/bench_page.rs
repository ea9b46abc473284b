//! The Rust half of the side-by-side benchmark page (`benches/page/`, dev only, never part of the shipped page):
//! bpfree's own training loop on the MLP 784-256-256-10 (backprop, Adam, batch 128), exported to the page's script
//! as `bpfreeMlp(backend, steps)`, which `benches/page/bench.js` times against TensorFlow.js in the same browser.
//! Built by `scripts/bench-tfjs.sh` with wasm-bindgen (no Trunk); natively this binary only says so.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("bench-page is the wasm half of the benchmark page: run scripts/bench-tfjs.sh");
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(target_arch = "wasm32")]
mod page {
    use bpfree::algorithms::preset;
    use bpfree::data::{dataset_info, load_graph, DataFiles, NodeTask};
    use bpfree::tensor::{Device, Gpu};
    use bpfree::train::{GraphTrainer, Trainer};
    use std::sync::Arc;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    use bpfree::train::{bench_mlp_config, bench_mlp_data, BENCH_BATCH as BATCH};
    /// Warm-up steps before the clock starts (pipelines compiled, buffers pooled).
    const WARMUP: usize = 5;

    fn now_ms() -> f64 {
        web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
    }

    fn js(e: impl std::fmt::Display) -> JsValue {
        JsValue::from_str(&e.to_string())
    }

    /// Bytes of `data/<path>` from the bench page's server.
    async fn fetch(path: &str) -> Result<Vec<u8>, JsValue> {
        let window = web_sys::window().ok_or_else(|| js("no window"))?;
        let response: web_sys::Response =
            wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(&format!("data/{path}"))).await?.dyn_into()?;
        let buffer = wasm_bindgen_futures::JsFuture::from(response.array_buffer()?).await?;
        Ok(js_sys::Uint8Array::new(&buffer).to_vec())
    }

    /// Cora's node task (fold 0, the Planetoid split), from the copy of `www/data/graphs/cora` beside the page.
    async fn cora() -> Result<NodeTask, JsValue> {
        let mut files = DataFiles::new();
        for f in dataset_info("cora").map_err(js)?.files() {
            let bytes = fetch(&f).await?;
            files.insert(f, bytes);
        }
        NodeTask::new(&load_graph("cora", &files).map_err(js)?, 0).map_err(js)
    }

    /// Cora for TF.js's dense GCN: `{n, f, classes, adj, x, labels, train}` — the normalised adjacency
    /// `D^-1/2 (A + I) D^-1/2` and the row-normalised features as dense row-major `Float32Array`s.
    #[wasm_bindgen(js_name = bpfreeCoraDense)]
    pub async fn cora_dense() -> Result<js_sys::Object, JsValue> {
        let task = cora().await?;
        let n = task.num_nodes;
        let mut degree = vec![1.0f32; n];
        for &(s, _) in &task.edges {
            degree[s as usize] += 1.0;
        }
        let mut adj = vec![0.0f32; n * n];
        for i in 0..n {
            adj[i * n + i] = 1.0 / degree[i];
        }
        for &(s, d) in &task.edges {
            let (s, d) = (s as usize, d as usize);
            adj[s * n + d] = 1.0 / (degree[s] * degree[d]).sqrt();
        }
        let f = task.features.cols;
        let mut x = vec![0.0f32; n * f];
        for r in 0..n {
            let (a, b) = (task.features.indptr[r] as usize, task.features.indptr[r + 1] as usize);
            for k in a..b {
                x[r * f + task.features.indices[k] as usize] = task.features.values[k];
            }
        }
        let out = js_sys::Object::new();
        let set = |k: &str, v: JsValue| js_sys::Reflect::set(&out, &k.into(), &v).map(|_| ());
        set("n", n.into())?;
        set("f", f.into())?;
        set("classes", task.num_classes.into())?;
        set("hidden", bpfree::algorithms::forwardgnn::HIDDEN.into())?;
        set("adj", js_sys::Float32Array::from(adj.as_slice()).into())?;
        set("x", js_sys::Float32Array::from(x.as_slice()).into())?;
        set(
            "labels",
            js_sys::Int32Array::from(task.labels.iter().map(|&l| l as i32).collect::<Vec<_>>().as_slice()).into(),
        )?;
        set(
            "train",
            js_sys::Int32Array::from(task.train.iter().map(|&i| i as i32).collect::<Vec<_>>().as_slice()).into(),
        )?;
        Ok(out)
    }

    /// Steps per second of the page's preset of `algorithm` with `arch` (`mlp`, `noprop`, …) on MNIST-shaped data
    /// on `backend`: the preset the page loads when the algorithm is chosen (its on-choose presets applied, e.g.
    /// NoProp's light blocks), timed like [`mlp`].
    #[wasm_bindgen(js_name = bpfreePreset)]
    pub async fn preset_steps(algorithm: String, arch: String, backend: String, steps: usize) -> Result<f64, JsValue> {
        let device = match backend.as_str() {
            "gpu" => Device::Gpu(Gpu::new().await.map_err(js)?),
            _ => Device::Cpu,
        };
        let arch = bpfree::config::Architecture::parse(&arch).map_err(js)?;
        let info = bpfree::algorithms::algorithm_info(&algorithm).map_err(js)?;
        let mut cfg = bpfree::algorithms::preset_for(&algorithm, "mnist", arch);
        for p in info.presets.iter().filter(|p| p.on_choose) {
            if (p.applies)(&cfg) {
                (p.apply)(&mut cfg);
            }
        }
        cfg.validation = false;
        let rows = cfg.batch_size * (WARMUP + steps);
        let mut trainer = Trainer::with_dataset(&cfg, device, Arc::new(bench_mlp_data(rows))).map_err(js)?;
        for _ in 0..WARMUP {
            trainer.step().map_err(js)?;
        }
        trainer.test_logits(1).await.map_err(js)?;
        let start = now_ms();
        let mut done = 0;
        while done < steps && !trainer.epoch_complete() {
            trainer.step().map_err(js)?;
            done += 1;
        }
        trainer.test_logits(1).await.map_err(js)?;
        Ok(done as f64 / ((now_ms() - start) / 1e3))
    }

    /// Epochs per second of ForwardGNN's `algorithm` (2 layers, GCN) on Cora on `backend`, like [`gcn`].
    #[wasm_bindgen(js_name = bpfreeGraphPreset)]
    pub async fn graph_preset(algorithm: String, backend: String, epochs: usize) -> Result<f64, JsValue> {
        graph_epochs(&algorithm, &backend, epochs).await
    }

    /// Epochs per second of a 2-layer GCN (backprop, Adam) on Cora on `backend`: the page's graph epoch, one
    /// full-graph forward and backward and the validation pass, through `GraphTrainer` after 3 warm-up epochs.
    #[wasm_bindgen(js_name = bpfreeGcn)]
    pub async fn gcn(backend: String, epochs: usize) -> Result<f64, JsValue> {
        graph_epochs("backprop", &backend, epochs).await
    }

    async fn graph_epochs(algorithm: &str, backend: &str, epochs: usize) -> Result<f64, JsValue> {
        let device = match backend {
            "gpu" => Device::Gpu(Gpu::new().await.map_err(js)?),
            _ => Device::Cpu,
        };
        let mut cfg = preset(algorithm, "cora");
        cfg.graph.model = bpfree::nn::GnnKind::Gcn;
        cfg.graph.layers = 2;
        cfg.epochs = epochs + 3;
        let mut trainer = GraphTrainer::new(&cfg, Arc::new(cora().await?), device).map_err(js)?;
        for _ in 0..3 {
            trainer.run_epoch().await.map_err(js)?;
        }
        let start = now_ms();
        let mut done = 0;
        while done < epochs && !trainer.done() {
            trainer.run_epoch().await.map_err(js)?;
            done += 1;
        }
        Ok(done as f64 / ((now_ms() - start) / 1e3))
    }

    /// The WebGPU adapter's name, `"software"` when it is a software one, or the reason there is none.
    #[wasm_bindgen(js_name = bpfreeAdapter)]
    pub async fn adapter() -> String {
        match Gpu::new().await {
            Ok(gpu) => {
                let s = gpu.summary();
                format!("{}{}", s.name, if s.software { " (software adapter)" } else { "" })
            }
            Err(e) => format!("none ({e})"),
        }
    }

    /// Samples per second of `steps` training steps of the MLP 784-256-256-10 (backprop, Adam 1e-3, batch 128) on
    /// `backend` (`cpu` or `gpu`), through the page's own `Trainer` (a host batch uploaded every step, as the page
    /// does), after [`WARMUP`] steps; the clock stops when the device has finished (a readback).
    #[wasm_bindgen(js_name = bpfreeMlp)]
    pub async fn mlp(backend: String, steps: usize) -> Result<f64, JsValue> {
        let device = match backend.as_str() {
            "gpu" => Device::Gpu(Gpu::new().await.map_err(js)?),
            _ => Device::Cpu,
        };
        let cfg = bench_mlp_config();
        let rows = BATCH * (WARMUP + steps);
        let mut trainer = Trainer::with_dataset(&cfg, device, Arc::new(bench_mlp_data(rows))).map_err(js)?;
        for _ in 0..WARMUP {
            trainer.step().map_err(js)?;
        }
        trainer.test_logits(1).await.map_err(js)?;
        let start = now_ms();
        for _ in 0..steps {
            trainer.step().map_err(js)?;
        }
        trainer.test_logits(1).await.map_err(js)?; // waits for every step before it
        let seconds = (now_ms() - start) / 1e3;
        Ok((steps * BATCH) as f64 / seconds)
    }
}
