package dev.vecnn.nn.layer;

import dev.vecnn.conv.Conv;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.nn.Layer;
import dev.vecnn.nn.Param;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fully connected: (N, F) to (N, O), {@code y = x W^T + b} with W of shape (O, F) as PyTorch's Linear.
 * It runs as a 1x1 convolution over a length-1 signal, so it uses the convolution kernels.
 */
public final class Dense extends Layer {
    private final long outFeatures;
    private boolean bias = true;
    private Init init = Init.HE;
    private Param weight, biasParam;
    private final Map<Long, ConvSpec> specs = new HashMap<>();
    private ConvSpec last;
    private Tensor input;

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
        init = i;
        return this;
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
        weight = new Param("weight", ctx.allocate(outFeatures, sample[0]), ctx.allocate(outFeatures, sample[0]), true);
        init.fill(weight.value(), sample[0], outFeatures, ctx.random());
        if (bias) biasParam = new Param("bias", ctx.allocate(outFeatures), ctx.allocate(outFeatures), false);
        return new long[] {outFeatures};
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        long n = batchOf(x, "x");
        last = spec(n);
        input = x.reshape(n, inputShape()[0], 1);
        Tensor y = ctx.buffer(this, "y", n, outFeatures, 1);
        Conv.forward(last, input, w(weight.value()), biasParam == null ? null : biasParam.value(), y, Epilogue.NONE, ctx.execution());
        return y.reshape(n, outFeatures);
    }

    private Tensor w(Tensor t) {
        return t.reshape(outFeatures, inputShape()[0], 1);
    }

    @Override
    public Tensor backward(Tensor gy) {
        long n = last.batch();
        Tensor g = gy.reshape(n, outFeatures, 1);
        Tensor gx = ctx.buffer(this, "gx", n, inputShape()[0], 1);
        Conv.backwardData(last, g, w(weight.value()), gx, ctx.execution());
        Conv.backwardWeights(last, input, g, w(weight.grad()), ctx.execution());
        if (biasParam != null) Conv.backwardBias(last, g, biasParam.grad());
        return gx.reshape(n, inputShape()[0]);
    }

    @Override
    public List<Param> params() {
        List<Param> p = new ArrayList<>(List.of(weight));
        if (biasParam != null) p.add(biasParam);
        return p;
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
