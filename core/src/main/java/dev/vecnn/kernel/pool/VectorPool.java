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
 * <p>Limits: planes below 2^24 elements for max kinds (argmax lanes count taps in the data type),
 * below 2^31 for the others; larger problems fall through to the reference.
 */
public final class VectorPool extends PoolImpl {
    /**
     * Geometries of recent specs: building one (row tap lists and their transpose) costs about as much
     * as pooling a single small plane, and training repeats the same specs every step.
     */
    private static final java.util.Map<PoolSpec, PoolGeometry> GEOMETRIES = new java.util.concurrent.ConcurrentHashMap<>();

    private static PoolGeometry geometry(PoolSpec s) {
        PoolGeometry g = GEOMETRIES.get(s);
        if (g != null) return g;
        if (GEOMETRIES.size() >= 64) GEOMETRIES.clear();
        g = new PoolGeometry(s);
        GEOMETRIES.put(s, g);
        return g;
    }

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public boolean supports(PoolSpec s) {
        // saturating arithmetic from the spec alone: a huge valid spec must get false, not an overflow
        long plane = 1, outPlane = 1;
        for (int d = 0; d < s.rank(); d++) {
            plane = Math.min(Integer.MAX_VALUE, plane * Math.min(s.inputSize(d), Integer.MAX_VALUE));
            outPlane = Math.min(Integer.MAX_VALUE, outPlane * Math.min(s.outputSize(d), Integer.MAX_VALUE));
        }
        long limit = s.kind().isMax() ? 1L << 24 : Integer.MAX_VALUE;
        // (room below 2^31 for a vector's overrun past a plane or a channel run)
        return plane < limit && outPlane < Integer.MAX_VALUE - 256 && s.channels() < Integer.MAX_VALUE - 256
                && s.batch() < Integer.MAX_VALUE * 16L / outPlane && PoolGeometry.fits(s)
                && PoolGeometry.times(s.batch(), s.channels()) < 1L << 40; // planes times a task index fit a long
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
