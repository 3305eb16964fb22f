package dev.vecnn.kernel.portable.conv;

import dev.vecnn.conv.Activation;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.kernel.conv.PhaseSlab;
import dev.vecnn.kernel.conv.SlabIoF64;
import dev.vecnn.parallel.Execution;
import dev.vecnn.parallel.Execution.Scratch;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Portable convolution in double: all three passes of direct and transposed convolutions, any rank,
 * stride, dilation, padding mode and layout, as GEMMs over heap panels written in plain Java that
 * HotSpot's C2 auto-vectorizes (no {@code jdk.incubator.vector}).
 *
 * <p>C2 (JDK 25) vectorizes {@code c[j] = fma(a, b[j], c[j])} only when both arrays are indexed by the
 * same expression: it cannot prove that two different offsets into arrays do not overlap. So every
 * panel row is an array of its own ({@link Execution.Scratch#doubleRows}), all indexed from 0, and every
 * shift (im2col, the gradient grid) is done by {@code System.arraycopy} while packing. The inner
 * kernel updates 4 rows of C with 4 rows of B per pass ({@code k44}); each element of C is one chain
 * of fused multiply-adds in ascending reduction order, whatever the blocking, the partition into tasks
 * or the vector width, so results are bit-identical for any thread count.
 * <ul>
 *   <li>forward (small = W x im2col(big)): tasks over (image, group, output rows); rows of C are output
 *       channels, columns are output positions in blocks of {@link #NC}, the reduction (channel, tap)
 *       in chunks of {@link #KC}; im2col rows are copied from a padded slab run by run;</li>
 *   <li>backward-data (big = col2im(W^T x small)) in gather form: the small side is laid on the padded
 *       big-side grid (zeros between strided positions) and each (channel, tap) row of B is that grid
 *       shifted by the tap's offset, so C = W^T x B is the padded gradient itself, which is then folded
 *       through the padding mode. With strides s the grid multiplies prod(s) times more zeros;</li>
 *   <li>backward-weights (gw = gy x im2col(big)^T): rows of C are output channels, columns the (channel,
 *       tap) reduction of the forward pass, the reduction runs over images and positions in order.</li>
 * </ul>
 * As in the other kernels, a non-finite weight multiplies padding zeros too (NaN where the reference
 * may give an infinity).
 *
 * <p>GENERATED from core/src/template/PortableConv.java.in by dev.vecnn.codegen.KernelTemplates; edit
 * the template, not this file.
 */
final class PortableConvF64 {
    private PortableConvF64() {
    }

    /** Columns per block: the trip count of every vectorized loop (C2's unrolled vector loop needs a few hundred). */
    static final int NC = 512;
    /** Reduction rows packed at once: a KC x NC panel of B stays in L2. */
    static final int KC = 128;
    /** Positions per block of the weight gradient (its reduction chunk). */
    static final int KP = 64;
    private static final ValueLayout.OfDouble LAYOUT = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final long ES = 8;

    // ================================================================ forward: small = W x im2col(big)

    static void smallFromBig(ConvGeometry g, Tensor big, Tensor w, Tensor bias, Epilogue e, Tensor small, Execution ex) {
        int red = g.reduction();
        Scratch call = ex.acquire();
        try {
            // A: one row per small channel (all groups), the reduction (channel, tap) along it
            double[] a = call.doubles("portable.a", g.groups * g.kg * red);
            packWeights(g, w, a, false);
            int rowsPerTask = rowsPerTask(g, ex.threads());
            int rowBlocks = ceilDiv((int) g.small[0], rowsPerTask);
            long[] smallStride = spatialStrides(small);
            long rowPlane = g.smallCount() / g.small[0];
            int step = g.stride[g.rank - 1];
            long lastStride = smallStride[g.rank - 1];
            ex.forEach(Math.toIntExact(g.batch * g.groups * rowBlocks), (task, s) -> {
                int rb = task % rowBlocks;
                int gi = (task / rowBlocks) % g.groups;
                long n = task / rowBlocks / g.groups;
                int r0 = rb * rowsPerTask, r1 = (int) Math.min(r0 + rowsPerTask, g.small[0]);
                PhaseSlab slab = new PhaseSlab(g, r0, r1, false, false);
                double[] sl = s.doubles("portable.slab", g.cg * slab.channelStride);
                SlabIoF64.fillSlab(g, big, n, gi * g.cg, g.cg, slab, sl, s);
                int[] koff = tapOffsets(g, slab, s);
                Columns cols = new Columns(g, slab, smallStride, s, NC);
                double[][] c = s.doubleRows("portable.c", g.kg, NC);
                double[][] b = s.doubleRows("portable.b", KC, NC);
                long count = (r1 - r0) * rowPlane;
                for (long p0 = 0; p0 < count; p0 += NC) {
                    int nc = (int) Math.min(NC, count - p0);
                    cols.block(p0, nc);
                    for (int k = 0; k < g.kg; k++) Arrays.fill(c[k], 0, nc, 0);
                    for (int k0 = 0; k0 < red; k0 += KC) {
                        int kn = Math.min(KC, red - k0);
                        for (int r = 0; r < kn; r++) im2colRow(sl, koff[k0 + r], cols, step, b[r]);
                        gemm(c, 0, g.kg, a, gi * g.kg * red + k0, red, b, 0, kn, nc);
                    }
                    for (int k = 0; k < g.kg; k++) {
                        int kAbs = gi * g.kg + k;
                        long chan = small.offset() + n * small.stride(0) + kAbs * small.stride(1);
                        epilogue(c[k], nc, biasOf(bias, kAbs), e);
                        for (int r = 0; r < cols.count; r++) {
                            store(c[k], cols.j0[r], small.segment(), chan + cols.out[r], lastStride, cols.len[r]);
                        }
                    }
                }
            }, big, w, bias, small);
        } finally {
            ex.release(call);
        }
    }

    /** Rows of the small side per forward task: a bounded slab, and enough tasks for the threads. */
    private static int rowsPerTask(ConvGeometry g, int threads) {
        long rowElems = (long) g.cg * g.dilation[0] * g.stride[0];
        for (int d = 1; d < g.rank; d++) rowElems *= g.big[d] + g.padBegin[d] + g.padEnd[d];
        long rows = Math.max(1, Math.min(g.small[0], (1L << 18) / Math.max(1, rowElems)));
        long perImage = ceilDiv(threads, Math.max(1, g.batch * g.groups));
        return (int) Math.max(1, Math.min(rows, ceilDiv(g.small[0], perImage)));
    }

    /** Slab offsets of reduction row (channel, tap): {@code koff[c * taps + t]}. */
    private static int[] tapOffsets(ConvGeometry g, PhaseSlab slab, Scratch s) {
        int[] koff = s.ints("portable.koff", g.reduction());
        for (int cc = 0; cc < g.cg; cc++) {
            for (int t = 0; t < g.taps; t++) koff[cc * g.taps + t] = cc * slab.channelStride + slab.tapOffset[t];
        }
        return koff;
    }

    /** One im2col row of a block: the slab values its columns' windows read at {@code base}, run by run. */
    private static void im2colRow(double[] sl, int base, Columns cols, int step, double[] row) {
        for (int r = 0; r < cols.count; r++) {
            int from = base + cols.slabStart[r], to = cols.j0[r], len = cols.len[r];
            if (step == 1) System.arraycopy(sl, from, row, to, len);
            else for (int x = 0; x < len; x++) row[to + x] = sl[from + x * step];
        }
    }

    // ================================================================ backward data: big = col2im(W^T x small), gathered

    static void bigFromSmall(ConvGeometry g, Tensor small, Tensor w, Tensor bias, Epilogue e, Tensor big, Execution ex) {
        int red = g.kg * g.taps;
        PhaseSlab slab = new PhaseSlab(g, 0, (int) g.small[0], false, true);
        int plane = slab.channelStride;
        // the largest tap offset (the last tap's): zeros before the grid, so every shifted copy starts inside it
        int margin = slab.tapOffset[g.taps - 1];
        int cb = channelBlock(g, plane, ex.threads());
        int cBlocks = ceilDiv(g.cg, cb);
        Scratch call = ex.acquire();
        try {
            // A = W^T: one row per (group, big channel), the reduction (small channel, tap) along it
            double[] a = call.doubles("portable.a", g.groups * g.cg * red);
            packWeights(g, w, a, true);
            ex.forEach(Math.toIntExact(g.batch * g.groups * cBlocks), (task, s) -> {
                int cbi = task % cBlocks;
                int gi = (task / cBlocks) % g.groups;
                long n = task / cBlocks / g.groups;
                int c0 = cbi * cb, cn = Math.min(cb, g.cg - c0);
                double[][] grid = s.doubleRows("portable.grid", g.kg, margin + plane);
                for (int k = 0; k < g.kg; k++) SlabIoF64.copySmall(g, small, n, gi * g.kg + k, 1, slab, grid[k], margin + plane, margin, 0);
                double[] grad = s.doubles("portable.grad", cn * plane);
                double[][] c = s.doubleRows("portable.c", cn, NC);
                double[][] b = s.doubleRows("portable.b", KC, NC);
                for (int p0 = 0; p0 < plane; p0 += NC) {
                    int nc = Math.min(NC, plane - p0);
                    for (int i = 0; i < cn; i++) Arrays.fill(c[i], 0, nc, 0);
                    for (int k0 = 0; k0 < red; k0 += KC) {
                        int kn = Math.min(KC, red - k0);
                        for (int r = 0; r < kn; r++) {
                            int k = (k0 + r) / g.taps, t = (k0 + r) % g.taps;
                            System.arraycopy(grid[k], margin + p0 - slab.tapOffset[t], b[r], 0, nc);
                        }
                        gemm(c, 0, cn, a, (gi * g.cg + c0) * red + k0, red, b, 0, kn, nc);
                    }
                    for (int i = 0; i < cn; i++) System.arraycopy(c[i], 0, grad, i * plane + p0, nc);
                }
                SlabIoF64.foldAndStore(g, slab, grad, cn, big, n, gi * g.cg + c0, bias, e);
            }, small, w, bias, big);
        } finally {
            ex.release(call);
        }
    }

    /** Big channels per backward-data task: enough tasks for the threads, a bounded gradient slab. */
    private static int channelBlock(ConvGeometry g, int plane, int threads) {
        long perImage = ceilDiv(threads, Math.max(1, g.batch * g.groups));
        long cb = ceilDiv(g.cg, perImage);
        return (int) Math.max(1, Math.min(cb, (1L << 22) / plane));
    }

    // ================================================================ backward weights: gw = gy x im2col(big)^T

    static void weightGrad(ConvGeometry g, Tensor big, Tensor small, Tensor gw, Execution ex) {
        int red = g.reduction();
        PhaseSlab slab = new PhaseSlab(g, 0, (int) g.small[0], false, true);
        long[] smallStride = spatialStrides(small);
        long lastStride = smallStride[g.rank - 1];
        int step = g.stride[g.rank - 1];
        long positions = g.smallCount();
        // tasks own whole rows of gw (output channels): each sums over every image and position itself
        int kb = (int) Math.max(1, ceilDiv(g.kg, ceilDiv(ex.threads(), g.groups)));
        int kBlocks = ceilDiv(g.kg, kb);
        ex.forEach(g.groups * kBlocks, (task, s) -> {
            int gi = task / kBlocks, k0 = (task % kBlocks) * kb, kn = Math.min(kb, g.kg - k0);
            double[] sl = s.doubles("portable.slab", g.cg * slab.channelStride);
            int[] koff = tapOffsets(g, slab, s);
            Columns cols = new Columns(g, slab, smallStride, s, KP);
            // names of their own: rows of length red, not NC (a shared name would grow to both)
            double[][] c = s.doubleRows("portable.wc", kn, red);
            for (int k = 0; k < kn; k++) Arrays.fill(c[k], 0, red, 0);
            double[] a = s.doubles("portable.a", kn * KP);
            double[][] b = s.doubleRows("portable.wb", KP, red);
            for (long n = 0; n < g.batch; n++) {
                SlabIoF64.fillSlab(g, big, n, gi * g.cg, g.cg, slab, sl, s);
                for (long p0 = 0; p0 < positions; p0 += KP) {
                    int np = (int) Math.min(KP, positions - p0);
                    cols.block(p0, np);
                    // A: gy of the task's channels over the block's positions
                    for (int k = 0; k < kn; k++) {
                        long chan = small.offset() + n * small.stride(0) + (gi * g.kg + k0 + k) * small.stride(1);
                        for (int r = 0; r < cols.count; r++) {
                            load(small.segment(), chan + cols.out[r], lastStride, a, k * KP + cols.j0[r], cols.len[r]);
                        }
                    }
                    // B: per position, the (channel, tap) values its window reads
                    for (int r = 0; r < cols.count; r++) {
                        for (int x = 0; x < cols.len[r]; x++) {
                            double[] row = b[cols.j0[r] + x];
                            int start = cols.slabStart[r] + x * step;
                            for (int q = 0; q < red; q++) row[q] = sl[koff[q] + start];
                        }
                    }
                    gemm(c, 0, kn, a, 0, KP, b, 0, np, red);
                }
            }
            for (int k = 0; k < kn; k++) {
                long row = gw.offset() + (gi * g.kg + k0 + k) * gw.stride(0);
                for (int cc = 0; cc < g.cg; cc++) {
                    for (int t = 0; t < g.taps; t++) {
                        gw.segment().set(LAYOUT, (row + cc * gw.stride(1) + tapOffset(gw, g.tap[t])) * ES, c[k][cc * g.taps + t]);
                    }
                }
            }
        }, big, small, gw);
    }

    // ================================================================ GEMM: c[i][j] = fma(a[i][k], b[k][j], c[i][j]), k ascending

    /**
     * {@code c[c0 + i][j] = fma(a[ao + i * pitch + k], b[b0 + k][j], c[c0 + i][j])} for rows {@code i < m},
     * columns {@code j < n} and {@code k = 0 .. kn-1} in ascending order.
     */
    static void gemm(double[][] c, int c0, int m, double[] a, int ao, int pitch, double[][] b, int b0, int kn, int n) {
        int i = 0;
        for (; i + 4 <= m; i += 4) {
            double[] r0 = c[c0 + i], r1 = c[c0 + i + 1], r2 = c[c0 + i + 2], r3 = c[c0 + i + 3];
            int at = ao + i * pitch;
            int k = 0;
            for (; k + 4 <= kn; k += 4) k44(r0, r1, r2, r3, b[b0 + k], b[b0 + k + 1], b[b0 + k + 2], b[b0 + k + 3], a, at + k, pitch, n);
            for (; k < kn; k++) {
                k41(r0, r1, r2, r3, b[b0 + k], a[at + k], a[at + pitch + k], a[at + 2 * pitch + k], a[at + 3 * pitch + k], n);
            }
        }
        for (; i < m; i++) {
            double[] r = c[c0 + i];
            int at = ao + i * pitch;
            int k = 0;
            for (; k + 4 <= kn; k += 4) k14(r, b[b0 + k], b[b0 + k + 1], b[b0 + k + 2], b[b0 + k + 3], a[at + k], a[at + k + 1], a[at + k + 2],
                    a[at + k + 3], n);
            for (; k < kn; k++) k11(r, b[b0 + k], a[at + k], n);
        }
    }

    /** Four rows of C, four reduction steps: 16 fused multiply-adds per column, 4 loads of B and 4 of C. */
    private static void k44(double[] c0, double[] c1, double[] c2, double[] c3, double[] b0, double[] b1, double[] b2, double[] b3,
                            double[] a, int at, int pitch, int n) {
        double a00 = a[at], a01 = a[at + 1], a02 = a[at + 2], a03 = a[at + 3];
        int p = at + pitch;
        double a10 = a[p], a11 = a[p + 1], a12 = a[p + 2], a13 = a[p + 3];
        p += pitch;
        double a20 = a[p], a21 = a[p + 1], a22 = a[p + 2], a23 = a[p + 3];
        p += pitch;
        double a30 = a[p], a31 = a[p + 1], a32 = a[p + 2], a33 = a[p + 3];
        for (int j = 0; j < n; j++) {
            double x0 = b0[j], x1 = b1[j], x2 = b2[j], x3 = b3[j];
            c0[j] = Math.fma(a03, x3, Math.fma(a02, x2, Math.fma(a01, x1, Math.fma(a00, x0, c0[j]))));
            c1[j] = Math.fma(a13, x3, Math.fma(a12, x2, Math.fma(a11, x1, Math.fma(a10, x0, c1[j]))));
            c2[j] = Math.fma(a23, x3, Math.fma(a22, x2, Math.fma(a21, x1, Math.fma(a20, x0, c2[j]))));
            c3[j] = Math.fma(a33, x3, Math.fma(a32, x2, Math.fma(a31, x1, Math.fma(a30, x0, c3[j]))));
        }
    }

    private static void k41(double[] c0, double[] c1, double[] c2, double[] c3, double[] b0, double a0, double a1, double a2, double a3, int n) {
        for (int j = 0; j < n; j++) {
            double x = b0[j];
            c0[j] = Math.fma(a0, x, c0[j]);
            c1[j] = Math.fma(a1, x, c1[j]);
            c2[j] = Math.fma(a2, x, c2[j]);
            c3[j] = Math.fma(a3, x, c3[j]);
        }
    }

    private static void k14(double[] c0, double[] b0, double[] b1, double[] b2, double[] b3, double a0, double a1, double a2, double a3, int n) {
        for (int j = 0; j < n; j++) c0[j] = Math.fma(a3, b3[j], Math.fma(a2, b2[j], Math.fma(a1, b1[j], Math.fma(a0, b0[j], c0[j]))));
    }

    private static void k11(double[] c0, double[] b0, double a0, int n) {
        for (int j = 0; j < n; j++) c0[j] = Math.fma(a0, b0[j], c0[j]);
    }

    // ================================================================ tensors to and from the heap

    /**
     * Weights as rows of A: {@code a[(K * cg + c) * taps + t] = w[K][c][t]} for every small channel K, or
     * transposed per group ({@code a[((gi * cg + c) * kg + k) * taps + t] = w[gi * kg + k][c][t]}).
     */
    private static void packWeights(ConvGeometry g, Tensor w, double[] a, boolean transposed) {
        int red = g.reduction();
        if (!transposed && w.isContiguous()) { // a contiguous (K, C/g, taps...) tensor is A itself
            MemorySegment.copy(w.segment(), LAYOUT, w.offset() * ES, a, 0, g.groups * g.kg * red);
            return;
        }
        for (int gi = 0; gi < g.groups; gi++) {
            for (int k = 0; k < g.kg; k++) {
                for (int cc = 0; cc < g.cg; cc++) {
                    for (int t = 0; t < g.taps; t++) {
                        int at = transposed ? ((gi * g.cg + cc) * g.kg + k) * g.taps + t : ((gi * g.kg + k) * g.cg + cc) * g.taps + t;
                        a[at] = w.segment().get(LAYOUT, (w.offset() + (gi * g.kg + k) * w.stride(0) + cc * w.stride(1)
                                + tapOffset(w, g.tap[t])) * ES);
                    }
                }
            }
        }
    }

    private static long tapOffset(Tensor w, int[] tap) {
        long off = 0;
        for (int d = 0; d < tap.length; d++) off += tap[d] * w.stride(2 + d);
        return off;
    }

    private static double biasOf(Tensor bias, int k) {
        return bias == null ? 0 : bias.segment().get(LAYOUT, (bias.offset() + k * bias.stride(0)) * ES);
    }

    /** {@code v[j] = activation(v[j] + bias)} for {@code j < n}, in double. */
    private static void epilogue(double[] v, int n, double bias, Epilogue e) {
        if (e.activation() == Activation.IDENTITY) {
            for (int j = 0; j < n; j++) v[j] += bias;
        } else {
            for (int j = 0; j < n; j++) v[j] = e.apply(v[j] + bias);
        }
    }

    /** {@code seg[dst + x * stride] = v[from + x]} for {@code x < len}. */
    private static void store(double[] v, int from, MemorySegment seg, long dst, long stride, int len) {
        if (stride == 1) MemorySegment.copy(v, from, seg, LAYOUT, dst * ES, len);
        else for (int x = 0; x < len; x++) seg.set(LAYOUT, (dst + x * stride) * ES, v[from + x]);
    }

    /** {@code v[to + x] = seg[src + x * stride]} for {@code x < len}. */
    private static void load(MemorySegment seg, long src, long stride, double[] v, int to, int len) {
        if (stride == 1) MemorySegment.copy(seg, LAYOUT, src * ES, v, to, len);
        else for (int x = 0; x < len; x++) v[to + x] = seg.get(LAYOUT, (src + x * stride) * ES);
    }

    private static long[] spatialStrides(Tensor t) {
        long[] s = new long[t.rank() - 2];
        for (int d = 0; d < s.length; d++) s[d] = t.stride(2 + d);
        return s;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
