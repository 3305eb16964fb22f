package dev.vecnn.kernel.conv.depthwise;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.conv.ChannelsLastSlabF32;
import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.kernel.conv.TaskSplit;
import dev.vecnn.kernel.conv.gemm.ChannelsLastGemmF32;
import dev.vecnn.kernel.elementwise.ElementwiseEngine;
import dev.vecnn.kernel.elementwise.ElementwiseKernels;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Depthwise forward in float on channels-last tensors (channel multiplier 1, zero padding, any rank, stride and
 * dilation), the channels in the vector lanes: {@code Y[p][c] = sum_t w[c][t] X[p s + off_t][c]}. A task lays the
 * input rows its output rows read in a padded channels-last slab ({@code ChannelsLastSlab}); a tile is eight
 * positions by one vector of channels, per tap one weight vector and eight input vectors (channels-first rows
 * would need a gather per lane; here every load is a plain vector). With 512-bit vectors, kernels three taps wide along
 * the last dimension at stride 1 (the common 3x3) take row tiles instead: eight consecutive outputs of a row, each
 * input vector loaded once per kernel row for its three taps. Bias and a clamp are applied in the
 * registers, other activations over each position's channels afterwards.
 *
 * <p>Where the slab would copy more than the outputs read (strides above 1) and more than the border outputs' windows
 * cost ({@link InteriorSplit#cheaperThanSlab}), and whole vectors cover the channels, the tiles read x where it lies instead ({@link #forwardDirect}, {@link InteriorSplit}): the outputs whose windows lie
 * inside x at x's own offsets, the others through a small buffer of their windows with zeros for the padding.
 *
 * <p>Each output is one sum over the taps in tap order from zero, then the bias: the order of the channels-first
 * depthwise kernels, so both layouts give the same bits, whatever the thread count.
 *
 * <p>GENERATED from core/src/template/DepthwiseChannelsLast.java.in by dev.vecnn.codegen.KernelTemplates; edit the
 * template, not this file.
 */
public final class DepthwiseChannelsLastF32 {
    private DepthwiseChannelsLastF32() {
    }

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    private static final ValueLayout.OfFloat LAYOUT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final long ES = 4;
    private static final ByteOrder NO = ByteOrder.nativeOrder();
    private static final ElementwiseEngine ELEMENTWISE = ElementwiseKernels.defaults().engine(DType.F32);
    /** Slab elements a task aims at (its rows stay in L2). */
    private static final long SLAB_BUDGET = 1L << 17;
    /** Positions of a tile: eight independent sums hide the FMA latency. */
    private static final int TILE = 8;
    /**
     * Whether the row tiles run ({@link #tile8Row3}): 512-bit vectors, whose ISA (AVX-512) has the 32 registers for their
     * 21 live vectors; measured there only (AVX2's 16 would spill).
     */
    private static final boolean ROW_TILES = S.vectorBitSize() >= 512;
    /**
     * Tiles of a group that {@link #forwardDirect} runs one vector of channels at a time: a stride-2 tile reads 51 input
     * positions a vector apart in 3 rows, and over a group each vector's reads are a stride the prefetcher follows; alone,
     * 1 thread, MobileNet-V2's 96 channels from 112x112 took 286-432 us through the slab, 371-449 tile by tile and
     * 235-368 in groups of 8 (medians of 2-4 JVMs on a noisy machine; groups of 4 to 56 measured alike).
     */
    private static final int GROUP = 8;

    /** Whether this kernel runs the forward of g: multiplier 1, zero padding, x and y channels-last, a row's slab in int range. */
    static boolean runs(ConvGeometry g, Tensor x, Tensor y) {
        return runsFor(g) && ChannelsLastSlabF32.channelsLast(x) && ChannelsLastSlabF32.channelsLast(y);
    }

    /**
     * Whether this kernel runs g on channels-last tensors: multiplier 1, zero padding, a row's slab and the weights by tap
     * ({@link #packedSize}) within int range.
     */
    static boolean runsFor(ConvGeometry g) {
        return g.cg == 1 && g.kg == 1 && g.mode == dev.vecnn.spec.PaddingMode.ZEROS && ChannelsLastSlabF32.fits(g)
                && (long) g.groups * g.taps <= 1 << 26;
    }

    /** Elements of the weights packed by {@link #packTaps}: taps times the channels padded to whole vectors. */
    public static int packedSize(ConvGeometry g) {
        return Math.toIntExact((long) g.taps * Math.ceilDiv(g.groups, L) * L);
    }

    /**
     * Weights {@code w[c][0][taps...]} by tap into {@code wt} ({@link #packedSize}), the channels contiguous, zeros past
     * the last channel. Read in one bulk copy where w is dense: read one by one through the strides, MobileNet-V2's 960
     * channels by 9 taps took 2/3 of the layer's time (7x7 plane).
     */
    public static float[] packTaps(ConvGeometry g, Tensor w, float[] wt) {
        int channels = g.groups, padded = Math.ceilDiv(channels, L) * L;
        Arrays.fill(wt, 0, packedSize(g), 0);
        if (w.isContiguous()) {
            float[] all = new float[channels * g.taps];
            MemorySegment.copy(w.segment(), LAYOUT, w.offset() * ES, all, 0, all.length);
            for (int c = 0; c < channels; c++) {
                for (int t = 0; t < g.taps; t++) wt[t * padded + c] = all[c * g.taps + t];
            }
        } else {
            for (int c = 0; c < channels; c++) {
                for (int t = 0; t < g.taps; t++) {
                    long off = w.offset() + c * w.stride(0);
                    for (int d = 0; d < g.rank; d++) off += g.tap[t][d] * w.stride(2 + d);
                    wt[t * padded + c] = w.segment().get(LAYOUT, off * ES);
                }
            }
        }
        return wt;
    }

    /**
     * {@code y = act(depthwise(x, w) + bias)} on channels-last x and y ({@link #runs}), the weights packed by
     * {@link #packTaps} (prepared weights; null: packed here, which in a MobileNet-V2 run took 2% of the time).
     */
    static void forward(ConvGeometry g, Tensor x, Tensor w, float[] taps, Tensor bias, Epilogue e, Tensor y, Execution ex) {
        forward(g, x, w, taps, bias, e, y, ex, Reads.CHOOSE);
    }

    /** How a task reads x: as {@link InteriorSplit#cheaperThanSlab} chooses, or (for tests) always the one way. */
    enum Reads {
        CHOOSE, SLAB, DIRECT
    }

    /** {@link #forward(ConvGeometry, Tensor, Tensor, float[], Tensor, Epilogue, Tensor, Execution)} reading x as told (DIRECT where {@link #readsDirect} allows it). */
    static void forward(ConvGeometry g, Tensor x, Tensor w, float[] taps, Tensor bias, Epilogue e, Tensor y, Execution ex, Reads reads) {
        int rows = (int) g.small[0], channels = g.groups, vectors = Math.ceilDiv(channels, L), padded = vectors * L;
        float[] wt = taps != null ? taps : packTaps(g, w, new float[packedSize(g)]);
        float[] biasRow = biasRow(g, bias);
        boolean clamp = e.isRegisterClamp();
        float lo = clamp ? (float) e.clampLow() : Float.NEGATIVE_INFINITY, hi = clamp ? (float) e.clampHigh() : Float.POSITIVE_INFINITY;
        TaskSplit split = TaskSplit.of(g.batch, rows, Math.ceilDiv(rows, ChannelsLastSlabF32.rowsPerTask(g, SLAB_BUDGET)), vectors, ex.threads());
        boolean rowTiles = rowTiles(g);
        if (reads != Reads.SLAB && readsDirect(g, x)) {
            InteriorSplit plan = new InteriorSplit(g, x, y);
            if (reads == Reads.DIRECT || plan.cheaperThanSlab()) {
                forwardDirect(g, x, plan, wt, padded, biasRow, clamp, lo, hi, e, y, split, rowTiles, ex);
                return;
            }
        }
        ChannelsLastSlabF32 slab = ChannelsLastSlabF32.of(g, Math.ceilDiv(rows, split.rowParts()));
        SlabTiles tiles = new SlabTiles(g, slab, wt, padded, biasRow, clamp, lo, hi, e, y, rowTiles);
        forEachShare(g, split, vectors, ex, (n, r0, r1, v0, v1, s) -> {
            // a vector past the last channel reads up to L - 1 elements past the slab: its lanes are not stored
            // in aligned native memory, so that a whole vector of channels loads from one cache line (ChannelsLastSlab.fill):
            // alone on one thread, 144 channels on 56x56 ran 337-349 us from a heap slab and 247-261 from this one, 576 on
            // 14x14 91-100 and 80-82, 96 at stride 2 on 112x112 432-479 and 410-424; inside MobileNet-V2 (where the
            // layers wait for memory) the stride-1 layers went from 0.62 and 0.59 of ONNX Runtime's speed to 0.65 and 0.61
            MemorySegment xs = s.segment("dwcl.slab", (slab.length() + L) * ES);
            slab.fill(g, x, n, r0, r1, xs);
            tiles.run(xs, n, r0, r1, v0, v1, s);
        }, x, w, bias, y);
    }

    /**
     * The tiles over a filled slab ({@code ChannelsLastSlab}) of output rows [r0, r1), vectors of channels [v0, v1): the
     * outputs, bias and activation to y.
     */
    private static final class SlabTiles {
        private final ConvGeometry g;
        private final float[] wt, biasRow;
        private final int padded, perRow, pitch, width, kernelRows, channels;
        private final int[] tapOffset, rowOffset;
        private final boolean clamp, rowTiles;
        private final float lo, hi;
        private final Epilogue e;
        private final Tensor y;
        private final ChannelsLastSlabF32 slab;

        SlabTiles(ConvGeometry g, ChannelsLastSlabF32 slab, float[] wt, int padded, float[] biasRow, boolean clamp, float lo, float hi, Epilogue e,
                Tensor y, boolean rowTiles) {
            this.g = g;
            this.slab = slab;
            this.wt = wt;
            this.padded = padded;
            this.biasRow = biasRow;
            this.clamp = clamp;
            this.lo = lo;
            this.hi = hi;
            this.e = e;
            this.y = y;
            this.rowTiles = rowTiles;
            int last = g.rank - 1;
            channels = g.groups;
            width = (int) g.small[last];
            kernelRows = g.taps / 3;
            tapOffset = new int[g.taps];
            for (int t = 0; t < g.taps; t++) tapOffset[t] = slab.tapOffset(g, t);
            perRow = ChannelsLastSlabF32.rowPositions(g);
            pitch = slab.pitch[last];
            rowOffset = new int[kernelRows];
            for (int i = 0; i < kernelRows; i++) rowOffset[i] = tapOffset[3 * i];
        }

        void run(MemorySegment xs, long n, int r0, int r1, int v0, int v1, Execution.Scratch s) {
            MemorySegment ys = y.segment();
            long yStep = y.stride(2 + g.rank - 1);
            int positions = (r1 - r0) * perRow;
            // the tables run to a whole tile: past the end the last position again (same values, stored twice)
            int tiled = Math.ceilDiv(positions, TILE) * TILE;
            int[] at = s.ints("dwcl.at", tiled);
            long[] to = s.longs("dwcl.to", tiled);
            slab.positions(g, y, n, r0, r1, 0, positions, at, to);
            Arrays.fill(at, positions, tiled, at[positions - 1]);
            Arrays.fill(to, positions, tiled, to[positions - 1]);
            float[] acc = s.floats("dwcl.acc", TILE * L);
            // a tile's positions through every whole vector of channels before the next tile, so that y is written tile
            // after tile (a vector of channels at a time over all the task's positions wrote y a position apart, 576
            // bytes on 144 float32 channels: MobileNet-V2's stride-1 depthwise layers took 1.05-1.16x as long inside
            // the network in two pairs of runs, Zen 4); then the last vector, if it runs past the channels
            int wholeEnd = Math.min(v1, channels / L);
            if (rowTiles) {
                // eight consecutive outputs of a row per tile, the row's last tile moved back to end at the row's end
                // (its first outputs computed twice, the same values)
                for (int q0 = 0; q0 < positions; q0 += width) {
                    for (int c = 0; c < width; c += TILE) {
                        int q = q0 + Math.min(c, width - TILE);
                        for (int v = v0; v < wholeEnd; v++) {
                            tile8Row3(xs, at[q] + v * L, pitch, kernelRows, rowOffset, wt, v * L, padded, biasRow, lo, hi, ys, to[q] + v * L, yStep);
                        }
                    }
                }
            } else {
                for (int p = 0; p < tiled; p += TILE) {
                    for (int v = v0; v < wholeEnd; v++) tile8Direct(xs, at, to, p, v * L, wt, padded, tapOffset, g.taps, biasRow, lo, hi, ys);
                }
            }
            for (int v = Math.max(v0, wholeEnd); v < v1; v++) {
                for (int p = 0; p < tiled; p += TILE) {
                    tile8(xs, at, p, v * L, wt, padded, tapOffset, g.taps, acc);
                    store(acc, to, p, v * L, channels, biasRow, lo, hi, ys);
                }
            }
            if (!clamp) {
                int c0 = v0 * L, count = Math.min(channels, v1 * L) - c0;
                for (int q = 0; q < positions; q++) ELEMENTWISE.activationForward(e, ys, to[q] + c0, ys, to[q] + c0, count, 0, false);
            }
        }
    }

    /**
     * {@code y = act(depthwise(z) + bias)} where {@code z = act'(conv(x) + bias')} (an inverted residual block's expansion
     * and depthwise convolution: MobileNet-V2, EfficientNet; or a stem and the depthwise layer after it) without z in
     * memory: a task's slab is laid by {@code conv} instead of copied from z, and each task walks its rows in chunks whose
     * slab stays in L2, moving the input rows that the next chunk reads again to the slab's top rather than computing them
     * twice. Each output has the bits of the two separate forward passes (the channels-last GEMM tiles and the depthwise
     * tiles of the slab path, whose operations and order do not depend on where their inputs lie). Tasks: images, then
     * runs of rows where images leave threads idle (a run's first rows of z are computed by both tasks that read them).
     *
     * @param conv the first convolution (geometry {@code pg}: one group, {@code pg.kg == g.groups}, {@code pg.small} equal
     *     to {@code g.big}), for up to {@link #chunkInputRows} rows a call
     * @param g the depthwise geometry ({@link #fusesAfterConv})
     * @param taps the depthwise weights from {@link #packTaps}
     */
    public static void forwardAfterConv(ChannelsLastGemmF32.ConvRows conv, ConvGeometry pg, Tensor x, ConvGeometry g, float[] taps,
            Tensor bias, Epilogue e, Tensor y, Execution ex) {
        int rows = (int) g.small[0], vectors = Math.ceilDiv(g.groups, L), last = g.rank - 1;
        boolean clamp = e.isRegisterClamp();
        float lo = clamp ? (float) e.clampLow() : Float.NEGATIVE_INFINITY, hi = clamp ? (float) e.clampHigh() : Float.POSITIVE_INFINITY;
        int chunk = chunkRows(g);
        ChannelsLastSlabF32 slab = ChannelsLastSlabF32.of(g, chunk);
        SlabTiles tiles = new SlabTiles(g, slab, taps, vectors * L, biasRow(g, bias), clamp, lo, hi, e, y, rowTiles(g));
        int zRows = (int) g.big[0], s0 = g.stride[0], reach = (g.kernel[0] - 1) * g.dilation[0] + 1, pad0 = g.padBegin[0];
        int rowPitch = slab.pitch[0], perRow = ChannelsLastSlabF32.rowPositions(pg);
        // a row of z's positions: their cells in a slab row, or -1 for positions no window reads (past the last window
        // along a dimension), whose outputs go to a cell past the slab's end that nothing reads
        int[] cell = new int[perRow];
        int[] idx = new int[g.rank];
        int trash = slab.length() + L;
        for (int j = 0; j < perRow; j++) {
            int o = 0;
            boolean read = true;
            for (int d = 1; d < g.rank; d++) {
                o += (idx[d] + g.padBegin[d]) * slab.pitch[d];
                read &= idx[d] + g.padBegin[d] < slab.extent[d];
            }
            cell[j] = read ? o : -1;
            for (int d = last; d >= 1; d--) {
                if (++idx[d] < g.big[d]) break;
                idx[d] = 0;
            }
        }
        // the cells of a slab row that hold no position of z (the padding): [gaps[2i], gaps[2i + 1]) in elements
        int[] gaps = gaps(cell, slab.pitch[last], rowPitch);
        int parts = (int) Math.min(rows, g.batch >= ex.threads() ? 1 : Math.ceilDiv(ex.threads(), g.batch));
        ex.forEach(Math.toIntExact(g.batch * parts), (task, s) -> {
            long n = task / parts;
            int part = task % parts, r0 = (int) ((long) rows * part / parts), r1 = (int) ((long) rows * (part + 1) / parts);
            if (r0 == r1) return;
            MemorySegment xs = s.segment("dwcl.slab", ((long) trash + slab.pitch[last]) * ES);
            long[] to = s.longs("dwcl.zTo", slab.extent[0] * perRow);
            int have0 = 0, have1 = 0; // rows of z in the slab, the first in its row 0
            for (int c0 = r0; c0 < r1; c0 += chunk) {
                int c1 = Math.min(r1, c0 + chunk), i0 = c0 * s0 - pad0, i1 = (c1 - 1) * s0 - pad0 + reach, from = i0;
                if (c0 > r0 && i0 < have1) { // rows the last chunk read too: moved to the top
                    MemorySegment.copy(xs, (long) (i0 - have0) * rowPitch * ES, xs, 0, (long) (have1 - i0) * rowPitch * ES);
                    from = have1;
                }
                // rows of padding as zeros, z's rows by the first convolution into their cells, the padding cells
                // around them zeroed (zeroing the whole slab first made MobileNet-V2's 14x14 and 7x7 pairs slower than
                // the two separate passes)
                int a = Math.min(Math.max(from, 0), i1), z = Math.max(a, Math.min(i1, zRows));
                zeroRows(xs, from - i0, a - i0, rowPitch);
                zeroRows(xs, z - i0, i1 - i0, rowPitch);
                if (a < z) {
                    for (int i = a, q = 0; i < z; i++) {
                        long row = (long) (i - i0) * rowPitch;
                        for (int j = 0; j < perRow; j++) to[q++] = cell[j] >= 0 ? row + cell[j] : trash;
                        for (int k = 0; k < gaps.length; k += 2) xs.asSlice((row + gaps[k]) * ES, (long) (gaps[k + 1] - gaps[k]) * ES).fill((byte) 0);
                    }
                    conv.run(x, n, a, z, xs, to, s);
                }
                have0 = i0;
                have1 = i1;
                tiles.run(xs, n, c0, c1, 0, vectors, s);
            }
        }, x, bias, y);
    }

    /**
     * The element ranges of a slab row (of {@code rowPitch} elements, positions {@code positionPitch} apart) that no
     * cell of {@code cell} (the row's positions of z, in increasing order) covers, as [from, to) pairs.
     */
    private static int[] gaps(int[] cell, int positionPitch, int rowPitch) {
        int[] out = new int[2 * (cell.length + 1)];
        int n = 0, at = 0;
        for (int c : cell) {
            if (c < 0) continue;
            if (c > at) {
                out[n++] = at;
                out[n++] = c;
            }
            at = c + positionPitch;
        }
        if (rowPitch > at) {
            out[n++] = at;
            out[n++] = rowPitch;
        }
        return Arrays.copyOf(out, n);
    }

    /** Output rows of a chunk of {@link #forwardAfterConv}: its slab within the task budget. */
    private static int chunkRows(ConvGeometry g) {
        return ChannelsLastSlabF32.rowsPerTask(g, SLAB_BUDGET);
    }

    /** Rows of the depthwise input that a chunk of {@link #forwardAfterConv} lays, at most: the first convolution's rows a call. */
    public static int chunkInputRows(ConvGeometry g) {
        return ChannelsLastSlabF32.of(g, chunkRows(g)).extent[0];
    }

    /**
     * Whether {@link #forwardAfterConv} runs g after a convolution (on channels-last x and y): {@link #runsFor},
     * no padding before the input negative, and the slab's offsets, with room past its end, in int range.
     */
    public static boolean fusesAfterConv(ConvGeometry g) {
        if (!runsFor(g)) return false;
        for (int d = 0; d < g.rank; d++) if (g.padBegin[d] < 0) return false;
        return (long) ChannelsLastSlabF32.of(g, chunkRows(g)).length() + 2L * L + g.groups + 64 < Integer.MAX_VALUE;
    }

    /** Slab rows [from, to) set to zero. */
    private static void zeroRows(MemorySegment xs, int from, int to, int rowPitch) {
        if (to > from) xs.asSlice((long) from * rowPitch * ES, (long) (to - from) * rowPitch * ES).fill((byte) 0);
    }

    /**
     * Whether the row tiles run g ({@link #tile8Row3}): rows of at least a tile along the last dimension, three taps wide,
     * stride and dilation 1 (at stride 2, seventeen loads per kernel row instead of 24 ran as fast as the per-position
     * tiles: the layers read four times the input they write and wait for memory).
     */
    private static boolean rowTiles(ConvGeometry g) {
        int last = g.rank - 1;
        return ROW_TILES && g.rank >= 2 && g.kernel[last] == 3 && g.stride[last] == 1 && g.dilation[last] == 1 && g.small[last] >= TILE;
    }

    /** The bias per channel, zeros past the last channel to whole vectors (and all zeros without a bias). */
    private static float[] biasRow(ConvGeometry g, Tensor bias) {
        float[] row = new float[Math.ceilDiv(g.groups, L) * L];
        if (bias != null) for (int c = 0; c < g.groups; c++) row[c] = bias.segment().get(LAYOUT, (bias.offset() + c * bias.stride(0)) * ES);
        return row;
    }

    /** A task's share of the work: image n, output rows [r0, r1) of dimension 0, vectors of channels [v0, v1). */
    private interface Share {
        void run(long n, int r0, int r1, int v0, int v1, Execution.Scratch s);
    }

    /**
     * {@code share} over the tasks of {@code split}: images, runs of rows, then runs of channel vectors where those leave
     * threads idle (the GEMM's cut, {@link TaskSplit}); empty shares skipped. {@code used}: the tensors the tasks read or write.
     */
    private static void forEachShare(ConvGeometry g, TaskSplit split, int vectors, Execution ex, Share share, Tensor... used) {
        int rows = (int) g.small[0], parts = split.rowParts(), vectorParts = split.panelParts();
        ex.forEach(Math.toIntExact(g.batch * parts * vectorParts), (task, s) -> {
            int vp = task % vectorParts, part = task / vectorParts % parts;
            long n = task / vectorParts / parts;
            int r0 = (int) ((long) rows * part / parts), r1 = (int) ((long) rows * (part + 1) / parts);
            int v0 = vectors * vp / vectorParts, v1 = vectors * (vp + 1) / vectorParts;
            if (r0 < r1 && v0 < v1) share.run(n, r0, r1, v0, v1, s);
        }, used);
    }

    /** Whether x can be read straight from the tensor: whole vectors of channels, the image's offsets in int range. */
    static boolean readsDirect(ConvGeometry g, Tensor x) {
        return g.groups % L == 0 && InteriorSplit.fits(g, x);
    }

    /**
     * The forward pass reading x straight from the tensor (whole vectors of channels, {@link InteriorSplit#fits}): the
     * outputs whose windows lie inside x by the tiles at x's own offsets, the others ({@link InteriorSplit}'s border)
     * eight at a time through a window buffer laid with zeros for their padded taps, then by the same tile; every
     * output gets the same operations in the same order as through the slab, so the same bits. Tasks are cut as the
     * slab path cuts them ({@code split}). Alone, 1 thread, MobileNet-V2's stride-2 layers of 96 channels from 112x112 and
     * 144 from 56x56 ran 1.1-1.4x faster than through the slab, 192 from 28x28 within noise; inside the network 1.02-1.1x,
     * 1.2-1.3x and within noise (Zen 4, bench/results/2026-12-03-zen4-depthwise-direct).
     */
    private static void forwardDirect(ConvGeometry g, Tensor x, InteriorSplit plan, float[] wt, int padded, float[] biasRow, boolean clamp,
            float lo, float hi, Epilogue e, Tensor y, TaskSplit split, boolean rowTiles, Execution ex) {
        int channels = g.groups, vectors = channels / L, last = g.rank - 1, taps = g.taps;
        int kernelRows = taps / 3, xPitch = (int) x.stride(2 + last);
        int[] rowOffset = new int[kernelRows];
        for (int i = 0; i < kernelRows; i++) rowOffset[i] = plan.tapOffset[3 * i];
        // a border tile's windows: position j's tap t at (j taps + t) pitch
        int winPitch = ChannelsLastSlabF32.positionPitch(channels);
        int[] winAt = new int[TILE], winTap = new int[taps];
        for (int j = 0; j < TILE; j++) winAt[j] = j * taps * winPitch;
        for (int t = 0; t < taps; t++) winTap[t] = t * winPitch;
        long span = plan.imageSpan(), yStep = y.stride(2 + last);
        MemorySegment ys = y.segment();
        forEachShare(g, split, vectors, ex, (n, r0, r1, v0, v1, s) -> {
            MemorySegment xi = x.segment().asSlice((x.offset() + n * x.stride(0)) * ES, span * ES);
            InteriorSplit.Outputs o = plan.split(s, y, n, r0, r1, rowTiles ? TILE : 0, TILE);
            for (int r = 0; r < o.runs; r++) {
                int length = o.runLength[r];
                for (int c = 0; c < length; c += TILE) {
                    int q = Math.min(c, length - TILE); // the run's last tile moved back to end at its end
                    for (int v = v0; v < v1; v++) {
                        tile8Row3(xi, o.runAt[r] + q * xPitch + v * L, xPitch, kernelRows, rowOffset, wt, v * L, padded, biasRow, lo, hi, ys,
                                o.runTo[r] + q * yStep + v * L, yStep);
                    }
                }
            }
            int tiled = Math.ceilDiv(o.positions, TILE) * TILE; // past the end the last position again
            if (o.positions > 0) {
                Arrays.fill(o.at, o.positions, tiled, o.at[o.positions - 1]);
                Arrays.fill(o.to, o.positions, tiled, o.to[o.positions - 1]);
            }
            for (int p0 = 0; p0 < tiled; p0 += GROUP * TILE) {
                int p1 = Math.min(tiled, p0 + GROUP * TILE);
                for (int v = v0; v < v1; v++) {
                    for (int p = p0; p < p1; p += TILE) tile8Direct(xi, o.at, o.to, p, v * L, wt, padded, plan.tapOffset, taps, biasRow, lo, hi, ys);
                }
            }
            if (o.borders > 0) {
                MemorySegment win = s.segment("dwcl.windows", (long) TILE * taps * winPitch * ES);
                long[] to8 = s.longs("dwcl.to8", TILE);
                for (int p = 0; p < o.borders; p += TILE) {
                    for (int j = 0; j < TILE; j++) {
                        int q = Math.min(p + j, o.borders - 1);
                        to8[j] = o.borderTo[q];
                        stage(xi, o.tapAt, q * taps, taps, v0 * L, v1 * L, win, winAt[j], winPitch);
                    }
                    for (int v = v0; v < v1; v++) tile8Direct(win, winAt, to8, 0, v * L, wt, padded, winTap, taps, biasRow, lo, hi, ys);
                }
            }
            if (!clamp) {
                int c0 = v0 * L, count = v1 * L - c0;
                for (int r = 0; r < o.runs; r++) {
                    for (int q = 0; q < o.runLength[r]; q++) {
                        long at = o.runTo[r] + q * yStep + c0;
                        ELEMENTWISE.activationForward(e, ys, at, ys, at, count, 0, false);
                    }
                }
                for (int q = 0; q < o.positions; q++) ELEMENTWISE.activationForward(e, ys, o.to[q] + c0, ys, o.to[q] + c0, count, 0, false);
                for (int q = 0; q < o.borders; q++) ELEMENTWISE.activationForward(e, ys, o.borderTo[q] + c0, ys, o.borderTo[q] + c0, count, 0, false);
            }
        }, x, y);
    }

    /**
     * One border position's window, channels [c0, c1) of each tap ({@code tapAt[k + t]}: x offset, -1 in the padding) to
     * {@code win} at element {@code at + t pitch}, zeros for padded taps.
     */
    private static void stage(MemorySegment x, int[] tapAt, int k, int taps, int c0, int c1, MemorySegment win, int at, int pitch) {
        for (int t = 0; t < taps; t++) {
            int from = tapAt[k + t];
            long to = (long) (at + t * pitch) * ES;
            if (from < 0) {
                for (int c = c0; c < c1; c += L) FloatVector.zero(S).intoMemorySegment(win, to + c * ES, NO);
            } else {
                for (int c = c0; c < c1; c += L) FloatVector.fromMemorySegment(S, x, (long) (from + c) * ES, NO).intoMemorySegment(win, to + c * ES, NO);
            }
        }
    }

    /**
     * Eight positions (slab offsets {@code at[p + j]}) by the vector of channels from {@code c0}: {@code acc[j] =
     * sum_t w[t][c0 ..] x[at[p + j] + tapOffset[t] + c0 ..]}, stored to {@code acc[j L ..]}.
     */
    private static void tile8(MemorySegment x, int[] at, int p, int c0, float[] w, int padded, int[] tapOffset, int taps, float[] acc) {
        int u0 = at[p] + c0, u1 = at[p + 1] + c0, u2 = at[p + 2] + c0, u3 = at[p + 3] + c0;
        int u4 = at[p + 4] + c0, u5 = at[p + 5] + c0, u6 = at[p + 6] + c0, u7 = at[p + 7] + c0;
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int t = 0, wo = c0; t < taps; t++, wo += padded) {
            int o = tapOffset[t];
            FloatVector wv = FloatVector.fromArray(S, w, wo);
            a0 = wv.fma(FloatVector.fromMemorySegment(S, x, (long) (u0 + o) * ES, NO), a0);
            a1 = wv.fma(FloatVector.fromMemorySegment(S, x, (long) (u1 + o) * ES, NO), a1);
            a2 = wv.fma(FloatVector.fromMemorySegment(S, x, (long) (u2 + o) * ES, NO), a2);
            a3 = wv.fma(FloatVector.fromMemorySegment(S, x, (long) (u3 + o) * ES, NO), a3);
            a4 = wv.fma(FloatVector.fromMemorySegment(S, x, (long) (u4 + o) * ES, NO), a4);
            a5 = wv.fma(FloatVector.fromMemorySegment(S, x, (long) (u5 + o) * ES, NO), a5);
            a6 = wv.fma(FloatVector.fromMemorySegment(S, x, (long) (u6 + o) * ES, NO), a6);
            a7 = wv.fma(FloatVector.fromMemorySegment(S, x, (long) (u7 + o) * ES, NO), a7);
        }
        a0.intoArray(acc, 0);
        a1.intoArray(acc, L);
        a2.intoArray(acc, 2 * L);
        a3.intoArray(acc, 3 * L);
        a4.intoArray(acc, 4 * L);
        a5.intoArray(acc, 5 * L);
        a6.intoArray(acc, 6 * L);
        a7.intoArray(acc, 7 * L);
    }

    /**
     * {@link #tile8} for a whole vector of channels, the sums plus bias, clamped, stored straight from the registers
     * to position {@code to[p + j]}'s channels from {@code c0}: with nine taps the round trip through {@code acc} was a
     * large share of the tile. Kept apart from {@link #tile8} (the same loop): one method with the masked stores for a
     * last partial vector as a second branch failed C1's compile ("out of virtual registers"), stayed in the tier
     * that does not profile and never reached C2 (0.26 GFLOP/s instead of about 20).
     */
    private static void tile8Direct(MemorySegment x, int[] at, long[] to, int p, int c0, float[] w, int padded, int[] tapOffset, int taps,
            float[] biasRow, float lo, float hi, MemorySegment ys) {
        int u0 = at[p] + c0, u1 = at[p + 1] + c0, u2 = at[p + 2] + c0, u3 = at[p + 3] + c0;
        int u4 = at[p + 4] + c0, u5 = at[p + 5] + c0, u6 = at[p + 6] + c0, u7 = at[p + 7] + c0;
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int t = 0, wo = c0; t < taps; t++, wo += padded) {
            int o = tapOffset[t];
            FloatVector wv = FloatVector.fromArray(S, w, wo);
            a0 = wv.fma(FloatVector.fromMemorySegment(S, x, (long) (u0 + o) * ES, NO), a0);
            a1 = wv.fma(FloatVector.fromMemorySegment(S, x, (long) (u1 + o) * ES, NO), a1);
            a2 = wv.fma(FloatVector.fromMemorySegment(S, x, (long) (u2 + o) * ES, NO), a2);
            a3 = wv.fma(FloatVector.fromMemorySegment(S, x, (long) (u3 + o) * ES, NO), a3);
            a4 = wv.fma(FloatVector.fromMemorySegment(S, x, (long) (u4 + o) * ES, NO), a4);
            a5 = wv.fma(FloatVector.fromMemorySegment(S, x, (long) (u5 + o) * ES, NO), a5);
            a6 = wv.fma(FloatVector.fromMemorySegment(S, x, (long) (u6 + o) * ES, NO), a6);
            a7 = wv.fma(FloatVector.fromMemorySegment(S, x, (long) (u7 + o) * ES, NO), a7);
        }
        FloatVector b = FloatVector.fromArray(S, biasRow, c0);
        a0 = a0.add(b);
        a0 = a0.blend(lo, a0.compare(VectorOperators.LE, lo));
        a0.blend(hi, a0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (to[p + 0] + c0) * ES, NO);
        a1 = a1.add(b);
        a1 = a1.blend(lo, a1.compare(VectorOperators.LE, lo));
        a1.blend(hi, a1.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (to[p + 1] + c0) * ES, NO);
        a2 = a2.add(b);
        a2 = a2.blend(lo, a2.compare(VectorOperators.LE, lo));
        a2.blend(hi, a2.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (to[p + 2] + c0) * ES, NO);
        a3 = a3.add(b);
        a3 = a3.blend(lo, a3.compare(VectorOperators.LE, lo));
        a3.blend(hi, a3.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (to[p + 3] + c0) * ES, NO);
        a4 = a4.add(b);
        a4 = a4.blend(lo, a4.compare(VectorOperators.LE, lo));
        a4.blend(hi, a4.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (to[p + 4] + c0) * ES, NO);
        a5 = a5.add(b);
        a5 = a5.blend(lo, a5.compare(VectorOperators.LE, lo));
        a5.blend(hi, a5.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (to[p + 5] + c0) * ES, NO);
        a6 = a6.add(b);
        a6 = a6.blend(lo, a6.compare(VectorOperators.LE, lo));
        a6.blend(hi, a6.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (to[p + 6] + c0) * ES, NO);
        a7 = a7.add(b);
        a7 = a7.blend(lo, a7.compare(VectorOperators.LE, lo));
        a7.blend(hi, a7.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (to[p + 7] + c0) * ES, NO);
    }

    /**
     * Eight consecutive outputs of a row (slab offset {@code u}, then every {@code pitch} elements; y elements
     * {@code out}, then every {@code yStep}) by one whole vector of channels, for kernels three taps wide along the last
     * dimension at stride and dilation 1: per kernel row ({@code rowOffset}) the ten input vectors the eight outputs
     * read are loaded once and each serves up to three taps, against one load per tap and output in {@link #tile8Direct}.
     * Whole layers ran 1.09-1.17x faster (Zen 5, MobileNet-V2's 32 channels on 112x112 to 576 on 14x14, the two tiles
     * alternated in one JVM). The taps are still added in tap order.
     */
    private static void tile8Row3(MemorySegment x, int u, int pitch, int kernelRows, int[] rowOffset, float[] w, int c0, int padded,
            float[] biasRow, float lo, float hi, MemorySegment ys, long out, long yStep) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int i = 0, wo = c0; i < kernelRows; i++, wo += 3 * padded) {
            int o = u + rowOffset[i];
            FloatVector w0 = FloatVector.fromArray(S, w, wo), w1 = FloatVector.fromArray(S, w, wo + padded), w2 = FloatVector.fromArray(S, w, wo + 2 * padded);
            FloatVector i0 = FloatVector.fromMemorySegment(S, x, (long) (o) * ES, NO), i1 = FloatVector.fromMemorySegment(S, x, (long) (o + pitch) * ES, NO);
            FloatVector i2 = FloatVector.fromMemorySegment(S, x, (long) (o + 2 * pitch) * ES, NO), i3 = FloatVector.fromMemorySegment(S, x, (long) (o + 3 * pitch) * ES, NO);
            FloatVector i4 = FloatVector.fromMemorySegment(S, x, (long) (o + 4 * pitch) * ES, NO), i5 = FloatVector.fromMemorySegment(S, x, (long) (o + 5 * pitch) * ES, NO);
            FloatVector i6 = FloatVector.fromMemorySegment(S, x, (long) (o + 6 * pitch) * ES, NO), i7 = FloatVector.fromMemorySegment(S, x, (long) (o + 7 * pitch) * ES, NO);
            FloatVector i8 = FloatVector.fromMemorySegment(S, x, (long) (o + 8 * pitch) * ES, NO), i9 = FloatVector.fromMemorySegment(S, x, (long) (o + 9 * pitch) * ES, NO);
            a0 = w2.fma(i2, w1.fma(i1, w0.fma(i0, a0)));
            a1 = w2.fma(i3, w1.fma(i2, w0.fma(i1, a1)));
            a2 = w2.fma(i4, w1.fma(i3, w0.fma(i2, a2)));
            a3 = w2.fma(i5, w1.fma(i4, w0.fma(i3, a3)));
            a4 = w2.fma(i6, w1.fma(i5, w0.fma(i4, a4)));
            a5 = w2.fma(i7, w1.fma(i6, w0.fma(i5, a5)));
            a6 = w2.fma(i8, w1.fma(i7, w0.fma(i6, a6)));
            a7 = w2.fma(i9, w1.fma(i8, w0.fma(i7, a7)));
        }
        FloatVector b = FloatVector.fromArray(S, biasRow, c0);
        a0 = a0.add(b);
        a0 = a0.blend(lo, a0.compare(VectorOperators.LE, lo));
        a0.blend(hi, a0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, out * ES, NO);
        a1 = a1.add(b);
        a1 = a1.blend(lo, a1.compare(VectorOperators.LE, lo));
        a1.blend(hi, a1.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out + yStep) * ES, NO);
        a2 = a2.add(b);
        a2 = a2.blend(lo, a2.compare(VectorOperators.LE, lo));
        a2.blend(hi, a2.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out + 2 * yStep) * ES, NO);
        a3 = a3.add(b);
        a3 = a3.blend(lo, a3.compare(VectorOperators.LE, lo));
        a3.blend(hi, a3.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out + 3 * yStep) * ES, NO);
        a4 = a4.add(b);
        a4 = a4.blend(lo, a4.compare(VectorOperators.LE, lo));
        a4.blend(hi, a4.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out + 4 * yStep) * ES, NO);
        a5 = a5.add(b);
        a5 = a5.blend(lo, a5.compare(VectorOperators.LE, lo));
        a5.blend(hi, a5.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out + 5 * yStep) * ES, NO);
        a6 = a6.add(b);
        a6 = a6.blend(lo, a6.compare(VectorOperators.LE, lo));
        a6.blend(hi, a6.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out + 6 * yStep) * ES, NO);
        a7 = a7.add(b);
        a7 = a7.blend(lo, a7.compare(VectorOperators.LE, lo));
        a7.blend(hi, a7.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out + 7 * yStep) * ES, NO);
    }

    /** {@code acc[j L ..]} plus bias, clamped, to channels [c0, min(channels, c0 + L)) of position {@code to[p + j]}. */
    private static void store(float[] acc, long[] to, int p, int c0, int channels, float[] biasRow, float lo, float hi, MemorySegment ys) {
        FloatVector b = FloatVector.fromArray(S, biasRow, c0);
        boolean whole = c0 + L <= channels;
        for (int j = 0; j < TILE; j++) {
            FloatVector r = FloatVector.fromArray(S, acc, j * L).add(b);
            r = r.blend(lo, r.compare(VectorOperators.LE, lo));
            r = r.blend(hi, r.compare(VectorOperators.GE, hi));
            if (whole) r.intoMemorySegment(ys, (to[p + j] + c0) * ES, NO);
            else r.intoMemorySegment(ys, (to[p + j] + c0) * ES, NO, S.indexInRange(c0, channels));
        }
    }
}
