package dev.vecnn.kernel.pool;

import dev.vecnn.parallel.Execution;
import dev.vecnn.pool.PoolImpl;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;

/**
 * Vector API pooling ("vector"): every kind, any rank, forward and backward, float32 and float64
 * ({@code PoolKernelsF32}, {@code PoolKernelsF64}), fast for dense channels-first and channels-last
 * tensors (the layout of {@code x}, or of {@code gx} going backward); other layouts are staged
 * through a dense copy.
 *
 * <p>No size limit: positions and window arithmetic are longs, rows are cut into tiles, windows into
 * groups, planes into boxes ({@link PoolGeometry}), so every spec whose tensors can exist is supported.
 */
public final class VectorPool extends PoolImpl {
    private final PoolGeometry.Limits limits;
    /**
     * Geometries of recent specs: building one costs about as much as pooling a small plane, and
     * training repeats the same specs every step.
     */
    private final java.util.Map<PoolSpec, PoolGeometry> geometries = new java.util.concurrent.ConcurrentHashMap<>();

    /** The kernels with their default buffer sizes. */
    public VectorPool() {
        this(PoolGeometry.Limits.DEFAULT);
    }

    /** The kernels with other buffer sizes (tests use tiny ones to reach every tiling path). */
    VectorPool(PoolGeometry.Limits limits) {
        this.limits = limits;
    }

    private PoolGeometry geometry(PoolSpec s) {
        PoolGeometry g = geometries.get(s);
        if (g != null) return g;
        if (geometries.size() >= 64) geometries.clear();
        g = new PoolGeometry(s, limits);
        geometries.put(s, g);
        return g;
    }

    @Override
    public String name() {
        return "vector";
    }

    /** Every spec: the kernels keep all sizes in longs and their buffers bounded. */
    @Override
    public boolean supports(PoolSpec s) {
        java.util.Objects.requireNonNull(s, "spec");
        return true;
    }

    private static boolean channelsLast(Tensor t) {
        return !t.isContiguous() && t.isChannelsLast();
    }

    @Override
    protected void runForward(PoolSpec s, Tensor x, Tensor y, Tensor indices, Execution ex) {
        PoolGeometry g = geometry(s);
        boolean cl = channelsLast(x);
        try (DenseTensor.Staging staging = new DenseTensor.Staging()) {
            DenseTensor dx = DenseTensor.in(x, cl, staging), dy = DenseTensor.out(y, cl, staging);
            DenseTensor di = indices == null ? null : DenseTensor.out(indices, cl, staging);
            forward(g, cl, dx, dy, di, ex);
            dy.finish();
            if (di != null) di.finish();
        }
    }

    private static void forward(PoolGeometry g, boolean cl, DenseTensor x, DenseTensor y, DenseTensor idx, Execution ex) {
        boolean f = x.tensor().dtype() == DType.F32;
        if (cl) {
            if (f) PoolKernelsF32.forwardChannelsLast(g, x, y, idx, ex);
            else PoolKernelsF64.forwardChannelsLast(g, x, y, idx, ex);
        } else {
            if (f) PoolKernelsF32.forwardChannelsFirst(g, x, y, idx, ex);
            else PoolKernelsF64.forwardChannelsFirst(g, x, y, idx, ex);
        }
    }

    @Override
    protected void runBackward(PoolSpec s, Tensor x, Tensor indices, Tensor gy, Tensor gx, Execution ex) {
        PoolGeometry g = geometry(s);
        boolean cl = channelsLast(gx);
        boolean f = gy.dtype() == DType.F32;
        try (DenseTensor.Staging staging = new DenseTensor.Staging()) {
            DenseTensor dgy = DenseTensor.in(gy, cl, staging), dgx = DenseTensor.out(gx, cl, staging);
            DenseTensor idx = null;
            if (g.max) {
                if (indices != null) {
                    idx = DenseTensor.in(indices, cl, staging); // checked by Arguments.poolIndices
                } else {
                    idx = DenseTensor.out(staging.allocate(DType.I64, s.outputShape(), cl), cl, staging);
                    DenseTensor y = DenseTensor.out(staging.allocate(gy.dtype(), s.outputShape(), cl), cl, staging);
                    forward(g, cl, DenseTensor.in(x, cl, staging), y, idx, ex);
                }
            }
            if (cl) {
                if (f) PoolKernelsF32.backwardChannelsLast(g, idx, dgy, dgx, ex);
                else PoolKernelsF64.backwardChannelsLast(g, idx, dgy, dgx, ex);
            } else if (g.max) {
                if (f) PoolKernelsF32.maxBackwardChannelsFirst(g, idx, dgy, dgx, ex);
                else PoolKernelsF64.maxBackwardChannelsFirst(g, idx, dgy, dgx, ex);
            } else {
                if (f) PoolKernelsF32.avgBackwardChannelsFirst(g, dgy, dgx, ex);
                else PoolKernelsF64.avgBackwardChannelsFirst(g, dgy, dgx, ex);
            }
            dgx.finish();
        }
    }
}
