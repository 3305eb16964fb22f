package dev.vecnn.nn.layer;

import dev.vecnn.conv.Conv;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.nn.Context;
import dev.vecnn.nn.Param;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.Tensor;
import java.util.List;

/**
 * The weight and optional bias of a layer that runs on the convolution kernels ({@link ConvLayer},
 * {@link Dense}), with its passes. The weight is stored in the layer's own shape and handed to the
 * kernels as a view of the spec's weight shape.
 */
final class ConvParams {
    final Param weight, bias;
    private final Tensor kernelWeight, kernelGrad;
    private final Context ctx;
    private final Object owner;
    /** What the backward reads f' from: the output y, or the pre-activation z for functions that need it. */
    private Tensor saved;

    ConvParams(Context ctx, Object owner, long[] shape, long[] kernelShape, long biasSize, boolean withBias, Init init, long fanIn,
               long fanOut) {
        this.ctx = ctx;
        this.owner = owner;
        weight = new Param("weight", ctx.allocate(shape), ctx.allocate(shape), true);
        init.fill(weight.value(), fanIn, fanOut, ctx.random());
        bias = withBias ? new Param("bias", ctx.allocate(biasSize), ctx.allocate(biasSize), false) : null;
        kernelWeight = weight.value().reshape(kernelShape);
        kernelGrad = weight.grad().reshape(kernelShape);
    }

    /**
     * {@code y = f(conv(x, w) + bias)}, f fused into the kernels' stores when its derivative can be taken
     * from y; otherwise (GELU, hard swish) the pre-activation is kept and f applied after.
     */
    void forward(ConvSpec s, Tensor x, Tensor y, Epilogue f, Execution ex) {
        Tensor b = bias == null ? null : bias.value();
        if (f.derivativeFromOutput()) {
            Conv.forward(s, x, kernelWeight, b, y, f, ex);
            saved = y;
        } else {
            Tensor z = ctx.buffer(owner, "z", y.shape());
            Conv.forward(s, x, kernelWeight, b, z, Epilogue.NONE, ex);
            ctx.kernels().activationForward(f, z, null, y);
            saved = z;
        }
    }

    /**
     * From {@code gy = dL/dy} of the last forward: the parameter gradients, and {@code gx = dL/dx} unless
     * {@code gx} is null (nothing needs it). The activation's derivative and the bias gradient are one pass.
     */
    void backward(ConvSpec s, Tensor x, Tensor gy, Tensor gx, Epilogue f, Execution ex) {
        Tensor g = gy;
        if (f.activation() != dev.vecnn.conv.Activation.IDENTITY) {
            g = ctx.buffer(owner, "g", gy.shape()); // dL/d(conv + bias); gy belongs to the next layer
            g.copyFrom(gy);
            if (bias != null) ctx.kernels().activationBackwardWithBias(f, saved, f.derivativeFromOutput(), g, bias.grad());
            else ctx.kernels().activationBackward(f, saved, f.derivativeFromOutput(), g, g);
        } else if (bias != null) {
            Conv.backwardBias(s, gy, bias.grad());
        }
        if (gx != null) Conv.backwardData(s, g, kernelWeight, gx, ex);
        Conv.backwardWeights(s, x, g, kernelGrad, ex);
    }

    List<Param> list() {
        return bias == null ? List.of(weight) : List.of(weight, bias);
    }
}
