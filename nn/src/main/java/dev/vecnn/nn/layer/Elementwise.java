package dev.vecnn.nn.layer;

import dev.vecnn.nn.Context;
import dev.vecnn.tensor.MemoryFormat;
import dev.vecnn.tensor.Tensor;

/** Helpers for layers, losses and optimizers that walk their tensors as flat arrays. */
public final class Elementwise {
    private Elementwise() {
    }

    /** {@code t} itself when contiguous, else a copy in {@code owner}'s buffer {@code name}. */
    public static Tensor contiguous(Context ctx, Object owner, String name, Tensor t) {
        return inFormat(ctx, owner, name, t, MemoryFormat.CHANNELS_FIRST);
    }

    /**
     * {@code t} itself when it lies in {@code format} without gaps ({@link MemoryFormat#holds}), else a copy laid out
     * in it, in {@code owner}'s buffer {@code name}: what elementwise layers walk in memory order.
     */
    public static Tensor inFormat(Context ctx, Object owner, String name, Tensor t, MemoryFormat format) {
        if (format.holds(t)) return t;
        Tensor c = ctx.buffer(owner, name, t.dtype(), format, t.shape());
        c.copyFrom(t);
        return c;
    }

    /** The elements of a tensor that lies in a memory format, in memory order ({@link MemoryFormat#elements}). */
    public static Tensor flat(Tensor t) {
        return MemoryFormat.elements(t);
    }

    private static final java.lang.foreign.ValueLayout.OfFloat F = java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final java.lang.foreign.ValueLayout.OfDouble D = java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED;

    /**
     * Element {@code off} (absolute) of a float or double tensor, through constant layouts: the JIT
     * compiles these to plain loads, where {@link Tensor#getAt}'s general path does not.
     */
    public static double get(Tensor t, long off) {
        return t.dtype() == dev.vecnn.tensor.DType.F32 ? t.segment().getAtIndex(F, off) : t.segment().getAtIndex(D, off);
    }

    /** Writes element {@code off}, rounding to the tensor's dtype. */
    public static void set(Tensor t, long off, double v) {
        if (t.dtype() == dev.vecnn.tensor.DType.F32) t.segment().setAtIndex(F, off, (float) v);
        else t.segment().setAtIndex(D, off, v);
    }

    /** Elements per (n, c) plane of an (N, C, spatial...) tensor (1 for (N, C)). */
    static long plane(long[] shape) {
        long p = 1;
        for (int d = 2; d < shape.length; d++) p *= shape[d];
        return p;
    }
}
