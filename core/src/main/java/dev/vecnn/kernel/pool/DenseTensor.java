package dev.vecnn.kernel.pool;

import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A tensor as the pooling kernels see it: dense in one layout (channels-first, or channels-last),
 * as a segment and the element offset of element zero. A tensor in any other layout is staged
 * through a dense copy: {@link #in} copies it in, {@link #out} gives a buffer and {@link #finish}
 * copies the buffer back. Public for the portable kernels ({@code dev.vecnn.kernel.portable.pool}).
 *
 * @param tensor the dense tensor the kernels read or write
 * @param seg its segment
 * @param base the element offset of its element zero
 * @param target the caller's tensor a staged output is copied back to, or null
 */
public record DenseTensor(Tensor tensor, MemorySegment seg, long base, Tensor target) {

    /** Whether {@code t} is stored dense in the layout ({@code channelsLast} or channels-first). */
    public static boolean isDense(Tensor t, boolean channelsLast) {
        return channelsLast ? t.isChannelsLast() : t.isContiguous();
    }

    /** {@code t} for reading; staged in {@code staging} when not dense in the layout. */
    public static DenseTensor in(Tensor t, boolean channelsLast, Staging staging) {
        if (isDense(t, channelsLast)) return of(t, null);
        Tensor copy = staging.allocate(t, channelsLast);
        copy.copyFrom(t);
        return of(copy, null);
    }

    /** {@code t} for writing; staged when not dense in the layout, to be finished with {@link #finish}. */
    public static DenseTensor out(Tensor t, boolean channelsLast, Staging staging) {
        if (isDense(t, channelsLast)) return of(t, null);
        return of(staging.allocate(t, channelsLast), t);
    }

    private static DenseTensor of(Tensor t, Tensor target) {
        return new DenseTensor(t, t.segment(), t.offset(), target);
    }

    /** Copies a staged output back to the caller's tensor. */
    public void finish() {
        if (target != null) target.copyFrom(tensor);
    }

    /** A shared arena opened only when some tensor needs staging (closing a shared arena is not free). */
    public static final class Staging implements AutoCloseable {
        private Arena arena;

        /** A staging that has allocated nothing yet. */
        public Staging() {
        }

        /** A dense tensor shaped like {@code like} in the layout, in this staging's arena. */
        public Tensor allocate(Tensor like, boolean channelsLast) {
            return allocate(like.dtype(), like.shape(), channelsLast);
        }

        /** A dense tensor in the layout, in this staging's arena. */
        public Tensor allocate(DType dtype, long[] shape, boolean channelsLast) {
            if (arena == null) arena = Arena.ofShared();
            return channelsLast ? Tensor.allocateChannelsLast(arena, dtype, shape) : Tensor.allocate(arena, dtype, shape);
        }

        @Override
        public void close() {
            if (arena != null) arena.close();
        }
    }
}
