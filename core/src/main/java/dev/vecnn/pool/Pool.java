package dev.vecnn.pool;

import dev.vecnn.kernel.pool.VectorPool;
import dev.vecnn.parallel.Execution;
import dev.vecnn.ref.ReferencePool;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.tensor.Tensor;
import java.util.List;

/**
 * Pooling, dispatched like {@link dev.vecnn.conv.Conv}: an ordered list of implementations with the
 * reference last; the first that supports the spec runs: {@code vector} ({@link VectorPool}), then
 * {@code reference}.
 */
public final class Pool {
    private static final List<PoolImpl> ALL = List.of(new VectorPool(), new ReferencePoolImpl());

    private Pool() {
    }

    /** The implementations, in order. */
    public static List<PoolImpl> implementations() {
        return ALL;
    }

    /** An implementation by name. */
    public static PoolImpl implementation(String name) {
        for (PoolImpl i : ALL) if (i.name().equals(name)) return i;
        throw new IllegalArgumentException("impl: unknown pooling implementation '" + name + "' (known: "
                + ALL.stream().map(PoolImpl::name).toList() + ")");
    }

    /** The implementation that runs {@code spec}. */
    public static PoolImpl choose(PoolSpec spec) {
        java.util.Objects.requireNonNull(spec, "spec");
        for (PoolImpl i : ALL) if (i.supports(spec)) return i;
        throw new IllegalStateException("the reference supports every spec");
    }

    /** Forward pass on all cores; {@code indices} may be null. */
    public static void forward(PoolSpec s, Tensor x, Tensor y, Tensor indices) {
        choose(s).forward(s, x, y, indices, Execution.defaults());
    }

    /** Backward pass on all cores. */
    public static void backward(PoolSpec s, Tensor x, Tensor indices, Tensor gy, Tensor gx) {
        choose(s).backward(s, x, indices, gy, gx, Execution.defaults());
    }

    /** The reference as a peer. */
    static final class ReferencePoolImpl extends PoolImpl {
        @Override
        public String name() {
            return "reference";
        }

        @Override
        public boolean supports(PoolSpec spec) {
            return true;
        }

        @Override
        protected void runForward(PoolSpec s, Tensor x, Tensor y, Tensor indices, Execution ex) {
            ReferencePool.forward(s, x, y, indices);
        }

        @Override
        protected void runBackward(PoolSpec s, Tensor x, Tensor indices, Tensor gy, Tensor gx, Execution ex) {
            ReferencePool.backward(s, x, indices, gy, gx);
        }
    }
}
