package dev.vecnn.kernel.elementwise;

import dev.vecnn.conv.Activation;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The double elementwise kernels in plain Java (no {@code jdk.incubator.vector}), and the scalar math
 * every double elementwise path shares: {@link #exp}, {@link #tanh}, {@link #sigmoid}, {@link #gelu},
 * {@link #log1pUnit}, {@link #activate} and {@link #backward}. The Vector API kernels
 * ({@code VectorElementwiseF64}) perform the same operations in the same order lane by lane, so both
 * give the same bits, in every JIT tier: only IEEE add, multiply, divide, sqrt, fused multiply-add,
 * min/max, comparisons and integer bit operations, no library transcendental.
 *
 * <p>exp: Cody-Waite reduction x = n ln2 + r (n = rint(x/ln2) by the 1.5*2^p shifter, r by two fused
 * multiply-adds with ln2 split in two), e^r = 1 + r q(r) with q the Taylor polynomial of (e^r-1)/r
 * (degree 12 for f64, 7 for f32; truncation below 0.1 ulp on |r| &lt;= ln2/2), times 2^n applied as two
 * exact power-of-two factors (so results in the subnormal range are rounded once and e^x overflows to
 * infinity exactly where it should). Inputs are clamped to [-746, 710] (f64) / [-104, 89] (f32), outside
 * of which the result is 0 or infinity anyway; NaN propagates.
 *
 * <p>GENERATED from core/src/template/ElementwisePortable.java.in by dev.vecnn.codegen.KernelTemplates;
 * edit the template, not this file.
 */
public final class PortableElementwiseF64 implements ElementwiseEngine {
    /** The kernels. */
    public static final PortableElementwiseF64 INSTANCE = new PortableElementwiseF64();

    private PortableElementwiseF64() {
    }

    static final ValueLayout.OfDouble LAYOUT = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    static final boolean WIDE = 8 == 8;

    static final double ONE = 1, HALF = (double) 0.5;
    static final double LOG2E = (double) 1.4426950408889634;
    /** 1.5 * 2^(mantissa bits): adding it rounds to an integer kept in the low bits. */
    static final double SHIFT = (double) (WIDE ? 0x1.8p52 : 0x1.8p23);
    static final long SHIFT_BITS = Double.doubleToRawLongBits(SHIFT);
    /** -ln2 split: NLN2_HI = -ln2 rounded, NLN2_LO the rest. */
    static final double NLN2_HI = (double) -0.6931471805599453;
    static final double NLN2_LO = (double) (WIDE ? -2.3190468138462996e-17 : -(0.6931471805599453 - (double) (float) 0.6931471805599453));
    static final double LN2_HI = -NLN2_HI, LN2_LO = -NLN2_LO;
    static final long BIAS = WIDE ? 1023 : 127;
    static final int MANT = WIDE ? 52 : 23;
    static final long SIGN = (long) 1 << (8 * 8 - 1);
    static final double EXP_LO = WIDE ? -746 : -104, EXP_HI = WIDE ? 710 : 89;
    /** |x| beyond which tanh(x) rounds to +-1. */
    static final double TANH_CLAMP = WIDE ? 20 : 10;
    static final double SQRT2 = (double) 1.4142135623730951;
    /** 2 sqrt(2/pi), 0.044715 and 3 * 0.044715 (GELU, tanh form). */
    static final double GELU_K = (double) 1.5957691216057308, GELU_A = (double) 0.044715, GELU_A3 = (double) 0.134145;
    /** EXPQ[k] = 1/(k+1)!: q(r) = (e^r - 1)/r. */
    static final double[] EXPQ = new double[WIDE ? 13 : 8];
    /** LOGR[j] = 2/(2j+3): log(1+f) = 2s + s R(s^2), R(z) = z sum_j LOGR[j] z^j, s = f/(2+f), |s| &lt;= 0.1716. */
    static final double[] LOGR = new double[WIDE ? 10 : 4];

    static {
        double fact = 1;
        for (int k = 0; k < EXPQ.length; k++) {
            fact *= k + 1;
            EXPQ[k] = (double) (1 / fact);
        }
        for (int j = 0; j < LOGR.length; j++) LOGR[j] = (double) (2.0 / (2 * j + 3));
    }

    @Override
    public DType dtype() {
        return DType.F64;
    }

    // ---------------------------------------------------------------- scalar math

    /** Horner: c[0] + r (c[1] + r (...)), with fused multiply-adds. */
    static double poly(double r, double[] c) {
        double q = c[c.length - 1];
        for (int k = c.length - 2; k >= 0; k--) q = Math.fma(q, r, c[k]);
        return q;
    }

    /** e^x; see the class comment. */
    public static double exp(double x) {
        double xc = Math.min(Math.max(x, EXP_LO), EXP_HI);
        double t = Math.fma(xc, LOG2E, SHIFT);
        double n = t - SHIFT;
        long ni = Double.doubleToRawLongBits(t) - SHIFT_BITS;
        double r = Math.fma(n, NLN2_HI, xc);
        r = Math.fma(n, NLN2_LO, r);
        double er = Math.fma(poly(r, EXPQ), r, ONE);
        long k1 = ni >> 1;
        return er * Double.longBitsToDouble((k1 + BIAS) << MANT) * Double.longBitsToDouble((ni - k1 + BIAS) << MANT);
    }

    /** tanh(x) = sign(x) (-m / (2 + m)) with m = expm1(-2|x|) = 2^n (r q(r)) + (2^n - 1); |x| clamped where tanh rounds to 1. */
    public static double tanh(double x) {
        double a = Math.min(Math.abs(x), TANH_CLAMP);
        double t = a * -2;
        double tt = Math.fma(t, LOG2E, SHIFT);
        double n = tt - SHIFT;
        long ni = Double.doubleToRawLongBits(tt) - SHIFT_BITS;
        double r = Math.fma(n, NLN2_HI, t);
        r = Math.fma(n, NLN2_LO, r);
        double p = poly(r, EXPQ) * r;
        double s = Double.longBitsToDouble((ni + BIAS) << MANT);
        double em = Math.fma(s, p, s - 1);
        return Math.copySign(-em / (em + 2), x);
    }

    /** 1/(1+e) for x &gt;= 0, e/(1+e) for x &lt; 0, with e = e^-|x|. */
    public static double sigmoid(double x) {
        double e = exp(-Math.abs(x));
        double d = 1 + e;
        return (x >= 0 ? ONE : e) / d;
    }

    /** GELU, tanh form, as x sigmoid(z), z = 2 sqrt(2/pi) x (1 + 0.044715 x^2). */
    public static double gelu(double x) {
        double z = (GELU_K * x) * Math.fma(GELU_A, x * x, ONE);
        return x * sigmoid(z);
    }

    /** d gelu / dx = s + x s (1-s) z', s = sigmoid(z), 1-s = sigmoid(-z) computed directly, z' = 2 sqrt(2/pi) (1 + 3*0.044715 x^2). */
    public static double geluDerivative(double x) {
        double x2 = x * x;
        double z = (GELU_K * x) * Math.fma(GELU_A, x2, ONE);
        double e = exp(-Math.abs(z));
        double inv = 1 / (1 + e);
        double em = e * inv;
        boolean pos = z >= 0;
        double s = pos ? inv : em, sm = pos ? em : inv;
        return Math.fma(x * (s * sm), GELU_K * Math.fma(GELU_A3, x2, ONE), s);
    }

    /**
     * log(1 + u) for u in [0, 1] (BCE's log1p(e^-|x|)): m = 1 + u with its rounding error c = (u - (m-1))/m
     * added back, m = 2^k (1 + f) with k in {0, 1}, log(1+f) = f - (f^2/2 - s (f^2/2 + R)) (fdlibm's form).
     */
    public static double log1pUnit(double u) {
        double m = 1 + u;
        double c = (u - (m - 1)) / m;
        boolean big = m > SQRT2;
        double f = big ? m * HALF - 1 : m - 1;
        double k = big ? ONE : 0;
        double s = f / (2 + f);
        double z = s * s;
        double rr = z * poly(z, LOGR);
        double hfsq = HALF * f * f;
        double lg = f - (hfsq - s * (hfsq + rr));
        return k * LN2_HI + (lg + (c + k * LN2_LO));
    }

    /**
     * The activation of one value: {@code p = param1(e)}, {@code q = param2(e)} (leaky: p = alpha; clip:
     * [p, q]; hard sigmoid: p = 1/alpha, q = beta/alpha, f = min(max(v + q, 0), p) / p).
     */
    public static double activate(Activation kind, double v, double p, double q) {
        return switch (kind) {
            case IDENTITY -> v;
            case RELU -> relu(v);
            case LEAKY_RELU -> leakyRelu(v, p);
            case SIGMOID -> sigmoid(v);
            case TANH -> tanh(v);
            case GELU -> gelu(v);
            case HARD_SIGMOID -> hardSigmoid(v, p, q);
            case HARD_SWISH -> hardSwish(v);
            case CLIP -> clip(v, p, q);
        };
    }

    /** max(v, 0); NaN stays NaN. */
    public static double relu(double v) {
        return Math.max(v, 0);
    }

    /** v for v &gt; 0, else alpha v. */
    public static double leakyRelu(double v, double alpha) {
        return v > 0 ? v : alpha * v;
    }

    /** min(max(v + q, 0), p) / p with p = 1/alpha, q = beta/alpha. */
    public static double hardSigmoid(double v, double p, double q) {
        return Math.min(Math.max(v + q, 0), p) / p;
    }

    /** v min(max(v + 3, 0), 6) / 6. */
    public static double hardSwish(double v) {
        return v * Math.min(Math.max(v + 3, 0), 6) / 6;
    }

    /** min(max(v, lo), hi). */
    public static double clip(double v, double lo, double hi) {
        return Math.min(Math.max(v, lo), hi);
    }

    /** First forward parameter of {@link #activate}. */
    public static double param1(Epilogue e) {
        return switch (e.activation()) {
            case LEAKY_RELU, CLIP -> (double) e.alpha();
            case HARD_SIGMOID -> (double) (1 / e.alpha());
            default -> 0;
        };
    }

    /** Second forward parameter of {@link #activate}. */
    public static double param2(Epilogue e) {
        return switch (e.activation()) {
            case CLIP -> (double) e.beta();
            case HARD_SIGMOID -> (double) (e.beta() / e.alpha());
            default -> 0;
        };
    }

    /**
     * {@code gy * f'} at s = the output y (SIGMOID, TANH) or the input x (GELU, HARD_SWISH); RELU,
     * LEAKY_RELU (alpha &gt;= 0 from y), CLIP and HARD_SIGMOID take either, with {@link #grad1} and
     * {@link #grad2} giving the bounds of the side used. Zeros are selected, not multiplied.
     */
    public static double backward(Activation kind, double s, double gy, double p, double q, double r) {
        return switch (kind) {
            case IDENTITY -> gy;
            case RELU -> reluBackward(s, gy);
            case LEAKY_RELU -> leakyReluBackward(s, gy, p);
            case SIGMOID -> sigmoidBackward(s, gy);
            case TANH -> tanhBackward(s, gy);
            case GELU -> gy * geluDerivative(s);
            case HARD_SIGMOID -> hardSigmoidBackward(s, gy, p, q, r);
            case HARD_SWISH -> hardSwishBackward(s, gy);
            case CLIP -> clipBackward(s, gy, p, q);
        };
    }

    /** 0 for s &lt;= 0, else gy (also for NaN). */
    public static double reluBackward(double s, double gy) {
        return s <= 0 ? 0 : gy;
    }

    /** gy for s &gt; 0, else gy alpha. */
    public static double leakyReluBackward(double s, double gy, double alpha) {
        return s > 0 ? gy : gy * alpha;
    }

    /** gy (1 - y) y. */
    public static double sigmoidBackward(double y, double gy) {
        return gy * (1 - y) * y;
    }

    /** gy fma(-y, y, 1). */
    public static double tanhBackward(double y, double gy) {
        return gy * Math.fma(-y, y, ONE);
    }

    /** gy slope for lo &lt; s &lt; hi, else 0 (also NaN). */
    public static double hardSigmoidBackward(double s, double gy, double lo, double hi, double slope) {
        return s > lo && s < hi ? gy * slope : 0;
    }

    /** 0 for x &lt; -3, gy (x/3 + 1/2) for x &lt;= 3, else gy (also NaN). */
    public static double hardSwishBackward(double x, double gy) {
        return x < -3 ? 0 : x <= 3 ? gy * (x / 3 + HALF) : gy;
    }

    /** 0 for s &lt;= lo or s &gt;= hi, else gy (also NaN). */
    public static double clipBackward(double s, double gy, double lo, double hi) {
        return s <= lo || s >= hi ? 0 : gy;
    }

    /** First backward parameter: leaky alpha; clip min; hard sigmoid's lower bound (-beta/alpha on x, 0 on y). */
    public static double grad1(Epilogue e, boolean fromOutput) {
        return switch (e.activation()) {
            case LEAKY_RELU, CLIP -> (double) e.alpha();
            case HARD_SIGMOID -> fromOutput ? 0 : (double) (-e.beta() / e.alpha());
            default -> 0;
        };
    }

    /** Second backward parameter: clip max; hard sigmoid's upper bound ((1-beta)/alpha on x, 1 on y). */
    public static double grad2(Epilogue e, boolean fromOutput) {
        return switch (e.activation()) {
            case CLIP -> (double) e.beta();
            case HARD_SIGMOID -> fromOutput ? 1 : (double) ((1 - e.beta()) / e.alpha());
            default -> 0;
        };
    }

    /** Third backward parameter: hard sigmoid's slope alpha. */
    public static double grad3(Epilogue e) {
        return e.activation() == Activation.HARD_SIGMOID ? (double) e.alpha() : 0;
    }

    /** Whether the backward from the input first recomputes the output (SIGMOID, TANH). */
    static boolean recomputes(Activation kind, boolean fromOutput) {
        return !fromOutput && (kind == Activation.SIGMOID || kind == Activation.TANH);
    }

    // ---------------------------------------------------------------- kernels

    private static double get(MemorySegment s, long i) {
        return s.getAtIndex(LAYOUT, i);
    }

    private static void set(MemorySegment s, long i, double v) {
        s.setAtIndex(LAYOUT, i, v);
    }

    private static double in(MemorySegment x, long i, double b, boolean hasBias) {
        return hasBias ? get(x, i) + b : get(x, i);
    }

    @Override
    public void activationForward(Epilogue f, MemorySegment x, long xo, MemorySegment y, long yo, long len, double bias, boolean hasBias) {
        double p = param1(f), q = param2(f), b = (double) bias;
        // one loop per function (no switch per element), so that the simple ones can be auto-vectorised
        switch (f.activation()) {
            case IDENTITY -> { for (long i = 0; i < len; i++) set(y, yo + i, in(x, xo + i, b, hasBias)); }
            case RELU -> { for (long i = 0; i < len; i++) set(y, yo + i, relu(in(x, xo + i, b, hasBias))); }
            case LEAKY_RELU -> { for (long i = 0; i < len; i++) set(y, yo + i, leakyRelu(in(x, xo + i, b, hasBias), p)); }
            case SIGMOID -> { for (long i = 0; i < len; i++) set(y, yo + i, sigmoid(in(x, xo + i, b, hasBias))); }
            case TANH -> { for (long i = 0; i < len; i++) set(y, yo + i, tanh(in(x, xo + i, b, hasBias))); }
            case GELU -> { for (long i = 0; i < len; i++) set(y, yo + i, gelu(in(x, xo + i, b, hasBias))); }
            case HARD_SIGMOID -> { for (long i = 0; i < len; i++) set(y, yo + i, hardSigmoid(in(x, xo + i, b, hasBias), p, q)); }
            case HARD_SWISH -> { for (long i = 0; i < len; i++) set(y, yo + i, hardSwish(in(x, xo + i, b, hasBias))); }
            case CLIP -> { for (long i = 0; i < len; i++) set(y, yo + i, clip(in(x, xo + i, b, hasBias), p, q)); }
        }
    }

    @Override
    public void activationBackward(Epilogue f, boolean fromOutput, MemorySegment s, long so, MemorySegment gy, long go, MemorySegment gx,
                                   long gxo, long len) {
        double p = grad1(f, fromOutput), q = grad2(f, fromOutput), r = grad3(f);
        boolean recompute = recomputes(f.activation(), fromOutput);
        switch (f.activation()) {
            case IDENTITY -> { for (long i = 0; i < len; i++) set(gx, gxo + i, get(gy, go + i)); }
            case RELU -> { for (long i = 0; i < len; i++) set(gx, gxo + i, reluBackward(get(s, so + i), get(gy, go + i))); }
            case LEAKY_RELU -> { for (long i = 0; i < len; i++) set(gx, gxo + i, leakyReluBackward(get(s, so + i), get(gy, go + i), p)); }
            case SIGMOID -> {
                for (long i = 0; i < len; i++) {
                    double y = recompute ? sigmoid(get(s, so + i)) : get(s, so + i);
                    set(gx, gxo + i, sigmoidBackward(y, get(gy, go + i)));
                }
            }
            case TANH -> {
                for (long i = 0; i < len; i++) {
                    double y = recompute ? tanh(get(s, so + i)) : get(s, so + i);
                    set(gx, gxo + i, tanhBackward(y, get(gy, go + i)));
                }
            }
            case GELU -> { for (long i = 0; i < len; i++) set(gx, gxo + i, get(gy, go + i) * geluDerivative(get(s, so + i))); }
            case HARD_SIGMOID -> { for (long i = 0; i < len; i++) set(gx, gxo + i, hardSigmoidBackward(get(s, so + i), get(gy, go + i), p, q, r)); }
            case HARD_SWISH -> { for (long i = 0; i < len; i++) set(gx, gxo + i, hardSwishBackward(get(s, so + i), get(gy, go + i))); }
            case CLIP -> { for (long i = 0; i < len; i++) set(gx, gxo + i, clipBackward(get(s, so + i), get(gy, go + i), p, q)); }
        }
    }

    @Override
    public void sum(MemorySegment x, long xo, long len, OrderedSum acc) {
        double[] blk = acc.block;
        int fill = acc.fill;
        for (long i = 0; i < len; i++) {
            if (fill == OrderedSum.BLOCK) fill = OrderedSum.flush(acc, fill);
            blk[fill++] = get(x, xo + i);
        }
        acc.fill = fill;
    }

    @Override
    public void sumSquaredDeviations(MemorySegment x, long xo, long len, double mean, OrderedSum acc) {
        double[] blk = acc.block;
        int fill = acc.fill;
        for (long i = 0; i < len; i++) {
            if (fill == OrderedSum.BLOCK) fill = OrderedSum.flush(acc, fill);
            double d = get(x, xo + i) - mean;
            blk[fill++] = d * d;
        }
        acc.fill = fill;
    }

    @Override
    public void sumAndDot(MemorySegment a, long ao, MemorySegment b, long bo, long len, OrderedSum sumA, OrderedSum dot) {
        if (sumA != null) sum(a, ao, len, sumA);
        double[] blk = dot.block;
        int fill = dot.fill;
        for (long i = 0; i < len; i++) {
            if (fill == OrderedSum.BLOCK) fill = OrderedSum.flush(dot, fill);
            blk[fill++] = (double) get(a, ao + i) * get(b, bo + i);
        }
        dot.fill = fill;
    }

    @Override
    public void normalize(MemorySegment x, long xo, MemorySegment xhat, long ho, MemorySegment y, long yo, long len, double mean,
                          double invStd, double gamma, double beta) {
        for (long i = 0; i < len; i++) {
            double h = (get(x, xo + i) - mean) * invStd;
            if (xhat != null) set(xhat, ho + i, (double) h);
            set(y, yo + i, (double) (h * gamma + beta));
        }
    }

    @Override
    public void normalizeBackward(MemorySegment g, long go, MemorySegment h, long ho, MemorySegment gx, long gxo, long len, double scale,
                                  double meanG, double meanGH, boolean training) {
        for (long i = 0; i < len; i++) {
            double gv = get(g, go + i);
            double v = training ? ((gv - meanG) - get(h, ho + i) * meanGH) * scale : gv * scale;
            set(gx, gxo + i, (double) v);
        }
    }

    @Override
    public void softmaxForward(MemorySegment x, long xo, MemorySegment y, long yo, long outer, long classes, long inner, OrderedSum acc) {
        for (long n = 0; n < outer; n++) {
            long base = n * classes * inner;
            if (inner == 1) {
                softmaxRow(x, xo + base, y, yo + base, classes, acc);
            } else {
                for (long p = 0; p < inner; p++) softmaxPosition(x, xo + base + p, y, yo + base + p, classes, inner);
            }
        }
    }

    /** Softmax of one contiguous row: max, e = exp(x - max) summed in an {@link OrderedSum}, y = e / sum in double. */
    static void softmaxRow(MemorySegment x, long xo, MemorySegment y, long yo, long classes, OrderedSum acc) {
        double max = rowMax(x, xo, classes);
        acc.reset();
        for (long k = 0; k < classes; k++) {
            double e = exp(get(x, xo + k) - max);
            set(y, yo + k, e);
            acc.add(e);
        }
        double s = acc.value();
        for (long k = 0; k < classes; k++) set(y, yo + k, (double) (get(y, yo + k) / s));
    }

    static double rowMax(MemorySegment x, long xo, long len) {
        double max = Float.NEGATIVE_INFINITY;
        for (long k = 0; k < len; k++) max = Math.max(max, get(x, xo + k));
        return max;
    }

    /** Softmax at one position of a strided block: sum in double in class order. */
    static void softmaxPosition(MemorySegment x, long xo, MemorySegment y, long yo, long classes, long inner) {
        double max = Float.NEGATIVE_INFINITY;
        for (long k = 0; k < classes; k++) max = Math.max(max, get(x, xo + k * inner));
        double sum = 0;
        for (long k = 0; k < classes; k++) {
            double e = exp(get(x, xo + k * inner) - max);
            set(y, yo + k * inner, e);
            sum += e;
        }
        for (long k = 0; k < classes; k++) set(y, yo + k * inner, (double) (get(y, yo + k * inner) / sum));
    }

    @Override
    public void softmaxBackward(MemorySegment y, long yo, MemorySegment gy, long go, MemorySegment gx, long gxo, long outer, long classes,
                                long inner, OrderedSum acc) {
        for (long n = 0; n < outer; n++) {
            long base = n * classes * inner;
            if (inner == 1) {
                sumAndDot(gy, go + base, y, yo + base, classes, null, acc.reset());
                double dot = acc.value();
                for (long k = 0; k < classes; k++) {
                    double yv = get(y, yo + base + k);
                    set(gx, gxo + base + k, (double) (yv * (get(gy, go + base + k) - dot)));
                }
            } else {
                for (long p = 0; p < inner; p++) softmaxGradPosition(y, yo + base + p, gy, go + base + p, gx, gxo + base + p, classes, inner);
            }
        }
    }

    /** Softmax backward at one position of a strided block: the dot product in double in class order. */
    static void softmaxGradPosition(MemorySegment y, long yo, MemorySegment gy, long go, MemorySegment gx, long gxo, long classes, long inner) {
        double dot = 0;
        for (long k = 0; k < classes; k++) dot += (double) get(gy, go + k * inner) * get(y, yo + k * inner);
        for (long k = 0; k < classes; k++) {
            double yv = get(y, yo + k * inner);
            set(gx, gxo + k * inner, (double) (yv * (get(gy, go + k * inner) - dot)));
        }
    }

    @Override
    public void binary(BinaryOp op, MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment out, long oo, long len) {
        for (long i = 0; i < len; i++) set(out, oo + i, binary(op, get(a, ao + i), get(b, bo + i)));
    }

    /** {@code u op v} in double. */
    static double binary(BinaryOp op, double u, double v) {
        return switch (op) {
            case ADD -> u + v;
            case SUB -> u - v;
            case MUL -> u * v;
            case DIV -> u / v;
        };
    }

    @Override
    public void mse(MemorySegment p, long po, MemorySegment t, long to, MemorySegment grad, long go, long len, long count, OrderedSum acc) {
        double c = (double) count;
        for (long i = 0; i < len; i++) {
            double d = get(p, po + i) - get(t, to + i);
            set(grad, go + i, 2 * d / c);
            double dd = d;
            acc.add(dd * dd);
        }
    }

    @Override
    public void bceWithLogits(MemorySegment x, long xo, MemorySegment t, long to, MemorySegment grad, long go, long len, long count,
                              OrderedSum acc) {
        double c = (double) count;
        for (long i = 0; i < len; i++) {
            double xv = get(x, xo + i), tv = get(t, to + i);
            double e = exp(-Math.abs(xv));
            double sig = (xv >= 0 ? ONE : e) / (1 + e);
            set(grad, go + i, (sig - tv) / c);
            // max(x, 0) - x t + log(1 + e^-|x|): no overflow for large |x|
            acc.add(Math.max(xv, 0) - xv * tv + log1pUnit(e));
        }
    }

    @Override
    public double softmaxCrossEntropyRow(MemorySegment x, long xo, long classes, long label, MemorySegment grad, long go, long rows,
                                         OrderedSum acc) {
        double max = rowMax(x, xo, classes);
        acc.reset();
        for (long k = 0; k < classes; k++) {
            double e = exp(get(x, xo + k) - max);
            set(grad, go + k, e);
            acc.add(e);
        }
        double sum = acc.value();
        double eLabel = get(grad, go + label);
        for (long k = 0; k < classes; k++) set(grad, go + k, (double) (get(grad, go + k) / sum / rows));
        set(grad, go + label, (double) ((eLabel / sum - 1) / rows));
        return (max + StrictMath.log(sum)) - get(x, xo + label);
    }

    @Override
    public void sgd(MemorySegment w, long wo, MemorySegment g, long go, MemorySegment buf, long bo, long len, double lr, double momentum,
                    double weightDecay, boolean first) {
        double nlr = (double) -lr, mu = (double) momentum, wd = (double) weightDecay;
        boolean decay = weightDecay != 0, mom = momentum != 0;
        for (long i = 0; i < len; i++) {
            double wv = get(w, wo + i), d = get(g, go + i);
            if (decay) d = Math.fma(wd, wv, d);
            if (mom) {
                d = first ? d : Math.fma(mu, get(buf, bo + i), d);
                set(buf, bo + i, d);
            }
            set(w, wo + i, Math.fma(nlr, d, wv));
        }
    }

    @Override
    public void adam(MemorySegment w, long wo, MemorySegment g, long go, MemorySegment m, long mo, MemorySegment v, long vo, long len,
                     AdamStep st) {
        double b1 = (double) st.beta1(), b2 = (double) st.beta2(), c1 = (double) (1 - st.beta1()), c2 = (double) (1 - st.beta2());
        double eps = (double) st.eps(), nstep = (double) -st.stepSize(), sq2 = (double) st.sqrtCorrection2();
        double wd = (double) st.weightDecay(), shrink = (double) (1 - st.lr() * st.weightDecay());
        boolean l2 = st.weightDecay() != 0 && !st.decoupled(), decoupled = st.weightDecay() != 0 && st.decoupled();
        for (long i = 0; i < len; i++) {
            double wv = get(w, wo + i), gv = get(g, go + i);
            if (decoupled) wv = wv * shrink;
            if (l2) gv = Math.fma(wd, wv, gv);
            double mv = Math.fma(b1, get(m, mo + i), c1 * gv);
            double vv = Math.fma(b2, get(v, vo + i), c2 * gv * gv);
            double den = (double) Math.sqrt(vv) / sq2 + eps;
            set(m, mo + i, mv);
            set(v, vo + i, vv);
            set(w, wo + i, Math.fma(nstep, mv / den, wv));
        }
    }
}
