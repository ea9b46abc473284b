//! Reuse of storage buffers: a dropped tensor's buffer goes back to a free list keyed by size, so a training
//! loop that repeats the same shapes allocates nothing after its first step and device memory stays flat.

use std::collections::HashMap;

/// Device memory held by bpfree's tensors.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MemoryStats {
    /// Bytes in buffers currently owned by tensors.
    pub live_bytes: u64,
    /// Bytes in free buffers kept for reuse.
    pub pooled_bytes: u64,
    /// Highest `live_bytes` seen since the context was created.
    pub peak_live_bytes: u64,
    /// Number of buffers owned by tensors.
    pub live_buffers: usize,
    /// Buffers ever created (stays flat once the pool is warm).
    pub created_buffers: usize,
}

#[derive(Default)]
pub(crate) struct Pool {
    free: HashMap<u64, Vec<wgpu::Buffer>>,
    stats: MemoryStats,
}

impl Pool {
    /// A buffer of exactly `bytes` bytes: a free one if there is one, else a new one from `device`.
    pub fn take(&mut self, device: &wgpu::Device, bytes: u64) -> wgpu::Buffer {
        let buffer = match self.free.get_mut(&bytes).and_then(Vec::pop) {
            Some(buffer) => {
                self.stats.pooled_bytes -= bytes;
                buffer
            }
            None => {
                self.stats.created_buffers += 1;
                device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("bpfree.tensor"),
                    size: bytes,
                    usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
                    mapped_at_creation: false,
                })
            }
        };
        self.stats.live_bytes += bytes;
        self.stats.live_buffers += 1;
        self.stats.peak_live_bytes = self.stats.peak_live_bytes.max(self.stats.live_bytes);
        buffer
    }

    /// Returns a tensor's buffer to the free list.
    pub fn give_back(&mut self, buffer: wgpu::Buffer) {
        let bytes = buffer.size();
        self.stats.live_bytes -= bytes;
        self.stats.live_buffers -= 1;
        self.stats.pooled_bytes += bytes;
        self.free.entry(bytes).or_default().push(buffer);
    }

    /// Counts a buffer that lives outside the pool (e.g. graph indices) as live.
    pub fn track(&mut self, bytes: u64) {
        self.stats.live_bytes += bytes;
        self.stats.live_buffers += 1;
        self.stats.created_buffers += 1;
        self.stats.peak_live_bytes = self.stats.peak_live_bytes.max(self.stats.live_bytes);
    }

    /// Forgets a buffer counted by [`Pool::track`].
    pub fn untrack(&mut self, bytes: u64) {
        self.stats.live_bytes -= bytes;
        self.stats.live_buffers -= 1;
    }

    /// Drops the free buffers.
    pub fn trim(&mut self) {
        self.free.clear();
        self.stats.pooled_bytes = 0;
    }

    pub fn stats(&self) -> MemoryStats {
        self.stats
    }
}
