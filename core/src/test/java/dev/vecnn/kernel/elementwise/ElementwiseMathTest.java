package dev.vecnn.kernel.elementwise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Accuracy of the elementwise kernels' own exp, tanh, sigmoid, GELU and log1p (the scalar functions of
 * {@code PortableElementwiseF32/F64}; the vector kernels give the same bits, {@link ElementwiseKernelsTest}).
 * Errors in ulps of the exact value: float32 over every 4099th bit pattern (about a million inputs,
 * all exponents, subnormals included) against the double-precision JDK functions (2^29 times finer than
 * a float ulp); float64 over a few thousand inputs against 45-digit BigDecimal evaluations.
 *
 * <p>Measured maxima (2026-12): f32 exp 0.87, tanh 2.53, sigmoid 2.36, log1p 1.23 ulp; f64 exp 1.00,
 * tanh 2.64, sigmoid 1.94, log1p 1.0 ulp. The bounds asserted are the analysis' (see each test), not
 * the measurements.
 */
class ElementwiseMathTest {
    /** |got - exact| in ulps of exact rounded to float (a subnormal's ulp is Float.MIN_VALUE). */
    static double ulpsF(float got, double exact) {
        if (Double.isNaN(exact)) return Float.isNaN(got) ? 0 : Double.POSITIVE_INFINITY;
        float r = (float) exact;
        if (Float.isInfinite(r)) return got == r ? 0 : Double.POSITIVE_INFINITY;
        return Math.abs(got - exact) / Math.ulp(r);
    }

    interface FloatFn {
        float apply(float x);
    }

    /** The largest error of f against ref over the sweep (restricted to [lo, hi]). */
    static double sweep(FloatFn f, DoubleUnaryOperator ref, double lo, double hi) {
        double max = 0;
        for (long bits = 0; bits <= 0xFFFF_FFFFL; bits += 4099) {
            float x = Float.intBitsToFloat((int) bits);
            if (Float.isNaN(x) || x < lo || x > hi) continue;
            double e = ulpsF(f.apply(x), ref.applyAsDouble(x));
            if (!(e <= max)) max = e;
        }
        return max;
    }

    /**
     * exp: Cody-Waite reduction exact in its first step, r rounded once (0.5 ulp of r, at most 0.17 ulp of
     * e^r), the Taylor polynomial's truncation below 0.01 ulp, Horner's rounding and the final rounding of
     * 1 + r q in [0.7, 1.42] (up to 0.5 + 0.3 ulp, doubled in ulps of results below 1): 1 ulp; the scaling by
     * 2^n is exact, and rounds once more in the subnormal range (1 ulp of MIN_VALUE).
     */
    @Test
    void float32WithinTheirBounds() {
        double exp = sweep(PortableElementwiseF32::exp, Math::exp, -1e30, 1e30);
        assertTrue(exp <= 1, "f32 exp: " + exp + " ulp");
        // tanh = -m/(2+m), m = expm1(-2|x|): m within 1 ulp, 2+m and the division 0.5 each, amplified by up to
        // 2/(2+m) <= 2 for the quotient's condition: 3 ulp
        double tanh = sweep(PortableElementwiseF32::tanh, Math::tanh, -1e30, 1e30);
        assertTrue(tanh <= 3, "f32 tanh: " + tanh + " ulp");
        // sigmoid = n/(1+e): e within 1 ulp, 1+e and the division 0.5 each: 3 ulp
        double sigmoid = sweep(PortableElementwiseF32::sigmoid, Reference::sigmoid, -1e30, 1e30);
        assertTrue(sigmoid <= 3, "f32 sigmoid: " + sigmoid + " ulp");
        // log1p on [0, 1]: the series' terms below 0.1 ulp, a handful of roundings on terms much smaller than f: 2 ulp
        double log1p = sweep(PortableElementwiseF32::log1pUnit, Math::log1p, 0, 1);
        assertTrue(log1p <= 2, "f32 log1p: " + log1p + " ulp");
    }

    /**
     * GELU = x sigmoid(z): z carries up to 3 roundings (3 u relative), which sigmoid turns into a relative
     * error |z| (1 - sigmoid(z)) 3 u of the result, plus sigmoid's 3 ulp and the product's 0.5.
     */
    @Test
    void float32GeluWithinItsBound() {
        double max = 0;
        for (long bits = 0; bits <= 0xFFFF_FFFFL; bits += 4099) {
            float x = Float.intBitsToFloat((int) bits);
            if (Float.isNaN(x) || Math.abs(x) > 1e6) continue;
            double z = 2 * Reference.GELU_C * (x + 0.044715 * (double) x * x * x);
            double exact = Reference.gelu(x), got = PortableElementwiseF32.gelu(x);
            double allowed = Math.ulp((float) exact) * (3.5 + 3 * Math.abs(z) * Reference.sigmoid(-z)) + Float.MIN_VALUE;
            max = Math.max(max, Math.abs(got - exact) / allowed);
        }
        assertTrue(max <= 1, "f32 gelu: " + max + " of its bound");
    }

    @Test
    void float64WithinTheirBounds() {
        SplittableRandom r = new SplittableRandom(7);
        double exp = 0, tanh = 0, sigmoid = 0, log1p = 0;
        for (int i = 0; i < 1000; i++) {
            double x = switch (i % 4) {
                case 0 -> r.nextDouble(-745.2, 709.8);
                case 1 -> r.nextDouble(-3, 3);
                case 2 -> r.nextDouble(-25, 25);
                default -> Math.scalb(r.nextDouble(1, 2), r.nextInt(-1074, 3)) * (r.nextBoolean() ? 1 : -1);
            };
            exp = Math.max(exp, Exact.ulps(PortableElementwiseF64.exp(x), Exact.exp(x)));
            tanh = Math.max(tanh, Exact.ulps(PortableElementwiseF64.tanh(x), Exact.tanh(x)));
            sigmoid = Math.max(sigmoid, Exact.ulps(PortableElementwiseF64.sigmoid(x), Exact.sigmoid(x)));
            double u = i % 2 == 0 ? r.nextDouble() : Math.scalb(r.nextDouble(1, 2), r.nextInt(-1074, 0));
            log1p = Math.max(log1p, Exact.ulps(PortableElementwiseF64.log1pUnit(u), Exact.log1p(u)));
        }
        // the float32 analyses with f64's constants; exp's two roundings near 1 cost at most 1.5 ulp here
        assertTrue(exp <= 1.5, "f64 exp: " + exp + " ulp");
        assertTrue(tanh <= 3, "f64 tanh: " + tanh + " ulp");
        assertTrue(sigmoid <= 3, "f64 sigmoid: " + sigmoid + " ulp");
        assertTrue(log1p <= 2, "f64 log1p: " + log1p + " ulp");
    }

    @Test
    void specialValues() {
        // exp: zeros, infinities, NaN, the overflow threshold, the underflow to subnormals and to zero
        assertEquals(1.0, PortableElementwiseF64.exp(0.0));
        assertEquals(1.0, PortableElementwiseF64.exp(-0.0));
        assertEquals(1.0, PortableElementwiseF64.exp(Double.MIN_VALUE));
        assertEquals(0.0, PortableElementwiseF64.exp(Double.NEGATIVE_INFINITY));
        assertEquals(Double.POSITIVE_INFINITY, PortableElementwiseF64.exp(Double.POSITIVE_INFINITY));
        assertTrue(Double.isNaN(PortableElementwiseF64.exp(Double.NaN)));
        assertEquals(Math.exp(709.782712893384), PortableElementwiseF64.exp(709.782712893384)); // largest finite
        assertEquals(Double.POSITIVE_INFINITY, PortableElementwiseF64.exp(709.7827128933841));
        assertEquals(Double.MIN_VALUE, PortableElementwiseF64.exp(-745.1332191019411)); // smallest subnormal
        assertEquals(0.0, PortableElementwiseF64.exp(-745.1332191019412));
        assertEquals(0.0, PortableElementwiseF64.exp(-1e300));
        assertEquals(1.0f, PortableElementwiseF32.exp(-0.0f));
        assertEquals((float) Math.exp(88.72283f), PortableElementwiseF32.exp(88.72283f));
        assertEquals(Float.POSITIVE_INFINITY, PortableElementwiseF32.exp(88.722839f));
        assertEquals(Float.MIN_VALUE, PortableElementwiseF32.exp(-103.27893f));
        assertEquals(0f, PortableElementwiseF32.exp(-103.972084f));
        assertEquals(0f, PortableElementwiseF32.exp(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(PortableElementwiseF32.exp(Float.NaN)));
        // tanh keeps the sign of zero, saturates, propagates NaN, is exact on subnormals
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(PortableElementwiseF64.tanh(-0.0)));
        assertEquals(Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits(PortableElementwiseF64.tanh(0.0)));
        assertEquals(-1.0, PortableElementwiseF64.tanh(Double.NEGATIVE_INFINITY));
        assertEquals(1.0f, PortableElementwiseF32.tanh(Float.POSITIVE_INFINITY));
        assertEquals(-Float.MIN_VALUE, PortableElementwiseF32.tanh(-Float.MIN_VALUE));
        assertEquals(Double.MIN_NORMAL, PortableElementwiseF64.tanh(Double.MIN_NORMAL));
        assertTrue(Float.isNaN(PortableElementwiseF32.tanh(Float.NaN)));
        // sigmoid: limits, NaN, tiny results keep their relative accuracy
        assertEquals(1.0, PortableElementwiseF64.sigmoid(Double.POSITIVE_INFINITY));
        assertEquals(0.0, PortableElementwiseF64.sigmoid(Double.NEGATIVE_INFINITY));
        assertEquals(0.5f, PortableElementwiseF32.sigmoid(-0.0f));
        assertTrue(Double.isNaN(PortableElementwiseF64.sigmoid(Double.NaN)));
        assertTrue(Exact.ulps(PortableElementwiseF64.sigmoid(-700), Exact.sigmoid(-700)) <= 3);
        // GELU: x for large x, -0 for large negative x, NaN at -inf (as PyTorch: -inf * 0)
        assertEquals(1e30f, PortableElementwiseF32.gelu(1e30f));
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(PortableElementwiseF32.gelu(-1e30f)));
        assertTrue(Double.isNaN(PortableElementwiseF64.gelu(Double.NEGATIVE_INFINITY)));
        assertEquals(Double.POSITIVE_INFINITY, PortableElementwiseF64.gelu(Double.POSITIVE_INFINITY));
        // log1p: 0, the end of its range, tiny arguments
        assertEquals(0.0, PortableElementwiseF64.log1pUnit(0.0));
        assertEquals(Math.log(2), PortableElementwiseF64.log1pUnit(1.0), Math.ulp(Math.log(2)));
        assertEquals(Double.MIN_VALUE, PortableElementwiseF64.log1pUnit(Double.MIN_VALUE));
        assertEquals(1e-30f, PortableElementwiseF32.log1pUnit(1e-30f));
    }

    /** 45-digit evaluations with BigDecimal. */
    static final class Exact {
        static final MathContext MC = new MathContext(45);

        /** e^x = (Taylor series of e^(x/1024))^1024. */
        static BigDecimal exp(double x) {
            if (Double.isInfinite(x)) return x > 0 ? null : BigDecimal.ZERO;
            BigDecimal y = new BigDecimal(x).divide(BigDecimal.valueOf(1024), MC), term = BigDecimal.ONE, sum = BigDecimal.ONE;
            for (int k = 1; k < 40; k++) {
                term = term.multiply(y, MC).divide(BigDecimal.valueOf(k), MC);
                sum = sum.add(term, MC);
            }
            for (int i = 0; i < 10; i++) sum = sum.multiply(sum, MC);
            return sum;
        }

        static BigDecimal tanh(double x) {
            BigDecimal b = new BigDecimal(x);
            if (Math.abs(x) < 1e-12) return b.subtract(b.pow(3, MC).divide(BigDecimal.valueOf(3), MC), MC);
            BigDecimal e = exp(2 * x);
            return e.subtract(BigDecimal.ONE, MC).divide(e.add(BigDecimal.ONE, MC), MC);
        }

        static BigDecimal sigmoid(double x) {
            return BigDecimal.ONE.divide(BigDecimal.ONE.add(exp(-x), MC), MC);
        }

        /** log(1+u) = 2 atanh(s), s = u/(2+u) &lt;= 1/3: the odd series. */
        static BigDecimal log1p(double u) {
            BigDecimal bu = new BigDecimal(u), s = bu.divide(bu.add(BigDecimal.TWO), MC), s2 = s.multiply(s, MC), term = s, sum = s;
            for (int k = 1; k < 50; k++) {
                term = term.multiply(s2, MC);
                sum = sum.add(term.divide(BigDecimal.valueOf(2L * k + 1), MC), MC);
            }
            return sum.multiply(BigDecimal.TWO, MC);
        }

        /** |got - exact| in ulps of exact rounded to double (subnormal ulp: MIN_VALUE). */
        static double ulps(double got, BigDecimal exact) {
            double r = exact.doubleValue();
            if (Double.isInfinite(r)) return got == r ? 0 : Double.POSITIVE_INFINITY;
            if (Double.isInfinite(got) || Double.isNaN(got)) return Double.POSITIVE_INFINITY;
            return new BigDecimal(got).subtract(exact, MC).abs().doubleValue() / Math.ulp(r);
        }
    }
}
