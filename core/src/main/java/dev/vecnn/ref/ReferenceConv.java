package dev.vecnn.ref;

import dev.vecnn.spec.Arguments;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PaddingMode;
import dev.vecnn.spec.Window;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;

/**
 * Reference convolution: plain loops over every term of the sum, any spatial rank, any strides,
 * accumulating in double. This is the oracle every fast kernel is tested against; clarity beats speed.
 *
 * <p>All passes overwrite their output; with an empty batch the weight and bias gradients are zero. With {@code x} the input, {@code w} the weights, {@code y} the
 * output and {@code g*} gradients:
 * <ul>
 *   <li>{@link #forward}: {@code y = conv(x, w) + bias};</li>
 *   <li>{@link #backwardData}: {@code gx = dL/dx} given {@code gy = dL/dy} (for a direct convolution
 *       this is a transposed convolution, and the other way round);</li>
 *   <li>{@link #backwardWeights}: {@code gw = dL/dw}; {@link #backwardBias}: {@code gb = dL/dbias}.</li>
 * </ul>
 *
 * <p>Every pass is written on one enumeration of the terms of the direct convolution: the "small"
 * side (direct output, transposed input), the "big" side (direct input, transposed output), and the
 * weight. Big position {@code o*stride - padBegin + j*dilation} of small position {@code o} and tap
 * {@code j}; the padding mode maps it into the big side or drops it.
 */
public final class ReferenceConv {
    private ReferenceConv() {
    }

    /** {@code y = conv(x, w) + bias}; {@code bias} is null iff the spec has no bias. */
    public static void forward(ConvSpec s, Tensor x, Tensor w, Tensor bias, Tensor y) {
        Arguments.convForward(s, x, w, bias, y);
        try (Arena arena = Arena.ofConfined()) {
            Tensor acc = Tensor.allocate(arena, DType.F64, y.shape());
            if (s.isTransposed()) {
                forEachTerm(s, acc, w, x, (big, wi, small) -> acc.setAt(big, acc.getAt(big) + x.getAt(small) * w.getAt(wi)));
            } else {
                forEachTerm(s, x, w, acc, (big, wi, small) -> acc.setAt(small, acc.getAt(small) + x.getAt(big) * w.getAt(wi)));
            }
            if (bias != null) addBias(s, acc, bias);
            y.copyFrom(acc);
        }
    }

    /** {@code gx = dL/dx} given {@code gy = dL/dy}. */
    public static void backwardData(ConvSpec s, Tensor gy, Tensor w, Tensor gx) {
        Arguments.convBackwardData(s, gy, w, gx);
        try (Arena arena = Arena.ofConfined()) {
            Tensor acc = Tensor.allocate(arena, DType.F64, gx.shape());
            if (s.isTransposed()) {
                forEachTerm(s, gy, w, acc, (big, wi, small) -> acc.setAt(small, acc.getAt(small) + gy.getAt(big) * w.getAt(wi)));
            } else {
                forEachTerm(s, acc, w, gy, (big, wi, small) -> acc.setAt(big, acc.getAt(big) + gy.getAt(small) * w.getAt(wi)));
            }
            gx.copyFrom(acc);
        }
    }

    /** {@code gw = dL/dw} given the input {@code x} and {@code gy = dL/dy}. */
    public static void backwardWeights(ConvSpec s, Tensor x, Tensor gy, Tensor gw) {
        Arguments.convBackwardWeights(s, x, gy, gw);
        try (Arena arena = Arena.ofConfined()) {
            Tensor acc = Tensor.allocate(arena, DType.F64, gw.shape());
            if (s.isTransposed()) {
                forEachTerm(s, gy, acc, x, (big, wi, small) -> acc.setAt(wi, acc.getAt(wi) + gy.getAt(big) * x.getAt(small)));
            } else {
                forEachTerm(s, x, acc, gy, (big, wi, small) -> acc.setAt(wi, acc.getAt(wi) + x.getAt(big) * gy.getAt(small)));
            }
            gw.copyFrom(acc);
        }
    }

    /** {@code gb[k] = sum over batch and space of gy[., k, ...]}. */
    public static void backwardBias(ConvSpec s, Tensor gy, Tensor gb) {
        Arguments.convBackwardBias(s, gy, gb);
        long[] shape = gy.shape();
        long[] idx = new long[shape.length];
        for (long k = 0; k < s.outChannels(); k++) {
            double sum = 0; // stays 0 for an empty batch
            for (long n = 0; n < s.batch(); n++) {
                idx[0] = n;
                idx[1] = k;
                do {
                    sum += gy.get(idx);
                } while (NdIndex.next(idx, shape, 2));
            }
            gb.set(sum, k);
        }
    }

    private static void addBias(ConvSpec s, Tensor acc, Tensor bias) {
        long[] shape = acc.shape();
        long[] idx = new long[shape.length];
        if (acc.numel() == 0) return;
        do {
            long off = acc.offsetOf(idx);
            acc.setAt(off, acc.getAt(off) + bias.get(idx[1]));
        } while (NdIndex.next(idx, shape));
    }

    /** One multiply-add term: element offsets into the big-side, weight and small-side tensors. */
    @FunctionalInterface
    private interface Term {
        void accept(long big, long weight, long small);
    }

    /**
     * Enumerates every term of the direct convolution from {@code big} (direct input) to {@code small}
     * (direct output) with weights of shape (smallChannels, bigChannels/groups, k...).
     */
    private static void forEachTerm(ConvSpec s, Tensor big, Tensor w, Tensor small, Term term) {
        Window win = s.window();
        int rank = s.rank();
        PaddingMode mode = s.paddingMode();
        long groups = s.groups();
        long smallChannels = small.size(1);
        long bigPerGroup = big.size(1) / groups;
        long smallPerGroup = smallChannels / groups;
        long[] smallSize = new long[rank];
        long[] bigSize = new long[rank];
        long[] kernel = new long[rank];
        for (int d = 0; d < rank; d++) {
            smallSize[d] = small.size(2 + d);
            bigSize[d] = big.size(2 + d);
            kernel[d] = win.kernel(d);
        }
        long[] o = new long[rank];
        long[] j = new long[rank];
        for (long n = 0; n < s.batch(); n++) {
            for (long k = 0; k < smallChannels; k++) {
                long g = k / smallPerGroup;
                java.util.Arrays.fill(o, 0);
                do {
                    long smallOff = small.offset() + n * small.stride(0) + k * small.stride(1);
                    for (int d = 0; d < rank; d++) smallOff += o[d] * small.stride(2 + d);
                    for (long cg = 0; cg < bigPerGroup; cg++) {
                        long c = g * bigPerGroup + cg;
                        java.util.Arrays.fill(j, 0);
                        do {
                            long bigOff = big.offset() + n * big.stride(0) + c * big.stride(1);
                            long wOff = w.offset() + k * w.stride(0) + cg * w.stride(1);
                            boolean inside = true;
                            for (int d = 0; d < rank && inside; d++) {
                                long p = win.start(d, o[d]) + j[d] * win.dilation(d);
                                long src = mode.source(p, bigSize[d]);
                                inside = src >= 0;
                                bigOff += src * big.stride(2 + d);
                                wOff += j[d] * w.stride(2 + d);
                            }
                            if (inside) term.accept(bigOff, wOff, smallOff);
                        } while (NdIndex.next(j, kernel));
                    }
                } while (NdIndex.next(o, smallSize));
            }
        }
    }
}
