package dev.vecnn.nn.layer;

import dev.vecnn.nn.Layer;
import dev.vecnn.nn.Param;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fully connected: (N, F) to (N, O), {@code y = x W^T + b} with W of shape (O, F) as PyTorch's Linear.
 * Its products run over the whole batch ({@link dev.vecnn.kernel.matmul.Matmul}) where the Vector API is
 * the backend, else as a 1x1 convolution over a length-1 signal on the convolution kernels.
 */
public final class Dense extends Layer implements FusesActivation {
    private final long outFeatures;
    private boolean bias = true;
    private Init init = Init.HE;
    private ConvParams params;
    private final Map<Long, ConvSpec> specs = new HashMap<>();
    private ConvSpec last;
    private Tensor input;
    /** The activation layer after this one that the model fused here. */
    private dev.vecnn.conv.Epilogue fused = dev.vecnn.conv.Epilogue.NONE;

    /** A layer with {@code outFeatures} outputs. */
    public Dense(long outFeatures) {
        if (outFeatures < 1) throw new IllegalArgumentException("outFeatures: must be >= 1, got " + outFeatures);
        this.outFeatures = outFeatures;
    }

    /** With or without bias (default with). */
    public Dense bias(boolean b) {
        bias = b;
        return this;
    }

    /** The weight initialiser (default He). */
    public Dense init(Init i) {
        init = java.util.Objects.requireNonNull(i, "init");
        return this;
    }

    @Override
    public boolean fuse(Activation next) {
        if (fused != dev.vecnn.conv.Epilogue.NONE) return false;
        fused = next.function();
        next.fusedIntoPrevious();
        return true;
    }

    private ConvSpec spec(long n) {
        return specs.computeIfAbsent(n, k -> ConvSpec.builder().batch(k).inChannels(inputShape()[0]).outChannels(outFeatures)
                .input(1).kernel(1).bias(bias).build());
    }

    @Override
    protected long[] init(long[] sample) {
        if (sample.length != 1) {
            throw new IllegalArgumentException("input: dense needs samples of rank 1 (features), got " + java.util.Arrays.toString(sample)
                    + "; put a Flatten before it");
        }
        params = new ConvParams(ctx, this, new long[] {outFeatures, sample[0]}, new long[] {outFeatures, sample[0], 1}, outFeatures, bias, init,
                sample[0], outFeatures);
        return new long[] {outFeatures};
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        long n = batchOf(x, "x");
        last = spec(n);
        input = x.reshape(n, inputShape()[0], 1);
        Tensor y = ctx.output(this, n, outFeatures, 1);
        params.forward(last, input, y, fused, ctx.execution());
        return y.reshape(n, outFeatures);
    }

    @Override
    public Tensor backward(Tensor gy) {
        long n = last.batch();
        Tensor g = gy.reshape(n, outFeatures, 1);
        Tensor gx = inputGradientNeeded() ? ctx.buffer(this, "gx", n, inputShape()[0], 1) : null;
        params.backward(last, input, g, gx, fused, ctx.execution());
        return gx == null ? null : gx.reshape(n, inputShape()[0]);
    }

    @Override
    public List<Param> params() {
        return params.list();
    }

    @Override
    public double[][] receptiveStep() {
        return MIXES_ALL;
    }

    @Override
    public String describe() {
        return "dense " + outFeatures + (bias ? "" : " nobias");
    }
}
