package dev.vecnn.kernel.conv.gemm;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.AlignedMemory;
import dev.vecnn.kernel.conv.ChannelsLastSlabF32;
import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.kernel.conv.TaskSplit;
import dev.vecnn.kernel.elementwise.ElementwiseEngine;
import dev.vecnn.kernel.elementwise.ElementwiseKernels;
import dev.vecnn.parallel.Execution;
import dev.vecnn.parallel.Execution.Scratch;
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
 * Forward convolution in float into a channels-last output (from an input in any layout) as an implicit GEMM with the
 * output channels in the vector lanes: {@code Y[p][k] = sum_(c, t) X[p s + off_t][c] W[k][c][t]}, for one group, zero padding, any
 * rank, stride and dilation. A task lays the input rows its output rows read, padded with zeros, in a heap slab
 * (positions of C contiguous channels; along dimensions of kernel size 1 only the positions read, so that a strided
 * 1x1 copies no more than it uses; an input in another layout, a model's channels-first input, gathered into it, so
 * that it needs no channels-last copy of its own); a register tile is 6, 12 or 24 output positions by 4, 2 or 1
 * vectors of output channels, and per (channel, tap) step it loads the weight vectors and broadcasts each position's
 * input element (the offset table of {@code BlockedConv}: one flat loop over the steps). The positions of a tile are
 * any positions of the task (their slab offsets come from a table), so tiles run across row ends and strides
 * cost no gathers; where positions are consecutive in the slab and in y (a pointwise convolution into a dense y)
 * their offsets are computed, not tabled. The outputs leave as vectors along the channels, with bias and a clamp
 * (identity, ReLU, clip) in the registers, straight from the tile's registers (the generated {@code tile<P>x<V>}; a
 * last block that runs past the output channels leaves its last vector to a masked store, {@code tile<P>x<V>m}); other activations run
 * over each position's channels afterwards. Each tile runs the whole reduction, even where a block's weights outgrow L2: a reduction cut
 * into chunks over groups of tiles (their sums kept in a small array between chunks) ran 1.11-1.30x slower on 3x3
 * convolutions of 256, 512 and 1024 channels (0.6 to 2.4 MB of weights per block; Zen 4, 1 and 2 threads), once the
 * tiles stored from their registers (it had been 7-11% faster on 512 channels on Zen 5, against tiles that stored
 * through an array).
 *
 * <p>Each output is one chain of multiply-adds in (channel, tap) order from zero, then the bias, then the
 * activation: the order of the GEMM's channels-first tiles, so both layouts give the same bits, whatever the
 * task cut and thread count. The weights are packed per block of output channels as rows of (channel, tap)
 * steps ({@link #packRows}, or from the GEMM's prepared panels, {@link #rowsFromPanels}).
 *
 * <p>GENERATED from core/src/template/ChannelsLastGemm.java.in by dev.vecnn.codegen.KernelTemplates; edit the
 * template, not this file.
 */
public final class ChannelsLastGemmF32 {
    private ChannelsLastGemmF32() {
    }

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /**
     * Whether this kernel runs: 512-bit vectors, whose ISA (AVX-512) has the 32 registers that the 24
     * accumulators, the weight vectors and a broadcast need; narrower vectors take the GEMM's tiles.
     */
    public static final boolean AVAILABLE = S.vectorBitSize() >= 512;
    private static final ValueLayout.OfFloat LAYOUT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final long ES = 4;
    private static final ByteOrder NO = ByteOrder.nativeOrder();
    private static final ElementwiseEngine ELEMENTWISE = ElementwiseKernels.defaults().engine(DType.F32);
    /** Slab elements a task aims at: the rows it reads stay in L2 while every block of channels reads them. */
    private static final long SLAB_BUDGET = 1L << 18;
    /** Accumulators of a tile: positions times vectors. */
    private static final int TILE = 24;
    /** Vectors of output channel block b, of {@code blocks(kg)}: fours, then a two and a one for the rest. */
    static int[] blockVectors(int kg) {
        int v = Math.ceilDiv(kg, L), fours = v / 4, rest = v % 4;
        int[] nv = new int[fours + Integer.bitCount(rest)];
        Arrays.fill(nv, 0, fours, 4);
        int i = fours;
        if ((rest & 2) != 0) nv[i++] = 2;
        if ((rest & 1) != 0) nv[i] = 1;
        return nv;
    }

    /** Elements of the packed weight rows: per block, (channel, tap) steps of its vectors, zero-padded past kg. */
    public static int packedSize(ConvGeometry g) {
        return Math.ceilDiv(g.kg, L) * L * g.reduction();
    }

    /** Forward weights {@code w[k][c][taps...]} packed as rows into {@code a}: block b's step r holds its channels' weights. */
    public static float[] packRows(ConvGeometry g, Tensor w, float[] a) {
        int red = g.reduction();
        Arrays.fill(a, 0, packedSize(g), 0);
        int[] nv = blockVectors(g.kg);
        float[] row = new float[red];
        boolean contiguous = w.isContiguous();
        for (int b = 0, k0 = 0, at = 0; b < nv.length; at += red * nv[b] * L, k0 += nv[b] * L, b++) {
            int width = nv[b] * L;
            for (int j = 0, end = Math.min(width, g.kg - k0); j < end; j++) {
                int k = k0 + j;
                if (contiguous) {
                    MemorySegment.copy(w.segment(), LAYOUT, (w.offset() + (long) k * red) * ES, row, 0, red);
                } else {
                    for (int r = 0; r < red; r++) {
                        long off = w.offset() + k * w.stride(0) + (r / g.taps) * w.stride(1);
                        for (int d = 0; d < g.rank; d++) off += g.tap[r % g.taps][d] * w.stride(2 + d);
                        row[r] = w.segment().get(LAYOUT, off * ES);
                    }
                }
                for (int r = 0; r < red; r++) a[at + r * width + j] = row[r];
            }
        }
        return a;
    }

    /**
     * The rows of {@link #packRows} from the GEMM's forward panels of one group ({@code GemmConvF32.packForward}):
     * the same weights, so prepared weights need not be read again from a tensor that may have changed since.
     */
    static float[] rowsFromPanels(ConvGeometry g, float[] panels, float[] a) {
        int red = g.reduction(), kc = GemmConvF32.KC;
        Panels rows = Panels.of(g.kg);
        Arrays.fill(a, 0, packedSize(g), 0);
        int[] nv = blockVectors(g.kg);
        // output channel k sits in block blockOf[k], lane laneOf[k] of its rows
        int[] rowStart = new int[g.kg], width = new int[g.kg], lane = new int[g.kg];
        for (int b = 0, k0 = 0, at = 0; b < nv.length; at += red * nv[b] * L, k0 += nv[b] * L, b++) {
            for (int j = 0, end = Math.min(nv[b] * L, g.kg - k0); j < end; j++) {
                rowStart[k0 + j] = at;
                width[k0 + j] = nv[b] * L;
                lane[k0 + j] = j;
            }
        }
        for (int p = 0; p < rows.count; p++) {
            int mr = rows.mr[p];
            for (int i = 0, end = Math.min(mr, g.kg - rows.start[p]); i < end; i++) {
                int k = rows.start[p] + i;
                for (int r = 0; r < red; r++) {
                    int ch = r / kc;
                    a[rowStart[k] + r * width[k] + lane[k]] = panels[(ch * rows.padded + rows.start[p]) * kc + (r - ch * kc) * mr + i];
                }
            }
        }
        return a;
    }

    /**
     * Whether this kernel runs the forward of g on x and y: 512-bit vectors, one group, zero padding, y channels-last (x
     * in any layout: a task's slab lays it channels-last, gathering the channels of another layout), and a task's slab of
     * one row and the packed weights within int range.
     */
    public static boolean runs(ConvGeometry g, Tensor x, Tensor y) {
        return ChannelsLastSlabF32.channelsLast(y) && runsInto(g);
    }

    /**
     * {@link #runs} but for the tensors: whether this kernel runs the forward of g into any channels-last y (of more than
     * one channel: a y of one channel is channels-first too, and the channels-first kernels take it).
     */
    public static boolean runsInto(ConvGeometry g) {
        if (!AVAILABLE || g.groups != 1 || g.kg < 2 || g.mode != dev.vecnn.spec.PaddingMode.ZEROS || !ChannelsLastSlabF32.fits(g)) return false;
        return (long) Math.ceilDiv(g.kg, L) * L * g.reduction() <= 1 << 28;
    }

    /** Output rows (of dimension 0) per task whose slab stays within {@link #SLAB_BUDGET}. */
    private static int rowsPerTask(ConvGeometry g) {
        return ChannelsLastSlabF32.rowsPerTask(g, SLAB_BUDGET, true);
    }

    /** The first {@link #packedSize} packed rows in 64-byte aligned native memory ({@link AlignedMemory#copy}: into dst where it is large enough). */
    public static MemorySegment aligned(ConvGeometry g, float[] rows, MemorySegment dst) {
        return AlignedMemory.copy(rows, packedSize(g), dst);
    }

    /** {@link #rowsFromPanels} into aligned native memory ({@link #aligned}; {@code reuse}: a previous copy's memory, or null). */
    static MemorySegment alignedRowsFromPanels(ConvGeometry g, float[] panels, MemorySegment reuse) {
        return aligned(g, rowsFromPanels(g, panels, new float[packedSize(g)]), reuse);
    }

    /** {@code y = act(conv(x, w) + bias)}, y channels-last ({@link #runs}), weights from {@link #aligned} (null: packed here). */
    static void forward(ConvGeometry g, Tensor x, Tensor w, MemorySegment packed, Tensor bias, Epilogue e, Tensor y, Execution ex) {
        Scratch call = ex.acquire();
        try {
            int n = packedSize(g);
            MemorySegment a = packed != null ? packed : aligned(g, packRows(g, w, call.floats("cl.w", n)), call.segment("cl.w", n * ES));
            run(g, x, a, bias, e, y, ex);
        } finally {
            ex.release(call);
        }
    }

    private static void run(ConvGeometry g, Tensor x, MemorySegment a, Tensor bias, Epilogue e, Tensor y, Execution ex) {
        int rank = g.rank, red = g.reduction(), rows = (int) g.small[0];
        int[] nv = blockVectors(g.kg);
        // tasks: (image, run of rows, run of their positions, run of channel blocks), cut as the GEMM cuts (TaskSplit):
        // images, then rows (at least as the slab budget needs), channel blocks where those leave threads idle (a cut
        // into rows alone made every task of 7x7x512 read all the weights: 1.2x from a second thread), and in volumes
        // and 4-D grids runs of positions, as the GEMM cuts dimension 1. Every output is one chain whatever the cut.
        int cols = rank >= 3 ? (int) g.small[1] : 1;
        TaskSplit split = TaskSplit.of(g.batch, rows, Math.ceilDiv(rows, rowsPerTask(g)), nv.length, cols, ex.threads());
        int parts = split.rowParts(), blockParts = split.panelParts(), posParts = split.colParts();
        int most = Math.ceilDiv(rows, parts);
        ChannelsLastSlabF32 slab = ChannelsLastSlabF32.of(g, most, true); // dimensions of kernel 1: only the positions read
        int slabLength = slab.length();
        int pitch = slab.pitch[rank - 1]; // slab elements per position
        int[] off = stepOffsets(g, slab), blockStart = blockStarts(nv, red);
        int inner = ChannelsLastSlabF32.rowPositions(g);
        float[] biasRow = biasRow(g, bias);
        boolean clamp = e.isRegisterClamp();
        float lo = clamp ? (float) e.clampLow() : Float.NEGATIVE_INFINITY, hi = clamp ? (float) e.clampHigh() : Float.POSITIVE_INFINITY;
        boolean consecutive = consecutive(g, y);
        int tasks = Math.toIntExact(split.tasks(g.batch));
        ex.forEach(tasks, (task, s) -> {
            int bp = task % blockParts, pp = task / blockParts % posParts, part = task / blockParts / posParts % parts;
            long n = task / blockParts / posParts / parts;
            int r0 = (int) ((long) rows * part / parts), r1 = (int) ((long) rows * (part + 1) / parts);
            int b0 = nv.length * bp / blockParts, b1 = nv.length * (bp + 1) / blockParts;
            if (r0 == r1 || b0 == b1) return;
            int all = (r1 - r0) * inner, from = (int) ((long) all * pp / posParts), positions = (int) ((long) all * (pp + 1) / posParts) - from;
            if (positions == 0) return;
            float[] xs = s.floats("cl.slab", slabLength);
            slab.fill(g, x, n, r0, r1, xs);
            MemorySegment ys = y.segment();
            // each position's slab and y offsets: arithmetic where they are consecutive, else from the tables
            int[] at = consecutive ? null : s.ints("cl.at", positions);
            long[] to = consecutive ? null : s.longs("cl.to", positions);
            if (!consecutive) slab.positions(g, y, n, r0, r1, from, positions, at, to);
            long y0 = y.offset() + n * y.stride(0) + (long) r0 * y.stride(2) + (long) from * g.kg; // consecutive: position 0
            tiles(xs, at, from, pitch, to, y0, g.kg, positions, nv, blockStart, b0, b1, off, a, red, ys, biasRow, lo, hi, s);
            if (!clamp) {
                int kFrom = blockStartChannel(nv, b0), kTo = Math.min(g.kg, blockStartChannel(nv, b1));
                for (int q = 0; q < positions; q++) {
                    long t = (consecutive ? y0 + (long) q * g.kg : to[q]) + kFrom;
                    ELEMENTWISE.activationForward(e, ys, t, ys, t, kTo - kFrom, 0, false);
                }
            }
        }, x, bias, y);
    }

    /** Slab offset of reduction step r = (c, t), the channel's element at tap t, from a position's first channel. */
    private static int[] stepOffsets(ConvGeometry g, ChannelsLastSlabF32 slab) {
        int[] off = new int[g.reduction()];
        for (int t = 0; t < g.taps; t++) for (int c = 0; c < g.cg; c++) off[c * g.taps + t] = slab.tapOffset(g, t) + c;
        return off;
    }

    /** Where each block's packed rows start ({@link #packRows}), and their end last. */
    private static int[] blockStarts(int[] nv, int red) {
        int[] start = new int[nv.length + 1];
        for (int b = 0; b < nv.length; b++) start[b + 1] = start[b] + red * nv[b] * L;
        return start;
    }

    /** The bias per output channel, zeros past kg to whole vectors (all zeros without a bias). */
    private static float[] biasRow(ConvGeometry g, Tensor bias) {
        float[] row = new float[Math.ceilDiv(g.kg, L) * L];
        if (bias != null) for (int k = 0; k < g.kg; k++) row[k] = bias.segment().get(LAYOUT, (bias.offset() + k * bias.stride(0)) * ES);
        return row;
    }

    /**
     * The tiles of channel blocks [b0, b1) over {@code positions} positions: position q's slab offset {@code at[q]} (null:
     * {@code (from + q) pitch}) and y element offset {@code to[q]} (null: {@code y0 + q kg}); bias and clamp in the
     * registers.
     */
    private static void tiles(float[] xs, int[] at, int from, int pitch, long[] to, long y0, int kg, int positions, int[] nv, int[] blockStart,
            int b0, int b1, int[] off, MemorySegment a, int red, MemorySegment ys, float[] biasRow, float lo, float hi, Scratch s) {
        int[] base = s.ints("cl.base", TILE);
        long[] out = s.longs("cl.out", TILE);
        float[] tail = s.floats("cl.tail", TILE * L);
        for (int b = b0, k0 = blockStartChannel(nv, b0); b < b1; k0 += nv[b] * L, b++) {
            int v = nv[b], mr = TILE / v, wo = blockStart[b];
            for (int p = 0; p < positions; p += mr) {
                for (int j = 0; j < mr; j++) {
                    int q = Math.min(p + j, positions - 1); // past the end: the last position again, same values
                    base[j] = at == null ? (from + q) * pitch : at[q];
                    out[j] = to == null ? y0 + (long) q * kg : to[q];
                }
                // the tiles store straight from the registers (the last block's last vector masked past kg): with few
                // (channel, tap) steps the round trip of the sums through an array was a large share of a tile (a 3x3
                // stride-2 stem of 3 channels 1.27x, Zen 5), and since the clamp is a compare and a blend it pays at long
                // reductions too (Zen 4: 3x3 of 64 channels on 56x56, 576 steps, 1.06-1.09x; 128 on 28x28 1.05-1.08x;
                // 1x1 of 960 -> 320 on 7x7 1.05-1.06x; two other 1x1s 0.98-1.10x)
                if (k0 + v * L <= kg) {
                    switch (v) {
                        case 4 -> tile6x4(xs, base, off, a, wo * ES, red, ys, out, k0, biasRow, lo, hi);
                        case 2 -> tile12x2(xs, base, off, a, wo * ES, red, ys, out, k0, biasRow, lo, hi);
                        default -> tile24x1(xs, base, off, a, wo * ES, red, ys, out, k0, biasRow, lo, hi);
                    }
                } else {
                    switch (v) {
                        case 4 -> tile6x4m(xs, base, off, a, wo * ES, red, ys, out, k0, biasRow, lo, hi, tail);
                        case 2 -> tile12x2m(xs, base, off, a, wo * ES, red, ys, out, k0, biasRow, lo, hi, tail);
                        default -> tile24x1m(xs, base, off, a, wo * ES, red, ys, out, k0, biasRow, lo, hi, tail);
                    }
                    storeTail(tail, mr, out, k0 + (v - 1) * L, kg, ys);
                }
            }
        }
    }

    /**
     * A convolution's outputs row by row into a consumer's own memory (the depthwise convolution after it in
     * {@code DepthwiseChannelsLastF32.forwardAfterConv}, which keeps them in its slab instead of a tensor): the outputs of
     * rows [r0, r1) of dimension 0 of an image, {@code act(conv(x) + bias)}, each by the tiles and in the order of
     * {@link #forward}, so with its bits. For the geometries {@link #forward} runs (one group, zero padding).
     */
    public static final class ConvRows {
        private final ConvGeometry g;
        private final MemorySegment a;
        private final ChannelsLastSlabF32 slab;
        private final int[] nv, blockStart, off;
        private final float[] biasRow;
        private final float lo, hi;
        private final boolean clamp;
        private final Epilogue e;
        private final int maxRows;

        /**
         * For up to {@code maxRows} rows a call; weights {@code a} from {@link #aligned} ({@link #packRows}), bias of g.kg
         * elements or null.
         */
        public ConvRows(ConvGeometry g, MemorySegment a, Tensor bias, Epilogue e, int maxRows) {
            if (g.groups != 1) throw new IllegalArgumentException("g: " + g.groups + " groups, not one");
            this.g = g;
            this.a = a;
            this.e = e;
            this.maxRows = maxRows;
            slab = ChannelsLastSlabF32.of(g, maxRows, true); // as forward lays it
            nv = blockVectors(g.kg);
            blockStart = blockStarts(nv, g.reduction());
            off = stepOffsets(g, slab);
            biasRow = biasRow(g, bias);
            clamp = e.isRegisterClamp();
            lo = clamp ? (float) e.clampLow() : Float.NEGATIVE_INFINITY;
            hi = clamp ? (float) e.clampHigh() : Float.POSITIVE_INFINITY;
        }

        /**
         * The outputs of image n's rows [r0, r1) (at most {@code maxRows}), position q of them in row-major order to
         * {@code out} at elements [to[q], to[q] + kg).
         */
        public void run(Tensor x, long n, int r0, int r1, MemorySegment out, long[] to, Scratch s) {
            if (r1 - r0 > maxRows) throw new IllegalArgumentException("rows: " + (r1 - r0) + " above " + maxRows);
            int positions = (r1 - r0) * ChannelsLastSlabF32.rowPositions(g);
            float[] xs = s.floats("cl.slab", slab.length());
            slab.fill(g, x, n, r0, r1, xs);
            // a 1x1 reads consecutive slab positions (subsampled where strided); other kernels' offsets from the table
            int[] at = g.taps == 1 ? null : s.ints("cl.at", positions);
            if (at != null) slab.positions(g, null, n, r0, r1, 0, positions, at, null);
            tiles(xs, at, 0, slab.pitch[g.rank - 1], to, 0, g.kg, positions, nv, blockStart, 0, nv.length, off, a, g.reduction(), out, biasRow, lo, hi, s);
            if (!clamp) for (int q = 0; q < positions; q++) ELEMENTWISE.activationForward(e, out, to[q], out, to[q], g.kg, 0, false);
        }
    }

    /**
     * Whether the output positions are consecutive both in the slab (a pointwise convolution, any stride and padding:
     * the subsampled slab holds one position per output) and in y (its positions dense, kg apart, rows one after the
     * other).
     */
    private static boolean consecutive(ConvGeometry g, Tensor y) {
        if (g.taps != 1) return false;
        long pitch = g.kg;
        for (int d = g.rank - 1; d >= 0; d--) {
            if (g.small[d] > 1 && y.stride(2 + d) != pitch) return false;
            pitch *= g.small[d];
        }
        return true;
    }

    private static int blockStartChannel(int[] nv, int b) {
        int k = 0;
        for (int i = 0; i < b; i++) k += nv[i] * L;
        return k;
    }

    /** Position j's last vector of a block past the output channels, {@code tail[j L ..]}, to y at {@code out[j] + k}: channels [k, kg). */
    private static void storeTail(float[] tail, int positions, long[] out, int k, int kg, MemorySegment ys) {
        for (int j = 0; j < positions; j++) FloatVector.fromArray(S, tail, j * L).intoMemorySegment(ys, (out[j] + k) * ES, NO, S.indexInRange(k, kg));
    }

    private static void tile6x4(float[] x, int[] base, int[] off, MemorySegment w, long wo, int red, MemorySegment ys, long[] out, int k0, float[] biasRow, float lo, float hi) {
        int u0 = base[0], u1 = base[1], u2 = base[2], u3 = base[3], u4 = base[4], u5 = base[5];
        FloatVector a0_0 = FloatVector.zero(S), a0_1 = a0_0, a0_2 = a0_0, a0_3 = a0_0, a1_0 = a0_0, a1_1 = a0_0, a1_2 = a0_0, a1_3 = a0_0;
        FloatVector a2_0 = a0_0, a2_1 = a0_0, a2_2 = a0_0, a2_3 = a0_0, a3_0 = a0_0, a3_1 = a0_0, a3_2 = a0_0, a3_3 = a0_0;
        FloatVector a4_0 = a0_0, a4_1 = a0_0, a4_2 = a0_0, a4_3 = a0_0, a5_0 = a0_0, a5_1 = a0_0, a5_2 = a0_0, a5_3 = a0_0;
        for (int r = 0; r < red; r++, wo += 4 * L * ES) {
            int o = off[r];
            FloatVector w0 = FloatVector.fromMemorySegment(S, w, wo, NO);
            FloatVector w1 = FloatVector.fromMemorySegment(S, w, wo + L * ES, NO);
            FloatVector w2 = FloatVector.fromMemorySegment(S, w, wo + 2 * L * ES, NO);
            FloatVector w3 = FloatVector.fromMemorySegment(S, w, wo + 3 * L * ES, NO);
            FloatVector t = FloatVector.broadcast(S, x[u0 + o]);
            a0_0 = w0.fma(t, a0_0);
            a0_1 = w1.fma(t, a0_1);
            a0_2 = w2.fma(t, a0_2);
            a0_3 = w3.fma(t, a0_3);
            t = FloatVector.broadcast(S, x[u1 + o]);
            a1_0 = w0.fma(t, a1_0);
            a1_1 = w1.fma(t, a1_1);
            a1_2 = w2.fma(t, a1_2);
            a1_3 = w3.fma(t, a1_3);
            t = FloatVector.broadcast(S, x[u2 + o]);
            a2_0 = w0.fma(t, a2_0);
            a2_1 = w1.fma(t, a2_1);
            a2_2 = w2.fma(t, a2_2);
            a2_3 = w3.fma(t, a2_3);
            t = FloatVector.broadcast(S, x[u3 + o]);
            a3_0 = w0.fma(t, a3_0);
            a3_1 = w1.fma(t, a3_1);
            a3_2 = w2.fma(t, a3_2);
            a3_3 = w3.fma(t, a3_3);
            t = FloatVector.broadcast(S, x[u4 + o]);
            a4_0 = w0.fma(t, a4_0);
            a4_1 = w1.fma(t, a4_1);
            a4_2 = w2.fma(t, a4_2);
            a4_3 = w3.fma(t, a4_3);
            t = FloatVector.broadcast(S, x[u5 + o]);
            a5_0 = w0.fma(t, a5_0);
            a5_1 = w1.fma(t, a5_1);
            a5_2 = w2.fma(t, a5_2);
            a5_3 = w3.fma(t, a5_3);
        }
        FloatVector b0 = FloatVector.fromArray(S, biasRow, k0);
        FloatVector b1 = FloatVector.fromArray(S, biasRow, k0 + L);
        FloatVector b2 = FloatVector.fromArray(S, biasRow, k0 + 2 * L);
        FloatVector b3 = FloatVector.fromArray(S, biasRow, k0 + 3 * L);
        a0_0 = a0_0.add(b0);
        a0_0 = a0_0.blend(lo, a0_0.compare(VectorOperators.LE, lo));
        a0_0.blend(hi, a0_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[0] + k0) * ES, NO);
        a0_1 = a0_1.add(b1);
        a0_1 = a0_1.blend(lo, a0_1.compare(VectorOperators.LE, lo));
        a0_1.blend(hi, a0_1.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[0] + k0 + L) * ES, NO);
        a0_2 = a0_2.add(b2);
        a0_2 = a0_2.blend(lo, a0_2.compare(VectorOperators.LE, lo));
        a0_2.blend(hi, a0_2.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[0] + k0 + 2 * L) * ES, NO);
        a0_3 = a0_3.add(b3);
        a0_3 = a0_3.blend(lo, a0_3.compare(VectorOperators.LE, lo));
        a0_3.blend(hi, a0_3.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[0] + k0 + 3 * L) * ES, NO);
        a1_0 = a1_0.add(b0);
        a1_0 = a1_0.blend(lo, a1_0.compare(VectorOperators.LE, lo));
        a1_0.blend(hi, a1_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[1] + k0) * ES, NO);
        a1_1 = a1_1.add(b1);
        a1_1 = a1_1.blend(lo, a1_1.compare(VectorOperators.LE, lo));
        a1_1.blend(hi, a1_1.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[1] + k0 + L) * ES, NO);
        a1_2 = a1_2.add(b2);
        a1_2 = a1_2.blend(lo, a1_2.compare(VectorOperators.LE, lo));
        a1_2.blend(hi, a1_2.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[1] + k0 + 2 * L) * ES, NO);
        a1_3 = a1_3.add(b3);
        a1_3 = a1_3.blend(lo, a1_3.compare(VectorOperators.LE, lo));
        a1_3.blend(hi, a1_3.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[1] + k0 + 3 * L) * ES, NO);
        a2_0 = a2_0.add(b0);
        a2_0 = a2_0.blend(lo, a2_0.compare(VectorOperators.LE, lo));
        a2_0.blend(hi, a2_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[2] + k0) * ES, NO);
        a2_1 = a2_1.add(b1);
        a2_1 = a2_1.blend(lo, a2_1.compare(VectorOperators.LE, lo));
        a2_1.blend(hi, a2_1.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[2] + k0 + L) * ES, NO);
        a2_2 = a2_2.add(b2);
        a2_2 = a2_2.blend(lo, a2_2.compare(VectorOperators.LE, lo));
        a2_2.blend(hi, a2_2.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[2] + k0 + 2 * L) * ES, NO);
        a2_3 = a2_3.add(b3);
        a2_3 = a2_3.blend(lo, a2_3.compare(VectorOperators.LE, lo));
        a2_3.blend(hi, a2_3.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[2] + k0 + 3 * L) * ES, NO);
        a3_0 = a3_0.add(b0);
        a3_0 = a3_0.blend(lo, a3_0.compare(VectorOperators.LE, lo));
        a3_0.blend(hi, a3_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[3] + k0) * ES, NO);
        a3_1 = a3_1.add(b1);
        a3_1 = a3_1.blend(lo, a3_1.compare(VectorOperators.LE, lo));
        a3_1.blend(hi, a3_1.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[3] + k0 + L) * ES, NO);
        a3_2 = a3_2.add(b2);
        a3_2 = a3_2.blend(lo, a3_2.compare(VectorOperators.LE, lo));
        a3_2.blend(hi, a3_2.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[3] + k0 + 2 * L) * ES, NO);
        a3_3 = a3_3.add(b3);
        a3_3 = a3_3.blend(lo, a3_3.compare(VectorOperators.LE, lo));
        a3_3.blend(hi, a3_3.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[3] + k0 + 3 * L) * ES, NO);
        a4_0 = a4_0.add(b0);
        a4_0 = a4_0.blend(lo, a4_0.compare(VectorOperators.LE, lo));
        a4_0.blend(hi, a4_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[4] + k0) * ES, NO);
        a4_1 = a4_1.add(b1);
        a4_1 = a4_1.blend(lo, a4_1.compare(VectorOperators.LE, lo));
        a4_1.blend(hi, a4_1.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[4] + k0 + L) * ES, NO);
        a4_2 = a4_2.add(b2);
        a4_2 = a4_2.blend(lo, a4_2.compare(VectorOperators.LE, lo));
        a4_2.blend(hi, a4_2.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[4] + k0 + 2 * L) * ES, NO);
        a4_3 = a4_3.add(b3);
        a4_3 = a4_3.blend(lo, a4_3.compare(VectorOperators.LE, lo));
        a4_3.blend(hi, a4_3.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[4] + k0 + 3 * L) * ES, NO);
        a5_0 = a5_0.add(b0);
        a5_0 = a5_0.blend(lo, a5_0.compare(VectorOperators.LE, lo));
        a5_0.blend(hi, a5_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[5] + k0) * ES, NO);
        a5_1 = a5_1.add(b1);
        a5_1 = a5_1.blend(lo, a5_1.compare(VectorOperators.LE, lo));
        a5_1.blend(hi, a5_1.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[5] + k0 + L) * ES, NO);
        a5_2 = a5_2.add(b2);
        a5_2 = a5_2.blend(lo, a5_2.compare(VectorOperators.LE, lo));
        a5_2.blend(hi, a5_2.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[5] + k0 + 2 * L) * ES, NO);
        a5_3 = a5_3.add(b3);
        a5_3 = a5_3.blend(lo, a5_3.compare(VectorOperators.LE, lo));
        a5_3.blend(hi, a5_3.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[5] + k0 + 3 * L) * ES, NO);
    }

    private static void tile6x4m(float[] x, int[] base, int[] off, MemorySegment w, long wo, int red, MemorySegment ys, long[] out, int k0, float[] biasRow, float lo, float hi, float[] tail) {
        int u0 = base[0], u1 = base[1], u2 = base[2], u3 = base[3], u4 = base[4], u5 = base[5];
        FloatVector a0_0 = FloatVector.zero(S), a0_1 = a0_0, a0_2 = a0_0, a0_3 = a0_0, a1_0 = a0_0, a1_1 = a0_0, a1_2 = a0_0, a1_3 = a0_0;
        FloatVector a2_0 = a0_0, a2_1 = a0_0, a2_2 = a0_0, a2_3 = a0_0, a3_0 = a0_0, a3_1 = a0_0, a3_2 = a0_0, a3_3 = a0_0;
        FloatVector a4_0 = a0_0, a4_1 = a0_0, a4_2 = a0_0, a4_3 = a0_0, a5_0 = a0_0, a5_1 = a0_0, a5_2 = a0_0, a5_3 = a0_0;
        for (int r = 0; r < red; r++, wo += 4 * L * ES) {
            int o = off[r];
            FloatVector w0 = FloatVector.fromMemorySegment(S, w, wo, NO);
            FloatVector w1 = FloatVector.fromMemorySegment(S, w, wo + L * ES, NO);
            FloatVector w2 = FloatVector.fromMemorySegment(S, w, wo + 2 * L * ES, NO);
            FloatVector w3 = FloatVector.fromMemorySegment(S, w, wo + 3 * L * ES, NO);
            FloatVector t = FloatVector.broadcast(S, x[u0 + o]);
            a0_0 = w0.fma(t, a0_0);
            a0_1 = w1.fma(t, a0_1);
            a0_2 = w2.fma(t, a0_2);
            a0_3 = w3.fma(t, a0_3);
            t = FloatVector.broadcast(S, x[u1 + o]);
            a1_0 = w0.fma(t, a1_0);
            a1_1 = w1.fma(t, a1_1);
            a1_2 = w2.fma(t, a1_2);
            a1_3 = w3.fma(t, a1_3);
            t = FloatVector.broadcast(S, x[u2 + o]);
            a2_0 = w0.fma(t, a2_0);
            a2_1 = w1.fma(t, a2_1);
            a2_2 = w2.fma(t, a2_2);
            a2_3 = w3.fma(t, a2_3);
            t = FloatVector.broadcast(S, x[u3 + o]);
            a3_0 = w0.fma(t, a3_0);
            a3_1 = w1.fma(t, a3_1);
            a3_2 = w2.fma(t, a3_2);
            a3_3 = w3.fma(t, a3_3);
            t = FloatVector.broadcast(S, x[u4 + o]);
            a4_0 = w0.fma(t, a4_0);
            a4_1 = w1.fma(t, a4_1);
            a4_2 = w2.fma(t, a4_2);
            a4_3 = w3.fma(t, a4_3);
            t = FloatVector.broadcast(S, x[u5 + o]);
            a5_0 = w0.fma(t, a5_0);
            a5_1 = w1.fma(t, a5_1);
            a5_2 = w2.fma(t, a5_2);
            a5_3 = w3.fma(t, a5_3);
        }
        FloatVector b0 = FloatVector.fromArray(S, biasRow, k0);
        FloatVector b1 = FloatVector.fromArray(S, biasRow, k0 + L);
        FloatVector b2 = FloatVector.fromArray(S, biasRow, k0 + 2 * L);
        FloatVector b3 = FloatVector.fromArray(S, biasRow, k0 + 3 * L);
        a0_0 = a0_0.add(b0);
        a0_0 = a0_0.blend(lo, a0_0.compare(VectorOperators.LE, lo));
        a0_0.blend(hi, a0_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[0] + k0) * ES, NO);
        a0_1 = a0_1.add(b1);
        a0_1 = a0_1.blend(lo, a0_1.compare(VectorOperators.LE, lo));
        a0_1.blend(hi, a0_1.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[0] + k0 + L) * ES, NO);
        a0_2 = a0_2.add(b2);
        a0_2 = a0_2.blend(lo, a0_2.compare(VectorOperators.LE, lo));
        a0_2.blend(hi, a0_2.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[0] + k0 + 2 * L) * ES, NO);
        a0_3 = a0_3.add(b3);
        a0_3 = a0_3.blend(lo, a0_3.compare(VectorOperators.LE, lo));
        a0_3.blend(hi, a0_3.compare(VectorOperators.GE, hi)).intoArray(tail, 0);
        a1_0 = a1_0.add(b0);
        a1_0 = a1_0.blend(lo, a1_0.compare(VectorOperators.LE, lo));
        a1_0.blend(hi, a1_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[1] + k0) * ES, NO);
        a1_1 = a1_1.add(b1);
        a1_1 = a1_1.blend(lo, a1_1.compare(VectorOperators.LE, lo));
        a1_1.blend(hi, a1_1.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[1] + k0 + L) * ES, NO);
        a1_2 = a1_2.add(b2);
        a1_2 = a1_2.blend(lo, a1_2.compare(VectorOperators.LE, lo));
        a1_2.blend(hi, a1_2.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[1] + k0 + 2 * L) * ES, NO);
        a1_3 = a1_3.add(b3);
        a1_3 = a1_3.blend(lo, a1_3.compare(VectorOperators.LE, lo));
        a1_3.blend(hi, a1_3.compare(VectorOperators.GE, hi)).intoArray(tail, L);
        a2_0 = a2_0.add(b0);
        a2_0 = a2_0.blend(lo, a2_0.compare(VectorOperators.LE, lo));
        a2_0.blend(hi, a2_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[2] + k0) * ES, NO);
        a2_1 = a2_1.add(b1);
        a2_1 = a2_1.blend(lo, a2_1.compare(VectorOperators.LE, lo));
        a2_1.blend(hi, a2_1.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[2] + k0 + L) * ES, NO);
        a2_2 = a2_2.add(b2);
        a2_2 = a2_2.blend(lo, a2_2.compare(VectorOperators.LE, lo));
        a2_2.blend(hi, a2_2.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[2] + k0 + 2 * L) * ES, NO);
        a2_3 = a2_3.add(b3);
        a2_3 = a2_3.blend(lo, a2_3.compare(VectorOperators.LE, lo));
        a2_3.blend(hi, a2_3.compare(VectorOperators.GE, hi)).intoArray(tail, 2 * L);
        a3_0 = a3_0.add(b0);
        a3_0 = a3_0.blend(lo, a3_0.compare(VectorOperators.LE, lo));
        a3_0.blend(hi, a3_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[3] + k0) * ES, NO);
        a3_1 = a3_1.add(b1);
        a3_1 = a3_1.blend(lo, a3_1.compare(VectorOperators.LE, lo));
        a3_1.blend(hi, a3_1.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[3] + k0 + L) * ES, NO);
        a3_2 = a3_2.add(b2);
        a3_2 = a3_2.blend(lo, a3_2.compare(VectorOperators.LE, lo));
        a3_2.blend(hi, a3_2.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[3] + k0 + 2 * L) * ES, NO);
        a3_3 = a3_3.add(b3);
        a3_3 = a3_3.blend(lo, a3_3.compare(VectorOperators.LE, lo));
        a3_3.blend(hi, a3_3.compare(VectorOperators.GE, hi)).intoArray(tail, 3 * L);
        a4_0 = a4_0.add(b0);
        a4_0 = a4_0.blend(lo, a4_0.compare(VectorOperators.LE, lo));
        a4_0.blend(hi, a4_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[4] + k0) * ES, NO);
        a4_1 = a4_1.add(b1);
        a4_1 = a4_1.blend(lo, a4_1.compare(VectorOperators.LE, lo));
        a4_1.blend(hi, a4_1.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[4] + k0 + L) * ES, NO);
        a4_2 = a4_2.add(b2);
        a4_2 = a4_2.blend(lo, a4_2.compare(VectorOperators.LE, lo));
        a4_2.blend(hi, a4_2.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[4] + k0 + 2 * L) * ES, NO);
        a4_3 = a4_3.add(b3);
        a4_3 = a4_3.blend(lo, a4_3.compare(VectorOperators.LE, lo));
        a4_3.blend(hi, a4_3.compare(VectorOperators.GE, hi)).intoArray(tail, 4 * L);
        a5_0 = a5_0.add(b0);
        a5_0 = a5_0.blend(lo, a5_0.compare(VectorOperators.LE, lo));
        a5_0.blend(hi, a5_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[5] + k0) * ES, NO);
        a5_1 = a5_1.add(b1);
        a5_1 = a5_1.blend(lo, a5_1.compare(VectorOperators.LE, lo));
        a5_1.blend(hi, a5_1.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[5] + k0 + L) * ES, NO);
        a5_2 = a5_2.add(b2);
        a5_2 = a5_2.blend(lo, a5_2.compare(VectorOperators.LE, lo));
        a5_2.blend(hi, a5_2.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[5] + k0 + 2 * L) * ES, NO);
        a5_3 = a5_3.add(b3);
        a5_3 = a5_3.blend(lo, a5_3.compare(VectorOperators.LE, lo));
        a5_3.blend(hi, a5_3.compare(VectorOperators.GE, hi)).intoArray(tail, 5 * L);
    }

    private static void tile12x2(float[] x, int[] base, int[] off, MemorySegment w, long wo, int red, MemorySegment ys, long[] out, int k0, float[] biasRow, float lo, float hi) {
        int u0 = base[0], u1 = base[1], u2 = base[2], u3 = base[3], u4 = base[4], u5 = base[5], u6 = base[6], u7 = base[7];
        int u8 = base[8], u9 = base[9], u10 = base[10], u11 = base[11];
        FloatVector a0_0 = FloatVector.zero(S), a0_1 = a0_0, a1_0 = a0_0, a1_1 = a0_0, a2_0 = a0_0, a2_1 = a0_0, a3_0 = a0_0, a3_1 = a0_0;
        FloatVector a4_0 = a0_0, a4_1 = a0_0, a5_0 = a0_0, a5_1 = a0_0, a6_0 = a0_0, a6_1 = a0_0, a7_0 = a0_0, a7_1 = a0_0;
        FloatVector a8_0 = a0_0, a8_1 = a0_0, a9_0 = a0_0, a9_1 = a0_0, a10_0 = a0_0, a10_1 = a0_0, a11_0 = a0_0, a11_1 = a0_0;
        for (int r = 0; r < red; r++, wo += 2 * L * ES) {
            int o = off[r];
            FloatVector w0 = FloatVector.fromMemorySegment(S, w, wo, NO);
            FloatVector w1 = FloatVector.fromMemorySegment(S, w, wo + L * ES, NO);
            FloatVector t = FloatVector.broadcast(S, x[u0 + o]);
            a0_0 = w0.fma(t, a0_0);
            a0_1 = w1.fma(t, a0_1);
            t = FloatVector.broadcast(S, x[u1 + o]);
            a1_0 = w0.fma(t, a1_0);
            a1_1 = w1.fma(t, a1_1);
            t = FloatVector.broadcast(S, x[u2 + o]);
            a2_0 = w0.fma(t, a2_0);
            a2_1 = w1.fma(t, a2_1);
            t = FloatVector.broadcast(S, x[u3 + o]);
            a3_0 = w0.fma(t, a3_0);
            a3_1 = w1.fma(t, a3_1);
            t = FloatVector.broadcast(S, x[u4 + o]);
            a4_0 = w0.fma(t, a4_0);
            a4_1 = w1.fma(t, a4_1);
            t = FloatVector.broadcast(S, x[u5 + o]);
            a5_0 = w0.fma(t, a5_0);
            a5_1 = w1.fma(t, a5_1);
            t = FloatVector.broadcast(S, x[u6 + o]);
            a6_0 = w0.fma(t, a6_0);
            a6_1 = w1.fma(t, a6_1);
            t = FloatVector.broadcast(S, x[u7 + o]);
            a7_0 = w0.fma(t, a7_0);
            a7_1 = w1.fma(t, a7_1);
            t = FloatVector.broadcast(S, x[u8 + o]);
            a8_0 = w0.fma(t, a8_0);
            a8_1 = w1.fma(t, a8_1);
            t = FloatVector.broadcast(S, x[u9 + o]);
            a9_0 = w0.fma(t, a9_0);
            a9_1 = w1.fma(t, a9_1);
            t = FloatVector.broadcast(S, x[u10 + o]);
            a10_0 = w0.fma(t, a10_0);
            a10_1 = w1.fma(t, a10_1);
            t = FloatVector.broadcast(S, x[u11 + o]);
            a11_0 = w0.fma(t, a11_0);
            a11_1 = w1.fma(t, a11_1);
        }
        FloatVector b0 = FloatVector.fromArray(S, biasRow, k0);
        FloatVector b1 = FloatVector.fromArray(S, biasRow, k0 + L);
        a0_0 = a0_0.add(b0);
        a0_0 = a0_0.blend(lo, a0_0.compare(VectorOperators.LE, lo));
        a0_0.blend(hi, a0_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[0] + k0) * ES, NO);
        a0_1 = a0_1.add(b1);
        a0_1 = a0_1.blend(lo, a0_1.compare(VectorOperators.LE, lo));
        a0_1.blend(hi, a0_1.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[0] + k0 + L) * ES, NO);
        a1_0 = a1_0.add(b0);
        a1_0 = a1_0.blend(lo, a1_0.compare(VectorOperators.LE, lo));
        a1_0.blend(hi, a1_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[1] + k0) * ES, NO);
        a1_1 = a1_1.add(b1);
        a1_1 = a1_1.blend(lo, a1_1.compare(VectorOperators.LE, lo));
        a1_1.blend(hi, a1_1.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[1] + k0 + L) * ES, NO);
        a2_0 = a2_0.add(b0);
        a2_0 = a2_0.blend(lo, a2_0.compare(VectorOperators.LE, lo));
        a2_0.blend(hi, a2_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[2] + k0) * ES, NO);
        a2_1 = a2_1.add(b1);
        a2_1 = a2_1.blend(lo, a2_1.compare(VectorOperators.LE, lo));
        a2_1.blend(hi, a2_1.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[2] + k0 + L) * ES, NO);
        a3_0 = a3_0.add(b0);
        a3_0 = a3_0.blend(lo, a3_0.compare(VectorOperators.LE, lo));
        a3_0.blend(hi, a3_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[3] + k0) * ES, NO);
        a3_1 = a3_1.add(b1);
        a3_1 = a3_1.blend(lo, a3_1.compare(VectorOperators.LE, lo));
        a3_1.blend(hi, a3_1.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[3] + k0 + L) * ES, NO);
        a4_0 = a4_0.add(b0);
        a4_0 = a4_0.blend(lo, a4_0.compare(VectorOperators.LE, lo));
        a4_0.blend(hi, a4_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[4] + k0) * ES, NO);
        a4_1 = a4_1.add(b1);
        a4_1 = a4_1.blend(lo, a4_1.compare(VectorOperators.LE, lo));
        a4_1.blend(hi, a4_1.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[4] + k0 + L) * ES, NO);
        a5_0 = a5_0.add(b0);
        a5_0 = a5_0.blend(lo, a5_0.compare(VectorOperators.LE, lo));
        a5_0.blend(hi, a5_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[5] + k0) * ES, NO);
        a5_1 = a5_1.add(b1);
        a5_1 = a5_1.blend(lo, a5_1.compare(VectorOperators.LE, lo));
        a5_1.blend(hi, a5_1.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[5] + k0 + L) * ES, NO);
        a6_0 = a6_0.add(b0);
        a6_0 = a6_0.blend(lo, a6_0.compare(VectorOperators.LE, lo));
        a6_0.blend(hi, a6_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[6] + k0) * ES, NO);
        a6_1 = a6_1.add(b1);
        a6_1 = a6_1.blend(lo, a6_1.compare(VectorOperators.LE, lo));
        a6_1.blend(hi, a6_1.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[6] + k0 + L) * ES, NO);
        a7_0 = a7_0.add(b0);
        a7_0 = a7_0.blend(lo, a7_0.compare(VectorOperators.LE, lo));
        a7_0.blend(hi, a7_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[7] + k0) * ES, NO);
        a7_1 = a7_1.add(b1);
        a7_1 = a7_1.blend(lo, a7_1.compare(VectorOperators.LE, lo));
        a7_1.blend(hi, a7_1.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[7] + k0 + L) * ES, NO);
        a8_0 = a8_0.add(b0);
        a8_0 = a8_0.blend(lo, a8_0.compare(VectorOperators.LE, lo));
        a8_0.blend(hi, a8_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[8] + k0) * ES, NO);
        a8_1 = a8_1.add(b1);
        a8_1 = a8_1.blend(lo, a8_1.compare(VectorOperators.LE, lo));
        a8_1.blend(hi, a8_1.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[8] + k0 + L) * ES, NO);
        a9_0 = a9_0.add(b0);
        a9_0 = a9_0.blend(lo, a9_0.compare(VectorOperators.LE, lo));
        a9_0.blend(hi, a9_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[9] + k0) * ES, NO);
        a9_1 = a9_1.add(b1);
        a9_1 = a9_1.blend(lo, a9_1.compare(VectorOperators.LE, lo));
        a9_1.blend(hi, a9_1.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[9] + k0 + L) * ES, NO);
        a10_0 = a10_0.add(b0);
        a10_0 = a10_0.blend(lo, a10_0.compare(VectorOperators.LE, lo));
        a10_0.blend(hi, a10_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[10] + k0) * ES, NO);
        a10_1 = a10_1.add(b1);
        a10_1 = a10_1.blend(lo, a10_1.compare(VectorOperators.LE, lo));
        a10_1.blend(hi, a10_1.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[10] + k0 + L) * ES, NO);
        a11_0 = a11_0.add(b0);
        a11_0 = a11_0.blend(lo, a11_0.compare(VectorOperators.LE, lo));
        a11_0.blend(hi, a11_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[11] + k0) * ES, NO);
        a11_1 = a11_1.add(b1);
        a11_1 = a11_1.blend(lo, a11_1.compare(VectorOperators.LE, lo));
        a11_1.blend(hi, a11_1.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[11] + k0 + L) * ES, NO);
    }

    private static void tile12x2m(float[] x, int[] base, int[] off, MemorySegment w, long wo, int red, MemorySegment ys, long[] out, int k0, float[] biasRow, float lo, float hi, float[] tail) {
        int u0 = base[0], u1 = base[1], u2 = base[2], u3 = base[3], u4 = base[4], u5 = base[5], u6 = base[6], u7 = base[7];
        int u8 = base[8], u9 = base[9], u10 = base[10], u11 = base[11];
        FloatVector a0_0 = FloatVector.zero(S), a0_1 = a0_0, a1_0 = a0_0, a1_1 = a0_0, a2_0 = a0_0, a2_1 = a0_0, a3_0 = a0_0, a3_1 = a0_0;
        FloatVector a4_0 = a0_0, a4_1 = a0_0, a5_0 = a0_0, a5_1 = a0_0, a6_0 = a0_0, a6_1 = a0_0, a7_0 = a0_0, a7_1 = a0_0;
        FloatVector a8_0 = a0_0, a8_1 = a0_0, a9_0 = a0_0, a9_1 = a0_0, a10_0 = a0_0, a10_1 = a0_0, a11_0 = a0_0, a11_1 = a0_0;
        for (int r = 0; r < red; r++, wo += 2 * L * ES) {
            int o = off[r];
            FloatVector w0 = FloatVector.fromMemorySegment(S, w, wo, NO);
            FloatVector w1 = FloatVector.fromMemorySegment(S, w, wo + L * ES, NO);
            FloatVector t = FloatVector.broadcast(S, x[u0 + o]);
            a0_0 = w0.fma(t, a0_0);
            a0_1 = w1.fma(t, a0_1);
            t = FloatVector.broadcast(S, x[u1 + o]);
            a1_0 = w0.fma(t, a1_0);
            a1_1 = w1.fma(t, a1_1);
            t = FloatVector.broadcast(S, x[u2 + o]);
            a2_0 = w0.fma(t, a2_0);
            a2_1 = w1.fma(t, a2_1);
            t = FloatVector.broadcast(S, x[u3 + o]);
            a3_0 = w0.fma(t, a3_0);
            a3_1 = w1.fma(t, a3_1);
            t = FloatVector.broadcast(S, x[u4 + o]);
            a4_0 = w0.fma(t, a4_0);
            a4_1 = w1.fma(t, a4_1);
            t = FloatVector.broadcast(S, x[u5 + o]);
            a5_0 = w0.fma(t, a5_0);
            a5_1 = w1.fma(t, a5_1);
            t = FloatVector.broadcast(S, x[u6 + o]);
            a6_0 = w0.fma(t, a6_0);
            a6_1 = w1.fma(t, a6_1);
            t = FloatVector.broadcast(S, x[u7 + o]);
            a7_0 = w0.fma(t, a7_0);
            a7_1 = w1.fma(t, a7_1);
            t = FloatVector.broadcast(S, x[u8 + o]);
            a8_0 = w0.fma(t, a8_0);
            a8_1 = w1.fma(t, a8_1);
            t = FloatVector.broadcast(S, x[u9 + o]);
            a9_0 = w0.fma(t, a9_0);
            a9_1 = w1.fma(t, a9_1);
            t = FloatVector.broadcast(S, x[u10 + o]);
            a10_0 = w0.fma(t, a10_0);
            a10_1 = w1.fma(t, a10_1);
            t = FloatVector.broadcast(S, x[u11 + o]);
            a11_0 = w0.fma(t, a11_0);
            a11_1 = w1.fma(t, a11_1);
        }
        FloatVector b0 = FloatVector.fromArray(S, biasRow, k0);
        FloatVector b1 = FloatVector.fromArray(S, biasRow, k0 + L);
        a0_0 = a0_0.add(b0);
        a0_0 = a0_0.blend(lo, a0_0.compare(VectorOperators.LE, lo));
        a0_0.blend(hi, a0_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[0] + k0) * ES, NO);
        a0_1 = a0_1.add(b1);
        a0_1 = a0_1.blend(lo, a0_1.compare(VectorOperators.LE, lo));
        a0_1.blend(hi, a0_1.compare(VectorOperators.GE, hi)).intoArray(tail, 0);
        a1_0 = a1_0.add(b0);
        a1_0 = a1_0.blend(lo, a1_0.compare(VectorOperators.LE, lo));
        a1_0.blend(hi, a1_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[1] + k0) * ES, NO);
        a1_1 = a1_1.add(b1);
        a1_1 = a1_1.blend(lo, a1_1.compare(VectorOperators.LE, lo));
        a1_1.blend(hi, a1_1.compare(VectorOperators.GE, hi)).intoArray(tail, L);
        a2_0 = a2_0.add(b0);
        a2_0 = a2_0.blend(lo, a2_0.compare(VectorOperators.LE, lo));
        a2_0.blend(hi, a2_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[2] + k0) * ES, NO);
        a2_1 = a2_1.add(b1);
        a2_1 = a2_1.blend(lo, a2_1.compare(VectorOperators.LE, lo));
        a2_1.blend(hi, a2_1.compare(VectorOperators.GE, hi)).intoArray(tail, 2 * L);
        a3_0 = a3_0.add(b0);
        a3_0 = a3_0.blend(lo, a3_0.compare(VectorOperators.LE, lo));
        a3_0.blend(hi, a3_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[3] + k0) * ES, NO);
        a3_1 = a3_1.add(b1);
        a3_1 = a3_1.blend(lo, a3_1.compare(VectorOperators.LE, lo));
        a3_1.blend(hi, a3_1.compare(VectorOperators.GE, hi)).intoArray(tail, 3 * L);
        a4_0 = a4_0.add(b0);
        a4_0 = a4_0.blend(lo, a4_0.compare(VectorOperators.LE, lo));
        a4_0.blend(hi, a4_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[4] + k0) * ES, NO);
        a4_1 = a4_1.add(b1);
        a4_1 = a4_1.blend(lo, a4_1.compare(VectorOperators.LE, lo));
        a4_1.blend(hi, a4_1.compare(VectorOperators.GE, hi)).intoArray(tail, 4 * L);
        a5_0 = a5_0.add(b0);
        a5_0 = a5_0.blend(lo, a5_0.compare(VectorOperators.LE, lo));
        a5_0.blend(hi, a5_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[5] + k0) * ES, NO);
        a5_1 = a5_1.add(b1);
        a5_1 = a5_1.blend(lo, a5_1.compare(VectorOperators.LE, lo));
        a5_1.blend(hi, a5_1.compare(VectorOperators.GE, hi)).intoArray(tail, 5 * L);
        a6_0 = a6_0.add(b0);
        a6_0 = a6_0.blend(lo, a6_0.compare(VectorOperators.LE, lo));
        a6_0.blend(hi, a6_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[6] + k0) * ES, NO);
        a6_1 = a6_1.add(b1);
        a6_1 = a6_1.blend(lo, a6_1.compare(VectorOperators.LE, lo));
        a6_1.blend(hi, a6_1.compare(VectorOperators.GE, hi)).intoArray(tail, 6 * L);
        a7_0 = a7_0.add(b0);
        a7_0 = a7_0.blend(lo, a7_0.compare(VectorOperators.LE, lo));
        a7_0.blend(hi, a7_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[7] + k0) * ES, NO);
        a7_1 = a7_1.add(b1);
        a7_1 = a7_1.blend(lo, a7_1.compare(VectorOperators.LE, lo));
        a7_1.blend(hi, a7_1.compare(VectorOperators.GE, hi)).intoArray(tail, 7 * L);
        a8_0 = a8_0.add(b0);
        a8_0 = a8_0.blend(lo, a8_0.compare(VectorOperators.LE, lo));
        a8_0.blend(hi, a8_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[8] + k0) * ES, NO);
        a8_1 = a8_1.add(b1);
        a8_1 = a8_1.blend(lo, a8_1.compare(VectorOperators.LE, lo));
        a8_1.blend(hi, a8_1.compare(VectorOperators.GE, hi)).intoArray(tail, 8 * L);
        a9_0 = a9_0.add(b0);
        a9_0 = a9_0.blend(lo, a9_0.compare(VectorOperators.LE, lo));
        a9_0.blend(hi, a9_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[9] + k0) * ES, NO);
        a9_1 = a9_1.add(b1);
        a9_1 = a9_1.blend(lo, a9_1.compare(VectorOperators.LE, lo));
        a9_1.blend(hi, a9_1.compare(VectorOperators.GE, hi)).intoArray(tail, 9 * L);
        a10_0 = a10_0.add(b0);
        a10_0 = a10_0.blend(lo, a10_0.compare(VectorOperators.LE, lo));
        a10_0.blend(hi, a10_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[10] + k0) * ES, NO);
        a10_1 = a10_1.add(b1);
        a10_1 = a10_1.blend(lo, a10_1.compare(VectorOperators.LE, lo));
        a10_1.blend(hi, a10_1.compare(VectorOperators.GE, hi)).intoArray(tail, 10 * L);
        a11_0 = a11_0.add(b0);
        a11_0 = a11_0.blend(lo, a11_0.compare(VectorOperators.LE, lo));
        a11_0.blend(hi, a11_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[11] + k0) * ES, NO);
        a11_1 = a11_1.add(b1);
        a11_1 = a11_1.blend(lo, a11_1.compare(VectorOperators.LE, lo));
        a11_1.blend(hi, a11_1.compare(VectorOperators.GE, hi)).intoArray(tail, 11 * L);
    }

    private static void tile24x1(float[] x, int[] base, int[] off, MemorySegment w, long wo, int red, MemorySegment ys, long[] out, int k0, float[] biasRow, float lo, float hi) {
        FloatVector a0_0 = FloatVector.zero(S), a1_0 = a0_0, a2_0 = a0_0, a3_0 = a0_0, a4_0 = a0_0, a5_0 = a0_0, a6_0 = a0_0, a7_0 = a0_0;
        FloatVector a8_0 = a0_0, a9_0 = a0_0, a10_0 = a0_0, a11_0 = a0_0, a12_0 = a0_0, a13_0 = a0_0, a14_0 = a0_0, a15_0 = a0_0;
        FloatVector a16_0 = a0_0, a17_0 = a0_0, a18_0 = a0_0, a19_0 = a0_0, a20_0 = a0_0, a21_0 = a0_0, a22_0 = a0_0, a23_0 = a0_0;
        for (int r = 0; r < red; r++, wo += L * ES) {
            int o = off[r];
            FloatVector w0 = FloatVector.fromMemorySegment(S, w, wo, NO);
            FloatVector t = FloatVector.broadcast(S, x[base[0] + o]);
            a0_0 = w0.fma(t, a0_0);
            t = FloatVector.broadcast(S, x[base[1] + o]);
            a1_0 = w0.fma(t, a1_0);
            t = FloatVector.broadcast(S, x[base[2] + o]);
            a2_0 = w0.fma(t, a2_0);
            t = FloatVector.broadcast(S, x[base[3] + o]);
            a3_0 = w0.fma(t, a3_0);
            t = FloatVector.broadcast(S, x[base[4] + o]);
            a4_0 = w0.fma(t, a4_0);
            t = FloatVector.broadcast(S, x[base[5] + o]);
            a5_0 = w0.fma(t, a5_0);
            t = FloatVector.broadcast(S, x[base[6] + o]);
            a6_0 = w0.fma(t, a6_0);
            t = FloatVector.broadcast(S, x[base[7] + o]);
            a7_0 = w0.fma(t, a7_0);
            t = FloatVector.broadcast(S, x[base[8] + o]);
            a8_0 = w0.fma(t, a8_0);
            t = FloatVector.broadcast(S, x[base[9] + o]);
            a9_0 = w0.fma(t, a9_0);
            t = FloatVector.broadcast(S, x[base[10] + o]);
            a10_0 = w0.fma(t, a10_0);
            t = FloatVector.broadcast(S, x[base[11] + o]);
            a11_0 = w0.fma(t, a11_0);
            t = FloatVector.broadcast(S, x[base[12] + o]);
            a12_0 = w0.fma(t, a12_0);
            t = FloatVector.broadcast(S, x[base[13] + o]);
            a13_0 = w0.fma(t, a13_0);
            t = FloatVector.broadcast(S, x[base[14] + o]);
            a14_0 = w0.fma(t, a14_0);
            t = FloatVector.broadcast(S, x[base[15] + o]);
            a15_0 = w0.fma(t, a15_0);
            t = FloatVector.broadcast(S, x[base[16] + o]);
            a16_0 = w0.fma(t, a16_0);
            t = FloatVector.broadcast(S, x[base[17] + o]);
            a17_0 = w0.fma(t, a17_0);
            t = FloatVector.broadcast(S, x[base[18] + o]);
            a18_0 = w0.fma(t, a18_0);
            t = FloatVector.broadcast(S, x[base[19] + o]);
            a19_0 = w0.fma(t, a19_0);
            t = FloatVector.broadcast(S, x[base[20] + o]);
            a20_0 = w0.fma(t, a20_0);
            t = FloatVector.broadcast(S, x[base[21] + o]);
            a21_0 = w0.fma(t, a21_0);
            t = FloatVector.broadcast(S, x[base[22] + o]);
            a22_0 = w0.fma(t, a22_0);
            t = FloatVector.broadcast(S, x[base[23] + o]);
            a23_0 = w0.fma(t, a23_0);
        }
        FloatVector b0 = FloatVector.fromArray(S, biasRow, k0);
        a0_0 = a0_0.add(b0);
        a0_0 = a0_0.blend(lo, a0_0.compare(VectorOperators.LE, lo));
        a0_0.blend(hi, a0_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[0] + k0) * ES, NO);
        a1_0 = a1_0.add(b0);
        a1_0 = a1_0.blend(lo, a1_0.compare(VectorOperators.LE, lo));
        a1_0.blend(hi, a1_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[1] + k0) * ES, NO);
        a2_0 = a2_0.add(b0);
        a2_0 = a2_0.blend(lo, a2_0.compare(VectorOperators.LE, lo));
        a2_0.blend(hi, a2_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[2] + k0) * ES, NO);
        a3_0 = a3_0.add(b0);
        a3_0 = a3_0.blend(lo, a3_0.compare(VectorOperators.LE, lo));
        a3_0.blend(hi, a3_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[3] + k0) * ES, NO);
        a4_0 = a4_0.add(b0);
        a4_0 = a4_0.blend(lo, a4_0.compare(VectorOperators.LE, lo));
        a4_0.blend(hi, a4_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[4] + k0) * ES, NO);
        a5_0 = a5_0.add(b0);
        a5_0 = a5_0.blend(lo, a5_0.compare(VectorOperators.LE, lo));
        a5_0.blend(hi, a5_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[5] + k0) * ES, NO);
        a6_0 = a6_0.add(b0);
        a6_0 = a6_0.blend(lo, a6_0.compare(VectorOperators.LE, lo));
        a6_0.blend(hi, a6_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[6] + k0) * ES, NO);
        a7_0 = a7_0.add(b0);
        a7_0 = a7_0.blend(lo, a7_0.compare(VectorOperators.LE, lo));
        a7_0.blend(hi, a7_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[7] + k0) * ES, NO);
        a8_0 = a8_0.add(b0);
        a8_0 = a8_0.blend(lo, a8_0.compare(VectorOperators.LE, lo));
        a8_0.blend(hi, a8_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[8] + k0) * ES, NO);
        a9_0 = a9_0.add(b0);
        a9_0 = a9_0.blend(lo, a9_0.compare(VectorOperators.LE, lo));
        a9_0.blend(hi, a9_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[9] + k0) * ES, NO);
        a10_0 = a10_0.add(b0);
        a10_0 = a10_0.blend(lo, a10_0.compare(VectorOperators.LE, lo));
        a10_0.blend(hi, a10_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[10] + k0) * ES, NO);
        a11_0 = a11_0.add(b0);
        a11_0 = a11_0.blend(lo, a11_0.compare(VectorOperators.LE, lo));
        a11_0.blend(hi, a11_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[11] + k0) * ES, NO);
        a12_0 = a12_0.add(b0);
        a12_0 = a12_0.blend(lo, a12_0.compare(VectorOperators.LE, lo));
        a12_0.blend(hi, a12_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[12] + k0) * ES, NO);
        a13_0 = a13_0.add(b0);
        a13_0 = a13_0.blend(lo, a13_0.compare(VectorOperators.LE, lo));
        a13_0.blend(hi, a13_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[13] + k0) * ES, NO);
        a14_0 = a14_0.add(b0);
        a14_0 = a14_0.blend(lo, a14_0.compare(VectorOperators.LE, lo));
        a14_0.blend(hi, a14_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[14] + k0) * ES, NO);
        a15_0 = a15_0.add(b0);
        a15_0 = a15_0.blend(lo, a15_0.compare(VectorOperators.LE, lo));
        a15_0.blend(hi, a15_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[15] + k0) * ES, NO);
        a16_0 = a16_0.add(b0);
        a16_0 = a16_0.blend(lo, a16_0.compare(VectorOperators.LE, lo));
        a16_0.blend(hi, a16_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[16] + k0) * ES, NO);
        a17_0 = a17_0.add(b0);
        a17_0 = a17_0.blend(lo, a17_0.compare(VectorOperators.LE, lo));
        a17_0.blend(hi, a17_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[17] + k0) * ES, NO);
        a18_0 = a18_0.add(b0);
        a18_0 = a18_0.blend(lo, a18_0.compare(VectorOperators.LE, lo));
        a18_0.blend(hi, a18_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[18] + k0) * ES, NO);
        a19_0 = a19_0.add(b0);
        a19_0 = a19_0.blend(lo, a19_0.compare(VectorOperators.LE, lo));
        a19_0.blend(hi, a19_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[19] + k0) * ES, NO);
        a20_0 = a20_0.add(b0);
        a20_0 = a20_0.blend(lo, a20_0.compare(VectorOperators.LE, lo));
        a20_0.blend(hi, a20_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[20] + k0) * ES, NO);
        a21_0 = a21_0.add(b0);
        a21_0 = a21_0.blend(lo, a21_0.compare(VectorOperators.LE, lo));
        a21_0.blend(hi, a21_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[21] + k0) * ES, NO);
        a22_0 = a22_0.add(b0);
        a22_0 = a22_0.blend(lo, a22_0.compare(VectorOperators.LE, lo));
        a22_0.blend(hi, a22_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[22] + k0) * ES, NO);
        a23_0 = a23_0.add(b0);
        a23_0 = a23_0.blend(lo, a23_0.compare(VectorOperators.LE, lo));
        a23_0.blend(hi, a23_0.compare(VectorOperators.GE, hi)).intoMemorySegment(ys, (out[23] + k0) * ES, NO);
    }

    private static void tile24x1m(float[] x, int[] base, int[] off, MemorySegment w, long wo, int red, MemorySegment ys, long[] out, int k0, float[] biasRow, float lo, float hi, float[] tail) {
        FloatVector a0_0 = FloatVector.zero(S), a1_0 = a0_0, a2_0 = a0_0, a3_0 = a0_0, a4_0 = a0_0, a5_0 = a0_0, a6_0 = a0_0, a7_0 = a0_0;
        FloatVector a8_0 = a0_0, a9_0 = a0_0, a10_0 = a0_0, a11_0 = a0_0, a12_0 = a0_0, a13_0 = a0_0, a14_0 = a0_0, a15_0 = a0_0;
        FloatVector a16_0 = a0_0, a17_0 = a0_0, a18_0 = a0_0, a19_0 = a0_0, a20_0 = a0_0, a21_0 = a0_0, a22_0 = a0_0, a23_0 = a0_0;
        for (int r = 0; r < red; r++, wo += L * ES) {
            int o = off[r];
            FloatVector w0 = FloatVector.fromMemorySegment(S, w, wo, NO);
            FloatVector t = FloatVector.broadcast(S, x[base[0] + o]);
            a0_0 = w0.fma(t, a0_0);
            t = FloatVector.broadcast(S, x[base[1] + o]);
            a1_0 = w0.fma(t, a1_0);
            t = FloatVector.broadcast(S, x[base[2] + o]);
            a2_0 = w0.fma(t, a2_0);
            t = FloatVector.broadcast(S, x[base[3] + o]);
            a3_0 = w0.fma(t, a3_0);
            t = FloatVector.broadcast(S, x[base[4] + o]);
            a4_0 = w0.fma(t, a4_0);
            t = FloatVector.broadcast(S, x[base[5] + o]);
            a5_0 = w0.fma(t, a5_0);
            t = FloatVector.broadcast(S, x[base[6] + o]);
            a6_0 = w0.fma(t, a6_0);
            t = FloatVector.broadcast(S, x[base[7] + o]);
            a7_0 = w0.fma(t, a7_0);
            t = FloatVector.broadcast(S, x[base[8] + o]);
            a8_0 = w0.fma(t, a8_0);
            t = FloatVector.broadcast(S, x[base[9] + o]);
            a9_0 = w0.fma(t, a9_0);
            t = FloatVector.broadcast(S, x[base[10] + o]);
            a10_0 = w0.fma(t, a10_0);
            t = FloatVector.broadcast(S, x[base[11] + o]);
            a11_0 = w0.fma(t, a11_0);
            t = FloatVector.broadcast(S, x[base[12] + o]);
            a12_0 = w0.fma(t, a12_0);
            t = FloatVector.broadcast(S, x[base[13] + o]);
            a13_0 = w0.fma(t, a13_0);
            t = FloatVector.broadcast(S, x[base[14] + o]);
            a14_0 = w0.fma(t, a14_0);
            t = FloatVector.broadcast(S, x[base[15] + o]);
            a15_0 = w0.fma(t, a15_0);
            t = FloatVector.broadcast(S, x[base[16] + o]);
            a16_0 = w0.fma(t, a16_0);
            t = FloatVector.broadcast(S, x[base[17] + o]);
            a17_0 = w0.fma(t, a17_0);
            t = FloatVector.broadcast(S, x[base[18] + o]);
            a18_0 = w0.fma(t, a18_0);
            t = FloatVector.broadcast(S, x[base[19] + o]);
            a19_0 = w0.fma(t, a19_0);
            t = FloatVector.broadcast(S, x[base[20] + o]);
            a20_0 = w0.fma(t, a20_0);
            t = FloatVector.broadcast(S, x[base[21] + o]);
            a21_0 = w0.fma(t, a21_0);
            t = FloatVector.broadcast(S, x[base[22] + o]);
            a22_0 = w0.fma(t, a22_0);
            t = FloatVector.broadcast(S, x[base[23] + o]);
            a23_0 = w0.fma(t, a23_0);
        }
        FloatVector b0 = FloatVector.fromArray(S, biasRow, k0);
        a0_0 = a0_0.add(b0);
        a0_0 = a0_0.blend(lo, a0_0.compare(VectorOperators.LE, lo));
        a0_0.blend(hi, a0_0.compare(VectorOperators.GE, hi)).intoArray(tail, 0);
        a1_0 = a1_0.add(b0);
        a1_0 = a1_0.blend(lo, a1_0.compare(VectorOperators.LE, lo));
        a1_0.blend(hi, a1_0.compare(VectorOperators.GE, hi)).intoArray(tail, L);
        a2_0 = a2_0.add(b0);
        a2_0 = a2_0.blend(lo, a2_0.compare(VectorOperators.LE, lo));
        a2_0.blend(hi, a2_0.compare(VectorOperators.GE, hi)).intoArray(tail, 2 * L);
        a3_0 = a3_0.add(b0);
        a3_0 = a3_0.blend(lo, a3_0.compare(VectorOperators.LE, lo));
        a3_0.blend(hi, a3_0.compare(VectorOperators.GE, hi)).intoArray(tail, 3 * L);
        a4_0 = a4_0.add(b0);
        a4_0 = a4_0.blend(lo, a4_0.compare(VectorOperators.LE, lo));
        a4_0.blend(hi, a4_0.compare(VectorOperators.GE, hi)).intoArray(tail, 4 * L);
        a5_0 = a5_0.add(b0);
        a5_0 = a5_0.blend(lo, a5_0.compare(VectorOperators.LE, lo));
        a5_0.blend(hi, a5_0.compare(VectorOperators.GE, hi)).intoArray(tail, 5 * L);
        a6_0 = a6_0.add(b0);
        a6_0 = a6_0.blend(lo, a6_0.compare(VectorOperators.LE, lo));
        a6_0.blend(hi, a6_0.compare(VectorOperators.GE, hi)).intoArray(tail, 6 * L);
        a7_0 = a7_0.add(b0);
        a7_0 = a7_0.blend(lo, a7_0.compare(VectorOperators.LE, lo));
        a7_0.blend(hi, a7_0.compare(VectorOperators.GE, hi)).intoArray(tail, 7 * L);
        a8_0 = a8_0.add(b0);
        a8_0 = a8_0.blend(lo, a8_0.compare(VectorOperators.LE, lo));
        a8_0.blend(hi, a8_0.compare(VectorOperators.GE, hi)).intoArray(tail, 8 * L);
        a9_0 = a9_0.add(b0);
        a9_0 = a9_0.blend(lo, a9_0.compare(VectorOperators.LE, lo));
        a9_0.blend(hi, a9_0.compare(VectorOperators.GE, hi)).intoArray(tail, 9 * L);
        a10_0 = a10_0.add(b0);
        a10_0 = a10_0.blend(lo, a10_0.compare(VectorOperators.LE, lo));
        a10_0.blend(hi, a10_0.compare(VectorOperators.GE, hi)).intoArray(tail, 10 * L);
        a11_0 = a11_0.add(b0);
        a11_0 = a11_0.blend(lo, a11_0.compare(VectorOperators.LE, lo));
        a11_0.blend(hi, a11_0.compare(VectorOperators.GE, hi)).intoArray(tail, 11 * L);
        a12_0 = a12_0.add(b0);
        a12_0 = a12_0.blend(lo, a12_0.compare(VectorOperators.LE, lo));
        a12_0.blend(hi, a12_0.compare(VectorOperators.GE, hi)).intoArray(tail, 12 * L);
        a13_0 = a13_0.add(b0);
        a13_0 = a13_0.blend(lo, a13_0.compare(VectorOperators.LE, lo));
        a13_0.blend(hi, a13_0.compare(VectorOperators.GE, hi)).intoArray(tail, 13 * L);
        a14_0 = a14_0.add(b0);
        a14_0 = a14_0.blend(lo, a14_0.compare(VectorOperators.LE, lo));
        a14_0.blend(hi, a14_0.compare(VectorOperators.GE, hi)).intoArray(tail, 14 * L);
        a15_0 = a15_0.add(b0);
        a15_0 = a15_0.blend(lo, a15_0.compare(VectorOperators.LE, lo));
        a15_0.blend(hi, a15_0.compare(VectorOperators.GE, hi)).intoArray(tail, 15 * L);
        a16_0 = a16_0.add(b0);
        a16_0 = a16_0.blend(lo, a16_0.compare(VectorOperators.LE, lo));
        a16_0.blend(hi, a16_0.compare(VectorOperators.GE, hi)).intoArray(tail, 16 * L);
        a17_0 = a17_0.add(b0);
        a17_0 = a17_0.blend(lo, a17_0.compare(VectorOperators.LE, lo));
        a17_0.blend(hi, a17_0.compare(VectorOperators.GE, hi)).intoArray(tail, 17 * L);
        a18_0 = a18_0.add(b0);
        a18_0 = a18_0.blend(lo, a18_0.compare(VectorOperators.LE, lo));
        a18_0.blend(hi, a18_0.compare(VectorOperators.GE, hi)).intoArray(tail, 18 * L);
        a19_0 = a19_0.add(b0);
        a19_0 = a19_0.blend(lo, a19_0.compare(VectorOperators.LE, lo));
        a19_0.blend(hi, a19_0.compare(VectorOperators.GE, hi)).intoArray(tail, 19 * L);
        a20_0 = a20_0.add(b0);
        a20_0 = a20_0.blend(lo, a20_0.compare(VectorOperators.LE, lo));
        a20_0.blend(hi, a20_0.compare(VectorOperators.GE, hi)).intoArray(tail, 20 * L);
        a21_0 = a21_0.add(b0);
        a21_0 = a21_0.blend(lo, a21_0.compare(VectorOperators.LE, lo));
        a21_0.blend(hi, a21_0.compare(VectorOperators.GE, hi)).intoArray(tail, 21 * L);
        a22_0 = a22_0.add(b0);
        a22_0 = a22_0.blend(lo, a22_0.compare(VectorOperators.LE, lo));
        a22_0.blend(hi, a22_0.compare(VectorOperators.GE, hi)).intoArray(tail, 22 * L);
        a23_0 = a23_0.add(b0);
        a23_0 = a23_0.blend(lo, a23_0.compare(VectorOperators.LE, lo));
        a23_0.blend(hi, a23_0.compare(VectorOperators.GE, hi)).intoArray(tail, 23 * L);
    }
}
