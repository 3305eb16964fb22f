package dev.vecnn.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.parallel.Execution;
import dev.vecnn.ref.ReferencePool;
import dev.vecnn.spec.PoolKind;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import dev.vecnn.testing.Tolerance;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Pooling output sizes and values against PyTorch 1.13, in and out of ceil mode, for a sweep of small
 * 1-D and 2-D cases ({@code resources/pytorch/pool_ceil_sweep.txt}, written once by the script next to
 * it). Covers ceil-mode windows that run past the padded end, including dilated windows longer than
 * the input. Every implementation must give PyTorch's output size (or reject the spec where PyTorch
 * has no output), the same maxima and argmax (exactly: max only compares), and the same averages
 * within the rounding of a sum of at most 9 terms: both results are within
 * {@code gamma(taps + 1) * sum|x| / divisor} of the exact mean, so they differ by at most twice that.
 * Inputs are (2, 3, ...) copies of PyTorch's signal, channels-first and channels-last, so the
 * vector kernels' per-plane and across-channel paths both run.
 */
class CeilModeConformanceTest {
    static final Execution EX = Execution.withThreads(2);

    @AfterAll
    static void close() {
        EX.close();
    }

    /** One line of the sweep: the spec PyTorch pooled, its output size (null: no output), values and indices. */
    record Case(String line, PoolSpec.Builder spec, long[] out, double[] y, long[] indices) {
    }

    static List<Case> sweep() throws IOException {
        List<Case> cases = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                CeilModeConformanceTest.class.getResourceAsStream("/pytorch/pool_ceil_sweep.txt"), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#")) continue;
                String[] g = line.split("\\|", -1);
                String[] h = g[0].trim().split(" ");
                long[] p = Arrays.stream(h).skip(1).mapToLong(Long::parseLong).toArray();
                PoolSpec.Builder b;
                switch (h[0]) {
                    case "max1d" -> b = PoolSpec.builder(PoolKind.MAX).input(p[0]).kernel((int) p[1]).stride((int) p[2])
                            .dilation((int) p[3]).padding((int) p[4]).ceilMode(p[5] == 1);
                    case "avg1d" -> b = PoolSpec.builder(PoolKind.AVG).input(p[0]).kernel((int) p[1]).stride((int) p[2])
                            .padding((int) p[3]).ceilMode(p[4] == 1).countIncludePad(p[5] == 1);
                    case "avg2d" -> b = PoolSpec.builder(PoolKind.AVG).input(p[0], p[1]).kernel((int) p[2]).stride((int) p[3])
                            .padding((int) p[4]).ceilMode(p[5] == 1).countIncludePad(p[6] == 1);
                    default -> throw new IllegalStateException("unknown case " + line);
                }
                String size = g[1].trim();
                long[] out = size.equals("error") ? null : Arrays.stream(size.split(" ")).mapToLong(Long::parseLong).toArray();
                if (out != null && Arrays.stream(out).anyMatch(o -> o < 1)) out = null;
                double[] y = out == null ? null : Arrays.stream(g[2].trim().split(" ")).mapToDouble(CeilModeConformanceTest::number).toArray();
                long[] idx = out == null || g.length < 4 ? null : Arrays.stream(g[3].trim().split(" ")).mapToLong(Long::parseLong).toArray();
                cases.add(new Case(line, b, out, y, idx));
            }
        }
        return cases;
    }

    @Test
    void outputSizesAreExactlyPyTorchsAndSpecsWithoutOutputAreRejected() throws IOException {
        List<Case> cases = sweep();
        assertTrue(cases.size() > 1500, "sweep has " + cases.size() + " cases");
        int rejected = 0, overrun = 0;
        for (Case c : cases) {
            if (c.out == null) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.spec.channels(1).build(), c.line);
                assertTrue(e.getMessage().startsWith("kernel["), c.line + ": " + e.getMessage());
                rejected++;
                continue;
            }
            PoolSpec s = c.spec.channels(1).build();
            assertArrayEquals(c.out, s.outputSize(), c.line + " -> " + s);
            for (int d = 0; d < s.rank(); d++) {
                long end = s.window().start(d, s.outputSize(d) - 1) + s.window().effectiveKernel(d);
                if (end > s.inputSize(d) + s.window().padEnd(d)) overrun++;
            }
        }
        assertTrue(rejected > 100 && overrun > 100, "the sweep covers rejections (" + rejected + ") and windows past the padded end ("
                + overrun + ")");
    }

    @Test
    void everyImplementationPoolsAsPyTorch() throws IOException {
        for (Case c : sweep()) {
            if (c.out == null) continue;
            PoolSpec s = c.spec.batch(2).channels(3).build();
            assertEquals(Arrays.stream(s.outputSize()).reduce(1, Math::multiplyExact), c.y.length, c.line);
            for (PoolImpl impl : Pool.implementations()) {
                for (boolean channelsLast : new boolean[] {false, true}) {
                    try (Arena a = Arena.ofShared()) {
                        Tensor in = alloc(a, DType.F64, s.inputShape(), channelsLast);
                        Fill.forEach(in, idx -> in.set(signal(flat(idx, s.inputShape())), idx));
                        Tensor y = alloc(a, DType.F64, s.outputShape(), channelsLast);
                        y.fill(Double.NaN);
                        Tensor idx = s.kind().isMax() ? Tensor.allocate(a, DType.I64, s.outputShape()) : null;
                        impl.forward(s, in, y, idx, EX);
                        String what = impl + (channelsLast ? " channels-last " : " ") + s + " (" + c.line + ")";
                        Fill.forEach(y, i -> {
                            int o = (int) flat(i, s.outputShape());
                            double expected = c.y[o];
                            if (s.kind().isMax()) {
                                assertEquals(expected, y.get(i), 0, what + " at " + Arrays.toString(i));
                                // a window without input elements: PyTorch's index is its first tap inside the
                                // padded range, outside the plane; vecnn gives -1 (README, Semantics)
                                long expectedIndex = expected == Double.NEGATIVE_INFINITY ? -1 : c.indices[o];
                                assertEquals(expectedIndex, idx.getLong(i), what + " index at " + Arrays.toString(i));
                            } else {
                                // |x| <= 5.1, at most 9 taps, divisor >= 1
                                Tolerance.assertWithin(y.get(i), expected, 2 * Tolerance.gamma(10, DType.F64) * 9 * 5.1, what);
                            }
                        });
                    }
                }
            }
        }
    }

    @Test
    @Tag("kernels") // again at 128 and 256 bits
    void vectorMatchesTheReferenceOnTheSweepInBothDtypesForwardAndBackward() throws IOException {
        PoolImpl vector = Pool.implementations().get(0); // the backend's fast kernels: vector, or portable without the module
        for (Case c : sweep()) {
            if (c.out == null) continue;
            PoolSpec s = c.spec.batch(2).channels(3).build();
            for (DType t : new DType[] {DType.F32, DType.F64}) {
                for (boolean channelsLast : new boolean[] {false, true}) {
                    try (Arena a = Arena.ofShared()) {
                        String what = t.shortName() + (channelsLast ? " channels-last " : " ") + s;
                        Tensor x = alloc(a, t, s.inputShape(), channelsLast);
                        Fill.uniform(x, 3);
                        Tensor ref = Tensor.allocate(a, t, s.outputShape()), y = alloc(a, t, s.outputShape(), channelsLast);
                        Tensor refIdx = s.kind().isMax() ? Tensor.allocate(a, DType.I64, s.outputShape()) : null;
                        Tensor idx = s.kind().isMax() ? Tensor.allocate(a, DType.I64, s.outputShape()) : null;
                        ReferencePool.forward(s, x, ref, refIdx);
                        vector.forward(s, x, y, idx, EX);
                        Tensor mag = Tensor.allocate(a, DType.F64, s.outputShape());
                        ReferencePool.forward(s, Fill.abs(a, x), mag, null);
                        if (s.kind().isMax()) {
                            Tolerance.assertIdentical(y, ref, "forward " + what);
                            Tolerance.assertIdentical(idx, refIdx, "indices " + what);
                        } else {
                            Tolerance.assertClose(y, ref, mag, Tolerance.gamma(10, t), "forward " + what);
                        }
                        Tensor gy = alloc(a, t, s.outputShape(), channelsLast);
                        Fill.uniform(gy, 4);
                        Tensor gRef = Tensor.allocate(a, DType.F64, s.inputShape()), gx = alloc(a, t, s.inputShape(), channelsLast);
                        gx.fill(Double.NaN);
                        ReferencePool.backward(s, null, refIdx, gy.to(a, DType.F64), gRef);
                        Tensor gMag = Tensor.allocate(a, DType.F64, s.inputShape());
                        ReferencePool.backward(s, null, refIdx, Fill.abs(a, gy), gMag);
                        vector.backward(s, x, idx, gy, gx, EX);
                        long outPlane = Arrays.stream(s.outputSize()).reduce(1, Math::multiplyExact);
                        Tolerance.assertClose(gx, gRef, gMag, Tolerance.gamma(outPlane + 2, t), "backward " + what);
                    }
                }
            }
        }
    }

    @Test
    void theBriefsCaseMaxOfElementsZeroAndTwo() {
        // max pooling of length 4, kernel 3, stride 2, dilation 2, ceil mode: PyTorch gives one output,
        // the maximum of elements 0 and 2 (tap 4 lies past the end)
        PoolSpec s = PoolSpec.builder(PoolKind.MAX).channels(1).input(4).kernel(3).stride(2).dilation(2).ceilMode(true).build();
        assertArrayEquals(new long[] {1}, s.outputSize());
        for (PoolImpl impl : Pool.implementations()) {
            Tensor x = Tensor.of(new float[] {1, 9, 5, 7}, 1, 1, 4), y = Tensor.of(new float[1], 1, 1, 1);
            Tensor idx = Tensor.of(new long[1], 1, 1, 1);
            impl.forward(s, x, y, idx, EX);
            assertEquals(5, y.get(0, 0, 0), impl.name());
            assertEquals(2, idx.getLong(0, 0, 0), impl.name());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.toBuilder().ceilMode(false).build());
        assertEquals("kernel[0] = 3: dilated kernel 5 is larger than the padded input 4", e.getMessage());
    }

    /** A Python float's repr. */
    static double number(String v) {
        return switch (v) {
            case "-inf" -> Double.NEGATIVE_INFINITY;
            case "inf" -> Double.POSITIVE_INFINITY;
            case "nan" -> Double.NaN;
            default -> Double.parseDouble(v);
        };
    }

    static Tensor alloc(Arena a, DType t, long[] shape, boolean channelsLast) {
        return channelsLast ? Tensor.allocateChannelsLast(a, t, shape) : Tensor.allocate(a, t, shape);
    }

    /** The script's signal at a plane position (every (n, c) plane holds the same copy). */
    static double signal(long i) {
        return ((i * 37) % 101) / 10.0 - 5.0;
    }

    /** Row-major position of {@code idx} within its (n, c) plane. */
    static long flat(long[] idx, long[] shape) {
        long f = 0;
        for (int d = 2; d < shape.length; d++) f = f * shape[d] + idx[d];
        return f;
    }
}
