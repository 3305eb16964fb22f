package dev.vecnn.nn.layer;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.nn.Layer;
import dev.vecnn.tensor.MemoryFormat;
import dev.vecnn.tensor.Tensor;

/**
 * An elementwise activation: one of core's functions ({@link dev.vecnn.conv.Activation}, with its
 * parameters as an {@link Epilogue}, the same vocabulary convolutions fuse into their stores): ReLU,
 * leaky ReLU, sigmoid, tanh, GELU (PyTorch's tanh form), clip (ReLU6), hard sigmoid and hard swish.
 * Derivatives and their values at kinks follow PyTorch (see each function's documentation). Runs on
 * the vectorised elementwise kernels. When a model's convolution or dense layer feeds only this layer,
 * the model fuses it into that layer's stores: this layer then passes values and gradients through.
 */
public final class Activation extends Layer {
    private final Epilogue f;
    private Tensor saved;
    private boolean fused;

    private Activation(Epilogue f) {
        this.f = f;
    }

    /** The activation {@code f} (not {@link Epilogue#NONE}; its bias part is unused). */
    public static Activation of(Epilogue f) {
        java.util.Objects.requireNonNull(f, "f");
        if (f.activation() == dev.vecnn.conv.Activation.IDENTITY) throw new IllegalArgumentException("f: identity is not an activation layer");
        return new Activation(f);
    }

    /** max(x, 0). */
    public static Activation relu() {
        return of(Epilogue.relu());
    }

    /** x for x > 0, alpha * x otherwise. */
    public static Activation leakyRelu(double alpha) {
        if (!Double.isFinite(alpha)) throw new IllegalArgumentException("alpha: must be finite, got " + alpha);
        return of(Epilogue.leakyRelu(alpha));
    }

    /** 1 / (1 + e^-x). */
    public static Activation sigmoid() {
        return of(Epilogue.sigmoid());
    }

    /** tanh(x). */
    public static Activation tanh() {
        return of(Epilogue.tanh());
    }

    /** x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
    public static Activation gelu() {
        return of(Epilogue.gelu());
    }

    /** min(max(x, lo), hi); ReLU6 is clip(0, 6). */
    public static Activation clip(double lo, double hi) {
        if (!(lo <= hi)) throw new IllegalArgumentException("lo: " + lo + " must be <= hi " + hi);
        return of(Epilogue.clip(lo, hi));
    }

    /** max(0, min(1, alpha x + beta)). */
    public static Activation hardSigmoid(double alpha, double beta) {
        return of(Epilogue.hardSigmoid(alpha, beta));
    }

    /** x * max(0, min(1, x / 6 + 1/2)). */
    public static Activation hardSwish() {
        return of(Epilogue.hardSwish());
    }

    /** The function and its parameters. */
    public Epilogue function() {
        return f;
    }

    /** The function. */
    public dev.vecnn.conv.Activation kind() {
        return f.activation();
    }

    /** The function's first parameter (leaky ReLU's slope, clip's lower bound, hard sigmoid's alpha; 0 if none). */
    public double alpha() {
        return f.alpha();
    }

    /** The function's second parameter (clip's upper bound, hard sigmoid's beta; 0 if none). */
    public double beta() {
        return f.beta();
    }

    /**
     * Called by the model when the layer before computes this function in its stores: forward and
     * backward then pass through.
     */
    public void fusedIntoPrevious() {
        fused = true;
    }

    /** Whether the layer before computes this function (see {@link #fusedIntoPrevious()}). */
    public boolean isFused() {
        return fused;
    }

    @Override
    protected long[] init(long[] sample) {
        return sample;
    }

    @Override
    public Tensor forward(Tensor in, boolean training) {
        batchOf(in, "x");
        if (fused) return in;
        Tensor x = Elementwise.inFormat(ctx, this, "x", in, ctx.memoryFormat());
        Tensor y = ctx.output(this, x.shape());
        ctx.kernels().activationForward(f, Elementwise.flat(x), null, Elementwise.flat(y), ctx.execution());
        saved = f.derivativeFromOutput() ? y : x;
        return y;
    }

    @Override
    public Tensor backward(Tensor gyIn) {
        if (fused) return gyIn;
        MemoryFormat m = MemoryFormat.of(saved);
        Tensor gy = Elementwise.inFormat(ctx, this, "gy", gyIn, m);
        Tensor gx = ctx.buffer(this, "gx", m, saved.shape());
        ctx.kernels().activationBackward(f, Elementwise.flat(saved), f.derivativeFromOutput(), Elementwise.flat(gy), Elementwise.flat(gx));
        return gx;
    }

    @Override
    public String describe() {
        return describe(f);
    }

    /** The text form of an activation: {@code relu}, {@code leakyrelu 0.1}, {@code clip 0.0 6.0}, {@code hardsigmoid a b}. */
    public static String describe(Epilogue f) {
        return switch (f.activation()) {
            case LEAKY_RELU -> "leakyrelu " + f.alpha();
            case CLIP -> "clip " + f.alpha() + " " + f.beta();
            case HARD_SIGMOID -> "hardsigmoid " + f.alpha() + " " + f.beta();
            case HARD_SWISH -> "hardswish";
            default -> f.activation().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
