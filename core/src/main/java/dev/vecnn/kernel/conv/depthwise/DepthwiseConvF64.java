package dev.vecnn.kernel.conv.depthwise;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.kernel.conv.GyGrid;
import dev.vecnn.kernel.conv.PhaseSlab;
import dev.vecnn.kernel.conv.Phases;
import dev.vecnn.kernel.conv.SlabExactF64;
import dev.vecnn.kernel.conv.SlabIoF64;
import dev.vecnn.kernel.conv.SlabRowsF64;
import dev.vecnn.kernel.elementwise.ElementwiseEngine;
import dev.vecnn.kernel.elementwise.ElementwiseKernels;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Depthwise convolution in double (one big-side channel per group, any channel multiplier, stride,
 * dilation, padding mode and rank). Each channel is computed on a grid, vectorised along it with a rolled
 * tap loop over an offset table, with no wasted positions for strides:
 * <ul>
 *   <li>forward: {@code Y[p] = sum_t w_t X[p + off_t]} on the channel's {@link PhaseSlab} (split into
 *       phases by the stride, so consecutive outputs read consecutive elements for every stride);</li>
 *   <li>backward-data: per phase of the big side ({@link Phases}), {@code GX[v] = sum_{t of the phase}
 *       w_t G[v - q_t]} on gy laid on a grid with zero margins ({@link GyGrid}), then the phases are
 *       interleaved into the padded gradient, folded through the padding mode and stored;</li>
 *   <li>backward-weights: {@code GW_t = sum_p G[p] X[p + off_t]} on the phase slab.</li>
 * </ul>
 * Dense channels-first planes with zero padding and unit stride along the rows go to {@code DepthwiseRowsF64}
 * instead (forward; backward-data at unit strides), channels-last tensors with zero padding and multiplier 1 to
 * {@code DepthwiseChannelsLastF64} (forward).
 * Tasks take several channels of one image (forward, backward-data: every output is one correlation in a
 * fixed order, so any cut gives the same bits) or one channel over the batch (weights): results do not
 * depend on threads.
 *
 * <p>GENERATED from core/src/template/DepthwiseConv.java.in by dev.vecnn.codegen.KernelTemplates;
 * edit the template, not this file.
 */
final class DepthwiseConvF64 {
    private DepthwiseConvF64() {
    }

    static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Outputs per step: four vectors in flight hide the FMA latency. */
    private static final int STEP = 4 * L;
    private static final ValueLayout.OfDouble LAYOUT = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final long ES = 8;
    /** The elementwise kernels the epilogue runs on (bias and activation, as every kernel's store). */
    private static final ElementwiseEngine ELEMENTWISE = ElementwiseKernels.defaults().engine(DType.F64);
    /** Multiply-adds a task aims at: several small channels share a task's overhead. */
    private static final long TASK_WORK = 1L << 16;

    /**
     * The forward weights by tap for the channels-last kernel, or null where it never runs (a multiplier above 1, other
     * padding modes, sizes past its bounds: a spec of 4096 channels by 2^19 taps made the table's int size negative).
     */
    static double[] packTaps(ConvGeometry g, Tensor w, Object old) {
        if (!DepthwiseChannelsLastF64.runsFor(g)) return null;
        int n = DepthwiseChannelsLastF64.packedSize(g);
        double[] a = old instanceof double[] o && o.length == n ? o : new double[n];
        return DepthwiseChannelsLastF64.packTaps(g, w, a);
    }

    static void forward(ConvGeometry g, Tensor big, Tensor w, Tensor bias, Epilogue e, Tensor small, Execution ex) {
        forward(g, big, w, null, bias, e, small, ex);
    }

    /** The weights by tap for channels-last tensors: {@link #packTaps}'s table, or null to pack them per call. */
    static void forward(ConvGeometry g, Tensor big, Tensor w, double[] taps, Tensor bias, Epilogue e, Tensor small, Execution ex) {
        if (DepthwiseChannelsLastF64.runs(g, big, small)) {
            DepthwiseChannelsLastF64.forward(g, big, w, taps, bias, e, small, ex);
            return;
        }
        RowPlan rows = DepthwiseRowsF64.forwardPlan(g, big, small);
        if (rows != null) {
            int per = channelsPerTask(g, ex.threads(), (long) g.taps * g.kg * g.smallCount());
            DepthwiseRowsF64.run(g, rows, big, w, false, bias, e, small, per, ex);
            return;
        }
        PhaseSlab slab = new PhaseSlab(g, 0, (int) g.small[0]);
        int span = slab.span;
        int reach = maxTap(slab);
        long[] smallStride = SlabIoF64.spatialStrides(small);
        int per = channelsPerTask(g, ex.threads(), (long) g.taps * g.kg * g.smallCount());
        int blocks = ceilDiv(g.groups, per);
        // output rows contiguous in the tensor move as bulk copies; other layouts take SlabIo's general path
        boolean rowsOut = slab.step(g.rank - 1) == 1 && smallStride[g.rank - 1] == 1;
        boolean clamp = e.isRegisterClamp();
        double lo = clamp ? (double) e.clampLow() : Double.NEGATIVE_INFINITY, hi = clamp ? (double) e.clampHigh() : Double.POSITIVE_INFINITY;
        ex.forEach(Math.toIntExact(g.batch * blocks), (task, s) -> {
            int c0 = task % blocks * per;
            long n = task / blocks;
            double[] x = s.doubles("dw.slab", slab.channelStride + reach + 2 * STEP);
            double[] y = s.doubles("dw.grid", span + 2 * STEP);
            double[] wt = s.doubles("dw.w", g.taps);
            for (int c = c0; c < Math.min(g.groups, c0 + per); c++) {
                SlabRowsF64.fillSlab(g, big, n, c, 1, slab, x, s);
                java.util.Arrays.fill(x, slab.channelStride, slab.channelStride + reach + 2 * STEP, 0);
                for (int j = 0; j < g.kg; j++) {
                    int k = c * g.kg + j;
                    taps(g, w, k, 0, wt);
                    if (rowsOut) {
                        // bias (and a clamp) on the way out of the registers; other activations in place after
                        double b = bias == null ? 0 : bias.segment().get(LAYOUT, (bias.offset() + k * bias.stride(0)) * ES);
                        correlateForward(x, slab.tapOffset, wt, g.taps, y, span, b, lo, hi);
                        if (!clamp) ELEMENTWISE.activationInPlace(e, y, 0, span, 0, false);
                        SlabIoF64.copyRowsFromGrid(g, slab, y, small, n, k, smallStride);
                    } else {
                        correlateForward(x, slab.tapOffset, wt, g.taps, y, span, 0, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
                        SlabIoF64.storeFromGrid(g, slab, y, span, small, n, k, bias, e, smallStride);
                    }
                }
            }
        }, big, w, bias, small);
    }

    static void backwardData(ConvGeometry g, Tensor small, Tensor w, Tensor bias, Epilogue e, Tensor big, Execution ex) {
        RowPlan rows = DepthwiseRowsF64.backwardDataPlan(g, small, big);
        if (rows != null) {
            int per = channelsPerTask(g, ex.threads(), (long) g.taps * g.kg * g.smallCount());
            DepthwiseRowsF64.run(g, rows, small, w, true, bias, e, big, per, ex);
            return;
        }
        Phases ph = new Phases(g);
        PhaseSlab slab = new PhaseSlab(g, 0, (int) g.small[0], false, true);
        GyGrid grid = new GyGrid(g, ph, 0, ph.grid[0]);
        int reach = 0;
        for (int t = 0; t < g.taps; t++) reach = Math.max(reach, grid.tapShift(t));
        int gridLen = grid.channel + reach + 2 * STEP;
        int per = channelsPerTask(g, ex.threads(), (long) g.taps * g.kg * g.smallCount());
        int blocks = ceilDiv(g.groups, per);
        ex.forEach(Math.toIntExact(g.batch * blocks), (task, s) -> {
            int c0 = task % blocks * per;
            long n = task / blocks;
            double[] gy = s.doubles("dw.small", g.kg * gridLen + STEP);
            double[] grad = s.doubles("dw.slab", slab.channelStride + STEP);
            double[] plane = s.doubles("dw.phase", grid.channel + STEP);
            double[] wt = s.doubles("dw.w", g.taps);
            int[] off = s.ints("dw.off", g.taps);
            for (int c = c0; c < Math.min(g.groups, c0 + per); c++) {
                SlabIoF64.copySmallToGrid(g, small, n, c * g.kg, g.kg, grid.firstRow, grid.endRow, gy, gridLen, grid.unitSteps(),
                        grid.add, grid.stride, STEP);
                if (!ph.complete) java.util.Arrays.fill(grad, 0, slab.channelStride, 0);
                for (int p = 0; p < ph.count; p++) {
                    int[] taps = ph.taps[p];
                    int len = phaseSpan(g, ph, grid, p);
                    for (int i = 0; i < taps.length; i++) off[i] = grid.tapShift(taps[i]);
                    for (int j = 0; j < g.kg; j++) {
                        for (int i = 0; i < taps.length; i++) wt[i] = weight(g, w, c * g.kg + j, taps[i]);
                        correlate(gy, j * gridLen, off, wt, taps.length, plane, len, j > 0);
                    }
                    interleave(g, ph, grid, p, plane, slab, grad);
                }
                SlabIoF64.foldAndStore(g, slab, grad, 1, big, n, c, bias, e);
            }
        }, small, w, bias, big);
    }

    static void weightGrad(ConvGeometry g, Tensor big, Tensor small, Tensor gw, Execution ex) {
        PhaseSlab slab = new PhaseSlab(g, 0, (int) g.small[0]);
        int span = slab.span;
        int reach = maxTap(slab);
        int gridLen = ceilDiv(span, L) * L;
        ex.forEach(g.groups, (c, s) -> {
            double[] x = s.doubles("dw.slab", slab.channelStride + reach + STEP);
            double[] gy = s.doubles("dw.small", g.kg * gridLen + STEP);
            double[] acc = s.doubles("dw.acc", g.kg * g.taps);
            double[] lanes = s.doubles("dw.lanes", L);
            java.util.Arrays.fill(acc, 0, g.kg * g.taps, 0);
            for (long n = 0; n < g.batch; n++) {
                SlabRowsF64.fillSlab(g, big, n, c, 1, slab, x, s);
                java.util.Arrays.fill(x, slab.channelStride, slab.channelStride + reach + STEP, 0);
                SlabIoF64.copySmall(g, small, n, c * g.kg, g.kg, slab, gy, gridLen, 0, STEP);
                // between output rows the grid holds gy = 0; x there must be finite for 0 * x to add nothing
                boolean exact = !SlabExactF64.finite(x, slab.channelStride);
                for (int j = 0; j < g.kg; j++) {
                    for (int t = 0; t < g.taps; t++) {
                        acc[j * g.taps + t] += exact ? SlabExactF64.exactDot(g, slab, gy, j * gridLen, x, slab.tapOffset[t])
                                : dot(gy, j * gridLen, x, slab.tapOffset[t], span, lanes);
                    }
                }
            }
            for (int j = 0; j < g.kg; j++) {
                for (int t = 0; t < g.taps; t++) {
                    long off = gw.offset() + (c * g.kg + j) * gw.stride(0);
                    for (int d = 0; d < g.rank; d++) off += g.tap[t][d] * gw.stride(2 + d);
                    gw.segment().set(LAYOUT, off * ES, (double) acc[j * g.taps + t]);
                }
            }
        }, big, small, gw);
    }

    /** Channels per forward or backward-data task: about TASK_WORK multiply-adds, and enough tasks for the threads. */
    private static int channelsPerTask(ConvGeometry g, int threads, long workPerChannel) {
        long per = Math.max(1, TASK_WORK / Math.max(1, workPerChannel));
        long tasksWanted = 4L * threads;
        long fair = Math.max(1, g.batch * g.groups / tasksWanted);
        return (int) Math.max(1, Math.min(g.groups, Math.min(per, fair)));
    }

    /** Grid cells of phase p's positions, from the first to one past the last (inside the padded extent). */
    private static int phaseSpan(ConvGeometry g, Phases ph, GyGrid grid, int p) {
        int last = 0;
        for (int d = 0; d < g.rank; d++) {
            int end = ph.endPadded(p, d);
            if (end <= 0) return 0;
            last += (end - 1 - grid.origin[d]) * grid.stride[d];
        }
        return last + 1;
    }

    /** Writes phase p's positions of {@code plane} (grid layout) into the unphased padded gradient slab. */
    private static void interleave(ConvGeometry g, Phases ph, GyGrid grid, int p, double[] plane, PhaseSlab slab, double[] grad) {
        int rank = g.rank, last = rank - 1;
        int[] v = new int[rank], end = new int[rank];
        for (int d = 0; d < rank; d++) {
            end[d] = ph.endPadded(p, d);
            if (end[d] <= 0) return;
        }
        int sLast = g.stride[last], phiLast = ph.phase[p][last], n = end[last];
        while (true) {
            int src = 0, dst = phiLast * slab.gridStride[last];
            for (int d = 0; d < last; d++) {
                src += v[d] * grid.stride[d];
                dst += (ph.phase[p][d] + g.stride[d] * v[d]) * slab.gridStride[d];
            }
            if (sLast == 1) System.arraycopy(plane, src, grad, dst, n);
            else for (int x = 0; x < n; x++) grad[dst + x * sLast] = plane[src + x];
            int d = last - 1;
            for (; d >= 0; d--) {
                if (++v[d] < end[d]) break;
                v[d] = 0;
            }
            if (d < 0) return;
        }
    }

    private static int maxTap(PhaseSlab slab) {
        int m = 0;
        for (int t : slab.tapOffset) m = Math.max(m, t);
        return m;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** Weight of small channel k at tap t (its group's single big channel). */
    private static double weight(ConvGeometry g, Tensor w, int k, int t) {
        long off = w.offset() + k * w.stride(0);
        for (int d = 0; d < g.rank; d++) off += g.tap[t][d] * w.stride(2 + d);
        return w.segment().get(LAYOUT, off * ES);
    }

    /** The weights of small channel k, big channel c of its group, in tap order. */
    private static void taps(ConvGeometry g, Tensor w, int k, int c, double[] out) {
        for (int t = 0; t < g.taps; t++) {
            long off = w.offset() + k * w.stride(0) + c * w.stride(1);
            for (int d = 0; d < g.rank; d++) off += g.tap[t][d] * w.stride(2 + d);
            out[t] = w.segment().get(LAYOUT, off * ES);
        }
    }

    /**
     * Forward: {@code dst[p] = min(max(sum_t w[t] src[off[t] + p] + bias, lo), hi)} for p in [0, len) (a clamp
     * activation: identity, ReLU, clip); eight vectors in flight (two FMA pipes of four cycles' latency), four for
     * the last four or fewer. The
     * sum comes first, then the bias: the order of every other store.
     */
    static void correlateForward(double[] src, int[] off, double[] w, int taps, double[] dst, int len, double bias, double lo, double hi) {
        DoubleVector b = DoubleVector.broadcast(S, bias);
        int p = 0;
        for (; len - p > STEP; p += 2 * STEP) {
            DoubleVector a0 = DoubleVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (int t = 0; t < taps; t++) {
                DoubleVector wt = DoubleVector.broadcast(S, w[t]);
                int q = off[t] + p;
                a0 = wt.fma(DoubleVector.fromArray(S, src, q), a0);
                a1 = wt.fma(DoubleVector.fromArray(S, src, q + L), a1);
                a2 = wt.fma(DoubleVector.fromArray(S, src, q + 2 * L), a2);
                a3 = wt.fma(DoubleVector.fromArray(S, src, q + 3 * L), a3);
                a4 = wt.fma(DoubleVector.fromArray(S, src, q + 4 * L), a4);
                a5 = wt.fma(DoubleVector.fromArray(S, src, q + 5 * L), a5);
                a6 = wt.fma(DoubleVector.fromArray(S, src, q + 6 * L), a6);
                a7 = wt.fma(DoubleVector.fromArray(S, src, q + 7 * L), a7);
            }
            a0 = a0.add(b);
            a0 = a0.blend(lo, a0.compare(VectorOperators.LE, lo));
            a0.blend(hi, a0.compare(VectorOperators.GE, hi)).intoArray(dst, p);
            a1 = a1.add(b);
            a1 = a1.blend(lo, a1.compare(VectorOperators.LE, lo));
            a1.blend(hi, a1.compare(VectorOperators.GE, hi)).intoArray(dst, p + L);
            a2 = a2.add(b);
            a2 = a2.blend(lo, a2.compare(VectorOperators.LE, lo));
            a2.blend(hi, a2.compare(VectorOperators.GE, hi)).intoArray(dst, p + 2 * L);
            a3 = a3.add(b);
            a3 = a3.blend(lo, a3.compare(VectorOperators.LE, lo));
            a3.blend(hi, a3.compare(VectorOperators.GE, hi)).intoArray(dst, p + 3 * L);
            a4 = a4.add(b);
            a4 = a4.blend(lo, a4.compare(VectorOperators.LE, lo));
            a4.blend(hi, a4.compare(VectorOperators.GE, hi)).intoArray(dst, p + 4 * L);
            a5 = a5.add(b);
            a5 = a5.blend(lo, a5.compare(VectorOperators.LE, lo));
            a5.blend(hi, a5.compare(VectorOperators.GE, hi)).intoArray(dst, p + 5 * L);
            a6 = a6.add(b);
            a6 = a6.blend(lo, a6.compare(VectorOperators.LE, lo));
            a6.blend(hi, a6.compare(VectorOperators.GE, hi)).intoArray(dst, p + 6 * L);
            a7 = a7.add(b);
            a7 = a7.blend(lo, a7.compare(VectorOperators.LE, lo));
            a7.blend(hi, a7.compare(VectorOperators.GE, hi)).intoArray(dst, p + 7 * L);
        }
        if (p < len) {
            // at most four vectors left (a small plane's whole span): four accumulators, not eight
            DoubleVector a0 = DoubleVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int t = 0; t < taps; t++) {
                DoubleVector wt = DoubleVector.broadcast(S, w[t]);
                int q = off[t] + p;
                a0 = wt.fma(DoubleVector.fromArray(S, src, q), a0);
                a1 = wt.fma(DoubleVector.fromArray(S, src, q + L), a1);
                a2 = wt.fma(DoubleVector.fromArray(S, src, q + 2 * L), a2);
                a3 = wt.fma(DoubleVector.fromArray(S, src, q + 3 * L), a3);
            }
            a0 = a0.add(b);
            a0 = a0.blend(lo, a0.compare(VectorOperators.LE, lo));
            a0.blend(hi, a0.compare(VectorOperators.GE, hi)).intoArray(dst, p);
            a1 = a1.add(b);
            a1 = a1.blend(lo, a1.compare(VectorOperators.LE, lo));
            a1.blend(hi, a1.compare(VectorOperators.GE, hi)).intoArray(dst, p + L);
            a2 = a2.add(b);
            a2 = a2.blend(lo, a2.compare(VectorOperators.LE, lo));
            a2.blend(hi, a2.compare(VectorOperators.GE, hi)).intoArray(dst, p + 2 * L);
            a3 = a3.add(b);
            a3 = a3.blend(lo, a3.compare(VectorOperators.LE, lo));
            a3.blend(hi, a3.compare(VectorOperators.GE, hi)).intoArray(dst, p + 3 * L);
        }
    }

    /**
     * {@code dst[p] (+)= sum_t w[t] src[base + off[t] + p]} for p in [0, len), four vectors at a time;
     * {@code add} keeps what dst holds (backward-data), else it is overwritten (forward).
     */
    private static void correlate(double[] src, int base, int[] off, double[] w, int taps, double[] dst, int len, boolean add) {
        for (int p = 0; p < len; p += STEP) {
            DoubleVector a0, a1, a2, a3;
            if (add) {
                a0 = DoubleVector.fromArray(S, dst, p);
                a1 = DoubleVector.fromArray(S, dst, p + L);
                a2 = DoubleVector.fromArray(S, dst, p + 2 * L);
                a3 = DoubleVector.fromArray(S, dst, p + 3 * L);
            } else {
                a0 = DoubleVector.zero(S);
                a1 = a0;
                a2 = a0;
                a3 = a0;
            }
            for (int t = 0; t < taps; t++) {
                DoubleVector wt = DoubleVector.broadcast(S, w[t]);
                int q = base + off[t] + p;
                a0 = wt.fma(DoubleVector.fromArray(S, src, q), a0);
                a1 = wt.fma(DoubleVector.fromArray(S, src, q + L), a1);
                a2 = wt.fma(DoubleVector.fromArray(S, src, q + 2 * L), a2);
                a3 = wt.fma(DoubleVector.fromArray(S, src, q + 3 * L), a3);
            }
            a0.intoArray(dst, p);
            a1.intoArray(dst, p + L);
            a2.intoArray(dst, p + 2 * L);
            a3.intoArray(dst, p + 3 * L);
        }
    }

    /** {@code sum_p gy[base + p] x[off + p]} for p in [0, span): vector partial sums, reduced in a fixed order. */
    private static double dot(double[] gy, int base, double[] x, int off, int span, double[] lanes) {
        DoubleVector a0 = DoubleVector.zero(S), a1 = a0;
        int p = 0;
        for (; p + 2 * L <= span; p += 2 * L) {
            a0 = DoubleVector.fromArray(S, gy, base + p).fma(DoubleVector.fromArray(S, x, off + p), a0);
            a1 = DoubleVector.fromArray(S, gy, base + p + L).fma(DoubleVector.fromArray(S, x, off + p + L), a1);
        }
        // reduceLanes(ADD) leaves the order open (the JIT tiers differ): sum the lanes in a fixed order
        a0.add(a1).intoArray(lanes, 0);
        double sum = 0;
        for (int i = 0; i < L; i++) sum += lanes[i];
        for (; p < span; p++) sum += gy[base + p] * x[off + p];
        return sum;
    }
}
