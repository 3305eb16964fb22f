package dev.vecnn.nn.layer;

import dev.vecnn.conv.Conv;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.conv.ConvDepthwise;
import dev.vecnn.conv.PreparedWeights;
import dev.vecnn.kernel.matmul.Matmul;
import dev.vecnn.nn.Context;
import dev.vecnn.nn.Param;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.MemoryFormat;
import dev.vecnn.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weight and optional bias of a layer that runs on the convolution kernels ({@link ConvLayer},
 * {@link Dense}), with its passes. The weight is stored in the layer's own shape and handed to the
 * kernels as a view of the spec's weight shape. A dense layer's products run over the whole batch
 * ({@link Matmul}) where those kernels run, else as its 1x1 convolution.
 */
final class ConvParams {
    final Param weight, bias;
    private final Tensor kernelWeight, kernelGrad;
    private final Context ctx;
    private final Object owner;
    /** A dense layer: spec (N, F, 1) -> (N, O, 1), weight (O, F). */
    private final boolean dense;
    /** What the backward reads f' from: the output y, or the pre-activation z for functions that need it. */
    private Tensor saved;
    /**
     * While the model is frozen: the weights packed per spec (the last few input shapes; batch sizes share one
     * copy where they can), of generation {@link #packedGeneration}.
     */
    private final Map<ConvSpec, PreparedWeights> packed = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ConvSpec, PreparedWeights> eldest) {
            return size() > 4;
        }
    };
    private long packedGeneration;
    /** A dense layer's weights packed for the frozen model's products ({@link Matmul#prepare}), of generation {@link #matmulGeneration}. */
    private Matmul.Prepared matmulPacked;
    private long matmulGeneration;
    /** This layer's weights and the next depthwise layer's packed for one pass of both, of generation {@link #pairGeneration}. */
    private ConvDepthwise pairPacked;
    private ConvParams pairNext;
    private long pairGeneration;

    ConvParams(Context ctx, Object owner, long[] shape, long[] kernelShape, long biasSize, boolean withBias, Init init, long fanIn,
               long fanOut) {
        this.ctx = ctx;
        this.owner = owner;
        dense = owner instanceof Dense;
        weight = new Param("weight", ctx.allocate(shape), ctx.allocate(shape), true);
        init.fill(weight.value(), fanIn, fanOut, ctx.random());
        bias = withBias ? new Param("bias", ctx.allocate(biasSize), ctx.allocate(biasSize), false) : null;
        kernelWeight = weight.value().reshape(kernelShape);
        kernelGrad = weight.grad().reshape(kernelShape);
        ctx.onUnfreeze(packed::clear);
        ctx.onUnfreeze(() -> matmulPacked = null);
        ctx.onUnfreeze(() -> pairPacked = null);
    }

    /**
     * {@code y = f(conv(x, w) + bias)}, f fused into the kernels' stores when its derivative can be taken
     * from y; otherwise (GELU, hard swish) the pre-activation is kept and f applied after.
     */
    void forward(ConvSpec s, Tensor x, Tensor y, Epilogue f, Execution ex) {
        Tensor b = bias == null ? null : bias.value();
        if (f.derivativeFromOutput()) {
            product(s, x, b, y, f, ex);
            saved = y;
        } else {
            Tensor z = ctx.buffer(owner, "z", MemoryFormat.of(y), y.shape());
            product(s, x, b, z, Epilogue.NONE, ex);
            ctx.kernels().activationForward(f, Elementwise.flat(z), null, Elementwise.flat(y), ex);
            saved = z;
        }
    }

    /**
     * A frozen evaluation pass's {@code y = f(conv(x) + bias + residual)}, residual lying as y does: the residual
     * addition and the activation after it in the convolution's output (the bits of the three operations, see
     * {@link dev.vecnn.conv.ConvImpl#forward(ConvSpec, Tensor, dev.vecnn.conv.PreparedWeights, Tensor, Tensor, Tensor, Epilogue, Execution)}).
     * Nothing is kept for a backward pass, which frozen evaluation passes do not allow.
     */
    void forwardResidual(ConvSpec s, Tensor x, Tensor residual, Tensor y, Epilogue f, Execution ex) {
        if (matmul(x, y)) throw new IllegalStateException("a residual addition is fused into convolutions, not dense layers");
        Conv.forward(s, x, packed(s), bias == null ? null : bias.value(), residual, y, f, ex);
        saved = null;
    }

    /**
     * A frozen evaluation pass's {@code y = f2(depthwise(f1(conv(x) + bias)) + next's bias)}: this
     * convolution and {@code next}'s depthwise convolution as one pass ({@link ConvDepthwise}, which
     * {@link ConvDepthwise#fuses} accepts for these tensors), with the bits of the two layers' passes.
     */
    void forwardPair(ConvSpec s, Tensor x, ConvParams next, ConvSpec d, Tensor y, Epilogue f1, Epilogue f2, Execution ex) {
        if (pairPacked == null || pairNext != next || pairGeneration != ctx.frozenGeneration()
                || !pairPacked.conv().toBuilder().batch(s.batch()).build().equals(s) || !pairPacked.depthwise().toBuilder().batch(d.batch()).build().equals(d)) {
            pairPacked = ConvDepthwise.prepare(s, kernelWeight, d, next.kernelWeight);
            pairNext = next;
            pairGeneration = ctx.frozenGeneration();
        }
        pairPacked.forward(x, bias == null ? null : bias.value(), f1, next.bias == null ? null : next.bias.value(), f2, y, ex);
        saved = null;
        next.saved = null;
    }

    /**
     * From {@code gy = dL/dy} of the last forward: the parameter gradients, and {@code gx = dL/dx} unless
     * {@code gx} is null (nothing needs it). The activation's derivative and the bias gradient are one pass.
     */
    void backward(ConvSpec s, Tensor x, Tensor gy, Tensor gx, Epilogue f, Execution ex) {
        backward(s, x, gy, gx, f, true, ex);
    }

    /**
     * As {@link #backward(ConvSpec, Tensor, Tensor, Tensor, Epilogue, Execution)}; without {@code biasGradient}
     * the bias gradient is left as it is (a max pooling after the layer took it from its smaller gradient).
     */
    void backward(ConvSpec s, Tensor x, Tensor gy, Tensor gx, Epilogue f, boolean biasGradient, Execution ex) {
        ctx.requireUnfrozen("backward");
        Tensor g = gy;
        if (!biasGradient && f.activation() != dev.vecnn.conv.Activation.IDENTITY) {
            throw new IllegalStateException("the bias gradient is taken elsewhere only with the activation's derivative");
        }
        if (f.activation() != dev.vecnn.conv.Activation.IDENTITY) {
            MemoryFormat m = MemoryFormat.of(saved);
            Tensor gyIn = Elementwise.inFormat(ctx, owner, "gy", gy, m);
            g = ctx.buffer(owner, "g", m, gy.shape()); // dL/d(conv + bias); gy belongs to the next layer
            if (bias != null) ctx.kernels().activationBackwardWithBias(f, saved, f.derivativeFromOutput(), gyIn, g, bias.grad(), ex);
            else ctx.kernels().activationBackward(f, Elementwise.flat(saved), f.derivativeFromOutput(), Elementwise.flat(gyIn), Elementwise.flat(g));
        } else if (bias != null && biasGradient) {
            if (MemoryFormat.of(gy).holds(gy)) ctx.kernels().biasGradient(gy, bias.grad(), ex);
            else Conv.backwardBias(s, gy, bias.grad());
        }
        if (matmul(x, g)) {
            if (gx != null) Matmul.backwardData(matrix(g), weight.value(), matrix(gx), ex);
            Matmul.backwardWeights(matrix(x), matrix(g), weight.grad(), ex);
            return;
        }
        if (gx != null) Conv.backwardData(s, g, kernelWeight, gx, ex);
        Conv.backwardWeights(s, x, g, kernelGrad, ex);
    }

    /** {@code y = f(conv(x, w) + bias)}: a dense layer's as one product over the batch where it can. */
    private void product(ConvSpec s, Tensor x, Tensor b, Tensor y, Epilogue f, Execution ex) {
        boolean frozen = ctx.frozen();
        if (matmul(x, y)) {
            if (frozen) Matmul.forward(matrix(x), matmulPacked(), b, f, matrix(y), ex);
            else Matmul.forward(matrix(x), weight.value(), b, f, matrix(y), ex);
        } else if (frozen) {
            Conv.forward(s, x, packed(s), b, y, f, ex);
        } else {
            Conv.forward(s, x, kernelWeight, b, y, f, ex);
        }
    }

    /**
     * The weights packed for {@code s} from the frozen generation: shared with another batch size's
     * where the packing is the same, else packed now.
     */
    private PreparedWeights packed(ConvSpec s) {
        if (packedGeneration != ctx.frozenGeneration()) {
            packed.clear();
            packedGeneration = ctx.frozenGeneration();
        }
        PreparedWeights p = packed.get(s);
        if (p != null) return p;
        for (PreparedWeights other : packed.values()) {
            if ((p = other.sharedWith(s)) != null) break;
        }
        if (p == null) p = Conv.prepare(s, kernelWeight);
        packed.put(s, p);
        return p;
    }

    /** The dense weights packed from the frozen generation: packed now if they were not yet. */
    private Matmul.Prepared matmulPacked() {
        if (matmulPacked == null || matmulGeneration != ctx.frozenGeneration()) {
            matmulPacked = Matmul.prepare(weight.value());
            matmulGeneration = ctx.frozenGeneration();
        }
        return matmulPacked;
    }

    /** Whether a dense layer's products run as {@link Matmul} on these (N, features, 1) tensors. */
    private boolean matmul(Tensor a, Tensor b) {
        return dense && Matmul.available() && a.isContiguous() && b.isContiguous();
    }

    /** (N, features, 1) as the matrix (N, features). */
    private static Tensor matrix(Tensor t) {
        return t.reshape(t.size(0), t.size(1));
    }

    List<Param> list() {
        return bias == null ? List.of(weight) : List.of(weight, bias);
    }
}
