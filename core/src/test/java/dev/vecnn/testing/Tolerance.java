package dev.vecnn.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.vecnn.conv.ConvPass;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.spec.Window;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;

/**
 * Tolerances from error analysis, in one place. A sum of n rounded products, each term |t_i|,
 * computed in any order (any blocking, any tree, partial sums in a wider precision or not) in a
 * precision with unit roundoff u, is within {@code gamma(n) * sum |t_i|} of the exact value, with
 * {@code gamma(n) = n*u / (1 - n*u)} (Higham, Accuracy and Stability of Numerical Algorithms, 3.1).
 * Tests compute {@code sum |t_i|} as the same operation applied to absolute values.
 *
 * <h2>Reduction lengths</h2>
 * n is each pass's own reduction length, the most terms any one element of that pass sums
 * ({@link #convTerms}, {@link #poolWindowTerms}, {@link #poolGradientTerms}), counted per dimension
 * and multiplied (the set of terms of an element is the product of per-dimension sets, so the product
 * of per-dimension maxima is the exact maximum). A term that reads zero padding is {@code w * 0 = 0}
 * exactly, and adding an exact zero is exact, so such terms are not counted; padding modes that read
 * real values (reflect, replicate, circular) count every term they read.
 *
 * <h2>Kernel against reference</h2>
 * The kernel's result a (precision t) and the reference's e (double) are both rounded sums of the
 * same terms: {@code |a - e| <= (gamma_t(n) + gamma_64(n)) * M}, M the exact sum of magnitudes. M is
 * itself computed in double, within {@code gamma_64(n) * M}: {@link #factor} adds a second
 * {@code gamma_64(n)}. A result accumulated in double and stored in t is rounded once more, by
 * {@code u_t * |e|}, which {@link #assertClose} adds.
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

    /**
     * The factor of M bounding a kernel's n-term sums in {@code t} against the reference's in double:
     * {@code gamma_t(n) + 2 gamma_64(n)} (the reference's rounding and that of M itself).
     */
    public static double factor(long n, DType t) {
        return gamma(n, t) + 2 * gamma(n, DType.F64);
    }

    // ---------------------------------------------------------------- reduction lengths

    /**
     * The most terms one output element of {@code pass} sums, from the pass's own reduction:
     * <ul>
     *   <li>"small from big" (direct forward, transposed backward-data): big-side channels per group
     *       times the taps of one window that read a real value;</li>
     *   <li>"big from small" (direct backward-data, transposed forward): small-side channels per group
     *       times the (position, tap) pairs that land on one big-side element, through the padding
     *       mode (a reflected or replicated edge element collects several), fewer than the taps when
     *       the stride exceeds the dilation;</li>
     *   <li>backward-weights: batch times the positions at which one tap reads a real value.</li>
     * </ul>
     * The forward pass counts one more term for the bias when the spec has one.
     */
    public static long convTerms(ConvSpec s, ConvPass pass) {
        boolean t = s.isTransposed();
        long bigPerGroup = (t ? s.outChannels() : s.inChannels()) / s.groups();
        long smallPerGroup = (t ? s.inChannels() : s.outChannels()) / s.groups();
        long[] big = t ? s.outputSize() : s.inputSize();
        long[] small = t ? s.inputSize() : s.outputSize();
        Window w = s.window();
        long perWindow = 1, perBig = 1, perTap = 1;
        for (int d = 0; d < s.rank(); d++) {
            long[] hitsOfBig = new long[Math.toIntExact(big[d])];
            long maxWindow = 0;
            long[] realOfTap = new long[w.kernel(d)];
            for (long o = 0; o < small[d]; o++) {
                long real = 0;
                for (int j = 0; j < w.kernel(d); j++) {
                    long src = s.paddingMode().source(w.start(d, o) + (long) j * w.dilation(d), big[d]);
                    if (src < 0) continue;
                    real++;
                    hitsOfBig[(int) src]++;
                    realOfTap[j]++;
                }
                maxWindow = Math.max(maxWindow, real);
            }
            perWindow *= maxWindow;
            perBig *= max(hitsOfBig);
            perTap *= max(realOfTap);
        }
        long smallFromBig = bigPerGroup * perWindow, bigFromSmall = smallPerGroup * perBig;
        long bias = s.hasBias() ? 1 : 0;
        return switch (pass) {
            case FORWARD -> (t ? bigFromSmall : smallFromBig) + bias;
            case BACKWARD_DATA -> t ? smallFromBig : bigFromSmall;
            case BACKWARD_WEIGHTS -> s.batch() * perTap;
        };
    }

    /** Terms of one bias-gradient element: every output position of every image. */
    public static long biasTerms(ConvSpec s) {
        return s.batch() * Tensor.numel(s.outputSize());
    }

    /** The most input elements one pooling window holds (inside the input). */
    public static long poolWindowTerms(PoolSpec s) {
        long n = 1;
        for (int d = 0; d < s.rank(); d++) {
            long most = 0;
            for (long o = 0; o < s.outputSize(d); o++) {
                long[] r = poolRange(s, d, o);
                long inside = 0;
                for (long p = r[0]; p < r[1]; p += r[2]) if (p >= 0 && p < s.inputSize(d)) inside++;
                most = Math.max(most, inside);
            }
            n *= most;
        }
        return n;
    }

    /** The most windows that read one input element: the terms of one input-gradient element. */
    public static long poolGradientTerms(PoolSpec s) {
        long n = 1;
        for (int d = 0; d < s.rank(); d++) {
            long[] hits = new long[Math.toIntExact(s.inputSize(d))];
            for (long o = 0; o < s.outputSize(d); o++) {
                long[] r = poolRange(s, d, o);
                for (long p = r[0]; p < r[1]; p += r[2]) if (p >= 0 && p < s.inputSize(d)) hits[(int) p]++;
            }
            n *= max(hits);
        }
        return n;
    }

    /** {first, end, step} of the positions window {@code o} reads along {@code d}. */
    private static long[] poolRange(PoolSpec s, int d, long o) {
        if (s.kind().isWindowed()) {
            Window w = s.window();
            return new long[] {w.start(d, o), w.start(d, o) + (long) w.kernel(d) * w.dilation(d), w.dilation(d)};
        }
        return new long[] {s.adaptiveStart(d, o), s.adaptiveEnd(d, o), 1};
    }

    private static long max(long[] v) {
        long m = 0;
        for (long x : v) m = Math.max(m, x);
        return m;
    }

    // ---------------------------------------------------------------- assertions

    /** Asserts {@code |a - b| <= bound} with a message naming the case. */
    public static void assertWithin(double a, double b, double bound, Object what) {
        if (!(Math.abs(a - b) <= bound)) {
            fail(what + ": " + a + " vs " + b + " differ by " + Math.abs(a - b) + " > bound " + bound);
        }
    }

    /**
     * Asserts elementwise {@code |actual - expected| <= factor * magnitude + u * |expected|} where
     * {@code magnitude} holds each element's sum of absolute terms and {@code u} is the unit roundoff
     * of {@code actual} (the rounding of a result accumulated in double and stored).
     *
     * <p>Non-finite values are compared exactly: an expected infinity must be the same infinity and
     * an expected NaN a NaN (a window holding an infinity has an infinite magnitude, which would
     * otherwise let any value pass); a finite expected value must come with a finite magnitude and
     * a finite actual value.
     */
    public static void assertClose(Tensor actual, Tensor expected, Tensor magnitude, double factor, Object what) {
        double storeU = unitRoundoff(actual.dtype());
        Fill.forEach(expected, idx -> {
            double a = actual.get(idx), e = expected.get(idx), m = magnitude.get(idx);
            if (!Double.isFinite(e) || !Double.isFinite(a)) {
                if (!(a == e || Double.isNaN(a) && Double.isNaN(e))) {
                    fail(what + " at " + java.util.Arrays.toString(idx) + ": " + a + " vs " + e + " (non-finite values must match exactly)");
                }
                return;
            }
            if (!Double.isFinite(m)) {
                fail(what + " at " + java.util.Arrays.toString(idx) + ": finite expected " + e + " but infinite magnitude " + m);
            }
            double bound = factor * m + storeU * Math.abs(e);
            if (!(Math.abs(a - e) <= bound)) {
                fail(what + " at " + java.util.Arrays.toString(idx) + ": " + a + " vs " + e + ", |diff| "
                        + Math.abs(a - e) + " > bound " + bound);
            }
        });
    }

    /**
     * Asserts a forward pass with an epilogue: {@code actual = act(z)} where the reference gives the
     * pre-activation {@code z} (bias included) with magnitude M and n-term factor F ({@link #factor}).
     *
     * <p>Error analysis. The kernel's pre-activation is within F*M of the reference's ({@link #factor});
     * the activation moves that error by at most its Lipschitz constant Lip (1 for identity, ReLU and
     * tanh, max(1, |alpha|) for leaky ReLU, 1/4 for sigmoid). Evaluating the activation costs, relative
     * to its value: float32 kernels compute sigmoid and tanh in double from the float pre-activation
     * (exact) and round once to float (u_32), the double evaluation itself within 5 u_64 ({@code Math.exp}
     * within 1 ulp = 2u, then one addition and one division: 4u; {@code Math.tanh} within 2.5 ulps = 5u);
     * leaky ReLU multiplies by alpha rounded to the kernel's precision (2 u_t); float64 kernels evaluate
     * in double (5 u_64), and this check evaluates the reference's activation in double too (5 u_64).
     * Together: {@code Lip*F*M + (2 u_t + 10 u_64) * (|act(z)| + Lip*F*M)}.
     */
    public static void assertActivatedClose(Tensor actual, Tensor preActivation, Tensor magnitude, double factor, Epilogue e,
                                            Object what) {
        // f moves the sum's error by at most its Lipschitz constant (max |f'|)
        double lip = switch (e.activation()) {
            case IDENTITY, RELU, TANH, CLIP -> 1;
            case LEAKY_RELU -> Math.max(1, Math.abs(e.alpha()));
            case SIGMOID -> 0.25;
            case GELU -> 1.13; // the tanh form's largest slope
            case HARD_SIGMOID -> Math.abs(e.alpha());
            case HARD_SWISH -> 1.5;
        };
        // and adds its own rounding: the kernel and the float64 oracle each evaluate f with the elementwise
        // kernels' functions, within 3 ulp of f (ElementwiseMathTest) plus, for GELU, under 1 u |z| from its
        // rounded argument: 4 roundoffs of |f(z)| + |z| per side
        double own = 4 * (unitRoundoff(actual.dtype()) + unitRoundoff(DType.F64));
        Fill.forEach(preActivation, idx -> {
            double a = actual.get(idx), z = preActivation.get(idx), m = magnitude.get(idx);
            double x = e.apply(z);
            if (!Double.isFinite(x) || !Double.isFinite(a)) {
                if (!(a == x || Double.isNaN(a) && Double.isNaN(x))) {
                    fail(what + " at " + java.util.Arrays.toString(idx) + ": " + a + " vs " + x + " (non-finite values must match exactly)");
                }
                return;
            }
            double moved = lip * factor * m;
            double bound = moved + own * (Math.abs(x) + Math.abs(z) + moved);
            if (!(Math.abs(a - x) <= bound)) {
                fail(what + " at " + java.util.Arrays.toString(idx) + ": " + a + " vs " + x + " = " + e.activation() + "(" + z
                        + "), |diff| " + Math.abs(a - x) + " > bound " + bound);
            }
        });
    }

    /** Asserts the two tensors hold identical values (bit for bit, NaN equal to NaN). */
    public static void assertIdentical(Tensor actual, Tensor expected, Object what) {
        boolean longs = actual.dtype() == DType.I64 && expected.dtype() == DType.I64;
        Fill.forEach(expected, idx -> {
            if (longs) {
                long a = actual.getLong(idx), e = expected.getLong(idx);
                if (a != e) fail(what + " at " + java.util.Arrays.toString(idx) + ": " + a + " vs " + e);
                return;
            }
            double a = actual.get(idx), e = expected.get(idx);
            if (Double.doubleToLongBits(a) != Double.doubleToLongBits(e)) {
                fail(what + " at " + java.util.Arrays.toString(idx) + ": " + a + " vs " + e);
            }
        });
    }
}
