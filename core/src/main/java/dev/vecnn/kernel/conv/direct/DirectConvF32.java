package dev.vecnn.kernel.conv.direct;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.kernel.conv.PhaseSlab;
import dev.vecnn.kernel.conv.SlabExactF32;
import dev.vecnn.kernel.conv.SlabIoF32;
import dev.vecnn.kernel.conv.SlabRowsF32;
import dev.vecnn.kernel.elementwise.ElementwiseEngine;
import dev.vecnn.kernel.elementwise.ElementwiseKernels;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Direct forward convolution in float for few output or few input channels per group (the lecture's RGB
 * image and two filters; a first layer on single-channel data), where GEMM tiles would be mostly padding
 * or a GEMM's reduction only the taps: {@code Y_k[p] = sum_c sum_t w[k,c,t] X_c[p + off_t]} on the padded
 * slab grid, eight output channels by three vectors per step with 512-bit vectors (else, and for the last
 * channels, four or two channels by two vectors), each input vector loaded once for every channel of the step.
 * Where the output rows cut into vectors waste no more lanes than the grid ({@link RowVectors}), the passes of
 * eight channels walk the rows' vectors instead and store straight into the output, and backward-weights
 * walks gy's rows (copied, padded to whole vectors) instead of gy laid on the grid.
 *
 * <p>GENERATED from core/src/template/DirectConv.java.in by dev.vecnn.codegen.KernelTemplates; edit the
 * template, not this file.
 */
final class DirectConvF32 {
    private DirectConvF32() {
    }

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    private static final int STEP = 2 * L;
    /** Positions per step of the eight-channel pass: three vectors. */
    private static final int STEP8 = 3 * L;
    /**
     * Whether the 24-accumulator tiles run (eight channels by three vectors forward, four channels by six steps
     * in backward-weights): with 512-bit vectors, whose ISA (AVX-512) has 32 vector registers; at narrower widths
     * they would spill AVX2's 16, and the eight-accumulator tiles run instead.
     */
    private static final boolean WIDE = S.vectorBitSize() >= 512;
    private static final ValueLayout.OfFloat LAYOUT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final long ES = 4;
    private static final ByteOrder NO = ByteOrder.nativeOrder();
    private static final ElementwiseEngine ELEMENTWISE = ElementwiseKernels.defaults().engine(DType.F32);

    static void forward(ConvGeometry g, Tensor big, Tensor w, Tensor bias, Epilogue e, Tensor small, Execution ex) {
        PhaseSlab slab = new PhaseSlab(g, 0, (int) g.small[0], false, true);
        long[] last = new long[g.rank];
        for (int d = 0; d < g.rank; d++) last[d] = g.small[d] - 1;
        int span = slab.windowStart(last) + 1;
        int red = g.cg * g.taps;
        int[] off = new int[red]; // slab offset of each (channel, tap)
        for (int c = 0; c < g.cg; c++) for (int t = 0; t < g.taps; t++) off[c * g.taps + t] = c * slab.channelStride + slab.tapOffset[t];
        long[] smallStride = SlabIoF32.spatialStrides(small);
        int slabLen = g.cg * slab.channelStride + slab.tapOffset[g.taps - 1] + STEP8;
        // output channels split into parts (multiples of a pass) when images and groups alone leave threads idle;
        // each output is one correlation whatever the split and the pass, so results do not depend on them
        long units = g.batch * g.groups;
        int unit = WIDE && g.kg >= 8 ? 8 : 4;
        int parts = (int) Math.max(1, Math.min(ceilDiv(g.kg, unit), ceilDiv(2L * ex.threads(), units)));
        int perPart = ceilDiv(ceilDiv(g.kg, parts), unit) * unit;
        int partCount = ceilDiv(g.kg, perPart);
        int grids = unit == 8 ? 8 : g.kg >= 3 ? 4 : 2; // output grids of the widest pass a task runs
        RowVectors rv = unit == 8 ? RowVectors.of(g, slab, small, smallStride, span, true) : null;
        boolean clamp = e.isRegisterClamp();
        float lo = clamp ? (float) e.clampLow() : Float.NEGATIVE_INFINITY, hi = clamp ? (float) e.clampHigh() : Float.POSITIVE_INFINITY;
        ex.forEach(Math.toIntExact(units * partCount), (task, s) -> {
            int part = task % partCount;
            int gi = task / partCount % g.groups;
            long n = task / partCount / g.groups;
            float[] x = s.floats("direct.slab", slabLen);
            java.util.Arrays.fill(x, g.cg * slab.channelStride, slabLen, 0);
            SlabRowsF32.fillSlab(g, big, n, gi * g.cg, g.cg, slab, x, s);
            float[][] ys = new float[grids][];
            for (int i = 0; i < grids; i++) ys[i] = s.floats(GRIDS[i], span + STEP8);
            float[] w8 = s.floats("direct.w8", grids * red);
            // eight output channels by three vectors per pass (24 accumulators: per step three input vectors and
            // eight broadcasts) when WIDE; else, and for a last four or pair, two vectors
            int end = Math.min(g.kg, (part + 1) * perPart);
            for (int j = part * perPart; j < end; ) {
                int k0 = gi * g.kg + j, count = grids == 8 && end - j >= 8 ? 8 : end - j >= 3 ? 4 : 2, real = Math.min(count, end - j);
                java.util.Arrays.fill(w8, 0, count * red, 0);
                for (int i = 0; i < real; i++) weights(g, w, k0 + i, w8, i, count);
                if (count == 8 && rv != null) {
                    long y0 = small.offset() + n * small.stride(0) + k0 * small.stride(1);
                    rowTiles(rv, x, w8, off, red, bias, k0, real, lo, hi, s.floats("direct.bias", 8), s.floats("direct.tile", 24 * L), small.segment(), y0, small.stride(1));
                    if (!clamp) {
                        for (int i = 0; i < real; i++) rv.activate(e, small.segment(), y0 + i * small.stride(1));
                    }
                    j += real;
                    continue;
                }
                if (count == 8) correlate8(x, w8, off, red, ys, span);
                else if (count == 4) correlate4(x, w8, off, red, ys[0], ys[1], ys[2], ys[3], span);
                else correlate2(x, w8, off, red, ys[0], ys[1], span);
                for (int i = 0; i < real; i++) SlabIoF32.storeFromGrid(g, slab, ys[i], span, small, n, k0 + i, bias, e, smallStride);
                j += real;
            }
        }, big, w, bias, small);
    }

    /**
     * The small grid's rows cut into vectors along the last dimension, for stores straight into the output (no
     * grid, no copy): each vector's window start on the slab and its element offset in an output channel. A row
     * longer than a vector ends with a vector that overlaps its neighbour (the same values stored twice); a row
     * shorter than a vector is one masked vector. Backward-weights reads gy's rows padded with zeros to whole
     * vectors instead ({@code paddedStart}: each such vector's window start; no overlap, which would count a
     * position twice). Taken where the share of useful lanes is at least the forward grid's (its span of window
     * starts in steps of three vectors), with unit steps along the rows in the slab, and, for {@code stores}
     * (forward), in the output: forward's sums do not depend on the path, but backward-weights' lanes do, so
     * its choice must not depend on the layout. {@code dense}: rows of whole vectors, contiguous in each
     * channel; {@code lastStride}: the tensor's element stride along the rows.
     */
    record RowVectors(int[] start, long[] dst, int count, long[] rowDst, int rowLen, int[] paddedStart, boolean dense, long lastStride) {
        static RowVectors of(ConvGeometry g, PhaseSlab slab, Tensor small, long[] smallStride, int span, boolean stores) {
            int last = g.rank - 1;
            if (slab.step(last) != 1 || stores && smallStride[last] != 1) return null;
            int rowLen = (int) g.small[last];
            int per = (rowLen + L - 1) / L;
            long rows = g.smallCount() / rowLen;
            // useful lanes: rows against the grid's positions (span, in steps of three vectors)
            long gridLanes = (span + STEP8 - 1) / STEP8 * (long) STEP8;
            if ((double) rowLen / (per * L) < (double) g.smallCount() / gridLanes || rows * per > Integer.MAX_VALUE) return null;
            int n = (int) (rows * per);
            int[] start = new int[n];
            long[] dst = new long[n], rowDst = new long[(int) rows];
            long[] o = new long[g.rank];
            for (int r = 0, i = 0; r < rows; r++) {
                long d = 0;
                for (int k = 0; k < last; k++) d += o[k] * smallStride[k];
                int w = slab.windowStart(o);
                rowDst[r] = d;
                for (int v = 0; v < per; v++, i++) {
                    int at = rowLen < L ? 0 : Math.min(v * L, rowLen - L);
                    start[i] = w + at;
                    dst[i] = d + at;
                }
                for (int k = last - 1; k >= 0; k--) {
                    if (++o[k] < g.small[k]) break;
                    o[k] = 0;
                }
            }
            int[] paddedStart = new int[n];
            boolean dense = per * L == rowLen && smallStride[last] == 1;
            for (int r = 0, i = 0; r < rows; r++) {
                dense &= rowDst[r] == (long) r * rowLen;
                for (int v = 0; v < per; v++, i++) paddedStart[i] = start[r * per] + v * L;
            }
            return new RowVectors(start, dst, Math.min(rowLen, L), rowDst, rowLen, paddedStart, dense, smallStride[last]);
        }

        /** Vectors of the rows laid end to end, each row padded with zeros to whole vectors. */
        int padded() {
            return paddedStart.length;
        }

        /**
         * Small channel k of image n into {@code buf[at...]}, rows padded with zeros to whole vectors
         * ({@link #padded()} vectors): one bulk copy when the rows are whole vectors and contiguous ({@link #dense}).
         */
        void copyPadded(Tensor small, long n, int k, float[] buf, int at) {
            long chan = small.offset() + n * small.stride(0) + k * small.stride(1);
            int pitch = (rowLen + L - 1) / L * L;
            MemorySegment seg = small.segment();
            if (dense) {
                MemorySegment.copy(seg, LAYOUT, chan * ES, buf, at, rowDst.length * rowLen);
                return;
            }
            for (int r = 0; r < rowDst.length; r++) {
                long from = chan + rowDst[r];
                if (lastStride == 1) MemorySegment.copy(seg, LAYOUT, from * ES, buf, at + r * pitch, rowLen);
                else for (int x = 0; x < rowLen; x++) buf[at + r * pitch + x] = seg.get(LAYOUT, (from + x * lastStride) * ES);
                java.util.Arrays.fill(buf, at + r * pitch + rowLen, at + (r + 1) * pitch, 0);
            }
        }

        /** The activation over every row of the output channel at element offset {@code chan}. */
        void activate(Epilogue e, MemorySegment y, long chan) {
            for (long d : rowDst) ELEMENTWISE.activationForward(e, y, chan + d, y, chan + d, rowLen, 0, false);
        }
    }

    /**
     * Output channels [k0, k0 + real) of one image over every row vector, three vectors per tile (a last short
     * tile repeats its last vector): eight channels by three vectors of multiply-adds into {@code tile}, then the
     * bias, the clamp to [lo, hi] and the stores to {@code y} (channel i at element offset {@code y0 + i ycs}).
     */
    private static void rowTiles(RowVectors rv, float[] x, float[] w8, int[] off, int red, Tensor bias, int k0, int real, float lo,
                                 float hi, float[] bv, float[] tile, MemorySegment y, long y0, long ycs) {
        java.util.Arrays.fill(bv, 0);
        if (bias != null) {
            for (int i = 0; i < real; i++) bv[i] = bias.segment().get(LAYOUT, (bias.offset() + (k0 + i) * bias.stride(0)) * ES);
        }
        int n = rv.start.length, last = n - 1;
        boolean masked = rv.count < L;
        for (int j = 0; j < n; j += 3) {
            int j1 = Math.min(j + 1, last), j2 = Math.min(j + 2, last);
            correlate8rows(x, w8, off, red, rv.start[j], rv.start[j1], rv.start[j2], tile);
            if (masked) storeTileMasked(tile, real, bv, lo, hi, y, y0, ycs, rv.dst[j], rv.dst[j1], rv.dst[j2], rv.count);
            else storeTile(tile, real, bv, lo, hi, y, y0, ycs, rv.dst[j], rv.dst[j1], rv.dst[j2]);
        }
    }

    /** Tile row (channel i, vector v) plus bias, clamped, to element {@code y0 + i ycs + d_v}. */
    private static void storeTile(float[] tile, int real, float[] bv, float lo, float hi, MemorySegment y, long y0, long ycs, long d0, long d1,
                                  long d2) {
        for (int i = 0; i < real; i++) {
            long at = (y0 + i * ycs) * ES;
            for (int v = 0; v < 3; v++) {
                FloatVector c = FloatVector.fromArray(S, tile, (3 * i + v) * L).add(bv[i]);
                c = c.blend(lo, c.compare(VectorOperators.LE, lo));
                c.blend(hi, c.compare(VectorOperators.GE, hi)).intoMemorySegment(y, at + (v == 0 ? d0 : v == 1 ? d1 : d2) * ES, NO);
            }
        }
    }

    /** {@link #storeTile} of rows shorter than a vector: their first {@code count} lanes. */
    private static void storeTileMasked(float[] tile, int real, float[] bv, float lo, float hi, MemorySegment y, long y0, long ycs, long d0,
                                        long d1, long d2, int count) {
        VectorMask<Float> m = S.indexInRange(0, count);
        for (int i = 0; i < real; i++) {
            long at = (y0 + i * ycs) * ES;
            for (int v = 0; v < 3; v++) {
                FloatVector c = FloatVector.fromArray(S, tile, (3 * i + v) * L).add(bv[i]);
                c = c.blend(lo, c.compare(VectorOperators.LE, lo));
                c.blend(hi, c.compare(VectorOperators.GE, hi)).intoMemorySegment(y, at + (v == 0 ? d0 : v == 1 ? d1 : d2) * ES, NO, m);
            }
        }
    }

    /**
     * {@link #correlate8} at three vectors of window starts q0, q1, q2 (anywhere on the slab):
     * {@code tile[(3i + v) L + l] = sum_r w[8r + i] x[q_v + l + off[r]]}. Multiply-adds only: the epilogue in the
     * same method made C2 run out of inlining budget and box the last vectors.
     */
    private static void correlate8rows(float[] x, float[] w, int[] off, int red, int q0, int q1, int q2, float[] tile) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, b0 = a0, b1 = a0, b2 = a0, c0 = a0, c1 = a0, c2 = a0, d0 = a0, d1 = a0, d2 = a0;
        FloatVector e0 = a0, e1 = a0, e2 = a0, f0 = a0, f1 = a0, f2 = a0, g0 = a0, g1 = a0, g2 = a0, h0 = a0, h1 = a0, h2 = a0;
        for (int r = 0; r < red; r++) {
            int o = off[r], v = 8 * r;
            FloatVector x0 = FloatVector.fromArray(S, x, q0 + o);
            FloatVector x1 = FloatVector.fromArray(S, x, q1 + o);
            FloatVector x2 = FloatVector.fromArray(S, x, q2 + o);
            FloatVector u = FloatVector.broadcast(S, w[v]);
            a0 = u.fma(x0, a0);
            a1 = u.fma(x1, a1);
            a2 = u.fma(x2, a2);
            u = FloatVector.broadcast(S, w[v + 1]);
            b0 = u.fma(x0, b0);
            b1 = u.fma(x1, b1);
            b2 = u.fma(x2, b2);
            u = FloatVector.broadcast(S, w[v + 2]);
            c0 = u.fma(x0, c0);
            c1 = u.fma(x1, c1);
            c2 = u.fma(x2, c2);
            u = FloatVector.broadcast(S, w[v + 3]);
            d0 = u.fma(x0, d0);
            d1 = u.fma(x1, d1);
            d2 = u.fma(x2, d2);
            u = FloatVector.broadcast(S, w[v + 4]);
            e0 = u.fma(x0, e0);
            e1 = u.fma(x1, e1);
            e2 = u.fma(x2, e2);
            u = FloatVector.broadcast(S, w[v + 5]);
            f0 = u.fma(x0, f0);
            f1 = u.fma(x1, f1);
            f2 = u.fma(x2, f2);
            u = FloatVector.broadcast(S, w[v + 6]);
            g0 = u.fma(x0, g0);
            g1 = u.fma(x1, g1);
            g2 = u.fma(x2, g2);
            u = FloatVector.broadcast(S, w[v + 7]);
            h0 = u.fma(x0, h0);
            h1 = u.fma(x1, h1);
            h2 = u.fma(x2, h2);
        }
        a0.intoArray(tile, 0);
        a1.intoArray(tile, L);
        a2.intoArray(tile, 2 * L);
        b0.intoArray(tile, 3 * L);
        b1.intoArray(tile, 4 * L);
        b2.intoArray(tile, 5 * L);
        c0.intoArray(tile, 6 * L);
        c1.intoArray(tile, 7 * L);
        c2.intoArray(tile, 8 * L);
        d0.intoArray(tile, 9 * L);
        d1.intoArray(tile, 10 * L);
        d2.intoArray(tile, 11 * L);
        e0.intoArray(tile, 12 * L);
        e1.intoArray(tile, 13 * L);
        e2.intoArray(tile, 14 * L);
        f0.intoArray(tile, 15 * L);
        f1.intoArray(tile, 16 * L);
        f2.intoArray(tile, 17 * L);
        g0.intoArray(tile, 18 * L);
        g1.intoArray(tile, 19 * L);
        g2.intoArray(tile, 20 * L);
        h0.intoArray(tile, 21 * L);
        h1.intoArray(tile, 22 * L);
        h2.intoArray(tile, 23 * L);
    }

    /** Scratch names of the eight output grids. */
    private static final String[] GRIDS = {"direct.y0", "direct.y1", "direct.y2", "direct.y3", "direct.y4", "direct.y5", "direct.y6", "direct.y7"};

    /** Image chunks of backward-weights: a fixed count, so that the sums' order does not depend on the threads. */
    private static final int WEIGHT_CHUNKS = 8;

    /**
     * Backward-weights {@code GW[k,c,t] = sum_n sum_p G_k[p] X_c[p + off_t]}: gy laid on the slab grid at
     * the window starts (zero elsewhere), four output channels by six reduction steps (two below 512 bits) per
     * pass over a piece of the grid that stays in L1 (24 accumulators; each gy vector loaded once for six
     * steps, each x vector once for four channels), the lanes kept across the images of a chunk. The batch is
     * cut into a fixed number of chunks ({@link #WEIGHT_CHUNKS}, tasks with every output channel of a group),
     * whose partial sums are added in chunk order: results do not depend on threads. With 512-bit vectors and
     * {@link RowVectors} (chosen from the spec alone, so that every layout sums in one order) gy's rows are
     * walked instead of the grid: each vector's lanes against x at its window start ({@link #dot4x6rows}). A
     * slab with a non-finite value takes an exact loop over the real positions (0 * inf between the windows, or
     * in gy's padding, must not add a NaN).
     */
    static void weightGrad(ConvGeometry g, Tensor big, Tensor small, Tensor gw, Execution ex) {
        PhaseSlab slab = new PhaseSlab(g, 0, (int) g.small[0], false, true);
        long[] last = new long[g.rank];
        for (int d = 0; d < g.rank; d++) last[d] = g.small[d] - 1;
        int span = slab.windowStart(last) + 1;
        int gridLen = ceilDiv(span, L) * L;
        int red = g.cg * g.taps;
        int[] off = new int[red];
        for (int c = 0; c < g.cg; c++) for (int t = 0; t < g.taps; t++) off[c * g.taps + t] = c * slab.channelStride + slab.tapOffset[t];
        // the offsets of the steps of a last partial group: the last real step again
        int[] steps = java.util.Arrays.copyOf(off, red + STEPS - 1);
        java.util.Arrays.fill(steps, red, steps.length, off[red - 1]);
        int slabLen = g.cg * slab.channelStride + slab.tapOffset[g.taps - 1] + gridLen + STEP;
        int quads = ceilDiv(g.kg, 4);
        // a quad's lanes: four channels by every reduction step, and spare steps for a last partial group
        int quadLanes = (red + STEPS - 1) * 4 * L;
        int chunks = (int) Math.min(g.batch, WEIGHT_CHUNKS);
        int perGroup = g.kg * red;
        // partial sums per (group, chunk), then added in chunk order
        double[] partial = new double[Math.toIntExact((long) g.groups * chunks * perGroup)];
        long[] smallStride = SlabIoF32.spatialStrides(small);
        // chosen from the spec alone (gy read with any strides): every layout sums in the same order
        RowVectors rv = WIDE ? RowVectors.of(g, slab, small, smallStride, span, false) : null;
        int rvLen = rv == null ? 0 : rv.padded() * L;
        ex.forEach(g.groups * chunks, (task, s) -> {
            int gi = task / chunks, chunk = task % chunks;
            long n0 = g.batch * chunk / chunks, n1 = g.batch * (chunk + 1) / chunks;
            float[] x = s.floats("direct.slab", slabLen);
            float[] gy = s.floats("direct.gy", 4 * gridLen + STEP);
            float[] lanes = s.floats("direct.lanes", quads * quadLanes);
            double[] exact = s.doubles("direct.exact", g.kg * red);
            java.util.Arrays.fill(lanes, 0, quads * quadLanes, 0);
            java.util.Arrays.fill(exact, 0, g.kg * red, 0);
            for (long n = n0; n < n1; n++) {
                java.util.Arrays.fill(x, g.cg * slab.channelStride, slabLen, 0);
                SlabRowsF32.fillSlab(g, big, n, gi * g.cg, g.cg, slab, x, s);
                boolean finite = SlabExactF32.finite(x, g.cg * slab.channelStride);
                for (int q = 0; q < quads; q++) {
                    int j0 = q * 4, kn = Math.min(4, g.kg - j0), k0 = gi * g.kg + j0;
                    // copySmall zeroes its kn channels' grids; channels past kn stay zero: their sums are computed and dropped
                    if (rv != null && finite) {
                        // the rows of gy as they lie (vectors padded with zeros), x read at each vector's window start
                        float[] gr = s.floats("direct.gyrows", 4 * rvLen);
                        for (int i = 0; i < 4; i++) {
                            if (i < kn) rv.copyPadded(small, n, k0 + i, gr, i * rvLen);
                            else java.util.Arrays.fill(gr, i * rvLen, (i + 1) * rvLen, 0);
                        }
                        for (int j0v = 0; j0v < rv.padded(); j0v += PIECE / L) {
                            int j1v = Math.min(rv.padded(), j0v + PIECE / L);
                            for (int r = 0; r < red; r += STEPS) dot4x6rows(gr, rvLen, x, steps, r, lanes, q * quadLanes + r * 4 * L, rv.paddedStart, j0v, j1v);
                        }
                        continue;
                    }
                    if (kn < 4) java.util.Arrays.fill(gy, kn * gridLen, 4 * gridLen + STEP, 0);
                    SlabIoF32.copySmall(g, small, n, k0, kn, slab, gy, gridLen, 0, STEP);
                    if (!finite) {
                        for (int i = 0; i < kn; i++) {
                            for (int r = 0; r < red; r++) exact[(j0 + i) * red + r] += SlabExactF32.exactDot(g, slab, gy, i * gridLen, x, off[r]);
                        }
                        continue;
                    }
                    // the grid in pieces that stay in L1 with a step group's inputs, every group per piece (each lane's
                    // sum still runs over the positions in order); a last partial group repeats its last step, whose
                    // copies land in the quad's spare steps and are dropped
                    for (int p0 = 0; p0 < gridLen; p0 += PIECE) {
                        int p1 = Math.min(gridLen, p0 + PIECE);
                        for (int r = 0; r < red; r += STEPS) {
                            if (WIDE) dot4x6(gy, gridLen, x, steps, r, lanes, q * quadLanes + r * 4 * L, p0, p1);
                            else dot4x2(gy, gridLen, x, steps[r], steps[r + 1], lanes, q * quadLanes + r * 4 * L, p0, p1);
                        }
                    }
                }
            }
            for (int j = 0; j < g.kg; j++) {
                for (int r = 0; r < red; r++) {
                    int q = j / 4, i = j % 4;
                    double sum = exact[j * red + r];
                    for (int l = 0, at = q * quadLanes + (r * 4 + i) * L; l < L; l++) sum += lanes[at + l];
                    partial[(gi * chunks + chunk) * perGroup + j * red + r] = sum;
                }
            }
        }, big, small, gw);
        for (int gi = 0; gi < g.groups; gi++) {
            for (int j = 0; j < g.kg; j++) {
                for (int r = 0; r < red; r++) {
                    double sum = 0;
                    for (int chunk = 0; chunk < chunks; chunk++) sum += partial[(gi * chunks + chunk) * perGroup + j * red + r];
                    int c = r / g.taps, t = r % g.taps;
                    long o = gw.offset() + (gi * g.kg + j) * gw.stride(0) + c * gw.stride(1);
                    for (int d = 0; d < g.rank; d++) o += g.tap[t][d] * gw.stride(2 + d);
                    gw.segment().set(LAYOUT, o * ES, (float) sum);
                }
            }
        }
    }

    /** Reduction steps per pass of backward-weights, by four channels: six (24 accumulators) when WIDE, else two. */
    private static final int STEPS = WIDE ? 6 : 2;
    /** Grid positions per piece: four gy channels and the steps' inputs stay in L1 (4 KB per gy channel at 512 bits). */
    private static final int PIECE = 64 * L;

    /**
     * Adds {@code sum_p gy[i len + p] x[off_j + p]} over p in [p0, p1), lane by lane, to the lanes of (step
     * r + j, channel i) at {@code lanes[at + (j * 4 + i) * L]}, i < 4, j < 2 (steps r and r + 1 of a quad
     * lie {@code 4 L} apart).
     */
    private static void dot4x2(float[] gy, int len, float[] x, int off0, int off1, float[] lanes, int at, int p0, int p1) {
        int at1 = at + 4 * L;
        FloatVector a0 = FloatVector.fromArray(S, lanes, at), b0 = FloatVector.fromArray(S, lanes, at + L);
        FloatVector c0 = FloatVector.fromArray(S, lanes, at + 2 * L), d0 = FloatVector.fromArray(S, lanes, at + 3 * L);
        FloatVector a1 = FloatVector.fromArray(S, lanes, at1), b1 = FloatVector.fromArray(S, lanes, at1 + L);
        FloatVector c1 = FloatVector.fromArray(S, lanes, at1 + 2 * L), d1 = FloatVector.fromArray(S, lanes, at1 + 3 * L);
        for (int p = p0; p < p1; p += L) {
            FloatVector x0 = FloatVector.fromArray(S, x, off0 + p), x1 = FloatVector.fromArray(S, x, off1 + p);
            FloatVector u = FloatVector.fromArray(S, gy, p);
            a0 = u.fma(x0, a0);
            a1 = u.fma(x1, a1);
            u = FloatVector.fromArray(S, gy, len + p);
            b0 = u.fma(x0, b0);
            b1 = u.fma(x1, b1);
            u = FloatVector.fromArray(S, gy, 2 * len + p);
            c0 = u.fma(x0, c0);
            c1 = u.fma(x1, c1);
            u = FloatVector.fromArray(S, gy, 3 * len + p);
            d0 = u.fma(x0, d0);
            d1 = u.fma(x1, d1);
        }
        a0.intoArray(lanes, at);
        b0.intoArray(lanes, at + L);
        c0.intoArray(lanes, at + 2 * L);
        d0.intoArray(lanes, at + 3 * L);
        a1.intoArray(lanes, at1);
        b1.intoArray(lanes, at1 + L);
        c1.intoArray(lanes, at1 + 2 * L);
        d1.intoArray(lanes, at1 + 3 * L);
    }

    /**
     * Adds {@code sum_p gy[i len + p] x[o[r + j] + p]} over p in [p0, p1), lane by lane, to the lanes of (step
     * r + j, channel i) at {@code lanes[at + (j * 4 + i) * L]}, i < 4, j < 6: per vector of positions four gy and
     * six x loads for 24 multiply-adds.
     */
    private static void dot4x6(float[] gy, int len, float[] x, int[] o, int r, float[] lanes, int at, int p0, int p1) {
        int o0 = o[r], o1 = o[r + 1], o2 = o[r + 2], o3 = o[r + 3], o4 = o[r + 4], o5 = o[r + 5];
        int s0 = at, s1 = at + 4 * L, s2 = at + 8 * L, s3 = at + 12 * L, s4 = at + 16 * L, s5 = at + 20 * L;
        FloatVector a0 = FloatVector.fromArray(S, lanes, s0), b0 = FloatVector.fromArray(S, lanes, s0 + L), c0 = FloatVector.fromArray(S, lanes, s0 + 2 * L), d0 = FloatVector.fromArray(S, lanes, s0 + 3 * L);
        FloatVector a1 = FloatVector.fromArray(S, lanes, s1), b1 = FloatVector.fromArray(S, lanes, s1 + L), c1 = FloatVector.fromArray(S, lanes, s1 + 2 * L), d1 = FloatVector.fromArray(S, lanes, s1 + 3 * L);
        FloatVector a2 = FloatVector.fromArray(S, lanes, s2), b2 = FloatVector.fromArray(S, lanes, s2 + L), c2 = FloatVector.fromArray(S, lanes, s2 + 2 * L), d2 = FloatVector.fromArray(S, lanes, s2 + 3 * L);
        FloatVector a3 = FloatVector.fromArray(S, lanes, s3), b3 = FloatVector.fromArray(S, lanes, s3 + L), c3 = FloatVector.fromArray(S, lanes, s3 + 2 * L), d3 = FloatVector.fromArray(S, lanes, s3 + 3 * L);
        FloatVector a4 = FloatVector.fromArray(S, lanes, s4), b4 = FloatVector.fromArray(S, lanes, s4 + L), c4 = FloatVector.fromArray(S, lanes, s4 + 2 * L), d4 = FloatVector.fromArray(S, lanes, s4 + 3 * L);
        FloatVector a5 = FloatVector.fromArray(S, lanes, s5), b5 = FloatVector.fromArray(S, lanes, s5 + L), c5 = FloatVector.fromArray(S, lanes, s5 + 2 * L), d5 = FloatVector.fromArray(S, lanes, s5 + 3 * L);
        for (int p = p0; p < p1; p += L) {
            FloatVector x0 = FloatVector.fromArray(S, x, o0 + p), x1 = FloatVector.fromArray(S, x, o1 + p), x2 = FloatVector.fromArray(S, x, o2 + p);
            FloatVector x3 = FloatVector.fromArray(S, x, o3 + p), x4 = FloatVector.fromArray(S, x, o4 + p), x5 = FloatVector.fromArray(S, x, o5 + p);
            FloatVector u = FloatVector.fromArray(S, gy, p);
            a0 = u.fma(x0, a0);
            a1 = u.fma(x1, a1);
            a2 = u.fma(x2, a2);
            a3 = u.fma(x3, a3);
            a4 = u.fma(x4, a4);
            a5 = u.fma(x5, a5);
            u = FloatVector.fromArray(S, gy, len + p);
            b0 = u.fma(x0, b0);
            b1 = u.fma(x1, b1);
            b2 = u.fma(x2, b2);
            b3 = u.fma(x3, b3);
            b4 = u.fma(x4, b4);
            b5 = u.fma(x5, b5);
            u = FloatVector.fromArray(S, gy, 2 * len + p);
            c0 = u.fma(x0, c0);
            c1 = u.fma(x1, c1);
            c2 = u.fma(x2, c2);
            c3 = u.fma(x3, c3);
            c4 = u.fma(x4, c4);
            c5 = u.fma(x5, c5);
            u = FloatVector.fromArray(S, gy, 3 * len + p);
            d0 = u.fma(x0, d0);
            d1 = u.fma(x1, d1);
            d2 = u.fma(x2, d2);
            d3 = u.fma(x3, d3);
            d4 = u.fma(x4, d4);
            d5 = u.fma(x5, d5);
        }
        a0.intoArray(lanes, s0);
        b0.intoArray(lanes, s0 + L);
        c0.intoArray(lanes, s0 + 2 * L);
        d0.intoArray(lanes, s0 + 3 * L);
        a1.intoArray(lanes, s1);
        b1.intoArray(lanes, s1 + L);
        c1.intoArray(lanes, s1 + 2 * L);
        d1.intoArray(lanes, s1 + 3 * L);
        a2.intoArray(lanes, s2);
        b2.intoArray(lanes, s2 + L);
        c2.intoArray(lanes, s2 + 2 * L);
        d2.intoArray(lanes, s2 + 3 * L);
        a3.intoArray(lanes, s3);
        b3.intoArray(lanes, s3 + L);
        c3.intoArray(lanes, s3 + 2 * L);
        d3.intoArray(lanes, s3 + 3 * L);
        a4.intoArray(lanes, s4);
        b4.intoArray(lanes, s4 + L);
        c4.intoArray(lanes, s4 + 2 * L);
        d4.intoArray(lanes, s4 + 3 * L);
        a5.intoArray(lanes, s5);
        b5.intoArray(lanes, s5 + L);
        c5.intoArray(lanes, s5 + 2 * L);
        d5.intoArray(lanes, s5 + 3 * L);
    }

    /**
     * {@link #dot4x6} over row vectors [j0, j1): gy vector j at {@code gy[i len + j L]}, its inputs at slab
     * position {@code start[j] + o[r + s]}. A method of its own (as {@link #correlate8rows} beside
     * {@link #correlate8}): the grid walks keep a linear index, on which C2 can hoist their loads' range
     * checks; the two were not measured with one shared table walk.
     */
    private static void dot4x6rows(float[] gy, int len, float[] x, int[] o, int r, float[] lanes, int at, int[] start, int j0, int j1) {
        int o0 = o[r], o1 = o[r + 1], o2 = o[r + 2], o3 = o[r + 3], o4 = o[r + 4], o5 = o[r + 5];
        int s0 = at, s1 = at + 4 * L, s2 = at + 8 * L, s3 = at + 12 * L, s4 = at + 16 * L, s5 = at + 20 * L;
        FloatVector a0 = FloatVector.fromArray(S, lanes, s0), b0 = FloatVector.fromArray(S, lanes, s0 + L), c0 = FloatVector.fromArray(S, lanes, s0 + 2 * L), d0 = FloatVector.fromArray(S, lanes, s0 + 3 * L);
        FloatVector a1 = FloatVector.fromArray(S, lanes, s1), b1 = FloatVector.fromArray(S, lanes, s1 + L), c1 = FloatVector.fromArray(S, lanes, s1 + 2 * L), d1 = FloatVector.fromArray(S, lanes, s1 + 3 * L);
        FloatVector a2 = FloatVector.fromArray(S, lanes, s2), b2 = FloatVector.fromArray(S, lanes, s2 + L), c2 = FloatVector.fromArray(S, lanes, s2 + 2 * L), d2 = FloatVector.fromArray(S, lanes, s2 + 3 * L);
        FloatVector a3 = FloatVector.fromArray(S, lanes, s3), b3 = FloatVector.fromArray(S, lanes, s3 + L), c3 = FloatVector.fromArray(S, lanes, s3 + 2 * L), d3 = FloatVector.fromArray(S, lanes, s3 + 3 * L);
        FloatVector a4 = FloatVector.fromArray(S, lanes, s4), b4 = FloatVector.fromArray(S, lanes, s4 + L), c4 = FloatVector.fromArray(S, lanes, s4 + 2 * L), d4 = FloatVector.fromArray(S, lanes, s4 + 3 * L);
        FloatVector a5 = FloatVector.fromArray(S, lanes, s5), b5 = FloatVector.fromArray(S, lanes, s5 + L), c5 = FloatVector.fromArray(S, lanes, s5 + 2 * L), d5 = FloatVector.fromArray(S, lanes, s5 + 3 * L);
        for (int j = j0; j < j1; j++) {
            int p = j * L, q = start[j];
            FloatVector x0 = FloatVector.fromArray(S, x, q + o0), x1 = FloatVector.fromArray(S, x, q + o1), x2 = FloatVector.fromArray(S, x, q + o2);
            FloatVector x3 = FloatVector.fromArray(S, x, q + o3), x4 = FloatVector.fromArray(S, x, q + o4), x5 = FloatVector.fromArray(S, x, q + o5);
            FloatVector u = FloatVector.fromArray(S, gy, p);
            a0 = u.fma(x0, a0);
            a1 = u.fma(x1, a1);
            a2 = u.fma(x2, a2);
            a3 = u.fma(x3, a3);
            a4 = u.fma(x4, a4);
            a5 = u.fma(x5, a5);
            u = FloatVector.fromArray(S, gy, len + p);
            b0 = u.fma(x0, b0);
            b1 = u.fma(x1, b1);
            b2 = u.fma(x2, b2);
            b3 = u.fma(x3, b3);
            b4 = u.fma(x4, b4);
            b5 = u.fma(x5, b5);
            u = FloatVector.fromArray(S, gy, 2 * len + p);
            c0 = u.fma(x0, c0);
            c1 = u.fma(x1, c1);
            c2 = u.fma(x2, c2);
            c3 = u.fma(x3, c3);
            c4 = u.fma(x4, c4);
            c5 = u.fma(x5, c5);
            u = FloatVector.fromArray(S, gy, 3 * len + p);
            d0 = u.fma(x0, d0);
            d1 = u.fma(x1, d1);
            d2 = u.fma(x2, d2);
            d3 = u.fma(x3, d3);
            d4 = u.fma(x4, d4);
            d5 = u.fma(x5, d5);
        }
        a0.intoArray(lanes, s0);
        b0.intoArray(lanes, s0 + L);
        c0.intoArray(lanes, s0 + 2 * L);
        d0.intoArray(lanes, s0 + 3 * L);
        a1.intoArray(lanes, s1);
        b1.intoArray(lanes, s1 + L);
        c1.intoArray(lanes, s1 + 2 * L);
        d1.intoArray(lanes, s1 + 3 * L);
        a2.intoArray(lanes, s2);
        b2.intoArray(lanes, s2 + L);
        c2.intoArray(lanes, s2 + 2 * L);
        d2.intoArray(lanes, s2 + 3 * L);
        a3.intoArray(lanes, s3);
        b3.intoArray(lanes, s3 + L);
        c3.intoArray(lanes, s3 + 2 * L);
        d3.intoArray(lanes, s3 + 3 * L);
        a4.intoArray(lanes, s4);
        b4.intoArray(lanes, s4 + L);
        c4.intoArray(lanes, s4 + 2 * L);
        d4.intoArray(lanes, s4 + 3 * L);
        a5.intoArray(lanes, s5);
        b5.intoArray(lanes, s5 + L);
        c5.intoArray(lanes, s5 + 2 * L);
        d5.intoArray(lanes, s5 + 3 * L);
    }

    private static int ceilDiv(long a, long b) {
        return (int) ((a + b - 1) / b);
    }

    /** Weights of small channel k in (channel, tap) order, at {@code out[r * count + i]} for reduction step r. */
    private static void weights(ConvGeometry g, Tensor w, int k, float[] out, int i, int count) {
        for (int c = 0; c < g.cg; c++) {
            for (int t = 0; t < g.taps; t++) {
                long o = w.offset() + k * w.stride(0) + c * w.stride(1);
                for (int d = 0; d < g.rank; d++) o += g.tap[t][d] * w.stride(2 + d);
                out[(c * g.taps + t) * count + i] = w.segment().get(LAYOUT, o * ES);
            }
        }
    }

    /** {@code y0[p] = sum_r w[2r] x[p + off[r]]} and y1 with {@code w[2r + 1]}, for p in [0, span). */
    private static void correlate2(float[] x, float[] w, int[] off, int red, float[] y0, float[] y1, int span) {
        for (int p = 0; p < span; p += STEP) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, b0 = a0, b1 = a0;
            for (int r = 0; r < red; r++) {
                int q = p + off[r];
                FloatVector x0 = FloatVector.fromArray(S, x, q);
                FloatVector x1 = FloatVector.fromArray(S, x, q + L);
                FloatVector u = FloatVector.broadcast(S, w[2 * r]);
                FloatVector v = FloatVector.broadcast(S, w[2 * r + 1]);
                a0 = u.fma(x0, a0);
                a1 = u.fma(x1, a1);
                b0 = v.fma(x0, b0);
                b1 = v.fma(x1, b1);
            }
            a0.intoArray(y0, p);
            a1.intoArray(y0, p + L);
            b0.intoArray(y1, p);
            b1.intoArray(y1, p + L);
        }
    }

    /**
     * Eight channels at once by three vectors of positions: {@code ys[i][p] = sum_r w[8r + i] x[p + off[r]]}, for
     * p in [0, span) (24 accumulators; per step three input loads for 24 multiply-adds, where the four-channel
     * pass loads two for eight).
     */
    private static void correlate8(float[] x, float[] w, int[] off, int red, float[][] ys, int span) {
        float[] y0 = ys[0], y1 = ys[1], y2 = ys[2], y3 = ys[3], y4 = ys[4], y5 = ys[5], y6 = ys[6], y7 = ys[7];
        for (int p = 0; p < span; p += STEP8) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, b0 = a0, b1 = a0, b2 = a0, c0 = a0, c1 = a0, c2 = a0, d0 = a0, d1 = a0, d2 = a0;
            FloatVector e0 = a0, e1 = a0, e2 = a0, f0 = a0, f1 = a0, f2 = a0, g0 = a0, g1 = a0, g2 = a0, h0 = a0, h1 = a0, h2 = a0;
            for (int r = 0; r < red; r++) {
                int q = p + off[r], v = 8 * r;
                FloatVector x0 = FloatVector.fromArray(S, x, q);
                FloatVector x1 = FloatVector.fromArray(S, x, q + L);
                FloatVector x2 = FloatVector.fromArray(S, x, q + 2 * L);
                FloatVector u = FloatVector.broadcast(S, w[v]);
                a0 = u.fma(x0, a0);
                a1 = u.fma(x1, a1);
                a2 = u.fma(x2, a2);
                u = FloatVector.broadcast(S, w[v + 1]);
                b0 = u.fma(x0, b0);
                b1 = u.fma(x1, b1);
                b2 = u.fma(x2, b2);
                u = FloatVector.broadcast(S, w[v + 2]);
                c0 = u.fma(x0, c0);
                c1 = u.fma(x1, c1);
                c2 = u.fma(x2, c2);
                u = FloatVector.broadcast(S, w[v + 3]);
                d0 = u.fma(x0, d0);
                d1 = u.fma(x1, d1);
                d2 = u.fma(x2, d2);
                u = FloatVector.broadcast(S, w[v + 4]);
                e0 = u.fma(x0, e0);
                e1 = u.fma(x1, e1);
                e2 = u.fma(x2, e2);
                u = FloatVector.broadcast(S, w[v + 5]);
                f0 = u.fma(x0, f0);
                f1 = u.fma(x1, f1);
                f2 = u.fma(x2, f2);
                u = FloatVector.broadcast(S, w[v + 6]);
                g0 = u.fma(x0, g0);
                g1 = u.fma(x1, g1);
                g2 = u.fma(x2, g2);
                u = FloatVector.broadcast(S, w[v + 7]);
                h0 = u.fma(x0, h0);
                h1 = u.fma(x1, h1);
                h2 = u.fma(x2, h2);
            }
            a0.intoArray(y0, p);
            a1.intoArray(y0, p + L);
            a2.intoArray(y0, p + 2 * L);
            b0.intoArray(y1, p);
            b1.intoArray(y1, p + L);
            b2.intoArray(y1, p + 2 * L);
            c0.intoArray(y2, p);
            c1.intoArray(y2, p + L);
            c2.intoArray(y2, p + 2 * L);
            d0.intoArray(y3, p);
            d1.intoArray(y3, p + L);
            d2.intoArray(y3, p + 2 * L);
            e0.intoArray(y4, p);
            e1.intoArray(y4, p + L);
            e2.intoArray(y4, p + 2 * L);
            f0.intoArray(y5, p);
            f1.intoArray(y5, p + L);
            f2.intoArray(y5, p + 2 * L);
            g0.intoArray(y6, p);
            g1.intoArray(y6, p + L);
            g2.intoArray(y6, p + 2 * L);
            h0.intoArray(y7, p);
            h1.intoArray(y7, p + L);
            h2.intoArray(y7, p + 2 * L);
        }
    }

    /** Four channels at once: {@code yi[p] = sum_r w[4r + i] x[p + off[r]]}, for p in [0, span). */
    private static void correlate4(float[] x, float[] w, int[] off, int red, float[] y0, float[] y1, float[] y2, float[] y3, int span) {
        for (int p = 0; p < span; p += STEP) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
            for (int r = 0; r < red; r++) {
                int q = p + off[r];
                FloatVector x0 = FloatVector.fromArray(S, x, q);
                FloatVector x1 = FloatVector.fromArray(S, x, q + L);
                FloatVector u = FloatVector.broadcast(S, w[4 * r]);
                a0 = u.fma(x0, a0);
                a1 = u.fma(x1, a1);
                u = FloatVector.broadcast(S, w[4 * r + 1]);
                b0 = u.fma(x0, b0);
                b1 = u.fma(x1, b1);
                u = FloatVector.broadcast(S, w[4 * r + 2]);
                c0 = u.fma(x0, c0);
                c1 = u.fma(x1, c1);
                u = FloatVector.broadcast(S, w[4 * r + 3]);
                d0 = u.fma(x0, d0);
                d1 = u.fma(x1, d1);
            }
            a0.intoArray(y0, p);
            a1.intoArray(y0, p + L);
            b0.intoArray(y1, p);
            b1.intoArray(y1, p + L);
            c0.intoArray(y2, p);
            c1.intoArray(y2, p + L);
            d0.intoArray(y3, p);
            d1.intoArray(y3, p + L);
        }
    }
}
