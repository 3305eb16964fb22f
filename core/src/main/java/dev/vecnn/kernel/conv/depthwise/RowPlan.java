package dev.vecnn.kernel.conv.depthwise;

import dev.vecnn.kernel.conv.ConvGeometry;

/**
 * Where the rows kernel ({@code DepthwiseRowsF32}, {@code DepthwiseRowsF64}) reads and writes for one
 * unit-stride-along-rows correlation {@code out[o] = sum_t w_t in[o * stride - padBegin + tap_t * dilation]}
 * (zero outside {@code in}), one channel plane at a time:
 * <ul>
 *   <li>the input rows are copied into a heap buffer at a pitch of {@link #inPitch}: the row, then at
 *       least as many zeros as a load reaches past either end, so that every load is a plain vector
 *       load (masked loads cost more than they save here); an output row's tap row is a buffer offset
 *       from {@link #rowIn}, the zero row where the tap row lies in the padding;</li>
 *   <li>the output plane is computed compact (row pitch = row length) and leaves in one bulk copy;</li>
 *   <li>a block is {@link #blockRows} rows by {@link #chunks} vectors: eight accumulators, enough for two
 *       FMA pipes of four cycles' latency, on narrow rows as on wide ones.</li>
 * </ul>
 * Forward uses the convolution's own geometry; backward-data of a unit-stride convolution is the same
 * correlation of gy with the taps reversed and {@code padBegin' = (kernel - 1) * dilation - padBegin}.
 */
final class RowPlan {
    /** Largest plane (either side) and row table this path takes; larger ones use the slab path. */
    static final long MAX_PLANE = 1L << 24;

    final int inRowLen, outRowLen;
    /** Input rows in the buffer: one every {@code inPitch} elements from {@link #planeStart}. */
    final int inPitch, inRows;
    final int inCount, outCount;
    /** Output rows (positions of the leading dimensions) and that count rounded up to whole blocks. */
    final int rows, paddedRows;
    /** Taps per kernel row (the last dimension) and kernel rows (positions of the leading dimensions). */
    final int rowTaps, tapRows;
    /** Vectors per block row, rows per block, column groups per row (each {@code chunks} vectors wide). */
    final int chunks, blockRows, columnGroups;
    /** Buffer offset of the zero row and of the input plane; input buffer and output buffer lengths. */
    final int zeroRow, planeStart, inLength, outLength;
    /** {@code rowIn[r * tapRows + h]}: buffer offset of output row r's kernel row h. */
    final int[] rowIn;
    /** Column shift of each tap ({@code tap * dilation - padBegin} along the rows) and its kernel row. */
    final int[] shift, tapRow;

    private RowPlan(long[] in, long[] out, int[] kernel, int[] stride, int[] dilation, int[] padBegin, int lanes) {
        int rank = in.length, last = rank - 1;
        inRowLen = (int) in[last];
        outRowLen = (int) out[last];
        inCount = (int) count(in);
        outCount = (int) count(out);
        rows = outCount / Math.max(1, outRowLen);
        rowTaps = kernel[last];
        int taps = 1;
        for (int k : kernel) taps *= k;
        tapRows = taps / rowTaps;
        int vectors = Math.ceilDiv(Math.max(1, outRowLen), lanes);
        // one row (a 1-D signal) takes all eight accumulators along it; otherwise rows share them
        chunks = rows == 1 && vectors >= 8 ? 8 : vectors >= 4 ? 4 : vectors >= 2 ? 2 : 1;
        blockRows = 8 / chunks;
        columnGroups = Math.ceilDiv(vectors, chunks);
        paddedRows = Math.ceilDiv(rows, blockRows) * blockRows;
        shift = new int[taps];
        tapRow = new int[taps];
        int lowest = 0, highest = 0;
        for (int t = 0; t < taps; t++) {
            shift[t] = t % rowTaps * dilation[last] - padBegin[last];
            tapRow[t] = t / rowTaps;
            lowest = Math.min(lowest, shift[t]);
            highest = Math.max(highest, shift[t]);
        }
        // output column c of a real output reads input columns c + shift: the zeros after a row must cover
        // reads left of the next row's start and right of this row's end
        int gap = Math.max(-lowest, Math.max(0, outRowLen + highest - inRowLen));
        inPitch = inRowLen + gap;
        inRows = inCount / Math.max(1, inRowLen);
        int width = columnGroups * chunks * lanes; // a block row's columns, past the row for its last vector
        int reach = Math.max(-lowest, highest);
        zeroRow = reach + lanes;
        planeStart = zeroRow + Math.max(width, inPitch) + reach + lanes;
        inLength = planeStart + inRows * inPitch + width + reach + lanes;
        outLength = paddedRows * outRowLen + width + lanes;
        rowIn = new int[paddedRows * tapRows];
        java.util.Arrays.fill(rowIn, zeroRow);
        int[] o = new int[rank], h = new int[rank];
        for (int r = 0; r < rows; r++) {
            java.util.Arrays.fill(h, 0);
            for (int th = 0; th < tapRows; th++) {
                long at = 0;
                boolean inside = true;
                for (int d = 0; d < last; d++) {
                    long i = (long) o[d] * stride[d] - padBegin[d] + (long) h[d] * dilation[d];
                    inside &= i >= 0 && i < in[d];
                    at = at * in[d] + i;
                }
                if (inside) rowIn[r * tapRows + th] = planeStart + (int) at * inPitch;
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
    }

    /** The forward plan of a direct depthwise convolution, or null when the rows path does not take it. */
    static RowPlan forward(ConvGeometry g, int lanes) {
        if (g.stride[g.rank - 1] != 1 || g.mode != dev.vecnn.spec.PaddingMode.ZEROS) return null;
        return fits(g.big, g.small, g) ? new RowPlan(g.big, g.small, g.kernel, g.stride, g.dilation, g.padBegin, lanes) : null;
    }

    /**
     * The backward-data plan (gy to gx) of a unit-stride depthwise convolution: taps reversed (the caller
     * reverses the weights), {@code padBegin' = (kernel - 1) * dilation - padBegin}; null when not taken.
     */
    static RowPlan backwardData(ConvGeometry g, int lanes) {
        if (!g.unitStride() || g.mode != dev.vecnn.spec.PaddingMode.ZEROS || g.kg != 1) return null;
        int[] pad = new int[g.rank];
        for (int d = 0; d < g.rank; d++) pad[d] = (g.kernel[d] - 1) * g.dilation[d] - g.padBegin[d];
        return fits(g.small, g.big, g) ? new RowPlan(g.small, g.big, g.kernel, g.stride, g.dilation, pad, lanes) : null;
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
