package dev.vecnn.nn.onnx;

import dev.vecnn.nn.onnx.OnnxTensors.Const;
import dev.vecnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Operators evaluated at import time on constants: the shape arithmetic a dynamic batch produces
 * ({@code Shape -> Gather -> Unsqueeze -> Concat -> Reshape}) and constant subgraphs. Integer tensors
 * may hold the symbolic batch size {@link OnnxTensors#BATCH}, which passes through gathers, squeezes
 * and concatenations but not arithmetic.
 */
final class OnnxFold {
    private OnnxFold() {
    }

    static Const arithmetic(String op, Const a, Const b) {
        long[] out = broadcast(a.shape(), b.shape());
        int n = (int) Tensor.numel(out);
        long[] sa = strides(a.shape(), out), sb = strides(b.shape(), out);
        boolean ints = a.isInt() && b.isInt();
        double[] dv = ints ? null : new double[n];
        long[] lv = ints ? new long[n] : null;
        long[] idx = new long[out.length];
        for (int i = 0; i < n; i++) {
            int ia = 0, ib = 0;
            for (int d = 0; d < out.length; d++) {
                ia += (int) (idx[d] * sa[d]);
                ib += (int) (idx[d] * sb[d]);
            }
            if (ints) {
                long x = a.integer(ia), y = b.integer(ib);
                if (x == OnnxTensors.BATCH || y == OnnxTensors.BATCH) throw new IllegalArgumentException("arithmetic on the batch size N is not supported");
                lv[i] = switch (op) {
                    case "add" -> Math.addExact(x, y);
                    case "sub" -> Math.subtractExact(x, y);
                    case "mul" -> Math.multiplyExact(x, y);
                    default -> Math.floorDiv(x, y);
                };
            } else {
                double x = a.value(ia), y = b.value(ib);
                dv[i] = switch (op) {
                    case "add" -> x + y;
                    case "sub" -> x - y;
                    case "mul" -> x * y;
                    default -> x / y;
                };
            }
            for (int d = out.length - 1; d >= 0 && ++idx[d] == out[d]; d--) idx[d] = 0;
        }
        return ints ? Const.ofInts(out, lv) : Const.ofDoubles(out, dv);
    }

    static long[] broadcast(long[] a, long[] b) {
        int r = Math.max(a.length, b.length);
        long[] out = new long[r];
        for (int d = 0; d < r; d++) {
            long x = d - r + a.length >= 0 ? a[d - r + a.length] : 1, y = d - r + b.length >= 0 ? b[d - r + b.length] : 1;
            if (x != y && x != 1 && y != 1) throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
            out[d] = Math.max(x, y);
        }
        return out;
    }

    static long[] strides(long[] shape, long[] out) {
        long[] st = new long[out.length];
        long s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            int od = d + out.length - shape.length;
            st[od] = shape[d] == 1 ? 0 : s;
            s *= shape[d];
        }
        return st;
    }

    static Const concat(List<Const> cs, long axis) {
        int rank = cs.get(0).shape().length;
        if (axis < 0) axis += rank;
        if (axis < 0 || axis >= rank) throw new IllegalArgumentException("axis " + axis + " outside rank " + rank);
        boolean ints = cs.stream().allMatch(Const::isInt);
        long[] out = cs.get(0).shape().clone();
        out[(int) axis] = 0;
        for (Const c : cs) {
            if (c.shape().length != rank) throw new IllegalArgumentException("constants of different ranks");
            out[(int) axis] += c.shape()[(int) axis];
        }
        long outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= out[d];
        for (int d = (int) axis + 1; d < rank; d++) inner *= out[d];
        List<Double> dv = new ArrayList<>();
        List<Long> lv = new ArrayList<>();
        for (long o = 0; o < outer; o++) {
            for (Const c : cs) {
                long block = c.shape()[(int) axis] * inner;
                for (long k = 0; k < block; k++) {
                    int i = (int) (o * block + k);
                    if (ints) lv.add(c.integer(i));
                    else dv.add(c.value(i));
                }
            }
        }
        return ints ? Const.ofInts(out, lv.stream().mapToLong(Long::longValue).toArray()) : Const.ofDoubles(out, dv.stream().mapToDouble(Double::doubleValue).toArray());
    }

    static Const reshape(Const c, long[] target) {
        long[] t = target.clone();
        int free = -1;
        long known = 1;
        for (int d = 0; d < t.length; d++) {
            if (t[d] == 0) t[d] = c.shape()[d];
            if (t[d] == -1) free = d;
            else known *= t[d];
        }
        if (free >= 0) t[free] = c.numel() / known;
        if (Tensor.numel(t) != c.numel()) throw new IllegalArgumentException("cannot reshape constant " + Arrays.toString(c.shape()) + " to " + Arrays.toString(target));
        return c.isInt() ? Const.ofInts(t, c.ints()) : Const.ofDoubles(t, c.values());
    }

    static Const transpose(Const c, long[] perm) {
        int r = c.shape().length;
        if (perm == null) {
            perm = new long[r];
            for (int d = 0; d < r; d++) perm[d] = r - 1 - d;
        }
        long[] out = new long[r];
        for (int d = 0; d < r; d++) out[d] = c.shape()[(int) perm[d]];
        long[] st = Tensor.contiguousStrides(c.shape());
        int n = (int) c.numel();
        long[] lv = new long[n];
        double[] dv = new double[n];
        long[] idx = new long[r];
        for (int i = 0; i < n; i++) {
            int src = 0;
            for (int d = 0; d < r; d++) src += (int) (idx[d] * st[(int) perm[d]]);
            if (c.isInt()) lv[i] = c.integer(src);
            else dv[i] = c.value(src);
            for (int d = r - 1; d >= 0 && ++idx[d] == out[d]; d--) idx[d] = 0;
        }
        return c.isInt() ? Const.ofInts(out, lv) : Const.ofDoubles(out, dv);
    }

    /** The shape after squeezing (or unsqueezing) {@code axes} (null: every size-1 dimension for squeeze). */
    static long[] squeezeShape(long[] shape, long[] axes, boolean unsqueeze) {
        if (unsqueeze) {
            if (axes == null) throw new IllegalArgumentException("Unsqueeze needs axes");
            int r = shape.length + axes.length;
            boolean[] at = new boolean[r];
            for (long a : axes) {
                long x = a < 0 ? a + r : a;
                if (x < 0 || x >= r || at[(int) x]) throw new IllegalArgumentException("axes " + Arrays.toString(axes) + " invalid for rank " + r);
                at[(int) x] = true;
            }
            long[] out = new long[r];
            for (int d = 0, k = 0; d < r; d++) out[d] = at[d] ? 1 : shape[k++];
            return out;
        }
        boolean[] drop = new boolean[shape.length];
        if (axes == null) {
            for (int d = 0; d < shape.length; d++) drop[d] = shape[d] == 1;
        } else {
            for (long a : axes) {
                long x = a < 0 ? a + shape.length : a;
                if (x < 0 || x >= shape.length || shape[(int) x] != 1) {
                    throw new IllegalArgumentException("axes " + Arrays.toString(axes) + ": dimension " + a + " of " + Arrays.toString(shape) + " is not of size 1");
                }
                drop[(int) x] = true;
            }
        }
        List<Long> out = new ArrayList<>();
        for (int d = 0; d < shape.length; d++) if (!drop[d]) out.add(shape[d]);
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    static Const squeeze(Const c, long[] axes, boolean unsqueeze) {
        long[] s = squeezeShape(c.shape(), axes, unsqueeze);
        return c.isInt() ? Const.ofInts(s, c.ints()) : Const.ofDoubles(s, c.values());
    }

    static Const gather(Const data, Const indices, long axis) {
        int r = data.shape().length;
        if (axis < 0) axis += r;
        if (axis < 0 || axis >= r) throw new IllegalArgumentException("axis " + axis + " outside rank " + r);
        long[] ds = data.shape(), is = indices.shape();
        long outer = 1, inner = 1, size = ds[(int) axis];
        for (int d = 0; d < axis; d++) outer *= ds[d];
        for (int d = (int) axis + 1; d < r; d++) inner *= ds[d];
        long[] ix = indices.longs();
        long[] out = new long[r - 1 + is.length];
        System.arraycopy(ds, 0, out, 0, (int) axis);
        System.arraycopy(is, 0, out, (int) axis, is.length);
        System.arraycopy(ds, (int) axis + 1, out, (int) axis + is.length, r - (int) axis - 1);
        int n = (int) Tensor.numel(out);
        long[] lv = new long[n];
        double[] dv = new double[n];
        int k = 0;
        for (long o = 0; o < outer; o++) {
            for (long j : ix) {
                long jj = j < 0 ? j + size : j;
                if (jj < 0 || jj >= size) throw new IllegalArgumentException("index " + j + " outside [0, " + size + ")");
                for (long q = 0; q < inner; q++, k++) {
                    int src = (int) ((o * size + jj) * inner + q);
                    if (data.isInt()) lv[k] = data.integer(src);
                    else dv[k] = data.value(src);
                }
            }
        }
        return data.isInt() ? Const.ofInts(out, lv) : Const.ofDoubles(out, dv);
    }

    /** ONNX Slice of a constant (negative indices count from the end; ends clamp; any step but 0). */
    static Const slice(Const c, long[] starts, long[] ends, long[] axes, long[] steps) {
        int r = c.shape().length;
        long[] lo = new long[r], step = new long[r], count = c.shape().clone();
        Arrays.fill(step, 1);
        for (int i = 0; i < starts.length; i++) {
            int a = (int) (axes == null ? i : axes[i] < 0 ? axes[i] + r : axes[i]);
            long n = c.shape()[a], st = steps == null ? 1 : steps[i];
            if (st == 0) throw new IllegalArgumentException("Slice step 0");
            long b = starts[i] < 0 ? starts[i] + n : starts[i], e = ends[i] < 0 ? ends[i] + n : ends[i];
            if (st > 0) {
                b = Math.clamp(b, 0, n);
                e = Math.clamp(e, 0, n);
                count[a] = Math.max(0, (e - b + st - 1) / st);
            } else {
                b = Math.clamp(b, -1, n - 1);
                e = Math.clamp(e, -1, n - 1);
                count[a] = Math.max(0, (b - e - st - 1) / -st);
            }
            lo[a] = b;
            step[a] = st;
        }
        long[] st = Tensor.contiguousStrides(c.shape());
        int total = (int) Tensor.numel(count);
        long[] lv = new long[total];
        double[] dv = new double[total];
        long[] idx = new long[r];
        for (int i = 0; i < total; i++) {
            long src = 0;
            for (int d = 0; d < r; d++) src += (lo[d] + idx[d] * step[d]) * st[d];
            if (c.isInt()) lv[i] = c.integer((int) src);
            else dv[i] = c.value((int) src);
            for (int d = r - 1; d >= 0 && ++idx[d] == count[d]; d--) idx[d] = 0;
        }
        return c.isInt() ? Const.ofInts(count, lv) : Const.ofDoubles(count, dv);
    }
}
