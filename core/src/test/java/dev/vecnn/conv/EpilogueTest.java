package dev.vecnn.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import dev.vecnn.testing.Layout;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The activation vocabulary: parameters, their checks, and the values of the scalar path. */
class EpilogueTest {
    @Test
    void factoriesCarryTheirParameters() {
        assertEquals(new Epilogue(Activation.LEAKY_RELU, 0.01, 0), Epilogue.leakyRelu(0.01));
        assertEquals(new Epilogue(Activation.LEAKY_RELU, 0.2), Epilogue.leakyRelu(0.2)); // the former two-argument form
        assertEquals(new Epilogue(Activation.HARD_SIGMOID, 1.0 / 6, 0.5), Epilogue.hardSigmoid());
        assertEquals(new Epilogue(Activation.CLIP, 0, 6), Epilogue.relu6());
        assertEquals(Activation.GELU, Epilogue.gelu().activation());
        assertEquals(Activation.HARD_SWISH, Epilogue.hardSwish().activation());
        Epilogue.clip(Double.NEGATIVE_INFINITY, 0); // one-sided clips (ONNX Clip without min) are fine
    }

    @Test
    void badParametersAreRejected() {
        assertThrows(NullPointerException.class, () -> new Epilogue(null, 0, 0));
        for (Runnable bad : new Runnable[] {() -> Epilogue.leakyRelu(Double.NaN), () -> Epilogue.leakyRelu(Double.POSITIVE_INFINITY),
            () -> Epilogue.hardSigmoid(0, 0.5), () -> Epilogue.hardSigmoid(-0.2, 0.5), () -> Epilogue.hardSigmoid(0.2, Double.NaN),
            () -> new Epilogue(Activation.CLIP, 1, 0)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::run);
            assertTrue(e.getMessage().contains("alpha") || e.getMessage().contains("beta"), e.getMessage());
        }
        // clip's own parameters by their names
        for (Runnable bad : new Runnable[] {() -> Epilogue.clip(1, 0), () -> Epilogue.clip(Double.NaN, 1), () -> Epilogue.clip(0, Double.NaN)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::run);
            assertTrue(e.getMessage().contains("min = ") && e.getMessage().contains("max = ") && !e.getMessage().contains("alpha"), e.getMessage());
        }
    }

    /** The PyTorch values at the defining points (exact in float and double). */
    @Test
    void valuesAtDefiningPoints() {
        Epilogue hs = Epilogue.hardSigmoid(), onnx = Epilogue.hardSigmoid(0.2, 0.5), hw = Epilogue.hardSwish(), r6 = Epilogue.relu6();
        assertEquals(0.0, hs.apply(-3.0));
        assertEquals(1.0, hs.apply(3.0));
        assertEquals(0.5f, hs.apply(0f));
        assertEquals(0.0, onnx.apply(-2.5));
        assertEquals(1.0f, onnx.apply(2.5f));
        assertEquals(0.7, onnx.apply(1.0), 1e-16);
        assertEquals(-0.0, hw.apply(-3.0));
        assertEquals(3.0, hw.apply(3.0));
        assertEquals(6.0, r6.apply(7.0));
        assertTrue(Double.isNaN(r6.apply(Double.NaN)));
        assertTrue(Float.isNaN(Epilogue.relu().apply(Float.NaN)));
        assertEquals(-0.03f, Epilogue.leakyRelu(0.01).apply(-3f), 1e-9f);
        assertEquals(0.5, Epilogue.sigmoid().apply(0.0));
        assertEquals(0.0, Epilogue.gelu().apply(0.0));
        assertEquals(Math.tanh(0.5), Epilogue.tanh().apply(0.5), 3 * Math.ulp(Math.tanh(0.5)));
    }

    @Test
    void clampsGiveTheirBounds() {
        assertTrue(Epilogue.NONE.isClamp() && Epilogue.relu().isClamp() && Epilogue.relu6().isClamp());
        assertFalse(Epilogue.leakyRelu(0.1).isClamp() || Epilogue.hardSigmoid().isClamp() || Epilogue.sigmoid().isClamp());
        assertEquals(Double.NEGATIVE_INFINITY, Epilogue.NONE.clampLow());
        assertEquals(Double.POSITIVE_INFINITY, Epilogue.NONE.clampHigh());
        assertEquals(0.0, Epilogue.relu().clampLow());
        assertEquals(Double.POSITIVE_INFINITY, Epilogue.relu().clampHigh());
        assertEquals(-0.25, Epilogue.clip(-0.25, 0.5).clampLow());
        assertEquals(0.5, Epilogue.clip(-0.25, 0.5).clampHigh());
        assertTrue(Double.isNaN(Epilogue.sigmoid().clampLow()) && Double.isNaN(Epilogue.sigmoid().clampHigh()));
    }

    /**
     * Clip activations applied in the registers (pointwise, direct on row vectors, depthwise on rows and on
     * its slab) against the reference: both bounds reached (outputs of these uniform fills pass -0.25 and 0.5),
     * a one-sided clip and ReLU6, in both dtypes and layouts, with every implementation that takes the spec.
     */
    @Test
    void clipsInTheStoresMatchTheReference() {
        List<ConvSpec> specs = List.of(ConvSpec.parse("mb2ic8oc20_i6x50_k1x1"), ConvSpec.parse("mb2ic1oc8_i3x6x16_k3x3x3_p1x1x1"),
                ConvSpec.parse("g8mb2ic8ih12iw20oc8oh12ow20kh3kw3ph1pw1"), ConvSpec.parse("g4mb1ic4oc4_i5x6x7_k3x3x3_p1x1x1"));
        try (Arena a = Arena.ofShared(); Execution two = Execution.withThreads(2)) {
            for (ConvSpec s : specs) {
                for (DType t : new DType[] {DType.F32, DType.F64}) {
                    for (Epilogue e : List.of(Epilogue.clip(-0.25, 0.5), Epilogue.clip(Double.NEGATIVE_INFINITY, 0.1), Epilogue.relu6())) {
                        for (Layout layout : new Layout[] {Layout.FIRST, Layout.LAST}) KernelRegressionTest.checkForward(s, t, layout, a, e, two);
                    }
                }
            }
        }
    }

    /** The forward with an epilogue and no execution runs on the default one: the bits of one thread. */
    @Test
    void forwardWithAnEpilogueOnTheDefaultExecution() {
        ConvSpec s = ConvSpec.parse("mb2ic8oc20_i6x50_k3x3_p1x1");
        try (Arena a = Arena.ofConfined(); Execution one = Execution.withThreads(1)) {
            for (DType t : new DType[] {DType.F32, DType.F64}) {
                Tensor x = Fill.uniform(a, t, s.inputShape(), 1), w = Fill.uniform(a, t, s.weightShape(), 2), b = Fill.uniform(a, t, s.biasShape(), 3);
                Tensor want = Tensor.allocate(a, t, s.outputShape()), got = Tensor.allocate(a, t, s.outputShape());
                Conv.forward(s, x, w, b, want, Epilogue.relu6(), one);
                Conv.forward(s, x, w, b, got, Epilogue.relu6());
                for (long i = 0; i < want.numel(); i++) {
                    assertEquals(want.getAt(i), got.getAt(i), t + " element " + i);
                    assertTrue(got.getAt(i) >= 0 && got.getAt(i) <= 6, t + " element " + i + " = " + got.getAt(i) + " outside ReLU6's range");
                }
            }
        }
    }

    /** Clamps whose bounds are signed zeros (in either precision) are left to the store's activation pass. */
    @Test
    void signedZeroBoundsAreNotClampedInRegisters() {
        assertTrue(Epilogue.NONE.isRegisterClamp() && Epilogue.relu().isRegisterClamp() && Epilogue.relu6().isRegisterClamp());
        assertTrue(Epilogue.clip(0.0, -0.0).isRegisterClamp()); // +0.0 low and -0.0 high: the blends give max's and min's bits
        assertFalse(Epilogue.clip(-0.0, 1).isRegisterClamp());
        assertFalse(Epilogue.clip(-1, 0.0).isRegisterClamp());
        assertFalse(Epilogue.clip(-1e-50, 1).isRegisterClamp()); // -0.0f in float32
        assertFalse(Epilogue.clip(-1, 1e-50).isRegisterClamp()); // +0.0f in float32
        assertFalse(Epilogue.leakyRelu(0.1).isRegisterClamp());
    }

    /**
     * The clamps in the kernels' registers (a compare and a blend per bound) against Java's max and min, bit for bit:
     * each implementation's output with the clamp fused equals its own output without an activation passed through
     * {@link Epilogue#apply} (Math.max and Math.min), +0.0 and -0.0 told apart and NaN kept. Inputs and weights are
     * multiples of 1/4 and 1/2, so outputs are exact multiples of 1/8 that land on the bounds and on +0.0 (padding,
     * zero weights); a second round takes inputs and weights of ±1e-30 and biases of ±0.0, whose products underflow,
     * so sums come out -0.0 as well as +0.0; a NaN input reaches some outputs. Bounds include signed
     * zeros, which go the other way ({@link Epilogue#isRegisterClamp}). Specs: pointwise on a large and a small plane
     * (channels-first tiles, the channels-last GEMM's masked 12x2), 3x3 (the GEMM's tiles, a masked 24x1 and 6x4),
     * a volume, the direct kernel's row vectors (one input channel, eight outputs; rows shorter than a vector),
     * depthwise 2-D and 3-D at stride 1 (row tiles, rows plan) and 2 (per-position tiles).
     */
    @Test
    void registerClampsGiveTheBitsOfMaxAndMin() {
        List<ConvSpec> specs = List.of(ConvSpec.parse("mb2ic8oc20_i6x50_k1x1"), ConvSpec.parse("mb1ic8oc20_i7x8_k1x1"),
                ConvSpec.parse("mb1ic6oc40_i9x30_k3x3_p1x1"), ConvSpec.parse("mb1ic4oc60_i7x9_k3x3_p1x1"),
                ConvSpec.parse("mb1ic3oc16_i6x6x20_k3x3x3_p1x1x1"), ConvSpec.parse("mb2ic1oc8_i3x6x16_k3x3x3_p1x1x1"),
                ConvSpec.parse("mb1ic1oc8_i6x10_k3x3_p1x1"), ConvSpec.parse("g8mb2ic8ih12iw20oc8oh12ow20kh3kw3ph1pw1"),
                ConvSpec.parse("g16mb1ic16oc16_i5x6x40_k3x3x3_p1x1x1"), ConvSpec.parse("g16mb1ic16ih12iw20oc16kh3kw3sh2sw2ph1pw1"));
        List<Epilogue> clamps = List.of(Epilogue.NONE, Epilogue.relu(), Epilogue.relu6(), Epilogue.clip(-0.25, 0.5), Epilogue.clip(0.0, -0.0),
                Epilogue.clip(-0.0, 0.5), Epilogue.clip(-0.5, 0.0), Epilogue.clip(-1e-50, 1e-50));
        try (Arena a = Arena.ofShared(); Execution two = Execution.withThreads(2)) {
            for (ConvSpec s : specs) {
                for (DType t : new DType[] {DType.F32, DType.F64}) {
                    for (Layout layout : new Layout[] {Layout.FIRST, Layout.LAST}) {
                      for (double scale : new double[] {1, 1e-30}) {
                        Tensor x = layout.place(a, t, s.inputShape()).view, w = Layout.FIRST.place(a, t, s.weightShape()).view;
                        SplittableRandom r = new SplittableRandom(7);
                        Fill.forEach(x, i -> x.set((r.nextInt(5) - 2) * (scale == 1 ? 0.25 : scale), i));
                        Fill.forEach(w, i -> w.set((r.nextInt(5) - 2) * (scale == 1 ? 0.5 : scale), i));
                        x.set(Double.NaN, new long[s.inputShape().length]);
                        Tensor b = null;
                        if (s.hasBias()) {
                            Tensor bias = Layout.FIRST.place(a, t, s.biasShape()).view;
                            Fill.forEach(bias, i -> bias.set(scale == 1 ? (r.nextInt(3) - 1) * 0.125 : r.nextBoolean() ? -0.0 : 0.0, i));
                            b = bias;
                        }
                        for (ConvImpl impl : Conv.implementations(ConvPass.FORWARD)) {
                            if (!impl.supports(ConvPass.FORWARD, s)) continue;
                            Tensor plain = layout.place(a, t, s.outputShape()).view, fused = layout.place(a, t, s.outputShape()).view;
                            impl.forward(s, x, w, b, plain, Epilogue.NONE, two);
                            for (Epilogue e : clamps) {
                                impl.forward(s, x, w, b, fused, e, two);
                                Fill.forEach(fused, i -> {
                                    double v = plain.get(i), want = t == DType.F32 ? e.apply((float) v) : e.apply(v), got = fused.get(i);
                                    if (Double.compare(want, got) != 0) {
                                        throw new AssertionError(impl + " " + s + " " + t.shortName() + " " + layout + " clip [" + e.clampLow() + ", "
                                                + e.clampHigh() + "] at " + java.util.Arrays.toString(i) + ": " + got + ", want " + want + " (from " + v + ")");
                                    }
                                });
                            }
                        }
                      }
                    }
                }
            }
        }
    }
}
