package dev.vecnn.nn.layer;

import dev.vecnn.kernel.elementwise.BinaryOp;
import dev.vecnn.nn.Layer;
import dev.vecnn.nn.Param;
import dev.vecnn.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * {@code x op c} or {@code c op x} for a learnable tensor c (parameter {@code value}), with NumPy's
 * broadcasting: c is aligned with the sample dimensions at the right (a c of the full rank has batch
 * dimension 1, which is dropped). What an ONNX Add, Sub, Mul or Div with an initializer becomes; the
 * initializer stays trainable. Not decayed.
 */
public final class ConstantArithmetic extends Layer {
    private final BinaryOp op;
    private final boolean constantFirst;
    private final double[] initial;
    private long[] constantShape;
    private Param c;
    private Tensor x;

    private ConstantArithmetic(BinaryOp op, boolean constantFirst, long[] shape, double[] values) {
        if (Tensor.numel(shape) != values.length) {
            throw new IllegalArgumentException("values: " + values.length + " values for shape " + Arrays.toString(shape));
        }
        this.op = op;
        this.constantFirst = constantFirst;
        this.constantShape = shape.clone();
        this.initial = values.clone();
    }

    /**
     * {@code x op c} ({@code constantFirst} false) or {@code c op x}; {@code op} is one of add, sub,
     * mul, div; c has {@code shape} and row-major {@code values}.
     */
    public static ConstantArithmetic of(String op, boolean constantFirst, long[] shape, double... values) {
        BinaryOp o;
        try {
            o = BinaryOp.valueOf(op.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("op: '" + op + "' is not add, sub, mul or div");
        }
        return new ConstantArithmetic(o, constantFirst, shape, values);
    }

    /** add, sub, mul or div. */
    public String op() {
        return op.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** True for {@code c op x}. */
    public boolean constantFirst() {
        return constantFirst;
    }

    @Override
    protected long[] init(long[] sample) {
        long[] cs = constantShape;
        if (cs.length == sample.length + 1) {
            if (cs[0] != 1) {
                throw new IllegalArgumentException("constant: shape " + Arrays.toString(cs) + " has batch dimension " + cs[0]
                        + "; a constant can only broadcast over the batch (size 1)");
            }
            cs = Arrays.copyOfRange(cs, 1, cs.length);
        } else if (cs.length > sample.length) {
            throw new IllegalArgumentException("constant: shape " + Arrays.toString(cs) + " has a higher rank than the input (N, "
                    + Arrays.toString(sample).replaceAll("[\\[\\]]", "") + ")");
        }
        constantShape = cs;
        long[] out = Broadcast.shape(sample, cs, describe());
        if (out.length != sample.length) throw new IllegalStateException("broadcast changed the rank");
        c = new Param("value", ctx.allocate(cs), ctx.allocate(cs), false);
        for (int i = 0; i < initial.length; i++) Elementwise.set(c.value(), c.value().offset() + i, initial[i]);
        return out;
    }

    private long[] full(long[] s) {
        long[] f = new long[s.length + 1];
        f[0] = 1;
        System.arraycopy(s, 0, f, 1, s.length);
        return f;
    }

    @Override
    public Tensor forward(Tensor in, boolean training) {
        long n = batchOf(in, "x");
        x = Elementwise.contiguous(ctx, this, "x", in);
        Tensor y = ctx.buffer(this, "y", withBatch(n, outputShape()));
        Tensor cv = c.value().reshape(full(constantShape));
        if (constantFirst) Broadcast.forward(op, cv, x, y);
        else Broadcast.forward(op, x, cv, y);
        return y;
    }

    @Override
    public Tensor backward(Tensor gyIn) {
        Tensor gy = Elementwise.contiguous(ctx, this, "gy", gyIn);
        Tensor gx = ctx.buffer(this, "gx", x.shape());
        gx.fill(0);
        c.grad().fill(0);
        Tensor cv = c.value().reshape(full(constantShape)), cg = c.grad().reshape(full(constantShape));
        if (constantFirst) Broadcast.backward(op, cv, x, gy, cg, gx);
        else Broadcast.backward(op, x, cv, gy, gx, cg);
        return gx;
    }

    @Override
    public List<Param> params() {
        return List.of(c);
    }

    @Override
    public String describe() {
        String o = op.name().toLowerCase(java.util.Locale.ROOT);
        String cs = Arrays.toString(constantShape).replace(", ", "x").replaceAll("[\\[\\]]", "");
        return constantFirst ? "const(" + cs + ") " + o + " x" : o + " const(" + cs + ")";
    }
}
