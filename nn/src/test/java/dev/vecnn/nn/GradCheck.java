package dev.vecnn.nn;

import static org.junit.jupiter.api.Assertions.fail;

import dev.vecnn.nn.layer.Elementwise;
import dev.vecnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Analytic gradients of a model against central finite differences, in float64, for the scalar
 * {@code L = sum(y * R)} with a fixed random R.
 *
 * <p>Error analysis. The derivative is the fourth-order central difference
 * {@code (L(-2h) - 8 L(-h) + 8 L(h) - L(2h)) / 12h}: truncation {@code h^4 |L^(5)| / 30}, rounding
 * {@code (1 + 8 + 8 + 1) e / 12h = 1.5 e / h}, where e bounds the error of one evaluation of L. An
 * evaluation accumulates at most a few hundred rounded terms per output in double, so
 * {@code e <= 1e3 * u * M} with {@code M = sum |y R|} and u = 2^-53: with h = 1e-5 rounding is at most
 * {@code 1.7e-8 * M}. Truncation is below 1e-15 M even for batch normalisation of two samples 1/8
 * apart (|L^(5)| ~ M / sigma^5). Conv, dense, pooling, flatten and piecewise-linear activations are
 * linear in each coordinate between kinks, and generated inputs stay further than 2h from kinks. The
 * tolerance is {@code 2e-8 * M}, plus a relative {@code 1e-7} of the gradient for the rounding of the
 * analytic side (its own sums of at most a few hundred terms).
 */
final class GradCheck {
    private GradCheck() {
    }

    static final double H = 1e-5;
    /**
     * Tensors of up to this many elements are checked at every coordinate (a wrong gradient at one
     * edge element cannot hide); larger ones at {@link #SAMPLED} random coordinates plus the first
     * and the last. Each coordinate costs four evaluations of the model.
     */
    static final int EVERY_COORDINATE_UP_TO = 192;
    static final int SAMPLED = 48;

    /** Checks dL/dx and dL/dparam of {@code m} at {@code x}; {@code what} names the case in failures. */
    static void check(Model m, Tensor x, long seed, Object what) {
        check(m, java.util.Map.of(m.graph().inputNames().get(0), x), seed, what);
    }

    /**
     * The same for a graph with several inputs and outputs: {@code L = sum over outputs of sum(y_o R_o)},
     * one fixed random R_o per output; checks dL/d(each input) and dL/d(each parameter).
     */
    static void check(Model m, java.util.Map<String, Tensor> xs, long seed, Object what) {
        java.util.Map<String, Tensor> ys = m.forward(xs, true);
        java.util.Map<String, Tensor> rs = new java.util.LinkedHashMap<>();
        SplittableRandom rnd = new SplittableRandom(seed);
        for (var e : ys.entrySet()) {
            Tensor r = m.context().allocate(e.getValue().shape());
            for (long i = 0; i < r.numel(); i++) Elementwise.set(r, r.offset() + i, rnd.nextDouble(-1, 1));
            rs.put(e.getKey(), r);
        }
        double magnitude = evaluate(m, xs, rs)[1];
        java.util.Map<String, Tensor> gxs = m.backward(rs);
        List<double[]> analytic = new ArrayList<>();
        List<Tensor> targets = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (var e : xs.entrySet()) {
            analytic.add(copy(gxs.get(e.getKey())));
            targets.add(e.getValue());
            names.add(e.getKey());
        }
        for (Param p : m.params()) {
            analytic.add(copy(p.grad()));
            targets.add(p.value());
            names.add(p.name());
        }
        double tol = 2e-8 * magnitude;
        for (int k = 0; k < targets.size(); k++) {
            Tensor t = targets.get(k);
            if (!t.isContiguous()) throw new IllegalStateException("gradient check needs contiguous tensors");
            long n = t.numel();
            boolean every = n <= EVERY_COORDINATE_UP_TO;
            long count = every ? n : SAMPLED + 2;
            for (long c = 0; c < count; c++) {
                long i = every ? c : c == 0 ? 0 : c == 1 ? n - 1 : rnd.nextLong(n);
                long off = t.offset() + i;
                double keep = Elementwise.get(t, off);
                double[] f = new double[4];
                double[] steps = {-2 * H, -H, H, 2 * H};
                for (int q = 0; q < 4; q++) {
                    Elementwise.set(t, off, keep + steps[q]);
                    f[q] = evaluate(m, xs, rs)[0];
                }
                Elementwise.set(t, off, keep);
                double numeric = (f[0] - 8 * f[1] + 8 * f[2] - f[3]) / (12 * H), a = analytic.get(k)[(int) i];
                if (!(Math.abs(numeric - a) <= tol + 1e-7 * Math.abs(a))) {
                    fail(what + ": dL/d" + names.get(k) + "[" + i + "] analytic " + a + ", finite difference " + numeric
                            + ", |diff| " + Math.abs(numeric - a) + " > tolerance " + (tol + 1e-7 * Math.abs(a)));
                }
            }
        }
    }

    /** {L, sum |y R|} over every output. */
    static double[] evaluate(Model m, java.util.Map<String, Tensor> xs, java.util.Map<String, Tensor> rs) {
        double l = 0, mag = 0;
        for (var e : m.forward(xs, true).entrySet()) {
            Tensor y = e.getValue(), r = rs.get(e.getKey());
            Tensor yc = y.isContiguous() ? y : y.contiguous(java.lang.foreign.Arena.ofAuto());
            for (long i = 0; i < r.numel(); i++) {
                double yi = Elementwise.get(yc, yc.offset() + i);
                if (Double.isInfinite(yi)) continue; // a max window entirely in padding: -inf, no inputs, no gradient
                double t = yi * Elementwise.get(r, r.offset() + i);
                l += t;
                mag += Math.abs(t);
            }
        }
        return new double[] {l, mag};
    }

    private static double[] copy(Tensor t) {
        Tensor c = t.isContiguous() ? t : t.contiguous(java.lang.foreign.Arena.ofAuto());
        double[] v = new double[(int) c.numel()];
        for (int i = 0; i < v.length; i++) v[i] = Elementwise.get(c, c.offset() + i);
        return v;
    }
}
