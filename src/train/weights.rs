//! A trained model's state on the host ([`Weights`]): read from a [`Trainer`]'s algorithm, written into another
//! (the same run later, on another backend, or from a safetensors file). Names and shapes must match exactly;
//! a mismatch names the tensor and both shapes. Optimiser state (momenta, Adam's moments) is not carried: a run
//! continued from weights starts its optimiser afresh (docs/weights.md).

use super::Trainer;
use crate::error::{Error, Result};

/// One tensor of a model's state: its name, `[rows, cols]` and values (row-major).
#[derive(Clone, Debug, PartialEq)]
pub struct NamedTensor {
    /// `layers.0.weight`.
    pub name: String,
    /// `[rows, cols]` as bpfree stores it.
    pub shape: [usize; 2],
    /// Row-major values.
    pub data: Vec<f32>,
}

/// A model's state: every tensor of `Algorithm::state_mut` and every host vector of `Algorithm::host_state_mut`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Weights {
    /// The tensors, in the algorithm's order.
    pub tensors: Vec<NamedTensor>,
    /// Double-precision host state (NoProp-CT's schedule), by name.
    pub host: Vec<(String, Vec<f64>)>,
}

impl Weights {
    /// Every value is a finite number (the page keeps only such weights as "last good").
    pub fn is_finite(&self) -> bool {
        self.tensors.iter().all(|t| t.data.iter().all(|v| v.is_finite()))
            && self.host.iter().all(|(_, v)| v.iter().all(|x| x.is_finite()))
    }

    /// Bytes of the values.
    pub fn bytes(&self) -> usize {
        self.tensors.iter().map(|t| t.data.len() * 4).sum::<usize>()
            + self.host.iter().map(|(_, v)| v.len() * 8).sum::<usize>()
    }
}

fn mismatch(detail: String) -> Error {
    Error::invalid("weights", detail)
}

impl Trainer {
    /// Reads the model's state to the host.
    pub async fn weights(&mut self) -> Result<Weights> {
        let mut tensors = Vec::new();
        for (name, t) in self.algorithm.state_mut() {
            let shape = t.shape();
            tensors.push(NamedTensor { name, shape, data: t.to_vec().await? });
        }
        let host = self.algorithm.host_state_mut().into_iter().map(|(n, v)| (n, v.clone())).collect();
        Ok(Weights { tensors, host })
    }

    /// Replaces the model's state with `w` (on this trainer's device). Every name the model has must be in `w`
    /// with the same shape, and `w` may hold nothing else; otherwise nothing is changed and the error names the
    /// first difference.
    pub fn load_weights(&mut self, w: &Weights) -> Result<()> {
        let device = self.device.clone();
        let host_names = self.algorithm_host_names();
        for (name, len) in &host_names {
            match w.host.iter().find(|(n, _)| n == name) {
                Some((_, v)) if v.len() == *len => {}
                Some((_, v)) => {
                    return Err(mismatch(format!(
                        "`{name}` has {} values in the weights, {len} in this model",
                        v.len()
                    )))
                }
                None => return Err(mismatch(format!("the model has `{name}`, the weights do not"))),
            }
        }
        let mut state = self.algorithm.state_mut();
        // check everything before changing anything
        for (name, t) in &state {
            let Some(src) = w.tensors.iter().find(|s| &s.name == name) else {
                return Err(mismatch(format!(
                    "the model has `{name}` ({}x{}), the weights do not",
                    t.rows(),
                    t.cols()
                )));
            };
            if src.shape != t.shape() {
                return Err(mismatch(format!(
                    "`{name}` is {}x{} in the weights, {}x{} in this model (another architecture or dataset?)",
                    src.shape[0],
                    src.shape[1],
                    t.rows(),
                    t.cols()
                )));
            }
            if src.data.len() != src.shape[0] * src.shape[1] {
                return Err(mismatch(format!(
                    "`{name}` holds {} values for {}x{}",
                    src.data.len(),
                    src.shape[0],
                    src.shape[1]
                )));
            }
        }
        if let Some(extra) = w.tensors.iter().find(|s| !state.iter().any(|(n, _)| n == &s.name)) {
            return Err(mismatch(format!("the weights have `{}`, which this model does not", extra.name)));
        }
        for (name, t) in state.iter_mut() {
            if let Some(src) = w.tensors.iter().find(|s| &s.name == name) {
                **t = device.tensor(src.shape[0], src.shape[1], &src.data)?;
            }
        }
        drop(state);
        for (name, v) in self.algorithm.host_state_mut() {
            if let Some((_, src)) = w.host.iter().find(|(n, _)| n == &name) {
                v.clone_from(src);
            }
        }
        Ok(())
    }

    fn algorithm_host_names(&mut self) -> Vec<(String, usize)> {
        self.algorithm.host_state_mut().into_iter().map(|(n, v)| (n, v.len())).collect()
    }
}
