package dev.vecnn.nn.layer;

import dev.vecnn.nn.Layer;
import dev.vecnn.nn.Param;
import dev.vecnn.tensor.MemoryFormat;
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
    private double[] invStd, mean, var;
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
        Tensor x = Elementwise.inFormat(ctx, this, "x", in, ctx.memoryFormat());
        long[] s = x.shape();
        int c = (int) s[1];
        long count = s[0] * Elementwise.plane(s);
        trainingPass = training;
        xhat = ctx.buffer(this, "xhat", ctx.memoryFormat(), s);
        Tensor y = ctx.output(this, s);
        if (mean == null) {
            mean = new double[c];
            var = new double[c];
        }
        if (training) {
            ctx.kernels().batchNormStatistics(channelRows(x), mean, var);
            for (int k = 0; k < c; k++) {
                double unbiased = count > 1 ? var[k] * count / (count - 1) : var[k];
                if (count > 0) { // an empty batch has no statistics: the running ones stay, as in PyTorch
                    runningMean.value().set((1 - momentum) * runningMean.value().get(k) + momentum * mean[k], k);
                    runningVar.value().set((1 - momentum) * runningVar.value().get(k) + momentum * unbiased, k);
                }
            }
        } else {
            for (int k = 0; k < c; k++) {
                mean[k] = runningMean.value().get(k);
                var[k] = runningVar.value().get(k);
            }
        }
        for (int k = 0; k < c; k++) invStd[k] = 1 / Math.sqrt(var[k] + eps);
        ctx.kernels().batchNormForward(channelRows(x), mean, invStd, gamma.value(), beta.value(), channelRows(xhat), channelRows(y));
        return y;
    }

    /**
     * What the kernels take, (N, C, plane) row-major: {@code t} itself, or, channels-last, its memory as (N * plane,
     * C), the same per-channel statistics over the same count.
     */
    private static Tensor channelRows(Tensor t) {
        if (MemoryFormat.of(t) != MemoryFormat.CHANNELS_LAST) return t;
        return Elementwise.flat(t).reshape(t.numel() / t.size(1), t.size(1));
    }

    @Override
    public Tensor backward(Tensor gyIn) {
        MemoryFormat m = MemoryFormat.of(xhat);
        Tensor gy = Elementwise.inFormat(ctx, this, "gy", gyIn, m);
        Tensor gx = ctx.buffer(this, "gx", m, gy.shape());
        ctx.kernels().batchNormBackward(channelRows(gy), channelRows(xhat), invStd, gamma.value(), trainingPass, channelRows(gx), gamma.grad(),
                beta.grad());
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
