//! ForwardGNN on its equations (spec forwardgnn.md §2-3): virtual-node augmentation, label matrices and label
//! appending, the wrong-class draw, the FF and SF losses against hand computations and finite differences,
//! the top-down update order, the stop-gradient boundaries, and CPU == GPU.

#![cfg(not(target_arch = "wasm32"))]

use super::common;

use bpfree::algorithms::forwardgnn::{
    augment_edges, ff_loss, id_tensor, label_matrix, node_mask, sf_loss, wrong_classes, NodeLearner, SfTargets, THETA,
};
use bpfree::algorithms::{
    appended_input, update_phases, FfMode, ForwardFf, ForwardSf, ForwardTopDown, GnnBackprop, TopDown,
};
use bpfree::data::{NodeTask, SparseRows};
use bpfree::nn::{FeatureBlock, Features, GnnConv, GnnGraph, GnnKind, Matrix, SharedProducts};
use bpfree::rng::Rng;
use bpfree::tensor::{Device, Tensor};
use std::rc::Rc;

fn v(t: &Tensor) -> Vec<f32> {
    pollster::block_on(t.to_vec()).unwrap()
}

/// A 6-node, 2-class graph: a path 0-1-2-3-4-5 plus 0-2; train {0, 3}, val {1, 4}, test {2, 5}.
fn tiny() -> NodeTask {
    let mut features = SparseRows { cols: 5, ..Default::default() };
    for i in 0..6u32 {
        features.push_row([(i % 5, 0.5), ((i + 2) % 5, 0.5)]);
    }
    let mut edges = Vec::new();
    for &(a, b) in &[(0u32, 1u32), (1, 2), (2, 3), (3, 4), (4, 5), (0, 2)] {
        edges.push((a, b));
        edges.push((b, a));
    }
    NodeTask {
        name: "tiny".into(),
        num_nodes: 6,
        num_classes: 2,
        features,
        edges,
        labels: vec![0, 0, 0, 1, 1, 1],
        train: vec![0, 3],
        val: vec![1, 4],
        test: vec![2, 5],
        split_source: "test",
        class_names: Vec::new(),
    }
}

#[test]
fn virtual_nodes_link_training_nodes_both_ways() {
    let t = tiny();
    let mask = node_mask(6, &t.train);
    let e = augment_edges(&t, &t.labels, &mask, true);
    assert_eq!(&e[..t.edges.len()], &t.edges[..], "real edges first, unchanged");
    // node 0 (class 0) -> virtual 6, node 3 (class 1) -> virtual 7, then the reverse block
    assert_eq!(&e[t.edges.len()..], &[(0, 6), (3, 7), (6, 0), (7, 3)]);
    let uni = augment_edges(&t, &t.labels, &mask, false);
    assert_eq!(&uni[t.edges.len()..], &[(0, 6), (3, 7)], "unidirectional keeps real -> virtual only");
    // validation and test nodes are never linked
    let unlinked = [1, 2, 4, 5];
    assert!(!e.iter().any(|&(a, b)| (a >= 6 && unlinked.contains(&b)) || (b >= 6 && unlinked.contains(&a))));
}

#[test]
fn label_matrix_is_one_hot_for_linked_uniform_otherwise() {
    let t = tiny();
    let y = label_matrix(&t, &t.labels, &node_mask(6, &t.train));
    assert_eq!(y.len(), 8 * 2);
    assert_eq!(&y[0..2], &[1.0, 0.0]); // train node 0, class 0
    assert_eq!(&y[2..4], &[0.5, 0.5]); // val node 1: uniform
    assert_eq!(&y[6..8], &[0.0, 1.0]); // train node 3, class 1
    assert_eq!(&y[12..16], &[1.0, 0.0, 0.0, 1.0]); // virtual nodes: identity
}

#[test]
fn wrong_classes_exclude_the_true_one_and_are_seeded() {
    let mut t = tiny();
    t.num_classes = 4;
    t.labels = vec![0, 1, 2, 3, 0, 1];
    let w = wrong_classes(&t, &mut Rng::new(3));
    assert_eq!(w.len(), 3);
    for i in 0..6 {
        let mut seen: Vec<u32> = w.iter().map(|col| col[i]).collect();
        assert!(!seen.contains(&t.labels[i]), "node {i} got its own class");
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 3, "node {i}: every wrong class once");
    }
    assert_eq!(w, wrong_classes(&t, &mut Rng::new(3)));
}

#[test]
fn label_appending_normalises_features_and_labels_together() {
    let t = tiny();
    let x = Matrix::upload(&t.features, &Device::Cpu).unwrap();
    let input = appended_input(&t, &x, |i| (i < 3).then_some(1), &Device::Cpu).unwrap();
    assert_eq!(input.cols(), 7);
    // multiply by the identity to read the matrix back
    let eye: Vec<f32> = (0..49).map(|i| if i % 8 == 0 { 1.0 } else { 0.0 }).collect();
    let m = v(&input.matmul(&Device::Cpu.tensor(7, 7, &eye).unwrap()).unwrap());
    for i in 0..6 {
        let row = &m[i * 7..(i + 1) * 7];
        let norm: f32 = row.iter().map(|a| a * a).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "row {i} norm {norm}");
        if i < 3 {
            assert_eq!(row[5], 0.0);
            assert!(row[6] > 0.0, "one-hot class 1");
        } else {
            assert!((row[5] - row[6]).abs() < 1e-7 && row[5] > 0.0, "uniform labels");
        }
        // the feature part keeps its direction: two equal entries
        assert!((row[i % 5] - row[(i + 2) % 5]).abs() < 1e-6);
    }
}

#[test]
fn ff_loss_matches_softplus_of_goodness_and_finite_differences() {
    let d = Device::Cpu;
    let a_vals = common::random(5, 3, 4);
    let ids = [1u32, 3];
    let ids_dev = id_tensor(&d, &ids).unwrap();
    for positive in [true, false] {
        let loss_of = |vals: &[f32]| {
            let a = d.tensor(5, 3, vals).unwrap();
            let (l, g) = ff_loss(&a, &ids, &ids_dev, positive, 0.5).unwrap();
            (v(&l)[0], v(&g))
        };
        let (loss, grad) = loss_of(&a_vals);
        let softplus = |x: f32| (1.0 + x.exp()).ln();
        let want: f32 = ids
            .iter()
            .map(|&i| {
                let g: f32 = a_vals[i as usize * 3..i as usize * 3 + 3].iter().map(|x| x * x).sum();
                softplus(if positive { THETA - g } else { g - THETA })
            })
            .sum::<f32>()
            / 2.0
            * 0.5;
        assert!((loss - want).abs() < 1e-5, "loss {loss} vs {want}");
        for k in 0..15 {
            let (mut up, mut down) = (a_vals.clone(), a_vals.clone());
            up[k] += 1e-2;
            down[k] -= 1e-2;
            let num = (loss_of(&up).0 - loss_of(&down).0) / 2e-2;
            assert!((num - grad[k]).abs() < 2e-3, "d/da[{k}]: {num} vs {}", grad[k]);
        }
        assert!(grad[0..3].iter().all(|&g| g == 0.0), "rows outside the training nodes get no gradient");
    }
}

#[test]
fn sf_loss_matches_cross_entropy_and_reaches_the_virtual_rows() {
    let t = tiny();
    let d = Device::Cpu;
    let targets = SfTargets::new(&t, &d).unwrap();
    let h_vals = common::random(8, 3, 9);
    let loss_of = |vals: &[f32]| {
        let (l, g) = sf_loss(&d.tensor(8, 3, vals).unwrap(), &targets).unwrap();
        (v(&l)[0], v(&g))
    };
    let (loss, grad) = loss_of(&h_vals);
    let dot = |i: usize, j: usize| (0..3).map(|c| h_vals[i * 3 + c] * h_vals[j * 3 + c]).sum::<f32>();
    let ce = |i: usize, y: usize| {
        let logits = [dot(i, 6), dot(i, 7)];
        let lse = (logits[0].exp() + logits[1].exp()).ln();
        lse - logits[y]
    };
    let want = (ce(0, 0) + ce(3, 1)) / 2.0;
    assert!((loss - want).abs() < 1e-5, "loss {loss} vs {want}");
    for k in 0..24 {
        let (mut up, mut down) = (h_vals.clone(), h_vals.clone());
        up[k] += 1e-2;
        down[k] -= 1e-2;
        let num = (loss_of(&up).0 - loss_of(&down).0) / 2e-2;
        assert!((num - grad[k]).abs() < 2e-3, "d/dh[{k}]: {num} vs {}", grad[k]);
    }
    assert!(grad[18..24].iter().any(|&g| g != 0.0), "the virtual rows are trained too (pitfall 8)");
    assert!(grad[3..6].iter().all(|&g| g == 0.0), "a validation node gets no gradient");
}

#[test]
fn sparse_and_block_inputs_equal_dense_ones_in_every_layer() {
    let t = tiny();
    let d = Device::Cpu;
    let dense = d.from_array(&t.features.to_dense()).unwrap();
    let extra = d.tensor(6, 2, &common::random(6, 2, 5)).unwrap();
    let full = bpfree::tensor::concat(&[&dense, &extra], 1).unwrap();
    for kind in [GnnKind::Gcn, GnnKind::Sage, GnnKind::Gat] {
        let graph = GnnGraph::new(kind, &d, 6, &t.edges).unwrap();
        let mut a = GnnConv::new(kind, &d, 7, 8, &mut Rng::new(2)).unwrap();
        let mut b = GnnConv::new(kind, &d, 7, 8, &mut Rng::new(2)).unwrap();
        let csr = Rc::new(Matrix::Sparse(bpfree::nn::upload_csr(&t.features, &d).unwrap()));
        let blocks =
            Features::concat(vec![FeatureBlock::shared(csr, None), FeatureBlock::Dense(extra.try_clone().unwrap())])
                .unwrap();
        let za = a.forward(&graph, Features::from(full.try_clone().unwrap())).unwrap();
        let zb = b.forward(&graph, blocks).unwrap();
        common::assert_close(&format!("{kind:?} forward"), &v(&zb), &v(&za), 1e-5);
        let g = d.tensor(6, 8, &common::random(6, 8, 6)).unwrap();
        a.backward(&graph, &g).unwrap();
        b.backward_params(&graph, &g).unwrap();
        for (pa, pb) in a.params_mut().into_iter().zip(b.params_mut()) {
            let (ga, gb) = (pa.grad.as_ref().unwrap(), pb.grad.as_ref().unwrap());
            common::assert_close(&format!("{kind:?} parameter gradient"), &v(gb), &v(ga), 1e-5);
        }
    }
}

#[test]
fn a_projected_leading_block_infers_bit_for_bit() {
    // SF-Top-To-Input's test-time steps multiply the fixed bottom block by W once (GnnConv::project)
    let t = tiny();
    let d = Device::Cpu;
    let csr = Rc::new(Matrix::Sparse(bpfree::nn::upload_csr(&t.features, &d).unwrap()));
    let lead = Features::from(csr);
    let extra = d.tensor(6, 2, &common::random(6, 2, 5)).unwrap();
    let with =
        |first: FeatureBlock| Features::concat(vec![first, FeatureBlock::Dense(extra.try_clone().unwrap())]).unwrap();
    for kind in [GnnKind::Gcn, GnnKind::Sage, GnnKind::Gat] {
        let graph = GnnGraph::new(kind, &d, 6, &t.edges).unwrap();
        let mut layer = GnnConv::new(kind, &d, 7, 8, &mut Rng::new(2)).unwrap();
        let projected = layer.project(&lead).unwrap();
        let plain = layer.infer(&graph, &with(lead.try_clone().unwrap().into_blocks().remove(0))).unwrap();
        assert_eq!(v(&layer.infer(&graph, &with(projected)).unwrap()), v(&plain), "{kind:?}");
        // training never sees a projected block
        let projected = with(layer.project(&lead).unwrap());
        layer.forward(&graph, projected).unwrap();
        assert!(layer.backward_params(&graph, &d.zeros(6, 8).unwrap()).is_err(), "{kind:?}");
    }
}

/// Forward-forward streams read one `X` (FF-LA: with their own row factors and label block; FF-VN: on their
/// own graphs): with a [`SharedProducts`] they multiply it once, and outputs and gradients are unchanged.
#[test]
fn streams_sharing_a_matrix_multiply_it_once_bit_for_bit() {
    let t = tiny();
    let d = Device::Cpu;
    let sparse = Rc::new(Matrix::Sparse(bpfree::nn::upload_csr(&t.features, &d).unwrap()));
    let dense = Rc::new(Matrix::Dense(d.tensor(6, 5, &common::random(6, 5, 3)).unwrap()));
    // FF-LA: [s_j X || labels_j]; FF-VN: X alone
    let labelled = |m: &Rc<Matrix>, seed: u64| {
        let scale = d.tensor(6, 1, &common::random(6, 1, seed)).unwrap();
        let label = d.tensor(6, 2, &common::random(6, 2, seed + 1)).unwrap();
        Features::concat(vec![FeatureBlock::shared(Rc::clone(m), Some(scale)), FeatureBlock::Dense(label)]).unwrap()
    };
    for kind in [GnnKind::Gcn, GnnKind::Sage, GnnKind::Gat] {
        let graph = GnnGraph::new(kind, &d, 6, &t.edges).unwrap();
        for m in [&sparse, &dense] {
            for (width, streams) in [
                (7, vec![labelled(m, 10), labelled(m, 20), labelled(m, 30)]),
                (5, vec![Features::from(Rc::clone(m)), Features::from(Rc::clone(m))]),
            ] {
                let mut plain = GnnConv::new(kind, &d, width, 8, &mut Rng::new(2)).unwrap();
                let mut shared = GnnConv::new(kind, &d, width, 8, &mut Rng::new(2)).unwrap();
                let mut cache = SharedProducts::default();
                for (i, x) in streams.iter().enumerate() {
                    let g = d.tensor(6, 8, &common::random(6, 8, 40 + i as u64)).unwrap();
                    let zp = plain.forward(&graph, x.try_clone().unwrap()).unwrap();
                    let zs = shared.forward(&graph, shared.share_products(x, &mut cache).unwrap()).unwrap();
                    assert_eq!(v(&zp), v(&zs), "{kind:?} width {width} stream {i}");
                    plain.backward_params(&graph, &g).unwrap();
                    shared.backward_params(&graph, &g).unwrap();
                }
                assert_eq!(cache.len(), 1, "{kind:?}: one product of the matrix for every stream");
                for (p, s) in plain.params_mut().into_iter().zip(shared.params_mut()) {
                    assert_eq!(p.grad.as_ref().map(v), s.grad.as_ref().map(v), "{kind:?} width {width}");
                }
            }
        }
    }
}

#[test]
fn top_to_input_updates_odd_layers_first_then_even() {
    assert_eq!(update_phases(4), [vec![0, 2], vec![1, 3]]);
    assert_eq!(update_phases(1), [vec![0], vec![]]);
    assert_eq!(update_phases(3), [vec![0, 2], vec![1]]);
}

fn weights(l: &mut dyn NodeLearner, stage: usize) -> Vec<Vec<f32>> {
    l.checkpoint(stage).unwrap().iter().flatten().map(v).collect()
}

/// Layer 1 of SF-Top-To-Input (updated in phase A from the previous step's states) takes the same step when
/// layer 3's weights — and so its loss — change: no gradient crosses a layer.
#[test]
fn an_upper_layer_never_changes_a_lower_layers_update() {
    let t = tiny();
    for mode in [TopDown::ToInput, TopDown::ToLoss] {
        let build = || ForwardTopDown::new(&t, mode, GnnKind::Gcn, 3, &Device::Cpu, &mut Rng::new(4)).unwrap();
        let (mut a, mut b) = (build(), build());
        let mut cp = b.checkpoint(0).unwrap();
        cp[2][0] = Device::Cpu
            .tensor(cp[2][0].rows(), cp[2][0].cols(), &common::random(cp[2][0].rows(), cp[2][0].cols(), 8))
            .unwrap();
        b.restore(0, &cp).unwrap();
        let la = v(&a.train_epoch(0).unwrap()[2])[0];
        let lb = v(&b.train_epoch(0).unwrap()[2])[0];
        assert_ne!(la, lb, "{mode:?}: the top loss changed");
        let (wa, wb) = (weights(&mut a, 0), weights(&mut b, 0));
        assert_eq!(wa[0], wb[0], "{mode:?}: layer 1's weight took the same step");
    }
    // greedy SF: layer 1's training is blind to layer 2
    let build = || ForwardSf::new(&t, GnnKind::Sage, 2, &Device::Cpu, &mut Rng::new(4)).unwrap();
    let (mut a, mut b) = (build(), build());
    let mut cp = b.checkpoint(1).unwrap();
    let [r, c] = cp[0][0].shape();
    cp[0][0] = Device::Cpu.tensor(r, c, &common::random(r, c, 8)).unwrap();
    b.restore(1, &cp).unwrap();
    for _ in 0..3 {
        a.train_epoch(0).unwrap();
        b.train_epoch(0).unwrap();
    }
    assert_eq!(weights(&mut a, 0), weights(&mut b, 0));
}

fn learners(t: &NodeTask, d: &Device) -> Vec<(&'static str, Box<dyn NodeLearner>)> {
    let r = || Rng::new(7);
    vec![
        ("sf", Box::new(ForwardSf::new(t, GnnKind::Gcn, 2, d, &mut r()).unwrap())),
        ("sf-top-input", Box::new(ForwardTopDown::new(t, TopDown::ToInput, GnnKind::Sage, 2, d, &mut r()).unwrap())),
        ("sf-top-loss", Box::new(ForwardTopDown::new(t, TopDown::ToLoss, GnnKind::Gcn, 2, d, &mut r()).unwrap())),
        ("ff-la", Box::new(ForwardFf::new(t, FfMode::LabelAppending, GnnKind::Gcn, 2, d, &mut r()).unwrap())),
        ("ff-vn", Box::new(ForwardFf::new(t, FfMode::VirtualNodes, GnnKind::Gat, 2, d, &mut r()).unwrap())),
        ("backprop", Box::new(GnnBackprop::new(t, GnnKind::Gat, 2, d, &mut r()).unwrap())),
    ]
}

#[test]
fn every_variant_lowers_its_losses_on_the_cpu() {
    let t = tiny();
    for (name, mut l) in learners(&t, &Device::Cpu) {
        let first: Vec<f32> = l.train_epoch(0).unwrap().iter().map(|x| v(x)[0]).collect();
        let mut last = first.clone();
        for _ in 0..30 {
            last = l.train_epoch(0).unwrap().iter().map(|x| v(x)[0]).collect();
        }
        for (a, b) in first.iter().zip(&last) {
            assert!(b < a, "{name}: loss {a} -> {b}");
        }
        let s = l.scores(0).unwrap();
        assert_eq!(s.val.shape(), [6, 2], "{name}: scores of every real node");
    }
}

#[test]
fn gpu_and_cpu_train_every_variant_alike() {
    let Some(gpu) = common::gpu() else { return };
    let t = tiny();
    for ((name, mut a), (_, mut b)) in learners(&t, &Device::Cpu).into_iter().zip(learners(&t, &gpu)) {
        for _ in 0..5 {
            a.train_epoch(0).unwrap();
            b.train_epoch(0).unwrap();
        }
        let (sa, sb) = (a.scores(0).unwrap(), b.scores(0).unwrap());
        common::assert_close(&format!("{name} scores after 5 epochs"), &v(&sb.val), &v(&sa.val), 1e-3);
    }
}

/// A learner that scores a split alone (to skip the test pass when validation does not improve) gives
/// bit for bit what [`NodeLearner::scores`] gives for that split, at every stage.
#[test]
fn split_scores_equal_the_joint_ones() {
    let t = tiny();
    let mut split_alone = 0;
    for (name, mut l) in learners(&t, &Device::Cpu) {
        for stage in 0..l.stages() {
            for _ in 0..3 {
                l.train_epoch(stage).unwrap();
            }
            let joint = l.scores(stage).unwrap();
            let test = joint.test.as_ref().unwrap_or(&joint.val);
            if let Some(val) = l.split_scores(stage, 0).unwrap() {
                assert_eq!(v(&val), v(&joint.val), "{name} stage {stage}: validation");
                assert_eq!(v(&l.split_scores(stage, 1).unwrap().unwrap()), v(test), "{name} stage {stage}: test");
                split_alone += 1;
            }
            l.finish_stage(stage).unwrap();
        }
    }
    assert_eq!(split_alone, 4, "FF-LA and FF-VN score their splits apart, two stages each");
}
