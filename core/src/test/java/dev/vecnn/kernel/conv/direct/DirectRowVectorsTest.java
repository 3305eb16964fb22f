package dev.vecnn.kernel.conv.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.conv.Conv;
import dev.vecnn.conv.ConvImpl;
import dev.vecnn.conv.ConvPass;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.conv.KernelRegressionTest;
import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.kernel.conv.PhaseSlab;
import dev.vecnn.kernel.conv.SlabIoF32;
import dev.vecnn.parallel.Execution;
import dev.vecnn.ref.ReferenceConv;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PaddingMode;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import dev.vecnn.testing.Layout;
import dev.vecnn.testing.Tolerance;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The direct kernel's row vectors ({@code DirectConvF32.RowVectors}): forward stores straight into the
 * output rows and backward-weights reads gy's rows as they lie, instead of a padded grid. Shapes reach each
 * case: rows of whole vectors (16 at float32 and 512 bits), a last vector overlapping its neighbour (31),
 * rows shorter than a vector (masked: 12 at float32, 6 at float64), passes of eight channels with a last pass
 * on the grid (9, 12), two input channels, a stride across the rows, rank 1, reflect padding, an infinite
 * input, bias with clamped (relu, clip) and separately applied (leaky ReLU, sigmoid) activations, 1 and 3
 * threads, both dtypes and layouts. The kernel tests run again at 128 and 256 bits (where
 * forward keeps the grid: no passes of eight channels).
 */
@Tag("kernels")
@Tag("vector-api")
class DirectRowVectorsTest {
    static final List<ConvSpec> SPECS = List.of(
            ConvSpec.parse("mb2ic1oc16_i6x8x16_k3x3x3_p1x1x1"),
            ConvSpec.parse("mb1ic1ih9iw31oc9oh9ow31kh3kw3ph1pw1"),
            ConvSpec.parse("mb2ic1ih10iw12oc8oh10ow12kh7kw7ph3pw3"),
            ConvSpec.parse("mb3ic2oc12_i4x5x16_k3x3x3_p1x1x1"),
            // a stride across the rows only; rank 1; a padding mode other than zeros
            ConvSpec.parse("mb2ic1ih9iw16oc8oh5ow16kh3kw3sh2sw1ph1pw1"),
            ConvSpec.parse("mb2ic1iw64oc8ow64kw5pw2"),
            ConvSpec.parse("mb1ic2oc9_i4x5x16_k3x3x3_p1x1x1").toBuilder().paddingMode(PaddingMode.REFLECT).build(),
            // rows of 6: on the grid at float32 and 512 bits, one masked vector at float64
            ConvSpec.parse("mb2ic1ih7iw6oc8oh7ow6kh7kw7ph3pw3"));

    static DirectConvF32.RowVectors plan(ConvSpec s) {
        ConvGeometry g = ConvGeometry.of(s);
        PhaseSlab slab = new PhaseSlab(g, 0, (int) g.small[0], false, true);
        long[] last = new long[g.rank];
        for (int d = 0; d < g.rank; d++) last[d] = g.small[d] - 1;
        try (Arena a = Arena.ofConfined()) {
            Tensor y = Tensor.allocate(a, DType.F32, s.outputShape());
            return DirectConvF32.RowVectors.of(g, slab, y, SlabIoF32.spatialStrides(y), slab.windowStart(last) + 1, true);
        }
    }

    @Test
    void everyOutputPositionIsCoveredByAVectorOfItsRowAtItsWindowStart() {
        int lanes = DirectConvF32.L;
        for (ConvSpec s : SPECS) {
            ConvGeometry g = ConvGeometry.of(s);
            int rowLen = (int) g.small[g.rank - 1];
            DirectConvF32.RowVectors rv = plan(s);
            // rows of whole vectors waste no lane: always taken
            if (rowLen % lanes == 0) assertNotNull(rv, s.toString());
            if (rv == null) continue;
            PhaseSlab slab = new PhaseSlab(g, 0, (int) g.small[0], false, true);
            int per = (rowLen + lanes - 1) / lanes;
            assertEquals(rv.rowDst().length * per, rv.start().length, s.toString());
            assertEquals(Math.min(rowLen, lanes), rv.count(), s.toString());
            long[] o = new long[g.rank];
            for (int r = 0; r < rv.rowDst().length; r++) {
                assertEquals((long) r * rowLen, rv.rowDst()[r], "dense output rows " + s);
                boolean[] covered = new boolean[rowLen];
                for (int v = 0; v < per; v++) {
                    int i = r * per + v;
                    long at = rv.dst()[i] - rv.rowDst()[r];
                    assertTrue(at >= 0 && at + rv.count() <= rowLen, "vector inside its row " + s);
                    assertEquals(slab.windowStart(o) + at, rv.start()[i], "window start of the vector's first lane " + s);
                    assertEquals(slab.windowStart(o) + v * lanes, rv.paddedStart()[i], "padded vector's window start " + s);
                    for (int l = 0; l < rv.count(); l++) covered[(int) at + l] = true;
                }
                for (int w = 0; w < rowLen; w++) assertTrue(covered[w], "row " + r + " position " + w + " " + s);
                for (int d = g.rank - 2; d >= 0; d--) {
                    if (++o[d] < g.small[d]) break;
                    o[d] = 0;
                }
            }
        }
    }

    @Test
    void rowsWithMoreWastedLanesThanTheGridsPaddingStayOnTheGrid() {
        // 37-wide rows: 48 lanes at float32 and 512 bits (77% used) against a grid pitch of 39 (93%)
        if (DirectConvF32.L == 16) assertNull(plan(ConvSpec.parse("mb2ic1ih40iw37oc9oh40ow37kh3kw3ph1pw1")));
    }

    @Test
    void forwardMatchesTheReferenceWithEveryKindOfEpilogue() {
        List<ConvImpl> direct = List.of(Conv.implementation("direct"));
        try (Arena a = Arena.ofShared(); Execution one = Execution.withThreads(1); Execution three = Execution.withThreads(3)) {
            for (ConvSpec s : SPECS) {
                for (DType t : new DType[] {DType.F32, DType.F64}) {
                    for (Epilogue e : List.of(Epilogue.NONE, Epilogue.relu(), Epilogue.clip(-0.25, 0.5), Epilogue.leakyRelu(0.25), Epilogue.sigmoid())) {
                        for (Layout layout : new Layout[] {Layout.FIRST, Layout.LAST}) {
                            for (Execution ex : new Execution[] {one, three}) KernelRegressionTest.checkForward(s, t, layout, a, e, ex, direct);
                        }
                    }
                }
            }
        }
    }

    /**
     * Backward-weights gives the same bits for channels-first and channels-last tensors: the row path sums each
     * weight's positions lane by lane in another order than the grid, so its choice must not depend on the
     * layout. It once did (a unit stride along the output rows was required): the first spec, shrunk by
     * {@code ConvImplsTest}, differed in the last bit between the layouts.
     */
    @Test
    void backwardWeightsHasTheSameBitsInEveryLayout() {
        ConvImpl direct = Conv.implementation("direct");
        List<ConvSpec> specs = new java.util.ArrayList<>(List.of(ConvSpec.parse("mb1ic1ih3iw1oc2oh2ow1kh1kw1sh2sw1ph0pw0dh1dw1")));
        specs.addAll(SPECS);
        try (Arena a = Arena.ofConfined(); Execution two = Execution.withThreads(2)) {
            for (ConvSpec s : specs) {
                if (!direct.supports(ConvPass.BACKWARD_WEIGHTS, s)) continue;
                for (DType t : new DType[] {DType.F32, DType.F64}) {
                    Tensor x = Fill.uniform(a, t, s.inputShape(), 31), gy = Fill.uniform(a, t, s.outputShape(), 32);
                    Tensor xl = Layout.LAST.place(a, t, s.inputShape()).view, gyl = Layout.LAST.place(a, t, s.outputShape()).view;
                    xl.copyFrom(x);
                    gyl.copyFrom(gy);
                    Tensor first = Tensor.allocate(a, t, s.weightShape()), last = Tensor.allocate(a, t, s.weightShape());
                    direct.backwardWeights(s, x, gy, first, two);
                    direct.backwardWeights(s, xl, gyl, last, two);
                    for (long i = 0; i < first.numel(); i++) {
                        assertEquals(Double.doubleToRawLongBits(first.getAt(i)), Double.doubleToRawLongBits(last.getAt(i)),
                                "weight " + i + " channels-first against channels-last, " + s + " " + t.shortName());
                    }
                }
            }
        }
    }

    /**
     * An infinite input on the row path: the image falls back to the exact loop over the real positions (the
     * row path multiplies gy's zero padding by x, and 0 * inf would add a NaN to every sum).
     */
    @Test
    void anInfiniteInputReachesOnlyTheTapsThatReadIt() {
        ConvSpec s = SPECS.get(0);
        ConvImpl direct = Conv.implementation("direct");
        try (Arena a = Arena.ofConfined(); Execution two = Execution.withThreads(2)) {
            for (DType t : new DType[] {DType.F32, DType.F64}) {
                Tensor x = Fill.uniform(a, t, s.inputShape(), 41), gy = Fill.uniform(a, t, s.outputShape(), 42);
                x.set(Double.POSITIVE_INFINITY, 1, 0, 2, 3, 15);
                Tensor gw = Tensor.allocate(a, DType.F64, s.weightShape()), mag = Tensor.allocate(a, DType.F64, s.weightShape());
                ReferenceConv.backwardWeights(s, x.to(a, DType.F64), gy.to(a, DType.F64), gw);
                ReferenceConv.backwardWeights(s, Fill.abs(a, x), Fill.abs(a, gy), mag);
                Tensor out = Tensor.allocate(a, t, s.weightShape());
                direct.backwardWeights(s, x, gy, out, two);
                Tolerance.assertClose(out, gw, mag, Tolerance.factor(Tolerance.convTerms(s, ConvPass.BACKWARD_WEIGHTS), t),
                        "direct backward weights with an infinite input " + s + " " + t.shortName());
            }
        }
    }

    @Test
    void backwardWeightsMatchesTheReferenceInBothDtypes() {
        ConvImpl direct = Conv.implementation("direct");
        try (Arena a = Arena.ofConfined(); Execution one = Execution.withThreads(1); Execution three = Execution.withThreads(3)) {
            for (ConvSpec s : SPECS) {
                if (!direct.supports(ConvPass.BACKWARD_WEIGHTS, s)) continue;
                for (DType t : new DType[] {DType.F32, DType.F64}) {
                    Tensor x = Fill.uniform(a, t, s.inputShape(), 21), gy = Fill.uniform(a, t, s.outputShape(), 22);
                    Tensor gw = Tensor.allocate(a, DType.F64, s.weightShape()), mag = Tensor.allocate(a, DType.F64, s.weightShape());
                    ReferenceConv.backwardWeights(s, x.to(a, DType.F64), gy.to(a, DType.F64), gw);
                    ReferenceConv.backwardWeights(s, Fill.abs(a, x), Fill.abs(a, gy), mag);
                    Tensor first = null;
                    for (Execution ex : new Execution[] {one, three}) {
                        Tensor out = Tensor.allocate(a, t, s.weightShape());
                        direct.backwardWeights(s, x, gy, out, ex);
                        Tolerance.assertClose(out, gw, mag, Tolerance.factor(Tolerance.convTerms(s, ConvPass.BACKWARD_WEIGHTS), t),
                                "direct backward weights " + s + " " + t.shortName() + " threads " + ex.threads());
                        if (first == null) first = out;
                        else for (long i = 0; i < out.numel(); i++) assertEquals(first.reshape(first.numel()).get(i), out.reshape(out.numel()).get(i), "same bits at 1 and 3 threads " + s);
                    }
                }
            }
        }
    }
}
