package dev.vecnn.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.testing.Layout;
import java.lang.foreign.Arena;
import java.util.List;
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
            () -> Epilogue.clip(1, 0), () -> Epilogue.clip(Double.NaN, 1)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::run);
            assertTrue(e.getMessage().contains("alpha") || e.getMessage().contains("beta"), e.getMessage());
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
}
