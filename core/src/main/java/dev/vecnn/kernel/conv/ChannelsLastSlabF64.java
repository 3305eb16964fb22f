package dev.vecnn.kernel.conv;

import dev.vecnn.conv.ConvSizes;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The input of a channels-last convolution task laid in a heap array (or 64-byte aligned native memory, for kernels
 * that load whole vectors from it), padded with zeros: the region that output rows
 * [r0, r1) of dimension 0 read, every position's channels contiguous (all groups' channels; positions
 * {@link #positionPitch} apart), so that a kernel reads
 * every tap of every position at a fixed offset with no bounds. Used by the channels-last GEMM tiles and the
 * channels-last depthwise kernel.
 *
 * <p>GENERATED from core/src/template/ChannelsLastSlab.java.in by dev.vecnn.codegen.KernelTemplates; edit the
 * template, not this file.
 */
public final class ChannelsLastSlabF64 {
    private static final ValueLayout.OfDouble LAYOUT = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final long ES = 8;
    /** Slab cells of one output row, at most, for {@link #fits}. */
    private static final long MAX_ROW = 1L << 26;

    /** Channels of a position (groups times channels per group). */
    public final int channels;
    /** Positions of the slab along each dimension (dimension 0 for the task's rows) and element pitches. */
    public final int[] extent, pitch;
    /**
     * Per dimension, slab positions from one output to the next ({@code outStep}) and input positions from one slab
     * position to the next ({@code inStep}): the stride and 1, or in a subsampled dimension 1 and the stride.
     */
    private final int[] outStep, inStep;

    private ChannelsLastSlabF64(int channels, int[] extent, int[] pitch, int[] outStep, int[] inStep) {
        this.channels = channels;
        this.extent = extent;
        this.pitch = pitch;
        this.outStep = outStep;
        this.inStep = inStep;
    }

    /** The layout for tasks of up to {@code rows} output rows of dimension 0. */
    public static ChannelsLastSlabF64 of(ConvGeometry g, int rows) {
        return of(g, rows, false);
    }

    /**
     * The layout for tasks of up to {@code rows} output rows of dimension 0; with {@code subsample}, along every
     * dimension of kernel size 1 the slab holds only the input positions that outputs read (one per output, padding
     * as zeros), not the whole span: a 1x1 stride-2 shortcut copies a quarter of its input rows' elements, and its
     * positions are consecutive in the slab.
     */
    public static ChannelsLastSlabF64 of(ConvGeometry g, int rows, boolean subsample) {
        int rank = g.rank, channels = g.groups * g.cg;
        int[] extent = new int[rank], pitch = new int[rank], outStep = new int[rank], inStep = new int[rank];
        for (int d = 0; d < rank; d++) {
            long outs = d == 0 ? rows : g.small[d];
            boolean sampled = subsample && g.kernel[d] == 1;
            outStep[d] = sampled ? 1 : g.stride[d];
            inStep[d] = sampled ? g.stride[d] : 1;
            extent[d] = Math.toIntExact(sampled ? outs : (outs - 1) * g.stride[d] + (long) (g.kernel[d] - 1) * g.dilation[d] + 1);
        }
        int p = positionPitch(channels);
        for (int d = rank - 1; d >= 0; d--) {
            pitch[d] = p;
            p = Math.multiplyExact(p, extent[d]);
        }
        return new ChannelsLastSlabF64(channels, extent, pitch, outStep, inStep);
    }

    /**
     * Elements from one slab position to the next: the channels, and one cache line more where they span a multiple of
     * 1 KB. A tile's broadcasts read up to 30 positions (3x3 taps of six outputs) at the same channel; at a pitch of
     * 2 KB (512 float32 channels) they all fall in 2 of L1's 64 sets and evict each other. The 3x3 convolution of 512
     * channels on a 7x7 plane ran 84 and 109 GFLOP/s unpadded, 96 and 115 padded (Zen 5, two JVMs, the two layouts
     * alternated eight times in each); the 6x4 tile alone, 122 against 137-147.
     */
    public static int positionPitch(int channels) {
        return (long) channels * ES % 1024 == 0 ? channels + (int) (64 / ES) : channels;
    }

    /** Elements of the slab. */
    public int length() {
        return pitch[0] * extent[0];
    }

    /** Element offset of tap t from a position's first channel. */
    public int tapOffset(ConvGeometry g, int t) {
        int o = 0;
        for (int d = 0; d < g.rank; d++) o += g.tap[t][d] * g.dilation[d] * pitch[d];
        return o;
    }

    /** Whether a slab of one output row stays within int range (with room): from the geometry alone, saturating. */
    public static boolean fits(ConvGeometry g) {
        long cells = positionPitch((int) Math.min(Integer.MAX_VALUE / 2, (long) g.groups * g.cg));
        for (int d = 0; d < g.rank; d++) {
            long outs = d == 0 ? 1 : g.small[d];
            long extent = ConvSizes.times(outs - 1, g.stride[d]) + ConvSizes.times(g.kernel[d] - 1, g.dilation[d]) + 1;
            cells = ConvSizes.times(cells, extent);
            if (cells > MAX_ROW) return false;
        }
        return true;
    }

    /** Output rows (of dimension 0) per task whose slab stays within {@code budget} elements (at least one). */
    public static int rowsPerTask(ConvGeometry g, long budget) {
        return rowsPerTask(g, budget, false);
    }

    /** {@link #rowsPerTask(ConvGeometry, long)} for the layout {@code of(g, rows, subsample)}. */
    public static int rowsPerTask(ConvGeometry g, long budget, boolean subsample) {
        ChannelsLastSlabF64 one = of(g, 1, subsample);
        long perRow = (long) one.length() / one.extent[0] * one.outStep[0];
        return (int) Math.max(1, Math.min(g.small[0], budget / Math.max(1, perRow)));
    }

    /** Output positions of one row of dimension 0 (1 for rank 1). */
    public static int rowPositions(ConvGeometry g) {
        int inner = 1;
        for (int d = 1; d < g.rank; d++) inner *= (int) g.small[d];
        return inner;
    }

    /** Whether t's channels are contiguous at each position (channel stride 1, more than one channel). */
    public static boolean channelsLast(Tensor t) {
        if (t.size(1) <= 1 || t.stride(1) != 1) return false;
        for (int d = 2; d < t.rank(); d++) if (t.size(d) > 1 && Math.abs(t.stride(d)) < t.size(1)) return false;
        return true;
    }

    /**
     * The slab offset ({@code at}) and y's element offset ({@code to}) of {@code count} positions of output rows
     * [r0, r1) of image n in row-major order, from the task's position {@code from}; the positions
     * [from, from + count) lie within those rows. With y null, only the slab offsets ({@code to} unused).
     */
    public void positions(ConvGeometry g, Tensor y, long n, int r0, int r1, int from, int count, int[] at, long[] to) {
        int rank = g.rank, last = rank - 1;
        if (from < 0 || count < 0 || (long) from + count > (long) (r1 - r0) * rowPositions(g)) {
            throw new IllegalArgumentException("positions [" + from + ", " + ((long) from + count) + ") lie outside rows [" + r0 + ", " + r1
                    + ") of " + rowPositions(g) + " positions each");
        }
        long[] o = new long[rank];
        long rest = from;
        for (int d = last; d >= 1; d--) {
            o[d] = rest % g.small[d];
            rest /= g.small[d];
        }
        o[0] = r0 + rest;
        long yBase = y == null ? 0 : y.offset() + n * y.stride(0);
        long lastEnd = last == 0 ? r1 : g.small[last];
        int atStep = outStep[last] * pitch[last];
        long toStep = y == null ? 0 : y.stride(2 + last);
        // a run along the last dimension at a time, its offsets by addition: per position through every dimension,
        // the tables took a quarter of a 3x3 depthwise layer's samples (32 channels on 112x112), which ran 1.09-1.25x
        // faster by runs
        for (int q = 0; q < count; ) {
            int s = 0;
            long t = yBase;
            for (int d = 0; d < rank; d++) {
                s += (int) ((d == 0 ? o[0] - r0 : o[d]) * outStep[d]) * pitch[d];
                if (y != null) t += o[d] * y.stride(2 + d);
            }
            int run = (int) Math.min(count - q, lastEnd - o[last]);
            for (int end = q + run; q < end; q++, s += atStep, t += toStep) {
                at[q] = s;
                if (y != null) to[q] = t;
            }
            o[last] += run;
            for (int d = last; d > 0 && o[d] == g.small[d]; d--) {
                o[d] = 0;
                o[d - 1]++;
            }
        }
    }

    /**
     * The input region that output rows [r0, r1) of image n read, into {@code xs} with zeros for the padding: slab
     * position i (pitches {@code pitch}) holds input position {@code i inStep - padBegin} (dimension 0 from row
     * {@code r0 stride - padBegin}), its channels contiguous.
     */
    public void fill(ConvGeometry g, Tensor x, long n, int r0, int r1, double[] xs) {
        fill(g, x, n, r0, r1, xs, null);
    }

    /**
     * {@link #fill(ConvGeometry, Tensor, long, int, int, double[])} into native memory, for kernels that load whole vectors
     * from the slab: a heap array's elements start 16 bytes into the object, so a 64-byte load at a whole vector of
     * channels spans two cache lines; from 64-byte aligned memory ({@code Scratch.segment}) it spans one.
     */
    public void fill(ConvGeometry g, Tensor x, long n, int r0, int r1, MemorySegment xs) {
        fill(g, x, n, r0, r1, null, xs);
    }

    /**
     * The fill into {@code array}, or where that is null into {@code segment}. x may lie in any layout: channels-last,
     * each position's channels are one copy; otherwise ({@link #gathers}: a channels-first model input, say) each
     * channel's run of a row is staged and spread over the cells, so a caller need not copy x into channels-last first.
     * The slab holds the same values either way.
     */
    private void fill(ConvGeometry g, Tensor x, long n, int r0, int r1, double[] array, MemorySegment segment) {
        int rank = g.rank, last = rank - 1, c = channels, pp = pitch[last]; // pp: slab elements per position
        int rowsIn = inStep[0] > 1 ? r1 - r0 : (int) ((long) (r1 - r0 - 1) * g.stride[0] + (long) (g.kernel[0] - 1) * g.dilation[0] + 1);
        int step = inStep[last]; // input positions from one cell of a row to the next
        long[] idx = new long[rank];
        MemorySegment src = x.segment();
        long xBase = x.offset() + n * x.stride(0);
        long posStride = x.stride(2 + last);
        int lastExtent = extent[last];
        boolean gather = gathers(x);
        double[] stage = gather ? new double[rank == 1 ? rowsIn : lastExtent] : null; // a row's cells, at most
        long lo = g.padBegin[last], hi = g.padBegin[last] + g.big[last]; // cells [lo, hi) of a row hold input (before the row's first)
        int rowCount = 1;
        for (int d = 0; d < last; d++) rowCount *= d == 0 ? rowsIn : extent[d];
        if (rank == 1) rowCount = 1;
        for (int row = 0; row < rowCount; row++) {
            int to = 0;
            long from = xBase;
            boolean inside = true;
            for (int d = 0; d < last; d++) {
                long i = (d == 0 ? (long) r0 * g.stride[0] : 0) + idx[d] * inStep[d] - g.padBegin[d];
                inside &= i >= 0 && i < g.big[d];
                to += (int) idx[d] * pitch[d];
                from += i * x.stride(2 + d);
            }
            long first = rank == 1 ? (long) r0 * g.stride[0] : 0; // rank 1: the row is dimension 0
            int cells = rank == 1 ? rowsIn : lastExtent;
            // cells [a, z) hold input: first + cell * step in [lo, hi)
            long a = Math.max(0, Math.min(cells, Math.ceilDiv(lo - first, step))), z = Math.max(a, Math.min(cells, Math.ceilDiv(hi - first, step)));
            if (!inside || a == z) {
                // the row reads only padding: no input position to copy (its offset may lie outside x's memory)
                zero(array, segment, to, to + cells * pp);
            } else {
                zero(array, segment, to, to + (int) a * pp);
                long firstIn = first + a * step - g.padBegin[last];
                if (gather) {
                    gather(src, from + firstIn * posStride, posStride * step, x.stride(1), array, segment, to + (int) a * pp, pp, (int) (z - a), stage);
                } else if (step == 1 && posStride == c && pp == c) {
                    copy(src, (from + firstIn * posStride) * ES, array, segment, to + (int) a * c, (int) (z - a) * c);
                } else {
                    for (long i = a; i < z; i++) {
                        copy(src, (from + (firstIn + (i - a) * step) * posStride) * ES, array, segment, to + (int) i * pp, c);
                    }
                }
                zero(array, segment, to + (int) z * pp, to + cells * pp);
            }
            for (int d = last - 1; d >= 0; d--) {
                if (++idx[d] < (d == 0 ? rowsIn : extent[d])) break;
                idx[d] = 0;
            }
        }
    }

    /**
     * Whether {@link #fill} gathers x's channels (x of more than one channel, not channels-last: {@link #channelsLast})
     * rather than copying each position's channels at once.
     */
    public static boolean gathers(Tensor x) {
        return x.size(1) > 1 && !channelsLast(x);
    }

    /**
     * {@code count} positions {@code posStep} elements apart from element {@code from} of src, channels
     * {@code channelStride} apart, into cells {@code pp} apart from element {@code at} of the array (or segment): per
     * channel, its run staged in {@code stage} (one bulk copy where the positions are adjacent), then spread.
     */
    private void gather(MemorySegment src, long from, long posStep, long channelStride, double[] array, MemorySegment segment, int at, int pp,
            int count, double[] stage) {
        for (int ch = 0; ch < channels; ch++) {
            long first = from + ch * channelStride;
            if (posStep == 1) {
                MemorySegment.copy(src, LAYOUT, first * ES, stage, 0, count);
            } else {
                for (int i = 0; i < count; i++) stage[i] = src.getAtIndex(LAYOUT, first + i * posStep);
            }
            if (array != null) {
                for (int i = 0, cell = at + ch; i < count; i++, cell += pp) array[cell] = stage[i];
            } else {
                for (int i = 0; i < count; i++) segment.setAtIndex(LAYOUT, at + ch + (long) i * pp, stage[i]);
            }
        }
    }

    /** Elements [from, to) of the array, or where that is null of the segment, set to zero. */
    private static void zero(double[] array, MemorySegment segment, int from, int to) {
        if (array != null) Arrays.fill(array, from, to, 0);
        else segment.asSlice(from * ES, (long) (to - from) * ES).fill((byte) 0);
    }

    /** {@code count} elements from byte offset {@code srcBytes} of src to element {@code at} of the array, or where that is null of the segment. */
    private static void copy(MemorySegment src, long srcBytes, double[] array, MemorySegment segment, int at, int count) {
        if (array != null) MemorySegment.copy(src, LAYOUT, srcBytes, array, at, count);
        else MemorySegment.copy(src, srcBytes, segment, at * ES, count * ES);
    }
}
