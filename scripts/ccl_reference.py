#!/usr/bin/env python3
"""Independent NumPy re-implementation of counter-current learning's MLP (spec ccl.md §1, with
yaml/mlp/mnist_ccl.yaml's settings: 784-256x5-10, ELU, no biases, PyTorch's default init, loss 128/d
per pair, CE on the top layer only, global-norm clipping 1 per network, SGD lr 1, batch 256, no schedule).

It shares no code with bpfree: a cross-check of `bpfree train --algo ccl --dataset mnist --epochs N`.
Optional, by hand (needs numpy from PyPI):

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy
    /tmp/venv/bin/python scripts/ccl_reference.py mnist 5 1        # dataset, epochs, seed [lr_F lr_B]

On the reference machine: 93.52 % test accuracy after 5 epochs (bpfree: 93.25 %), ~13 s per epoch.
"""
import gzip, os, sys, time

import numpy as np

dataset = sys.argv[1] if len(sys.argv) > 1 else 'mnist'
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'www', 'data', 'images', dataset) + '/'
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
lr_f = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
lr_b = float(sys.argv[5]) if len(sys.argv) > 5 else 1.0
def idx(name):
    for f in os.listdir(root):
        if f.startswith(name): return gzip.open(root + f).read()
def images(name):
    b = idx(name); n = int.from_bytes(b[4:8], 'big'); return np.frombuffer(b[16:], np.uint8).reshape(n, 784)
def labels(name):
    b = idx(name); return np.frombuffer(b[8:], np.uint8).astype(np.int64)
xtr, ytr = images('train-images'), labels('train-labels')
xte, yte = images('t10k-images'), labels('t10k-labels')
mean, std = (0.1307, 0.3081) if dataset == 'mnist' else (0.2860, 0.3530)
norm = lambda x: ((x.astype(np.float32) / 255.0) - mean) / std
rng = np.random.default_rng(seed)
perm = rng.permutation(60000); tr, va = perm[:54000], perm[54000:]
X, Y = norm(xtr[tr]), ytr[tr]; Xv, Yv = norm(xtr[va]), ytr[va]; Xt, Yt = norm(xte), yte
w = [784, 256, 256, 256, 256, 256, 10]; L = len(w) - 1; K = 10
U = [rng.uniform(-1, 1, (w[i], w[i+1])).astype(np.float32) / np.sqrt(w[i]) for i in range(L)]
V = [rng.uniform(-1, 1, (w[i+1], w[i])).astype(np.float32) / np.sqrt(w[i+1]) for i in range(L)]
elu = lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0)))
delu = lambda z: np.where(z > 0, 1.0, np.exp(np.minimum(z, 0)))
def fwd(x):
    a = [x]; pre = [None]
    for l in range(L - 1):
        z = a[-1] @ U[l]; pre.append(z); a.append(elu(z))
    return a, pre, a[-1] @ U[L-1]
def clip(gs, c):
    t = np.sqrt(sum(float((g.astype(np.float64)**2).sum()) for g in gs)); coef = min(1.0, c / (t + 1e-6))
    return [g * coef for g in gs], t
def evaluate(x, y):
    _, _, z = fwd(x); z = z - z.max(1, keepdims=True); lp = z - np.log(np.exp(z).sum(1, keepdims=True))
    return -lp[np.arange(len(y)), y].mean(), (z.argmax(1) == y).mean()
B = 256; best = (1e9, 0, 0)
for ep in range(epochs):
    t0 = time.time(); order = rng.permutation(len(X)); gn = []
    for s in range(0, len(X), B):
        i = order[s:s+B]; x, y = X[i], Y[i]; b = len(i); Yh = np.eye(K, dtype=np.float32)[y]
        a, pre, z = fwd(x)
        # feedback: c[L-1] = elu(V[L-1]) (K x d_{L-1}); c[l-1] = act(c[l] @ V[l-1])
        c = [None] * L; cp = [None] * L
        cp[L-1] = V[L-1]; c[L-1] = elu(V[L-1])
        for l in range(L - 1, 0, -1):
            zz = c[l] @ V[l-1]; cp[l-1] = zz; c[l-1] = zz if l - 1 == 0 else elu(zz)
        gU = [np.zeros_like(u) for u in U]; gV = [np.zeros_like(v) for v in V]
        for l in range(L):
            s_ = 0.5 * 256 / w[l]; C = a[l] @ c[l].T; G1 = 2 * s_ / (b * K) * (C - Yh)
            dA = G1 @ c[l]; dP = G1.T @ a[l]
            if l > 0: gU[l-1] += a[l-1].T @ (dA * delu(pre[l]))
            dpre = dP if l == 0 else dP * delu(cp[l])
            gV[l] += dpre if l == L - 1 else c[l+1].T @ dpre
        zs = z - z.max(1, keepdims=True); p = np.exp(zs); p /= p.sum(1, keepdims=True)
        dz = (p - Yh) / b; gU[L-1] += a[L-1].T @ dz
        gU, tf = clip(gU, 1.0); gV, tb = clip(gV, 1.0); gn.append((tf, tb))
        for l in range(L): U[l] -= lr_f * gU[l]; V[l] -= lr_b * gV[l]
    vl, vacc = evaluate(Xv, Yv); tl, tacc = evaluate(Xt, Yt)
    if vl < best[0]: best = (vl, tacc, ep + 1)
    g = np.array(gn)
    print(f'epoch {ep+1}: val_ce {vl:.4f} val_acc {vacc:.4f} test_acc {tacc:.4f} |gF| {g[:,0].mean():.2f} |gG| {g[:,1].mean():.2f} ({time.time()-t0:.1f}s)', flush=True)
print('best-by-val-CE test', best)
