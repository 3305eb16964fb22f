package dev.vecnn.spec;

import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;

/**
 * Call-time checks shared by every kernel: tensors are usable, of one floating dtype, shaped as the
 * spec says, and outputs neither overlap themselves nor any input. Each failure is an
 * {@link IllegalArgumentException} naming the parameter, the dimension and the value, thrown before
 * any memory is touched; a null tensor is named the same way, a null spec gives a
 * {@link NullPointerException} named {@code spec}. Tensors with no elements (an empty batch) pass.
 */
public final class Arguments {
    private Arguments() {
    }

    /** Checks the tensors of a convolution forward pass; {@code bias} must be null iff the spec has none. */
    public static DType convForward(ConvSpec s, Tensor x, Tensor w, Tensor bias, Tensor y) {
        Objects.requireNonNull(s, "spec");
        DType t = dtypeOf("x", x);
        input(s, "x", x, s.inputShape(), t, "x");
        input(s, "w", w, s.weightShape(), t, "x");
        if (s.hasBias()) {
            if (bias == null) throw new IllegalArgumentException("bias: is null but the spec " + s + " has a bias");
            input(s, "bias", bias, s.biasShape(), t, "x");
        } else if (bias != null) {
            throw new IllegalArgumentException("bias: given but the spec " + s + " has none (bias0)");
        }
        output(s, "y", y, s.outputShape(), t, "x", x, w, bias);
        return t;
    }

    /**
     * Checks the tensors of two convolutions in a row, {@code y = second(first(x))}, whose intermediate is not a
     * tensor: {@code x} as first's input, {@code y} as second's output (overlapping none of the inputs), weights and
     * biases as each spec says.
     */
    public static DType convPairForward(ConvSpec first, ConvSpec second, Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2, Tensor y) {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
        DType t = dtypeOf("x", x);
        input(first, "x", x, first.inputShape(), t, "x");
        input(first, "w1", w1, first.weightShape(), t, "x");
        bias(first, "b1", b1, t);
        input(second, "w2", w2, second.weightShape(), t, "x");
        bias(second, "b2", b2, t);
        output(second, "y", y, second.outputShape(), t, "x", x, w1, b1, w2, b2);
        return t;
    }

    private static void bias(ConvSpec s, String param, Tensor bias, DType t) {
        if (s.hasBias()) {
            if (bias == null) throw new IllegalArgumentException(param + ": is null but the spec " + s + " has a bias");
            input(s, param, bias, s.biasShape(), t, "x");
        } else if (bias != null) {
            throw new IllegalArgumentException(param + ": given but the spec " + s + " has none (bias0)");
        }
    }

    /** Checks a convolution's weight tensor alone (for packing). */
    public static DType convWeights(ConvSpec s, Tensor w) {
        return convWeights(s, "w", w);
    }

    /** {@link #convWeights(ConvSpec, Tensor)} for a weight tensor named {@code param} in the caller's signature. */
    public static DType convWeights(ConvSpec s, String param, Tensor w) {
        DType t = dtypeOf(param, w);
        input(s, param, w, s.weightShape(), t, param);
        return t;
    }

    /** Checks the tensors of a convolution backward-data pass (gradient of the input). */
    public static DType convBackwardData(ConvSpec s, Tensor gy, Tensor w, Tensor gx) {
        Objects.requireNonNull(s, "spec");
        DType t = dtypeOf("gy", gy);
        input(s, "gy", gy, s.outputShape(), t, "gy");
        input(s, "w", w, s.weightShape(), t, "gy");
        output(s, "gx", gx, s.inputShape(), t, "gy", gy, w);
        return t;
    }

    /** Checks the tensors of a convolution backward-weights pass. */
    public static DType convBackwardWeights(ConvSpec s, Tensor x, Tensor gy, Tensor gw) {
        Objects.requireNonNull(s, "spec");
        DType t = dtypeOf("x", x);
        input(s, "x", x, s.inputShape(), t, "x");
        input(s, "gy", gy, s.outputShape(), t, "x");
        output(s, "gw", gw, s.weightShape(), t, "x", x, gy);
        return t;
    }

    /** Checks the tensors of a convolution backward-bias pass. */
    public static DType convBackwardBias(ConvSpec s, Tensor gy, Tensor gb) {
        Objects.requireNonNull(s, "spec");
        if (!s.hasBias()) throw new IllegalArgumentException("gb: the spec " + s + " has no bias");
        DType t = dtypeOf("gy", gy);
        input(s, "gy", gy, s.outputShape(), t, "gy");
        output(s, "gb", gb, s.biasShape(), t, "gy", gy);
        return t;
    }

    /** Checks the tensors of a pooling forward pass; {@code indices} (I64) is optional, max kinds only. */
    public static DType poolForward(PoolSpec s, Tensor x, Tensor y, Tensor indices) {
        Objects.requireNonNull(s, "spec");
        DType t = dtypeOf("x", x);
        input(s, "x", x, s.inputShape(), t, "x");
        output(s, "y", y, s.outputShape(), t, "x", x);
        if (indices != null) {
            if (!s.kind().isMax()) throw new IllegalArgumentException("indices: only max pooling has indices, spec is " + s);
            output(s, "indices", indices, s.outputShape(), DType.I64, null, x, y);
        }
        return t;
    }

    /**
     * Checks the tensors of a pooling backward pass. Max kinds need {@code indices} from the forward
     * pass or the input {@code x} to recompute them; average kinds need neither. Caller-supplied
     * indices are checked element by element ({@link #poolIndices}).
     */
    public static DType poolBackward(PoolSpec s, Tensor x, Tensor indices, Tensor gy, Tensor gx) {
        Objects.requireNonNull(s, "spec");
        DType t = dtypeOf("gy", gy);
        input(s, "gy", gy, s.outputShape(), t, "gy");
        if (s.kind().isMax() && x == null && indices == null) {
            throw new IllegalArgumentException("x: max pooling backward needs the input x or the forward indices; both are null");
        }
        if (x != null) input(s, "x", x, s.inputShape(), t, "gy");
        if (indices != null) {
            if (!s.kind().isMax()) throw new IllegalArgumentException("indices: only max pooling has indices, spec is " + s);
            input(s, "indices", indices, s.outputShape(), DType.I64, null);
        }
        output(s, "gx", gx, s.inputShape(), t, "gy", gy, x, indices);
        if (indices != null) poolIndices(s, indices);
        return t;
    }

    /**
     * Checks argmax indices (I64, the spec's output shape) given to a pooling backward pass: each is a
     * flat row-major position in its (n, c) input plane, {@code [0, prod(input sizes))}, or -1 (a
     * window with no input element). Every implementation calls this before it writes {@code gx}.
     *
     * @throws IllegalArgumentException naming {@code indices}, the position of the first bad element
     *         and its value
     */
    public static void poolIndices(PoolSpec s, Tensor indices) {
        long plane = 1;
        for (int d = 0; d < s.rank(); d++) plane *= s.inputSize(d); // fits: checked at build()
        long[] shape = indices.shape(), idx = new long[shape.length];
        if (indices.numel() == 0) return;
        if ((indices.isContiguous() || indices.isChannelsLast()) && denseIndicesValid(indices, plane)) return;
        // a view, or a bad index somewhere: walk in row-major order to name the first bad one
        long off = indices.offset();
        while (true) {
            long v = indices.getLongAt(off);
            if (v < -1 || v >= plane) {
                throw new IllegalArgumentException("indices" + Arrays.toString(idx) + " = " + v + ": outside the input plane [0, "
                        + plane + ") and not -1 (spec " + s + ")");
            }
            int d = shape.length - 1;
            for (; d >= 0; d--) {
                off += indices.stride(d);
                if (++idx[d] < shape[d]) break;
                off -= indices.stride(d) * shape[d];
                idx[d] = 0;
            }
            if (d < 0) return;
        }
    }

    /**
     * Whether every index of a dense tensor (its elements one run of memory) is in {@code [-1, plane)}:
     * staged by bulk copies and scanned with a branch-free loop (a per-element checked read cost as
     * much as the backward pass itself).
     */
    private static boolean denseIndicesValid(Tensor indices, long plane) {
        long n = indices.numel(), base = indices.offset() * Long.BYTES;
        long[] chunk = new long[(int) Math.min(n, 4096)];
        for (long i = 0; i < n; i += chunk.length) {
            int m = (int) Math.min(chunk.length, n - i);
            MemorySegment.copy(indices.segment(), ValueLayout.JAVA_LONG_UNALIGNED, base + i * Long.BYTES, chunk, 0, m);
            boolean bad = false;
            for (int j = 0; j < m; j++) bad |= chunk[j] < -1 | chunk[j] >= plane;
            if (bad) return false;
        }
        return true;
    }

    private static DType dtypeOf(String param, Tensor t) {
        if (t == null) throw new IllegalArgumentException(param + ": is null");
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException(param + ": dtype " + t.dtype().shortName() + " is not f32 or f64");
        }
        return t.dtype();
    }

    /** Checks t's dtype (that of {@code dtypeFrom}, the call's first tensor, when not null), usability and shape. */
    private static void input(Object spec, String param, Tensor t, long[] shape, DType dtype, String dtypeFrom) {
        if (t == null) throw new IllegalArgumentException(param + ": is null");
        t.requireUsable(param);
        if (t.dtype() != dtype) {
            throw new IllegalArgumentException(param + ": dtype " + t.dtype().shortName() + ", expected " + dtype.shortName()
                    + (dtypeFrom == null ? "" : ", the dtype of " + dtypeFrom + " (every tensor of a call has the dtype of its first)")
                    + " (spec " + spec + ")");
        }
        long[] actual = t.shape();
        if (actual.length != shape.length) {
            throw new IllegalArgumentException(param + ": rank " + actual.length + " " + Arrays.toString(actual)
                    + ", spec " + spec + " needs rank " + shape.length + " " + Arrays.toString(shape));
        }
        for (int d = 0; d < shape.length; d++) {
            if (actual[d] != shape[d]) {
                throw new IllegalArgumentException(param + "[" + d + "] = " + actual[d] + ": spec " + spec + " needs "
                        + shape[d] + " (shape " + Arrays.toString(actual) + ", expected " + Arrays.toString(shape) + ")");
            }
        }
    }

    private static void output(Object spec, String param, Tensor t, long[] shape, DType dtype, String dtypeFrom, Tensor... inputs) {
        input(spec, param, t, shape, dtype, dtypeFrom);
        if (t.hasSelfOverlap()) {
            throw new IllegalArgumentException(param + ": output " + t.describe() + " has elements that share memory");
        }
        for (Tensor in : inputs) {
            if (in != null && t.overlaps(in)) {
                throw new IllegalArgumentException(param + ": output " + t.describe() + " overlaps an input " + in.describe());
            }
        }
    }
}
