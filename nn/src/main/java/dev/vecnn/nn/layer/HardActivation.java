package dev.vecnn.nn.layer;

import dev.vecnn.nn.Layer;
import dev.vecnn.tensor.Tensor;

/**
 * Piecewise-linear activations of mobile networks: clip (ReLU6 is clip(0, 6)), hard sigmoid
 * {@code max(0, min(1, alpha x + beta))} and hard swish {@code x * hardsigmoid(x)} with alpha 1/6,
 * beta 1/2 (PyTorch's and ONNX's). Derivatives as PyTorch: clamp passes the gradient where
 * {@code min <= x <= max}; the others are 0 outside their linear pieces.
 */
public final class HardActivation extends Layer {
    /** The function. */
    public enum Kind { CLIP, HARD_SIGMOID, HARD_SWISH }

    private final Kind kind;
    private final double a, b;
    private Tensor x;

    private HardActivation(Kind kind, double a, double b) {
        this.kind = kind;
        this.a = a;
        this.b = b;
    }

    /** min(max(x, lo), hi); ReLU6 is clip(0, 6). */
    public static HardActivation clip(double lo, double hi) {
        if (!(lo <= hi)) throw new IllegalArgumentException("lo: " + lo + " must be <= hi " + hi);
        return new HardActivation(Kind.CLIP, lo, hi);
    }

    /** max(0, min(1, alpha x + beta)). */
    public static HardActivation hardSigmoid(double alpha, double beta) {
        return new HardActivation(Kind.HARD_SIGMOID, alpha, beta);
    }

    /** x * max(0, min(1, x / 6 + 1/2)). */
    public static HardActivation hardSwish() {
        return new HardActivation(Kind.HARD_SWISH, 1 / 6.0, 0.5);
    }

    /** The function. */
    public Kind kind() {
        return kind;
    }

    /** clip: the lower bound; hard sigmoid and swish: alpha. */
    public double a() {
        return a;
    }

    /** clip: the upper bound; hard sigmoid and swish: beta. */
    public double b() {
        return b;
    }

    @Override
    protected long[] init(long[] sample) {
        return sample;
    }

    private double apply(double v) {
        return switch (kind) {
            case CLIP -> v < a ? a : v > b ? b : v;
            case HARD_SIGMOID -> Math.max(0, Math.min(1, a * v + b));
            case HARD_SWISH -> v * Math.max(0, Math.min(1, a * v + b));
        };
    }

    private double derivative(double v) {
        return switch (kind) {
            case CLIP -> v >= a && v <= b ? 1 : 0;
            case HARD_SIGMOID -> {
                double t = a * v + b;
                yield t > 0 && t < 1 ? a : 0;
            }
            case HARD_SWISH -> { // PyTorch: 0 below -3, x/3 + 1/2 up to 3, 1 above
                double t = a * v + b;
                yield t < 0 ? 0 : t <= 1 ? t + a * v : 1;
            }
        };
    }

    @Override
    public Tensor forward(Tensor in, boolean training) {
        batchOf(in, "x");
        x = Elementwise.contiguous(ctx, this, "x", in);
        Tensor y = ctx.buffer(this, "y", x.shape());
        for (long i = 0, n = x.numel(); i < n; i++) Elementwise.set(y, y.offset() + i, apply(Elementwise.get(x, x.offset() + i)));
        return y;
    }

    @Override
    public Tensor backward(Tensor gyIn) {
        Tensor gy = Elementwise.contiguous(ctx, this, "gy", gyIn);
        Tensor gx = ctx.buffer(this, "gx", x.shape());
        for (long i = 0, n = x.numel(); i < n; i++) {
            Elementwise.set(gx, gx.offset() + i, Elementwise.get(gy, gy.offset() + i) * derivative(Elementwise.get(x, x.offset() + i)));
        }
        return gx;
    }

    @Override
    public String describe() {
        return switch (kind) {
            case CLIP -> "clip " + a + " " + b;
            case HARD_SIGMOID -> "hardsigmoid " + a + " " + b;
            case HARD_SWISH -> "hardswish";
        };
    }
}
