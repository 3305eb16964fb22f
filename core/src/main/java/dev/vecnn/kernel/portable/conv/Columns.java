package dev.vecnn.kernel.portable.conv;

import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.kernel.conv.PhaseSlab;
import dev.vecnn.parallel.Execution.Scratch;

/**
 * The small-side positions of a slab's rows [r0, r1), numbered in row-major order and taken in blocks:
 * {@link #block} lists a block's positions as runs along the last dimension, each with its first
 * column in the block, its length, the slab offset of its first window and the spatial element offset
 * of its first position in the small-side tensor. Along a run, window starts step by the last
 * dimension's stride and tensor offsets by the tensor's last stride.
 */
final class Columns {
    /** Runs in the current block. */
    int count;
    final int[] j0;
    final int[] len;
    final int[] slabStart;
    final long[] out;
    private final ConvGeometry g;
    private final PhaseSlab slab;
    private final long[] smallStride;
    private final long[] o;

    /** For blocks of at most {@code block} positions; buffers from {@code s}. */
    Columns(ConvGeometry g, PhaseSlab slab, long[] smallStride, Scratch s, int block) {
        this.g = g;
        this.slab = slab;
        this.smallStride = smallStride;
        j0 = s.ints("portable.run.j0", block);
        len = s.ints("portable.run.len", block);
        slabStart = s.ints("portable.run.start", block);
        out = s.longs("portable.run.out", block);
        o = s.longs("portable.run.o", g.rank);
    }

    /** Lists positions [p0, p0 + n) (counted from the slab's first row) as runs. */
    void block(long p0, int n) {
        int last = g.rank - 1;
        count = 0;
        for (long p = p0, end = p0 + n; p < end; ) {
            long rem = p;
            for (int d = last; d >= 1; d--) {
                o[d] = rem % g.small[d];
                rem /= g.small[d];
            }
            o[0] = slab.r0 + rem;
            int l = (int) Math.min(g.small[last] - o[last], end - p);
            long off = 0;
            for (int d = 0; d <= last; d++) off += o[d] * smallStride[d];
            j0[count] = (int) (p - p0);
            len[count] = l;
            slabStart[count] = slab.windowStart(o);
            out[count] = off;
            count++;
            p += l;
        }
    }
}
