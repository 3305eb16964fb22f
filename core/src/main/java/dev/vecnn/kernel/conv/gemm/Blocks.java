package dev.vecnn.kernel.conv.gemm;

import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.kernel.conv.Slab;

/**
 * Enumerates the small-side positions of rows [r0, r1) in blocks of {@code width} columns, the width
 * of a register tile. For each column it gives the window start in the slab and the element offset
 * of the position in the small-side tensor (spatial part only), or -1 for a padding column.
 *
 * <p>With unit strides the columns walk the slab's own grid: the window start of consecutive columns
 * differs by one, so im2col rows are contiguous copies; the grid has a few columns past each row's
 * end (the slab is wider than the output), which are computed and dropped. With other strides the
 * columns are the real positions in row-major order and rows are gathered.
 */
final class Blocks {
    final Slab slab;
    final int width;
    /** True when window starts of a block are consecutive (unit strides). */
    final boolean contiguous;
    private final long[] smallStride;
    private final long[] o;
    private final int rank;
    private final ConvGeometry g;
    // unit-stride walk: outer positions (all dims but the last two) and the q range of the inner two
    private int q;
    private int qEnd;
    private boolean done;

    /** {@code smallStride}: element strides of the small-side tensor's spatial dims. */
    Blocks(Slab slab, int width, long[] smallStride) {
        this.slab = slab;
        this.width = width;
        this.g = slab.g;
        this.rank = g.rank;
        this.smallStride = smallStride;
        this.contiguous = g.unitStride();
        this.o = new long[rank];
        o[0] = slab.r0;
        done = slab.r1 <= slab.r0;
        if (contiguous) startRun();
    }

    /** Number of inner dims walked on the slab grid. */
    private int inner() {
        return Math.min(2, rank);
    }

    private void startRun() {
        // q over the slab grid of the last inner() dims, from the current outer position
        int first = rank - inner();
        int base = 0;
        for (int d = 0; d < first; d++) base += (int) (d == 0 ? o[0] - slab.r0 : o[d]) * slab.stride[d];
        int span;
        if (rank == 1) {
            span = slab.r1 - slab.r0;
        } else {
            long rows = first == 0 ? slab.r1 - slab.r0 : g.small[first];
            span = (int) ((rows - 1) * slab.stride[first] + g.small[rank - 1]);
        }
        q = base;
        qEnd = base + span;
    }

    /**
     * Fills the next block; returns false when there is none. {@code start[j]}: window start;
     * {@code out[j]}: spatial element offset in the small tensor, or -1.
     */
    boolean next(int[] start, long[] out) {
        if (done) return false;
        if (contiguous) {
            int first = rank - inner();
            for (int j = 0; j < width; j++) {
                int qq = q + j;
                start[j] = qq;
                out[j] = qq < qEnd ? offsetOnGrid(qq) : -1;
            }
            q += width;
            if (q >= qEnd) advanceOuter(first);
            return true;
        }
        for (int j = 0; j < width; j++) {
            if (done) {
                start[j] = 0;
                out[j] = -1;
                continue;
            }
            start[j] = slab.windowStart(o);
            long off = 0;
            for (int d = 0; d < rank; d++) off += o[d] * smallStride[d];
            out[j] = off;
            step();
        }
        return true;
    }

    /** Small-tensor offset of grid position qq of the current run, or -1 past a row's end. */
    private long offsetOnGrid(int qq) {
        int first = rank - inner();
        int rel = qq;
        long off = 0;
        for (int d = 0; d < first; d++) {
            off += o[d] * smallStride[d];
            rel -= (int) (d == 0 ? o[0] - slab.r0 : o[d]) * slab.stride[d];
        }
        if (rank == 1) return (slab.r0 + rel) * smallStride[0];
        int row = rel / slab.stride[first];
        int col = rel - row * slab.stride[first];
        if (col >= g.small[rank - 1]) return -1;
        long rowAbs = first == 0 ? slab.r0 + row : row;
        return off + rowAbs * smallStride[first] + col * smallStride[rank - 1];
    }

    private void advanceOuter(int first) {
        if (first == 0) {
            done = true;
            return;
        }
        for (int d = first - 1; d >= 0; d--) {
            long end = d == 0 ? slab.r1 : g.small[d];
            if (++o[d] < end) {
                startRun();
                return;
            }
            o[d] = d == 0 ? slab.r0 : 0;
        }
        done = true;
    }

    /** Row-major step over all dims of rows [r0, r1). */
    private void step() {
        for (int d = rank - 1; d >= 0; d--) {
            long end = d == 0 ? slab.r1 : g.small[d];
            if (++o[d] < end) return;
            o[d] = d == 0 ? slab.r0 : 0;
        }
        done = true;
    }
}
