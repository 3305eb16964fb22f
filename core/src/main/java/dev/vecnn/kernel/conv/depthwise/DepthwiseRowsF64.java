package dev.vecnn.kernel.conv.depthwise;

import dev.vecnn.conv.Activation;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.kernel.elementwise.ElementwiseEngine;
import dev.vecnn.kernel.elementwise.ElementwiseKernels;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.DoubleVector;
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
    /** The elementwise kernels for activations other than the identity and ReLU (fused in the kernel). */
    private static final ElementwiseEngine ELEMENTWISE = ElementwiseKernels.defaults().engine(DType.F64);

    /** The forward plan, or null when this path does not take the problem. */
    static RowPlan forwardPlan(ConvGeometry g, Tensor big, Tensor small) {
        return dense(big, g.big) && dense(small, g.small) ? RowPlan.forward(g, L) : null;
    }

    /** The backward-data plan (gy to gx), or null when this path does not take the problem. */
    static RowPlan backwardDataPlan(ConvGeometry g, Tensor small, Tensor big) {
        return dense(big, g.big) && dense(small, g.small) ? RowPlan.backwardData(g, L) : null;
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
        boolean relu = e.activation() == Activation.RELU, fused = relu || e.activation() == Activation.IDENTITY;
        ex.forEach(Math.toIntExact(g.batch * blocks), (task, s) -> {
            int c0 = task % blocks * channelsPerTask;
            long n = task / blocks;
            double[] x = s.doubles("dwrows.in", p.inLength);
            double[] y = s.doubles("dwrows.out", p.outLength);
            double[] wt = s.doubles("dwrows.w", g.taps);
            // the zero row and the gaps stay zero: only the rows' own cells are written
            java.util.Arrays.fill(x, 0, p.inLength, 0);
            for (int c = c0; c < Math.min(g.groups, c0 + channelsPerTask); c++) {
                long from = (in.offset() + n * in.stride(0) + c * in.stride(1)) * ES;
                for (int i = 0; i < p.inRows; i++) {
                    MemorySegment.copy(in.segment(), LAYOUT, from + (long) i * p.inRowLen * ES, x, p.planeStart + i * p.inPitch, p.inRowLen);
                }
                for (int j = 0; j < perIn; j++) {
                    int k = c * perIn + j;
                    taps(g, w, reversed ? c : k, reversed, wt);
                    double b = bias == null ? 0 : bias.segment().get(LAYOUT, (bias.offset() + k * bias.stride(0)) * ES);
                    plane(p, x, wt, y, b, relu);
                    long dst = (out.offset() + n * out.stride(0) + k * out.stride(1)) * ES;
                    if (fused) MemorySegment.copy(y, 0, out.segment(), LAYOUT, dst, p.outCount);
                    else ELEMENTWISE.activationForward(e, MemorySegment.ofArray(y), 0, out.segment(), dst / ES, p.outCount, 0, false);
                }
            }
        }, in, w, bias, out);
    }

    /** Whether the channel planes are dense and row-major (the bulk copies move them whole). */
    private static boolean dense(Tensor t, long[] dims) {
        long pitch = 1;
        for (int d = dims.length - 1; d >= 0; d--) {
            if (dims[d] != 1 && t.stride(2 + d) != pitch) return false;
            pitch *= dims[d];
        }
        return true;
    }

    /** The weights of small channel k in tap order, or reversed. */
    private static void taps(ConvGeometry g, Tensor w, int k, boolean reversed, double[] out) {
        for (int t = 0; t < g.taps; t++) {
            long off = w.offset() + k * w.stride(0);
            for (int d = 0; d < g.rank; d++) off += g.tap[t][d] * w.stride(2 + d);
            out[reversed ? g.taps - 1 - t : t] = w.segment().get(LAYOUT, off * ES);
        }
    }

    /**
     * One channel: every block of rows and column groups, the column groups of a block from the last to
     * the first. A row's last vector runs past the row into the next row's first columns; those are
     * written again, correctly, by a later block (descending groups, ascending rows).
     */
    private static void plane(RowPlan p, double[] x, double[] wt, double[] y, double bias, boolean relu) {
        for (int r = 0; r < p.paddedRows; r += p.blockRows) {
            for (int cg = p.columnGroups - 1; cg >= 0; cg--) {
                switch (p.chunks) {
                    case 8 -> block1x8(p, x, wt, y, r, cg, bias, relu);
                    case 4 -> block2x4(p, x, wt, y, r, cg, bias, relu);
                    case 2 -> block4x2(p, x, wt, y, r, cg, bias, relu);
                    default -> block8x1(p, x, wt, y, r, cg, bias, relu);
                }
            }
        }
    }

    private static void block1x8(RowPlan p, double[] x, double[] wt, double[] y, int r, int cg, double bias, boolean relu) {
        int tr = p.tapRows, x0 = cg * 8 * L;
        int[] rowIn = p.rowIn, tapRow = p.tapRow, shift = p.shift;
        int q0 = (r + 0) * tr;
        DoubleVector a00 = DoubleVector.zero(S), a01 = a00, a02 = a00, a03 = a00, a04 = a00, a05 = a00, a06 = a00, a07 = a00;
        for (int t = 0, taps = shift.length; t < taps; t++) {
            DoubleVector w = DoubleVector.broadcast(S, wt[t]);
            int h = tapRow[t], at = x0 + shift[t];
            int i0 = rowIn[q0 + h] + at;
            a00 = w.fma(DoubleVector.fromArray(S, x, i0), a00);
            a01 = w.fma(DoubleVector.fromArray(S, x, i0 + 1 * L), a01);
            a02 = w.fma(DoubleVector.fromArray(S, x, i0 + 2 * L), a02);
            a03 = w.fma(DoubleVector.fromArray(S, x, i0 + 3 * L), a03);
            a04 = w.fma(DoubleVector.fromArray(S, x, i0 + 4 * L), a04);
            a05 = w.fma(DoubleVector.fromArray(S, x, i0 + 5 * L), a05);
            a06 = w.fma(DoubleVector.fromArray(S, x, i0 + 6 * L), a06);
            a07 = w.fma(DoubleVector.fromArray(S, x, i0 + 7 * L), a07);
        }
        // the sum first, then the bias, then the activation: the order of every other store
        DoubleVector b = DoubleVector.broadcast(S, bias), floor = DoubleVector.broadcast(S, relu ? 0 : Double.NEGATIVE_INFINITY);
        int pitch = p.outRowLen;
        a00.add(b).max(floor).intoArray(y, (r + 0) * pitch + x0);
        a01.add(b).max(floor).intoArray(y, (r + 0) * pitch + x0 + 1 * L);
        a02.add(b).max(floor).intoArray(y, (r + 0) * pitch + x0 + 2 * L);
        a03.add(b).max(floor).intoArray(y, (r + 0) * pitch + x0 + 3 * L);
        a04.add(b).max(floor).intoArray(y, (r + 0) * pitch + x0 + 4 * L);
        a05.add(b).max(floor).intoArray(y, (r + 0) * pitch + x0 + 5 * L);
        a06.add(b).max(floor).intoArray(y, (r + 0) * pitch + x0 + 6 * L);
        a07.add(b).max(floor).intoArray(y, (r + 0) * pitch + x0 + 7 * L);
    }

    private static void block2x4(RowPlan p, double[] x, double[] wt, double[] y, int r, int cg, double bias, boolean relu) {
        int tr = p.tapRows, x0 = cg * 4 * L;
        int[] rowIn = p.rowIn, tapRow = p.tapRow, shift = p.shift;
        int q0 = (r + 0) * tr;
        int q1 = (r + 1) * tr;
        DoubleVector a00 = DoubleVector.zero(S), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        for (int t = 0, taps = shift.length; t < taps; t++) {
            DoubleVector w = DoubleVector.broadcast(S, wt[t]);
            int h = tapRow[t], at = x0 + shift[t];
            int i0 = rowIn[q0 + h] + at;
            a00 = w.fma(DoubleVector.fromArray(S, x, i0), a00);
            a01 = w.fma(DoubleVector.fromArray(S, x, i0 + 1 * L), a01);
            a02 = w.fma(DoubleVector.fromArray(S, x, i0 + 2 * L), a02);
            a03 = w.fma(DoubleVector.fromArray(S, x, i0 + 3 * L), a03);
            int i1 = rowIn[q1 + h] + at;
            a10 = w.fma(DoubleVector.fromArray(S, x, i1), a10);
            a11 = w.fma(DoubleVector.fromArray(S, x, i1 + 1 * L), a11);
            a12 = w.fma(DoubleVector.fromArray(S, x, i1 + 2 * L), a12);
            a13 = w.fma(DoubleVector.fromArray(S, x, i1 + 3 * L), a13);
        }
        // the sum first, then the bias, then the activation: the order of every other store
        DoubleVector b = DoubleVector.broadcast(S, bias), floor = DoubleVector.broadcast(S, relu ? 0 : Double.NEGATIVE_INFINITY);
        int pitch = p.outRowLen;
        a00.add(b).max(floor).intoArray(y, (r + 0) * pitch + x0);
        a01.add(b).max(floor).intoArray(y, (r + 0) * pitch + x0 + 1 * L);
        a02.add(b).max(floor).intoArray(y, (r + 0) * pitch + x0 + 2 * L);
        a03.add(b).max(floor).intoArray(y, (r + 0) * pitch + x0 + 3 * L);
        a10.add(b).max(floor).intoArray(y, (r + 1) * pitch + x0);
        a11.add(b).max(floor).intoArray(y, (r + 1) * pitch + x0 + 1 * L);
        a12.add(b).max(floor).intoArray(y, (r + 1) * pitch + x0 + 2 * L);
        a13.add(b).max(floor).intoArray(y, (r + 1) * pitch + x0 + 3 * L);
    }

    private static void block4x2(RowPlan p, double[] x, double[] wt, double[] y, int r, int cg, double bias, boolean relu) {
        int tr = p.tapRows, x0 = cg * 2 * L;
        int[] rowIn = p.rowIn, tapRow = p.tapRow, shift = p.shift;
        int q0 = (r + 0) * tr;
        int q1 = (r + 1) * tr;
        int q2 = (r + 2) * tr;
        int q3 = (r + 3) * tr;
        DoubleVector a00 = DoubleVector.zero(S), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        for (int t = 0, taps = shift.length; t < taps; t++) {
            DoubleVector w = DoubleVector.broadcast(S, wt[t]);
            int h = tapRow[t], at = x0 + shift[t];
            int i0 = rowIn[q0 + h] + at;
            a00 = w.fma(DoubleVector.fromArray(S, x, i0), a00);
            a01 = w.fma(DoubleVector.fromArray(S, x, i0 + 1 * L), a01);
            int i1 = rowIn[q1 + h] + at;
            a10 = w.fma(DoubleVector.fromArray(S, x, i1), a10);
            a11 = w.fma(DoubleVector.fromArray(S, x, i1 + 1 * L), a11);
            int i2 = rowIn[q2 + h] + at;
            a20 = w.fma(DoubleVector.fromArray(S, x, i2), a20);
            a21 = w.fma(DoubleVector.fromArray(S, x, i2 + 1 * L), a21);
            int i3 = rowIn[q3 + h] + at;
            a30 = w.fma(DoubleVector.fromArray(S, x, i3), a30);
            a31 = w.fma(DoubleVector.fromArray(S, x, i3 + 1 * L), a31);
        }
        // the sum first, then the bias, then the activation: the order of every other store
        DoubleVector b = DoubleVector.broadcast(S, bias), floor = DoubleVector.broadcast(S, relu ? 0 : Double.NEGATIVE_INFINITY);
        int pitch = p.outRowLen;
        a00.add(b).max(floor).intoArray(y, (r + 0) * pitch + x0);
        a01.add(b).max(floor).intoArray(y, (r + 0) * pitch + x0 + 1 * L);
        a10.add(b).max(floor).intoArray(y, (r + 1) * pitch + x0);
        a11.add(b).max(floor).intoArray(y, (r + 1) * pitch + x0 + 1 * L);
        a20.add(b).max(floor).intoArray(y, (r + 2) * pitch + x0);
        a21.add(b).max(floor).intoArray(y, (r + 2) * pitch + x0 + 1 * L);
        a30.add(b).max(floor).intoArray(y, (r + 3) * pitch + x0);
        a31.add(b).max(floor).intoArray(y, (r + 3) * pitch + x0 + 1 * L);
    }

    private static void block8x1(RowPlan p, double[] x, double[] wt, double[] y, int r, int cg, double bias, boolean relu) {
        int tr = p.tapRows, x0 = cg * 1 * L;
        int[] rowIn = p.rowIn, tapRow = p.tapRow, shift = p.shift;
        int q0 = (r + 0) * tr;
        int q1 = (r + 1) * tr;
        int q2 = (r + 2) * tr;
        int q3 = (r + 3) * tr;
        int q4 = (r + 4) * tr;
        int q5 = (r + 5) * tr;
        int q6 = (r + 6) * tr;
        int q7 = (r + 7) * tr;
        DoubleVector a00 = DoubleVector.zero(S), a10 = a00, a20 = a00, a30 = a00, a40 = a00, a50 = a00, a60 = a00, a70 = a00;
        for (int t = 0, taps = shift.length; t < taps; t++) {
            DoubleVector w = DoubleVector.broadcast(S, wt[t]);
            int h = tapRow[t], at = x0 + shift[t];
            int i0 = rowIn[q0 + h] + at;
            a00 = w.fma(DoubleVector.fromArray(S, x, i0), a00);
            int i1 = rowIn[q1 + h] + at;
            a10 = w.fma(DoubleVector.fromArray(S, x, i1), a10);
            int i2 = rowIn[q2 + h] + at;
            a20 = w.fma(DoubleVector.fromArray(S, x, i2), a20);
            int i3 = rowIn[q3 + h] + at;
            a30 = w.fma(DoubleVector.fromArray(S, x, i3), a30);
            int i4 = rowIn[q4 + h] + at;
            a40 = w.fma(DoubleVector.fromArray(S, x, i4), a40);
            int i5 = rowIn[q5 + h] + at;
            a50 = w.fma(DoubleVector.fromArray(S, x, i5), a50);
            int i6 = rowIn[q6 + h] + at;
            a60 = w.fma(DoubleVector.fromArray(S, x, i6), a60);
            int i7 = rowIn[q7 + h] + at;
            a70 = w.fma(DoubleVector.fromArray(S, x, i7), a70);
        }
        // the sum first, then the bias, then the activation: the order of every other store
        DoubleVector b = DoubleVector.broadcast(S, bias), floor = DoubleVector.broadcast(S, relu ? 0 : Double.NEGATIVE_INFINITY);
        int pitch = p.outRowLen;
        a00.add(b).max(floor).intoArray(y, (r + 0) * pitch + x0);
        a10.add(b).max(floor).intoArray(y, (r + 1) * pitch + x0);
        a20.add(b).max(floor).intoArray(y, (r + 2) * pitch + x0);
        a30.add(b).max(floor).intoArray(y, (r + 3) * pitch + x0);
        a40.add(b).max(floor).intoArray(y, (r + 4) * pitch + x0);
        a50.add(b).max(floor).intoArray(y, (r + 5) * pitch + x0);
        a60.add(b).max(floor).intoArray(y, (r + 6) * pitch + x0);
        a70.add(b).max(floor).intoArray(y, (r + 7) * pitch + x0);
    }
}
