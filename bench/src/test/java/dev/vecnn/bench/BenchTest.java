package dev.vecnn.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.bench.peer.OnnxModels;
import dev.vecnn.bench.peer.OnnxRuntimePeer;
import dev.vecnn.bench.train.TrainingSuite;
import dev.vecnn.ref.ReferenceConv;
import dev.vecnn.ref.ReferencePool;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import dev.vecnn.testing.Tolerance;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark code itself, tested cheaply. */
class BenchTest {

    @Test
    void everyCommittedSuiteParses() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("suites"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".suite")).toList()) {
                if (TrainingSuite.isTrainingSuite(Files.readAllLines(f))) {
                    assertFalse(TrainingSuite.read(f).networks().isEmpty(), f.toString());
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Suite.read(f));
                    assertTrue(e.getMessage().contains("-Pbench-train"), e.getMessage());
                    continue;
                }
                Suite s = Suite.read(f);
                assertFalse(s.problems().isEmpty(), f.toString());
            }
        }
        assertEquals(21, Suite.read(Path.of("suites/resnet50.suite")).problems().size());
    }

    @Test
    void badSuiteLinesNameTheLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.suite");
        Files.writeString(f, "# fine\nok mb1ic1iw4oc1kw3\nbroken mb1ic1iw4oc1kw9\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Suite.read(f));
        assertTrue(e.getMessage().contains("bad.suite:3"), e.getMessage());
    }

    @Test
    void throughputArithmetic() {
        // 2 * N * K * (C/groups) * prod(kernel) * prod(output)
        assertEquals(2.0 * 1 * 64 * 64 * 9 * 56 * 56, ConvSpec.parse("mb1ic64ih56oc64oh56kh3ph1").flops());
        assertEquals(2.0 * 1 * 128 * 1 * 9 * 56 * 56, ConvSpec.parse("g128mb1ic128ih56oc128oh56kh3ph1").flops());
        assertEquals(2.0 * 2 * 6 * 2 * 4 * 5 * 3, ConvSpec.parse("g2mb2ic4oc6_i5x3_k2x2_p1x1_r0x0").flops());
        // transposed: counted as its direct adjoint (input positions in place of output positions)
        assertEquals(2.0 * 1 * 2 * 4 * 3 * 5, ConvSpec.parse("mb1ic4iw5oc2ow10kw3sw2pw1_op1_transposed").flops());
        // pooling: input + output bytes
        assertEquals((64.0 * 112 * 112 + 64.0 * 56 * 56) * 4, PoolSpec.parse("maxpool_mb1ic64ih112oh56kh3sh2ph1").bytes(4));
        assertEquals((8.0 * 512 * 49 + 8.0 * 512) * 8, PoolSpec.parse("globalavgpool_mb8ic512ih7").bytes(8));
    }

    @Test
    void quickAndFullModesDiffer() {
        var quick = RunSuite.options("quick", 1).build();
        var full = RunSuite.options("full", 1).build();
        assertTrue(quick.getMeasurementIterations().get() < full.getMeasurementIterations().get());
        assertTrue(quick.getWarmupTime().get().convertTo(java.util.concurrent.TimeUnit.MILLISECONDS)
                < full.getWarmupTime().get().convertTo(java.util.concurrent.TimeUnit.MILLISECONDS));
        assertThrows(IllegalArgumentException.class, () -> RunSuite.options("slow", 1));
    }

    @Test
    void onnxRuntimeComputesTheSameConvolutionAndPooling() throws Exception {
        try (Arena a = Arena.ofShared()) {
            ConvSpec s = ConvSpec.parse("g2mb2ic4oc6_i7x6_k3x2_s2x1_p1x0_r0x1_d1x0");
            Tensor x = Fill.uniform(a, DType.F32, s.inputShape(), 1), w = Fill.uniform(a, DType.F32, s.weightShape(), 2);
            Tensor b = Fill.uniform(a, DType.F32, s.biasShape(), 3), y = Tensor.allocate(a, DType.F32, s.outputShape());
            try (OnnxRuntimePeer peer = new OnnxRuntimePeer(OnnxModels.conv(s, w, b), 1, "X", x, "Y", y)) {
                peer.run();
            }
            Tensor ref = Tensor.allocate(a, DType.F64, s.outputShape()), mag = Tensor.allocate(a, DType.F64, s.outputShape());
            ReferenceConv.forward(s, x.to(a, DType.F64), w.to(a, DType.F64), b.to(a, DType.F64), ref);
            ReferenceConv.forward(s, Fill.abs(a, x), Fill.abs(a, w), Fill.abs(a, b), mag);
            // ORT sums 2*3*2+1 products per output in float32 in its own order
            Tolerance.assertClose(y, ref, mag, Tolerance.gamma(2 * 3 * 2 + 2, DType.F32), "onnxruntime conv " + s);

            PoolSpec p = PoolSpec.parse("maxpool_mb1ic3ih9oh5kh3sh2ph1_ceil");
            Tensor px = Fill.distinct(a, DType.F32, p.inputShape(), 4), py = Tensor.allocate(a, DType.F32, p.outputShape());
            try (OnnxRuntimePeer peer = new OnnxRuntimePeer(OnnxModels.pool(p, DType.F32), 1, "X", px, "Y", py)) {
                peer.run();
            }
            Tensor pref = Tensor.allocate(a, DType.F32, p.outputShape());
            ReferencePool.forward(p, px, pref, null);
            Tolerance.assertIdentical(py, pref, "onnxruntime maxpool " + p);
        }
    }

    @Test
    void suiteRunsAndReports(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("tiny.suite");
        Files.writeString(f, "conv mb1ic3ih8oc4oh8kh3ph1 forward,backward-data\npool maxpool_mb1ic2ih8oh4kh2sh2 forward,backward\n");
        Path report = RunSuite.run(Suite.read(f), "smoke", new String[] {"1"}, dir.resolve("out"), 0, true);
        String md = Files.readString(report);
        assertTrue(md.contains("| conv | `mb1ic3ih8oc4oh8kh3ph1` | forward | 1 |"), md);
        assertTrue(md.contains("| conv | `mb1ic3ih8oc4oh8kh3ph1` | backward-data | 1 |"), md);
        assertTrue(md.contains("| pool | `maxpool_mb1ic2ih8oh4kh2sh2` | backward | 1 |"), md);
        assertTrue(md.contains("GB/s") && md.contains("GFLOP/s") && md.contains("FMA peak"), md);
        String forwardRow = md.lines().filter(l -> l.startsWith("| conv |") && l.contains("forward")).findFirst().orElseThrow();
        assertFalse(forwardRow.contains("| — |"), "ONNX Runtime and the reference measured for the forward pass: " + forwardRow);
        String svg = Files.readString(dir.resolve("out/chart.svg"));
        assertTrue(svg.startsWith("<svg") && svg.contains("FMA peak"), svg);
    }

    @Test
    void modelBenchRunsBothImplementationsOnATinyNetwork(@TempDir Path dir) throws Exception {
        // a small network written by vecnn's exporter stands in for ResNet-18 (the real files are made at benchmark time)
        try (dev.vecnn.nn.Model m = dev.vecnn.nn.Model.of(new long[] {3, 16, 16}, DType.F32, 1,
                new dev.vecnn.nn.layer.ConvLayer(4, 3, 3).padding(1, 1), dev.vecnn.nn.layer.Activation.relu(), dev.vecnn.nn.layer.PoolLayer.max(2, 2),
                new dev.vecnn.nn.layer.Flatten(), new dev.vecnn.nn.layer.Dense(5))) {
            dev.vecnn.nn.onnx.OnnxExport.write(m, dir.resolve("tiny.onnx"));
        }
        String before = System.getProperty("vecnn.models");
        System.setProperty("vecnn.models", dir.toString());
        try {
            double[][] out = new double[3][];
            String[] impls = {"vecnn", "onnxruntime", "vecnn"}, layouts = {"channels-first", "channels-first", "channels-last"};
            for (int k = 0; k < 3; k++) {
                ModelBench b = new ModelBench();
                b.model = "tiny";
                b.batch = 2;
                b.threads = 1;
                b.size = 16;
                b.impl = impls[k];
                b.layout = layouts[k];
                b.setUp();
                try {
                    b.infer(new org.openjdk.jmh.infra.Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous."));
                    Tensor y = b.output();
                    assertEquals(2 * 5, y.numel());
                    out[k] = new double[10];
                    for (int i = 0; i < 10; i++) out[k][i] = y.getAt(y.offset() + i);
                } finally {
                    b.tearDown();
                }
            }
            // 36 products per convolution output and 64 per dense output, float32, two orders: gamma(100) of the magnitudes (< 50)
            for (int i = 0; i < 10; i++) assertEquals(out[1][i], out[0][i], 2 * Tolerance.gamma(100, DType.F32) * 50, "output " + i);
            // channels-last: the same kernels' sums in the same order, so the same bits
            for (int i = 0; i < 10; i++) assertEquals(Double.doubleToRawLongBits(out[0][i]), Double.doubleToRawLongBits(out[2][i]), "channels-last output " + i);
            b0Missing(dir);
        } finally {
            if (before == null) System.clearProperty("vecnn.models");
            else System.setProperty("vecnn.models", before);
        }
    }

    private static void b0Missing(Path dir) {
        ModelBench b = new ModelBench();
        b.model = "resnet1000";
        b.impl = "vecnn";
        IllegalStateException e = assertThrows(IllegalStateException.class, b::setUp);
        assertTrue(e.getMessage().contains("generate_onnx.py --bench"), e.getMessage());
    }
}
