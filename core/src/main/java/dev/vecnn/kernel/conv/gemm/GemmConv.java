package dev.vecnn.kernel.conv.gemm;

import dev.vecnn.conv.ConvImpl;
import dev.vecnn.conv.ConvPass;
import dev.vecnn.conv.ConvSizes;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.kernel.conv.PhaseSlab;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * Implicit-GEMM convolution ("gemm"): every spec, every pass, float32 and float64, any layout, any plane
 * size (tasks cut planes into rows), through register-blocked micro-kernels ({@code GemmConvF32},
 * {@code GemmConvF64}, generated from one template). Supports every problem whose per-row buffers fit the
 * heap arrays of one task.
 */
public final class GemmConv extends ConvImpl {
    /** Largest heap buffer of one task, in elements. */
    private static final long LIMIT = 1L << 27;

    @Override
    public String name() {
        return "gemm";
    }

    @Override
    public boolean supports(ConvPass pass, ConvSpec spec) {
        // from the spec alone, saturating (ConvSizes): a huge valid spec gets false, never an overflow
        long taps = ConvSizes.taps(spec), groups = spec.groups();
        long cg = ConvSizes.bigChannelsPerGroup(spec), kg = ConvSizes.smallChannelsPerGroup(spec);
        // channels and taps index arrays; these bounds keep every task list and packed panel in int range
        if (taps > 1 << 20 || groups > 1 << 20 || ConvSizes.times(cg, taps) > LIMIT || ConvSizes.times(kg, taps) > LIMIT) return false;
        if (ConvSizes.times(spec.batch(), groups) > 1 << 20) return false;
        for (int d = 0; d < spec.rank(); d++) if (spec.inputSize(d) > 1 << 30 || spec.outputSize(d) > 1 << 30) return false;
        ConvGeometry g = ConvGeometry.of(spec);
        long phases = Math.min(g.strideProduct(), taps);
        long panels = ConvSizes.times(groups, ConvSizes.times(Math.max(cg, kg) + 12, ConvSizes.times(Math.max(cg, kg), taps) + phases * 256));
        if (panels > 2 * LIMIT) return false;
        // one row of a task: forward slab, backward-data gy grid or folded rows, backward-weights slab
        long slabRow = PhaseSlab.elements(g, 1);
        long inner = 1, gyRow = 1;
        for (int d = 1; d < g.rank; d++) {
            long extent = g.big[d] + g.padBegin[d] + g.padEnd[d];
            long margin = (long) (g.kernel[d] - 1) * g.dilation[d] / g.stride[d];
            inner = ConvSizes.times(inner, extent);
            gyRow = ConvSizes.times(gyRow, margin + extent);
        }
        long marginRows = 1 + (long) (g.kernel[0] - 1) * g.dilation[0] / g.stride[0] + g.padBegin[0] + g.padEnd[0];
        return fits(Math.max(cg, kg), slabRow) && fits(ConvSizes.times(kg, marginRows), gyRow) && fits(ConvSizes.times(cg, marginRows), inner);
    }

    /** Whether {@code a * b} elements fit one task's buffer. */
    private static boolean fits(long a, long b) {
        return ConvSizes.times(a, b) <= LIMIT;
    }

    @Override
    protected void runForward(ConvSpec s, Tensor x, Tensor w, Tensor bias, Tensor y, Epilogue e, Execution ex) {
        runForward(s, x, w, null, bias, y, e, ex);
    }

    /**
     * Prepared forward weights: the panels of the channels-first tiles, and the rows of the channels-last kernel
     * ({@code ChannelsLastGemmF32}, in 64-byte aligned native memory), made from the panels on the first
     * channels-last call (a model run in one layout never holds both). Both give the same bits. Repacking (an optimizer
     * step) reuses both the panels and the rows' memory, so training does not allocate native memory per step.
     */
    static final class Prepared {
        final Object panels;
        private final MemorySegment reuse; // the previous rows' memory, or null
        private volatile MemorySegment rows;

        Prepared(Object panels, MemorySegment reuse) {
            this.panels = panels;
            this.reuse = reuse;
        }

        MemorySegment rows(ConvGeometry g) {
            MemorySegment r = rows;
            if (r == null) {
                // two threads may both make it: the same values into the same memory, either serves
                r = panels instanceof float[] f ? ChannelsLastGemmF32.alignedRowsFromPanels(g, f, reuse)
                        : ChannelsLastGemmF64.alignedRowsFromPanels(g, (double[]) panels, reuse);
                rows = r;
            }
            return r;
        }
    }

    @Override
    protected Object pack(ConvSpec s, Tensor w, Object old) {
        if (s.isTransposed()) return null; // backward-data packs per phase; not prepared yet
        ConvGeometry g = ConvGeometry.of(s);
        int n = w.dtype() == DType.F32 ? GemmConvF32.packedForwardSize(g) : GemmConvF64.packedForwardSize(g);
        Prepared previous = old instanceof Prepared p ? p : null;
        Object reuse = previous != null ? previous.panels : null;
        MemorySegment rows = previous == null ? null : previous.rows != null ? previous.rows : previous.reuse; // two repacks between uses keep it
        if (w.dtype() == DType.F32) {
            float[] a = reuse instanceof float[] f && f.length == n ? f : new float[n];
            return new Prepared(GemmConvF32.packForward(g, w, a), rows);
        }
        double[] a = reuse instanceof double[] d && d.length == n ? d : new double[n];
        return new Prepared(GemmConvF64.packForward(g, w, a), rows);
    }

    /**
     * Whether the forward of s in dtype t into a channels-last y runs on the channels-last tiles
     * ({@code ChannelsLastGemmF32}), which read x in any layout through their slab (so a channels-first x needs no copy).
     */
    public static boolean channelsLastForward(ConvSpec s, DType t) {
        if (s.isTransposed()) return false;
        ConvGeometry g = ConvGeometry.of(s);
        return t == DType.F32 ? ChannelsLastGemmF32.runsInto(g) : ChannelsLastGemmF64.runsInto(g);
    }

    @Override
    protected void runForward(ConvSpec s, Tensor x, Tensor w, Object packed, Tensor bias, Tensor y, Epilogue e, Execution ex) {
        ConvGeometry g = ConvGeometry.of(s);
        Prepared prepared = (Prepared) packed;
        if (!s.isTransposed() && (x.dtype() == DType.F32 ? ChannelsLastGemmF32.runs(g, x, y) : ChannelsLastGemmF64.runs(g, x, y))) {
            MemorySegment rows = prepared == null ? null : prepared.rows(g);
            if (x.dtype() == DType.F32) ChannelsLastGemmF32.forward(g, x, w, rows, bias, e, y, ex);
            else ChannelsLastGemmF64.forward(g, x, w, rows, bias, e, y, ex);
            return;
        }
        packed = prepared == null ? null : prepared.panels;
        if (s.isTransposed()) {
            if (x.dtype() == DType.F32) GemmConvF32.bigFromSmall(g, x, w, bias, e, y, ex);
            else GemmConvF64.bigFromSmall(g, x, w, bias, e, y, ex);
        } else {
            if (x.dtype() == DType.F32) GemmConvF32.smallFromBig(g, x, w, (float[]) packed, bias, e, y, ex);
            else GemmConvF64.smallFromBig(g, x, w, (double[]) packed, bias, e, y, ex);
        }
    }

    @Override
    protected void runBackwardData(ConvSpec s, Tensor gy, Tensor w, Tensor gx, Execution ex) {
        ConvGeometry g = ConvGeometry.of(s);
        if (s.isTransposed()) {
            if (gy.dtype() == DType.F32) GemmConvF32.smallFromBig(g, gy, w, null, null, Epilogue.NONE, gx, ex);
            else GemmConvF64.smallFromBig(g, gy, w, null, null, Epilogue.NONE, gx, ex);
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
