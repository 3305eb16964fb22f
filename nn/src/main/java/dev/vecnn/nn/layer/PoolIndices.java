package dev.vecnn.nn.layer;

import dev.vecnn.nn.Layer;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.MemoryFormat;
import dev.vecnn.tensor.Tensor;
import java.util.Arrays;

/**
 * The argmax of a max-pooling layer as ONNX's MaxPool writes its optional Indices output: I64 of the
 * pooled shape (N, C, out...), each the position of the maximum in the whole input tensor (N, C,
 * in...), counted row-major (storage order 0) or with the spatial dimensions column-major (storage
 * order 1, as ONNX Runtime does: {@code (n C + c) prod(in) + h + w H} in 2-D). A graph node reading the
 * same input as {@code pool}, added after it: it reports the pool's last forward pass. Not
 * differentiable: an output for inspection, never fed to other layers.
 */
public final class PoolIndices extends Layer {
    private final PoolLayer pool;
    private final boolean columnMajor;

    /** The indices of {@code pool} (a max pooling layer of the same graph) in storage order 0 or 1. */
    public PoolIndices(PoolLayer pool, int storageOrder) {
        if (!pool.kind().isMax()) throw new IllegalArgumentException("pool: " + pool.describe() + " is not max pooling");
        if (storageOrder != 0 && storageOrder != 1) throw new IllegalArgumentException("storageOrder: " + storageOrder + " is not 0 or 1");
        this.pool = pool;
        this.columnMajor = storageOrder == 1;
        pool.keepIndices();
    }

    /** The pooling layer read. */
    public PoolLayer pool() {
        return pool;
    }

    /** 0 (row-major) or 1 (spatial dimensions column-major). */
    public int storageOrder() {
        return columnMajor ? 1 : 0;
    }

    @Override
    protected long[] init(long[] sample) {
        if (!Arrays.equals(sample, pool.inputShape())) {
            throw new IllegalArgumentException("input: " + describe() + " must read the pool's input " + Arrays.toString(pool.inputShape())
                    + ", got " + Arrays.toString(sample));
        }
        return pool.outputShape();
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        long n = batchOf(x, "x");
        Tensor pooled = pool.indices();
        if (pooled == null || pooled.size(0) != n) throw new IllegalStateException(describe() + ": the pool has not run on this batch");
        // read in row-major order below: a channels-last model's argmax is copied row-major first
        Tensor arg = Elementwise.inFormat(ctx, this, "argmax", pooled, MemoryFormat.CHANNELS_FIRST);
        Tensor out = ctx.buffer(this, "indices", DType.I64, withBatch(n, outputShape()));
        long[] in = pool.inputShape();
        int rank = in.length - 1;
        long plane = 1;
        for (int d = 1; d < in.length; d++) plane *= in[d];
        long perPlaneOut = Tensor.numel(outputShape()) / outputShape()[0];
        long[] pos = new long[rank];
        for (long i = 0, total = out.numel(); i < total; i++) {
            long a = arg.getLongAt(arg.offset() + i), base = i / perPlaneOut * plane;
            if (columnMajor) { // row-major position -> coordinates -> column-major position
                for (int d = rank - 1; d >= 0; d--) {
                    pos[d] = a % in[d + 1];
                    a /= in[d + 1];
                }
                long c = 0;
                for (int d = rank - 1; d >= 0; d--) c = c * in[d + 1] + pos[d];
                a = c;
            }
            out.setLongAt(out.offset() + i, base + a);
        }
        return out;
    }

    @Override
    public Tensor backward(Tensor gy) {
        throw new IllegalArgumentException("gy: " + describe() + " is not differentiable; leave its output out of backward");
    }

    @Override
    public String describe() {
        return "maxpool indices" + (columnMajor ? " (column-major)" : "");
    }
}
