package dev.vecnn.kernel.conv.depthwise;

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
 * Depthwise convolution ("depthwise"): one input channel per group (any multiplier), every stride,
 * dilation, padding mode and rank, all passes, direct and transposed. Channels-first tensors with zero
 * padding and unit stride along the rows take the rows path for forward (and, at unit strides,
 * backward-data): whole planes, vectors along the rows, no padded slab ({@code DepthwiseRowsF32},
 * {@code DepthwiseRowsF64}, {@link RowPlan}); every other case is vectorised along each channel's padded
 * grid ({@code DepthwiseConvF32}, {@code DepthwiseConvF64}).
 */
public final class DepthwiseConv extends ConvImpl {
    private static final long MAX_PLANE = 1L << 27;

    @Override
    public String name() {
        return "depthwise";
    }

    @Override
    public boolean supports(ConvPass pass, ConvSpec spec) {
        // from the spec alone, saturating: a huge valid spec must get false, not an overflow; the
        // taps bound keeps ConvGeometry's table of tap positions small
        long plane = ConvSizes.paddedBigPlane(spec);
        return ConvSizes.bigChannelsPerGroup(spec) == 1 && spec.groups() > 1 && spec.groups() <= Integer.MAX_VALUE
                && plane <= MAX_PLANE && ConvSizes.times(plane, Math.max(1, ConvSizes.smallChannelsPerGroup(spec))) < Integer.MAX_VALUE / 2
                && ConvSizes.taps(spec) <= MAX_TAPS;
    }

    /** Largest window: ConvGeometry keeps a table of every tap's position. */
    private static final long MAX_TAPS = 1L << 20;

    @Override
    protected void runForward(ConvSpec s, Tensor x, Tensor w, Tensor bias, Tensor y, Epilogue e, Execution ex) {
        runForward(s, x, w, null, bias, y, e, ex);
    }

    /** The channels-last kernel's weights by tap (multiplier 1, not transposed): packed once instead of per call. */
    @Override
    protected Object pack(ConvSpec s, Tensor w, Object old) {
        if (s.isTransposed()) return null;
        ConvGeometry g = ConvGeometry.of(s);
        return w.dtype() == DType.F32 ? DepthwiseConvF32.packTaps(g, w, old) : DepthwiseConvF64.packTaps(g, w, old);
    }

    @Override
    protected void runForward(ConvSpec s, Tensor x, Tensor w, Object packed, Tensor bias, Tensor y, Epilogue e, Execution ex) {
        ConvGeometry g = ConvGeometry.of(s);
        boolean f = x.dtype() == DType.F32;
        if (s.isTransposed()) {
            if (f) DepthwiseConvF32.backwardData(g, x, w, bias, e, y, ex);
            else DepthwiseConvF64.backwardData(g, x, w, bias, e, y, ex);
        } else {
            if (f) DepthwiseConvF32.forward(g, x, w, (float[]) packed, bias, e, y, ex);
            else DepthwiseConvF64.forward(g, x, w, (double[]) packed, bias, e, y, ex);
        }
    }

    @Override
    protected void runBackwardData(ConvSpec s, Tensor gy, Tensor w, Tensor gx, Execution ex) {
        ConvGeometry g = ConvGeometry.of(s);
        boolean f = gy.dtype() == DType.F32;
        if (s.isTransposed()) {
            if (f) DepthwiseConvF32.forward(g, gy, w, null, Epilogue.NONE, gx, ex);
            else DepthwiseConvF64.forward(g, gy, w, null, Epilogue.NONE, gx, ex);
        } else {
            if (f) DepthwiseConvF32.backwardData(g, gy, w, null, Epilogue.NONE, gx, ex);
            else DepthwiseConvF64.backwardData(g, gy, w, null, Epilogue.NONE, gx, ex);
        }
    }

    @Override
    protected void runBackwardWeights(ConvSpec s, Tensor x, Tensor gy, Tensor gw, Execution ex) {
        ConvGeometry g = ConvGeometry.of(s);
        Tensor big = s.isTransposed() ? gy : x;
        Tensor small = s.isTransposed() ? x : gy;
        if (x.dtype() == DType.F32) DepthwiseConvF32.weightGrad(g, big, small, gw, ex);
        else DepthwiseConvF64.weightGrad(g, big, small, gw, ex);
    }
}
