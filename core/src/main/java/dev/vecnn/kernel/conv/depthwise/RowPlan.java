package dev.vecnn.kernel.conv.depthwise;

import dev.vecnn.kernel.conv.ConvGeometry;

/**
 * Where the rows kernel ({@code DepthwiseRowsF32}, {@code DepthwiseRowsF64}) reads and writes for one
 * unit-stride-along-rows correlation {@code out[o] = sum_t w_t in[o * stride - padBegin + tap_t * dilation]}
 * (zero outside {@code in}), one channel plane at a time:
 * <ul>
 *   <li>the input rows are copied into a heap buffer at a pitch of {@link #inPitch}: the row, then at
 *       least as many zeros as a load reaches past either end, so that every load is a plain vector
 *       load (masked loads cost more than they save here);</li>
 *   <li>a block of output rows walks the distinct input rows its kernel rows read ({@link #entryOffset},
 *       the zero row for rows in the padding), loads each row's vectors once per tap column and feeds
 *       every output row of the block that reads it ({@link #entryTap}): a 3x3 kernel over two rows
 *       loads 4 rows instead of 6, over eight rows 10 instead of 24 (each load is a split load: heap
 *       arrays are not aligned to cache lines, and the taps shift by single elements);</li>
 *   <li>the output plane is computed compact (row pitch = row length) and leaves in one bulk copy;</li>
 *   <li>a block is {@link #blockRows} rows by {@link #chunks} vectors: eight accumulators, enough for two
 *       FMA pipes of four cycles' latency, on narrow rows as on wide ones; twelve for three taps along the
 *       rows on machines with 32 vector registers, where each accumulator takes its row's three taps in a row (a
 *       56x56 plane in L1: 1.42-1.79 us with eight and the loop over the taps, 1.14-1.22 unrolled with twelve).</li>
 * </ul>
 * Narrow 2-D planes (rows of at most two vectors; stride at most 2 down the columns, computed at unit
 * stride and every other row kept) are computed flat
 * instead ({@link #flat}): the padded rows, with enough zero rows above and below, form one grid of
 * pitch {@link #inPitch}, and every grid position is one sum over fixed offsets ({@link #flatOffset}),
 * eight vectors at a time, with no lanes lost to short rows and no per-row bookkeeping; the kept
 * columns are picked out of the grid afterwards.
 * Forward uses the convolution's own geometry. A stride of 2 along rows of at least {@link #SPLIT_COLUMNS}
 * output columns lays each input row split into its even and odd columns (a deinterleaving copy, one
 * permute per vector), so that every tap reads one half at unit stride ({@link #split}); on narrower rows
 * the rows are computed at unit stride and every other column kept ({@link #columnStep}): twice the
 * multiply-adds, fewer rows of bookkeeping.
 * Backward-data of a unit-stride convolution is the same correlation of gy with the taps reversed and
 * {@code padBegin' = (kernel - 1) * dilation - padBegin}.
 */
final class RowPlan {
    /** Largest plane (either side) and row table this path takes; larger ones use the slab path. */
    static final long MAX_PLANE = 1L << 24;
    /** Largest stride along the rows this path takes (split, or computed at unit stride and subsampled). */
    static final int MAX_ROW_STRIDE = 2;
    /**
     * Output columns from which a stride of 2 along the rows is computed split ({@link #split}): MobileNet-V2's
     * 112 to 56 columns ran 0.75 to 0.56 ms split at 16 float32 lanes and 0.76-0.77 to 0.64 at 8, its 56 to 28
     * 0.25 to 0.28 at 16 lanes and 0.26 to 0.28-0.29 at 8 (this threshold lies between the two;
     * bench/results/2026-12-01-depthwise-rows-and-panels/split-threshold.txt).
     */
    static final int SPLIT_COLUMNS = 48;

    final int inRowLen, outRowLen;
    /** Input rows in the buffer: one every {@code inPitch} elements from {@link #planeStart}. */
    final int inPitch, inRows;
    final int inCount, outCount;
    /** Columns kept of the computed rows: every {@code columnStep}-th, {@code keptRowLen} per row, {@code keptCount} in all. */
    final int columnStep, keptRowLen, keptCount;
    /** Rows kept (flat plans of stride 2 down the columns compute every row and keep every other one). */
    final int rowStep, keptRows;
    /**
     * Whether the computed plane is the kept plane as it lies (rows mode, every column kept, split rows
     * included): not so when flat, subsampled along the rows, or when the rows are computed longer than kept (a transposed
     * convolution's output padding makes its backward-data windows reach past the kept columns).
     */
    final boolean compact;
    /** Output rows (positions of the leading dimensions) and that count rounded up to whole blocks. */
    final int rows, paddedRows;
    /** Taps per kernel row (the last dimension) and kernel rows (positions of the leading dimensions). */
    final int rowTaps, tapRows;
    /** Vectors per block row, rows per block, column groups per row (each {@code chunks} vectors wide). */
    final int chunks, blockRows, columnGroups;
    /** Whether the blocks are the ones unrolled for three taps along the rows, twelve accumulators ({@code block3x4r3} ...). */
    final boolean unrolled;
    /** Buffer offset of the zero row and of the input plane; input buffer and output buffer lengths. */
    final int zeroRow, planeStart, inLength, outLength;
    /** Block b's entries are {@code [entryStart[b], entryStart[b + 1])}, in the order of their input rows. */
    final int[] entryStart;
    /** An entry's input row: its buffer offset (the zero row in the padding). */
    final int[] entryOffset;
    /** {@code entryTap[e * blockRows + i]}: the kernel row with which block row i reads entry e's row, or -1. */
    final int[] entryTap;
    /**
     * Column shift of each tap column: {@code col * dilation - padBegin} along the rows; for split rows, where
     * in the laid row the tap of output column 0 reads (a shift into the even or the odd half).
     */
    final int[] shift;
    /**
     * Whether the rows are laid split (stride 2 along the rows): a row's even columns, zeros, its odd
     * columns from {@link #oddStart}, zeros. Output column c of tap offset {@code s} reads input column
     * {@code 2c + s}: the even half at {@code c + s / 2} for even s, the odd half at {@code c + (s - 1) / 2}
     * for odd s, so the rows are computed at unit stride with no columns computed and dropped.
     */
    final boolean split;
    final int oddStart;
    /** Whether the plane is computed flat: grid positions [0, flatSpan), tap t of position q read at {@code flatOffset[t] + q}. */
    final boolean flat;
    final int flatSpan;
    final int[] flatOffset;
    /** Elements between computed rows in the output buffer: the row length, or the input pitch when flat. */
    final int outPitch;

    private RowPlan(long[] in, long[] out, int[] kernel, int[] stride, int[] dilation, int[] padBegin, int lanes, boolean manyRegisters,
                    int columnStep, long keptRowLen, boolean flat, int rowStep, long keptRows, boolean split) {
        int rank = in.length, last = rank - 1;
        this.split = split;
        this.columnStep = columnStep;
        this.keptRowLen = (int) keptRowLen;
        inRowLen = (int) in[last];
        outRowLen = (int) out[last];
        inCount = (int) count(in);
        outCount = (int) count(out);
        rows = outCount / Math.max(1, outRowLen);
        this.rowStep = rowStep;
        this.keptRows = (int) keptRows;
        keptCount = this.keptRows * this.keptRowLen;
        rowTaps = kernel[last];
        int taps = 1;
        for (int k : kernel) taps *= k;
        tapRows = taps / rowTaps;
        int vectors = Math.ceilDiv(Math.max(1, outRowLen), lanes);
        // one row (a 1-D signal) takes all eight accumulators along it; otherwise rows share them
        chunks = rows == 1 && vectors >= 8 ? 8 : vectors >= 4 ? 4 : vectors >= 2 ? 2 : 1;
        // three taps along the rows (the unrolled blocks): twelve accumulators and an entry's three rows live,
        // about 25 vectors, where there are 32 registers (AVX-512); elsewhere the loop over the taps
        unrolled = manyRegisters && rowTaps == 3 && chunks < 8;
        blockRows = unrolled ? 12 / chunks : 8 / chunks;
        columnGroups = Math.ceilDiv(vectors, chunks);
        paddedRows = Math.ceilDiv(rows, blockRows) * blockRows;
        shift = new int[rowTaps];
        int pitch = 0;
        if (split) {
            // each half's reads run from c + (lowest shift) to c + (highest shift) over the output columns c:
            // the zeros between the halves cover the even half's overrun and the odd half's underrun, those
            // after the odd half its overrun and the next row's even underrun
            int evens = Math.ceilDiv(inRowLen, 2), odds = inRowLen / 2;
            int[] lo = {0, 0}, hi = {0, 0};
            for (int t = 0; t < rowTaps; t++) {
                int s = t * dilation[last] - padBegin[last], half = Math.floorMod(s, 2);
                shift[t] = Math.floorDiv(s, 2);
                lo[half] = Math.min(lo[half], shift[t]);
                hi[half] = Math.max(hi[half], shift[t]);
            }
            int middle = Math.max(Math.max(0, outRowLen - 1 + hi[0] - (evens - 1)), -lo[1]);
            int end = Math.max(Math.max(0, outRowLen - 1 + hi[1] - (odds - 1)), -lo[0]);
            oddStart = evens + middle;
            for (int t = 0; t < rowTaps; t++) if (Math.floorMod(t * dilation[last] - padBegin[last], 2) == 1) shift[t] += oddStart;
            pitch = oddStart + odds + end;
        } else {
            oddStart = 0;
            for (int t = 0; t < rowTaps; t++) shift[t] = t * dilation[last] - padBegin[last];
        }
        int lowest = 0, highest = 0;
        for (int t = 0; t < rowTaps; t++) {
            lowest = Math.min(lowest, shift[t]);
            highest = Math.max(highest, shift[t]);
        }
        if (!split) {
            // output column c of a real output reads input columns c + shift: the zeros after a row must cover
            // reads left of the next row's start and right of this row's end
            int gap = Math.max(-lowest, Math.max(0, outRowLen + highest - inRowLen));
            pitch = inRowLen + gap;
        }
        inPitch = pitch;
        inRows = inCount / Math.max(1, inRowLen);
        int width = columnGroups * chunks * lanes; // a block row's columns, past the row for its last vector
        int reach = Math.max(-lowest, highest);
        this.flat = flat;
        if (flat) {
            // zero rows above the plane for the top padding, below it for what the last rows read past the input
            int above = Math.max(0, padBegin[0]);
            long below = Math.max(0, (out[0] - 1) - padBegin[0] + (long) (kernel[0] - 1) * dilation[0] - (in[0] - 1));
            flatSpan = (int) ((out[0] - 1) * inPitch + outRowLen);
            zeroRow = 0;
            planeStart = (above + 1) * inPitch + reach + lanes;
            flatOffset = new int[taps];
            for (int t = 0; t < taps; t++) {
                flatOffset[t] = planeStart + (t / rowTaps * dilation[0] - padBegin[0]) * inPitch + shift[t % rowTaps];
            }
            // the last step of eight vectors runs past the span, reading up to the furthest tap
            inLength = Math.toIntExact(planeStart + (in[0] + below + 1) * inPitch + 8L * lanes + reach);
            outLength = flatSpan + 8 * lanes;
            outPitch = inPitch;
        } else {
            flatSpan = 0;
            flatOffset = null;
            zeroRow = reach + lanes;
            planeStart = zeroRow + Math.max(width, inPitch) + reach + lanes;
            inLength = planeStart + inRows * inPitch + width + reach + lanes;
            outLength = paddedRows * outRowLen + width + lanes;
            outPitch = outRowLen;
        }
        long[] span = new long[rank];
        for (int d = 0; d < last; d++) span[d] = (out[d] - 1) * stride[d] + (long) (kernel[d] - 1) * dilation[d] + 1;
        compact = !flat && outRowLen == this.keptRowLen;
        if (flat) {
            entryStart = entryOffset = entryTap = null;
            return;
        }
        // entries: for each block, the distinct input rows its rows read, in the order of their coordinates
        // (padding included: each output row meets its kernel rows in kernel order, which keeps every sum's order)
        int blocks = paddedRows / blockRows;
        entryStart = new int[blocks + 1];
        long[] key = new long[blockRows * tapRows];
        int[] offset = new int[blockRows * tapRows];
        int[] next = new int[blockRows];
        int[] offsets = new int[16], users = new int[16 * blockRows];
        int count = 0;
        int[] o = new int[rank], h = new int[rank];
        for (int b = 0; b < blocks; b++) {
            int live = Math.min(blockRows, rows - b * blockRows);
            for (int i = 0; i < live; i++) {
                java.util.Arrays.fill(h, 0);
                for (int th = 0; th < tapRows; th++) {
                    long k = 0, at = 0;
                    boolean inside = true;
                    for (int d = 0; d < last; d++) {
                        long v = (long) o[d] * stride[d] - padBegin[d] + (long) h[d] * dilation[d];
                        inside &= v >= 0 && v < in[d];
                        at = at * in[d] + v;
                        // coordinates shifted to be non-negative, in a mixed radix wide enough for every coordinate
                        k = k * span[d] + v + padBegin[d];
                    }
                    key[i * tapRows + th] = k;
                    offset[i * tapRows + th] = inside ? planeStart + (int) at * inPitch : zeroRow;
                    for (int d = last - 1; d >= 0; d--) {
                        if (++h[d] < kernel[d]) break;
                        h[d] = 0;
                    }
                }
                for (int d = last - 1; d >= 0; d--) {
                    if (++o[d] < out[d]) break;
                    o[d] = 0;
                }
            }
            // merge the rows' sorted kernel rows, one entry per distinct input row
            java.util.Arrays.fill(next, 0);
            while (true) {
                long least = Long.MAX_VALUE;
                for (int i = 0; i < live; i++) if (next[i] < tapRows) least = Math.min(least, key[i * tapRows + next[i]]);
                if (least == Long.MAX_VALUE) break;
                if (count == offsets.length) {
                    offsets = java.util.Arrays.copyOf(offsets, 2 * count);
                    users = java.util.Arrays.copyOf(users, 2 * count * blockRows);
                }
                java.util.Arrays.fill(users, count * blockRows, (count + 1) * blockRows, -1);
                for (int i = 0; i < live; i++) {
                    if (next[i] < tapRows && key[i * tapRows + next[i]] == least) {
                        offsets[count] = offset[i * tapRows + next[i]];
                        users[count * blockRows + i] = next[i]++;
                    }
                }
                count++;
            }
            entryStart[b + 1] = count;
        }
        entryOffset = java.util.Arrays.copyOf(offsets, count);
        entryTap = java.util.Arrays.copyOf(users, count * blockRows);
    }

    /** The forward plan of a direct depthwise convolution, or null when the rows path does not take it. */
    static RowPlan forward(ConvGeometry g, int lanes) {
        return forward(g, lanes, true);
    }

    /**
     * The forward plan for {@code lanes} lanes; {@code manyRegisters}: the machine has 32 vector registers
     * (512-bit vectors: AVX-512), enough for the unrolled blocks.
     */
    static RowPlan forward(ConvGeometry g, int lanes, boolean manyRegisters) {
        int last = g.rank - 1, step = g.stride[last];
        if (step > MAX_ROW_STRIDE || g.mode != dev.vecnn.spec.PaddingMode.ZEROS) return null;
        long[] out = g.small.clone();
        int[] stride = g.stride.clone();
        stride[last] = 1;
        // the rows at unit stride: every window start along the padded row
        long unitRow = g.big[last] + g.padBegin[last] + g.padEnd[last] - (long) (g.kernel[last] - 1) * g.dilation[last];
        // narrow 2-D planes go flat, at stride 2 down the columns too (every row computed, every other kept)
        boolean flat = g.rank == 2 && Math.ceilDiv(unitRow, lanes) <= 2 && g.stride[0] <= MAX_ROW_STRIDE;
        if (step == 2 && g.small[last] >= SPLIT_COLUMNS) {
            // wide rows laid split into even and odd columns: every output column computed once, at unit stride
            // (on narrower rows the bookkeeping of twice the rows per output cost more than the columns saved)
            return fits(g.big, out, g)
                    ? new RowPlan(g.big, out, g.kernel, stride, g.dilation, g.padBegin, lanes, manyRegisters, 1, g.small[last], false, 1,
                            g.smallCount() / g.small[last], true)
                    : null;
        }
        out[last] = unitRow;
        int rowStep = 1;
        if (flat) {
            rowStep = g.stride[0];
            out[0] = g.big[0] + g.padBegin[0] + g.padEnd[0] - (long) (g.kernel[0] - 1) * g.dilation[0];
            stride[0] = 1;
        }
        long keptRows = g.smallCount() / g.small[last];
        return fits(g.big, out, g)
                ? new RowPlan(g.big, out, g.kernel, stride, g.dilation, g.padBegin, lanes, manyRegisters, step, g.small[last], flat, rowStep, keptRows,
                        false)
                : null;
    }

    /**
     * The backward-data plan (gy to gx) of a unit-stride depthwise convolution: taps reversed (the caller
     * reverses the weights), {@code padBegin' = (kernel - 1) * dilation - padBegin}; null when not taken.
     */
    static RowPlan backwardData(ConvGeometry g, int lanes) {
        return backwardData(g, lanes, true);
    }

    /** As {@link #backwardData(ConvGeometry, int)}, with the register file as in {@link #forward(ConvGeometry, int, boolean)}. */
    static RowPlan backwardData(ConvGeometry g, int lanes, boolean manyRegisters) {
        if (!g.unitStride() || g.mode != dev.vecnn.spec.PaddingMode.ZEROS || g.kg != 1) return null;
        int[] pad = new int[g.rank];
        for (int d = 0; d < g.rank; d++) pad[d] = (g.kernel[d] - 1) * g.dilation[d] - g.padBegin[d];
        if (!fits(g.small, g.big, g)) return null;
        int last = g.rank - 1;
        boolean flat = g.rank == 2 && Math.ceilDiv(g.big[last], lanes) <= 2;
        return new RowPlan(g.small, g.big, g.kernel, g.stride, g.dilation, pad, lanes, manyRegisters, 1, g.big[last], flat, 1, count(g.big) / g.big[last],
                false);
    }

    private static boolean fits(long[] in, long[] out, ConvGeometry g) {
        long rows = count(out) / Math.max(1, out[out.length - 1]);
        long tapRows = g.taps / g.kernel[g.rank - 1];
        return count(in) <= MAX_PLANE && count(out) <= MAX_PLANE && rows * tapRows <= MAX_PLANE && count(out) > 0;
    }

    private static long count(long[] dims) {
        long n = 1;
        for (long v : dims) n = Math.multiplyExact(n, v);
        return n;
    }
}
