#!/usr/bin/python3
"""The PyTorch peer of vecnn's training benchmark (dev.vecnn.bench.train.TrainBench).

Reads the same suite file (bench/suites/training.suite; its grammar is documented at its top), builds
each network with torch.nn with the same initialisation (He normal with fan_in for convolutions and
dense layers unless the line says 'glorot': Glorot uniform; zero biases; fans computed as vecnn's
nn/src/main/java/dev/vecnn/nn/layer/Init.java does), the same loss, optimizer and hyper-parameters,
and measures on random seeded data, per network, dtype, batch and thread count:
  train: events/s of a training step (forward, loss, backward, optimizer step);
  infer: events/s of a forward pass in evaluation mode under torch.inference_mode().
Timing mirrors JMH's iterations: warm-up iterations of a given time, then measured iterations, each
running steps until its time has passed (time.perf_counter); the score is the median of the measured
iterations' rates, the error half their range (min to max).
Threads: torch.set_num_threads(n) and torch.set_num_interop_threads(1).
Allocator: PyTorch's CPU tensors come from the C library's malloc. glibc serves large blocks by mmap and
moves that threshold as blocks are freed, so from one run to the next a step either reuses its memory or
page-faults every large activation afresh: measured on a 2-vCPU VM, voxel3d batch 32 trained at 299 or at
1134 events/s depending on that history. Before torch is imported the script makes glibc serve blocks
from its heap and keep freed memory there (mallopt: M_MMAP_MAX 0, no mmap blocks from the main arena,
which a fixed mmap threshold would still allow above its 32 MiB maximum; trim threshold 2 GiB; top pad
256 MiB). PyTorch's performance guide suggests a tuned allocator (jemalloc or tcmalloc) for the same
reason; this needs no extra package. So the peer runs in its fast, stable mode;
--default-allocator leaves malloc as it is. The report records which was used.

Usage (Debian: apt-get install python3-torch python3-numpy; run with /usr/bin/python3):
  pytorch_train.py --suite bench/suites/training.suite --count [--check DIR]  # parameter counts (and check), then exit
  pytorch_train.py --suite bench/suites/training.suite [--networks a,b] [--threads 1,2] \
      [--warmup-iterations 1 --warmup-time 1 --iterations 2 --time 1] [--check DIR] [--out pytorch.json]
--check DIR first compares each network with vecnn's (files written by dev.vecnn.bench.train.SameNetwork):
float64 output, loss, gradients and the weights after one optimizer step, from the same weights and data;
it stops with an error when they differ by more than 1e-9 relative (Adam's step: see check()), or when the
spread of its own initial weights differs from vecnn's.
"""
import argparse
import json
import math
import platform
import re
import statistics
import sys
import time


def tune_allocator():
    """Fixes glibc malloc's thresholds (see the module comment); returns what was done, for the report."""
    import ctypes
    import ctypes.util
    M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_MAX = -1, -2, -4
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        done = [libc.mallopt(M_MMAP_MAX, 0) == 1, libc.mallopt(M_TRIM_THRESHOLD, (1 << 31) - 1) == 1,
                libc.mallopt(M_TOP_PAD, 256 << 20) == 1]
    except (OSError, AttributeError):
        done = [False]
    if all(done):
        return "glibc mallopt: no mmap blocks, trim threshold 2 GiB, top pad 256 MiB"
    return "partly tuned (some mallopt calls refused)" if any(done) else "default (mallopt not available)"


ALLOCATOR = "default" if "--default-allocator" in sys.argv else tune_allocator()

import torch  # noqa: E402 (after the allocator is set)
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

LIST = re.compile(r"^\d+(x\d+)*$")
POOLS = ("maxpool", "avgpool", "globalmaxpool", "globalavgpool", "adaptivemaxpool", "adaptiveavgpool")


class SuiteError(ValueError):
    pass


# ------------------------------------------------------------------ the suite file

def parse_suite(path):
    """The same grammar as dev.vecnn.bench.train.TrainingSuite: returns (batches, [network dict])."""
    batches, networks, cur = [32], [], None
    with open(path) as f:
        lines = f.read().split("\n")
    for n, raw in enumerate(lines, 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        w = line.split()
        at = "%s:%d: " % (path, n)
        try:
            if w[0] == "batch":
                if cur is not None:
                    raise SuiteError("'batch' belongs before the first network")
                batches = [positive_int(v, "batch") for v in w[1:]]
                if not batches:
                    raise SuiteError("batch: at least one size")
            elif w[0] == "network":
                if len(w) != 2:
                    raise SuiteError("expected 'network NAME'")
                if any(net["name"] == w[1] for net in networks) or (cur and cur["name"] == w[1]):
                    raise SuiteError("network %s: defined twice" % w[1])
                if cur is not None:
                    networks.append(finish(cur))
                cur = {"name": w[1], "dtypes": ["f32"], "parameters": -1, "layers": [], "at": at}
            elif cur is None:
                raise SuiteError("'%s' before the first 'network NAME' line" % w[0])
            elif w[0] == "input":
                if len(w) != 2 or not LIST.match(w[1]):
                    raise SuiteError("expected 'input CxS1x...'")
                cur["input"] = [positive_int(v, "input") for v in w[1].split("x")]
                if len(cur["input"]) < 2:
                    raise SuiteError("input: (C, at least one spatial size)")
            elif w[0] == "task":
                if len(w) != 3 or w[1] not in ("regression", "classification"):
                    raise SuiteError("expected 'task regression K' or 'task classification K'")
                cur["task"] = (w[1], positive_int(w[2], "task outputs"))
            elif w[0] == "optimizer":
                cur["optimizer"] = parse_optimizer(w)
            elif w[0] == "dtypes":
                for d in w[1:]:
                    if d not in ("f32", "f64"):
                        raise SuiteError("dtypes: '%s' is not f32 or f64" % d)
                if len(w) < 2:
                    raise SuiteError("dtypes: at least one of f32, f64")
                cur["dtypes"] = w[1:]
            elif w[0] == "parameters":
                if len(w) != 2:
                    raise SuiteError("expected 'parameters N'")
                cur["parameters"] = positive_int(w[1], "parameters")
            else:
                cur["layers"].append(w)
        except SuiteError as e:
            raise SuiteError(at + str(e)) from None
    if cur is not None:
        networks.append(finish(cur))
    if not networks:
        raise SuiteError("%s: no network" % path)
    return batches, networks


def finish(cur):
    for key in ("input", "task", "optimizer"):
        if key not in cur:
            raise SuiteError(cur["at"] + "network %s: no '%s' line" % (cur["name"], key))
    if not cur["layers"]:
        raise SuiteError(cur["at"] + "network %s: no layers" % cur["name"])
    return cur


def parse_optimizer(w):
    usage = "expected 'optimizer adam LR [WD]', 'optimizer adamw LR WD' or 'optimizer sgd LR MOMENTUM [WD]'"
    if len(w) < 3:
        raise SuiteError(usage)
    lr = number(w[2])
    if w[1] == "adam" and len(w) <= 4:
        return {"kind": "adam", "lr": lr, "momentum": 0.0, "wd": number(w[3]) if len(w) == 4 else 0.0}
    if w[1] == "adamw" and len(w) == 4:
        return {"kind": "adamw", "lr": lr, "momentum": 0.0, "wd": number(w[3])}
    if w[1] == "sgd" and 4 <= len(w) <= 5:
        return {"kind": "sgd", "lr": lr, "momentum": number(w[3]), "wd": number(w[4]) if len(w) == 5 else 0.0}
    raise SuiteError(usage)


def positive_int(s, what):
    if not s.isdigit() or int(s) < 1:
        raise SuiteError("%s: '%s' is not a positive integer" % (what, s))
    return int(s)


def number(s):
    try:
        v = float(s)
    except ValueError:
        raise SuiteError("'%s' is not a number" % s) from None
    if not math.isfinite(v) or v < 0:
        raise SuiteError("'%s' must be finite and >= 0" % s)
    return v


def ints(s, rank, what):
    if not LIST.match(s):
        raise SuiteError("%s: '%s' is not a list like 3x3x5" % (what, s))
    v = [int(x) for x in s.split("x")]
    if rank is not None and len(v) != rank:
        raise SuiteError("%s: %d values (%s) for rank %d" % (what, len(v), s, rank))
    return v


# ------------------------------------------------------------------ building the network

class Pad(nn.Module):
    """Asymmetric padding (begin, end per spatial dimension) in one of vecnn's padding modes."""

    def __init__(self, begin, end, mode):
        super().__init__()
        self.pad = [p for b, e in zip(reversed(begin), reversed(end)) for p in (b, e)]
        self.mode = {"zeros": "constant"}.get(mode, mode)

    def forward(self, x):
        return F.pad(x, self.pad, mode=self.mode)


class GlobalPool(nn.Module):
    """Max or mean over every spatial position of each channel; keeps the spatial dims at size 1 as vecnn."""

    def __init__(self, kind):
        super().__init__()
        self.kind = kind

    def forward(self, x):
        dims = tuple(range(2, x.dim()))
        return torch.amax(x, dim=dims, keepdim=True) if self.kind == "max" else torch.mean(x, dim=dims, keepdim=True)


def init_weight(w, fan_in, fan_out, init):
    with torch.no_grad():
        if init == "glorot":
            a = math.sqrt(6.0 / (fan_in + fan_out))
            w.uniform_(-a, a)
        else:
            w.normal_(0.0, math.sqrt(2.0 / fan_in))


def conv_layer(w, shape, decayed):
    m = re.fullmatch(r"conv(\d)d(-transposed)?", w[0])
    rank, transposed = int(m.group(1)), m.group(2) is not None
    if rank > 3:
        raise SuiteError("%s: PyTorch has convolutions of rank 1-3 only" % w[0])
    if len(shape) != rank + 1:
        raise SuiteError("%s: needs samples (C, %d spatial sizes), got %s" % (w[0], rank, shape))
    out = positive_int(w[1], "outputs")
    k = stride = dil = begin = end = op = None
    same, bias, groups, mode, init = False, True, 1, "zeros", "he"
    for t in w[2:]:
        if t == "same": same = True
        elif t == "nobias": bias = False
        elif t in ("he", "glorot"): init = t
        elif t in ("reflect", "replicate", "circular"): mode = t
        elif t.startswith("op"): op = ints(t[2:], rank, "output padding")
        elif t.startswith("k"): k = ints(t[1:], rank, "kernel")
        elif t.startswith("s"): stride = ints(t[1:], rank, "stride")
        elif t.startswith("d"): dil = ints(t[1:], rank, "dilation")
        elif t.startswith("g"): groups = positive_int(t[1:], "groups")
        elif t.startswith("p"):
            parts = t[1:].split("_r")
            begin = ints(parts[0], rank, "padding")
            end = ints(parts[1], rank, "end padding") if len(parts) > 1 else begin
        else:
            raise SuiteError("%s: unknown option '%s'" % (w[0], t))
    if k is None:
        raise SuiteError("%s: the kernel is required" % w[0])
    stride = stride or [1] * rank
    dil = dil or [1] * rank
    sizes = shape[1:]
    if same:
        if transposed:
            raise SuiteError("%s: 'same' padding of a transposed convolution is not supported by the PyTorch peer" % w[0])
        begin, end = [], []
        for i, s, kk, st, d in zip(range(rank), sizes, k, stride, dil):
            o = -(-s // st)
            total = max((o - 1) * st + (kk - 1) * d + 1 - s, 0)
            begin.append(total // 2)  # the smaller half first, as PyTorch and vecnn
            end.append(total - total // 2)
    begin = begin or [0] * rank
    end = end or begin
    cin = shape[0]
    taps = math.prod(k)
    if transposed:
        if begin != end or mode != "zeros":
            raise SuiteError("%s: the PyTorch peer supports symmetric zero padding for transposed convolutions" % w[0])
        cls = (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)[rank - 1]
        conv = cls(cin, out, k, stride=stride, padding=begin, output_padding=op or 0, groups=groups, bias=bias, dilation=dil)
        fan_in, fan_out = out // groups * taps, cin // groups * taps  # as vecnn's ConvLayer
    else:
        cls = (nn.Conv1d, nn.Conv2d, nn.Conv3d)[rank - 1]
        symmetric = begin == end
        conv = cls(cin, out, k, stride=stride, padding=begin if symmetric else 0, dilation=dil, groups=groups, bias=bias,
                   padding_mode=mode if symmetric else "zeros")
        fan_in, fan_out = cin // groups * taps, out // groups * taps
    init_weight(conv.weight, fan_in, fan_out, init)
    if bias:
        nn.init.zeros_(conv.bias)
    decayed.append(conv.weight)
    if not transposed and begin != end:
        return nn.Sequential(Pad(begin, end, mode), conv)
    return conv


def pool_layer(w, shape):
    kind, rank = w[0], len(shape) - 1
    k = stride = dil = pad = out = None
    ceil, exclude = False, False
    for t in w[1:]:
        if t == "ceil": ceil = True
        elif t == "excludepad": exclude = True
        elif t.startswith("k"): k = ints(t[1:], rank, "kernel")
        elif t.startswith("s"): stride = ints(t[1:], rank, "stride")
        elif t.startswith("d"): dil = ints(t[1:], rank, "dilation")
        elif t.startswith("o"): out = ints(t[1:], rank, "output")
        elif t.startswith("p"):
            parts = t[1:].split("_r")
            pad = ints(parts[0], rank, "padding")
            if len(parts) > 1 and ints(parts[1], rank, "end padding") != pad:
                raise SuiteError("%s: PyTorch pools take symmetric padding only" % kind)
        else:
            raise SuiteError("%s: unknown option '%s'" % (kind, t))
    if kind in ("globalmaxpool", "globalavgpool"):
        return GlobalPool("max" if kind == "globalmaxpool" else "avg")
    if rank > 3:
        raise SuiteError("%s: PyTorch has pooling of rank 1-3 only" % kind)
    if kind in ("adaptivemaxpool", "adaptiveavgpool"):
        cls = ((nn.AdaptiveMaxPool1d, nn.AdaptiveMaxPool2d, nn.AdaptiveMaxPool3d) if kind == "adaptivemaxpool"
               else (nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d))[rank - 1]
        return cls(out)
    if k is None:
        raise SuiteError("%s: the kernel is required" % kind)
    stride, pad = stride or k, pad or 0  # stride defaults to the kernel, as vecnn's PoolLayer
    if kind == "maxpool":
        return (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d)[rank - 1](k, stride=stride, padding=pad, dilation=dil or 1, ceil_mode=ceil)
    if dil is not None and any(d != 1 for d in dil):
        raise SuiteError("avgpool: PyTorch's average pooling has no dilation")
    return (nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d)[rank - 1](k, stride=stride, padding=pad, ceil_mode=ceil,
                                                                count_include_pad=not exclude)


def layer(w, shape, decayed):
    kind = w[0]
    if kind.startswith("conv"):
        return conv_layer(w, shape, decayed)
    if kind in POOLS:
        return pool_layer(w, shape)
    if kind == "dense":
        if len(shape) != 1:
            raise SuiteError("dense: needs samples of rank 1 (put a flatten before it), got %s" % shape)
        for t in w[2:]:
            if t not in ("nobias", "he", "glorot"):
                raise SuiteError("dense: unknown word '%s' (nobias, he, glorot)" % t)
        bias = "nobias" not in w[2:]
        init = "glorot" if "glorot" in w[2:] else "he"
        lin = nn.Linear(shape[0], positive_int(w[1], "dense outputs"), bias=bias)
        init_weight(lin.weight, lin.in_features, lin.out_features, init)
        if bias:
            nn.init.zeros_(lin.bias)
        decayed.append(lin.weight)
        return lin
    if kind == "leakyrelu":
        return nn.LeakyReLU(float(w[1]))
    if kind == "dropout":
        return nn.Dropout(float(w[1]))
    if kind == "batchnorm":
        rank = len(shape) - 1
        cls = (nn.BatchNorm1d, nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)[rank]
        return cls(shape[0], eps=1e-5, momentum=0.1)
    simple = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "flatten": nn.Flatten,
              "gelu": lambda: nn.GELU(approximate="tanh"), "softmax": lambda: nn.Softmax(dim=1)}
    if kind in simple and len(w) == 1:
        return simple[kind]()
    raise SuiteError("layer: unknown or malformed '%s'" % " ".join(w))


def build(net, dtype):
    """(model, parameters decayed by the optimizer's weight decay)."""
    shape, layers, decayed = list(net["input"]), [], []
    for w in net["layers"]:
        try:
            m = layer(w, shape, decayed)
        except SuiteError as e:
            raise SuiteError("network %s, layer '%s': %s" % (net["name"], " ".join(w), e)) from None
        m.eval()
        with torch.no_grad():
            shape = list(m(torch.zeros([2] + shape)).shape[1:])
        layers.append(m)
    model = nn.Sequential(*layers).to(dtype)
    return model, decayed


def optimizer(opt, model, decayed):
    ids = {id(p) for p in decayed}
    groups = [{"params": [p for p in model.parameters() if id(p) in ids], "weight_decay": opt["wd"]},
              {"params": [p for p in model.parameters() if id(p) not in ids], "weight_decay": 0.0}]
    if opt["kind"] == "adam":
        return torch.optim.Adam(groups, lr=opt["lr"], betas=(0.9, 0.999), eps=1e-8)
    if opt["kind"] == "adamw":
        return torch.optim.AdamW(groups, lr=opt["lr"], betas=(0.9, 0.999), eps=1e-8)
    return torch.optim.SGD(groups, lr=opt["lr"], momentum=opt["momentum"])


def parameter_count(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


# ------------------------------------------------------------------ the same network?

CHECK_TOLERANCE = 1e-9  # float64: the two sides differ only in summation order (~1e-16 relative per sum)


def owner(model, key):
    """The tensor that vecnn's array '<layer>.<param>' (Model.save's names) belongs to: same suite line."""
    layer, name = key.split(".", 1)
    m = model[int(layer)]
    return getattr(m[1] if isinstance(m, nn.Sequential) else m, name)  # Sequential: Pad, then the convolution


def load_vecnn(model, arrays):
    """Copies vecnn's arrays into the torch network."""
    with torch.no_grad():
        for key, value in arrays.items():
            owner(model, key).copy_(torch.from_numpy(value))


def relative(a, b):
    """max |a - b| / max |b| (0 when both are zero)."""
    a, b = torch.as_tensor(a, dtype=torch.float64).flatten(), torch.as_tensor(b, dtype=torch.float64).flatten()
    scale = b.abs().max().item() if b.numel() else 0.0
    diff = (a - b).abs().max().item() if b.numel() else 0.0
    return diff / scale if scale > 0 else diff


def check(net, folder):
    """Compares vecnn's float64 output, loss, gradients and one optimizer step (SameNetwork.java) with this network's;
    returns the largest differences, each relative to the largest value of its kind (output, loss, gradient, update)."""
    import numpy as np
    torch.set_num_threads(1)
    model, decayed = build(net, torch.float64)
    weights = dict(np.load("%s/weights.npz" % folder))
    names = {k.split(".")[0] + "." + k.split(".")[-1] for k in model.state_dict() if not k.endswith("num_batches_tracked")}
    if set(weights) != names:
        raise SuiteError("%s: vecnn's arrays %s do not match PyTorch's %s" % (net["name"], sorted(weights), sorted(names)))
    # The initialisation scheme: this network's own draws against vecnn's, by their spread. The ratio of two
    # standard deviations estimated from n draws each has a relative error of about 1/sqrt(n): 5/sqrt(n) bounds it.
    init = 0.0
    for w in decayed:
        key = next(k for k in weights if k.endswith(".weight") and owner(model, k) is w)
        n = w.numel()
        if n >= 50:
            ratio = w.detach().std().item() / float(np.std(weights[key], ddof=1))
            init = max(init, abs(ratio - 1) / (5 / math.sqrt(n)))
    load_vecnn(model, weights)
    x = torch.from_numpy(np.load("%s/x.npy" % folder))
    target = torch.from_numpy(np.load("%s/target.npy" % folder))
    task, _ = net["task"]
    if task == "classification":
        target = target.long()
    out = {"init": init}
    model.eval()
    with torch.no_grad():
        out["output"] = relative(model(x), np.load("%s/eval.npy" % folder))
    if any(isinstance(m, nn.Dropout) for m in model.modules()):
        out["note"] = "dropout: the training step draws different masks; not compared"
        return out
    model.train()
    opt = optimizer(net["optimizer"], model, decayed)
    opt.zero_grad()
    loss = (nn.CrossEntropyLoss() if task == "classification" else nn.MSELoss())(model(x), target)
    loss.backward()
    out["loss"] = relative(loss.detach(), np.load("%s/loss.npy" % folder)[0])
    # Gradients and updates are compared on the scale of the network's largest one: a parameter whose gradient
    # vanishes (a bias before batch normalisation) has only rounding noise on both sides.
    params = [k for k in weights if isinstance(owner(model, k), nn.Parameter)]  # not the running statistics
    grads = {k: np.load("%s/grad/%s.npy" % (folder, k)) for k in params}
    scale = max(float(np.abs(g).max()) for g in grads.values())
    grad_diff = max(largest(owner(model, k).grad - torch.from_numpy(grads[k])) for k in params)
    out["gradients"] = grad_diff / (scale or 1)
    opt.step()
    after = dict(np.load("%s/after.npz" % folder))
    updates = {k: after[k] - weights[k] for k in params}
    scale = max(float(np.abs(u).max()) for u in updates.values())
    step = max(largest(owner(model, k).detach() - torch.from_numpy(weights[k]) - torch.from_numpy(updates[k])) for k in params) / (scale or 1)
    for k in after:  # running statistics: each on its own scale
        if k not in updates:
            step = max(step, relative(owner(model, k).detach(), after[k]))
    out["step"] = step
    # Adam's first step moves each weight by lr g / (|g| + eps): where |g| is near eps, a gradient difference dg
    # moves it by up to lr dg / (4 eps), i.e. dg / (4 eps) on the scale of the updates (about lr).
    if net["optimizer"]["kind"] in ("adam", "adamw"):
        out["step_tolerance"] = max(CHECK_TOLERANCE, 10 * grad_diff / (4 * 1e-8))
    return out


def largest(t):
    return t.abs().max().item() if t.numel() else 0.0


# ------------------------------------------------------------------ timing

def rate(fn, batch, seconds):
    """Runs fn until `seconds` have passed; returns events/s."""
    steps, t0 = 0, time.perf_counter()
    while True:
        fn()
        steps += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= seconds:
            return steps * batch / elapsed


def measure(net, dtype_name, batch, threads, args):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    dtype = torch.float32 if dtype_name == "f32" else torch.float64
    model, decayed = build(net, dtype)
    opt = optimizer(net["optimizer"], model, decayed)
    task, k = net["task"]
    loss_fn = nn.CrossEntropyLoss() if task == "classification" else nn.MSELoss()
    g = torch.Generator().manual_seed(2)
    x = torch.randn([batch] + net["input"], generator=g, dtype=dtype)
    y = torch.randint(0, k, (batch,), generator=g) if task == "classification" else torch.randn(batch, k, generator=g, dtype=dtype)

    def train():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    def infer():
        with torch.inference_mode():
            model(x)

    results = []
    for phase, fn in (("train", train), ("infer", infer)):
        model.train(phase == "train")
        for _ in range(args.warmup_iterations):
            rate(fn, batch, args.warmup_time)
        runs = [rate(fn, batch, args.time) for _ in range(args.iterations)]
        score = statistics.median(runs)
        error = (max(runs) - min(runs)) / 2 if len(runs) > 1 else float("nan")
        results.append({"network": net["name"], "dtype": dtype_name, "batch": batch, "threads": threads, "phase": phase,
                        "score": score, "error": error, "runs": runs})
        print("%-12s %s batch %4d threads %d %-5s %12.1f ± %.1f events/s" % (net["name"], dtype_name, batch, threads, phase,
                                                                           score, error), flush=True)
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0], allow_abbrev=False)  # --default-allocator is read before
    ap.add_argument("--suite", required=True)
    ap.add_argument("--networks", default="", help="comma-separated names (default: all)")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--batches", default="", help="comma-separated (default: the suite's)")
    ap.add_argument("--warmup-iterations", type=int, default=1)
    ap.add_argument("--warmup-time", type=float, default=1.0)
    ap.add_argument("--iterations", type=int, default=2)
    ap.add_argument("--time", type=float, default=1.0)
    ap.add_argument("--out", default="")
    ap.add_argument("--count", action="store_true", help="print the parameter counts and exit")
    ap.add_argument("--default-allocator", action="store_true", help="leave glibc malloc's thresholds alone (see the module comment)")
    ap.add_argument("--check", default="", help="a folder written by vecnn's SameNetwork: compare before timing")
    args = ap.parse_args()
    try:
        batches, networks = parse_suite(args.suite)
    except SuiteError as e:
        sys.exit("error: %s" % e)
    if args.networks:
        wanted = args.networks.split(",")
        unknown = [n for n in wanted if n not in [net["name"] for net in networks]]
        if unknown:
            sys.exit("error: --networks: no %s in %s" % (unknown, args.suite))
        networks = [net for net in networks if net["name"] in wanted]
    if args.batches:
        batches = [int(b) for b in args.batches.split(",")]
    torch.set_num_interop_threads(1)

    counts, mismatch = {}, []
    for net in networks:
        try:
            model, _ = build(net, torch.float32)
        except SuiteError as e:
            sys.exit("error: %s" % e)
        counts[net["name"]] = parameter_count(model)
        written = net["parameters"]
        print("%-12s %9d parameters (PyTorch)%s" % (net["name"], counts[net["name"]],
                                                    "" if written in (-1, counts[net["name"]]) else ", the suite says %d" % written))
        if written not in (-1, counts[net["name"]]):
            mismatch.append(net["name"])
    if mismatch:
        sys.exit("error: parameter counts differ from the suite's 'parameters' line for %s: not the same network" % mismatch)
    checks = {}
    if args.check:
        for net in networks:
            try:
                checks[net["name"]] = c = check(net, "%s/%s" % (args.check, net["name"]))
            except (SuiteError, OSError) as e:
                sys.exit("error: same-network check: %s" % e)
            diffs = {k: v for k, v in c.items() if k not in ("note", "init", "step_tolerance")}
            print("%-12s same network as vecnn (float64, max relative difference): %s; initial weights' spread %s%s" % (
                net["name"], ", ".join("%s %.1e" % (k, v) for k, v in diffs.items()),
                "as vecnn's" if c["init"] <= 1 else "DIFFERENT", " (%s)" % c["note"] if "note" in c else ""), flush=True)
            for k, v in diffs.items():
                tolerance = c.get("step_tolerance", CHECK_TOLERANCE) if k == "step" else CHECK_TOLERANCE
                if not v <= tolerance:
                    sys.exit("error: %s: the %s differs from vecnn's by %.3g (tolerance %.3g): not the same network" % (
                        net["name"], k, v, tolerance))
            if not c["init"] <= 1:
                sys.exit("error: %s: the initial weights' spread differs from vecnn's beyond 5/sqrt(n): not the same initialisation"
                         % net["name"])

    if args.count:
        return

    cfg = torch.__config__.show()
    info = {"torch": torch.__version__, "python": platform.python_version(),
            "cpu_capability": next((l.split(":", 1)[1].strip() for l in cfg.split("\n") if "CPU capability" in l), "?"),
            "blas": next((m.group(1) for m in [re.search(r"BLAS_INFO=(\w+)", cfg)] if m), "?"),
            "allocator": ALLOCATOR,
            "timing": "median of %d iterations of %g s after %d warm-up iterations of %g s; error: half the range"
                      % (args.iterations, args.time, args.warmup_iterations, args.warmup_time)}
    results = []
    for net in networks:
        for dtype_name in net["dtypes"]:
            for batch in batches:
                for threads in [int(t) for t in args.threads.split(",")]:
                    results.extend(measure(net, dtype_name, batch, threads, args))
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"info": info, "parameters": counts, "check": checks, "results": results}, f, indent=1)
        print("results: %s" % args.out)


if __name__ == "__main__":
    main()
