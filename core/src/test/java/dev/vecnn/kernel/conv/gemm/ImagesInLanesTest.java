package dev.vecnn.kernel.conv.gemm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.conv.Conv;
import dev.vecnn.conv.ConvImpl;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.kernel.conv.Phases;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import dev.vecnn.testing.Tolerance;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The gemm passes with images in the vector lanes (small grids, batches of at least a vector): chosen where
 * the padded grid wastes columns, never at batch 1 or on a large plane; and each image's result is the same
 * bits as the plain pass gives that image alone (batch 1 never uses lanes), in both dtypes, with bias and
 * epilogue (forward, and the transposed forward that runs backward-data's pass), batches that do not fill
 * their last group of lanes, groups, dilation, stride (forward), a padding mode (forward), tensors at an
 * offset, both layouts and thread counts that cut the lane items.
 * Runs at every vector width the build tests (the lanes are the vector's).
 */
@Tag("kernels")
@Tag("vector-api")
class ImagesInLanesTest {
    private static final String[] SPECS = {
        "mb24ic16oc32_i4x4x4_k3x3x3_p1x1x1", // a 4^3 layer, a batch with a partial group of lanes (float32)
        "mb21ic32oc64_i4x4x4_k3x3x3_p1x1x1", // both passes in lanes, a partial group at every width
        "mb21ic32oc32_i4x4x4_k3x3x3_p1x1x1_transposed", // backward-data's pass with bias and epilogue, a partial group
        "mb32ic8oc16_i8x8x12_k3x3x3_p1x1x1", // shower3d's second layer
        "mb24ic23oc37_i6x5_k3x3_p1x1", // odd sizes and channels, odd width
        "g2mb16ic32oc48_i4x6x3_k3x3x3_p1x1x1", // groups
        "mb16ic24oc40_i7x6_k3x3_d2x2_p2x2", // dilation
        "mb16ic32oc64_i8x8_k3x3_s2x2_p1x1", // stride 2: the forward in lanes, backward-data plain
        "mb32ic32oc48_i20_k3_p1", // 1-D
        "mb16ic16oc32_i4x4x4_k3x3x3_p1x1x1_reflect", // a padding mode: the forward in lanes, backward-data plain
        "mb16ic12oc8_i4x4x4_k3x3x3_p1x1x1_transposed", // the transposed forward is backward-data's pass
    };

    @Test
    void smallGridsUseLanesBatchOneAndLargePlanesDoNot() {
        assertTrue(forwardLanes(DType.F32, "mb32ic16oc32_i8x8x8_k3x3x3_p1x1x1"), "voxel3d's 8^3 layer");
        assertTrue(forwardLanes(DType.F32, "mb32ic32oc64_i4x4x4_k3x3x3_p1x1x1"), "voxel3d's 4^3 layer");
        assertTrue(dataLanes(DType.F32, "mb32ic32oc64_i4x4x4_k3x3x3_p1x1x1"), "its backward-data");
        assertTrue(forwardLanes(DType.F64, "mb32ic32oc64_i4x4x4_k3x3x3_p1x1x1"), "float64");
        assertFalse(forwardLanes(DType.F32, "mb1ic32oc64_i4x4x4_k3x3x3_p1x1x1"), "batch 1");
        assertFalse(forwardLanes(DType.F32, "mb32ic64ih56oc64oh56kh3ph1"), "a 56x56 plane wastes little");
        assertFalse(dataLanes(DType.F32, "mb32ic16oc32_i8x8_k3x3_s2x2_p1x1"), "backward-data of stride 2");
        assertFalse(dataLanes(DType.F32, "mb32ic16oc32_i4x4x4_k3x3x3_p1x1x1_reflect"), "backward-data of reflect padding");
    }

    @Test
    void everyImageGetsTheBitsOfItsOwnPlainPass() {
        ConvImpl gemm = Conv.implementation("gemm");
        int[] threads = {1, 4}; // 4 threads also cut rows, panels and (volumes) dimension 1 of the lane items
        try (Arena a = Arena.ofShared()) {
            for (int t : threads) {
                try (Execution ex = Execution.withThreads(t)) {
                    for (DType dt : new DType[] {DType.F32, DType.F64}) {
                        for (String text : SPECS) {
                            check(gemm, ConvSpec.parse(text), dt, false, a, ex);
                            if (!text.contains("_i20_")) check(gemm, ConvSpec.parse(text), dt, true, a, ex);
                        }
                    }
                }
            }
        }
    }

    private static void check(ConvImpl gemm, ConvSpec s, DType dt, boolean channelsLast, Arena a, Execution ex) {
        String what = s + " " + dt + (channelsLast ? " channels-last" : "") + " on " + ex.threads() + " threads";
        // in float32 with 16 lanes every spec saves enough to run a pass in lanes; with fewer lanes a block of
        // plain columns wastes less, so some do not (the bits hold either way)
        if (dt == DType.F32 && GemmConvF32.L >= 16) assertTrue(forwardLanes(dt, s.toString()) || dataLanes(dt, s.toString()), what + ": no pass in lanes");
        ConvSpec one = s.toBuilder().batch(1).build();
        // the batched tensors are views at an offset into one image more (the plain pass reads them as they lie)
        Tensor x = layout(a, Fill.uniform(a, dt, oneMore(s.inputShape()), 1), channelsLast).slice(0, 1, s.batch() + 1);
        Tensor w = Fill.uniform(a, dt, s.weightShape(), 2);
        Tensor b = s.hasBias() ? Fill.uniform(a, dt, s.biasShape(), 3) : null;
        Tensor gy = layout(a, Fill.uniform(a, dt, oneMore(s.outputShape()), 4), channelsLast).slice(0, 1, s.batch() + 1);
        Tensor y = layout(a, Tensor.allocate(a, dt, oneMore(s.outputShape())), channelsLast).slice(0, 1, s.batch() + 1);
        Tensor gx = layout(a, Tensor.allocate(a, dt, oneMore(s.inputShape())), channelsLast).slice(0, 1, s.batch() + 1);
        gemm.forward(s, x, w, b, y, Epilogue.leakyRelu(0.1), ex);
        gemm.backwardData(s, gy, w, gx, ex);
        for (long n = 0; n < s.batch(); n++) {
            Tensor y1 = Tensor.allocate(a, dt, one.outputShape()), gx1 = Tensor.allocate(a, dt, one.inputShape());
            gemm.forward(one, x.slice(0, n, n + 1), w, b, y1, Epilogue.leakyRelu(0.1), ex);
            gemm.backwardData(one, gy.slice(0, n, n + 1), w, gx1, ex);
            Tolerance.assertIdentical(y.slice(0, n, n + 1), y1, what + ": forward, image " + n);
            Tolerance.assertIdentical(gx.slice(0, n, n + 1), gx1, what + ": backward-data, image " + n);
        }
    }

    private static long[] oneMore(long[] shape) {
        long[] more = shape.clone();
        more[0]++;
        return more;
    }

    private static Tensor layout(Arena a, Tensor t, boolean channelsLast) {
        return channelsLast ? Fill.channelsLast(a, t) : t;
    }

    private static boolean forwardLanes(DType dt, String text) {
        ConvGeometry g = ConvGeometry.of(ConvSpec.parse(text));
        return dt == DType.F32 ? GemmConvF32.forwardLanes(g) : GemmConvF64.forwardLanes(g);
    }

    private static boolean dataLanes(DType dt, String text) {
        ConvGeometry g = ConvGeometry.of(ConvSpec.parse(text));
        Phases ph = new Phases(g);
        return dt == DType.F32 ? GemmConvF32.dataLanes(g, ph) : GemmConvF64.dataLanes(g, ph);
    }
}
