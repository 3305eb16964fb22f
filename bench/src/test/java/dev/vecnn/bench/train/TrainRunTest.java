package dev.vecnn.bench.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.nn.Model;
import dev.vecnn.nn.Param;
import dev.vecnn.nn.loss.Loss;
import dev.vecnn.nn.optim.Optimizer;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Npy;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Tolerance;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training benchmark on tiny settings: JMH in this JVM, the report and the chart; no Python needed. */
class TrainRunTest {
    private static final String TINY = """
            batch 4
            network tiny   # a 1-D CNN small enough for a test
            input 1x16
            task classification 3
            optimizer adam 1e-2
            parameters 31
            conv1d 4 k3 p1x1
            relu
            maxpool k2
            globalavgpool
            flatten
            dense 3 glorot
            """.replace("p1x1", "p1");

    @Test
    void theMeasuredStepTrains() throws Exception {
        // the step TrainBench times is a real training step: repeated on one batch, the loss falls
        TrainingSuite.Network n = TrainingSuite.parse("t", TINY.lines().toList(), "t").network("tiny");
        try (Execution ex = Execution.withThreads(1); Model m = n.build(DType.F32, 1, ex); Arena a = Arena.ofShared()) {
            assertEquals(31, m.parameterCount()); // conv 1*3*4 + 4, dense 4*3 + 3
            Loss loss = n.task().loss().on(m.context());
            Optimizer opt = n.optimizer().create(m);
            TrainBench.Data d = TrainBench.Data.random(a, n, DType.F32, 4, 2);
            double first = TrainBench.step(m, loss, opt, d.x(), d.y()), last = first;
            for (int i = 0; i < 300; i++) last = TrainBench.step(m, loss, opt, d.x(), d.y());
            assertTrue(last < 0.1 * first, "loss " + first + " -> " + last);
        }
    }

    @Test
    void sameNetworkFiles(@TempDir Path dir) throws Exception {
        TrainingSuite.Network n = TrainingSuite.parse("t", TINY.lines().toList(), "t").network("tiny");
        Path d = SameNetwork.write(n, dir);
        assertEquals(dir.resolve("tiny"), d);
        try (Arena a = Arena.ofConfined(); Execution ex = Execution.withThreads(1); Model m = n.build(DType.F64, 99, ex)) {
            Tensor x = Npy.read(d.resolve("x.npy"), a), target = Npy.read(d.resolve("target.npy"), a), eval = Npy.read(d.resolve("eval.npy"), a);
            assertArrayEquals(new long[] {SameNetwork.BATCH, 1, 16}, x.shape());
            assertArrayEquals(new long[] {SameNetwork.BATCH}, target.shape());
            assertArrayEquals(new long[] {SameNetwork.BATCH, 3}, eval.shape());
            // the saved weights are the network's (names and shapes), and give the saved output
            m.load(d.resolve("weights.npz"));
            Tolerance.assertIdentical(m.forward(x, false), eval, "eval.npy");
            // no dropout or batch statistics here: the training step's loss is the loss of that output
            Loss loss = n.task().loss().on(m.context());
            assertEquals(loss.forward(eval, target), Npy.read(d.resolve("loss.npy"), a).get(0));
            for (Param p : m.params()) assertTrue(Files.exists(d.resolve("grad/" + p.name() + ".npy")), p.name());
            // Adam's first step moves each parameter by lr * g / (|g| + eps): at most the learning rate (0.01), and
            // by nearly all of it where the gradient is far above eps
            java.util.List<double[]> before = new java.util.ArrayList<>();
            for (Param p : m.params()) before.add(flat(p.value()));
            m.load(d.resolve("after.npz"));
            int full = 0;
            for (int k = 0; k < before.size(); k++) {
                double[] w0 = before.get(k), w1 = flat(m.params().get(k).value());
                double[] g = flat(Npy.read(d.resolve("grad/" + m.params().get(k).name() + ".npy"), a));
                for (int i = 0; i < w0.length; i++) {
                    double step = Math.abs(w1[i] - w0[i]);
                    assertTrue(step <= 0.01 * (1 + 1e-12), m.params().get(k).name() + "[" + i + "] moved " + step);
                    if (Math.abs(g[i]) > 1e-4) {
                        assertEquals(0.01, step, 0.01 * 1e-3, m.params().get(k).name() + "[" + i + "]");
                        full++;
                    }
                }
            }
            assertTrue(full > 10, "parameters with a gradient: " + full);
        }
    }

    private static double[] flat(Tensor t) {
        double[] v = new double[(int) t.numel()];
        Tensor f = t.reshape(t.numel());
        for (int i = 0; i < v.length; i++) v[i] = f.get(i);
        return v;
    }

    @Test
    void aWrongParameterCountStopsTheRun(@TempDir Path dir) {
        TrainingSuite s = TrainingSuite.parse("t", TINY.replace("parameters 31", "parameters 32").lines().toList(), "t");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> RunTraining.run(s, List.of(), "smoke", new String[] {"1"}, dir, 0, null, dir.resolve("t.suite")));
        assertEquals("network tiny: vecnn counts 31 trainable parameters, the suite's 'parameters' line says 32", e.getMessage());
    }

    @Test
    void runsAndReportsWithoutPyTorch(@TempDir Path dir) throws Exception {
        Path suiteFile = dir.resolve("tiny.suite");
        Files.writeString(suiteFile, TINY);
        TrainingSuite suite = TrainingSuite.read(suiteFile);
        assertFalse(RunTraining.torchImports(dir.resolve("no-python").toString()));
        Path out = dir.resolve("out");
        // an earlier run's results of another network in the folder: left out of this run's report (they were merged)
        Files.createDirectories(out);
        Files.writeString(out.resolve("vecnn-03-stale.json"), "[]");
        Files.writeString(out.resolve("pytorch-03-stale.json"), "{}");
        Path report = RunTraining.run(suite, List.of(), "smoke", new String[] {"1"}, out, 0, dir.resolve("no-python").toString(), suiteFile);
        assertFalse(Files.exists(out.resolve("vecnn-03-stale.json")) || Files.exists(out.resolve("pytorch-03-stale.json")), "stale results kept");
        String md = Files.readString(report);
        assertTrue(md.contains("PyTorch is not installed for " + dir.resolve("no-python") + " (Debian: apt-get install python3-torch"), md);
        String row = md.lines().filter(l -> l.startsWith("| tiny | f32 | 4 | 1 |")).findFirst().orElseThrow(() -> new AssertionError(md));
        String[] cells = row.split("\\|");
        // train vecnn, train PyTorch, ratio, infer vecnn, infer PyTorch, ratio
        assertTrue(cells[5].strip().matches("[0-9.]+( ± [0-9.]+)?"), row);
        assertEquals("—", cells[6].strip(), row);
        assertTrue(cells[8].strip().matches("[0-9.]+( ± [0-9.]+)?"), row);
        assertTrue(md.contains("| tiny | 1x16 | cross-entropy, 3 classes | adam lr 0.01 | f32 | 31 | — |"), md);
        // the gc profiler's bytes per step, a figure in MB on the line
        String alloc = md.lines().filter(l -> l.startsWith("| tiny | f32 | 4 | 1 |")).skip(1).findFirst().orElseThrow(() -> new AssertionError(md));
        assertTrue(md.contains("## Heap allocated per call (vecnn)") && md.contains("only full mode marks"), md);
        assertTrue(alloc.split("\\|")[5].strip().matches("[0-9.]+"), alloc);
        // marked only in full mode, from 100 MB; no figure, a dash
        assertEquals("**2100 (boxed vectors?)**", TrainReport.megabytes(new double[] {2.1e9, 0}, true));
        assertEquals("2100", TrainReport.megabytes(new double[] {2.1e9, 0}, false));
        assertEquals("99", TrainReport.megabytes(new double[] {99e6, 0}, true));
        assertEquals("4.60", TrainReport.megabytes(new double[] {4.6e6, 0}, true));
        assertEquals("—", TrainReport.megabytes(null, true));
        String svg = Files.readString(out.resolve("chart.svg"));
        assertTrue(svg.startsWith("<svg") && svg.contains("tiny f32 b4 1t") && svg.contains("Training") && svg.contains("vecnn"), svg);

        // with PyTorch figures beside it (as the script writes them, one file per network run; here split in
        // two files to check that they merge), the ratios are vecnn / PyTorch
        Files.writeString(out.resolve("pytorch-00-tiny.json"), """
                {"info": {"torch": "1.13.1", "python": "3.11", "cpu_capability": "AVX2", "blas": "generic", "timing": "median"},
                 "parameters": {"tiny": 31},
                 "results": [
                  {"network": "tiny", "dtype": "f32", "batch": 4, "threads": 1, "phase": "train", "score": 1000.0, "error": 10.0, "runs": [990, 1010]}]}
                """);
        Files.writeString(out.resolve("pytorch-01-tiny.json"), """
                {"info": {"torch": "1.13.1", "python": "3.11", "cpu_capability": "AVX2", "blas": "generic", "timing": "median"},
                 "parameters": {"tiny": 31},
                 "results": [
                  {"network": "tiny", "dtype": "f32", "batch": 4, "threads": 1, "phase": "infer", "score": 4000.0, "error": NaN, "runs": [4000]}]}
                """);
        Files.writeString(out.resolve("run.txt"), "mode smoke\n");
        TrainReport.write(out, suite);
        TrainReport.Row r = TrainReport.read(out).rows().get(new TrainReport.Key("tiny", "f32", 4, 1));
        String md2 = Files.readString(report);
        String row2 = md2.lines().filter(l -> l.startsWith("| tiny | f32 | 4 | 1 |")).findFirst().orElseThrow();
        String[] c2 = row2.split("\\|");
        assertEquals("1000 ± 10", c2[6].strip(), row2);
        assertEquals(String.format(Locale.ROOT, "%.2f", r.get("vecnn", "train")[0] / 1000.0), c2[7].strip(), row2);
        assertEquals("4000", c2[9].strip(), row2);
        assertEquals(String.format(Locale.ROOT, "%.2f", r.get("vecnn", "infer")[0] / 4000.0), c2[10].strip(), row2);
        assertTrue(md2.contains("| f32 | 31 | 31 |") && md2.contains("PyTorch 1.13.1") && !md2.contains("not installed"), md2);
        assertTrue(Files.readString(out.resolve("chart.svg")).contains("PyTorch"));
    }
}
