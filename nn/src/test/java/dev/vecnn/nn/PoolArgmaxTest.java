package dev.vecnn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.vecnn.nn.layer.PoolIndices;
import dev.vecnn.nn.layer.PoolLayer;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import java.lang.foreign.Arena;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Max pooling writes its argmax only where it is read: in training-mode forward passes (for the backward
 * pass) and for a {@link PoolIndices} layer. A backward pass after an evaluation-mode forward finds the
 * maxima again in the input, with the same result; ties and zeros (as after a ReLU) go to the first.
 */
class PoolArgmaxTest {
    @Test
    void backwardAfterAnEvaluationForwardEqualsTheTrainingOne() {
        try (Arena a = Arena.ofShared()) {
            Tensor x = Fill.uniform(a, DType.F32, new long[] {3, 2, 6, 7, 8}, 5);
            x.set(0, 0, 0, 0, 0, 0); // ties in one window: the first gets the gradient
            x.set(0, 0, 0, 0, 0, 1);
            Tensor gy = Fill.uniform(a, DType.F32, new long[] {3, 2, 3, 3, 4}, 6);
            double[][] gx = new double[2][];
            for (int mode = 0; mode < 2; mode++) {
                PoolLayer pool = PoolLayer.max(2, 2, 2);
                try (Model m = Model.of(new long[] {2, 6, 7, 8}, DType.F32, 1, pool)) {
                    boolean training = mode == 0;
                    m.forward(x, training);
                    if (training) assertNotNull(pool.indices(), "training forward: argmax written");
                    else assertNull(pool.indices(), "evaluation forward: no argmax");
                    gx[mode] = values(m.backward(gy));
                }
            }
            assertArrayEquals(gx[0], gx[1], "gx after a training and an evaluation forward");
        }
    }

    @Test
    void aPoolIndicesLayerGetsTheArgmaxInEvaluationMode() {
        try (Arena a = Arena.ofShared()) {
            PoolLayer pool = PoolLayer.max(2, 2);
            Graph g = new Graph();
            Graph.Node in = g.input("x", 1, 4, 4);
            Graph.Node p = g.add("pool", pool, in);
            g.output("pool", p).output("indices", g.add("indices", new PoolIndices(pool, 0), in)); // reads the pool's input, after it
            try (Model m = Model.of(g, DType.F32, 1)) {
                Tensor x = Fill.uniform(a, DType.F32, new long[] {1, 1, 4, 4}, 2);
                Map<String, Tensor> out = m.forward(Map.of("x", x), false);
                long[] idx = new long[4];
                for (int i = 0; i < 4; i++) idx[i] = out.get("indices").reshape(4).getLong(i);
                long[] expected = new long[4];
                for (int oy = 0; oy < 2; oy++) {
                    for (int ox = 0; ox < 2; ox++) {
                        long best = -1;
                        double v = Double.NEGATIVE_INFINITY;
                        for (int dy = 0; dy < 2; dy++) {
                            for (int dx = 0; dx < 2; dx++) {
                                double e = x.get(0, 0, 2 * oy + dy, 2 * ox + dx);
                                if (e > v) {
                                    v = e;
                                    best = (2 * oy + dy) * 4L + 2 * ox + dx;
                                }
                            }
                        }
                        expected[oy * 2 + ox] = best;
                    }
                }
                assertArrayEquals(expected, idx);
            }
        }
    }

    private static double[] values(Tensor t) {
        Tensor f = t.reshape(t.numel());
        double[] v = new double[(int) t.numel()];
        for (int i = 0; i < v.length; i++) v[i] = f.get(i);
        return v;
    }
}
