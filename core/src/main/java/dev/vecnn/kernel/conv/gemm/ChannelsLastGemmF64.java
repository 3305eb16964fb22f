package dev.vecnn.kernel.conv.gemm;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.conv.ChannelsLastSlabF64;
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
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Forward convolution in double on channels-last tensors as an implicit GEMM with the output channels in the
 * vector lanes: {@code Y[p][k] = sum_(c, t) X[p s + off_t][c] W[k][c][t]}, for one group, zero padding, any
 * rank, stride and dilation. A task lays the input rows its output rows read, padded with zeros, in a heap slab
 * (positions of C contiguous channels); a register tile is 6, 12 or 24 output positions by 4, 2 or 1 vectors of
 * output channels, and per (channel, tap) step it loads the weight vectors and broadcasts each position's input
 * element (the offset table of {@code BlockedConv}: one flat loop over the steps). The positions of a tile are
 * any positions of the task (their slab offsets come from a table), so tiles run across row ends and strides
 * cost no gathers. The outputs leave as vectors along the channels, with bias and a clamp (identity, ReLU, clip)
 * in the registers; other activations run over each position's channels afterwards.
 *
 * <p>Each output is one chain of multiply-adds in (channel, tap) order from zero, then the bias, then the
 * activation: the order of the GEMM's channels-first tiles, so both layouts give the same bits, whatever the
 * task cut and thread count. The weights are packed per block of output channels as rows of (channel, tap)
 * steps ({@link #packRows}, or from the GEMM's prepared panels, {@link #rowsFromPanels}).
 *
 * <p>GENERATED from core/src/template/ChannelsLastGemm.java.in by dev.vecnn.codegen.KernelTemplates; edit the
 * template, not this file.
 */
final class ChannelsLastGemmF64 {
    private ChannelsLastGemmF64() {
    }

    static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /**
     * Whether this kernel runs: 512-bit vectors, whose ISA (AVX-512) has the 32 registers that the 24
     * accumulators, the weight vectors and a broadcast need; narrower vectors take the GEMM's tiles.
     */
    static final boolean AVAILABLE = S.vectorBitSize() >= 512;
    private static final ValueLayout.OfDouble LAYOUT = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final long ES = 8;
    private static final ByteOrder NO = ByteOrder.nativeOrder();
    private static final ElementwiseEngine ELEMENTWISE = ElementwiseKernels.defaults().engine(DType.F64);
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
    static int packedSize(ConvGeometry g) {
        return Math.ceilDiv(g.kg, L) * L * g.reduction();
    }

    /** Forward weights {@code w[k][c][taps...]} packed as rows into {@code a}: block b's step r holds its channels' weights. */
    static double[] packRows(ConvGeometry g, Tensor w, double[] a) {
        int red = g.reduction();
        Arrays.fill(a, 0, packedSize(g), 0);
        int[] nv = blockVectors(g.kg);
        double[] row = new double[red];
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
     * The rows of {@link #packRows} from the GEMM's forward panels of one group ({@code GemmConvF64.packForward}):
     * the same weights, so prepared weights need not be read again from a tensor that may have changed since.
     */
    static double[] rowsFromPanels(ConvGeometry g, double[] panels, double[] a) {
        int red = g.reduction(), kc = GemmConvF64.KC;
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
     * Whether this kernel runs the forward of g on x and y: 512-bit vectors, one group, zero padding, both tensors
     * channels-last, and a task's slab of one row and the packed weights within int range.
     */
    static boolean runs(ConvGeometry g, Tensor x, Tensor y) {
        if (!AVAILABLE || g.groups != 1 || g.mode != dev.vecnn.spec.PaddingMode.ZEROS) return false;
        if (!ChannelsLastSlabF64.channelsLast(x) || !ChannelsLastSlabF64.channelsLast(y) || !ChannelsLastSlabF64.fits(g)) return false;
        return (long) Math.ceilDiv(g.kg, L) * L * g.reduction() <= 1 << 28;
    }

    /** Output rows (of dimension 0) per task whose slab stays within {@link #SLAB_BUDGET}. */
    private static int rowsPerTask(ConvGeometry g) {
        return ChannelsLastSlabF64.rowsPerTask(g, SLAB_BUDGET);
    }

    /** {@code y = act(conv(x, w) + bias)}, x and y channels-last ({@link #runs}), weights packed by {@link #packRows} (null: here). */
    static void forward(ConvGeometry g, Tensor x, Tensor w, double[] packed, Tensor bias, Epilogue e, Tensor y, Execution ex) {
        Scratch call = ex.acquire();
        try {
            double[] a = packed != null ? packed : packRows(g, w, call.doubles("cl.w", packedSize(g)));
            run(g, x, a, bias, e, y, ex);
        } finally {
            ex.release(call);
        }
    }

    private static void run(ConvGeometry g, Tensor x, double[] a, Tensor bias, Epilogue e, Tensor y, Execution ex) {
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
        ChannelsLastSlabF64 slab = ChannelsLastSlabF64.of(g, most);
        int slabLength = slab.length();
        // step r = (c, t): the channel's element at tap t
        int[] off = new int[red];
        for (int t = 0; t < g.taps; t++) for (int c = 0; c < g.cg; c++) off[c * g.taps + t] = slab.tapOffset(g, t) + c;
        int inner = ChannelsLastSlabF64.rowPositions(g);
        int kPadded = Math.ceilDiv(g.kg, L) * L;
        double[] biasRow = new double[kPadded];
        if (bias != null) for (int k = 0; k < g.kg; k++) biasRow[k] = bias.segment().get(LAYOUT, (bias.offset() + k * bias.stride(0)) * ES);
        boolean clamp = e.isClamp();
        double lo = clamp ? (double) e.clampLow() : Double.NEGATIVE_INFINITY, hi = clamp ? (double) e.clampHigh() : Double.POSITIVE_INFINITY;
        int[] blockStart = new int[nv.length + 1];
        for (int b = 0; b < nv.length; b++) blockStart[b + 1] = blockStart[b] + red * nv[b] * L;
        int tasks = Math.toIntExact(split.tasks(g.batch));
        ex.forEach(tasks, (task, s) -> {
            int bp = task % blockParts, pp = task / blockParts % posParts, part = task / blockParts / posParts % parts;
            long n = task / blockParts / posParts / parts;
            int r0 = (int) ((long) rows * part / parts), r1 = (int) ((long) rows * (part + 1) / parts);
            int b0 = nv.length * bp / blockParts, b1 = nv.length * (bp + 1) / blockParts;
            if (r0 == r1 || b0 == b1) return;
            int all = (r1 - r0) * inner, from = (int) ((long) all * pp / posParts), positions = (int) ((long) all * (pp + 1) / posParts) - from;
            if (positions == 0) return;
            double[] xs = s.doubles("cl.slab", slabLength);
            slab.fill(g, x, n, r0, r1, xs);
            int[] at = s.ints("cl.at", positions);
            long[] to = s.longs("cl.to", positions);
            slab.positions(g, y, n, r0, r1, from, positions, at, to);
            int[] base = s.ints("cl.base", TILE);
            long[] out = s.longs("cl.out", TILE);
            double[] acc = s.doubles("cl.acc", TILE * L);
            MemorySegment ys = y.segment();
            for (int b = b0, k0 = blockStartChannel(nv, b0); b < b1; k0 += nv[b] * L, b++) {
                int v = nv[b], mr = TILE / v, wo = blockStart[b];
                for (int p = 0; p < positions; p += mr) {
                    for (int j = 0; j < mr; j++) {
                        int q = Math.min(p + j, positions - 1); // past the end: the last position again, same values
                        base[j] = at[q];
                        out[j] = to[q];
                    }
                    switch (v) {
                        case 4 -> tile6x4(xs, base, a, wo, off, red, acc);
                        case 2 -> tile12x2(xs, base, a, wo, off, red, acc);
                        default -> tile24x1(xs, base, a, wo, off, red, acc);
                    }
                    store(acc, mr, v, out, k0, g.kg, biasRow, lo, hi, ys);
                }
            }
            if (!clamp) {
                int kFrom = blockStartChannel(nv, b0), kTo = Math.min(g.kg, blockStartChannel(nv, b1));
                for (int q = 0; q < positions; q++) ELEMENTWISE.activationForward(e, ys, to[q] + kFrom, ys, to[q] + kFrom, kTo - kFrom, 0, false);
            }
        }, x, bias, y);
    }

    private static int blockStartChannel(int[] nv, int b) {
        int k = 0;
        for (int i = 0; i < b; i++) k += nv[i] * L;
        return k;
    }

    /**
     * Tile j's outputs {@code acc[(j v + i) L ..]} plus bias, clamped, to channels [k0, min(kg, k0 + v L)) at
     * {@code out[j]} (element offsets), the last vector masked past kg.
     */
    private static void store(double[] acc, int mr, int v, long[] out, int k0, int kg, double[] biasRow, double lo, double hi, MemorySegment ys) {
        for (int j = 0; j < mr; j++) {
            long o = out[j];
            for (int i = 0; i < v; i++) {
                int k = k0 + i * L;
                if (k >= kg) break;
                DoubleVector r = DoubleVector.fromArray(S, acc, (j * v + i) * L).add(DoubleVector.fromArray(S, biasRow, k)).max(lo).min(hi);
                if (k + L <= kg) r.intoMemorySegment(ys, (o + k) * ES, NO);
                else r.intoMemorySegment(ys, (o + k) * ES, NO, S.indexInRange(k, kg));
            }
        }
    }

    /**
     * Six positions (slab offsets {@code base[0..5]}) by four vectors of output channels: per step r, four weight
     * vectors from {@code w[wo + r 4L ..]} and each position's element {@code x[base_j + off[r]]} broadcast; 24
     * multiply-adds for ten loads. Stored to {@code acc[(4 j + i) L ..]}.
     */
    private static void tile6x4(double[] x, int[] base, double[] w, int wo, int[] off, int red, double[] acc) {
        int u0 = base[0], u1 = base[1], u2 = base[2], u3 = base[3], u4 = base[4], u5 = base[5];
        DoubleVector a0 = DoubleVector.zero(S), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0, c0 = a0, c1 = a0, c2 = a0, c3 = a0;
        DoubleVector d0 = a0, d1 = a0, d2 = a0, d3 = a0, e0 = a0, e1 = a0, e2 = a0, e3 = a0, f0 = a0, f1 = a0, f2 = a0, f3 = a0;
        for (int r = 0; r < red; r++, wo += 4 * L) {
            int o = off[r];
            DoubleVector w0 = DoubleVector.fromArray(S, w, wo), w1 = DoubleVector.fromArray(S, w, wo + L), w2 = DoubleVector.fromArray(S, w, wo + 2 * L),
                    w3 = DoubleVector.fromArray(S, w, wo + 3 * L);
            DoubleVector t = DoubleVector.broadcast(S, x[u0 + o]);
            a0 = w0.fma(t, a0);
            a1 = w1.fma(t, a1);
            a2 = w2.fma(t, a2);
            a3 = w3.fma(t, a3);
            t = DoubleVector.broadcast(S, x[u1 + o]);
            b0 = w0.fma(t, b0);
            b1 = w1.fma(t, b1);
            b2 = w2.fma(t, b2);
            b3 = w3.fma(t, b3);
            t = DoubleVector.broadcast(S, x[u2 + o]);
            c0 = w0.fma(t, c0);
            c1 = w1.fma(t, c1);
            c2 = w2.fma(t, c2);
            c3 = w3.fma(t, c3);
            t = DoubleVector.broadcast(S, x[u3 + o]);
            d0 = w0.fma(t, d0);
            d1 = w1.fma(t, d1);
            d2 = w2.fma(t, d2);
            d3 = w3.fma(t, d3);
            t = DoubleVector.broadcast(S, x[u4 + o]);
            e0 = w0.fma(t, e0);
            e1 = w1.fma(t, e1);
            e2 = w2.fma(t, e2);
            e3 = w3.fma(t, e3);
            t = DoubleVector.broadcast(S, x[u5 + o]);
            f0 = w0.fma(t, f0);
            f1 = w1.fma(t, f1);
            f2 = w2.fma(t, f2);
            f3 = w3.fma(t, f3);
        }
        a0.intoArray(acc, 0);
        a1.intoArray(acc, L);
        a2.intoArray(acc, 2 * L);
        a3.intoArray(acc, 3 * L);
        b0.intoArray(acc, 4 * L);
        b1.intoArray(acc, 5 * L);
        b2.intoArray(acc, 6 * L);
        b3.intoArray(acc, 7 * L);
        c0.intoArray(acc, 8 * L);
        c1.intoArray(acc, 9 * L);
        c2.intoArray(acc, 10 * L);
        c3.intoArray(acc, 11 * L);
        d0.intoArray(acc, 12 * L);
        d1.intoArray(acc, 13 * L);
        d2.intoArray(acc, 14 * L);
        d3.intoArray(acc, 15 * L);
        e0.intoArray(acc, 16 * L);
        e1.intoArray(acc, 17 * L);
        e2.intoArray(acc, 18 * L);
        e3.intoArray(acc, 19 * L);
        f0.intoArray(acc, 20 * L);
        f1.intoArray(acc, 21 * L);
        f2.intoArray(acc, 22 * L);
        f3.intoArray(acc, 23 * L);
    }

    /** Twelve positions by two vectors ({@link #tile6x4}'s scheme): per step two weight vectors, twelve broadcasts. */
    private static void tile12x2(double[] x, int[] base, double[] w, int wo, int[] off, int red, double[] acc) {
        int u0 = base[0], u1 = base[1], u2 = base[2], u3 = base[3], u4 = base[4], u5 = base[5];
        int u6 = base[6], u7 = base[7], u8 = base[8], u9 = base[9], u10 = base[10], u11 = base[11];
        DoubleVector a0 = DoubleVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        DoubleVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0, b6 = a0, b7 = a0, b8 = a0, b9 = a0, b10 = a0, b11 = a0;
        for (int r = 0; r < red; r++, wo += 2 * L) {
            int o = off[r];
            DoubleVector w0 = DoubleVector.fromArray(S, w, wo), w1 = DoubleVector.fromArray(S, w, wo + L);
            DoubleVector t = DoubleVector.broadcast(S, x[u0 + o]);
            a0 = w0.fma(t, a0);
            b0 = w1.fma(t, b0);
            t = DoubleVector.broadcast(S, x[u1 + o]);
            a1 = w0.fma(t, a1);
            b1 = w1.fma(t, b1);
            t = DoubleVector.broadcast(S, x[u2 + o]);
            a2 = w0.fma(t, a2);
            b2 = w1.fma(t, b2);
            t = DoubleVector.broadcast(S, x[u3 + o]);
            a3 = w0.fma(t, a3);
            b3 = w1.fma(t, b3);
            t = DoubleVector.broadcast(S, x[u4 + o]);
            a4 = w0.fma(t, a4);
            b4 = w1.fma(t, b4);
            t = DoubleVector.broadcast(S, x[u5 + o]);
            a5 = w0.fma(t, a5);
            b5 = w1.fma(t, b5);
            t = DoubleVector.broadcast(S, x[u6 + o]);
            a6 = w0.fma(t, a6);
            b6 = w1.fma(t, b6);
            t = DoubleVector.broadcast(S, x[u7 + o]);
            a7 = w0.fma(t, a7);
            b7 = w1.fma(t, b7);
            t = DoubleVector.broadcast(S, x[u8 + o]);
            a8 = w0.fma(t, a8);
            b8 = w1.fma(t, b8);
            t = DoubleVector.broadcast(S, x[u9 + o]);
            a9 = w0.fma(t, a9);
            b9 = w1.fma(t, b9);
            t = DoubleVector.broadcast(S, x[u10 + o]);
            a10 = w0.fma(t, a10);
            b10 = w1.fma(t, b10);
            t = DoubleVector.broadcast(S, x[u11 + o]);
            a11 = w0.fma(t, a11);
            b11 = w1.fma(t, b11);
        }
        a0.intoArray(acc, 0);
        b0.intoArray(acc, L);
        a1.intoArray(acc, 2 * L);
        b1.intoArray(acc, 3 * L);
        a2.intoArray(acc, 4 * L);
        b2.intoArray(acc, 5 * L);
        a3.intoArray(acc, 6 * L);
        b3.intoArray(acc, 7 * L);
        a4.intoArray(acc, 8 * L);
        b4.intoArray(acc, 9 * L);
        a5.intoArray(acc, 10 * L);
        b5.intoArray(acc, 11 * L);
        a6.intoArray(acc, 12 * L);
        b6.intoArray(acc, 13 * L);
        a7.intoArray(acc, 14 * L);
        b7.intoArray(acc, 15 * L);
        a8.intoArray(acc, 16 * L);
        b8.intoArray(acc, 17 * L);
        a9.intoArray(acc, 18 * L);
        b9.intoArray(acc, 19 * L);
        a10.intoArray(acc, 20 * L);
        b10.intoArray(acc, 21 * L);
        a11.intoArray(acc, 22 * L);
        b11.intoArray(acc, 23 * L);
    }

    /** Twenty-four positions by one vector ({@link #tile6x4}'s scheme): per step one weight vector, 24 broadcasts. */
    private static void tile24x1(double[] x, int[] base, double[] w, int wo, int[] off, int red, double[] acc) {
        DoubleVector a0 = DoubleVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        DoubleVector a12 = a0, a13 = a0, a14 = a0, a15 = a0, a16 = a0, a17 = a0, a18 = a0, a19 = a0, a20 = a0, a21 = a0, a22 = a0, a23 = a0;
        for (int r = 0; r < red; r++, wo += L) {
            int o = off[r];
            DoubleVector w0 = DoubleVector.fromArray(S, w, wo);
            a0 = w0.fma(DoubleVector.broadcast(S, x[base[0] + o]), a0);
            a1 = w0.fma(DoubleVector.broadcast(S, x[base[1] + o]), a1);
            a2 = w0.fma(DoubleVector.broadcast(S, x[base[2] + o]), a2);
            a3 = w0.fma(DoubleVector.broadcast(S, x[base[3] + o]), a3);
            a4 = w0.fma(DoubleVector.broadcast(S, x[base[4] + o]), a4);
            a5 = w0.fma(DoubleVector.broadcast(S, x[base[5] + o]), a5);
            a6 = w0.fma(DoubleVector.broadcast(S, x[base[6] + o]), a6);
            a7 = w0.fma(DoubleVector.broadcast(S, x[base[7] + o]), a7);
            a8 = w0.fma(DoubleVector.broadcast(S, x[base[8] + o]), a8);
            a9 = w0.fma(DoubleVector.broadcast(S, x[base[9] + o]), a9);
            a10 = w0.fma(DoubleVector.broadcast(S, x[base[10] + o]), a10);
            a11 = w0.fma(DoubleVector.broadcast(S, x[base[11] + o]), a11);
            a12 = w0.fma(DoubleVector.broadcast(S, x[base[12] + o]), a12);
            a13 = w0.fma(DoubleVector.broadcast(S, x[base[13] + o]), a13);
            a14 = w0.fma(DoubleVector.broadcast(S, x[base[14] + o]), a14);
            a15 = w0.fma(DoubleVector.broadcast(S, x[base[15] + o]), a15);
            a16 = w0.fma(DoubleVector.broadcast(S, x[base[16] + o]), a16);
            a17 = w0.fma(DoubleVector.broadcast(S, x[base[17] + o]), a17);
            a18 = w0.fma(DoubleVector.broadcast(S, x[base[18] + o]), a18);
            a19 = w0.fma(DoubleVector.broadcast(S, x[base[19] + o]), a19);
            a20 = w0.fma(DoubleVector.broadcast(S, x[base[20] + o]), a20);
            a21 = w0.fma(DoubleVector.broadcast(S, x[base[21] + o]), a21);
            a22 = w0.fma(DoubleVector.broadcast(S, x[base[22] + o]), a22);
            a23 = w0.fma(DoubleVector.broadcast(S, x[base[23] + o]), a23);
        }
        a0.intoArray(acc, 0);
        a1.intoArray(acc, L);
        a2.intoArray(acc, 2 * L);
        a3.intoArray(acc, 3 * L);
        a4.intoArray(acc, 4 * L);
        a5.intoArray(acc, 5 * L);
        a6.intoArray(acc, 6 * L);
        a7.intoArray(acc, 7 * L);
        a8.intoArray(acc, 8 * L);
        a9.intoArray(acc, 9 * L);
        a10.intoArray(acc, 10 * L);
        a11.intoArray(acc, 11 * L);
        a12.intoArray(acc, 12 * L);
        a13.intoArray(acc, 13 * L);
        a14.intoArray(acc, 14 * L);
        a15.intoArray(acc, 15 * L);
        a16.intoArray(acc, 16 * L);
        a17.intoArray(acc, 17 * L);
        a18.intoArray(acc, 18 * L);
        a19.intoArray(acc, 19 * L);
        a20.intoArray(acc, 20 * L);
        a21.intoArray(acc, 21 * L);
        a22.intoArray(acc, 22 * L);
        a23.intoArray(acc, 23 * L);
    }
}
