package dev.vecnn.kernel.conv.direct;

import dev.vecnn.conv.ConvImpl;
import dev.vecnn.conv.ConvPass;
import dev.vecnn.conv.ConvSizes;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;

/**
 * Direct forward convolution for few channels per group ("direct"): at most 4 output channels (and 64
 * input channels) per group, or at most 2 input channels per group with any number of output channels
 * (first layers on single-channel data); a direct (not transposed) spec of any rank, stride, dilation
 * and padding mode. Backward-weights for at most 2 input channels per group (a first layer's); other
 * backward passes go to the next implementation in the list.
 */
public final class DirectConv extends ConvImpl {
    private static final long MAX_SLAB = 1L << 26;
    /** Input channels per group up to which any number of output channels goes direct. */
    private static final long MAX_FEW_INPUTS = 2;

    @Override
    public String name() {
        return "direct";
    }

    @Override
    public boolean supports(ConvPass pass, ConvSpec spec) {
        if (pass == ConvPass.BACKWARD_DATA || spec.isTransposed()) return false;
        // from the spec alone, saturating: a huge valid spec must get false, not an overflow
        long cg = ConvSizes.bigChannelsPerGroup(spec);
        // few output channels (GEMM tiles mostly padding) or few input channels (a GEMM reduction of only the taps)
        if (pass == ConvPass.BACKWARD_WEIGHTS && cg > MAX_FEW_INPUTS) return false;
        return spec.groups() <= Integer.MAX_VALUE && (ConvSizes.smallChannelsPerGroup(spec) <= 4 || cg <= MAX_FEW_INPUTS) && cg <= 64
                && ConvSizes.times(cg, ConvSizes.taps(spec)) <= 1024 && ConvSizes.times(ConvSizes.paddedBigPlane(spec), cg) <= MAX_SLAB;
    }

    @Override
    protected void runForward(ConvSpec s, Tensor x, Tensor w, Tensor bias, Tensor y, Epilogue e, Execution ex) {
        ConvGeometry g = ConvGeometry.of(s);
        if (x.dtype() == DType.F32) DirectConvF32.forward(g, x, w, bias, e, y, ex);
        else DirectConvF64.forward(g, x, w, bias, e, y, ex);
    }

    @Override
    protected void runBackwardData(ConvSpec s, Tensor gy, Tensor w, Tensor gx, Execution ex) {
        throw new IllegalStateException("unreachable: supports() refuses backward-data");
    }

    @Override
    protected void runBackwardWeights(ConvSpec s, Tensor x, Tensor gy, Tensor gw, Execution ex) {
        ConvGeometry g = ConvGeometry.of(s);
        if (x.dtype() == DType.F32) DirectConvF32.weightGrad(g, x, gy, gw, ex);
        else DirectConvF64.weightGrad(g, x, gy, gw, ex);
    }
}
