package dev.vecnn.kernel.gemm;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Moving double data between tensors and the heap slabs the F64 kernels compute on: filling a padded
 * slab through the padding mode, laying the small side on the slab grid, and folding a padded gradient
 * back through the padding mode.
 *
 * <p>GENERATED from core/src/template/SlabIo.java.in by dev.vecnn.codegen.KernelTemplates; edit the
 * template, not this file.
 */
final class SlabIoF64 {
    private SlabIoF64() {
    }

    private static final ValueLayout.OfDouble LAYOUT = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final long ES = 8;

    /** Copies big-side channels [c0, c0+cn) of image n into the padded slab, applying the padding mode. */
    static void fillSlab(ConvGeometry g, Tensor big, long n, int c0, int cn, Slab slab, double[] sl) {
        int rank = g.rank;
        int last = rank - 1;
        int width = slab.extent[last];
        int[] srcLast = slab.source[last];
        // slab positions [interiorStart, interiorEnd) read the source row 1:1, the rest is padding
        int interiorStart = Math.max(0, Math.min(width, -slab.origin[last]));
        int interiorEnd = (int) Math.max(interiorStart, Math.min(width, g.big[last] - slab.origin[last]));
        long lastStride = big.stride(2 + last);
        int rows = slab.channelStride / width;
        int[] u = new int[rank];
        for (int c = 0; c < cn; c++) {
            long chanOff = big.offset() + n * big.stride(0) + (c0 + c) * big.stride(1);
            java.util.Arrays.fill(u, 0);
            for (int row = 0; row < rows; row++) {
                int dst = c * slab.channelStride + row * width;
                long off = chanOff;
                boolean zero = false;
                for (int d = 0; d < last; d++) {
                    int src = slab.source[d][u[d]];
                    if (src < 0) {
                        zero = true;
                        break;
                    }
                    off += src * big.stride(2 + d);
                }
                if (zero) {
                    java.util.Arrays.fill(sl, dst, dst + width, 0);
                } else {
                    MemorySegment seg = big.segment();
                    if (lastStride == 1) {
                        MemorySegment.copy(seg, LAYOUT, (off + srcLast[interiorStart]) * ES, sl, dst + interiorStart,
                                interiorEnd - interiorStart);
                        for (int x = 0; x < interiorStart; x++) sl[dst + x] = srcLast[x] < 0 ? 0 : seg.get(LAYOUT, (off + srcLast[x]) * ES);
                        for (int x = interiorEnd; x < width; x++) sl[dst + x] = srcLast[x] < 0 ? 0 : seg.get(LAYOUT, (off + srcLast[x]) * ES);
                    } else {
                        for (int x = 0; x < width; x++) {
                            sl[dst + x] = srcLast[x] < 0 ? 0 : seg.get(LAYOUT, (off + srcLast[x] * lastStride) * ES);
                        }
                    }
                }
                for (int d = last - 1; d >= 0; d--) {
                    if (++u[d] < slab.extent[d]) break;
                    u[d] = 0;
                }
            }
        }
    }

    /**
     * Copies small-side channels [k0, k0+kn) of image n into a heap buffer, one channel every
     * {@code gridLen} elements, zero elsewhere: on the slab grid (at window starts, after {@code margin}
     * zeros) when {@code onGrid}, else compact in row-major order.
     */
    static void copySmall(ConvGeometry g, Tensor small, long n, int k0, int kn, Slab slab, double[] buf, int gridLen,
                          long[] smallStride, boolean onGrid, int margin, int slack) {
        java.util.Arrays.fill(buf, 0, kn * gridLen + slack, 0);
        int rank = g.rank;
        int last = rank - 1;
        int rowLen = (int) g.small[last];
        long rows = g.smallCount() / rowLen;
        long[] o = new long[rank];
        MemorySegment seg = small.segment();
        long lastStride = small.stride(2 + last);
        for (int k = 0; k < kn; k++) {
            long chanOff = small.offset() + n * small.stride(0) + (k0 + k) * small.stride(1);
            java.util.Arrays.fill(o, 0);
            for (long row = 0; row < rows; row++) {
                long src = chanOff;
                for (int d = 0; d < last; d++) src += o[d] * smallStride[d];
                int dst = k * gridLen + margin + (onGrid ? slab.windowStart(o) : (int) (row * rowLen));
                int step = onGrid ? g.stride[last] : 1; // on the grid, strided outputs sit step apart
                if (lastStride == 1 && step == 1) {
                    MemorySegment.copy(seg, LAYOUT, src * ES, buf, dst, rowLen);
                } else {
                    for (int x = 0; x < rowLen; x++) buf[dst + x * step] = seg.get(LAYOUT, (src + x * lastStride) * ES);
                }
                for (int d = last - 1; d >= 0; d--) {
                    if (++o[d] < g.small[d]) break;
                    o[d] = 0;
                }
            }
        }
    }

    /**
     * Folds the padded gradient slab through the padding mode, dimension by dimension (padding
     * positions add into the interior positions they read), then stores the interior with bias and
     * activation into big-side channels [cAbs, cAbs+cn) of image n.
     */
    static void foldAndStore(ConvGeometry g, Slab slab, double[] grad, int cn, Tensor big, long n, int cAbs, Tensor bias,
                                     Epilogue e) {
        int rank = g.rank;
        if (g.mode != dev.vecnn.spec.PaddingMode.ZEROS) {
            for (int d = 0; d < rank; d++) {
                int ext = slab.extent[d];
                int inner = slab.stride[d];
                int outer = cn * slab.channelStride / (ext * inner);
                int pb = g.padBegin[d];
                int[] src = slab.source[d];
                for (int ou = 0; ou < outer; ou++) {
                    for (int x = 0; x < ext; x++) {
                        if (x >= pb && x < pb + g.big[d]) continue;
                        int to = pb + src[x];
                        int from = (ou * ext + x) * inner, dst = (ou * ext + to) * inner;
                        for (int i = 0; i < inner; i++) grad[dst + i] += grad[from + i];
                    }
                }
            }
        }
        int last = rank - 1;
        int rowLen = (int) g.big[last];
        long rows = 1;
        for (int d = 0; d < last; d++) rows *= g.big[d];
        long[] p = new long[rank];
        MemorySegment seg = big.segment();
        boolean identity = e.activation() == dev.vecnn.conv.Activation.IDENTITY;
        for (int c = 0; c < cn; c++) {
            long chanOff = big.offset() + n * big.stride(0) + (cAbs + c) * big.stride(1);
            double bv = bias == null ? 0 : bias.segment().get(LAYOUT, (bias.offset() + (cAbs + c) * bias.stride(0)) * ES);
            java.util.Arrays.fill(p, 0);
            for (long row = 0; row < rows; row++) {
                long dst = chanOff;
                int src = c * slab.channelStride + g.padBegin[last];
                for (int d = 0; d < last; d++) {
                    dst += p[d] * big.stride(2 + d);
                    src += (int) (p[d] + g.padBegin[d]) * slab.stride[d];
                }
                long ls = big.stride(2 + last);
                if (ls == 1 && bias == null && identity) {
                    MemorySegment.copy(grad, src, seg, LAYOUT, dst * ES, rowLen);
                } else {
                    for (int x = 0; x < rowLen; x++) {
                        double v = grad[src + x] + bv;
                        seg.set(LAYOUT, (dst + x * ls) * ES, identity ? v : e.apply(v));
                    }
                }
                for (int d = last - 1; d >= 0; d--) {
                    if (++p[d] < g.big[d]) break;
                    p[d] = 0;
                }
            }
        }
    }

    static long[] spatialStrides(Tensor t) {
        long[] s = new long[t.rank() - 2];
        for (int d = 0; d < s.length; d++) s[d] = t.stride(2 + d);
        return s;
    }
}
