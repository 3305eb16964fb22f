package dev.vecnn.conv;

import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.DType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Backward-weights as outer products (the gemm kernel's path for at least half a vector of output channels
 * per group): every tile width (1 to 4 vectors, a last block of fewer channels than a vector), rows padded to
 * the tiles, several channel blocks (more than 1024 (channel, tap) rows) and output-channel blocks (more than
 * 64), strided phases, groups and a transposed convolution; every pass against the reference at 1, 2 and 3
 * threads ({@link KernelRegressionTest#checkAllPasses}), float32 and float64. Rows in runs of three slab cells (a last kernel
 * dimension of 3 at dilation 1, padding rows included) take the triple tiles; a dilated last dimension and
 * 5 taps over 6 channels (rows a multiple of three, not in runs) keep the general ones.
 */
@Tag("kernels")
class OuterWeightGradTest {
    @Test
    void everyTileAndBlockMatchesTheReference() {
        for (String s : new String[] {
            "mb1ic40oc70_i3x2x3_k3x3x3_p1x1x1", // 1080 rows: two channel blocks; 70 channels: blocks of 64 and 6
            "mb3ic5iw100oc9ow98kw3", // 15 rows padded to 24, a vector of 9 channels
            "mb2ic6ih11iw9oc20oh5ow4kh3kw3sh2sw2", // strided: the slab in phases
            "mb1ic3ih6iw6oc40oh6ow6kh3kw3ph1pw1", // 40 channels: 2 + 1 vectors (float32, 512 bits)
            "g2mb2ic16ih7iw7oc32oh7ow7kh3kw3ph1pw1", // 16 channels per group
            "mb2ic12ih5iw5oc10oh7ow7kh3kw3_transposed",
            "mb2ic3iw40oc32ow36kw3dw1", // dilated: taps two cells apart
            "mb1ic6iw30oc16ow26kw5"}) { // 30 rows, runs of five
            for (DType t : new DType[] {DType.F32, DType.F64}) KernelRegressionTest.checkAllPasses(ConvSpec.parse(s), t);
        }
    }
}
