package dev.vecnn.kernel.pool;

import dev.vecnn.spec.PoolKind;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.spec.Window;

/**
 * The window arithmetic of any {@link PoolSpec}, per spatial dimension and output position, in the
 * one form every kind shares: output {@code o} of dimension {@code d} reads input positions
 * {@code first[d][o] + j * step[d]}, of which taps {@code j} in {@code [lo[d][o], hi[d][o])} lie inside
 * the input. Windowed kinds have {@code step} = dilation and {@code first} may be negative (padding);
 * adaptive and global kinds have {@code step} 1 and no padding. Average divisors are products of the
 * per-dimension factors {@code divisor[d][o]}, as the reference's are.
 *
 * <p>Spatial positions are ints: the kernels require planes below 2^31 elements. Public for the
 * portable kernels ({@code dev.vecnn.kernel.portable.pool}), which share it.
 */
public final class PoolGeometry {
    public final PoolSpec spec;
    public final int rank;
    public final long batch, channels;
    public final int[] in, out;
    public final int plane, outPlane;
    public final boolean max, global;
    public final int[][] first, lo, hi, divisor;
    public final int[] step, kernel;
    /** Outputs of the innermost dimension whose taps all lie inside the input (windowed kinds). */
    public final int interiorBegin, interiorEnd;
    /** Along each dimension, input elements between consecutive positions (channels-first plane). */
    public final int[] planeStride;
    /**
     * The innermost dimension read as {@code innerStride} phases of {@code phaseLength} elements (see
     * the kernels' {@code phases}): tap {@code j} of interior output {@code o} is phase element
     * {@code innerTapOffset[j] + o}.
     */
    public final int innerStride, phaseLength;
    public final int[] innerTapOffset;
    /**
     * Channels-first output rows (all dimensions but the last, row-major): row {@code r} reads the
     * input rows starting at plane offsets {@code rowTaps[rowStart[r] .. rowStart[r + 1])}, and its
     * average divisors carry the factor {@code rowDivisor[r]}.
     */
    public final int[] rowStart, rowTaps;
    public final long[] rowDivisor;
    /** The transpose: input row {@code i} is read by output rows {@code inRowOutputs[inRowStart[i] .. inRowStart[i + 1])}, ascending. */
    public final int[] inRowStart, inRowOutputs;
    /** Windowed kinds: the flat offsets of a whole window's taps from its first, row-major. */
    private final int[] windowOffsets;

    /** The geometry of {@code s}. */
    public PoolGeometry(PoolSpec s) {
        spec = s;
        rank = s.rank();
        batch = s.batch();
        channels = s.channels();
        max = s.kind().isMax();
        global = s.kind().isGlobal();
        in = new int[rank];
        out = new int[rank];
        step = new int[rank];
        kernel = new int[rank];
        first = new int[rank][];
        lo = new int[rank][];
        hi = new int[rank][];
        divisor = new int[rank][];
        planeStride = new int[rank];
        long p = 1, op = 1;
        for (int d = rank - 1; d >= 0; d--) {
            planeStride[d] = (int) p;
            in[d] = (int) s.inputSize(d);
            out[d] = (int) s.outputSize(d);
            p *= in[d];
            op *= out[d];
        }
        plane = Math.toIntExact(p);
        outPlane = Math.toIntExact(op);
        for (int d = 0; d < rank; d++) dimension(s, d);
        int last = rank - 1, a = 0, b = 0;
        if (s.kind().isWindowed()) {
            while (a < out[last] && !fullWindow(last, a)) a++;
            b = a;
            while (b < out[last] && fullWindow(last, b)) b++;
        }
        interiorBegin = a;
        interiorEnd = b;
        windowOffsets = s.kind().isWindowed() && s.window().taps() <= plane ? windowOffsets() : null;
        int rows = outPlane / out[last];
        rowStart = new int[rows + 1];
        rowDivisor = new long[rows];
        int[] o = new int[rank], taps = new int[maxTaps()];
        int[] list = new int[16];
        for (int r = 0; r < rows; r++) {
            int n = taps(o, last, taps);
            if (rowStart[r] + n > list.length) list = java.util.Arrays.copyOf(list, Math.max(2 * list.length, rowStart[r] + n));
            System.arraycopy(taps, 0, list, rowStart[r], n);
            rowStart[r + 1] = Math.addExact(rowStart[r], n);
            rowDivisor[r] = divisor(o, last);
            next(o, last);
        }
        rowTaps = list;
        int inRows = plane / in[last];
        inRowStart = new int[inRows + 1];
        for (int t = 0; t < rowStart[rows]; t++) inRowStart[rowTaps[t] / in[last] + 1]++;
        for (int i = 0; i < inRows; i++) inRowStart[i + 1] += inRowStart[i];
        inRowOutputs = new int[rowStart[rows]];
        int[] fillAt = java.util.Arrays.copyOf(inRowStart, inRows);
        for (int r = 0; r < rows; r++) {
            for (int t = rowStart[r]; t < rowStart[r + 1]; t++) inRowOutputs[fillAt[rowTaps[t] / in[last]]++] = r;
        }
        if (s.kind().isWindowed()) {
            Window w = s.window();
            innerStride = w.stride(last);
            phaseLength = Math.ceilDiv(in[last], innerStride) + 64;
            innerTapOffset = new int[kernel[last]];
            for (int j = 0; j < kernel[last]; j++) {
                int r = j * step[last] - w.padBegin(last);
                int q = Math.floorDiv(r, innerStride);
                innerTapOffset[j] = innerStride == 1 ? r : (r - q * innerStride) * phaseLength + q;
            }
        } else {
            innerStride = 1;
            phaseLength = in[last] + 64;
            innerTapOffset = new int[0];
        }
    }

    private boolean fullWindow(int d, int o) {
        return lo[d][o] == 0 && hi[d][o] == kernel[d];
    }

    private void dimension(PoolSpec s, int d) {
        int n = out[d];
        first[d] = new int[n];
        lo[d] = new int[n];
        hi[d] = new int[n];
        divisor[d] = new int[n];
        if (s.kind().isWindowed()) {
            Window w = s.window();
            step[d] = w.dilation(d);
            kernel[d] = w.kernel(d);
            for (int o = 0; o < n; o++) {
                int f = (int) w.start(d, o);
                first[d][o] = f;
                lo[d][o] = inside(f, step[d], kernel[d], 0, in[d], true);
                hi[d][o] = Math.max(lo[d][o], inside(f, step[d], kernel[d], 0, in[d], false));
                int padLo = inside(f, step[d], kernel[d], -w.padBegin(d), in[d] + w.padEnd(d), true);
                int padHi = Math.max(padLo, inside(f, step[d], kernel[d], -w.padBegin(d), in[d] + w.padEnd(d), false));
                boolean countPad = s.kind() != PoolKind.AVG || s.countIncludePad();
                divisor[d][o] = countPad ? padHi - padLo : hi[d][o] - lo[d][o];
            }
        } else {
            step[d] = 1;
            for (int o = 0; o < n; o++) {
                first[d][o] = (int) s.adaptiveStart(d, o);
                hi[d][o] = (int) (s.adaptiveEnd(d, o) - first[d][o]);
                divisor[d][o] = hi[d][o];
                kernel[d] = Math.max(kernel[d], hi[d][o]);
            }
        }
    }

    /** The first tap (or one past the last) of {@code f + j*step, j < k} inside {@code [begin, end)}. */
    private static int inside(int f, int step, int k, int begin, int end, boolean firstTap) {
        if (firstTap) return f >= begin ? 0 : Math.min(k, Math.ceilDiv(begin - f, step));
        return end <= f ? 0 : Math.min(k, Math.ceilDiv(end - f, step));
    }

    /** Taps of the largest window: the scratch size for tap lists. */
    public int maxTaps() {
        long t = 1;
        for (int d = 0; d < rank; d++) t *= kernel[d];
        return (int) Math.min(t, plane);
    }

    /**
     * Writes the spatial flat positions (row-major, within a plane) of the inside taps of output
     * {@code o}'s window over dimensions {@code [0, dims)}, in row-major window order, into
     * {@code taps}; returns their number.
     */
    public int taps(int[] o, int dims, int[] taps) {
        if (dims == rank && windowOffsets != null) {
            int start = 0;
            boolean full = true;
            for (int d = 0; d < dims && full; d++) {
                full = lo[d][o[d]] == 0 && hi[d][o[d]] == kernel[d];
                start += first[d][o[d]] * planeStride[d];
            }
            if (full) { // the common case: a window inside the input, the same offsets from its start
                for (int t = 0; t < windowOffsets.length; t++) taps[t] = start + windowOffsets[t];
                return windowOffsets.length;
            }
        }
        int n = 1;
        taps[0] = 0;
        for (int d = 0; d < dims; d++) {
            int a = lo[d][o[d]], b = hi[d][o[d]];
            if (a >= b) return 0;
            int f = first[d][o[d]], st = step[d], ps = planeStride[d];
            // the product grows in place from the back, so each list entry expands in order
            for (int e = n - 1; e >= 0; e--) {
                int base = taps[e] + f * ps;
                for (int j = b - 1; j >= a; j--) taps[e * (b - a) + (j - a)] = base + j * st * ps;
            }
            n *= b - a;
        }
        return n;
    }

    /** Offsets of a whole window's taps from its first, row-major (windows inside the input only). */
    private int[] windowOffsets() {
        int[] off = new int[(int) spec.window().taps()];
        int n = 1;
        for (int d = 0; d < rank; d++) {
            for (int e = n - 1; e >= 0; e--) {
                for (int j = kernel[d] - 1; j >= 0; j--) off[e * kernel[d] + j] = off[e] + j * step[d] * planeStride[d];
            }
            n *= kernel[d];
        }
        return off;
    }

    /** The average divisor of output {@code o} over dimensions {@code [0, dims)}. */
    public long divisor(int[] o, int dims) {
        long v = 1;
        for (int d = 0; d < dims; d++) v *= divisor[d][o[d]];
        return v;
    }

    /** Advances the output odometer over dimensions {@code [0, dims)}; false after the last position. */
    public boolean next(int[] o, int dims) {
        for (int d = dims - 1; d >= 0; d--) {
            if (++o[d] < out[d]) return true;
            o[d] = 0;
        }
        return false;
    }
}
