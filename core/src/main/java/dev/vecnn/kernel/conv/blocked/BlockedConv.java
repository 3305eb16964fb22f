package dev.vecnn.kernel.conv.blocked;

import dev.vecnn.conv.ConvImpl;
import dev.vecnn.conv.ConvPass;
import dev.vecnn.conv.ConvSizes;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PaddingMode;
import dev.vecnn.spec.Window;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * Direct convolution with the output channels in the vector lanes ("blocked"; {@code BlockedConvF32},
 * {@code BlockedConvF64}): the forward of unit-stride, not transposed specs of any rank, dilation, padding
 * mode and groups, and their backward-data when zero-padded by at most (kernel - 1) * dilation per side
 * (the forward of the mirrored problem). Chosen for the small grids of scientific networks, where the
 * GEMM's columns straddle short padded rows.
 */
public final class BlockedConv extends ConvImpl {
    /** Largest heap buffer of one task, in elements. */
    private static final long LIMIT = 1L << 24;

    private final boolean preferredOnly;

    /** The dispatched kernel: only where it beats the GEMM ({@link #preferred}). */
    public BlockedConv() {
        this(true);
    }

    private BlockedConv(boolean preferredOnly) {
        this.preferredOnly = preferredOnly;
    }

    /**
     * The kernel on every spec it can run, also where the GEMM is faster ("blocked-any"): for the tests that
     * drive it through every rank, tail and padding mode; not in the dispatch list.
     */
    public static BlockedConv anywhere() {
        return new BlockedConv(false);
    }

    @Override
    public String name() {
        return preferredOnly ? "blocked" : "blocked-any";
    }

    @Override
    public boolean supports(ConvPass pass, ConvSpec spec) {
        if (spec.isTransposed() || pass == ConvPass.BACKWARD_WEIGHTS) return false;
        Window w = spec.window();
        int rank = spec.rank();
        for (int d = 0; d < rank; d++) {
            if (w.stride(d) != 1 || spec.inputSize(d) > 1 << 30) return false;
            if (pass == ConvPass.BACKWARD_DATA) {
                long reach = (long) (w.kernel(d) - 1) * w.dilation(d);
                if (spec.paddingMode() != PaddingMode.ZEROS || w.padBegin(d) > reach || w.padEnd(d) > reach) return false;
            }
        }
        // from the spec alone, saturating: a huge valid spec gets false, never an overflow
        long cg = ConvSizes.bigChannelsPerGroup(spec), kg = ConvSizes.smallChannelsPerGroup(spec), taps = ConvSizes.taps(spec);
        long channels = Math.max(cg, kg) + 2L * BlockedConvF32.L; // with a last partial block
        if (spec.groups() > 1 << 20 || ConvSizes.times(spec.batch(), spec.groups()) > 1 << 20 || ConvSizes.times(channels, taps) > 1 << 16) {
            return false;
        }
        if (ConvSizes.times(spec.groups(), ConvSizes.times(channels, ConvSizes.times(channels, taps))) > LIMIT) return false;
        // a task's slab and output buffer (rows padded to runs of four: at most 4x the positions); backward-data
        // runs the mirror, whose slab spans input + (kernel - 1) * dilation and whose output is the input
        long plane = Math.max(ConvSizes.paddedBigPlane(spec), ConvSizes.times(4, ConvSizes.smallPlane(spec)));
        if (pass == ConvPass.BACKWARD_DATA) {
            long mirrorSlab = 1, input = 1;
            for (int d = 0; d < rank; d++) {
                mirrorSlab = ConvSizes.times(mirrorSlab, spec.inputSize(d) + (long) (w.kernel(d) - 1) * w.dilation(d));
                input = ConvSizes.times(input, spec.inputSize(d));
            }
            plane = Math.max(mirrorSlab, ConvSizes.times(4, input));
        }
        return ConvSizes.times(channels, plane) <= LIMIT && (!preferredOnly || preferred(pass, spec, cg, kg, taps));
    }

    /** Reduction length ((channel, tap) steps) up to which the tiles' weights and slab stay near L1 (14x14 C256 3x3 lost). */
    private static final long MAX_REDUCTION = 1024;
    /** Output row length up to which the GEMM's columns lose enough to padding between rows (56x56 planes were level). */
    private static final long MAX_ROW = 32;

    /**
     * Where the blocked kernel beat the GEMM (Intel Xeon, AVX-512, 2026-12-01, f32, 1 and 2 threads: 1.2-1.3x on
     * 3-D 8^3 and 2-D 16x16 layers of 16-64 channels): rank 2 and up (on 1-D rows the GEMM wastes no columns),
     * rows of at most {@link #MAX_ROW} outputs, a reduction of at most {@link #MAX_REDUCTION} steps, and whole
     * blocks of two float32 vectors of written channels (a half-empty block lost: 0.6-0.9x), and 512-bit vectors.
     * Written channels in whole single vectors (16, 48) run the one-vector tile, which won by less (1.03-1.25x
     * with rows of 8 and 16, 1 thread): only on rows of whole runs of four (rows of 6 lost, 0.64x backward-data).
     * Not 1x1 kernels: on MobileNet-V2's 1x1 layers of 7x7 to 112x112 planes it ran at 0.44-0.94x the GEMM.
     */
    private static boolean preferred(ConvPass pass, ConvSpec spec, long cg, long kg, long taps) {
        int rank = spec.rank();
        boolean forward = pass == ConvPass.FORWARD;
        long written = forward ? kg : cg, reduction = ConvSizes.times(forward ? cg : kg, taps);
        long row = forward ? spec.outputSize(rank - 1) : spec.inputSize(rank - 1);
        // measured with 512-bit vectors only; the 12x2 tile's 27 live vectors would spill AVX2's 16 registers
        long l = BlockedConvF32.L;
        boolean blocks = written % (2 * l) == 0 || written % l == 0 && row % 4 == 0;
        return l >= 16 && rank >= 2 && taps > 1 && blocks && reduction <= MAX_REDUCTION && row <= MAX_ROW;
    }

    @Override
    protected Object pack(ConvSpec s, Tensor w, Object old) {
        ConvGeometry g = ConvGeometry.of(s);
        // packed on the heap, then copied to aligned native memory: the previous packing's memory where it is large enough
        MemorySegment reuse = old instanceof MemorySegment m ? m : null;
        if (w.dtype() == DType.F32) return BlockedConvF32.aligned(g, BlockedConvF32.packForward(g, w, new float[BlockedConvF32.packedSize(g)], null), reuse);
        return BlockedConvF64.aligned(g, BlockedConvF64.packForward(g, w, new double[BlockedConvF64.packedSize(g)], null), reuse);
    }

    @Override
    protected void runForward(ConvSpec s, Tensor x, Tensor w, Tensor bias, Tensor y, Epilogue e, Execution ex) {
        runForward(s, x, w, null, bias, y, e, ex);
    }

    @Override
    protected void runForward(ConvSpec s, Tensor x, Tensor w, Object packed, Tensor bias, Tensor y, Epilogue e, Execution ex) {
        ConvGeometry g = ConvGeometry.of(s);
        if (x.dtype() == DType.F32) BlockedConvF32.forward(g, x, w, (MemorySegment) packed, bias, e, y, ex);
        else BlockedConvF64.forward(g, x, w, (MemorySegment) packed, bias, e, y, ex);
    }

    @Override
    protected void runBackwardData(ConvSpec s, Tensor gy, Tensor w, Tensor gx, Execution ex) {
        ConvGeometry g = ConvGeometry.of(s), m = ConvGeometry.of(mirror(s));
        if (gy.dtype() == DType.F32) BlockedConvF32.backwardData(g, m, gy, w, gx, ex);
        else BlockedConvF64.backwardData(g, m, gy, w, gx, ex);
    }

    /**
     * The forward whose output is backward-data's gx: input gy, the channel counts swapped, the same kernel and
     * dilation, and padding {@code (kernel - 1) * dilation} minus the other side's (unit strides, zero padding).
     */
    static ConvSpec mirror(ConvSpec s) {
        Window w = s.window();
        int rank = s.rank();
        int[] begin = new int[rank], end = new int[rank];
        for (int d = 0; d < rank; d++) {
            int reach = (w.kernel(d) - 1) * w.dilation(d);
            begin[d] = reach - w.padBegin(d);
            end[d] = reach - w.padEnd(d);
        }
        return ConvSpec.builder().batch(s.batch()).inChannels(s.outChannels()).outChannels(s.inChannels()).groups(s.groups())
                .input(s.outputSize()).kernel(w.kernel()).dilation(w.dilation()).padding(begin, end).bias(false).build();
    }

    @Override
    protected void runBackwardWeights(ConvSpec s, Tensor x, Tensor gy, Tensor gw, Execution ex) {
        throw new IllegalStateException("unreachable: supports() refuses backward-weights");
    }
}
