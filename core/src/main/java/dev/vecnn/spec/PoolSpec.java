package dev.vecnn.spec;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable description of one pooling problem of any spatial rank N >= 1.
 *
 * <p>Input (N, C, in...), output (N, C, out...); max pooling may also produce argmax indices of shape
 * (N, C, out...) holding the row-major flat index of the chosen element within its (n, c) input plane,
 * as PyTorch's {@code return_indices}.
 *
 * <h2>Kinds and semantics (PyTorch's, extended to any rank)</h2>
 * <ul>
 *   <li>{@link PoolKind#MAX}, {@link PoolKind#AVG}: a sliding {@link Window} with stride, dilation (for
 *       max <em>and</em> average), asymmetric padding and ceil mode. Max takes the first maximum in
 *       row-major window order and propagates NaN (the last NaN wins, as in PyTorch's CPU kernels).
 *       Average divides by the number of taps inside the padded input when {@code countIncludePad}
 *       (PyTorch's default), else by the number of taps inside the input.</li>
 *   <li>{@link PoolKind#ADAPTIVE_MAX}, {@link PoolKind#ADAPTIVE_AVG}: a given output size; output
 *       position o covers input positions {@code [floor(o*in/out), ceil((o+1)*in/out))}.</li>
 *   <li>{@link PoolKind#GLOBAL_MAX}, {@link PoolKind#GLOBAL_AVG}: adaptive pooling to size 1.</li>
 * </ul>
 * Unlike PyTorch, padding may exceed half the kernel, so a window can lie entirely in padding: max
 * pooling then gives -infinity with index -1, average pooling 0.
 *
 * <h2>Output size and ceil mode</h2>
 * PyTorch's {@code pooling_output_shape} (ATen), per dimension: {@code out = floor((in + padBegin +
 * padEnd - ((k-1)*dilation + 1) + (ceilMode ? stride - 1 : 0)) / stride) + 1}; in ceil mode the last
 * window is dropped when it would start at or after {@code in + padBegin}. A spec with {@code out < 1}
 * is rejected. So in ceil mode a window may run past the padded end (by less than a stride), even when
 * the dilated window is longer than the padded input: taps past the end are skipped, and the average
 * divisor counts only the taps inside {@code [-padBegin, in + padEnd)} (all of them with
 * {@code countIncludePad}, else those inside the input), as PyTorch's CPU kernels do.
 *
 * <h2>Sizes</h2>
 * The batch may be 0 (empty input and output; every pass then writes nothing). Every other size is
 * at least 1. {@link Builder#build()} rejects a problem no memory could hold: one whose input or
 * output tensor has more elements (a batch of 0 counted as 1) than {@code Long.MAX_VALUE / 8}, so
 * that its bytes in the widest type (f64, i64 indices) fit a long, and a window with more taps than
 * a long counts. All size arithmetic is exact.
 */
public final class PoolSpec {
    private final PoolKind kind;
    private final long batch;
    private final long channels;
    private final long[] inputSize;
    private final long[] outputSize;
    private final Window window; // null for adaptive and global kinds
    private final boolean ceilMode;
    private final boolean countIncludePad;
    private final String name;

    private PoolSpec(Builder b) {
        this.kind = Objects.requireNonNull(b.kind, "kind");
        if (b.inputSize == null) throw new IllegalArgumentException("input: spatial sizes are required");
        int rank = b.inputSize.length;
        if (rank < 1) throw new IllegalArgumentException("input: spatial rank must be >= 1, got 0 sizes");
        Checks.atLeast("batch", b.batch, 0);
        Checks.atLeast("channels", b.channels, 1);
        for (int d = 0; d < rank; d++) Checks.atLeast("input", d, b.inputSize[d], 1);
        this.batch = b.batch;
        this.channels = b.channels;
        this.inputSize = b.inputSize.clone();
        // from here on every input size is below 2^60, so sums with int paddings cannot overflow
        Checks.tensorFits("input", shape(inputSize), "batch, channels, input");
        this.ceilMode = b.ceilMode;
        this.countIncludePad = b.countIncludePad;
        this.name = Objects.requireNonNull(b.name, "name");
        if (name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("name = '" + name + "': must not contain white space");
        }
        if (!kind.isWindowed()) {
            rejectWindowOption("kernel", b.kernel != null);
            rejectWindowOption("stride", b.stride != null);
            rejectWindowOption("dilation", b.dilation != null);
            rejectWindowOption("padding", b.padBegin != null);
            rejectWindowOption("ceilMode", b.ceilMode);
        }
        if (kind != PoolKind.AVG && !b.countIncludePad) {
            throw new IllegalArgumentException("countIncludePad = false: applies only to " + PoolKind.AVG + " pooling, not " + kind);
        }
        if (kind.isWindowed()) {
            if (b.kernel == null) throw new IllegalArgumentException("kernel: sizes are required for " + kind + " pooling");
            if (b.outputSize != null) throw new IllegalArgumentException("output: is derived for " + kind + " pooling; give it only for adaptive kinds");
            this.window = new Window(Checks.perDim("kernel", b.kernel, rank, 1), Checks.perDim("stride", b.stride != null ? b.stride : b.kernel, rank, 1),
                    Checks.perDim("dilation", b.dilation, rank, 1), Checks.perDim("padBegin", b.padBegin, rank, 0),
                    Checks.perDim("padEnd", b.padEnd, rank, 0));
            this.outputSize = new long[rank];
            for (int d = 0; d < rank; d++) {
                outputSize[d] = window.outputSize(d, inputSize[d], ceilMode);
                if (outputSize[d] < 1) { // PyTorch's rule: no window fits
                    long padded = Math.addExact(Math.addExact(inputSize[d], window.padBegin(d)), window.padEnd(d));
                    throw Checks.fail("kernel", d, window.kernel(d), "dilated kernel " + window.effectiveKernel(d)
                            + " is larger than the padded input " + padded + (ceilMode ? " plus stride - 1 = " + (window.stride(d) - 1)
                            + " (in ceil mode the last window may run past the padded end by less than a stride)" : ""));
                }
            }
        } else {
            this.window = null;
            if (kind.isGlobal()) {
                if (b.outputSize != null) throw new IllegalArgumentException("output: global pooling always has output size 1");
                this.outputSize = new long[rank];
                Arrays.fill(outputSize, 1);
            } else {
                if (b.outputSize == null) throw new IllegalArgumentException("output: sizes are required for " + kind + " pooling");
                if (b.outputSize.length != rank) {
                    throw new IllegalArgumentException("output: " + b.outputSize.length + " sizes for spatial rank " + rank);
                }
                for (int d = 0; d < rank; d++) Checks.atLeast("output", d, b.outputSize[d], 1);
                this.outputSize = b.outputSize.clone();
            }
        }
        Checks.tensorFits("output", shape(outputSize), "batch, channels, output (from input, kernel, stride, dilation, padding)");
    }

    private void rejectWindowOption(String param, boolean given) {
        if (given) throw new IllegalArgumentException(param + ": does not apply to " + kind + " pooling");
    }

    /** A new builder for the given kind. */
    public static Builder builder(PoolKind kind) {
        return new Builder(Objects.requireNonNull(kind, "kind"));
    }

    /** A builder initialised from this spec. */
    public Builder toBuilder() {
        Builder b = new Builder(kind).batch(batch).channels(channels).input(inputSize).name(name);
        if (window != null) {
            b.kernel(window.kernel()).stride(window.stride()).dilation(window.dilation())
                    .padding(window.padBegin(), window.padEnd()).ceilMode(ceilMode);
        }
        if (kind == PoolKind.AVG) b.countIncludePad(countIncludePad);
        if (kind.isAdaptive() && !kind.isGlobal()) b.output(outputSize);
        return b;
    }

    /** Parses the text form; see {@link SpecText}. */
    public static PoolSpec parse(String text) {
        return SpecText.parsePool(text);
    }

    /** The pooling kind. */
    public PoolKind kind() {
        return kind;
    }

    /** Number of spatial dimensions. */
    public int rank() {
        return inputSize.length;
    }

    /** Batch size. */
    public long batch() {
        return batch;
    }

    /** Channels (pooling keeps them). */
    public long channels() {
        return channels;
    }

    /** Input spatial size along {@code d}. */
    public long inputSize(int d) {
        return inputSize[d];
    }

    /** Output spatial size along {@code d}. */
    public long outputSize(int d) {
        return outputSize[d];
    }

    /** A copy of the input spatial sizes. */
    public long[] inputSize() {
        return inputSize.clone();
    }

    /** A copy of the output spatial sizes. */
    public long[] outputSize() {
        return outputSize.clone();
    }

    /** The window of a {@link PoolKind#MAX} or {@link PoolKind#AVG} pool; throws for other kinds. */
    public Window window() {
        if (window == null) throw new IllegalStateException(kind + " pooling has no sliding window");
        return window;
    }

    /** Ceil mode (windowed kinds only). */
    public boolean ceilMode() {
        return ceilMode;
    }

    /** Whether average pooling counts padded taps in the divisor (true for non-average kinds). */
    public boolean countIncludePad() {
        return countIncludePad;
    }

    /** Optional label; empty if none. */
    public String name() {
        return name;
    }

    /** (N, C, in...). */
    public long[] inputShape() {
        return shape(inputSize);
    }

    /** (N, C, out...); also the shape of the argmax indices. */
    public long[] outputShape() {
        return shape(outputSize);
    }

    /** Bytes moved by one forward pass: input plus output elements times {@code elementBytes}. */
    public double bytes(long elementBytes) {
        double in = batch * channels, out = batch * channels;
        for (int d = 0; d < rank(); d++) {
            in *= inputSize[d];
            out *= outputSize[d];
        }
        return (in + out) * elementBytes;
    }

    /**
     * First input position of output {@code o} along {@code d} for the adaptive and global kinds:
     * {@code floor(o*in/out)}, exact for every size (the product is formed in 128 bits when it
     * overflows a long).
     */
    public long adaptiveStart(int d, long o) {
        return scaledDiv(o, inputSize[d], outputSize[d], false);
    }

    /** One past the last input position of adaptive output {@code o}: {@code ceil((o+1)*in/out)}, exact. */
    public long adaptiveEnd(int d, long o) {
        return scaledDiv(Math.addExact(o, 1), inputSize[d], outputSize[d], true);
    }

    /** {@code floor(a*b/c)} or {@code ceil(a*b/c)} for {@code a, b >= 0, c > 0}; the result is at most {@code b} when {@code a <= c}. */
    private static long scaledDiv(long a, long b, long c, boolean ceil) {
        long high = Math.multiplyHigh(a, b), low = a * b;
        if (high == 0 && low >= 0) return ceil ? Math.ceilDiv(low, c) : low / c;
        java.math.BigInteger[] qr = java.math.BigInteger.valueOf(a).multiply(java.math.BigInteger.valueOf(b))
                .divideAndRemainder(java.math.BigInteger.valueOf(c));
        return (ceil && qr[1].signum() != 0 ? qr[0].add(java.math.BigInteger.ONE) : qr[0]).longValueExact();
    }

    private long[] shape(long[] spatial) {
        long[] s = new long[spatial.length + 2];
        s[0] = batch;
        s[1] = channels;
        System.arraycopy(spatial, 0, s, 2, spatial.length);
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PoolSpec s && kind == s.kind && batch == s.batch && channels == s.channels
                && Arrays.equals(inputSize, s.inputSize) && Arrays.equals(outputSize, s.outputSize)
                && Objects.equals(window, s.window) && ceilMode == s.ceilMode
                && countIncludePad == s.countIncludePad && name.equals(s.name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, batch, channels, Arrays.hashCode(inputSize), Arrays.hashCode(outputSize), window,
                ceilMode, countIncludePad, name);
    }

    /** The canonical one-line text form; {@code parse(toString())} equals this spec. */
    @Override
    public String toString() {
        return SpecText.format(this);
    }

    /**
     * Builds a {@link PoolSpec}; everything is checked in {@link #build()}. A null array or name gives
     * a {@link NullPointerException} naming the parameter.
     */
    public static final class Builder {
        private final PoolKind kind;
        private long batch = 1;
        private long channels;
        private long[] inputSize;
        private long[] outputSize;
        private int[] kernel;
        private int[] stride;
        private int[] dilation;
        private int[] padBegin;
        private int[] padEnd;
        private boolean ceilMode;
        private boolean countIncludePad = true;
        private String name = "";

        private Builder(PoolKind kind) {
            this.kind = kind;
        }

        /** Batch size (default 1). */
        public Builder batch(long n) {
            this.batch = n;
            return this;
        }

        /** Channels. */
        public Builder channels(long c) {
            this.channels = c;
            return this;
        }

        /** Input spatial sizes; their count is the spatial rank. */
        public Builder input(long... sizes) {
            this.inputSize = Objects.requireNonNull(sizes, "input").clone();
            return this;
        }

        /** Output sizes of an adaptive pool. */
        public Builder output(long... sizes) {
            this.outputSize = Objects.requireNonNull(sizes, "output").clone();
            return this;
        }

        /** Window sizes. */
        public Builder kernel(int... k) {
            this.kernel = Objects.requireNonNull(k, "kernel").clone();
            return this;
        }

        /** Strides (default: the kernel size, as in PyTorch). */
        public Builder stride(int... s) {
            this.stride = Objects.requireNonNull(s, "stride").clone();
            return this;
        }

        /** Dilations, 1 = dense (default 1). */
        public Builder dilation(int... d) {
            this.dilation = Objects.requireNonNull(d, "dilation").clone();
            return this;
        }

        /** Symmetric padding (default 0). */
        public Builder padding(int... p) {
            Objects.requireNonNull(p, "padding");
            return padding(p, p);
        }

        /** Asymmetric padding. */
        public Builder padding(int[] begin, int[] end) {
            this.padBegin = Objects.requireNonNull(begin, "padBegin").clone();
            this.padEnd = Objects.requireNonNull(end, "padEnd").clone();
            return this;
        }

        /** Ceil mode (default false). */
        public Builder ceilMode(boolean c) {
            this.ceilMode = c;
            return this;
        }

        /** Average pooling: count padded taps in the divisor (default true, as in PyTorch). */
        public Builder countIncludePad(boolean c) {
            this.countIncludePad = c;
            return this;
        }

        /** An optional label without white space. */
        public Builder name(String n) {
            this.name = Objects.requireNonNull(n, "name");
            return this;
        }

        /** Checks every parameter and builds the spec. */
        public PoolSpec build() {
            return new PoolSpec(this);
        }
    }
}
