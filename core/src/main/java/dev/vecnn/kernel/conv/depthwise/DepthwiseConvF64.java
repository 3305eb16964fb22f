package dev.vecnn.kernel.conv.depthwise;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.kernel.conv.PhaseSlab;
import dev.vecnn.kernel.conv.SlabIoF64;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Depthwise convolution in double (one big-side channel per group, any channel multiplier, stride,
 * dilation, padding mode and rank). Each channel is computed on its padded slab grid, vectorised
 * along it with a rolled tap loop over an offset table:
 * <ul>
 *   <li>forward: {@code Y[p] = sum_t w_t X[p + off_t]}, kept at the window starts of real outputs;</li>
 *   <li>backward-data: {@code GX[p] = sum_t w_t G[p - off_t]}, with gy placed at window starts
 *       (zeros between strided outputs), then folded through the padding mode;</li>
 *   <li>backward-weights: {@code GW_t = sum_p G[p] X[p + off_t]}.</li>
 * </ul>
 * One task per (image, channel), or per channel for the weights: results do not depend on threads.
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

    static void forward(ConvGeometry g, Tensor big, Tensor w, Tensor bias, Epilogue e, Tensor small, Execution ex) {
        PhaseSlab slab = new PhaseSlab(g, 0, (int) g.small[0], false, true);
        int span = gridSpan(g, slab);
        long[] smallStride = SlabIoF64.spatialStrides(small);
        ex.forEach(Math.toIntExact(g.batch * g.groups), (task, s) -> {
            int c = task % g.groups;
            long n = task / g.groups;
            double[] x = s.doubles("dw.slab", slab.channelStride + maxTap(slab) + STEP);
            java.util.Arrays.fill(x, slab.channelStride, x.length, 0);
            SlabIoF64.fillSlab(g, big, n, c, 1, slab, x, s);
            double[] y = s.doubles("dw.grid", span + STEP);
            double[] wt = s.doubles("dw.w", g.taps);
            for (int j = 0; j < g.kg; j++) {
                int k = c * g.kg + j;
                taps(g, w, k, 0, wt);
                correlate(x, 0, slab.tapOffset, wt, g.taps, y, span, false);
                SlabIoF64.storeFromGrid(g, slab, y, small, n, k, bias, e, smallStride);
            }
        }, big, w, bias, small);
    }

    static void backwardData(ConvGeometry g, Tensor small, Tensor w, Tensor bias, Epilogue e, Tensor big, Execution ex) {
        PhaseSlab slab = new PhaseSlab(g, 0, (int) g.small[0], false, true);
        int margin = maxTap(slab);
        int gridLen = margin + slab.channelStride + STEP;
        long[] smallStride = SlabIoF64.spatialStrides(small);
        ex.forEach(Math.toIntExact(g.batch * g.groups), (task, s) -> {
            int c = task % g.groups;
            long n = task / g.groups;
            double[] gy = s.doubles("dw.small", g.kg * gridLen + STEP);
            SlabIoF64.copySmall(g, small, n, c * g.kg, g.kg, slab, gy, gridLen, margin, STEP);
            double[] grad = s.doubles("dw.slab", slab.channelStride + STEP);
            java.util.Arrays.fill(grad, 0, grad.length, 0);
            double[] wt = s.doubles("dw.w", g.taps);
            int[] neg = s.ints("dw.neg", g.taps);
            for (int t = 0; t < g.taps; t++) neg[t] = margin - slab.tapOffset[t];
            for (int j = 0; j < g.kg; j++) {
                taps(g, w, c * g.kg + j, 0, wt);
                correlate(gy, j * gridLen, neg, wt, g.taps, grad, slab.channelStride, true);
            }
            SlabIoF64.foldAndStore(g, slab, grad, 1, big, n, c, bias, e);
        }, small, w, bias, big);
    }

    static void weightGrad(ConvGeometry g, Tensor big, Tensor small, Tensor gw, Execution ex) {
        PhaseSlab slab = new PhaseSlab(g, 0, (int) g.small[0], false, true);
        int span = gridSpan(g, slab);
        int gridLen = slab.channelStride + STEP;
        long[] smallStride = SlabIoF64.spatialStrides(small);
        ex.forEach(g.groups, (c, s) -> {
            double[] x = s.doubles("dw.slab", slab.channelStride + maxTap(slab) + STEP);
            java.util.Arrays.fill(x, slab.channelStride, x.length, 0);
            double[] gy = s.doubles("dw.small", g.kg * gridLen + STEP);
            double[] acc = s.doubles("dw.acc", g.kg * g.taps);
            double[] lanes = s.doubles("dw.lanes", L);
            java.util.Arrays.fill(acc, 0, g.kg * g.taps, 0);
            for (long n = 0; n < g.batch; n++) {
                SlabIoF64.fillSlab(g, big, n, c, 1, slab, x, s);
                SlabIoF64.copySmall(g, small, n, c * g.kg, g.kg, slab, gy, gridLen, 0, STEP);
                for (int j = 0; j < g.kg; j++) {
                    for (int t = 0; t < g.taps; t++) acc[j * g.taps + t] += dot(gy, j * gridLen, x, slab.tapOffset[t], span, lanes);
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

    /** One past the largest grid position that is a real output's window start. */
    private static int gridSpan(ConvGeometry g, PhaseSlab slab) {
        long[] last = new long[g.rank];
        for (int d = 0; d < g.rank; d++) last[d] = g.small[d] - 1;
        return slab.windowStart(last) + 1;
    }

    private static int maxTap(PhaseSlab slab) {
        return slab.tapOffset[slab.tapOffset.length - 1];
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
