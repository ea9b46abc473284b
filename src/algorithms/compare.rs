//! "Compare with backprop": the run the page trains beside the current one, read from the registry. A
//! backprop-free run is compared with the backprop baseline of the same model, data, seed and budget; a backprop
//! run with the first backprop-free algorithm of the registry that learns the same task with the same
//! architecture (ForwardGNN-SF on graphs, CCL on the toys and image MLPs, NoProp-DT on NoProp's blocks).

use super::{algorithm_info, backprop_baseline, preset_for, AlgorithmInfo, Family, Task, ALGORITHMS};
use crate::config::RunConfig;
use crate::data::{dataset_info, DatasetKind};

/// The algorithm [`counterpart`] switches to from `cfg`'s.
pub fn counterpart_algorithm(cfg: &RunConfig) -> &'static AlgorithmInfo {
    let backprop = algorithm_info(&cfg.algorithm).is_ok_and(|a| a.family == Family::Backprop);
    if !backprop {
        return backprop_baseline();
    }
    let kind = dataset_info(&cfg.dataset).map(|d| d.kind).unwrap_or(DatasetKind::Plane);
    let task = Task::of(kind, cfg.graph.link);
    let graph = kind == DatasetKind::Graph;
    ALGORITHMS
        .iter()
        .find(|a| a.family != Family::Backprop && a.does(task) && (graph || a.trains(cfg.arch)))
        .unwrap_or(backprop_baseline())
}

/// The run compared with `cfg`: [`counterpart_algorithm`]'s own settings (its optimiser and learning rate, as its
/// paper trains it) on the same dataset with the same model, data options, seed, backend, epochs, batch size and
/// graph settings (task, layer kind, depth, split), so that the two curves differ only in how the weights learn.
pub fn counterpart(cfg: &RunConfig) -> RunConfig {
    let other = counterpart_algorithm(cfg);
    let mut next = preset_for(other.id, &cfg.dataset, cfg.arch);
    next.seed = cfg.seed;
    next.backend = cfg.backend;
    next.epochs = cfg.epochs;
    next.batch_size = cfg.batch_size;
    next.data = cfg.data.clone();
    next.train_limit = cfg.train_limit;
    next.graph = cfg.graph.clone();
    next.validation = cfg.validation;
    if next.arch == cfg.arch {
        next.model = cfg.model.clone();
        next.ae_width = cfg.ae_width;
        next.noprop.blocks = cfg.noprop.blocks;
        next.noprop.width = cfg.noprop.width;
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Architecture;

    #[test]
    fn every_family_has_a_counterpart_that_validates() {
        for (algorithm, dataset, arch, expected) in [
            ("ccl", "moons", Architecture::Mlp, "backprop"),
            ("backprop", "moons", Architecture::Mlp, "ccl"),
            ("backprop", "mnist", Architecture::Mlp, "ccl"),
            ("noprop-dt", "mnist", Architecture::NoProp, "backprop"),
            ("backprop", "mnist", Architecture::NoProp, "noprop-dt"),
            ("forwardgnn-sf", "cora", Architecture::Mlp, "backprop"),
            ("backprop", "cora", Architecture::Mlp, "forwardgnn-sf"),
        ] {
            let mut cfg = preset_for(algorithm, dataset, arch);
            cfg.seed = 7;
            cfg.graph.layers = 3;
            let next = counterpart(&cfg);
            assert_eq!(next.algorithm, expected, "{algorithm} on {dataset}");
            assert_eq!((next.seed, next.epochs, next.arch), (7, cfg.epochs, cfg.arch), "{algorithm} on {dataset}");
            assert_eq!(next.graph.layers, 3);
            next.validate().unwrap_or_else(|e| panic!("{algorithm} on {dataset}: {e}"));
        }
    }

    #[test]
    fn the_comparison_keeps_the_model_and_the_link_task() {
        let mut cfg = preset_for("ccl", "spiral", Architecture::Mlp);
        cfg.model.hidden = vec![16, 16, 16];
        assert_eq!(counterpart(&cfg).model.hidden, vec![16, 16, 16]);
        let mut links = preset_for("forwardgnn-lp-ce", "cora", Architecture::Mlp);
        links.graph.link = true;
        let back = counterpart(&links);
        assert!(back.graph.link && back.algorithm == "backprop");
        assert!(counterpart(&back).algorithm.starts_with("forwardgnn-lp"));
    }
}
