package dev.vecnn.kernel.conv.blocked;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.AlignedMemory;
import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.kernel.conv.PhaseSlab;
import dev.vecnn.kernel.conv.SlabIoF64;
import dev.vecnn.kernel.conv.SlabRowsF64;
import dev.vecnn.parallel.Execution;
import dev.vecnn.parallel.Execution.Scratch;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Direct convolution in double with the output channels in the vector lanes (channel-blocked, as oneDNN's
 * {@code nCdhw16c} kernels): unit strides, any rank, dilation, padding mode and groups.
 * {@code Y[k][p] = sum_(c, t) W[k][c][t] X[c][p + off_t]} on the padded slab of one image, a register tile
 * being twelve positions by {@link #KB} output channels: per (channel, tap) step two weight vectors are
 * loaded and each position's input broadcast, 24 multiply-adds for 14 loads (the GEMM micro-kernel's
 * ratio). The positions of a tile are three runs of four consecutive cells of slab rows, so short rows (4-
 * and 8-wide planes) waste no columns, and the broadcasts use constant offsets. Each output is one chain of
 * multiply-adds in (channel, tap) order whatever the task cut: results do not depend on the threads.
 *
 * <p>Backward-data of a unit-stride, zero-padded convolution is this forward on gy with the taps mirrored
 * and the channel roles swapped ({@link #packBackwardData}).
 *
 * <p>Where the written channels per group are a multiple of one vector but not of two (16 float32 channels
 * with 512-bit vectors), a block is one vector and the tile is 24 positions (six runs) by one vector
 * ({@link #blockWidth}): a two-vector block would compute half its lanes for nothing.
 *
 * <p>GENERATED from core/src/template/BlockedConv.java.in by dev.vecnn.codegen.KernelTemplates; edit the
 * template, not this file.
 */
final class BlockedConvF64 {
    private BlockedConvF64() {
    }

    static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Output channels of a block, at most: two vectors. */
    static final int KB = 2 * L;
    /** Consecutive positions of a run: a tile is three runs (twelve positions), six for one-vector blocks. */
    private static final int RUN = 4;
    /** Slab slack (RUN - 1 would do): the last run of a row may pass the row's end by RUN - 1 cells (computed, then dropped). */
    private static final int SLACK = 2 * RUN;
    private static final ValueLayout.OfDouble LAYOUT = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final long ES = 8;
    private static final ByteOrder NO = ByteOrder.nativeOrder();

    /** Output channels of a block for {@code kg} written channels per group: two vectors when they divide kg, else one. */
    static int blockWidth(int kg) {
        return kg % KB == 0 ? KB : L;
    }

    /** Blocks of {@link #blockWidth} output channels per group. */
    static int blocks(int kg) {
        int kb = blockWidth(kg);
        return (kg + kb - 1) / kb;
    }

    /** Elements of the packed weights: per group and block, (channel, tap) rows of {@link #blockWidth} lanes. */
    static int packedSize(ConvGeometry g) {
        return g.groups * blocks(g.kg) * g.cg * g.taps * blockWidth(g.kg);
    }

    /**
     * Forward weights {@code w[k][c][taps]} packed for {@code g} into {@code a}: row (c, t) of block b holds
     * output channels {@code b kb + j}, kb the {@link #blockWidth}. {@code s} lends the heap copy of w (null: a new array).
     */
    static double[] packForward(ConvGeometry g, Tensor w, double[] a, Scratch s) {
        double[] flat = SlabIoF64.weightsOnHeap(g, w, s == null ? null : s.doubles("blocked.w", g.weightCount()));
        int blocks = blocks(g.kg), kb = blockWidth(g.kg), red = g.cg * g.taps;
        Arrays.fill(a, 0, packedSize(g), 0);
        for (int gi = 0; gi < g.groups; gi++) {
            for (int k = 0; k < g.kg; k++) {
                int at = (gi * blocks + k / kb) * red * kb + k % kb, from = (gi * g.kg + k) * red;
                for (int r = 0; r < red; r++) a[at + r * kb] = flat[from + r];
            }
        }
        return a;
    }

    /**
     * Backward-data weights of the unit-stride convolution {@code g}, packed for its mirror {@code m} (big and
     * small sides swapped: {@code m.cg = g.kg}, {@code m.kg = g.cg}): {@code m}'s weight (c, k, t) is
     * {@code w[k][c][taps - 1 - t]}, every tap index mirrored.
     */
    static double[] packBackwardData(ConvGeometry g, ConvGeometry m, Tensor w, double[] a, Scratch s) {
        double[] flat = SlabIoF64.weightsOnHeap(g, w, s == null ? null : s.doubles("blocked.w", g.weightCount()));
        int blocks = blocks(m.kg), kb = blockWidth(m.kg), red = m.cg * m.taps;
        Arrays.fill(a, 0, packedSize(m), 0);
        for (int gi = 0; gi < g.groups; gi++) {
            for (int k = 0; k < g.kg; k++) {
                for (int c = 0; c < g.cg; c++) {
                    int at = ((gi * blocks + c / kb) * red + k * g.taps) * kb + c % kb, from = ((gi * g.kg + k) * g.cg + c) * g.taps;
                    for (int t = 0; t < g.taps; t++) a[at + (g.taps - 1 - t) * kb] = flat[from + t];
                }
            }
        }
        return a;
    }

    /** The first {@link #packedSize} packed weights in 64-byte aligned native memory ({@link AlignedMemory#copy}: into dst where it is large enough). */
    static MemorySegment aligned(ConvGeometry g, double[] a, MemorySegment dst) {
        return AlignedMemory.copy(a, packedSize(g), dst);
    }

    /** {@code small = act(conv(big, w) + bias)}, the weights packed here into scratch when {@code packed} is null. */
    static void forward(ConvGeometry g, Tensor big, Tensor w, MemorySegment packed, Tensor bias, Epilogue e, Tensor small, Execution ex) {
        Scratch call = ex.acquire();
        try {
            int n = packedSize(g);
            MemorySegment a = packed != null ? packed
                    : aligned(g, packForward(g, w, call.doubles("blocked.a", n), call), call.segment("blocked.a", n * ES));
            run(g, big, a, bias, e, small, ex);
        } finally {
            ex.release(call);
        }
    }

    /** Backward-data of the unit-stride, zero-padded {@code g}: the forward of its mirror {@code m} on gy. */
    static void backwardData(ConvGeometry g, ConvGeometry m, Tensor gy, Tensor w, Tensor gx, Execution ex) {
        Scratch call = ex.acquire();
        try {
            int n = packedSize(m);
            MemorySegment a = aligned(m, packBackwardData(g, m, w, call.doubles("blocked.a", n), call), call.segment("blocked.a", n * ES));
            run(m, gy, a, null, Epilogue.NONE, gx, ex);
        } finally {
            ex.release(call);
        }
    }

    /**
     * The layout every task of a run of dimension-0 rows [r0, r1) shares: the slab, the (channel, tap) offsets,
     * the slab start of each run of four positions (rows padded to whole runs of {@code rowSlots} slots, the list
     * to whole tiles of either width), y's channel stride with the scatter's lane offsets, and whether the runs
     * come in pairs (rows of an even number of runs: run 2m + 1 starts four cells after run 2m, the padding too).
     */
    private record Part(int r0, int r1, PhaseSlab slab, int[] off, int[] starts, int runs, int rows, int rowSlots, int channel,
                        int[] index, boolean pairs) {
        static Part of(ConvGeometry g, int r0, int r1) {
            PhaseSlab slab = new PhaseSlab(g, r0, r1); // unit strides: one phase, the padded region itself
            int[] off = new int[g.cg * g.taps];
            for (int c = 0; c < g.cg; c++) for (int t = 0; t < g.taps; t++) off[c * g.taps + t] = c * slab.channelStride + slab.tapOffset[t];
            int last = g.rank - 1, perRow = (int) ((g.small[last] + RUN - 1) / RUN);
            int rows = 1;
            for (int d = 0; d < last; d++) rows *= d == 0 ? r1 - r0 : (int) g.small[d];
            int runs = rows * perRow, padded = (runs + 5) / 6 * 6;
            int[] starts = new int[padded];
            long[] o = new long[g.rank];
            o[0] = r0;
            for (int row = 0, i = 0; row < rows; row++) {
                for (int q = 0; q < perRow; q++, i++) {
                    o[last] = (long) q * RUN;
                    starts[i] = slab.windowStart(o);
                }
                o[last] = 0;
                for (int d = last - 1; d >= 0; d--) {
                    if (++o[d] < (d == 0 ? r1 : g.small[d])) break;
                    o[d] = d == 0 ? r0 : 0;
                }
            }
            // rows of an even number of runs pair them (run 2m + 1 starts four cells after run 2m): the padding too
            boolean pairs = perRow % 2 == 0;
            for (int i = runs; i < padded; i++) starts[i] = pairs ? starts[runs - 2 + i % 2] : starts[runs - 1];
            // slot i RUN + j is run i's position j; the stride is an odd number of vectors, so that the lanes of
            // a scatter fall in different cache sets
            int channel = (padded * RUN + L - 1) / L * L;
            if (channel / L % 2 == 0) channel += L;
            int[] index = new int[L];
            for (int j = 0; j < L; j++) index[j] = j * channel;
            return new Part(r0, r1, slab, off, starts, runs, rows, perRow * RUN, channel, index, pairs);
        }
    }

    /**
     * The forward with packed weights ({@link #packForward}, or {@link #packBackwardData} on a mirror). Tasks own
     * (image, group, run of dimension-0 rows, run of channel blocks); rows, then blocks, are cut only where
     * images and groups leave threads idle (about two tasks per thread).
     */
    private static void run(ConvGeometry g, Tensor big, MemorySegment packed, Tensor bias, Epilogue e, Tensor small, Execution ex) {
        int rows = (int) g.small[0];
        long items = g.batch * g.groups, want = 2L * ex.threads();
        int red = g.cg * g.taps, blocks = blocks(g.kg), kb = blockWidth(g.kg);
        // rank 1: dimension 0 is the runs' own dimension, not cut
        int cut = g.rank == 1 ? 1 : (int) Math.max(1, Math.min(rows, (want + items - 1) / items));
        int blockCut = (int) Math.max(1, Math.min(blocks, (want + items * cut - 1) / (items * cut)));
        Part[] parts = new Part[cut];
        for (int i = 0; i < cut; i++) parts[i] = Part.of(g, (int) ((long) rows * i / cut), (int) ((long) rows * (i + 1) / cut));
        long[] smallStride = SlabIoF64.spatialStrides(small);
        ex.forEach(Math.toIntExact(items * cut * blockCut), (task, s) -> {
            int bi = task % blockCut;
            Part part = parts[task / blockCut % cut];
            int gi = task / blockCut / cut % g.groups;
            long n = task / blockCut / cut / g.groups;
            int b0 = blocks * bi / blockCut, b1 = blocks * (bi + 1) / blockCut;
            int slabLen = g.cg * part.slab.channelStride;
            double[] x = s.doubles("blocked.slab", slabLen + SLACK);
            Arrays.fill(x, slabLen, slabLen + SLACK, 0);
            SlabRowsF64.fillSlab(g, big, n, gi * g.cg, g.cg, part.slab, x, s);
            double[] y = s.doubles("blocked.y", blocks * kb * part.channel);
            int[] st = part.starts;
            double[] tile = s.doubles("blocked.tile", 24 * L);
            for (int b = b0; b < b1; b++) {
                int wo = (gi * blocks + b) * red * kb, yo = b * kb * part.channel;
                if (kb == KB) {
                    for (int i = 0; i < part.runs; i += 3) {
                        tile12x2(x, st[i], st[i + 1], st[i + 2], packed, wo * ES, part.off, red, tile);
                        scatter(tile, 0, 12, y, yo + i * RUN, part.index);
                        scatter(tile, 12, 12, y, yo + i * RUN + L * part.channel, part.index);
                    }
                } else if (part.pairs) {
                    for (int i = 0; i < part.runs; i += 6) {
                        tile24x1in8s(x, st[i], st[i + 2], st[i + 4], packed, wo * ES, part.off, red, tile);
                        scatter(tile, 0, 24, y, yo + i * RUN, part.index);
                    }
                } else {
                    for (int i = 0; i < part.runs; i += 6) {
                        tile24x1(x, st[i], st[i + 1], st[i + 2], st[i + 3], st[i + 4], st[i + 5], packed, wo * ES, part.off, red, tile);
                        scatter(tile, 0, 24, y, yo + i * RUN, part.index);
                    }
                }
            }
            store(g, y, part.channel, part.rowSlots, part.rows, part.r0, part.r1, b0 * kb, Math.min(g.kg, b1 * kb), small, n, gi * g.kg,
                    bias, e, smallStride);
        }, big, bias, small);
    }

    /**
     * Stores channels [kFrom, kTo) of the group's (absolute channel {@code k0 + k}) of image n, rows [r0, r1),
     * from y (channel stride {@code channel}, rows of {@code rowSlots}) with bias and activation: one run per
     * channel when the rows are contiguous.
     */
    private static void store(ConvGeometry g, double[] y, int channel, int rowSlots, int rowCount, int r0, int r1, int kFrom, int kTo,
                              Tensor small, long n, int k0, Tensor bias, Epilogue e, long[] smallStride) {
        int last = g.rank - 1, width = (int) g.small[last];
        boolean contiguous = rowSlots == width && smallStride[last] == 1;
        for (int d = last - 1; d >= 0 && contiguous; d--) contiguous = smallStride[d] == smallStride[d + 1] * g.small[d + 1];
        MemorySegment seg = small.segment();
        long first = small.offset() + n * small.stride(0) + r0 * smallStride[0];
        long[] o = new long[g.rank];
        for (int k = kFrom; k < kTo; k++) {
            double bv = bias == null ? 0 : bias.segment().get(LAYOUT, (bias.offset() + (k0 + k) * bias.stride(0)) * ES);
            long chan = first + (k0 + k) * small.stride(1);
            if (contiguous) {
                SlabIoF64.storeRun(y, k * channel, seg, chan, rowCount * width, bv, e);
                continue;
            }
            Arrays.fill(o, 0);
            for (int row = 0; row < rowCount; row++) {
                long dst = chan;
                for (int d = 0; d < last; d++) dst += o[d] * smallStride[d];
                SlabIoF64.storeRow(y, k * channel + row * rowSlots, 1, seg, dst, smallStride[last], width, bv, e);
                for (int d = last - 1; d >= 0; d--) {
                    if (++o[d] < (d == 0 ? r1 - r0 : g.small[d])) break;
                    o[d] = 0;
                }
            }
        }
    }

    /**
     * Twelve positions (runs of four at slab cells u, v and z) by two vectors of output channels:
     * {@code acc[j][h] += w[wo + r KB + h L ..] * x[start_j + off[r]]} over steps r (24 accumulators; per step
     * two vector loads and twelve broadcasts, as the GEMM's 12x2 tile), stored to {@code tile[(h 12 + j) L ..]}
     * for {@link #scatter}: with the 24 scatters here, the float64 method outgrew C1's register allocator and the
     * JIT kept it at tier 2, boxing every vector (1.6 GB per shower3d step).
     */
    private static void tile12x2(double[] x, int u, int v, int z, MemorySegment w, long wo, int[] off, int red, double[] tile) {
        DoubleVector a0 = DoubleVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        DoubleVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0, b6 = a0, b7 = a0, b8 = a0, b9 = a0, b10 = a0, b11 = a0;
        for (int r = 0; r < red; r++, wo += KB * ES) {
            int o = off[r], p = u + o, q = v + o, e = z + o;
            DoubleVector w0 = DoubleVector.fromMemorySegment(S, w, wo, NO), w1 = DoubleVector.fromMemorySegment(S, w, wo + L * ES, NO);
            DoubleVector t;
            t = DoubleVector.broadcast(S, x[p]);
            a0 = w0.fma(t, a0);
            b0 = w1.fma(t, b0);
            t = DoubleVector.broadcast(S, x[p + 1]);
            a1 = w0.fma(t, a1);
            b1 = w1.fma(t, b1);
            t = DoubleVector.broadcast(S, x[p + 2]);
            a2 = w0.fma(t, a2);
            b2 = w1.fma(t, b2);
            t = DoubleVector.broadcast(S, x[p + 3]);
            a3 = w0.fma(t, a3);
            b3 = w1.fma(t, b3);
            t = DoubleVector.broadcast(S, x[q]);
            a4 = w0.fma(t, a4);
            b4 = w1.fma(t, b4);
            t = DoubleVector.broadcast(S, x[q + 1]);
            a5 = w0.fma(t, a5);
            b5 = w1.fma(t, b5);
            t = DoubleVector.broadcast(S, x[q + 2]);
            a6 = w0.fma(t, a6);
            b6 = w1.fma(t, b6);
            t = DoubleVector.broadcast(S, x[q + 3]);
            a7 = w0.fma(t, a7);
            b7 = w1.fma(t, b7);
            t = DoubleVector.broadcast(S, x[e]);
            a8 = w0.fma(t, a8);
            b8 = w1.fma(t, b8);
            t = DoubleVector.broadcast(S, x[e + 1]);
            a9 = w0.fma(t, a9);
            b9 = w1.fma(t, b9);
            t = DoubleVector.broadcast(S, x[e + 2]);
            a10 = w0.fma(t, a10);
            b10 = w1.fma(t, b10);
            t = DoubleVector.broadcast(S, x[e + 3]);
            a11 = w0.fma(t, a11);
            b11 = w1.fma(t, b11);
        }
        a0.intoArray(tile, 0 * L);
        a1.intoArray(tile, 1 * L);
        a2.intoArray(tile, 2 * L);
        a3.intoArray(tile, 3 * L);
        a4.intoArray(tile, 4 * L);
        a5.intoArray(tile, 5 * L);
        a6.intoArray(tile, 6 * L);
        a7.intoArray(tile, 7 * L);
        a8.intoArray(tile, 8 * L);
        a9.intoArray(tile, 9 * L);
        a10.intoArray(tile, 10 * L);
        a11.intoArray(tile, 11 * L);
        b0.intoArray(tile, 12 * L);
        b1.intoArray(tile, 13 * L);
        b2.intoArray(tile, 14 * L);
        b3.intoArray(tile, 15 * L);
        b4.intoArray(tile, 16 * L);
        b5.intoArray(tile, 17 * L);
        b6.intoArray(tile, 18 * L);
        b7.intoArray(tile, 19 * L);
        b8.intoArray(tile, 20 * L);
        b9.intoArray(tile, 21 * L);
        b10.intoArray(tile, 22 * L);
        b11.intoArray(tile, 23 * L);
    }

    /**
     * Twenty-four positions (runs of four at slab cells u0 .. u5) by one vector of output channels:
     * {@code acc[j] += w[wo + r L ..] * x[start_j + off[r]]} over steps r (24 accumulators; per step one vector
     * load and 24 broadcasts), stored to {@code tile[j L ..]} ({@link #scatter} moves them to y: with the 24
     * scatters here the method outgrew C1's register allocator, and the JIT kept it at tier 2, boxing every vector).
     */
    private static void tile24x1(double[] x, int u0, int u1, int u2, int u3, int u4, int u5, MemorySegment w, long wo, int[] off, int red,
                                 double[] tile) {
        DoubleVector a0 = DoubleVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        DoubleVector a12 = a0, a13 = a0, a14 = a0, a15 = a0, a16 = a0, a17 = a0, a18 = a0, a19 = a0, a20 = a0, a21 = a0, a22 = a0, a23 = a0;
        for (int r = 0; r < red; r++, wo += L * ES) {
            int o = off[r], p0 = u0 + o, p1 = u1 + o, p2 = u2 + o, p3 = u3 + o, p4 = u4 + o, p5 = u5 + o;
            DoubleVector w0 = DoubleVector.fromMemorySegment(S, w, wo, NO);
            a0 = w0.fma(DoubleVector.broadcast(S, x[p0]), a0);
            a1 = w0.fma(DoubleVector.broadcast(S, x[p0 + 1]), a1);
            a2 = w0.fma(DoubleVector.broadcast(S, x[p0 + 2]), a2);
            a3 = w0.fma(DoubleVector.broadcast(S, x[p0 + 3]), a3);
            a4 = w0.fma(DoubleVector.broadcast(S, x[p1]), a4);
            a5 = w0.fma(DoubleVector.broadcast(S, x[p1 + 1]), a5);
            a6 = w0.fma(DoubleVector.broadcast(S, x[p1 + 2]), a6);
            a7 = w0.fma(DoubleVector.broadcast(S, x[p1 + 3]), a7);
            a8 = w0.fma(DoubleVector.broadcast(S, x[p2]), a8);
            a9 = w0.fma(DoubleVector.broadcast(S, x[p2 + 1]), a9);
            a10 = w0.fma(DoubleVector.broadcast(S, x[p2 + 2]), a10);
            a11 = w0.fma(DoubleVector.broadcast(S, x[p2 + 3]), a11);
            a12 = w0.fma(DoubleVector.broadcast(S, x[p3]), a12);
            a13 = w0.fma(DoubleVector.broadcast(S, x[p3 + 1]), a13);
            a14 = w0.fma(DoubleVector.broadcast(S, x[p3 + 2]), a14);
            a15 = w0.fma(DoubleVector.broadcast(S, x[p3 + 3]), a15);
            a16 = w0.fma(DoubleVector.broadcast(S, x[p4]), a16);
            a17 = w0.fma(DoubleVector.broadcast(S, x[p4 + 1]), a17);
            a18 = w0.fma(DoubleVector.broadcast(S, x[p4 + 2]), a18);
            a19 = w0.fma(DoubleVector.broadcast(S, x[p4 + 3]), a19);
            a20 = w0.fma(DoubleVector.broadcast(S, x[p5]), a20);
            a21 = w0.fma(DoubleVector.broadcast(S, x[p5 + 1]), a21);
            a22 = w0.fma(DoubleVector.broadcast(S, x[p5 + 2]), a22);
            a23 = w0.fma(DoubleVector.broadcast(S, x[p5 + 3]), a23);
        }
        a0.intoArray(tile, 0 * L);
        a1.intoArray(tile, 1 * L);
        a2.intoArray(tile, 2 * L);
        a3.intoArray(tile, 3 * L);
        a4.intoArray(tile, 4 * L);
        a5.intoArray(tile, 5 * L);
        a6.intoArray(tile, 6 * L);
        a7.intoArray(tile, 7 * L);
        a8.intoArray(tile, 8 * L);
        a9.intoArray(tile, 9 * L);
        a10.intoArray(tile, 10 * L);
        a11.intoArray(tile, 11 * L);
        a12.intoArray(tile, 12 * L);
        a13.intoArray(tile, 13 * L);
        a14.intoArray(tile, 14 * L);
        a15.intoArray(tile, 15 * L);
        a16.intoArray(tile, 16 * L);
        a17.intoArray(tile, 17 * L);
        a18.intoArray(tile, 18 * L);
        a19.intoArray(tile, 19 * L);
        a20.intoArray(tile, 20 * L);
        a21.intoArray(tile, 21 * L);
        a22.intoArray(tile, 22 * L);
        a23.intoArray(tile, 23 * L);
    }

    /**
     * {@link #tile24x1} on runs in pairs (rows of an even number of runs of four): three runs of eight at slab cells
     * u0, u1 and u2, one base index per run (half the scalar work per step of six runs of four; 1.13x on the tile
     * alone). The same loads, products and sums.
     */
    private static void tile24x1in8s(double[] x, int u0, int u1, int u2, MemorySegment w, long wo, int[] off, int red, double[] tile) {
        DoubleVector a0 = DoubleVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        DoubleVector a12 = a0, a13 = a0, a14 = a0, a15 = a0, a16 = a0, a17 = a0, a18 = a0, a19 = a0, a20 = a0, a21 = a0, a22 = a0, a23 = a0;
        for (int r = 0; r < red; r++, wo += L * ES) {
            int o = off[r], p0 = u0 + o, p1 = u1 + o, p2 = u2 + o;
            DoubleVector w0 = DoubleVector.fromMemorySegment(S, w, wo, NO);
            a0 = w0.fma(DoubleVector.broadcast(S, x[p0]), a0);
            a1 = w0.fma(DoubleVector.broadcast(S, x[p0 + 1]), a1);
            a2 = w0.fma(DoubleVector.broadcast(S, x[p0 + 2]), a2);
            a3 = w0.fma(DoubleVector.broadcast(S, x[p0 + 3]), a3);
            a4 = w0.fma(DoubleVector.broadcast(S, x[p0 + 4]), a4);
            a5 = w0.fma(DoubleVector.broadcast(S, x[p0 + 5]), a5);
            a6 = w0.fma(DoubleVector.broadcast(S, x[p0 + 6]), a6);
            a7 = w0.fma(DoubleVector.broadcast(S, x[p0 + 7]), a7);
            a8 = w0.fma(DoubleVector.broadcast(S, x[p1]), a8);
            a9 = w0.fma(DoubleVector.broadcast(S, x[p1 + 1]), a9);
            a10 = w0.fma(DoubleVector.broadcast(S, x[p1 + 2]), a10);
            a11 = w0.fma(DoubleVector.broadcast(S, x[p1 + 3]), a11);
            a12 = w0.fma(DoubleVector.broadcast(S, x[p1 + 4]), a12);
            a13 = w0.fma(DoubleVector.broadcast(S, x[p1 + 5]), a13);
            a14 = w0.fma(DoubleVector.broadcast(S, x[p1 + 6]), a14);
            a15 = w0.fma(DoubleVector.broadcast(S, x[p1 + 7]), a15);
            a16 = w0.fma(DoubleVector.broadcast(S, x[p2]), a16);
            a17 = w0.fma(DoubleVector.broadcast(S, x[p2 + 1]), a17);
            a18 = w0.fma(DoubleVector.broadcast(S, x[p2 + 2]), a18);
            a19 = w0.fma(DoubleVector.broadcast(S, x[p2 + 3]), a19);
            a20 = w0.fma(DoubleVector.broadcast(S, x[p2 + 4]), a20);
            a21 = w0.fma(DoubleVector.broadcast(S, x[p2 + 5]), a21);
            a22 = w0.fma(DoubleVector.broadcast(S, x[p2 + 6]), a22);
            a23 = w0.fma(DoubleVector.broadcast(S, x[p2 + 7]), a23);
        }
        a0.intoArray(tile, 0 * L);
        a1.intoArray(tile, 1 * L);
        a2.intoArray(tile, 2 * L);
        a3.intoArray(tile, 3 * L);
        a4.intoArray(tile, 4 * L);
        a5.intoArray(tile, 5 * L);
        a6.intoArray(tile, 6 * L);
        a7.intoArray(tile, 7 * L);
        a8.intoArray(tile, 8 * L);
        a9.intoArray(tile, 9 * L);
        a10.intoArray(tile, 10 * L);
        a11.intoArray(tile, 11 * L);
        a12.intoArray(tile, 12 * L);
        a13.intoArray(tile, 13 * L);
        a14.intoArray(tile, 14 * L);
        a15.intoArray(tile, 15 * L);
        a16.intoArray(tile, 16 * L);
        a17.intoArray(tile, 17 * L);
        a18.intoArray(tile, 18 * L);
        a19.intoArray(tile, 19 * L);
        a20.intoArray(tile, 20 * L);
        a21.intoArray(tile, 21 * L);
        a22.intoArray(tile, 22 * L);
        a23.intoArray(tile, 23 * L);
    }

    /** {@code y[yo + j + lane * channel] = tile[(from + j) L + lane]} for {@code count} positions of a tile (index: lane * channel). */
    private static void scatter(double[] tile, int from, int count, double[] y, int yo, int[] index) {
        for (int j = 0; j < count; j++) DoubleVector.fromArray(S, tile, (from + j) * L).intoArray(y, yo + j, index, 0);
    }
}
