package dev.vecnn.kernel.elementwise;

/**
 * The scalars of one Adam/AdamW step (PyTorch's {@code torch.optim.Adam} / {@code AdamW}, no amsgrad):
 * <pre>
 *   Adam:  g = g + weightDecay * w                      (L2 penalty added to the gradient)
 *   AdamW: w = w * (1 - lr * weightDecay)               (decoupled decay, before the moments)
 *   m = beta1 * m + (1 - beta1) * g
 *   v = beta2 * v + (1 - beta2) * g^2
 *   w = w - (lr / (1 - beta1^step)) * (m / (sqrt(v) / sqrt(1 - beta2^step) + eps))
 * </pre>
 *
 * @param lr learning rate
 * @param beta1 first-moment decay, in [0, 1)
 * @param beta2 second-moment decay, in [0, 1)
 * @param eps added to the denominator, &gt;= 0
 * @param weightDecay decay (0 for parameters not decayed)
 * @param decoupled AdamW (true) or Adam's L2 form (false)
 * @param step the step number, from 1
 */
public record AdamStep(double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled, long step) {
    /** Checks the arguments. */
    public AdamStep {
        if (!Double.isFinite(lr)) throw new IllegalArgumentException("lr = " + lr + ": must be finite");
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1 = " + beta1 + ": must be in [0, 1)");
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 = " + beta2 + ": must be in [0, 1)");
        if (!(eps >= 0 && eps < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException("eps = " + eps + ": must be finite and >= 0");
        if (!Double.isFinite(weightDecay)) throw new IllegalArgumentException("weightDecay = " + weightDecay + ": must be finite");
        if (step < 1) throw new IllegalArgumentException("step = " + step + ": must be >= 1");
    }

    /** lr / (1 - beta1^step) (StrictMath: the same bits everywhere). */
    public double stepSize() {
        return lr / (1 - StrictMath.pow(beta1, step));
    }

    /** sqrt(1 - beta2^step). */
    public double sqrtCorrection2() {
        return Math.sqrt(1 - StrictMath.pow(beta2, step));
    }
}
