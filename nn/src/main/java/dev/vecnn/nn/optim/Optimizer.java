package dev.vecnn.nn.optim;

import dev.vecnn.nn.Context;
import dev.vecnn.nn.Param;
import dev.vecnn.kernel.elementwise.AdamStep;
import dev.vecnn.kernel.elementwise.ElementwiseKernels;
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

    /**
     * One update from the current gradients.
     *
     * @throws IllegalStateException when the model is frozen ({@link dev.vecnn.nn.Model#freeze()}): its
     *     packed weights would not follow the update
     */
    public final void step() {
        ctx.requireUnfrozen("step");
        if (state1 == null) {
            state1 = new Tensor[params.size()];
            state2 = new Tensor[params.size()];
            for (int i = 0; i < params.size(); i++) {
                state1[i] = ctx.allocate(params.get(i).value().shape());
                state2[i] = ctx.allocate(params.get(i).value().shape());
            }
        }
        steps++;
        for (int i = 0; i < params.size(); i++) update(ctx.kernels(), params.get(i), state1[i], state2[i]);
    }

    /** Updates one parameter's value from its gradient and two state tensors of its shape (updated in place). */
    protected abstract void update(ElementwiseKernels k, Param p, Tensor state1, Tensor state2);

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
            protected void update(ElementwiseKernels k, Param p, Tensor buf, Tensor unused) {
                k.sgd(p.value(), p.grad(), buf, lr, momentum, p.decay() ? weightDecay : 0, steps == 1);
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
            protected void update(ElementwiseKernels k, Param p, Tensor m, Tensor v) {
                k.adam(p.value(), p.grad(), m, v, new AdamStep(lr, b1, b2, eps, p.decay() ? wd : 0, decoupled, steps));
            }
        };
    }
}
