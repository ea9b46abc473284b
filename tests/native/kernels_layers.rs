//! GPU == CPU for the layer kernels (concat/slice, GAT attention, convolution, pooling, batched products,
//! dropout, batch norm): the same inputs through `tensor::gpu` (lavapipe natively) and `tensor::cpu`. The
//! elementwise and reduction kernels are in `tests/kernels.rs`.
#![cfg(not(target_arch = "wasm32"))]

use super::common;

use bpfree::tensor::*;
use common::{assert_close, both, pair, read, TOL};

#[test]
fn concat_and_slice() {
    let Some(d) = both() else { return };
    let (a0, a1) = pair(&d, 7, 3, 100);
    let (b0, b1) = pair(&d, 7, 5, 101);
    let (c0, c1) = (concat(&[&a0, &b0], 1).unwrap(), concat(&[&a1, &b1], 1).unwrap());
    assert_eq!(c0.shape(), [7, 8]);
    assert_close("concat cols", &read(&c1), &read(&c0), 0.0);
    assert_close("slice back", &read(&slice(&c0, 1, 3..8).unwrap()), &read(&b0), 0.0);
    assert_close("slice gpu", &read(&slice(&c1, 1, 3..8).unwrap()), &read(&b0), 0.0);
    let (r0, r1) = (concat(&[&a0, &a0], 0).unwrap(), concat(&[&a1, &a1], 0).unwrap());
    assert_eq!(r1.shape(), [14, 3]);
    assert_close("concat rows", &read(&r1), &read(&r0), 0.0);
    assert_close("slice rows", &read(&slice(&r1, 0, 7..14).unwrap()), &read(&a0), 0.0);
    assert!(concat(&[&a0, &b0], 0).is_err(), "column counts differ");
    assert!(slice(&a0, 1, 2..9).is_err());
}

#[test]
fn gat_kernels() {
    let Some(d) = both() else { return };
    let mut rng = bpfree::rng::Rng::new(110);
    let edges: Vec<(u32, u32)> = (0..400).map(|_| (rng.below(60) as u32, rng.below(60) as u32)).collect();
    let (g0, g1) = (GatGraph::new(&d.0, 60, &edges).unwrap(), GatGraph::new(&d.1, 60, &edges).unwrap());
    let heads = 4;
    let (s0, s1) = pair(&d, 60, heads, 111);
    let (t0, t1) = pair(&d, 60, heads, 112);
    let (a0, a1) = (g0.softmax(&s0, &t0, 0.2).unwrap(), g1.softmax(&s1, &t1, 0.2).unwrap());
    assert_close("gat_softmax", &read(&a1), &read(&a0), TOL);
    let (x0, x1) = pair(&d, 60, heads * 8, 113);
    assert_close(
        "gat_aggregate",
        &read(&g1.aggregate(&a1, &x1).unwrap()),
        &read(&g0.aggregate(&a0, &x0).unwrap()),
        TOL,
    );
    let want = read(&g0.aggregate_backward_features(&a0, &x0).unwrap());
    assert_close("gat_aggregate (by source)", &read(&g1.aggregate_backward_features(&a1, &x1).unwrap()), &want, TOL);
    let (o0, o1) = pair(&d, 60, heads * 8, 114);
    let (da0, da1) = (
        g0.aggregate_backward_attention(&o0, &x0, heads).unwrap(),
        g1.aggregate_backward_attention(&o1, &x1, heads).unwrap(),
    );
    assert_close("gat_attention_grad", &read(&da1), &read(&da0), TOL);
    let want = read(&g0.softmax_backward(&s0, &t0, &a0, &da0, 0.2).unwrap());
    assert_close("gat_softmax_backward", &read(&g1.softmax_backward(&s1, &t1, &a1, &da1, 0.2).unwrap()), &want, TOL);
}

/// Both kernel families (`Gpu::direct_kernels`): one invocation per output, and the register-blocked forms (8 or 4
/// channels, 4 positions per invocation), with channel counts and position counts that leave blocks part-filled.
#[test]
fn conv2d_and_gradients() {
    let Some(d) = both() else { return };
    let Device::Gpu(gpu) = &d.1 else { unreachable!() };
    let shapes = [(2, 3, 7, 6, 4, 1, 1), (2, 3, 7, 6, 4, 2, 1), (2, 3, 6, 5, 4, 1, 0), (2, 3, 9, 9, 4, 2, 0)];
    // part-filled channel blocks (11 and 9 of 8, 5 of 4) and a position count not a multiple of 4 (3 x 5 x 3)
    let blocks = [(3, 9, 5, 7, 11, 1, 0), (3, 11, 6, 6, 5, 1, 1), (1, 5, 8, 7, 9, 2, 1)];
    for (batch, in_ch, h, w, out_ch, stride, pad) in shapes.into_iter().chain(blocks) {
        let s = Conv2dShape { in_ch, height: h, width: w, out_ch, stride, pad };
        let (x0, x1) = pair(&d, batch, s.in_len(), 120);
        let (w0, w1) = pair(&d, out_ch, in_ch * 9, 121);
        let (b0, b1) = pair(&d, 1, out_ch, 122);
        let (g0, g1) = pair(&d, batch, s.out_len(), 123);
        let forward = read(&conv2d(&x0, &w0, &b0, &s).unwrap());
        let input_grad = read(&conv2d_input_grad(&g0, &w0, &s).unwrap());
        let weight_grad = read(&conv2d_weight_grad(&g0, &x0, &s).unwrap());
        for direct in [false, true] {
            gpu.set_direct_kernels(direct);
            let what = format!("{batch} x {in_ch} x {h} x {w} -> {out_ch} stride {stride} pad {pad} direct={direct}");
            assert_close(&format!("conv2d {what}"), &read(&conv2d(&x1, &w1, &b1, &s).unwrap()), &forward, TOL);
            let got = read(&conv2d_input_grad(&g1, &w1, &s).unwrap());
            assert_close(&format!("conv2d_input_grad {what}"), &got, &input_grad, TOL);
            let got = read(&conv2d_weight_grad(&g1, &x1, &s).unwrap());
            assert_close(&format!("conv2d_weight_grad {what}"), &got, &weight_grad, TOL);
        }
    }
    // the weight gradient over longer sums (12 images of 9 x 9: 972 terms a weight), over many weights (80 -> 92
    // channels: 66,240) and over a batch the direct kernel cuts into parts of 2, 2, 2 and 1 images
    for (batch, in_ch, out_ch, side) in [(12, 2, 3, 9), (1, 80, 92, 3), (7, 16, 29, 5)] {
        let s = Conv2dShape { in_ch, height: side, width: side, out_ch, stride: 1, pad: 1 };
        let (x0, x1) = pair(&d, batch, s.in_len(), 124);
        let (g0, g1) = pair(&d, batch, s.out_len(), 125);
        let want = read(&conv2d_weight_grad(&g0, &x0, &s).unwrap());
        for direct in [false, true] {
            gpu.set_direct_kernels(direct);
            assert_close(
                &format!("conv2d_weight_grad {batch} x {in_ch} x {side} x {side} -> {out_ch} direct={direct}"),
                &read(&conv2d_weight_grad(&g1, &x1, &s).unwrap()),
                &want,
                TOL,
            );
        }
    }
}

#[test]
fn pooling_and_upsampling() {
    let Some(d) = both() else { return };
    let (c, h, w) = (3, 5, 6); // odd height: the last row is dropped by pooling
    let (x0, x1) = pair(&d, 2, c * h * w, 130);
    let ((y0, k0), (y1, k1)) = (max_pool2x2(&x0, c, h, w).unwrap(), max_pool2x2(&x1, c, h, w).unwrap());
    assert_close("max_pool2x2", &read(&y1), &read(&y0), 0.0);
    assert_close("max_pool2x2 winners", &read(&k1), &read(&k0), 0.0);
    let (g0, g1) = pair(&d, 2, c * (h / 2) * (w / 2), 131);
    let want = read(&max_pool2x2_backward(&g0, &k0, c, h, w).unwrap());
    assert_close("max_pool2x2_backward", &read(&max_pool2x2_backward(&g1, &k1, c, h, w).unwrap()), &want, 0.0);
    assert_close(
        "upsample2x",
        &read(&upsample2x(&x1, c, h, w).unwrap()),
        &read(&upsample2x(&x0, c, h, w).unwrap()),
        0.0,
    );
    let (u0, u1) = pair(&d, 2, c * 4 * h * w, 132);
    let want = read(&upsample2x_backward(&u0, c, h, w).unwrap());
    assert_close("upsample2x_backward", &read(&upsample2x_backward(&u1, c, h, w).unwrap()), &want, TOL);
}

#[test]
fn matmul_batched_products() {
    let Some(d) = both() else { return };
    let batch = 3;
    for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
        let (m, k, n) = (5, 70, 9);
        let (ar, ac) = if ta { (k, m) } else { (m, k) };
        let (br, bc) = if tb { (n, k) } else { (k, n) };
        let (a0, a1) = pair(&d, batch * ar, ac, 140);
        let (b0, b1) = pair(&d, batch * br, bc, 141);
        let want = read(&matmul_batched(&a0, &b0, batch, ta, tb).unwrap());
        // each product equals the plain matmul of its slices
        let first =
            bpfree::tensor::matmul(&slice(&a0, 0, 0..ar).unwrap(), &slice(&b0, 0, 0..br).unwrap(), ta, tb).unwrap();
        assert_close("batched vs single", &want[..m * n], &read(&first), TOL);
        let Device::Gpu(gpu) = &d.1 else { unreachable!() };
        for direct in [false, true] {
            gpu.set_direct_kernels(direct);
            assert_close(
                &format!("matmul_batched ta={ta} tb={tb} direct={direct}"),
                &read(&matmul_batched(&a1, &b1, batch, ta, tb).unwrap()),
                &want,
                TOL,
            );
        }
    }
}

#[test]
fn dropout_masks_match_and_scale() {
    let Some(d) = both() else { return };
    let (x0, x1) = pair(&d, 100, 50, 150);
    let (y0, y1) = (read(&dropout(&x0, 0.3, 9).unwrap()), read(&dropout(&x1, 0.3, 9).unwrap()));
    assert_close("dropout", &y1, &y0, TOL);
    let x = read(&x0);
    let kept = y0.iter().filter(|v| **v != 0.0).count() as f32 / y0.len() as f32;
    assert!((kept - 0.7).abs() < 0.03, "kept {kept}");
    assert!(y0.iter().zip(&x).all(|(y, x)| *y == 0.0 || (y - x / 0.7).abs() < 1e-5));
    assert_ne!(y0, read(&dropout(&x0, 0.3, 10).unwrap()), "another seed, another mask");
}

#[test]
fn batch_norm_kernels() {
    let Some(d) = both() else { return };
    let (channels, plane) = (3, 10);
    let (x0, x1) = pair(&d, 8, channels * plane, 160);
    let ((m0, v0), (m1, v1)) = (batch_norm_stats(&x0, channels).unwrap(), batch_norm_stats(&x1, channels).unwrap());
    assert_close("batch_norm_stats mean", &read(&m1), &read(&m0), TOL);
    assert_close("batch_norm_stats var", &read(&v1), &read(&v0), TOL);
    let (g0, g1) = pair(&d, 1, channels, 161);
    let (b0, b1) = pair(&d, 1, channels, 162);
    let want = read(&batch_norm(&x0, &m0, &v0, &g0, &b0, channels, 1e-5).unwrap());
    assert_close("batch_norm", &read(&batch_norm(&x1, &m1, &v1, &g1, &b1, channels, 1e-5).unwrap()), &want, TOL);
    let (dy0, dy1) = pair(&d, 8, channels * plane, 163);
    let r0 = batch_norm_backward(&x0, &dy0, &m0, &v0, &g0, channels, 1e-5).unwrap();
    let r1 = batch_norm_backward(&x1, &dy1, &m1, &v1, &g1, channels, 1e-5).unwrap();
    assert_close("batch_norm_backward dx", &read(&r1.0), &read(&r0.0), 1e-3);
    assert_close("batch_norm_backward dgamma", &read(&r1.1), &read(&r0.1), TOL);
    assert_close("batch_norm_backward dbeta", &read(&r1.2), &read(&r0.2), TOL);
}
