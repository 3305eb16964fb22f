package dev.vecnn.onnx;

import static dev.vecnn.onnx.OnnxFixtures.checkF32;
import static dev.vecnn.onnx.OnnxFixtures.checkF64;
import static dev.vecnn.onnx.OnnxFixtures.npy;
import static dev.vecnn.onnx.OnnxFixtures.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.nn.Model;
import dev.vecnn.nn.Param;
import dev.vecnn.nn.io.SafeTensors;
import dev.vecnn.nn.layer.Activation;
import dev.vecnn.nn.layer.ConvLayer;
import dev.vecnn.nn.layer.Dense;
import dev.vecnn.nn.layer.Flatten;
import dev.vecnn.nn.layer.PoolLayer;
import dev.vecnn.nn.loss.Loss;
import dev.vecnn.nn.onnx.OnnxImport;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every fixture of {@code tests/onnx/generate_onnx.py} imported and run against PyTorch's outputs
 * (tolerances in {@link OnnxFixtures}): float32 with folding and fusing on and off, the float64 exports,
 * the float32 files imported as float64, batch sizes other than the exported one; the fine-tuning
 * gradient; a PyTorch state_dict in safetensors loaded into a model built in Java.
 */
class OnnxImportConformanceTest {
    static Map<String, Tensor> inputs(Model m, OnnxFixtures.Case c, Arena arena, DType t) throws Exception {
        Map<String, Tensor> xs = new LinkedHashMap<>();
        List<String> names = m.graph().inputNames();
        for (int i = 0; i < c.inputs(); i++) {
            Tensor x = npy(c.name() + (c.inputs() == 1 ? ".x.npy" : ".x" + i + ".npy"), arena);
            xs.put(names.get(i), x.to(arena, t));
        }
        return xs;
    }

    static double[] run(Model m, OnnxFixtures.Case c, Arena arena, DType t) throws Exception {
        return values(m.forward(inputs(m, c, arena, t), false).values().iterator().next());
    }

    @Test
    void everyFixtureMatchesPyTorch() throws Exception {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (OnnxFixtures.Case c : OnnxFixtures.cases()) {
            try (Arena arena = Arena.ofConfined()) {
                double[] y64 = values(npy(c.name() + ".y64.npy", arena)), t32 = values(npy(c.name() + ".y32.npy", arena));
                for (boolean optimise : new boolean[] {true, false}) {
                    OnnxImport.Options o = OnnxImport.Options.defaults().with(optimise, optimise);
                    try (Model m = OnnxImport.load(OnnxFixtures.ROOT.resolve(c.name() + ".onnx"), o)) {
                        var summary = m.summary(); // the graph's bookkeeping works on every imported model
                        assertEquals(m.parameterCount(), summary.total(), c.name());
                        assertTrue(summary.toString().contains("total trainable parameters"), c.name());
                        String f = checkF32(run(m, c, arena, DType.F32), t32, y64);
                        if (f != null) failures.add(c + (optimise ? "" : " (no folding)") + ": " + f);
                        checked++;
                    }
                }
                // a float32 file in float64: the weights and float attributes (e.g. alpha = 1/6) are rounded to float32,
                // so the float32 criterion applies; the arithmetic is float64
                try (Model m = OnnxImport.load(OnnxFixtures.ROOT.resolve(c.name() + ".onnx"), OnnxImport.Options.defaults().in(DType.F64))) {
                    assertEquals(DType.F64, m.context().dtype());
                    String f = checkF32(run(m, c, arena, DType.F64), t32, y64);
                    if (f != null) failures.add(c + " (imported as float64): " + f);
                    checked++;
                }
                if (c.f64()) {
                    try (Model m = OnnxImport.load(OnnxFixtures.ROOT.resolve(c.name() + ".f64.onnx"))) {
                        assertEquals(DType.F64, m.context().dtype(), c.name());
                        String f = checkF64(run(m, c, arena, DType.F64), y64);
                        if (f != null) failures.add(c + " (float64 file): " + f);
                        checked++;
                    }
                }
            } catch (RuntimeException e) {
                failures.add(c + ": " + e);
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertTrue(checked > 150, "checked " + checked);
    }

    @Test
    void anyBatchSizeRuns() throws Exception {
        // exported with batch 3; the first sample alone, and the batch twice over, give the same rows
        try (Arena arena = Arena.ofConfined(); Model m = OnnxImport.load(OnnxFixtures.ROOT.resolve("dynamic_batch.onnx"))) {
            Tensor x = npy("dynamic_batch.x.npy", arena);
            double[] all = values(m.forward(x, false));
            int per = all.length / 3;
            double[] first = values(m.forward(x.slice(0, 0, 1).contiguous(arena), false));
            assertArrayEquals(java.util.Arrays.copyOf(all, per), first, 0);
            long[] s = x.shape();
            s[0] = 6;
            Tensor twice = Tensor.allocate(arena, DType.F32, s);
            twice.slice(0, 0, 3).copyFrom(x);
            twice.slice(0, 3, 6).copyFrom(x);
            double[] two = values(m.forward(twice, false));
            assertArrayEquals(all, java.util.Arrays.copyOfRange(two, 3 * per, 6 * per), 0);
        }
    }

    @Test
    void fineTuningGradientMatchesPyTorch() throws Exception {
        var json = com.google.gson.JsonParser.parseString(java.nio.file.Files.readString(OnnxFixtures.ROOT.resolve("finetune.json"))).getAsJsonObject();
        try (Arena arena = Arena.ofConfined();
             Model m = OnnxImport.load(OnnxFixtures.ROOT.resolve("finetune.f64.onnx"), OnnxImport.Options.defaults().with(false, true))) {
            Tensor x = npy("finetune.x64.npy", arena), target = npy("finetune.target.npy", arena);
            Loss loss = Loss.mse().on(m.context());
            double l = loss.forward(m.forward(x, true), target);
            assertEquals(json.get("loss").getAsDouble(), l, 1e-12 * Math.abs(l));
            m.backward(loss.backward());
            var expected = json.getAsJsonObject("params");
            assertEquals(expected.keySet(), new java.util.TreeSet<>(m.params().stream().map(Param::name).toList()).stream()
                    .collect(java.util.stream.Collectors.toCollection(java.util.LinkedHashSet::new)).stream().sorted().collect(java.util.stream.Collectors.toSet()));
            for (Param p : m.params()) {
                double[] g = values(p.grad()), want = values(npy("finetune.grad." + p.name() + ".npy", arena));
                // the gradient is a sum of the same products as the forward pass, in float64: as checkF64
                assertNull(checkF64(g, want), p.name());
            }
        }
    }

    @Test
    void stateDictFromPyTorchLoadsIntoAModelBuiltInJava() throws Exception {
        // the fine-tuning network written in Java; PyTorch's names (0.weight, 3.bias, 6.weight) are vecnn's
        try (Arena arena = Arena.ofConfined();
             Model m = Model.of(new long[] {3, 8, 8}, DType.F32, 1, Execution.defaults(), new ConvLayer(6, 3, 3).padding(1, 1), Activation.relu(),
                     PoolLayer.max(2, 2), new ConvLayer(4, 3, 3), Activation.tanh(), new Flatten(), new Dense(3))) {
            SafeTensors.load(OnnxFixtures.ROOT.resolve("finetune.safetensors"), m);
            Tensor x = npy("finetune.x.npy", arena);
            assertNull(checkF32(values(m.forward(x, false)), values(npy("finetune.y32.npy", arena)), values(npy("finetune.y64.npy", arena))));
        }
    }
}
