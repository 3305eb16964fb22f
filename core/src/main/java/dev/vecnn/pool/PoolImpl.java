package dev.vecnn.pool;

import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.Arguments;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.tensor.Tensor;

/**
 * One pooling implementation, a peer in {@link Pool}'s ordered list; callable on its own by name.
 * The public methods check their arguments ({@link Arguments}, caller-supplied argmax indices
 * included) before any memory is touched, and handle an empty batch ({@code spec.batch() == 0})
 * themselves: there is nothing to write. Implementations never see an empty batch.
 */
public abstract class PoolImpl {
    /** For subclasses. */
    protected PoolImpl() {
    }

    /** The name used by {@link Pool#implementation(String)}, benchmarks and test names. */
    public abstract String name();

    /** Whether this implementation runs the forward and backward passes of {@code spec}. */
    public abstract boolean supports(PoolSpec spec);

    /** Pools {@code x} into {@code y}; max kinds write argmax into {@code indices} (I64) when not null. */
    public final void forward(PoolSpec s, Tensor x, Tensor y, Tensor indices, Execution ex) {
        Arguments.poolForward(s, x, y, indices);
        java.util.Objects.requireNonNull(ex, "ex").requireOpen();
        require(s);
        if (s.batch() == 0) return; // y and indices are empty
        runForward(s, x, y, indices, ex);
    }

    /** {@code gx = dL/dx} from {@code gy}; max kinds need {@code indices} from the forward pass or {@code x}. */
    public final void backward(PoolSpec s, Tensor x, Tensor indices, Tensor gy, Tensor gx, Execution ex) {
        Arguments.poolBackward(s, x, indices, gy, gx);
        java.util.Objects.requireNonNull(ex, "ex").requireOpen();
        require(s);
        if (s.batch() == 0) return; // gx is empty
        runBackward(s, x, indices, gy, gx, ex);
    }

    private void require(PoolSpec s) {
        if (!supports(s)) throw new IllegalArgumentException("spec: " + name() + " does not support " + s);
    }

    /** Forward pass on checked arguments. */
    protected abstract void runForward(PoolSpec s, Tensor x, Tensor y, Tensor indices, Execution ex);

    /** Backward pass on checked arguments. */
    protected abstract void runBackward(PoolSpec s, Tensor x, Tensor indices, Tensor gy, Tensor gx, Execution ex);

    @Override
    public String toString() {
        return name();
    }
}
