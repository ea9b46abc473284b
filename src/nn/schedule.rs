//! Learning-rate schedules, evaluated on the host once per epoch (or step) and handed to
//! [`super::Optimizer::set_lr`].

use serde::{Deserialize, Serialize};

/// How the learning rate evolves from its base value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum LrSchedule {
    /// The base rate throughout.
    #[default]
    Constant,
    /// PyTorch's `CosineAnnealingLR`: `eta_min + (base - eta_min) (1 + cos(π t / t_max)) / 2`, periodic in
    /// `2 t_max` as PyTorch's closed form is.
    Cosine { t_max: u32, eta_min: f32 },
    /// Linear warm-up from `base / warmup` to `base` over the first `warmup` steps, then cosine decay to
    /// `eta_min` at `total`.
    WarmupCosine { warmup: u32, total: u32, eta_min: f32 },
}

impl LrSchedule {
    /// The rate at step (or epoch) `t`, counted from 0.
    pub fn lr(&self, base: f32, t: u32) -> f32 {
        use std::f32::consts::PI;
        match *self {
            LrSchedule::Constant => base,
            LrSchedule::Cosine { t_max, eta_min } => {
                if t_max == 0 {
                    return base;
                }
                eta_min + (base - eta_min) * (1.0 + (PI * t as f32 / t_max as f32).cos()) / 2.0
            }
            LrSchedule::WarmupCosine { warmup, total, eta_min } => {
                if t < warmup {
                    return base * (t + 1) as f32 / warmup as f32;
                }
                let span = total.saturating_sub(warmup).max(1) as f32;
                let progress = ((t - warmup) as f32 / span).min(1.0);
                eta_min + (base - eta_min) * (1.0 + (PI * progress).cos()) / 2.0
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::LrSchedule;

    #[test]
    fn cosine_matches_pytorch_closed_form() {
        let s = LrSchedule::Cosine { t_max: 10, eta_min: 0.0 };
        assert_eq!(s.lr(1.0, 0), 1.0);
        assert!((s.lr(1.0, 5) - 0.5).abs() < 1e-6);
        assert!(s.lr(1.0, 10).abs() < 1e-6);
    }

    #[test]
    fn warmup_then_decay() {
        let s = LrSchedule::WarmupCosine { warmup: 4, total: 14, eta_min: 0.1 };
        assert!((s.lr(1.0, 0) - 0.25).abs() < 1e-6);
        assert!((s.lr(1.0, 3) - 1.0).abs() < 1e-6);
        assert!((s.lr(1.0, 14) - 0.1).abs() < 1e-6);
        assert!(s.lr(1.0, 9) < 1.0 && s.lr(1.0, 9) > 0.1);
    }
}
