package dev.vecnn.pool;

import dev.vecnn.kernel.Backend;
import dev.vecnn.kernel.portable.pool.PortablePool;
import dev.vecnn.parallel.Execution;
import dev.vecnn.ref.ReferencePool;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.tensor.Tensor;
import java.util.List;

/**
 * Pooling, dispatched like {@link dev.vecnn.conv.Conv}: an ordered list of implementations with the
 * reference last; the first that supports the spec runs: {@code vector}
 * ({@link dev.vecnn.kernel.pool.VectorPool}), then {@code reference}. Without
 * {@code jdk.incubator.vector} ({@link Backend}) the list is {@code portable} ({@link PortablePool}),
 * then {@code reference}; the portable kernels can be called by name in either case.
 */
public final class Pool {
    private static final PoolImpl PORTABLE = new PortablePool();
    private static final PoolImpl REFERENCE = new ReferencePoolImpl();
    /** The dispatch order. The Vector API kernels only when the backend says so: their classes need the module. */
    private static final List<PoolImpl> DISPATCH = Backend.isVector() ? VectorPools.then(REFERENCE) : List.of(PORTABLE, REFERENCE);
    private static final List<PoolImpl> ALL = Backend.isVector() ? beforeLast(DISPATCH, PORTABLE) : DISPATCH;

    private Pool() {
    }

    /** The implementations tried, in order. */
    public static List<PoolImpl> implementations() {
        return DISPATCH;
    }

    /**
     * Every implementation this JVM can run, by name: the dispatch list plus {@code portable} when the
     * Vector API kernels are active; the reference last.
     */
    public static List<PoolImpl> allImplementations() {
        return ALL;
    }

    /** {@code list} with {@code extra} inserted before its last element (the reference). */
    private static List<PoolImpl> beforeLast(List<PoolImpl> list, PoolImpl extra) {
        List<PoolImpl> all = new java.util.ArrayList<>(list);
        all.add(all.size() - 1, extra);
        return List.copyOf(all);
    }

    /** An implementation by name, from {@link #allImplementations()}. */
    public static PoolImpl implementation(String name) {
        for (PoolImpl i : ALL) if (i.name().equals(name)) return i;
        throw new IllegalArgumentException("impl: unknown pooling implementation '" + name + "' (known: "
                + ALL.stream().map(PoolImpl::name).toList() + "; " + Backend.describe() + ")");
    }

    /** The implementation that runs {@code spec}. */
    public static PoolImpl choose(PoolSpec spec) {
        java.util.Objects.requireNonNull(spec, "spec");
        for (PoolImpl i : DISPATCH) if (i.supports(spec)) return i;
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
