package dev.vecnn.kernel.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PaddingMode;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link SlabRowsF32} and {@link SlabRowsF64} write the same bits to every cell as {@link SlabIoF32} and
 * {@link SlabIoF64}, on slabs their vector rows take (zero padding, rows of at most one vector, a slab wholly in
 * the padding, rank 1 to 3) and on those they pass on (other padding modes, rows one cell longer than a vector, a
 * stride, channels-last). The slab arrays start as the same garbage (NaN with a payload), so a cell written by one
 * and not the other shows. Runs at 512, 256 and 128 bits with the other kernel tests, where the rows that fit change.
 */
@Tag("kernels")
@Tag("vector-api")
class SlabRowsTest {
    /** Specs, for float32 lanes {@code l}: rows that fit a vector exactly, one cell longer, shorter, and the rest. */
    static List<ConvSpec> specs(int l) {
        List<ConvSpec> s = new ArrayList<>(List.of(
                ConvSpec.parse("mb2ic3ih5iw" + (l - 2) + "oc2oh5ow" + (l - 2) + "kh3kw3ph1pw1"),
                ConvSpec.parse("mb2ic3ih5iw" + (l - 1) + "oc2oh5ow" + (l - 1) + "kh3kw3ph1pw1"),
                ConvSpec.parse("mb2ic2oc2_i3x4x2_k3x3x3_p1x1x1"),
                ConvSpec.parse("mb2ic2iw1oc2ow1kw3pw1"),
                ConvSpec.parse("mb1ic2ih3iw2oc2oh3ow2kh7kw7ph3pw3"), // padding wider than the input
                ConvSpec.parse("mb1ic2ih8iw4oc2oh4ow2kh3kw3sh2sw2ph1pw1"))); // a stride: phased, passed on
        for (PaddingMode m : new PaddingMode[] {PaddingMode.REFLECT, PaddingMode.REPLICATE, PaddingMode.CIRCULAR}) {
            s.add(ConvSpec.parse("mb2ic3ih5iw3oc2oh5ow3kh3kw3ph1pw1").toBuilder().paddingMode(m).build());
        }
        return s;
    }

    @Test
    void vectorRowsWriteWhatTheRowCopiesWrite() {
        int lanes64 = DoubleVector.SPECIES_PREFERRED.length();
        int taken32 = check(DType.F32, FloatVector.SPECIES_PREFERRED.length());
        int taken64 = check(DType.F64, lanes64);
        // the specs hold slabs the vector rows take (rows of 3 to L float32 cells); float64 rows of 3 need 4 lanes
        assertTrue(taken32 > 0, "slabs filled with float32 vectors: " + taken32);
        assertTrue(taken64 > 0 || lanes64 < 3, "slabs filled with float64 vectors: " + taken64 + " (" + lanes64 + " lanes)");
    }

    /** Compares the two fills on every spec, split into 1-3 row ranges, both layouts; returns how many the vector rows took. */
    private static int check(DType t, int lanes) {
        int taken = 0;
        Execution.Scratch scratch = new Execution.Scratch();
        try (Arena a = Arena.ofConfined()) {
            for (ConvSpec s : specs(FloatVector.SPECIES_PREFERRED.length())) {
                ConvGeometry g = ConvGeometry.of(s);
                Tensor dense = Fill.uniform(a, t, s.inputShape(), 7);
                for (Tensor big : new Tensor[] {dense, Fill.channelsLast(a, dense)}) {
                    int rows = (int) g.small[0];
                    for (int parts = 1; parts <= Math.min(3, rows); parts++) {
                        for (int p = 0; p < parts; p++) {
                            PhaseSlab slab = new PhaseSlab(g, rows * p / parts, rows * (p + 1) / parts);
                            if (SlabRowsF32.inVectors(g, big, slab) && t == DType.F32 || SlabRowsF64.inVectors(g, big, slab) && t == DType.F64) taken++;
                            for (long n = 0; n < g.batch; n++) {
                                String where = s + " " + t + " image " + n + " rows " + slab.r0 + "-" + slab.r1 + (big == dense ? "" : " channels-last");
                                int len = g.cg * slab.channelStride + 3 * lanes;
                                if (t == DType.F32) {
                                    float[] want = garbage32(len), got = garbage32(len);
                                    SlabIoF32.fillSlab(g, big, n, 0, g.cg, slab, want, scratch);
                                    SlabRowsF32.fillSlab(g, big, n, 0, g.cg, slab, got, scratch);
                                    assertArrayEquals(bits(want), bits(got), where);
                                } else {
                                    double[] want = garbage64(len), got = garbage64(len);
                                    SlabIoF64.fillSlab(g, big, n, 0, g.cg, slab, want, scratch);
                                    SlabRowsF64.fillSlab(g, big, n, 0, g.cg, slab, got, scratch);
                                    assertArrayEquals(bits(want), bits(got), where);
                                }
                            }
                        }
                    }
                }
            }
        }
        return taken;
    }

    private static float[] garbage32(int n) {
        float[] a = new float[n];
        Arrays.fill(a, Float.intBitsToFloat(0x7fc0beef));
        return a;
    }

    private static double[] garbage64(int n) {
        double[] a = new double[n];
        Arrays.fill(a, Double.longBitsToDouble(0x7ff800000000beefL));
        return a;
    }

    private static int[] bits(float[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) b[i] = Float.floatToRawIntBits(a[i]);
        return b;
    }

    private static long[] bits(double[] a) {
        long[] b = new long[a.length];
        for (int i = 0; i < a.length; i++) b[i] = Double.doubleToRawLongBits(a[i]);
        return b;
    }
}
