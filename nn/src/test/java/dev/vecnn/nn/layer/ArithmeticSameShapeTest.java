package dev.vecnn.nn.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecnn.kernel.elementwise.BinaryOp;
import dev.vecnn.kernel.elementwise.ElementwiseKernels;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Arithmetic} on inputs of one shape (the residual addition) runs the elementwise kernels instead of
 * the broadcasting walk: the same bits for every element (zero signs included; NaN compared as NaN), in both dtypes, on lengths with and without a
 * vector tail (the walk computes in double and rounds once, which is the correctly rounded result of the
 * dtype's own operation for +, -, * and /).
 */
class ArithmeticSameShapeTest {
    @Test
    void kernelsGiveTheWalksValues() {
        try (Arena a = Arena.ofConfined()) {
            for (DType t : new DType[] {DType.F32, DType.F64}) {
                for (long len : new long[] {1, 7, 16, 67, 1000}) {
                    SplittableRandom r = new SplittableRandom(len);
                    Tensor x = Tensor.allocate(a, t, 2, len), y = Tensor.allocate(a, t, 2, len);
                    for (long i = 0; i < x.numel(); i++) {
                        x.setAt(i, r.nextDouble(-3, 3));
                        y.setAt(i, i % 5 == 0 ? 0.0 : r.nextDouble(-3, 3)); // zeros: a division by zero, an exact product
                    }
                    for (BinaryOp op : BinaryOp.values()) {
                        Tensor walk = Tensor.allocate(a, t, 2, len), kernel = Tensor.allocate(a, t, 2, len);
                        Broadcast.forward(op, x, y, walk);
                        for (ElementwiseKernels k : new ElementwiseKernels[] {ElementwiseKernels.defaults(), ElementwiseKernels.portable()}) {
                            k.binary(op, x, y, kernel);
                            for (long i = 0; i < walk.numel(); i++) {
                                assertEquals(Double.doubleToLongBits(walk.getAt(i)), Double.doubleToLongBits(kernel.getAt(i)),
                                        k + " " + op + " " + t.shortName() + " length " + len + " element " + i);
                            }
                        }
                    }
                }
            }
        }
    }
}
