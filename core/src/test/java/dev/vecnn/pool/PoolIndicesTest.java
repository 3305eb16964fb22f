package dev.vecnn.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vecnn.parallel.Execution;
import dev.vecnn.ref.ReferencePool;
import dev.vecnn.spec.PoolKind;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Caller-supplied argmax indices are checked the same way by every pooling backward (the reference
 * directly, and every implementation through {@link PoolImpl}): each must lie in its (n, c) input
 * plane or be -1, else an {@link IllegalArgumentException} names {@code indices}, the position and
 * the value, and {@code gx} is untouched.
 */
class PoolIndicesTest {
    static final Execution EX = Execution.withThreads(2);

    @AfterAll
    static void close() {
        EX.close();
    }

    /** Every backward entry point, as a call on (spec, indices, gy, gx). */
    interface Backward {
        void run(PoolSpec s, Tensor indices, Tensor gy, Tensor gx);
    }

    static List<Backward> backwards() {
        List<Backward> all = new ArrayList<>();
        all.add((s, i, gy, gx) -> ReferencePool.backward(s, null, i, gy, gx));
        all.add((s, i, gy, gx) -> Pool.backward(s, null, i, gy, gx));
        for (PoolImpl impl : Pool.implementations()) all.add((s, i, gy, gx) -> impl.backward(s, null, i, gy, gx, EX));
        return all;
    }

    @Test
    void indicesOutsideThePlaneAreRejectedNamingPositionAndValue() {
        // regression: the reference routed 56 (in a 56-element plane) and Long.MAX_VALUE to a wrong element
        PoolSpec s = PoolSpec.builder(PoolKind.MAX).batch(2).channels(3).input(7, 8).kernel(2).build();
        long[][] bad = {{56, 0}, {Long.MAX_VALUE, 0}, {-2, 0}, {Long.MIN_VALUE, 0}};
        for (long[] b : bad) {
            for (Backward backward : backwards()) {
                for (boolean strided : new boolean[] {false, true}) {
                    try (Arena a = Arena.ofConfined()) {
                        Tensor x = Fill.uniform(a, DType.F32, s.inputShape(), 1);
                        Tensor idx = strided ? Tensor.allocateChannelsLast(a, DType.I64, s.outputShape()) : Tensor.allocate(a, DType.I64, s.outputShape());
                        Pool.forward(s, x, Tensor.allocate(a, DType.F32, s.outputShape()), idx);
                        idx.setLongAt(idx.offsetOf(1, 2, 2, 3), b[0]);
                        Tensor gy = Fill.uniform(a, DType.F32, s.outputShape(), 2);
                        Tensor gx = Tensor.allocate(a, DType.F32, s.inputShape());
                        gx.fill(7);
                        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> backward.run(s, idx, gy, gx));
                        assertEquals("indices[1, 2, 2, 3] = " + b[0] + ": outside the input plane [0, 56) and not -1 (spec " + s + ")",
                                e.getMessage());
                        Fill.forEach(gx, i -> assertEquals(7.0, gx.get(i), "gx untouched"));
                    }
                }
            }
        }
    }

    @Test
    void minusOneAndEveryPositionInThePlaneAreAccepted() {
        // -1 (a window with no input element) routes nothing; any plane position routes the gradient there
        PoolSpec s = PoolSpec.builder(PoolKind.MAX).channels(1).input(2, 3).kernel(2, 3).build(); // one output
        for (Backward backward : backwards()) {
            for (long v = -1; v < 6; v++) {
                Tensor idx = Tensor.of(new long[] {v}, 1, 1, 1, 1), gy = Tensor.of(new double[] {5}, 1, 1, 1, 1);
                Tensor gx = Tensor.of(new double[6], 1, 1, 2, 3);
                backward.run(s, idx, gy, gx);
                for (int p = 0; p < 6; p++) assertEquals(p == v ? 5 : 0, gx.get(0, 0, p / 3, p % 3), "index " + v + " at " + p);
            }
        }
    }
}
