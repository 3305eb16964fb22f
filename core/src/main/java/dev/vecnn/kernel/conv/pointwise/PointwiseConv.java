package dev.vecnn.kernel.conv.pointwise;

import dev.vecnn.conv.ConvImpl;
import dev.vecnn.conv.ConvPass;
import dev.vecnn.conv.ConvSizes;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.kernel.conv.gemm.GemmConv;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.Window;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;

/**
 * The 1x1 convolution as a plain GEMM on the tensors as they lie ("pointwise"; {@code PointwiseConvF32},
 * {@code PointwiseConvF64}): forward and backward-data of direct specs of any rank whose kernel is 1 in every
 * dimension, with unit strides and no padding (MobileNet's expansions and projections, ResNet's bottlenecks at
 * stride 1). Inputs and outputs with a dense spatial plane (channels-first, each channel's positions
 * contiguous) run without a slab; other layouts (channels-last) go to the GEMM kernel, with the weights
 * packed per call. Backward-weights goes to the next implementation.
 */
public final class PointwiseConv extends ConvImpl {
    private final GemmConv otherLayouts = new GemmConv();
    private final boolean preferredOnly;

    /** The dispatched kernel: only where it beats the GEMM ({@link #preferred}). */
    public PointwiseConv() {
        this(true);
    }

    private PointwiseConv(boolean preferredOnly) {
        this.preferredOnly = preferredOnly;
    }

    /**
     * The kernel on every spec it can run, also where the GEMM is faster ("pointwise-any"): for the tests that
     * drive it through every width, tail and layout; not in the dispatch list.
     */
    public static PointwiseConv anywhere() {
        return new PointwiseConv(false);
    }

    @Override
    public String name() {
        return preferredOnly ? "pointwise" : "pointwise-any";
    }

    @Override
    public boolean supports(ConvPass pass, ConvSpec spec) {
        if (pass == ConvPass.BACKWARD_WEIGHTS || spec.isTransposed()) return false;
        Window w = spec.window();
        for (int d = 0; d < spec.rank(); d++) {
            if (w.kernel(d) != 1 || w.stride(d) != 1 || w.padBegin(d) != 0 || w.padEnd(d) != 0) return false;
        }
        // from the spec alone, saturating: packed weights and a task's channel offsets stay ints
        long cg = ConvSizes.bigChannelsPerGroup(spec), kg = ConvSizes.smallChannelsPerGroup(spec);
        long rows = Math.max(cg, kg) + PointwiseConvF32.MR, cols = Math.max(cg, kg);
        return spec.groups() <= 1 << 20 && ConvSizes.times(spec.batch(), spec.groups()) <= 1 << 20
                && ConvSizes.times(spec.groups(), ConvSizes.times(rows, cols)) <= Integer.MAX_VALUE / 2 && otherLayouts.supports(pass, spec)
                && (!preferredOnly || preferred(pass, spec));
    }

    /**
     * Where it beat or matched the GEMM (Intel Xeon, AVX-512, 2026-12-01, f32, MobileNet-V2's and ResNet's 1x1
     * layers: 0.99-1.68x forward with prepared weights at 1 thread, 1.05-2.24x at 2; backward-data 1.00-1.98x):
     * 512-bit vectors (the 8 x 3-vector tile's 27 live vectors would spill AVX2's 16 registers), and planes with
     * at least twice as many whole tiles as tail vectors (a 7x7 plane, one tile and a one-position tail, ran at
     * 0.8x). Forward also takes planes of more than three vectors and at most four, one 6 x 4-vector tile each
     * (MobileNet-V2's five 7x7 1x1 shapes, prepared weights: 1.24-1.43x the GEMM at 1 thread, 1.04-1.23x at 2,
     * bench/results/2026-12-01-depthwise-rows-and-panels). The float32 tile length serves float64 too (its tiles are half
     * as long); float64 was not measured.
     */
    private static boolean preferred(ConvPass pass, ConvSpec spec) {
        long l = PointwiseConvF32.L, plane = plane(spec);
        long tiles = plane / (3 * l), tail = (plane % (3 * l) + l - 1) / l;
        return l >= 16 && (tiles >= 2 * tail || pass == ConvPass.FORWARD && PointwiseConvF32.smallPlane(plane));
    }

    /** Positions of a channel's plane (the input's: unit stride, no padding). */
    private static long plane(ConvSpec spec) {
        long plane = 1;
        for (int d = 0; d < spec.rank(); d++) plane = ConvSizes.times(plane, spec.inputSize(d));
        return plane;
    }

    /** Whether every channel's positions of {@code t} (batch, channels, spatial...) are one contiguous run. */
    static boolean densePlane(Tensor t) {
        long step = 1;
        for (int d = t.rank() - 1; d >= 2; d--) {
            if (t.size(d) != 1 && t.stride(d) != step) return false;
            step *= t.size(d);
        }
        return true;
    }

    @Override
    protected Object pack(ConvSpec s, Tensor w, Object old) {
        ConvGeometry g = ConvGeometry.of(s);
        if (w.dtype() == DType.F32) {
            int mr = PointwiseConvF32.forwardRows(plane(s)), n = PointwiseConvF32.packedSize(g.groups, g.kg, g.cg, mr);
            float[] a = old instanceof float[] f && f.length == n ? f : new float[n];
            return PointwiseConvF32.packForward(g, w, a, null, mr);
        }
        int mr = PointwiseConvF64.forwardRows(plane(s)), n = PointwiseConvF64.packedSize(g.groups, g.kg, g.cg, mr);
        double[] a = old instanceof double[] d && d.length == n ? d : new double[n];
        return PointwiseConvF64.packForward(g, w, a, null, mr);
    }

    @Override
    protected void runForward(ConvSpec s, Tensor x, Tensor w, Tensor bias, Tensor y, Epilogue e, Execution ex) {
        runForward(s, x, w, null, bias, y, e, ex);
    }

    @Override
    protected void runForward(ConvSpec s, Tensor x, Tensor w, Object packed, Tensor bias, Tensor y, Epilogue e, Execution ex) {
        if (!densePlane(x) || !densePlane(y)) {
            otherLayouts.forward(s, x, w, bias, y, e, ex);
            return;
        }
        ConvGeometry g = ConvGeometry.of(s);
        long positions = plane(s);
        Execution.Scratch call = ex.acquire();
        try {
            if (x.dtype() == DType.F32) {
                int mr = PointwiseConvF32.forwardRows(positions), n = PointwiseConvF32.packedSize(g.groups, g.kg, g.cg, mr);
                float[] a = packed != null ? (float[]) packed : PointwiseConvF32.packForward(g, w, call.floats("pointwise.a", n), call, mr);
                if (PointwiseConvF32.smallPlane(positions)) PointwiseConvF32.runSmallPlane(g.batch, g.groups, g.cg, g.kg, positions, x, a, bias, e, y, ex);
                else PointwiseConvF32.run(g.batch, g.groups, g.cg, g.kg, positions, x, a, bias, e, y, ex);
            } else {
                int mr = PointwiseConvF64.forwardRows(positions), n = PointwiseConvF64.packedSize(g.groups, g.kg, g.cg, mr);
                double[] a = packed != null ? (double[]) packed : PointwiseConvF64.packForward(g, w, call.doubles("pointwise.a", n), call, mr);
                if (PointwiseConvF64.smallPlane(positions)) PointwiseConvF64.runSmallPlane(g.batch, g.groups, g.cg, g.kg, positions, x, a, bias, e, y, ex);
                else PointwiseConvF64.run(g.batch, g.groups, g.cg, g.kg, positions, x, a, bias, e, y, ex);
            }
        } finally {
            ex.release(call);
        }
    }

    @Override
    protected void runBackwardData(ConvSpec s, Tensor gy, Tensor w, Tensor gx, Execution ex) {
        if (!densePlane(gy) || !densePlane(gx)) {
            otherLayouts.backwardData(s, gy, w, gx, ex);
            return;
        }
        ConvGeometry g = ConvGeometry.of(s);
        long positions = gx.numel() / (gx.size(0) * gx.size(1));
        int n = PointwiseConvF32.packedSize(g.groups, g.cg, g.kg);
        Execution.Scratch call = ex.acquire();
        try {
            if (gy.dtype() == DType.F32) {
                float[] a = PointwiseConvF32.packBackwardData(g, w, call.floats("pointwise.a", n), call);
                PointwiseConvF32.run(g.batch, g.groups, g.kg, g.cg, positions, gy, a, null, Epilogue.NONE, gx, ex);
            } else {
                double[] a = PointwiseConvF64.packBackwardData(g, w, call.doubles("pointwise.a", n), call);
                PointwiseConvF64.run(g.batch, g.groups, g.kg, g.cg, positions, gy, a, null, Epilogue.NONE, gx, ex);
            }
        } finally {
            ex.release(call);
        }
    }

    @Override
    protected void runBackwardWeights(ConvSpec s, Tensor x, Tensor gy, Tensor gw, Execution ex) {
        throw new IllegalStateException("unreachable: supports() refuses backward-weights");
    }
}
