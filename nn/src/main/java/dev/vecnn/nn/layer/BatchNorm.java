package dev.vecnn.nn.layer;

import dev.vecnn.nn.Layer;
import dev.vecnn.nn.Param;
import dev.vecnn.tensor.Tensor;
import java.util.List;

/**
 * Batch normalisation over (N, C, spatial...) or (N, C), per channel, any spatial rank, as PyTorch's
 * BatchNorm: training normalises with the batch's mean and biased variance and updates running
 * estimates (momentum 0.1, unbiased variance); evaluation uses the running estimates. Learnable scale
 * and shift (gamma 1, beta 0 at start). Statistics accumulate in double. An empty batch gives an
 * empty output, leaves the running statistics unchanged and zero gradients for scale and shift (as
 * PyTorch 1.13). Unlike PyTorch, training on one value per channel is not refused (its variance is 0).
 */
public final class BatchNorm extends Layer {
    private final double eps, momentum;
    private Param gamma, beta, runningMean, runningVar;
    private Tensor xhat;
    private double[] invStd;
    private boolean trainingPass;

    /** eps 1e-5, momentum 0.1. */
    public BatchNorm() {
        this(1e-5, 0.1);
    }

    /** With the given epsilon and running-average momentum. */
    public BatchNorm(double eps, double momentum) {
        if (!(eps >= 0 && eps < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException("eps: must be finite and >= 0, got " + eps);
        if (!(momentum >= 0 && momentum <= 1)) throw new IllegalArgumentException("momentum: must be in [0, 1], got " + momentum);
        this.eps = eps;
        this.momentum = momentum;
    }

    /** The running-average momentum (weight of the new batch, as PyTorch). */
    public double momentum() {
        return momentum;
    }

    /** The epsilon added to the variance. */
    public double eps() {
        return eps;
    }

    @Override
    protected long[] init(long[] sample) {
        long c = sample[0];
        gamma = new Param("weight", ctx.allocate(c), ctx.allocate(c), false);
        beta = new Param("bias", ctx.allocate(c), ctx.allocate(c), false);
        runningMean = new Param("running_mean", ctx.allocate(c), null, false);
        runningVar = new Param("running_var", ctx.allocate(c), null, false);
        gamma.value().fill(1);
        runningVar.value().fill(1);
        invStd = new double[(int) c];
        return sample;
    }

    @Override
    public Tensor forward(Tensor in, boolean training) {
        batchOf(in, "x");
        Tensor x = Elementwise.contiguous(ctx, this, "x", in);
        long[] s = x.shape();
        long n = s[0], c = s[1], plane = Elementwise.plane(s), count = n * plane;
        trainingPass = training;
        xhat = ctx.buffer(this, "xhat", s);
        Tensor y = ctx.buffer(this, "y", s);
        for (int k = 0; k < c; k++) {
            double mean, var;
            if (training) {
                double sum = 0, sq = 0;
                for (long b = 0; b < n; b++) for (long p = 0; p < plane; p++) sum += Elementwise.get(x, x.offset() + (b * c + k) * plane + p);
                mean = sum / count;
                for (long b = 0; b < n; b++) {
                    for (long p = 0; p < plane; p++) {
                        double d = Elementwise.get(x, x.offset() + (b * c + k) * plane + p) - mean;
                        sq += d * d;
                    }
                }
                var = sq / count;
                double unbiased = count > 1 ? sq / (count - 1) : var;
                if (count > 0) { // an empty batch has no statistics: the running ones stay, as in PyTorch
                    runningMean.value().set((1 - momentum) * runningMean.value().get(k) + momentum * mean, k);
                    runningVar.value().set((1 - momentum) * runningVar.value().get(k) + momentum * unbiased, k);
                }
            } else {
                mean = runningMean.value().get(k);
                var = runningVar.value().get(k);
            }
            invStd[k] = 1 / Math.sqrt(var + eps);
            double g = gamma.value().get(k), bt = beta.value().get(k);
            for (long b = 0; b < n; b++) {
                for (long p = 0; p < plane; p++) {
                    long e = (b * c + k) * plane + p;
                    double h = (Elementwise.get(x, x.offset() + e) - mean) * invStd[k];
                    Elementwise.set(xhat, xhat.offset() + e, h);
                    Elementwise.set(y, y.offset() + e, g * h + bt);
                }
            }
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor gyIn) {
        Tensor gy = Elementwise.contiguous(ctx, this, "gy", gyIn);
        long[] s = gy.shape();
        long n = s[0], c = s[1], plane = Elementwise.plane(s), count = n * plane;
        Tensor gx = ctx.buffer(this, "gx", s);
        for (int k = 0; k < c; k++) {
            double sumG = 0, sumGH = 0;
            for (long b = 0; b < n; b++) {
                for (long p = 0; p < plane; p++) {
                    long e = (b * c + k) * plane + p;
                    double g = Elementwise.get(gy, gy.offset() + e);
                    sumG += g;
                    sumGH += g * Elementwise.get(xhat, xhat.offset() + e);
                }
            }
            gamma.grad().set(sumGH, k);
            beta.grad().set(sumG, k);
            double scale = gamma.value().get(k) * invStd[k];
            for (long b = 0; b < n; b++) {
                for (long p = 0; p < plane; p++) {
                    long e = (b * c + k) * plane + p;
                    double g = Elementwise.get(gy, gy.offset() + e);
                    // training: the batch statistics depend on x too
                    double v = trainingPass ? scale * (g - sumG / count - Elementwise.get(xhat, xhat.offset() + e) * sumGH / count) : scale * g;
                    Elementwise.set(gx, gx.offset() + e, v);
                }
            }
        }
        return gx;
    }

    @Override
    public List<Param> params() {
        return List.of(gamma, beta);
    }

    @Override
    public List<Param> state() {
        return List.of(runningMean, runningVar);
    }

    @Override
    public String describe() {
        return "batchnorm";
    }
}
