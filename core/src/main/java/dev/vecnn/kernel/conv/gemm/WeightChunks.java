package dev.vecnn.kernel.conv.gemm;

import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.kernel.conv.PhaseSlab;

/**
 * The split of backward-weights' reduction, over images x rows (dimension 0 of the small side), into
 * chunks: consecutive rows of the images laid end to end. It is a function of the problem alone, never of
 * the thread count, so the chunks' partial sums, added in chunk order, give the same bits on any number
 * of threads, while a small problem (few weights, many images) still yields several tasks per thread.
 * A chunk is processed in segments (rows of one image, a bounded slab).
 */
final class WeightChunks {
    /**
     * Real positions per chunk at least: a chunk ends by summing each accumulator's lanes, about L*L adds
     * per weight element against (positions / L) fused multiply-adds.
     */
    static final long MIN_POSITIONS = 2048;
    /** At most this many chunks, and at most 2^22 partial sums in all. */
    static final int MAX_CHUNKS = 64;
    private static final long PARTIALS = 1L << 22;
    /** Slab elements of a segment (all channels of a block). */
    private static final long SEGMENT_BUDGET = 1L << 20;

    final int count;
    private final long rowsPerChunk;
    private final long rowsPerImage;
    private final long total;
    private final long segmentRows;

    WeightChunks(ConvGeometry g, int channelBlock) {
        this(g, channelBlock, MIN_POSITIONS);
    }

    /** As above, with at least {@code minPositions} real positions per chunk. */
    WeightChunks(ConvGeometry g, int channelBlock, long minPositions) {
        rowsPerImage = g.small[0];
        total = g.batch * rowsPerImage;
        long rowPositions = Math.max(1, g.smallCount() / g.small[0]);
        long weights = (long) g.groups * g.cg * g.taps * g.kg;
        long maxChunks = Math.max(1, Math.min(MAX_CHUNKS, PARTIALS / Math.max(1, weights)));
        rowsPerChunk = Math.max(1, Math.max(Math.ceilDiv(minPositions, rowPositions), Math.ceilDiv(total, maxChunks)));
        count = Math.toIntExact(Math.ceilDiv(total, rowsPerChunk));
        long rows = Math.min(rowsPerChunk, rowsPerImage);
        while (rows > 1 && channelBlock * PhaseSlab.elements(g, rows) > SEGMENT_BUDGET) rows = (rows + 1) / 2;
        segmentRows = rows;
    }

    /**
     * Segment {@code si} of chunk {@code ci} as (image, first row, end row) in {@code out}; false when the
     * chunk has fewer segments.
     */
    boolean segment(int ci, int si, long[] out) {
        long at = ci * rowsPerChunk;
        long end = Math.min(total, at + rowsPerChunk);
        for (int k = 0; at < end; k++) {
            long n = at / rowsPerImage, r = at % rowsPerImage;
            long stop = Math.min(Math.min(end, (n + 1) * rowsPerImage), at + segmentRows);
            if (k == si) {
                out[0] = n;
                out[1] = r;
                out[2] = r + stop - at;
                return true;
            }
            at = stop;
        }
        return false;
    }
}
