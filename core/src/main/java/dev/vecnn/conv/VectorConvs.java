package dev.vecnn.conv;

import dev.vecnn.kernel.conv.blocked.BlockedConv;
import dev.vecnn.kernel.conv.depthwise.DepthwiseConv;
import dev.vecnn.kernel.conv.direct.DirectConv;
import dev.vecnn.kernel.conv.gemm.GemmConv;
import dev.vecnn.kernel.conv.pointwise.PointwiseConv;
import java.util.List;

/**
 * The Vector API convolutions, in dispatch order. A class of its own so that {@link Conv} names none of
 * them: this class is loaded only when {@link dev.vecnn.kernel.Backend#isVector()}.
 */
final class VectorConvs {
    private VectorConvs() {
    }

    /** The vector kernels, then {@code last}. */
    static List<ConvImpl> then(ConvImpl last) {
        return List.of(new DepthwiseConv(), new DirectConv(), new PointwiseConv(), new BlockedConv(), new GemmConv(), last);
    }
}
