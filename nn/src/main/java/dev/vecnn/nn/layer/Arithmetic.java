package dev.vecnn.nn.layer;

import dev.vecnn.kernel.elementwise.BinaryOp;
import dev.vecnn.nn.Merge;
import dev.vecnn.tensor.MemoryFormat;
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

    /** Whether this is {@code a + b} (the residual addition that a model fuses into the convolution before it). */
    public boolean isAddition() {
        return op == BinaryOp.ADD;
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
        // the residual addition: in the model's format, vectorised in memory order; broadcasting walks row-major tensors
        MemoryFormat m = Arrays.equals(xs.get(0).shape(), xs.get(1).shape()) ? ctx.memoryFormat() : MemoryFormat.CHANNELS_FIRST;
        a = Elementwise.inFormat(ctx, this, "a", xs.get(0), m);
        b = Elementwise.inFormat(ctx, this, "b", xs.get(1), m);
        long[] out = new long[outputShape().length + 1];
        out[0] = n;
        System.arraycopy(outputShape(), 0, out, 1, out.length - 1);
        Tensor y = ctx.output(this, m, out);
        if (sameShape()) ctx.kernels().binary(op, Elementwise.flat(a), Elementwise.flat(b), Elementwise.flat(y), ctx.execution());
        else Broadcast.forward(op, a, b, y);
        return y;
    }

    @Override
    public List<Tensor> backward(Tensor gyIn) {
        MemoryFormat m = MemoryFormat.of(a);
        Tensor gy = Elementwise.inFormat(ctx, this, "gy", gyIn, m);
        Tensor ga = ctx.buffer(this, "ga", m, a.shape()), gb = ctx.buffer(this, "gb", m, b.shape());
        // same shapes: copies and products, which pass a -0.0 gradient on as PyTorch does (the walk, summing into
        // zeroed buffers, gives +0.0 for it)
        if (sameShape() && op != BinaryOp.DIV) {
            Tensor fa = Elementwise.flat(a), fb = Elementwise.flat(b), fgy = Elementwise.flat(gy), fga = Elementwise.flat(ga),
                    fgb = Elementwise.flat(gb);
            switch (op) {
                case ADD -> {
                    fga.copyFrom(fgy);
                    fgb.copyFrom(fgy);
                }
                case SUB -> {
                    fga.copyFrom(fgy);
                    fgb.fill(0);
                    ctx.kernels().binary(BinaryOp.SUB, fgb, fgy, fgb); // 0 - gy
                }
                default -> { // MUL
                    ctx.kernels().binary(BinaryOp.MUL, fgy, fb, fga);
                    ctx.kernels().binary(BinaryOp.MUL, fgy, fa, fgb);
                }
            }
            return List.of(ga, gb);
        }
        ga.fill(0);
        gb.fill(0);
        if (sameShape()) { // division: the four tensors lie in one format, so elementwise in memory order
            Broadcast.backward(op, Elementwise.flat(a), Elementwise.flat(b), Elementwise.flat(gy), Elementwise.flat(ga), Elementwise.flat(gb));
        } else {
            Broadcast.backward(op, a, b, gy, ga, gb);
        }
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
