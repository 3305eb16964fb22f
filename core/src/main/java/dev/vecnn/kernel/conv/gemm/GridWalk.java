package dev.vecnn.kernel.conv.gemm;

/**
 * Enumerates a box of grid positions {@code [lo_d, hi_d)} in blocks of {@code width} consecutive grid
 * cells, the columns of a register tile. For column j of a block it gives the grid index (where the
 * column's im2col rows start: blocks are runs, so column j starts at {@code start[0] + j}) and the element
 * offset of the column's output, or -1 for a cell outside the box.
 *
 * <p>The box is walked in runs over its last two dimensions: a run is the range of grid indices from the
 * box's first to its last cell of one outer position, so the cells of a run past the box's last-dimension
 * bounds are computed and dropped. A block never spans two runs.
 *
 * <p>Grid index of position v: {@code sum_d (v_d - gridOrigin_d) * gridStride_d} (row-major, the last
 * stride 1, so {@code gridStride[rank-2]} is a grid row's length); output offset:
 * {@code outBase + sum_d v_d * outStep_d}.
 */
final class GridWalk {
    private final int rank;
    private final int width;
    private final int[] lo, hi, gridOrigin, gridStride;
    private final long outBase;
    private final long[] outStep;
    /** Outer position (dimensions 0 .. rank-3). */
    private final int[] v;
    private final int rowLength;
    private int q, qEnd, col;
    private long rowOut;
    private boolean done;

    GridWalk(int[] lo, int[] hi, int[] gridOrigin, int[] gridStride, long outBase, long[] outStep, int width) {
        this.rank = lo.length;
        this.width = width;
        this.lo = lo;
        this.hi = hi;
        this.gridOrigin = gridOrigin;
        this.gridStride = gridStride;
        this.outBase = outBase;
        this.outStep = outStep;
        this.rowLength = rank >= 2 ? gridStride[rank - 2] : Integer.MAX_VALUE;
        this.v = lo.clone();
        for (int d = 0; d < rank; d++) if (lo[d] >= hi[d]) done = true;
        if (!done) startRun();
    }

    private void startRun() {
        int first = Math.max(0, rank - 2);
        int base = 0;
        long out = outBase;
        for (int d = 0; d < first; d++) {
            base += (v[d] - gridOrigin[d]) * gridStride[d];
            out += v[d] * outStep[d];
        }
        if (rank == 1) {
            q = base + lo[0] - gridOrigin[0];
            qEnd = base + hi[0] - gridOrigin[0];
            col = lo[0] - gridOrigin[0];
            rowOut = out + (long) gridOrigin[0] * outStep[0];
            return;
        }
        int a = rank - 2, b = rank - 1;
        q = base + (lo[a] - gridOrigin[a]) * gridStride[a] + lo[b] - gridOrigin[b];
        qEnd = base + (hi[a] - 1 - gridOrigin[a]) * gridStride[a] + hi[b] - gridOrigin[b];
        col = lo[b] - gridOrigin[b];
        rowOut = out + (long) lo[a] * outStep[a] + (long) gridOrigin[b] * outStep[b];
    }

    /** Fills the next block at {@code [at, at + width)} of the arrays; false when the box is exhausted. */
    boolean next(int[] start, long[] out, int at) {
        if (done) return false;
        int b = rank - 1;
        int inLo = lo[b] - gridOrigin[b], inHi = hi[b] - gridOrigin[b];
        long step = outStep[b];
        for (int j = at; j < at + width; j++) {
            start[j] = q;
            if (q < qEnd) {
                out[j] = col >= inLo && col < inHi ? rowOut + col * step : -1;
                q++;
                if (++col == rowLength) {
                    col = 0;
                    rowOut += outStep[rank - 2];
                }
            } else {
                out[j] = -1;
                q++;
            }
        }
        if (q >= qEnd) advanceOuter();
        return true;
    }

    private void advanceOuter() {
        for (int d = rank - 3; d >= 0; d--) {
            if (++v[d] < hi[d]) {
                startRun();
                return;
            }
            v[d] = lo[d];
        }
        done = true;
    }
}
