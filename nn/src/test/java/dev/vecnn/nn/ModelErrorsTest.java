package dev.vecnn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.nn.layer.Activation;
import dev.vecnn.nn.layer.Arithmetic;
import dev.vecnn.nn.layer.BatchNorm;
import dev.vecnn.nn.layer.ConvLayer;
import dev.vecnn.nn.layer.Dense;
import dev.vecnn.nn.layer.Flatten;
import dev.vecnn.nn.layer.PoolLayer;
import dev.vecnn.nn.layer.Residual;
import dev.vecnn.nn.layer.Sequential;
import dev.vecnn.nn.loss.Loss;
import dev.vecnn.nn.optim.Optimizer;
import dev.vecnn.nn.train.Trainer;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Npy;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nn API's errors are of the documented kind and name what is wrong: the input's dtype (not a
 * weight's), null layers by position, null arguments by name, and weight files that are truncated,
 * of an integer dtype, or hold non-finite values.
 */
class ModelErrorsTest {
    @TempDir
    Path dir;

    static void npe(String message, Executable call) {
        NullPointerException e = assertThrows(NullPointerException.class, call, message);
        assertEquals(message, e.getMessage());
    }

    static Model small(DType t, long seed) {
        return Model.of(new long[] {2, 6, 6}, t, seed, new ConvLayer(3, 3, 3), new Flatten(), new Dense(4));
    }

    /** A loss used outside a Trainer before on(context): an IllegalStateException that says how to bind it. */
    @Test
    void anUnboundLossSaysHowToBindIt() {
        try (Arena a = Arena.ofConfined()) {
            Tensor p = Fill.uniform(a, DType.F32, new long[] {2, 3}, 1), t = Fill.uniform(a, DType.F32, new long[] {2, 3}, 2);
            for (Loss loss : new Loss[] {Loss.mse(), Loss.bceWithLogits()}) {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> loss.forward(p, t));
                assertTrue(e.getMessage().contains("on(model.context())"), e.getMessage());
            }
            Tensor labels = Tensor.allocate(a, DType.F32, 2);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Loss.softmaxCrossEntropy().forward(p, labels));
            assertTrue(e.getMessage().contains("on(model.context())"), e.getMessage());
        }
    }

    @Test
    void float64InputToAFloat32ModelBlamesTheInput() {
        // regression: "w: dtype f32, expected f64" from the convolution kernels' checks
        try (Arena a = Arena.ofConfined(); Model m = small(DType.F32, 1);
             Model dense = Model.of(new long[] {5}, DType.F32, 1, new Dense(2));
             Model pool = Model.of(new long[] {1, 4}, DType.F64, 1, PoolLayer.max(2), Activation.relu())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.forward(Tensor.allocate(a, DType.F64, 2, 2, 6, 6), false));
            assertTrue(e.getMessage().startsWith("x: dtype f64, but the model's input 'input' is built for f32"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> dense.forward(Tensor.allocate(a, DType.F64, 3, 5), true));
            assertTrue(e.getMessage().startsWith("x: dtype f64, but the model's input 'input' is built for f32"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> pool.forward(Tensor.allocate(a, DType.F32, 3, 1, 4), true));
            assertTrue(e.getMessage().startsWith("x: dtype f32, but the model's input 'input' is built for f64"), e.getMessage());
            npe("x", () -> m.forward((Tensor) null, false));
        }
    }

    @Test
    void nullLayersAndArgumentsAreNamed() {
        // regression: a bare NullPointerException from List.of
        npe("layers[2] is null", () -> Model.of(new long[] {2, 6, 6}, DType.F32, 1, new ConvLayer(3, 3, 3), new Flatten(), null, new Dense(4)));
        npe("sampleShape", () -> Model.of(null, DType.F32, 1, new Flatten()));
        npe("dtype", () -> Model.of(new long[] {3}, null, 1, new Flatten()));
        npe("inner", () -> new Residual(null));
        npe("kernel", () -> new ConvLayer(3, (int[]) null));
        npe("stride", () -> new ConvLayer(3, 3).stride((int[]) null));
        npe("paddingMode", () -> new ConvLayer(3, 3).paddingMode(null));
        npe("kernel", () -> PoolLayer.max((int[]) null));
        npe("output", () -> PoolLayer.adaptiveAvg((long[]) null));
        try (Model m = small(DType.F32, 1)) {
            npe("loss", () -> new Trainer(m, null, Optimizer.sgd(m.context(), m.params(), 0.1, 0, 0)));
            npe("params", () -> Optimizer.adam(m.context(), null, 0.1, 0));
            Trainer t = new Trainer(m, Loss.mse(), Optimizer.sgd(m.context(), m.params(), 0.1, 0, 0));
            npe("x", () -> t.fit(null, null, 1, 1));
            npe("policy", () -> t.onNonFiniteLoss(null));
            npe("file", () -> m.load(null));
        }
    }

    /**
     * A layer that does not fit the samples it receives is named with its node, what it is and those samples
     * (a new user's chain and a graph with two residual additions could not tell which layer failed).
     */
    @Test
    void aLayerThatDoesNotFitIsNamedWithItsNode() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Model.of(new long[] {1, 16, 16, 16}, DType.F32, 1,
                new ConvLayer(16, 3, 3, 3).padding(1), Activation.relu(), PoolLayer.max(2, 2, 2), new ConvLayer(8, 20, 3, 3)));
        assertTrue(e.getMessage().startsWith("node '3' (conv3d 8 k20x3x3) on samples [16, 8, 8, 8]: kernel[0] = 20"), e.getMessage());
        Graph g = new Graph();
        Graph.Node x = g.input("x", 8, 6, 6);
        Graph.Node a = g.add("convA", new ConvLayer(8, 3, 3).padding(1, 1), x);
        Graph.Node r1 = g.add("res1", Arithmetic.add(), a, x);
        Graph.Node c = g.add("convC", new ConvLayer(4, 3, 3).padding(1, 1), r1);
        g.output("y", g.add("res2", Arithmetic.add(), r1, c));
        e = assertThrows(IllegalArgumentException.class, () -> Model.of(g, DType.F32, 1));
        assertTrue(e.getMessage().startsWith("node 'res2' (add) on samples [8, 6, 6] and [4, 6, 6]: add: shapes"), e.getMessage());
        Layer block = new Sequential(new ConvLayer(4, 3, 3), new ConvLayer(4, 9, 9));
        e = assertThrows(IllegalArgumentException.class, () -> Model.of(new long[] {2, 8, 8}, DType.F32, 1, block));
        assertTrue(e.getMessage().startsWith("node '0' (") && e.getMessage().contains("layers[1] (conv2d 4 k9x9) on samples [4, 6, 6]: "),
                e.getMessage());
    }

    @Test
    void hyperparametersThatCannotWorkAreRejectedNamingThem() {
        try (Model m = small(DType.F32, 1)) {
            String[][] cases = {{"lr: must be finite and >= 0, got NaN"}, {"momentum: must be finite and >= 0, got -0.5"},
                {"weightDecay: must be finite and >= 0, got Infinity"}, {"lr: must be finite and >= 0, got -0.001"}};
            Executable[] calls = {
                () -> Optimizer.sgd(m.context(), m.params(), Double.NaN, 0, 0),
                () -> Optimizer.sgd(m.context(), m.params(), 0.1, -0.5, 0),
                () -> Optimizer.adamW(m.context(), m.params(), 0.1, Double.POSITIVE_INFINITY),
                () -> Optimizer.adam(m.context(), m.params(), -0.001, 0)};
            for (int i = 0; i < calls.length; i++) {
                assertEquals(cases[i][0], assertThrows(IllegalArgumentException.class, calls[i]).getMessage());
            }
            assertEquals("eps: must be finite and >= 0, got NaN", assertThrows(IllegalArgumentException.class, () -> new BatchNorm(Double.NaN, 0.1)).getMessage());
            assertEquals("momentum: must be in [0, 1], got 1.5", assertThrows(IllegalArgumentException.class, () -> new BatchNorm(1e-5, 1.5)).getMessage());
            assertEquals("alpha: must be finite, got NaN", assertThrows(IllegalArgumentException.class, () -> Activation.leakyRelu(Double.NaN)).getMessage());
            Trainer t = new Trainer(m, Loss.mse(), Optimizer.sgd(m.context(), m.params(), 0.1, 0, 0));
            try (Arena a = Arena.ofConfined()) {
                Tensor x = Tensor.allocate(a, DType.F32, 2, 2, 6, 6), y = Tensor.allocate(a, DType.F32, 2, 4);
                assertEquals("epochs: must be >= 0, got -1", assertThrows(IllegalArgumentException.class, () -> t.fit(x, y, -1, 1)).getMessage());
            }
        }
    }

    @Test
    void aDenseEquivalentBeyondALongIsSaidSoNotWrapped() {
        // 2^32 inputs and outputs: a dense layer would need 2^64 weights
        try (Model m = Model.of(new long[] {1, 1 << 16, 1 << 16}, DType.F32, 1, new ConvLayer(1, 3, 3).padding(1, 1))) {
            ConvLayer c = (ConvLayer) m.layers().get(0);
            assertEquals(Long.MAX_VALUE, c.denseEquivalentParameters());
            assertTrue(m.summary().toString().contains("> 2^63 / 4,294,967,297"), m.summary().toString());
        }
    }

    static void writeNpz(Path file, Map<String, Tensor> arrays, Path scratch) throws IOException {
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (var e : arrays.entrySet()) {
                Npy.write(scratch, e.getValue());
                zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
                Files.copy(scratch, zip);
                zip.closeEntry();
            }
        }
    }

    /** The model's parameters as F64 arrays, with {@code name} replaced by {@code replacement}. */
    static Map<String, Tensor> arrays(Model m, Arena a, String name, Tensor replacement) {
        Map<String, Tensor> all = new LinkedHashMap<>();
        for (Param p : m.params()) all.put(p.name(), p.name().equals(name) ? replacement : p.value().to(a, DType.F64));
        return all;
    }

    static double[] flat(Model m) {
        return m.params().stream().flatMapToDouble(p -> {
            Tensor v = p.value().reshape(p.value().numel());
            return java.util.stream.LongStream.range(0, v.numel()).mapToDouble(v::get);
        }).toArray();
    }

    @Test
    void integerAndNonFiniteArraysAreRejectedNamingTheEntry() throws IOException {
        Path f = dir.resolve("w.npz"), scratch = dir.resolve("scratch.npy");
        try (Arena a = Arena.ofConfined(); Model m = small(DType.F32, 1)) {
            double[] before = flat(m);
            // regression: integer arrays of the right shape loaded without a word
            writeNpz(f, arrays(m, a, "0.bias", Tensor.of(new long[] {1, 2, 3}, 3)), scratch);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.load(f));
            assertEquals(f + ": array '0.bias' has dtype i64; parameters are floating point (f4 or f8; the model is f32)", e.getMessage());
            // regression: all-NaN arrays loaded without a word
            Tensor nan = Tensor.allocate(a, DType.F64, 4, 48);
            nan.fill(Double.NaN);
            writeNpz(f, arrays(m, a, "2.weight", nan), scratch);
            e = assertThrows(IllegalArgumentException.class, () -> m.load(f));
            assertEquals(f + ": array '2.weight' holds NaN at [0, 0]; parameters must be finite", e.getMessage());
            Tensor inf = Tensor.of(new double[] {0, 1, Double.NEGATIVE_INFINITY}, 3);
            writeNpz(f, arrays(m, a, "0.bias", inf), scratch);
            e = assertThrows(IllegalArgumentException.class, () -> m.load(f));
            assertEquals(f + ": array '0.bias' holds -Infinity at [2]; parameters must be finite", e.getMessage());
            // finite in float64 but not in the float32 model
            writeNpz(f, arrays(m, a, "0.bias", Tensor.of(new double[] {0, 1e300, 2}, 3)), scratch);
            e = assertThrows(IllegalArgumentException.class, () -> m.load(f));
            assertTrue(e.getMessage().contains("array '0.bias' holds 1.0E300 at [1], beyond the range of the model's f32"), e.getMessage());
            for (int i = 0; i < before.length; i++) assertEquals(before[i], flat(m)[i], 0, "a failed load changes nothing");
        }
    }

    @Test
    void float64FilesLoadIntoFloat32ModelsRoundingToNearest() throws IOException {
        Path f = dir.resolve("w.npz"), scratch = dir.resolve("scratch.npy");
        try (Arena a = Arena.ofConfined(); Model m = small(DType.F32, 1); Model wide = small(DType.F64, 2)) {
            double third = 1.0 / 3, tie = 1 + 0x1p-24; // exactly halfway between two floats: to even (1.0)
            writeNpz(f, arrays(m, a, "0.bias", Tensor.of(new double[] {third, tie, -tie}, 3)), scratch);
            m.load(f);
            Tensor b = m.params().get(1).value();
            assertEquals((float) third, (float) b.get(0));
            assertEquals(1.0f, (float) b.get(1));
            assertEquals(-1.0f, (float) b.get(2));
            m.save(f); // float32 into float64: exact
            wide.load(f);
            for (int i = 0; i < 3; i++) assertEquals(b.get(i), wide.params().get(1).value().get(i), 0);
        }
    }

    @Test
    void truncatedFilesNameTheFileAndTheEntry() throws IOException {
        Path f = dir.resolve("w.npz"), cut = dir.resolve("cut.npz");
        try (Model m = small(DType.F32, 1); Model other = small(DType.F32, 2)) {
            m.save(f);
            byte[] all = Files.readAllBytes(f);
            double[] saved = flat(m);
            int eof = 0, loaded = 0;
            for (int len = 4; len < all.length; len += 7) { // (shorter, the zip header is incomplete: "not an .npz (zip) file")
                Files.write(cut, java.util.Arrays.copyOf(all, len));
                try {
                    other.load(cut);
                    // ZipInputStream stops at the central directory: cut inside it, every entry is whole
                    double[] got = flat(other);
                    for (int i = 0; i < saved.length; i++) assertEquals(saved[i], got[i], 0, "cut at " + len);
                    loaded++;
                } catch (EOFException e) {
                    // regression: EOFException "Unexpected end of ZLIB input stream" without the file
                    assertTrue(e.getMessage().startsWith(cut + ": the file ends "), "cut at " + len + ": " + e.getMessage());
                    assertTrue(e.getMessage().contains("entry"), e.getMessage());
                    eof++;
                }
            }
            assertTrue(eof > 10 && loaded > 0, eof + " truncated inside an entry, " + loaded + " loaded");
        }
    }

    @Test
    void aTruncatedEntryInTheMiddleIsNamed() throws IOException {
        Path f = dir.resolve("w.npz"), cut = dir.resolve("cut.npz");
        try (Model m = small(DType.F32, 1)) {
            m.save(f);
            byte[] all = Files.readAllBytes(f);
            Files.write(cut, java.util.Arrays.copyOf(all, all.length / 3));
            EOFException e = assertThrows(EOFException.class, () -> m.load(cut));
            assertTrue(e.getMessage().matches(java.util.regex.Pattern.quote(cut.toString()) + ": the file ends inside entry '[0-9.a-z]+\\.npy'.*"),
                    e.getMessage());
        }
    }

    @Test
    void batchNormInFloat64ModelsRejectsFloat32InputToo() {
        try (Arena a = Arena.ofConfined(); Model m = Model.of(new long[] {2, 3}, DType.F64, 1, new BatchNorm())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.forward(Fill.uniform(a, DType.F32, new long[] {4, 2, 3}, 1), true));
            assertTrue(e.getMessage().startsWith("x: dtype f32, but the model's input 'input' is built for f64"), e.getMessage());
        }
    }
}
