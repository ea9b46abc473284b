//! [`Gpu`]: the wgpu device, queue and pipelines, created once; kernel launch and readback.

use super::pool::{MemoryStats, Pool};
use super::profile::Profile;
use super::Kernels;
use crate::error::{Error, Result};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::{Arc, Mutex};

/// Ops recorded before the pending encoder is submitted on its own.
const OPS_PER_SUBMIT: u32 = 256;

/// What the page shows about the adapter.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AdapterSummary {
    /// Adapter name (empty in browsers that hide it).
    pub name: String,
    /// `DiscreteGpu`, `IntegratedGpu`, `Cpu`, ...
    pub device_type: String,
    /// `Vulkan`, `BrowserWebGpu`, `Gl`, ...
    pub backend: String,
    /// True for software rasterisers (lavapipe, SwiftShader): correct but slow.
    pub software: bool,
}

impl AdapterSummary {
    fn new(info: &wgpu::AdapterInfo) -> Self {
        let name =
            if info.name.is_empty() { "adapter name hidden by the browser".to_string() } else { info.name.clone() };
        AdapterSummary {
            name,
            device_type: format!("{:?}", info.device_type),
            backend: format!("{:?}", info.backend),
            software: info.device_type == wgpu::DeviceType::Cpu,
        }
    }
}

impl std::fmt::Display for AdapterSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}, {}{})",
            self.name,
            self.backend,
            self.device_type,
            if self.software { ", software" } else { "" }
        )
    }
}

pub(crate) struct Inner {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub kernels: Kernels,
    pub summary: AdapterSummary,
    pub max_buffer_bytes: u64,
    pub pool: RefCell<Pool>,
    pending: RefCell<Option<wgpu::CommandEncoder>>,
    pending_ops: Cell<u32>,
    device_error: Arc<Mutex<Option<String>>>,
    pub(super) profile: RefCell<Option<Profile>>,
    direct_kernels: Cell<bool>,
}

/// A handle to the GPU context; cloning is cheap and shares the device.
#[derive(Clone)]
pub struct Gpu(pub(crate) Rc<Inner>);

impl std::fmt::Debug for Gpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Gpu({})", self.0.summary)
    }
}

impl PartialEq for Gpu {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Gpu {
    /// Opens the first adapter wgpu finds (WebGPU in the browser; Vulkan, then GL natively) and builds every
    /// pipeline. Fails with [`Error::NoAdapter`] when there is none.
    pub async fn new() -> Result<Gpu> {
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                ..Default::default()
            })
            .await
            .map_err(|e| Error::NoAdapter(e.to_string()))?;
        let limits = adapter.limits();
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("bpfree"),
                required_limits: limits.clone(),
                ..Default::default()
            })
            .await
            .map_err(|e| Error::Gpu(format!("request_device: {e}")))?;
        let device_error = Arc::new(Mutex::new(None));
        let sink = device_error.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            if let Ok(mut slot) = sink.lock() {
                slot.get_or_insert_with(|| e.to_string());
            }
        }));
        // a lost device (driver reset, the tab's GPU process gone, `destroy`) reads as the next error
        let lost = device_error.clone();
        device.set_device_lost_callback(move |reason, message| {
            if let Ok(mut slot) = lost.lock() {
                slot.get_or_insert_with(|| format!("the GPU device was lost ({reason:?}): {message}"));
            }
        });
        let kernels = Kernels::new(&device);
        let max_buffer_bytes = limits.max_buffer_size.min(limits.max_storage_buffer_binding_size);
        let summary = AdapterSummary::new(&adapter.get_info());
        Ok(Gpu(Rc::new(Inner {
            direct_kernels: Cell::new(summary.software),
            summary,
            kernels,
            device,
            queue,
            max_buffer_bytes,
            pool: RefCell::new(Pool::default()),
            pending: RefCell::new(None),
            pending_ops: Cell::new(0),
            device_error,
            profile: RefCell::new(None),
        })))
    }

    /// Adapter name, type and backend.
    pub fn summary(&self) -> &AdapterSummary {
        &self.0.summary
    }

    /// Whether products and convolutions run the `*_direct.wgsl` kernels, the forms that suit a CPU emulating a
    /// GPU (no workgroup memory, several outputs per invocation in registers): products `matmul_direct.wgsl`
    /// instead of the tiled `matmul.wgsl`, convolutions `conv2d*_direct.wgsl` instead of one invocation per
    /// output. The default on software adapters, where they are the faster ones (docs/benchmarks.md); hardware
    /// GPUs keep the others until a GPU measures the choice.
    pub fn direct_kernels(&self) -> bool {
        self.0.direct_kernels.get()
    }

    /// Chooses the kernel family (the parity tests and `bpfree bench` run both).
    pub fn set_direct_kernels(&self, direct: bool) {
        self.0.direct_kernels.set(direct);
    }

    /// Largest tensor, in bytes, one buffer may hold on this adapter.
    pub fn max_buffer_bytes(&self) -> u64 {
        self.0.max_buffer_bytes
    }

    /// Live device memory held by tensors and the pool.
    pub fn memory(&self) -> MemoryStats {
        self.0.pool.borrow().stats()
    }

    /// Drops every pooled (free) buffer: on Reset, and after a GPU error (a buffer whose creation failed must not
    /// be handed out again). Buffers owned by live tensors are untouched.
    pub fn trim(&self) {
        self.0.pool.borrow_mut().trim();
    }

    /// Destroys the device, as a driver reset would: for testing what the page does when the GPU is lost.
    #[doc(hidden)]
    pub fn destroy_device_for_test(&self) {
        self.0.device.destroy();
    }

    pub(crate) fn kernels(&self) -> &Kernels {
        &self.0.kernels
    }

    /// Records one compute dispatch: `params` goes to binding 0 as a uniform, `buffers` to bindings 1.. in order.
    pub(crate) fn launch(
        &self,
        pipeline: &wgpu::ComputePipeline,
        label: &'static str,
        params: &[u8],
        buffers: &[&wgpu::Buffer],
        workgroups: [u32; 3],
    ) {
        use wgpu::util::DeviceExt;
        #[cfg(not(target_arch = "wasm32"))]
        let started = self.profiling().then(std::time::Instant::now);
        let device = &self.0.device;
        let uniform = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some(label),
            contents: params,
            usage: wgpu::BufferUsages::UNIFORM,
        });
        let mut entries = vec![wgpu::BindGroupEntry { binding: 0, resource: uniform.as_entire_binding() }];
        for (i, buffer) in buffers.iter().enumerate() {
            entries.push(wgpu::BindGroupEntry { binding: i as u32 + 1, resource: buffer.as_entire_binding() });
        }
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(label),
            layout: &pipeline.get_bind_group_layout(0),
            entries: &entries,
        });
        self.with_encoder(|encoder| {
            let mut pass =
                encoder.begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some(label), timestamp_writes: None });
            pass.set_pipeline(pipeline);
            pass.set_bind_group(0, &bind_group, &[]);
            pass.dispatch_workgroups(workgroups[0], workgroups[1], workgroups[2]);
        });
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(started) = started {
            self.flush();
            let _ = self.0.device.poll(wgpu::PollType::wait_indefinitely());
            let bytes = params.len() as u64 + buffers.iter().map(|b| b.size()).sum::<u64>();
            if let Some(profile) = self.0.profile.borrow_mut().as_mut() {
                profile.add(label, started.elapsed().as_secs_f64(), bytes);
            }
        }
    }

    /// Runs `record` on the pending encoder; submits once enough ops have piled up.
    pub(crate) fn with_encoder(&self, record: impl FnOnce(&mut wgpu::CommandEncoder)) {
        {
            let mut pending = self.0.pending.borrow_mut();
            let encoder = pending.get_or_insert_with(|| {
                self.0.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("bpfree.ops") })
            });
            record(encoder);
        }
        let ops = self.0.pending_ops.get() + 1;
        self.0.pending_ops.set(ops);
        if ops >= OPS_PER_SUBMIT {
            self.flush();
        }
    }

    /// Submits whatever has been recorded.
    pub fn flush(&self) {
        if let Some(encoder) = self.0.pending.borrow_mut().take() {
            self.0.queue.submit(Some(encoder.finish()));
        }
        self.0.pending_ops.set(0);
    }

    /// Submits pending work and blocks until the device has finished it (native only; benchmarks use it).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn finish(&self) -> Result<()> {
        self.flush();
        self.0.device.poll(wgpu::PollType::wait_indefinitely()).map_err(|e| Error::Gpu(format!("poll: {e}")))?;
        self.take_error()
    }

    /// The first uncaptured device error since the last check, as an [`Error`].
    pub(crate) fn take_error(&self) -> Result<()> {
        match self.0.device_error.lock().ok().and_then(|mut e| e.take()) {
            Some(message) => Err(Error::Gpu(message)),
            None => Ok(()),
        }
    }

    /// Copies `bytes` bytes of `buffer` back to the host (the only place bpfree waits for the GPU).
    pub(crate) async fn read(&self, buffer: &wgpu::Buffer, bytes: u64) -> Result<Vec<f32>> {
        if bytes == 0 {
            return Ok(Vec::new());
        }
        let staging = self.0.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("bpfree.readback"),
            size: bytes,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        self.with_encoder(|encoder| encoder.copy_buffer_to_buffer(buffer, 0, &staging, 0, bytes));
        self.flush();
        let (sender, receiver) = flume::bounded(1);
        staging.map_async(wgpu::MapMode::Read, .., move |result| {
            let _ = sender.send(result);
        });
        #[cfg(not(target_arch = "wasm32"))]
        self.0.device.poll(wgpu::PollType::wait_indefinitely()).map_err(|e| Error::Gpu(format!("poll: {e}")))?;
        let mapped = receiver.recv_async().await.map_err(|e| Error::Gpu(format!("readback: {e}")))?;
        self.take_error()?;
        mapped.map_err(|e| Error::Gpu(format!("map_async: {e}")))?;
        let data = {
            let view = staging.get_mapped_range(..).map_err(|e| Error::Gpu(format!("mapped range: {e:?}")))?;
            bytemuck::cast_slice::<u8, f32>(&view).to_vec()
        };
        staging.unmap();
        Ok(data)
    }
}
