package dev.vecnn.kernel.conv.gemm;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.kernel.conv.Slab;
import dev.vecnn.kernel.conv.SlabIoF32;
import dev.vecnn.parallel.Execution.Scratch;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Convolution as a packed, register-blocked GEMM in float (F32): all three passes of direct and
 * transposed convolutions, any rank, any strides, dilations and padding modes, any layout.
 *
 * <p>The micro-kernel computes a tile of MR rows by NR = 2 vectors of columns,
 * {@code C[MR][NR] (+)= A[MR][kc] * B[kc][NR]}, from heap panels: A rows at a fixed pitch KC, B rows of
 * NR. Passes differ only in what they pack:
 * <ul>
 *   <li>forward: C = weights x im2col(slab), tiles of output channels x positions;</li>
 *   <li>backward-data: C = weights^T x gy, tiles of (channel, tap) x positions, added back into a padded
 *       gradient slab (col2im) that is then folded through the padding mode;</li>
 *   <li>backward-weights: C = im2col(slab) x gy^T, tiles of (channel, tap) x output channels, summed over
 *       the batch and positions.</li>
 * </ul>
 * Each output element is reduced in a fixed order by exactly one task, so results do not depend on
 * the number of threads.
 *
 * <p>GENERATED from core/src/template/GemmConv.java.in by dev.vecnn.codegen.KernelTemplates; edit the
 * template, not this file.
 */
final class GemmConvF32 {
    private GemmConvF32() {
    }

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Columns of a register tile. */
    static final int NR = 2 * L;
    /** Reduction chunk: the pitch of A panel rows. */
    static final int KC = 256;
    private static final ValueLayout.OfFloat LAYOUT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final long ES = 4;
    /** Slack after heap buffers so that padding columns of the last block stay inside the array. */
    private static final int SLACK = 2 * KC + 64;

    // ================================================================ forward: small = W x im2col(big)

    static void smallFromBig(ConvGeometry g, Tensor big, Tensor w, Tensor bias, Epilogue e, Tensor small, Execution ex) {
        int red = g.reduction();
        int chunks = ceilDiv(red, KC);
        Panels rows = Panels.of(g.kg);
        Scratch call = ex.acquire();
        try {
            float[] a = call.floats("gemm.a", g.groups * rows.padded * chunks * KC);
            boolean contiguousWeights = w.isContiguous();
            for (int gi = 0; gi < g.groups; gi++) {
                int groupBase = gi * rows.padded * chunks * KC;
                for (int p = 0; p < rows.count; p++) {
                    for (int ch = 0; ch < chunks; ch++) {
                        int ao = groupBase + rows.start[p] * chunks * KC + ch * rows.mr[p] * KC;
                        for (int i = 0; i < rows.mr[p]; i++) {
                            int r = rows.start[p] + i;
                            int n0 = Math.min(KC, red - ch * KC);
                            if (r < g.kg && contiguousWeights) {
                                // a contiguous (K, C/g, taps...) weight row is the reduction row itself
                                long off = w.offset() + (long) (gi * g.kg + r) * red + (long) ch * KC;
                                MemorySegment.copy(w.segment(), LAYOUT, off * ES, a, ao + i * KC, n0);
                                java.util.Arrays.fill(a, ao + i * KC + n0, ao + i * KC + KC, 0);
                                continue;
                            }
                            for (int k = 0; k < KC; k++) {
                                int kk = ch * KC + k;
                                a[ao + i * KC + k] = r < g.kg && kk < red ? weight(g, w, gi * g.kg + r, kk / g.taps, kk % g.taps) : 0;
                            }
                        }
                    }
                }
            }
            int rowsPerTask = rowsPerTask(g, ex.threads());
            int rowBlocks = ceilDiv((int) g.small[0], rowsPerTask);
            long[] smallStride = SlabIoF32.spatialStrides(small);
            ex.forEach(Math.toIntExact(g.batch * g.groups * rowBlocks), (task, s) -> {
                int rb = task % rowBlocks;
                int gi = (task / rowBlocks) % g.groups;
                long n = task / rowBlocks / g.groups;
                int r0 = rb * rowsPerTask;
                Slab slab = new Slab(g, r0, (int) Math.min(r0 + rowsPerTask, g.small[0]), false);
                float[] sl = s.floats("gemm.slab", g.cg * slab.channelStride + SLACK);
                SlabIoF32.fillSlab(g, big, n, gi * g.cg, g.cg, slab, sl, s);
                Blocks blocks = new Blocks(slab, NR, smallStride);
                // NC blocking: a group of column blocks shares each weight chunk (unit strides: 8 blocks)
                int group = blocks.contiguous ? 8 : 1;
                float[] b = s.floats("gemm.b", blocks.contiguous ? 0 : red * NR);
                float[] c = s.floats("gemm.c", group * rows.padded * NR);
                int[] start = s.ints("gemm.start", group * NR);
                long[] out = s.longs("gemm.out", group * NR);
                int[] st = s.ints("gemm.st", NR);
                long[] ou = s.longs("gemm.ou", NR);
                long outBase = small.offset() + n * small.stride(0);
                int[] koff = s.ints("gemm.koff", red);
                for (int cc = 0; cc < g.cg; cc++) {
                    for (int t = 0; t < g.taps; t++) koff[cc * g.taps + t] = cc * slab.channelStride + slab.tapOffset[t];
                }
                while (true) {
                    int nb = 0;
                    while (nb < group && blocks.next(st, ou)) {
                        System.arraycopy(st, 0, start, nb * NR, NR);
                        System.arraycopy(ou, 0, out, nb * NR, NR);
                        nb++;
                    }
                    if (nb == 0) break;
                    // unit strides: im2col rows are runs of the slab, read in place; else gathered into B
                    if (!blocks.contiguous) packIm2colRows(g, slab, sl, start, b);
                    for (int ch = 0; ch < chunks; ch++) {
                        int kc = Math.min(KC, red - ch * KC);
                        for (int bi = 0; bi < nb; bi++) {
                            for (int p = 0; p < rows.count; p++) {
                                int mr = rows.mr[p];
                                int ao = gi * rows.padded * chunks * KC + rows.start[p] * chunks * KC + ch * mr * KC;
                                int co = (bi * rows.padded + rows.start[p]) * NR;
                                if (blocks.contiguous) microInPlace(mr, a, ao, sl, start[bi * NR], koff, ch * KC, kc, c, co, ch > 0);
                                else micro(mr, a, ao, b, ch * KC * NR, kc, c, co, ch > 0);
                            }
                        }
                    }
                    for (int bi = 0; bi < nb; bi++) {
                        for (int p = 0; p < rows.count; p++) {
                            storeTile(c, (bi * rows.padded + rows.start[p]) * NR, rows.mr[p], gi * g.kg + rows.start[p], gi * g.kg + g.kg,
                                    out, bi * NR, small, outBase, bias, e);
                        }
                    }
                }
            }, big, w, bias, small);
        } finally {
            ex.release(call);
        }
    }

    /** Rows of the small side handled by one forward task: a bounded slab, and enough tasks for the threads. */
    private static int rowsPerTask(ConvGeometry g, int threads) {
        long rowElems = (long) g.cg * g.dilation[0] * g.stride[0];
        for (int d = 1; d < g.rank; d++) rowElems *= g.big[d] + g.padBegin[d] + g.padEnd[d];
        long budget = 1L << 18; // elements of slab per task
        long rows = Math.max(1, Math.min(g.small[0], budget / Math.max(1, rowElems)));
        // as few tasks as keep every thread busy: measured, small tasks slow the tiles down (66 vs 81
        // GFLOP/s at 8 vs 1 task per image, C64 56x56 3x3). Any partition gives the same bits.
        long perImage = ceilDiv(threads, Math.max(1, g.batch * g.groups));
        return (int) Math.max(1, Math.min(rows, ceilDiv(g.small[0], perImage)));
    }

    // ================================================================ backward data: big = col2im(W^T x small)

    static void bigFromSmall(ConvGeometry g, Tensor small, Tensor w, Tensor bias, Epilogue e, Tensor big, Execution ex) {
        int cb = channelBlock(g);
        int cBlocks = ceilDiv(g.cg, cb);
        int chunks = ceilDiv(g.kg, KC);
        Slab slab = new Slab(g, 0, (int) g.small[0], true);
        long[] smallStride = SlabIoF32.spatialStrides(small);
        int gridLen = gridLength(g, slab);
        Scratch call = ex.acquire();
        try {
            // A: for each (group, channel block), panels over its (channel, tap) rows, reduction over small channels
            Panels rows = Panels.of(cb * g.taps);
            int blockSize = rows.padded * chunks * KC;
            float[] a = call.floats("gemm.a", g.groups * cBlocks * blockSize);
            for (int gi = 0; gi < g.groups; gi++) {
                for (int cbi = 0; cbi < cBlocks; cbi++) {
                    int base = (gi * cBlocks + cbi) * blockSize;
                    for (int p = 0; p < rows.count; p++) {
                        for (int ch = 0; ch < chunks; ch++) {
                            int ao = base + rows.start[p] * chunks * KC + ch * rows.mr[p] * KC;
                            for (int i = 0; i < rows.mr[p]; i++) {
                                int r = rows.start[p] + i;
                                int c = cbi * cb + r / g.taps;
                                boolean real = r < cb * g.taps && c < g.cg;
                                for (int k = 0; k < KC; k++) {
                                    int kk = ch * KC + k;
                                    a[ao + i * KC + k] = real && kk < g.kg ? weight(g, w, gi * g.kg + kk, c, r % g.taps) : 0;
                                }
                            }
                        }
                    }
                }
            }
            ex.forEach(Math.toIntExact(g.batch * g.groups * cBlocks), (task, s) -> {
                int cbi = task % cBlocks;
                int gi = (task / cBlocks) % g.groups;
                long n = task / cBlocks / g.groups;
                int c0 = cbi * cb;
                int cn = Math.min(cb, g.cg - c0);
                float[] grad = s.floats("gemm.slab", cn * slab.channelStride + SLACK);
                java.util.Arrays.fill(grad, 0, cn * slab.channelStride + SLACK, 0);
                float[] gy = s.floats("gemm.small", g.kg * gridLen + SLACK);
                SlabIoF32.copySmall(g, small, n, gi * g.kg, g.kg, slab, gy, gridLen, smallStride, g.unitStride(), 0, SLACK);
                float[] c = s.floats("gemm.c", 12 * NR);
                int[] start = s.ints("gemm.start", NR);
                long[] out = s.longs("gemm.out", NR);
                Blocks blocks = new Blocks(slab, NR, smallStride);
                int block = 0;
                int rowsReal = cn * g.taps;
                float[] b = s.floats("gemm.b", g.kg * NR);
                while (blocks.next(start, out)) {
                    // B packed: gy channels lie a whole grid apart, which streams worse in place (measured)
                    int col = blocks.contiguous ? start[0] : block * NR;
                    for (int k = 0; k < g.kg; k++) System.arraycopy(gy, k * gridLen + col, b, k * NR, NR);
                    // a block may run past the end of its run into the grid of the next outer position (rank
                    // >= 3), whose gy is real: its columns must add nothing here
                    for (int j = 0; j < NR; j++) if (out[j] < 0) for (int k = 0; k < g.kg; k++) b[k * NR + j] = 0;
                    for (int p = 0; p < rows.count; p++) {
                        if (rows.start[p] >= rowsReal) break;
                        int mr = rows.mr[p];
                        for (int ch = 0; ch < chunks; ch++) {
                            int ao = (gi * cBlocks + cbi) * blockSize + rows.start[p] * chunks * KC + ch * mr * KC;
                            micro(mr, a, ao, b, ch * KC * NR, Math.min(KC, g.kg - ch * KC), c, 0, ch > 0);
                        }
                        col2im(c, mr, rows.start[p], rowsReal, g, slab, grad, start, out, blocks.contiguous);
                    }
                    block++;
                }
                SlabIoF32.foldAndStore(g, slab, grad, cn, big, n, gi * g.cg + c0, bias, e);
            }, small, w, bias, big);
        } finally {
            ex.release(call);
        }
    }

    /**
     * Channels per backward task: about 128 (channel, tap) GEMM rows, enough to amortise each task's
     * packing and block walk (16 channels of a 1x1 convolution ran at 20-33 GFLOP/s), with a bounded
     * gradient slab. Each output element's reduction order does not depend on this, nor on threads.
     */
    private static int channelBlock(ConvGeometry g) {
        return Math.max(1, Math.min(g.cg, ceilDiv(128, g.taps)));
    }

    /** Length of one small-side channel in its heap copy: the slab grid (unit strides) or compact. */
    private static int gridLength(ConvGeometry g, Slab slab) {
        // one block (KC >= NR) of zeros after each channel: padding columns of a last block read zeros
        return g.unitStride() ? slab.channelStride + KC : Math.toIntExact(ceilDiv(g.smallCount(), KC) * KC);
    }

    /** Adds a tile of (channel, tap) rows back into the gradient slab at each column's window. */
    private static void col2im(float[] c, int mr, int row0, int rowsReal, ConvGeometry g, Slab slab, float[] grad,
                               int[] start, long[] out, boolean contiguous) {
        for (int i = 0; i < mr; i++) {
            int r = row0 + i;
            if (r >= rowsReal) return;
            int base = (r / g.taps) * slab.channelStride + slab.tapOffset[r % g.taps];
            if (contiguous) {
                int at = base + start[0];
                for (int j = 0; j < NR; j += L) {
                    FloatVector.fromArray(S, grad, at + j).add(FloatVector.fromArray(S, c, i * NR + j)).intoArray(grad, at + j);
                }
            } else {
                for (int j = 0; j < NR; j++) if (out[j] >= 0) grad[base + start[j]] += c[i * NR + j];
            }
        }
    }

    // ================================================================ backward weights: gw = im2col(big) x small^T

    static void weightGrad(ConvGeometry g, Tensor big, Tensor small, Tensor gw, Execution ex) {
        int cb = channelBlock(g);
        int cBlocks = ceilDiv(g.cg, cb);
        int kPanels = ceilDiv(g.kg, NR);
        Slab slab = new Slab(g, 0, (int) g.small[0], true);
        long[] smallStride = SlabIoF32.spatialStrides(small);
        int gridLen = gridLength(g, slab);
        ex.forEach(g.groups * cBlocks, (task, s) -> {
            int cbi = task % cBlocks;
            int gi = task / cBlocks;
            int c0 = cbi * cb;
            int cn = Math.min(cb, g.cg - c0);
            Panels rows = Panels.of(cn * g.taps);
            int rowsReal = cn * g.taps;
            float[] acc = s.floats("gemm.acc", rows.padded * kPanels * NR);
            java.util.Arrays.fill(acc, 0, rows.padded * kPanels * NR, 0);
            float[] sl = s.floats("gemm.slab", cn * slab.channelStride + SLACK);
            float[] gy = s.floats("gemm.small", g.kg * gridLen + SLACK);
            float[] a = s.floats("gemm.a", rows.padded * KC);
            float[] b = s.floats("gemm.b", kPanels * KC * NR);
            int[] start = s.ints("gemm.wstart", KC);
            long[] out = s.longs("gemm.wout", KC);
            for (long n = 0; n < g.batch; n++) {
                SlabIoF32.fillSlab(g, big, n, gi * g.cg + c0, cn, slab, sl, s);
                SlabIoF32.copySmall(g, small, n, gi * g.kg, g.kg, slab, gy, gridLen, smallStride, g.unitStride(), 0, SLACK);
                Blocks blocks = new Blocks(slab, KC, smallStride);
                int block = 0;
                while (blocks.next(start, out)) {
                    int kc = KC;
                    // B: gy transposed, [KC positions][NR output channels] per panel; padding columns are 0
                    for (int kp = 0; kp < kPanels; kp++) {
                        int bo = kp * KC * NR;
                        for (int j = 0; j < kc; j++) {
                            int col = blocks.contiguous ? start[j] : block * KC + j;
                            boolean real = out[j] >= 0;
                            for (int kk = 0; kk < NR; kk++) {
                                int k = kp * NR + kk;
                                b[bo + j * NR + kk] = real && k < g.kg ? gy[k * gridLen + col] : 0;
                            }
                        }
                    }
                    // A: im2col rows, [rows][KC]
                    for (int r = 0; r < rows.padded; r++) {
                        if (r >= rowsReal) {
                            java.util.Arrays.fill(a, r * KC, r * KC + KC, 0);
                            continue;
                        }
                        int base = (r / g.taps) * slab.channelStride + slab.tapOffset[r % g.taps];
                        if (blocks.contiguous) System.arraycopy(sl, base + start[0], a, r * KC, KC);
                        else for (int j = 0; j < kc; j++) a[r * KC + j] = sl[base + start[j]];
                    }
                    for (int p = 0; p < rows.count; p++) {
                        int mr = rows.mr[p];
                        for (int kp = 0; kp < kPanels; kp++) {
                            micro(mr, a, rows.start[p] * KC, b, kp * KC * NR, kc, acc, (rows.start[p] * kPanels + kp * mr) * NR, true);
                        }
                    }
                    block++;
                }
            }
            // gw[k][c][t] = acc[(c, t)][k]
            long ws0 = gw.stride(0), ws1 = gw.stride(1);
            for (int p = 0; p < rows.count; p++) {
                for (int i = 0; i < rows.mr[p]; i++) {
                    int r = rows.start[p] + i;
                    if (r >= rowsReal) break;
                    int c = c0 + r / g.taps;
                    long off = gw.offset() + c * ws1 + tapOffset(gw, g.tap[r % g.taps]);
                    for (int kp = 0; kp < kPanels; kp++) {
                        for (int kk = 0; kk < NR; kk++) {
                            int k = kp * NR + kk;
                            if (k >= g.kg) break;
                            gw.segment().set(LAYOUT, (off + (gi * g.kg + k) * ws0) * ES,
                                    acc[(rows.start[p] * kPanels + kp * rows.mr[p]) * NR + i * NR + kk]);
                        }
                    }
                }
            }
        }, big, small, gw);
    }

    // ================================================================ packing and stores

    /** Weight (small channel r, big channel c of its group, tap t) as float. */
    private static float weight(ConvGeometry g, Tensor w, int r, int c, int t) {
        long off = w.offset() + r * w.stride(0) + c * w.stride(1) + tapOffset(w, g.tap[t]);
        return w.segment().get(LAYOUT, off * ES);
    }

    private static long tapOffset(Tensor w, int[] tap) {
        long off = 0;
        for (int d = 0; d < tap.length; d++) off += tap[d] * w.stride(2 + d);
        return off;
    }

    /** B rows of im2col for strided blocks: for each (channel, tap), the columns' window values, gathered. */
    private static void packIm2colRows(ConvGeometry g, Slab slab, float[] sl, int[] start, float[] b) {
        int row = 0;
        for (int c = 0; c < g.cg; c++) {
            for (int t = 0; t < g.taps; t++, row++) {
                int base = c * slab.channelStride + slab.tapOffset[t];
                for (int j = 0; j < NR; j++) b[row * NR + j] = sl[base + start[j]];
            }
        }
    }

    /** Stores rows [k0, kEnd) of a tile (one per small channel) with bias and activation. */
    private static void storeTile(float[] c, int co, int mr, int k0, int kEnd, long[] out, int oo, Tensor small, long outBase,
                                  Tensor bias, Epilogue e) {
        MemorySegment seg = small.segment();
        long cs = small.stride(1);
        boolean identity = e.activation() == dev.vecnn.conv.Activation.IDENTITY;
        boolean allConsecutive = consecutive(out, oo); // one run: store as vectors
        for (int i = 0; i < mr && k0 + i < kEnd; i++) {
            int k = k0 + i;
            float bv = bias == null ? 0 : bias.segment().get(LAYOUT, (bias.offset() + k * bias.stride(0)) * ES);
            long base = outBase + k * cs;
            if (allConsecutive) {
                SlabIoF32.storeRow(c, co + i * NR, 1, seg, base + out[oo], 1, NR, bv, e);
                continue;
            }
            for (int j = 0; j < NR; j++) {
                long o = out[oo + j];
                if (o < 0) continue;
                float v = c[co + i * NR + j] + bv;
                seg.set(LAYOUT, (base + o) * ES, identity ? v : e.apply(v));
            }
        }
    }

    /**
     * Whether the NR offsets from {@code oo} are one run {@code o, o+1, ...}. Every offset is checked: equal
     * ends do not imply a run when padding columns (-1) sit between them and the output's row stride happens
     * to match the slab grid's.
     */
    private static boolean consecutive(long[] out, int oo) {
        long first = out[oo];
        if (first < 0) return false;
        for (int j = 1; j < NR; j++) if (out[oo + j] != first + j) return false;
        return true;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    // ================================================================ micro-kernels

    /** {@code C[mr][NR] (+)= A[mr][kc] * B[kc][NR]}; A rows at pitch KC, C at {@code co} with row pitch NR. */
    private static void micro(int mr, float[] a, int ao, float[] b, int bo, int kc, float[] c, int co, boolean accumulate) {
        switch (mr) {
            case 12 -> mk12(a, ao, b, bo, kc, c, co, accumulate);
            case 8 -> mk8(a, ao, b, bo, kc, c, co, accumulate);
            case 4 -> mk4(a, ao, b, bo, kc, c, co, accumulate);
            default -> throw new IllegalStateException("no micro-kernel for " + mr + " rows");
        }
    }

    /** As {@link #micro}, B row k read in place at {@code b[bo + koff[ko + k]]}. */
    private static void microInPlace(int mr, float[] a, int ao, float[] b, int bo, int[] koff, int ko, int kc, float[] c, int co,
                                     boolean accumulate) {
        switch (mr) {
            case 12 -> mko12(a, ao, b, bo, koff, ko, kc, c, co, accumulate);
            case 8 -> mko8(a, ao, b, bo, koff, ko, kc, c, co, accumulate);
            case 4 -> mko4(a, ao, b, bo, koff, ko, kc, c, co, accumulate);
            default -> throw new IllegalStateException("no micro-kernel for " + mr + " rows");
        }
    }

    private static void mk12(float[] a, int ao, float[] b, int bo, int kc, float[] c, int co, boolean accumulate) {
        FloatVector c0a, c0b;
        FloatVector c1a, c1b;
        FloatVector c2a, c2b;
        FloatVector c3a, c3b;
        FloatVector c4a, c4b;
        FloatVector c5a, c5b;
        FloatVector c6a, c6b;
        FloatVector c7a, c7b;
        FloatVector c8a, c8b;
        FloatVector c9a, c9b;
        FloatVector c10a, c10b;
        FloatVector c11a, c11b;
        if (accumulate) {
            c0a = FloatVector.fromArray(S, c, co + 0 * NR);
            c0b = FloatVector.fromArray(S, c, co + 0 * NR + L);
            c1a = FloatVector.fromArray(S, c, co + 1 * NR);
            c1b = FloatVector.fromArray(S, c, co + 1 * NR + L);
            c2a = FloatVector.fromArray(S, c, co + 2 * NR);
            c2b = FloatVector.fromArray(S, c, co + 2 * NR + L);
            c3a = FloatVector.fromArray(S, c, co + 3 * NR);
            c3b = FloatVector.fromArray(S, c, co + 3 * NR + L);
            c4a = FloatVector.fromArray(S, c, co + 4 * NR);
            c4b = FloatVector.fromArray(S, c, co + 4 * NR + L);
            c5a = FloatVector.fromArray(S, c, co + 5 * NR);
            c5b = FloatVector.fromArray(S, c, co + 5 * NR + L);
            c6a = FloatVector.fromArray(S, c, co + 6 * NR);
            c6b = FloatVector.fromArray(S, c, co + 6 * NR + L);
            c7a = FloatVector.fromArray(S, c, co + 7 * NR);
            c7b = FloatVector.fromArray(S, c, co + 7 * NR + L);
            c8a = FloatVector.fromArray(S, c, co + 8 * NR);
            c8b = FloatVector.fromArray(S, c, co + 8 * NR + L);
            c9a = FloatVector.fromArray(S, c, co + 9 * NR);
            c9b = FloatVector.fromArray(S, c, co + 9 * NR + L);
            c10a = FloatVector.fromArray(S, c, co + 10 * NR);
            c10b = FloatVector.fromArray(S, c, co + 10 * NR + L);
            c11a = FloatVector.fromArray(S, c, co + 11 * NR);
            c11b = FloatVector.fromArray(S, c, co + 11 * NR + L);
        } else {
            c0a = FloatVector.zero(S);
            c0b = FloatVector.zero(S);
            c1a = FloatVector.zero(S);
            c1b = FloatVector.zero(S);
            c2a = FloatVector.zero(S);
            c2b = FloatVector.zero(S);
            c3a = FloatVector.zero(S);
            c3b = FloatVector.zero(S);
            c4a = FloatVector.zero(S);
            c4b = FloatVector.zero(S);
            c5a = FloatVector.zero(S);
            c5b = FloatVector.zero(S);
            c6a = FloatVector.zero(S);
            c6b = FloatVector.zero(S);
            c7a = FloatVector.zero(S);
            c7b = FloatVector.zero(S);
            c8a = FloatVector.zero(S);
            c8b = FloatVector.zero(S);
            c9a = FloatVector.zero(S);
            c9b = FloatVector.zero(S);
            c10a = FloatVector.zero(S);
            c10b = FloatVector.zero(S);
            c11a = FloatVector.zero(S);
            c11b = FloatVector.zero(S);
        }
        for (int k = 0; k < kc; k++) {
            int bk = bo + k * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bk);
            FloatVector b1 = FloatVector.fromArray(S, b, bk + L);
            int ak = ao + k;
            FloatVector a0 = FloatVector.broadcast(S, a[ak + 0 * KC]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            FloatVector a1 = FloatVector.broadcast(S, a[ak + 1 * KC]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            FloatVector a2 = FloatVector.broadcast(S, a[ak + 2 * KC]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            FloatVector a3 = FloatVector.broadcast(S, a[ak + 3 * KC]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
            FloatVector a4 = FloatVector.broadcast(S, a[ak + 4 * KC]);
            c4a = a4.fma(b0, c4a);
            c4b = a4.fma(b1, c4b);
            FloatVector a5 = FloatVector.broadcast(S, a[ak + 5 * KC]);
            c5a = a5.fma(b0, c5a);
            c5b = a5.fma(b1, c5b);
            FloatVector a6 = FloatVector.broadcast(S, a[ak + 6 * KC]);
            c6a = a6.fma(b0, c6a);
            c6b = a6.fma(b1, c6b);
            FloatVector a7 = FloatVector.broadcast(S, a[ak + 7 * KC]);
            c7a = a7.fma(b0, c7a);
            c7b = a7.fma(b1, c7b);
            FloatVector a8 = FloatVector.broadcast(S, a[ak + 8 * KC]);
            c8a = a8.fma(b0, c8a);
            c8b = a8.fma(b1, c8b);
            FloatVector a9 = FloatVector.broadcast(S, a[ak + 9 * KC]);
            c9a = a9.fma(b0, c9a);
            c9b = a9.fma(b1, c9b);
            FloatVector a10 = FloatVector.broadcast(S, a[ak + 10 * KC]);
            c10a = a10.fma(b0, c10a);
            c10b = a10.fma(b1, c10b);
            FloatVector a11 = FloatVector.broadcast(S, a[ak + 11 * KC]);
            c11a = a11.fma(b0, c11a);
            c11b = a11.fma(b1, c11b);
        }
        c0a.intoArray(c, co + 0 * NR);
        c0b.intoArray(c, co + 0 * NR + L);
        c1a.intoArray(c, co + 1 * NR);
        c1b.intoArray(c, co + 1 * NR + L);
        c2a.intoArray(c, co + 2 * NR);
        c2b.intoArray(c, co + 2 * NR + L);
        c3a.intoArray(c, co + 3 * NR);
        c3b.intoArray(c, co + 3 * NR + L);
        c4a.intoArray(c, co + 4 * NR);
        c4b.intoArray(c, co + 4 * NR + L);
        c5a.intoArray(c, co + 5 * NR);
        c5b.intoArray(c, co + 5 * NR + L);
        c6a.intoArray(c, co + 6 * NR);
        c6b.intoArray(c, co + 6 * NR + L);
        c7a.intoArray(c, co + 7 * NR);
        c7b.intoArray(c, co + 7 * NR + L);
        c8a.intoArray(c, co + 8 * NR);
        c8b.intoArray(c, co + 8 * NR + L);
        c9a.intoArray(c, co + 9 * NR);
        c9b.intoArray(c, co + 9 * NR + L);
        c10a.intoArray(c, co + 10 * NR);
        c10b.intoArray(c, co + 10 * NR + L);
        c11a.intoArray(c, co + 11 * NR);
        c11b.intoArray(c, co + 11 * NR + L);
    }

    private static void mk8(float[] a, int ao, float[] b, int bo, int kc, float[] c, int co, boolean accumulate) {
        FloatVector c0a, c0b;
        FloatVector c1a, c1b;
        FloatVector c2a, c2b;
        FloatVector c3a, c3b;
        FloatVector c4a, c4b;
        FloatVector c5a, c5b;
        FloatVector c6a, c6b;
        FloatVector c7a, c7b;
        if (accumulate) {
            c0a = FloatVector.fromArray(S, c, co + 0 * NR);
            c0b = FloatVector.fromArray(S, c, co + 0 * NR + L);
            c1a = FloatVector.fromArray(S, c, co + 1 * NR);
            c1b = FloatVector.fromArray(S, c, co + 1 * NR + L);
            c2a = FloatVector.fromArray(S, c, co + 2 * NR);
            c2b = FloatVector.fromArray(S, c, co + 2 * NR + L);
            c3a = FloatVector.fromArray(S, c, co + 3 * NR);
            c3b = FloatVector.fromArray(S, c, co + 3 * NR + L);
            c4a = FloatVector.fromArray(S, c, co + 4 * NR);
            c4b = FloatVector.fromArray(S, c, co + 4 * NR + L);
            c5a = FloatVector.fromArray(S, c, co + 5 * NR);
            c5b = FloatVector.fromArray(S, c, co + 5 * NR + L);
            c6a = FloatVector.fromArray(S, c, co + 6 * NR);
            c6b = FloatVector.fromArray(S, c, co + 6 * NR + L);
            c7a = FloatVector.fromArray(S, c, co + 7 * NR);
            c7b = FloatVector.fromArray(S, c, co + 7 * NR + L);
        } else {
            c0a = FloatVector.zero(S);
            c0b = FloatVector.zero(S);
            c1a = FloatVector.zero(S);
            c1b = FloatVector.zero(S);
            c2a = FloatVector.zero(S);
            c2b = FloatVector.zero(S);
            c3a = FloatVector.zero(S);
            c3b = FloatVector.zero(S);
            c4a = FloatVector.zero(S);
            c4b = FloatVector.zero(S);
            c5a = FloatVector.zero(S);
            c5b = FloatVector.zero(S);
            c6a = FloatVector.zero(S);
            c6b = FloatVector.zero(S);
            c7a = FloatVector.zero(S);
            c7b = FloatVector.zero(S);
        }
        for (int k = 0; k < kc; k++) {
            int bk = bo + k * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bk);
            FloatVector b1 = FloatVector.fromArray(S, b, bk + L);
            int ak = ao + k;
            FloatVector a0 = FloatVector.broadcast(S, a[ak + 0 * KC]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            FloatVector a1 = FloatVector.broadcast(S, a[ak + 1 * KC]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            FloatVector a2 = FloatVector.broadcast(S, a[ak + 2 * KC]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            FloatVector a3 = FloatVector.broadcast(S, a[ak + 3 * KC]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
            FloatVector a4 = FloatVector.broadcast(S, a[ak + 4 * KC]);
            c4a = a4.fma(b0, c4a);
            c4b = a4.fma(b1, c4b);
            FloatVector a5 = FloatVector.broadcast(S, a[ak + 5 * KC]);
            c5a = a5.fma(b0, c5a);
            c5b = a5.fma(b1, c5b);
            FloatVector a6 = FloatVector.broadcast(S, a[ak + 6 * KC]);
            c6a = a6.fma(b0, c6a);
            c6b = a6.fma(b1, c6b);
            FloatVector a7 = FloatVector.broadcast(S, a[ak + 7 * KC]);
            c7a = a7.fma(b0, c7a);
            c7b = a7.fma(b1, c7b);
        }
        c0a.intoArray(c, co + 0 * NR);
        c0b.intoArray(c, co + 0 * NR + L);
        c1a.intoArray(c, co + 1 * NR);
        c1b.intoArray(c, co + 1 * NR + L);
        c2a.intoArray(c, co + 2 * NR);
        c2b.intoArray(c, co + 2 * NR + L);
        c3a.intoArray(c, co + 3 * NR);
        c3b.intoArray(c, co + 3 * NR + L);
        c4a.intoArray(c, co + 4 * NR);
        c4b.intoArray(c, co + 4 * NR + L);
        c5a.intoArray(c, co + 5 * NR);
        c5b.intoArray(c, co + 5 * NR + L);
        c6a.intoArray(c, co + 6 * NR);
        c6b.intoArray(c, co + 6 * NR + L);
        c7a.intoArray(c, co + 7 * NR);
        c7b.intoArray(c, co + 7 * NR + L);
    }

    private static void mk4(float[] a, int ao, float[] b, int bo, int kc, float[] c, int co, boolean accumulate) {
        FloatVector c0a, c0b;
        FloatVector c1a, c1b;
        FloatVector c2a, c2b;
        FloatVector c3a, c3b;
        if (accumulate) {
            c0a = FloatVector.fromArray(S, c, co + 0 * NR);
            c0b = FloatVector.fromArray(S, c, co + 0 * NR + L);
            c1a = FloatVector.fromArray(S, c, co + 1 * NR);
            c1b = FloatVector.fromArray(S, c, co + 1 * NR + L);
            c2a = FloatVector.fromArray(S, c, co + 2 * NR);
            c2b = FloatVector.fromArray(S, c, co + 2 * NR + L);
            c3a = FloatVector.fromArray(S, c, co + 3 * NR);
            c3b = FloatVector.fromArray(S, c, co + 3 * NR + L);
        } else {
            c0a = FloatVector.zero(S);
            c0b = FloatVector.zero(S);
            c1a = FloatVector.zero(S);
            c1b = FloatVector.zero(S);
            c2a = FloatVector.zero(S);
            c2b = FloatVector.zero(S);
            c3a = FloatVector.zero(S);
            c3b = FloatVector.zero(S);
        }
        for (int k = 0; k < kc; k++) {
            int bk = bo + k * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bk);
            FloatVector b1 = FloatVector.fromArray(S, b, bk + L);
            int ak = ao + k;
            FloatVector a0 = FloatVector.broadcast(S, a[ak + 0 * KC]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            FloatVector a1 = FloatVector.broadcast(S, a[ak + 1 * KC]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            FloatVector a2 = FloatVector.broadcast(S, a[ak + 2 * KC]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            FloatVector a3 = FloatVector.broadcast(S, a[ak + 3 * KC]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
        }
        c0a.intoArray(c, co + 0 * NR);
        c0b.intoArray(c, co + 0 * NR + L);
        c1a.intoArray(c, co + 1 * NR);
        c1b.intoArray(c, co + 1 * NR + L);
        c2a.intoArray(c, co + 2 * NR);
        c2b.intoArray(c, co + 2 * NR + L);
        c3a.intoArray(c, co + 3 * NR);
        c3b.intoArray(c, co + 3 * NR + L);
    }

    private static void mko12(float[] a, int ao, float[] b, int bo, int[] koff, int ko, int kc, float[] c, int co, boolean accumulate) {
        FloatVector c0a, c0b;
        FloatVector c1a, c1b;
        FloatVector c2a, c2b;
        FloatVector c3a, c3b;
        FloatVector c4a, c4b;
        FloatVector c5a, c5b;
        FloatVector c6a, c6b;
        FloatVector c7a, c7b;
        FloatVector c8a, c8b;
        FloatVector c9a, c9b;
        FloatVector c10a, c10b;
        FloatVector c11a, c11b;
        if (accumulate) {
            c0a = FloatVector.fromArray(S, c, co + 0 * NR);
            c0b = FloatVector.fromArray(S, c, co + 0 * NR + L);
            c1a = FloatVector.fromArray(S, c, co + 1 * NR);
            c1b = FloatVector.fromArray(S, c, co + 1 * NR + L);
            c2a = FloatVector.fromArray(S, c, co + 2 * NR);
            c2b = FloatVector.fromArray(S, c, co + 2 * NR + L);
            c3a = FloatVector.fromArray(S, c, co + 3 * NR);
            c3b = FloatVector.fromArray(S, c, co + 3 * NR + L);
            c4a = FloatVector.fromArray(S, c, co + 4 * NR);
            c4b = FloatVector.fromArray(S, c, co + 4 * NR + L);
            c5a = FloatVector.fromArray(S, c, co + 5 * NR);
            c5b = FloatVector.fromArray(S, c, co + 5 * NR + L);
            c6a = FloatVector.fromArray(S, c, co + 6 * NR);
            c6b = FloatVector.fromArray(S, c, co + 6 * NR + L);
            c7a = FloatVector.fromArray(S, c, co + 7 * NR);
            c7b = FloatVector.fromArray(S, c, co + 7 * NR + L);
            c8a = FloatVector.fromArray(S, c, co + 8 * NR);
            c8b = FloatVector.fromArray(S, c, co + 8 * NR + L);
            c9a = FloatVector.fromArray(S, c, co + 9 * NR);
            c9b = FloatVector.fromArray(S, c, co + 9 * NR + L);
            c10a = FloatVector.fromArray(S, c, co + 10 * NR);
            c10b = FloatVector.fromArray(S, c, co + 10 * NR + L);
            c11a = FloatVector.fromArray(S, c, co + 11 * NR);
            c11b = FloatVector.fromArray(S, c, co + 11 * NR + L);
        } else {
            c0a = FloatVector.zero(S);
            c0b = FloatVector.zero(S);
            c1a = FloatVector.zero(S);
            c1b = FloatVector.zero(S);
            c2a = FloatVector.zero(S);
            c2b = FloatVector.zero(S);
            c3a = FloatVector.zero(S);
            c3b = FloatVector.zero(S);
            c4a = FloatVector.zero(S);
            c4b = FloatVector.zero(S);
            c5a = FloatVector.zero(S);
            c5b = FloatVector.zero(S);
            c6a = FloatVector.zero(S);
            c6b = FloatVector.zero(S);
            c7a = FloatVector.zero(S);
            c7b = FloatVector.zero(S);
            c8a = FloatVector.zero(S);
            c8b = FloatVector.zero(S);
            c9a = FloatVector.zero(S);
            c9b = FloatVector.zero(S);
            c10a = FloatVector.zero(S);
            c10b = FloatVector.zero(S);
            c11a = FloatVector.zero(S);
            c11b = FloatVector.zero(S);
        }
        for (int k = 0; k < kc; k++) {
            int bk = bo + koff[ko + k];
            FloatVector b0 = FloatVector.fromArray(S, b, bk);
            FloatVector b1 = FloatVector.fromArray(S, b, bk + L);
            int ak = ao + k;
            FloatVector a0 = FloatVector.broadcast(S, a[ak + 0 * KC]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            FloatVector a1 = FloatVector.broadcast(S, a[ak + 1 * KC]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            FloatVector a2 = FloatVector.broadcast(S, a[ak + 2 * KC]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            FloatVector a3 = FloatVector.broadcast(S, a[ak + 3 * KC]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
            FloatVector a4 = FloatVector.broadcast(S, a[ak + 4 * KC]);
            c4a = a4.fma(b0, c4a);
            c4b = a4.fma(b1, c4b);
            FloatVector a5 = FloatVector.broadcast(S, a[ak + 5 * KC]);
            c5a = a5.fma(b0, c5a);
            c5b = a5.fma(b1, c5b);
            FloatVector a6 = FloatVector.broadcast(S, a[ak + 6 * KC]);
            c6a = a6.fma(b0, c6a);
            c6b = a6.fma(b1, c6b);
            FloatVector a7 = FloatVector.broadcast(S, a[ak + 7 * KC]);
            c7a = a7.fma(b0, c7a);
            c7b = a7.fma(b1, c7b);
            FloatVector a8 = FloatVector.broadcast(S, a[ak + 8 * KC]);
            c8a = a8.fma(b0, c8a);
            c8b = a8.fma(b1, c8b);
            FloatVector a9 = FloatVector.broadcast(S, a[ak + 9 * KC]);
            c9a = a9.fma(b0, c9a);
            c9b = a9.fma(b1, c9b);
            FloatVector a10 = FloatVector.broadcast(S, a[ak + 10 * KC]);
            c10a = a10.fma(b0, c10a);
            c10b = a10.fma(b1, c10b);
            FloatVector a11 = FloatVector.broadcast(S, a[ak + 11 * KC]);
            c11a = a11.fma(b0, c11a);
            c11b = a11.fma(b1, c11b);
        }
        c0a.intoArray(c, co + 0 * NR);
        c0b.intoArray(c, co + 0 * NR + L);
        c1a.intoArray(c, co + 1 * NR);
        c1b.intoArray(c, co + 1 * NR + L);
        c2a.intoArray(c, co + 2 * NR);
        c2b.intoArray(c, co + 2 * NR + L);
        c3a.intoArray(c, co + 3 * NR);
        c3b.intoArray(c, co + 3 * NR + L);
        c4a.intoArray(c, co + 4 * NR);
        c4b.intoArray(c, co + 4 * NR + L);
        c5a.intoArray(c, co + 5 * NR);
        c5b.intoArray(c, co + 5 * NR + L);
        c6a.intoArray(c, co + 6 * NR);
        c6b.intoArray(c, co + 6 * NR + L);
        c7a.intoArray(c, co + 7 * NR);
        c7b.intoArray(c, co + 7 * NR + L);
        c8a.intoArray(c, co + 8 * NR);
        c8b.intoArray(c, co + 8 * NR + L);
        c9a.intoArray(c, co + 9 * NR);
        c9b.intoArray(c, co + 9 * NR + L);
        c10a.intoArray(c, co + 10 * NR);
        c10b.intoArray(c, co + 10 * NR + L);
        c11a.intoArray(c, co + 11 * NR);
        c11b.intoArray(c, co + 11 * NR + L);
    }

    private static void mko8(float[] a, int ao, float[] b, int bo, int[] koff, int ko, int kc, float[] c, int co, boolean accumulate) {
        FloatVector c0a, c0b;
        FloatVector c1a, c1b;
        FloatVector c2a, c2b;
        FloatVector c3a, c3b;
        FloatVector c4a, c4b;
        FloatVector c5a, c5b;
        FloatVector c6a, c6b;
        FloatVector c7a, c7b;
        if (accumulate) {
            c0a = FloatVector.fromArray(S, c, co + 0 * NR);
            c0b = FloatVector.fromArray(S, c, co + 0 * NR + L);
            c1a = FloatVector.fromArray(S, c, co + 1 * NR);
            c1b = FloatVector.fromArray(S, c, co + 1 * NR + L);
            c2a = FloatVector.fromArray(S, c, co + 2 * NR);
            c2b = FloatVector.fromArray(S, c, co + 2 * NR + L);
            c3a = FloatVector.fromArray(S, c, co + 3 * NR);
            c3b = FloatVector.fromArray(S, c, co + 3 * NR + L);
            c4a = FloatVector.fromArray(S, c, co + 4 * NR);
            c4b = FloatVector.fromArray(S, c, co + 4 * NR + L);
            c5a = FloatVector.fromArray(S, c, co + 5 * NR);
            c5b = FloatVector.fromArray(S, c, co + 5 * NR + L);
            c6a = FloatVector.fromArray(S, c, co + 6 * NR);
            c6b = FloatVector.fromArray(S, c, co + 6 * NR + L);
            c7a = FloatVector.fromArray(S, c, co + 7 * NR);
            c7b = FloatVector.fromArray(S, c, co + 7 * NR + L);
        } else {
            c0a = FloatVector.zero(S);
            c0b = FloatVector.zero(S);
            c1a = FloatVector.zero(S);
            c1b = FloatVector.zero(S);
            c2a = FloatVector.zero(S);
            c2b = FloatVector.zero(S);
            c3a = FloatVector.zero(S);
            c3b = FloatVector.zero(S);
            c4a = FloatVector.zero(S);
            c4b = FloatVector.zero(S);
            c5a = FloatVector.zero(S);
            c5b = FloatVector.zero(S);
            c6a = FloatVector.zero(S);
            c6b = FloatVector.zero(S);
            c7a = FloatVector.zero(S);
            c7b = FloatVector.zero(S);
        }
        for (int k = 0; k < kc; k++) {
            int bk = bo + koff[ko + k];
            FloatVector b0 = FloatVector.fromArray(S, b, bk);
            FloatVector b1 = FloatVector.fromArray(S, b, bk + L);
            int ak = ao + k;
            FloatVector a0 = FloatVector.broadcast(S, a[ak + 0 * KC]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            FloatVector a1 = FloatVector.broadcast(S, a[ak + 1 * KC]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            FloatVector a2 = FloatVector.broadcast(S, a[ak + 2 * KC]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            FloatVector a3 = FloatVector.broadcast(S, a[ak + 3 * KC]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
            FloatVector a4 = FloatVector.broadcast(S, a[ak + 4 * KC]);
            c4a = a4.fma(b0, c4a);
            c4b = a4.fma(b1, c4b);
            FloatVector a5 = FloatVector.broadcast(S, a[ak + 5 * KC]);
            c5a = a5.fma(b0, c5a);
            c5b = a5.fma(b1, c5b);
            FloatVector a6 = FloatVector.broadcast(S, a[ak + 6 * KC]);
            c6a = a6.fma(b0, c6a);
            c6b = a6.fma(b1, c6b);
            FloatVector a7 = FloatVector.broadcast(S, a[ak + 7 * KC]);
            c7a = a7.fma(b0, c7a);
            c7b = a7.fma(b1, c7b);
        }
        c0a.intoArray(c, co + 0 * NR);
        c0b.intoArray(c, co + 0 * NR + L);
        c1a.intoArray(c, co + 1 * NR);
        c1b.intoArray(c, co + 1 * NR + L);
        c2a.intoArray(c, co + 2 * NR);
        c2b.intoArray(c, co + 2 * NR + L);
        c3a.intoArray(c, co + 3 * NR);
        c3b.intoArray(c, co + 3 * NR + L);
        c4a.intoArray(c, co + 4 * NR);
        c4b.intoArray(c, co + 4 * NR + L);
        c5a.intoArray(c, co + 5 * NR);
        c5b.intoArray(c, co + 5 * NR + L);
        c6a.intoArray(c, co + 6 * NR);
        c6b.intoArray(c, co + 6 * NR + L);
        c7a.intoArray(c, co + 7 * NR);
        c7b.intoArray(c, co + 7 * NR + L);
    }

    private static void mko4(float[] a, int ao, float[] b, int bo, int[] koff, int ko, int kc, float[] c, int co, boolean accumulate) {
        FloatVector c0a, c0b;
        FloatVector c1a, c1b;
        FloatVector c2a, c2b;
        FloatVector c3a, c3b;
        if (accumulate) {
            c0a = FloatVector.fromArray(S, c, co + 0 * NR);
            c0b = FloatVector.fromArray(S, c, co + 0 * NR + L);
            c1a = FloatVector.fromArray(S, c, co + 1 * NR);
            c1b = FloatVector.fromArray(S, c, co + 1 * NR + L);
            c2a = FloatVector.fromArray(S, c, co + 2 * NR);
            c2b = FloatVector.fromArray(S, c, co + 2 * NR + L);
            c3a = FloatVector.fromArray(S, c, co + 3 * NR);
            c3b = FloatVector.fromArray(S, c, co + 3 * NR + L);
        } else {
            c0a = FloatVector.zero(S);
            c0b = FloatVector.zero(S);
            c1a = FloatVector.zero(S);
            c1b = FloatVector.zero(S);
            c2a = FloatVector.zero(S);
            c2b = FloatVector.zero(S);
            c3a = FloatVector.zero(S);
            c3b = FloatVector.zero(S);
        }
        for (int k = 0; k < kc; k++) {
            int bk = bo + koff[ko + k];
            FloatVector b0 = FloatVector.fromArray(S, b, bk);
            FloatVector b1 = FloatVector.fromArray(S, b, bk + L);
            int ak = ao + k;
            FloatVector a0 = FloatVector.broadcast(S, a[ak + 0 * KC]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            FloatVector a1 = FloatVector.broadcast(S, a[ak + 1 * KC]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            FloatVector a2 = FloatVector.broadcast(S, a[ak + 2 * KC]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            FloatVector a3 = FloatVector.broadcast(S, a[ak + 3 * KC]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
        }
        c0a.intoArray(c, co + 0 * NR);
        c0b.intoArray(c, co + 0 * NR + L);
        c1a.intoArray(c, co + 1 * NR);
        c1b.intoArray(c, co + 1 * NR + L);
        c2a.intoArray(c, co + 2 * NR);
        c2b.intoArray(c, co + 2 * NR + L);
        c3a.intoArray(c, co + 3 * NR);
        c3b.intoArray(c, co + 3 * NR + L);
    }
}
