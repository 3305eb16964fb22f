package dev.vecnn.nn.optim;

import dev.vecnn.nn.Context;
import dev.vecnn.nn.Param;
import dev.vecnn.nn.layer.Elementwise;
import dev.vecnn.tensor.Tensor;
import java.util.List;

/**
 * Updates parameters from their gradients. State (momentum, moments) is allocated on the first step
 * and reused. Weight decay applies to parameters marked for it (weights, not biases or norms).
 */
public abstract class Optimizer {
    /** The parameters. */
    protected final List<Param> params;
    /** Steps taken. */
    protected long steps;
    private Tensor[] state1, state2;
    private final Context ctx;

    /** For subclasses. */
    protected Optimizer(Context ctx, List<Param> params) {
        this.ctx = java.util.Objects.requireNonNull(ctx, "ctx");
        java.util.Objects.requireNonNull(params, "params");
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i) == null) throw new NullPointerException("params[" + i + "] is null");
        }
        this.params = List.copyOf(params);
    }

    /** One update from the current gradients. */
    public final void step() {
        if (state1 == null) {
            state1 = new Tensor[params.size()];
            state2 = new Tensor[params.size()];
            for (int i = 0; i < params.size(); i++) {
                state1[i] = ctx.allocate(params.get(i).value().shape());
                state2[i] = ctx.allocate(params.get(i).value().shape());
            }
        }
        steps++;
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            Tensor v = p.value(), g = p.grad(), a = state1[i], b = state2[i];
            for (long e = 0, n = v.numel(); e < n; e++) {
                long vo = v.offset() + e, go = g.offset() + e, ao = a.offset() + e, bo = b.offset() + e;
                double[] ab = {Elementwise.get(a, ao), Elementwise.get(b, bo)};
                double nv = update(Elementwise.get(v, vo), Elementwise.get(g, go), ab, p.decay());
                Elementwise.set(v, vo, nv);
                Elementwise.set(a, ao, ab[0]);
                Elementwise.set(b, bo, ab[1]);
            }
        }
    }

    /** The new value of one element from its value, gradient and two state slots (updated in place). */
    protected abstract double update(double value, double grad, double[] state, boolean decay);

    /** Hyperparameters must be finite and >= 0 (PyTorch's optimizers refuse negative ones too). */
    private static void nonNegative(String param, double v) {
        if (!(v >= 0 && v < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException(param + ": must be finite and >= 0, got " + v);
    }

    /** SGD with momentum (PyTorch's form: v = mu v + g + wd w; w -= lr v). */
    public static Optimizer sgd(Context ctx, List<Param> params, double lr, double momentum, double weightDecay) {
        nonNegative("lr", lr);
        nonNegative("momentum", momentum);
        nonNegative("weightDecay", weightDecay);
        return new Optimizer(ctx, params) {
            @Override
            protected double update(double w, double g, double[] s, boolean decay) {
                double grad = g + (decay ? weightDecay * w : 0);
                s[0] = steps == 1 ? grad : momentum * s[0] + grad;
                return w - lr * (momentum == 0 ? grad : s[0]);
            }
        };
    }

    /** Adam; weight decay added to the gradient (L2), as PyTorch's Adam. */
    public static Optimizer adam(Context ctx, List<Param> params, double lr, double weightDecay) {
        return adaptive(ctx, params, lr, weightDecay, false);
    }

    /** AdamW: weight decay applied to the weights directly, decoupled from the moments. */
    public static Optimizer adamW(Context ctx, List<Param> params, double lr, double weightDecay) {
        return adaptive(ctx, params, lr, weightDecay, true);
    }

    private static Optimizer adaptive(Context ctx, List<Param> params, double lr, double wd, boolean decoupled) {
        nonNegative("lr", lr);
        nonNegative("weightDecay", wd);
        double b1 = 0.9, b2 = 0.999, eps = 1e-8;
        return new Optimizer(ctx, params) {
            @Override
            protected double update(double w, double g, double[] s, boolean decay) {
                double d = decay ? wd : 0;
                if (decoupled) w -= lr * d * w;
                else g += d * w;
                s[0] = b1 * s[0] + (1 - b1) * g;
                s[1] = b2 * s[1] + (1 - b2) * g * g;
                double mHat = s[0] / (1 - Math.pow(b1, steps)), vHat = s[1] / (1 - Math.pow(b2, steps));
                return w - lr * mHat / (Math.sqrt(vHat) + eps);
            }
        };
    }
}
