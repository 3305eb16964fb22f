package dev.vecnn.kernel.conv;

import dev.vecnn.conv.Activation;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.elementwise.ElementwiseEngine;
import dev.vecnn.kernel.elementwise.ElementwiseKernels;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Moving double data between tensors and the heap slabs the convolution kernels compute on: filling a padded
 * slab through the padding mode, laying the small side on the slab grid, folding a padded gradient back
 * through the padding mode, and storing results with bias and activation. No Vector API here: the
 * portable kernels share it, and the stores go through the active backend's elementwise kernels.
 *
 * <p>GENERATED from core/src/template/SlabIo.java.in by dev.vecnn.codegen.KernelTemplates; edit the
 * template, not this file.
 */
public final class SlabIoF64 {
    private SlabIoF64() {
    }

    private static final ValueLayout.OfDouble LAYOUT = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final long ES = 8;
    /** The active backend's elementwise kernels (Vector API or plain Java): the stores' epilogue. */
    private static final ElementwiseEngine ELEMENTWISE = ElementwiseKernels.defaults().engine(DType.F64);
    /** Largest channel plane staged on the heap in one copy (elements). */
    private static final long STAGE_LIMIT = 1L << 20;

    /**
     * Stores {@code len} values {@code src[srcOff + x*step] + bias}, activated, to elements
     * {@code dst + x*dstStride} of {@code seg}: the one epilogue of every kernel. Contiguous rows go through
     * the elementwise kernels (vectors), the others through {@link Epilogue#apply(double)}, which gives the
     * same bits (no library exp: the same in every JIT tier, which keeps results independent of warm-up
     * and threads).
     */
    public static void storeRow(double[] src, int srcOff, int step, MemorySegment seg, long dst, long dstStride, int len, double bias,
                                Epilogue e) {
        if (step == 1 && dstStride == 1) {
            storeRun(src, srcOff, seg, dst, len, bias, e);
            return;
        }
        boolean identity = e.activation() == Activation.IDENTITY;
        for (int x = 0; x < len; x++) {
            double v = src[srcOff + x * step] + bias;
            seg.set(LAYOUT, (dst + x * dstStride) * ES, identity ? v : e.apply(v));
        }
    }

    /**
     * {@code dst[at + x] = f(src[from + x] + bias)} for {@code x < len}, elements of two segments (they may be
     * the same run): the contiguous case of {@link #storeRow}, for callers that hold a heap array's segment
     * view once rather than wrapping the array per row.
     */
    public static void storeRun(MemorySegment src, long from, MemorySegment dst, long at, int len, double bias, Epilogue e) {
        ELEMENTWISE.activationForward(e, src, from, dst, at, len, bias, true);
    }

    /**
     * {@code dst[at + x] = f(src[from + x] + bias)} for {@code x < len}, src a heap buffer: read as an array, never
     * through a heap segment ({@link ElementwiseEngine#activationForward(Epilogue, float[], int, MemorySegment, long,
     * int, double, boolean)} says why).
     */
    public static void storeRun(double[] src, int from, MemorySegment dst, long at, int len, double bias, Epilogue e) {
        ELEMENTWISE.activationForward(e, src, from, dst, at, len, bias, true);
    }

    /** {@code y[from + x] = f(y[from + x] + bias)} in place for {@code x < len}, on a heap buffer. */
    public static void activateInPlace(double[] y, int from, int len, double bias, Epilogue e) {
        ELEMENTWISE.activationInPlace(e, y, from, len, bias, true);
    }

    /**
     * The weights {@code w} of {@code g} in (output channel, input channel, tap) order on the heap, into {@code flat}
     * ({@link ConvGeometry#weightCount()} elements; null: a new array): one bulk copy when contiguous (a read per
     * element cost more than the packing that follows).
     */
    public static double[] weightsOnHeap(ConvGeometry g, Tensor w, double[] flat) {
        int n = g.weightCount();
        if (flat == null) flat = new double[n];
        if (w.isContiguous()) {
            MemorySegment.copy(w.segment(), LAYOUT, w.offset() * ES, flat, 0, n);
            return flat;
        }
        long[] tapOff = new long[g.taps];
        for (int t = 0; t < g.taps; t++) for (int d = 0; d < g.rank; d++) tapOff[t] += g.tap[t][d] * w.stride(2 + d);
        for (int k = 0, i = 0; k < g.groups * g.kg; k++) {
            for (int c = 0; c < g.cg; c++) {
                long o = w.offset() + k * w.stride(0) + c * w.stride(1);
                for (int t = 0; t < g.taps; t++) flat[i++] = w.segment().get(LAYOUT, (o + tapOff[t]) * ES);
            }
        }
        return flat;
    }

    /**
     * Copies big-side channels [c0, c0+cn) of image n into the slab, through the padding mode, phase by
     * phase when the slab is phased. Grid cells past the padded extent (phased slabs) are zeroed.
     */
    public static void fillSlab(ConvGeometry g, Tensor big, long n, int c0, int cn, PhaseSlab slab, double[] sl, Execution.Scratch scratch) {
        int rank = g.rank;
        int last = rank - 1;
        int width = slab.extent[last];
        int[] srcLast = slab.source[last];
        // slab positions [interiorStart, interiorEnd) read the source row 1:1, the rest is padding; the range is
        // empty when a task's slab lies entirely in the padding (small inputs split over several threads)
        int interiorStart = slab.interiorStart(), interiorEnd = slab.interiorEnd();
        // a contiguous plane of moderate size is staged in one bulk copy; rows then move as array copies
        long plane = g.rowMajorPlane(big);
        boolean rowMajor = plane >= 0;
        // no padding and one phase: the slab is a run of the plane itself, one bulk copy per channel
        boolean unpadded = rowMajor && slab.plain() && slab.origin[0] >= 0 && slab.origin[0] + slab.extent[0] <= g.big[0];
        for (int d = 1; d < rank; d++) unpadded &= slab.origin[d] == 0 && slab.extent[d] == g.big[d];
        if (unpadded) {
            long runStart = (long) slab.origin[0] * big.stride(2);
            for (int c = 0; c < cn; c++) {
                long chanOff = big.offset() + n * big.stride(0) + (c0 + c) * big.stride(1);
                MemorySegment.copy(big.segment(), LAYOUT, (chanOff + runStart) * ES, sl, c * slab.channelStride, slab.channelStride);
            }
            return;
        }
        double[] stage = rowMajor && plane <= STAGE_LIMIT ? scratch.doubles("io.stage", (int) plane) : null;
        if (stage != null && slab.plain()) {
            fillPlainStaged(g, big, n, c0, cn, slab, sl, stage, interiorStart, interiorEnd, scratch);
            return;
        }
        if (!slab.plain()) java.util.Arrays.fill(sl, 0, cn * slab.channelStride, 0);
        int lastStep = slab.layoutStride(last);
        int[] lastResidues = slab.residues[last];
        // a phased last dimension is deinterleaved from a padded row built here
        double[] row = lastStep > 1 ? scratch.doubles("io.row", width) : sl;
        long lastStride = big.stride(2 + last);
        int rows = slab.rows();
        int[] u = new int[rank];
        MemorySegment seg = big.segment();
        for (int c = 0; c < cn; c++) {
            long chanOff = big.offset() + n * big.stride(0) + (c0 + c) * big.stride(1);
            if (stage != null) MemorySegment.copy(seg, LAYOUT, chanOff * ES, stage, 0, (int) plane);
            java.util.Arrays.fill(u, 0);
            for (int r = 0; r < rows; r++) {
                // where padded row u lands: its phase grid and grid row (the last dimension's phase comes below)
                int phase = 0, at = 0;
                long off = 0; // element offset of the source row within the channel
                boolean zero = false, unread = false;
                for (int d = 0; d < last; d++) {
                    int slot = slab.slot[d][u[d]];
                    unread |= slot < 0;
                    phase = phase * slab.residues[d].length + Math.max(0, slot);
                    at += u[d] / slab.layoutStride(d) * slab.gridStride[d];
                    int src = slab.source[d][u[d]];
                    if (src < 0) zero = true;
                    else off += src * big.stride(2 + d);
                }
                int dstRow = c * slab.channelStride + phase * lastResidues.length * slab.phaseSize + at;
                int dst = lastStep > 1 ? 0 : dstRow;
                if (unread) {
                    // a phase no tap reads is not stored
                } else if (zero) {
                    java.util.Arrays.fill(row, dst, dst + width, 0);
                } else if (stage != null) {
                    int from = (int) off;
                    if (interiorEnd > interiorStart) {
                        System.arraycopy(stage, from + srcLast[interiorStart], row, dst + interiorStart, interiorEnd - interiorStart);
                    }
                    for (int x = 0; x < interiorStart; x++) row[dst + x] = srcLast[x] < 0 ? 0 : stage[from + srcLast[x]];
                    for (int x = interiorEnd; x < width; x++) row[dst + x] = srcLast[x] < 0 ? 0 : stage[from + srcLast[x]];
                } else if (lastStride == 1) {
                    long row0 = chanOff + off;
                    if (interiorEnd > interiorStart) {
                        MemorySegment.copy(seg, LAYOUT, (row0 + srcLast[interiorStart]) * ES, row, dst + interiorStart,
                                interiorEnd - interiorStart);
                    }
                    for (int x = 0; x < interiorStart; x++) row[dst + x] = srcLast[x] < 0 ? 0 : seg.get(LAYOUT, (row0 + srcLast[x]) * ES);
                    for (int x = interiorEnd; x < width; x++) row[dst + x] = srcLast[x] < 0 ? 0 : seg.get(LAYOUT, (row0 + srcLast[x]) * ES);
                } else {
                    long row0 = chanOff + off;
                    for (int x = 0; x < width; x++) {
                        row[dst + x] = srcLast[x] < 0 ? 0 : seg.get(LAYOUT, (row0 + srcLast[x] * lastStride) * ES);
                    }
                }
                if (lastStep > 1 && !unread) deinterleave(row, width, lastStep, lastResidues, sl, dstRow, slab.phaseSize);
                for (int d = last - 1; d >= 0; d--) {
                    if (++u[d] < slab.extent[d]) break;
                    u[d] = 0;
                }
            }
        }
    }

    /**
     * {@code sl[dst + p phaseSize + v] = row[residues[p] + v step]} for every stored phase p of a padded row of
     * {@code width}: stride 2 with both phases stored (stride-2 convolutions and poolings with even taps) reads
     * the row once, writing both phases per pair; any other case phase by phase.
     */
    private static void deinterleave(double[] row, int width, int step, int[] residues, double[] sl, int dst, int phaseSize) {
        if (step == 2 && residues.length == 2 && residues[0] == 0 && residues[1] == 1) {
            int even = dst, odd = dst + phaseSize, pairs = width / 2;
            for (int v = 0; v < pairs; v++) {
                sl[even + v] = row[2 * v];
                sl[odd + v] = row[2 * v + 1];
            }
            if (width % 2 != 0) sl[even + pairs] = row[width - 1];
            return;
        }
        for (int p = 0; p < residues.length; p++) {
            int to = dst + p * phaseSize;
            for (int x = residues[p], v = 0; x < width; x += step, v++) sl[to + v] = row[x];
        }
    }

    /**
     * {@link #fillSlab} for a slab of one phase from row-major channels staged whole: where each slab row
     * comes from (a source row, or none: zeros) is worked out once for all channels, then every channel is
     * its plane's rows copied with their padding cells. Writes every cell of the slab's rows.
     */
    private static void fillPlainStaged(ConvGeometry g, Tensor big, long n, int c0, int cn, PhaseSlab slab, double[] sl, double[] stage,
                                        int interiorStart, int interiorEnd, Execution.Scratch scratch) {
        int last = g.rank - 1;
        int width = slab.extent[last];
        int[] srcLast = slab.source[last];
        int[] rowDst = scratch.ints("io.rowDst", slab.rows());
        int[] rowSrc = scratch.ints("io.rowSrc", slab.rows()); // element offset of the source row in the plane, or -1
        int rows = slab.plainRows(big, rowDst, rowSrc);
        int interior = interiorEnd - interiorStart;
        int from0 = interior > 0 ? srcLast[interiorStart] : 0;
        // only the span of plane rows this slab reads is staged, at its place in the plane: a task of a few rows
        // staged the whole plane of every channel (224x224, 7 row tasks: 7x the input, a third of the layer's time)
        int lo = PhaseSlab.firstSourceRow(rowSrc, rows), end = PhaseSlab.lastSourceRow(rowSrc, rows) + (int) g.big[last];
        MemorySegment seg = big.segment();
        for (int c = 0; c < cn; c++) {
            long chanOff = big.offset() + n * big.stride(0) + (c0 + c) * big.stride(1);
            if (lo < end) MemorySegment.copy(seg, LAYOUT, (chanOff + lo) * ES, stage, lo, end - lo);
            int base = c * slab.channelStride;
            for (int r = 0; r < rows; r++) {
                int dst = base + rowDst[r], from = rowSrc[r];
                if (from < 0) {
                    java.util.Arrays.fill(sl, dst, dst + width, 0);
                    continue;
                }
                if (interior > 0) System.arraycopy(stage, from + from0, sl, dst + interiorStart, interior);
                for (int x = 0; x < interiorStart; x++) sl[dst + x] = srcLast[x] < 0 ? 0 : stage[from + srcLast[x]];
                for (int x = interiorEnd; x < width; x++) sl[dst + x] = srcLast[x] < 0 ? 0 : stage[from + srcLast[x]];
            }
        }
    }

    /**
     * Copies small-side channels [k0, k0+kn) of image n, rows [ra, rb) of dimension 0, into a heap grid,
     * one channel every {@code chanLen} elements and zero elsewhere: position o goes to
     * {@code k*chanLen + sum_d (o_d*mul_d + add_d) * gridStride_d}. The buffer is zeroed up to
     * {@code kn*chanLen + slack}.
     */
    public static void copySmallToGrid(ConvGeometry g, Tensor small, long n, int k0, int kn, long ra, long rb, double[] buf,
                                       int chanLen, int[] mul, int[] add, int[] gridStride, int slack) {
        copySmallToGrid(g, small, n, 1, k0, kn, ra, rb, buf, chanLen, mul, add, gridStride, slack, 1);
    }

    /**
     * As above for images [n, n + images) into a grid of {@code lanes >= images} images per cell: grid element
     * i of image n + j at {@code buf[i * lanes + j]}, zero elsewhere, the buffer zeroed up to
     * {@code (kn*chanLen + slack) * lanes}. The images of a row are copied together, so its cells stay in cache.
     */
    public static void copySmallToGrid(ConvGeometry g, Tensor small, long n, int images, int k0, int kn, long ra, long rb,
                                       double[] buf, int chanLen, int[] mul, int[] add, int[] gridStride, int slack, int lanes) {
        java.util.Arrays.fill(buf, 0, (kn * chanLen + slack) * lanes, 0);
        if (rb <= ra) return;
        int rank = g.rank;
        int last = rank - 1;
        int rowLen = (int) g.small[last];
        long rows = rb - ra;
        for (int d = 1; d < last; d++) rows *= g.small[d];
        if (rank == 1) rows = 1;
        long lastStride = small.stride(2 + last);
        int step = mul[last] * gridStride[last];
        int first = rank == 1 ? (int) ra : 0, count = rank == 1 ? (int) (rb - ra) : rowLen;
        // where each row comes from (in its channel) and goes to (in its channel's grid): the same for every channel
        int nRows = Math.toIntExact(rows);
        long[] rowSrc = new long[nRows];
        int[] rowDst = new int[nRows];
        long[] o = new long[rank];
        o[0] = ra;
        for (int r = 0; r < nRows; r++) {
            long src = first * lastStride;
            int dst = (first * mul[last] + add[last]) * gridStride[last];
            for (int d = 0; d < last; d++) {
                src += o[d] * small.stride(2 + d);
                dst += (int) (o[d] * mul[d] + add[d]) * gridStride[d];
            }
            rowSrc[r] = src;
            rowDst[r] = dst;
            for (int d = last - 1; d >= 0; d--) {
                if (++o[d] < (d == 0 ? rb : g.small[d])) break;
                o[d] = d == 0 ? ra : 0;
            }
        }
        MemorySegment seg = small.segment();
        double[] row = lanes > 1 ? new double[count] : null;
        for (int k = 0; k < kn; k++) {
            long chanOff = small.offset() + n * small.stride(0) + (k0 + k) * small.stride(1);
            for (int r = 0; r < nRows; r++) {
                long src = chanOff + rowSrc[r];
                int dst = k * chanLen + rowDst[r];
                if (lanes > 1) {
                    for (int j = 0; j < images; j++) {
                        long from = src + j * small.stride(0);
                        if (lastStride == 1) {
                            MemorySegment.copy(seg, LAYOUT, from * ES, row, 0, count);
                        } else {
                            for (int x = 0; x < count; x++) row[x] = seg.get(LAYOUT, (from + x * lastStride) * ES);
                        }
                        for (int x = 0; x < count; x++) buf[(dst + x * step) * lanes + j] = row[x];
                    }
                } else if (lastStride == 1 && step == 1) {
                    MemorySegment.copy(seg, LAYOUT, src * ES, buf, dst, count);
                } else {
                    for (int x = 0; x < count; x++) buf[dst + x * step] = seg.get(LAYOUT, (src + x * lastStride) * ES);
                }
            }
        }
    }

    /**
     * {@link #fillSlab} of a {@link PhaseSlab#plain() plain} slab for images [n, n + images) into a slab of
     * {@code lanes >= images} images per cell (slab element i of image n + j at {@code sl[i * lanes + j]}),
     * through the padding mode's source tables; writes every cell of those lanes. The images of a row are
     * copied together, so its cells stay in cache.
     */
    public static void fillPlainLanes(ConvGeometry g, Tensor big, long n, int images, int c0, int cn, PhaseSlab slab, double[] sl,
                                      int lanes) {
        int rank = g.rank, last = rank - 1;
        int width = slab.extent[last];
        int[] srcLast = slab.source[last];
        long lastStride = big.stride(2 + last);
        int rowLen = (int) g.big[last];
        double[] row = new double[rowLen];
        MemorySegment seg = big.segment();
        int[] u = new int[rank];
        for (int c = 0; c < cn; c++) {
            long chanOff = big.offset() + n * big.stride(0) + (c0 + c) * big.stride(1);
            java.util.Arrays.fill(u, 0);
            for (int cell = c * slab.channelStride, end = cell + slab.channelStride; cell < end; cell += width) {
                long src = chanOff;
                boolean zero = false;
                for (int d = 0; d < last; d++) {
                    int from = slab.source[d][u[d]];
                    zero |= from < 0;
                    src += from * big.stride(2 + d);
                }
                for (int j = 0; j < images; j++) {
                    if (zero) {
                        for (int x = 0; x < width; x++) sl[(cell + x) * lanes + j] = 0;
                        continue;
                    }
                    long from = src + j * big.stride(0);
                    if (lastStride == 1) {
                        MemorySegment.copy(seg, LAYOUT, from * ES, row, 0, rowLen);
                    } else {
                        for (int x = 0; x < rowLen; x++) row[x] = seg.get(LAYOUT, (from + x * lastStride) * ES);
                    }
                    for (int x = 0; x < width; x++) {
                        int at = srcLast[x];
                        sl[(cell + x) * lanes + j] = at < 0 ? 0 : row[at];
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
     * Copies small-side channels [k0, k0+kn) of image n, the rows of {@code slab}, onto the slab's grid
     * (at window starts, after {@code margin} zeros), one channel every {@code gridLen} elements, zero elsewhere.
     */
    public static void copySmall(ConvGeometry g, Tensor small, long n, int k0, int kn, PhaseSlab slab, double[] buf, int gridLen,
                                 int margin, int slack) {
        int rank = g.rank;
        int[] mul = new int[rank], add = new int[rank];
        for (int d = 0; d < rank; d++) mul[d] = slab.step(d);
        add[0] = -slab.r0 * slab.step(0);
        // the margin is a whole number of grid cells along the last dimension (stride 1)
        add[rank - 1] += margin;
        copySmallToGrid(g, small, n, k0, kn, slab.r0, slab.r1, buf, gridLen, mul, add, slab.gridStride, slack);
    }

    /**
     * Folds the padded gradient slab through the padding mode, dimension by dimension (padding
     * positions add into the interior positions they read), then stores the interior with bias and
     * activation into big-side channels [cAbs, cAbs+cn) of image n.
     */
    public static void foldAndStore(ConvGeometry g, PhaseSlab slab, double[] grad, int cn, Tensor big, long n, int cAbs, Tensor bias,
                                     Epilogue e) {
        int rank = g.rank;
        if (g.mode != dev.vecnn.spec.PaddingMode.ZEROS) {
            for (int d = 0; d < rank; d++) {
                int ext = slab.extent[d];
                int inner = slab.gridStride[d];
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
        for (int c = 0; c < cn; c++) {
            long chanOff = big.offset() + n * big.stride(0) + (cAbs + c) * big.stride(1);
            double bv = bias == null ? 0 : bias.segment().get(LAYOUT, (bias.offset() + (cAbs + c) * bias.stride(0)) * ES);
            java.util.Arrays.fill(p, 0);
            for (long row = 0; row < rows; row++) {
                long dst = chanOff;
                int src = c * slab.channelStride + g.padBegin[last];
                for (int d = 0; d < last; d++) {
                    dst += p[d] * big.stride(2 + d);
                    src += (int) (p[d] + g.padBegin[d]) * slab.gridStride[d];
                }
                storeRow(grad, src, 1, seg, dst, big.stride(2 + last), rowLen, bv, e);
                for (int d = last - 1; d >= 0; d--) {
                    if (++p[d] < g.big[d]) break;
                    p[d] = 0;
                }
            }
        }
    }

    public static long[] spatialStrides(Tensor t) {
        long[] s = new long[t.rank() - 2];
        for (int d = 0; d < s.length; d++) s[d] = t.stride(2 + d);
        return s;
    }

    /**
     * Stores small channel k of image n from a result on the slab grid (at window starts), with bias and
     * activation. {@code y[0, span)} holds every window start and may be overwritten: when the rows are
     * contiguous on both sides, the epilogue runs in place over the whole grid in one call and the rows move
     * as bulk copies (the same bits as row by row: each element gets {@code act(y + bias)} either way).
     */
    public static void storeFromGrid(ConvGeometry g, PhaseSlab slab, double[] y, int span, Tensor small, long n, int k, Tensor bias,
                                     Epilogue e, long[] smallStride) {
        double bv = bias == null ? 0 : bias.segment().get(LAYOUT, (bias.offset() + k * bias.stride(0)) * ES);
        int last = g.rank - 1;
        int step = slab.step(last);
        if (step == 1 && smallStride[last] == 1) {
            ELEMENTWISE.activationInPlace(e, y, 0, span, bv, true);
            copyRowsFromGrid(g, slab, y, small, n, k, smallStride);
            return;
        }
        int rowLen = (int) g.small[last];
        long rows = g.smallCount() / rowLen;
        long[] o = new long[g.rank];
        long chan = small.offset() + n * small.stride(0) + k * small.stride(1);
        for (long row = 0; row < rows; row++) {
            long dst = chan;
            for (int d = 0; d < last; d++) dst += o[d] * smallStride[d];
            storeRow(y, slab.windowStart(o), step, small.segment(), dst, smallStride[last], rowLen, bv, e);
            for (int d = last - 1; d >= 0; d--) {
                if (++o[d] < g.small[d]) break;
                o[d] = 0;
            }
        }
    }

    /**
     * Copies small channel k of image n, finished on the slab grid (at window starts, unit steps along the
     * rows), into rows contiguous in {@code small}: one bulk copy per row.
     */
    public static void copyRowsFromGrid(ConvGeometry g, PhaseSlab slab, double[] y, Tensor small, long n, int k, long[] smallStride) {
        int last = g.rank - 1;
        int rowLen = (int) g.small[last];
        long rows = g.smallCount() / rowLen;
        long chan = small.offset() + n * small.stride(0) + k * small.stride(1);
        MemorySegment seg = small.segment();
        long[] o = new long[g.rank];
        for (long row = 0; row < rows; row++) {
            long dst = chan;
            for (int d = 0; d < last; d++) dst += o[d] * smallStride[d];
            MemorySegment.copy(y, slab.windowStart(o), seg, LAYOUT, dst * ES, rowLen);
            for (int d = last - 1; d >= 0; d--) {
                if (++o[d] < g.small[d]) break;
                o[d] = 0;
            }
        }
    }
}
