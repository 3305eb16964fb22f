package dev.vecnn.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.kernel.Backend;
import dev.vecnn.parallel.Execution;
import dev.vecnn.ref.ReferenceConv;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import dev.vecnn.testing.Tolerance;
import java.lang.foreign.Arena;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PaddingMode;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The direct forward kernel on first layers (one or two input channels, any number of output channels):
 * output channel counts that leave every tail of its passes of eight and four (a last five, three, two,
 * one), channel parts split across threads at batch 1, ranks 1 to 3, strides, dilation and a non-zero
 * padding mode; and its backward-weights in both dtypes on grids of one and of several L1 pieces, with
 * reductions that leave every remainder of its groups of six steps.
 * Every implementation is checked against the reference at 1, 2 and 3 threads.
 */
@Tag("kernels")
class DirectFewInputsTest {
    static final List<ConvSpec> SPECS = List.of(
            ConvSpec.parse("mb2ic1ih9iw11oc13oh9ow11kh3kw3ph1pw1"),
            ConvSpec.parse("mb1ic2ih7iw20oc7oh7ow20kh3kw3ph1pw1"),
            ConvSpec.parse("mb1ic1iw300oc6ow285kw16"),
            ConvSpec.parse("mb1ic1oc9_i5x6x13_k3x3x5_p1x1x2"),
            ConvSpec.parse("mb3ic1ih12iw12oc10oh6ow6kh3kw3sh2sw2ph1pw1"),
            ConvSpec.parse("mb1ic1ih10iw17oc5oh6ow13kh3kw3dh1dw1").toBuilder().paddingMode(PaddingMode.ZEROS).build(),
            ConvSpec.parse("mb1ic2ih8iw9oc11oh8ow9kh3kw3ph1pw1").toBuilder().paddingMode(PaddingMode.REFLECT).build(),
            // 17 channels: passes of eight and a last one (at 512 bits)
            ConvSpec.parse("mb2ic1ih40iw37oc9oh40ow37kh3kw3ph1pw1"),
            ConvSpec.parse("mb1ic1oc17_i4x6x20_k3x3x3_p1x1x1"));

    /**
     * Backward-weights in both dtypes where its grid walk has several L1 pieces (spans of 1558 and 4222
     * positions: 2 and 5 pieces of float32 at 512 bits, 4 and 9 of float64) and reductions that leave every
     * remainder of its groups of six steps (7, 8, 9 steps here; 27, 45, 16 and 5 in {@link #SPECS} and
     * {@link #ROWS}).
     */
    static final List<ConvSpec> WEIGHT_GRIDS = List.of(
            ConvSpec.parse("mb2ic1ih40iw37oc9oh40ow37kh3kw3ph1pw1"),
            ConvSpec.parse("mb1ic1ih64iw64oc5oh64ow64kh3kw3ph1pw1"),
            ConvSpec.parse("mb2ic1iw40oc9ow34kw7"),
            ConvSpec.parse("mb2ic1iw40oc6ow33kw8"));

    @Test
    void backwardWeightsOverSeveralPiecesInBothDtypes() {
        try (Arena a = Arena.ofConfined(); Execution two = Execution.withThreads(2)) {
            for (ConvSpec s : WEIGHT_GRIDS) {
                for (DType t : new DType[] {DType.F32, DType.F64}) {
                    Tensor x = Fill.uniform(a, t, s.inputShape(), 11), gy = Fill.uniform(a, t, s.outputShape(), 12);
                    Tensor gw = Tensor.allocate(a, DType.F64, s.weightShape()), mag = Tensor.allocate(a, DType.F64, s.weightShape());
                    ReferenceConv.backwardWeights(s, x.to(a, DType.F64), gy.to(a, DType.F64), gw);
                    ReferenceConv.backwardWeights(s, Fill.abs(a, x), Fill.abs(a, gy), mag);
                    int checked = 0;
                    for (ConvImpl impl : Conv.implementations(ConvPass.BACKWARD_WEIGHTS)) {
                        if (!impl.supports(ConvPass.BACKWARD_WEIGHTS, s)) continue;
                        Tensor out = Tensor.allocate(a, t, s.weightShape());
                        impl.backwardWeights(s, x, gy, out, two);
                        Tolerance.assertClose(out, gw, mag, Tolerance.factor(Tolerance.convTerms(s, ConvPass.BACKWARD_WEIGHTS), t),
                                impl + " backward weights " + s + " " + t.shortName());
                        checked++;
                    }
                    assertTrue(checked > 0, "no implementation ran " + s);
                }
            }
        }
    }

    @Test
    void firstLayersGoDirect() {
        // without the Vector API one implementation serves every spec
        String expected = Backend.isVector() ? "direct" : "portable";
        for (ConvSpec s : SPECS) assertEquals(expected, Conv.choose(ConvPass.FORWARD, s).name(), s.toString());
        for (ConvSpec s : ROWS) assertEquals(expected, Conv.choose(ConvPass.FORWARD, s).name(), s.toString());
    }

    /**
     * An infinite input element: backward-weights must give infinity exactly for the taps whose windows
     * read it and stay finite elsewhere (between the windows the kernel multiplies gy = 0 by x; a 0 * inf
     * there must not turn every sum into a NaN).
     */
    @Test
    void anInfiniteInputReachesOnlyTheTapsThatReadIt() {
        ConvSpec s = SPECS.get(0);
        try (Arena a = Arena.ofConfined(); Execution two = Execution.withThreads(2)) {
            for (DType t : new DType[] {DType.F32, DType.F64}) {
                Tensor x = Fill.uniform(a, t, s.inputShape(), 7), gy = Fill.uniform(a, t, s.outputShape(), 8);
                x.set(Double.POSITIVE_INFINITY, 1, 0, 4, 0);
                Tensor gw = Tensor.allocate(a, DType.F64, s.weightShape()), mag = Tensor.allocate(a, DType.F64, s.weightShape());
                ReferenceConv.backwardWeights(s, x.to(a, DType.F64), gy.to(a, DType.F64), gw);
                ReferenceConv.backwardWeights(s, Fill.abs(a, x), Fill.abs(a, gy), mag);
                for (ConvImpl impl : Conv.implementations(ConvPass.BACKWARD_WEIGHTS)) {
                    if (!impl.supports(ConvPass.BACKWARD_WEIGHTS, s)) continue;
                    Tensor out = Tensor.allocate(a, t, s.weightShape());
                    impl.backwardWeights(s, x, gy, out, two);
                    Tolerance.assertClose(out, gw, mag, Tolerance.factor(Tolerance.convTerms(s, ConvPass.BACKWARD_WEIGHTS), t),
                            impl + " backward weights with an infinite input " + s + " " + t.shortName());
                }
            }
        }
    }

    @Test
    void everyPassMatchesTheReference() {
        for (ConvSpec s : SPECS) KernelRegressionTest.checkAllPasses(s);
        for (ConvSpec s : ROWS) KernelRegressionTest.checkAllPasses(s);
    }

    /**
     * First layers of the training suite's shapes (a 3-D volume with rows of 16, a 2-D plane with rows of
     * 37, a 1-D trace of 300): outputs stored from the slab grid row by row with bias and an activation, in
     * both dtypes and both layouts (channels-last stores element by element), at 1 and 3 threads.
     */
    static final List<ConvSpec> ROWS = List.of(
            ConvSpec.parse("mb2ic1oc6_i3x5x16_k3x3x3_p1x1x1"),
            ConvSpec.parse("mb3ic2ih5iw37oc9oh5ow37kh3kw3ph1pw1"),
            ConvSpec.parse("mb2ic1iw300oc5ow300kw5pw2"));

    @Test
    void rowCopiesMatchTheReference() {
        KernelRegressionTest.checkForwardEverywhere(ROWS);
    }
}
