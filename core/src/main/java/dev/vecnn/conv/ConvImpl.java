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
        java.util.Objects.requireNonNull(ex, "ex");
        require(ConvPass.FORWARD, s);
        if (s.batch() == 0) return; // y is empty
        runForward(s, x, w, bias, y, epilogue, ex);
    }

    /** {@code gx = dL/dx} from {@code gy = dL/dy}. */
    public final void backwardData(ConvSpec s, Tensor gy, Tensor w, Tensor gx, Execution ex) {
        Arguments.convBackwardData(s, gy, w, gx);
        java.util.Objects.requireNonNull(ex, "ex");
        require(ConvPass.BACKWARD_DATA, s);
        if (s.batch() == 0) return; // gx is empty
        runBackwardData(s, gy, w, gx, ex);
    }

    /** {@code gw = dL/dw} from {@code x} and {@code gy = dL/dy}; zeros for an empty batch (a sum of no terms). */
    public final void backwardWeights(ConvSpec s, Tensor x, Tensor gy, Tensor gw, Execution ex) {
        Arguments.convBackwardWeights(s, x, gy, gw);
        java.util.Objects.requireNonNull(ex, "ex");
        require(ConvPass.BACKWARD_WEIGHTS, s);
        if (s.batch() == 0) {
            gw.fill(0);
            return;
        }
        runBackwardWeights(s, x, gy, gw, ex);
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
