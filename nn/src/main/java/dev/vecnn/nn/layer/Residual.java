package dev.vecnn.nn.layer;

import dev.vecnn.nn.Layer;
import dev.vecnn.nn.Param;
import dev.vecnn.tensor.Tensor;
import java.util.List;

/**
 * {@code y = x + inner(x)}: a skip connection around any layer or sequence with the same input and
 * output shape, the composition a plain chain cannot express. The input gradient is the sum of both
 * paths.
 */
public final class Residual extends Layer {
    private final Layer inner;

    /** Wraps {@code inner}. */
    public Residual(Layer inner) {
        this.inner = java.util.Objects.requireNonNull(inner, "inner");
    }

    @Override
    protected long[] init(long[] sample) {
        long[] out = inner.build(ctx, sample);
        if (!java.util.Arrays.equals(out, sample)) {
            throw new IllegalArgumentException("inner: " + inner.describe() + " maps " + java.util.Arrays.toString(sample) + " to "
                    + java.util.Arrays.toString(out) + "; a residual needs the same shape");
        }
        return sample;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        batchOf(x, "x");
        Tensor f = inner.forward(x, training);
        Tensor y = ctx.buffer(this, "y", x.shape());
        add(x, f, y);
        return y;
    }

    @Override
    public Tensor backward(Tensor gy) {
        Tensor g = inner.backward(gy);
        Tensor gx = ctx.buffer(this, "gx", gy.shape());
        add(gy, g, gx);
        return gx;
    }

    private void add(Tensor a, Tensor b, Tensor out) {
        out.copyFrom(a);
        Tensor bc = Elementwise.contiguous(ctx, this, "branch", b);
        for (long i = 0, n = out.numel(); i < n; i++) Elementwise.set(out, out.offset() + i, Elementwise.get(out, out.offset() + i) + Elementwise.get(bc, bc.offset() + i));
    }

    @Override
    public List<Param> params() {
        return inner.params().stream().map(p -> p.prefixed("inner")).toList();
    }

    @Override
    public List<Param> state() {
        return inner.state().stream().map(p -> p.prefixed("inner")).toList();
    }

    @Override
    public List<Layer> children() {
        return List.of(inner);
    }

    @Override
    public double[][] receptiveStep() {
        return null;
    }

    @Override
    public String describe() {
        return "residual(" + inner.describe() + ")";
    }
}
