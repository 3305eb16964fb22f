package dev.vecnn.nn.loss;

import dev.vecnn.nn.Context;
import dev.vecnn.nn.layer.Elementwise;
import dev.vecnn.tensor.Tensor;

/**
 * A scalar loss of a batch, averaged over the batch (and, for elementwise losses, over elements, as
 * PyTorch's 'mean' reduction). {@link #forward} returns the loss and keeps what {@link #backward}
 * needs: dLoss/dprediction in a reused buffer.
 *
 * <p>An empty batch: the mean over no elements is NaN, as in PyTorch 1.13 ({@code mse_loss},
 * {@code cross_entropy} and {@code binary_cross_entropy_with_logits} of empty tensors give nan), and
 * the gradient is empty, so back-propagating it gives zero parameter gradients (also as PyTorch).
 * The {@link dev.vecnn.nn.train.Trainer} never forms an empty batch.
 */
public abstract class Loss {
    /** Reused gradient buffers. */
    protected Context ctx;

    /** For subclasses. */
    protected Loss() {
    }

    /** Binds the loss to a model's context (its dtype and buffers). */
    public Loss on(Context context) {
        ctx = java.util.Objects.requireNonNull(context, "context");
        return this;
    }

    /**
     * The loss of {@code prediction} against {@code target}.
     *
     * @throws IllegalStateException if the loss is not bound to a context ({@link #on}; a {@code Trainer} binds its own)
     */
    public abstract double forward(Tensor prediction, Tensor target);

    /** The bound context, or an {@link IllegalStateException} that says how to bind one. */
    protected Context context() {
        if (ctx == null) {
            throw new IllegalStateException("loss: not bound to a model's context; call on(model.context()) first"
                    + " (a Trainer binds its loss itself)");
        }
        return ctx;
    }

    /** dLoss/dprediction for the last {@link #forward}. */
    public abstract Tensor backward();

    /** Mean squared error: mean over all elements of (p - t)^2. */
    public static Loss mse() {
        return new Mse();
    }

    /** Softmax cross-entropy from logits (N, K) against class indices (N) stored as numbers 0..K-1. */
    public static Loss softmaxCrossEntropy() {
        return new SoftmaxCrossEntropy();
    }

    /** Binary cross-entropy from logits, elementwise against targets in [0, 1], computed stably. */
    public static Loss bceWithLogits() {
        return new BceWithLogits();
    }

    static void sameShape(Tensor p, Tensor t) {
        java.util.Objects.requireNonNull(p, "prediction");
        java.util.Objects.requireNonNull(t, "target");
        if (!java.util.Arrays.equals(p.shape(), t.shape())) {
            throw new IllegalArgumentException("target: shape " + java.util.Arrays.toString(t.shape()) + " does not match prediction "
                    + java.util.Arrays.toString(p.shape()));
        }
    }

    /** Losses that are a mean of per-element terms, computed by one elementwise kernel. */
    private abstract static class MeanOfTerms extends Loss {
        private Tensor grad;

        /** The mean of the terms; writes each term's derivative / n into {@code grad}. */
        abstract double run(Tensor p, Tensor t, Tensor grad);

        @Override
        public double forward(Tensor p, Tensor t) {
            context();
            sameShape(p, t);
            grad = ctx.buffer(this, "grad", p.shape());
            return run(Elementwise.contiguous(ctx, this, "prediction", p), Elementwise.contiguous(ctx, this, "target", t), grad);
        }

        @Override
        public Tensor backward() {
            return grad;
        }
    }

    /** (p - t)^2, derivative 2 (p - t). */
    private static final class Mse extends MeanOfTerms {
        @Override
        double run(Tensor p, Tensor t, Tensor grad) {
            return ctx.kernels().mse(p, t, grad);
        }
    }

    /** Log-softmax of the logits at the label, negated; derivative softmax - one-hot. */
    private static final class SoftmaxCrossEntropy extends Loss {
        private Tensor grad;

        @Override
        public double forward(Tensor logits, Tensor labels) {
            context();
            java.util.Objects.requireNonNull(logits, "prediction");
            java.util.Objects.requireNonNull(labels, "target");
            long[] s = logits.shape();
            if (s.length != 2) throw new IllegalArgumentException("prediction: logits must be (N, K), got " + java.util.Arrays.toString(s));
            if (labels.rank() != 1 || labels.size(0) != s[0]) {
                throw new IllegalArgumentException("target: labels must be (N) = (" + s[0] + "), got " + java.util.Arrays.toString(labels.shape()));
            }
            for (long n = 0; n < s[0]; n++) {
                double lv = labels.get(n);
                if ((long) lv != lv || lv < 0 || lv >= s[1]) {
                    throw new IllegalArgumentException("target: label " + lv + " at " + n + " is not a class index in [0, " + s[1] + ")");
                }
            }
            grad = ctx.buffer(this, "grad", s);
            return ctx.kernels().softmaxCrossEntropy(Elementwise.contiguous(ctx, this, "prediction", logits),
                    Elementwise.contiguous(ctx, this, "target", labels), grad);
        }

        @Override
        public Tensor backward() {
            return grad;
        }
    }

    /** max(x, 0) - x y + log(1 + e^-|x|) (no overflow for large |x|), derivative sigmoid(x) - y. */
    private static final class BceWithLogits extends MeanOfTerms {
        @Override
        double run(Tensor x, Tensor y, Tensor grad) {
            return ctx.kernels().bceWithLogits(x, y, grad);
        }
    }
}
