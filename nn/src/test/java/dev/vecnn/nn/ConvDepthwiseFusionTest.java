package dev.vecnn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.conv.ConvDepthwise;
import dev.vecnn.nn.layer.Activation;
import dev.vecnn.nn.layer.Arithmetic;
import dev.vecnn.nn.layer.ConvLayer;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.MemoryFormat;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import dev.vecnn.testing.Tolerance;
import java.lang.foreign.Arena;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A frozen model's evaluation passes run a convolution and the depthwise convolution that alone reads it as
 * one pass where the kernels can and it pays (Graph.findConvDepthwise, channels-last with 512-bit vectors, the
 * first output above {@link ConvDepthwise#PAYS_ABOVE} bytes): the same bits as
 * the layers one by one, in both memory formats, both dtypes, at batch 1 and 2 and at 1 and 3 threads, over several
 * passes (the output memory plan); pairs that must not run as one still run as before.
 */
class ConvDepthwiseFusionTest {
    /**
     * MobileNet-V2's blocks: an expansion with ReLU6 and a 3x3 depthwise with ReLU6 (fused Activation layers), a stride-2
     * one with epilogues, one whose 5x3 depthwise has no activation (its projection adds a residual); then pairs that are not run as one: an
     * expansion read twice, one with hard swish (its derivative needs the input, so it is applied after the
     * convolution), a depthwise with a multiplier of 2, and pairs whose first output is too small to pay (a 3x3
     * convolution before a depthwise, a 1x1 of 8 channels).
     */
    static Graph graph() {
        Graph g = new Graph();
        Graph.Node x = g.input("x", 8, 40, 36);
        Graph.Node e1 = g.add("e1", new ConvLayer(48, 1, 1), x);
        Graph.Node r1 = g.add("r1", Activation.clip(0, 6), e1);
        Graph.Node d1 = g.add("d1", new ConvLayer(48, 3, 3).groups(48).padding(1, 1), r1);
        Graph.Node s1 = g.add("s1", Activation.clip(0, 6), d1);
        Graph.Node p1 = g.add("p1", new ConvLayer(16, 1, 1), s1);
        Graph.Node e2 = g.add("e2", new ConvLayer(96, 1, 1).epilogue(Epilogue.clip(0, 6)), p1); // p1, a 1x1 before it, is not its pair
        Graph.Node d2 = g.add("d2", new ConvLayer(96, 3, 3).groups(96).padding(1, 1).stride(2, 2).epilogue(Epilogue.relu()), e2);
        Graph.Node e3 = g.add("e3", new ConvLayer(192, 1, 1), d2);
        Graph.Node d3 = g.add("d3", new ConvLayer(192, 5, 3).groups(192).padding(2, 1), e3); // no activation
        Graph.Node p3 = g.add("p3", new ConvLayer(96, 1, 1), d3);
        Graph.Node a3 = g.add("a3", Arithmetic.add(), d2, p3); // p3 computes the addition, d2 its addend
        // not run as one
        Graph.Node e4 = g.add("e4", new ConvLayer(192, 1, 1), a3);
        Graph.Node d4 = g.add("d4", new ConvLayer(192, 3, 3).groups(192).padding(1, 1), e4);
        Graph.Node a4 = g.add("a4", Arithmetic.add(), e4, d4); // e4 read twice
        Graph.Node e5 = g.add("e5", new ConvLayer(192, 1, 1).epilogue(Epilogue.hardSwish()), a4);
        Graph.Node d5 = g.add("d5", new ConvLayer(192, 3, 3).groups(192).padding(1, 1), e5);
        Graph.Node c6 = g.add("c6", new ConvLayer(32, 3, 3).padding(1, 1), d5);
        Graph.Node d6 = g.add("d6", new ConvLayer(32, 3, 3).groups(32).padding(1, 1), c6);
        Graph.Node e7 = g.add("e7", new ConvLayer(16, 1, 1), d6);
        Graph.Node d7 = g.add("d7", new ConvLayer(32, 3, 3).groups(16).padding(1, 1), e7);
        Graph.Node e8 = g.add("e8", new ConvLayer(8, 1, 1), d7);
        Graph.Node d8 = g.add("d8", new ConvLayer(8, 3, 3).groups(8).padding(1, 1), e8); // small: two passes pay as well
        g.output("y", d8);
        g.output("mid", s1); // a depthwise output that is also the model's

        return g;
    }

    @Test
    void frozenPassesKeepTheBitsOfTheLayersOneByOne() {
        for (DType t : new DType[] {DType.F32, DType.F64}) {
            for (MemoryFormat f : new MemoryFormat[] {MemoryFormat.CHANNELS_LAST, MemoryFormat.CHANNELS_FIRST}) {
                for (int threads : new int[] {1, 3}) {
                    try (Arena a = Arena.ofConfined(); Execution ex = Execution.withThreads(threads)) {
                        Graph fused = graph();
                        Model plain = Model.of(graph(), t, 5, ex).memoryFormat(f), frozen = Model.of(fused, t, 5, ex).memoryFormat(f).freeze();
                        for (int pass = 0; pass < 4; pass++) {
                            // batch 1 too: a planned output's size-1 dimensions have other strides than the input's
                            Tensor x = Fill.uniform(a, t, new long[] {pass % 2 + 1, 8, 40, 36}, pass);
                            Map<String, Tensor> want = plain.forward(Map.of("x", x), false), got = frozen.forward(Map.of("x", x), false);
                            String where = t + " " + f + " threads " + threads + " pass " + pass;
                            for (String o : want.keySet()) Tolerance.assertIdentical(got.get(o), want.get(o), where + " output " + o);
                            // e1-d1, e2-d2 and e3-d3 where the kernels run pairs as one; none of the others
                            assertEquals(f == MemoryFormat.CHANNELS_LAST && kernelsFuse(a, t) ? 3 : 0, fused.pairsRunAsOne(), where);
                        }
                        plain.close();
                        frozen.close();
                    }
                }
            }
        }
    }

    /**
     * Nodes of another branch between a pair's two nodes, a depthwise output that is a model output and one read by two
     * layers, batches that change from pass to pass, and weights changed while frozen (then {@code weightsChanged()}) and
     * between an unfreeze and a freeze: the pairs run as one with the new weights, the same bits as unfrozen passes.
     */
    @Test
    void branchesFanOutAndChangedWeights() {
        for (int threads = 1; threads <= 2; threads++) {
            try (Arena a = Arena.ofConfined(); Execution ex = Execution.withThreads(threads)) {
                Graph fused = branches();
                Model plain = Model.of(branches(), DType.F32, 5, ex).memoryFormat(MemoryFormat.CHANNELS_LAST);
                Model frozen = Model.of(fused, DType.F32, 5, ex).memoryFormat(MemoryFormat.CHANNELS_LAST).freeze();
                for (int pass = 0; pass < 6; pass++) {
                    Tensor x = Fill.uniform(a, DType.F32, new long[] {pass % 3 + 1, 8, 40, 36}, pass);
                    Map<String, Tensor> want = plain.forward(Map.of("x", x), false), got = frozen.forward(Map.of("x", x), false);
                    String where = "threads " + threads + " pass " + pass;
                    for (String o : want.keySet()) Tolerance.assertIdentical(got.get(o), want.get(o), where + " output " + o);
                    assertEquals(kernelsFuse(a, DType.F32) ? 2 : 0, fused.pairsRunAsOne(), where); // e1-d1 and e2-d2
                    if (pass == 2) { // new weights while frozen
                        rewrite(plain, 1000);
                        rewrite(frozen, 1000);
                        frozen.context().weightsChanged();
                    } else if (pass == 3) { // and between an unfreeze and a freeze
                        frozen.unfreeze();
                        rewrite(plain, 2000);
                        rewrite(frozen, 2000);
                        frozen.freeze();
                    }
                }
                plain.close();
                frozen.close();
            }
        }
    }

    private static Graph branches() {
        Graph g = new Graph();
        Graph.Node x = g.input("x", 8, 40, 36);
        Graph.Node c0 = g.add("c0", new ConvLayer(16, 3, 3).padding(1, 1), x);
        Graph.Node e1 = g.add("e1", new ConvLayer(64, 1, 1), c0);
        Graph.Node b1 = g.add("b1", new ConvLayer(64, 1, 1).epilogue(Epilogue.relu()), c0); // another branch, between e1 and d1
        Graph.Node b2 = g.add("b2", new ConvLayer(64, 3, 3).padding(1, 1), b1);
        Graph.Node r1 = g.add("r1", Activation.clip(0, 6), e1);
        Graph.Node b3 = g.add("b3", new ConvLayer(64, 1, 1), b2);
        Graph.Node d1 = g.add("d1", new ConvLayer(64, 3, 3).groups(64).padding(1, 1).epilogue(Epilogue.clip(0, 6)), r1);
        Graph.Node cat = g.add("cat", new dev.vecnn.nn.layer.Concat(1), d1, b3);
        Graph.Node e2 = g.add("e2", new ConvLayer(128, 1, 1), cat);
        Graph.Node d2 = g.add("d2", new ConvLayer(128, 3, 3).groups(128).padding(1, 1).stride(2, 2), e2);
        Graph.Node s2 = g.add("s2", Activation.relu(), d2);
        Graph.Node p2 = g.add("p2", new ConvLayer(32, 1, 1), s2);
        Graph.Node q2 = g.add("q2", new ConvLayer(32, 1, 1), s2); // the depthwise output read twice
        g.output("y", g.add("a2", Arithmetic.add(), p2, q2));
        g.output("d1", d1); // a depthwise output made early is also the model's
        g.output("b2", b2);
        return g;
    }

    private static void rewrite(Model m, long seed) {
        for (Param p : m.params()) Fill.uniform(p.value(), seed++);
    }

    /** Whether the kernels run a pair as one on this machine (512-bit vectors and the Vector API). */
    private static boolean kernelsFuse(Arena a, DType t) {
        ConvSpec p = ConvSpec.parse("mb1ic8ih13iw11oc48oh13ow11kh1kw1"), d = ConvSpec.parse("g48mb1ic48ih13iw11oc48oh13ow11kh3kw3ph1pw1");
        return ConvDepthwise.fuses(p, d, MemoryFormat.CHANNELS_LAST.allocate(a, t, p.inputShape()), MemoryFormat.CHANNELS_LAST);
    }
}
