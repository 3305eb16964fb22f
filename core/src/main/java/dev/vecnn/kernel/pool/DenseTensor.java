package dev.vecnn.kernel.pool;

import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A tensor as the pooling kernels see it: dense in one layout (channels-first, or channels-last),
 * as a segment and the element offset of element zero. A tensor in any other layout is staged
 * through a dense copy: {@link #in} copies it in, {@link #out} gives a buffer and {@link #finish}
 * copies the buffer back.
 */
record DenseTensor(Tensor tensor, MemorySegment seg, long base, Tensor target) {

    /** Whether {@code t} is stored dense in the layout ({@code channelsLast} or channels-first). */
    static boolean isDense(Tensor t, boolean channelsLast) {
        return channelsLast ? t.isChannelsLast() : t.isContiguous();
    }

    /** {@code t} for reading; staged in {@code staging} when not dense in the layout. */
    static DenseTensor in(Tensor t, boolean channelsLast, Staging staging) {
        if (isDense(t, channelsLast)) return of(t, null);
        Tensor copy = staging.allocate(t, channelsLast);
        copy.copyFrom(t);
        return of(copy, null);
    }

    /** {@code t} for writing; staged when not dense in the layout, to be finished with {@link #finish}. */
    static DenseTensor out(Tensor t, boolean channelsLast, Staging staging) {
        if (isDense(t, channelsLast)) return of(t, null);
        return of(staging.allocate(t, channelsLast), t);
    }

    private static DenseTensor of(Tensor t, Tensor target) {
        return new DenseTensor(t, t.segment(), t.offset(), target);
    }

    /** Copies a staged output back to the caller's tensor. */
    void finish() {
        if (target != null) target.copyFrom(tensor);
    }

    /** A shared arena opened only when some tensor needs staging (closing a shared arena is not free). */
    static final class Staging implements AutoCloseable {
        private Arena arena;

        Tensor allocate(Tensor like, boolean channelsLast) {
            return allocate(like.dtype(), like.shape(), channelsLast);
        }

        Tensor allocate(DType dtype, long[] shape, boolean channelsLast) {
            if (arena == null) arena = Arena.ofShared();
            return channelsLast ? Tensor.allocateChannelsLast(arena, dtype, shape) : Tensor.allocate(arena, dtype, shape);
        }

        @Override
        public void close() {
            if (arena != null) arena.close();
        }
    }
}
