package dev.vecnn.spec;

import java.util.Arrays;

/**
 * The per-dimension sliding-window geometry shared by convolution and pooling: kernel size, stride,
 * dilation (PyTorch's convention: 1 is dense), and padding before and after. Output-size arithmetic
 * lives here and nowhere else.
 *
 * <p>Window tap {@code j} of output position {@code o} reads input position
 * {@code o*stride - padBegin + j*dilation}.
 */
public final class Window {
    private final int[] kernel;
    private final int[] stride;
    private final int[] dilation;
    private final int[] padBegin;
    private final int[] padEnd;

    Window(int[] kernel, int[] stride, int[] dilation, int[] padBegin, int[] padEnd) {
        this.kernel = kernel.clone();
        this.stride = stride.clone();
        this.dilation = dilation.clone();
        this.padBegin = padBegin.clone();
        this.padEnd = padEnd.clone();
        for (int d = 0; d < kernel.length; d++) {
            Checks.atLeast("kernel", d, kernel[d], 1);
            Checks.atLeast("stride", d, stride[d], 1);
            Checks.atLeast("dilation", d, dilation[d], 1);
            Checks.atLeast("padBegin", d, padBegin[d], 0);
            Checks.atLeast("padEnd", d, padEnd[d], 0);
        }
    }

    /** Number of spatial dimensions. */
    public int rank() {
        return kernel.length;
    }

    /** Kernel size along {@code d}. */
    public int kernel(int d) {
        return kernel[d];
    }

    /** Stride along {@code d}. */
    public int stride(int d) {
        return stride[d];
    }

    /** Dilation along {@code d} (1 = dense). */
    public int dilation(int d) {
        return dilation[d];
    }

    /** Padding before the first element along {@code d}. */
    public int padBegin(int d) {
        return padBegin[d];
    }

    /** Padding after the last element along {@code d}. */
    public int padEnd(int d) {
        return padEnd[d];
    }

    /** Extent of the dilated kernel: {@code (kernel-1)*dilation + 1}. */
    public long effectiveKernel(int d) {
        return (long) (kernel[d] - 1) * dilation[d] + 1;
    }

    /** Number of taps in the window, the product of the kernel sizes. */
    public long taps() {
        long n = 1;
        for (int k : kernel) n *= k;
        return n;
    }

    /** Copies of the arrays, for builders and text forms. */
    public int[] kernel() {
        return kernel.clone();
    }

    /** A copy of the strides. */
    public int[] stride() {
        return stride.clone();
    }

    /** A copy of the dilations. */
    public int[] dilation() {
        return dilation.clone();
    }

    /** A copy of the begin paddings. */
    public int[] padBegin() {
        return padBegin.clone();
    }

    /** A copy of the end paddings. */
    public int[] padEnd() {
        return padEnd.clone();
    }

    /**
     * Output size of a sliding window over {@code in} elements, as PyTorch computes it:
     * {@code floor_or_ceil((in + padBegin + padEnd - effectiveKernel) / stride) + 1}; in ceil mode the
     * last window must start inside the input or the begin padding, else it is dropped.
     * Returns a value {@code < 1} when the window does not fit.
     */
    public long outputSize(int d, long in, boolean ceil) {
        long span = in + padBegin[d] + padEnd[d] - effectiveKernel(d);
        if (span < 0) return 0;
        long out = (ceil ? Math.ceilDiv(span, stride[d]) : span / stride[d]) + 1;
        if (ceil && (out - 1) * stride[d] >= in + padBegin[d]) out--;
        return out;
    }

    /**
     * Output size of the transposed (adjoint) window:
     * {@code (in-1)*stride - padBegin - padEnd + effectiveKernel + outputPadding}.
     */
    public long transposedOutputSize(int d, long in, int outputPadding) {
        return (in - 1) * stride[d] - padBegin[d] - padEnd[d] + effectiveKernel(d) + outputPadding;
    }

    /** First input position read by output position {@code o} (may be negative: padding). */
    public long start(int d, long o) {
        return o * stride[d] - padBegin[d];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Window w && Arrays.equals(kernel, w.kernel) && Arrays.equals(stride, w.stride)
                && Arrays.equals(dilation, w.dilation) && Arrays.equals(padBegin, w.padBegin)
                && Arrays.equals(padEnd, w.padEnd);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new int[] {Arrays.hashCode(kernel), Arrays.hashCode(stride),
            Arrays.hashCode(dilation), Arrays.hashCode(padBegin), Arrays.hashCode(padEnd)});
    }

    @Override
    public String toString() {
        return "Window[kernel=" + Arrays.toString(kernel) + ", stride=" + Arrays.toString(stride)
                + ", dilation=" + Arrays.toString(dilation) + ", padBegin=" + Arrays.toString(padBegin)
                + ", padEnd=" + Arrays.toString(padEnd) + "]";
    }
}
