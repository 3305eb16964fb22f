package dev.vecnn.conv;

import dev.vecnn.kernel.Backend;
import dev.vecnn.kernel.portable.conv.PortableConv;
import dev.vecnn.parallel.Execution;
import dev.vecnn.ref.ReferenceConv;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.Tensor;
import java.util.List;

/**
 * Convolution, dispatched: for each pass an ordered list of implementations, fastest first and the
 * reference last; the first that supports the spec runs. Results are bit-identical for any
 * {@link Execution} thread count.
 *
 * <p>The list depends on the {@link Backend}: with the Vector API (the default) it is {@code depthwise},
 * {@code direct}, {@code pointwise}, {@code blocked}, {@code gemm}, {@code reference}; without {@code jdk.incubator.vector} it is
 * {@code portable}, {@code reference} (and the Vector API kernels are never loaded). The portable
 * kernels can be called by name in either case.
 *
 * <pre>{@code
 * Conv.forward(spec, x, w, bias, y);                                      // all cores
 * Conv.forward(spec, x, w, bias, y, Epilogue.relu(), Execution.withThreads(2));
 * Conv.implementation("gemm").backwardData(spec, gy, w, gx, ex);          // one by name
 * }</pre>
 */
public final class Conv {
    private static final ConvImpl PORTABLE = new PortableConv();
    private static final ConvImpl REFERENCE = new ReferenceConvImpl();
    /** The dispatch order. Vector API kernels only when the backend says so: their classes need the module. */
    private static final List<ConvImpl> DISPATCH = Backend.isVector() ? VectorConvs.then(REFERENCE) : List.of(PORTABLE, REFERENCE);
    private static final List<ConvImpl> ALL = Backend.isVector() ? beforeLast(DISPATCH, PORTABLE) : DISPATCH;

    private Conv() {
    }

    /** The implementations tried for {@code pass}, in order (each says which passes it supports). */
    public static List<ConvImpl> implementations(ConvPass pass) {
        return DISPATCH;
    }

    /**
     * Every implementation this JVM can run, by name: the dispatch list plus {@code portable} when the
     * Vector API kernels are active; the reference last.
     */
    public static List<ConvImpl> allImplementations() {
        return ALL;
    }

    /** {@code list} with {@code extra} inserted before its last element (the reference). */
    private static List<ConvImpl> beforeLast(List<ConvImpl> list, ConvImpl extra) {
        List<ConvImpl> all = new java.util.ArrayList<>(list);
        all.add(all.size() - 1, extra);
        return List.copyOf(all);
    }

    /** An implementation by {@link ConvImpl#name()}, from {@link #allImplementations()}. */
    public static ConvImpl implementation(String name) {
        for (ConvImpl i : ALL) if (i.name().equals(name)) return i;
        throw new IllegalArgumentException("impl: unknown implementation '" + name + "' (known: "
                + ALL.stream().map(ConvImpl::name).toList() + "; " + Backend.describe() + ")");
    }

    /** The implementation that runs {@code pass} of {@code spec}. */
    public static ConvImpl choose(ConvPass pass, ConvSpec spec) {
        java.util.Objects.requireNonNull(pass, "pass");
        java.util.Objects.requireNonNull(spec, "spec");
        for (ConvImpl i : implementations(pass)) if (i.supports(pass, spec)) return i;
        throw new IllegalStateException("the reference supports every spec");
    }

    /**
     * Whether the forward pass dispatched for s, into a y of format {@code y}, takes x in whatever layout it lies in
     * without a caller's copy: with a channels-last y, where the channels-last GEMM runs s (dispatched to {@code gemm},
     * or to {@code pointwise}, which hands channels-last outputs to it; the Vector API backend with 512-bit vectors, one
     * group, zero padding, not transposed, more than one output channel), whose tasks lay their input rows in a slab of
     * their own and gather there the channels of an x in another layout. A caller about to copy x into channels-last for
     * the convolution alone (nn's frozen channels-last models: their first convolution fed the model's channels-first
     * input, or any convolution fed a channels-first tensor) may skip that copy: the results are the same bits. Only x's
     * dtype and rank are looked at; the forward pass checks the rest. Measured (Zen 4, 1 thread, against the copy then the convolution): stems of three
     * input channels 1.04-1.19x, 64 channels on 56x56 1.03x (3x3) and 1.19x (1x1), 256 channels on 14x14 0.98x (3x3,
     * quartiles 0.95-1.02: the tasks' slabs overlap, and each gathers its rows). False for null arguments, other formats,
     * dtypes or backends.
     */
    public static boolean readsAsItLies(ConvSpec s, Tensor x, dev.vecnn.tensor.MemoryFormat y) {
        if (s == null || x == null || y != dev.vecnn.tensor.MemoryFormat.CHANNELS_LAST || !Backend.isVector()) return false;
        if (!x.dtype().isFloating() || x.rank() != s.rank() + 2) return false;
        String k = choose(ConvPass.FORWARD, s).name();
        return (k.equals("gemm") || k.equals("pointwise")) && dev.vecnn.kernel.conv.gemm.GemmConv.channelsLastForward(s, x.dtype());
    }

    /** {@code y = conv(x, w) + bias} on all cores. */
    public static void forward(ConvSpec s, Tensor x, Tensor w, Tensor bias, Tensor y) {
        forward(s, x, w, bias, y, Epilogue.NONE, Execution.defaults());
    }

    /** {@code y = activation(conv(x, w) + bias)} on all cores ({@link Execution#defaults()}). */
    public static void forward(ConvSpec s, Tensor x, Tensor w, Tensor bias, Tensor y, Epilogue e) {
        forward(s, x, w, bias, y, e, Execution.defaults());
    }

    /** {@code y = activation(conv(x, w) + bias)}. */
    public static void forward(ConvSpec s, Tensor x, Tensor w, Tensor bias, Tensor y, Epilogue e, Execution ex) {
        choose(ConvPass.FORWARD, s).forward(s, x, w, bias, y, e, ex);
    }

    /**
     * Weights packed once for the forward pass of {@code s} (by the implementation the dispatcher picks),
     * reused by {@link #forward(ConvSpec, Tensor, PreparedWeights, Tensor, Tensor, Epilogue, Execution)}
     * until {@link PreparedWeights#update()}.
     */
    public static PreparedWeights prepare(ConvSpec s, Tensor w) {
        return choose(ConvPass.FORWARD, s).prepare(s, w);
    }

    /** {@code y = activation(conv(x, w) + bias)} with prepared weights. */
    public static void forward(ConvSpec s, Tensor x, PreparedWeights w, Tensor bias, Tensor y, Epilogue e, Execution ex) {
        java.util.Objects.requireNonNull(w, "w");
        w.implementation().forward(s, x, w, bias, y, e, ex);
    }

    /**
     * {@code y = activation(conv(x, w) + bias + residual)} with prepared weights: a residual addition fused into the
     * convolution ({@link ConvImpl#forward(ConvSpec, Tensor, PreparedWeights, Tensor, Tensor, Tensor, Epilogue, Execution)}).
     */
    public static void forward(ConvSpec s, Tensor x, PreparedWeights w, Tensor bias, Tensor residual, Tensor y, Epilogue e, Execution ex) {
        java.util.Objects.requireNonNull(w, "w");
        w.implementation().forward(s, x, w, bias, residual, y, e, ex);
    }

    /** {@code gx = dL/dx} on all cores. */
    public static void backwardData(ConvSpec s, Tensor gy, Tensor w, Tensor gx) {
        backwardData(s, gy, w, gx, Execution.defaults());
    }

    /** {@code gx = dL/dx}. */
    public static void backwardData(ConvSpec s, Tensor gy, Tensor w, Tensor gx, Execution ex) {
        choose(ConvPass.BACKWARD_DATA, s).backwardData(s, gy, w, gx, ex);
    }

    /** {@code gw = dL/dw} on all cores. */
    public static void backwardWeights(ConvSpec s, Tensor x, Tensor gy, Tensor gw) {
        backwardWeights(s, x, gy, gw, Execution.defaults());
    }

    /** {@code gw = dL/dw}. */
    public static void backwardWeights(ConvSpec s, Tensor x, Tensor gy, Tensor gw, Execution ex) {
        choose(ConvPass.BACKWARD_WEIGHTS, s).backwardWeights(s, x, gy, gw, ex);
    }

    /**
     * {@code gb = dL/dbias}: the sum of {@code gy} over batch and space, in double in a fixed order
     * (the elementwise kernels' {@code biasGradient} over contiguous {@code gy}; the reference for any other layout).
     */
    public static void backwardBias(ConvSpec s, Tensor gy, Tensor gb) {
        java.util.Objects.requireNonNull(s, "spec");
        if (gy == null || !gy.isContiguous() || !gy.dtype().isFloating()) {
            ReferenceConv.backwardBias(s, gy, gb);
            return;
        }
        dev.vecnn.spec.Arguments.convBackwardBias(s, gy, gb);
        dev.vecnn.kernel.elementwise.ElementwiseKernels.defaults().biasGradient(gy, gb);
    }
}
