#!/usr/bin/python3
"""Writes the golden fixtures for vecnn's conformance tests.

Ranks 1-3 come from PyTorch (Debian's python3-torch 1.13: `apt-get install python3-torch`); ranks 4
and 5, and average pooling with dilation (which PyTorch lacks), come from the N-d NumPy reference
below, which this script first checks against PyTorch on ranks 1-3.

Every case is a folder of float64 .npy files (x, w, b, y, gy, gx, gw, gb for convolutions; x, y,
idx, gy, gx for pooling) and a line in MANIFEST: `<case> <conv|pool> <spec text> [same]`. The spec
text is vecnn's (see SpecText): list form with explicit begin (p) and end (r) padding and benchdnn's
dilation convention (gaps, 0 = dense).

Run from the repository root:  /usr/bin/python3 tests/golden/generate_golden.py
"""
import itertools
import os
import shutil

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "golden")
torch.manual_seed(20261126)
RNG = np.random.default_rng(20261126)
MANIFEST = []


def lst(v):
    return "x".join(str(int(e)) for e in v)


def conv_text(mb, ic, oc, g, ins, k, s, d, pb, pe, mode="zeros", bias=True, transposed=False, op=None):
    t = f"g{g}mb{mb}ic{ic}oc{oc}_i{lst(ins)}_k{lst(k)}_s{lst(s)}_p{lst(pb)}_r{lst(pe)}_d{lst([e - 1 for e in d])}"
    if op is not None and any(op):
        t += f"_op{lst(op)}"
    if transposed:
        t += "_transposed"
    if not bias:
        t += "_bias0"
    if mode != "zeros":
        t += "_" + mode
    return t


def pool_text(kind, mb, c, ins, k=None, s=None, d=None, pb=None, pe=None, ceil=False, include_pad=True, out=None):
    t = f"{kind}_mb{mb}ic{c}_i{lst(ins)}"
    if out is not None:
        t += f"_o{lst(out)}"
    if k is not None:
        t += f"_k{lst(k)}_s{lst(s)}_p{lst(pb)}_r{lst(pe)}_d{lst([e - 1 for e in d])}"
        if ceil:
            t += "_ceil"
        if not include_pad:
            t += "_excludepad"
    return t


def save(name, op, text, arrays, flags=""):
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    for key, a in arrays.items():
        if a is None:
            continue
        a = a.detach().numpy() if isinstance(a, torch.Tensor) else np.asarray(a)
        np.save(os.path.join(folder, key + ".npy"), a if a.dtype == np.int64 else a.astype(np.float64))
    MANIFEST.append(f"{name} {op} {text}{' ' + flags if flags else ''}")


# ---------------------------------------------------------------- N-d NumPy reference

def source(p, n, mode):
    """Input index read by padded position p (array), or -1 for zero padding."""
    if mode == "zeros":
        return np.where((p >= 0) & (p < n), p, -1)
    if mode == "reflect":
        q = np.abs(p)
        return np.where(q >= n, 2 * (n - 1) - q, q)
    if mode == "replicate":
        return np.clip(p, 0, n - 1)
    if mode == "circular":
        return np.mod(p, n)
    raise ValueError(mode)


def conv_taps(xshape, k, s, d, pb, pe, mode, out=None):
    """Yields (tap, index arrays per dim, validity mask, output size) of a direct convolution; `out`
    overrides the output size (a transposed convolution with output padding >= stride has one more)."""
    r = len(k)
    if out is None:
        out = [(xshape[2 + i] + pb[i] + pe[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(r)]
    for tap in itertools.product(*[range(e) for e in k]):
        idx = [source(np.arange(out[i]) * s[i] - pb[i] + tap[i] * d[i], xshape[2 + i], mode) for i in range(r)]
        valid = np.ones(out, dtype=bool)
        for i in range(r):
            shape = [1] * r
            shape[i] = out[i]
            valid = valid & (idx[i] >= 0).reshape(shape)
        grids = np.ix_(*[np.where(e < 0, 0, e) for e in idx])
        yield tap, grids, valid, out


def np_conv(x, w, b, s, d, pb, pe, mode, g, out=None):
    """Direct convolution forward, any rank."""
    n, c = x.shape[:2]
    kk = w.shape[0]
    cg, kg = c // g, kk // g
    y = None
    for tap, grids, valid, out in conv_taps(x.shape, w.shape[2:], s, d, pb, pe, mode, out):
        if y is None:
            y = np.zeros([n, kk] + out)
        xs = x[(slice(None), slice(None)) + grids] * valid
        for gi in range(g):
            y[:, gi * kg:(gi + 1) * kg] += np.einsum("kc,nc...->nk...", w[(slice(gi * kg, (gi + 1) * kg), slice(None)) + tap],
                                                      xs[:, gi * cg:(gi + 1) * cg])
    if b is not None:
        y += b.reshape([1, -1] + [1] * (x.ndim - 2))
    return y


def np_conv_backward(x, w, gy, s, d, pb, pe, mode, g):
    out = list(gy.shape[2:])
    """(gx, gw, gb) of a direct convolution, any rank; padding modes scatter through their index maps."""
    c = x.shape[1]
    kk = w.shape[0]
    cg, kg = c // g, kk // g
    gx = np.zeros_like(x)
    gw = np.zeros_like(w)
    for tap, grids, valid, out in conv_taps(x.shape, w.shape[2:], s, d, pb, pe, mode, out):
        xs = x[(slice(None), slice(None)) + grids] * valid
        for gi in range(g):
            ks, cs = slice(gi * kg, (gi + 1) * kg), slice(gi * cg, (gi + 1) * cg)
            gys = gy[:, ks]
            n = gys.shape[0]
            gw[(ks, slice(None)) + tap] += np.einsum("nkp,ncp->kc", gys.reshape(n, kg, -1), xs[:, cs].reshape(n, cg, -1))
            contrib = np.einsum("kc,nk...->nc...", w[(ks, slice(None)) + tap], gys) * valid
            np.add.at(gx, (slice(None), cs) + grids, contrib)
    gb = gy.sum(axis=tuple(i for i in range(gy.ndim) if i != 1))
    return gx, gw, gb


def np_pool(x, kind, k, s, d, pb, pe, ceil, include_pad):
    """Max or average pooling forward, any rank: (y, idx) with PyTorch's tie and NaN rules."""
    r = x.ndim - 2
    ins = x.shape[2:]
    out = []
    for i in range(r):
        span = ins[i] + pb[i] + pe[i] - d[i] * (k[i] - 1) - 1
        o = (-(-span // s[i]) if ceil else span // s[i]) + 1
        if ceil and (o - 1) * s[i] >= ins[i] + pb[i]:
            o -= 1
        out.append(o)
    y = np.full(list(x.shape[:2]) + out, -np.inf if kind == "max" else 0.0)
    idx = np.full(y.shape, -1, dtype=np.int64)
    count = np.zeros(out)
    padded = np.zeros(out)
    strides = [int(np.prod(ins[i + 1:])) for i in range(r)]
    for tap in itertools.product(*[range(e) for e in k]):
        pos = [np.arange(out[i]) * s[i] - pb[i] + tap[i] * d[i] for i in range(r)]
        inside = np.ones(out, dtype=bool)
        inpad = np.ones(out, dtype=bool)
        flat = np.zeros(out, dtype=np.int64)
        for i in range(r):
            shape = [1] * r
            shape[i] = out[i]
            p = pos[i].reshape(shape)
            inside = inside & (p >= 0) & (p < ins[i])
            inpad = inpad & (p >= -pb[i]) & (p < ins[i] + pe[i])
            flat = flat + np.clip(p, 0, ins[i] - 1) * strides[i]
        grids = np.ix_(*[np.clip(e, 0, ins[i] - 1) for i, e in enumerate(pos)])
        v = x[(slice(None), slice(None)) + grids]
        count += inside
        padded += inpad
        if kind == "max":
            first = inside & (idx == -1)
            idx = np.where(first, flat, idx)
            take = inside & ((v > y) | np.isnan(v))
            y = np.where(take, v, y)
            idx = np.where(take, flat, idx)
        else:
            y = y + np.where(inside, v, 0.0)
    if kind == "avg":
        div = padded if include_pad else count
        y = np.where(div > 0, y / np.where(div > 0, div, 1), 0.0)
        return y, None, div
    return y, idx, None


def np_pool_backward(x, gy, kind, k, s, d, pb, pe, ceil, include_pad, idx):
    gx = np.zeros_like(x)
    r = x.ndim - 2
    ins = x.shape[2:]
    if kind == "max":
        n, c = x.shape[:2]
        flatx = gx.reshape(n, c, -1)
        fi = idx.reshape(n, c, -1)
        fg = gy.reshape(n, c, -1)
        for a in range(n):
            for b in range(c):
                ok = fi[a, b] >= 0
                np.add.at(flatx[a, b], fi[a, b][ok], fg[a, b][ok])
        return gx
    _, _, div = np_pool(x, kind, k, s, d, pb, pe, ceil, include_pad)
    out = list(gy.shape[2:])
    share = gy / np.where(div > 0, div, 1) * (div > 0)
    for tap in itertools.product(*[range(e) for e in k]):
        pos = [np.arange(out[i]) * s[i] - pb[i] + tap[i] * d[i] for i in range(r)]
        inside = np.ones(out, dtype=bool)
        for i in range(r):
            shape = [1] * r
            shape[i] = out[i]
            p = pos[i].reshape(shape)
            inside = inside & (p >= 0) & (p < ins[i])
        grids = np.ix_(*[np.clip(e, 0, ins[i] - 1) for i, e in enumerate(pos)])
        np.add.at(gx, (slice(None), slice(None)) + grids, share * inside)
    return gx


# ---------------------------------------------------------------- cases

def rand(*shape):
    return torch.randn(*shape, dtype=torch.float64)


TORCH_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}


def torch_conv(name, mb, ic, oc, ins, k, s=None, d=None, pb=None, pe=None, g=1, mode="zeros", bias=True, same=False):
    r = len(ins)
    s = s or [1] * r
    d = d or [1] * r
    pb = pb or [0] * r
    pe = pe if pe is not None else list(pb)
    conv = [None, F.conv1d, F.conv2d, F.conv3d][r]
    x = rand(mb, ic, *ins).requires_grad_()
    w = rand(oc, ic // g, *k).requires_grad_()
    b = rand(oc).requires_grad_() if bias else None
    if same and all(e == 1 for e in s):
        y = conv(x, w, b, 1, "same", d, g)  # PyTorch's own 'same'
    else:
        pad = []
        for i in reversed(range(r)):
            pad += [pb[i], pe[i]]
        y = conv(F.pad(x, pad, mode=TORCH_MODE[mode]), w, b, s, 0, d, g)
    gy = rand(*y.shape)
    y.backward(gy)
    # the N-d NumPy reference must agree with PyTorch before it is trusted for ranks 4 and 5
    xn, wn = x.detach().numpy(), w.detach().numpy()
    yn = np_conv(xn, wn, None if b is None else b.detach().numpy(), s, d, pb, pe, mode, g)
    assert np.allclose(yn, y.detach().numpy(), rtol=1e-10, atol=1e-10), name
    gxn, gwn, _ = np_conv_backward(xn, wn, gy.numpy(), s, d, pb, pe, mode, g)
    assert np.allclose(gxn, x.grad.numpy(), rtol=1e-10, atol=1e-10), name
    assert np.allclose(gwn, w.grad.numpy(), rtol=1e-10, atol=1e-10), name
    save(name, "conv", conv_text(mb, ic, oc, g, ins, k, s, d, pb, pe, mode, bias),
         dict(x=x, w=w, b=b, y=y, gy=gy, gx=x.grad, gw=w.grad, gb=None if b is None else b.grad),
         "same" if same else "")


def torch_conv_transposed(name, mb, ic, oc, ins, k, s, d, p, op, g=1, crop=None):
    """PyTorch's ConvTransposeNd; crop=(begin, end) trims extra padding per dim (asymmetric padding)."""
    r = len(ins)
    conv = [None, F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d][r]
    x = rand(mb, ic, *ins).requires_grad_()
    w = rand(ic, oc // g, *k).requires_grad_()
    b = rand(oc).requires_grad_()
    y = conv(x, w, b, s, p, op, g, d)
    pb, pe = list(p), list(p)
    if crop is not None:
        sl = [slice(None), slice(None)]
        for i in range(r):
            sl.append(slice(crop[0][i], y.shape[2 + i] - crop[1][i]))
            pb[i] += crop[0][i]
            pe[i] += crop[1][i]
        y = y[tuple(sl)]
    gy = rand(*y.shape)
    y.backward(gy)
    save(name, "conv", conv_text(mb, ic, oc, g, ins, k, s, d, pb, pe, transposed=True, op=op),
         dict(x=x, w=w, b=b, y=y, gy=gy, gx=x.grad, gw=w.grad, gb=b.grad))


def numpy_conv(name, mb, ic, oc, ins, k, s, d, pb, pe, g=1, mode="zeros"):
    x = RNG.standard_normal([mb, ic] + ins)
    w = RNG.standard_normal([oc, ic // g] + k)
    b = RNG.standard_normal(oc)
    y = np_conv(x, w, b, s, d, pb, pe, mode, g)
    gy = RNG.standard_normal(y.shape)
    gx, gw, gb = np_conv_backward(x, w, gy, s, d, pb, pe, mode, g)
    save(name, "conv", conv_text(mb, ic, oc, g, ins, k, s, d, pb, pe, mode), dict(x=x, w=w, b=b, y=y, gy=gy, gx=gx, gw=gw, gb=gb))


def numpy_conv_transposed(name, mb, ic, oc, ins, k, s, d, pb, pe, op, g=1):
    """Transposed = the direct convolution's backward-data, with the roles of input and output swapped."""
    outs = [(ins[i] - 1) * s[i] - pb[i] - pe[i] + d[i] * (k[i] - 1) + 1 + op[i] for i in range(len(ins))]
    x = RNG.standard_normal([mb, ic] + ins)
    w = RNG.standard_normal([ic, oc // g] + k)
    b = RNG.standard_normal(oc)
    zeros_big = np.zeros([mb, oc] + outs)
    y, _, _ = np_conv_backward(zeros_big, w, x, s, d, pb, pe, "zeros", g)
    y = y + b.reshape([1, -1] + [1] * len(ins))
    gy = RNG.standard_normal(y.shape)
    gx = np_conv(gy, w, None, s, d, pb, pe, "zeros", g, out=ins)
    _, gw, _ = np_conv_backward(gy, w, x, s, d, pb, pe, "zeros", g)
    gb = gy.sum(axis=tuple(i for i in range(gy.ndim) if i != 1))
    save(name, "conv", conv_text(mb, ic, oc, g, ins, k, s, d, pb, pe, transposed=True, op=op),
         dict(x=x, w=w, b=b, y=y, gy=gy, gx=gx, gw=gw, gb=gb))


def distinct(*shape):
    n = int(np.prod(shape))
    return torch.randperm(n, dtype=torch.float64).reshape(*shape).sub_(n / 2).div_(4)


def torch_pool(name, kind, mb, c, ins, k, s, d=None, p=None, ceil=False, include_pad=True, x=None):
    r = len(ins)
    d = d or [1] * r
    p = p or [0] * r
    x = (distinct(mb, c, *ins) if x is None else x).clone().requires_grad_()
    if kind == "max":
        y, idx = [None, F.max_pool1d, F.max_pool2d, F.max_pool3d][r](x, k, s, p, d, ceil, True)
    else:
        y = [None, F.avg_pool1d, F.avg_pool2d, F.avg_pool3d][r](x, k, s, p, ceil, include_pad)
        idx = None
    gy = rand(*y.shape)
    y.backward(gy)
    xn = x.detach().numpy()
    yn, idxn, _ = np_pool(xn, kind, k, s, d, p, p, ceil, include_pad)
    assert yn.shape == tuple(y.shape), name
    assert np.allclose(yn, y.detach().numpy(), rtol=1e-12, atol=1e-12, equal_nan=True), name
    if idx is not None:
        assert (idxn == idx.numpy()).all(), name
    gxn = np_pool_backward(xn, gy.numpy(), kind, k, s, d, p, p, ceil, include_pad, idxn)
    assert np.allclose(gxn, x.grad.numpy(), rtol=1e-12, atol=1e-12), name
    save(name, "pool", pool_text(kind + "pool", mb, c, ins, k, s, d, p, p, ceil, include_pad),
         dict(x=x, y=y, idx=idx, gy=gy, gx=x.grad))


def numpy_pool(name, kind, mb, c, ins, k, s, d, pb, pe, ceil=False, include_pad=True):
    x = distinct(mb, c, *ins).numpy()
    y, idx, _ = np_pool(x, kind, k, s, d, pb, pe, ceil, include_pad)
    gy = RNG.standard_normal(y.shape)
    gx = np_pool_backward(x, gy, kind, k, s, d, pb, pe, ceil, include_pad, idx)
    save(name, "pool", pool_text(kind + "pool", mb, c, ins, k, s, d, pb, pe, ceil, include_pad),
         dict(x=x, y=y, idx=idx, gy=gy, gx=gx))


def torch_adaptive(name, kind, mb, c, ins, out, glob=False, x=None):
    r = len(ins)
    x = (distinct(mb, c, *ins) if x is None else x).clone().requires_grad_()
    if kind == "max":
        y, idx = [None, F.adaptive_max_pool1d, F.adaptive_max_pool2d, F.adaptive_max_pool3d][r](x, out, True)
    else:
        y = [None, F.adaptive_avg_pool1d, F.adaptive_avg_pool2d, F.adaptive_avg_pool3d][r](x, out)
        idx = None
    gy = rand(*y.shape)
    y.backward(gy)
    text = pool_text(("global" if glob else "adaptive") + kind + "pool", mb, c, ins, out=None if glob else out)
    save(name, "pool", text, dict(x=x, y=y, idx=idx, gy=gy, gx=x.grad))


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    # convolution, PyTorch, ranks 1-3
    torch_conv("conv1d", 2, 3, 4, [11], [3], pb=[1])
    torch_conv("conv1d_strided_dilated", 2, 3, 5, [17], [3], s=[2], d=[2], pb=[2])
    torch_conv("conv1d_circular", 1, 2, 3, [9], [5], pb=[2], pe=[3], mode="circular")
    torch_conv("conv2d", 2, 3, 4, [7, 8], [3, 3], pb=[1, 1])
    torch_conv("conv2d_strided", 1, 3, 4, [9, 10], [3, 3], s=[2, 2], pb=[1, 1])
    torch_conv("conv2d_dilated", 1, 2, 3, [9, 9], [3, 3], d=[2, 2], pb=[2, 2])
    torch_conv("conv2d_grouped", 2, 4, 6, [6, 7], [3, 3], pb=[1, 1], g=2)
    torch_conv("conv2d_depthwise", 1, 4, 8, [7, 7], [3, 3], pb=[1, 1], g=4)
    torch_conv("conv2d_asymmetric", 1, 3, 2, [6, 7], [3, 2], pb=[0, 2], pe=[2, 1])
    torch_conv("conv2d_same_even_kernel", 1, 2, 3, [6, 7], [4, 4], pb=[1, 1], pe=[2, 2], same=True)
    torch_conv("conv2d_same_strided", 1, 2, 3, [8, 7], [3, 3], s=[2, 2], pb=[0, 1], pe=[1, 1], same=True)
    torch_conv("conv2d_reflect", 1, 2, 3, [5, 6], [3, 3], pb=[1, 2], pe=[2, 1], mode="reflect")
    torch_conv("conv2d_replicate", 1, 2, 3, [5, 6], [3, 3], s=[2, 1], pb=[2, 1], pe=[1, 3], mode="replicate")
    torch_conv("conv2d_circular", 1, 2, 3, [5, 6], [3, 3], pb=[1, 1], mode="circular")
    torch_conv("conv2d_pointwise_nobias", 2, 5, 3, [4, 5], [1, 1], bias=False)
    torch_conv("conv2d_lecture", 4, 3, 2, [8, 8], [3, 3], pb=[1, 1])
    torch_conv("conv3d", 1, 2, 3, [5, 6, 4], [3, 3, 3], pb=[1, 1, 1])
    torch_conv("conv3d_strided_dilated_grouped", 1, 4, 2, [7, 6, 7], [2, 3, 2], s=[2, 1, 2], d=[2, 1, 2], pb=[1, 1, 0], g=2)
    torch_conv("conv3d_reflect", 1, 2, 2, [4, 5, 6], [3, 3, 3], pb=[1, 1, 2], pe=[2, 1, 1], mode="reflect")
    # transposed, PyTorch
    torch_conv_transposed("convT1d", 2, 4, 2, [5], [3], [2], [1], [1], [1])
    torch_conv_transposed("convT2d_grouped_dilated", 1, 4, 6, [4, 5], [3, 3], [2, 2], [2, 2], [1, 1], [1, 1], g=2)
    torch_conv_transposed("convT2d_outpad_below_dilation", 1, 2, 3, [3, 4], [2, 2], [1, 2], [3, 1], [0, 1], [2, 1])
    torch_conv_transposed("convT2d_asymmetric", 1, 3, 2, [4, 4], [3, 3], [2, 2], [1, 1], [0, 0], [0, 0], crop=([1, 0], [0, 2]))
    torch_conv_transposed("convT3d", 1, 2, 3, [3, 4, 3], [2, 2, 2], [2, 2, 2], [1, 1, 1], [0, 0, 0], [0, 1, 1])
    # convolution, NumPy, ranks 4 and 5
    numpy_conv("conv4d", 1, 2, 3, [4, 5, 3, 4], [2, 3, 1, 2], [1, 2, 1, 1], [1, 1, 2, 1], [1, 0, 0, 1], [0, 1, 0, 1])
    numpy_conv("conv4d_reflect_grouped", 1, 4, 2, [4, 3, 4, 3], [3, 2, 2, 2], [1, 1, 2, 1], [1, 1, 1, 2], [1, 1, 0, 1], [2, 0, 1, 1],
               g=2, mode="reflect")
    numpy_conv("conv5d_circular", 1, 2, 2, [3, 3, 4, 3, 3], [2, 2, 2, 1, 2], [1, 1, 2, 1, 1], [1, 1, 1, 1, 2], [1, 0, 1, 0, 1],
               [0, 1, 0, 0, 1], mode="circular")
    numpy_conv("conv5d_replicate", 2, 1, 2, [3, 4, 2, 3, 3], [2, 2, 1, 2, 2], [1, 2, 1, 1, 1], [1, 1, 1, 1, 1], [2, 1, 0, 1, 0],
               [0, 1, 1, 1, 2], mode="replicate")
    numpy_conv_transposed("convT4d", 1, 2, 4, [3, 2, 3, 2], [2, 2, 1, 3], [2, 1, 2, 1], [1, 2, 1, 1], [1, 0, 0, 1], [0, 1, 0, 0],
                          [1, 1, 0, 0], g=2)
    # pooling, PyTorch
    torch_pool("maxpool1d_ceil", "max", 2, 3, [10], [3], [2], p=[1], ceil=True)
    torch_pool("maxpool2d_stem", "max", 1, 3, [12, 11], [3, 3], [2, 2], p=[1, 1])
    torch_pool("maxpool2d_dilated_ceil", "max", 1, 2, [9, 10], [3, 2], [1, 2], d=[2, 3], p=[1, 1], ceil=True)
    ties = torch.tensor(np.random.default_rng(7).integers(0, 3, size=(1, 2, 6, 7)), dtype=torch.float64)
    torch_pool("maxpool2d_ties", "max", 1, 2, [6, 7], [2, 3], [1, 2], p=[1, 1], x=ties)
    special = distinct(1, 1, 6, 6)
    special[0, 0, 1, 1] = float("nan")
    special[0, 0, 1, 3] = float("nan")
    special[0, 0, 4, 4] = float("-inf")
    special[0, 0, 4:6, 0:2] = float("-inf")
    torch_pool("maxpool2d_nan_inf", "max", 1, 1, [6, 6], [2, 2], [2, 2], x=special)
    torch_pool("maxpool3d_ceil", "max", 1, 2, [5, 6, 5], [2, 2, 2], [2, 2, 2], ceil=True)
    torch_pool("avgpool1d_ceil_include", "avg", 2, 2, [10], [3], [2], p=[1], ceil=True)
    torch_pool("avgpool2d_ceil_exclude", "avg", 1, 3, [9, 8], [3, 3], [2, 2], p=[1, 1], ceil=True, include_pad=False)
    torch_pool("avgpool2d_2x2", "avg", 2, 2, [8, 6], [2, 2], [2, 2])
    torch_pool("avgpool3d_include", "avg", 1, 2, [5, 6, 7], [3, 3, 3], [2, 2, 2], p=[1, 1, 1])
    # pooling, NumPy: average with dilation (PyTorch has none), asymmetric padding, ranks 4 and 5
    numpy_pool("avgpool2d_dilated", "avg", 1, 2, [9, 8], [3, 2], [2, 1], [2, 3], [1, 1], [1, 1], ceil=True)
    numpy_pool("avgpool2d_dilated_exclude", "avg", 1, 2, [7, 8], [2, 3], [1, 2], [3, 2], [1, 0], [0, 1], include_pad=False)
    numpy_pool("maxpool2d_asymmetric", "max", 1, 2, [7, 6], [3, 3], [2, 2], [1, 1], [0, 2], [2, 1])
    numpy_pool("maxpool4d", "max", 1, 2, [4, 5, 4, 3], [2, 3, 2, 2], [2, 1, 2, 1], [1, 1, 1, 2], [0, 1, 1, 1], [1, 1, 0, 1], ceil=True)
    numpy_pool("avgpool5d", "avg", 1, 1, [3, 4, 3, 3, 4], [2, 2, 2, 2, 3], [1, 2, 1, 1, 2], [1, 1, 2, 1, 1], [1, 0, 1, 0, 1],
               [0, 1, 0, 1, 1], include_pad=False)
    # adaptive and global, PyTorch
    torch_adaptive("adaptivemax2d", "max", 1, 3, [7, 5], [3, 2])
    torch_adaptive("adaptiveavg1d_upsampling", "avg", 2, 2, [3], [5])
    torch_adaptive("adaptiveavg3d", "avg", 1, 2, [5, 4, 7], [2, 3, 3])
    torch_adaptive("adaptivemax1d", "max", 1, 2, [10], [4])
    torch_adaptive("globalmax2d", "max", 2, 3, [5, 6], [1, 1], glob=True)
    torch_adaptive("globalavg2d", "avg", 2, 3, [5, 6], [1, 1], glob=True)
    # ---- every option at ranks 1-3 (appended, so the cases above keep their random streams)
    # convolution: padding modes in 1-D and 3-D, padding past the input, size-1 dimensions, stride 5,
    # dilation 3, depthwise with a multiplier, groups with circular padding, no bias
    torch_conv("conv1d_reflect_strided", 2, 2, 3, [7], [3], s=[2], pb=[2], pe=[1], mode="reflect")
    torch_conv("conv1d_replicate_dilated_past_input", 1, 3, 2, [6], [3], d=[3], pb=[3], pe=[7], mode="replicate")
    torch_conv("conv1d_depthwise_multiplier", 1, 3, 6, [9], [4], s=[3], pb=[1], pe=[2], g=3, bias=False)
    torch_conv("conv1d_stride5", 2, 2, 2, [13], [2], s=[5], pb=[0], pe=[1])
    torch_conv("conv2d_stride3_dilation3", 1, 2, 3, [10, 9], [2, 3], s=[3, 2], d=[3, 2], pb=[1, 0], pe=[2, 1])
    torch_conv("conv2d_grouped_circular", 1, 6, 4, [5, 4], [3, 2], pb=[2, 1], pe=[1, 0], g=2, mode="circular")
    torch_conv("conv2d_size1", 2, 3, 2, [1, 5], [1, 3], pb=[0, 1])
    torch_conv("conv2d_padding_past_input", 1, 2, 2, [2, 3], [2, 2], pb=[3, 1], pe=[2, 4], bias=False)
    torch_conv("conv3d_circular", 1, 2, 2, [3, 4, 3], [2, 3, 2], pb=[1, 1, 0], pe=[0, 1, 1], mode="circular")
    torch_conv("conv3d_replicate_strided_nobias", 1, 2, 3, [4, 5, 3], [2, 2, 2], s=[2, 3, 1], pb=[1, 0, 2], pe=[0, 2, 1],
               mode="replicate", bias=False)
    torch_conv("conv3d_depthwise", 1, 3, 3, [4, 4, 5], [3, 1, 3], pb=[1, 0, 1], g=3)
    # transposed: output padding with strides in 1-D and 3-D, depthwise, groups
    torch_conv_transposed("convT1d_stride3_outpad2", 1, 2, 3, [4], [3], [3], [1], [1], [2])
    torch_conv_transposed("convT1d_depthwise", 1, 3, 3, [5], [2], [2], [2], [0], [1], g=3)
    torch_conv_transposed("convT2d_grouped_outpad", 2, 4, 2, [3, 4], [2, 3], [3, 2], [1, 2], [1, 0], [2, 1], g=2)
    torch_conv_transposed("convT3d_strided_dilated_outpad", 1, 2, 2, [2, 3, 2], [2, 2, 3], [3, 2, 2], [2, 1, 1], [1, 0, 1],
                          [1, 1, 0])
    # pooling: dilation and ceil mode in 1-D and 3-D, count_include_pad false, adaptive and global at every rank
    torch_pool("maxpool1d_dilated_ceil", "max", 2, 2, [11], [3], [2], d=[3], p=[1], ceil=True)
    torch_pool("maxpool3d_dilated", "max", 1, 2, [6, 5, 7], [2, 2, 3], [2, 1, 2], d=[2, 1, 2], p=[1, 0, 1])
    torch_pool("avgpool1d_ceil_exclude", "avg", 1, 3, [9], [4], [3], p=[2], ceil=True, include_pad=False)
    torch_pool("avgpool3d_ceil_exclude", "avg", 1, 1, [5, 4, 6], [3, 2, 3], [2, 2, 2], p=[1, 1, 1], ceil=True, include_pad=False)
    torch_adaptive("adaptivemax3d", "max", 1, 2, [4, 5, 3], [2, 3, 2])
    torch_adaptive("adaptiveavg2d", "avg", 1, 2, [5, 7], [3, 4])
    torch_adaptive("globalmax1d", "max", 2, 2, [7], [1], glob=True)
    torch_adaptive("globalavg3d", "avg", 1, 3, [3, 4, 2], [1, 1, 1], glob=True)
    # several NaNs in one max window: the last NaN in window order wins (PyTorch's CPU kernels take
    # val > max || isnan(val)); ties: the first maximum wins
    nans = distinct(1, 1, 6, 6)
    nans[0, 0, 0, 1] = float("nan")
    nans[0, 0, 1, 2] = float("nan")
    nans[0, 0, 2, 0] = float("nan")  # window (0..2, 0..2): NaNs at (0,1), (1,2), (2,0); the last is (2,0)
    nans[0, 0, 4, 4] = float("nan")
    nans[0, 0, 5, 3] = float("nan")  # window (3..5, 3..5): the last is (5,3)
    torch_pool("maxpool2d_several_nans_in_a_window", "max", 1, 1, [6, 6], [3, 3], [3, 3], x=nans)
    nans1 = distinct(1, 2, 8)
    nans1[0, 0, 1] = float("nan")
    nans1[0, 0, 3] = float("nan")
    nans1[0, 1, 4] = float("nan")
    nans1[0, 1, 5] = float("nan")
    nans1[0, 1, 6] = float("nan")
    torch_pool("maxpool1d_several_nans_overlapping", "max", 1, 2, [8], [4], [2], x=nans1)
    nans3 = distinct(1, 1, 4, 3, 4)
    nans3[0, 0, 0, 0, 1] = float("nan")
    nans3[0, 0, 1, 2, 0] = float("nan")
    torch_adaptive("adaptivemax3d_several_nans", "max", 1, 1, [4, 3, 4], [2, 1, 2], x=nans3)
    ties1 = torch.tensor(np.random.default_rng(8).integers(0, 2, size=(2, 1, 9)), dtype=torch.float64)
    torch_pool("maxpool1d_ties", "max", 2, 1, [9], [3], [2], p=[1], x=ties1)
    ties3 = torch.tensor(np.random.default_rng(9).integers(0, 3, size=(1, 2, 4, 3, 5)), dtype=torch.float64)
    torch_pool("maxpool3d_ties_ceil", "max", 1, 2, [4, 3, 5], [2, 2, 2], [2, 1, 2], ceil=True, x=ties3)
    with open(os.path.join(OUT, "MANIFEST"), "w") as f:
        f.write("# <case> <conv|pool> <spec> [same]; written by tests/golden/generate_golden.py\n")
        f.write("\n".join(MANIFEST) + "\n")
    print(f"{len(MANIFEST)} cases in {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
