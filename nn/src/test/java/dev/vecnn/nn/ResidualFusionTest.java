package dev.vecnn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.nn.layer.Activation;
import dev.vecnn.nn.layer.Arithmetic;
import dev.vecnn.nn.layer.ConvLayer;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.MemoryFormat;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import java.lang.foreign.Arena;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A frozen model's evaluation passes compute a residual addition, and the activation that alone reads it, inside the
 * convolution before it (Graph.findResidualAdditions): the same bits as the layers one by one, in both memory formats,
 * both dtypes, at batch 1 and 2 and at 1 and 3 threads; what is not fused (a convolution with an activation of its own, one
 * read twice, one that runs before its addend, an addition of an activation layer) still runs as before.
 */
class ResidualFusionTest {
    /**
     * Two ResNet blocks: one whose addend is the block's input (conv2 + x, then ReLU), one with a strided 1x1
     * downsample that runs after the block's second convolution (torchvision's order: the downsample is the one fused,
     * its addend conv2's output), and one MobileNet-V2 projection without activation after the addition. Then additions
     * that are not fused: of a convolution with a ReLU, of one read twice, and of one that runs before its addend.
     */
    static Graph graph() {
        Graph g = new Graph();
        Graph.Node x = g.input("x", 16, 8, 8);
        Graph.Node c1 = g.add("c1", new ConvLayer(16, 3, 3).padding(1, 1), x);
        Graph.Node r1 = g.add("r1", Activation.relu(), c1);
        Graph.Node c2 = g.add("c2", new ConvLayer(16, 3, 3).padding(1, 1), r1);
        Graph.Node a1 = g.add("a1", Arithmetic.add(), c2, x); // fused with the ReLU after it
        Graph.Node b1 = g.add("b1", Activation.relu(), a1);
        Graph.Node d1 = g.add("d1", new ConvLayer(24, 3, 3).padding(1, 1).stride(2, 2), b1);
        Graph.Node d2 = g.add("d2", Activation.relu(), d1);
        Graph.Node d3 = g.add("d3", new ConvLayer(24, 3, 3).padding(1, 1), d2);
        Graph.Node down = g.add("down", new ConvLayer(24, 1, 1).stride(2, 2), b1);
        Graph.Node a2 = g.add("a2", Arithmetic.add(), d3, down); // the downsample is fused, with the ReLU after
        Graph.Node b2 = g.add("b2", Activation.relu(), a2);
        Graph.Node p = g.add("p", new ConvLayer(24, 1, 1), b2);
        Graph.Node a3 = g.add("a3", Arithmetic.add(), b2, p); // a projection: no activation after
        // not fused: a convolution with a ReLU of its own; one whose output is also an output; one that runs first
        Graph.Node q = g.add("q", new ConvLayer(24, 1, 1), a3);
        Graph.Node qr = g.add("qr", Activation.relu(), q);
        Graph.Node a4 = g.add("a4", Arithmetic.add(), qr, a3);
        Graph.Node s = g.add("s", new ConvLayer(24, 1, 1), a4);
        Graph.Node a5 = g.add("a5", Arithmetic.add(), s, a4);
        Graph.Node early = g.add("early", new ConvLayer(24, 1, 1), a5);
        Graph.Node late = g.add("late", new ConvLayer(24, 3, 3).padding(1, 1), a5);
        Graph.Node late2 = g.add("late2", Activation.relu(), late);
        Graph.Node a6 = g.add("a6", Arithmetic.add(), early, late2);
        Graph.Node own = g.add("own", new ConvLayer(24, 1, 1).epilogue(Epilogue.relu()), a6);
        Graph.Node a7 = g.add("a7", Arithmetic.add(), own, a6); // a convolution with an activation of its own
        g.output("y", a7);
        g.output("s", s);
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
                        // a1 (with b1), a2 (the downsample, with b2) and a3; not a4, a5, a6, a7
                        assertEquals(3, fused.residualAdditions());
                        for (int pass = 0; pass < 4; pass++) {
                            // batch 1 too: a planned output's size-1 dimensions have other strides than the input's
                            Tensor x = Fill.uniform(a, t, new long[] {pass % 2 + 1, 16, 8, 8}, pass);
                            Map<String, Tensor> want = plain.forward(Map.of("x", x), false), got = frozen.forward(Map.of("x", x), false);
                            String where = t + " " + f + " threads " + threads + " pass " + pass;
                            for (String o : want.keySet()) assertArrayEquals(values(want.get(o)), values(got.get(o)), where + " output " + o);
                        }
                        plain.close();
                        frozen.close();
                    }
                }
            }
        }
    }

    private static double[] values(Tensor t) {
        double[] v = new double[(int) t.numel()];
        int[] i = {0};
        Fill.forEach(t, idx -> v[i[0]++] = t.get(idx));
        return v;
    }
}
