package dev.vecnn.kernel.portable.pool;

import dev.vecnn.spec.PoolKind;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.spec.Window;

/**
 * The window arithmetic of any {@link PoolSpec}, per spatial dimension and output position, in the
 * one form every kind shares: output {@code o} of dimension {@code d} reads input positions
 * {@code first[d][o] + j * step[d]}, of which taps {@code j} in {@code [lo[d][o], hi[d][o])} lie inside
 * the input. Only the inside taps are kept: {@code lo} is always 0 and {@code first} is the position
 * of the first tap inside the input (0 when there is none), so that no position or offset the kernels
 * form leaves {@code [0, in)} however large the stride, dilation or padding. Windowed kinds have
 * {@code step} = dilation, adaptive and global kinds {@code step} 1. Average divisors are products of
 * the per-dimension factors {@code divisor[d][o]}, as the reference's are.
 *
 * <p>Spatial positions are ints: the portable kernels require planes below 2^31 elements, and scratch
 * sizes that fit Java arrays ({@link #fits}). Window arithmetic (start positions, reach into the padding)
 * is done in long. (The vector kernels plan with {@code dev.vecnn.kernel.pool.PoolGeometry}, formulas of
 * the output position in long without per-output tables; these tables keep the portable kernels'
 * scalar loops simple.)
 */
public final class PoolTables {
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
     * {@code innerTapOffset[j] + o}. The phases (and the tap offsets) exist only when the kernels use
     * them, for at least two interior outputs ({@code phaseStride = innerStride * phaseLength}
     * elements a row, else 0); vectors have at least two lanes.
     */
    public final int innerStride, phaseLength, phaseStride;
    public final int[] innerTapOffset;
    /** Output rows the channels-first kernels pool at once. */
    public final int chunk;
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
    public PoolTables(PoolSpec s) {
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
        chunk = chunk(in[last]);
        windowOffsets = s.kind().isWindowed() && s.window().taps() <= plane && someFullWindow() ? windowOffsets() : null;
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
        if (s.kind().isWindowed() && interiorEnd > interiorBegin) {
            // interior windows lie inside the input: (kernel-1)*dilation < in, and with two of them stride < in
            Window w = s.window();
            innerStride = w.stride(last);
            boolean phased = innerStride >= 2 && interiorEnd - interiorBegin >= 2;
            phaseLength = phased ? Math.ceilDiv(in[last], innerStride) + 64 : 0;
            phaseStride = Math.multiplyExact(innerStride, phaseLength);
            innerTapOffset = new int[kernel[last]];
            for (int j = 0; j < kernel[last]; j++) {
                long r = (long) j * step[last] - w.padBegin(last);
                long q = Math.floorDiv(r, (long) innerStride);
                innerTapOffset[j] = Math.toIntExact(innerStride == 1 ? r : (r - q * innerStride) * phaseLength + q);
            }
        } else { // no interior outputs: every output is pooled one by one
            innerStride = s.kind().isWindowed() ? s.window().stride(last) : 1;
            phaseLength = 0;
            phaseStride = 0;
            innerTapOffset = new int[0];
        }
    }

    /** Output rows pooled at once for rows of {@code w} elements. */
    private static int chunk(int w) {
        return Math.max(1, Math.min(16, 4096 / w));
    }

    /** Largest scratch array the kernels may ask for (elements), with room for a vector's overrun. */
    private static final long MAX_SCRATCH = Integer.MAX_VALUE - 256;

    /**
     * Whether the geometry and the kernels' scratch buffers of {@code s} fit Java arrays, from the spec
     * alone (upper bounds, saturating). Assumes planes below 2^31 elements, which the caller checks.
     */
    static boolean fits(PoolSpec s) {
        int last = s.rank() - 1;
        long w = s.inputSize(last), ow = s.outputSize(last), rows = 1, rowTaps = 1;
        for (int d = 0; d < last; d++) {
            rows = times(rows, s.outputSize(d));
            // an input row is read at most once per output row and window tap
            rowTaps = times(rowTaps, s.kind().isWindowed() ? Math.min(s.inputSize(d), s.window().kernel(d)) : s.inputSize(d));
        }
        long rowStride = w + 128; // the kernels' w + 2 * lanes
        long scratch = Math.max(times(rows, rowStride), times(rows, rowTaps)); // average backward's spread rows; the row tap lists
        scratch = Math.max(scratch, ow + 128);
        if (s.kind().isWindowed()) {
            long stride = s.window().stride(last);
            if (stride >= 2 && stride < w) scratch = Math.max(scratch, times(chunk((int) w), times(stride, Math.ceilDiv(w, stride) + 64)));
        }
        return scratch <= MAX_SCRATCH;
    }

    /** {@code a * b} for {@code a, b >= 0}, or {@link Long#MAX_VALUE} if that overflows. */
    static long times(long a, long b) {
        long high = Math.multiplyHigh(a, b), low = a * b;
        return high == 0 && low >= 0 ? low : Long.MAX_VALUE;
    }

    /** Whether some window lies entirely inside the input (along every dimension some output's does). */
    private boolean someFullWindow() {
        for (int d = 0; d < rank; d++) {
            boolean any = false;
            for (int o = 0; o < out[d] && !any; o++) any = fullWindow(d, o);
            if (!any) return false;
        }
        return true;
    }

    private boolean fullWindow(int d, int o) {
        return hi[d][o] == kernel[d]; // every tap inside
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
            boolean countPad = s.kind() != PoolKind.AVG || s.countIncludePad();
            for (int o = 0; o < n; o++) {
                long f = w.start(d, o); // in [-padBegin, in + padBegin): not an int
                int a = inside(f, step[d], kernel[d], 0, in[d], true);
                int b = Math.max(a, inside(f, step[d], kernel[d], 0, in[d], false));
                first[d][o] = a < b ? (int) (f + (long) a * step[d]) : 0;
                hi[d][o] = b - a;
                // the taps inside the padded input (a ceil-mode window may run past its end)
                int padLo = inside(f, step[d], kernel[d], -w.padBegin(d), in[d] + (long) w.padEnd(d), true);
                int padHi = Math.max(padLo, inside(f, step[d], kernel[d], -w.padBegin(d), in[d] + (long) w.padEnd(d), false));
                divisor[d][o] = countPad ? padHi - padLo : b - a;
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
    private static int inside(long f, int step, int k, long begin, long end, boolean firstTap) {
        if (firstTap) return f >= begin ? 0 : (int) Math.min(k, Math.ceilDiv(begin - f, step));
        return end <= f ? 0 : (int) Math.min(k, Math.ceilDiv(end - f, step));
    }

    /** Taps of the largest window: the scratch size for tap lists. */
    public int maxTaps() {
        long t = 1;
        for (int d = 0; d < rank; d++) t = times(t, kernel[d]);
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
