package dev.vecnn.kernel.conv.gemm;

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
 * Implicit-GEMM convolution ("gemm"): every spec, every pass, float32 and float64, any layout, through
 * one packed register-blocked micro-kernel family ({@code GemmConvF32}, {@code GemmConvF64}, generated
 * from one template). Supports any problem whose per-task buffers fit Java arrays.
 */
public final class GemmConv extends ConvImpl {
    /** Largest padded plane (elements per channel) the heap slabs take. */
    private static final long MAX_PLANE = 1L << 27;

    @Override
    public String name() {
        return "gemm";
    }

    @Override
    public boolean supports(ConvPass pass, ConvSpec spec) {
        // from the spec alone, saturating: a huge valid spec must get false, not an overflow
        long plane = ConvSizes.paddedBigPlane(spec);
        long blocked = ConvSizes.times(Math.max(plane, ConvSizes.smallPlane(spec)), Math.max(16, ConvSizes.smallChannelsPerGroup(spec)));
        long reduction = ConvSizes.times(ConvSizes.times(ConvSizes.bigChannelsPerGroup(spec), ConvSizes.taps(spec)), 12);
        return spec.groups() <= Integer.MAX_VALUE && plane <= MAX_PLANE && blocked < Integer.MAX_VALUE - 4096
                && reduction < Integer.MAX_VALUE / 8;
    }

    @Override
    protected void runForward(ConvSpec s, Tensor x, Tensor w, Tensor bias, Tensor y, Epilogue e, Execution ex) {
        ConvGeometry g = ConvGeometry.of(s);
        if (s.isTransposed()) {
            if (x.dtype() == DType.F32) GemmConvF32.bigFromSmall(g, x, w, bias, e, y, ex);
            else GemmConvF64.bigFromSmall(g, x, w, bias, e, y, ex);
        } else {
            if (x.dtype() == DType.F32) GemmConvF32.smallFromBig(g, x, w, bias, e, y, ex);
            else GemmConvF64.smallFromBig(g, x, w, bias, e, y, ex);
        }
    }

    @Override
    protected void runBackwardData(ConvSpec s, Tensor gy, Tensor w, Tensor gx, Execution ex) {
        ConvGeometry g = ConvGeometry.of(s);
        if (s.isTransposed()) {
            if (gy.dtype() == DType.F32) GemmConvF32.smallFromBig(g, gy, w, null, Epilogue.NONE, gx, ex);
            else GemmConvF64.smallFromBig(g, gy, w, null, Epilogue.NONE, gx, ex);
        } else {
            if (gy.dtype() == DType.F32) GemmConvF32.bigFromSmall(g, gy, w, null, Epilogue.NONE, gx, ex);
            else GemmConvF64.bigFromSmall(g, gy, w, null, Epilogue.NONE, gx, ex);
        }
    }

    @Override
    protected void runBackwardWeights(ConvSpec s, Tensor x, Tensor gy, Tensor gw, Execution ex) {
        ConvGeometry g = ConvGeometry.of(s);
        Tensor big = s.isTransposed() ? gy : x;
        Tensor small = s.isTransposed() ? x : gy;
        if (x.dtype() == DType.F32) GemmConvF32.weightGrad(g, big, small, gw, ex);
        else GemmConvF64.weightGrad(g, big, small, gw, ex);
    }
}
