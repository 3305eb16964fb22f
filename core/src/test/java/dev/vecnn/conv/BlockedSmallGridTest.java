package dev.vecnn.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecnn.kernel.Backend;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PaddingMode;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The blocked kernel (output channels in the lanes) on the small grids it is dispatched for: 3-D and 2-D
 * layers shaped as the training suite's (rows of 4, 8 and 16), rows that end inside a run of four (7 wide), groups,
 * dilation, asymmetric 'same' padding, a reflect-padded forward, a 4-D grid. Every pass is checked against
 * the reference at 1, 2 and 3 threads; the forward also in both dtypes and layouts with bias and an
 * activation. The written channel counts (32, 64) fill whole blocks of two vectors, 16 and 48 (per group)
 * blocks of one vector (the 24-position tile); the input channel counts of 16 and 32 send backward-data to the
 * blocked kernel too (at 512 bits: elsewhere these check the GEMM). One-vector blocks on rows of an even
 * number of runs take the tile of runs in pairs, also where the run list is padded to whole tiles (5 rows).
 */
@Tag("kernels")
class BlockedSmallGridTest {
    static final List<ConvSpec> SPECS = List.of(
            ConvSpec.parse("mb1ic4oc32_i5x6x8_k3x3x3_p1x1x1"),
            ConvSpec.parse("mb1ic8oc64_i3x4x4_k3x3x3_p1x1x1"),
            ConvSpec.parse("mb1ic32oc32_i3x4x4_k3x3x3_p1x1x1"),
            ConvSpec.parse("mb2ic8ih8iw16oc32oh8ow16kh3kw3ph1pw1"),
            ConvSpec.parse("mb1ic32ih6iw8oc32oh6ow8kh3kw3ph1pw1"),
            ConvSpec.parse("mb1ic8ih9iw7oc32oh9ow7kh3kw3ph1pw1"),
            ConvSpec.parse("g2mb1ic16ih6iw10oc64oh6ow10kh3kw3ph1pw1"),
            ConvSpec.parse("mb1ic8ih9iw9oc32oh9ow9kh3kw3ph2pw2dh1dw1"),
            ConvSpec.builder().batch(1).inChannels(6).outChannels(32).input(5, 6).kernel(2, 4).paddingSame().build(),
            ConvSpec.parse("mb1ic8ih6iw11oc32oh6ow11kh3kw3ph1pw1").toBuilder().paddingMode(PaddingMode.REFLECT).build(),
            ConvSpec.parse("mb1ic4oc32_i3x3x4x4_k3x3x3x3_p1x1x1x1"),
            ConvSpec.parse("mb2ic8oc16_i3x4x8_k3x3x3_p1x1x1"),
            ConvSpec.parse("mb1ic16oc48_i2x5x4_k3x3x3_p1x1x1"),
            ConvSpec.parse("g2mb1ic16ih5iw8oc32oh5ow8kh3kw3ph1pw1"),
            ConvSpec.parse("mb1ic16oc32_i4x3x8_k3x3x3_p1x1x1"),
            ConvSpec.parse("mb2ic8ih5iw16oc16oh5ow16kh3kw3ph1pw1"),
            ConvSpec.parse("mb1ic16ih5iw8oc32oh5ow8kh3kw3ph1pw1"));

    /** One-vector blocks only on rows of whole runs of four: rows of 6 stay with the GEMM. */
    @Test
    void oneVectorBlocksOnlyOnWholeRuns() {
        ConvSpec s = ConvSpec.parse("mb2ic8oc16_i3x4x6_k3x3x3_p1x1x1");
        assertEquals(!Backend.isVector() ? "portable" : "gemm", Conv.choose(ConvPass.FORWARD, s).name(), s.toString());
    }

    /** Dispatched at 512 bits, where it was measured; at 256 and 128 bits the GEMM keeps them (ConvImplsTest still runs blocked). */
    @Test
    void smallGridLayersGoBlockedAt512Bits() {
        String expected = !Backend.isVector() ? "portable" : wide() ? "blocked" : "gemm";
        for (ConvSpec s : SPECS) assertEquals(expected, Conv.choose(ConvPass.FORWARD, s).name(), s.toString());
    }

    private static boolean wide() {
        return jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length() >= 16;
    }

    @Test
    void everyPassMatchesTheReference() {
        for (ConvSpec s : SPECS) KernelRegressionTest.checkAllPasses(s);
    }

    @Test
    void forwardStoresWithBiasAndActivationInBothDtypesAndLayouts() {
        KernelRegressionTest.checkForwardEverywhere(SPECS);
    }
}
