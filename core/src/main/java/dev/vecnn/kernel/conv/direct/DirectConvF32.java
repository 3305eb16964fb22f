package dev.vecnn.kernel.conv.direct;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.kernel.conv.PhaseSlab;
import dev.vecnn.kernel.conv.SlabIoF32;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Direct forward convolution in float for few output channels per group (the lecture's RGB image and
 * two filters), where GEMM tiles would be mostly padding: {@code Y_k[p] = sum_c sum_t w[k,c,t] X_c[p + off_t]}
 * on the padded slab grid, two output channels by two vectors per step, each input vector loaded once
 * for both channels.
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
    private static final ValueLayout.OfFloat LAYOUT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final long ES = 4;

    static void forward(ConvGeometry g, Tensor big, Tensor w, Tensor bias, Epilogue e, Tensor small, Execution ex) {
        PhaseSlab slab = new PhaseSlab(g, 0, (int) g.small[0], false, true);
        long[] last = new long[g.rank];
        for (int d = 0; d < g.rank; d++) last[d] = g.small[d] - 1;
        int span = slab.windowStart(last) + 1;
        int red = g.cg * g.taps;
        int[] off = new int[red]; // slab offset of each (channel, tap)
        for (int c = 0; c < g.cg; c++) for (int t = 0; t < g.taps; t++) off[c * g.taps + t] = c * slab.channelStride + slab.tapOffset[t];
        long[] smallStride = SlabIoF32.spatialStrides(small);
        int slabLen = g.cg * slab.channelStride + slab.tapOffset[g.taps - 1] + STEP;
        ex.forEach(Math.toIntExact(g.batch * g.groups), (task, s) -> {
            int gi = task % g.groups;
            long n = task / g.groups;
            float[] x = s.floats("direct.slab", slabLen);
            java.util.Arrays.fill(x, g.cg * slab.channelStride, slabLen, 0);
            SlabIoF32.fillSlab(g, big, n, gi * g.cg, g.cg, slab, x, s);
            float[] y0 = s.floats("direct.y0", span + STEP);
            float[] y1 = s.floats("direct.y1", span + STEP);
            float[] w0 = s.floats("direct.w0", red);
            float[] w1 = s.floats("direct.w1", red);
            for (int j = 0; j < g.kg; j += 2) {
                int k0 = gi * g.kg + j;
                boolean pair = j + 1 < g.kg;
                weights(g, w, k0, w0);
                if (pair) weights(g, w, k0 + 1, w1);
                else java.util.Arrays.fill(w1, 0, red, 0);
                correlate2(x, w0, w1, off, red, y0, y1, span);
                SlabIoF32.storeFromGrid(g, slab, y0, span, small, n, k0, bias, e, smallStride);
                if (pair) SlabIoF32.storeFromGrid(g, slab, y1, span, small, n, k0 + 1, bias, e, smallStride);
            }
        }, big, w, bias, small);
    }

    /** Weights of small channel k in (channel, tap) order. */
    private static void weights(ConvGeometry g, Tensor w, int k, float[] out) {
        for (int c = 0; c < g.cg; c++) {
            for (int t = 0; t < g.taps; t++) {
                long o = w.offset() + k * w.stride(0) + c * w.stride(1);
                for (int d = 0; d < g.rank; d++) o += g.tap[t][d] * w.stride(2 + d);
                out[c * g.taps + t] = w.segment().get(LAYOUT, o * ES);
            }
        }
    }

    /** {@code y0[p] = sum_r w0[r] x[p + off[r]]} and the same for y1, for p in [0, span). */
    private static void correlate2(float[] x, float[] w0, float[] w1, int[] off, int red, float[] y0, float[] y1, int span) {
        for (int p = 0; p < span; p += STEP) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, b0 = a0, b1 = a0;
            for (int r = 0; r < red; r++) {
                int q = p + off[r];
                FloatVector x0 = FloatVector.fromArray(S, x, q);
                FloatVector x1 = FloatVector.fromArray(S, x, q + L);
                FloatVector u = FloatVector.broadcast(S, w0[r]);
                FloatVector v = FloatVector.broadcast(S, w1[r]);
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
}
