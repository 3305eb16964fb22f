package dev.vecnn.kernel.conv.depthwise;

import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.Tensor;

/**
 * The outputs of a channels-last depthwise task split by where their windows lie, for reading x straight from the
 * tensor instead of through a padded slab: <em>interior</em> outputs, whose taps all fall inside x (read at fixed
 * offsets from x's image), and <em>border</em> outputs, some of whose taps fall in the padding (each tap's offset in x,
 * or -1 for a padded tap, so that the kernel can lay their windows with zeros). Interior outputs come as runs along
 * the last dimension (for the row tiles) or as single positions. Offsets into x are elements from the image's first
 * element (its channel 0 at position 0), int: {@link #fits} checks the image's span.
 *
 * <p>Output {@code o} reads input {@code o stride - padBegin + k dilation} along each dimension for taps
 * {@code k < kernel}; it is interior along a dimension when {@code ceil(padBegin / stride) <= o} and
 * {@code o stride - padBegin + (kernel - 1) dilation < big}.
 */
final class InteriorSplit {
    private final ConvGeometry g;
    /** x's element steps along each spatial dimension, y's too. */
    private final long[] xStep, yStep;
    /** Per dimension, the interior outputs [lo, hi) (empty where lo >= hi). */
    private final long[] lo, hi;
    /** Per tap, its element offset in x from the window's origin. */
    final int[] tapOffset;

    /** One task's outputs, split (arrays from the task's scratch, valid up to the counts). */
    static final class Outputs {
        /** Interior positions: x offset of the window origin and y offset; {@code positions} of them. */
        int[] at;
        long[] to;
        int positions;
        /** Interior runs along the last dimension: first window origin, first y offset, length; {@code runs} of them. */
        int[] runAt, runLength;
        long[] runTo;
        int runs;
        /** Border positions: y offset, and per tap ({@code tapAt[q taps + t]}) the x offset of its input, -1 in the padding. */
        long[] borderTo;
        int[] tapAt;
        int borders;
    }

    InteriorSplit(ConvGeometry g, Tensor x, Tensor y) {
        this.g = g;
        int rank = g.rank;
        xStep = new long[rank];
        yStep = new long[rank];
        lo = new long[rank];
        hi = new long[rank];
        for (int d = 0; d < rank; d++) {
            xStep[d] = g.big[d] > 1 ? x.stride(2 + d) : 0;
            yStep[d] = y.stride(2 + d);
            long reach = (long) (g.kernel[d] - 1) * g.dilation[d];
            lo[d] = Math.min(g.small[d], Math.ceilDiv(g.padBegin[d], g.stride[d]));
            // the last interior output: o stride <= big - 1 - reach + padBegin
            long top = g.big[d] - 1 - reach + g.padBegin[d];
            hi[d] = top < 0 ? 0 : Math.min(g.small[d], top / g.stride[d] + 1);
        }
        tapOffset = new int[g.taps];
        for (int t = 0; t < g.taps; t++) {
            long o = 0;
            for (int d = 0; d < rank; d++) o += (long) g.tap[t][d] * g.dilation[d] * xStep[d];
            tapOffset[t] = (int) o; // within the image's span (fits)
        }
    }

    /**
     * Whether x can be read straight from the tensor: spatial steps positive (a dimension of size 1 aside) and the
     * image's span, its last channel included, within int range with room for a vector past it.
     */
    static boolean fits(ConvGeometry g, Tensor x) {
        long span = g.groups;
        for (int d = 0; d < g.rank; d++) {
            if (g.big[d] <= 1) continue;
            long step = x.stride(2 + d);
            if (step <= 0) return false;
            if (g.big[d] - 1 > (Integer.MAX_VALUE / 2 - span) / step) return false;
            span += (g.big[d] - 1) * step;
        }
        return span < Integer.MAX_VALUE / 2;
    }

    /** Elements of x's image from its first element to its last channel at its last position, inclusive. */
    long imageSpan() {
        long span = g.groups;
        for (int d = 0; d < g.rank; d++) span += (g.big[d] - 1) * xStep[d];
        return span;
    }

    /** Fraction of all outputs that are interior, from the geometry. */
    double interiorShare() {
        double share = 1;
        for (int d = 0; d < g.rank; d++) share *= Math.max(0, hi[d] - lo[d]) / (double) g.small[d];
        return share;
    }

    /**
     * Whether reading x straight from the tensor should beat the slab: where the slab copies more input than the
     * outputs read at unit stride (the product of the strides, in input elements per output and channel), and more
     * than the border's windows cost ({@code taps} elements per border output, counted twice: the window's copy and
     * its tile's extra loads). At unit stride the slab costs one pass over x, which the row tiles' reads from L2 repay:
     * MobileNet-V2's 32 channels on 112x112 ran no faster direct (Zen 4).
     */
    boolean cheaperThanSlab() {
        double copied = 1;
        for (int d = 0; d < g.rank; d++) copied *= g.stride[d];
        return copied > 1 && copied > 2 * g.taps * (1 - interiorShare());
    }

    /**
     * Splits the outputs of rows [r0, r1) of dimension 0 of image n (y offsets from y's element offset); with
     * {@code minRun > 0}, interior stretches of at least that many outputs along the last dimension come as runs, the
     * rest as single positions. The lists have room for a whole tile of {@code tile} past their end.
     */
    Outputs split(Execution.Scratch s, Tensor y, long n, int r0, int r1, int minRun, int tile) {
        int rank = g.rank, last = rank - 1;
        long cols0 = rank == 1 ? r0 : 0, cols1 = rank == 1 ? r1 : g.small[last];
        long rowCount = 1;
        for (int d = 0; d < last; d++) rowCount *= d == 0 ? r1 - r0 : g.small[d];
        int total = Math.toIntExact(rowCount * (cols1 - cols0)), room = total + tile, rows = (int) rowCount;
        Outputs out = new Outputs();
        out.at = s.ints("dwcl.at", room);
        out.to = s.longs("dwcl.to", room);
        out.borderTo = s.longs("dwcl.borderTo", room);
        out.tapAt = s.ints("dwcl.tapAt", Math.multiplyExact(room, g.taps));
        out.runAt = s.ints("dwcl.runAt", rows);
        out.runLength = s.ints("dwcl.runLength", rows);
        out.runTo = s.longs("dwcl.runTo", rows);
        long[] o = new long[rank];
        if (rank > 1) o[0] = r0;
        long yBase = y.offset() + n * y.stride(0), xStepOut = g.stride[last] * xStep[last];
        for (long row = 0; row < rowCount; row++) {
            boolean inside = true;
            long xRow = 0, yRow = yBase;
            for (int d = 0; d < last; d++) {
                inside &= o[d] >= lo[d] && o[d] < hi[d];
                xRow += (o[d] * g.stride[d] - g.padBegin[d]) * xStep[d];
                yRow += o[d] * yStep[d];
            }
            long a = inside ? Math.max(cols0, lo[last]) : cols1, z = inside ? Math.min(cols1, hi[last]) : cols1;
            if (a >= z) a = z = cols1;
            for (long c = cols0; c < a; c++) border(out, o, c, yRow + c * yStep[last]);
            int xa = (int) (xRow + (a * g.stride[last] - g.padBegin[last]) * xStep[last]); // used only where a < z
            if (minRun > 0 && z - a >= minRun) {
                out.runAt[out.runs] = xa;
                out.runTo[out.runs] = yRow + a * yStep[last];
                out.runLength[out.runs++] = (int) (z - a);
            } else {
                for (long c = a; c < z; c++) {
                    out.at[out.positions] = (int) (xa + (c - a) * xStepOut);
                    out.to[out.positions++] = yRow + c * yStep[last];
                }
            }
            for (long c = z; c < cols1; c++) border(out, o, c, yRow + c * yStep[last]);
            for (int d = last - 1; d >= 0; d--) {
                if (++o[d] < (d == 0 ? r1 : g.small[d])) break;
                o[d] = d == 0 ? r0 : 0;
            }
        }
        return out;
    }

    /** Output {@code o} (its last coordinate {@code c}) as a border position writing y offset {@code yOffset}. */
    private void border(Outputs out, long[] o, long c, long yOffset) {
        int rank = g.rank, last = rank - 1, base = out.borders * g.taps;
        for (int t = 0; t < g.taps; t++) {
            long off = 0;
            boolean in = true;
            for (int d = 0; d < rank; d++) {
                long i = (d == last ? c : o[d]) * g.stride[d] - g.padBegin[d] + (long) g.tap[t][d] * g.dilation[d];
                in &= i >= 0 && i < g.big[d];
                off += i * xStep[d];
            }
            out.tapAt[base + t] = in ? (int) off : -1;
        }
        out.borderTo[out.borders++] = yOffset;
    }
}
