package dev.vecnn.spec;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable description of one convolution problem of any spatial rank N >= 1: batch, channels,
 * groups, input size, the sliding {@link Window}, padding mode, bias, and whether the convolution is
 * transposed. It is the single source of truth for every shape: kernels read it, nothing re-derives.
 *
 * <h2>Tensors</h2>
 * <ul>
 *   <li>input (N, C_in, in_1..in_N); output (N, C_out, out_1..out_N); bias (C_out);</li>
 *   <li>weight (C_out, C_in/groups, k_1..k_N), or for a transposed convolution (C_in, C_out/groups, k...),
 *       as in PyTorch.</li>
 * </ul>
 *
 * <h2>Semantics</h2>
 * As PyTorch's {@code ConvNd} and {@code ConvTransposeNd}, extended to any rank:
 * {@code out = floor((in + padBegin + padEnd - ((k-1)*dilation+1)) / stride) + 1}; a transposed
 * convolution is the adjoint (gradient) of the direct convolution with the same window and has
 * {@code out = (in-1)*stride - padBegin - padEnd + (k-1)*dilation + 1 + outputPadding}.
 * Non-zero padding modes are part of the convolution (not a separate pad step) and are supported
 * for direct convolutions of every rank; transposed convolutions pad with zeros, as in PyTorch.
 *
 * <p>{@link Builder#paddingSame() 'same'} padding gives {@code out = ceil(in/stride)}: the total
 * padding {@code max((out-1)*stride + (k-1)*dilation + 1 - in, 0)} is split with the smaller half
 * first and the odd element at the end (as PyTorch and TensorFlow do). Unlike PyTorch, 'same' is
 * allowed with any stride.
 *
 * <h2>Sizes</h2>
 * The batch may be 0 (empty input and output: forward and backward-data write nothing, the weight and
 * bias gradients are zero, as in PyTorch). Every other size is at least 1. {@link Builder#build()}
 * rejects a problem no memory could hold: one whose input, output or weight tensor has more elements
 * (a batch of 0 counted as 1) than {@code Long.MAX_VALUE / 8}, so that its bytes in the widest type
 * (f64) fit a long, naming the tensor. All size arithmetic is exact; an output size that would
 * overflow (a transposed convolution of a huge input) is rejected naming the input.
 *
 * <h2>Text form</h2>
 * {@link #toString()} gives a one-line form that {@link #parse} reads back to an equal spec; parse also
 * reads oneDNN benchdnn descriptors. See {@link SpecText} for the grammar.
 */
public final class ConvSpec {
    private final long batch;
    private final long inChannels;
    private final long outChannels;
    private final long groups;
    private final long[] inputSize;
    private final long[] outputSize;
    private final Window window;
    private final int[] outputPadding;
    private final PaddingMode paddingMode;
    private final boolean bias;
    private final boolean transposed;
    private final String name;

    private ConvSpec(Builder b) {
        if (b.inputSize == null) throw new IllegalArgumentException("input: spatial sizes are required");
        int rank = b.inputSize.length;
        if (rank < 1) throw new IllegalArgumentException("input: spatial rank must be >= 1, got 0 sizes");
        Checks.atLeast("batch", b.batch, 0);
        Checks.atLeast("inChannels", b.inChannels, 1);
        Checks.atLeast("outChannels", b.outChannels, 1);
        Checks.atLeast("groups", b.groups, 1);
        if (b.inChannels % b.groups != 0) {
            throw Checks.fail("groups", b.groups, "must divide inChannels = " + b.inChannels);
        }
        if (b.outChannels % b.groups != 0) {
            throw Checks.fail("groups", b.groups, "must divide outChannels = " + b.outChannels);
        }
        for (int d = 0; d < rank; d++) Checks.atLeast("input", d, b.inputSize[d], 1);
        this.batch = b.batch;
        this.inChannels = b.inChannels;
        this.outChannels = b.outChannels;
        this.groups = b.groups;
        this.inputSize = b.inputSize.clone();
        // from here on every input size is below 2^60, so sums with int paddings cannot overflow
        Checks.tensorFits("input", inputShape(), "batch, inChannels, input");
        this.paddingMode = Objects.requireNonNull(b.paddingMode, "paddingMode");
        this.bias = b.bias;
        this.transposed = b.transposed;
        this.name = Objects.requireNonNull(b.name, "name");

        if (b.kernel == null) throw new IllegalArgumentException("kernel: sizes are required");
        int[] kernel = Checks.perDim("kernel", b.kernel, rank, 1);
        int[] stride = Checks.perDim("stride", b.stride, rank, 1);
        int[] dilation = Checks.perDim("dilation", b.dilation, rank, 1);
        this.outputPadding = Checks.perDim("outputPadding", b.outputPadding, rank, 0);
        int[] padBegin;
        int[] padEnd;
        switch (b.paddingRule) {
            case SAME -> {
                if (transposed) throw new IllegalArgumentException("padding: 'same' is not defined for a transposed convolution");
                padBegin = new int[rank];
                padEnd = new int[rank];
                for (int d = 0; d < rank; d++) {
                    Checks.atLeast("kernel", d, kernel[d], 1);
                    Checks.atLeast("stride", d, stride[d], 1);
                    Checks.atLeast("dilation", d, dilation[d], 1);
                    long out = Math.ceilDiv(inputSize[d], stride[d]);
                    long reach = Math.addExact(Math.multiplyExact(out - 1, (long) stride[d]),
                            Math.multiplyExact(kernel[d] - 1L, (long) dilation[d]) + 1);
                    long total = Math.max(reach - inputSize[d], 0);
                    if (total - total / 2 > Integer.MAX_VALUE) {
                        throw Checks.fail("kernel", d, kernel[d], "'same' padding would need " + total + " elements (dilation "
                                + dilation[d] + ", input " + inputSize[d] + "), more than an int padding holds");
                    }
                    padBegin[d] = (int) (total / 2);
                    padEnd[d] = (int) (total - total / 2);
                }
            }
            case VALID -> {
                padBegin = new int[rank];
                padEnd = new int[rank];
            }
            default -> {
                padBegin = Checks.perDim("padBegin", b.padBegin, rank, 0);
                padEnd = Checks.perDim("padEnd", b.padEnd, rank, 0);
            }
        }
        this.window = new Window(kernel, stride, dilation, padBegin, padEnd);
        Checks.tensorFits("weight", weightShape(), "outChannels, inChannels, groups, kernel");

        this.outputSize = new long[rank];
        for (int d = 0; d < rank; d++) {
            long in = inputSize[d];
            if (transposed) {
                int op = outputPadding[d];
                Checks.atLeast("outputPadding", d, op, 0);
                if (op >= stride[d] && op >= dilation[d]) {
                    throw Checks.fail("outputPadding", d, op, "must be smaller than stride (" + stride[d]
                            + ") or dilation (" + dilation[d] + ")");
                }
                try {
                    outputSize[d] = window.transposedOutputSize(d, in, op);
                } catch (ArithmeticException overflow) {
                    throw Checks.fail("input", d, in, "the transposed output size (input-1)*stride - padding + dilated kernel"
                            + " + outputPadding with stride " + stride[d] + " overflows a long");
                }
                if (outputSize[d] < 1) {
                    throw Checks.fail("padBegin", d, padBegin[d], "with padEnd " + padEnd[d] + " leaves output size "
                            + outputSize[d] + " (input " + in + ", dilated kernel " + window.effectiveKernel(d) + ")");
                }
            } else {
                if (outputPadding[d] != 0) {
                    throw Checks.fail("outputPadding", d, outputPadding[d], "only a transposed convolution has output padding");
                }
                long padded = Math.addExact(Math.addExact(in, padBegin[d]), padEnd[d]);
                if (window.effectiveKernel(d) > padded) {
                    throw Checks.fail("kernel", d, kernel[d], "dilated kernel " + window.effectiveKernel(d)
                            + " is larger than the padded input " + padded);
                }
                outputSize[d] = window.outputSize(d, in, false);
            }
            switch (paddingMode) {
                case ZEROS -> { }
                case REFLECT -> {
                    if (padBegin[d] >= in || padEnd[d] >= in) {
                        throw Checks.fail(padBegin[d] >= in ? "padBegin" : "padEnd", d, Math.max(padBegin[d], padEnd[d]),
                                "reflect padding must be smaller than the input size " + in);
                    }
                }
                case CIRCULAR -> {
                    if (padBegin[d] > in || padEnd[d] > in) {
                        throw Checks.fail(padBegin[d] > in ? "padBegin" : "padEnd", d, Math.max(padBegin[d], padEnd[d]),
                                "circular padding must not exceed the input size " + in);
                    }
                }
                case REPLICATE -> { }
            }
        }
        if (transposed && paddingMode != PaddingMode.ZEROS) {
            throw new IllegalArgumentException("paddingMode = " + paddingMode.textName()
                    + ": a transposed convolution supports only zeros padding");
        }
        Checks.tensorFits("output", outputShape(), "batch, outChannels, output (from input, kernel, stride, dilation, padding, outputPadding)");
        if (name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("name = '" + name + "': must not contain white space");
        }
    }

    /** A new builder. Required: {@code input(...)}, {@code kernel(...)}, channels. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder initialised from this spec. */
    public Builder toBuilder() {
        Builder b = new Builder().batch(batch).inChannels(inChannels).outChannels(outChannels).groups(groups)
                .input(inputSize).kernel(window.kernel()).stride(window.stride()).dilation(window.dilation())
                .padding(window.padBegin(), window.padEnd()).paddingMode(paddingMode).bias(bias)
                .transposed(transposed).name(name);
        if (transposed) b.outputPadding(outputPadding);
        return b;
    }

    /** Parses the text form (or a benchdnn descriptor); see {@link SpecText}. */
    public static ConvSpec parse(String text) {
        return SpecText.parseConv(text);
    }

    // ---------------------------------------------------------------- accessors

    /** Number of spatial dimensions N. */
    public int rank() {
        return inputSize.length;
    }

    /** Batch size (mini-batch). */
    public long batch() {
        return batch;
    }

    /** Input channels C_in. */
    public long inChannels() {
        return inChannels;
    }

    /** Output channels C_out. */
    public long outChannels() {
        return outChannels;
    }

    /** Number of groups; C_in and C_out are split into this many independent convolutions. */
    public long groups() {
        return groups;
    }

    /** True for a depthwise convolution: one group per input channel. */
    public boolean isDepthwise() {
        return groups == inChannels && groups > 1;
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

    /** The window geometry (kernel, stride, dilation, padding). */
    public Window window() {
        return window;
    }

    /** Output padding along {@code d} (transposed convolutions only; 0 otherwise). */
    public int outputPadding(int d) {
        return outputPadding[d];
    }

    /** How positions outside the input are read. */
    public PaddingMode paddingMode() {
        return paddingMode;
    }

    /** Whether the convolution adds a bias of shape (C_out). */
    public boolean hasBias() {
        return bias;
    }

    /** Whether this is a transposed convolution. */
    public boolean isTransposed() {
        return transposed;
    }

    /** An optional label (benchdnn's {@code n...}); empty if none. Part of equality and the text form. */
    public String name() {
        return name;
    }

    // ---------------------------------------------------------------- derived shapes

    /** (N, C_in, in...). */
    public long[] inputShape() {
        return shape(batch, inChannels, inputSize);
    }

    /** (N, C_out, out...). */
    public long[] outputShape() {
        return shape(batch, outChannels, outputSize);
    }

    /** (C_out, C_in/groups, k...) or, transposed, (C_in, C_out/groups, k...). */
    public long[] weightShape() {
        long[] k = new long[rank()];
        for (int d = 0; d < k.length; d++) k[d] = window.kernel(d);
        return transposed ? shape(inChannels, outChannels / groups, k) : shape(outChannels, inChannels / groups, k);
    }

    /** (C_out). */
    public long[] biasShape() {
        return new long[] {outChannels};
    }

    /** Weights plus biases: {@code C_in * prod(kernel) * C_out / groups + (bias ? C_out : 0)}. */
    public long parameterCount() {
        // the weight tensor's element count, checked at build() to fit; plus the bias
        return Math.addExact(Math.multiplyExact(Math.multiplyExact(inChannels, window.taps()), outChannels / groups),
                bias ? outChannels : 0);
    }

    /**
     * Multiply-adds times two of one pass, counting every tap (padding included):
     * {@code 2 * N * C_out * (C_in/groups) * prod(kernel) * prod(out)}; for a transposed convolution the
     * same count of its direct adjoint ({@code prod(in)} in place of {@code prod(out)}).
     */
    public double flops() {
        double spatial = 1;
        for (long s : transposed ? inputSize : outputSize) spatial *= s;
        return 2.0 * batch * outChannels * (double) (inChannels / groups) * window.taps() * spatial;
    }

    private static long[] shape(long a, long b, long[] rest) {
        long[] s = new long[rest.length + 2];
        s[0] = a;
        s[1] = b;
        System.arraycopy(rest, 0, s, 2, rest.length);
        return s;
    }

    // ---------------------------------------------------------------- identity

    @Override
    public boolean equals(Object o) {
        return o instanceof ConvSpec s && batch == s.batch && inChannels == s.inChannels
                && outChannels == s.outChannels && groups == s.groups && Arrays.equals(inputSize, s.inputSize)
                && window.equals(s.window) && Arrays.equals(outputPadding, s.outputPadding)
                && paddingMode == s.paddingMode && bias == s.bias && transposed == s.transposed && name.equals(s.name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(batch, inChannels, outChannels, groups, Arrays.hashCode(inputSize), window,
                Arrays.hashCode(outputPadding), paddingMode, bias, transposed, name);
    }

    /** The canonical one-line text form; {@code parse(toString())} equals this spec. */
    @Override
    public String toString() {
        return SpecText.format(this);
    }

    // ---------------------------------------------------------------- builder

    /** How the builder derives padding. */
    enum PaddingRule { EXPLICIT, SAME, VALID }

    /**
     * Builds a {@link ConvSpec}. Per-dimension setters take one value for every dimension or one per
     * dimension; the spatial rank is the number of input sizes. Everything is checked in {@link #build()};
     * a null array, padding mode or name gives a {@link NullPointerException} naming the parameter.
     */
    public static final class Builder {
        private long batch = 1;
        private long inChannels;
        private long outChannels;
        private long groups = 1;
        private long[] inputSize;
        private int[] kernel;
        private int[] stride;
        private int[] dilation;
        private int[] padBegin;
        private int[] padEnd;
        private int[] outputPadding;
        private PaddingRule paddingRule = PaddingRule.EXPLICIT;
        private PaddingMode paddingMode = PaddingMode.ZEROS;
        private boolean bias = true;
        private boolean transposed;
        private String name = "";

        private Builder() {
        }

        /** Batch size (default 1). */
        public Builder batch(long n) {
            this.batch = n;
            return this;
        }

        /** Input channels. */
        public Builder inChannels(long c) {
            this.inChannels = c;
            return this;
        }

        /** Output channels (filters). */
        public Builder outChannels(long k) {
            this.outChannels = k;
            return this;
        }

        /** Groups (default 1); {@code groups == inChannels} is depthwise. */
        public Builder groups(long g) {
            this.groups = g;
            return this;
        }

        /** Input spatial sizes; their count is the spatial rank. */
        public Builder input(long... sizes) {
            this.inputSize = Objects.requireNonNull(sizes, "input").clone();
            return this;
        }

        /** Kernel sizes. */
        public Builder kernel(int... k) {
            this.kernel = Objects.requireNonNull(k, "kernel").clone();
            return this;
        }

        /** Strides (default 1). */
        public Builder stride(int... s) {
            this.stride = Objects.requireNonNull(s, "stride").clone();
            return this;
        }

        /** Dilations, PyTorch's convention: 1 is dense (default 1). */
        public Builder dilation(int... d) {
            this.dilation = Objects.requireNonNull(d, "dilation").clone();
            return this;
        }

        /** Symmetric padding (default 0). */
        public Builder padding(int... p) {
            Objects.requireNonNull(p, "padding");
            return padding(p, p);
        }

        /** Asymmetric padding: before the first and after the last element of each dimension. */
        public Builder padding(int[] begin, int[] end) {
            this.padBegin = Objects.requireNonNull(begin, "padBegin").clone();
            this.padEnd = Objects.requireNonNull(end, "padEnd").clone();
            this.paddingRule = PaddingRule.EXPLICIT;
            return this;
        }

        /** 'same' padding: output size ceil(in/stride); see the class documentation for the split. */
        public Builder paddingSame() {
            this.paddingRule = PaddingRule.SAME;
            return this;
        }

        /** 'valid' padding: none. */
        public Builder paddingValid() {
            this.paddingRule = PaddingRule.VALID;
            return this;
        }

        /** Padding mode (default zeros). */
        public Builder paddingMode(PaddingMode mode) {
            this.paddingMode = Objects.requireNonNull(mode, "paddingMode");
            return this;
        }

        /** Whether a bias is added (default true, as in PyTorch). */
        public Builder bias(boolean b) {
            this.bias = b;
            return this;
        }

        /** Whether the convolution is transposed (default false). */
        public Builder transposed(boolean t) {
            this.transposed = t;
            return this;
        }

        /** Output padding of a transposed convolution (default 0). */
        public Builder outputPadding(int... op) {
            this.outputPadding = Objects.requireNonNull(op, "outputPadding").clone();
            return this;
        }

        /** An optional label without white space (default none). */
        public Builder name(String n) {
            this.name = Objects.requireNonNull(n, "name");
            return this;
        }

        /** Checks every parameter and builds the spec. */
        public ConvSpec build() {
            return new ConvSpec(this);
        }
    }
}
