package dev.vecnn.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;

/**
 * Tolerances from error analysis. A sum of n rounded products, each term |t_i|, computed in any order
 * in a precision with unit roundoff u, is within {@code gamma(n) * sum |t_i|} of the exact value, with
 * {@code gamma(n) = n*u / (1 - n*u)} (Higham, Accuracy and Stability of Numerical Algorithms, 3.1).
 * Tests compute {@code sum |t_i|} exactly as the same operation applied to absolute values.
 */
public final class Tolerance {
    private Tolerance() {
    }

    /** Unit roundoff: 2^-24 for f32, 2^-53 for f64. */
    public static double unitRoundoff(DType t) {
        return t == DType.F32 ? 0x1p-24 : 0x1p-53;
    }

    /** gamma(n) for the given precision. */
    public static double gamma(long n, DType t) {
        double nu = n * unitRoundoff(t);
        if (nu >= 1) throw new IllegalArgumentException("n = " + n + " too long for an error bound in " + t);
        return nu / (1 - nu);
    }

    /** Asserts {@code |a - b| <= bound} with a message naming the case. */
    public static void assertWithin(double a, double b, double bound, Object what) {
        if (!(Math.abs(a - b) <= bound)) {
            fail(what + ": " + a + " vs " + b + " differ by " + Math.abs(a - b) + " > bound " + bound);
        }
    }

    /**
     * Asserts elementwise {@code |actual - expected| <= factor * magnitude} where {@code magnitude}
     * holds each element's sum of absolute terms (plus the rounding of the stored result itself).
     */
    public static void assertClose(Tensor actual, Tensor expected, Tensor magnitude, double factor, Object what) {
        double storeU = unitRoundoff(actual.dtype());
        Fill.forEach(expected, idx -> {
            double a = actual.get(idx), e = expected.get(idx), m = magnitude.get(idx);
            double bound = factor * m + storeU * Math.abs(e);
            if (!(Math.abs(a - e) <= bound) && !(Double.isNaN(a) && Double.isNaN(e)) && a != e) {
                fail(what + " at " + java.util.Arrays.toString(idx) + ": " + a + " vs " + e + ", |diff| "
                        + Math.abs(a - e) + " > bound " + bound);
            }
        });
    }

    /** Asserts the two tensors hold identical values (bit for bit, NaN equal to NaN). */
    public static void assertIdentical(Tensor actual, Tensor expected, Object what) {
        Fill.forEach(expected, idx -> {
            double a = actual.get(idx), e = expected.get(idx);
            if (Double.doubleToLongBits(a) != Double.doubleToLongBits(e)) {
                fail(what + " at " + java.util.Arrays.toString(idx) + ": " + a + " vs " + e);
            }
        });
    }
}
