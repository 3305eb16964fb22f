package dev.vecnn.conformance;

import static dev.vecnn.testing.Tolerance.gamma;
import static dev.vecnn.testing.Tolerance.unitRoundoff;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.conv.Conv;
import dev.vecnn.conv.ConvImpl;
import dev.vecnn.conv.ConvPass;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.parallel.Execution;
import dev.vecnn.pool.Pool;
import dev.vecnn.pool.PoolImpl;
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
 * Max pooling values and indices must match exactly, PyTorch's NaN rule included (several NaNs in
 * one window: the last wins). n is each pass's own reduction length ({@link Tolerance#convTerms}).
 *
 * <p>The fast kernels ({@link #kernelsMatchGoldenFixtures}) are held to the same fixtures directly,
 * each implementation wherever it supports the pass; they sum in the tested precision, so their
 * bound is {@code gamma_t(n)} (plus the fixture's own double rounding and, in float32, the rounding
 * of the inputs).
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
        assertTrue(all.stream().anyMatch(c -> c.name.contains("several_nans")), "a max window holding several NaNs");
        assertTrue(all.stream().anyMatch(c -> c.name.contains("ties")), "max windows with ties");
    }

    @TestFactory
    Stream<DynamicTest> referenceMatchesGoldenFixtures() throws IOException {
        return cases().stream().flatMap(c -> Stream.of(DType.F64, DType.F32).map(t ->
                DynamicTest.dynamicTest(c.name + " " + t.shortName() + " " + c.spec, () -> {
                    if (c.op.equals("conv")) checkConv(c, t);
                    else checkPool(c, t);
                })));
    }

    @TestFactory
    Stream<DynamicTest> kernelsMatchGoldenFixtures() throws IOException {
        return cases().stream().flatMap(c -> Stream.of(DType.F64, DType.F32).map(t ->
                DynamicTest.dynamicTest(c.name + " " + t.shortName() + " kernels " + c.spec, () -> {
                    if (c.op.equals("conv")) checkConvKernels(c, t);
                    else checkPoolKernels(c, t);
                })));
    }

    /** A fast kernel's factor: its own n-term sums in t, the fixture's in double, float32's rounded inputs. */
    static double kernelFactor(DType t, long n) {
        return Tolerance.factor(n, t) + 2 * gamma(n + 2, DType.F64) + (t == DType.F32 ? 3 * unitRoundoff(DType.F32) : 0);
    }

    static void checkConvKernels(Case c, DType t) {
        ConvSpec s = ConvSpec.parse(c.spec);
        try (Arena a = Arena.ofShared(); Execution ex = Execution.withThreads(2)) {
            Tensor x = load(a, c, "x"), w = load(a, c, "w"), b = load(a, c, "b"), y = load(a, c, "y");
            Tensor gy = load(a, c, "gy"), gx = load(a, c, "gx"), gw = load(a, c, "gw");
            Tensor xt = x.to(a, t), wt = w.to(a, t), bt = b == null ? null : b.to(a, t), gyt = gy.to(a, t);
            Tensor ax = Fill.abs(a, x), aw = Fill.abs(a, w), agy = Fill.abs(a, gy);
            for (ConvPass p : ConvPass.values()) {
                for (ConvImpl impl : Conv.implementations(p)) {
                    if (impl.name().equals("reference") || !impl.supports(p, s)) continue;
                    double f = kernelFactor(t, Tolerance.convTerms(s, p));
                    String what = impl + " " + p + " " + c.name;
                    switch (p) {
                        case FORWARD -> {
                            Tensor out = Tensor.allocate(a, t, s.outputShape()), mag = Tensor.allocate(a, DType.F64, s.outputShape());
                            impl.forward(s, xt, wt, bt, out, Epilogue.NONE, ex);
                            ReferenceConv.forward(s, ax, aw, b == null ? null : Fill.abs(a, b), mag);
                            Tolerance.assertClose(out, y, mag, f, what);
                        }
                        case BACKWARD_DATA -> {
                            Tensor out = Tensor.allocate(a, t, s.inputShape()), mag = Tensor.allocate(a, DType.F64, s.inputShape());
                            impl.backwardData(s, gyt, wt, out, ex);
                            ReferenceConv.backwardData(s, agy, aw, mag);
                            Tolerance.assertClose(out, gx, mag, f, what);
                        }
                        case BACKWARD_WEIGHTS -> {
                            Tensor out = Tensor.allocate(a, t, s.weightShape()), mag = Tensor.allocate(a, DType.F64, s.weightShape());
                            impl.backwardWeights(s, xt, gyt, out, ex);
                            ReferenceConv.backwardWeights(s, ax, agy, mag);
                            Tolerance.assertClose(out, gw, mag, f, what);
                        }
                    }
                }
            }
        }
    }

    static void checkPoolKernels(Case c, DType t) {
        PoolSpec s = PoolSpec.parse(c.spec);
        try (Arena a = Arena.ofShared(); Execution ex = Execution.withThreads(2)) {
            Tensor x = load(a, c, "x"), y = load(a, c, "y"), idx = load(a, c, "idx"), gy = load(a, c, "gy"), gx = load(a, c, "gx");
            Tensor xt = x.to(a, t), gyt = gy.to(a, t);
            for (PoolImpl impl : Pool.implementations()) {
                if (impl.name().equals("reference") || !impl.supports(s)) continue;
                String what = impl + " " + c.name;
                Tensor out = Tensor.allocate(a, t, s.outputShape());
                Tensor ind = s.kind().isMax() ? Tensor.allocate(a, DType.I64, s.outputShape()) : null;
                impl.forward(s, xt, out, ind, ex);
                if (s.kind().isMax()) {
                    Tolerance.assertIdentical(out, y, "max forward " + what);
                    Tolerance.assertIdentical(ind, idx, "argmax " + what);
                } else {
                    Tensor mag = Tensor.allocate(a, DType.F64, s.outputShape());
                    ReferencePool.forward(s, Fill.abs(a, x), mag, null);
                    Tolerance.assertClose(out, y, mag, kernelFactor(t, Tolerance.poolWindowTerms(s) + 1), "avg forward " + what);
                }
                Tensor dx = Tensor.allocate(a, t, s.inputShape()), mag = Tensor.allocate(a, DType.F64, s.inputShape());
                impl.backward(s, s.kind().isMax() ? xt : null, null, gyt, dx, ex);
                ReferencePool.backward(s, x, idx, Fill.abs(a, gy), mag);
                Tolerance.assertClose(dx, gx, mag, kernelFactor(t, Tolerance.poolGradientTerms(s) + 1), "backward " + what);
            }
        }
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
            double fForward = factor(t, Tolerance.convTerms(s, ConvPass.FORWARD));
            double fData = factor(t, Tolerance.convTerms(s, ConvPass.BACKWARD_DATA));
            double fWeights = factor(t, Tolerance.convTerms(s, ConvPass.BACKWARD_WEIGHTS));
            Tensor xt = x.to(a, t), wt = w.to(a, t), bt = b == null ? null : b.to(a, t), gyt = gy.to(a, t);
            Tensor ax = Fill.abs(a, x), aw = Fill.abs(a, w), agy = Fill.abs(a, gy);

            Tensor out = Tensor.allocate(a, t, s.outputShape());
            ReferenceConv.forward(s, xt, wt, bt, out);
            Tensor mag = Tensor.allocate(a, DType.F64, s.outputShape());
            ReferenceConv.forward(s, ax, aw, b == null ? null : Fill.abs(a, b), mag);
            Tolerance.assertClose(out, y, mag, fForward, "forward " + c.name);

            Tensor dx = Tensor.allocate(a, t, s.inputShape());
            ReferenceConv.backwardData(s, gyt, wt, dx);
            mag = Tensor.allocate(a, DType.F64, s.inputShape());
            ReferenceConv.backwardData(s, agy, aw, mag);
            Tolerance.assertClose(dx, gx, mag, fData, "backward data " + c.name);

            Tensor dw = Tensor.allocate(a, t, s.weightShape());
            ReferenceConv.backwardWeights(s, xt, gyt, dw);
            mag = Tensor.allocate(a, DType.F64, s.weightShape());
            ReferenceConv.backwardWeights(s, ax, agy, mag);
            Tolerance.assertClose(dw, gw, mag, fWeights, "backward weights " + c.name);

            if (gb != null) {
                Tensor db = Tensor.allocate(a, t, s.biasShape());
                ReferenceConv.backwardBias(s, gyt, db);
                mag = Tensor.allocate(a, DType.F64, s.biasShape());
                ReferenceConv.backwardBias(s, agy, mag);
                Tolerance.assertClose(db, gb, mag, factor(t, Tolerance.biasTerms(s)), "backward bias " + c.name);
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
            double fForward = factor(t, Tolerance.poolWindowTerms(s) + 1), fBackward = factor(t, Tolerance.poolGradientTerms(s) + 1);
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
                Tolerance.assertClose(out, y, mag, fForward, "avg forward " + c.name);
            }
            Tensor dx = Tensor.allocate(a, t, s.inputShape());
            ReferencePool.backward(s, xt, ind, gyt, dx);
            Tensor mag = Tensor.allocate(a, DType.F64, s.inputShape());
            ReferencePool.backward(s, x, idx, Fill.abs(a, gy), mag);
            Tolerance.assertClose(dx, gx, mag, fBackward, "backward " + c.name);
        }
    }
}
