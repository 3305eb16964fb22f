package dev.vecnn.testing;

import static dev.vecnn.testing.Props.draw;
import static dev.vecnn.testing.Props.oneIn;

import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.BitSet;
import org.quicktheories.core.Gen;

/**
 * How a test tensor is stored: a physical order of its logical dimensions, a step between the view's
 * elements and a gap after each dimension, an offset, and whether the memory is a heap array or an
 * arena's. Dense channels-first ({@link #FIRST}) and dense channels-last ({@link #LAST}) are the
 * common cases; every other layout is a view into a larger buffer.
 *
 * <p>{@link #place} fills every buffer element outside the view with a guard (a NaN with a payload):
 * an input's guards turn any read of them into a NaN in the result, and an output's guards must
 * survive the call bit for bit ({@link Placed#assertGuardsIntact}).
 *
 * @param kind "cf", "cl" or "view": for the text form
 * @param order dimension {@code i} of the physical buffer is logical dimension {@code order[i]}
 * @param step elements of the view along each logical dimension are {@code step} apart in the buffer
 * @param gap unused buffer elements after each logical dimension's run
 * @param offset buffer elements before the view's first
 * @param unitStride stride given to dimensions of size 1 (any stride addresses the same element),
 *     or -1 for the buffer's own
 * @param heap a heap array rather than the arena's memory
 */
public record Layout(String kind, int[] order, int[] step, int[] gap, int offset, long unitStride, boolean heap) {
    /** Dense channels-first (row-major) in the arena. */
    public static final Layout FIRST = new Layout("cf", null, null, null, 0, -1, false);
    /** Dense channels-last in the arena. */
    public static final Layout LAST = new Layout("cl", null, null, null, 0, -1, false);

    /** Guard bit patterns: NaNs with a payload no arithmetic produces. */
    static final int GUARD_32 = 0x7fa5_a5a5;
    static final long GUARD_64 = 0x7ff5_a5a5_a5a5_a5a5L;

    /**
     * Layouts for tensors of {@code rank} dimensions (2 or more: batch and channels first): mostly
     * dense channels-first or channels-last, else a view with any dimension order (channels-last
     * among them), steps of 1-3, gaps, an offset, odd strides on size-1 dimensions, and heap memory.
     * Shrinks to {@link #FIRST}.
     */
    public static Gen<Layout> layouts(int rank) {
        return in -> {
            int kind = draw(in, 0, 5);
            boolean heap = oneIn(in, 5);
            if (kind <= 1 || rank < 2) return heap ? FIRST.onHeap() : FIRST;
            if (kind == 2) return heap ? LAST.onHeap() : LAST;
            int[] order = new int[rank];
            for (int i = 0; i < rank; i++) order[i] = i;
            int shape = draw(in, 0, 2); // row-major, channels-last, shuffled
            if (shape == 1) order = channelsLastOrder(rank);
            else if (shape == 2) {
                for (int i = rank - 1; i > 0; i--) {
                    int j = draw(in, 0, i);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
            }
            int[] step = new int[rank], gap = new int[rank];
            for (int d = 0; d < rank; d++) {
                step[d] = oneIn(in, 3) ? draw(in, 2, 3) : 1;
                gap[d] = oneIn(in, 3) ? draw(in, 1, 3) : 0;
            }
            int offset = draw(in, 0, 5);
            long[] unit = {-1, 0, 1, 1_000_003};
            return new Layout("view", order, step, gap, offset, unit[draw(in, 0, 3)], heap);
        };
    }

    /** Layouts for one-dimensional tensors (bias, its gradient): dense, or every few elements, with an offset. */
    public static Gen<Layout> vectorLayouts() {
        return in -> {
            if (draw(in, 0, 2) < 2) return oneIn(in, 5) ? FIRST.onHeap() : FIRST;
            return new Layout("view", new int[] {0}, new int[] {draw(in, 1, 3)}, new int[] {draw(in, 0, 2)}, draw(in, 0, 5), -1,
                    oneIn(in, 5));
        };
    }

    Layout onHeap() {
        return new Layout(kind, order, step, gap, offset, unitStride, true);
    }

    private static int[] channelsLastOrder(int rank) {
        int[] p = new int[rank];
        p[0] = 0;
        for (int d = 1; d < rank - 1; d++) p[d] = d + 1;
        p[rank - 1] = 1;
        return p;
    }

    /**
     * A tensor of {@code shape} stored in this layout, in {@code arena} (or on the heap), with guards
     * around it; its own elements are NaN (indices: -7) until written.
     */
    public Placed place(Arena arena, DType dtype, long[] shape) {
        int rank = shape.length;
        int[] ord = order != null ? order : kind.equals("cl") && rank >= 3 ? channelsLastOrder(rank) : identity(rank);
        int[] st = step != null ? step : ones(rank), gp = gap != null ? gap : new int[rank];
        long[] extent = new long[rank];
        for (int d = 0; d < rank; d++) extent[d] = (Math.max(shape[d], 1) - 1) * st[d] + 1 + gp[d];
        long[] bufferStride = new long[rank];
        long n = 1;
        for (int i = rank - 1; i >= 0; i--) {
            bufferStride[ord[i]] = n;
            n = Math.multiplyExact(n, extent[ord[i]]);
        }
        long[] strides = new long[rank];
        for (int d = 0; d < rank; d++) {
            strides[d] = shape[d] == 1 && unitStride >= 0 ? unitStride : bufferStride[d] * st[d];
        }
        long total = offset + n;
        int es = (int) dtype.byteSize();
        MemorySegment seg;
        if (heap) {
            int len = Math.toIntExact(total);
            seg = switch (dtype) {
                case F32 -> MemorySegment.ofArray(new float[len]);
                case F64 -> MemorySegment.ofArray(new double[len]);
                case I64 -> MemorySegment.ofArray(new long[len]);
            };
        } else {
            seg = arena.allocate(total * es, Tensor.ALIGNMENT);
        }
        Tensor view = Tensor.wrap(seg, dtype, shape, strides, offset);
        BitSet own = new BitSet(Math.toIntExact(total));
        Fill.forEach(view, idx -> own.set(Math.toIntExact(view.offsetOf(idx))));
        Placed p = new Placed(view, seg, Math.toIntExact(total), own);
        for (int i = 0; i < p.total; i++) p.writeGuard(i);
        view.fill(dtype == DType.I64 ? -7 : Double.NaN);
        return p;
    }

    private static int[] identity(int rank) {
        int[] p = new int[rank];
        for (int i = 0; i < rank; i++) p[i] = i;
        return p;
    }

    private static int[] ones(int rank) {
        int[] p = new int[rank];
        Arrays.fill(p, 1);
        return p;
    }

    @Override
    public String toString() {
        String h = heap ? "heap " : "";
        if (order == null) return h + kind;
        return h + "view(order " + join(order) + " step " + join(step) + " gap " + join(gap) + " offset " + offset
                + (unitStride >= 0 ? " size-1 stride " + unitStride : "") + ")";
    }

    private static String join(int[] v) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length; i++) b.append(i == 0 ? "" : ",").append(v[i]);
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Layout l && toString().equals(l.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    /** A tensor placed in its buffer: the view, and the buffer's guard elements. */
    public static final class Placed {
        /** The tensor under test. */
        public final Tensor view;
        private final MemorySegment seg;
        private final int total;
        private final BitSet own;

        Placed(Tensor view, MemorySegment seg, int total, BitSet own) {
            this.view = view;
            this.seg = seg;
            this.total = total;
            this.own = own;
        }

        private void writeGuard(int i) {
            if (own.get(i)) return;
            switch (view.dtype()) {
                case F32 -> seg.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i, GUARD_32);
                case F64, I64 -> seg.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i, GUARD_64);
            }
        }

        private boolean isGuard(int i) {
            return switch (view.dtype()) {
                case F32 -> seg.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i) == GUARD_32;
                case F64, I64 -> seg.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i) == GUARD_64;
            };
        }

        /** Fails when any buffer element outside the view no longer holds its guard bits. */
        public void assertGuardsIntact(Object what) {
            int changed = 0, first = -1;
            for (int i = 0; i < total; i++) {
                if (own.get(i) || isGuard(i)) continue;
                if (first < 0) first = i;
                changed++;
            }
            if (changed > 0) {
                org.junit.jupiter.api.Assertions.fail(what + ": " + changed + " of the " + (total - own.cardinality())
                        + " buffer elements outside the output view were overwritten (first at buffer element " + first + ", view "
                        + view.describe() + ")");
            }
        }
    }
}
