package dev.vecnn.kernel.conv.depthwise;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.kernel.elementwise.ElementwiseEngine;
import dev.vecnn.kernel.elementwise.ElementwiseKernels;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Depthwise correlation in double on whole channel planes ({@link RowPlan}): the input rows are laid in a
 * buffer with zeros after each, each output row is vectors along the row reading its kernel rows in
 * place, and the finished plane, computed compact, leaves in one bulk copy with bias and activation (a
 * padded output grid would cost a copy per row: on small and medium planes the copies cost more than
 * the multiply-adds). Serves the forward pass (the convolution's own
 * plan) and the backward-data pass of unit-stride convolutions (reversed taps). Each output element is
 * one sum over the taps in a fixed order, whatever the task split: results do not depend on threads.
 *
 * <p>GENERATED from core/src/template/DepthwiseRows.java.in by dev.vecnn.codegen.KernelTemplates;
 * edit the template, not this file.
 */
final class DepthwiseRowsF64 {
    private DepthwiseRowsF64() {
    }

    static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    static final int L = S.length();
    private static final ValueLayout.OfDouble LAYOUT = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final long ES = 8;
    private static final ByteOrder NO = ByteOrder.nativeOrder();
    /** 512-bit vectors: AVX-512's 32 registers, room for the blocks unrolled over three taps ({@link RowPlan#unrolled}). */
    private static final boolean MANY_REGISTERS = S.vectorBitSize() >= 512;
    /** Lanes 0, 2, 4, .. of a vector, twice (a one-vector permute; the two-vector rearrange is not compiled to one). */
    private static final VectorShuffle<Double> EVENS = VectorShuffle.fromOp(S, i -> 2 * i % L);
    /** Lanes 1, 3, 5, .. of a vector, twice. */
    private static final VectorShuffle<Double> ODDS = VectorShuffle.fromOp(S, i -> (2 * i + 1) % L);
    /** The upper half of a vector's lanes: where the second vector's even or odd lanes go. */
    private static final VectorMask<Double> UPPER = VectorMask.fromLong(S, ((1L << L) - 1) & ~((1L << (L / 2)) - 1));
    /** The elementwise kernels for activations other than the clamps (identity, ReLU, clip: fused in the kernel). */
    private static final ElementwiseEngine ELEMENTWISE = ElementwiseKernels.defaults().engine(DType.F64);

    /** The forward plan, or null when this path does not take the problem. */
    static RowPlan forwardPlan(ConvGeometry g, Tensor big, Tensor small) {
        return dense(big) && dense(small) ? RowPlan.forward(g, L, MANY_REGISTERS) : null;
    }

    /** The backward-data plan (gy to gx), or null when this path does not take the problem. */
    static RowPlan backwardDataPlan(ConvGeometry g, Tensor small, Tensor big) {
        return dense(big) && dense(small) ? RowPlan.backwardData(g, L, MANY_REGISTERS) : null;
    }

    /**
     * Runs the plan over channels: {@code out} channel {@code c * perIn + j} from {@code in} channel c with
     * the weights of small channel {@code c * kg + j} ({@code reversed}: in reverse tap order), then bias
     * and activation. {@code perIn} is the channel multiplier of the forward pass, 1 for backward-data.
     */
    static void run(ConvGeometry g, RowPlan p, Tensor in, Tensor w, boolean reversed, Tensor bias, Epilogue e, Tensor out, int channelsPerTask,
                    Execution ex) {
        int perIn = reversed ? 1 : g.kg;
        int blocks = Math.ceilDiv(g.groups, channelsPerTask);
        boolean fused = e.isRegisterClamp();
        double lo = fused ? (double) e.clampLow() : Double.NEGATIVE_INFINITY, hi = fused ? (double) e.clampHigh() : Double.POSITIVE_INFINITY;
        double[] weights = weights(g, w, reversed);
        MemorySegment src = in.segment();
        ex.forEach(Math.toIntExact(g.batch * blocks), (task, s) -> {
            int c0 = task % blocks * channelsPerTask;
            long n = task / blocks;
            double[] x = s.doubles("dwrows.in", p.inLength);
            double[] y = s.doubles("dwrows.out", p.outLength);
            double[] wt = s.doubles("dwrows.w", g.taps);
            double[] keptBuffer = p.compact ? null : s.doubles("dwrows.kept", p.keptCount + L);
            // the zero row and the gaps stay zero: layRows writes the rows' own cells and zeroes what it writes past them
            java.util.Arrays.fill(x, 0, p.inLength, 0);
            for (int c = c0; c < Math.min(g.groups, c0 + channelsPerTask); c++) {
                layRows(p, src, (in.offset() + n * in.stride(0) + c * in.stride(1)) * ES, x);
                for (int j = 0; j < perIn; j++) {
                    int k = c * perIn + j;
                    System.arraycopy(weights, (reversed ? c : k) * g.taps, wt, 0, g.taps);
                    double b = bias == null ? 0 : bias.segment().get(LAYOUT, (bias.offset() + k * bias.stride(0)) * ES);
                    if (p.flat) DepthwiseConvF64.correlateForward(x, p.flatOffset, wt, g.taps, y, p.flatSpan, b, lo, hi);
                    else plane(p, x, wt, y, b, lo, hi);
                    long dst = (out.offset() + n * out.stride(0) + k * out.stride(1)) * ES;
                    double[] kept = p.compact ? y : keep(p, y, keptBuffer);
                    if (fused) MemorySegment.copy(kept, 0, out.segment(), LAYOUT, dst, p.keptCount);
                    else ELEMENTWISE.activationForward(e, kept, 0, out.segment(), dst / ES, p.keptCount, 0, false);
                }
            }
        }, in, w, bias, out);
    }

    /** Every small channel's weights in tap order (or reversed), read once per call (one bulk copy when dense). */
    private static double[] weights(ConvGeometry g, Tensor w, boolean reversed) {
        int channels = g.groups * g.kg;
        double[] all = new double[channels * g.taps];
        if (w.stride(0) == g.taps && dense(w)) {
            MemorySegment.copy(w.segment(), LAYOUT, w.offset() * ES, all, 0, all.length);
            if (reversed) {
                for (int k = 0; k < channels; k++) {
                    for (int i = k * g.taps, j = i + g.taps - 1; i < j; i++, j--) {
                        double t = all[i];
                        all[i] = all[j];
                        all[j] = t;
                    }
                }
            }
            return all;
        }
        for (int k = 0; k < channels; k++) {
            for (int t = 0; t < g.taps; t++) {
                long off = w.offset() + k * w.stride(0);
                for (int d = 0; d < g.rank; d++) off += g.tap[t][d] * w.stride(2 + d);
                all[k * g.taps + (reversed ? g.taps - 1 - t : t)] = w.segment().get(LAYOUT, off * ES);
            }
        }
        return all;
    }

    /**
     * The channel plane at byte offset {@code from} of {@code src} into its rows of {@code x}, whole vectors
     * at a time (a call per short row cost more than the multiply-adds on small planes): a row's last
     * vector runs past it and the zero vector after it puts back the gap's zeros; the next row, higher in
     * the buffer, overwrites the rest. Rows whose vectors would read past the segment are copied element
     * by element.
     */
    private static void layRows(RowPlan p, MemorySegment src, long from, double[] x) {
        int len = p.inRowLen, vectors = Math.ceilDiv(len, L);
        DoubleVector zero = DoubleVector.zero(S);
        for (int i = 0; i < p.inRows; i++, from += len * ES) {
            int to = p.planeStart + i * p.inPitch;
            if (p.split) {
                laySplitRow(p, src, from, x, to);
            } else if (from + (long) vectors * L * ES <= src.byteSize()) {
                for (int v = 0; v < vectors; v++) DoubleVector.fromMemorySegment(S, src, from + v * L * ES, NO).intoArray(x, to + v * L);
                zero.intoArray(x, to + len);
            } else {
                for (int c = 0; c < len; c++) x[to + c] = src.get(LAYOUT, from + c * ES);
            }
        }
    }

    /**
     * One row split ({@link RowPlan#split}): its even columns from {@code x[to]}, its odd ones from
     * {@code x[to + oddStart]}, each half followed by zeros (the halves' last vectors run past them and the
     * odd half, written second, overwrites what the even half's zeros covered of it). Pairs of vectors, the
     * even lanes of both, then the odd lanes.
     */
    private static void laySplitRow(RowPlan p, MemorySegment src, long from, double[] x, int to) {
        int len = p.inRowLen, evens = Math.ceilDiv(len, 2), pairs = Math.ceilDiv(len, 2 * L), odd = to + p.oddStart;
        if (from + 2L * pairs * L * ES <= src.byteSize()) {
            for (int v = 0; v < pairs; v++) {
                long at = from + 2L * v * L * ES;
                DoubleVector.fromMemorySegment(S, src, at, NO).rearrange(EVENS).blend(DoubleVector.fromMemorySegment(S, src, at + L * ES, NO).rearrange(EVENS), UPPER)
                        .intoArray(x, to + v * L);
            }
            DoubleVector.zero(S).intoArray(x, to + evens);
            for (int v = 0; v < pairs; v++) {
                long at = from + 2L * v * L * ES;
                DoubleVector.fromMemorySegment(S, src, at, NO).rearrange(ODDS).blend(DoubleVector.fromMemorySegment(S, src, at + L * ES, NO).rearrange(ODDS), UPPER)
                        .intoArray(x, odd + v * L);
            }
            DoubleVector.zero(S).intoArray(x, odd + len / 2);
        } else {
            for (int c = 0; c < len; c++) x[(c & 1) == 0 ? to + c / 2 : odd + c / 2] = src.get(LAYOUT, from + c * ES);
        }
    }

    /**
     * The kept columns (every {@code columnStep}-th) of the kept rows (every {@code rowStep}-th), compact, in
     * whole vectors (each row's last runs past it; the next row, or the buffer's spare vector, takes it).
     * Every other column: the even lanes of two vectors.
     */
    private static double[] keep(RowPlan p, double[] y, double[] kept) {
        int step = p.columnStep, len = p.keptRowLen, pitch = p.outPitch * p.rowStep;
        for (int r = 0; r < p.keptRows; r++) {
            int from = r * pitch, to = r * len;
            if (step == 1) {
                for (int c = 0; c < len; c += L) DoubleVector.fromArray(S, y, from + c).intoArray(kept, to + c);
            } else if (step == 2 && from + 2 * Math.ceilDiv(len, L) * L <= y.length) {
                for (int c = 0; c < len; c += L) {
                    DoubleVector.fromArray(S, y, from + 2 * c).rearrange(EVENS).blend(DoubleVector.fromArray(S, y, from + 2 * c + L).rearrange(EVENS), UPPER).intoArray(kept, to + c);
                }
            } else {
                for (int c = 0; c < len; c++) kept[to + c] = y[from + c * step];
            }
        }
        return kept;
    }

    /** Whether the spatial planes of t (dimensions 2..) are dense and row-major (the bulk copies move them whole). */
    private static boolean dense(Tensor t) {
        long pitch = 1;
        for (int d = t.rank() - 1; d >= 2; d--) {
            if (t.size(d) != 1 && t.stride(d) != pitch) return false;
            pitch *= t.size(d);
        }
        return true;
    }

    /**
     * One channel: every block of rows and column groups, the column groups of a block from the last to
     * the first. A row's last vector runs past the row into the next row's first columns; those are
     * written again, correctly, by a later block (descending groups, ascending rows).
     */
    private static void plane(RowPlan p, double[] x, double[] wt, double[] y, double bias, double lo, double hi) {
        for (int b = 0, blocks = p.paddedRows / p.blockRows; b < blocks; b++) {
            for (int cg = p.columnGroups - 1; cg >= 0; cg--) {
                if (p.unrolled) {
                    switch (p.chunks) {
                        case 4 -> block3x4r3(p, x, wt, y, b, cg, bias, lo, hi);
                        case 2 -> block6x2r3(p, x, wt, y, b, cg, bias, lo, hi);
                        default -> block12x1r3(p, x, wt, y, b, cg, bias, lo, hi);
                    }
                    continue;
                }
                switch (p.chunks) {
                    case 8 -> block1x8(p, x, wt, y, b, cg, bias, lo, hi);
                    case 4 -> block2x4(p, x, wt, y, b, cg, bias, lo, hi);
                    case 2 -> block4x2(p, x, wt, y, b, cg, bias, lo, hi);
                    default -> block8x1(p, x, wt, y, b, cg, bias, lo, hi);
                }
            }
        }
    }

    private static void block1x8(RowPlan p, double[] x, double[] wt, double[] y, int b, int cg, double bias, double lo, double hi) {
        int x0 = cg * 8 * L, rt = p.rowTaps;
        int[] entryOffset = p.entryOffset, entryTap = p.entryTap, shift = p.shift;
        DoubleVector a00 = DoubleVector.zero(S), a01 = a00, a02 = a00, a03 = a00, a04 = a00, a05 = a00, a06 = a00, a07 = a00;
        for (int e = p.entryStart[b], end = p.entryStart[b + 1]; e < end; e++) {
            int row = entryOffset[e] + x0;
            int h0 = entryTap[e * 1 + 0] * rt;
            for (int kc = 0; kc < rt; kc++) {
                int at = row + shift[kc];
                DoubleVector v0 = DoubleVector.fromArray(S, x, at);
                DoubleVector v1 = DoubleVector.fromArray(S, x, at + 1 * L);
                DoubleVector v2 = DoubleVector.fromArray(S, x, at + 2 * L);
                DoubleVector v3 = DoubleVector.fromArray(S, x, at + 3 * L);
                DoubleVector v4 = DoubleVector.fromArray(S, x, at + 4 * L);
                DoubleVector v5 = DoubleVector.fromArray(S, x, at + 5 * L);
                DoubleVector v6 = DoubleVector.fromArray(S, x, at + 6 * L);
                DoubleVector v7 = DoubleVector.fromArray(S, x, at + 7 * L);
                if (h0 >= 0) {
                    DoubleVector w = DoubleVector.broadcast(S, wt[h0 + kc]);
                    a00 = w.fma(v0, a00);
                    a01 = w.fma(v1, a01);
                    a02 = w.fma(v2, a02);
                    a03 = w.fma(v3, a03);
                    a04 = w.fma(v4, a04);
                    a05 = w.fma(v5, a05);
                    a06 = w.fma(v6, a06);
                    a07 = w.fma(v7, a07);
                }
            }
        }
        // the sum first, then the bias, then the activation: the order of every other store
        DoubleVector bv = DoubleVector.broadcast(S, bias);
        int pitch = p.outRowLen, r = b * 1;
        a00 = a00.add(bv);
        a00 = a00.blend(lo, a00.compare(VectorOperators.LE, lo));
        a00.blend(hi, a00.compare(VectorOperators.GE, hi)).intoArray(y, (r + 0) * pitch + x0);
        a01 = a01.add(bv);
        a01 = a01.blend(lo, a01.compare(VectorOperators.LE, lo));
        a01.blend(hi, a01.compare(VectorOperators.GE, hi)).intoArray(y, (r + 0) * pitch + x0 + 1 * L);
        a02 = a02.add(bv);
        a02 = a02.blend(lo, a02.compare(VectorOperators.LE, lo));
        a02.blend(hi, a02.compare(VectorOperators.GE, hi)).intoArray(y, (r + 0) * pitch + x0 + 2 * L);
        a03 = a03.add(bv);
        a03 = a03.blend(lo, a03.compare(VectorOperators.LE, lo));
        a03.blend(hi, a03.compare(VectorOperators.GE, hi)).intoArray(y, (r + 0) * pitch + x0 + 3 * L);
        a04 = a04.add(bv);
        a04 = a04.blend(lo, a04.compare(VectorOperators.LE, lo));
        a04.blend(hi, a04.compare(VectorOperators.GE, hi)).intoArray(y, (r + 0) * pitch + x0 + 4 * L);
        a05 = a05.add(bv);
        a05 = a05.blend(lo, a05.compare(VectorOperators.LE, lo));
        a05.blend(hi, a05.compare(VectorOperators.GE, hi)).intoArray(y, (r + 0) * pitch + x0 + 5 * L);
        a06 = a06.add(bv);
        a06 = a06.blend(lo, a06.compare(VectorOperators.LE, lo));
        a06.blend(hi, a06.compare(VectorOperators.GE, hi)).intoArray(y, (r + 0) * pitch + x0 + 6 * L);
        a07 = a07.add(bv);
        a07 = a07.blend(lo, a07.compare(VectorOperators.LE, lo));
        a07.blend(hi, a07.compare(VectorOperators.GE, hi)).intoArray(y, (r + 0) * pitch + x0 + 7 * L);
    }

    private static void block2x4(RowPlan p, double[] x, double[] wt, double[] y, int b, int cg, double bias, double lo, double hi) {
        int x0 = cg * 4 * L, rt = p.rowTaps;
        int[] entryOffset = p.entryOffset, entryTap = p.entryTap, shift = p.shift;
        DoubleVector a00 = DoubleVector.zero(S), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        for (int e = p.entryStart[b], end = p.entryStart[b + 1]; e < end; e++) {
            int row = entryOffset[e] + x0;
            int h0 = entryTap[e * 2 + 0] * rt;
            int h1 = entryTap[e * 2 + 1] * rt;
            for (int kc = 0; kc < rt; kc++) {
                int at = row + shift[kc];
                DoubleVector v0 = DoubleVector.fromArray(S, x, at);
                DoubleVector v1 = DoubleVector.fromArray(S, x, at + 1 * L);
                DoubleVector v2 = DoubleVector.fromArray(S, x, at + 2 * L);
                DoubleVector v3 = DoubleVector.fromArray(S, x, at + 3 * L);
                if (h0 >= 0) {
                    DoubleVector w = DoubleVector.broadcast(S, wt[h0 + kc]);
                    a00 = w.fma(v0, a00);
                    a01 = w.fma(v1, a01);
                    a02 = w.fma(v2, a02);
                    a03 = w.fma(v3, a03);
                }
                if (h1 >= 0) {
                    DoubleVector w = DoubleVector.broadcast(S, wt[h1 + kc]);
                    a10 = w.fma(v0, a10);
                    a11 = w.fma(v1, a11);
                    a12 = w.fma(v2, a12);
                    a13 = w.fma(v3, a13);
                }
            }
        }
        // the sum first, then the bias, then the activation: the order of every other store
        DoubleVector bv = DoubleVector.broadcast(S, bias);
        int pitch = p.outRowLen, r = b * 2;
        a00 = a00.add(bv);
        a00 = a00.blend(lo, a00.compare(VectorOperators.LE, lo));
        a00.blend(hi, a00.compare(VectorOperators.GE, hi)).intoArray(y, (r + 0) * pitch + x0);
        a01 = a01.add(bv);
        a01 = a01.blend(lo, a01.compare(VectorOperators.LE, lo));
        a01.blend(hi, a01.compare(VectorOperators.GE, hi)).intoArray(y, (r + 0) * pitch + x0 + 1 * L);
        a02 = a02.add(bv);
        a02 = a02.blend(lo, a02.compare(VectorOperators.LE, lo));
        a02.blend(hi, a02.compare(VectorOperators.GE, hi)).intoArray(y, (r + 0) * pitch + x0 + 2 * L);
        a03 = a03.add(bv);
        a03 = a03.blend(lo, a03.compare(VectorOperators.LE, lo));
        a03.blend(hi, a03.compare(VectorOperators.GE, hi)).intoArray(y, (r + 0) * pitch + x0 + 3 * L);
        a10 = a10.add(bv);
        a10 = a10.blend(lo, a10.compare(VectorOperators.LE, lo));
        a10.blend(hi, a10.compare(VectorOperators.GE, hi)).intoArray(y, (r + 1) * pitch + x0);
        a11 = a11.add(bv);
        a11 = a11.blend(lo, a11.compare(VectorOperators.LE, lo));
        a11.blend(hi, a11.compare(VectorOperators.GE, hi)).intoArray(y, (r + 1) * pitch + x0 + 1 * L);
        a12 = a12.add(bv);
        a12 = a12.blend(lo, a12.compare(VectorOperators.LE, lo));
        a12.blend(hi, a12.compare(VectorOperators.GE, hi)).intoArray(y, (r + 1) * pitch + x0 + 2 * L);
        a13 = a13.add(bv);
        a13 = a13.blend(lo, a13.compare(VectorOperators.LE, lo));
        a13.blend(hi, a13.compare(VectorOperators.GE, hi)).intoArray(y, (r + 1) * pitch + x0 + 3 * L);
    }

    private static void block4x2(RowPlan p, double[] x, double[] wt, double[] y, int b, int cg, double bias, double lo, double hi) {
        int x0 = cg * 2 * L, rt = p.rowTaps;
        int[] entryOffset = p.entryOffset, entryTap = p.entryTap, shift = p.shift;
        DoubleVector a00 = DoubleVector.zero(S), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        for (int e = p.entryStart[b], end = p.entryStart[b + 1]; e < end; e++) {
            int row = entryOffset[e] + x0;
            int h0 = entryTap[e * 4 + 0] * rt;
            int h1 = entryTap[e * 4 + 1] * rt;
            int h2 = entryTap[e * 4 + 2] * rt;
            int h3 = entryTap[e * 4 + 3] * rt;
            for (int kc = 0; kc < rt; kc++) {
                int at = row + shift[kc];
                DoubleVector v0 = DoubleVector.fromArray(S, x, at);
                DoubleVector v1 = DoubleVector.fromArray(S, x, at + 1 * L);
                if (h0 >= 0) {
                    DoubleVector w = DoubleVector.broadcast(S, wt[h0 + kc]);
                    a00 = w.fma(v0, a00);
                    a01 = w.fma(v1, a01);
                }
                if (h1 >= 0) {
                    DoubleVector w = DoubleVector.broadcast(S, wt[h1 + kc]);
                    a10 = w.fma(v0, a10);
                    a11 = w.fma(v1, a11);
                }
                if (h2 >= 0) {
                    DoubleVector w = DoubleVector.broadcast(S, wt[h2 + kc]);
                    a20 = w.fma(v0, a20);
                    a21 = w.fma(v1, a21);
                }
                if (h3 >= 0) {
                    DoubleVector w = DoubleVector.broadcast(S, wt[h3 + kc]);
                    a30 = w.fma(v0, a30);
                    a31 = w.fma(v1, a31);
                }
            }
        }
        // the sum first, then the bias, then the activation: the order of every other store
        DoubleVector bv = DoubleVector.broadcast(S, bias);
        int pitch = p.outRowLen, r = b * 4;
        a00 = a00.add(bv);
        a00 = a00.blend(lo, a00.compare(VectorOperators.LE, lo));
        a00.blend(hi, a00.compare(VectorOperators.GE, hi)).intoArray(y, (r + 0) * pitch + x0);
        a01 = a01.add(bv);
        a01 = a01.blend(lo, a01.compare(VectorOperators.LE, lo));
        a01.blend(hi, a01.compare(VectorOperators.GE, hi)).intoArray(y, (r + 0) * pitch + x0 + 1 * L);
        a10 = a10.add(bv);
        a10 = a10.blend(lo, a10.compare(VectorOperators.LE, lo));
        a10.blend(hi, a10.compare(VectorOperators.GE, hi)).intoArray(y, (r + 1) * pitch + x0);
        a11 = a11.add(bv);
        a11 = a11.blend(lo, a11.compare(VectorOperators.LE, lo));
        a11.blend(hi, a11.compare(VectorOperators.GE, hi)).intoArray(y, (r + 1) * pitch + x0 + 1 * L);
        a20 = a20.add(bv);
        a20 = a20.blend(lo, a20.compare(VectorOperators.LE, lo));
        a20.blend(hi, a20.compare(VectorOperators.GE, hi)).intoArray(y, (r + 2) * pitch + x0);
        a21 = a21.add(bv);
        a21 = a21.blend(lo, a21.compare(VectorOperators.LE, lo));
        a21.blend(hi, a21.compare(VectorOperators.GE, hi)).intoArray(y, (r + 2) * pitch + x0 + 1 * L);
        a30 = a30.add(bv);
        a30 = a30.blend(lo, a30.compare(VectorOperators.LE, lo));
        a30.blend(hi, a30.compare(VectorOperators.GE, hi)).intoArray(y, (r + 3) * pitch + x0);
        a31 = a31.add(bv);
        a31 = a31.blend(lo, a31.compare(VectorOperators.LE, lo));
        a31.blend(hi, a31.compare(VectorOperators.GE, hi)).intoArray(y, (r + 3) * pitch + x0 + 1 * L);
    }

    private static void block8x1(RowPlan p, double[] x, double[] wt, double[] y, int b, int cg, double bias, double lo, double hi) {
        int x0 = cg * 1 * L, rt = p.rowTaps;
        int[] entryOffset = p.entryOffset, entryTap = p.entryTap, shift = p.shift;
        DoubleVector a00 = DoubleVector.zero(S), a10 = a00, a20 = a00, a30 = a00, a40 = a00, a50 = a00, a60 = a00, a70 = a00;
        for (int e = p.entryStart[b], end = p.entryStart[b + 1]; e < end; e++) {
            int row = entryOffset[e] + x0;
            int h0 = entryTap[e * 8 + 0] * rt;
            int h1 = entryTap[e * 8 + 1] * rt;
            int h2 = entryTap[e * 8 + 2] * rt;
            int h3 = entryTap[e * 8 + 3] * rt;
            int h4 = entryTap[e * 8 + 4] * rt;
            int h5 = entryTap[e * 8 + 5] * rt;
            int h6 = entryTap[e * 8 + 6] * rt;
            int h7 = entryTap[e * 8 + 7] * rt;
            for (int kc = 0; kc < rt; kc++) {
                int at = row + shift[kc];
                DoubleVector v0 = DoubleVector.fromArray(S, x, at);
                if (h0 >= 0) {
                    DoubleVector w = DoubleVector.broadcast(S, wt[h0 + kc]);
                    a00 = w.fma(v0, a00);
                }
                if (h1 >= 0) {
                    DoubleVector w = DoubleVector.broadcast(S, wt[h1 + kc]);
                    a10 = w.fma(v0, a10);
                }
                if (h2 >= 0) {
                    DoubleVector w = DoubleVector.broadcast(S, wt[h2 + kc]);
                    a20 = w.fma(v0, a20);
                }
                if (h3 >= 0) {
                    DoubleVector w = DoubleVector.broadcast(S, wt[h3 + kc]);
                    a30 = w.fma(v0, a30);
                }
                if (h4 >= 0) {
                    DoubleVector w = DoubleVector.broadcast(S, wt[h4 + kc]);
                    a40 = w.fma(v0, a40);
                }
                if (h5 >= 0) {
                    DoubleVector w = DoubleVector.broadcast(S, wt[h5 + kc]);
                    a50 = w.fma(v0, a50);
                }
                if (h6 >= 0) {
                    DoubleVector w = DoubleVector.broadcast(S, wt[h6 + kc]);
                    a60 = w.fma(v0, a60);
                }
                if (h7 >= 0) {
                    DoubleVector w = DoubleVector.broadcast(S, wt[h7 + kc]);
                    a70 = w.fma(v0, a70);
                }
            }
        }
        // the sum first, then the bias, then the activation: the order of every other store
        DoubleVector bv = DoubleVector.broadcast(S, bias);
        int pitch = p.outRowLen, r = b * 8;
        a00 = a00.add(bv);
        a00 = a00.blend(lo, a00.compare(VectorOperators.LE, lo));
        a00.blend(hi, a00.compare(VectorOperators.GE, hi)).intoArray(y, (r + 0) * pitch + x0);
        a10 = a10.add(bv);
        a10 = a10.blend(lo, a10.compare(VectorOperators.LE, lo));
        a10.blend(hi, a10.compare(VectorOperators.GE, hi)).intoArray(y, (r + 1) * pitch + x0);
        a20 = a20.add(bv);
        a20 = a20.blend(lo, a20.compare(VectorOperators.LE, lo));
        a20.blend(hi, a20.compare(VectorOperators.GE, hi)).intoArray(y, (r + 2) * pitch + x0);
        a30 = a30.add(bv);
        a30 = a30.blend(lo, a30.compare(VectorOperators.LE, lo));
        a30.blend(hi, a30.compare(VectorOperators.GE, hi)).intoArray(y, (r + 3) * pitch + x0);
        a40 = a40.add(bv);
        a40 = a40.blend(lo, a40.compare(VectorOperators.LE, lo));
        a40.blend(hi, a40.compare(VectorOperators.GE, hi)).intoArray(y, (r + 4) * pitch + x0);
        a50 = a50.add(bv);
        a50 = a50.blend(lo, a50.compare(VectorOperators.LE, lo));
        a50.blend(hi, a50.compare(VectorOperators.GE, hi)).intoArray(y, (r + 5) * pitch + x0);
        a60 = a60.add(bv);
        a60 = a60.blend(lo, a60.compare(VectorOperators.LE, lo));
        a60.blend(hi, a60.compare(VectorOperators.GE, hi)).intoArray(y, (r + 6) * pitch + x0);
        a70 = a70.add(bv);
        a70 = a70.blend(lo, a70.compare(VectorOperators.LE, lo));
        a70.blend(hi, a70.compare(VectorOperators.GE, hi)).intoArray(y, (r + 7) * pitch + x0);
    }

    private static void block3x4r3(RowPlan p, double[] x, double[] wt, double[] y, int b, int cg, double bias, double lo, double hi) {
        int x0 = cg * 4 * L, s0 = p.shift[0], s1 = p.shift[1], s2 = p.shift[2];
        int[] entryOffset = p.entryOffset, entryTap = p.entryTap;
        DoubleVector a00 = DoubleVector.zero(S), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00, a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        for (int e = p.entryStart[b], end = p.entryStart[b + 1]; e < end; e++) {
            int row = entryOffset[e] + x0;
            DoubleVector v00 = DoubleVector.fromArray(S, x, row + s0);
            DoubleVector v01 = DoubleVector.fromArray(S, x, row + s0 + 1 * L);
            DoubleVector v02 = DoubleVector.fromArray(S, x, row + s0 + 2 * L);
            DoubleVector v03 = DoubleVector.fromArray(S, x, row + s0 + 3 * L);
            DoubleVector v10 = DoubleVector.fromArray(S, x, row + s1);
            DoubleVector v11 = DoubleVector.fromArray(S, x, row + s1 + 1 * L);
            DoubleVector v12 = DoubleVector.fromArray(S, x, row + s1 + 2 * L);
            DoubleVector v13 = DoubleVector.fromArray(S, x, row + s1 + 3 * L);
            DoubleVector v20 = DoubleVector.fromArray(S, x, row + s2);
            DoubleVector v21 = DoubleVector.fromArray(S, x, row + s2 + 1 * L);
            DoubleVector v22 = DoubleVector.fromArray(S, x, row + s2 + 2 * L);
            DoubleVector v23 = DoubleVector.fromArray(S, x, row + s2 + 3 * L);
            int h0 = entryTap[e * 3 + 0] * 3;
            if (h0 >= 0) {
                DoubleVector w = DoubleVector.broadcast(S, wt[h0]);
                a00 = w.fma(v00, a00);
                a01 = w.fma(v01, a01);
                a02 = w.fma(v02, a02);
                a03 = w.fma(v03, a03);
                w = DoubleVector.broadcast(S, wt[h0 + 1]);
                a00 = w.fma(v10, a00);
                a01 = w.fma(v11, a01);
                a02 = w.fma(v12, a02);
                a03 = w.fma(v13, a03);
                w = DoubleVector.broadcast(S, wt[h0 + 2]);
                a00 = w.fma(v20, a00);
                a01 = w.fma(v21, a01);
                a02 = w.fma(v22, a02);
                a03 = w.fma(v23, a03);
            }
            int h1 = entryTap[e * 3 + 1] * 3;
            if (h1 >= 0) {
                DoubleVector w = DoubleVector.broadcast(S, wt[h1]);
                a10 = w.fma(v00, a10);
                a11 = w.fma(v01, a11);
                a12 = w.fma(v02, a12);
                a13 = w.fma(v03, a13);
                w = DoubleVector.broadcast(S, wt[h1 + 1]);
                a10 = w.fma(v10, a10);
                a11 = w.fma(v11, a11);
                a12 = w.fma(v12, a12);
                a13 = w.fma(v13, a13);
                w = DoubleVector.broadcast(S, wt[h1 + 2]);
                a10 = w.fma(v20, a10);
                a11 = w.fma(v21, a11);
                a12 = w.fma(v22, a12);
                a13 = w.fma(v23, a13);
            }
            int h2 = entryTap[e * 3 + 2] * 3;
            if (h2 >= 0) {
                DoubleVector w = DoubleVector.broadcast(S, wt[h2]);
                a20 = w.fma(v00, a20);
                a21 = w.fma(v01, a21);
                a22 = w.fma(v02, a22);
                a23 = w.fma(v03, a23);
                w = DoubleVector.broadcast(S, wt[h2 + 1]);
                a20 = w.fma(v10, a20);
                a21 = w.fma(v11, a21);
                a22 = w.fma(v12, a22);
                a23 = w.fma(v13, a23);
                w = DoubleVector.broadcast(S, wt[h2 + 2]);
                a20 = w.fma(v20, a20);
                a21 = w.fma(v21, a21);
                a22 = w.fma(v22, a22);
                a23 = w.fma(v23, a23);
            }
        }
        // the sum first, then the bias, then the activation: the order of every other store
        DoubleVector bv = DoubleVector.broadcast(S, bias);
        int pitch = p.outRowLen, r = b * 3;
        a00 = a00.add(bv);
        a00 = a00.blend(lo, a00.compare(VectorOperators.LE, lo));
        a00.blend(hi, a00.compare(VectorOperators.GE, hi)).intoArray(y, (r + 0) * pitch + x0);
        a01 = a01.add(bv);
        a01 = a01.blend(lo, a01.compare(VectorOperators.LE, lo));
        a01.blend(hi, a01.compare(VectorOperators.GE, hi)).intoArray(y, (r + 0) * pitch + x0 + 1 * L);
        a02 = a02.add(bv);
        a02 = a02.blend(lo, a02.compare(VectorOperators.LE, lo));
        a02.blend(hi, a02.compare(VectorOperators.GE, hi)).intoArray(y, (r + 0) * pitch + x0 + 2 * L);
        a03 = a03.add(bv);
        a03 = a03.blend(lo, a03.compare(VectorOperators.LE, lo));
        a03.blend(hi, a03.compare(VectorOperators.GE, hi)).intoArray(y, (r + 0) * pitch + x0 + 3 * L);
        a10 = a10.add(bv);
        a10 = a10.blend(lo, a10.compare(VectorOperators.LE, lo));
        a10.blend(hi, a10.compare(VectorOperators.GE, hi)).intoArray(y, (r + 1) * pitch + x0);
        a11 = a11.add(bv);
        a11 = a11.blend(lo, a11.compare(VectorOperators.LE, lo));
        a11.blend(hi, a11.compare(VectorOperators.GE, hi)).intoArray(y, (r + 1) * pitch + x0 + 1 * L);
        a12 = a12.add(bv);
        a12 = a12.blend(lo, a12.compare(VectorOperators.LE, lo));
        a12.blend(hi, a12.compare(VectorOperators.GE, hi)).intoArray(y, (r + 1) * pitch + x0 + 2 * L);
        a13 = a13.add(bv);
        a13 = a13.blend(lo, a13.compare(VectorOperators.LE, lo));
        a13.blend(hi, a13.compare(VectorOperators.GE, hi)).intoArray(y, (r + 1) * pitch + x0 + 3 * L);
        a20 = a20.add(bv);
        a20 = a20.blend(lo, a20.compare(VectorOperators.LE, lo));
        a20.blend(hi, a20.compare(VectorOperators.GE, hi)).intoArray(y, (r + 2) * pitch + x0);
        a21 = a21.add(bv);
        a21 = a21.blend(lo, a21.compare(VectorOperators.LE, lo));
        a21.blend(hi, a21.compare(VectorOperators.GE, hi)).intoArray(y, (r + 2) * pitch + x0 + 1 * L);
        a22 = a22.add(bv);
        a22 = a22.blend(lo, a22.compare(VectorOperators.LE, lo));
        a22.blend(hi, a22.compare(VectorOperators.GE, hi)).intoArray(y, (r + 2) * pitch + x0 + 2 * L);
        a23 = a23.add(bv);
        a23 = a23.blend(lo, a23.compare(VectorOperators.LE, lo));
        a23.blend(hi, a23.compare(VectorOperators.GE, hi)).intoArray(y, (r + 2) * pitch + x0 + 3 * L);
    }

    private static void block6x2r3(RowPlan p, double[] x, double[] wt, double[] y, int b, int cg, double bias, double lo, double hi) {
        int x0 = cg * 2 * L, s0 = p.shift[0], s1 = p.shift[1], s2 = p.shift[2];
        int[] entryOffset = p.entryOffset, entryTap = p.entryTap;
        DoubleVector a00 = DoubleVector.zero(S), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00, a40 = a00, a41 = a00, a50 = a00, a51 = a00;
        for (int e = p.entryStart[b], end = p.entryStart[b + 1]; e < end; e++) {
            int row = entryOffset[e] + x0;
            DoubleVector v00 = DoubleVector.fromArray(S, x, row + s0);
            DoubleVector v01 = DoubleVector.fromArray(S, x, row + s0 + 1 * L);
            DoubleVector v10 = DoubleVector.fromArray(S, x, row + s1);
            DoubleVector v11 = DoubleVector.fromArray(S, x, row + s1 + 1 * L);
            DoubleVector v20 = DoubleVector.fromArray(S, x, row + s2);
            DoubleVector v21 = DoubleVector.fromArray(S, x, row + s2 + 1 * L);
            int h0 = entryTap[e * 6 + 0] * 3;
            if (h0 >= 0) {
                DoubleVector w = DoubleVector.broadcast(S, wt[h0]);
                a00 = w.fma(v00, a00);
                a01 = w.fma(v01, a01);
                w = DoubleVector.broadcast(S, wt[h0 + 1]);
                a00 = w.fma(v10, a00);
                a01 = w.fma(v11, a01);
                w = DoubleVector.broadcast(S, wt[h0 + 2]);
                a00 = w.fma(v20, a00);
                a01 = w.fma(v21, a01);
            }
            int h1 = entryTap[e * 6 + 1] * 3;
            if (h1 >= 0) {
                DoubleVector w = DoubleVector.broadcast(S, wt[h1]);
                a10 = w.fma(v00, a10);
                a11 = w.fma(v01, a11);
                w = DoubleVector.broadcast(S, wt[h1 + 1]);
                a10 = w.fma(v10, a10);
                a11 = w.fma(v11, a11);
                w = DoubleVector.broadcast(S, wt[h1 + 2]);
                a10 = w.fma(v20, a10);
                a11 = w.fma(v21, a11);
            }
            int h2 = entryTap[e * 6 + 2] * 3;
            if (h2 >= 0) {
                DoubleVector w = DoubleVector.broadcast(S, wt[h2]);
                a20 = w.fma(v00, a20);
                a21 = w.fma(v01, a21);
                w = DoubleVector.broadcast(S, wt[h2 + 1]);
                a20 = w.fma(v10, a20);
                a21 = w.fma(v11, a21);
                w = DoubleVector.broadcast(S, wt[h2 + 2]);
                a20 = w.fma(v20, a20);
                a21 = w.fma(v21, a21);
            }
            int h3 = entryTap[e * 6 + 3] * 3;
            if (h3 >= 0) {
                DoubleVector w = DoubleVector.broadcast(S, wt[h3]);
                a30 = w.fma(v00, a30);
                a31 = w.fma(v01, a31);
                w = DoubleVector.broadcast(S, wt[h3 + 1]);
                a30 = w.fma(v10, a30);
                a31 = w.fma(v11, a31);
                w = DoubleVector.broadcast(S, wt[h3 + 2]);
                a30 = w.fma(v20, a30);
                a31 = w.fma(v21, a31);
            }
            int h4 = entryTap[e * 6 + 4] * 3;
            if (h4 >= 0) {
                DoubleVector w = DoubleVector.broadcast(S, wt[h4]);
                a40 = w.fma(v00, a40);
                a41 = w.fma(v01, a41);
                w = DoubleVector.broadcast(S, wt[h4 + 1]);
                a40 = w.fma(v10, a40);
                a41 = w.fma(v11, a41);
                w = DoubleVector.broadcast(S, wt[h4 + 2]);
                a40 = w.fma(v20, a40);
                a41 = w.fma(v21, a41);
            }
            int h5 = entryTap[e * 6 + 5] * 3;
            if (h5 >= 0) {
                DoubleVector w = DoubleVector.broadcast(S, wt[h5]);
                a50 = w.fma(v00, a50);
                a51 = w.fma(v01, a51);
                w = DoubleVector.broadcast(S, wt[h5 + 1]);
                a50 = w.fma(v10, a50);
                a51 = w.fma(v11, a51);
                w = DoubleVector.broadcast(S, wt[h5 + 2]);
                a50 = w.fma(v20, a50);
                a51 = w.fma(v21, a51);
            }
        }
        // the sum first, then the bias, then the activation: the order of every other store
        DoubleVector bv = DoubleVector.broadcast(S, bias);
        int pitch = p.outRowLen, r = b * 6;
        a00 = a00.add(bv);
        a00 = a00.blend(lo, a00.compare(VectorOperators.LE, lo));
        a00.blend(hi, a00.compare(VectorOperators.GE, hi)).intoArray(y, (r + 0) * pitch + x0);
        a01 = a01.add(bv);
        a01 = a01.blend(lo, a01.compare(VectorOperators.LE, lo));
        a01.blend(hi, a01.compare(VectorOperators.GE, hi)).intoArray(y, (r + 0) * pitch + x0 + 1 * L);
        a10 = a10.add(bv);
        a10 = a10.blend(lo, a10.compare(VectorOperators.LE, lo));
        a10.blend(hi, a10.compare(VectorOperators.GE, hi)).intoArray(y, (r + 1) * pitch + x0);
        a11 = a11.add(bv);
        a11 = a11.blend(lo, a11.compare(VectorOperators.LE, lo));
        a11.blend(hi, a11.compare(VectorOperators.GE, hi)).intoArray(y, (r + 1) * pitch + x0 + 1 * L);
        a20 = a20.add(bv);
        a20 = a20.blend(lo, a20.compare(VectorOperators.LE, lo));
        a20.blend(hi, a20.compare(VectorOperators.GE, hi)).intoArray(y, (r + 2) * pitch + x0);
        a21 = a21.add(bv);
        a21 = a21.blend(lo, a21.compare(VectorOperators.LE, lo));
        a21.blend(hi, a21.compare(VectorOperators.GE, hi)).intoArray(y, (r + 2) * pitch + x0 + 1 * L);
        a30 = a30.add(bv);
        a30 = a30.blend(lo, a30.compare(VectorOperators.LE, lo));
        a30.blend(hi, a30.compare(VectorOperators.GE, hi)).intoArray(y, (r + 3) * pitch + x0);
        a31 = a31.add(bv);
        a31 = a31.blend(lo, a31.compare(VectorOperators.LE, lo));
        a31.blend(hi, a31.compare(VectorOperators.GE, hi)).intoArray(y, (r + 3) * pitch + x0 + 1 * L);
        a40 = a40.add(bv);
        a40 = a40.blend(lo, a40.compare(VectorOperators.LE, lo));
        a40.blend(hi, a40.compare(VectorOperators.GE, hi)).intoArray(y, (r + 4) * pitch + x0);
        a41 = a41.add(bv);
        a41 = a41.blend(lo, a41.compare(VectorOperators.LE, lo));
        a41.blend(hi, a41.compare(VectorOperators.GE, hi)).intoArray(y, (r + 4) * pitch + x0 + 1 * L);
        a50 = a50.add(bv);
        a50 = a50.blend(lo, a50.compare(VectorOperators.LE, lo));
        a50.blend(hi, a50.compare(VectorOperators.GE, hi)).intoArray(y, (r + 5) * pitch + x0);
        a51 = a51.add(bv);
        a51 = a51.blend(lo, a51.compare(VectorOperators.LE, lo));
        a51.blend(hi, a51.compare(VectorOperators.GE, hi)).intoArray(y, (r + 5) * pitch + x0 + 1 * L);
    }

    private static void block12x1r3(RowPlan p, double[] x, double[] wt, double[] y, int b, int cg, double bias, double lo, double hi) {
        int x0 = cg * 1 * L, s0 = p.shift[0], s1 = p.shift[1], s2 = p.shift[2];
        int[] entryOffset = p.entryOffset, entryTap = p.entryTap;
        DoubleVector a00 = DoubleVector.zero(S), a10 = a00, a20 = a00, a30 = a00, a40 = a00, a50 = a00, a60 = a00, a70 = a00, a80 = a00, a90 = a00, a100 = a00, a110 = a00;
        for (int e = p.entryStart[b], end = p.entryStart[b + 1]; e < end; e++) {
            int row = entryOffset[e] + x0;
            DoubleVector v00 = DoubleVector.fromArray(S, x, row + s0);
            DoubleVector v10 = DoubleVector.fromArray(S, x, row + s1);
            DoubleVector v20 = DoubleVector.fromArray(S, x, row + s2);
            int h0 = entryTap[e * 12 + 0] * 3;
            if (h0 >= 0) {
                DoubleVector w = DoubleVector.broadcast(S, wt[h0]);
                a00 = w.fma(v00, a00);
                w = DoubleVector.broadcast(S, wt[h0 + 1]);
                a00 = w.fma(v10, a00);
                w = DoubleVector.broadcast(S, wt[h0 + 2]);
                a00 = w.fma(v20, a00);
            }
            int h1 = entryTap[e * 12 + 1] * 3;
            if (h1 >= 0) {
                DoubleVector w = DoubleVector.broadcast(S, wt[h1]);
                a10 = w.fma(v00, a10);
                w = DoubleVector.broadcast(S, wt[h1 + 1]);
                a10 = w.fma(v10, a10);
                w = DoubleVector.broadcast(S, wt[h1 + 2]);
                a10 = w.fma(v20, a10);
            }
            int h2 = entryTap[e * 12 + 2] * 3;
            if (h2 >= 0) {
                DoubleVector w = DoubleVector.broadcast(S, wt[h2]);
                a20 = w.fma(v00, a20);
                w = DoubleVector.broadcast(S, wt[h2 + 1]);
                a20 = w.fma(v10, a20);
                w = DoubleVector.broadcast(S, wt[h2 + 2]);
                a20 = w.fma(v20, a20);
            }
            int h3 = entryTap[e * 12 + 3] * 3;
            if (h3 >= 0) {
                DoubleVector w = DoubleVector.broadcast(S, wt[h3]);
                a30 = w.fma(v00, a30);
                w = DoubleVector.broadcast(S, wt[h3 + 1]);
                a30 = w.fma(v10, a30);
                w = DoubleVector.broadcast(S, wt[h3 + 2]);
                a30 = w.fma(v20, a30);
            }
            int h4 = entryTap[e * 12 + 4] * 3;
            if (h4 >= 0) {
                DoubleVector w = DoubleVector.broadcast(S, wt[h4]);
                a40 = w.fma(v00, a40);
                w = DoubleVector.broadcast(S, wt[h4 + 1]);
                a40 = w.fma(v10, a40);
                w = DoubleVector.broadcast(S, wt[h4 + 2]);
                a40 = w.fma(v20, a40);
            }
            int h5 = entryTap[e * 12 + 5] * 3;
            if (h5 >= 0) {
                DoubleVector w = DoubleVector.broadcast(S, wt[h5]);
                a50 = w.fma(v00, a50);
                w = DoubleVector.broadcast(S, wt[h5 + 1]);
                a50 = w.fma(v10, a50);
                w = DoubleVector.broadcast(S, wt[h5 + 2]);
                a50 = w.fma(v20, a50);
            }
            int h6 = entryTap[e * 12 + 6] * 3;
            if (h6 >= 0) {
                DoubleVector w = DoubleVector.broadcast(S, wt[h6]);
                a60 = w.fma(v00, a60);
                w = DoubleVector.broadcast(S, wt[h6 + 1]);
                a60 = w.fma(v10, a60);
                w = DoubleVector.broadcast(S, wt[h6 + 2]);
                a60 = w.fma(v20, a60);
            }
            int h7 = entryTap[e * 12 + 7] * 3;
            if (h7 >= 0) {
                DoubleVector w = DoubleVector.broadcast(S, wt[h7]);
                a70 = w.fma(v00, a70);
                w = DoubleVector.broadcast(S, wt[h7 + 1]);
                a70 = w.fma(v10, a70);
                w = DoubleVector.broadcast(S, wt[h7 + 2]);
                a70 = w.fma(v20, a70);
            }
            int h8 = entryTap[e * 12 + 8] * 3;
            if (h8 >= 0) {
                DoubleVector w = DoubleVector.broadcast(S, wt[h8]);
                a80 = w.fma(v00, a80);
                w = DoubleVector.broadcast(S, wt[h8 + 1]);
                a80 = w.fma(v10, a80);
                w = DoubleVector.broadcast(S, wt[h8 + 2]);
                a80 = w.fma(v20, a80);
            }
            int h9 = entryTap[e * 12 + 9] * 3;
            if (h9 >= 0) {
                DoubleVector w = DoubleVector.broadcast(S, wt[h9]);
                a90 = w.fma(v00, a90);
                w = DoubleVector.broadcast(S, wt[h9 + 1]);
                a90 = w.fma(v10, a90);
                w = DoubleVector.broadcast(S, wt[h9 + 2]);
                a90 = w.fma(v20, a90);
            }
            int h10 = entryTap[e * 12 + 10] * 3;
            if (h10 >= 0) {
                DoubleVector w = DoubleVector.broadcast(S, wt[h10]);
                a100 = w.fma(v00, a100);
                w = DoubleVector.broadcast(S, wt[h10 + 1]);
                a100 = w.fma(v10, a100);
                w = DoubleVector.broadcast(S, wt[h10 + 2]);
                a100 = w.fma(v20, a100);
            }
            int h11 = entryTap[e * 12 + 11] * 3;
            if (h11 >= 0) {
                DoubleVector w = DoubleVector.broadcast(S, wt[h11]);
                a110 = w.fma(v00, a110);
                w = DoubleVector.broadcast(S, wt[h11 + 1]);
                a110 = w.fma(v10, a110);
                w = DoubleVector.broadcast(S, wt[h11 + 2]);
                a110 = w.fma(v20, a110);
            }
        }
        // the sum first, then the bias, then the activation: the order of every other store
        DoubleVector bv = DoubleVector.broadcast(S, bias);
        int pitch = p.outRowLen, r = b * 12;
        a00 = a00.add(bv);
        a00 = a00.blend(lo, a00.compare(VectorOperators.LE, lo));
        a00.blend(hi, a00.compare(VectorOperators.GE, hi)).intoArray(y, (r + 0) * pitch + x0);
        a10 = a10.add(bv);
        a10 = a10.blend(lo, a10.compare(VectorOperators.LE, lo));
        a10.blend(hi, a10.compare(VectorOperators.GE, hi)).intoArray(y, (r + 1) * pitch + x0);
        a20 = a20.add(bv);
        a20 = a20.blend(lo, a20.compare(VectorOperators.LE, lo));
        a20.blend(hi, a20.compare(VectorOperators.GE, hi)).intoArray(y, (r + 2) * pitch + x0);
        a30 = a30.add(bv);
        a30 = a30.blend(lo, a30.compare(VectorOperators.LE, lo));
        a30.blend(hi, a30.compare(VectorOperators.GE, hi)).intoArray(y, (r + 3) * pitch + x0);
        a40 = a40.add(bv);
        a40 = a40.blend(lo, a40.compare(VectorOperators.LE, lo));
        a40.blend(hi, a40.compare(VectorOperators.GE, hi)).intoArray(y, (r + 4) * pitch + x0);
        a50 = a50.add(bv);
        a50 = a50.blend(lo, a50.compare(VectorOperators.LE, lo));
        a50.blend(hi, a50.compare(VectorOperators.GE, hi)).intoArray(y, (r + 5) * pitch + x0);
        a60 = a60.add(bv);
        a60 = a60.blend(lo, a60.compare(VectorOperators.LE, lo));
        a60.blend(hi, a60.compare(VectorOperators.GE, hi)).intoArray(y, (r + 6) * pitch + x0);
        a70 = a70.add(bv);
        a70 = a70.blend(lo, a70.compare(VectorOperators.LE, lo));
        a70.blend(hi, a70.compare(VectorOperators.GE, hi)).intoArray(y, (r + 7) * pitch + x0);
        a80 = a80.add(bv);
        a80 = a80.blend(lo, a80.compare(VectorOperators.LE, lo));
        a80.blend(hi, a80.compare(VectorOperators.GE, hi)).intoArray(y, (r + 8) * pitch + x0);
        a90 = a90.add(bv);
        a90 = a90.blend(lo, a90.compare(VectorOperators.LE, lo));
        a90.blend(hi, a90.compare(VectorOperators.GE, hi)).intoArray(y, (r + 9) * pitch + x0);
        a100 = a100.add(bv);
        a100 = a100.blend(lo, a100.compare(VectorOperators.LE, lo));
        a100.blend(hi, a100.compare(VectorOperators.GE, hi)).intoArray(y, (r + 10) * pitch + x0);
        a110 = a110.add(bv);
        a110 = a110.blend(lo, a110.compare(VectorOperators.LE, lo));
        a110.blend(hi, a110.compare(VectorOperators.GE, hi)).intoArray(y, (r + 11) * pitch + x0);
    }
}
