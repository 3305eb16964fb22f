package dev.vecnn.kernel.portable.pool;

import dev.vecnn.kernel.pool.DenseTensor;
import dev.vecnn.parallel.Execution;
import dev.vecnn.pool.PoolImpl;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Portable pooling ("portable"): every kind, any rank, forward (with or without argmax) and backward,
 * float32 and float64, in plain Java that HotSpot's C2 auto-vectorizes ({@code PortablePoolF32},
 * {@code PortablePoolF64}, generated from one template). It needs no {@code jdk.incubator.vector}:
 * {@link dev.vecnn.pool.Pool} runs it when the Vector API is not readable
 * ({@link dev.vecnn.kernel.Backend}), and it can always be called by name. Dense channels-first and
 * channels-last tensors are read in place (the layout of {@code x}, or of {@code gx} going backward);
 * other layouts are staged through a dense copy.
 *
 * <p>Limits: planes below 2^31 elements; larger problems fall through to the reference.
 */
public final class PortablePool extends PoolImpl {
    /** Geometries of recent specs: training repeats the same specs every step. */
    private static final Map<PoolSpec, PoolTables> GEOMETRIES = new ConcurrentHashMap<>();

    private static PoolTables geometry(PoolSpec s) {
        PoolTables g = GEOMETRIES.get(s);
        if (g != null) return g;
        if (GEOMETRIES.size() >= 64) GEOMETRIES.clear();
        g = new PoolTables(s);
        GEOMETRIES.put(s, g);
        return g;
    }

    @Override
    public String name() {
        return "portable";
    }

    @Override
    public boolean supports(PoolSpec s) {
        long plane = 1, outPlane = 1;
        for (int d = 0; d < s.rank(); d++) {
            plane *= s.inputSize(d);
            outPlane *= s.outputSize(d);
        }
        return plane < Integer.MAX_VALUE && outPlane < Integer.MAX_VALUE && s.channels() < Integer.MAX_VALUE
                && s.batch() * outPlane < Integer.MAX_VALUE * 16L;
    }

    private static boolean channelsLast(Tensor t) {
        return !t.isContiguous() && t.isChannelsLast();
    }

    @Override
    protected void runForward(PoolSpec s, Tensor x, Tensor y, Tensor indices, Execution ex) {
        PoolTables g = geometry(s);
        boolean cl = channelsLast(x);
        try (DenseTensor.Staging staging = new DenseTensor.Staging()) {
            DenseTensor dx = DenseTensor.in(x, cl, staging), dy = DenseTensor.out(y, cl, staging);
            DenseTensor di = indices == null ? null : DenseTensor.out(indices, cl, staging);
            forward(g, cl, dx, dy, di, ex);
            dy.finish();
            if (di != null) di.finish();
        }
    }

    private static void forward(PoolTables g, boolean cl, DenseTensor x, DenseTensor y, DenseTensor idx, Execution ex) {
        boolean f = x.tensor().dtype() == DType.F32;
        if (cl) {
            if (f) PortablePoolF32.forwardChannelsLast(g, x, y, idx, ex);
            else PortablePoolF64.forwardChannelsLast(g, x, y, idx, ex);
        } else {
            if (f) PortablePoolF32.forwardChannelsFirst(g, x, y, idx, ex);
            else PortablePoolF64.forwardChannelsFirst(g, x, y, idx, ex);
        }
    }

    @Override
    protected void runBackward(PoolSpec s, Tensor x, Tensor indices, Tensor gy, Tensor gx, Execution ex) {
        PoolTables g = geometry(s);
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
                if (f) PortablePoolF32.backwardChannelsLast(g, idx, dgy, dgx, ex);
                else PortablePoolF64.backwardChannelsLast(g, idx, dgy, dgx, ex);
            } else if (g.max) {
                if (f) PortablePoolF32.maxBackwardChannelsFirst(g, idx, dgy, dgx, ex);
                else PortablePoolF64.maxBackwardChannelsFirst(g, idx, dgy, dgx, ex);
            } else {
                if (f) PortablePoolF32.avgBackwardChannelsFirst(g, dgy, dgx, ex);
                else PortablePoolF64.avgBackwardChannelsFirst(g, dgy, dgx, ex);
            }
            dgx.finish();
        }
    }
}
