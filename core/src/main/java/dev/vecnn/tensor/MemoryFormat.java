package dev.vecnn.tensor;

import java.lang.foreign.Arena;

/**
 * How a tensor of shape (N, C, spatial...) lies in memory, as PyTorch's memory formats
 * ({@code torch.contiguous_format}, {@code torch.channels_last} and {@code channels_last_3d}), for any spatial
 * rank: {@link #CHANNELS_FIRST} row-major, {@link #CHANNELS_LAST} as (N, spatial..., C). Tensors of rank below 3
 * lie the same in both, and so do shapes whose two orders coincide (one channel, or one position): such tensors
 * are both contiguous and channels-last ({@link Tensor#isContiguous()}, {@link Tensor#isChannelsLast()}).
 */
public enum MemoryFormat {
    /** Row-major (N, C, spatial...): {@link Tensor#allocate}. */
    CHANNELS_FIRST,
    /** (N, spatial..., C) in memory, the channels of a position adjacent: {@link Tensor#allocateChannelsLast}. */
    CHANNELS_LAST;

    /** A zero-filled tensor of logical shape {@code shape} laid out in this format (row-major below rank 3). */
    public Tensor allocate(Arena arena, DType dtype, long... shape) {
        return channelsLast(shape.length) ? Tensor.allocateChannelsLast(arena, dtype, shape) : Tensor.allocate(arena, dtype, shape);
    }

    /**
     * The tensor of logical shape {@code shape} in this format over {@code memory}, a contiguous tensor of as many
     * elements (any shape): a view, no copy.
     *
     * @throws IllegalArgumentException when {@code memory} is not contiguous or its element count differs
     */
    public Tensor view(Tensor memory, long... shape) {
        if (!memory.isContiguous()) throw new IllegalArgumentException("memory: must be contiguous, got " + memory.describe());
        if (!channelsLast(shape.length)) return memory.reshape(shape);
        return memory.reshape(Tensor.channelsLastOrder(shape)).permute(Tensor.channelsFirstPermutation(shape.length));
    }

    /** Whether {@code t} lies in this format without gaps, so that its elements are one run of memory ({@link #elements}). */
    public boolean holds(Tensor t) {
        return channelsLast(t.rank()) ? t.isChannelsLast() : t.isContiguous();
    }

    /**
     * The format {@code t} lies in: channels-last when it is that and not also row-major (a tensor both are lies in
     * either, and is reported channels-first), else channels-first, also for tensors with gaps: a slice of the
     * channels of a channels-last tensor (strides (36, 1, 12, 4) for shape (N, 2, 3, 3)) is reported
     * channels-first, since {@link #holds} is false for both formats.
     */
    public static MemoryFormat of(Tensor t) {
        return t.rank() >= 3 && !t.isContiguous() && t.isChannelsLast() ? CHANNELS_LAST : CHANNELS_FIRST;
    }

    /**
     * The elements of {@code t}, which lies in some format without gaps, as a 1-D tensor in memory order (a view):
     * what elementwise passes walk when their tensors share a format.
     *
     * @throws IllegalArgumentException when {@code t} is neither row-major nor channels-last
     */
    public static Tensor elements(Tensor t) {
        if (!t.isContiguous() && !t.isChannelsLast()) {
            throw new IllegalArgumentException("t: lies in no memory format without gaps: " + t.describe());
        }
        return Tensor.wrap(t.segment(), t.dtype(), new long[] {t.numel()}, new long[] {1}, t.offset());
    }

    private boolean channelsLast(int rank) {
        return this == CHANNELS_LAST && rank >= 3;
    }
}
