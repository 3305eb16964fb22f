package dev.vecnn.nn.layer;

import dev.vecnn.nn.Layer;
import dev.vecnn.tensor.Tensor;

/**
 * Elementwise activations: ReLU, leaky ReLU, sigmoid, tanh and GELU (the tanh form, PyTorch's
 * {@code approximate='tanh'}). ReLU's derivative at 0 is taken as 0, as PyTorch does.
 */
public final class Activation extends Layer {
    /** The function. */
    public enum Kind { RELU, LEAKY_RELU, SIGMOID, TANH, GELU }

    private final Kind kind;
    private final double alpha;
    private Tensor x, y;

    private Activation(Kind kind, double alpha) {
        this.kind = kind;
        this.alpha = alpha;
    }

    /** max(x, 0). */
    public static Activation relu() {
        return new Activation(Kind.RELU, 0);
    }

    /** x for x > 0, alpha * x otherwise. */
    public static Activation leakyRelu(double alpha) {
        if (!Double.isFinite(alpha)) throw new IllegalArgumentException("alpha: must be finite, got " + alpha);
        return new Activation(Kind.LEAKY_RELU, alpha);
    }

    /** 1 / (1 + e^-x). */
    public static Activation sigmoid() {
        return new Activation(Kind.SIGMOID, 0);
    }

    /** tanh(x). */
    public static Activation tanh() {
        return new Activation(Kind.TANH, 0);
    }

    /** x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
    public static Activation gelu() {
        return new Activation(Kind.GELU, 0);
    }

    /** The function. */
    public Kind kind() {
        return kind;
    }

    /** The negative slope of leaky ReLU (0 for the others). */
    public double alpha() {
        return alpha;
    }

    @Override
    protected long[] init(long[] sample) {
        return sample;
    }

    private static final double GELU_C = Math.sqrt(2 / Math.PI);

    private double apply(double v) {
        return switch (kind) {
            case RELU -> v > 0 ? v : v == v ? 0 : v;
            case LEAKY_RELU -> v > 0 ? v : alpha * v;
            case SIGMOID -> 1 / (1 + Math.exp(-v));
            case TANH -> Math.tanh(v);
            case GELU -> 0.5 * v * (1 + Math.tanh(GELU_C * (v + 0.044715 * v * v * v)));
        };
    }

    /** dy/dx at input v with output f. */
    private double derivative(double v, double f) {
        return switch (kind) {
            case RELU -> v > 0 ? 1 : 0;
            case LEAKY_RELU -> v > 0 ? 1 : alpha;
            case SIGMOID -> f * (1 - f);
            case TANH -> 1 - f * f;
            case GELU -> {
                double u = GELU_C * (v + 0.044715 * v * v * v), t = Math.tanh(u);
                yield 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * v * v);
            }
        };
    }

    @Override
    public Tensor forward(Tensor in, boolean training) {
        batchOf(in, "x");
        x = Elementwise.contiguous(ctx, this, "x", in);
        y = ctx.buffer(this, "y", x.shape());
        long n = x.numel(), xo = x.offset(), yo = y.offset();
        for (long i = 0; i < n; i++) Elementwise.set(y, yo + i, apply(Elementwise.get(x, xo + i)));
        return y;
    }

    @Override
    public Tensor backward(Tensor gy) {
        Tensor g = Elementwise.contiguous(ctx, this, "gy", gy);
        Tensor gx = ctx.buffer(this, "gx", x.shape());
        long n = x.numel(), xo = x.offset(), yo = y.offset(), go = g.offset(), gxo = gx.offset();
        for (long i = 0; i < n; i++) Elementwise.set(gx, gxo + i, Elementwise.get(g, go + i) * derivative(Elementwise.get(x, xo + i), Elementwise.get(y, yo + i)));
        return gx;
    }

    @Override
    public String describe() {
        return kind == Kind.LEAKY_RELU ? "leakyrelu " + alpha : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
