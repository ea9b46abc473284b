//! [`GpuIndex`]: a u32 buffer (CSR row pointers, column indices) uploaded once and counted in the live
//! device memory until dropped.

use super::Gpu;
use crate::error::{Error, Result};
use wgpu::util::DeviceExt;

/// Read-only u32 data on the device.
pub struct GpuIndex {
    buffer: wgpu::Buffer,
    len: usize,
    gpu: Gpu,
}

impl GpuIndex {
    /// Uploads `data` (an empty slice still gets one element: wgpu rejects empty bindings).
    pub fn new(gpu: &Gpu, data: &[u32], label: &'static str) -> Result<Self> {
        let padded: Vec<u32> = if data.is_empty() { vec![0] } else { data.to_vec() };
        let bytes = (padded.len() * 4) as u64;
        if bytes > gpu.max_buffer_bytes() {
            return Err(Error::TooLarge { op: label, bytes, limit: gpu.max_buffer_bytes() });
        }
        let buffer = gpu.0.device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some(label),
            contents: bytemuck::cast_slice(&padded),
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
        });
        gpu.0.pool.borrow_mut().track(bytes);
        Ok(GpuIndex { buffer, len: data.len(), gpu: gpu.clone() })
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(crate) fn buffer(&self) -> &wgpu::Buffer {
        &self.buffer
    }
}

impl Drop for GpuIndex {
    /// Untracks the bytes; the buffer itself is released by wgpu once no recorded command uses it (an explicit
    /// `destroy` here would break dispatches still waiting in the pending encoder, e.g. the temporary CSR of
    /// `scatter_add_rows`).
    fn drop(&mut self) {
        self.gpu.0.pool.borrow_mut().untrack(self.buffer.size());
    }
}
