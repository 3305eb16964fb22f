package dev.vecnn.ref;

import dev.vecnn.spec.Arguments;
import dev.vecnn.spec.PoolKind;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.spec.Window;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;

/**
 * Reference pooling, forward and backward, for every {@link PoolKind}: plain loops, any spatial rank,
 * any strides, accumulating in double. The oracle for the fast pooling kernels.
 *
 * <p>Max pooling: the first maximum in row-major window order wins; a NaN always takes over (so the
 * last NaN wins), as PyTorch's CPU kernels do. Indices are flat row-major positions within the
 * (n, c) input plane; a window with no input element gives -infinity and index -1. Average pooling
 * divides by the taps inside the padded input ({@code countIncludePad}) or inside the input; a
 * divisor of zero gives 0. Taps of a ceil-mode window past the padded end are skipped and not
 * counted, as in PyTorch. Backward passes overwrite {@code gx}; caller-supplied indices are checked
 * first ({@link Arguments#poolIndices}). An empty batch writes nothing.
 */
public final class ReferencePool {
    private ReferencePool() {
    }

    /** Pools {@code x} into {@code y}; for max kinds, writes argmax into {@code indices} when not null. */
    public static void forward(PoolSpec s, Tensor x, Tensor y, Tensor indices) {
        Arguments.poolForward(s, x, y, indices);
        forEachWindow(s, (n, c, outIdx, win) -> {
            double v;
            if (s.kind().isMax()) {
                long arg = argmax(x, n, c, win, s);
                v = arg < 0 ? Double.NEGATIVE_INFINITY : x.get(inputIndex(n, c, arg, s));
                if (indices != null) indices.setLongAt(indices.offsetOf(outIdx), arg);
            } else {
                double sum = 0;
                for (int t = 0; t < win.inside; t++) sum += x.get(inputIndex(n, c, win.flat[t], s));
                v = win.divisor == 0 ? 0 : sum / win.divisor;
            }
            y.set(v, outIdx);
        });
    }

    /**
     * Gradient of the input. Max kinds route each {@code gy} element to its argmax, taken from
     * {@code indices} if given, else recomputed from {@code x}; average kinds spread it over the window.
     */
    public static void backward(PoolSpec s, Tensor x, Tensor indices, Tensor gy, Tensor gx) {
        Arguments.poolBackward(s, x, indices, gy, gx);
        try (Arena arena = Arena.ofConfined()) {
            Tensor acc = Tensor.allocate(arena, DType.F64, gx.shape());
            forEachWindow(s, (n, c, outIdx, win) -> {
                double g = gy.get(outIdx);
                if (s.kind().isMax()) {
                    long arg = indices != null ? indices.getLong(outIdx) : argmax(x, n, c, win, s);
                    if (arg >= 0) add(acc, inputIndex(n, c, arg, s), g);
                } else if (win.divisor != 0) {
                    for (int t = 0; t < win.inside; t++) add(acc, inputIndex(n, c, win.flat[t], s), g / win.divisor);
                }
            });
            gx.copyFrom(acc);
        }
    }

    private static void add(Tensor acc, long[] idx, double v) {
        long off = acc.offsetOf(idx);
        acc.setAt(off, acc.getAt(off) + v);
    }

    private static long argmax(Tensor x, long n, long c, Taps win, PoolSpec s) {
        long arg = -1;
        double max = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < win.inside; t++) {
            double v = x.get(inputIndex(n, c, win.flat[t], s));
            if (arg < 0) arg = win.flat[t];
            if (v > max || Double.isNaN(v)) {
                max = v;
                arg = win.flat[t];
            }
        }
        return arg;
    }

    /** (n, c, spatial...) of flat spatial position {@code flat}. */
    private static long[] inputIndex(long n, long c, long flat, PoolSpec s) {
        long[] idx = new long[s.rank() + 2];
        idx[0] = n;
        idx[1] = c;
        for (int d = s.rank() - 1; d >= 0; d--) {
            idx[2 + d] = flat % s.inputSize(d);
            flat /= s.inputSize(d);
        }
        return idx;
    }

    /** The input taps of one output position: flat positions inside the input, and the divisor. */
    private static final class Taps {
        long[] flat = new long[16];
        int inside;
        long divisor;
    }

    @FunctionalInterface
    private interface WindowVisitor {
        void visit(long n, long c, long[] outIndex, Taps taps);
    }

    /** Visits every output position with the taps of its window, in row-major window order. */
    private static void forEachWindow(PoolSpec s, WindowVisitor visitor) {
        int rank = s.rank();
        long[] out = s.outputSize();
        long[][] pos = new long[rank][];
        long[] count = new long[rank];
        long[] o = new long[rank];
        long[] t = new long[rank];
        long[] outIdx = new long[rank + 2];
        Taps taps = new Taps();
        do {
            // per dimension: the positions the window reads, and how many lie in the padded input
            long padded = 1;
            for (int d = 0; d < rank; d++) {
                long inPadded = 0;
                if (s.kind().isWindowed()) {
                    Window w = s.window();
                    pos[d] = new long[w.kernel(d)];
                    for (int j = 0; j < w.kernel(d); j++) {
                        long p = w.start(d, o[d]) + (long) j * w.dilation(d);
                        pos[d][j] = p;
                        if (p >= -w.padBegin(d) && p < s.inputSize(d) + w.padEnd(d)) inPadded++;
                    }
                } else {
                    long a = s.adaptiveStart(d, o[d]), b = s.adaptiveEnd(d, o[d]);
                    pos[d] = new long[(int) (b - a)];
                    for (int j = 0; j < pos[d].length; j++) pos[d][j] = a + j;
                    inPadded = pos[d].length;
                }
                count[d] = pos[d].length;
                padded *= inPadded;
            }
            taps.inside = 0;
            java.util.Arrays.fill(t, 0);
            do {
                long flat = 0;
                boolean inside = true;
                for (int d = 0; d < rank; d++) {
                    long p = pos[d][(int) t[d]];
                    inside &= p >= 0 && p < s.inputSize(d);
                    flat = flat * s.inputSize(d) + p;
                }
                if (inside) {
                    if (taps.inside == taps.flat.length) taps.flat = java.util.Arrays.copyOf(taps.flat, 2 * taps.inside);
                    taps.flat[taps.inside++] = flat;
                }
            } while (NdIndex.next(t, count));
            taps.divisor = s.kind() == PoolKind.AVG && !s.countIncludePad() ? taps.inside : padded;
            for (long n = 0; n < s.batch(); n++) {
                for (long c = 0; c < s.channels(); c++) {
                    outIdx[0] = n;
                    outIdx[1] = c;
                    System.arraycopy(o, 0, outIdx, 2, rank);
                    visitor.visit(n, c, outIdx, taps);
                }
            }
        } while (NdIndex.next(o, out));
    }
}
