package dev.vecnn.conv;

import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.Window;

/**
 * The sizes an implementation's {@link ConvImpl#supports} weighs, computed from the spec alone with
 * saturating arithmetic: a result that would overflow a long is {@link Long#MAX_VALUE}, which every
 * limit refuses. A spec may be valid and still far too large for a kernel's int-indexed buffers;
 * {@code supports} must then answer false (the dispatcher moves on), never throw.
 *
 * <p>The terms are the kernels' (see {@code dev.vecnn.kernel.conv.ConvGeometry}): the "big" side is
 * a direct convolution's input (a transposed one's output), the "small" side the other.
 */
public final class ConvSizes {
    private ConvSizes() {
    }

    /** {@code a * b} for {@code a, b >= 0}, or {@link Long#MAX_VALUE} if that overflows. */
    public static long times(long a, long b) {
        long high = Math.multiplyHigh(a, b), low = a * b;
        return high == 0 && low >= 0 ? low : Long.MAX_VALUE;
    }

    /** Big-side channels per group (C_in/groups of a direct convolution). */
    public static long bigChannelsPerGroup(ConvSpec s) {
        return (s.isTransposed() ? s.outChannels() : s.inChannels()) / s.groups();
    }

    /** Small-side channels per group (C_out/groups of a direct convolution). */
    public static long smallChannelsPerGroup(ConvSpec s) {
        return (s.isTransposed() ? s.inChannels() : s.outChannels()) / s.groups();
    }

    /** Taps of the window (fits a long: checked when the spec was built). */
    public static long taps(ConvSpec s) {
        return s.window().taps();
    }

    /** Elements of one big-side channel with its padding, {@code prod(big + padBegin + padEnd)}, saturated. */
    public static long paddedBigPlane(ConvSpec s) {
        Window w = s.window();
        long plane = 1;
        for (int d = 0; d < s.rank(); d++) {
            long big = s.isTransposed() ? s.outputSize(d) : s.inputSize(d);
            plane = times(plane, big + w.padBegin(d) + w.padEnd(d)); // sizes are below 2^60: no overflow
        }
        return plane;
    }

    /** Elements of one small-side channel, {@code prod(small)}, saturated. */
    public static long smallPlane(ConvSpec s) {
        long plane = 1;
        for (int d = 0; d < s.rank(); d++) plane = times(plane, s.isTransposed() ? s.inputSize(d) : s.outputSize(d));
        return plane;
    }
}
