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

    ConvParams(Context ctx, long[] shape, long[] kernelShape, long biasSize, boolean withBias, Init init, long fanIn, long fanOut) {
        weight = new Param("weight", ctx.allocate(shape), ctx.allocate(shape), true);
        init.fill(weight.value(), fanIn, fanOut, ctx.random());
        bias = withBias ? new Param("bias", ctx.allocate(biasSize), ctx.allocate(biasSize), false) : null;
        kernelWeight = weight.value().reshape(kernelShape);
        kernelGrad = weight.grad().reshape(kernelShape);
    }

    void forward(ConvSpec s, Tensor x, Tensor y, Execution ex) {
        forward(s, x, y, Epilogue.NONE, ex);
    }

    /** With an activation fused into the kernels' stores. */
    void forward(ConvSpec s, Tensor x, Tensor y, Epilogue e, Execution ex) {
        Conv.forward(s, x, kernelWeight, bias == null ? null : bias.value(), y, e, ex);
    }

    /** Writes gx and the parameter gradients. */
    void backward(ConvSpec s, Tensor x, Tensor gy, Tensor gx, Execution ex) {
        Conv.backwardData(s, gy, kernelWeight, gx, ex);
        Conv.backwardWeights(s, x, gy, kernelGrad, ex);
        if (bias != null) Conv.backwardBias(s, gy, bias.grad());
    }

    List<Param> list() {
        return bias == null ? List.of(weight) : List.of(weight, bias);
    }
}
