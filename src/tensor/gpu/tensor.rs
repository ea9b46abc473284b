//! [`GpuTensor`]: an f32 storage buffer on the device plus its shape.

use super::Gpu;
use crate::error::{Error, Result};

/// A row-major f32 tensor in a device buffer taken from the [`Gpu`]'s pool (and given back on drop).
pub struct GpuTensor {
    buffer: Option<wgpu::Buffer>,
    shape: Vec<usize>,
    gpu: Gpu,
}

impl GpuTensor {
    /// An uninitialised tensor (every kernel that returns one writes all of it).
    pub(crate) fn empty(gpu: &Gpu, shape: &[usize], op: &'static str) -> Result<Self> {
        let len: usize = shape.iter().product();
        // wgpu rejects zero-sized bindings; keep at least one element.
        let bytes = (len.max(1) * 4) as u64;
        if bytes > gpu.max_buffer_bytes() {
            return Err(Error::TooLarge { op, bytes, limit: gpu.max_buffer_bytes() });
        }
        let buffer = gpu.0.pool.borrow_mut().take(&gpu.0.device, bytes);
        Ok(GpuTensor { buffer: Some(buffer), shape: shape.to_vec(), gpu: gpu.clone() })
    }

    /// A tensor of zeros (cleared on the device, in order with the other pending ops).
    pub fn zeros(gpu: &Gpu, shape: &[usize]) -> Result<Self> {
        let t = Self::empty(gpu, shape, "zeros")?;
        gpu.with_encoder(|encoder| encoder.clear_buffer(t.buffer(), 0, None));
        Ok(t)
    }

    /// Uploads `data` (row-major, `shape.product()` values).
    pub fn from_slice(gpu: &Gpu, shape: &[usize], data: &[f32]) -> Result<Self> {
        let t = Self::empty(gpu, shape, "upload")?;
        // Queue writes run before the next submit's commands: submit what is pending first, so a recycled
        // buffer is not overwritten before earlier ops have read it.
        gpu.flush();
        if !data.is_empty() {
            gpu.0.queue.write_buffer(t.buffer(), 0, bytemuck::cast_slice(data));
        }
        Ok(t)
    }

    /// The tensor's shape.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// True when the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The context this tensor lives on.
    pub fn gpu(&self) -> &Gpu {
        &self.gpu
    }

    /// The underlying buffer (always present until drop).
    pub(crate) fn buffer(&self) -> &wgpu::Buffer {
        // Invariant: `buffer` is `Some` from construction until `drop`.
        match &self.buffer {
            Some(b) => b,
            None => unreachable!("GpuTensor buffer taken before drop"),
        }
    }

    /// Same data, new shape (no copy on the device is needed for a contiguous tensor, but ownership of the
    /// buffer stays unique, so this consumes `self`).
    pub fn reshape(mut self, shape: &[usize]) -> Result<Self> {
        if shape.iter().product::<usize>() != self.len() {
            return Err(Error::shape("reshape", format!("{:?} -> {shape:?}", self.shape)));
        }
        self.shape = shape.to_vec();
        Ok(self)
    }

    /// Reads the values back (waits for the device).
    pub async fn to_vec(&self) -> Result<Vec<f32>> {
        let mut v = self.gpu.read(self.buffer(), (self.len() * 4) as u64).await?;
        v.truncate(self.len());
        Ok(v)
    }
}

impl Drop for GpuTensor {
    fn drop(&mut self) {
        if let Some(buffer) = self.buffer.take() {
            self.gpu.0.pool.borrow_mut().give_back(buffer);
        }
    }
}
