package dev.vecnn.kernel.conv.pointwise;

import dev.vecnn.conv.ConvImpl;
import dev.vecnn.conv.ConvPass;
import dev.vecnn.conv.ConvSizes;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.conv.PreparedWeights;
import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.kernel.conv.gemm.GemmConv;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.Window;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The 1x1 convolution as a plain GEMM on the tensors as they lie ("pointwise"; {@code PointwiseConvF32},
 * {@code PointwiseConvF64}): forward and backward-data of direct specs of any rank whose kernel is 1 in every
 * dimension, with unit strides and no padding (MobileNet's expansions and projections, ResNet's bottlenecks at
 * stride 1); and the forward at strides above 1 (ResNet's stride-2 shortcuts), whose kept input positions are
 * first copied, once per call, into a dense buffer in native memory. Inputs and outputs with a dense spatial
 * plane (channels-first, each channel's positions contiguous) run without a slab; other layouts (channels-last)
 * go to the GEMM kernel, with the weights packed per call. Backward-weights goes to the next implementation.
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
            if (w.kernel(d) != 1 || w.padBegin(d) != 0 || w.padEnd(d) != 0 || w.stride(d) != 1 && pass != ConvPass.FORWARD) return false;
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

    /** Positions of an output channel's plane (the input's too at unit strides). */
    private static long plane(ConvSpec spec) {
        long plane = 1;
        for (int d = 0; d < spec.rank(); d++) plane = ConvSizes.times(plane, spec.outputSize(d));
        return plane;
    }

    /** Whether a stride is above 1 (the forward then reads a dense copy of the kept input positions). */
    private static boolean strided(ConvSpec spec) {
        for (int d = 0; d < spec.rank(); d++) if (spec.window().stride(d) != 1) return true;
        return false;
    }

    /**
     * The input positions a strided 1x1 forward reads, {@code x[n][c][o * stride]}, as a dense (N, C, output
     * sizes...) tensor in {@code call}'s native scratch; channels split over the threads.
     */
    private static Tensor kept(ConvSpec s, Tensor x, Execution.Scratch call, Execution ex) {
        int rank = s.rank();
        long[] shape = new long[rank + 2], strides = new long[rank + 2];
        shape[0] = x.size(0);
        shape[1] = x.size(1);
        for (int d = 0; d < rank; d++) shape[2 + d] = s.outputSize(d);
        long n = 1;
        for (int d = rank + 1; d >= 0; d--) {
            strides[d] = n;
            n *= shape[d];
        }
        DType t = x.dtype();
        MemorySegment dst = call.segment("pointwise.kept", n * t.byteSize());
        Tensor kept = Tensor.wrap(dst, t, shape, strides, 0);
        long channels = shape[0] * shape[1], plane = strides[1], row = shape[rank + 1];
        long step = s.window().stride(rank - 1) * x.stride(rank + 1);
        int parts = (int) Math.min(channels, 2L * ex.threads());
        MemorySegment src = x.segment();
        ex.forEach(parts, (task, sc) -> {
            long[] o = new long[rank];
            for (long ch = channels * task / parts; ch < channels * (task + 1) / parts; ch++) {
                long base = x.offset() + ch / shape[1] * x.stride(0) + ch % shape[1] * x.stride(1), to = ch * plane;
                Arrays.fill(o, 0);
                for (long r = 0; r < plane / row; r++, to += row) {
                    long from = base;
                    for (int d = 0; d < rank - 1; d++) from += o[d] * s.window().stride(d) * x.stride(2 + d);
                    if (t == DType.F32) {
                        for (long j = 0; j < row; j++) dst.setAtIndex(F32, to + j, src.getAtIndex(F32, from + j * step));
                    } else {
                        for (long j = 0; j < row; j++) dst.setAtIndex(F64, to + j, src.getAtIndex(F64, from + j * step));
                    }
                    for (int d = rank - 2; d >= 0; d--) {
                        if (++o[d] < shape[2 + d]) break;
                        o[d] = 0;
                    }
                }
            }
        }, x);
        return kept;
    }

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    /** Whether every channel's positions of {@code t} (batch, channels, spatial...) are one contiguous run. */
    static boolean densePlane(Tensor t) {
        long step = 1;
        for (int d = t.rank() - 1; d >= 2; d--) {
            if (t.size(d) != 1 && t.stride(d) != step) return false;
            step *= t.size(d);
        }
        return true;
    }

    /**
     * Prepared weights: this kernel's packing, and the GEMM's for tensors in other layouts (channels-last), made
     * on the first such call for each spec (batch sizes share the rest).
     */
    private record Packed(Object pointwise, java.util.Map<ConvSpec, PreparedWeights> otherLayouts) {
    }

    @Override
    protected Object pack(ConvSpec s, Tensor w, Object old) {
        ConvGeometry g = ConvGeometry.of(s);
        Object oldA = old instanceof Packed p ? p.pointwise() : null;
        var gemm = new java.util.concurrent.ConcurrentHashMap<ConvSpec, PreparedWeights>();
        if (w.dtype() == DType.F32) {
            int mr = PointwiseConvF32.forwardRows(plane(s)), n = PointwiseConvF32.packedSize(g.groups, g.kg, g.cg, mr);
            float[] a = oldA instanceof float[] f && f.length == n ? f : new float[n];
            return new Packed(PointwiseConvF32.packForward(g, w, a, null, mr), gemm);
        }
        int mr = PointwiseConvF64.forwardRows(plane(s)), n = PointwiseConvF64.packedSize(g.groups, g.kg, g.cg, mr);
        double[] a = oldA instanceof double[] d && d.length == n ? d : new double[n];
        return new Packed(PointwiseConvF64.packForward(g, w, a, null, mr), gemm);
    }

    @Override
    protected void runForward(ConvSpec s, Tensor x, Tensor w, Tensor bias, Tensor y, Epilogue e, Execution ex) {
        runForward(s, x, w, null, bias, y, e, ex);
    }

    @Override
    protected void runForward(ConvSpec s, Tensor x, Tensor w, Object packed, Tensor bias, Tensor y, Epilogue e, Execution ex) {
        if (!densePlane(x) || !densePlane(y)) {
            if (packed instanceof Packed p) otherLayouts.forward(s, x, p.otherLayouts().computeIfAbsent(s, k -> otherLayouts.prepare(k, w)), bias, y, e, ex);
            else otherLayouts.forward(s, x, w, bias, y, e, ex);
            return;
        }
        if (packed != null) packed = ((Packed) packed).pointwise();
        ConvGeometry g = ConvGeometry.of(s);
        long positions = plane(s);
        Execution.Scratch call = ex.acquire();
        try {
            if (strided(s)) x = kept(s, x, call, ex);
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
