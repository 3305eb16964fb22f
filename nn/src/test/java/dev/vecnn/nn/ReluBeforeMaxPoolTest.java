package dev.vecnn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.nn.layer.Activation;
import dev.vecnn.nn.layer.ConvLayer;
import dev.vecnn.nn.layer.Dense;
import dev.vecnn.nn.layer.Dropout;
import dev.vecnn.nn.layer.Flatten;
import dev.vecnn.nn.layer.PoolLayer;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A convolution's ReLU read only by a max pooling: the pooling applies the ReLU's derivative to its own
 * output's gradient ({@code gy * (y > 0)}) and takes the convolution's bias gradient from it. The result
 * must be the bits of the unhanded computation, here the same network with a pass-through layer
 * ({@code Dropout(0)}) between the ReLU and the pooling, which stops the hand-over: every parameter's
 * gradient and the input's, with overlapping windows (a position gets the sum over its windows), ReLU
 * zeros and ties among them, in f32 and f64. The bias gradients are the same terms summed in another order
 * (over the pooled gradient, not the scattered one): on values that are multiples of 1/4 every sum is exact
 * and they too must be the same bits; on random values they may round differently (see the test).
 */
class ReluBeforeMaxPoolTest {
    private static List<Layer> layers(boolean barrier) {
        List<Layer> l = new ArrayList<>();
        l.add(new ConvLayer(4, 3, 3).padding(1, 1));
        l.add(Activation.relu()); // fused into the convolution, then handed to the pooling
        if (barrier) l.add(new Dropout(0));
        l.add(PoolLayer.max(3, 3).stride(2, 2)); // overlapping windows
        l.add(new ConvLayer(5, 3, 3).padding(1, 1).epilogue(Epilogue.relu())); // the layer's own ReLU
        if (barrier) l.add(new Dropout(0));
        l.add(PoolLayer.max(2, 2));
        l.add(new Flatten());
        l.add(new Dense(3));
        return l;
    }

    @Test
    void gradientsAreTheBitsOfTheUnhandedComputation() {
        for (DType dt : new DType[] {DType.F32, DType.F64}) {
            for (boolean quarters : new boolean[] {true, false}) compareWithTheUnhanded(dt, quarters);
        }
    }

    /**
     * With {@code quarters}, the input, parameters and output gradient are multiples of 1/4 of at most 1 in
     * magnitude. Then the terms of both convolutions' bias gradients and all their partial sums are exact in
     * float32: the pooled gradient of the second pooling is W_dense^T gy (multiples of 2^-4, at most 3), of the
     * first the second convolution's input gradient (45 products with weights: multiples of 2^-6, at most
     * 135), summed over 48 windows of up to 4 overlapping ones: below 2^13. So the order of the sums cannot
     * matter and every gradient must be the same bits. Without, those two bias gradients are the same terms
     * summed in another order and may round differently, within the bound stated below; every other gradient
     * must still be the same bits.
     */
    private static void compareWithTheUnhanded(DType dt, boolean quarters) {
        try (Arena a = Arena.ofShared()) {
            long[] sample = {2, 9, 9};
            Tensor x = Fill.uniform(a, dt, new long[] {3, 2, 9, 9}, 11);
            for (int i = 0; i < 9; i++) x.set(-1, 0, 0, 0, i); // a row of ReLU zeros: ties inside windows
            Tensor gy = Fill.uniform(a, dt, new long[] {3, 3}, 12);
            if (quarters) {
                quarter(x);
                quarter(gy);
            }
            List<double[]> grads = new ArrayList<>(), barrierGrads = new ArrayList<>();
            List<Integer> convBias = new ArrayList<>();
            List<Layer> handed = layers(false), barred = layers(true);
            try (Model m = Model.of(sample, dt, 5, handed.toArray(Layer[]::new));
                 Model b = Model.of(sample, dt, 5, barred.toArray(Layer[]::new))) {
                assertTrue(((PoolLayer) handed.get(2)).appliesReluDerivative(), "after a fused ReLU activation");
                assertTrue(((PoolLayer) handed.get(4)).appliesReluDerivative(), "after a convolution's ReLU epilogue");
                assertFalse(((PoolLayer) barred.get(3)).appliesReluDerivative(), "a layer in between");
                // negative biases: many windows hold only ReLU zeros, where the derivative is zero
                for (Param p : m.params()) {
                    if (p.name().endsWith("bias") && p.value().size(0) > 3) fill(p.value(), -0.4);
                }
                if (quarters) for (Param p : m.params()) quarter(p.value());
                for (int p = 0; p < m.params().size(); p++) copy(m.params().get(p).value(), b.params().get(p).value());
                m.forward(x, true);
                b.forward(x, true);
                grads.add(values(m.backward(gy)));
                barrierGrads.add(values(b.backward(gy)));
                for (Param p : m.params()) grads.add(values(p.grad()));
                for (Param p : b.params()) barrierGrads.add(values(p.grad()));
                // the two convolutions' biases: the first two "bias" parameters (the dense layer's comes last)
                for (int p = 0; p < m.params().size() && convBias.size() < 2; p++) {
                    if (m.params().get(p).name().endsWith("bias")) convBias.add(p + 1); // after the input's gradient
                }
            }
            for (int i = 0; i < grads.size(); i++) {
                String what = dt + (quarters ? " quarters" : "") + ": gradient " + i + " (0: the input's)";
                if (!quarters && convBias.contains(i)) {
                    // doubles summed in two orders differ by at most 2 (n/16 + 4) 2^-53 sum|g| (n <= 243 terms here:
                    // under 2^-45 sum|g|); these gradients cancel by far less than 2^-5, so the sums agree to 2^-40 of
                    // their size, and the float32 ones, rounded once from such sums, to one float ulp
                    double[] want = barrierGrads.get(i), got = grads.get(i);
                    for (int j = 0; j < want.length; j++) {
                        double size = Math.max(Math.abs(want[j]), Math.abs(got[j]));
                        double tol = dt == DType.F32 ? Math.ulp((float) size) : Math.scalb(size, -40);
                        assertTrue(Math.abs(want[j] - got[j]) <= tol, what + "[" + j + "]: " + got[j] + " against " + want[j]);
                    }
                    continue;
                }
                assertArrayEquals(barrierGrads.get(i), grads.get(i), what);
            }
            for (int i : new int[] {1, convBias.get(0), convBias.get(1)}) {
                double nonZero = 0;
                for (double v : grads.get(i)) nonZero += v != 0 ? 1 : 0;
                assertTrue(nonZero > 0, dt + (quarters ? " quarters" : "") + ": gradient " + i + " is not all zeros");
            }
        }
    }

    @Test
    void graphsHandOverOnlyToTheOnlyReader() {
        PoolLayer alone = PoolLayer.max(2, 2), shared = PoolLayer.max(2, 2);
        Graph g = new Graph();
        Graph.Node x = g.input("x", 1, 4, 4);
        Graph.Node r1 = g.add("relu1", Activation.relu(), g.add("conv1", new ConvLayer(2, 3, 3).padding(1, 1), x));
        g.output("a", g.add("pool1", alone, r1));
        Graph.Node r2 = g.add("relu2", Activation.relu(), g.add("conv2", new ConvLayer(2, 3, 3).padding(1, 1), x));
        g.output("b", g.add("pool2", shared, r2));
        g.output("relu2", r2); // a second reader of the ReLU's output: its gradient needs the derivative too
        try (Model m = Model.of(g, DType.F64, 1)) {
            assertTrue(alone.appliesReluDerivative(), "the pooling that alone reads the ReLU");
            assertFalse(shared.appliesReluDerivative(), "the ReLU's output is also a model output");
            // away from ties and kinks, the handed-over derivative is the finite difference's
            Tensor in = m.context().allocate(2, 1, 4, 4);
            Fill.uniform(in, 3);
            GradCheck.check(m, Map.of("x", in), 4, "relu handed to max pooling in a graph");
        }
    }

    /** Rounds every element to a multiple of 1/4 and clamps it to [-1, 1]. */
    private static void quarter(Tensor t) {
        Tensor f = t.reshape(t.numel());
        for (long i = 0; i < f.numel(); i++) f.set(Math.max(-1, Math.min(1, Math.rint(f.get(i) * 4) / 4)), i);
    }

    private static void fill(Tensor t, double v) {
        for (long i = 0; i < t.numel(); i++) t.set(v, i);
    }

    private static void copy(Tensor from, Tensor to) {
        Tensor f = from.reshape(from.numel()), t = to.reshape(to.numel());
        for (long i = 0; i < f.numel(); i++) t.set(f.get(i), i);
    }

    private static double[] values(Tensor t) {
        Tensor f = t.reshape(t.numel());
        double[] v = new double[(int) t.numel()];
        for (int i = 0; i < v.length; i++) v[i] = f.get(i);
        return v;
    }
}
