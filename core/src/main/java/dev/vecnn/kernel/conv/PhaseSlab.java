package dev.vecnn.kernel.conv;

import java.util.Arrays;

/**
 * The padded big-side region that small-side rows {@code [r0, r1)} (dimension 0) read, stored phase by
 * phase. Along a dimension with stride s, padded position u lies in phase {@code u mod s} at grid position
 * {@code u div s}; window tap j of small position o reads padded position {@code o*s + j*dilation}, which
 * is phase {@code (j*dilation) mod s} at grid position {@code o + (j*dilation) div s}. So for every stride
 * an im2col row (one channel, one tap, consecutive small positions) is a contiguous run of one phase's
 * grid, and small positions step through the grid one by one: the GEMM kernels read im2col rows in place
 * and never gather. Only the phases some tap reads are stored (at most the kernel size per dimension, so
 * a stride larger than the window costs nothing). With unit strides there is one phase and the grid is
 * the padded region itself (the layout of the classic implicit-GEMM slab).
 *
 * <p>Per channel the slab holds {@link #phases} grids of {@link #phaseSize} elements, phase index row-major
 * over the dimensions' stored phases; a grid is row-major with strides {@link #gridStride}. Grid cells past
 * the padded extent hold zero.
 *
 * <p>An <em>unphased</em> slab keeps the padded region in one grid whatever the strides (small position o
 * starts at {@code o*stride}); the depthwise and direct kernels, which step through it with strided
 * vectors, use it. A <em>full</em> slab covers every padded position of the big side, also those past
 * the last window, as a gradient slab that is folded back and stored whole must.
 */
public final class PhaseSlab {
    public final ConvGeometry g;
    /** Small-side rows covered, dimension 0. */
    public final int r0, r1;
    /** Big-side index of padded position 0, per dimension (negative inside the begin padding). */
    public final int[] origin;
    /** Padded positions per dimension: what the windows of rows [r0, r1) span. */
    public final int[] extent;
    /** Grid extent per dimension: {@code ceil(extent / layoutStride)}. */
    public final int[] grid;
    /** Element strides of a phase grid (row-major). */
    public final int[] gridStride;
    /** Elements of one phase grid. */
    public final int phaseSize;
    /** Number of stored phases. */
    public final int phases;
    /** Elements per channel: {@code phases * phaseSize}. */
    public final int channelStride;
    /** Offset of each tap's run relative to a window start: its phase grid plus its grid shift. */
    public final int[] tapOffset;
    /** {@code source[d][u]}: big-side index padded position u reads along d, or -1 for a zero. */
    public final int[][] source;
    /** {@code residues[d]}: the stored phases along d, ascending (phase {@code residues[d][i]} is slot i). */
    public final int[][] residues;
    /** {@code slot[d][u]}: the stored-phase slot of padded position u along d, or -1 if no tap reads it. */
    public final int[][] slot;
    /** One past the window start of the last small position: the length of every im2col row. */
    public final int span;
    /** Whether the padded region is split into phases (else one grid, strided windows). */
    public final boolean phased;
    /** Grid steps between the windows of neighbouring small positions, per dimension: 1, or the stride unphased. */
    private final int[] step;

    /**
     * The phased slab for small rows {@code [r0, r1)}, covering what their windows read; the caller checks
     * sizes with {@link #elements}.
     */
    public PhaseSlab(ConvGeometry g, int r0, int r1) {
        this(g, r0, r1, true, false);
    }

    /** A slab for small rows {@code [r0, r1)}, phased or not, covering what the windows read or every padded position. */
    public PhaseSlab(ConvGeometry g, int r0, int r1, boolean phased, boolean full) {
        this.g = g;
        this.r0 = r0;
        this.r1 = r1;
        this.phased = phased;
        int rank = g.rank;
        origin = new int[rank];
        extent = new int[rank];
        grid = new int[rank];
        source = new int[rank][];
        residues = new int[rank][];
        slot = new int[rank][];
        step = new int[rank];
        int ph = 1;
        for (int d = 0; d < rank; d++) {
            long rows = d == 0 ? r1 - r0 : g.small[d];
            origin[d] = Math.toIntExact((d == 0 ? (long) r0 * g.stride[0] : 0) - g.padBegin[d]);
            long used = (rows - 1) * g.stride[d] + (long) (g.kernel[d] - 1) * g.dilation[d] + 1;
            extent[d] = Math.toIntExact(full ? Math.max(used, g.big[d] + g.padEnd[d] - origin[d]) : used);
            int s = layoutStride(d);
            grid[d] = (int) ((extent[d] + (long) s - 1) / s);
            step[d] = phased ? 1 : g.stride[d];
            source[d] = new int[extent[d]];
            for (int u = 0; u < extent[d]; u++) source[d][u] = (int) g.mode.source(origin[d] + u, g.big[d]);
            residues[d] = usedResidues(g, d, s);
            slot[d] = new int[extent[d]];
            for (int u = 0; u < extent[d]; u++) slot[d][u] = Math.max(-1, Arrays.binarySearch(residues[d], u % s));
            ph *= residues[d].length;
        }
        phases = ph;
        gridStride = new int[rank];
        long size = 1;
        for (int d = rank - 1; d >= 0; d--) {
            gridStride[d] = Math.toIntExact(size);
            size *= grid[d];
        }
        phaseSize = Math.toIntExact(size);
        channelStride = Math.toIntExact((long) phases * phaseSize);
        tapOffset = new int[g.taps];
        for (int t = 0; t < g.taps; t++) {
            int phase = 0, shift = 0;
            for (int d = 0; d < rank; d++) {
                long reach = (long) g.tap[t][d] * g.dilation[d];
                int s = layoutStride(d);
                phase = phase * residues[d].length + Arrays.binarySearch(residues[d], (int) (reach % s));
                shift += (int) (reach / s) * gridStride[d];
            }
            tapOffset[t] = phase * phaseSize + shift;
        }
        long[] last = new long[rank];
        last[0] = r1 - 1;
        for (int d = 1; d < rank; d++) last[d] = g.small[d] - 1;
        span = windowStart(last) + 1;
    }

    /** The phases (residues mod the layout stride) the taps read along {@code d}, ascending. */
    private static int[] usedResidues(ConvGeometry g, int d, int s) {
        return java.util.stream.IntStream.range(0, g.kernel[d]).map(j -> (int) ((long) j * g.dilation[d] % s)).distinct().sorted().toArray();
    }

    /**
     * A bound on the elements per channel of a phased slab for {@code rows} small rows and on the length of
     * its per-dimension tables, without building it (for size checks): per dimension at most
     * {@code min(stride, kernel)} phases of {@code rows + ceil(window / stride)} grid positions; saturates at
     * {@code Long.MAX_VALUE}.
     */
    public static long elements(ConvGeometry g, long rows) {
        long n = 1, table = 0;
        for (int d = 0; d < g.rank; d++) {
            long r = d == 0 ? rows : g.small[d];
            long window = (long) (g.kernel[d] - 1) * g.dilation[d] + 1;
            long f = Math.min(g.stride[d], g.kernel[d]) * (r + Math.ceilDiv(window, g.stride[d]));
            if (Math.multiplyHigh(n, f) != 0 || n * f < 0) return Long.MAX_VALUE;
            n *= f;
            if (Math.multiplyHigh(r - 1, g.stride[d]) != 0) return Long.MAX_VALUE;
            table = Math.max(table, (r - 1) * g.stride[d] + window);
            if (table < 0) return Long.MAX_VALUE;
        }
        return Math.max(n, table);
    }

    /** Grid offset of the window of small position {@code o} (absolute; {@code o[0]} in [r0, r1)). */
    public int windowStart(long[] o) {
        int off = (int) (o[0] - r0) * step[0] * gridStride[0];
        for (int d = 1; d < g.rank; d++) off += (int) o[d] * step[d] * gridStride[d];
        return off;
    }

    /** Grid steps between the windows of neighbouring small positions along {@code d}: 1 phased, the stride unphased. */
    public int step(int d) {
        return step[d];
    }

    /** Stride of the layout along {@code d}: the stride phased, 1 unphased. */
    public int layoutStride(int d) {
        return phased ? g.stride[d] : 1;
    }

    /** Whether the layout is the padded region itself (one phase, unit layout strides). */
    public boolean plain() {
        for (int d = 0; d < g.rank; d++) if (layoutStride(d) != 1) return false;
        return true;
    }

    /**
     * For a {@link #plain} slab over the channel planes of {@code big} (a big-side tensor N C spatial...): for
     * each slab row r (every dimension but the last, row-major), where it starts in a channel's slab
     * ({@code rowDst[r]}) and where its source row starts in the plane ({@code rowSrc[r]}, -1 when the row lies
     * in the padding). Offsets are ints: the callers stage planes of at most 2^20 elements. Returns the number of rows.
     */
    public int plainRows(dev.vecnn.tensor.Tensor big, int[] rowDst, int[] rowSrc) {
        int last = g.rank - 1, rows = rows();
        int[] u = new int[g.rank];
        for (int r = 0; r < rows; r++) {
            int at = 0, off = 0;
            boolean zero = false;
            for (int d = 0; d < last; d++) {
                at += u[d] * gridStride[d];
                int src = source[d][u[d]];
                if (src < 0) zero = true;
                else off += src * (int) big.stride(2 + d);
            }
            rowDst[r] = at;
            rowSrc[r] = zero ? -1 : off;
            for (int d = last - 1; d >= 0; d--) {
                if (++u[d] < extent[d]) break;
                u[d] = 0;
            }
        }
        return rows;
    }

    /**
     * The lowest source row offset among rows [0, rows) of {@code rowSrc} (from {@link #plainRows}), or
     * {@link Integer#MAX_VALUE} when every row is padding. With {@link #lastSourceRow}: the span of the plane a slab
     * reads, which is all that needs staging.
     */
    public static int firstSourceRow(int[] rowSrc, int rows) {
        int lo = Integer.MAX_VALUE;
        for (int r = 0; r < rows; r++) if (rowSrc[r] >= 0) lo = Math.min(lo, rowSrc[r]);
        return lo;
    }

    /** The highest source row offset among rows [0, rows) of {@code rowSrc}, or -1 when every row is padding. */
    public static int lastSourceRow(int[] rowSrc, int rows) {
        int hi = -1;
        for (int r = 0; r < rows; r++) hi = Math.max(hi, rowSrc[r]);
        return hi;
    }

    /**
     * The slab columns (last dimension) that read the source row one to one start here; the ones before are
     * padding. With {@link #interiorEnd}: an empty range when the slab lies entirely in the padding (small
     * inputs split over several threads).
     */
    public int interiorStart() {
        int last = g.rank - 1;
        return Math.max(0, Math.min(extent[last], -origin[last]));
    }

    /** The end of the columns that read the source row one to one (see {@link #interiorStart}). */
    public int interiorEnd() {
        int last = g.rank - 1;
        return (int) Math.max(interiorStart(), Math.min(extent[last], g.big[last] - origin[last]));
    }

    /** Slab rows: the product of the extents of every dimension but the last. */
    public int rows() {
        int rows = 1;
        for (int d = 0; d < g.rank - 1; d++) rows *= extent[d];
        return rows;
    }

    @Override
    public String toString() {
        return "PhaseSlab" + Arrays.toString(extent) + " grid " + Arrays.toString(grid) + " x" + phases;
    }
}
