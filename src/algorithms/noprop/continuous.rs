//! What the two continuous-time variants, NoProp-CT and NoProp-FM, share (docs/algorithms/noprop.md, Eqs. (14),
//! (17) and (20)): per-example times and their embedding, the network, label embedding and classifier drawn in one
//! order, and the start of a sampler.

use super::net::{net_shape, time_embedding, DenoiseNet, NetKind, TIME_EMBEDDING};
use super::{next_seed, LabelEmbedding, SamplerSeeds};
use crate::algorithms::Problem;
use crate::config::RunConfig;
use crate::error::Result;
use crate::nn::Linear;
use crate::rng::Rng;
use crate::tensor::{random, Device, Distribution, Tensor};

/// Per-example times `t_i ~ U(0, 1)` as a `B x 1` tensor and their `B x 64` embedding.
pub fn draw_times(device: &Device, rows: usize, rng: &mut Rng) -> Result<(Vec<f32>, Tensor, Tensor)> {
    let ts: Vec<f32> = (0..rows).map(|_| rng.uniform(0.0, 1.0)).collect();
    let col = device.tensor(rows, 1, &ts)?;
    let emb = device.tensor(rows, TIME_EMBEDDING, &time_embedding(&ts))?;
    Ok((ts, col, emb))
}

/// The same time for every row: a `B x 64` embedding.
pub fn constant_time(device: &Device, rows: usize, t: f32) -> Result<Tensor> {
    let one = time_embedding(&[t]);
    let all: Vec<f32> = (0..rows).flat_map(|_| one.iter().copied()).collect();
    device.tensor(rows, TIME_EMBEDDING, &all)
}

/// The parts NoProp-CT and -FM share (the CT/FM network of docs/algorithms/noprop.md, "Architectures and
/// hyper-parameters"): the network, the label embedding and the
/// classifier, drawn from `rng` in this order.
pub fn continuous_parts(
    cfg: &RunConfig,
    problem: Problem,
    device: &Device,
    rng: &mut Rng,
) -> Result<(DenoiseNet, LabelEmbedding, Linear)> {
    let shape = net_shape(cfg, problem, NetKind::Continuous)?;
    let net = DenoiseNet::new(device, shape, rng)?;
    let embedding = LabelEmbedding::new(device, cfg.noprop.embedding, problem.classes, shape.pixels(), rng)?;
    let head = Linear::torch(device, shape.dim, problem.classes, rng)?;
    Ok((net, embedding, head))
}

/// What a CT or FM sampler starts from: its own generator (one per call, see [`SamplerSeeds`]), `z_0 ~ N(0, I)`,
/// the image features (computed once for every step) and every how many steps a checkpoint is kept.
pub struct SamplerStart {
    pub rng: Rng,
    pub z: Tensor,
    pub features: Tensor,
    pub every: usize,
}

impl SamplerStart {
    /// The start of a sampler of `steps` steps over the images `x`, keeping `checkpoints` of them.
    pub fn new(
        net: &DenoiseNet,
        embed: &Tensor,
        seeds: &SamplerSeeds,
        x: &Tensor,
        steps: usize,
        checkpoints: usize,
    ) -> Result<Self> {
        let mut rng = Rng::new(seeds.next());
        let normal = Distribution::Normal { mean: 0.0, std: 1.0 };
        let z = random(&x.device(), x.rows(), embed.cols(), normal, next_seed(&mut rng))?;
        let features = net.image_features(x)?;
        Ok(SamplerStart { rng, z, features, every: (steps / checkpoints.max(1)).max(1) })
    }
}
