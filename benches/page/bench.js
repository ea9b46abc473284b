// The side-by-side benchmark (dev only; scripts/bench-tfjs.sh builds, serves and drives it): the MLP 784-256-256-10
// trained with backprop (Adam 1e-3, softmax cross-entropy, batch 128) by bpfree's own training loop
// (page/src/bin/bench_page.rs) and by TensorFlow.js 4.22 (`@tensorflow/tfjs`, pinned in benches/tfjs/package-lock.json),
// on the wasm CPU path and on WebGPU, in this one browser, one after another. Every step uploads a new host batch
// in both libraries, as a training loop over a dataset does. Results land in `window.benchResults`.
import init, { bpfreeMlp, bpfreeAdapter, bpfreeGcn, bpfreeCoraDense, bpfreePreset, bpfreeGraphPreset } from "./bench_page.js";

const QUERY = new URLSearchParams(location.search);
const STEPS = Number(QUERY.get("steps") || 100);
// `?backends=cpu` skips WebGPU (the busy-machine comparison is about the one-thread CPU path)
const CPU_ONLY = QUERY.get("backends") === "cpu";
// `?rounds=N` measures each MLP pair N times, alternating the libraries (the driver prints the median ratio)
const ROUNDS = Math.max(1, Number(QUERY.get("rounds") || 1));
// `?busy=worker` or `?busy=process`: each round of the CPU MLP runs twice, idle, then with another core busy: a
// Web Worker spinning in this page, or a process the driver (tests/e2e_cases/bench_tfjs.rs) starts and stops on request
const BUSY = QUERY.get("busy");

// Makes another core busy; resolves to the function that frees it.
async function busyCore() {
  if (BUSY === "process") {
    await driverSets("busy");
    return () => driverSets("idle");
  }
  const url = URL.createObjectURL(new Blob(["postMessage(0); for (;;) {}"], { type: "text/javascript" }));
  const worker = new Worker(url);
  await new Promise((resolve) => { worker.onmessage = resolve; });
  return async () => worker.terminate();
}

// Asks the driver for a spinning process (`busy`) or none (`idle`) and waits until it says it is done.
async function driverSets(state) {
  window.benchWant = state;
  while (window.benchHave !== state) await new Promise((resolve) => setTimeout(resolve, 50));
  await new Promise((resolve) => setTimeout(resolve, 300));
}
const BATCH = 128;
const results = [];

function show(row) {
  results.push(row);
  const tr = document.createElement("tr");
  const speed = row.samples_per_s !== undefined ? `${row.samples_per_s.toFixed(0)} samples/s`
    : row.steps_per_s !== undefined ? `${row.steps_per_s.toFixed(1)} steps/s` : `${row.epochs_per_s.toFixed(2)} epochs/s`;
  for (const v of [row.library, row.backend, row.benchmark, speed]) {
    const td = document.createElement("td");
    td.textContent = v;
    tr.appendChild(td);
  }
  document.getElementById("results").appendChild(tr);
}

// TF.js: the same network, loss, optimiser and batch; a fresh batch tensor from host memory every step
async function tfjsMlp(backend, steps) {
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} did not start`);
  await tf.ready();
  const model = tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [784], units: 256, activation: "relu" }),
    tf.layers.dense({ units: 256, activation: "relu" }),
    tf.layers.dense({ units: 10 }),
  ] });
  const optimizer = tf.train.adam(1e-3);
  const rows = BATCH * 8;
  const host = new Float32Array(rows * 784).map(() => Math.random());
  const labels = new Int32Array(rows).map(() => Math.floor(Math.random() * 10));
  const step = (i) => tf.tidy(() => {
    const at = (i % 8) * BATCH;
    const x = tf.tensor2d(host.subarray(at * 784, (at + BATCH) * 784), [BATCH, 784]);
    const y = tf.oneHot(tf.tensor1d(labels.subarray(at, at + BATCH), "int32"), 10);
    return optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x)), true);
  });
  for (let i = 0; i < 5; i++) { const l = step(i); await l.data(); l.dispose(); }
  const start = performance.now();
  let last = null;
  for (let i = 0; i < steps; i++) { if (last) last.dispose(); last = step(i); }
  await last.data(); // waits for every step before it
  const seconds = (performance.now() - start) / 1e3;
  last.dispose();
  model.dispose();
  optimizer.dispose();
  return (steps * BATCH) / seconds;
}

// TF.js's GCN (it has no sparse matmul with gradients): Kipf & Welling's 2-layer GCN with a dense normalised
// adjacency, relu(Â X W1) then Â H W2, softmax cross-entropy on the training nodes, Adam; one epoch = one
// full-graph forward and backward step (bpfree's epoch also evaluates the validation nodes)
async function tfjsGcn(backend, epochs, cora) {
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} did not start`);
  await tf.ready();
  const { n, f, classes, hidden } = cora;
  const adj = tf.tensor2d(cora.adj, [n, n]);
  const x = tf.tensor2d(cora.x, [n, f]);
  // the training nodes as loss weights (a gather's gradient needs a kernel TF.js's wasm backend lacks)
  const mask = new Float32Array(n);
  for (const i of cora.train) mask[i] = 1;
  const train = tf.tensor1d(mask);
  const y = tf.oneHot(tf.tensor1d(cora.labels.map((l) => (l >= 0 && l < classes ? l : 0)), "int32"), classes);
  const w1 = tf.variable(tf.randomNormal([f, hidden], 0, Math.sqrt(2 / (f + hidden))));
  const w2 = tf.variable(tf.randomNormal([hidden, classes], 0, Math.sqrt(2 / (hidden + classes))));
  const optimizer = tf.train.adam(0.01);
  const step = () => optimizer.minimize(() => {
    const h = tf.relu(tf.matMul(adj, tf.matMul(x, w1)));
    const out = tf.matMul(adj, tf.matMul(h, w2));
    return tf.losses.softmaxCrossEntropy(y, out, train);
  }, true);
  for (let i = 0; i < 3; i++) { const l = step(); await l.data(); l.dispose(); }
  const start = performance.now();
  let last = null;
  for (let i = 0; i < epochs; i++) { if (last) last.dispose(); last = step(); }
  await last.data();
  const seconds = (performance.now() - start) / 1e3;
  last.dispose();
  for (const t of [adj, x, train, y, w1, w2]) t.dispose();
  optimizer.dispose();
  return epochs / seconds;
}

async function main() {
  await init();
  const adapter = await bpfreeAdapter();
  const info = { userAgent: navigator.userAgent, adapter, steps: STEPS, crossOriginIsolated: self.crossOriginIsolated };
  const gpu = !adapter.startsWith("none");
  tf.wasm.setWasmPaths("./tfjs/");
  const runs = [["cpu", "wasm"]].concat(gpu && !CPU_ONLY ? [["gpu", "webgpu"]] : []);
  for (const [ours, theirs] of runs) {
    const label = ours === "cpu" ? "wasm CPU (1 thread)" : `WebGPU: ${adapter}`;
    // a GPU step is slow on a software adapter: fewer steps there
    const steps = ours === "gpu" && adapter.includes("software") ? Math.max(10, STEPS / 5) : STEPS;
    for (let round = 0; round < ROUNDS; round++) {
      for (const busy of BUSY && ours === "cpu" ? [false, true] : [false]) {
        const free = busy ? await busyCore() : null;
        const where = busy ? `${label}, other core busy` : label;
        // over several rounds bpfree runs 10x the steps, so both clocks run for about as long (a 1-s sample is noisy)
        const ourSteps = ROUNDS > 1 && ours === "cpu" ? 10 * steps : steps;
        show({ library: "bpfree", backend: where, benchmark: `MLP 784-256-256-10, ${ourSteps} steps`, samples_per_s: await bpfreeMlp(ours, ourSteps) });
        show({ library: "TF.js 4.22", backend: where, benchmark: `MLP 784-256-256-10, ${steps} steps`, samples_per_s: await tfjsMlp(theirs, steps) });
        if (free) await free();
      }
    }
  }
  const cora = await bpfreeCoraDense();
  for (const [ours, theirs] of runs) {
    const label = ours === "cpu" ? "wasm CPU (1 thread)" : `WebGPU: ${adapter}`;
    const epochs = ours === "gpu" && adapter.includes("software") ? 5 : 20;
    const bench = `GCN 2 layers (hidden ${cora.hidden}), Cora, ${epochs} epochs`;
    show({ library: "bpfree", backend: label, benchmark: bench, epochs_per_s: await bpfreeGcn(ours, epochs) });
    show({ library: "TF.js 4.22 (dense)", backend: label, benchmark: bench, epochs_per_s: await tfjsGcn(theirs, epochs, cora) });
  }
  // the page's presets, one per family (bpfree only): steps/s on MNIST-shaped data, epochs/s on Cora
  const families = [["backprop", "mlp"], ["ccl", "mlp"], ["feedback-alignment", "mlp"], ["noprop-dt", "noprop"]];
  for (const [ours] of runs) {
    const label = ours === "cpu" ? "wasm CPU (1 thread)" : `WebGPU: ${adapter}`;
    const slow = ours === "gpu" && adapter.includes("software");
    for (const [algo, arch] of families) {
      const steps = slow ? 3 : 20;
      show({ library: "bpfree", backend: label, benchmark: `page preset ${algo} (${arch}), ${steps} steps`, steps_per_s: await bpfreePreset(algo, arch, ours, steps) });
    }
    const epochs = slow ? 3 : 20;
    show({ library: "bpfree", backend: label, benchmark: `page preset forwardgnn-sf (GCN, 2 layers) on Cora, ${epochs} epochs`, epochs_per_s: await bpfreeGraphPreset("forwardgnn-sf", ours, epochs) });
  }
  document.getElementById("status").textContent = `Done: ${navigator.userAgent}; adapter ${adapter}`;
  window.benchResults = { info, results };
}

main().catch((e) => {
  document.getElementById("status").textContent = `Failed: ${e}`;
  window.benchResults = { error: String(e) };
});
