//! The backend self-test behind *Auto* in the page: a numeric check and a short timed run of two representative
//! matrix products on the CPU path and on the WebGPU adapter, so that *Auto* never trains on an adapter that
//! computes wrong numbers or is slower than the CPU (a software adapter such as SwiftShader usually is). The
//! products are the shapes the page trains: a 2-D toy's layer (batch 32, 16 → 16) and an MNIST MLP's first layer
//! (batch 128, 784 → 256). The clock is passed in (`performance.now()` in the page).

use super::{matmul, Device, Gpu, Tensor};
use crate::error::Result;
use crate::rng::Rng;

/// One timed product `m x k` times `k x n`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Timing {
    /// "a 2-D toy's layer".
    pub what: std::borrow::Cow<'static, str>,
    /// `[m, k, n]`.
    pub shape: [usize; 3],
    /// Milliseconds per product on the CPU path.
    pub cpu_ms: f64,
    /// Milliseconds per product on the adapter (readback included); `None` when the test stopped early because
    /// the adapter was already far slower.
    pub gpu_ms: Option<f64>,
}

impl Timing {
    /// The adapter was faster on this shape.
    pub fn gpu_wins(&self) -> bool {
        self.gpu_ms.is_some_and(|g| g < self.cpu_ms)
    }
}

/// What the self-test measured.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SelfTest {
    /// Largest difference between the adapter's product and the CPU's, relative to the largest value.
    pub relative_error: f32,
    /// The small shape (2-D toys), then the large one (images, graphs).
    pub timings: [Timing; 2],
}

/// Largest relative difference the numeric check accepts (f32 products of length 784 in another order).
pub const TOLERANCE: f32 = 1e-3;

impl SelfTest {
    /// The adapter's numbers agree with the CPU's.
    pub fn numbers_agree(&self) -> bool {
        self.relative_error <= TOLERANCE
    }

    /// *Auto* trains on the adapter: its numbers agree and it was faster on the shape closest to the run's
    /// (`large`: images and graphs; otherwise the 2-D toys).
    pub fn prefers_gpu(&self, large: bool) -> bool {
        self.numbers_agree() && self.timings[usize::from(large)].gpu_wins()
    }

    /// One sentence for the page: what *Auto* chose and why.
    pub fn explain(&self) -> String {
        if !self.numbers_agree() {
            return format!(
                "Auto trains on the CPU: the adapter's product differed from the CPU's by {:.1e} (relative)",
                self.relative_error
            );
        }
        let ms = |v: f64| if v < 1.0 { format!("{v:.3} ms") } else { format!("{v:.1} ms") };
        let side = |t: &Timing| {
            let gpu = t.gpu_ms.map_or("stopped, far slower".to_string(), ms);
            let [m, k, n] = t.shape;
            format!("{} ({m}×{k}·{k}×{n}): WebGPU {gpu}, CPU {}", t.what, ms(t.cpu_ms))
        };
        let [small, large] = &self.timings;
        let choice = match (small.gpu_wins(), large.gpu_wins()) {
            (true, true) => "Auto trains on WebGPU",
            (false, true) => "Auto trains images and graphs on WebGPU, the 2-D toys on the CPU",
            (true, false) => "Auto trains the 2-D toys on WebGPU, images and graphs on the CPU",
            (false, false) => "Auto trains on the CPU, the faster path here",
        };
        format!("{choice} — {}; {}", side(small), side(large))
    }
}

fn random(device: &Device, rows: usize, cols: usize, rng: &mut Rng) -> Result<Tensor> {
    let v: Vec<f32> = (0..rows * cols).map(|_| rng.uniform(-1.0, 1.0)).collect();
    device.tensor(rows, cols, &v)
}

/// Milliseconds per product of `a · b` on `device` over `reps` products (the last one read back), after one
/// warm-up (shader compilation); stops once the time spent passes `give_up_ms`.
async fn time_product(
    device: &Device,
    [m, k, n]: [usize; 3],
    reps: usize,
    give_up_ms: f64,
    now: &dyn Fn() -> f64,
) -> Result<(Option<f64>, Vec<f32>)> {
    let mut rng = Rng::new(11);
    let (a, b) = (random(device, m, k, &mut rng)?, random(device, k, n, &mut rng)?);
    let first = matmul(&a, &b, false, false)?.to_vec().await?; // warm-up, and the numbers for the check
    let start = now();
    for _ in 0..reps {
        let c = matmul(&a, &b, false, false)?;
        c.to_vec().await?;
        if now() - start > give_up_ms {
            return Ok((None, first));
        }
    }
    Ok((Some((now() - start) / reps as f64), first))
}

/// Runs the self-test on `gpu` against the CPU path.
pub async fn self_test(gpu: &Gpu, now: &dyn Fn() -> f64) -> Result<SelfTest> {
    let shapes = [("a 2-D toy's layer", [32, 16, 16], 20), ("an MNIST layer", [128, 784, 256], 3)];
    let gpu = Device::Gpu(gpu.clone());
    let mut timings = Vec::with_capacity(2);
    let mut relative_error = 0.0f32;
    for (what, shape, reps) in shapes {
        let (cpu_ms, cpu) = time_product(&Device::Cpu, shape, reps, f64::INFINITY, now).await?;
        let cpu_ms = cpu_ms.unwrap_or(f64::INFINITY);
        // the adapter may take at most ten times the CPU's time (plus 50 ms) before the test gives up on it
        let (gpu_ms, on_gpu) = time_product(&gpu, shape, reps, 10.0 * cpu_ms * reps as f64 + 50.0, now).await?;
        let scale = cpu.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(1e-6);
        let diff = cpu.iter().zip(&on_gpu).fold(0.0f32, |m, (x, y)| m.max((x - y).abs()));
        relative_error = relative_error.max(if cpu.len() == on_gpu.len() { diff / scale } else { f32::INFINITY });
        timings.push(Timing { what: what.into(), shape, cpu_ms, gpu_ms });
    }
    let [small, large]: [Timing; 2] = timings.try_into().map_err(|_| crate::error::Error::Gpu("self-test".into()))?;
    Ok(SelfTest { relative_error, timings: [small, large] })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test(error: f32, small: (f64, Option<f64>), large: (f64, Option<f64>)) -> SelfTest {
        let t = |what, (cpu_ms, gpu_ms)| Timing {
            what: std::borrow::Cow::Borrowed(what),
            shape: [1, 1, 1],
            cpu_ms,
            gpu_ms,
        };
        SelfTest { relative_error: error, timings: [t("small", small), t("large", large)] }
    }

    #[test]
    fn auto_never_picks_a_slower_or_wrong_adapter() {
        let software = test(1e-6, (0.05, Some(2.0)), (9.0, None));
        assert!(!software.prefers_gpu(false) && !software.prefers_gpu(true));
        assert!(
            software.explain().starts_with("Auto trains on the CPU, the faster path here"),
            "{}",
            software.explain()
        );
        assert!(software.explain().contains("stopped, far slower"));
        let discrete = test(1e-6, (0.05, Some(0.3)), (9.0, Some(0.8)));
        assert!(!discrete.prefers_gpu(false) && discrete.prefers_gpu(true));
        assert!(discrete.explain().starts_with("Auto trains images and graphs on WebGPU"));
        let wrong = test(0.2, (0.05, Some(0.01)), (9.0, Some(0.1)));
        assert!(!wrong.prefers_gpu(true));
        assert!(wrong.explain().contains("differed from the CPU's by 2.0e-1"), "{}", wrong.explain());
    }
}
