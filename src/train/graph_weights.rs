//! A graph run's weights on the host ([`Weights`]): every layer's parameters, named `layers.{l}.{name}` with the
//! layer kind's names (GCN `weight`, `bias`; SAGE `weight_neighbors`, `weight_root`, `bias`; GAT `weight`,
//! `att_src`, `att_dst`, `bias`), written to and read from safetensors like an image run's (docs/weights.md).
//! Loaded before the first epoch, they are where training starts: every stage begins from its layer's loaded
//! values, the optimisers afresh.

use super::{GraphTrainer, NamedTensor, Weights};
use crate::error::{Error, Result};

impl GraphTrainer {
    /// Reads every layer's parameters to the host.
    pub async fn weights(&mut self) -> Result<Weights> {
        let mut named = Vec::new();
        for (l, layer) in self.learner.gnn_layers().iter_mut().enumerate() {
            let names = layer.param_names();
            for (name, p) in names.iter().zip(layer.params_mut()) {
                named.push((format!("layers.{l}.{name}"), p.value.try_clone()?));
            }
        }
        let mut tensors = Vec::with_capacity(named.len());
        for (name, t) in named {
            tensors.push(NamedTensor { name, shape: t.shape(), data: t.to_vec().await? });
        }
        Ok(Weights { tensors, host: Vec::new() })
    }

    /// Starts this run from `w`: every name the model has must be there with the same shape and `w` may hold
    /// nothing else; otherwise nothing changes and the error names the first difference. Only before the first
    /// epoch (a greedy run's finished stages would no longer match their frozen outputs).
    pub fn load_weights(&mut self, w: &Weights) -> Result<()> {
        let bad = |detail: String| Error::invalid("weights", detail);
        if self.epochs > 0 {
            return Err(bad("load weights before the first epoch (press Reset first)".into()));
        }
        if !w.host.is_empty() {
            return Err(bad(format!("the weights hold `{}`, which a graph model does not", w.host[0].0)));
        }
        let device = self.device.clone();
        let mut wanted = Vec::new();
        for (l, layer) in self.learner.gnn_layers().iter_mut().enumerate() {
            let names = layer.param_names();
            for (name, p) in names.iter().zip(layer.params_mut()) {
                wanted.push((format!("layers.{l}.{name}"), p.value.shape()));
            }
        }
        for (name, shape) in &wanted {
            match w.tensors.iter().find(|t| &t.name == name) {
                None => {
                    return Err(bad(format!("the model has `{name}` ({}x{}), the weights do not", shape[0], shape[1])))
                }
                Some(t) if t.shape != *shape || t.data.len() != shape[0] * shape[1] => {
                    return Err(bad(format!(
                        "`{name}` is {}x{} in the weights, {}x{} in this model (another depth, layer kind or graph?)",
                        t.shape[0], t.shape[1], shape[0], shape[1]
                    )))
                }
                Some(_) => {}
            }
        }
        if let Some(extra) = w.tensors.iter().find(|t| !wanted.iter().any(|(n, _)| n == &t.name)) {
            return Err(bad(format!("the weights have `{}`, which this model does not", extra.name)));
        }
        for (l, layer) in self.learner.gnn_layers().iter_mut().enumerate() {
            let names = layer.param_names();
            let mut values = Vec::new();
            for name in names {
                let full = format!("layers.{l}.{name}");
                if let Some(t) = w.tensors.iter().find(|t| t.name == full) {
                    values.push(device.tensor(t.shape[0], t.shape[1], &t.data)?);
                }
            }
            layer.restore(&values)?;
        }
        Ok(())
    }
}
