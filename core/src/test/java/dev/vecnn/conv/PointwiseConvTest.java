package dev.vecnn.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.kernel.conv.pointwise.PointwiseConv;
import dev.vecnn.parallel.Execution;
import dev.vecnn.ref.ReferenceConv;
import dev.vecnn.spec.ConvSpec;
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
 * The 1x1 kernel ({@link PointwiseConv}, run everywhere it can): planes shorter than a vector, exactly one
 * tile, a tile and one position, several tiles and a tail of two vectors (every vector width's tile and tail),
 * several spans of tiles (the order of the units: span, block, tile),
 * planes of three to four vectors (one panel, 6 x 4-vector tiles, short last blocks),
 * output channel counts that leave 1-7 rows of the last block of eight, groups, ranks 1-4, batches whose last
 * image ends the input's memory (the tail's loads near the segment's end), both dtypes, channels-first (in the
 * arena and on the heap), channels-last (handed to the GEMM) and a view with strided channels over dense planes,
 * with bias and five activations (clamped in the registers or applied over the stored rows), at 1 and 3
 * threads; and backward-data. At 512,
 * 256 and 128 bits (not in the portable run: it calls the vector kernel directly).
 */
@Tag("kernels")
@Tag("vector-api")
class PointwiseConvTest {
    static final List<ConvSpec> SPECS = List.of(
            ConvSpec.parse("mb1ic3oc5_i7_k1"),
            ConvSpec.parse("mb2ic5oc9_i4x12_k1x1"),
            ConvSpec.parse("mb1ic16oc8_i6x8_k1x1"),
            ConvSpec.parse("mb3ic4oc17_i7x7_k1x1"),
            ConvSpec.parse("mb2ic9oc15_i5x20_k1x1"),
            ConvSpec.parse("g2mb2ic6oc14_i3x4x9_k1x1x1"),
            ConvSpec.parse("mb1ic257oc3_i2x3x2x5_k1x1x1x1"),
            ConvSpec.parse("mb2ic7oc24_i131_k1"),
            ConvSpec.parse("mb1ic2oc1_i200_k1_bias0"),
            // planes of three to four vectors, one panel and a 6 x 4 tile (7x7 above in float32 at 512 bits;
            // float64 at 512 and float32 at 256 bits; float32 at 128 bits)
            ConvSpec.parse("mb2ic6oc13_i5x6_k1x1"),
            ConvSpec.parse("g2mb1ic4oc14_i15_k1"),
            // several spans of tiles, the last one partial and ending in the short tile (300 input channels: spans
            // of 2, 4 and 9 tiles at 512, 256 and 128 bits in float32; 199 positions: 5, 9 and 17 tiles)
            ConvSpec.parse("mb1ic300oc12_i199_k1"));

    /**
     * Forward only, at strides above 1 (the kept input positions copied to a dense native buffer first): rank 1
     * with a tail, rank 2 with unequal strides, rank 3 with groups, a 14x14 output of many tiles.
     */
    static final List<ConvSpec> STRIDED = List.of(
            ConvSpec.parse("mb2ic7oc20_i131_k1_s2"),
            ConvSpec.parse("mb2ic5oc9_i9x13_k1x1_s2x3"),
            ConvSpec.parse("g2mb1ic6oc10_i5x7x9_k1x1x1_s2x1x3"),
            ConvSpec.parse("mb1ic24ih28oc40oh14kh1sh2"));

    private static final List<ConvImpl> KERNEL = List.of(PointwiseConv.anywhere());

    @Test
    void forwardMatchesTheReferenceInEveryDtypeLayoutAndActivation() {
        List<Epilogue> epilogues = List.of(Epilogue.NONE, Epilogue.relu(), Epilogue.clip(-0.25, 0.5), Epilogue.sigmoid(), Epilogue.leakyRelu(0.125));
        Layout view = new Layout("view", new int[] {0, 1, 2, 3}, new int[] {1, 2, 1, 1}, new int[] {0, 1, 0, 0}, 3, -1, false);
        try (Arena a = Arena.ofShared(); Execution one = Execution.withThreads(1); Execution three = Execution.withThreads(3)) {
            for (ConvSpec s : java.util.stream.Stream.concat(SPECS.stream(), STRIDED.stream()).toList()) {
                for (DType t : new DType[] {DType.F32, DType.F64}) {
                    for (Epilogue e : epilogues) {
                        for (Execution ex : new Execution[] {one, three}) KernelRegressionTest.checkForward(s, t, Layout.FIRST, a, e, ex, KERNEL);
                    }
                    KernelRegressionTest.checkForward(s, t, new Layout("cf", null, null, null, 0, -1, true), a, Epilogue.relu(), three, KERNEL);
                    KernelRegressionTest.checkForward(s, t, Layout.LAST, a, Epilogue.relu(), three, KERNEL);
                    if (s.rank() == 2) KernelRegressionTest.checkForward(s, t, view, a, Epilogue.NONE, one, KERNEL);
                }
            }
        }
    }

    @Test
    void backwardDataMatchesTheReference() {
        ConvImpl k = PointwiseConv.anywhere();
        try (Arena a = Arena.ofShared(); Execution one = Execution.withThreads(1); Execution three = Execution.withThreads(3)) {
            for (ConvSpec s : SPECS) {
                for (DType t : new DType[] {DType.F32, DType.F64}) {
                    Tensor gy = Fill.uniform(a, t, s.outputShape(), 5), w = Fill.uniform(a, t, s.weightShape(), 6);
                    Tensor ref = Tensor.allocate(a, DType.F64, s.inputShape()), mag = Tensor.allocate(a, DType.F64, s.inputShape());
                    ReferenceConv.backwardData(s, gy.to(a, DType.F64), w.to(a, DType.F64), ref);
                    ReferenceConv.backwardData(s, Fill.abs(a, gy), Fill.abs(a, w), mag);
                    double f = Tolerance.factor(Tolerance.convTerms(s, ConvPass.BACKWARD_DATA), t);
                    for (Execution ex : new Execution[] {one, three}) {
                        Tensor gx = Tensor.allocate(a, t, s.inputShape());
                        k.backwardData(s, gy, w, gx, ex);
                        Tolerance.assertClose(gx, ref, mag, f, k + " backward data " + s + " " + t.shortName() + " threads " + ex.threads());
                    }
                }
            }
        }
    }

    /**
     * Same bits at 1, 2 and 3 threads: every output is one chain in input-channel order whatever the cut (a 17x9
     * plane in tiles; a 7x7 one, one image, its blocks of six channels split over the threads at 512 bits).
     */
    @Test
    void resultsDoNotDependOnTheThreads() {
        for (String text : new String[] {"mb2ic33oc20_i17x9_k1x1", "mb1ic20oc40_i7x7_k1x1", "mb1ic300oc12_i199_k1", "mb1ic24ih28oc40oh14kh1sh2"}) resultsDoNotDependOnTheThreads(ConvSpec.parse(text));
    }

    private static void resultsDoNotDependOnTheThreads(ConvSpec s) {
        ConvImpl k = PointwiseConv.anywhere();
        try (Arena a = Arena.ofShared()) {
            Tensor x = Fill.uniform(a, DType.F32, s.inputShape(), 1), w = Fill.uniform(a, DType.F32, s.weightShape(), 2);
            Tensor b = Fill.uniform(a, DType.F32, s.biasShape(), 3);
            Tensor first = null;
            for (int threads = 1; threads <= 3; threads++) {
                try (Execution ex = Execution.withThreads(threads)) {
                    Tensor y = Tensor.allocate(a, DType.F32, s.outputShape());
                    k.forward(s, x, w, b, y, Epilogue.relu(), ex);
                    if (first == null) first = y;
                    else for (long i = 0; i < y.numel(); i++) assertEquals(Float.floatToRawIntBits((float) first.getAt(i)), Float.floatToRawIntBits((float) y.getAt(i)), s + " element " + i + " at " + threads + " threads");
                }
            }
        }
    }

    /**
     * Dispatched for 1x1 layers on planes of several tiles at 512 bits, forward on a 7x7 plane (one 6 x 4
     * tile per block) and forward at stride 2 (ResNet's shortcut: 85 against the GEMM's 54 GFLOP/s); that plane's
     * backward-data (a tile and one position), strided backward-data and 3x3 kernels stay elsewhere.
     */
    @Test
    void dispatchedWhereItWasMeasuredFaster() {
        ConvSpec plane14 = ConvSpec.parse("mb1ic96oc576_i14x14_k1x1"), plane7 = ConvSpec.parse("mb1ic576oc160_i7x7_k1x1");
        ConvSpec strided = ConvSpec.parse("mb1ic64ih56oc128oh28kh1sh2"), k3 = ConvSpec.parse("mb1ic64ih28oc64oh28kh3ph1");
        boolean wide = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length() >= 16;
        for (ConvPass p : new ConvPass[] {ConvPass.FORWARD, ConvPass.BACKWARD_DATA}) {
            assertEquals(wide, Conv.choose(p, plane14).name().equals("pointwise"), p + " " + plane14);
            assertEquals(wide && p == ConvPass.FORWARD, Conv.choose(p, plane7).name().startsWith("pointwise"), p + " " + plane7);
            assertEquals(wide && p == ConvPass.FORWARD, Conv.choose(p, strided).name().startsWith("pointwise"), p + " " + strided);
            assertFalse(Conv.choose(p, k3).name().startsWith("pointwise"), p + " " + k3);
        }
        assertTrue(PointwiseConv.anywhere().supports(ConvPass.FORWARD, plane7));
        for (ConvSpec s : STRIDED) assertFalse(PointwiseConv.anywhere().supports(ConvPass.BACKWARD_DATA, s), "backward-data at strides above 1: " + s);
    }
}
