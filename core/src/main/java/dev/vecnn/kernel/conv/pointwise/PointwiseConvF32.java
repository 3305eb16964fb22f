package dev.vecnn.kernel.conv.pointwise;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.kernel.conv.SlabIoF32;
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
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The 1x1 convolution (unit stride, no padding, any rank) in float as the plain GEMM it is, on the tensors as
 * they lie: per image and group, {@code out[o][p] = act(sum_i a[o][i] in[i][p] + bias[o])} over the positions p
 * of the dense spatial plane, {@code a} the packed weights. The register tile is {@link #MR} output channels by
 * three vectors of positions (24 accumulators; per input channel three vector loads of a row of {@code in} and
 * eight broadcasts of packed weights); the positions after the last whole tile one vector at a time, copied to
 * the heap first.
 * No slab and no packing of the input (but for that short tile); clamp activations (identity, ReLU, clip) are applied in the registers,
 * the others over the stored rows. Each output is one chain of multiply-adds in input-channel order
 * whatever the task cut: results do not depend on the threads.
 *
 * <p>Backward-data of the same convolution is this kernel with the weights transposed
 * ({@link #packBackwardData}): {@code gx[c][p] = sum_k w[k][c] gy[k][p]}.
 *
 * <p>GENERATED from core/src/template/PointwiseConv.java.in by dev.vecnn.codegen.KernelTemplates; edit the
 * template, not this file.
 */
final class PointwiseConvF32 {
    private PointwiseConvF32() {
    }

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Output channels of a register tile (rows of the packed weights). */
    static final int MR = 8;
    /** Positions of a whole register tile: three vectors. */
    static final int NR = 3 * L;
    private static final ValueLayout.OfFloat LAYOUT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final long ES = 4;
    private static final ByteOrder NO = ByteOrder.nativeOrder();
    private static final ElementwiseEngine ELEMENTWISE = ElementwiseKernels.defaults().engine(DType.F32);

    /** Output channels of the small-plane tile ({@link #smallPlane}): six rows of four vectors. */
    static final int MR_SMALL = 6;
    /** Input elements of a span of tiles ({@link #run}): 128 KB of float32, within L2. */
    private static final long SPAN_ELEMENTS = 1 << 15;

    /**
     * Whether a plane of this many positions is computed as one panel ({@link #tile6x4}): more than three
     * vectors and at most four (a 7x7 plane in float32). The 8 x 3-vector tile would take one whole tile and
     * a one-vector tail per block of channels.
     */
    static boolean smallPlane(long positions) {
        return positions > 3L * L && positions <= 4L * L;
    }

    /** Rows of the forward's packed weight blocks for planes of this many positions. */
    static int forwardRows(long positions) {
        return smallPlane(positions) ? MR_SMALL : MR;
    }

    /** Blocks of MR output channels per group. */
    static int blocks(int outPerGroup) {
        return blocks(outPerGroup, MR);
    }

    private static int blocks(int outPerGroup, int mr) {
        return (outPerGroup + mr - 1) / mr;
    }

    /** Elements of packed weights for {@code outPerGroup} outputs of {@code inPerGroup} inputs per group. */
    static int packedSize(int groups, int outPerGroup, int inPerGroup) {
        return packedSize(groups, outPerGroup, inPerGroup, MR);
    }

    /** As {@link #packedSize(int, int, int)}, in blocks of {@code mr} rows. */
    static int packedSize(int groups, int outPerGroup, int inPerGroup, int mr) {
        return groups * blocks(outPerGroup, mr) * inPerGroup * mr;
    }

    /**
     * The forward's weights in blocks of {@code mr} rows ({@link #forwardRows}):
     * {@code a[((gi blocks + b) cg + c) mr + r] = w[gi kg + b mr + r][c]}, 0 past kg.
     */
    static float[] packForward(ConvGeometry g, Tensor w, float[] a, Scratch s, int mr) {
        float[] flat = SlabIoF32.weightsOnHeap(g, w, s == null ? null : s.floats("pointwise.w", g.weightCount()));
        int blocks = blocks(g.kg, mr);
        Arrays.fill(a, 0, packedSize(g.groups, g.kg, g.cg, mr), 0);
        for (int gi = 0; gi < g.groups; gi++) {
            for (int k = 0; k < g.kg; k++) {
                int at = (gi * blocks + k / mr) * g.cg * mr + k % mr, from = (gi * g.kg + k) * g.cg;
                for (int c = 0; c < g.cg; c++) a[at + c * mr] = flat[from + c];
            }
        }
        return a;
    }

    /** Backward-data's weights, the transpose: {@code a[((gi blocks + b) kg + k) MR + r] = w[gi kg + k][b MR + r]}, 0 past cg. */
    static float[] packBackwardData(ConvGeometry g, Tensor w, float[] a, Scratch s) {
        float[] flat = SlabIoF32.weightsOnHeap(g, w, s == null ? null : s.floats("pointwise.w", g.weightCount()));
        int blocks = blocks(g.cg);
        Arrays.fill(a, 0, packedSize(g.groups, g.cg, g.kg), 0);
        for (int gi = 0; gi < g.groups; gi++) {
            for (int k = 0; k < g.kg; k++) {
                int from = (gi * g.kg + k) * g.cg;
                for (int c = 0; c < g.cg; c++) a[((gi * blocks + c / MR) * g.kg + k) * MR + c % MR] = flat[from + c];
            }
        }
        return a;
    }

    /**
     * {@code out[n][gi outG + o][p] = act(sum_i a.. in[n][gi inG + i][p] + bias[gi outG + o])} for every image,
     * group and position; {@code in} and {@code out} have dense spatial planes ({@link PointwiseConv#densePlane}).
     * The work of an (image, group) item is its (tile of NR positions, block of MR channels) units, span by span of
     * tiles (a span's input rows stay in cache for every block of weights), block by block within a span; where items leave threads
     * idle, each is cut into equal runs of units, about two tasks per thread. A unit is one whole register tile:
     * any cut gives the same bits.
     */
    static void run(long batch, int groups, int inG, int outG, long positions, Tensor in, float[] a, Tensor bias, Epilogue e, Tensor out,
                    Execution ex) {
        int blocks = blocks(outG);
        long tiles = (positions + NR - 1) / NR, units = tiles * blocks; // the last tile may be short
        // units run span by span (tiles whose input rows stay in L2), block by block within a span: each output
        // channel is written in runs of a span's positions, not of one tile's, by MR streams at a time rather than
        // by all outG (MobileNet-V2's 16 -> 96 expansion at 112x112 spent half its time in the stores)
        int spanTiles = (int) Math.max(1, Math.min(tiles, SPAN_ELEMENTS / ((long) inG * NR)));
        long spanUnits = (long) blocks * spanTiles;
        long items = batch * groups, want = 2L * ex.threads();
        int parts = (int) Math.max(1, Math.min(units, items >= want ? 1 : (want + items - 1) / items));
        boolean clamp = e.isRegisterClamp();
        float lo = clamp ? (float) e.clampLow() : Float.NEGATIVE_INFINITY, hi = clamp ? (float) e.clampHigh() : Float.POSITIVE_INFINITY;
        MemorySegment xs = in.segment(), ys = out.segment();
        long xcs = in.stride(1) * ES, ycs = out.stride(1) * ES;
        ex.forEach(Math.toIntExact(items * parts), (task, s) -> {
            int part = task % parts, gi = (int) (task / parts % groups);
            long n = task / parts / groups;
            long u0 = units * part / parts, u1 = units * (part + 1) / parts;
            float[] bv = s.floats("pointwise.bias", blocks * MR);
            Arrays.fill(bv, 0);
            if (bias != null) {
                for (int o = 0; o < outG; o++) bv[o] = bias.segment().get(LAYOUT, (bias.offset() + (gi * outG + o) * bias.stride(0)) * ES);
            }
            float[] tile = s.floats("pointwise.tile", MR * NR), xt = null;
            long x0 = (in.offset() + n * in.stride(0) + gi * inG * in.stride(1)) * ES;
            long y0 = (out.offset() + n * out.stride(0) + gi * outG * out.stride(1)) * ES;
            for (long u = u0; u < u1; u++) {
                long span = u / spanUnits, within = u % spanUnits, t0 = span * spanTiles;
                int inSpan = (int) Math.min(spanTiles, tiles - t0);
                long p = (t0 + within % inSpan) * NR, end = Math.min(positions, p + NR);
                int b = (int) (within / inSpan), ao = (gi * blocks + b) * inG * MR, rows = Math.min(MR, outG - b * MR);
                long yb = y0 + b * MR * ycs;
                if (end - p == NR) {
                    tile8x3(xs, x0 + p * ES, xcs, a, ao, inG, tile);
                    store(tile, 3, bv, b * MR, lo, hi, ys, yb + p * ES, ycs, rows);
                } else {
                    // the short last tile: its input copied once per task (the blocks follow one another)
                    if (xt == null) xt = copyTail(xs, x0 + p * ES, xcs, inG, (int) (end - p), s.floats("pointwise.tail", 3 * inG * L));
                    for (long q = p; q < end; q += L) {
                        int count = (int) Math.min(L, end - q);
                        tile8x1(xt, (int) (q - p) / L * inG * L, a, ao, inG, tile);
                        storeMasked(tile, bv, b * MR, lo, hi, ys, yb + q * ES, ycs, rows, count);
                    }
                }
                if (!clamp) {
                    for (int r = 0; r < rows; r++) {
                        long at = yb / ES + r * out.stride(1) + p;
                        ELEMENTWISE.activationForward(e, ys, at, ys, at, end - p, 0, false);
                    }
                }
            }
        }, in, bias, out);
    }

    /**
     * {@link #run} for planes of more than three vectors and at most four ({@link #smallPlane}), weights
     * packed in blocks of {@link #MR_SMALL}: per image and group the input channels are copied once to a
     * panel of four vectors per channel (the lanes past the plane hold what followed it: their sums are
     * never stored), and each block of six output channels is one {@link #tile6x4} over the whole plane.
     * Each output is the same chain of multiply-adds as in {@link #run}: the same bits.
     */
    static void runSmallPlane(long batch, int groups, int inG, int outG, long positions, Tensor in, float[] a, Tensor bias, Epilogue e,
                              Tensor out, Execution ex) {
        int blocks = blocks(outG, MR_SMALL), count = (int) positions;
        // a task per thread where items are few: each task copies its own panel
        long items = batch * groups, want = ex.threads();
        int parts = (int) Math.max(1, Math.min(blocks, items >= want ? 1 : (want + items - 1) / items));
        boolean clamp = e.isRegisterClamp();
        float lo = clamp ? (float) e.clampLow() : Float.NEGATIVE_INFINITY, hi = clamp ? (float) e.clampHigh() : Float.POSITIVE_INFINITY;
        MemorySegment xs = in.segment(), ys = out.segment();
        long xcs = in.stride(1) * ES, ycs = out.stride(1) * ES;
        VectorMask<Float> last = S.indexInRange(3 * L, count);
        ex.forEach(Math.toIntExact(items * parts), (task, s) -> {
            int part = task % parts, gi = (int) (task / parts % groups);
            long n = task / parts / groups;
            int b0 = blocks * part / parts, b1 = blocks * (part + 1) / parts;
            float[] panel = s.floats("pointwise.panel", inG * 4 * L);
            float[] tile = s.floats("pointwise.tile", MR_SMALL * 4 * L);
            long x0 = (in.offset() + n * in.stride(0) + gi * inG * in.stride(1)) * ES;
            long y0 = (out.offset() + n * out.stride(0) + gi * outG * out.stride(1)) * ES;
            for (int c = 0; c < inG; c++) {
                long from = x0 + c * xcs;
                if (from + 4 * L * ES <= xs.byteSize()) {
                    for (int v = 0; v < 4; v++) FloatVector.fromMemorySegment(S, xs, from + v * L * ES, NO).intoArray(panel, (c * 4 + v) * L);
                } else {
                    for (int i = 0; i < count; i++) panel[c * 4 * L + i] = xs.get(LAYOUT, from + i * ES);
                }
            }
            for (int b = b0; b < b1; b++) {
                int rows = Math.min(MR_SMALL, outG - b * MR_SMALL);
                tile6x4(panel, a, (gi * blocks + b) * inG * MR_SMALL, inG, tile);
                long yb = y0 + b * MR_SMALL * ycs;
                for (int r = 0; r < rows; r++) {
                    long yo = yb + r * ycs;
                    float bv = bias == null ? 0 : bias.segment().get(LAYOUT, (bias.offset() + (gi * outG + b * MR_SMALL + r) * bias.stride(0)) * ES);
                    for (int v = 0; v < 4; v++) {
                        FloatVector c = FloatVector.fromArray(S, tile, (r * 4 + v) * L).add(bv);
                        c = c.blend(lo, c.compare(VectorOperators.LE, lo));
                        c = c.blend(hi, c.compare(VectorOperators.GE, hi));
                        if (v < 3) c.intoMemorySegment(ys, yo + v * L * ES, NO);
                        else c.intoMemorySegment(ys, yo + 3 * L * ES, NO, last);
                    }
                    if (!clamp) ELEMENTWISE.activationForward(e, ys, yo / ES, ys, yo / ES, count, 0, false);
                }
            }
        }, in, bias, out);
    }

    /** Six output channels (packed weights from {@code a[ao]}) by four vectors of the panel's positions, left in {@code tile[(4 r + v) L ..]}. */
    private static void tile6x4(float[] x, float[] a, int ao, int cn, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        FloatVector c40 = c00, c41 = c00, c42 = c00, c43 = c00, c50 = c00, c51 = c00, c52 = c00, c53 = c00;
        for (int c = 0, xo = 0; c < cn; c++, xo += 4 * L, ao += MR_SMALL) {
            FloatVector x0 = FloatVector.fromArray(S, x, xo), x1 = FloatVector.fromArray(S, x, xo + L), x2 = FloatVector.fromArray(S, x, xo + 2 * L), x3 = FloatVector.fromArray(S, x, xo + 3 * L);
            FloatVector w = FloatVector.broadcast(S, a[ao]);
            c00 = x0.fma(w, c00);
            c01 = x1.fma(w, c01);
            c02 = x2.fma(w, c02);
            c03 = x3.fma(w, c03);
            w = FloatVector.broadcast(S, a[ao + 1]);
            c10 = x0.fma(w, c10);
            c11 = x1.fma(w, c11);
            c12 = x2.fma(w, c12);
            c13 = x3.fma(w, c13);
            w = FloatVector.broadcast(S, a[ao + 2]);
            c20 = x0.fma(w, c20);
            c21 = x1.fma(w, c21);
            c22 = x2.fma(w, c22);
            c23 = x3.fma(w, c23);
            w = FloatVector.broadcast(S, a[ao + 3]);
            c30 = x0.fma(w, c30);
            c31 = x1.fma(w, c31);
            c32 = x2.fma(w, c32);
            c33 = x3.fma(w, c33);
            w = FloatVector.broadcast(S, a[ao + 4]);
            c40 = x0.fma(w, c40);
            c41 = x1.fma(w, c41);
            c42 = x2.fma(w, c42);
            c43 = x3.fma(w, c43);
            w = FloatVector.broadcast(S, a[ao + 5]);
            c50 = x0.fma(w, c50);
            c51 = x1.fma(w, c51);
            c52 = x2.fma(w, c52);
            c53 = x3.fma(w, c53);
        }
        c00.intoArray(tile, 0 * L);
        c01.intoArray(tile, 1 * L);
        c02.intoArray(tile, 2 * L);
        c03.intoArray(tile, 3 * L);
        c10.intoArray(tile, 4 * L);
        c11.intoArray(tile, 5 * L);
        c12.intoArray(tile, 6 * L);
        c13.intoArray(tile, 7 * L);
        c20.intoArray(tile, 8 * L);
        c21.intoArray(tile, 9 * L);
        c22.intoArray(tile, 10 * L);
        c23.intoArray(tile, 11 * L);
        c30.intoArray(tile, 12 * L);
        c31.intoArray(tile, 13 * L);
        c32.intoArray(tile, 14 * L);
        c33.intoArray(tile, 15 * L);
        c40.intoArray(tile, 16 * L);
        c41.intoArray(tile, 17 * L);
        c42.intoArray(tile, 18 * L);
        c43.intoArray(tile, 19 * L);
        c50.intoArray(tile, 20 * L);
        c51.intoArray(tile, 21 * L);
        c52.intoArray(tile, 22 * L);
        c53.intoArray(tile, 23 * L);
    }

    /**
     * {@code xt[(j rows + c) L + i] = in row c at position j L + i} for the {@code count} positions of a short tile
     * (row c at byte offset {@code xo + c xcs}); lanes past them hold what follows in memory or 0, never stored.
     * Whole-vector loads where they stay inside the segment; the few rows at its end masked (a rare call, which
     * C2 leaves out of line: too slow to run per block).
     */
    private static float[] copyTail(MemorySegment x, long xo, long xcs, int rows, int count, float[] xt) {
        for (int j = 0, at = 0; j * L < count; j++) {
            VectorMask<Float> m = S.indexInRange(0, Math.min(L, count - j * L));
            long first = xo + j * L * ES;
            for (int c = 0; c < rows; c++, at += L) {
                long o = first + c * xcs;
                if (o + L * ES <= x.byteSize()) FloatVector.fromMemorySegment(S, x, o, NO).intoArray(xt, at);
                else FloatVector.fromMemorySegment(S, x, o, NO, m).intoArray(xt, at);
            }
        }
        return xt;
    }

    /**
     * The sums of a block of MR output channels (packed weights from {@code a[ao]}) at NR positions, {@code in}
     * rows from byte offset {@code xo}, {@code xcs} bytes apart, left in {@code tile[(3 r + v) L ..]} for
     * {@link #store}: with the bias, clamp and 24 stores here C2 ran out of inlining budget in the method and
     * called the vector operations of the last rows out of line, boxing them (33 GB in a minute of MobileNet-V2).
     */
    private static void tile8x3(MemorySegment x, long xo, long xcs, float[] a, int ao, int cn, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00, c20 = c00, c21 = c00, c22 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c40 = c00, c41 = c00, c42 = c00, c50 = c00, c51 = c00, c52 = c00;
        FloatVector c60 = c00, c61 = c00, c62 = c00, c70 = c00, c71 = c00, c72 = c00;
        for (int c = 0; c < cn; c++, xo += xcs, ao += MR) {
            FloatVector x0 = FloatVector.fromMemorySegment(S, x, xo, NO), x1 = FloatVector.fromMemorySegment(S, x, xo + L * ES, NO);
            FloatVector x2 = FloatVector.fromMemorySegment(S, x, xo + 2 * L * ES, NO), w;
            w = FloatVector.broadcast(S, a[ao]);
            c00 = x0.fma(w, c00);
            c01 = x1.fma(w, c01);
            c02 = x2.fma(w, c02);
            w = FloatVector.broadcast(S, a[ao + 1]);
            c10 = x0.fma(w, c10);
            c11 = x1.fma(w, c11);
            c12 = x2.fma(w, c12);
            w = FloatVector.broadcast(S, a[ao + 2]);
            c20 = x0.fma(w, c20);
            c21 = x1.fma(w, c21);
            c22 = x2.fma(w, c22);
            w = FloatVector.broadcast(S, a[ao + 3]);
            c30 = x0.fma(w, c30);
            c31 = x1.fma(w, c31);
            c32 = x2.fma(w, c32);
            w = FloatVector.broadcast(S, a[ao + 4]);
            c40 = x0.fma(w, c40);
            c41 = x1.fma(w, c41);
            c42 = x2.fma(w, c42);
            w = FloatVector.broadcast(S, a[ao + 5]);
            c50 = x0.fma(w, c50);
            c51 = x1.fma(w, c51);
            c52 = x2.fma(w, c52);
            w = FloatVector.broadcast(S, a[ao + 6]);
            c60 = x0.fma(w, c60);
            c61 = x1.fma(w, c61);
            c62 = x2.fma(w, c62);
            w = FloatVector.broadcast(S, a[ao + 7]);
            c70 = x0.fma(w, c70);
            c71 = x1.fma(w, c71);
            c72 = x2.fma(w, c72);
        }
        c00.intoArray(tile, 0 * L);
        c01.intoArray(tile, 1 * L);
        c02.intoArray(tile, 2 * L);
        c10.intoArray(tile, 3 * L);
        c11.intoArray(tile, 4 * L);
        c12.intoArray(tile, 5 * L);
        c20.intoArray(tile, 6 * L);
        c21.intoArray(tile, 7 * L);
        c22.intoArray(tile, 8 * L);
        c30.intoArray(tile, 9 * L);
        c31.intoArray(tile, 10 * L);
        c32.intoArray(tile, 11 * L);
        c40.intoArray(tile, 12 * L);
        c41.intoArray(tile, 13 * L);
        c42.intoArray(tile, 14 * L);
        c50.intoArray(tile, 15 * L);
        c51.intoArray(tile, 16 * L);
        c52.intoArray(tile, 17 * L);
        c60.intoArray(tile, 18 * L);
        c61.intoArray(tile, 19 * L);
        c62.intoArray(tile, 20 * L);
        c70.intoArray(tile, 21 * L);
        c71.intoArray(tile, 22 * L);
        c72.intoArray(tile, 23 * L);
    }

    /** {@link #tile8x3} on one vector of positions copied by {@link #copyTail} (from {@code xt[xo]}), the sums left in {@code tile[r L ..]}. */
    private static void tile8x1(float[] xt, int xo, float[] a, int ao, int cn, float[] tile) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        for (int c = 0; c < cn; c++, xo += L, ao += MR) {
            FloatVector v = FloatVector.fromArray(S, xt, xo);
            c0 = v.fma(FloatVector.broadcast(S, a[ao]), c0);
            c1 = v.fma(FloatVector.broadcast(S, a[ao + 1]), c1);
            c2 = v.fma(FloatVector.broadcast(S, a[ao + 2]), c2);
            c3 = v.fma(FloatVector.broadcast(S, a[ao + 3]), c3);
            c4 = v.fma(FloatVector.broadcast(S, a[ao + 4]), c4);
            c5 = v.fma(FloatVector.broadcast(S, a[ao + 5]), c5);
            c6 = v.fma(FloatVector.broadcast(S, a[ao + 6]), c6);
            c7 = v.fma(FloatVector.broadcast(S, a[ao + 7]), c7);
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, L);
        c2.intoArray(tile, 2 * L);
        c3.intoArray(tile, 3 * L);
        c4.intoArray(tile, 4 * L);
        c5.intoArray(tile, 5 * L);
        c6.intoArray(tile, 6 * L);
        c7.intoArray(tile, 7 * L);
    }

    /** Rows [0, rows) of {@code tile} (rows {@code vectors} vectors long) plus bias, clamped to [lo, hi], to byte offset yo, rows ycs apart. */
    private static void store(float[] tile, int vectors, float[] bias, int bo, float lo, float hi, MemorySegment y, long yo, long ycs, int rows) {
        for (int r = 0; r < rows; r++, yo += ycs) {
            float b = bias[bo + r];
            for (int v = 0; v < vectors; v++) {
                FloatVector c = FloatVector.fromArray(S, tile, (r * vectors + v) * L).add(b);
                c = c.blend(lo, c.compare(VectorOperators.LE, lo));
                c.blend(hi, c.compare(VectorOperators.GE, hi)).intoMemorySegment(y, yo + v * L * ES, NO);
            }
        }
    }

    /** {@link #store} of one vector, its first {@code count} lanes. */
    private static void storeMasked(float[] tile, float[] bias, int bo, float lo, float hi, MemorySegment y, long yo, long ycs, int rows,
                                    int count) {
        VectorMask<Float> m = S.indexInRange(0, count);
        for (int r = 0; r < rows; r++, yo += ycs) {
            FloatVector c = FloatVector.fromArray(S, tile, r * L).add(bias[bo + r]);
            c = c.blend(lo, c.compare(VectorOperators.LE, lo));
            c.blend(hi, c.compare(VectorOperators.GE, hi)).intoMemorySegment(y, yo, NO, m);
        }
    }
}
