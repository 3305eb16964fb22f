package dev.vecnn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.nn.LayerGradientTest.Input;
import dev.vecnn.nn.layer.Activation;
import dev.vecnn.nn.layer.Arithmetic;
import dev.vecnn.nn.layer.BatchNorm;
import dev.vecnn.nn.layer.Concat;
import dev.vecnn.nn.layer.ConvLayer;
import dev.vecnn.nn.layer.Dense;
import dev.vecnn.nn.layer.Dropout;
import dev.vecnn.nn.layer.Flatten;
import dev.vecnn.nn.layer.PoolIndices;
import dev.vecnn.nn.layer.PoolLayer;
import dev.vecnn.nn.layer.SpatialGather;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.MemoryFormat;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A model laid out channels-last ({@link Model#memoryFormat}) computes what it computes channels-first. Where
 * every kernel sums in the same order in both layouts (the convolutions' forward and backward passes except the
 * depthwise backward-data, the channel sums of bias gradients and of batch normalisation's statistics, taken in
 * (image, position) order, max pooling) and elementwise layers compute each element alone, the test asserts the
 * same bits, not a tolerance. Average pooling and the depthwise backward-data sum in another order channels-last
 * (window taps in row-major order; the taps of a phase): those are checked against a bound on the rounding of
 * two orders of one sum.
 */
class MemoryFormatTest {
    /** A ResNet-like 2-D network: stem, batch norm, ReLU handed to a max pooling, a residual block, grouped, 1x1, GELU, gates, head. */
    static Graph resNetLike() {
        Graph g = new Graph();
        Graph.Node x = g.input("x", 3, 12, 10);
        Graph.Node stem = g.add("stem", new ConvLayer(8, 5, 5).stride(2, 2).padding(2, 2), x);
        Graph.Node bn = g.add("bn", new BatchNorm(), stem);
        Graph.Node relu = g.add("relu", Activation.relu(), bn);
        Graph.Node pool = g.add("pool", PoolLayer.max(3, 3).stride(2, 2).padding(1, 1), g.add("c0", new ConvLayer(8, 3, 3).padding(1, 1).epilogue(Epilogue.relu()), relu));
        Graph.Node a = g.add("a", new ConvLayer(8, 3, 3).padding(1, 1).epilogue(Epilogue.relu()), pool);
        Graph.Node b = g.add("b", new ConvLayer(8, 3, 3).padding(1, 1), a);
        Graph.Node sum = g.add("sum", Arithmetic.add(), b, pool);
        Graph.Node dw = g.add("grouped", new ConvLayer(8, 3, 3).padding(1, 1).groups(2).epilogue(Epilogue.clip(0, 6)), g.add("r2", Activation.relu(), sum));
        Graph.Node pw = g.add("pw", new ConvLayer(12, 1, 1).epilogue(Epilogue.gelu()), dw);
        Graph.Node drop = g.add("drop", new Dropout(0.25), pw);
        Graph.Node mul = g.add("mul", Arithmetic.mul(), drop, g.add("gate", new ConvLayer(12, 1, 1).epilogue(Epilogue.sigmoid()), pw));
        Graph.Node div = g.add("div", Arithmetic.div(), mul, g.add("den", Activation.hardSigmoid(0.1, 2), pw));
        Graph.Node head = g.add("gmp", PoolLayer.globalMax(), div);
        g.output("y", g.add("fc", new Dense(5), g.add("flat", new Flatten(), head)));
        return g;
    }

    /** Down, up (transposed), max pooling, nearest upsampling, a channel concatenation: a spatial output. */
    static Graph uNetLike() {
        Graph g = new Graph();
        Graph.Node x = g.input("x", 2, 8, 6);
        Graph.Node e = g.add("enc", new ConvLayer(3, 3, 3).padding(1, 1).epilogue(Epilogue.tanh()), x);
        Graph.Node d = g.add("down", new ConvLayer(4, 2, 2).stride(2, 2), e);
        Graph.Node u = g.add("up", new ConvLayer(3, 2, 2).stride(2, 2).transposed(), d);
        Graph.Node n = g.add("near", SpatialGather.nearest(2, 2), g.add("pool", PoolLayer.max(2, 2), e));
        Graph.Node cat = g.add("cat", new Concat(0), u, e, n);
        Graph.Node bn = g.add("bn", new BatchNorm(), cat);
        g.output("y", g.add("out", new ConvLayer(2, 3, 3).padding(1, 1).epilogue(Epilogue.leakyRelu(0.1)), bn));
        return g;
    }

    /** A 1-D chain: convolution, batch norm, leaky ReLU, max pooling, a dilated convolution. */
    static Graph conv1d() {
        return Graph.chain(new long[] {4, 40}, new ConvLayer(6, 5).padding(2), new BatchNorm(), Activation.leakyRelu(0.2),
                PoolLayer.max(2).stride(2), new ConvLayer(5, 3).dilation(2).padding(2).epilogue(Epilogue.hardSwish()), new Flatten(), new Dense(3));
    }

    /** A 3-D chain: a strided convolution, ReLU handed to a max pooling, a 1x1x1 convolution, a strided max pooling. */
    static Graph conv3d() {
        return Graph.chain(new long[] {2, 6, 7, 8}, new ConvLayer(5, 3, 3, 3).stride(2, 1, 2).padding(1, 1, 1), Activation.relu(),
                PoolLayer.max(2, 2, 2), new ConvLayer(4, 1, 1, 1), PoolLayer.max(1, 2, 2).stride(1, 2, 1), new Flatten(), new Dense(2));
    }

    static Stream<Arguments> cases() {
        List<Supplier<Graph>> graphs = List.of(MemoryFormatTest::resNetLike, MemoryFormatTest::uNetLike, MemoryFormatTest::conv1d,
                MemoryFormatTest::conv3d);
        List<String> names = List.of("resnet-like", "u-net-like", "conv1d", "conv3d");
        return Stream.of(DType.F32, DType.F64).flatMap(t -> java.util.stream.IntStream.range(0, graphs.size())
                .mapToObj(i -> Arguments.of(names.get(i), graphs.get(i), t)));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("cases")
    void channelsLastGivesTheChannelsFirstBits(String name, Supplier<Graph> graph, DType dtype) {
        try (Execution ex = Execution.withThreads(2); Arena arena = Arena.ofConfined();
             Model cf = Model.of(graph.get(), dtype, 11, ex); Model cl = Model.of(graph.get(), dtype, 11, ex).memoryFormat(MemoryFormat.CHANNELS_LAST)) {
            assertEquals(MemoryFormat.CHANNELS_LAST, cl.memoryFormat());
            long[] shape = withBatch(3, cf.sampleShape());
            Tensor x = Tensor.allocate(arena, dtype, shape);
            LayerGradientTest.fill(x, Input.UNIFORM, 5);
            Tensor xLast = MemoryFormat.CHANNELS_LAST.allocate(arena, dtype, shape);
            xLast.copyFrom(x);

            // training: outputs, input gradients, parameter gradients (dropout draws the same mask in both)
            Tensor yf = copy(arena, cf.forward(x, true));
            Tensor y = cl.forward(xLast, true);
            assertSameBits(name + " training output", yf, y);
            if (y.rank() >= 3 && y.size(1) > 1) assertTrue(y.isChannelsLast() && !y.isContiguous(), name + ": the output is channels-last");
            Tensor gy = Tensor.allocate(arena, dtype, y.shape());
            LayerGradientTest.fill(gy, Input.UNIFORM, 6);
            Tensor gxf = copy(arena, cf.backward(gy));
            Tensor gx = cl.backward(gy);
            assertSameBits(name + " input gradient", gxf, gx);
            List<Param> pf = cf.params(), pl = cl.params();
            for (int i = 0; i < pf.size(); i++) assertSameBits(name + " gradient of " + pf.get(i).name(), pf.get(i).grad(), pl.get(i).grad());
            for (int i = 0; i < cf.state().size(); i++) {
                assertSameBits(name + " " + cf.state().get(i).name(), cf.state().get(i).value(), cl.state().get(i).value());
            }

            // evaluation, with the input in either format, then frozen (packed weights, planned output memory)
            Tensor ef = copy(arena, cf.forward(x, false));
            assertSameBits(name + " evaluation, channels-first input", ef, cl.forward(x, false));
            assertSameBits(name + " evaluation, channels-last input", ef, cl.forward(xLast, false));
            cl.freeze();
            assertSameBits(name + " frozen evaluation", ef, cl.forward(xLast, false));
            assertSameBits(name + " frozen evaluation again", ef, cl.forward(x, false));
        }
    }

    static Stream<Arguments> otherOrders() {
        return Stream.of(DType.F32, DType.F64).flatMap(t -> Stream.of(
                Arguments.of("avg 3x3 s2 p1", new long[] {5, 9, 8}, (Supplier<Layer>) () -> PoolLayer.avg(3, 3).stride(2, 2).padding(1, 1), 9, t),
                Arguments.of("avg 2x2x2 3-d", new long[] {3, 4, 6, 5}, (Supplier<Layer>) () -> PoolLayer.avg(2, 2, 2), 8, t),
                Arguments.of("global avg", new long[] {7, 6, 5}, (Supplier<Layer>) PoolLayer::globalAvg, 30, t),
                Arguments.of("depthwise 3x3", new long[] {6, 7, 9}, (Supplier<Layer>) () -> new ConvLayer(6, 3, 3).padding(1, 1).groups(6), 9, t),
                Arguments.of("depthwise 5x5 s2", new long[] {4, 11, 10}, (Supplier<Layer>) () -> new ConvLayer(4, 5, 5).stride(2, 2).padding(2, 2).groups(4), 25, t),
                // its forward pass is a depthwise backward-data (found by a new-user check)
                Arguments.of("depthwise transposed 1-d", new long[] {12, 24}, (Supplier<Layer>) () -> new ConvLayer(12, 2).dilation(2).groups(12).transposed(1), 2, t)));
    }

    /**
     * Average pooling and depthwise convolutions channels-last: the same sums of k terms in another order. Each
     * order's rounding error is at most (k - 1) u sum|term| (first order, u the unit roundoff), so the two results
     * differ by at most 2 (k - 1) u sum|term|, plus one rounding of a division by k for an average: bounded here by
     * 2 k u k max|term| over the whole tensor (sum|term| <= k max|term|). Values and gradients are checked.
     */
    @ParameterizedTest(name = "{0} {4}")
    @MethodSource("otherOrders")
    void otherSummationOrdersStayWithinTheRoundingBound(String name, long[] sample, Supplier<Layer> layer, int k, DType dtype) {
        try (Execution ex = Execution.withThreads(2); Arena arena = Arena.ofConfined();
             Model cf = Model.of(sample, dtype, 4, ex, layer.get()); Model cl = Model.of(sample, dtype, 4, ex, layer.get()).memoryFormat(MemoryFormat.CHANNELS_LAST)) {
            double u = dtype == DType.F32 ? 0x1p-24 : 0x1p-53;
            Tensor x = Tensor.allocate(arena, dtype, withBatch(2, sample));
            LayerGradientTest.fill(x, Input.UNIFORM, 9);
            Tensor yf = copy(arena, cf.forward(x, true));
            Tensor y = cl.forward(x, true);
            double maxTerm = maxAbs(x) * (cf.params().isEmpty() ? 1 : maxAbs(cf.params().get(0).value()));
            assertWithin(name + " output", yf, y, 2.0 * k * k * u * maxTerm);
            Tensor gy = Tensor.allocate(arena, dtype, y.shape());
            LayerGradientTest.fill(gy, Input.UNIFORM, 10);
            Tensor gxf = copy(arena, cf.backward(gy));
            Tensor gx = cl.backward(gy);
            double maxGradTerm = maxAbs(gy) * (cf.params().isEmpty() ? 1 : maxAbs(cf.params().get(0).value()));
            assertWithin(name + " input gradient", gxf, gx, 2.0 * k * k * u * maxGradTerm);
            for (int i = 0; i < cf.params().size(); i++) {
                assertSameBits(name + " gradient of " + cf.params().get(i).name(), cf.params().get(i).grad(), cl.params().get(i).grad());
            }
        }
    }

    static double maxAbs(Tensor t) {
        Tensor c = copy(Arena.ofAuto(), t);
        double m = 0;
        for (long i = 0; i < c.numel(); i++) m = Math.max(m, Math.abs(c.getAt(i)));
        return m;
    }

    static void assertWithin(String what, Tensor expected, Tensor actual, double bound) {
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()), what + ": shape");
        Tensor e = copy(Arena.ofAuto(), expected), a = copy(Arena.ofAuto(), actual);
        for (long i = 0; i < e.numel(); i++) {
            double d = Math.abs(e.getAt(i) - a.getAt(i));
            if (!(d <= bound)) fail(what + ": row-major element " + i + " differs by " + d + " > " + bound + " (" + e.getAt(i) + " vs " + a.getAt(i) + ")");
        }
    }

    /**
     * A max pooling's argmax read by {@link PoolIndices} (the ONNX MaxPool Indices output) in a channels-last model:
     * the pooling writes it in its output's format, and the layer read it as if row-major (found by a new-user
     * check: 20 of 24 indices differed).
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(value = DType.class, names = {"F32", "F64"})
    void poolIndicesInAChannelsLastModel(DType dtype) {
        Supplier<Graph> graph = () -> {
            Graph g = new Graph();
            Graph.Node x = g.input("x", 3, 4, 6);
            PoolLayer p = PoolLayer.max(2, 2);
            g.output("y", g.add("pool", p, x));
            g.output("i", g.add("idx", new PoolIndices(p, 0), x));
            return g;
        };
        try (Arena arena = Arena.ofConfined(); Model cf = Model.of(graph.get(), dtype, 1);
             Model cl = Model.of(graph.get(), dtype, 1).memoryFormat(MemoryFormat.CHANNELS_LAST)) {
            Tensor x = Tensor.allocate(arena, dtype, 2, 3, 4, 6);
            for (long i = 0; i < x.numel(); i++) x.setAt(i, Math.sin(1.7 * i));
            for (boolean training : new boolean[] {false, true}) {
                java.util.Map<String, Tensor> f = cf.forward(java.util.Map.of("x", x), training), l = cl.forward(java.util.Map.of("x", x), training);
                Tensor fi = f.get("i").contiguous(arena), li = l.get("i").contiguous(arena);
                for (long i = 0; i < fi.numel(); i++) assertEquals(fi.getLongAt(i), li.getLongAt(i), "index " + i + " (training " + training + ")");
                assertSameBits("pooled", f.get("y"), l.get("y"));
            }
        }
    }

    /** A channels-first model's tensors stay row-major (the default is unchanged). */
    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("cases")
    void channelsFirstOutputsAreRowMajor(String name, Supplier<Graph> graph, DType dtype) {
        try (Arena arena = Arena.ofConfined(); Model m = Model.of(graph.get(), dtype, 3)) {
            assertEquals(MemoryFormat.CHANNELS_FIRST, m.memoryFormat());
            Tensor x = MemoryFormat.CHANNELS_LAST.allocate(arena, dtype, withBatch(2, m.sampleShape()));
            LayerGradientTest.fill(x, Input.UNIFORM, 1);
            Tensor y = m.forward(x, true);
            assertTrue(y.isContiguous(), name);
            Tensor gy = Tensor.allocate(arena, dtype, y.shape());
            gy.fill(1);
            Tensor gx = m.backward(gy);
            assertTrue(gx.isContiguous(), name);
            assertFalse(gx.numel() == 0);
        }
    }

    static long[] withBatch(long n, long[] sample) {
        long[] s = new long[sample.length + 1];
        s[0] = n;
        System.arraycopy(sample, 0, s, 1, sample.length);
        return s;
    }

    /** A row-major copy (the model's buffers are reused by the next pass). */
    static Tensor copy(Arena arena, Tensor t) {
        Tensor c = Tensor.allocate(arena, t.dtype(), t.shape());
        c.copyFrom(t);
        return c;
    }

    static void assertSameBits(String what, Tensor expected, Tensor actual) {
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()), what + ": shape");
        Tensor e = copy(Arena.ofAuto(), expected), a = copy(Arena.ofAuto(), actual); // row-major: element i is the same index in both
        for (long i = 0; i < e.numel(); i++) {
            if (Double.doubleToRawLongBits(e.getAt(i)) != Double.doubleToRawLongBits(a.getAt(i))) {
                fail(what + ": row-major element " + i + " of " + java.util.Arrays.toString(e.shape()) + ": expected " + e.getAt(i) + ", got " + a.getAt(i));
            }
        }
    }
}
