package dev.vecnn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.nn.LayerGradientTest.Input;
import dev.vecnn.nn.layer.Activation;
import dev.vecnn.nn.layer.Arithmetic;
import dev.vecnn.nn.layer.BatchNorm;
import dev.vecnn.nn.layer.Concat;
import dev.vecnn.nn.layer.ConstantArithmetic;
import dev.vecnn.nn.layer.ConvLayer;
import dev.vecnn.nn.layer.Dense;
import dev.vecnn.nn.layer.Elementwise;
import dev.vecnn.nn.layer.Flatten;
import dev.vecnn.nn.layer.PoolLayer;
import dev.vecnn.nn.layer.Reshape;
import dev.vecnn.nn.layer.SpatialGather;
import dev.vecnn.nn.layer.Transpose;
import dev.vecnn.nn.loss.Loss;
import dev.vecnn.nn.optim.Optimizer;
import dev.vecnn.nn.train.Trainer;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graph models: gradients through every edge against finite differences ({@link GradCheck}, float64),
 * summed where a tensor fans out; the new layers and merges; summaries along paths; weights, training
 * and every rejection.
 */
class GraphTest {
    static Tensor input(Model m, long seed, Input kind, long... shape) {
        Tensor x = m.context().allocate(shape);
        LayerGradientTest.fill(x, kind, seed);
        return x;
    }

    /** input -> conv -> bn -> tanh -> (+ input), and the input also feeds a second branch multiplied in. */
    static Graph residualWithFanOut() {
        Graph g = new Graph();
        Graph.Node x = g.input("x", 3, 5, 4);
        Graph.Node c = g.add("conv", new ConvLayer(3, 3, 3).padding(1, 1), x);
        Graph.Node b = g.add("bn", new BatchNorm(), c);
        Graph.Node t = g.add("act", Activation.tanh(), b);
        Graph.Node r = g.add("res", Arithmetic.add(), t, x);
        Graph.Node s = g.add("gate", new ConvLayer(3, 1, 1).epilogue(Epilogue.sigmoid()), x);
        Graph.Node m = g.add("mul", Arithmetic.mul(), r, s);
        g.output("y", g.add("head", new Dense(2), g.add("flat", new Flatten(), m)));
        return g;
    }

    @Test
    void residualAndFanOutGradients() {
        try (Model m = Model.of(residualWithFanOut(), DType.F64, 3)) {
            GradCheck.check(m, input(m, 5, Input.UNIFORM, 2, 3, 5, 4), 7, "residual with fan-out");
        }
    }

    @Test
    void uNetLikeGradients() {
        // down (stride 2), up (transposed), concatenated with the skip, then a fused-tanh convolution
        Graph g = new Graph();
        Graph.Node x = g.input("x", 2, 6, 6);
        Graph.Node e = g.add("enc", new ConvLayer(3, 3, 3).padding(1, 1).epilogue(Epilogue.tanh()), x);
        Graph.Node d = g.add("down", new ConvLayer(4, 2, 2).stride(2, 2), e);
        Graph.Node u = g.add("up", new ConvLayer(3, 2, 2).stride(2, 2).transposed(), d);
        Graph.Node n = g.add("near", SpatialGather.nearest(2, 2), g.add("pool", PoolLayer.avg(2, 2), e));
        Graph.Node cat = g.add("cat", new Concat(0), u, e, n);
        g.output("y", g.add("out", new ConvLayer(2, 3, 3).padding(1, 1), cat));
        try (Model m = Model.of(g, DType.F64, 4)) {
            assertArrayEquals(new long[] {9, 6, 6}, m.graph().shape("cat"));
            GradCheck.check(m, input(m, 6, Input.UNIFORM, 2, 2, 6, 6), 8, "u-net");
        }
    }

    @Test
    void severalInputsAndOutputs() {
        Graph g = new Graph();
        Graph.Node a = g.input("a", 2, 3);
        Graph.Node b = g.input("b", 2, 1);
        Graph.Node s = g.add("sig", Activation.sigmoid(), b);
        Graph.Node den = g.add("den", ConstantArithmetic.of("add", false, new long[] {1}, 0.5), s);
        Graph.Node q = g.add("div", Arithmetic.div(), a, den); // (2,3) / (2,1): broadcast along the last dimension
        Graph.Node d = g.add("sub", Arithmetic.sub(), q, a);
        Graph.Node t = g.add("t", new Transpose(1, 0), d);
        Graph.Node r = g.add("r", new Reshape(-1), t);
        g.output("flat", r);
        g.output("scaled", g.add("scale", ConstantArithmetic.of("mul", true, new long[] {1, 2, 1}, 2, -3), q));
        try (Model m = Model.of(g, DType.F64, 1)) {
            Map<String, Tensor> xs = new LinkedHashMap<>();
            xs.put("a", input(m, 1, Input.UNIFORM, 3, 2, 3));
            xs.put("b", input(m, 2, Input.UNIFORM, 3, 2, 1));
            GradCheck.check(m, xs, 9, "two inputs, two outputs");
            assertEquals(List.of("flat", "scaled"), List.copyOf(m.forward(xs, false).keySet()));
            assertThrows(IllegalArgumentException.class, () -> m.forward(xs.get("a"), false));
        }
    }

    @Test
    void newLayersGradients() {
        List<Supplier<Layer[]>> cases = List.of(
                () -> new Layer[] {SpatialGather.pad(SpatialGather.PadMode.CONSTANT, new int[] {1, 0}, new int[] {2, -1}, 0.5)},
                () -> new Layer[] {SpatialGather.pad(SpatialGather.PadMode.REFLECT, new int[] {2, 1}, new int[] {1, 2}, 0)},
                () -> new Layer[] {SpatialGather.pad(SpatialGather.PadMode.EDGE, new int[] {3, 0}, new int[] {0, 2}, 0)},
                () -> new Layer[] {SpatialGather.nearest(2, 1.5)},
                () -> new Layer[] {Activation.clip(-1, 1)},
                () -> new Layer[] {Activation.hardSigmoid(0.5, 0.5)},
                () -> new Layer[] {ConstantArithmetic.of("mul", false, new long[] {1}, 2), Activation.hardSwish()},
                () -> new Layer[] {new ConvLayer(2, 3, 3).padding(1, 1).epilogue(Epilogue.sigmoid()), new Transpose(2, 0, 1), new Reshape(4, -1)});
        for (Supplier<Layer[]> c : cases) {
            Layer[] ls = c.get();
            try (Model m = Model.of(new long[] {2, 4, 3}, DType.F64, 2, c.get())) {
                GradCheck.check(m, input(m, 3, Input.AWAY_FROM_ZERO, 2, 2, 4, 3), 4, List.of(ls));
            }
        }
    }

    @Test
    void layerValuesByHand() {
        try (Model m = Model.of(new long[] {1, 3}, DType.F64, 1, SpatialGather.pad(SpatialGather.PadMode.REFLECT, new int[] {2}, new int[] {1}, 0))) {
            Tensor x = m.context().allocate(1, 1, 3);
            for (int i = 0; i < 3; i++) x.set(i + 1, 0, 0, i);
            Tensor y = m.forward(x, false);
            assertArrayEquals(new double[] {3, 2, 1, 2, 3, 2}, values(y)); // numpy.pad([1,2,3], (2,1), 'reflect')
        }
        try (Model m = Model.of(new long[] {1, 3}, DType.F64, 1, SpatialGather.pad(SpatialGather.PadMode.EDGE, new int[] {1}, new int[] {2}, 0))) {
            Tensor x = m.context().allocate(1, 1, 3);
            for (int i = 0; i < 3; i++) x.set(i + 1, 0, 0, i);
            assertArrayEquals(new double[] {1, 1, 2, 3, 3, 3}, values(m.forward(x, false)));
        }
        try (Model m = Model.of(new long[] {1, 3}, DType.F64, 1, SpatialGather.nearest(2))) {
            Tensor x = m.context().allocate(1, 1, 3);
            for (int i = 0; i < 3; i++) x.set(i + 1, 0, 0, i);
            assertArrayEquals(new double[] {1, 1, 2, 2, 3, 3}, values(m.forward(x, false)));
        }
        try (Model m = Model.of(new long[] {4}, DType.F64, 1, Activation.clip(0, 6), Activation.hardSwish())) {
            Tensor x = m.context().allocate(1, 4);
            double[] v = {-1, 1.5, 4, 7};
            for (int i = 0; i < 4; i++) x.set(v[i], 0, i);
            // clip: 0, 1.5, 4, 6; hard swish: 0, 1.5 * (1.5/6 + .5) = 1.125, 4 (4/6 + .5 > 1), 6
            assertArrayEquals(new double[] {0, 1.125, 4, 6}, values(m.forward(x, false)), 1e-15);
        }
    }

    static double[] values(Tensor t) {
        Tensor c = t.isContiguous() ? t : t.contiguous(java.lang.foreign.Arena.ofAuto());
        double[] v = new double[(int) c.numel()];
        for (int i = 0; i < v.length; i++) v[i] = Elementwise.get(c, c.offset() + i);
        return v;
    }

    @Test
    void fanOutSumsTheGradientsOfEveryEdge() {
        // y = x + x + x: dL/dx = 3 dL/dy exactly
        Graph g = new Graph();
        Graph.Node x = g.input("x", 4);
        Graph.Node two = g.add("two", Arithmetic.add(), x, x);
        g.output("y", g.add("three", Arithmetic.add(), two, x));
        try (Model m = Model.of(g, DType.F64, 1)) {
            Tensor in = input(m, 1, Input.UNIFORM, 2, 4);
            m.forward(in, true);
            Tensor gy = input(m, 2, Input.UNIFORM, 2, 4);
            double[] gx = values(m.backward(gy)), expected = values(gy);
            for (int i = 0; i < expected.length; i++) expected[i] *= 3;
            assertArrayEquals(expected, gx, 0);
        }
    }

    @Test
    void anOutputWithoutGradientLeavesItsBranchAtZero() {
        Graph g = new Graph();
        Graph.Node x = g.input("x", 3);
        g.output("a", g.add("da", new Dense(2), x));
        g.output("b", g.add("db", new Dense(2), x));
        try (Model m = Model.of(g, DType.F64, 1)) {
            Tensor in = input(m, 1, Input.UNIFORM, 2, 3);
            m.forward(Map.of("x", in), true);
            for (Param p : m.params()) p.grad().fill(7);
            m.backward(Map.of("a", input(m, 2, Input.UNIFORM, 2, 2)));
            for (Param p : m.params()) {
                if (p.name().startsWith("db")) assertTrue(java.util.Arrays.stream(values(p.grad())).allMatch(v -> v == 0), p.name());
                else assertTrue(java.util.Arrays.stream(values(p.grad())).anyMatch(v -> v != 0 && v != 7), p.name());
            }
        }
    }

    @Test
    void summaryTakesTheWidestPath() {
        Graph g = new Graph();
        Graph.Node x = g.input("x", 1, 32, 32);
        Graph.Node a = g.add("a", new ConvLayer(2, 3, 3).padding(1, 1), x);             // r 3
        Graph.Node b = g.add("b", new ConvLayer(2, 5, 5).padding(2, 2), x);             // r 5
        Graph.Node s = g.add("sum", Arithmetic.add(), a, b);                             // r 5
        Graph.Node p = g.add("pool", PoolLayer.max(2, 2), s);                           // r 6, j 2
        g.output("y", g.add("c", new ConvLayer(1, 3, 3), p));                           // r 6 + 2*2 = 10, j 2
        try (Model m = Model.of(g, DType.F32, 1)) {
            var rows = m.summary().rows();
            assertEquals(List.of("a", "b", "sum", "pool", "c"), rows.stream().map(Summary.Row::name).toList());
            assertArrayEquals(new double[] {5, 5}, rows.get(2).receptive());
            assertArrayEquals(new double[] {6, 6}, rows.get(3).receptive());
            assertArrayEquals(new double[] {10, 10}, rows.get(4).receptive());
            assertArrayEquals(new double[] {2, 2}, rows.get(4).jump());
            assertTrue(rows.get(2).layer().contains("add a, b"), rows.get(2).layer());
            assertEquals(20 + 52 + 19, m.summary().total());
        }
    }

    @Test
    void saveLoadAndTrainingOnAGraph(@TempDir Path dir) throws Exception {
        Tensor xs, ys;
        double first, last;
        try (Model m = Model.of(residualWithFanOut(), DType.F32, 3)) {
            xs = input(m, 1, Input.UNIFORM, 16, 3, 5, 4).contiguous(java.lang.foreign.Arena.ofAuto());
            ys = input(m, 2, Input.UNIFORM, 16, 2).contiguous(java.lang.foreign.Arena.ofAuto());
            Trainer t = new Trainer(m, Loss.mse(), Optimizer.adam(m.context(), m.params(), 1e-2, 0)).progress(null, false);
            var h = t.fit(xs, ys, 15, 8);
            first = h.get(0).loss();
            last = h.get(h.size() - 1).loss();
            assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
            m.save(dir.resolve("g.npz"));
            double[] before = values(m.forward(xs, false));
            try (Model n = Model.of(residualWithFanOut(), DType.F32, 99)) {
                n.load(dir.resolve("g.npz"));
                assertArrayEquals(before, values(n.forward(xs, false)), 0);
            }
        }
    }

    @Test
    void rejections() {
        Graph g = new Graph();
        Graph.Node x = g.input("x", 2, 4);
        assertThrows(IllegalArgumentException.class, () -> g.input("x", 3));
        assertThrows(IllegalArgumentException.class, () -> g.input("z", 0, 3));
        ConvLayer c = new ConvLayer(2, 3);
        g.add("c", c, x);
        assertThrows(IllegalArgumentException.class, () -> g.add("c2", c, x)); // one layer, two nodes
        Graph other = new Graph();
        Graph.Node o = other.input("o", 2, 4);
        assertThrows(IllegalArgumentException.class, () -> g.add("d", Activation.relu(), o));
        assertThrows(IllegalArgumentException.class, () -> g.node("nope"));
        assertThrows(NullPointerException.class, () -> g.add("n", (Layer) null, x));

        // shapes that do not meet
        Graph bad = new Graph();
        Graph.Node a = bad.input("a", 2, 4);
        Graph.Node b = bad.input("b", 3, 5);
        bad.output("y", bad.add("sum", Arithmetic.add(), a, b));
        assertThrows(IllegalArgumentException.class, () -> Model.of(bad, DType.F32, 1));
        Graph badCat = new Graph();
        Graph.Node p = badCat.input("p", 2, 4);
        Graph.Node q = badCat.input("q", 3, 5);
        badCat.output("y", badCat.add("cat", new Concat(0), p, q));
        assertThrows(IllegalArgumentException.class, () -> Model.of(badCat, DType.F32, 1));
        Graph noOut = new Graph();
        noOut.input("x", 2);
        assertThrows(IllegalArgumentException.class, () -> Model.of(noOut, DType.F32, 1));

        // inputs at run time, and a graph is built once
        g.output("y", g.node("c"));
        try (Model m = Model.of(g, DType.F32, 1)) {
            assertThrows(IllegalStateException.class, () -> g.input("late", 1));
            assertThrows(IllegalArgumentException.class, () -> m.forward(Map.of("x", m.context().allocate(1, 2, 5)), false));
            assertThrows(IllegalArgumentException.class, () -> m.forward(Map.of("w", m.context().allocate(1, 2, 4)), false));
            assertThrows(IllegalArgumentException.class, () -> m.forward(Map.<String, Tensor>of(), false));
            assertThrows(IllegalArgumentException.class, () -> m.backward(Map.of("nope", m.context().allocate(1, 2, 2))));
        }
        Graph two = new Graph();
        Graph.Node t = two.input("t", 2);
        two.output("a", t).output("b", two.add("r", Activation.relu(), t));
        try (Model m = Model.of(two, DType.F32, 1)) {
            assertThrows(IllegalArgumentException.class, () -> new Trainer(m, Loss.mse(), Optimizer.sgd(m.context(), m.params(), 0.1, 0, 0)));
            assertThrows(IllegalArgumentException.class, m::outputShape);
        }
    }
}
