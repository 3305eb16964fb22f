package dev.vecnn.conv;

import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.Arguments;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.Tensor;

/**
 * One convolution implementation. Implementations are peers in {@link Conv}'s ordered list; each says
 * which problems it supports, and each can be called on its own by name (for tests and benchmarks).
 * The public methods check their arguments ({@link Arguments}) before any memory is touched, and
 * handle an empty batch ({@code spec.batch() == 0}) themselves, as PyTorch does: forward and
 * backward-data have nothing to write, backward-weights writes zeros to {@code gw}. Implementations
 * never see an empty batch.
 */
public abstract class ConvImpl {
    /** For subclasses. */
    protected ConvImpl() {
    }

    /** The name used by {@link Conv#implementation(String)}, benchmarks and test names. */
    public abstract String name();

    /** Whether this implementation runs {@code pass} of {@code spec} (for float32 and float64 alike). */
    public abstract boolean supports(ConvPass pass, ConvSpec spec);

    /** {@code y = activation(conv(x, w) + bias)}; {@code bias} is null iff the spec has none. */
    public final void forward(ConvSpec s, Tensor x, Tensor w, Tensor bias, Tensor y, Epilogue epilogue, Execution ex) {
        Arguments.convForward(s, x, w, bias, y);
        java.util.Objects.requireNonNull(epilogue, "epilogue");
        java.util.Objects.requireNonNull(ex, "ex").requireOpen();
        require(ConvPass.FORWARD, s);
        if (s.batch() == 0) return; // y is empty
        runForward(s, x, w, bias, y, epilogue, ex);
    }

    /** {@code gx = dL/dx} from {@code gy = dL/dy}. */
    public final void backwardData(ConvSpec s, Tensor gy, Tensor w, Tensor gx, Execution ex) {
        Arguments.convBackwardData(s, gy, w, gx);
        java.util.Objects.requireNonNull(ex, "ex").requireOpen();
        require(ConvPass.BACKWARD_DATA, s);
        if (s.batch() == 0) return; // gx is empty
        runBackwardData(s, gy, w, gx, ex);
    }

    /** {@code gw = dL/dw} from {@code x} and {@code gy = dL/dy}; zeros for an empty batch (a sum of no terms). */
    public final void backwardWeights(ConvSpec s, Tensor x, Tensor gy, Tensor gw, Execution ex) {
        Arguments.convBackwardWeights(s, x, gy, gw);
        java.util.Objects.requireNonNull(ex, "ex").requireOpen();
        require(ConvPass.BACKWARD_WEIGHTS, s);
        if (s.batch() == 0) {
            gw.fill(0);
            return;
        }
        runBackwardWeights(s, x, gy, gw, ex);
    }

    /**
     * {@code y = activation(conv(x, w) + bias)} with weights prepared by {@link #prepare} for the same spec
     * and implementation: no per-call packing.
     */
    public final void forward(ConvSpec s, Tensor x, PreparedWeights w, Tensor bias, Tensor y, Epilogue epilogue, Execution ex) {
        java.util.Objects.requireNonNull(w, "w");
        if (!w.spec().equals(s) || w.implementation() != this) {
            throw new IllegalArgumentException("w: prepared for " + w.implementation() + " " + w.spec() + ", not " + name() + " " + s);
        }
        Arguments.convForward(s, x, w.tensor(), bias, y);
        java.util.Objects.requireNonNull(epilogue, "epilogue");
        java.util.Objects.requireNonNull(ex, "ex").requireOpen();
        require(ConvPass.FORWARD, s);
        if (s.batch() == 0) return; // y is empty
        runForward(s, x, w.tensor(), w.packed(), bias, y, epilogue, ex);
    }

    /**
     * {@code y = activation(conv(x, w) + bias + residual)}: the residual addition of a ResNet or MobileNet-V2 block
     * fused into the convolution, as oneDNN's "sum" post-op and ONNX Runtime's {@code FusedConv} (its input Z) fuse
     * it; weights prepared by {@link #prepare}. Each output is rounded as the separate operations round it (the
     * convolution plus bias, then plus the residual, then the activation), so the result has the bits of
     * {@link #forward(ConvSpec, Tensor, PreparedWeights, Tensor, Tensor, Epilogue, Execution)} without activation,
     * an elementwise addition and the activation. The kernels add it over y, in place, right after the convolution: adding
     * it to each tile of the channels-last GEMM right after the tile's stores measured the same on ResNet-18 and 1% slower on
     * MobileNet-V2 (the residual's reads cost the same either way), and in the tiles' registers the 6x4 tile grew too large
     * for C1.
     *
     * @param residual y's shape, dtype and strides (it lies as y does; strides of dimensions of size 1 may differ); it must
     *     not overlap y. Where both the convolution's sum and the residual are NaN, which payload survives may differ from
     *     an addition in the other order.
     * @throws IllegalArgumentException for a residual of another shape, dtype or layout than y, or one that overlaps y,
     *     besides the checks of the forward pass
     */
    public final void forward(ConvSpec s, Tensor x, PreparedWeights w, Tensor bias, Tensor residual, Tensor y, Epilogue epilogue,
            Execution ex) {
        java.util.Objects.requireNonNull(w, "w");
        if (!w.spec().equals(s) || w.implementation() != this) {
            throw new IllegalArgumentException("w: prepared for " + w.implementation() + " " + w.spec() + ", not " + name() + " " + s);
        }
        Arguments.convForward(s, x, w.tensor(), bias, y);
        checkResidual(residual, y);
        java.util.Objects.requireNonNull(epilogue, "epilogue");
        java.util.Objects.requireNonNull(ex, "ex").requireOpen();
        require(ConvPass.FORWARD, s);
        if (s.batch() == 0) return; // y is empty
        runForward(s, x, w.tensor(), w.packed(), bias, residual, y, epilogue, ex);
    }

    private static void checkResidual(Tensor residual, Tensor y) {
        if (residual == null) throw new IllegalArgumentException("residual: is null");
        residual.requireUsable("residual"); // a closed arena, or memory confined to another thread (found by a new-user check)
        if (residual.dtype() != y.dtype()) {
            throw new IllegalArgumentException("residual: dtype " + residual.dtype() + ", y's is " + y.dtype());
        }
        if (!java.util.Arrays.equals(residual.shape(), y.shape())) {
            throw new IllegalArgumentException("residual: shape " + java.util.Arrays.toString(residual.shape()) + ", y's is "
                    + java.util.Arrays.toString(y.shape()));
        }
        for (int d = 0; d < y.rank(); d++) {
            // a dimension of size 1 has no step to match (a view's stride there is arbitrary: batch 1)
            if (y.size(d) > 1 && residual.stride(d) != y.stride(d)) {
                throw new IllegalArgumentException("residual: strides " + java.util.Arrays.toString(residual.strides()) + ", y's are "
                        + java.util.Arrays.toString(y.strides()) + " (it must lie as y does; dimension " + d + " differs)");
            }
        }
        if (residual.overlaps(y)) throw new IllegalArgumentException("residual: overlaps y (" + residual.describe() + ")");
    }

    /**
     * Forward pass with a residual on checked arguments: the forward pass without activation, then
     * {@code y = activation(y + residual)} elementwise.
     */
    protected void runForward(ConvSpec s, Tensor x, Tensor w, Object packed, Tensor bias, Tensor residual, Tensor y, Epilogue e,
            Execution ex) {
        runForward(s, x, w, packed, bias, y, Epilogue.NONE, ex);
        addResidual(residual, y, e, ex);
    }

    /** {@code y = e(y + residual)}, residual lying as y does: the separate addition and activation, in place. */
    private static void addResidual(Tensor residual, Tensor y, Epilogue e, Execution ex) {
        var k = dev.vecnn.kernel.elementwise.ElementwiseKernels.defaults();
        if (y.isContiguous() || y.isChannelsLast()) {
            Tensor yf = dev.vecnn.tensor.MemoryFormat.elements(y), rf = dev.vecnn.tensor.MemoryFormat.elements(residual);
            k.binary(dev.vecnn.kernel.elementwise.BinaryOp.ADD, yf, rf, yf, ex);
            if (e.activation() != Activation.IDENTITY) k.activationForward(e, yf, null, yf, ex);
            return;
        }
        // a view with gaps: element by element (the same operations and roundings)
        long[] shape = y.shape(), idx = new long[shape.length];
        for (long i = 0, n = y.numel(); i < n; i++) {
            long yo = y.offset(), ro = residual.offset();
            for (int d = 0; d < shape.length; d++) {
                yo += idx[d] * y.stride(d);
                ro += idx[d] * residual.stride(d);
            }
            if (y.dtype() == dev.vecnn.tensor.DType.F32) {
                float v = y.segment().getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, yo)
                        + residual.segment().getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, ro);
                y.segment().setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, yo, e.apply(v));
            } else {
                double v = y.segment().getAtIndex(java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED, yo)
                        + residual.segment().getAtIndex(java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED, ro);
                y.segment().setAtIndex(java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED, yo, e.apply(v));
            }
            for (int d = shape.length - 1; d >= 0 && ++idx[d] == shape[d]; d--) idx[d] = 0;
        }
    }

    /**
     * Weights {@code w} of {@code s} packed once for this implementation's forward pass, for
     * {@link #forward(ConvSpec, Tensor, PreparedWeights, Tensor, Tensor, Epilogue, Execution)}. The
     * packed copy does not follow later writes to {@code w}: call {@link PreparedWeights#update} then.
     */
    public final PreparedWeights prepare(ConvSpec s, Tensor w) {
        java.util.Objects.requireNonNull(s, "s");
        require(ConvPass.FORWARD, s);
        PreparedWeights p = new PreparedWeights(s, this, w);
        p.update();
        return p;
    }

    /**
     * Packs {@code w} (checked) for the forward pass of {@code s}, reusing {@code old} (this implementation's
     * earlier packing for the same spec, or null) when it fits; returns null when the forward reads the
     * weights as they lie.
     */
    protected Object pack(ConvSpec s, Tensor w, Object old) {
        return null;
    }

    /** Forward pass on checked arguments with weights packed by {@link #pack} (null: not packed). */
    protected void runForward(ConvSpec s, Tensor x, Tensor w, Object packed, Tensor bias, Tensor y, Epilogue e, Execution ex) {
        runForward(s, x, w, bias, y, e, ex);
    }

    private void require(ConvPass pass, ConvSpec s) {
        if (!supports(pass, s)) {
            throw new IllegalArgumentException("spec: " + name() + " does not support " + pass + " of " + s);
        }
    }

    /** Forward pass on checked arguments. */
    protected abstract void runForward(ConvSpec s, Tensor x, Tensor w, Tensor bias, Tensor y, Epilogue e, Execution ex);

    /** Backward-data pass on checked arguments. */
    protected abstract void runBackwardData(ConvSpec s, Tensor gy, Tensor w, Tensor gx, Execution ex);

    /** Backward-weights pass on checked arguments. */
    protected abstract void runBackwardWeights(ConvSpec s, Tensor x, Tensor gy, Tensor gw, Execution ex);

    @Override
    public String toString() {
        return name();
    }
}
