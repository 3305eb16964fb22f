package dev.vecnn.nn.layer;

import dev.vecnn.conv.Conv;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.conv.ConvDepthwise;
import dev.vecnn.nn.Layer;
import dev.vecnn.nn.Param;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PaddingMode;
import dev.vecnn.tensor.MemoryFormat;
import dev.vecnn.tensor.Tensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Convolution of any spatial rank with every {@link ConvSpec} option: stride, dilation, symmetric,
 * asymmetric or 'same' padding, padding modes, groups (depthwise), bias on or off, transposed with
 * output padding. The kernels are whatever {@link Conv}'s dispatcher picks for the spec. Fluent
 * setters configure it before the model is built.
 */
public final class ConvLayer extends Layer implements FusesActivation {
    private final long outChannels;
    private final int[] kernel;
    private int[] stride, dilation, padBegin, padEnd, outputPadding;
    private boolean same, bias = true, transposed;
    private long groups = 1;
    private PaddingMode mode = PaddingMode.ZEROS;
    private Init init = Init.HE;
    private ConvParams params;
    private final Map<Long, ConvSpec> specs = new HashMap<>();
    private Tensor input;
    private ConvSpec last;
    private Epilogue epilogue = Epilogue.NONE;
    /** The activation layer after this one that the model fused here (its own describe() shows it). */
    private Epilogue fused = Epilogue.NONE;
    /** Whether the max pooling after this layer applies its ReLU's derivative (see {@link #handReluDerivativeTo}). */
    private boolean derivativeHandedOver;

    /** {@code outChannels} filters of size {@code kernel} (one entry per spatial dimension). */
    public ConvLayer(long outChannels, int... kernel) {
        if (outChannels < 1) throw new IllegalArgumentException("outChannels: must be >= 1, got " + outChannels);
        if (java.util.Objects.requireNonNull(kernel, "kernel").length == 0) throw new IllegalArgumentException("kernel: at least one spatial dimension is required");
        this.outChannels = outChannels;
        this.kernel = kernel.clone();
    }

    /**
     * A layer with every option of {@code spec} (its batch, channels and input sizes come from the
     * model instead): the text form of a problem doubles as a layer description.
     */
    public static ConvLayer of(ConvSpec spec) {
        java.util.Objects.requireNonNull(spec, "spec");
        dev.vecnn.spec.Window w = spec.window();
        ConvLayer c = new ConvLayer(spec.outChannels(), w.kernel()).stride(w.stride()).dilation(w.dilation())
                .padding(w.padBegin(), w.padEnd()).paddingMode(spec.paddingMode()).groups(spec.groups()).bias(spec.hasBias());
        if (spec.isTransposed()) {
            int[] op = new int[spec.rank()];
            for (int d = 0; d < op.length; d++) op[d] = spec.outputPadding(d);
            c.transposed(op);
        }
        return c;
    }

    /** Stride per dimension (one value for all). */
    public ConvLayer stride(int... s) {
        stride = java.util.Objects.requireNonNull(s, "stride").clone();
        return this;
    }

    /** Dilation per dimension (1 = dense). */
    public ConvLayer dilation(int... d) {
        dilation = java.util.Objects.requireNonNull(d, "dilation").clone();
        return this;
    }

    /** Symmetric padding: one value per spatial dimension, or one value for all of them. */
    public ConvLayer padding(int... p) {
        padBegin = java.util.Objects.requireNonNull(p, "padding").clone();
        padEnd = p.clone();
        return this;
    }

    /** Asymmetric padding: before and after, per dimension. */
    public ConvLayer padding(int[] begin, int[] end) {
        padBegin = java.util.Objects.requireNonNull(begin, "begin").clone();
        padEnd = java.util.Objects.requireNonNull(end, "end").clone();
        return this;
    }

    /** PyTorch's padding='same'. */
    public ConvLayer paddingSame() {
        same = true;
        return this;
    }

    /** What the padding holds: zeros, reflect, replicate or circular. */
    public ConvLayer paddingMode(PaddingMode m) {
        mode = java.util.Objects.requireNonNull(m, "paddingMode");
        return this;
    }

    /** Groups (inChannels = groups gives a depthwise convolution). */
    public ConvLayer groups(long g) {
        groups = g;
        return this;
    }

    /** With or without bias (default with). */
    public ConvLayer bias(boolean b) {
        bias = b;
        return this;
    }

    /** A transposed convolution, with the given output padding per dimension. */
    public ConvLayer transposed(int... outputPad) {
        transposed = true;
        outputPadding = java.util.Objects.requireNonNull(outputPad, "outputPad").length == 0 ? null : outputPad.clone();
        return this;
    }

    /** The weight initialiser (default He). */
    public ConvLayer init(Init i) {
        init = java.util.Objects.requireNonNull(i, "init");
        return this;
    }

    /**
     * An activation fused into the convolution's stores (what importers use for conv + ReLU): no extra
     * pass over the output; the backward pass takes the activation's derivative and the bias gradient in
     * one pass. (A model also fuses an {@link Activation} layer that follows a convolution by itself.)
     */
    public ConvLayer epilogue(Epilogue e) {
        epilogue = java.util.Objects.requireNonNull(e, "e");
        return this;
    }

    @Override
    public boolean fuse(Activation next) {
        if (epilogue != Epilogue.NONE || fused != Epilogue.NONE) return false;
        fused = next.function();
        next.fusedIntoPrevious();
        return true;
    }

    /**
     * Hands the derivative of this layer's ReLU (its epilogue or a fused activation) to {@code next}, a max
     * pooling that is the only reader of this layer's output: its backward pass applies it to the smaller
     * pooled gradient (the same bits, see {@link PoolLayer#takeReluDerivative}) and takes the bias gradient
     * from it in the same pass, and this layer's backward then reads its output's gradient only for the
     * weights and input (without the hand-over, one more pass over it applies the derivative and sums the bias
     * gradient). Returns whether
     * {@code next} took it. Models ({@link Sequential}, {@code Graph}) call this themselves, and only when
     * {@code next} is the only reader: not for user code, as any other reader of the output would lose the
     * ReLU's derivative.
     */
    public boolean handReluDerivativeTo(PoolLayer next) {
        if (derivativeHandedOver || !next.takeReluDerivative(function(), params.bias)) return false;
        derivativeHandedOver = true;
        return true;
    }

    /** The function the kernels apply: the layer's own epilogue, or the following activation fused here. */
    private Epilogue function() {
        return epilogue != Epilogue.NONE ? epilogue : fused;
    }

    /** The fused activation ({@link Epilogue#NONE} by default). */
    public Epilogue epilogue() {
        return epilogue;
    }

    /** The spec for batch size {@code n}. */
    public ConvSpec spec(long n) {
        return specs.computeIfAbsent(n, this::makeSpec);
    }

    private ConvSpec makeSpec(long n) {
        long[] in = inputShape();
        ConvSpec.Builder b = ConvSpec.builder().batch(n).inChannels(in[0]).outChannels(outChannels).groups(groups)
                .input(Arrays.copyOfRange(in, 1, in.length)).kernel(kernel).bias(bias).paddingMode(mode);
        if (stride != null) b.stride(stride);
        if (dilation != null) b.dilation(dilation);
        if (same) b.paddingSame();
        else if (padBegin != null) b.padding(padBegin, padEnd);
        if (transposed) {
            b.transposed(true);
            if (outputPadding != null) b.outputPadding(outputPadding);
        }
        return b.build();
    }

    @Override
    protected long[] init(long[] sample) {
        if (sample.length != kernel.length + 1) {
            throw new IllegalArgumentException("input: " + describe() + " needs samples (C, " + kernel.length + " spatial sizes), got "
                    + Arrays.toString(sample));
        }
        ConvSpec s = spec(1);
        long[] out = s.outputShape();
        long taps = s.window().taps();
        long fanIn = (transposed ? outChannels : sample[0]) / groups * taps, fanOut = (transposed ? sample[0] : outChannels) / groups * taps;
        params = new ConvParams(ctx, this, s.weightShape(), s.weightShape(), outChannels, bias, init, fanIn, fanOut);
        return Arrays.copyOfRange(out, 1, out.length);
    }

    @Override
    public Tensor forward(Tensor in, boolean training) {
        long n = batchOf(in, "x");
        last = spec(n);
        Tensor x = inFormat(in, last);
        input = x;
        Tensor y = ctx.output(this, last.outputShape());
        params.forward(last, x, y, function(), ctx.execution());
        return y;
    }

    /**
     * A frozen model's evaluation pass through this convolution and the addition that alone reads its output:
     * {@code f(conv(x) + bias + residual)} in the convolution's output, as ONNX Runtime's {@code FusedConv} and oneDNN's
     * sum post-op compute it, with the bits of the separate layers. {@code Graph} calls this for a convolution without
     * activation whose output only an addition reads ({@code f}: the activation layer that alone reads that addition, or
     * none); not for user code.
     *
     * @throws IllegalStateException outside a frozen model
     */
    public Tensor forwardResidual(Tensor in, Tensor residual, Epilogue f) {
        ctx.requireFrozen("a residual addition fused into a convolution");
        long n = batchOf(in, "x");
        last = spec(n);
        Tensor x = Elementwise.inFormat(ctx, this, "x", in, ctx.memoryFormat());
        input = x;
        Tensor r = Elementwise.inFormat(ctx, this, "residual", residual, ctx.memoryFormat());
        Tensor y = ctx.output(this, last.outputShape());
        params.forwardResidual(last, x, r, y, f, ctx.execution());
        return y;
    }

    /**
     * A frozen model's evaluation pass through this convolution and {@code next}, the depthwise convolution
     * that alone reads its output (an inverted residual block's expansion and depthwise layers, a stem and the depthwise
     * layer after it), as one pass that keeps
     * this layer's output out of memory ({@link ConvDepthwise}): returns next's output, with the bits of the two
     * layers' passes, or null where the kernels do not run the pair so, or where that does not pay ({@link ConvDepthwise#pays}:
     * then no output was made and the layers run one by one). {@code Graph} calls this; not for user code.
     *
     * @throws IllegalStateException outside a frozen model
     */
    public Tensor forwardThrough(ConvLayer next, Tensor in) {
        ctx.requireFrozen("a convolution and a depthwise convolution as one pass");
        Epilogue f1 = function(), f2 = next.function();
        if (!f1.derivativeFromOutput() || !f2.derivativeFromOutput() || ctx.memoryFormat() != MemoryFormat.CHANNELS_LAST) return null;
        long n = batchOf(in, "x");
        ConvSpec s = spec(n), d = next.spec(n);
        Tensor x = inFormat(in, s);
        if (!ConvDepthwise.fuses(s, d, x, MemoryFormat.CHANNELS_LAST) || !ConvDepthwise.pays(s, x.dtype())) return null;
        last = s;
        input = x;
        next.last = d;
        next.input = null;
        Tensor y = ctx.output(next, d.outputShape());
        params.forwardPair(s, x, next.params, d, y, f1, f2, ctx.execution());
        return y;
    }

    /**
     * x in the model's memory format: an input in another format (the model's own input, say) is copied once, so that
     * the kernels of the model's format read it, as ONNX Runtime reorders its input to NCHWc; a frozen model passes it as
     * it lies where the kernel of spec s reads any layout ({@link Conv#readsAsItLies}: the channels-last GEMM's slab
     * gathers the channels of a channels-first input), which spares the copy (a MobileNet-V2 stem's 0.6 MB at batch 1).
     * Unfrozen models keep the copy, for the backward passes that read the x saved here.
     */
    private Tensor inFormat(Tensor in, ConvSpec s) {
        if (ctx.frozen() && Conv.readsAsItLies(s, in, ctx.memoryFormat())) return in;
        return Elementwise.inFormat(ctx, this, "x", in, ctx.memoryFormat());
    }

    /** Whether this layer applies an activation of its own (its epilogue, or a following activation fused into it). */
    public boolean hasActivation() {
        return function().activation() != dev.vecnn.conv.Activation.IDENTITY;
    }

    @Override
    public Tensor backward(Tensor gy) {
        Tensor gx = inputGradientNeeded() ? ctx.buffer(this, "gx", ctx.memoryFormat(), last.inputShape()) : null;
        params.backward(last, input, gy, gx, derivativeHandedOver ? Epilogue.NONE : function(), !derivativeHandedOver, ctx.execution());
        return gx;
    }

    @Override
    public List<Param> params() {
        return params.list();
    }

    @Override
    public double[][] receptiveStep() {
        ConvSpec s = spec(1);
        double[][] r = new double[kernel.length][];
        for (int d = 0; d < kernel.length; d++) {
            double st = s.window().stride(d);
            r[d] = new double[] {s.window().effectiveKernel(d), transposed ? 1 / st : st};
        }
        return r;
    }

    /**
     * The lecture's bookkeeping: parameters of a dense layer mapping the same input to the same output,
     * {@code in*out + out}; {@link Long#MAX_VALUE} when that exceeds a long.
     */
    public long denseEquivalentParameters() {
        long in = dev.vecnn.tensor.Tensor.numel(inputShape()), out = dev.vecnn.tensor.Tensor.numel(outputShape());
        try {
            return Math.addExact(Math.multiplyExact(in, out), out);
        } catch (ArithmeticException overflow) { // a count no dense layer could have: say so rather than wrap
            return Long.MAX_VALUE;
        }
    }

    @Override
    public String describe() {
        StringBuilder b = new StringBuilder("conv").append(kernel.length).append('d').append(transposed ? "-transposed " : " ")
                .append(outChannels).append(" k").append(join(kernel));
        if (stride != null) b.append(" s").append(join(stride));
        if (dilation != null) b.append(" d").append(join(dilation));
        if (same) b.append(" same");
        else if (padBegin != null) b.append(" p").append(join(padBegin)).append(Arrays.equals(padBegin, padEnd) ? "" : "_r" + join(padEnd));
        if (mode != PaddingMode.ZEROS) b.append(' ').append(mode.name().toLowerCase(java.util.Locale.ROOT));
        if (groups != 1) b.append(" g").append(groups);
        if (!bias) b.append(" nobias");
        if (epilogue != Epilogue.NONE) b.append(" +").append(Activation.describe(epilogue).replace(' ', '_'));
        return b.toString();
    }

    static String join(int[] v) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length; i++) b.append(i == 0 ? "" : "x").append(v[i]);
        return b.toString();
    }
}
