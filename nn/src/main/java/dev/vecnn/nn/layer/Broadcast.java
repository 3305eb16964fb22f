package dev.vecnn.nn.layer;

import dev.vecnn.kernel.elementwise.BinaryOp;
import dev.vecnn.tensor.Tensor;
import java.util.Arrays;

/**
 * Elementwise binary arithmetic with NumPy's broadcasting rule (shapes aligned at the right; a
 * dimension of size 1 stretches), forward and backward. Operands are contiguous; a broadcast operand
 * is read with stride 0 along its stretched dimensions, and its gradient is the sum over them.
 */
final class Broadcast {
    private Broadcast() {
    }

    /** The broadcast shape of {@code a} and {@code b}, or an exception naming both. */
    static long[] shape(long[] a, long[] b, String what) {
        int r = Math.max(a.length, b.length);
        long[] out = new long[r];
        for (int d = 0; d < r; d++) {
            long x = d - r + a.length >= 0 ? a[d - r + a.length] : 1, y = d - r + b.length >= 0 ? b[d - r + b.length] : 1;
            if (x != y && x != 1 && y != 1) {
                throw new IllegalArgumentException(what + ": shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " do not broadcast (dimension " + d + " of the result: " + x + " against " + y + ")");
            }
            out[d] = Math.max(x, y);
        }
        return out;
    }

    /** Element strides of a contiguous tensor of {@code shape} read as {@code out} (0 along stretched dimensions). */
    static long[] strides(long[] shape, long[] out) {
        long[] st = new long[out.length];
        long s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            int od = d + out.length - shape.length;
            st[od] = shape[d] == 1 && out[od] != 1 ? 0 : s;
            s *= shape[d];
        }
        return st;
    }

    /** y = a op b, all contiguous; y has the broadcast shape. */
    static void forward(BinaryOp op, Tensor a, Tensor b, Tensor y) {
        long[] out = y.shape(), sa = strides(a.shape(), out), sb = strides(b.shape(), out);
        walk(out, sa, sb, (ia, ib, iy) -> {
            double u = Elementwise.get(a, a.offset() + ia), v = Elementwise.get(b, b.offset() + ib);
            Elementwise.set(y, y.offset() + iy, switch (op) {
                case ADD -> u + v;
                case SUB -> u - v;
                case MUL -> u * v;
                case DIV -> u / v;
            });
        });
    }

    /** ga += dL/da and gb += dL/db from gy (either may be null: not needed). Callers zero them first. */
    static void backward(BinaryOp op, Tensor a, Tensor b, Tensor gy, Tensor ga, Tensor gb) {
        long[] out = gy.shape(), sa = strides(a.shape(), out), sb = strides(b.shape(), out);
        walk(out, sa, sb, (ia, ib, iy) -> {
            double g = Elementwise.get(gy, gy.offset() + iy);
            double u = Elementwise.get(a, a.offset() + ia), v = Elementwise.get(b, b.offset() + ib);
            if (ga != null) {
                double d = switch (op) {
                    case ADD, SUB -> g;
                    case MUL -> g * v;
                    case DIV -> g / v;
                };
                Elementwise.set(ga, ga.offset() + ia, Elementwise.get(ga, ga.offset() + ia) + d);
            }
            if (gb != null) {
                double d = switch (op) {
                    case ADD -> g;
                    case SUB -> -g;
                    case MUL -> g * u;
                    case DIV -> -g * u / (v * v);
                };
                Elementwise.set(gb, gb.offset() + ib, Elementwise.get(gb, gb.offset() + ib) + d);
            }
        });
    }

    @FunctionalInterface
    interface Visit {
        void at(long ia, long ib, long iy);
    }

    /** Visits every element of the output shape in row-major order with the operands' offsets. */
    static void walk(long[] out, long[] sa, long[] sb, Visit v) {
        int r = out.length;
        long total = Tensor.numel(out);
        if (total == 0) return;
        long[] idx = new long[r];
        long ia = 0, ib = 0, inner = out[r - 1], ta = sa[r - 1], tb = sb[r - 1];
        for (long iy = 0; iy < total; iy += inner) {
            for (long k = 0; k < inner; k++) v.at(ia + k * ta, ib + k * tb, iy + k);
            for (int d = r - 2; d >= 0; d--) { // odometer over the outer dimensions
                idx[d]++;
                ia += sa[d];
                ib += sb[d];
                if (idx[d] < out[d]) break;
                ia -= sa[d] * out[d];
                ib -= sb[d] * out[d];
                idx[d] = 0;
            }
        }
    }
}
