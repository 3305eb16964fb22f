package dev.vecnn.ref;

import static dev.vecnn.testing.Tolerance.gamma;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PaddingMode;
import dev.vecnn.testing.Fill;
import dev.vecnn.testing.Gens;
import dev.vecnn.testing.Gens.Case;
import dev.vecnn.testing.Props;
import dev.vecnn.testing.Tolerance;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Algebraic properties of the reference convolution over generated specs (ranks 1-5, every option).
 * Values are f64 in [-1, 1); tolerances are Higham's gamma bounds on the sums involved, with the
 * magnitude of each sum computed exactly by running the same operation on absolute values.
 *
 * <p>What these do not show: every pass of the reference, transposed or not, in either layout, is
 * written on one enumeration of the terms ({@code ReferenceConv.forEachTerm}). Adjointness, "transposed
 * = backward-data of the direct convolution" and "channels-last = channels-first" hold by
 * construction for any enumeration, a wrong one included: a geometry error there (a wrong window
 * start, padding or dilation) passes them all. They guard the passes' plumbing and linearity; what
 * anchors the reference's geometry is the golden fixtures from PyTorch ({@code GoldenConformanceTest}
 * in the tests module), and the 1x1 and whole-image properties below, which compare with independent
 * arithmetic.
 */
class ReferenceConvPropertiesTest {
    private static final DType T = DType.F64;
    private static final Gen<Case<ConvSpec>> CASES = Gens.withSeed(Gens.convSpecs(5));

    static Tensor forward(Arena a, ConvSpec s, Tensor x, Tensor w, Tensor b) {
        Tensor y = Tensor.allocate(a, x.dtype(), s.outputShape());
        ReferenceConv.forward(s, x, w, b, y);
        return y;
    }

    static Tensor backwardData(Arena a, ConvSpec s, Tensor gy, Tensor w) {
        Tensor gx = Tensor.allocate(a, gy.dtype(), s.inputShape());
        ReferenceConv.backwardData(s, gy, w, gx);
        return gx;
    }

    static Tensor backwardWeights(Arena a, ConvSpec s, Tensor x, Tensor gy) {
        Tensor gw = Tensor.allocate(a, x.dtype(), s.weightShape());
        ReferenceConv.backwardWeights(s, x, gy, gw);
        return gw;
    }

    static ConvSpec noBias(ConvSpec s) {
        return s.toBuilder().bias(false).build();
    }

    /** Upper bound on the number of terms in any one output sum. */
    static long termsPerOutput(ConvSpec s) {
        return Math.max(s.inChannels(), s.outChannels()) * s.window().taps();
    }

    @Test
    void linearInInputAndInWeights() {
        Props.qt(150).forAll(CASES).checkAssert(c -> {
            ConvSpec s = noBias(c.spec());
            try (Arena a = Arena.ofConfined()) {
                Tensor x1 = Fill.uniform(a, T, s.inputShape(), c.seed());
                Tensor x2 = Fill.uniform(a, T, s.inputShape(), c.seed() + 1);
                Tensor w1 = Fill.uniform(a, T, s.weightShape(), c.seed() + 2);
                Tensor w2 = Fill.uniform(a, T, s.weightShape(), c.seed() + 3);
                double alpha = 0.75, beta = -1.5;
                double factor = 2 * gamma(termsPerOutput(s) + 3, T);

                // in the input: conv(a x1 + b x2, w) = a conv(x1, w) + b conv(x2, w)
                Tensor left = forward(a, s, Fill.axpby(a, alpha, x1, beta, x2), w1, null);
                Tensor right = Fill.axpby(a, alpha, forward(a, s, x1, w1, null), beta, forward(a, s, x2, w1, null));
                Tensor mag = forward(a, s, Fill.axpby(a, Math.abs(alpha), Fill.abs(a, x1), Math.abs(beta), Fill.abs(a, x2)),
                        Fill.abs(a, w1), null);
                Tolerance.assertClose(left, right, mag, factor, "input linearity " + c);

                // in the weights
                left = forward(a, s, x1, Fill.axpby(a, alpha, w1, beta, w2), null);
                right = Fill.axpby(a, alpha, forward(a, s, x1, w1, null), beta, forward(a, s, x1, w2, null));
                mag = forward(a, s, Fill.abs(a, x1),
                        Fill.axpby(a, Math.abs(alpha), Fill.abs(a, w1), Math.abs(beta), Fill.abs(a, w2)), null);
                Tolerance.assertClose(left, right, mag, factor, "weight linearity " + c);
            }
        });
    }

    @Test
    void backwardPassesAreAdjointsOfForward() {
        Props.qt(150).forAll(CASES).checkAssert(c -> {
            ConvSpec s = noBias(c.spec());
            try (Arena a = Arena.ofConfined()) {
                Tensor x = Fill.uniform(a, T, s.inputShape(), c.seed());
                Tensor w = Fill.uniform(a, T, s.weightShape(), c.seed() + 1);
                Tensor g = Fill.uniform(a, T, s.outputShape(), c.seed() + 2);
                // every side sums the same products x*w*g; S = sum of their magnitudes
                double magnitude = Fill.dot(forward(a, s, Fill.abs(a, x), Fill.abs(a, w), null), Fill.abs(a, g));
                long n = termsPerOutput(s) + Tensor.numel(s.outputShape()) + Tensor.numel(s.inputShape())
                        + Tensor.numel(s.weightShape()) + 2;
                double bound = 2 * gamma(n, T) * magnitude;
                double forwardSide = Fill.dot(forward(a, s, x, w, null), g);
                Tolerance.assertWithin(forwardSide, Fill.dot(x, backwardData(a, s, g, w)), bound, "<conv(x,w),g> = <x,bwd_data(g,w)> " + c);
                Tolerance.assertWithin(forwardSide, Fill.dot(w, backwardWeights(a, s, x, g)), bound, "<conv(x,w),g> = <w,bwd_weights(x,g)> " + c);
            }
        });
    }

    @Test
    void backwardBiasIsAdjointOfBroadcast() {
        Props.qt(100).forAll(CASES).checkAssert(c -> {
            ConvSpec s = c.spec().toBuilder().bias(true).build();
            try (Arena a = Arena.ofConfined()) {
                Tensor x = Fill.uniform(a, T, s.inputShape(), c.seed());
                Tensor w = Tensor.allocate(a, T, s.weightShape()); // zero weights: y is the broadcast bias
                Tensor b = Fill.uniform(a, T, s.biasShape(), c.seed() + 1);
                Tensor g = Fill.uniform(a, T, s.outputShape(), c.seed() + 2);
                Tensor gb = Tensor.allocate(a, T, s.biasShape());
                ReferenceConv.backwardBias(s, g, gb);
                long n = Tensor.numel(s.outputShape()) + 1;
                double bound = 2 * gamma(n, T) * Fill.dot(forward(a, s, x, w, Fill.abs(a, b)), Fill.abs(a, g));
                Tolerance.assertWithin(Fill.dot(forward(a, s, x, w, b), g), Fill.dot(b, gb), bound, "<bias,gb> " + c);
            }
        });
    }

    @Test
    void pointwiseConvolutionIsAMatrixProduct() {
        Props.qt(100).forAll(CASES).checkAssert(c -> {
            ConvSpec s = c.spec().toBuilder().kernel(1).stride(1).dilation(1).padding(0).groups(1).transposed(false)
                    .outputPadding(0).paddingMode(PaddingMode.ZEROS).build();
            try (Arena a = Arena.ofConfined()) {
                Tensor x = Fill.uniform(a, T, s.inputShape(), c.seed());
                Tensor w = Fill.uniform(a, T, s.weightShape(), c.seed() + 1);
                Tensor b = s.hasBias() ? Fill.uniform(a, T, s.biasShape(), c.seed() + 2) : null;
                Tensor y = forward(a, s, x, w, b);
                long pixels = Tensor.numel(s.inputSize());
                Tensor xm = x.reshape(s.batch(), s.inChannels(), pixels);
                Tensor ym = y.reshape(s.batch(), s.outChannels(), pixels);
                Tensor wm = w.reshape(s.outChannels(), s.inChannels());
                double bound = gamma(s.inChannels() + 2, T) * (s.inChannels() + 1);
                for (long n = 0; n < s.batch(); n++) {
                    for (long k = 0; k < s.outChannels(); k++) {
                        for (long p = 0; p < pixels; p++) {
                            double sum = b == null ? 0 : b.get(k);
                            for (long ch = 0; ch < s.inChannels(); ch++) sum += wm.get(k, ch) * xm.get(n, ch, p);
                            Tolerance.assertWithin(ym.get(n, k, p), sum, bound, "1x1 conv vs matmul " + s);
                        }
                    }
                }
            }
        });
    }

    @Test
    void kernelAsLargeAsTheImageIsADenseLayer() {
        Props.qt(100).forAll(CASES).checkAssert(c -> {
            ConvSpec base = c.spec();
            int[] k = new int[base.rank()];
            for (int d = 0; d < k.length; d++) k[d] = (int) Math.min(base.inputSize(d), 4);
            long[] in = new long[k.length];
            for (int d = 0; d < k.length; d++) in[d] = k[d];
            ConvSpec s = base.toBuilder().input(in).kernel(k).stride(1).dilation(1).padding(0).groups(1)
                    .transposed(false).outputPadding(0).paddingMode(PaddingMode.ZEROS).build();
            assertEquals(1, Tensor.numel(s.outputSize()), "one output position " + s);
            try (Arena a = Arena.ofConfined()) {
                Tensor x = Fill.uniform(a, T, s.inputShape(), c.seed());
                Tensor w = Fill.uniform(a, T, s.weightShape(), c.seed() + 1);
                Tensor b = s.hasBias() ? Fill.uniform(a, T, s.biasShape(), c.seed() + 2) : null;
                Tensor y = forward(a, s, x, w, b).reshape(s.batch(), s.outChannels());
                long features = s.inChannels() * Tensor.numel(in);
                Tensor xm = x.reshape(s.batch(), features);
                Tensor wm = w.reshape(s.outChannels(), features);
                double bound = gamma(features + 2, T) * (features + 1);
                for (long n = 0; n < s.batch(); n++) {
                    for (long o = 0; o < s.outChannels(); o++) {
                        double sum = b == null ? 0 : b.get(o);
                        for (long f = 0; f < features; f++) sum += wm.get(o, f) * xm.get(n, f);
                        Tolerance.assertWithin(y.get(n, o), sum, bound, "full-size kernel vs dense " + s);
                    }
                }
            }
        });
    }

    @Test
    void parameterCountIsTheLecturesFormula() {
        Props.qt(300).forAll(Gens.convSpecs(5)).checkAssert(s -> {
            long taps = s.window().taps();
            long expected = s.inChannels() * taps * s.outChannels() / s.groups() + (s.hasBias() ? s.outChannels() : 0);
            assertEquals(expected, s.parameterCount(), s.toString());
            assertEquals(Tensor.numel(s.weightShape()) + (s.hasBias() ? s.outChannels() : 0), s.parameterCount(), s.toString());
        });
    }

    @Test
    void trailingSizeOneDimensionChangesNothing() {
        Props.qt(120).forAll(Gens.withSeed(Gens.convSpecs(4)), Gens.withSeed(Gens.convSpecs(1))).checkAssert((c, extra) -> {
            ConvSpec s = c.spec();
            int r = s.rank();
            // extend by a dimension of size 1, kernel 1, any stride and dilation, no padding
            ConvSpec.Builder b = s.toBuilder()
                    .input(append(s.inputSize(), 1))
                    .kernel(append(s.window().kernel(), 1))
                    .stride(append(s.window().stride(), extra.spec().window().stride(0)))
                    .dilation(append(s.window().dilation(), extra.spec().window().dilation(0)))
                    .padding(append(s.window().padBegin(), 0), append(s.window().padEnd(), 0));
            if (s.isTransposed()) {
                int[] op = new int[r + 1];
                for (int d = 0; d < r; d++) op[d] = s.outputPadding(d);
                b.outputPadding(op);
            }
            ConvSpec s1 = b.build();
            assertArrayEquals(append(s.outputShape(), 1), s1.outputShape(), s1.toString());
            try (Arena a = Arena.ofConfined()) {
                Tensor x = Fill.uniform(a, T, s.inputShape(), c.seed());
                Tensor w = Fill.uniform(a, T, s.weightShape(), c.seed() + 1);
                Tensor bias = s.hasBias() ? Fill.uniform(a, T, s.biasShape(), c.seed() + 2) : null;
                Tensor g = Fill.uniform(a, T, s.outputShape(), c.seed() + 3);
                // the same terms in the same order: results are identical
                Tensor y = forward(a, s, x, w, bias);
                Tensor y1 = forward(a, s1, x.reshape(s1.inputShape()), w.reshape(s1.weightShape()), bias);
                Tolerance.assertIdentical(y1.reshape(s.outputShape()), y, "forward " + s1);
                Tolerance.assertIdentical(backwardData(a, s1, g.reshape(s1.outputShape()), w.reshape(s1.weightShape()))
                        .reshape(s.inputShape()), backwardData(a, s, g, w), "backward data " + s1);
                Tolerance.assertIdentical(backwardWeights(a, s1, x.reshape(s1.inputShape()), g.reshape(s1.outputShape()))
                        .reshape(s.weightShape()), backwardWeights(a, s, x, g), "backward weights " + s1);
            }
        });
    }

    @Test
    void channelsLastEqualsChannelsFirst() {
        Props.qt(100).forAll(CASES).checkAssert(c -> {
            ConvSpec s = c.spec();
            if (s.rank() > 4) return;
            try (Arena a = Arena.ofConfined()) {
                Tensor x = Fill.uniform(a, T, s.inputShape(), c.seed());
                Tensor w = Fill.uniform(a, T, s.weightShape(), c.seed() + 1);
                Tensor b = s.hasBias() ? Fill.uniform(a, T, s.biasShape(), c.seed() + 2) : null;
                Tensor g = Fill.uniform(a, T, s.outputShape(), c.seed() + 3);
                Tensor xl = Fill.channelsLast(a, x), gl = Fill.channelsLast(a, g), wl = Fill.channelsLast(a, w);
                Tensor yl = Tensor.allocateChannelsLast(a, T, s.outputShape());
                ReferenceConv.forward(s, xl, wl, b, yl);
                Tolerance.assertIdentical(yl, forward(a, s, x, w, b), "forward " + s);
                Tensor gxl = Tensor.allocateChannelsLast(a, T, s.inputShape());
                ReferenceConv.backwardData(s, gl, wl, gxl);
                Tolerance.assertIdentical(gxl, backwardData(a, s, g, w), "backward data " + s);
                Tensor gwl = Tensor.allocateChannelsLast(a, T, s.weightShape());
                ReferenceConv.backwardWeights(s, xl, gl, gwl);
                Tolerance.assertIdentical(gwl, backwardWeights(a, s, x, g), "backward weights " + s);
            }
        });
    }

    @Test
    void transposedConvolutionIsBackwardDataOfTheDirectOne() {
        Props.qt(120).forAll(CASES).checkAssert(c -> {
            ConvSpec t = asTransposed(c.spec());
            ConvSpec direct = ConvSpec.builder().batch(t.batch()).inChannels(t.outChannels()).outChannels(t.inChannels())
                    .groups(t.groups()).input(t.outputSize()).kernel(t.window().kernel()).stride(t.window().stride())
                    .dilation(t.window().dilation()).padding(t.window().padBegin(), t.window().padEnd()).bias(false).build();
            assertArrayEquals(t.inputSize(), direct.outputSize(), "direct adjoint of " + t + " is " + direct);
            assertArrayEquals(t.weightShape(), direct.weightShape());
            try (Arena a = Arena.ofConfined()) {
                Tensor x = Fill.uniform(a, T, t.inputShape(), c.seed());
                Tensor w = Fill.uniform(a, T, t.weightShape(), c.seed() + 1);
                Tensor y = forward(a, t, x, w, null);
                Tensor mag = forward(a, t, Fill.abs(a, x), Fill.abs(a, w), null);
                Tolerance.assertClose(y, backwardData(a, direct, x, w), mag, 2 * gamma(termsPerOutput(t) + 1, T), t + " vs " + direct);
            }
        });
    }

    /** A transposed spec: the case itself (output padding below the stride), or the adjoint of a direct one. */
    static ConvSpec asTransposed(ConvSpec s) {
        int r = s.rank();
        int[] op = new int[r];
        if (s.isTransposed()) {
            // output padding >= stride (legal below the dilation) has no direct adjoint of the same size
            int[] pb = s.window().padBegin(), pe = s.window().padEnd();
            for (int d = 0; d < r; d++) {
                op[d] = s.outputPadding(d) % s.window().stride(d);
                if ((s.inputSize(d) - 1) * s.window().stride(d) - pb[d] - pe[d] + s.window().effectiveKernel(d) + op[d] < 1) {
                    pb[d] = 0;
                    pe[d] = 0;
                }
            }
            return s.toBuilder().outputPadding(op).padding(pb, pe).bias(false).build();
        }
        var w = s.window();
        for (int d = 0; d < r; d++) {
            op[d] = (int) (s.inputSize(d) - w.transposedOutputSize(d, s.outputSize(d), 0));
        }
        return s.toBuilder().transposed(true).paddingMode(PaddingMode.ZEROS).bias(false)
                .inChannels(s.outChannels()).outChannels(s.inChannels()).input(s.outputSize()).outputPadding(op).build();
    }

    private static long[] append(long[] v, long x) {
        long[] r = Arrays.copyOf(v, v.length + 1);
        r[v.length] = x;
        return r;
    }

    private static int[] append(int[] v, int x) {
        int[] r = Arrays.copyOf(v, v.length + 1);
        r[v.length] = x;
        return r;
    }
}
