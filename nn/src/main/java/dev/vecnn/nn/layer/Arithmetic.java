package dev.vecnn.nn.layer;

import dev.vecnn.kernel.elementwise.BinaryOp;
import dev.vecnn.nn.Merge;
import dev.vecnn.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * {@code a + b}, {@code a - b}, {@code a * b} or {@code a / b} of two graph nodes, elementwise with
 * NumPy's broadcasting over the sample dimensions (both inputs have the batch dimension; their sample
 * ranks must be equal, so that a size-1 dimension never stretches over the batch). The residual
 * addition is {@code Arithmetic.add()}. Gradients are summed over stretched dimensions.
 */
public final class Arithmetic extends Merge {
    private final BinaryOp op;
    private Tensor a, b;

    private Arithmetic(BinaryOp op) {
        this.op = op;
    }

    /** a + b. */
    public static Arithmetic add() {
        return new Arithmetic(BinaryOp.ADD);
    }

    /** a - b. */
    public static Arithmetic sub() {
        return new Arithmetic(BinaryOp.SUB);
    }

    /** a * b (elementwise). */
    public static Arithmetic mul() {
        return new Arithmetic(BinaryOp.MUL);
    }

    /** a / b (elementwise). */
    public static Arithmetic div() {
        return new Arithmetic(BinaryOp.DIV);
    }

    /** add, sub, mul or div. */
    public String op() {
        return describe();
    }

    @Override
    protected long[] init(List<long[]> s) {
        if (s.size() != 2) throw new IllegalArgumentException("inputs: " + describe() + " takes 2 inputs, got " + s.size());
        if (s.get(0).length != s.get(1).length) {
            throw new IllegalArgumentException("inputs: " + describe() + " needs samples of equal rank, got " + Arrays.toString(s.get(0))
                    + " and " + Arrays.toString(s.get(1)));
        }
        return Broadcast.shape(s.get(0), s.get(1), describe());
    }

    @Override
    public Tensor forward(List<Tensor> xs, boolean training) {
        long n = batchOf(xs);
        a = Elementwise.contiguous(ctx, this, "a", xs.get(0));
        b = Elementwise.contiguous(ctx, this, "b", xs.get(1));
        long[] out = new long[outputShape().length + 1];
        out[0] = n;
        System.arraycopy(outputShape(), 0, out, 1, out.length - 1);
        Tensor y = ctx.output(this, out);
        if (sameShape()) ctx.kernels().binary(op, a, b, y, ctx.execution()); // the residual addition: vectorised, no broadcasting walk
        else Broadcast.forward(op, a, b, y);
        return y;
    }

    @Override
    public List<Tensor> backward(Tensor gyIn) {
        Tensor gy = Elementwise.contiguous(ctx, this, "gy", gyIn);
        Tensor ga = ctx.buffer(this, "ga", a.shape()), gb = ctx.buffer(this, "gb", b.shape());
        // same shapes: copies and products, which pass a -0.0 gradient on as PyTorch does (the walk, summing into
        // zeroed buffers, gives +0.0 for it)
        if (sameShape() && op != BinaryOp.DIV) {
            switch (op) {
                case ADD -> {
                    ga.copyFrom(gy);
                    gb.copyFrom(gy);
                }
                case SUB -> {
                    ga.copyFrom(gy);
                    gb.fill(0);
                    ctx.kernels().binary(BinaryOp.SUB, gb, gy, gb); // 0 - gy
                }
                default -> { // MUL
                    ctx.kernels().binary(BinaryOp.MUL, gy, b, ga);
                    ctx.kernels().binary(BinaryOp.MUL, gy, a, gb);
                }
            }
            return List.of(ga, gb);
        }
        ga.fill(0);
        gb.fill(0);
        Broadcast.backward(op, a, b, gy, ga, gb);
        return List.of(ga, gb);
    }

    /** Whether both inputs have the output's shape (no dimension stretches). */
    private boolean sameShape() {
        return Arrays.equals(a.shape(), b.shape());
    }

    @Override
    public String describe() {
        return op.name().toLowerCase(java.util.Locale.ROOT);
    }
}
