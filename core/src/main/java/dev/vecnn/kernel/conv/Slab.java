package dev.vecnn.kernel.conv;

import java.util.Arrays;

/**
 * The padded big-side region one task reads (or, for backward-data, writes): per channel a row-major
 * block whose dimension 0 covers small-side rows [r0, r1) and whose other dimensions cover the whole
 * padded extent. Padding modes live in {@link #source}: the big-side index each slab position maps to,
 * or -1 for a zero. Windows become offsets: window start {@link #windowStart} plus {@link #tapOffset}.
 */
public final class Slab {
    public final ConvGeometry g;
    public final int r0;
    public final int r1;
    public final int[] extent;
    /** Big-side index of slab position 0 along each dimension (negative inside the begin padding). */
    public final int[] origin;
    public final int[] stride;
    /** Elements per channel. */
    public final int channelStride;
    /** source[d][u]: big-side index of slab position u along d, or -1 (zero padding). */
    public final int[][] source;
    /** Slab offset of each window tap relative to the window start. */
    public final int[] tapOffset;

    public Slab(ConvGeometry g, int r0, int r1, boolean fullExtent) {
        this.g = g;
        this.r0 = r0;
        this.r1 = r1;
        int rank = g.rank;
        extent = new int[rank];
        origin = new int[rank];
        for (int d = 0; d < rank; d++) {
            long full = g.big[d] + g.padBegin[d] + g.padEnd[d];
            origin[d] = -g.padBegin[d];
            extent[d] = Math.toIntExact(full);
        }
        if (!fullExtent) {
            origin[0] = r0 * g.stride[0] - g.padBegin[0];
            extent[0] = Math.toIntExact((long) (r1 - r0 - 1) * g.stride[0] + (long) (g.kernel[0] - 1) * g.dilation[0] + 1);
        }
        stride = new int[rank];
        long s = 1;
        for (int d = rank - 1; d >= 0; d--) {
            stride[d] = Math.toIntExact(s);
            s *= extent[d];
        }
        channelStride = Math.toIntExact(s);
        source = new int[rank][];
        for (int d = 0; d < rank; d++) {
            source[d] = new int[extent[d]];
            for (int u = 0; u < extent[d]; u++) source[d][u] = (int) g.mode.source(origin[d] + u, g.big[d]);
        }
        tapOffset = new int[g.taps];
        for (int t = 0; t < g.taps; t++) {
            int off = 0;
            for (int d = 0; d < rank; d++) off += g.tap[t][d] * g.dilation[d] * stride[d];
            tapOffset[t] = off;
        }
    }

    /** Slab offset of the window of small-side position {@code o} (absolute row o[0] >= r0). */
    public int windowStart(long[] o) {
        int off = (int) (o[0] - r0) * g.stride[0] * stride[0];
        for (int d = 1; d < g.rank; d++) off += (int) o[d] * g.stride[d] * stride[d];
        return off;
    }

    @Override
    public String toString() {
        return "Slab" + Arrays.toString(extent);
    }
}
