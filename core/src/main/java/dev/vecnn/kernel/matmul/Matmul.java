package dev.vecnn.kernel.matmul;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.Backend;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * The passes of a fully connected layer as matrix products over the batch, as PyTorch's
 * {@code torch.nn.functional.linear} ({@code y = x w^T + b}): x (M, K) of M samples with K features, w (N, K),
 * bias (N) or null, y (M, N); all row-major (contiguous), float32 or float64, one dtype.
 *
 * <ul>
 *   <li>{@link #forward}: {@code y = f(x w^T + b)}, f the epilogue's activation;</li>
 *   <li>{@link #backwardData}: {@code gx = gy w}, gx (M, K);</li>
 *   <li>{@link #backwardWeights}: {@code gw = gy^T x}, gw (N, K), overwritten.</li>
 * </ul>
 * A convolution computes the same products per sample (a 1x1 convolution of a length-1 signal), which leaves a
 * single output position per image for its tiles; here the batch is the matrix dimension. Each output element
 * is reduced in an order fixed by the shapes, so results do not depend on the thread count. The kernels use
 * the Vector API: {@link #available()} says whether they run here; otherwise callers use the convolution.
 *
 * <p>Errors: a {@link NullPointerException} naming a null argument; an {@link IllegalArgumentException} naming the
 * parameter, dimension and value for a wrong rank,
 * shape, dtype or layout, a tensor whose arena is closed or confined to another thread, or an output that
 * overlaps an input, before any memory is written; {@link UnsupportedOperationException} when the kernels
 * are not {@link #available()}.
 */
public final class Matmul {
    private Matmul() {
    }

    /**
     * The kernels of one dtype, implemented by the generated {@code VectorMatmulF32} and {@code VectorMatmulF64};
     * called by this class's methods once they have checked the arguments.
     */
    interface Engine {
        /** {@code y = f(x w^T + b)}: x (m, k), w (n, k), bias (n) or null, y (m, n). */
        void forward(Tensor x, Tensor w, Tensor bias, Epilogue e, Tensor y, int m, int n, int k, Execution ex);

        /** w (n, k) packed for {@link #forwardPacked}: the panels and the rows' tails. */
        Object[] pack(Tensor w, int n, int k);

        /** {@link #forward} with w as {@link #pack} left it: the same bits. */
        void forwardPacked(Tensor x, Object panels, Object tails, Tensor bias, Epilogue e, Tensor y, int m, int n, int k, Execution ex);

        /** {@code gx = gy w}: gy (m, n), w (n, k), gx (m, k). */
        void backwardData(Tensor gy, Tensor w, Tensor gx, int m, int n, int k, Execution ex);

        /** {@code gw = gy^T x}: x (m, k), gy (m, n), gw (n, k). */
        void backwardWeights(Tensor x, Tensor gy, Tensor gw, int m, int n, int k, Execution ex);
    }

    private static volatile Engine f32, f64;

    /** Whether the kernels run on this JVM (the Vector API backend is active). */
    public static boolean available() {
        return Backend.isVector();
    }

    /** y (M, N) = f(x (M, K) w^T + bias), with the epilogue's activation f. */
    public static void forward(Tensor x, Tensor w, Tensor bias, Epilogue e, Tensor y, Execution ex) {
        Objects.requireNonNull(e, "e");
        Objects.requireNonNull(ex, "ex");
        long[] xs = matrix(x, "x"), ws = matrix(w, "w");
        same(ws, 1, xs[1], "w", "x's features");
        DType t = x.dtype();
        dtype(x, "x", x, "x");
        dtype(w, "w", x, "x");
        if (bias != null) {
            bias.requireUsable("bias");
            dtype(bias, "bias", x, "x");
            if (bias.rank() != 1 || bias.size(0) != ws[0] || !bias.isContiguous()) {
                throw new IllegalArgumentException("bias: needs shape [" + ws[0] + "] (w's rows), contiguous; got " + bias.describe());
            }
        }
        long[] ys = matrix(y, "y");
        dtype(y, "y", x, "x");
        same(ys, 0, xs[0], "y", "x's rows");
        same(ys, 1, ws[0], "y", "w's rows");
        disjoint(y, "y", x, w, bias);
        engine(t).forward(x, w, bias, e, y, (int) xs[0], (int) ws[0], (int) xs[1], ex);
    }

    /**
     * Weights w (N, K) packed once for {@link #forward(Tensor, Prepared, Tensor, Epilogue, Tensor, Execution)}: a copy,
     * so it stays valid while w changes (repack after an optimizer step). Each forward then reads the weights as one
     * run of memory instead of eight rows at a time; with a batch of one or two rows (inference) the product is
     * bound by reading w, so this is where it pays. The results are the bits of {@link #forward(Tensor, Tensor,
     * Tensor, Epilogue, Tensor, Execution)} on w. ONNX Runtime packs a constant Gemm operand the same way.
     */
    public static final class Prepared {
        private final DType dtype;
        private final int n, k;
        private final Object panels, tails;

        private Prepared(DType dtype, int n, int k, Object[] packed) {
            this.dtype = dtype;
            this.n = n;
            this.k = k;
            this.panels = packed[0];
            this.tails = packed[1];
        }

        /** The packed weights' shape (N, K). */
        public long[] shape() {
            return new long[] {n, k};
        }

        /** The packed weights' dtype. */
        public DType dtype() {
            return dtype;
        }
    }

    /**
     * w (N, K) packed for repeated forwards ({@link Prepared}).
     *
     * @throws IllegalArgumentException for a w that is not a usable contiguous F32 or F64 matrix, or whose packed
     *     copy would have more than 2^31 - 65 elements (the packing indexes it with ints)
     */
    public static Prepared prepare(Tensor w) {
        long[] ws = matrix(w, "w");
        dtype(w, "w", w, "w");
        long padded = (ws[0] + 7) / 8 * 8 * ws[1];
        if (padded > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("w: shape " + Arrays.toString(ws) + " packs to " + padded + " elements, more than " + (Integer.MAX_VALUE - 64));
        }
        DType t = w.dtype();
        return new Prepared(t, (int) ws[0], (int) ws[1], engine(t).pack(w, (int) ws[0], (int) ws[1]));
    }

    /** y (M, N) = f(x (M, K) w^T + bias), w as {@link #prepare} packed it: the bits of the unpacked forward. */
    public static void forward(Tensor x, Prepared w, Tensor bias, Epilogue e, Tensor y, Execution ex) {
        Objects.requireNonNull(w, "w");
        Objects.requireNonNull(e, "e");
        Objects.requireNonNull(ex, "ex");
        long[] xs = matrix(x, "x");
        dtype(x, "x", x, "x");
        if (x.dtype() != w.dtype) throw new IllegalArgumentException("w: dtype " + w.dtype + " differs from x's " + x.dtype());
        if (xs[1] != w.k) throw new IllegalArgumentException("w: dimension 1 is " + w.k + ", needs " + xs[1] + " (x's features)");
        if (bias != null) {
            bias.requireUsable("bias");
            dtype(bias, "bias", x, "x");
            if (bias.rank() != 1 || bias.size(0) != w.n || !bias.isContiguous()) {
                throw new IllegalArgumentException("bias: needs shape [" + w.n + "] (w's rows), contiguous; got " + bias.describe());
            }
        }
        long[] ys = matrix(y, "y");
        dtype(y, "y", x, "x");
        same(ys, 0, xs[0], "y", "x's rows");
        same(ys, 1, w.n, "y", "w's rows");
        disjoint(y, "y", x, bias);
        engine(x.dtype()).forwardPacked(x, w.panels, w.tails, bias, e, y, (int) xs[0], w.n, w.k, ex);
    }

    /** gx (M, K) = gy (M, N) w (N, K). */
    public static void backwardData(Tensor gy, Tensor w, Tensor gx, Execution ex) {
        Objects.requireNonNull(ex, "ex");
        long[] gs = matrix(gy, "gy"), ws = matrix(w, "w"), xs = matrix(gx, "gx");
        DType t = gy.dtype();
        dtype(gy, "gy", gy, "gy");
        dtype(w, "w", gy, "gy");
        dtype(gx, "gx", gy, "gy");
        same(ws, 0, gs[1], "w", "gy's columns");
        same(xs, 0, gs[0], "gx", "gy's rows");
        same(xs, 1, ws[1], "gx", "w's columns");
        disjoint(gx, "gx", gy, w);
        engine(t).backwardData(gy, w, gx, (int) gs[0], (int) gs[1], (int) ws[1], ex);
    }

    /** gw (N, K) = gy (M, N)^T x (M, K), overwritten. */
    public static void backwardWeights(Tensor x, Tensor gy, Tensor gw, Execution ex) {
        Objects.requireNonNull(ex, "ex");
        long[] xs = matrix(x, "x"), gs = matrix(gy, "gy"), ws = matrix(gw, "gw");
        DType t = x.dtype();
        dtype(x, "x", x, "x");
        dtype(gy, "gy", x, "x");
        dtype(gw, "gw", x, "x");
        same(gs, 0, xs[0], "gy", "x's rows");
        same(ws, 0, gs[1], "gw", "gy's columns");
        same(ws, 1, xs[1], "gw", "x's columns");
        disjoint(gw, "gw", x, gy);
        engine(t).backwardWeights(x, gy, gw, (int) xs[0], (int) gs[1], (int) xs[1], ex);
    }

    /** The shape of a usable, contiguous rank-2 tensor whose sizes index arrays and byte offsets. */
    private static long[] matrix(Tensor t, String name) {
        Objects.requireNonNull(t, name);
        t.requireUsable(name);
        if (t.rank() != 2) throw new IllegalArgumentException(name + ": needs rank 2 (rows, columns), got shape " + Arrays.toString(t.shape()));
        if (!t.isContiguous()) throw new IllegalArgumentException(name + ": needs a contiguous (row-major) tensor, got " + t.describe());
        for (int d = 0; d < 2; d++) {
            if (t.size(d) > Integer.MAX_VALUE - 64) {
                throw new IllegalArgumentException(name + ": dimension " + d + " has " + t.size(d) + " elements, more than " + (Integer.MAX_VALUE - 64));
            }
        }
        return t.shape();
    }

    private static void same(long[] shape, int d, long expected, String name, String what) {
        if (shape[d] != expected) {
            throw new IllegalArgumentException(name + ": dimension " + d + " is " + shape[d] + ", needs " + expected + " (" + what + ")");
        }
    }

    /** {@code t}'s dtype is F32 or F64 and that of {@code ref} (named {@code refName}). */
    private static void dtype(Tensor t, String name, Tensor ref, String refName) {
        if (t.dtype() != DType.F32 && t.dtype() != DType.F64) throw new IllegalArgumentException(name + ": dtype " + t.dtype() + " is not F32 or F64");
        if (t.dtype() != ref.dtype()) {
            throw new IllegalArgumentException(name + ": dtype " + t.dtype() + " differs from " + refName + "'s " + ref.dtype());
        }
    }

    private static void disjoint(Tensor out, String name, Tensor... inputs) {
        for (Tensor in : inputs) {
            if (in != null && out.overlaps(in)) throw new IllegalArgumentException(name + ": overlaps an input (" + in.describe() + ")");
        }
    }

    private static Engine engine(DType t) {
        if (!available()) throw new UnsupportedOperationException("matmul: the Vector API backend is not active (" + Backend.reason() + ")");
        boolean single = t == DType.F32;
        Engine e = single ? f32 : f64;
        if (e == null) {
            try {
                Class<?> c = Class.forName(Matmul.class.getPackageName() + ".VectorMatmul" + (single ? "F32" : "F64"));
                e = (Engine) c.getField("INSTANCE").get(null);
            } catch (ReflectiveOperationException | LinkageError failure) {
                throw new UnsupportedOperationException("matmul: the Vector API kernels do not load: " + failure, failure);
            }
            if (single) f32 = e;
            else f64 = e;
        }
        return e;
    }
}
