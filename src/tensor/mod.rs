//! Tensors and the operations on them, on two backends: [`cpu`] (ndarray, the reference) and [`gpu`] (wgpu:
//! WebGPU in the browser, Vulkan natively). A [`Device`] picks the backend; every op checks shapes once here,
//! then matches on the backend (one `match` per op). Tensors are row-major f32 matrices.
//!
//! GPU ops only record work; nothing waits for the device until [`Tensor::to_vec`].

pub mod cpu;
mod gat;
pub mod gpu;
mod image;
mod losses;
mod norm;
mod ops;
pub mod self_test;
mod sparse;

pub use gat::GatGraph;
pub use gpu::{AdapterSummary, Gpu, GpuTensor, KernelTime, MemoryStats};
pub use image::{
    conv2d, conv2d_input_grad, conv2d_weight_grad, max_pool2x2, max_pool2x2_backward, upsample2x, upsample2x_backward,
    Conv2dShape,
};
pub use losses::*;
pub use norm::{batch_norm, batch_norm_backward, batch_norm_stats};
pub use ops::*;
pub use self_test::{self_test, SelfTest};
pub use sparse::{scatter_add_rows, spmm, spmm_transposed, spmm_transposed_weighted, spmm_weighted, Csr};

use crate::error::{Error, Result};
use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// Where tensors live and ops run.
#[derive(Clone, Debug, PartialEq)]
pub enum Device {
    /// ndarray on the CPU (wasm in the browser).
    Cpu,
    /// A wgpu adapter.
    Gpu(Gpu),
}

/// Which backend a run asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendChoice {
    /// The GPU when a hardware adapter exists, else the CPU: a software adapter (lavapipe, SwiftShader) runs
    /// the same kernels many times slower than the CPU backend (ForwardGNN-FF on Cora-ML: 26×), so `Auto`
    /// takes it only when asked for with `Gpu`.
    #[default]
    Auto,
    /// Always the CPU.
    Cpu,
    /// The GPU; an error when there is no adapter.
    Gpu,
}

impl BackendChoice {
    /// Parses `auto`, `cpu` or `gpu` (also `webgpu`).
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "auto" => Ok(BackendChoice::Auto),
            "cpu" => Ok(BackendChoice::Cpu),
            "gpu" | "webgpu" => Ok(BackendChoice::Gpu),
            other => Err(Error::invalid("backend", format!("`{other}` (use auto, cpu or gpu)"))),
        }
    }
}

impl Device {
    /// Opens the device `choice` asks for. With `Auto`, a missing or software adapter gives the CPU.
    pub async fn open(choice: BackendChoice) -> Result<Device> {
        match choice {
            BackendChoice::Cpu => Ok(Device::Cpu),
            BackendChoice::Gpu => Ok(Device::Gpu(Gpu::new().await?)),
            BackendChoice::Auto => Ok(match Gpu::new().await {
                Ok(gpu) if !gpu.summary().software => Device::Gpu(gpu),
                _ => Device::Cpu,
            }),
        }
    }

    /// `cpu` or `gpu`.
    pub fn kind(&self) -> &'static str {
        match self {
            Device::Cpu => "cpu",
            Device::Gpu(_) => "gpu",
        }
    }

    /// A human-readable description (adapter name for the GPU).
    pub fn describe(&self) -> String {
        match self {
            Device::Cpu => "CPU (ndarray)".to_string(),
            Device::Gpu(gpu) => gpu.summary().to_string(),
        }
    }

    /// A `rows x cols` tensor with `data` in row-major order.
    pub fn tensor(&self, rows: usize, cols: usize, data: &[f32]) -> Result<Tensor> {
        if data.len() != rows * cols {
            return Err(Error::shape("tensor", format!("{} values for a {rows}x{cols} tensor", data.len())));
        }
        match self {
            Device::Cpu => Array2::from_shape_vec((rows, cols), data.to_vec())
                .map(Tensor::Cpu)
                .map_err(|e| Error::shape("tensor", e.to_string())),
            Device::Gpu(gpu) => Ok(Tensor::Gpu(GpuTensor::from_slice(gpu, &[rows, cols], data)?)),
        }
    }

    /// Uploads an ndarray matrix.
    pub fn from_array(&self, a: &Array2<f32>) -> Result<Tensor> {
        match self {
            Device::Cpu => Ok(Tensor::Cpu(a.clone())),
            Device::Gpu(_) => {
                let data: Vec<f32> = a.iter().copied().collect();
                self.tensor(a.nrows(), a.ncols(), &data)
            }
        }
    }

    /// A `rows x cols` tensor of zeros.
    pub fn zeros(&self, rows: usize, cols: usize) -> Result<Tensor> {
        match self {
            Device::Cpu => Ok(Tensor::Cpu(Array2::zeros((rows, cols)))),
            Device::Gpu(gpu) => Ok(Tensor::Gpu(GpuTensor::zeros(gpu, &[rows, cols])?)),
        }
    }

    /// Device memory held by tensors (all zero on the CPU backend, which does not track it).
    pub fn memory(&self) -> MemoryStats {
        match self {
            Device::Cpu => MemoryStats::default(),
            Device::Gpu(gpu) => gpu.memory(),
        }
    }
}

/// A row-major f32 matrix on one backend.
pub enum Tensor {
    /// On the CPU.
    Cpu(Array2<f32>),
    /// On the GPU.
    Gpu(GpuTensor),
}

impl std::fmt::Debug for Tensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Tensor::Cpu(a) => write!(f, "Tensor::Cpu({:?})", a.shape()),
            Tensor::Gpu(g) => write!(f, "Tensor::Gpu({:?})", g.shape()),
        }
    }
}

impl Tensor {
    /// `[rows, cols]`.
    pub fn shape(&self) -> [usize; 2] {
        match self {
            Tensor::Cpu(a) => [a.nrows(), a.ncols()],
            Tensor::Gpu(g) => [g.shape()[0], g.shape()[1]],
        }
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.shape()[0]
    }

    /// Columns.
    pub fn cols(&self) -> usize {
        self.shape()[1]
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.rows() * self.cols()
    }

    /// True when the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The device this tensor lives on.
    pub fn device(&self) -> Device {
        match self {
            Tensor::Cpu(_) => Device::Cpu,
            Tensor::Gpu(g) => Device::Gpu(g.gpu().clone()),
        }
    }

    /// Reads the values back in row-major order (waits for the GPU).
    pub async fn to_vec(&self) -> Result<Vec<f32>> {
        match self {
            Tensor::Cpu(a) => Ok(a.iter().copied().collect()),
            Tensor::Gpu(g) => g.to_vec().await,
        }
    }

    /// Reads the values back as an ndarray matrix.
    pub async fn to_array(&self) -> Result<Array2<f32>> {
        let [rows, cols] = self.shape();
        Array2::from_shape_vec((rows, cols), self.to_vec().await?).map_err(|e| Error::shape("to_array", e.to_string()))
    }

    /// The same values as a `rows x cols` matrix (row-major order kept; no copy).
    pub fn reshape(self, rows: usize, cols: usize) -> Result<Tensor> {
        if rows * cols != self.len() {
            return Err(Error::shape("reshape", format!("{:?} -> [{rows}, {cols}]", self.shape())));
        }
        match self {
            Tensor::Cpu(a) => a
                .as_standard_layout()
                .to_owned()
                .into_shape_with_order((rows, cols))
                .map(Tensor::Cpu)
                .map_err(|e| Error::shape("reshape", e.to_string())),
            Tensor::Gpu(g) => Ok(Tensor::Gpu(g.reshape(&[rows, cols])?)),
        }
    }

    /// A copy on the same device.
    pub fn try_clone(&self) -> Result<Tensor> {
        match self {
            Tensor::Cpu(a) => Ok(Tensor::Cpu(a.clone())),
            Tensor::Gpu(g) => {
                let out = g.gpu().clone();
                let copy = GpuTensor::zeros(&out, g.shape())?;
                gpu::add_scaled(&out, &copy, g, 1.0)?;
                Ok(Tensor::Gpu(copy))
            }
        }
    }
}

/// Elementwise nonlinearities; the code is the `kind` the WGSL kernels switch on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// `f(x) = x`.
    Identity,
    /// `max(x, 0)`.
    #[default]
    Relu,
    /// `tanh(x)`.
    Tanh,
    /// `1 / (1 + e^-x)`.
    Sigmoid,
    /// `x` for `x > 0`, else `e^x - 1` (α = 1, PyTorch's default).
    Elu,
    /// `x Φ(x)`, the exact (erf) form, PyTorch's default.
    Gelu,
    /// `x²`: the elementwise square behind ForwardGNN-FF's edge goodness (not offered as a layer activation in
    /// the page).
    Square,
}

impl Activation {
    /// The `kind` code shared with `activation.wgsl`.
    pub fn code(self) -> u32 {
        match self {
            Activation::Identity => 0,
            Activation::Relu => 1,
            Activation::Tanh => 2,
            Activation::Sigmoid => 3,
            Activation::Elu => 4,
            Activation::Gelu => 5,
            Activation::Square => 6,
        }
    }
}

/// Hyper-parameters of one Adam step (`t` counts from 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamStep {
    pub lr: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub eps: f32,
    pub weight_decay: f32,
    /// AdamW (decay applied to the weights) instead of L2 added to the gradient.
    pub decoupled: bool,
    /// Step number, from 1.
    pub t: u32,
}

impl AdamStep {
    /// `(1 - beta1^t, 1 - beta2^t)`.
    pub fn bias_corrections(&self) -> (f32, f32) {
        let t = self.t.max(1) as i32;
        (1.0 - self.beta1.powi(t), 1.0 - self.beta2.powi(t))
    }
}

/// Hyper-parameters of one SGD step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SgdStep {
    pub lr: f32,
    pub momentum: f32,
    pub weight_decay: f32,
}

/// What [`reduce`] computes along its axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduction {
    /// Sum.
    Sum,
    /// Arithmetic mean.
    Mean,
    /// Maximum.
    Max,
    /// Index of the first maximum (as f32).
    Argmax,
}

impl Reduction {
    /// The `op` code of `reduce.wgsl`.
    pub fn code(self) -> u32 {
        match self {
            Reduction::Sum => 0,
            Reduction::Mean => 1,
            Reduction::Max => 2,
            Reduction::Argmax => 3,
        }
    }
}

/// A distribution for [`random`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Distribution {
    /// Uniform in `[lo, hi)`.
    Uniform { lo: f32, hi: f32 },
    /// Gaussian with this mean and standard deviation.
    Normal { mean: f32, std: f32 },
}

impl Distribution {
    /// `(dist code, a, b)` of `random.wgsl`.
    pub fn params(self) -> (u32, f32, f32) {
        match self {
            Distribution::Uniform { lo, hi } => (0, lo, hi),
            Distribution::Normal { mean, std } => (1, mean, std),
        }
    }
}

/// A rectangular block to copy: `height x width` elements from `src = [row, col]` to `dst = [row, col]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Block {
    pub height: usize,
    pub width: usize,
    pub src: [usize; 2],
    pub dst: [usize; 2],
}
