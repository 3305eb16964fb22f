package dev.vecnn.kernel.conv;

import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PaddingMode;
import dev.vecnn.spec.Window;

/**
 * A convolution seen as its direct form: the "big" side (direct input; a transposed convolution's
 * output) is read through the window by the "small" side (direct output; a transposed convolution's
 * input). Weights are (smallChannels, bigChannels/groups, taps) in both cases. All three passes of
 * both kinds of convolution are written on this one geometry.
 */
public final class ConvGeometry {
    public final int rank;
    public final long batch;
    public final int groups;
    /** Big-side channels per group (C/groups of a direct convolution). */
    public final int cg;
    /** Small-side channels per group (K/groups of a direct convolution). */
    public final int kg;
    public final long[] big;
    public final long[] small;
    public final int[] kernel;
    public final int[] stride;
    public final int[] dilation;
    public final int[] padBegin;
    public final int[] padEnd;
    public final PaddingMode mode;
    public final int taps;
    /** Tap multi-indices in row-major order. */
    public final int[][] tap;

    private ConvGeometry(ConvSpec s) {
        Window w = s.window();
        rank = s.rank();
        batch = s.batch();
        groups = Math.toIntExact(s.groups());
        boolean t = s.isTransposed();
        cg = Math.toIntExact((t ? s.outChannels() : s.inChannels()) / s.groups());
        kg = Math.toIntExact((t ? s.inChannels() : s.outChannels()) / s.groups());
        big = t ? s.outputSize() : s.inputSize();
        small = t ? s.inputSize() : s.outputSize();
        kernel = w.kernel();
        stride = w.stride();
        dilation = w.dilation();
        padBegin = w.padBegin();
        padEnd = w.padEnd();
        mode = s.paddingMode();
        taps = Math.toIntExact(w.taps());
        tap = new int[taps][rank];
        for (int i = 1; i < taps; i++) {
            int[] j = tap[i - 1].clone();
            for (int d = rank - 1; d >= 0; d--) {
                if (++j[d] < kernel[d]) break;
                j[d] = 0;
            }
            tap[i] = j;
        }
    }

    public static ConvGeometry of(ConvSpec s) {
        return new ConvGeometry(s);
    }

    public boolean unitStride() {
        for (int v : stride) if (v != 1) return false;
        return true;
    }

    /** Product of the strides: the number of phases of a {@link PhaseSlab}. */
    public long strideProduct() {
        long p = 1;
        for (int v : stride) p *= v;
        return p;
    }

    /** Positions of one image's small side. */
    public long smallCount() {
        long n = 1;
        for (long v : small) n *= v;
        return n;
    }

    /** Positions of one image's big side. */
    public long bigCount() {
        long n = 1;
        for (long v : big) n *= v;
        return n;
    }

    /**
     * Elements of one channel plane of {@code big} (a big-side tensor, N C spatial...) when its spatial
     * dimensions are row-major (the last one contiguous, each stride the product of the sizes after it), so
     * a plane is one run; else -1.
     */
    public long rowMajorPlane(dev.vecnn.tensor.Tensor big) {
        long plane = 1;
        for (int d = rank - 1; d >= 0; d--) {
            if (big.stride(2 + d) != plane) return -1;
            plane *= this.big[d];
        }
        return plane;
    }

    /** Elements of one big-side channel with its padding: the size of a full slab's channel. */
    public long paddedPlane() {
        long plane = 1;
        for (int d = 0; d < rank; d++) plane *= big[d] + padBegin[d] + padEnd[d];
        return plane;
    }

    /** Reduction length of one small-side output: big channels per group times taps. */
    public int reduction() {
        return cg * taps;
    }

    /** Elements of the weights: groups x small channels x big channels per group x taps (an int: the kernels' specs are bounded). */
    public int weightCount() {
        return Math.toIntExact((long) groups * kg * cg * taps);
    }
}
