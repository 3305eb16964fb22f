package dev.vecnn.testing;

import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;

/** Deterministic tensor contents for tests. */
public final class Fill {
    private Fill() {
    }

    /** A C-contiguous tensor of uniform values in [-1, 1). */
    public static Tensor uniform(Arena arena, DType dtype, long[] shape, long seed) {
        Tensor t = Tensor.allocate(arena, dtype, shape);
        uniform(t, seed);
        return t;
    }

    /** Fills any tensor, in row-major logical order, with uniform values in [-1, 1). */
    public static void uniform(Tensor t, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        forEach(t, idx -> t.set(r.nextDouble(-1, 1), idx));
    }

    /**
     * A tensor of distinct values, well apart, in random order: no ties for max pooling, exact in
     * float32 (multiples of 1/8 below 2^20).
     */
    public static Tensor distinct(Arena arena, DType dtype, long[] shape, long seed) {
        Tensor t = Tensor.allocate(arena, dtype, shape);
        int n = Math.toIntExact(t.numel());
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int x = perm[i];
            perm[i] = perm[j];
            perm[j] = x;
        }
        int[] at = {0};
        forEach(t, idx -> t.set((perm[at[0]++] - n / 2) / 8.0, idx));
        return t;
    }

    /** Elementwise absolute value into a new F64 tensor. */
    public static Tensor abs(Arena arena, Tensor t) {
        Tensor a = Tensor.allocate(arena, DType.F64, t.shape());
        forEach(t, idx -> a.set(Math.abs(t.get(idx)), idx));
        return a;
    }

    /** {@code a*x + b*y} into a new tensor of x's dtype. */
    public static Tensor axpby(Arena arena, double a, Tensor x, double b, Tensor y) {
        Tensor r = Tensor.allocate(arena, x.dtype(), x.shape());
        forEach(x, idx -> r.set(a * x.get(idx) + b * y.get(idx), idx));
        return r;
    }

    /** Sum over all elements of {@code x*y} (same shape), in double. */
    public static double dot(Tensor x, Tensor y) {
        double[] s = {0};
        forEach(x, idx -> s[0] += x.get(idx) * y.get(idx));
        return s[0];
    }

    /** The same logical tensor stored channels-last. */
    public static Tensor channelsLast(Arena arena, Tensor t) {
        Tensor c = Tensor.allocateChannelsLast(arena, t.dtype(), t.shape());
        c.copyFrom(t);
        return c;
    }

    /** Visits every multi-index in row-major order. */
    public static void forEach(Tensor t, java.util.function.Consumer<long[]> visit) {
        long[] shape = t.shape();
        if (t.numel() == 0) return;
        long[] idx = new long[shape.length];
        while (true) {
            visit.accept(idx);
            int d = shape.length - 1;
            while (d >= 0 && ++idx[d] == shape[d]) idx[d--] = 0;
            if (d < 0) return;
        }
    }
}
