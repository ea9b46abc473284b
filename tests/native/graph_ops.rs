//! The graph operators against hand-computed values and dense algebra (CPU).
#![cfg(not(target_arch = "wasm32"))]

use super::common;

use bpfree::tensor::{spmm, spmm_transposed, Csr, Device, Tensor};
use ndarray::{array, Array2};

fn dense(csr: &Csr) -> Array2<f32> {
    let eye = Tensor::Cpu(Array2::eye(csr.cols()));
    match spmm(csr, &eye).unwrap() {
        Tensor::Cpu(a) => a,
        Tensor::Gpu(_) => unreachable!(),
    }
}

#[test]
fn gcn_normalisation_by_hand() {
    // 0 <-> 1 (both directions), node 2 isolated: self-loops give deg = 2, 2, 1.
    let a = Csr::gcn_normalized(&Device::Cpu, 3, &[(0, 1), (1, 0)]).unwrap();
    let want = array![[0.5, 0.5, 0.0], [0.5, 0.5, 0.0], [0.0, 0.0, 1.0]];
    assert!((dense(&a) - want).iter().all(|v| v.abs() < 1e-6), "{:?}", dense(&a));
}

#[test]
fn gcn_uses_in_degree_on_directed_graphs() {
    // 0 -> 1 only: deg(0) = 1 (self), deg(1) = 2; row 1 gets 1/sqrt(1*2) from node 0 and 1/2 from itself.
    let a = dense(&Csr::gcn_normalized(&Device::Cpu, 2, &[(0, 1)]).unwrap());
    let want = array![[1.0, 0.0], [1.0 / 2f32.sqrt(), 0.5]];
    assert!((a - want).iter().all(|v| v.abs() < 1e-6));
}

#[test]
fn existing_self_loops_are_not_doubled() {
    let a = dense(&Csr::gcn_normalized(&Device::Cpu, 1, &[(0, 0)]).unwrap());
    assert!((a[[0, 0]] - 1.0).abs() < 1e-6);
}

#[test]
fn mean_aggregation_by_hand() {
    // into node 0: from 1 and 2; node 1: from 0; node 2: nothing
    let a = dense(&Csr::mean_aggregation(&Device::Cpu, 3, &[(1, 0), (2, 0), (0, 1)]).unwrap());
    let want = array![[0.0, 0.5, 0.5], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]];
    assert!((a - want).iter().all(|v| v.abs() < 1e-6));
}

#[test]
fn transpose_product_matches_dense_transpose() {
    let a = Csr::mean_aggregation(&Device::Cpu, 4, &[(1, 0), (2, 0), (0, 1), (3, 2), (3, 3), (0, 3)]).unwrap();
    let x = Array2::from_shape_vec((4, 3), common::random(4, 3, 1)).unwrap();
    let got = match spmm_transposed(&a, &Tensor::Cpu(x.clone())).unwrap() {
        Tensor::Cpu(a) => a,
        Tensor::Gpu(_) => unreachable!(),
    };
    let want = dense(&a).t().dot(&x);
    assert!((got - want).iter().all(|v| v.abs() < 1e-5));
}

#[test]
fn cpu_product_reads_any_memory_layout() {
    // row 0 = x1 + 2 x2, row 1 = 3 x0, row 2 = 0
    let (row_ptr, col_index, values) = ([0u32, 2, 3, 3], [1u32, 2, 0], [1.0f32, 2.0, 3.0]);
    let x = Array2::from_shape_vec((2, 3), common::random(2, 3, 3)).unwrap();
    let xt = x.t(); // 3 x 2, column-major
    let got = bpfree::tensor::cpu::spmm(&row_ptr, &col_index, &values, xt);
    let want = ndarray::stack![ndarray::Axis(0), &xt.row(1) + &(&xt.row(2) * 2.0), &xt.row(0) * 3.0, [0.0f32, 0.0]];
    assert_eq!(got, want);
}

#[test]
fn out_of_range_edges_are_errors() {
    assert!(Csr::gcn_normalized(&Device::Cpu, 2, &[(0, 2)]).is_err());
    assert!(Csr::mean_aggregation(&Device::Cpu, 2, &[(5, 0)]).is_err());
    assert!(Csr::from_triplets(&Device::Cpu, 2, 2, &[(0, 3, 1.0)]).is_err());
}

#[test]
fn cosine_similarity_by_hand() {
    let a = Tensor::Cpu(array![[1.0, 0.0], [1.0, 1.0]]);
    let b = Tensor::Cpu(array![[2.0, 0.0], [0.0, 3.0], [-1.0, -1.0]]);
    let s = match bpfree::tensor::cosine_similarity(&a, &b, 0.0).unwrap() {
        Tensor::Cpu(s) => s,
        Tensor::Gpu(_) => unreachable!(),
    };
    let r = std::f32::consts::FRAC_1_SQRT_2;
    let want = array![[1.0, 0.0, -r], [r, r, -1.0]];
    assert!((s - want).iter().all(|v| v.abs() < 1e-6));
}
