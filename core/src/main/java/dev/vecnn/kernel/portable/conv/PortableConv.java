package dev.vecnn.kernel.portable.conv;

import dev.vecnn.conv.ConvImpl;
import dev.vecnn.conv.ConvPass;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;

/**
 * Portable convolution ("portable"): every spec and pass, float32 and float64, any layout, in plain
 * Java that HotSpot's C2 auto-vectorizes ({@code PortableConvF32}, {@code PortableConvF64}, generated
 * from one template). It needs no {@code jdk.incubator.vector}: {@link dev.vecnn.conv.Conv} runs it when
 * the Vector API is not readable ({@link dev.vecnn.kernel.Backend}), and it can always be called by
 * name. Supports any problem whose per-task buffers fit Java arrays.
 */
public final class PortableConv extends ConvImpl {
    /** Largest padded plane (elements per channel) the heap slabs take. */
    private static final long MAX_PLANE = 1L << 27;
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 16;

    @Override
    public String name() {
        return "portable";
    }

    @Override
    public boolean supports(ConvPass pass, ConvSpec spec) {
        // from saturating sizes first (ConvSizes): a huge valid spec gets false, never an overflow
        long taps = dev.vecnn.conv.ConvSizes.taps(spec), cg = dev.vecnn.conv.ConvSizes.bigChannelsPerGroup(spec);
        long kg = dev.vecnn.conv.ConvSizes.smallChannelsPerGroup(spec);
        if (taps > 1 << 20 || spec.groups() > 1 << 20 || dev.vecnn.conv.ConvSizes.times(cg, taps) > MAX_PLANE
                || dev.vecnn.conv.ConvSizes.times(kg, taps) > MAX_PLANE || dev.vecnn.conv.ConvSizes.times(spec.batch(), spec.groups()) > 1 << 20) {
            return false;
        }
        for (int d = 0; d < spec.rank(); d++) if (spec.inputSize(d) > 1 << 30 || spec.outputSize(d) > 1 << 30) return false;
        ConvGeometry g = ConvGeometry.of(spec);
        if ((long) g.groups * g.kg * g.reduction() >= MAX_ARRAY) return false;
        if (pass == ConvPass.FORWARD && !spec.isTransposed()) {
            // the forward cuts the plane into rows: one row's slab must fit
            return dev.vecnn.conv.ConvSizes.times(g.cg, dev.vecnn.kernel.conv.PhaseSlab.elements(g, 1)) < MAX_PLANE;
        }
        // the backward passes hold whole padded planes: the slab (big channels of a group), one small
        // channel on the padded grid (at most two planes)
        long plane = g.paddedPlane();
        return plane <= MAX_PLANE && (long) g.cg * plane < MAX_ARRAY && 2 * plane < MAX_ARRAY;
    }

    @Override
    protected void runForward(ConvSpec s, Tensor x, Tensor w, Tensor bias, Tensor y, Epilogue e, Execution ex) {
        ConvGeometry g = ConvGeometry.of(s);
        boolean f = x.dtype() == DType.F32;
        if (s.isTransposed()) {
            if (f) PortableConvF32.bigFromSmall(g, x, w, bias, e, y, ex);
            else PortableConvF64.bigFromSmall(g, x, w, bias, e, y, ex);
        } else {
            if (f) PortableConvF32.smallFromBig(g, x, w, bias, e, y, ex);
            else PortableConvF64.smallFromBig(g, x, w, bias, e, y, ex);
        }
    }

    @Override
    protected void runBackwardData(ConvSpec s, Tensor gy, Tensor w, Tensor gx, Execution ex) {
        ConvGeometry g = ConvGeometry.of(s);
        boolean f = gy.dtype() == DType.F32;
        if (s.isTransposed()) {
            if (f) PortableConvF32.smallFromBig(g, gy, w, null, Epilogue.NONE, gx, ex);
            else PortableConvF64.smallFromBig(g, gy, w, null, Epilogue.NONE, gx, ex);
        } else {
            if (f) PortableConvF32.bigFromSmall(g, gy, w, null, Epilogue.NONE, gx, ex);
            else PortableConvF64.bigFromSmall(g, gy, w, null, Epilogue.NONE, gx, ex);
        }
    }

    @Override
    protected void runBackwardWeights(ConvSpec s, Tensor x, Tensor gy, Tensor gw, Execution ex) {
        ConvGeometry g = ConvGeometry.of(s);
        Tensor big = s.isTransposed() ? gy : x;
        Tensor small = s.isTransposed() ? x : gy;
        if (x.dtype() == DType.F32) PortableConvF32.weightGrad(g, big, small, gw, ex);
        else PortableConvF64.weightGrad(g, big, small, gw, ex);
    }
}
