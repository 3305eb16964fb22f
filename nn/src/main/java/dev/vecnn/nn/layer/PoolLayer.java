package dev.vecnn.nn.layer;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.nn.Layer;
import dev.vecnn.nn.Param;
import dev.vecnn.pool.Pool;
import dev.vecnn.spec.PoolKind;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.MemoryFormat;
import dev.vecnn.tensor.Tensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Max, average, global and adaptive pooling of any spatial rank, with every {@link PoolSpec} option
 * (stride, dilation, asymmetric padding, ceil mode, count_include_pad). Max pooling routes each
 * gradient to its window's maximum (ties: the first, as PyTorch). A training-mode forward pass keeps the
 * argmax indices for that; an evaluation-mode one does not write them (unless a {@link PoolIndices} layer
 * reads them), and a backward pass after it finds the maxima again in the forward pass's input, which must
 * then be unchanged since the forward pass.
 */
public final class PoolLayer extends Layer {
    private final PoolKind kind;
    private int[] kernel, stride, dilation, padBegin, padEnd;
    private long[] output;
    private boolean ceil, countIncludePad = true;
    private final Map<Long, PoolSpec> specs = new HashMap<>();
    private PoolSpec last;
    private Tensor indices;
    /** The input of the last forward pass: max pooling's backward after an evaluation-mode forward reads it. */
    private Tensor input;
    /** Whether evaluation-mode forward passes write the argmax too ({@link PoolIndices} reads it). */
    private boolean indicesAlways;
    /** The output of the last forward pass. */
    private Tensor lastOutput;
    /** The ReLU before this max pooling whose derivative the backward pass applies (see {@link #takeReluDerivative}). */
    private Epilogue relu;
    /** The bias of the convolution whose ReLU that is, its gradient taken here (null: none, or no bias). */
    private Param reluBias;

    private PoolLayer(PoolKind kind) {
        this.kind = kind;
    }

    /** Sliding-window max pooling; stride defaults to the kernel. */
    public static PoolLayer max(int... kernel) {
        PoolLayer p = new PoolLayer(PoolKind.MAX);
        p.kernel = java.util.Objects.requireNonNull(kernel, "kernel").clone();
        return p;
    }

    /** Sliding-window average pooling; stride defaults to the kernel. */
    public static PoolLayer avg(int... kernel) {
        PoolLayer p = new PoolLayer(PoolKind.AVG);
        p.kernel = java.util.Objects.requireNonNull(kernel, "kernel").clone();
        return p;
    }

    /** Max over each whole channel. */
    public static PoolLayer globalMax() {
        return new PoolLayer(PoolKind.GLOBAL_MAX);
    }

    /** Average over each whole channel. */
    public static PoolLayer globalAvg() {
        return new PoolLayer(PoolKind.GLOBAL_AVG);
    }

    /** Adaptive max pooling to the given output sizes. */
    public static PoolLayer adaptiveMax(long... output) {
        PoolLayer p = new PoolLayer(PoolKind.ADAPTIVE_MAX);
        p.output = java.util.Objects.requireNonNull(output, "output").clone();
        return p;
    }

    /** Adaptive average pooling to the given output sizes. */
    public static PoolLayer adaptiveAvg(long... output) {
        PoolLayer p = new PoolLayer(PoolKind.ADAPTIVE_AVG);
        p.output = java.util.Objects.requireNonNull(output, "output").clone();
        return p;
    }

    /** A layer with every option of {@code spec} (batch, channels and input sizes come from the model). */
    public static PoolLayer of(PoolSpec spec) {
        java.util.Objects.requireNonNull(spec, "spec");
        PoolLayer p = new PoolLayer(spec.kind());
        if (spec.kind().isWindowed()) {
            dev.vecnn.spec.Window w = spec.window();
            p.kernel = w.kernel();
            p.stride(w.stride()).dilation(w.dilation()).padding(w.padBegin(), w.padEnd()).ceilMode(spec.ceilMode());
            if (spec.kind() == PoolKind.AVG) p.countIncludePad(spec.countIncludePad());
        } else if (!spec.kind().isGlobal()) {
            p.output = spec.outputSize();
        }
        return p;
    }

    /** Stride per dimension. */
    public PoolLayer stride(int... s) {
        stride = java.util.Objects.requireNonNull(s, "stride").clone();
        return this;
    }

    /** Dilation per dimension. */
    public PoolLayer dilation(int... d) {
        dilation = java.util.Objects.requireNonNull(d, "dilation").clone();
        return this;
    }

    /** Symmetric padding per dimension. */
    public PoolLayer padding(int... p) {
        padBegin = java.util.Objects.requireNonNull(p, "padding").clone();
        padEnd = p.clone();
        return this;
    }

    /** Asymmetric padding per dimension. */
    public PoolLayer padding(int[] begin, int[] end) {
        padBegin = java.util.Objects.requireNonNull(begin, "begin").clone();
        padEnd = java.util.Objects.requireNonNull(end, "end").clone();
        return this;
    }

    /** Ceil mode for the output size. */
    public PoolLayer ceilMode(boolean c) {
        ceil = c;
        return this;
    }

    /** Average pooling: whether padded taps count in the divisor (default true, as PyTorch). */
    public PoolLayer countIncludePad(boolean c) {
        countIncludePad = c;
        return this;
    }

    /** The spec for batch size {@code n}. */
    public PoolSpec spec(long n) {
        return specs.computeIfAbsent(n, this::makeSpec);
    }

    private PoolSpec makeSpec(long n) {
        long[] in = inputShape();
        PoolSpec.Builder b = PoolSpec.builder(kind).batch(n).channels(in[0]).input(Arrays.copyOfRange(in, 1, in.length));
        if (kernel != null) b.kernel(kernel).ceilMode(ceil);
        if (stride != null) b.stride(stride);
        if (dilation != null) b.dilation(dilation);
        if (padBegin != null) b.padding(padBegin, padEnd);
        if (kind == PoolKind.AVG) b.countIncludePad(countIncludePad);
        if (output != null) b.output(output);
        return b.build();
    }

    @Override
    protected long[] init(long[] sample) {
        int rank = kernel != null ? kernel.length : output != null ? output.length : sample.length - 1;
        if (sample.length != rank + 1) {
            throw new IllegalArgumentException("input: " + describe() + " needs samples (C, " + rank + " spatial sizes), got " + Arrays.toString(sample));
        }
        long[] out = spec(1).outputShape();
        return Arrays.copyOfRange(out, 1, out.length);
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        last = spec(batchOf(x, "x"));
        Tensor y = ctx.output(this, last.outputShape());
        // the argmax costs a comparison order (first maximum, NaN last) that the plain maximum does not: only when read
        indices = kind.isMax() && (training || indicesAlways) ? ctx.buffer(this, "indices", DType.I64, MemoryFormat.of(y), last.outputShape()) : null;
        input = x;
        Pool.choose(last).forward(last, x, y, indices, ctx.execution());
        lastOutput = y;
        return y;
    }

    @Override
    public Tensor backward(Tensor gyIn) {
        Tensor gy = gyIn;
        if (relu != null) {
            // the ReLU's backward at a window's maximum reads the maximum, the window's output: taken on the output's gradient
            MemoryFormat m = MemoryFormat.of(lastOutput);
            gy = ctx.buffer(this, "gyRelu", m, lastOutput.shape());
            Tensor gyC = Elementwise.inFormat(ctx, this, "gy", gyIn, m);
            if (reluBias != null) ctx.kernels().activationBackwardWithBias(relu, lastOutput, true, gyC, gy, reluBias.grad(), ctx.execution());
            else ctx.kernels().activationBackward(relu, Elementwise.flat(lastOutput), true, Elementwise.flat(gyC), Elementwise.flat(gy));
        }
        Tensor gx = ctx.buffer(this, "gx", ctx.memoryFormat(), last.inputShape());
        // max pooling after an evaluation-mode forward has no argmax: the kernels find it again in x
        Pool.choose(last).backward(last, kind.isMax() && indices == null ? input : null, indices, gy, gx, ctx.execution());
        return gx;
    }

    /**
     * Takes over the derivative of {@code f}, a ReLU whose output is this max pooling's only input (the
     * layer before hands it over; see {@link ConvLayer#handReluDerivativeTo}). The gradient reaches only
     * each window's maximum, and there the ReLU's output is the window's output (NaN included): so the
     * ReLU's backward, a select ({@code gy} where y > 0 or y is NaN, else zero), is applied to the output's
     * gradient before it is scattered, instead of to the whole input gradient after. Same bits: a position
     * receives {@code sum_w gy_w} or zero in both orders. The convolution's {@code bias} (null: none) gets
     * its gradient here too, from the pooled gradient: every window's gradient goes to one input position (or
     * none, for a window wholly in the padding), so a channel's sum has one term per window instead of one per
     * input position, the same terms rounded in another order ({@link dev.vecnn.kernel.elementwise.OrderedSum},
     * the same bits for any thread count). Returns false,
     * changing nothing, unless this is max pooling and {@code f} a ReLU.
     */
    boolean takeReluDerivative(Epilogue f, Param bias) {
        if (!kind.isMax() || f.activation() != dev.vecnn.conv.Activation.RELU || relu != null) return false;
        relu = f;
        reluBias = bias;
        return true;
    }

    /** Whether this max pooling applies the derivative of the ReLU before it (see {@link #takeReluDerivative}). */
    public boolean appliesReluDerivative() {
        return relu != null;
    }

    /**
     * The argmax of the last forward pass of max pooling: I64 of the output's shape (N, C, out...), laid out in the
     * output's memory format,
     * flat row-major positions within each (n, c) input plane; null for average pooling, and after an
     * evaluation-mode forward pass unless a {@link PoolIndices} layer reads this one. Valid until the
     * next forward pass.
     */
    public Tensor indices() {
        return indices;
    }

    /** The pooling kind. */
    public PoolKind kind() {
        return kind;
    }

    @Override
    public double[][] receptiveStep() {
        PoolSpec s = spec(1);
        double[][] r = new double[s.rank()][];
        for (int d = 0; d < s.rank(); d++) {
            if (kind.isWindowed()) {
                r[d] = new double[] {s.window().effectiveKernel(d), s.window().stride(d)};
            } else { // the widest adaptive window, and the average step between windows
                long widest = 0;
                for (long o = 0; o < s.outputSize(d); o++) widest = Math.max(widest, s.adaptiveEnd(d, o) - s.adaptiveStart(d, o));
                r[d] = new double[] {widest, (double) s.inputSize(d) / s.outputSize(d)};
            }
        }
        return r;
    }

    @Override
    public String describe() {
        StringBuilder b = new StringBuilder(kind.textName());
        if (kernel != null) b.append(" k").append(ConvLayer.join(kernel));
        if (stride != null) b.append(" s").append(ConvLayer.join(stride));
        if (dilation != null) b.append(" d").append(ConvLayer.join(dilation));
        if (padBegin != null) b.append(" p").append(ConvLayer.join(padBegin)).append(Arrays.equals(padBegin, padEnd) ? "" : "_r" + ConvLayer.join(padEnd));
        if (ceil) b.append(" ceil");
        if (!countIncludePad) b.append(" excludepad");
        if (output != null) b.append(" o").append(Arrays.toString(output).replace(", ", "x").replace("[", "").replace("]", ""));
        return b.toString();
    }

    /** Evaluation-mode forward passes write the argmax too (for {@link PoolIndices}). */
    void keepIndices() {
        indicesAlways = true;
    }
}
