package dev.vecnn.kernel.conv.depthwise;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.conv.ChannelsLastSlabF32;
import dev.vecnn.kernel.conv.ChannelsLastSlabF64;
import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.kernel.conv.gemm.ChannelsLastGemmF32;
import dev.vecnn.kernel.conv.gemm.ChannelsLastGemmF64;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * The kernel side of {@code dev.vecnn.conv.ConvDepthwise}: a convolution's channels-last GEMM tiles laying the slab of the
 * channels-last depthwise kernel ({@code DepthwiseChannelsLastF32.forwardAfterConv}), and the weights both pack.
 * Loaded only with the Vector API backend.
 */
public final class ConvThenDepthwise {
    private ConvThenDepthwise() {
    }

    /** Both convolutions' packed weights: the first one's rows in aligned memory, the depthwise weights by tap. */
    public record Packed(MemorySegment rows, Object taps) {
    }

    /**
     * Whether the channels-last kernels run the pair as one pass on these tensors: 512-bit vectors (the first
     * convolution's channels-last tiles), y channels-last (x in any layout: the first convolution's slab gathers it), and
     * the sizes of both kernels
     * ({@link DepthwiseChannelsLastF32#fusesAfterConv}); {@code yChannelsLast}: whether y is (or will be) channels-last.
     */
    public static boolean runs(ConvGeometry conv, ConvGeometry depthwise, Tensor x, boolean yChannelsLast) {
        boolean f = x.dtype() == DType.F32;
        if (!(f ? ChannelsLastGemmF32.AVAILABLE : ChannelsLastGemmF64.AVAILABLE)) return false;
        if (!(f ? ChannelsLastSlabF32.fits(conv) : ChannelsLastSlabF64.fits(conv))) return false;
        if ((long) (conv.kg + 16) * conv.reduction() > 1 << 28) return false; // the packed rows, padded to whole vectors
        if (!(f ? DepthwiseChannelsLastF32.fusesAfterConv(depthwise) : DepthwiseChannelsLastF64.fusesAfterConv(depthwise))) return false;
        // a chunk's rows of z: their positions (the tables) and the first convolution's slab for them (as its forward
        // lays it: along kernel-1 dimensions only the positions read; cg channels, 16 more where they span a multiple of
        // 1 KB) stay well within int range
        long rows = f ? DepthwiseChannelsLastF32.chunkInputRows(depthwise) : DepthwiseChannelsLastF64.chunkInputRows(depthwise);
        long positions = rows, cells = conv.cg + 16L;
        for (int d = 0; d < conv.rank; d++) {
            long outs = d == 0 ? rows : conv.small[d];
            if (d > 0) positions *= outs;
            cells *= conv.kernel[d] == 1 ? outs : (outs - 1) * conv.stride[d] + (long) (conv.kernel[d] - 1) * conv.dilation[d] + 1;
            if (positions > 1 << 28 || cells > 1 << 28) return false;
        }
        return yChannelsLast;
    }

    /** Whether the first convolution's channels-last tiles run for dtype t here: 512-bit vectors. */
    public static boolean tilesRun(DType t) {
        return t == DType.F32 ? ChannelsLastGemmF32.AVAILABLE : ChannelsLastGemmF64.AVAILABLE;
    }

    /** Whether t's channels are contiguous at each position ({@code ChannelsLastSlab}'s test). */
    public static boolean channelsLast(Tensor t) {
        return ChannelsLastSlabF32.channelsLast(t);
    }

    /** Packs both weight tensors of dtype {@code t} (the packings of the two separate forward passes: the same values). */
    public static Packed pack(DType t, ConvGeometry conv, Tensor w1, ConvGeometry depthwise, Tensor w2) {
        if (t == DType.F32) {
            float[] rows = ChannelsLastGemmF32.packRows(conv, w1, new float[ChannelsLastGemmF32.packedSize(conv)]);
            return new Packed(ChannelsLastGemmF32.aligned(conv, rows, null),
                    DepthwiseChannelsLastF32.packTaps(depthwise, w2, new float[DepthwiseChannelsLastF32.packedSize(depthwise)]));
        }
        double[] rows = ChannelsLastGemmF64.packRows(conv, w1, new double[ChannelsLastGemmF64.packedSize(conv)]);
        return new Packed(ChannelsLastGemmF64.aligned(conv, rows, null),
                DepthwiseChannelsLastF64.packTaps(depthwise, w2, new double[DepthwiseChannelsLastF64.packedSize(depthwise)]));
    }

    /** {@code y = e2(depthwise(e1(conv(x) + b1)) + b2)} on checked arguments that {@link #runs}. */
    public static void forward(ConvGeometry conv, Tensor x, Packed p, Tensor b1, Epilogue e1, ConvGeometry depthwise, Tensor b2, Epilogue e2,
            Tensor y, Execution ex) {
        if (x.dtype() == DType.F32) {
            var rows = new ChannelsLastGemmF32.ConvRows(conv, p.rows(), b1, e1, DepthwiseChannelsLastF32.chunkInputRows(depthwise));
            DepthwiseChannelsLastF32.forwardAfterConv(rows, conv, x, depthwise, (float[]) p.taps(), b2, e2, y, ex);
        } else {
            var rows = new ChannelsLastGemmF64.ConvRows(conv, p.rows(), b1, e1, DepthwiseChannelsLastF64.chunkInputRows(depthwise));
            DepthwiseChannelsLastF64.forwardAfterConv(rows, conv, x, depthwise, (double[]) p.taps(), b2, e2, y, ex);
        }
    }
}
