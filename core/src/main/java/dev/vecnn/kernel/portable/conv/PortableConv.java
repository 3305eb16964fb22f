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
        ConvGeometry g = ConvGeometry.of(spec);
        long plane = g.paddedPlane();
        // heap arrays: the slab (big channels of a group), one small channel on the padded grid (at most
        // two planes), the weights, and rows as long as either reduction
        return plane <= MAX_PLANE && (long) g.cg * plane < MAX_ARRAY && 2 * plane < MAX_ARRAY
                && (long) g.groups * g.kg * g.reduction() < MAX_ARRAY && (long) g.kg * g.taps < MAX_ARRAY;
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
