package dev.vecnn.ref;

import static dev.vecnn.testing.Tolerance.gamma;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecnn.spec.PoolKind;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.testing.Fill;
import dev.vecnn.testing.Gens;
import dev.vecnn.testing.Gens.Case;
import dev.vecnn.testing.Props;
import dev.vecnn.testing.Tolerance;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Properties of the reference pooling over generated specs (ranks 1-5, every kind and option).
 *
 * <p>Forward and backward walk the same window enumeration ({@code ReferencePool.forEachWindow}),
 * so adjointness, "indices drive backward" and "channels-last = channels-first" hold for a wrong
 * window geometry too: they are consistency checks, not evidence that the windows are PyTorch's.
 * That evidence is the golden fixtures ({@code GoldenConformanceTest} in the tests module); global =
 * adaptive(1) and adaptive = windowed (divisible sizes) compare two different geometries.
 */
class ReferencePoolPropertiesTest {
    private static final DType T = DType.F64;
    private static final Gen<Case<PoolSpec>> CASES = Gens.withSeed(Gens.poolSpecs(5));

    static Tensor forward(Arena a, PoolSpec s, Tensor x, Tensor indices) {
        Tensor y = Tensor.allocate(a, x.dtype(), s.outputShape());
        ReferencePool.forward(s, x, y, indices);
        return y;
    }

    static Tensor backward(Arena a, PoolSpec s, Tensor x, Tensor indices, Tensor gy) {
        Tensor gx = Tensor.allocate(a, gy.dtype(), s.inputShape());
        ReferencePool.backward(s, x, indices, gy, gx);
        return gx;
    }

    @Test
    void averagePoolingBackwardIsTheAdjoint() {
        Props.qt(200).forAll(CASES).checkAssert(c -> {
            PoolSpec s = c.spec();
            if (s.kind().isMax()) return;
            try (Arena a = Arena.ofConfined()) {
                Tensor x = Fill.uniform(a, T, s.inputShape(), c.seed());
                Tensor g = Fill.uniform(a, T, s.outputShape(), c.seed() + 1);
                double mag = Fill.dot(forward(a, s, Fill.abs(a, x), null), Fill.abs(a, g));
                long n = Tensor.numel(s.inputShape()) + Tensor.numel(s.outputShape()) + 3;
                Tolerance.assertWithin(Fill.dot(forward(a, s, x, null), g), Fill.dot(x, backward(a, s, null, null, g)),
                        2 * gamma(n, T) * mag, "<avgpool(x),g> = <x,bwd(g)> " + c);
            }
        });
    }

    @Test
    void maxPoolingIndicesPointAtTheOutputAndDriveBackward() {
        Props.qt(200).forAll(CASES).checkAssert(c -> {
            PoolSpec s = c.spec();
            if (!s.kind().isMax()) return;
            try (Arena a = Arena.ofConfined()) {
                Tensor x = Fill.distinct(a, T, s.inputShape(), c.seed());
                Tensor idx = Tensor.allocate(a, DType.I64, s.outputShape());
                Tensor y = forward(a, s, x, idx);
                Fill.forEach(y, o -> {
                    long arg = idx.getLong(o);
                    if (arg < 0) {
                        assertEquals(Double.NEGATIVE_INFINITY, y.get(o), "empty window " + c);
                    } else {
                        long[] at = new long[s.rank() + 2];
                        at[0] = o[0];
                        at[1] = o[1];
                        for (int d = s.rank() - 1; d >= 0; d--) {
                            at[2 + d] = arg % s.inputSize(d);
                            arg /= s.inputSize(d);
                        }
                        assertEquals(x.get(at), y.get(o), "y = x[argmax] " + c);
                    }
                });
                Tensor g = Fill.uniform(a, T, s.outputShape(), c.seed() + 1);
                Tolerance.assertIdentical(backward(a, s, null, idx, g), backward(a, s, x, null, g), "backward by indices vs by x " + c);
            }
        });
    }

    @Test
    void globalPoolingIsAdaptivePoolingToOne() {
        Props.qt(100).forAll(CASES).checkAssert(c -> {
            PoolSpec s = c.spec();
            PoolKind global = s.kind().isMax() ? PoolKind.GLOBAL_MAX : PoolKind.GLOBAL_AVG;
            PoolKind adaptive = s.kind().isMax() ? PoolKind.ADAPTIVE_MAX : PoolKind.ADAPTIVE_AVG;
            PoolSpec gs = PoolSpec.builder(global).batch(s.batch()).channels(s.channels()).input(s.inputSize()).build();
            long[] ones = new long[s.rank()];
            java.util.Arrays.fill(ones, 1);
            PoolSpec as = PoolSpec.builder(adaptive).batch(s.batch()).channels(s.channels()).input(s.inputSize()).output(ones).build();
            try (Arena a = Arena.ofConfined()) {
                Tensor x = Fill.uniform(a, T, s.inputShape(), c.seed());
                Tensor g = Fill.uniform(a, T, gs.outputShape(), c.seed() + 1);
                Tolerance.assertIdentical(forward(a, gs, x, null), forward(a, as, x, null), gs + " vs " + as);
                Tolerance.assertIdentical(backward(a, gs, x, null, g), backward(a, as, x, null, g), gs + " vs " + as + " backward");
            }
        });
    }

    @Test
    void adaptivePoolingWithDivisibleSizesIsWindowedPooling() {
        Props.qt(100).forAll(CASES).checkAssert(c -> {
            PoolSpec s = c.spec();
            int r = s.rank();
            long[] out = new long[r], in = new long[r];
            int[] k = new int[r];
            for (int d = 0; d < r; d++) {
                out[d] = Math.min(s.outputSize(d), 3);
                k[d] = (int) Math.max(1, s.inputSize(d) / out[d]);
                in[d] = out[d] * k[d];
            }
            boolean max = s.kind().isMax();
            PoolSpec as = PoolSpec.builder(max ? PoolKind.ADAPTIVE_MAX : PoolKind.ADAPTIVE_AVG).batch(s.batch())
                    .channels(s.channels()).input(in).output(out).build();
            PoolSpec ws = PoolSpec.builder(max ? PoolKind.MAX : PoolKind.AVG).batch(s.batch()).channels(s.channels())
                    .input(in).kernel(k).stride(k).build();
            try (Arena a = Arena.ofConfined()) {
                Tensor x = Fill.uniform(a, T, as.inputShape(), c.seed());
                Tensor g = Fill.uniform(a, T, as.outputShape(), c.seed() + 1);
                Tolerance.assertIdentical(forward(a, as, x, null), forward(a, ws, x, null), as + " vs " + ws);
                Tolerance.assertIdentical(backward(a, as, x, null, g), backward(a, ws, x, null, g), as + " vs " + ws + " backward");
            }
        });
    }

    @Test
    void withoutPaddingCountIncludePadChangesNothing() {
        Props.qt(100).forAll(CASES).checkAssert(c -> {
            PoolSpec s = c.spec();
            if (!s.kind().isWindowed()) return;
            long[] in = s.inputSize();
            for (int d = 0; d < in.length; d++) in[d] = Math.max(in[d], s.window().effectiveKernel(d));
            PoolSpec inc = PoolSpec.builder(PoolKind.AVG).batch(s.batch()).channels(s.channels()).input(in)
                    .kernel(s.window().kernel()).stride(s.window().stride()).dilation(s.window().dilation())
                    .ceilMode(s.ceilMode()).build();
            PoolSpec exc = inc.toBuilder().countIncludePad(false).build();
            try (Arena a = Arena.ofConfined()) {
                Tensor x = Fill.uniform(a, T, inc.inputShape(), c.seed());
                Tolerance.assertIdentical(forward(a, inc, x, null), forward(a, exc, x, null), inc + " vs " + exc);
            }
        });
    }

    @Test
    void channelsLastEqualsChannelsFirst() {
        Props.qt(100).forAll(CASES).checkAssert(c -> {
            PoolSpec s = c.spec();
            try (Arena a = Arena.ofConfined()) {
                Tensor x = Fill.distinct(a, T, s.inputShape(), c.seed());
                Tensor g = Fill.uniform(a, T, s.outputShape(), c.seed() + 1);
                Tensor yl = Tensor.allocateChannelsLast(a, T, s.outputShape());
                Tensor il = s.kind().isMax() ? Tensor.allocateChannelsLast(a, DType.I64, s.outputShape()) : null;
                Tensor xl = Fill.channelsLast(a, x);
                ReferencePool.forward(s, xl, yl, il);
                Tolerance.assertIdentical(yl, forward(a, s, x, null), "forward " + c);
                Tensor gxl = Tensor.allocateChannelsLast(a, T, s.inputShape());
                ReferencePool.backward(s, xl, il, Fill.channelsLast(a, g), gxl);
                Tolerance.assertIdentical(gxl, backward(a, s, x, null, g), "backward " + c);
            }
        });
    }
}
