package dev.vecnn.kernel.elementwise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vecnn.conv.Activation;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every elementwise kernel, on both backends, for float32 and float64, over awkward lengths (0, 1, L-1,
 * L, L+1, 3L+5, the {@link OrderedSum} block edges 255-257, 1000) and offsets: the vector and the
 * portable kernels give identical bits (NaN equal to NaN), and the portable ones agree with the double
 * reference ({@link Reference}) within bounds from error analysis, stated per test in units of
 * roundoff u (2^-24, 2^-53).
 *
 * <p>Tagged "kernels": the build runs these again with 128- and 256-bit vectors.
 */
@Tag("kernels")
class ElementwiseKernelsTest {
    // without the incubator module (the portable test run) the vector side is the active backend, the portable one
    static final ElementwiseKernels V = ElementwiseKernels.defaults(), P = ElementwiseKernels.portable();
    static final DType[] DTYPES = {DType.F32, DType.F64};

    static final List<Epilogue> EPILOGUES = List.of(Epilogue.NONE, Epilogue.relu(), Epilogue.leakyRelu(0.01), Epilogue.leakyRelu(-0.25),
            Epilogue.sigmoid(), Epilogue.tanh(), Epilogue.gelu(), Epilogue.hardSigmoid(), Epilogue.hardSigmoid(0.2, 0.5), Epilogue.hardSwish(),
            Epilogue.relu6(), Epilogue.clip(Double.NEGATIVE_INFINITY, 0.5));

    /** Lanes of the vector kernels (8 floats or 4 doubles in the portable run, whose tails these lengths exercise too). */
    static int lanes(DType t) {
        if (!dev.vecnn.kernel.Backend.isVector()) return t == DType.F32 ? 8 : 4;
        return t == DType.F32 ? FloatVector.SPECIES_PREFERRED.length() : DoubleVector.SPECIES_PREFERRED.length();
    }

    static long[] lengths(DType t) {
        int l = lanes(t);
        TreeSet<Long> s = new TreeSet<>(List.of(0L, 1L, l - 1L, (long) l, l + 1L, 3L * l + 5, 255L, 256L, 257L, 1000L));
        return s.stream().mapToLong(Long::longValue).toArray();
    }

    static double u(DType t) {
        return t == DType.F32 ? 0x1p-24 : 0x1p-53;
    }

    static double tiny(DType t) {
        return t == DType.F32 ? Float.MIN_VALUE : Double.MIN_VALUE;
    }

    /** A contiguous tensor of this shape starting {@code offset} elements into its memory. */
    static Tensor at(Arena a, DType t, long offset, long... shape) {
        long n = Tensor.numel(shape);
        return Tensor.allocate(a, t, offset + n).slice(0, offset, offset + n).reshape(shape);
    }

    /** Values mostly in [-scale, scale], about 3% special ones (NaN, infinities, zeros, subnormals, kinks). */
    static void fill(Tensor t, SplittableRandom r, double scale, boolean specials) {
        double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, Double.MIN_VALUE, -1e-40, 1e30, -1e30, 3,
            -3, 0.5, 6, 2.5, -2.5};
        for (long i = 0; i < t.numel(); i++) {
            double v = specials && r.nextInt(32) == 0 ? special[r.nextInt(special.length)] : r.nextDouble(-scale, scale);
            t.setAt(t.offset() + i, v);
        }
    }

    static double get(Tensor t, long i) {
        return t.getAt(t.offset() + i);
    }

    static void identical(Tensor a, Tensor b, Object what) {
        for (long i = 0; i < a.numel(); i++) {
            double x = get(a, i), y = get(b, i);
            if (Double.doubleToLongBits(x) != Double.doubleToLongBits(y)) fail(what + " at " + i + ": vector " + x + " vs portable " + y);
        }
    }

    static void close(double got, double ref, double bound, Object what) {
        if (Double.isNaN(ref) ? Double.isNaN(got) : Double.isInfinite(ref) ? got == ref : Math.abs(got - ref) <= bound) return;
        fail(what + ": " + got + " vs reference " + ref + ", bound " + bound);
    }

    static double rounded(DType t, double v) {
        return t == DType.F32 ? (float) v : v;
    }

    // ---------------------------------------------------------------- activations

    /**
     * f(x + bias): the functions' errors are below 3 ulp of f plus, for GELU, 0.7 u |x| from z's rounding
     * (ElementwiseMathTest); the float64 reference adds up to 2 ulp: 4 u (|f| + |x|) for float32, 6 for
     * float64, plus the rounding of x + beta/alpha inside the hard sigmoid, and a subnormal's ulp.
     */
    @Test
    void activationForward() {
        SplittableRandom r = new SplittableRandom(1);
        try (Arena a = Arena.ofConfined()) {
            for (DType t : DTYPES) {
                double c = (t == DType.F32 ? 4 : 6) * u(t);
                for (Epilogue e : EPILOGUES) {
                    for (long n : lengths(t)) {
                        long off = n % 3;
                        Tensor x = at(a, t, off, n), yv = at(a, t, 1, n), yp = at(a, t, 2, n);
                        fill(x, r, 8, true);
                        V.activationForward(e, x, null, yv);
                        P.activationForward(e, x, null, yp);
                        identical(yv, yp, t + " " + e + " n=" + n);
                        for (long i = 0; i < n; i++) {
                            double xi = get(x, i), ref = Reference.activate(e, xi);
                            double hs = e.activation() == Activation.HARD_SIGMOID ? Math.abs(e.beta()) : 0;
                            close(get(yp, i), ref, c * (Math.abs(ref) + Math.abs(xi) + hs) + 2 * tiny(t), t + " " + e + " x=" + xi);
                        }
                    }
                    // per-channel bias over (N, C, plane), and in place
                    Tensor x = at(a, t, 1, 2, 3, 37), bias = Tensor.allocate(a, t, 3), yv = at(a, t, 0, 2, 3, 37), yp = at(a, t, 0, 2, 3, 37);
                    fill(x, r, 8, false);
                    fill(bias, r, 2, false);
                    yp.copyFrom(x);
                    V.activationForward(e, x, bias, yv);
                    P.activationForward(e, yp, bias, yp);
                    identical(yv, yp, t + " " + e + " with bias");
                    for (long i = 0; i < x.numel(); i++) {
                        double v = rounded(t, get(x, i) + bias.get(i / 37 % 3)), ref = Reference.activate(e, v);
                        close(get(yv, i), ref, c * (Math.abs(ref) + Math.abs(v) + 1) + 2 * tiny(t), t + " " + e + " biased");
                    }
                }
            }
        }
    }

    /**
     * gy f'(x), from x and (where defined) from the stored y: f' errs by at most 8 u (|f'| + 1) for
     * the exp-based derivatives (y's 3 ulp enter 1 - y and 1 - y^2 absolutely), and GELU's by a further
     * u x^2 from z's rounding propagated through s (1 - s) z' on |x| &lt;= 8. Zero derivatives select 0.
     */
    @Test
    void activationBackward() {
        SplittableRandom r = new SplittableRandom(2);
        try (Arena a = Arena.ofConfined()) {
            for (DType t : DTYPES) {
                for (Epilogue e : EPILOGUES) {
                    for (boolean fromOutput : new boolean[] {false, true}) {
                        if (fromOutput && (!e.activation().derivativeFromOutput() || e.alpha() < 0 && e.activation() == Activation.LEAKY_RELU)) {
                            continue;
                        }
                        for (long n : lengths(t)) {
                            Tensor x = at(a, t, n % 2, n), y = at(a, t, 0, n), gy = at(a, t, 3, n), gv = at(a, t, 1, n), gp = at(a, t, 0, n);
                            fill(x, r, 8, true);
                            fill(gy, r, 2, false);
                            P.activationForward(e, x, null, y);
                            Tensor saved = fromOutput ? y : x;
                            V.activationBackward(e, saved, fromOutput, gy, gv);
                            P.activationBackward(e, saved, fromOutput, gy, gp);
                            identical(gv, gp, t + " " + e + (fromOutput ? " from y" : " from x") + " n=" + n);
                            for (long i = 0; i < n; i++) {
                                double xi = get(x, i), g = get(gy, i), ref = Reference.backward(e, xi, g);
                                if (e.activation() == Activation.GELU && t == DType.F32 && Double.isFinite(xi) && Math.abs(xi) > 1e19) {
                                    // x^2 overflows in float32: NaN, as PyTorch's float GELU backward (0 * inf)
                                    assertTrue(Float.isNaN((float) get(gp, i)), "gelu' at " + xi);
                                    continue;
                                }
                                double d = Math.abs(Reference.derivative(e, xi));
                                double bound = 8 * u(t) * Math.abs(g) * (d + 1 + (e.activation() == Activation.GELU ? xi * xi : 0)) + tiny(t);
                                if (ref == 0) bound = 0; // selected or exactly zero
                                close(get(gp, i), ref, bound, t + " " + e + (fromOutput ? " from y" : " from x") + " x=" + xi + " gy=" + g);
                            }
                        }
                    }
                }
            }
        }
    }

    /** PyTorch's conventions at the kinks and for NaN (exact values). */
    @Test
    void derivativesAtKinksAndNaN() {
        try (Arena a = Arena.ofConfined()) {
            for (ElementwiseKernels k : List.of(V, P)) {
                for (DType t : DTYPES) {
                    double nan = Double.NaN;
                    // x: 0, -3, 3, 6, NaN; gy = 2
                    Tensor x = Tensor.of(new double[] {0, -3, 3, 6, nan}, 5).to(a, t), gy = Tensor.allocate(a, t, 5), gx = Tensor.allocate(a, t, 5);
                    gy.fill(2);
                    expect(k, Epilogue.relu(), x, gy, gx, 0, 0, 2, 2, 2);          // ReLU'(0) = 0; NaN passes gy
                    expect(k, Epilogue.relu6(), x, gy, gx, 0, 0, 2, 0, 2);         // hardtanh: 0 at both kinks, NaN passes
                    expect(k, Epilogue.hardSigmoid(), x, gy, gx, 2.0 / 6, 0, 0, 0, 0); // -3 < x < 3 only; NaN gives 0
                    expect(k, Epilogue.hardSwish(), x, gy, gx, 1, -1, 3, 2, 2);     // x/3 + 1/2 on [-3, 3], gy above and for NaN
                    expect(k, Epilogue.leakyRelu(0.5), x, gy, gx, 1, 1, 2, 2, 1);   // f'(0) = alpha; NaN gets alpha
                    // forward NaN propagation (max-based functions keep NaN)
                    Tensor y = Tensor.allocate(a, t, 5);
                    for (Epilogue e : EPILOGUES) {
                        k.activationForward(e, x, null, y);
                        assertTrue(Double.isNaN(y.get(4)), k + " " + t + " " + e + "(NaN)");
                    }
                }
            }
        }
    }

    private static void expect(ElementwiseKernels k, Epilogue e, Tensor x, Tensor gy, Tensor gx, double... want) {
        k.activationBackward(e, x, false, gy, gx);
        for (int i = 0; i < want.length; i++) {
            assertEquals(rounded(x.dtype(), want[i]), gx.get(i), 0, k + " " + x.dtype() + " " + e + " at x=" + x.get(i));
        }
    }

    /**
     * The fused conv backward: g = gy f'(y) in place, identical to {@link ElementwiseKernels#activationBackward},
     * and the bias gradient, a double sum of count terms in a fixed order, within 2 gamma(count) sum |g|
     * (double u) of the sequential sum, both rounded to the dtype (2 u). Out of place over 3 threads
     * (channels split among 4 tasks of 1-2 channels): the same bits; {@code biasGradient} of the result
     * on 1 and 3 threads too.
     */
    @Test
    void activationBackwardWithBias() {
        SplittableRandom r = new SplittableRandom(3);
        try (Arena a = Arena.ofShared(); Execution three = Execution.withThreads(3)) { // shared: the tasks run on several threads
            for (DType t : DTYPES) {
                for (long plane : new long[] {1, lanes(t) + 1, 257, 700}) {
                    for (Epilogue e : List.of(Epilogue.NONE, Epilogue.relu(), Epilogue.tanh(), Epilogue.gelu())) {
                        boolean fromOutput = e.activation().derivativeFromOutput();
                        Tensor x = at(a, t, 1, 3, 4, plane), y = at(a, t, 0, 3, 4, plane), gy = at(a, t, 2, 3, 4, plane);
                        fill(x, r, 4, false);
                        fill(gy, r, 1, false);
                        P.activationForward(e, x, null, y);
                        Tensor saved = fromOutput ? y : x;
                        Tensor want = at(a, t, 0, 3, 4, plane), gv = at(a, t, 0, 3, 4, plane), gp = at(a, t, 0, 3, 4, plane);
                        P.activationBackward(e, saved, fromOutput, gy, want);
                        gv.copyFrom(gy);
                        gp.copyFrom(gy);
                        Tensor bv = Tensor.allocate(a, t, 4), bp = Tensor.allocate(a, t, 8).slice(0, 0, 8, 2); // any strides
                        V.activationBackwardWithBias(e, saved, fromOutput, gv, bv);
                        P.activationBackwardWithBias(e, saved, fromOutput, gp, bp);
                        identical(gv, gp, t + " fused " + e);
                        identical(gv, want, t + " fused vs unfused " + e);
                        Tensor gt = at(a, t, 0, 3, 4, plane), bt = Tensor.allocate(a, t, 4);
                        V.activationBackwardWithBias(e, saved, fromOutput, gy, gt, bt, three);
                        identical(gt, gv, t + " out of place, 3 threads " + e);
                        identical(bt, bv, t + " bias gradient, 3 threads " + e);
                        // the bias gradient alone of the same g (what a convolution takes when a max pooling applied f'): the same bits
                        Tensor bg = Tensor.allocate(a, t, 4), bg3 = Tensor.allocate(a, t, 4);
                        V.biasGradient(gv, bg);
                        P.biasGradient(gv, bg3, three);
                        identical(bg, bv, t + " bias gradient alone " + e);
                        identical(bg3, bv, t + " bias gradient alone, 3 threads, portable " + e);
                        for (int c = 0; c < 4; c++) {
                            assertEquals(Double.doubleToLongBits(bv.get(c)), Double.doubleToLongBits(bp.get(c)), "bias gradient " + c);
                            double sum = 0, abs = 0;
                            for (int n = 0; n < 3; n++) {
                                for (long p = 0; p < plane; p++) {
                                    double g = want.get(n, c, p);
                                    sum += g;
                                    abs += Math.abs(g);
                                }
                            }
                            close(bv.get(c), rounded(t, sum), 2 * gamma(3 * plane) * abs + 2 * u(t) * Math.abs(sum), t + " bias grad " + e);
                        }
                    }
                }
            }
        }
    }

    static double gamma(long n) {
        return n * 0x1p-53 / (1 - n * 0x1p-53);
    }

    // ---------------------------------------------------------------- batch normalisation

    /**
     * Statistics within 2 gamma(count) of the sequential double sums (of |x| for the mean, of (x-mean)^2
     * for the variance); normalisation and its backward exactly nn's double formulas given the
     * statistics (one rounding to the dtype), identical on both backends.
     */
    @Test
    void batchNorm() {
        SplittableRandom r = new SplittableRandom(4);
        try (Arena a = Arena.ofConfined()) {
            for (DType t : DTYPES) {
                for (long[] shape : new long[][] {{5, 3}, {2, 3, lanes(t) - 1}, {3, 2, 4, 33}, {2, 2, 300}}) {
                    long nb = shape[0], ch = shape[1], plane = Tensor.numel(shape) / nb / ch, count = nb * plane;
                    Tensor x = at(a, t, 3, shape), gamma = Tensor.allocate(a, t, ch), beta = Tensor.allocate(a, t, ch);
                    fill(x, r, 1, false);
                    for (long i = 0; i < x.numel(); i++) x.setAt(x.offset() + i, 100 + get(x, i)); // a mean far from 0
                    fill(gamma, r, 2, false);
                    fill(beta, r, 2, false);
                    double[] mv = new double[(int) ch], vv = new double[(int) ch], mp = new double[(int) ch], vp = new double[(int) ch];
                    V.batchNormStatistics(x, mv, vv);
                    P.batchNormStatistics(x, mp, vp);
                    double[] inv = new double[(int) ch];
                    for (int c = 0; c < ch; c++) {
                        assertEquals(mp[c], mv[c], 0, "mean");
                        assertEquals(vp[c], vv[c], 0, "variance");
                        double s = 0, abs = 0;
                        for (int n = 0; n < nb; n++) for (int p = 0; p < plane; p++) s += x.getAt(x.offset() + (n * ch + c) * plane + p);
                        close(mp[c], s / count, 2 * gamma(count) * 101, t + " mean");
                        double q = 0;
                        for (int n = 0; n < nb; n++) {
                            for (int p = 0; p < plane; p++) {
                                double d = x.getAt(x.offset() + (n * ch + c) * plane + p) - mp[c];
                                q += d * d;
                            }
                        }
                        close(vp[c], q / count, 2 * gamma(count) * q / count, t + " variance");
                        inv[c] = 1 / Math.sqrt(vp[c] + 1e-5);
                    }
                    Tensor hv = at(a, t, 0, shape), hp = at(a, t, 1, shape), yv = at(a, t, 2, shape), yp = at(a, t, 0, shape);
                    V.batchNormForward(x, mp, inv, gamma, beta, hv, yv);
                    P.batchNormForward(x, mp, inv, gamma, beta, hp, yp);
                    identical(hv, hp, "xhat");
                    identical(yv, yp, "y");
                    Tensor gy = at(a, t, 1, shape), gv = at(a, t, 0, shape), gp = at(a, t, 2, shape);
                    fill(gy, r, 1, false);
                    Tensor ggv = Tensor.allocate(a, t, ch), gbv = Tensor.allocate(a, t, ch), ggp = Tensor.allocate(a, t, ch), gbp = Tensor.allocate(a, t, ch);
                    for (boolean training : new boolean[] {true, false}) {
                        V.batchNormBackward(gy, hp, inv, gamma, training, gv, ggv, gbv);
                        P.batchNormBackward(gy, hp, inv, gamma, training, gp, ggp, gbp);
                        identical(gv, gp, "gx");
                        identical(ggv, ggp, "dgamma");
                        identical(gbv, gbp, "dbeta");
                        for (int c = 0; c < ch; c++) {
                            double sg = 0, sgh = 0, abs = 0;
                            for (int n = 0; n < nb; n++) {
                                for (int p = 0; p < plane; p++) {
                                    long e = (n * ch + c) * plane + p;
                                    double g = get(gy, e), h = get(hp, e);
                                    sg += g;
                                    sgh += g * h;
                                    abs += Math.abs(g) * (1 + Math.abs(h));
                                    // forward, nn's formulas
                                    double hh = (get(x, e) - mp[c]) * inv[c];
                                    assertEquals(rounded(t, hh), get(hp, e), 0, "xhat");
                                    assertEquals(rounded(t, hh * gamma.get(c) + beta.get(c)), get(yp, e), 0, "y");
                                }
                            }
                            close(ggp.get(c), rounded(t, sgh), 2 * gamma(count) * abs + 2 * u(t) * Math.abs(sgh), "dgamma");
                            close(gbp.get(c), rounded(t, sg), 2 * gamma(count) * abs + 2 * u(t) * Math.abs(sg), "dbeta");
                            double scale = gamma.get(c) * inv[c], mg = gbp.get(c) / count, mgh = ggp.get(c) / count;
                            if (t == DType.F64) {
                                for (int n = 0; n < nb; n++) {
                                    for (int p = 0; p < plane; p++) {
                                        long e = (n * ch + c) * plane + p;
                                        double g = get(gy, e), want = training ? ((g - mg) - get(hp, e) * mgh) * scale : g * scale;
                                        assertEquals(want, get(gp, e), 0, "gx");
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- softmax, dropout

    /**
     * Softmax over dimension 1: e = exp(x - max) errs by 1 ulp plus |x - max| u from rounding its
     * argument, the division and the rounding to the dtype by 1 ulp more; the two double sums of C
     * positive terms differ by at most 2 gamma(C) relative: (4 + |x - max|) u + 2 gamma(C). The backward in
     * double from the same y: the dot products within 2 gamma(C) sum |gy y| (double u), the two roundings
     * of each side 4 u.
     */
    @Test
    void softmax() {
        SplittableRandom r = new SplittableRandom(5);
        try (Arena a = Arena.ofConfined()) {
            for (DType t : DTYPES) {
                List<long[]> shapes = new ArrayList<>();
                for (long c : lengths(t)) if (c > 0) shapes.add(new long[] {3, c});
                shapes.add(new long[] {2, 5, 3});
                shapes.add(new long[] {2, 7, lanes(t) + 3});
                shapes.add(new long[] {1, 4, 2, 2 * lanes(t) + 1});
                for (long[] s : shapes) {
                    long outer = s[0], classes = s[1], inner = Tensor.numel(s) / outer / classes;
                    Tensor x = at(a, t, 1, s), yv = at(a, t, 0, s), yp = at(a, t, 2, s), gy = at(a, t, 1, s), gv = at(a, t, 0, s), gp = at(a, t, 0, s);
                    fill(x, r, 10, false);
                    fill(gy, r, 1, false);
                    V.softmaxForward(x, yv);
                    P.softmaxForward(x, yp);
                    identical(yv, yp, t + " softmax " + java.util.Arrays.toString(s));
                    V.softmaxBackward(yp, gy, gv);
                    P.softmaxBackward(yp, gy, gp);
                    identical(gv, gp, t + " softmax backward " + java.util.Arrays.toString(s));
                    for (long n = 0; n < outer; n++) {
                        for (long p = 0; p < inner; p++) {
                            long base = n * classes * inner + p;
                            double max = Double.NEGATIVE_INFINITY, sum = 0, dot = 0, absDot = 0;
                            for (long k = 0; k < classes; k++) max = Math.max(max, get(x, base + k * inner));
                            for (long k = 0; k < classes; k++) sum += Math.exp(get(x, base + k * inner) - max);
                            for (long k = 0; k < classes; k++) {
                                long e = base + k * inner;
                                double gap = max - get(x, e), ref = Math.exp(-gap) / sum;
                                close(get(yp, e), ref, ((4 + gap) * u(t) + 2 * gamma(classes)) * ref + tiny(t), t + " softmax");
                                dot += get(gy, e) * get(yp, e);
                                absDot += Math.abs(get(gy, e) * get(yp, e));
                            }
                            for (long k = 0; k < classes; k++) {
                                long e = base + k * inner;
                                double y = get(yp, e), ref = y * (get(gy, e) - dot);
                                close(get(gp, e), ref, 4 * u(t) * Math.abs(ref) + Math.abs(y) * 2 * gamma(classes) * absDot + tiny(t), t + " softmax grad");
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void multiplyIsOneRounding() {
        SplittableRandom r = new SplittableRandom(6);
        try (Arena a = Arena.ofConfined()) {
            for (DType t : DTYPES) {
                for (long n : lengths(t)) {
                    Tensor m = at(a, t, 1, n), x = at(a, t, 0, n), yv = at(a, t, 2, n), yp = at(a, t, 0, n);
                    for (long i = 0; i < n; i++) m.setAt(m.offset() + i, r.nextInt(5) == 0 ? 0 : 1 / 0.8); // dropout mask, p = 0.2
                    fill(x, r, 3, true);
                    V.multiply(m, x, yv);
                    P.multiply(m, x, yp);
                    identical(yv, yp, "multiply");
                    for (long i = 0; i < n; i++) assertEquals(rounded(t, get(m, i) * get(x, i)), get(yp, i), 0, "multiply");
                }
            }
        }
    }

    // ---------------------------------------------------------------- losses

    /**
     * MSE: d = p - t rounded to the dtype, squared and summed in double: the mean within 2 gamma(n) of the
     * sequential sum of the same d^2 (double u); its gradient exactly 2 d / n in the dtype.
     * BCE: each term in the dtype from exp, log1p (within 3 ulp) and three operations: 6 u (|x| + |x t| +
     * log 2) per term; the gradient from sigmoid (3 ulp), a subtraction and a division, and the reference's
     * own 2 ulp: 8 u (|sigmoid| + |t|) / n.
     */
    @Test
    void elementwiseLosses() {
        SplittableRandom r = new SplittableRandom(7);
        try (Arena a = Arena.ofConfined()) {
            for (DType t : DTYPES) {
                for (long n : lengths(t)) {
                    if (n == 0) continue;
                    Tensor p = at(a, t, 1, n), tg = at(a, t, 2, n), gv = at(a, t, 0, n), gp = at(a, t, 3, n);
                    fill(p, r, 6, false);
                    fill(tg, r, 1, false);
                    double mv = V.mse(p, tg, gv), mp = P.mse(p, tg, gp);
                    assertEquals(Double.doubleToLongBits(mp), Double.doubleToLongBits(mv), "mse");
                    identical(gv, gp, "mse grad");
                    double sq = 0;
                    for (long i = 0; i < n; i++) {
                        double d = rounded(t, get(p, i) - get(tg, i));
                        sq += d * d;
                        assertEquals(rounded(t, rounded(t, 2 * d) / rounded(t, n)), get(gp, i), 0, "mse grad");
                    }
                    close(mp, sq / n, 2 * gamma(n) * sq / n, t + " mse");
                    for (long i = 0; i < n; i++) tg.setAt(tg.offset() + i, r.nextDouble()); // targets in [0, 1]
                    double bv = V.bceWithLogits(p, tg, gv), bp = P.bceWithLogits(p, tg, gp);
                    assertEquals(Double.doubleToLongBits(bp), Double.doubleToLongBits(bv), "bce");
                    identical(gv, gp, "bce grad");
                    double sum = 0, bound = 0;
                    for (long i = 0; i < n; i++) {
                        double x = get(p, i), y = get(tg, i);
                        sum += Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x)));
                        bound += 6 * u(t) * (Math.abs(x) + Math.abs(x * y) + 0.7);
                        double s = Reference.sigmoid(x);
                        close(get(gp, i), (s - y) / n, 8 * u(t) * (s + y) / n + tiny(t), t + " bce grad");
                    }
                    close(bp, sum / n, bound / n + 2 * gamma(n) * sum / n, t + " bce");
                }
            }
        }
    }

    /**
     * Softmax cross-entropy: per row the sum of e = exp(x - max) errs by (2 + gap) u + 2 gamma(K) relative
     * (gap = the largest x - max; the double sums of both sides), so log(sum) by as much absolutely, and
     * max + log(sum) - x[label] rounds by 2 u (|max| + |log sum| + |x[label]|) (double u); the gradient
     * (p - onehot)/N by ((3 + gap) u + 2 gamma(K)) p / N plus two roundings.
     */
    @Test
    void softmaxCrossEntropy() {
        SplittableRandom r = new SplittableRandom(8);
        try (Arena a = Arena.ofConfined()) {
            for (DType t : DTYPES) {
                for (long k : lengths(t)) {
                    if (k == 0) continue;
                    long rows = 5;
                    Tensor x = at(a, t, 2, rows, k), gv = at(a, t, 0, rows, k), gp = at(a, t, 1, rows, k), labels = Tensor.allocate(a, DType.F64, rows);
                    fill(x, r, 8, false);
                    for (long n = 0; n < rows; n++) labels.set(r.nextInt((int) k), n);
                    double lv = V.softmaxCrossEntropy(x, labels, gv), lp = P.softmaxCrossEntropy(x, labels, gp);
                    assertEquals(Double.doubleToLongBits(lp), Double.doubleToLongBits(lv), "cross-entropy");
                    identical(gv, gp, "cross-entropy grad");
                    double total = 0, bound = 0;
                    for (long n = 0; n < rows; n++) {
                        double max = Double.NEGATIVE_INFINITY, sum = 0, gap = 0;
                        for (long j = 0; j < k; j++) max = Math.max(max, x.get(n, j));
                        for (long j = 0; j < k; j++) {
                            sum += Math.exp(x.get(n, j) - max);
                            gap = Math.max(gap, max - x.get(n, j));
                        }
                        int label = (int) labels.get(n);
                        total += max + Math.log(sum) - x.get(n, label);
                        bound += (3 + gap) * u(t) + 2 * gamma(k) + 0x1p-52 * (Math.abs(max) + Math.abs(Math.log(sum)) + Math.abs(x.get(n, label)));
                        for (long j = 0; j < k; j++) {
                            double pj = Math.exp(x.get(n, j) - max) / sum, ref = (pj - (j == label ? 1 : 0)) / rows;
                            close(gp.get(n, j), ref, (((3 + gap) * u(t) + 2 * gamma(k)) * pj + 2 * u(t) * Math.abs(ref * rows)) / rows + tiny(t),
                                    t + " cross-entropy grad");
                        }
                    }
                    close(lp, total / rows, bound / rows, t + " cross-entropy");
                }
            }
        }
    }

    // ---------------------------------------------------------------- optimizers

    /**
     * SGD and Adam in the dtype against the same formulas in double, one step at a time from the same
     * state: each of the handful of operations rounds once, 8 u of the magnitudes involved.
     */
    @Test
    void optimizers() {
        SplittableRandom r = new SplittableRandom(9);
        try (Arena a = Arena.ofConfined()) {
            for (DType t : DTYPES) {
                for (long n : lengths(t)) {
                    Tensor w = at(a, t, 1, n), g = at(a, t, 0, n), buf = at(a, t, 2, n);
                    fill(w, r, 1, false);
                    fill(g, r, 1, false);
                    fill(buf, r, 1, false);
                    for (boolean first : new boolean[] {true, false}) {
                        for (double mu : new double[] {0, 0.9}) {
                            Tensor wv = copy(a, w), bv = copy(a, buf), wp = copy(a, w), bp = copy(a, buf);
                            V.sgd(wv, g, bv, 0.1, mu, 0.01, first);
                            P.sgd(wp, g, bp, 0.1, mu, 0.01, first);
                            identical(wv, wp, "sgd w");
                            identical(bv, bp, "sgd buf");
                            for (long i = 0; i < n; i++) {
                                double wi = get(w, i), d = get(g, i) + 0.01 * wi;
                                double b = mu == 0 ? get(buf, i) : first ? d : mu * get(buf, i) + d;
                                double step = mu == 0 ? d : b;
                                close(get(bp, i), b, 8 * u(t) * (Math.abs(b) + Math.abs(d) + Math.abs(get(buf, i))), "sgd buf");
                                close(get(wp, i), wi - 0.1 * step, 8 * u(t) * (Math.abs(wi) + 0.1 * (Math.abs(b) + Math.abs(d) + Math.abs(get(buf, i)))), "sgd w");
                            }
                        }
                    }
                    Tensor m = at(a, t, 1, n), v = at(a, t, 3, n);
                    fill(m, r, 0.1, false);
                    for (long i = 0; i < n; i++) v.setAt(v.offset() + i, r.nextDouble(0, 0.01));
                    for (boolean decoupled : new boolean[] {false, true}) {
                        AdamStep st = new AdamStep(1e-3, 0.9, 0.999, 1e-8, 0.01, decoupled, 3);
                        Tensor wv = copy(a, w), mv = copy(a, m), vv = copy(a, v), wp = copy(a, w), mp = copy(a, m), vp = copy(a, v);
                        V.adam(wv, g, mv, vv, st);
                        P.adam(wp, g, mp, vp, st);
                        identical(wv, wp, "adam w");
                        identical(mv, mp, "adam m");
                        identical(vv, vp, "adam v");
                        for (long i = 0; i < n; i++) {
                            double wi = get(w, i), gi = get(g, i);
                            if (decoupled) wi *= 1 - 1e-3 * 0.01;
                            else gi += 0.01 * wi;
                            double mi = 0.9 * get(m, i) + 0.1 * gi, vi = 0.999 * get(v, i) + 0.001 * gi * gi;
                            double den = Math.sqrt(vi) / Math.sqrt(1 - Math.pow(0.999, 3)) + 1e-8, upd = st.stepSize() * mi / den;
                            close(get(mp, i), mi, 8 * u(t) * (Math.abs(mi) + Math.abs(gi)), "adam m");
                            close(get(vp, i), vi, 8 * u(t) * (vi + gi * gi), "adam v");
                            close(get(wp, i), wi - upd, 8 * u(t) * (Math.abs(wi) + Math.abs(upd)), "adam w");
                        }
                    }
                }
            }
        }
    }

    static Tensor copy(Arena a, Tensor t) {
        Tensor c = at(a, t.dtype(), 1, t.shape());
        c.copyFrom(t);
        return c;
    }

    // ---------------------------------------------------------------- special values and determinism

    @Test
    void specialValuesInSoftmaxAndLosses() {
        try (Arena a = Arena.ofConfined()) {
            for (ElementwiseKernels k : List.of(V, P)) {
                for (DType t : DTYPES) {
                    // a NaN row and an all -inf row give NaN rows; a +inf logit dominates nothing else
                    Tensor x = Tensor.of(new double[] {1, Double.NaN, 3, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY,
                        1e30, -1e30, 0}, 3, 3).to(a, t);
                    Tensor y = Tensor.allocate(a, t, 3, 3);
                    k.softmaxForward(x, y);
                    for (int j = 0; j < 3; j++) {
                        assertTrue(Double.isNaN(y.get(0, j)) && Double.isNaN(y.get(1, j)), k + " softmax NaN rows");
                    }
                    assertEquals(1, y.get(2, 0));
                    assertEquals(0, y.get(2, 1));
                    // BCE with huge logits stays finite (the stable form), its gradient saturates
                    Tensor logits = Tensor.of(new double[] {1000, -1000, 80, -80}, 4).to(a, t), tgt = Tensor.of(new double[] {0, 1, 1, 0}, 4).to(a, t);
                    Tensor g = Tensor.allocate(a, t, 4);
                    double loss = k.bceWithLogits(logits, tgt, g);
                    assertEquals(2000.0 / 4, loss, 1e-4, k + " " + t + " bce");
                    assertEquals(0.25, g.get(0), 0);
                    assertEquals(-0.25, g.get(1), 0);
                    // cross-entropy with huge logits
                    Tensor big = Tensor.of(new double[] {1e30, 0, -1e30, 1e30}, 2, 2).to(a, t), lab = Tensor.of(new double[] {1, 1}, 2);
                    Tensor gb = Tensor.allocate(a, t, 2, 2);
                    assertEquals(rounded(t, 1e30) / 2, k.softmaxCrossEntropy(big, lab, gb), 1e22, k + " " + t + " cross-entropy");
                }
            }
        }
    }

    /**
     * The order of a sum is independent of how its terms are handed over: one run, or the same terms
     * cut into runs at random places, give the same bits on both backends.
     */
    @Test
    void sumsDoNotDependOnRunBoundaries() {
        SplittableRandom r = new SplittableRandom(10);
        try (Arena a = Arena.ofConfined()) {
            for (DType t : DTYPES) {
                Tensor x = at(a, t, 1, 3001);
                fill(x, r, 1e3, false);
                for (ElementwiseKernels k : List.of(V, P)) {
                    ElementwiseEngine e = k.engine(t);
                    OrderedSum whole = new OrderedSum();
                    e.sum(x.segment(), x.offset(), 3001, whole);
                    double expected = whole.value();
                    OrderedSum other = new OrderedSum();
                    (k == V ? P : V).engine(t).sum(x.segment(), x.offset(), 3001, other);
                    assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(other.value()), t + " vector vs portable");
                    for (int trial = 0; trial < 20; trial++) {
                        OrderedSum cut = new OrderedSum();
                        for (long i = 0; i < 3001; ) {
                            long len = Math.min(3001 - i, r.nextInt(1, 300));
                            if (r.nextBoolean()) e.sum(x.segment(), x.offset() + i, len, cut);
                            else for (long j = i; j < i + len; j++) cut.add(get(x, j));
                            i += len;
                        }
                        assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(cut.value()), k + " " + t + " trial " + trial);
                    }
                }
            }
        }
    }

    /**
     * The heap-array entry points ({@link ElementwiseEngine#activationForward(Epilogue, float[], int,
     * java.lang.foreign.MemorySegment, long, int, double, boolean)} and {@code activationInPlace}, which the
     * convolutions' stores use instead of heap segments) give the bits of the segment path, on both backends,
     * for every activation, with and without a bias, at every tail length, from an offset into the array; the
     * values include -0.0, NaN, infinities and subnormals (every NaN one value, as in {@link #identical}).
     */
    @Test
    void heapArrayActivationsGiveTheSegmentPathsBits() {
        SplittableRandom r = new SplittableRandom(12);
        double[] special = {-0.0, 0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e-40, -1e-310, 6.0, 0.5};
        try (Arena a = Arena.ofConfined()) {
            for (DType t : DTYPES) {
                for (long n : lengths(t)) {
                    int len = (int) n, off = 3;
                    double[] v = new double[len + off];
                    for (int i = 0; i < v.length; i++) v[i] = r.nextInt(4) == 0 ? special[r.nextInt(special.length)] : r.nextDouble(-8, 8);
                    Tensor src = at(a, t, 0, len + off);
                    for (int i = 0; i < v.length; i++) src.setAt(i, v[i]);
                    for (ElementwiseKernels k : List.of(V, P)) {
                        ElementwiseEngine e = k.engine(t);
                        for (Epilogue f : EPILOGUES) {
                            for (boolean hasBias : new boolean[] {false, true}) {
                                double bias = hasBias ? -0.75 : 0;
                                String what = k + " " + t + " " + f + " bias " + hasBias + " length " + len;
                                Tensor expected = at(a, t, 0, len + off), fromArray = at(a, t, 0, len + off);
                                e.activationForward(f, src.segment(), src.offset() + off, expected.segment(), expected.offset() + off, len, bias, hasBias);
                                if (t == DType.F32) {
                                    float[] x = new float[len + off], y = new float[len + off];
                                    for (int i = 0; i < x.length; i++) x[i] = (float) v[i];
                                    e.activationForward(f, x, off, fromArray.segment(), fromArray.offset() + off, len, bias, hasBias);
                                    System.arraycopy(x, 0, y, 0, x.length);
                                    e.activationInPlace(f, y, off, len, (float) bias, hasBias);
                                    for (int i = off; i < len + off; i++) {
                                        assertEquals(Float.floatToIntBits((float) expected.getAt(i)), Float.floatToIntBits(y[i]), what + " in place, element " + i);
                                    }
                                } else {
                                    double[] x = v.clone(), y = v.clone();
                                    e.activationForward(f, x, off, fromArray.segment(), fromArray.offset() + off, len, bias, hasBias);
                                    e.activationInPlace(f, y, off, len, bias, hasBias);
                                    for (int i = off; i < len + off; i++) {
                                        assertEquals(Double.doubleToLongBits(expected.getAt(i)), Double.doubleToLongBits(y[i]), what + " in place, element " + i);
                                    }
                                }
                                identical(fromArray, expected, what + " from an array");
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Passes cut over threads (tensors of at least {@link ElementwiseKernels#PARALLEL_ELEMENTS} elements) give the
     * calling thread's bits at 2 and 3 threads: activations without and with a per-channel bias, and the binary
     * operations; sizes that leave a part short of a whole block.
     */
    @Test
    void largePassesGiveTheSameBitsOnEveryThreadCount() {
        SplittableRandom r = new SplittableRandom(13);
        try (Arena a = Arena.ofShared(); Execution two = Execution.withThreads(2); Execution three = Execution.withThreads(3)) {
            for (DType t : DTYPES) {
                long[] shape = {3, 7, (ElementwiseKernels.PARALLEL_ELEMENTS + 77) / 21 + 5};
                Tensor x = at(a, t, 1, shape), y = at(a, t, 1, shape), bias = at(a, t, 0, 7);
                fill(x, r, 4, true);
                fill(y, r, 4, true);
                fill(bias, r, 1, false);
                for (Epilogue f : List.of(Epilogue.relu(), Epilogue.gelu())) {
                    for (Tensor b : new Tensor[] {null, bias}) {
                        Tensor serial = at(a, t, 0, shape);
                        V.activationForward(f, x, b, serial);
                        for (Execution ex : new Execution[] {two, three}) {
                            Tensor cut = at(a, t, 0, shape);
                            V.activationForward(f, x, b, cut, ex);
                            identical(cut, serial, t + " " + f + (b == null ? "" : " with bias") + " at " + ex.threads() + " threads");
                        }
                    }
                }
                for (BinaryOp op : BinaryOp.values()) {
                    Tensor serial = at(a, t, 0, shape);
                    V.binary(op, x, y, serial);
                    for (Execution ex : new Execution[] {two, three}) {
                        Tensor cut = at(a, t, 0, shape);
                        V.binary(op, x, y, cut, ex);
                        identical(cut, serial, t + " " + op + " at " + ex.threads() + " threads");
                    }
                }
            }
        }
    }
}
