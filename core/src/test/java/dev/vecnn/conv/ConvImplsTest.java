package dev.vecnn.conv;

import static dev.vecnn.testing.Props.draw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.kernel.Backend;
import dev.vecnn.kernel.conv.blocked.BlockedConv;
import dev.vecnn.kernel.conv.pointwise.PointwiseConv;
import dev.vecnn.parallel.Execution;
import dev.vecnn.ref.ReferenceConv;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.testing.Fill;
import dev.vecnn.testing.Gens;
import dev.vecnn.testing.Props;
import dev.vecnn.testing.Tolerance;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Every convolution implementation against the reference, for float32 and float64, both layouts,
 * every pass, over generated specs ({@link Gens#kernelSpecs}: ranks 1-4, every option, channel counts
 * on every register-tile tail and past one reduction chunk). {@code DifferentialTest} adds views,
 * heap memory and output guards.
 *
 * <p>Tolerance: the implementation sums each output in its own order in the tested precision; the
 * reference sums in double. Every such sum, whatever its order or blocking, is within
 * {@code gamma(n) * M} of the exact value, n the pass's own reduction length
 * ({@link Tolerance#convTerms}) and M the sum of the terms' magnitudes, computed as the reference on
 * absolute values ({@link Tolerance#factor}); the forward pass's activation is checked as
 * {@link Tolerance#assertActivatedClose} derives.
 *
 * <p>Tagged "kernels": the build runs these again with 128- and 256-bit vectors.
 */
@Tag("kernels")
class ConvImplsTest {
    static final Execution TWO = Execution.withThreads(2);
    static final Gen<Case> CASES = in -> new Case(Gens.kernelSpecs(4, 60_000).generate(in),
            draw(in, 0, 1) == 0 ? DType.F32 : DType.F64, draw(in, 0, 2) == 0, Activation.values()[draw(in, 0, Activation.values().length - 1)],
            draw(in, 0, 1 << 20));

    record Case(ConvSpec spec, DType dtype, boolean channelsLast, Activation activation, long seed) {
        @Override
        public String toString() {
            return spec + " " + dtype.shortName() + (channelsLast ? " channels-last" : "") + " " + activation + " seed=" + seed;
        }

        Epilogue epilogue() {
            return switch (activation) {
                case LEAKY_RELU -> Epilogue.leakyRelu(0.125);
                case HARD_SIGMOID -> Epilogue.hardSigmoid(0.2, 0.5);
                case CLIP -> Epilogue.clip(-0.5, 0.75);
                default -> new Epilogue(activation, 0, 0);
            };
        }
    }

    @AfterAll
    static void close() {
        TWO.close();
    }

    /**
     * Every implementation but the reference: the dispatch list's and the portable kernels, in every run, and the
     * blocked and pointwise kernels on every spec they can run (dispatched only where they are fast, which few
     * generated specs are).
     */
    static List<ConvImpl> fast(ConvPass pass) {
        List<ConvImpl> list = new ArrayList<>(Conv.allImplementations().stream().filter(i -> !i.name().equals("reference")).toList());
        if (Backend.isVector()) {
            list.add(BlockedConv.anywhere());
            list.add(PointwiseConv.anywhere());
        }
        return list;
    }

    static Tensor tensor(Arena a, Case c, long[] shape, long seed) {
        Tensor t = c.channelsLast && shape.length >= 3 ? Tensor.allocateChannelsLast(a, c.dtype, shape) : Tensor.allocate(a, c.dtype, shape);
        Fill.uniform(t, seed);
        return t;
    }

    static Tensor out(Arena a, Case c, long[] shape) {
        return c.channelsLast && shape.length >= 3 ? Tensor.allocateChannelsLast(a, c.dtype, shape) : Tensor.allocate(a, c.dtype, shape);
    }

    /** The implementations (not the reference) that run {@code pass} of {@code s}. */
    static List<ConvImpl> supporting(ConvPass pass, ConvSpec s) {
        return fast(pass).stream().filter(i -> i.supports(pass, s)).toList();
    }

    // the reference runs once per case: it costs more than all the implementations together

    @Test
    void forwardMatchesReference() {
        Props.qt(100).forAll(CASES).checkAssert(c -> {
            ConvSpec s = c.spec;
            List<ConvImpl> impls = supporting(ConvPass.FORWARD, s);
            if (impls.isEmpty()) return;
            try (Arena a = Arena.ofShared()) {
                Tensor x = tensor(a, c, s.inputShape(), c.seed), w = tensor(a, c, s.weightShape(), c.seed + 1);
                Tensor b = s.hasBias() ? tensor(a, c, s.biasShape(), c.seed + 2) : null;
                // the pre-activation in double; the tolerance carries the error through the activation (Tolerance)
                Tensor pre = Tensor.allocate(a, DType.F64, s.outputShape());
                ReferenceConv.forward(s, x.to(a, DType.F64), w.to(a, DType.F64), b == null ? null : b.to(a, DType.F64), pre);
                Tensor mag = Tensor.allocate(a, DType.F64, s.outputShape());
                ReferenceConv.forward(s, Fill.abs(a, x), Fill.abs(a, w), b == null ? null : Fill.abs(a, b), mag);
                for (ConvImpl impl : impls) {
                    Tensor y = out(a, c, s.outputShape());
                    impl.forward(s, x, w, b, y, c.epilogue(), TWO);
                    Tolerance.assertActivatedClose(y, pre, mag, Tolerance.factor(Tolerance.convTerms(s, ConvPass.FORWARD), c.dtype),
                            c.epilogue(), impl + " forward " + c);
                }
            }
        });
    }

    @Test
    void backwardDataMatchesReference() {
        Props.qt(100).forAll(CASES).checkAssert(c -> {
            ConvSpec s = c.spec;
            List<ConvImpl> impls = supporting(ConvPass.BACKWARD_DATA, s);
            if (impls.isEmpty()) return;
            try (Arena a = Arena.ofShared()) {
                Tensor gy = tensor(a, c, s.outputShape(), c.seed), w = tensor(a, c, s.weightShape(), c.seed + 1);
                Tensor ref = Tensor.allocate(a, DType.F64, s.inputShape());
                ReferenceConv.backwardData(s, gy.to(a, DType.F64), w.to(a, DType.F64), ref);
                Tensor mag = Tensor.allocate(a, DType.F64, s.inputShape());
                ReferenceConv.backwardData(s, Fill.abs(a, gy), Fill.abs(a, w), mag);
                for (ConvImpl impl : impls) {
                    Tensor gx = out(a, c, s.inputShape());
                    gx.fill(Double.NaN); // every element must be written
                    impl.backwardData(s, gy, w, gx, TWO);
                    Tolerance.assertClose(gx, ref, mag, Tolerance.factor(Tolerance.convTerms(s, ConvPass.BACKWARD_DATA), c.dtype),
                            impl + " backward data " + c);
                }
            }
        });
    }

    /**
     * Regression: with unit strides, rank >= 3 and output planes smaller than a register tile, a
     * block of backward-data columns ran past its depth slice into the next one and added that
     * slice's gradient twice (found by the nn module's gradient checks).
     */
    @Test
    void backwardDataOfSmallPlanesInRankThree() {
        for (String text : List.of("mb1ic1_i2x1x1_oc1_k3x3x3_p1x1x1_bias0", "mb2ic2_i3x1x2_oc2_k3x3x3_p1x1x1_bias0",
                "mb1ic2_i2x2x1_oc3_k3x3x3_p1x1x1_bias0", "mb1ic1_i4x2x2x1_oc1_k3x3x3x3_p1x1x1x1_bias0")) {
            ConvSpec s = ConvSpec.parse(text);
            for (ConvImpl impl : fast(ConvPass.BACKWARD_DATA)) {
                if (!impl.supports(ConvPass.BACKWARD_DATA, s)) continue;
                try (Arena a = Arena.ofShared()) {
                    Tensor gy = Fill.uniform(a, DType.F64, s.outputShape(), 1), w = Fill.uniform(a, DType.F64, s.weightShape(), 2);
                    Tensor gx = Tensor.allocate(a, DType.F64, s.inputShape()), ref = Tensor.allocate(a, DType.F64, s.inputShape());
                    impl.backwardData(s, gy, w, gx, TWO);
                    ReferenceConv.backwardData(s, gy, w, ref);
                    Tensor mag = Tensor.allocate(a, DType.F64, s.inputShape());
                    ReferenceConv.backwardData(s, Fill.abs(a, gy), Fill.abs(a, w), mag);
                    Tolerance.assertClose(gx, ref, mag, Tolerance.factor(Tolerance.convTerms(s, ConvPass.BACKWARD_DATA), DType.F64),
                            impl + " backward data " + text);
                }
            }
        }
    }

    @Test
    void backwardWeightsMatchesReference() {
        Props.qt(100).forAll(CASES).checkAssert(c -> {
            ConvSpec s = c.spec;
            List<ConvImpl> impls = supporting(ConvPass.BACKWARD_WEIGHTS, s);
            if (impls.isEmpty()) return;
            try (Arena a = Arena.ofShared()) {
                Tensor x = tensor(a, c, s.inputShape(), c.seed), gy = tensor(a, c, s.outputShape(), c.seed + 1);
                Tensor ref = Tensor.allocate(a, DType.F64, s.weightShape());
                ReferenceConv.backwardWeights(s, x.to(a, DType.F64), gy.to(a, DType.F64), ref);
                Tensor mag = Tensor.allocate(a, DType.F64, s.weightShape());
                ReferenceConv.backwardWeights(s, Fill.abs(a, x), Fill.abs(a, gy), mag);
                for (ConvImpl impl : impls) {
                    Tensor gw = out(a, c, s.weightShape());
                    gw.fill(Double.NaN);
                    impl.backwardWeights(s, x, gy, gw, TWO);
                    Tolerance.assertClose(gw, ref, mag, Tolerance.factor(Tolerance.convTerms(s, ConvPass.BACKWARD_WEIGHTS), c.dtype),
                            impl + " backward weights " + c);
                }
            }
        });
    }

    @Test
    void resultsAreBitIdenticalForAnyThreadCountAndLayout() {
        int[] threads = {1, 2, 3, 8};
        Execution[] ex = new Execution[threads.length];
        for (int i = 0; i < threads.length; i++) ex[i] = Execution.withThreads(threads[i]);
        try {
            Props.qt(40).forAll(CASES).checkAssert(c -> {
                ConvSpec s = c.spec;
                for (ConvImpl impl : fast(ConvPass.FORWARD)) {
                    if (!impl.supports(ConvPass.FORWARD, s)) continue;
                    try (Arena a = Arena.ofShared()) {
                        Case first = new Case(s, c.dtype, false, c.activation, c.seed);
                        Tensor x = tensor(a, first, s.inputShape(), c.seed), w = tensor(a, first, s.weightShape(), c.seed + 1);
                        Tensor gy = tensor(a, first, s.outputShape(), c.seed + 2);
                        Tensor b = s.hasBias() ? tensor(a, first, s.biasShape(), c.seed + 3) : null;
                        Tensor[] base = null;
                        for (int i = 0; i < ex.length; i++) {
                            for (boolean last : new boolean[] {false, true}) {
                                Case k = new Case(s, c.dtype, last, c.activation, c.seed);
                                Tensor xi = last ? Fill.channelsLast(a, x) : x, gyi = last ? Fill.channelsLast(a, gy) : gy;
                                Tensor y = out(a, k, s.outputShape()), gx = out(a, k, s.inputShape()), gw = out(a, k, s.weightShape());
                                impl.forward(s, xi, w, b, y, c.epilogue(), ex[i]);
                                if (impl.supports(ConvPass.BACKWARD_DATA, s)) impl.backwardData(s, gyi, w, gx, ex[i]);
                                if (impl.supports(ConvPass.BACKWARD_WEIGHTS, s)) impl.backwardWeights(s, xi, gyi, gw, ex[i]);
                                Tensor[] r = {y, gx, gw};
                                if (base == null) base = r;
                                else for (int j = 0; j < 3; j++) Tolerance.assertIdentical(r[j], base[j],
                                        impl + " pass " + j + " threads " + threads[i] + (last ? " channels-last " : " ") + c);
                            }
                        }
                    }
                }
            });
        } finally {
            for (Execution e : ex) e.close();
        }
    }

    @Test
    void aClosedExecutionIsAClearError() {
        ConvSpec s = ConvSpec.parse("mb1ic2ih5oc2oh5kh3ph1");
        Execution ex = Execution.withThreads(2);
        ex.close();
        try (Arena a = Arena.ofShared()) {
            Tensor x = Tensor.allocate(a, DType.F32, s.inputShape()), w = Tensor.allocate(a, DType.F32, s.weightShape());
            Tensor b = Tensor.allocate(a, DType.F32, s.biasShape()), y = Tensor.allocate(a, DType.F32, s.outputShape());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Conv.forward(s, x, w, b, y, Epilogue.NONE, ex));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }
    }

    @Test
    void dispatcherPicksAFastImplementationAndNamesAreUnique() {
        ConvSpec s = ConvSpec.parse("mb1ic64ih56oc64oh56kh3ph1");
        for (ConvPass p : ConvPass.values()) {
            List<ConvImpl> list = Conv.implementations(p);
            assertEquals("reference", list.get(list.size() - 1).name(), "reference is last");
            assertTrue(!Conv.choose(p, s).name().equals("reference"), p + " of " + s + " runs " + Conv.choose(p, s));
            assertEquals(list.size(), list.stream().map(ConvImpl::name).distinct().count());
            assertEquals(Backend.isVector() ? "gemm" : "portable", Conv.choose(p, s).name(), Backend.describe());
        }
        List<ConvImpl> all = Conv.allImplementations();
        assertEquals(all.size(), all.stream().map(ConvImpl::name).distinct().count());
        assertEquals("portable", Conv.implementation("portable").name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Conv.implementation("nope"));
        assertTrue(e.getMessage().contains("vecnn backend: "), e.getMessage());
    }
}
