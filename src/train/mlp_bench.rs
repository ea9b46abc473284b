//! The MLP every throughput comparison uses (issue #31): 784-256-256-10 with ReLU, backprop, Adam 1e-3, softmax
//! cross-entropy, batch 128, on random MNIST-shaped data. `bpfree bench` times it natively, the benchmark page
//! (`page/src/bin/bench_page.rs`) in the browser beside TensorFlow.js, `benches/candle-mlp` with candle.

use crate::config::RunConfig;
use crate::data::Dataset;
use crate::nn::OptimizerConfig;
use crate::rng::Rng;
use crate::tensor::Activation;
use ndarray::Array2;

/// Batch size of the benchmark.
pub const BENCH_BATCH: usize = 128;

/// Floating-point operations of one training example: forward `2·P` multiply-adds over the `P` weights, backward
/// `2·P` for the weights' gradients and `2·P` for each layer's input gradient, less the first layer's (its input
/// needs none, and no library in the comparison computes it).
pub const BENCH_FLOP_PER_SAMPLE: f64 = 6.0 * (784.0 * 256.0 + 256.0 * 256.0 + 256.0 * 10.0) - 2.0 * 784.0 * 256.0;

/// The run: backprop on the MLP 784-256-256-10 (ReLU, biases), Adam 1e-3, batch [`BENCH_BATCH`], no gradient
/// clipping, no validation split.
pub fn bench_mlp_config() -> RunConfig {
    let mut cfg = crate::algorithms::preset("backprop", "mnist");
    cfg.model.hidden = vec![256, 256];
    cfg.model.activation = Activation::Relu;
    // as TF.js's `dense` and candle's `linear` layers: biases, and no gradient clipping (the page's MNIST preset
    // has neither)
    cfg.model.bias = true;
    cfg.grad_clip = 0.0;
    cfg.batch_size = BENCH_BATCH;
    cfg.optimizer =
        OptimizerConfig::Adam { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0, decoupled: false };
    cfg.validation = false;
    cfg
}

/// `rows` random inputs of 784 values in `[0, 1)` with labels in `0..10` (seeded); the test set is the first batch.
pub fn bench_mlp_data(rows: usize) -> Dataset {
    let mut rng = Rng::new(7);
    let x = Array2::from_shape_fn((rows, 784), |_| rng.uniform(0.0, 1.0));
    let y: Vec<u32> = (0..rows).map(|_| rng.below(10) as u32).collect();
    let keep = BENCH_BATCH.min(rows);
    Dataset {
        name: "bench".into(),
        x_test: x.slice(ndarray::s![..keep, ..]).to_owned(),
        y_test: y[..keep].to_vec(),
        x_train: x,
        y_train: y,
        x_val: Array2::zeros((0, 784)),
        y_val: Vec::new(),
        classes: 10,
        plane: None,
        image: Some([1, 28, 28]),
        class_names: Vec::new(),
        normalization: None,
    }
}
