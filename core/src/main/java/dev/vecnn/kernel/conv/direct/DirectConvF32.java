package dev.vecnn.kernel.conv.direct;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.kernel.conv.PhaseSlab;
import dev.vecnn.kernel.conv.SlabExactF32;
import dev.vecnn.kernel.conv.SlabIoF32;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Direct forward convolution in float for few output or few input channels per group (the lecture's RGB
 * image and two filters; a first layer on single-channel data), where GEMM tiles would be mostly padding
 * or a GEMM's reduction only the taps: {@code Y_k[p] = sum_c sum_t w[k,c,t] X_c[p + off_t]} on the padded
 * slab grid, four output channels by two vectors per step (a last pair by two), each input vector loaded
 * once for every channel of the step.
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
            float[] x = s.floats("direct.slab", slabLen);
            java.util.Arrays.fill(x, g.cg * slab.channelStride, slabLen, 0);
            SlabIoF32.fillSlab(g, big, n, gi * g.cg, g.cg, slab, x, s);
            float[] y0 = s.floats("direct.y0", span + STEP);
            float[] y1 = s.floats("direct.y1", span + STEP);
            float[] y2 = s.floats("direct.y2", span + STEP);
            float[] y3 = s.floats("direct.y3", span + STEP);
            float[] w4 = s.floats("direct.w4", 4 * red);
            // four output channels per pass (eight accumulators, each input vector loaded once for four
            // channels); a last pair or single channel per pass of two
            int end = Math.min(g.kg, (part + 1) * perPart);
            for (int j = part * perPart; j < end; ) {
                int k0 = gi * g.kg + j, count = end - j >= 3 ? 4 : 2, real = Math.min(count, end - j);
                java.util.Arrays.fill(w4, 0, count * red, 0);
                for (int i = 0; i < real; i++) weights(g, w, k0 + i, w4, i, count);
                if (count == 4) correlate4(x, w4, off, red, y0, y1, y2, y3, span);
                else correlate2(x, w4, off, red, y0, y1, span);
                float[][] ys = {y0, y1, y2, y3};
                for (int i = 0; i < real; i++) SlabIoF32.storeFromGrid(g, slab, ys[i], span, small, n, k0 + i, bias, e, smallStride);
                j += real;
            }
        }, big, w, bias, small);
    }

    /** Image chunks of backward-weights: a fixed count, so that the sums' order does not depend on the threads. */
    private static final int WEIGHT_CHUNKS = 8;

    /**
     * Backward-weights {@code GW[k,c,t] = sum_n sum_p G_k[p] X_c[p + off_t]}: gy laid on the slab grid at
     * the window starts (zero elsewhere), four output channels by two reduction steps per pass over the
     * grid (eight accumulators; each gy vector loaded once for two steps, each x vector once for four
     * channels), the lanes kept across the images of a chunk. The batch is cut into a fixed number of
     * chunks ({@link #WEIGHT_CHUNKS}, tasks with every output channel of a group), whose partial sums are
     * added in chunk order: results do not depend on threads. A slab with a non-finite value takes an
     * exact loop over the real positions (0 * inf between the windows must not add a NaN).
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
        int slabLen = g.cg * slab.channelStride + slab.tapOffset[g.taps - 1] + gridLen + STEP;
        int quads = ceilDiv(g.kg, 4);
        // a quad's lanes: four channels by every reduction step, and a spare step for an odd last pair
        int quadLanes = (red + 1) * 4 * L;
        int chunks = (int) Math.min(g.batch, WEIGHT_CHUNKS);
        int perGroup = g.kg * red;
        // partial sums per (group, chunk), then added in chunk order
        double[] partial = new double[Math.toIntExact((long) g.groups * chunks * perGroup)];
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
                SlabIoF32.fillSlab(g, big, n, gi * g.cg, g.cg, slab, x, s);
                boolean finite = SlabExactF32.finite(x, g.cg * slab.channelStride);
                for (int q = 0; q < quads; q++) {
                    int j0 = q * 4, kn = Math.min(4, g.kg - j0), k0 = gi * g.kg + j0;
                    // copySmall zeroes its kn channels' grids; channels past kn stay zero: their sums are computed and dropped
                    if (kn < 4) java.util.Arrays.fill(gy, kn * gridLen, 4 * gridLen + STEP, 0);
                    SlabIoF32.copySmall(g, small, n, k0, kn, slab, gy, gridLen, 0, STEP);
                    if (!finite) {
                        for (int i = 0; i < kn; i++) {
                            for (int r = 0; r < red; r++) exact[(j0 + i) * red + r] += SlabExactF32.exactDot(g, slab, gy, i * gridLen, x, off[r]);
                        }
                        continue;
                    }
                    for (int r = 0; r < red; r += 2) {
                        // an odd last step pairs with itself: its copy lands in the quad's spare step and is dropped
                        dot4x2(gy, gridLen, x, off[r], off[Math.min(r + 1, red - 1)], lanes, q * quadLanes + r * 4 * L);
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

    /**
     * Adds {@code sum_p gy[i len + p] x[off_j + p]} over p in [0, len), lane by lane, to the lanes of (step
     * r + j, channel i) at {@code lanes[at + (j * 4 + i) * L]}, i < 4, j < 2 (steps r and r + 1 of a quad
     * lie {@code 4 L} apart).
     */
    private static void dot4x2(float[] gy, int len, float[] x, int off0, int off1, float[] lanes, int at) {
        int at1 = at + 4 * L;
        FloatVector a0 = FloatVector.fromArray(S, lanes, at), b0 = FloatVector.fromArray(S, lanes, at + L);
        FloatVector c0 = FloatVector.fromArray(S, lanes, at + 2 * L), d0 = FloatVector.fromArray(S, lanes, at + 3 * L);
        FloatVector a1 = FloatVector.fromArray(S, lanes, at1), b1 = FloatVector.fromArray(S, lanes, at1 + L);
        FloatVector c1 = FloatVector.fromArray(S, lanes, at1 + 2 * L), d1 = FloatVector.fromArray(S, lanes, at1 + 3 * L);
        for (int p = 0; p < len; p += L) {
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
