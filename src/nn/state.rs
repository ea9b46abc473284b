//! A model's state by name: every tensor that defines what a trained model computes (weights, biases, batch-norm
//! scales and running statistics, fixed feedback matrices, embeddings), named like PyTorch's `state_dict`
//! (`layers.0.weight`, `blocks.3.image.1.running_mean`). What a safetensors file holds, what the page keeps as
//! the last good weights, and what moves to the CPU after a GPU error (docs/weights.md).

use super::{BatchNorm, Conv2d, ConvUnit, Layer, Linear, Param, Sequential};
use crate::tensor::Tensor;

/// Named tensors of a model, in a fixed order.
pub type State<'a> = Vec<(String, &'a mut Tensor)>;

/// `{prefix}.{name}` (or `name` without a prefix).
pub fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// `{prefix}.{i}` for each parameter (for lists of bare matrices such as CCL's `forward` weights).
pub fn indexed<'a>(prefix: &str, params: impl IntoIterator<Item = &'a mut Param>) -> State<'a> {
    params.into_iter().enumerate().map(|(i, p)| (join(prefix, &i.to_string()), &mut p.value)).collect()
}

impl Linear {
    /// `weight` (`in x out`) and `bias` (`1 x out`).
    pub fn state_mut(&mut self, prefix: &str) -> State<'_> {
        let mut out = vec![(join(prefix, "weight"), &mut self.weight.value)];
        if let Some(b) = &mut self.bias {
            out.push((join(prefix, "bias"), &mut b.value));
        }
        out
    }
}

impl Conv2d {
    /// `weight` (`out x in·9`) and `bias` (`1 x out`).
    pub fn state_mut(&mut self, prefix: &str) -> State<'_> {
        let mut out = vec![(join(prefix, "weight"), &mut self.weight.value)];
        if let Some(b) = &mut self.bias {
            out.push((join(prefix, "bias"), &mut b.value));
        }
        out
    }
}

impl BatchNorm {
    /// `weight` (γ), `bias` (β), `running_mean`, `running_var`, each `1 x channels`.
    pub fn state_mut(&mut self, prefix: &str) -> State<'_> {
        vec![
            (join(prefix, "weight"), &mut self.gamma.value),
            (join(prefix, "bias"), &mut self.beta.value),
            (join(prefix, "running_mean"), &mut self.running_mean),
            (join(prefix, "running_var"), &mut self.running_var),
        ]
    }
}

impl ConvUnit {
    /// `weight`, `bias` and the batch norm as `norm.*`.
    pub fn state_mut(&mut self, prefix: &str) -> State<'_> {
        let mut out = vec![(join(prefix, "weight"), &mut self.weight.value)];
        if let Some(b) = &mut self.bias {
            out.push((join(prefix, "bias"), &mut b.value));
        }
        if let Some(n) = &mut self.norm {
            out.extend(n.state_mut(&join(prefix, "norm")));
        }
        out
    }
}

impl Layer {
    /// The layer's tensors (none for activations, pooling and dropout).
    pub fn state_mut(&mut self, prefix: &str) -> State<'_> {
        match self {
            Layer::Linear(l) => l.state_mut(prefix),
            Layer::BatchNorm(l) => l.state_mut(prefix),
            Layer::Conv2d(l) => l.state_mut(prefix),
            Layer::Activation(_) | Layer::MaxPool(_) | Layer::Dropout(_) => Vec::new(),
        }
    }
}

impl Sequential {
    /// `{prefix}.{layer index}.{name}`, as PyTorch names an `nn.Sequential`'s.
    pub fn state_mut(&mut self, prefix: &str) -> State<'_> {
        let mut out = Vec::new();
        for (i, layer) in self.layers.iter_mut().enumerate() {
            out.extend(layer.state_mut(&join(prefix, &i.to_string())));
        }
        out
    }
}
