package dev.vecnn.onnx;

import static dev.vecnn.onnx.OnnxFixtures.checkF32;
import static dev.vecnn.onnx.OnnxFixtures.npy;
import static dev.vecnn.onnx.OnnxFixtures.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.nn.Graph;
import dev.vecnn.nn.Layer;
import dev.vecnn.nn.Model;
import dev.vecnn.nn.layer.Activation;
import dev.vecnn.nn.layer.Arithmetic;
import dev.vecnn.nn.layer.BatchNorm;
import dev.vecnn.nn.layer.Concat;
import dev.vecnn.nn.layer.ConstantArithmetic;
import dev.vecnn.nn.layer.ConvLayer;
import dev.vecnn.nn.layer.Dense;
import dev.vecnn.nn.layer.Dropout;
import dev.vecnn.nn.layer.Flatten;
import dev.vecnn.nn.layer.PoolLayer;
import dev.vecnn.nn.layer.Reshape;
import dev.vecnn.nn.layer.Residual;
import dev.vecnn.nn.layer.Sequential;
import dev.vecnn.nn.layer.Softmax;
import dev.vecnn.nn.layer.SpatialGather;
import dev.vecnn.nn.layer.Transpose;
import dev.vecnn.nn.onnx.OnnxExport;
import dev.vecnn.nn.onnx.OnnxImport;
import dev.vecnn.spec.PaddingMode;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Export, then ONNX Runtime reproduces vecnn: every imported fixture written back out, and graphs built
 * in Java with every exportable layer. ONNX Runtime's float32 result must meet the criterion of
 * {@link OnnxFixtures} against the float64 reference (PyTorch's for fixtures, vecnn's float64 run of the
 * same weights for Java-built models), with vecnn's float32 result as the float32 comparison.
 */
class OnnxExportTest {
    static double[] ort(byte[] model, Map<String, Tensor> inputs) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            try (OrtSession s = env.createSession(model, o)) {
                Map<String, OnnxTensor> in = new java.util.LinkedHashMap<>();
                try {
                    for (var e : inputs.entrySet()) {
                        double[] v = values(e.getValue());
                        float[] f = new float[v.length];
                        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
                        in.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(f), e.getValue().shape()));
                    }
                    try (OrtSession.Result r = s.run(in)) {
                        FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
                        double[] out = new double[fb.remaining()];
                        for (int i = 0; i < out.length; i++) out[i] = fb.get(i);
                        return out;
                    }
                } finally {
                    for (OnnxTensor t : in.values()) t.close();
                }
            }
        }
    }

    @Test
    void everyImportedFixtureRoundTripsThroughOnnxRuntime() throws Exception {
        List<String> failures = new ArrayList<>();
        for (OnnxFixtures.Case c : OnnxFixtures.cases()) {
            try (Arena arena = Arena.ofConfined(); Model m = OnnxImport.load(OnnxFixtures.ROOT.resolve(c.name() + ".onnx"))) {
                Map<String, Tensor> xs = OnnxImportConformanceTest.inputs(m, c, arena, DType.F32);
                double[] mine = values(m.forward(xs, false).values().iterator().next());
                double[] y64 = values(npy(c.name() + ".y64.npy", arena));
                byte[] bytes = OnnxExport.toBytes(m);
                String f = checkF32(ort(bytes, xs), mine, y64);
                if (f != null) failures.add(c + " in ONNX Runtime: " + f);
                try (Model back = OnnxImport.load(bytes, OnnxImport.Options.defaults())) { // and read back by vecnn
                    String g = checkF32(values(back.forward(xs, false).values().iterator().next()), mine, y64);
                    if (g != null) failures.add(c + " re-imported: " + g);
                }
            } catch (Exception e) {
                failures.add(c + ": " + e);
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    /** A graph built in Java with every exportable layer and merge. */
    static Graph everything() {
        Graph g = new Graph();
        Graph.Node x = g.input("image", 3, 10, 9);
        Graph.Node a = g.add("stem", new Sequential(new ConvLayer(4, 3, 3).padding(1, 1).paddingMode(PaddingMode.REFLECT), new BatchNorm(),
                Activation.relu()), x);
        Graph.Node r = g.add("res", new Residual(new Sequential(new ConvLayer(4, 3, 3).paddingSame().epilogue(Epilogue.tanh()),
                Activation.hardSwish())), a);
        Graph.Node b = g.add("branch", new ConvLayer(4, 1, 1).paddingMode(PaddingMode.REPLICATE).epilogue(Epilogue.leakyRelu(0.2)), x);
        Graph.Node m = g.add("mul", Arithmetic.mul(), r, b);
        Graph.Node d = g.add("down", new ConvLayer(6, 2, 2).stride(2, 2).dilation(1, 1).groups(2), m);
        Graph.Node u = g.add("up", new ConvLayer(4, 3, 2).stride(2, 2).transposed(1, 1).bias(false), d);
        Graph.Node cut = g.add("cut", SpatialGather.pad(SpatialGather.PadMode.CONSTANT, new int[] {0, 0}, new int[] {-2, 0}, 0), u);
        Graph.Node cat = g.add("cat", new Concat(0), cut, m);
        Graph.Node p = g.add("pad", SpatialGather.pad(SpatialGather.PadMode.EDGE, new int[] {1, 0}, new int[] {0, 1}, 0), cat);
        Graph.Node near = g.add("near", SpatialGather.nearest(2, 2), g.add("pool", PoolLayer.max(3, 3).stride(2, 2).padding(1, 1).ceilMode(true), p));
        Graph.Node avg = g.add("avg", PoolLayer.avg(2, 2).countIncludePad(false).padding(1, 1), near);
        Graph.Node ad = g.add("adaptive", PoolLayer.adaptiveAvg(7, 1), g.add("gelu", Activation.gelu(), avg));
        Graph.Node sh = g.add("shift", ConstantArithmetic.of("sub", true, new long[] {8, 1, 1}, 0.5, -0.5, 1, 2, 0.25, 0, 1, 3), ad);
        Graph.Node t = g.add("t", new Transpose(1, 2, 0), g.add("clip", Activation.clip(-1, 2), sh));
        Graph.Node f = g.add("flat", new Flatten(), g.add("hs", Activation.hardSigmoid(0.3, 0.4), g.add("rs", new Reshape(8, -1), t)));
        Graph.Node gp = g.add("gap", new Reshape(-1), g.add("global", PoolLayer.globalMax(), p));
        Graph.Node both = g.add("both", new Concat(0), f, gp);
        Graph.Node dn = g.add("dense", new Dense(5), g.add("drop", new Dropout(0.5), g.add("sig", Activation.sigmoid(), both)));
        g.output("probabilities", g.add("softmax", new Softmax(), g.add("div", Arithmetic.div(), dn, g.add("den", ConstantArithmetic.of("add", false,
                new long[] {1}, 2), g.add("tanh", Activation.tanh(), dn)))));
        return g;
    }

    @Test
    void graphsBuiltInJavaRunInOnnxRuntime(@TempDir Path dir) throws Exception {
        List<Function<DType, Model>> builders = List.of(
                t -> Model.of(everything(), t, 3),
                t -> Model.of(new long[] {2, 12}, t, 4, new ConvLayer(3, 3).dilation(2).padding(2), Activation.leakyRelu(0.05),
                        PoolLayer.avg(2).stride(1).ceilMode(true), new ConvLayer(2, 2).transposed(), PoolLayer.adaptiveMax(4), new Flatten(), new Dense(2)),
                t -> Model.of(new long[] {1, 4, 6, 5}, t, 5, new ConvLayer(2, 3, 3, 2).padding(1, 1, 0).epilogue(Epilogue.sigmoid()),
                        PoolLayer.globalAvg(), new Flatten(), new Dense(3).bias(false)));
        for (Function<DType, Model> b : builders) {
            Path w = dir.resolve("w.npz");
            try (Arena arena = Arena.ofConfined(); Model m32 = b.apply(DType.F32)) {
                // batch statistics other than the initial ones, then the float64 twin with the same weights
                for (var p : m32.state()) {
                    for (long i = 0; i < p.value().numel(); i++) p.value().setAt(i, p.name().endsWith("var") ? 0.5 + 0.1 * i : 0.1 * i - 0.2);
                }
                m32.save(w);
                Map<String, Tensor> xs = new java.util.LinkedHashMap<>(), xs64 = new java.util.LinkedHashMap<>();
                SplittableRandom rnd = new SplittableRandom(9);
                for (String in : m32.graph().inputNames()) {
                    long[] s = m32.graph().shape(in), full = new long[s.length + 1];
                    full[0] = 2;
                    System.arraycopy(s, 0, full, 1, s.length);
                    Tensor x = Tensor.allocate(arena, DType.F32, full);
                    for (long i = 0; i < x.numel(); i++) x.setAt(i, (float) rnd.nextDouble(-1, 1));
                    xs.put(in, x);
                    xs64.put(in, x.to(arena, DType.F64));
                }
                double[] mine = values(m32.forward(xs, false).values().iterator().next());
                double[] y64;
                try (Model m64 = b.apply(DType.F64)) {
                    m64.load(w);
                    y64 = values(m64.forward(xs64, false).values().iterator().next());
                }
                String what = m32.graph().nodeNames().toString();
                assertEquals(null, checkF32(ort(OnnxExport.toBytes(m32), xs), mine, y64), what);
                OnnxExport.write(m32, dir.resolve("m.onnx"));
                try (Model back = OnnxImport.load(dir.resolve("m.onnx"))) {
                    assertEquals(null, checkF32(values(back.forward(xs, false).values().iterator().next()), mine, y64), "re-imported " + what);
                }
            }
        }
    }

    @Test
    void whatOnnxCannotSayIsRejectedByName() {
        List<Supplier<Layer>> bad = List.of(() -> new ConvLayer(2, 3).padding(1).paddingMode(PaddingMode.CIRCULAR),
                () -> PoolLayer.adaptiveAvg(3), () -> PoolLayer.avg(2).dilation(2));
        for (Supplier<Layer> l : bad) {
            try (Model m = Model.of(new long[] {2, 8}, DType.F32, 1, l.get())) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.toBytes(m));
                assertTrue(e.getMessage().startsWith("model: layer '0' (") && e.getMessage().contains("has no ONNX form"), e.getMessage());
            }
        }
        try (Model m = Model.of(new long[] {2}, DType.F32, 1, new Layer() {
            @Override
            protected long[] init(long[] sample) {
                return sample;
            }

            @Override
            public Tensor forward(Tensor x, boolean training) {
                return x;
            }

            @Override
            public Tensor backward(Tensor gy) {
                return gy;
            }

            @Override
            public String describe() {
                return "custom";
            }
        })) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.toBytes(m));
            assertTrue(e.getMessage().contains("layer '0' (custom)"), e.getMessage());
        }
    }
}
