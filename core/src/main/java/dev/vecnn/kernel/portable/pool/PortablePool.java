package dev.vecnn.kernel.portable.pool;

import dev.vecnn.kernel.pool.DensePoolImpl;
import dev.vecnn.kernel.pool.DenseTensor;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.tensor.DType;

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
public final class PortablePool extends DensePoolImpl<PoolTables> {
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

    @Override
    protected PoolTables plan(PoolSpec s) {
        return new PoolTables(s);
    }

    @Override
    protected void forward(PoolTables g, boolean cl, DenseTensor x, DenseTensor y, DenseTensor idx, Execution ex) {
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
    protected void backward(PoolTables g, boolean cl, DenseTensor idx, DenseTensor gy, DenseTensor gx, Execution ex) {
        boolean f = gy.tensor().dtype() == DType.F32;
        if (cl) {
            if (f) PortablePoolF32.backwardChannelsLast(g, idx, gy, gx, ex);
            else PortablePoolF64.backwardChannelsLast(g, idx, gy, gx, ex);
        } else if (g.max) {
            if (f) PortablePoolF32.maxBackwardChannelsFirst(g, idx, gy, gx, ex);
            else PortablePoolF64.maxBackwardChannelsFirst(g, idx, gy, gx, ex);
        } else {
            if (f) PortablePoolF32.avgBackwardChannelsFirst(g, gy, gx, ex);
            else PortablePoolF64.avgBackwardChannelsFirst(g, gy, gx, ex);
        }
    }
}
