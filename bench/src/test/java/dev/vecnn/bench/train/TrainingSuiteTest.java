package dev.vecnn.bench.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.nn.Layer;
import dev.vecnn.nn.Model;
import dev.vecnn.nn.Param;
import dev.vecnn.nn.demo.ShowerDemo;
import dev.vecnn.nn.demo.Showers;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.DType;
import dev.vecnn.testing.Tolerance;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The training suite's grammar, and that the committed networks are the ones PyTorch builds. */
class TrainingSuiteTest {
    private static final Path SUITE = Path.of("suites/training.suite");

    /**
     * Trainable parameters of each committed network as PyTorch counts them
     * ({@code python/pytorch_train.py --suite suites/training.suite --count}, torch 1.13.1).
     */
    private static final Map<String, Long> PYTORCH_PARAMETERS = Map.of(
            "shower3d", 11378L, "waveform1d", 141874L, "calo2d", 544522L, "voxel3d", 70314L);

    @Test
    void committedSuite() throws Exception {
        TrainingSuite s = TrainingSuite.read(SUITE);
        assertEquals("training", s.name());
        assertEquals(List.of(32, 128), s.batches());
        assertEquals(List.of("shower3d", "waveform1d", "calo2d", "voxel3d"), s.networks().stream().map(TrainingSuite.Network::name).toList());
        assertEquals(List.of(DType.F32, DType.F64), s.network("shower3d").dtypes());
        assertEquals(List.of(DType.F32), s.network("calo2d").dtypes());
        assertArrayEquals(new long[] {1, 2048}, s.network("waveform1d").input());
        assertEquals(new TrainingSuite.Task(true, 10), s.network("voxel3d").task());
        assertEquals(new TrainingSuite.Optim("adam", 2e-3, 0, 0), s.network("shower3d").optimizer());
    }

    @Test
    void parameterCountsAreThoseOfThePyTorchNetworks() throws Exception {
        TrainingSuite s = TrainingSuite.read(SUITE);
        assertEquals(PYTORCH_PARAMETERS.keySet(), s.networks().stream().map(TrainingSuite.Network::name).collect(java.util.stream.Collectors.toSet()));
        for (TrainingSuite.Network n : s.networks()) {
            assertEquals(PYTORCH_PARAMETERS.get(n.name()), n.parameters(), n.name() + ": the suite's 'parameters' line");
            for (DType dt : n.dtypes()) {
                try (Execution ex = Execution.withThreads(1); Model m = n.build(dt, 1, ex)) {
                    assertEquals(n.parameters(), m.parameterCount(), n.name() + " " + dt + ": vecnn's parameter count");
                    assertArrayEquals(new long[] {n.task().outputs()}, m.outputShape(), n.name() + ": one output per target or class");
                }
            }
        }
    }

    @Test
    void everyTrainingSuitesParameterCountsAreVecnns() throws Exception {
        // the 'parameters' lines hold PyTorch's counts (the script checks its own against them)
        for (Path f : trainingSuites()) {
            for (TrainingSuite.Network n : TrainingSuite.read(f).networks()) {
                assertTrue(n.parameters() > 0, f + " " + n.name() + ": a 'parameters' line");
                try (Execution ex = Execution.withThreads(1); Model m = n.build(DType.F32, 1, ex)) {
                    assertEquals(n.parameters(), m.parameterCount(), f + " " + n.name());
                }
            }
        }
    }

    private static List<Path> trainingSuites() throws java.io.IOException {
        try (var files = java.nio.file.Files.list(Path.of("suites"))) {
            List<Path> out = new java.util.ArrayList<>();
            for (Path f : files.filter(p -> p.toString().endsWith(".suite")).sorted().toList()) {
                if (TrainingSuite.isTrainingSuite(java.nio.file.Files.readAllLines(f))) out.add(f);
            }
            assertEquals(List.of(Path.of("suites/training-options.suite"), SUITE), out);
            return out;
        }
    }

    @Test
    void layerLinesAreVecnnsDescribeForm() throws Exception {
        List<TrainingSuite.Network> all = new java.util.ArrayList<>();
        for (Path f : trainingSuites()) all.addAll(TrainingSuite.read(f).networks());
        for (TrainingSuite.Network n : all) {
            Layer[] layers = n.newLayers();
            for (int i = 0; i < layers.length; i++) {
                assertEquals(TrainingSuite.describeForm(n.layers().get(i)), layers[i].describe(), n.name() + " layer " + i);
            }
        }
        // every option of the grammar reads back as describe() prints it
        for (String line : List.of("conv2d 8 k3x3 s2x1 d2x1 p1x0_r2x1 reflect g2 nobias glorot", "conv3d 4 k1x3x5 same circular",
                "conv1d 2 k3 p2 replicate he", "conv2d-transposed 6 k3x3 s2x2 p1x1 op1x1", "maxpool k3x3 s2x2 d2x2 p1x1 ceil",
                "avgpool k2 s1 p1 excludepad", "avgpool k2x2 p1x0_r0x1", "globalmaxpool", "globalavgpool", "adaptivemaxpool o2x3",
                "adaptiveavgpool o4", "dense 7 nobias glorot", "flatten", "relu", "leakyrelu 0.01", "sigmoid", "tanh", "gelu",
                "softmax", "dropout 0.25", "batchnorm")) {
            assertEquals(TrainingSuite.describeForm(line), TrainingSuite.layer(line).describe(), line);
        }
    }

    @Test
    void shower3dIsTheMainJobsNetwork() throws Exception {
        // same layers, same initialisation: with the same seed every parameter is bit-identical
        TrainingSuite.Network n = TrainingSuite.read(SUITE).network("shower3d");
        try (Execution ex = Execution.withThreads(1); Model ours = n.build(DType.F32, 2026, ex);
             Model demo = ShowerDemo.model(Showers.standard(), 2026)) {
            assertArrayEquals(demo.sampleShape(), ours.sampleShape());
            assertEquals(demo.layers().stream().map(Layer::describe).toList(), ours.layers().stream().map(Layer::describe).toList());
            List<Param> a = ours.params(), b = demo.params();
            assertEquals(b.size(), a.size());
            for (int i = 0; i < a.size(); i++) {
                assertEquals(b.get(i).name(), a.get(i).name());
                Tolerance.assertIdentical(a.get(i).value(), b.get(i).value(), "shower3d " + a.get(i).name());
            }
        }
    }

    @Test
    void badLinesNameTheFileAndLine() {
        String head = "batch 8\nnetwork a\ninput 1x8\ntask regression 1\noptimizer adam 1e-3\n";
        Map<String, String> cases = Map.ofEntries(
                Map.entry(head + "conv1d 4 k3x3\n", "t.suite:6: conv1d kernel: 2 values (3x3) for rank 1"),
                Map.entry(head + "conv1d 4\n", "t.suite:6: conv1d: expected"),
                Map.entry(head + "conv1d 4 p1\n", "t.suite:6: conv1d: the kernel kAxB... is required"),
                Map.entry(head + "conv1d 4 k3 q1\n", "t.suite:6: conv1d: unknown option 'q1'"),
                Map.entry(head + "pool k2\n", "t.suite:6: layer: unknown 'pool'"),
                Map.entry(head + "dense 0\n", "t.suite:6: dense outputs: must be >= 1, got 0"),
                Map.entry(head + "relu 2\n", "t.suite:6: relu: takes no options"),
                Map.entry(head + "maxpool s2\n", "t.suite:6: maxpool: the kernel kAxB... is required"),
                Map.entry(head + "globalavgpool k2\n", "t.suite:6: globalavgpool: takes no window options"),
                Map.entry(head + "dense 2\nbatch 4\n", "t.suite:7: 'batch' belongs before the first network"),
                Map.entry("network a\ninput 1x8\noptimizer adam 1e-3\ndense 1\n", "t.suite:1: network a: no 'task' line"),
                Map.entry("input 1x8\n", "t.suite:1: 'input' before the first 'network NAME' line"),
                Map.entry(head + "dense 1\nnetwork a\n", "t.suite:7: network a: defined twice"),
                Map.entry("network a\ninput 1x8\ntask regression 1\noptimizer adagrad 1\n", "t.suite:4: optimizer: unknown 'adagrad'"),
                Map.entry("network a\ninput 1x8\ntask regression 1\noptimizer adam -1\n", "t.suite:4: optimizer learning rate: must be finite and >= 0"),
                Map.entry("network a\ninput 8\n", "t.suite:2: input: (C, at least one spatial size), got 8"),
                Map.entry("network a\ninput 1x8\ntask classification 1\n", "t.suite:3: task: classification needs >= 2 classes"),
                Map.entry("network a\ndtypes f16\n", "t.suite:2: dtypes: 'f16' is not f32 or f64"),
                Map.entry("# nothing\n", "t.suite: no network"));
        for (Map.Entry<String, String> c : cases.entrySet()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TrainingSuite.parse("t", c.getKey().lines().toList(), "t.suite"), c.getKey());
            assertTrue(e.getMessage().startsWith(c.getValue()), "expected '" + c.getValue() + "', got '" + e.getMessage() + "'");
        }
        // a layer that does not fit the sample shape fails when the model is built, naming the network
        TrainingSuite s = TrainingSuite.parse("t", (head + "conv2d 4 k3x3\n").lines().toList(), "t.suite");
        try (Execution ex = Execution.withThreads(1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.networks().get(0).build(DType.F32, 1, ex));
            assertTrue(e.getMessage().startsWith("network a: node '0' (conv2d 4 k3x3) on samples [1, 8]: input: conv2d 4 k3x3 needs samples"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> s.network("b"));
    }
}
