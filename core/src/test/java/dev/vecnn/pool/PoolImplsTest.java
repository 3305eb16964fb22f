package dev.vecnn.pool;

import static dev.vecnn.testing.Props.draw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.kernel.Backend;
import dev.vecnn.parallel.Execution;
import dev.vecnn.ref.ReferencePool;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.testing.Fill;
import dev.vecnn.testing.Gens;
import dev.vecnn.testing.Props;
import dev.vecnn.testing.Tolerance;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Every pooling implementation against the reference: generated specs of ranks 1-4 with every option
 * (overlapping windows, windows entirely in padding, ceil mode, count_include_pad, adaptive windows
 * that repeat), float32 and float64, channels-first, channels-last and a strided view, with contents
 * that are uniform, full of ties, or sprinkled with NaN and infinities.
 *
 * <p>Max pooling must equal the reference bit for bit, values and indices: it only compares. Average
 * pooling sums the n inside taps of a window ({@link Tolerance#poolWindowTerms}) in the tested
 * precision and divides once: within {@code gamma(n + 1) * mean(|x|)} of the reference (computed as
 * the reference on |x|). Backward passes sum, per gradient element, one term (divided once) from
 * each window that reads it ({@link Tolerance#poolGradientTerms}): {@code gamma(n + 1)} times the
 * same sum of magnitudes. A window holding an infinity or a NaN has a non-finite result and an
 * infinite magnitude, so non-finite values must match exactly (same infinity, NaN for NaN) and
 * finite ones are bounded by the finite terms ({@link Tolerance#assertClose}). Results must be
 * bit-identical for 1 and 3 threads.
 *
 * <p>Tagged "kernels": the build runs these again with 128- and 256-bit vectors.
 */
@Tag("kernels")
class PoolImplsTest {
    static final Execution ONE = Execution.withThreads(1), THREE = Execution.withThreads(3);

    enum Layout { CHANNELS_FIRST, CHANNELS_LAST, STRIDED }

    enum Content { UNIFORM, TIES, SPECIALS }

    record Case(PoolSpec spec, DType dtype, Layout layout, Content content, long seed) {
        @Override
        public String toString() {
            return spec + " " + dtype.shortName() + " " + layout + " " + content + " seed=" + seed;
        }
    }

    static final Gen<Case> CASES = in -> new Case(Gens.poolSpecs(4, true).generate(in),
            draw(in, 0, 1) == 0 ? DType.F32 : DType.F64, Layout.values()[draw(in, 0, 2)],
            Content.values()[draw(in, 0, 2)], draw(in, 0, 1 << 20));

    @AfterAll
    static void close() {
        ONE.close();
        THREE.close();
    }

    /** Every implementation but the reference: the dispatch list's and the portable kernels, in every run. */
    static List<PoolImpl> fast() {
        return Pool.allImplementations().stream().filter(i -> !i.name().equals("reference")).toList();
    }

    static Tensor tensor(Arena a, Case c, long[] shape) {
        return switch (c.layout) {
            case CHANNELS_FIRST -> Tensor.allocate(a, c.dtype, shape);
            case CHANNELS_LAST -> Tensor.allocateChannelsLast(a, c.dtype, shape);
            case STRIDED -> {
                long[] wider = shape.clone();
                wider[wider.length - 1] = 2 * wider[wider.length - 1] + 1;
                yield Tensor.allocate(a, c.dtype, wider).slice(wider.length - 1, 1, wider[wider.length - 1], 2);
            }
        };
    }

    static Tensor input(Arena a, Case c, long[] shape, long seed) {
        Tensor t = tensor(a, c, shape);
        Fill.uniform(t, seed);
        if (c.content == Content.UNIFORM) return t;
        SplittableRandom r = new SplittableRandom(seed + 7);
        double[] specials = {Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY};
        Fill.forEach(t, idx -> {
            if (c.content == Content.TIES) { // four levels: many ties; zeros of both signs (equal, but not the same bits)
                double v = Math.floor(t.get(idx) * 2) / 2;
                t.set(v == 0 && r.nextBoolean() ? -0.0 : v, idx);
            }
            else if (r.nextInt(12) == 0) t.set(specials[r.nextInt(3)], idx);
        });
        return t;
    }

    static Tensor filled(Tensor t, double v) {
        t.fill(v);
        return t;
    }

    static long outPlane(PoolSpec s) {
        long n = 1;
        for (int d = 0; d < s.rank(); d++) n *= s.outputSize(d);
        return n;
    }

    static long taps(PoolSpec s) {
        long n = 1;
        for (int d = 0; d < s.rank(); d++) {
            n *= s.kind().isWindowed() ? s.window().kernel(d) : s.inputSize(d);
        }
        return n;
    }

    /** The implementations (not the reference) that run {@code s}. */
    static List<PoolImpl> supporting(PoolSpec s) {
        return fast().stream().filter(i -> i.supports(s)).toList();
    }

    // the reference runs once per case, every implementation is compared with it

    @Test
    void forwardMatchesReference() {
        Props.qt(160).forAll(CASES).checkAssert(c -> {
            PoolSpec s = c.spec;
            List<PoolImpl> impls = supporting(s);
            if (impls.isEmpty()) return;
            try (Arena a = Arena.ofShared()) {
                Tensor x = input(a, c, s.inputShape(), c.seed);
                Tensor ref = Tensor.allocate(a, c.dtype, s.outputShape());
                Tensor refIdx = s.kind().isMax() ? Tensor.allocate(a, DType.I64, s.outputShape()) : null;
                ReferencePool.forward(s, x, ref, refIdx);
                Tensor mag = null;
                if (!s.kind().isMax()) {
                    mag = Tensor.allocate(a, DType.F64, s.outputShape());
                    ReferencePool.forward(s, Fill.abs(a, x), mag, null);
                }
                for (PoolImpl impl : impls) {
                    for (Execution ex : new Execution[] {ONE, THREE}) {
                        Tensor y = filled(tensor(a, c, s.outputShape()), Double.NaN);
                        impl.forward(s, x, y, null, ex);
                        if (s.kind().isMax()) {
                            Tolerance.assertIdentical(y, ref, impl + " forward " + c);
                            Tensor y2 = filled(tensor(a, c, s.outputShape()), Double.NaN);
                            Tensor idx = Tensor.allocate(a, DType.I64, s.outputShape());
                            idx.fill(-7);
                            impl.forward(s, x, y2, idx, ex);
                            Tolerance.assertIdentical(y2, ref, impl + " forward with indices " + c);
                            Tolerance.assertIdentical(idx, refIdx, impl + " indices " + c);
                        } else {
                            Tolerance.assertClose(y, ref, mag, Tolerance.factor(Tolerance.poolWindowTerms(s) + 1, c.dtype), impl + " forward " + c);
                        }
                    }
                }
            }
        });
    }

    @Test
    void backwardMatchesReferenceAndIsIndependentOfThreads() {
        Props.qt(160).forAll(CASES).checkAssert(c -> {
            PoolSpec s = c.spec;
            List<PoolImpl> impls = supporting(s);
            if (impls.isEmpty()) return;
            try (Arena a = Arena.ofShared()) {
                Tensor x = input(a, c, s.inputShape(), c.seed);
                Tensor gy = tensor(a, c, s.outputShape());
                Fill.uniform(gy, c.seed + 1);
                Tensor idx = null;
                if (s.kind().isMax()) {
                    idx = Tensor.allocate(a, DType.I64, s.outputShape());
                    ReferencePool.forward(s, x, Tensor.allocate(a, c.dtype, s.outputShape()), idx);
                }
                Tensor ref = Tensor.allocate(a, DType.F64, s.inputShape());
                ReferencePool.backward(s, null, idx, gy.to(a, DType.F64), ref);
                Tensor mag = Tensor.allocate(a, DType.F64, s.inputShape());
                ReferencePool.backward(s, null, idx, Fill.abs(a, gy), mag);
                double factor = Tolerance.factor(Tolerance.poolGradientTerms(s) + 1, c.dtype);
                for (PoolImpl impl : impls) {
                    Tensor first = null;
                    for (Execution ex : new Execution[] {ONE, THREE}) {
                        Tensor gx = filled(tensor(a, c, s.inputShape()), Double.NaN); // every element must be written
                        impl.backward(s, x, idx, gy, gx, ex);
                        Tolerance.assertClose(gx, ref, mag, factor, impl + " backward " + c);
                        if (first == null) first = gx;
                        else Tolerance.assertIdentical(gx, first, impl + " backward, 3 threads vs 1 " + c);
                        if (s.kind().isMax()) {
                            Tensor recomputed = filled(tensor(a, c, s.inputShape()), Double.NaN);
                            impl.backward(s, x, null, gy, recomputed, ex);
                            Tolerance.assertIdentical(recomputed, gx, impl + " backward without indices " + c);
                        }
                    }
                }
            }
        });
    }

    /**
     * Planes with more output rows than the portable kernels take in one chunk (16384 elements of rows):
     * every chunk boundary and the average divisors of later chunks (the generated specs are smaller).
     */
    @Test
    void tallPlanesCrossChunkBoundaries() {
        for (String text : List.of("avgpool_mb1ic1_i600x64_o600x64_k3x3_p1x1_excludepad", "maxpool_mb1ic1_i500x80_o500x40_k3x3_s1x2_p1x1")) {
            PoolSpec s = PoolSpec.parse(text);
            try (Arena a = Arena.ofShared()) {
                Tensor x = Fill.uniform(a, DType.F32, s.inputShape(), 3), ref = Tensor.allocate(a, DType.F32, s.outputShape());
                Tensor mag = Tensor.allocate(a, DType.F64, s.outputShape());
                ReferencePool.forward(s, x, ref, null);
                ReferencePool.forward(s, Fill.abs(a, x), mag, null);
                for (PoolImpl impl : fast()) {
                    Tensor y = Tensor.allocate(a, DType.F32, s.outputShape());
                    impl.forward(s, x, y, null, THREE);
                    if (s.kind().isMax()) Tolerance.assertIdentical(y, ref, impl + " forward " + text);
                    else Tolerance.assertClose(y, ref, mag, Tolerance.gamma(taps(s) + 1, DType.F32), impl + " forward " + text);
                }
            }
        }
    }

    @Test
    void theBackendsKernelsRunEveryKindByDefault() {
        String expected = Backend.isVector() ? "vector" : "portable";
        for (String text : List.of("maxpool_mb1ic64_ih112kh3sh2ph1", "avgpool_mb8ic64_ih56kh2sh2", "globalavgpool_mb8ic512_ih7",
                "globalmaxpool_mb1ic3_i4x5x6", "adaptiveavgpool_mb2ic3_ih9oh4", "adaptivemaxpool_mb2ic3_i5x7_o2x3")) {
            assertEquals(expected, Pool.choose(PoolSpec.parse(text)).name(), text + ", " + Backend.describe());
        }
        assertEquals("portable", Pool.implementation("portable").name());
    }

    @Test
    void indicesOutsideThePlaneAreRejectedBeforeGxIsTouched() {
        PoolSpec s = PoolSpec.parse("maxpool_mb1ic2_ih6kh2sh2");
        try (Arena a = Arena.ofConfined()) {
            Tensor x = Fill.uniform(a, DType.F32, s.inputShape(), 1);
            Tensor gy = Fill.uniform(a, DType.F32, s.outputShape(), 2);
            Tensor idx = Tensor.allocate(a, DType.I64, s.outputShape());
            idx.setLongAt(5, 36);
            Tensor gx = filled(Tensor.allocate(a, DType.F32, s.inputShape()), 3);
            for (PoolImpl impl : fast()) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> impl.backward(s, x, idx, gy, gx, ONE));
                assertTrue(e.getMessage().startsWith("indices[0, 0, 1, 2] = 36: outside the input plane [0, 36)"), impl + ": " + e.getMessage());
                Fill.forEach(gx, i -> assertEquals(3.0, gx.get(i)));
            }
        }
    }
}
