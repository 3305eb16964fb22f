package dev.vecnn.kernel.pool;

import dev.vecnn.parallel.Execution;
import dev.vecnn.pool.PoolImpl;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the pooling implementations on dense tensors share: a cache of per-spec plans, the choice of
 * layout (dense channels-last when {@code x}, or {@code gx} going backward, is; else channels-first),
 * staging of other layouts through dense copies, and max pooling backward from {@code x} by a forward
 * pass that writes the argmax first. Subclasses supply the plan and the kernels on dense tensors.
 * Free of the Vector API, so that the portable implementation can extend it.
 *
 * @param <P> the per-spec plan the kernels read
 */
public abstract class DensePoolImpl<P> extends PoolImpl {
    /** Plans of recent specs: building one costs about as much as pooling a small plane, and training repeats the same specs every step. */
    private final Map<PoolSpec, P> plans = new ConcurrentHashMap<>();

    /** The plan of {@code s}. */
    protected abstract P plan(PoolSpec s);

    /** Forward on dense tensors in one layout ({@code idx} null: no argmax). */
    protected abstract void forward(P plan, boolean channelsLast, DenseTensor x, DenseTensor y, DenseTensor idx, Execution ex);

    /** Backward on dense tensors in one layout; {@code idx} holds the argmax for max kinds, null otherwise. */
    protected abstract void backward(P plan, boolean channelsLast, DenseTensor idx, DenseTensor gy, DenseTensor gx, Execution ex);

    private P cachedPlan(PoolSpec s) {
        P p = plans.get(s);
        if (p != null) return p;
        if (plans.size() >= 64) plans.clear();
        p = plan(s);
        plans.put(s, p);
        return p;
    }

    private static boolean channelsLast(Tensor t) {
        return !t.isContiguous() && t.isChannelsLast();
    }

    @Override
    protected final void runForward(PoolSpec s, Tensor x, Tensor y, Tensor indices, Execution ex) {
        P plan = cachedPlan(s);
        boolean cl = channelsLast(x);
        try (DenseTensor.Staging staging = new DenseTensor.Staging()) {
            DenseTensor dx = DenseTensor.in(x, cl, staging), dy = DenseTensor.out(y, cl, staging);
            DenseTensor di = indices == null ? null : DenseTensor.out(indices, cl, staging);
            forward(plan, cl, dx, dy, di, ex);
            dy.finish();
            if (di != null) di.finish();
        }
    }

    @Override
    protected final void runBackward(PoolSpec s, Tensor x, Tensor indices, Tensor gy, Tensor gx, Execution ex) {
        P plan = cachedPlan(s);
        boolean cl = channelsLast(gx);
        try (DenseTensor.Staging staging = new DenseTensor.Staging()) {
            DenseTensor dgy = DenseTensor.in(gy, cl, staging), dgx = DenseTensor.out(gx, cl, staging);
            DenseTensor idx = null;
            if (s.kind().isMax()) {
                if (indices != null) {
                    idx = DenseTensor.in(indices, cl, staging); // checked by Arguments.poolIndices
                } else {
                    idx = DenseTensor.out(staging.allocate(DType.I64, s.outputShape(), cl), cl, staging);
                    DenseTensor y = DenseTensor.out(staging.allocate(gy.dtype(), s.outputShape(), cl), cl, staging);
                    forward(plan, cl, DenseTensor.in(x, cl, staging), y, idx, ex);
                }
            }
            backward(plan, cl, idx, dgy, dgx, ex);
            dgx.finish();
        }
    }
}
