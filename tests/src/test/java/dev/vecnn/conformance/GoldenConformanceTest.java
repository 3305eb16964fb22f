package dev.vecnn.conformance;

import static dev.vecnn.testing.Tolerance.gamma;
import static dev.vecnn.testing.Tolerance.unitRoundoff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.ref.ReferenceConv;
import dev.vecnn.ref.ReferencePool;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Npy;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import dev.vecnn.testing.Tolerance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The reference kernels against golden fixtures written by {@code tests/golden/generate_golden.py}
 * (PyTorch 1.13 for ranks 1-3, its N-d NumPy reference for ranks 4-5 and dilated average pooling).
 *
 * <p>Fixtures are float64. Tolerance: both sides sum the same n-term products in double, each within
 * {@code gamma(n) * M} of the exact value, where M, the sum of the terms' magnitudes, is computed by
 * running the reference on absolute values. In float32 the inputs are also rounded (relative error u32
 * each, so at most 3*u32 per product) and the result is stored in float32 (u32 of its magnitude).
 * Max pooling values and indices must match exactly.
 */
class GoldenConformanceTest {
    private static final Path ROOT = root();

    private static Path root() {
        try {
            return Path.of(GoldenConformanceTest.class.getResource("/golden/MANIFEST").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    record Case(String name, String op, String spec, boolean same) {
    }

    static List<Case> cases() throws IOException {
        List<Case> cases = new ArrayList<>();
        for (String line : Files.readAllLines(ROOT.resolve("MANIFEST"))) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.trim().split("\\s+");
            cases.add(new Case(f[0], f[1], f[2], f.length > 3 && f[3].equals("same")));
        }
        return cases;
    }

    @Test
    void manifestCoversEveryRankAndOperation() throws IOException {
        List<Case> all = cases();
        assertTrue(all.size() >= 50, "cases: " + all.size());
        for (int rank = 1; rank <= 5; rank++) {
            final int r = rank;
            assertTrue(all.stream().anyMatch(c -> c.op.equals("conv") && ConvSpec.parse(c.spec).rank() == r), "conv rank " + r);
        }
        assertTrue(all.stream().anyMatch(c -> c.op.equals("conv") && ConvSpec.parse(c.spec).isTransposed()));
    }

    @TestFactory
    Stream<DynamicTest> referenceMatchesGoldenFixtures() throws IOException {
        return cases().stream().flatMap(c -> Stream.of(DType.F64, DType.F32).map(t ->
                DynamicTest.dynamicTest(c.name + " " + t.shortName() + " " + c.spec, () -> {
                    if (c.op.equals("conv")) checkConv(c, t);
                    else checkPool(c, t);
                })));
    }

    static Tensor load(Arena a, Case c, String file) {
        Path p = ROOT.resolve(c.name).resolve(file + ".npy");
        if (!Files.exists(p)) return null;
        try {
            return Npy.read(p, a);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static double factor(DType t, long n) {
        double f = 2 * gamma(n + 2, DType.F64);
        return t == DType.F32 ? f + 3 * unitRoundoff(DType.F32) : f;
    }

    static void checkConv(Case c, DType t) {
        ConvSpec s = ConvSpec.parse(c.spec);
        if (c.same) assertEquals(s, s.toBuilder().paddingSame().build(), "'same' padding splits as PyTorch does");
        try (Arena a = Arena.ofConfined()) {
            Tensor x = load(a, c, "x"), w = load(a, c, "w"), b = load(a, c, "b"), y = load(a, c, "y");
            Tensor gy = load(a, c, "gy"), gx = load(a, c, "gx"), gw = load(a, c, "gw"), gb = load(a, c, "gb");
            assertArrayEquals(y.shape(), s.outputShape(), "output shape arithmetic");
            assertArrayEquals(x.shape(), s.inputShape());
            assertArrayEquals(w.shape(), s.weightShape());
            assertEquals(s.hasBias(), b != null);
            long n = Math.max(s.inChannels(), s.outChannels()) * s.window().taps()
                    + s.batch() * Tensor.numel(s.isTransposed() ? s.inputSize() : s.outputSize());
            double f = factor(t, n);
            Tensor xt = x.to(a, t), wt = w.to(a, t), bt = b == null ? null : b.to(a, t), gyt = gy.to(a, t);
            Tensor ax = Fill.abs(a, x), aw = Fill.abs(a, w), agy = Fill.abs(a, gy);

            Tensor out = Tensor.allocate(a, t, s.outputShape());
            ReferenceConv.forward(s, xt, wt, bt, out);
            Tensor mag = Tensor.allocate(a, DType.F64, s.outputShape());
            ReferenceConv.forward(s, ax, aw, b == null ? null : Fill.abs(a, b), mag);
            Tolerance.assertClose(out, y, mag, f, "forward " + c.name);

            Tensor dx = Tensor.allocate(a, t, s.inputShape());
            ReferenceConv.backwardData(s, gyt, wt, dx);
            mag = Tensor.allocate(a, DType.F64, s.inputShape());
            ReferenceConv.backwardData(s, agy, aw, mag);
            Tolerance.assertClose(dx, gx, mag, f, "backward data " + c.name);

            Tensor dw = Tensor.allocate(a, t, s.weightShape());
            ReferenceConv.backwardWeights(s, xt, gyt, dw);
            mag = Tensor.allocate(a, DType.F64, s.weightShape());
            ReferenceConv.backwardWeights(s, ax, agy, mag);
            Tolerance.assertClose(dw, gw, mag, f, "backward weights " + c.name);

            if (gb != null) {
                Tensor db = Tensor.allocate(a, t, s.biasShape());
                ReferenceConv.backwardBias(s, gyt, db);
                mag = Tensor.allocate(a, DType.F64, s.biasShape());
                ReferenceConv.backwardBias(s, agy, mag);
                Tolerance.assertClose(db, gb, mag, f, "backward bias " + c.name);
            }
        }
    }

    static void checkPool(Case c, DType t) {
        PoolSpec s = PoolSpec.parse(c.spec);
        try (Arena a = Arena.ofConfined()) {
            Tensor x = load(a, c, "x"), y = load(a, c, "y"), idx = load(a, c, "idx"), gy = load(a, c, "gy"), gx = load(a, c, "gx");
            assertArrayEquals(y.shape(), s.outputShape(), "output shape arithmetic");
            assertArrayEquals(x.shape(), s.inputShape());
            assertEquals(s.kind().isMax(), idx != null);
            long taps = Tensor.numel(x.shape()); // bounds any window's size and any gradient's fan-in
            double f = factor(t, taps);
            Tensor xt = x.to(a, t), gyt = gy.to(a, t);

            Tensor out = Tensor.allocate(a, t, s.outputShape());
            Tensor ind = s.kind().isMax() ? Tensor.allocate(a, DType.I64, s.outputShape()) : null;
            ReferencePool.forward(s, xt, out, ind);
            if (s.kind().isMax()) {
                Tolerance.assertIdentical(out, y, "max forward " + c.name); // inputs are exact in f32
                Fill.forEach(idx, i -> assertEquals(idx.getLong(i), ind.getLong(i), "argmax " + c.name));
            } else {
                Tensor mag = Tensor.allocate(a, DType.F64, s.outputShape());
                ReferencePool.forward(s, Fill.abs(a, x), mag, null);
                Tolerance.assertClose(out, y, mag, f, "avg forward " + c.name);
            }
            Tensor dx = Tensor.allocate(a, t, s.inputShape());
            ReferencePool.backward(s, xt, ind, gyt, dx);
            Tensor mag = Tensor.allocate(a, DType.F64, s.inputShape());
            ReferencePool.backward(s, x, idx, Fill.abs(a, gy), mag);
            Tolerance.assertClose(dx, gx, mag, f, "backward " + c.name);
        }
    }
}
