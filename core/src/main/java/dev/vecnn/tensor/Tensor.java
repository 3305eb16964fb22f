package dev.vecnn.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * An N-dimensional strided view of elements in a {@link MemorySegment}.
 *
 * <p>A tensor is a dtype, a shape, strides and an offset, all counted in elements (not bytes), over a
 * segment that is either owned by an {@link Arena} or wraps a heap array. Indexing is 64-bit
 * throughout: tensors with more than 2<sup>31</sup> elements are legal. Strides are non-negative;
 * views ({@link #slice}, {@link #permute}, {@link #reshape}) share memory with their source, and
 * {@link #contiguous} copies.
 *
 * <p>Kernels take tensors in logical order (batch, channels, spatial...) whatever the physical layout;
 * a channels-last tensor is a channels-first view with permuted strides ({@link #allocateChannelsLast}).
 *
 * <p>Element access on a tensor whose arena is closed throws the JDK's {@link IllegalStateException};
 * kernels check {@link #requireUsable} first and throw {@link IllegalArgumentException} naming the
 * parameter. Tensors are immutable handles; the elements they view are not.
 */
public final class Tensor {
    /** Alignment of tensors allocated here: one cache line, also a full 512-bit vector. */
    public static final long ALIGNMENT = 64;

    private final DType dtype;
    private final MemorySegment segment;
    private final long[] shape;
    private final long[] strides;
    private final long offset;
    private final ValueLayout layout;

    private Tensor(DType dtype, MemorySegment segment, long[] shape, long[] strides, long offset) {
        this.dtype = dtype;
        this.segment = segment;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        this.layout = dtype.layout();
    }

    // ---------------------------------------------------------------- creation

    /**
     * Allocates a zero-filled, C-contiguous (row-major) tensor in {@code arena}, aligned to
     * {@link #ALIGNMENT} bytes. A tensor with no elements (a dimension of size 0) is valid.
     *
     * @throws IllegalArgumentException naming the shape and the byte count when a size is negative or
     *         the byte count does not fit a long (no machine holds such a tensor)
     * @throws OutOfMemoryError from the arena when the memory is not available (the JDK's
     *         {@link Arena#allocate(long, long)} behaviour; the message gives the bytes asked for)
     * @throws NullPointerException naming {@code arena}, {@code dtype} or {@code shape} if null
     */
    public static Tensor allocate(Arena arena, DType dtype, long... shape) {
        java.util.Objects.requireNonNull(arena, "arena");
        java.util.Objects.requireNonNull(dtype, "dtype");
        long[] s = checkShape("shape", shape);
        long n = numel(s);
        // the arena adds up to ALIGNMENT - 1 bytes of its own; keep the sum below a long as well
        long limit = (Long.MAX_VALUE - ALIGNMENT) / dtype.byteSize();
        if (n > limit) {
            throw new IllegalArgumentException("shape: " + Arrays.toString(s) + " of " + dtype.shortName() + " needs "
                    + java.math.BigInteger.valueOf(n).multiply(java.math.BigInteger.valueOf(dtype.byteSize()))
                    + " bytes, more than a long counts (no machine holds it)");
        }
        MemorySegment seg = arena.allocate(Math.max(n, 1) * dtype.byteSize(), ALIGNMENT);
        return new Tensor(dtype, seg, s, contiguousStrides(s), 0);
    }

    /**
     * Allocates a zero-filled tensor with logical shape (N, C, d1, ..., dk) stored channels-last, i.e.
     * physically (N, d1, ..., dk, C). Requires rank >= 2.
     */
    public static Tensor allocateChannelsLast(Arena arena, DType dtype, long... shape) {
        long[] s = checkShape("shape", shape);
        if (s.length < 2) {
            throw new IllegalArgumentException("shape: channels-last needs rank >= 2, got rank " + s.length);
        }
        return allocate(arena, dtype, channelsLastOrder(s)).permute(channelsFirstPermutation(s.length));
    }

    /** Wraps a heap array as a C-contiguous F32 tensor (no copy). */
    public static Tensor of(float[] data, long... shape) {
        java.util.Objects.requireNonNull(data, "data");
        return wrapHeap(MemorySegment.ofArray(data), DType.F32, data.length, shape);
    }

    /** Wraps a heap array as a C-contiguous F64 tensor (no copy). */
    public static Tensor of(double[] data, long... shape) {
        java.util.Objects.requireNonNull(data, "data");
        return wrapHeap(MemorySegment.ofArray(data), DType.F64, data.length, shape);
    }

    /** Wraps a heap array as a C-contiguous I64 tensor (no copy). */
    public static Tensor of(long[] data, long... shape) {
        java.util.Objects.requireNonNull(data, "data");
        return wrapHeap(MemorySegment.ofArray(data), DType.I64, data.length, shape);
    }

    private static Tensor wrapHeap(MemorySegment seg, DType dtype, long length, long[] shape) {
        long[] s = checkShape("shape", shape);
        if (numel(s) != length) {
            throw new IllegalArgumentException("shape: " + Arrays.toString(s) + " has " + numel(s)
                    + " elements but the array has " + length);
        }
        return new Tensor(dtype, seg, s, contiguousStrides(s), 0);
    }

    /**
     * Wraps existing memory with explicit strides and offset (in elements). Every element the view can
     * reach must lie inside the segment.
     */
    public static Tensor wrap(MemorySegment segment, DType dtype, long[] shape, long[] strides, long offset) {
        java.util.Objects.requireNonNull(segment, "segment");
        java.util.Objects.requireNonNull(dtype, "dtype");
        java.util.Objects.requireNonNull(strides, "strides");
        long[] s = checkShape("shape", shape);
        if (strides.length != s.length) {
            throw new IllegalArgumentException("strides: rank " + strides.length + " does not match shape rank " + s.length);
        }
        for (int d = 0; d < strides.length; d++) {
            if (strides[d] < 0) {
                throw new IllegalArgumentException("strides: dimension " + d + " has negative stride " + strides[d]);
            }
        }
        if (offset < 0) throw new IllegalArgumentException("offset: must be >= 0, got " + offset);
        Tensor t = new Tensor(dtype, segment, s, strides.clone(), offset);
        long elems = segment.byteSize() / dtype.byteSize();
        if (t.numel() > 0) {
            long last;
            try {
                last = offset;
                for (int d = 0; d < s.length; d++) last = Math.addExact(last, Math.multiplyExact(s[d] - 1, strides[d]));
            } catch (ArithmeticException overflow) {
                throw new IllegalArgumentException("strides: view " + t.describe() + " reaches beyond element 2^63");
            }
            if (last >= elems) {
                throw new IllegalArgumentException("segment: view " + t.describe() + " reaches element " + last
                        + " but the segment holds " + elems);
            }
        }
        return t;
    }

    // ---------------------------------------------------------------- properties

    /** The element type. */
    public DType dtype() {
        return dtype;
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** A copy of the shape. */
    public long[] shape() {
        return shape.clone();
    }

    /** Size of dimension {@code d}. */
    public long size(int d) {
        return shape[d];
    }

    /** A copy of the strides, in elements. */
    public long[] strides() {
        return strides.clone();
    }

    /** Stride of dimension {@code d}, in elements. */
    public long stride(int d) {
        return strides[d];
    }

    /** Offset of element (0, ..., 0) in the segment, in elements. */
    public long offset() {
        return offset;
    }

    /** The underlying segment (shared with every view of it). */
    public MemorySegment segment() {
        return segment;
    }

    /** Number of elements (product of the shape; 1 for rank 0). */
    public long numel() {
        return numel(shape);
    }

    /** True when the elements are stored C-contiguously (row-major, no gaps). */
    public boolean isContiguous() {
        // the strides of contiguousStrides(shape), dimensions of size 1 ignored; no allocation (kernels ask per call)
        long pitch = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && strides[d] != pitch) return false;
            pitch = Math.multiplyExact(pitch, Math.max(shape[d], 1));
        }
        return true;
    }

    /** True when this is a channels-last view: (N, C, spatial...) stored as (N, spatial..., C) without gaps. */
    public boolean isChannelsLast() {
        if (rank() < 2) return false;
        // contiguous in the order (0, 2, ..., rank - 1, 1), without building the permuted view
        long pitch = 1;
        for (int i = rank() - 1; i >= 0; i--) {
            int d = i == rank() - 1 ? 1 : i == 0 ? 0 : i + 1;
            if (shape[d] != 1 && strides[d] != pitch) return false;
            pitch = Math.multiplyExact(pitch, Math.max(shape[d], 1));
        }
        return true;
    }

    /** False once the arena owning the memory has been closed. */
    public boolean isAlive() {
        return segment.scope().isAlive();
    }

    /** A thread that is never started: a confined segment is not accessible by it. */
    private static final Thread OTHER_THREAD = new Thread(() -> { });

    /**
     * True when any thread may access the memory (heap arrays, and shared, automatic or global arenas);
     * false for a confined arena, whose memory only its owner thread may touch.
     */
    public boolean isShared() {
        return segment.isAccessibleBy(OTHER_THREAD);
    }

    /**
     * Checks that this tensor's memory can be used by the calling thread.
     *
     * @param param the parameter name used in the exception message
     * @throws IllegalArgumentException if the arena is closed or the memory is confined to another thread
     */
    public Tensor requireUsable(String param) {
        if (!segment.scope().isAlive()) {
            throw new IllegalArgumentException(param + ": tensor memory is no longer accessible (its arena is closed)");
        }
        if (!segment.isAccessibleBy(Thread.currentThread())) {
            throw new IllegalArgumentException(param + ": tensor memory is confined to another thread");
        }
        return this;
    }

    // ---------------------------------------------------------------- element access

    /** Element offset (in elements, from the segment start) of a multi-index; bounds checked. */
    public long offsetOf(long... index) {
        java.util.Objects.requireNonNull(index, "index");
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index: rank " + index.length + " does not match tensor rank " + shape.length);
        }
        long off = offset;
        for (int d = 0; d < index.length; d++) {
            if (index[d] < 0 || index[d] >= shape[d]) {
                throw new IndexOutOfBoundsException("index: dimension " + d + " value " + index[d]
                        + " outside [0, " + shape[d] + ")");
            }
            off += index[d] * strides[d];
        }
        return off;
    }

    /** Reads the element at a multi-index as a double. */
    public double get(long... index) {
        return getAt(offsetOf(index));
    }

    /** Writes the element at a multi-index (rounded to the dtype). */
    public void set(double value, long... index) {
        setAt(offsetOf(index), value);
    }

    /** Reads the element at an absolute element offset (see {@link #offsetOf}) as a double. */
    public double getAt(long elementOffset) {
        long byteOff = elementOffset * dtype.byteSize();
        return switch (dtype) {
            case F32 -> segment.get((ValueLayout.OfFloat) layout, byteOff);
            case F64 -> segment.get((ValueLayout.OfDouble) layout, byteOff);
            case I64 -> segment.get((ValueLayout.OfLong) layout, byteOff);
        };
    }

    /** Writes the element at an absolute element offset, rounding to the dtype. */
    public void setAt(long elementOffset, double value) {
        long byteOff = elementOffset * dtype.byteSize();
        switch (dtype) {
            case F32 -> segment.set((ValueLayout.OfFloat) layout, byteOff, (float) value);
            case F64 -> segment.set((ValueLayout.OfDouble) layout, byteOff, value);
            case I64 -> segment.set((ValueLayout.OfLong) layout, byteOff, (long) value);
        }
    }

    /** Reads an I64 element exactly. */
    public long getLongAt(long elementOffset) {
        requireDType(DType.I64);
        return segment.get(ValueLayout.JAVA_LONG_UNALIGNED, elementOffset * 8);
    }

    /** Writes an I64 element exactly. */
    public void setLongAt(long elementOffset, long value) {
        requireDType(DType.I64);
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, elementOffset * 8, value);
    }

    /** Reads an I64 element at a multi-index exactly. */
    public long getLong(long... index) {
        return getLongAt(offsetOf(index));
    }

    private void requireDType(DType expected) {
        if (dtype != expected) {
            throw new IllegalArgumentException("dtype: expected " + expected.shortName() + ", tensor is " + dtype.shortName());
        }
    }

    // ---------------------------------------------------------------- views

    /** Elements {@code start, start+step, ... < end} of dimension {@code dim}, as a view. */
    public Tensor slice(int dim, long start, long end, long step) {
        checkDim("dim", dim);
        if (step < 1) throw new IllegalArgumentException("step: must be >= 1, got " + step + " (dimension " + dim + ")");
        if (start < 0 || end > shape[dim] || start > end) {
            throw new IllegalArgumentException("slice: dimension " + dim + " range [" + start + ", " + end
                    + ") outside [0, " + shape[dim] + "]");
        }
        long[] sh = shape.clone();
        long[] st = strides.clone();
        sh[dim] = Math.ceilDiv(end - start, step); // (end - start + step - 1) / step would overflow for a huge step
        // a step beyond the dimension leaves at most one element, whose stride is never used
        st[dim] = sh[dim] <= 1 ? strides[dim] : Math.multiplyExact(strides[dim], step);
        return new Tensor(dtype, segment, sh, st, offset + start * strides[dim]);
    }

    /** Elements {@code start ... end-1} of dimension {@code dim}, as a view. */
    public Tensor slice(int dim, long start, long end) {
        return slice(dim, start, end, 1);
    }

    /** Dimension {@code d} of the result is dimension {@code order[d]} of this tensor (a view). */
    public Tensor permute(int... order) {
        if (order.length != shape.length) {
            throw new IllegalArgumentException("order: length " + order.length + " does not match rank " + shape.length);
        }
        boolean[] seen = new boolean[order.length];
        long[] sh = new long[order.length];
        long[] st = new long[order.length];
        for (int d = 0; d < order.length; d++) {
            int src = order[d];
            if (src < 0 || src >= order.length || seen[src]) {
                throw new IllegalArgumentException("order: " + Arrays.toString(order) + " is not a permutation of 0.." + (order.length - 1));
            }
            seen[src] = true;
            sh[d] = shape[src];
            st[d] = strides[src];
        }
        return new Tensor(dtype, segment, sh, st, offset);
    }

    /**
     * The same elements in row-major order with a new shape, as a view. Succeeds whenever the strides
     * allow (NumPy's rule); otherwise throws, and {@code contiguous(arena).reshape(...)} is the way.
     */
    public Tensor reshape(long... newShape) {
        long[] ns = checkShape("newShape", newShape);
        if (numel(ns) != numel()) {
            throw new IllegalArgumentException("newShape: " + Arrays.toString(ns) + " has " + numel(ns)
                    + " elements, tensor " + describe() + " has " + numel());
        }
        long[] ost = reshapeStrides(ns);
        if (ost == null) {
            throw new IllegalArgumentException("newShape: " + Arrays.toString(ns) + " is not a view of "
                    + describe() + " (strides do not allow it); copy with contiguous() first");
        }
        return new Tensor(dtype, segment, ns, ost, offset);
    }

    /** Strides for a reshape view, or null if impossible. Groups old dims that are mutually contiguous. */
    private long[] reshapeStrides(long[] ns) {
        long[] st = new long[ns.length];
        if (numel() == 0) return contiguousStrides(ns);
        // drop size-1 dims of the source; they never constrain the view
        int n = 0;
        long[] os = new long[shape.length], ost = new long[shape.length];
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] != 1) {
                os[n] = shape[d];
                ost[n] = strides[d];
                n++;
            }
        }
        int oi = 0, ni = 0;
        while (ni < ns.length) {
            if (ns[ni] == 1) {
                st[ni++] = 1;
                continue;
            }
            // take a chunk of old dims and new dims with equal products
            long op = os[oi], np = ns[ni];
            int oStart = oi, nStart = ni;
            while (op != np) {
                if (op < np) op *= os[++oi];
                else np *= ns[++ni];
            }
            for (int k = oStart; k < oi; k++) {
                if (ost[k] != ost[k + 1] * os[k + 1]) return null;
            }
            long s = ost[oi];
            for (int k = ni; k >= nStart; k--) {
                st[k] = s;
                s *= ns[k];
            }
            oi++;
            ni++;
        }
        return st;
    }

    /** A C-contiguous copy in {@code arena}. */
    public Tensor contiguous(Arena arena) {
        Tensor t = allocate(arena, dtype, shape);
        t.copyFrom(this);
        return t;
    }

    /** A copy in {@code arena} converted to {@code type}. */
    public Tensor to(Arena arena, DType type) {
        Tensor t = allocate(arena, type, shape);
        t.copyFrom(this);
        return t;
    }

    /**
     * Copies the elements of {@code src} (same shape, any strides, any dtype; converted) into this tensor. Where the
     * two share memory the result is as if {@code src} were first copied aside (as {@code numpy.copyto}; an
     * element-by-element copy would read elements it had already overwritten, in an order that depends on the
     * strides).
     */
    public void copyFrom(Tensor src) {
        java.util.Objects.requireNonNull(src, "src");
        if (!Arrays.equals(shape, src.shape)) {
            throw new IllegalArgumentException("src: shape " + Arrays.toString(src.shape) + " does not match "
                    + Arrays.toString(shape));
        }
        boolean bulk = dtype == src.dtype && isContiguous() && src.isContiguous();
        if (!bulk && overlaps(src)) {
            try (Arena aside = Arena.ofConfined()) {
                copyFrom(src.contiguous(aside));
            }
            return;
        }
        if (bulk) { // one bulk copy (overlap allowed: a memmove)
            long es = dtype.byteSize();
            MemorySegment.copy(src.segment, src.offset * es, segment, offset * es, numel() * es);
        } else if (dtype == src.dtype && (dtype == DType.F32 || dtype == DType.F64) && numel() > 0) {
            if (!copyInterleaving(src)) copyStrided(src);
        } else if (dtype == DType.I64 && src.dtype == DType.I64) {
            forEachOffsetPair(src, (d, s) -> setLongAt(d, src.getLongAt(s)));
        } else {
            forEachOffsetPair(src, (d, s) -> setAt(d, src.getAt(s)));
        }
    }

    /** Extent up to which a dimension interleaved in one tensor is copied through heap blocks ({@link #copyInterleaving}). */
    private static final long INTERLEAVED_MAX = 64;
    /** Elements of a heap block of {@link #copyInterleaving}: 32 KB of float32, 64 KB of float64. */
    private static final int BLOCK = 8192;
    /**
     * Positions along m from which {@link #copyInterleaving} runs: with fewer, its K bulk copies per run cost more than
     * the element-by-element copy's runs along k.
     */
    private static final long RUN_MIN = 16;

    /**
     * A same-dtype float copy between a tensor that interleaves a small dimension k (stride 1, extent K up to 64: the
     * channels of a channels-last image) and one that lies along another dimension m (stride 1: the rows of a
     * channels-first image), where the interleaving side holds a run of positions along m as one run of memory
     * (stride K along m). Through heap blocks: per run of m, K bulk copies on the planar side, one on the
     * interleaved side, and the transposition in a plain loop. A channels-first 3x224x224 image into channels-last
     * took 150-210 us element by element (Zen 4), the first layer of a channels-last network a third of its time.
     * Returns false, copying nothing, where the strides do not have that form.
     */
    private boolean copyInterleaving(Tensor src) { // copyFrom has copied an overlapping source aside
        for (boolean intoInterleaved : new boolean[] {true, false}) {
            Tensor in = intoInterleaved ? this : src, planar = intoInterleaved ? src : this;
            int k = in.smallestStride(in.strides), m = planar.smallestStride(planar.strides);
            long kk = shape[k];
            if (k == m || in.strides[k] != 1 || planar.strides[m] != 1 || kk < 2 || kk > INTERLEAVED_MAX || in.strides[m] != kk
                    || shape[m] < RUN_MIN) {
                continue;
            }
            int r = shape.length;
            long run = Math.max(1, Math.min(shape[m], BLOCK / kk)), es = dtype.byteSize();
            Object tmp = dtype == DType.F32 ? new float[(int) (run * kk)] : new double[(int) (run * kk)];
            Object out = dtype == DType.F32 ? new float[(int) (run * kk)] : new double[(int) (run * kk)];
            long[] idx = new long[r];
            while (true) {
                long a = in.offset, b = planar.offset;
                for (int d = 0; d < r; d++) {
                    a += idx[d] * in.strides[d];
                    b += idx[d] * planar.strides[d];
                }
                for (long m0 = 0; m0 < shape[m]; m0 += run) {
                    int n = (int) Math.min(run, shape[m] - m0);
                    long ai = a + m0 * kk, bi = b + m0;
                    if (intoInterleaved) {
                        for (int c = 0; c < kk; c++) toHeap(planar.segment, (bi + c * planar.strides[k]) * es, tmp, c * n, n);
                        interleave(tmp, out, n, (int) kk);
                        fromHeap(out, 0, segment, ai * es, n * (int) kk);
                    } else {
                        toHeap(src.segment, ai * es, tmp, 0, n * (int) kk);
                        deinterleave(tmp, out, n, (int) kk);
                        for (int c = 0; c < kk; c++) fromHeap(out, c * n, segment, (bi + c * planar.strides[k]) * es, n);
                    }
                }
                int d = r - 1;
                for (; d >= 0; d--) {
                    if (d == k || d == m) continue;
                    if (++idx[d] < shape[d]) break;
                    idx[d] = 0;
                }
                if (d < 0) return true;
            }
        }
        return false;
    }

    /**
     * Bulk copies between memory and a float or double array, each with a constant layout: with the layout a
     * variable, each copy took the slow path of a layout known only at run time (the copy of a 3x224x224 image ran
     * at half speed).
     */
    private static void toHeap(MemorySegment from, long byteOffset, Object array, int index, int n) {
        if (array instanceof float[] f) MemorySegment.copy(from, F32_LAYOUT, byteOffset, f, index, n);
        else MemorySegment.copy(from, F64_LAYOUT, byteOffset, (double[]) array, index, n);
    }

    private static void fromHeap(Object array, int index, MemorySegment to, long byteOffset, int n) {
        if (array instanceof float[] f) MemorySegment.copy(f, index, to, F32_LAYOUT, byteOffset, n);
        else MemorySegment.copy((double[]) array, index, to, F64_LAYOUT, byteOffset, n);
    }

    /**
     * {@code out[i K + c] = tmp[c n + i]}: K planar runs of n into n interleaved groups of K. The indices step by
     * addition: computed as {@code i * K + c} with K a variable, the JIT kept the bounds checks (2.7x slower).
     */
    private static void interleave(Object tmp, Object out, int n, int kk) {
        if (tmp instanceof float[] t) {
            float[] o = (float[]) out;
            for (int c = 0; c < kk; c++) for (int i = c * n, e = i + n, j = c; i < e; i++, j += kk) o[j] = t[i];
        } else {
            double[] t = (double[]) tmp, o = (double[]) out;
            for (int c = 0; c < kk; c++) for (int i = c * n, e = i + n, j = c; i < e; i++, j += kk) o[j] = t[i];
        }
    }

    /** {@code out[c n + i] = tmp[i K + c]}: the inverse of {@link #interleave}. */
    private static void deinterleave(Object tmp, Object out, int n, int kk) {
        if (tmp instanceof float[] t) {
            float[] o = (float[]) out;
            for (int c = 0; c < kk; c++) for (int i = c * n, e = i + n, j = c; i < e; i++, j += kk) o[i] = t[j];
        } else {
            double[] t = (double[]) tmp, o = (double[]) out;
            for (int c = 0; c < kk; c++) for (int i = c * n, e = i + n, j = c; i < e; i++, j += kk) o[i] = t[j];
        }
    }

    /**
     * A same-dtype float copy between any strides (a change of memory format, say). The innermost loop runs along
     * the dimension in which this tensor's stride is smallest (sequential stores), or along the source's if that
     * run is at least four times longer: a channels-first image into channels-last with 3 channels is runs of 224,
     * not of 3 (runs of 3 cost 1.7 ns an element, ten times a plain copy). The other dimensions go from the largest
     * stride of this tensor to the smallest, so the lines just written are filled before they leave the cache.
     */
    private void copyStrided(Tensor src) {
        int r = shape.length, inner = smallestStride(strides), sourceInner = smallestStride(src.strides);
        if (shape[sourceInner] >= 4 * shape[inner]) inner = sourceInner;
        // the outer dimensions, slowest first: by this tensor's stride, descending (a stable order, so ties keep
        // the row-major order)
        Integer[] order = new Integer[r - 1];
        for (int d = 0, k = 0; d < r; d++) if (d != inner) order[k++] = d;
        Arrays.sort(order, (p, q) -> Long.compare(strides[q], strides[p]));
        long n = shape[inner], ds = strides[inner], ss = src.strides[inner];
        long[] idx = new long[r];
        long a = offset, b = src.offset;
        boolean f32 = dtype == DType.F32;
        while (true) {
            if (f32) copyRun(src.segment, b, ss, segment, a, ds, n);
            else copyRunF64(src.segment, b, ss, segment, a, ds, n);
            int k = r - 2;
            for (; k >= 0; k--) {
                int d = order[k];
                a += strides[d];
                b += src.strides[d];
                if (++idx[d] < shape[d]) break;
                a -= strides[d] * shape[d];
                b -= src.strides[d] * shape[d];
                idx[d] = 0;
            }
            if (k < 0) return;
        }
    }

    /** The dimension of extent above 1 with the smallest stride (the last dimension if there is none). */
    private int smallestStride(long[] st) {
        int r = shape.length, best = r - 1;
        for (int d = 0; d < r; d++) {
            if (shape[d] > 1 && (shape[best] == 1 || st[d] < st[best])) best = d;
        }
        return best;
    }

    private static final ValueLayout.OfFloat F32_LAYOUT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble F64_LAYOUT = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private static void copyRun(MemorySegment src, long b, long ss, MemorySegment dst, long a, long ds, long n) {
        for (long i = 0; i < n; i++) dst.setAtIndex(F32_LAYOUT, a + i * ds, src.getAtIndex(F32_LAYOUT, b + i * ss));
    }

    private static void copyRunF64(MemorySegment src, long b, long ss, MemorySegment dst, long a, long ds, long n) {
        for (long i = 0; i < n; i++) dst.setAtIndex(F64_LAYOUT, a + i * ds, src.getAtIndex(F64_LAYOUT, b + i * ss));
    }

    /** Sets every element to {@code value}. */
    public void fill(double value) {
        forEachOffsetPair(this, (d, s) -> setAt(d, value));
    }

    /** Visits the element offsets of this tensor and {@code other} (same shape) in row-major order. */
    private void forEachOffsetPair(Tensor other, OffsetPairVisitor v) {
        if (numel() == 0) return;
        int r = shape.length;
        long[] idx = new long[r];
        long a = offset, b = other.offset;
        while (true) {
            v.visit(a, b);
            int d = r - 1;
            while (d >= 0) {
                idx[d]++;
                a += strides[d];
                b += other.strides[d];
                if (idx[d] < shape[d]) break;
                a -= strides[d] * shape[d];
                b -= other.strides[d] * shape[d];
                idx[d] = 0;
                d--;
            }
            if (d < 0) return;
        }
    }

    @FunctionalInterface
    private interface OffsetPairVisitor {
        void visit(long a, long b);
    }

    // ---------------------------------------------------------------- memory relations

    /** Largest element offset reachable from {@link #offset()} (0 for an empty tensor). */
    private long maxRelativeOffset() {
        long m = 0;
        for (int d = 0; d < shape.length; d++) m += (shape[d] - 1) * strides[d];
        return m;
    }

    /**
     * True when two distinct indices of this tensor address the same element (e.g. a zero stride),
     * which makes it unusable as an output.
     */
    public boolean hasSelfOverlap() {
        if (numel() <= 1) return false;
        Integer[] dims = new Integer[shape.length];
        for (int d = 0; d < dims.length; d++) dims[d] = d;
        Arrays.sort(dims, (x, y) -> Long.compare(strides[x], strides[y]));
        long span = 0; // max offset reachable with the smaller-stride dims
        for (int d : dims) {
            if (shape[d] == 1) continue;
            if (strides[d] <= span) return true;
            span += (shape[d] - 1) * strides[d];
        }
        return false;
    }

    /**
     * True when the memory ranges spanned by the two tensors intersect. Conservative: interleaved views
     * that touch disjoint elements of the same range count as overlapping.
     */
    public boolean overlaps(Tensor other) {
        if (numel() == 0 || other.numel() == 0) return false;
        return span().asOverlappingSlice(other.span()).isPresent();
    }

    private MemorySegment span() {
        long es = dtype.byteSize();
        return segment.asSlice(offset * es, (maxRelativeOffset() + 1) * es);
    }

    // ---------------------------------------------------------------- helpers

    /** Row-major strides of a shape. */
    public static long[] contiguousStrides(long[] shape) {
        long[] st = new long[shape.length];
        long s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            st[d] = s;
            s = Math.multiplyExact(s, Math.max(shape[d], 1));
        }
        return st;
    }

    /** Product of a shape. */
    public static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) n = Math.multiplyExact(n, s);
        return n;
    }

    /** (N, C, s1..sk) -> (N, s1..sk, C). */
    static long[] channelsLastOrder(long[] s) {
        long[] p = new long[s.length];
        p[0] = s[0];
        System.arraycopy(s, 2, p, 1, s.length - 2);
        p[s.length - 1] = s[1];
        return p;
    }

    /** Permutation taking a physical (N, s..., C) tensor to the logical (N, C, s...) view. */
    static int[] channelsFirstPermutation(int rank) {
        int[] p = new int[rank];
        p[0] = 0;
        p[1] = rank - 1;
        for (int d = 2; d < rank; d++) p[d] = d - 1;
        return p;
    }

    private static long[] checkShape(String param, long[] shape) {
        java.util.Objects.requireNonNull(shape, param);
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0) {
                throw new IllegalArgumentException(param + ": dimension " + d + " has negative size " + shape[d]);
            }
        }
        try {
            // the row-major strides (which count empty dimensions as 1) must fit as well
            contiguousStrides(shape);
            numel(shape);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(param + ": " + Arrays.toString(shape) + " has more than 2^63 elements"
                    + " (counting a dimension of size 0 as 1)");
        }
        return shape.clone();
    }

    private void checkDim(String param, int dim) {
        if (dim < 0 || dim >= shape.length) {
            throw new IllegalArgumentException(param + ": " + dim + " outside [0, " + shape.length + ")");
        }
    }

    /** Short description, e.g. {@code f32[2, 3, 4] strides [12, 4, 1] offset 0}. */
    public String describe() {
        return dtype.shortName() + Arrays.toString(shape) + " strides " + Arrays.toString(strides) + " offset " + offset;
    }

    @Override
    public String toString() {
        return "Tensor " + describe();
    }
}
