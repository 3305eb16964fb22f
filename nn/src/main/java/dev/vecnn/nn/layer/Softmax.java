package dev.vecnn.nn.layer;

import dev.vecnn.nn.Layer;
import dev.vecnn.tensor.Tensor;

/** Softmax over dimension 1 (the channels or classes) at every other index; max-shifted for range. */
public final class Softmax extends Layer {
    private Tensor y;

    @Override
    protected long[] init(long[] sample) {
        return sample;
    }

    @Override
    public Tensor forward(Tensor in, boolean training) {
        batchOf(in, "x");
        Tensor x = Elementwise.contiguous(ctx, this, "x", in);
        y = ctx.buffer(this, "y", x.shape());
        long[] s = x.shape();
        long c = s[1], plane = Elementwise.plane(s);
        for (long n = 0; n < s[0]; n++) {
            for (long p = 0; p < plane; p++) {
                long base = n * c * plane + p;
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (long k = 0; k < c; k++) max = Math.max(max, Elementwise.get(x, x.offset() + base + k * plane));
                for (long k = 0; k < c; k++) {
                    double e = Math.exp(Elementwise.get(x, x.offset() + base + k * plane) - max);
                    Elementwise.set(y, y.offset() + base + k * plane, e);
                    sum += e;
                }
                for (long k = 0; k < c; k++) Elementwise.set(y, y.offset() + base + k * plane, Elementwise.get(y, y.offset() + base + k * plane) / sum);
            }
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor gyIn) {
        Tensor gy = Elementwise.contiguous(ctx, this, "gy", gyIn);
        Tensor gx = ctx.buffer(this, "gx", y.shape());
        long[] s = y.shape();
        long c = s[1], plane = Elementwise.plane(s);
        for (long n = 0; n < s[0]; n++) {
            for (long p = 0; p < plane; p++) {
                long base = n * c * plane + p;
                double dot = 0; // gx = y * (gy - <gy, y>)
                for (long k = 0; k < c; k++) dot += Elementwise.get(gy, gy.offset() + base + k * plane) * Elementwise.get(y, y.offset() + base + k * plane);
                for (long k = 0; k < c; k++) {
                    long e = base + k * plane;
                    Elementwise.set(gx, gx.offset() + e, Elementwise.get(y, y.offset() + e) * (Elementwise.get(gy, gy.offset() + e) - dot));
                }
            }
        }
        return gx;
    }

    @Override
    public String describe() {
        return "softmax";
    }
}
