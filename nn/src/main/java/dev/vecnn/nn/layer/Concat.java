package dev.vecnn.nn.layer;

import dev.vecnn.nn.Merge;
import dev.vecnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Concatenation of graph nodes along one sample dimension (0 = channels, as U-Net's skip
 * connections): every other dimension must agree. The gradient of each input is its slice of dL/dy.
 */
public final class Concat extends Merge {
    private final int axis;
    private long[] starts;

    /** Along sample dimension {@code axis} (0 = channels; the batch dimension is not counted). */
    public Concat(int axis) {
        if (axis < 0) throw new IllegalArgumentException("axis: must be >= 0 (a sample dimension), got " + axis);
        this.axis = axis;
    }

    /** The sample dimension joined along (0 = channels). */
    public int axis() {
        return axis;
    }

    @Override
    protected long[] init(List<long[]> s) {
        long[] out = s.get(0).clone();
        if (axis >= out.length) throw new IllegalArgumentException("axis: " + axis + " is not a dimension of samples " + Arrays.toString(out));
        starts = new long[s.size() + 1];
        long total = 0;
        for (int i = 0; i < s.size(); i++) {
            long[] si = s.get(i);
            boolean ok = si.length == out.length;
            for (int d = 0; ok && d < out.length; d++) ok = d == axis || si[d] == out[d];
            if (!ok) {
                throw new IllegalArgumentException("inputs: input " + i + " has samples " + Arrays.toString(si) + ", input 0 "
                        + Arrays.toString(out) + "; only dimension " + axis + " may differ");
            }
            starts[i] = total;
            total += si[axis];
        }
        starts[s.size()] = total;
        out[axis] = total;
        return out;
    }

    @Override
    public Tensor forward(List<Tensor> xs, boolean training) {
        long n = batchOf(xs);
        long[] out = new long[outputShape().length + 1];
        out[0] = n;
        System.arraycopy(outputShape(), 0, out, 1, out.length - 1);
        Tensor y = ctx.output(this, out);
        for (int i = 0; i < xs.size(); i++) y.slice(axis + 1, starts[i], starts[i + 1]).copyFrom(xs.get(i));
        return y;
    }

    @Override
    public List<Tensor> backward(Tensor gy) {
        List<Tensor> g = new ArrayList<>();
        for (int i = 0; i < arity(); i++) {
            Tensor part = gy.slice(axis + 1, starts[i], starts[i + 1]);
            Tensor gi = ctx.buffer(this, "g" + i, part.shape());
            gi.copyFrom(part);
            g.add(gi);
        }
        return g;
    }

    @Override
    public String describe() {
        return "concat " + axis;
    }
}
