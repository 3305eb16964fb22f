package dev.vecnn.spec;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * The per-dimension sliding-window geometry shared by convolution and pooling: kernel size, stride,
 * dilation (PyTorch's convention: 1 is dense), and padding before and after. Output-size arithmetic
 * lives here and nowhere else.
 *
 * <p>Window tap {@code j} of output position {@code o} reads input position
 * {@code o*stride - padBegin + j*dilation}.
 *
 * <p>All arithmetic is exact: no result wraps around. A method whose true result does not fit a long
 * throws {@link ArithmeticException}; the specs reject such problems at {@code build()} first.
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
        BigInteger taps = BigInteger.ONE;
        for (int k : kernel) taps = taps.multiply(BigInteger.valueOf(k));
        if (taps.bitLength() > 63) {
            throw new IllegalArgumentException("kernel: " + Arrays.toString(kernel) + " has " + taps
                    + " taps, more than a long counts");
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

    /** Number of taps in the window, the product of the kernel sizes (checked to fit a long). */
    public long taps() {
        long n = 1;
        for (int k : kernel) n = Math.multiplyExact(n, k);
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
     * Output size of a sliding window over {@code in} elements, PyTorch's {@code pooling_output_shape}
     * (ATen): {@code out = floor((in + padBegin + padEnd - effectiveKernel + (ceil ? stride - 1 : 0)) / stride) + 1},
     * and in ceil mode the last window is dropped when it starts at or after {@code in + padBegin}
     * (it would read only end padding). Without ceil mode this is the convolution's output size.
     * Returns a value {@code < 1} when no window fits. Exact for any {@code in >= 0}.
     *
     * @throws ArithmeticException if the output size itself exceeds a long
     */
    public long outputSize(int d, long in, boolean ceil) {
        try {
            long num = Math.subtractExact(Math.addExact(Math.addExact(in, padBegin[d]), padEnd[d]), effectiveKernel(d));
            if (ceil) num = Math.addExact(num, stride[d] - 1);
            long out = Math.addExact(Math.floorDiv(num, stride[d]), 1);
            if (ceil && Math.multiplyExact(out - 1, (long) stride[d]) >= Math.addExact(in, padBegin[d])) out--;
            return out;
        } catch (ArithmeticException overflow) { // the same formula without a bound on intermediate values
            BigInteger s = BigInteger.valueOf(stride[d]), start = BigInteger.valueOf(in).add(BigInteger.valueOf(padBegin[d]));
            BigInteger num = start.add(BigInteger.valueOf(padEnd[d])).subtract(BigInteger.valueOf(effectiveKernel(d)));
            if (ceil) num = num.add(s).subtract(BigInteger.ONE);
            BigInteger[] qr = num.divideAndRemainder(s);
            BigInteger out = (qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0]).add(BigInteger.ONE);
            if (ceil && out.subtract(BigInteger.ONE).multiply(s).compareTo(start) >= 0) out = out.subtract(BigInteger.ONE);
            return out.longValueExact();
        }
    }

    /**
     * Output size of the transposed (adjoint) window:
     * {@code (in-1)*stride - padBegin - padEnd + effectiveKernel + outputPadding}.
     *
     * @throws ArithmeticException if the result, or {@code (in-1)*stride}, overflows a long
     */
    public long transposedOutputSize(int d, long in, int outputPadding) {
        long grown = Math.multiplyExact(Math.subtractExact(in, 1), (long) stride[d]);
        return Math.addExact(Math.subtractExact(Math.subtractExact(grown, padBegin[d]), padEnd[d]), effectiveKernel(d) + outputPadding);
    }

    /** First input position read by output position {@code o} (may be negative: padding). */
    public long start(int d, long o) {
        return Math.subtractExact(Math.multiplyExact(o, (long) stride[d]), padBegin[d]);
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
