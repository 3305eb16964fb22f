package dev.vecnn.conv;

import dev.vecnn.spec.ConvSpec;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Strided convolutions, whose slabs split each padded row into phases ({@code SlabIo.fillSlab}): stride 2 with
 * both phases stored on padded rows of odd and even width (the one-pass split of pairs, and its last odd
 * element), a 1x1 kernel at stride 2 (one phase stored), stride 3 (the phase-by-phase split), and a depthwise
 * layer at stride 2. Every pass of every implementation against the reference at 1, 2 and 3 threads.
 */
@Tag("kernels")
class StridedPhaseSplitTest {
    static final List<ConvSpec> SPECS = List.of(
            ConvSpec.parse("mb1ic2ih9iw9oc3oh5ow5kh3kw3sh2sw2ph1pw1"),
            ConvSpec.parse("mb2ic3ih10iw10oc4oh5ow5kh3kw3sh2sw2ph1pw1"),
            ConvSpec.parse("mb1ic2ih9iw9oc3oh5ow5kh1kw1sh2sw2"),
            ConvSpec.parse("mb1ic2ih11iw11oc3oh4ow4kh3kw3sh3sw3"),
            ConvSpec.parse("g4mb1ic4ih9iw9oc4oh5ow5kh3kw3sh2sw2ph1pw1"));

    @Test
    void everyPassMatchesTheReference() {
        for (ConvSpec s : SPECS) KernelRegressionTest.checkAllPasses(s);
    }
}
