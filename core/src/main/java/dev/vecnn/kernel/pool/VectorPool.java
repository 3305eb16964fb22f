package dev.vecnn.kernel.pool;

import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.tensor.DType;

/**
 * Vector API pooling ("vector"): every kind, any rank, forward and backward, float32 and float64
 * ({@code PoolKernelsF32}, {@code PoolKernelsF64}), fast for dense channels-first and channels-last
 * tensors (the layout of {@code x}, or of {@code gx} going backward); other layouts are staged
 * through a dense copy.
 *
 * <p>No size limit: positions and window arithmetic are longs, rows are cut into tiles, windows into
 * groups, planes into boxes ({@link PoolGeometry}), so every spec whose tensors can exist is supported.
 */
public final class VectorPool extends DensePoolImpl<PoolGeometry> {
    private final PoolGeometry.Limits limits;

    /** The kernels with their default buffer sizes. */
    public VectorPool() {
        this(PoolGeometry.Limits.DEFAULT);
    }

    /** The kernels with other buffer sizes (tests use tiny ones to reach every tiling path). */
    VectorPool(PoolGeometry.Limits limits) {
        this.limits = limits;
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

    @Override
    protected PoolGeometry plan(PoolSpec s) {
        return new PoolGeometry(s, limits);
    }

    @Override
    protected void forward(PoolGeometry g, boolean cl, DenseTensor x, DenseTensor y, DenseTensor idx, Execution ex) {
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
    protected void backward(PoolGeometry g, boolean cl, DenseTensor idx, DenseTensor gy, DenseTensor gx, Execution ex) {
        boolean f = gy.tensor().dtype() == DType.F32;
        if (cl) {
            if (f) PoolKernelsF32.backwardChannelsLast(g, idx, gy, gx, ex);
            else PoolKernelsF64.backwardChannelsLast(g, idx, gy, gx, ex);
        } else if (g.max) {
            if (f) PoolKernelsF32.maxBackwardChannelsFirst(g, idx, gy, gx, ex);
            else PoolKernelsF64.maxBackwardChannelsFirst(g, idx, gy, gx, ex);
        } else {
            if (f) PoolKernelsF32.avgBackwardChannelsFirst(g, gy, gx, ex);
            else PoolKernelsF64.avgBackwardChannelsFirst(g, gy, gx, ex);
        }
    }
}
