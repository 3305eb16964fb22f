#!/usr/bin/env python3
"""PyTorch's pooling output sizes and values for a sweep of small 1-D and 2-D cases, in and out of
ceil mode, written to pool_ceil_sweep.txt for dev.vecnn.pool.CeilModeConformanceTest.

Run once with PyTorch 1.13 (Debian's python3-torch) and commit the output, so the tests need no
Python:   /usr/bin/python3 core/src/test/resources/pytorch/pool_ceil_sweep.py

Line format (space separated; '|' separates groups):
  max1d  in k s d p ceil | out | y... | indices...      (out <= 0 or 'error': PyTorch gives no output)
  avg1d  in k s p ceil cip | out | y...
  avg2d  h w k s p ceil cip | oh ow | y...              (row-major)
PyTorch refuses padding above half the kernel, so the sweep stays within it. Values are float64.
"""
import os
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def signal(n):
    # distinct values, not sorted: the maximum is not always the last tap
    return torch.tensor([((i * 37) % 101) / 10.0 - 5.0 for i in range(n)])


def fmt(values):
    return " ".join(repr(float(v)) for v in values)


lines = []
for n in range(1, 8):
    x = signal(n).view(1, 1, n)
    for k in range(1, 5):
        for s in range(1, 4):
            for d in range(1, 4):
                for p in range(0, k // 2 + 1):
                    for ceil in (False, True):
                        head = f"max1d {n} {k} {s} {d} {p} {int(ceil)}"
                        try:
                            y, i = F.max_pool1d(x, k, s, p, d, ceil_mode=ceil, return_indices=True)
                        except RuntimeError:
                            lines.append(f"{head} | error | |")
                            continue
                        out = y.shape[-1]
                        lines.append(f"{head} | {out} | {fmt(y.flatten())} | {' '.join(str(int(v)) for v in i.flatten())}")
            for p in range(0, k // 2 + 1):
                for ceil in (False, True):
                    for cip in (False, True):
                        head = f"avg1d {n} {k} {s} {p} {int(ceil)} {int(cip)}"
                        try:
                            y = F.avg_pool1d(x, k, s, p, ceil_mode=ceil, count_include_pad=cip)
                        except RuntimeError:
                            lines.append(f"{head} | error |")
                            continue
                        lines.append(f"{head} | {y.shape[-1]} | {fmt(y.flatten())}")
for h in range(3, 6):
    for w in range(3, 6):
        x = signal(h * w).view(1, 1, h, w)
        for k in (2, 3):
            for s in (2, 3):
                for p in range(0, k // 2 + 1):
                    for cip in (False, True):
                        head = f"avg2d {h} {w} {k} {s} {p} 1 {int(cip)}"
                        y = F.avg_pool2d(x, k, s, p, ceil_mode=True, count_include_pad=cip)
                        lines.append(f"{head} | {y.shape[-2]} {y.shape[-1]} | {fmt(y.flatten())}")

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pool_ceil_sweep.txt")
with open(out, "w") as f:
    f.write(f"# written by pool_ceil_sweep.py with PyTorch {torch.__version__}\n")
    f.write("\n".join(lines) + "\n")
print(f"{len(lines)} cases -> {out}")
