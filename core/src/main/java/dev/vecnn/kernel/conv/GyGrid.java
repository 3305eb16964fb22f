package dev.vecnn.kernel.conv;

/**
 * Where backward-data reads gy: the small side of one image, rows for phase-grid rows [va, vb) of
 * dimension 0, laid on a grid with {@link Phases#margin} zeros in front of every dimension, so that phase
 * grid position v reads tap t's gy at {@code v - q_t} through a fixed offset. Small position o lies at
 * {@code (o_0 + M_0 - va) * stride_0 + sum_{d >= 1} (o_d + M_d) * stride_d}; a phase-grid position v at
 * {@code (v_0 - va) * stride_0 + sum_{d >= 1} v_d * stride_d} (grid origin va along dimension 0).
 */
public final class GyGrid {
    /** Phase-grid rows covered, dimension 0. */
    public final int va, vb;
    /** Grid origin per dimension (va along dimension 0, else 0), for walks over phase-grid positions. */
    public final int[] origin;
    /** Element strides of the grid (row-major). */
    public final int[] stride;
    /** {@code add[d]}: where small position 0 lies along d, in grid positions. */
    public final int[] add;
    /** Elements of one channel's grid. */
    public final int channel;
    /** First small row the grid holds and one past the last (dimension 0). */
    public final long firstRow, endRow;
    private final Phases ph;

    public GyGrid(ConvGeometry g, Phases ph, int va, int vb) {
        this.ph = ph;
        this.va = va;
        this.vb = vb;
        int rank = g.rank;
        origin = new int[rank];
        origin[0] = va;
        stride = new int[rank];
        add = new int[rank];
        long size = 1;
        for (int d = rank - 1; d >= 0; d--) {
            stride[d] = Math.toIntExact(size);
            size *= d == 0 ? vb - va + ph.margin[0] : ph.margin[d] + Math.max(ph.grid[d], g.small[d]);
            add[d] = d == 0 ? ph.margin[0] - va : ph.margin[d];
        }
        channel = Math.toIntExact(size);
        firstRow = Math.max(0, va - ph.margin[0]);
        endRow = Math.max(firstRow, Math.min(g.small[0], vb));
    }

    /** Grid offset of tap t's gy relative to a phase-grid position: {@code sum_d (M_d - q_d(t)) * stride_d}. */
    public int tapShift(int t) {
        int shift = 0;
        for (int d = 0; d < stride.length; d++) shift += (ph.margin[d] - ph.shift[t][d]) * stride[d];
        return shift;
    }

    /** Unit multipliers for {@code SlabIo.copySmallToGrid}: small positions step one grid cell at a time. */
    public int[] unitSteps() {
        int[] mul = new int[stride.length];
        java.util.Arrays.fill(mul, 1);
        return mul;
    }
}
