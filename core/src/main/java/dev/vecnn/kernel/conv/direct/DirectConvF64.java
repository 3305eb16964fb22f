package dev.vecnn.kernel.conv.direct;

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
 * Direct forward convolution in double for few output or few input channels per group (the lecture's RGB
 * image and two filters; a first layer on single-channel data), where GEMM tiles would be mostly padding
 * or a GEMM's reduction only the taps: {@code Y_k[p] = sum_c sum_t w[k,c,t] X_c[p + off_t]} on the padded
 * slab grid, four output channels by two vectors per step (a last pair by two), each input vector loaded
 * once for every channel of the step.
 *
 * <p>GENERATED from core/src/template/DirectConv.java.in by dev.vecnn.codegen.KernelTemplates; edit the
 * template, not this file.
 */
final class DirectConvF64 {
    private DirectConvF64() {
    }

    static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    static final int L = S.length();
    private static final int STEP = 2 * L;
    private static final ValueLayout.OfDouble LAYOUT = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final long ES = 8;

    static void forward(ConvGeometry g, Tensor big, Tensor w, Tensor bias, Epilogue e, Tensor small, Execution ex) {
        PhaseSlab slab = new PhaseSlab(g, 0, (int) g.small[0], false, true);
        long[] last = new long[g.rank];
        for (int d = 0; d < g.rank; d++) last[d] = g.small[d] - 1;
        int span = slab.windowStart(last) + 1;
        int red = g.cg * g.taps;
        int[] off = new int[red]; // slab offset of each (channel, tap)
        for (int c = 0; c < g.cg; c++) for (int t = 0; t < g.taps; t++) off[c * g.taps + t] = c * slab.channelStride + slab.tapOffset[t];
        long[] smallStride = SlabIoF64.spatialStrides(small);
        int slabLen = g.cg * slab.channelStride + slab.tapOffset[g.taps - 1] + STEP;
        // output channels split into parts (multiples of four) when images and groups alone leave threads idle;
        // each output is one correlation whatever the split, so results do not depend on it
        long units = g.batch * g.groups;
        int parts = (int) Math.max(1, Math.min(ceilDiv(g.kg, 4), ceilDiv(2L * ex.threads(), units)));
        int perPart = ceilDiv(ceilDiv(g.kg, parts), 4) * 4;
        int partCount = ceilDiv(g.kg, perPart);
        ex.forEach(Math.toIntExact(units * partCount), (task, s) -> {
            int part = task % partCount;
            int gi = task / partCount % g.groups;
            long n = task / partCount / g.groups;
            double[] x = s.doubles("direct.slab", slabLen);
            java.util.Arrays.fill(x, g.cg * slab.channelStride, slabLen, 0);
            SlabIoF64.fillSlab(g, big, n, gi * g.cg, g.cg, slab, x, s);
            double[] y0 = s.doubles("direct.y0", span + STEP);
            double[] y1 = s.doubles("direct.y1", span + STEP);
            double[] y2 = s.doubles("direct.y2", span + STEP);
            double[] y3 = s.doubles("direct.y3", span + STEP);
            double[] w4 = s.doubles("direct.w4", 4 * red);
            // four output channels per pass (eight accumulators, each input vector loaded once for four
            // channels); a last pair or single channel per pass of two
            int end = Math.min(g.kg, (part + 1) * perPart);
            for (int j = part * perPart; j < end; ) {
                int k0 = gi * g.kg + j, count = end - j >= 3 ? 4 : 2, real = Math.min(count, end - j);
                java.util.Arrays.fill(w4, 0, count * red, 0);
                for (int i = 0; i < real; i++) weights(g, w, k0 + i, w4, i, count);
                if (count == 4) correlate4(x, w4, off, red, y0, y1, y2, y3, span);
                else correlate2(x, w4, off, red, y0, y1, span);
                double[][] ys = {y0, y1, y2, y3};
                for (int i = 0; i < real; i++) SlabIoF64.storeFromGrid(g, slab, ys[i], span, small, n, k0 + i, bias, e, smallStride);
                j += real;
            }
        }, big, w, bias, small);
    }

    private static int ceilDiv(long a, long b) {
        return (int) ((a + b - 1) / b);
    }

    /** Weights of small channel k in (channel, tap) order, at {@code out[r * count + i]} for reduction step r. */
    private static void weights(ConvGeometry g, Tensor w, int k, double[] out, int i, int count) {
        for (int c = 0; c < g.cg; c++) {
            for (int t = 0; t < g.taps; t++) {
                long o = w.offset() + k * w.stride(0) + c * w.stride(1);
                for (int d = 0; d < g.rank; d++) o += g.tap[t][d] * w.stride(2 + d);
                out[(c * g.taps + t) * count + i] = w.segment().get(LAYOUT, o * ES);
            }
        }
    }

    /** {@code y0[p] = sum_r w[2r] x[p + off[r]]} and y1 with {@code w[2r + 1]}, for p in [0, span). */
    private static void correlate2(double[] x, double[] w, int[] off, int red, double[] y0, double[] y1, int span) {
        for (int p = 0; p < span; p += STEP) {
            DoubleVector a0 = DoubleVector.zero(S), a1 = a0, b0 = a0, b1 = a0;
            for (int r = 0; r < red; r++) {
                int q = p + off[r];
                DoubleVector x0 = DoubleVector.fromArray(S, x, q);
                DoubleVector x1 = DoubleVector.fromArray(S, x, q + L);
                DoubleVector u = DoubleVector.broadcast(S, w[2 * r]);
                DoubleVector v = DoubleVector.broadcast(S, w[2 * r + 1]);
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

    /** Four channels at once: {@code yi[p] = sum_r w[4r + i] x[p + off[r]]}, for p in [0, span). */
    private static void correlate4(double[] x, double[] w, int[] off, int red, double[] y0, double[] y1, double[] y2, double[] y3, int span) {
        for (int p = 0; p < span; p += STEP) {
            DoubleVector a0 = DoubleVector.zero(S), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
            for (int r = 0; r < red; r++) {
                int q = p + off[r];
                DoubleVector x0 = DoubleVector.fromArray(S, x, q);
                DoubleVector x1 = DoubleVector.fromArray(S, x, q + L);
                DoubleVector u = DoubleVector.broadcast(S, w[4 * r]);
                a0 = u.fma(x0, a0);
                a1 = u.fma(x1, a1);
                u = DoubleVector.broadcast(S, w[4 * r + 1]);
                b0 = u.fma(x0, b0);
                b1 = u.fma(x1, b1);
                u = DoubleVector.broadcast(S, w[4 * r + 2]);
                c0 = u.fma(x0, c0);
                c1 = u.fma(x1, c1);
                u = DoubleVector.broadcast(S, w[4 * r + 3]);
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
