package dev.vecnn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.nn.io.SafeTensors;
import dev.vecnn.nn.layer.Activation;
import dev.vecnn.nn.layer.Arithmetic;
import dev.vecnn.nn.layer.BatchNorm;
import dev.vecnn.nn.layer.Concat;
import dev.vecnn.nn.layer.ConvLayer;
import dev.vecnn.nn.layer.Dense;
import dev.vecnn.nn.layer.Flatten;
import dev.vecnn.nn.layer.PoolLayer;
import dev.vecnn.nn.layer.Reshape;
import dev.vecnn.nn.layer.Softmax;
import dev.vecnn.nn.loss.Loss;
import dev.vecnn.nn.optim.Optimizer;
import dev.vecnn.nn.train.Trainer;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A frozen model's convolutions reuse weights packed once per input shape: the same bits as reading the
 * weights per call, repacked after every loader and {@code weightsChanged()}, and no backward pass while
 * frozen (it would start a step the packed copies do not follow). In its evaluation passes the layers'
 * outputs share memory once no later layer reads them: the same bits again, on a graph whose values fan out,
 * are viewed (flatten) and concatenated, with less memory, and no backward pass from such a pass's values.
 */
class FreezeTest {
    @TempDir
    Path dir;

    /** Padded, fused-ReLU, grouped and strided convolutions (gemm kernels that pack their weights), then dense. */
    static Model model(DType t, long seed) {
        return Model.of(new long[] {4, 10, 10}, t, seed, new ConvLayer(16, 3, 3).padding(1, 1), Activation.relu(),
                new ConvLayer(16, 3, 3).groups(2), new ConvLayer(8, 3, 3).stride(2), new Flatten(), new Dense(3));
    }

    static double[] run(Model m, Arena a, long batch, long seed) {
        Tensor x = Fill.uniform(a, m.context().dtype(), new long[] {batch, 4, 10, 10}, seed);
        Tensor out = m.forward(x, false), y = out.reshape(out.numel());
        double[] v = new double[(int) y.numel()];
        for (int i = 0; i < v.length; i++) v[i] = y.get(i);
        return v;
    }

    @Test
    void frozenForwardHasTheSameBitsAtEveryBatchSize() {
        for (DType t : new DType[] {DType.F32, DType.F64}) {
            try (Arena a = Arena.ofConfined(); Model plain = model(t, 1); Model frozen = model(t, 1).freeze()) {
                assertTrue(frozen.frozen());
                for (long batch : new long[] {3, 1, 5, 3, 2, 7, 3}) { // more shapes than the 4 kept: evicted ones repack
                    assertArrayEquals(run(plain, a, batch, batch), run(frozen, a, batch, batch), t + " batch " + batch);
                }
            }
        }
    }

    /**
     * A residual block whose input fans out to a convolution and the addition, a concatenation of two
     * branches, batch normalization, pooling, a flatten (a view of the pooling's output) read by a ReLU of the
     * same size and, after it, two dense heads: the ReLU must not take the pooling's memory.
     */
    static Model graph(DType t, long seed) {
        Graph g = new Graph();
        Graph.Node x = g.input("x", 4, 8, 8);
        Graph.Node c1 = g.add("c1", new ConvLayer(8, 3, 3).padding(1, 1), x);
        Graph.Node r1 = g.add("r1", Activation.relu(), c1);
        Graph.Node c2 = g.add("c2", new ConvLayer(8, 3, 3).padding(1, 1), r1);
        Graph.Node sum = g.add("sum", Arithmetic.add(), c2, r1);
        Graph.Node b1 = g.add("b1", new ConvLayer(4, 1, 1), sum), b2 = g.add("b2", new ConvLayer(4, 3, 3).padding(1, 1), sum);
        Graph.Node cat = g.add("cat", new Concat(0), b1, b2);
        Graph.Node bn = g.add("bn", new BatchNorm(), cat);
        Graph.Node pool = g.add("pool", PoolLayer.max(2, 2), bn);
        Graph.Node flat = g.add("flat", new Flatten(), pool);
        // an output of the pooling's size that runs while the flatten's view of the pooling's memory is still read
        g.output("c", g.add("c", Activation.relu(), flat));
        g.output("a", g.add("a", new Dense(3), flat));
        g.output("b", g.add("b", new Dense(2), flat));
        return Model.of(g, t, seed);
    }

    private static double[] values(Tensor t) {
        Tensor f = t.reshape(t.numel());
        double[] v = new double[(int) f.numel()];
        for (int i = 0; i < v.length; i++) v[i] = f.get(i);
        return v;
    }

    @Test
    void frozenEvaluationPassesShareOutputMemoryAndKeepTheBits() {
        for (DType t : new DType[] {DType.F32, DType.F64}) {
            try (Arena a = Arena.ofConfined(); Model plain = graph(t, 4); Model frozen = graph(t, 4).freeze()) {
                for (long batch : new long[] {2, 3, 2}) {
                    Tensor x = Fill.uniform(a, t, new long[] {batch, 4, 8, 8}, batch);
                    long before = plain.context().allocations(), frozenBefore = frozen.context().allocations();
                    var want = plain.forward(java.util.Map.of("x", x), false);
                    var got = frozen.forward(java.util.Map.of("x", x), false);
                    for (String o : new String[] {"a", "b", "c"}) assertArrayEquals(values(want.get(o)), values(got.get(o)), t + " batch " + batch + " " + o);
                    if (batch == 3) {
                        // a new batch size: one buffer per layer output unfrozen; fewer frozen, where values die
                        long plainNew = plain.context().allocations() - before, frozenNew = frozen.context().allocations() - frozenBefore;
                        assertTrue(frozenNew < plainNew, "output buffers: frozen " + frozenNew + ", unfrozen " + plainNew);
                    }
                }
                // a second pass of a seen batch size allocates nothing
                Tensor x = Fill.uniform(a, t, new long[] {2, 4, 8, 8}, 9);
                long count = frozen.context().allocations();
                frozen.forward(java.util.Map.of("x", x), false);
                assertEquals(count, frozen.context().allocations());
            }
        }
    }

    /** 1x1 convolutions from 4 channels to 8, 6, 5 and 3: each output of another size than all before it. */
    static Model narrowing(DType t, long seed) {
        Graph g = new Graph();
        Graph.Node v = g.input("x", 4, 8, 8);
        for (long c : new long[] {8, 6, 5, 3}) v = g.add("c" + c, new ConvLayer(c, 1, 1), v);
        g.output("y", v);
        return Model.of(g, t, seed);
    }

    /**
     * From the second pass on, the outputs lie in one arena planned from the first pass's lifetimes: the 8-channel
     * output at offset 0, the 6-channel one after it, the 5-channel one at 0 and the 3-channel one after that, both
     * in the dead 8-channel output's memory: 8 + 6 channels in all (lent by element count only, the four outputs
     * would need 8 + 6 + 5 + 3).
     * The first pass's buffers are freed when the third starts: its output, read then, throws. A larger batch
     * plans a larger arena, which the smaller one then uses too; after both, no pass allocates.
     */
    @Test
    void outputsLieInOneArenaPlannedFromTheirLifetimes() {
        for (DType t : new DType[] {DType.F32, DType.F64}) {
            try (Arena a = Arena.ofConfined(); Model plain = narrowing(t, 2); Model frozen = narrowing(t, 2).freeze()) {
                long[] batches = {2, 2, 2, 3, 2, 3, 2};
                Tensor first = null;
                for (int pass = 0; pass < batches.length; pass++) {
                    long batch = batches[pass];
                    Tensor x = Fill.uniform(a, t, new long[] {batch, 4, 8, 8}, batch);
                    long before = frozen.context().allocations();
                    Tensor y = frozen.forward(java.util.Map.of("x", x), false).get("y");
                    assertArrayEquals(values(plain.forward(x, false)), values(y), t + " pass " + pass);
                    if (pass == 0) first = y;
                    if (pass == 1 || pass == 2) {
                        assertEquals(before, frozen.context().allocations(), t + " pass " + pass);
                        assertEquals((8 + 6) * 2 * 64, frozen.context().outputMemoryElements(), t + " pass " + pass);
                    }
                    if (pass == 2) {
                        Tensor gone = first;
                        assertThrows(IllegalStateException.class, () -> gone.get(0, 0, 0, 0));
                    }
                    if (pass == 4) assertEquals((8 + 6) * 3 * 64, frozen.context().outputMemoryElements(), t + " pass " + pass);
                    if (pass >= 4) assertEquals(before, frozen.context().allocations(), t + " pass " + pass);
                }
            }
        }
    }

    /** The greedy-by-size placement of four requests whose lifetimes form a chain, and of ones alive together. */
    @Test
    void greedyBySizePlacement() {
        long[] at = new long[4];
        // sizes 1024, 768, 640, 384; each alive until the one after the next is requested; the last to the end
        assertEquals(1792, OutputMemory.place(new long[] {1024, 768, 640, 384}, new long[] {2, 3, 4, Long.MAX_VALUE}, at));
        assertArrayEquals(new long[] {0, 1024, 0, 640}, at);
        // all alive together: one after another, largest first, sizes rounded up to 16 elements
        assertEquals(48 + 32 + 16, OutputMemory.place(new long[] {5, 40, 17}, new long[] {9, 9, 9}, at = new long[3]));
        assertArrayEquals(new long[] {80, 0, 48}, at);
    }

    /**
     * Random graphs of 1x1 convolutions of random widths, concatenations and additions, whose values fan out to
     * later nodes and to the outputs: a frozen pass has the bits of an unfrozen one, and repeating it allocates
     * nothing.
     */
    @Test
    void randomGraphsKeepTheBitsAndStopAllocating() {
        for (int seed = 0; seed < 40; seed++) {
            java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
            DType t = seed % 2 == 0 ? DType.F32 : DType.F64;
            int nodes = 3 + r.nextInt(10), graphSeed = seed;
            java.util.function.LongFunction<Model> build = s -> {
                java.util.SplittableRandom q = new java.util.SplittableRandom(graphSeed);
                Graph g = new Graph();
                java.util.List<Graph.Node> vs = new java.util.ArrayList<>();
                java.util.List<Long> widths = new java.util.ArrayList<>();
                vs.add(g.input("x", 3, 5, 5));
                widths.add(3L);
                for (int k = 0; k < nodes; k++) {
                    int i = q.nextInt(vs.size()), j = q.nextInt(vs.size()), kind = q.nextInt(4);
                    long w;
                    Graph.Node v;
                    if (kind == 0 && i != j) {
                        v = g.add("n" + k, new Concat(0), vs.get(i), vs.get(j));
                        w = widths.get(i) + widths.get(j);
                    } else if (kind == 1 && widths.get(i).equals(widths.get(j))) {
                        v = g.add("n" + k, Arithmetic.add(), vs.get(i), vs.get(j));
                        w = widths.get(i);
                    } else {
                        w = 1 + q.nextInt(9);
                        v = g.add("n" + k, new ConvLayer(w, 1, 1), vs.get(i));
                    }
                    vs.add(v);
                    widths.add(w);
                }
                g.output("last", vs.get(vs.size() - 1));
                g.output("some", vs.get(1 + q.nextInt(vs.size() - 1)));
                return Model.of(g, t, s);
            };
            try (Arena a = Arena.ofConfined(); Model plain = build.apply(7); Model frozen = build.apply(7).freeze()) {
                for (int pass = 0; pass < 3; pass++) {
                    Tensor x = Fill.uniform(a, t, new long[] {2, 3, 5, 5}, pass);
                    var want = plain.forward(java.util.Map.of("x", x), false);
                    long before = frozen.context().allocations();
                    var got = frozen.forward(java.util.Map.of("x", x), false);
                    for (String o : want.keySet()) assertArrayEquals(values(want.get(o)), values(got.get(o)), "seed " + seed + " pass " + pass + " " + o);
                    if (pass > 0) assertEquals(before, frozen.context().allocations(), "seed " + seed + " pass " + pass);
                }
            }
        }
    }

    /** A pass's output fed back in as the next pass's input keeps its memory until its last reader has run. */
    @Test
    void anOutputFedBackInIsNotOverwritten() {
        for (DType t : new DType[] {DType.F32, DType.F64}) {
            try (Arena a = Arena.ofConfined();
                 Model plain = Model.of(new long[] {4, 8, 8}, t, 3, new ConvLayer(4, 3, 3).padding(1, 1), Activation.relu(),
                         new ConvLayer(4, 3, 3).padding(1, 1));
                 Model frozen = Model.of(new long[] {4, 8, 8}, t, 3, new ConvLayer(4, 3, 3).padding(1, 1), Activation.relu(),
                         new ConvLayer(4, 3, 3).padding(1, 1)).freeze()) {
                // fed back five times: the input lies in the first pass's buffers, then in the planned arena
                Tensor x = Fill.uniform(a, t, new long[] {2, 4, 8, 8}, 8), want = x, got = x;
                for (int pass = 0; pass < 6; pass++) {
                    want = plain.forward(want, false).to(a, t);
                    got = frozen.forward(got, false);
                    assertArrayEquals(values(want), values(got), t + " pass " + pass);
                }
            }
        }
    }

    /**
     * x, a convolution, its sum with x, and (twoConvolutions) a convolution of the sum: x is read until the sum,
     * after the first convolution's output is taken.
     */
    static Model residualChain(DType t, boolean twoConvolutions) {
        Graph g = new Graph();
        Graph.Node x = g.input("x", 4, 6, 6);
        Graph.Node c1 = g.add("c1", new ConvLayer(4, 3, 3).padding(1, 1), x);
        Graph.Node sum = g.add("sum", Arithmetic.add(), c1, x);
        g.output("y", twoConvolutions ? g.add("c2", new ConvLayer(4, 3, 3).padding(1, 1), sum) : sum);
        return Model.of(g, t, 4);
    }

    /**
     * Fed back, the output lies where the plan puts the first convolution's output, while it is still to be read
     * by the sum: that request must leave the plan (the planned slice overlaps a value in use; taking it, the
     * convolution would write over its own input, which it rejects). In the steady loop that follows, the output
     * alternates between the plan and the buffers kept for such requests, and no pass allocates.
     */
    @Test
    void aPlannedSliceThatOverlapsAFedBackInputIsNotTaken() {
        for (DType t : new DType[] {DType.F32, DType.F64}) {
            for (boolean twoConvolutions : new boolean[] {true, false}) {
                try (Arena a = Arena.ofConfined(); Model plain = residualChain(t, twoConvolutions);
                     Model frozen = residualChain(t, twoConvolutions).freeze()) {
                    Tensor want = Fill.uniform(a, t, new long[] {2, 4, 6, 6}, 3), got = want;
                    long settled = 0;
                    for (int pass = 0; pass < 10; pass++) {
                        if (pass == 4) settled = frozen.context().allocations();
                        want = plain.forward(java.util.Map.of("x", want), false).get("y").to(a, t);
                        got = frozen.forward(java.util.Map.of("x", got), false).get("y");
                        assertArrayEquals(values(want), values(got), t + " pass " + pass);
                    }
                    assertEquals(settled, frozen.context().allocations(), t + " passes 4-9, " + (twoConvolutions ? "two convolutions" : "one"));
                }
            }
        }
    }

    /**
     * Outputs that layers write into their own work tensors, fed back in while a later node still reads the input:
     * a softmax's output (read again by a sum after the softmax has run) and a channels-last flatten's copy (read by a
     * dense head after the flatten has run), and unfrozen, a convolution's output. Found by a new user: the layer
     * overwrote the input before the later node read it (or, a convolution, rejected it as overlapping its output).
     * Each pass is compared with a twin model given a fresh copy of the same input.
     */
    @Test
    void outputsInLayersWorkTensorsFedBackIn() {
        for (boolean freeze : new boolean[] {true, false}) {
            for (int graph = 0; graph < 3; graph++) {
                try (Arena a = Arena.ofConfined(); Model m = workTensorLoop(graph, freeze); Model twin = workTensorLoop(graph, false)) {
                    long[] shape = graph == 0 ? new long[] {1, 2, 3} : graph == 1 ? new long[] {1, 8} : new long[] {2, 4, 6, 6};
                    Tensor x = Fill.uniform(a, DType.F64, shape, 11);
                    String out = "y", other = graph == 0 ? "x2" : graph == 1 ? "d" : "y";
                    for (int pass = 0; pass < 4; pass++) {
                        Tensor fresh = x.contiguous(a);
                        var want = twin.forward(java.util.Map.of("x", fresh), false);
                        var got = m.forward(java.util.Map.of("x", x), false);
                        String what = (graph == 0 ? "softmax" : graph == 1 ? "channels-last flatten" : "convolution, sum, convolution")
                                + (freeze ? ", frozen" : "") + ", pass " + pass;
                        assertArrayEquals(values(want.get(other)), values(got.get(other)), what);
                        assertArrayEquals(values(want.get(out)), values(got.get(out)), what);
                        x = got.get(out); // fed back
                    }
                }
            }
        }
    }

    /**
     * Graph 0: y = softmax(x), x2 = y + x. Graph 1 (channels-last): y = flatten(conv1x1(reshape(x))), d = dense(x).
     * Graph 2: {@link #residualChain} (unfrozen, a convolution's output fed back was rejected as overlapping its input).
     */
    static Model workTensorLoop(int graph, boolean freeze) {
        Graph g = new Graph();
        Model m;
        if (graph == 2) {
            m = residualChain(DType.F64, true);
        } else if (graph == 0) {
            Graph.Node x = g.input("x", 2, 3);
            Graph.Node sm = g.add("sm", new Softmax(), x);
            g.output("y", sm);
            g.output("x2", g.add("x2", Arithmetic.add(), sm, x));
            m = Model.of(g, DType.F64, 1);
        } else {
            Graph.Node x = g.input("x", 8);
            Graph.Node c = g.add("c", new ConvLayer(2, 1, 1), g.add("r", new Reshape(2, 2, 2), x));
            g.output("y", g.add("f", new Flatten(), c));
            g.output("d", g.add("d", new Dense(1).bias(false), x));
            m = Model.of(g, DType.F64, 1).memoryFormat(dev.vecnn.tensor.MemoryFormat.CHANNELS_LAST);
        }
        return freeze ? m.freeze() : m;
    }

    /** A closed model's forward says the model is closed; closing twice does nothing; its outputs throw, no crash. */
    @Test
    void aClosedModelSaysSo() {
        try (Arena a = Arena.ofConfined()) {
            Model m = narrowing(DType.F32, 1).freeze();
            Tensor x = Fill.uniform(a, DType.F32, new long[] {2, 4, 8, 8}, 1);
            Tensor y = m.forward(java.util.Map.of("x", x), false).get("y");
            m.close();
            m.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.forward(java.util.Map.of("x", x), false));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> y.get(0, 0, 0, 0));
        }
    }

    @Test
    void noBackwardFromTheValuesOfAFrozenEvaluationPass() {
        try (Arena a = Arena.ofConfined(); Model m = graph(DType.F64, 1)) {
            Tensor x = Fill.uniform(a, DType.F64, new long[] {2, 4, 8, 8}, 5);
            var gys = java.util.Map.of("a", Fill.uniform(a, DType.F64, new long[] {2, 3}, 6));
            m.freeze();
            m.forward(java.util.Map.of("x", x), false);
            m.unfreeze();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.backward(gys));
            assertTrue(e.getMessage().contains("frozen evaluation pass"), e.getMessage());
            m.forward(java.util.Map.of("x", x), false);
            m.backward(gys); // values of an unfrozen pass: kept
        }
    }

    @Test
    void loadersAndWeightsChangedRepack() throws IOException {
        Path npz = dir.resolve("w.npz"), st = dir.resolve("w.safetensors");
        try (Arena a = Arena.ofConfined(); Model source = model(DType.F32, 1); Model other = model(DType.F32, 2);
             Model m = model(DType.F32, 3).freeze()) {
            source.save(npz);
            SafeTensors.save(st, other);
            double[] before = run(m, a, 2, 9); // packs seed 3's weights
            m.load(npz);
            assertArrayEquals(run(source, a, 2, 9), run(m, a, 2, 9));
            SafeTensors.load(st, m);
            double[] fromOther = run(other, a, 2, 9);
            assertArrayEquals(fromOther, run(m, a, 2, 9));
            assertFalse(java.util.Arrays.equals(before, fromOther));
            // writes of one's own: not seen until weightsChanged() (the documented contract: the packed copy is used),
            // then as by an unfrozen model
            m.params().get(0).value().fill(0.125);
            assertArrayEquals(fromOther, run(m, a, 2, 9));
            m.context().weightsChanged();
            double[] frozen = run(m, a, 2, 9);
            m.unfreeze();
            assertArrayEquals(run(m, a, 2, 9), frozen);
        }
    }

    @Test
    void backwardWhileFrozenThrowsBeforeAnyGradientIsWritten() {
        try (Arena a = Arena.ofConfined(); Model m = model(DType.F64, 1)) {
            Tensor x = Fill.uniform(a, DType.F64, new long[] {2, 4, 10, 10}, 5);
            Tensor gy = Fill.uniform(a, DType.F64, new long[] {2, 3}, 6);
            m.freeze();
            m.forward(x, true);
            for (Param p : m.params()) p.grad().fill(7);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.backward(gy));
            assertTrue(e.getMessage().contains("frozen for inference") && e.getMessage().contains("unfreeze()"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> m.backwardParameters(gy));
            Trainer t = new Trainer(m, Loss.mse(), Optimizer.sgd(m.context(), m.params(), 0.1, 0, 0));
            double w0 = m.params().get(0).value().reshape(m.params().get(0).value().numel()).get(0);
            assertThrows(IllegalStateException.class, () -> t.fit(x, gy, 1, 2)); // before any step: weights untouched
            // gradients from an unfrozen pass, then frozen: a step would move weights under the packed copies
            Optimizer sgd = Optimizer.sgd(m.context(), m.params(), 0.1, 0, 0);
            assertThrows(IllegalStateException.class, sgd::step);
            assertEquals(w0, m.params().get(0).value().reshape(m.params().get(0).value().numel()).get(0));
            for (Param p : m.params()) assertEquals(7.0, p.grad().reshape(p.grad().numel()).get(0), p.name());
            m.unfreeze();
            assertFalse(m.frozen());
            m.forward(x, true);
            m.backward(gy);
            assertTrue(m.params().stream().anyMatch(p -> p.grad().reshape(p.grad().numel()).get(0) != 7.0));
        }
    }
}
