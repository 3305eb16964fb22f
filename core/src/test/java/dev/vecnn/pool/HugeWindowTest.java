package dev.vecnn.pool;

import static dev.vecnn.testing.Props.draw;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.parallel.Execution;
import dev.vecnn.ref.ReferencePool;
import dev.vecnn.spec.PoolKind;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import dev.vecnn.testing.Props;
import dev.vecnn.testing.Tolerance;
import java.lang.foreign.Arena;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Pooling with strides, dilations and paddings near 2^31 over small inputs: valid specs whose window
 * arithmetic leaves the int range (start positions, reach into the padding, phase buffers). The
 * vector kernels must run them and agree with the reference: max exactly (it only compares), average
 * within {@code gamma(taps + 1)} of the same sum of magnitudes, backward within
 * {@code gamma(outputs + 2)} (see {@link PoolImplsTest}).
 */
class HugeWindowTest {
    static final Execution EX = Execution.withThreads(2);
    static final int MAX = Integer.MAX_VALUE;

    @AfterAll
    static void close() {
        EX.close();
    }

    @Test
    void strideOfIntMaxPoolsOneWindowAsPyTorch() {
        // regression: "scratch size -1040 overflows an array" from the vector kernels (stride * phase
        // length in int). PyTorch: max_pool2d / avg_pool2d of arange(1600).view(1, 1, 50, 32), kernel 3,
        // stride 2147483647 give [[66.]] and [[33.]]: the window over rows 0-2, columns 0-2
        for (PoolKind kind : new PoolKind[] {PoolKind.MAX, PoolKind.AVG}) {
            PoolSpec s = PoolSpec.builder(kind).batch(2).channels(3).input(50, 32).kernel(3).stride(MAX).build();
            assertArrayEquals(new long[] {1, 1}, s.outputSize());
            for (PoolImpl impl : Pool.implementations()) {
                assertTrue(impl.supports(s), impl + " " + s);
                for (DType t : new DType[] {DType.F32, DType.F64}) {
                    for (boolean channelsLast : new boolean[] {false, true}) {
                        try (Arena a = Arena.ofShared()) {
                            String what = impl + " " + t.shortName() + (channelsLast ? " channels-last " : " ") + s;
                            Tensor x = CeilModeConformanceTest.alloc(a, t, s.inputShape(), channelsLast);
                            Fill.forEach(x, i -> x.set(i[2] * 32 + i[3], i));
                            Tensor y = CeilModeConformanceTest.alloc(a, t, s.outputShape(), channelsLast);
                            Tensor idx = kind.isMax() ? Tensor.allocate(a, DType.I64, s.outputShape()) : null;
                            impl.forward(s, x, y, idx, EX);
                            Fill.forEach(y, i -> assertEquals(kind.isMax() ? 66 : 33, y.get(i), 0, what));
                            if (idx != null) Fill.forEach(idx, i -> assertEquals(66, idx.getLong(i), what));
                            Tensor gy = CeilModeConformanceTest.alloc(a, t, s.outputShape(), channelsLast);
                            gy.fill(9);
                            Tensor gx = CeilModeConformanceTest.alloc(a, t, s.inputShape(), channelsLast);
                            gx.fill(Double.NaN);
                            impl.backward(s, x, idx, gy, gx, EX);
                            Fill.forEach(gx, i -> {
                                boolean inWindow = i[2] < 3 && i[3] < 3;
                                double expected = kind.isMax() ? (i[2] == 2 && i[3] == 2 ? 9 : 0) : inWindow ? 1 : 0;
                                assertEquals(expected, gx.get(i), 0, what + " gx at " + Arrays.toString(i));
                            });
                        }
                    }
                }
            }
        }
    }

    /** Small inputs under windows whose stride, dilation or padding is near 2^31; null when the spec is invalid or large. */
    static final Gen<PoolSpec> HUGE = in -> {
        int rank = draw(in, 1, 3);
        PoolKind kind = draw(in, 0, 1) == 0 ? PoolKind.MAX : PoolKind.AVG;
        int[] k = new int[rank], st = new int[rank], dil = new int[rank], pb = new int[rank], pe = new int[rank];
        long[] size = new long[rank];
        for (int d = 0; d < rank; d++) {
            size[d] = draw(in, 1, d == rank - 1 ? 40 : 6);
            k[d] = draw(in, 1, 3);
            switch (draw(in, 0, 3)) {
                case 0 -> { // ordinary
                    st[d] = draw(in, 1, 3);
                    dil[d] = draw(in, 1, 2);
                    pb[d] = draw(in, 0, 2);
                    pe[d] = draw(in, 0, 2);
                }
                case 1 -> { // huge stride
                    st[d] = MAX - draw(in, 0, 2);
                    dil[d] = draw(in, 1, 2);
                    pb[d] = draw(in, 0, 2);
                    pe[d] = draw(in, 0, 2);
                }
                case 2 -> { // huge padding: windows deep in it
                    st[d] = MAX - draw(in, 0, 2);
                    dil[d] = draw(in, 1, 3);
                    pb[d] = (1 << 30) + draw(in, 0, 3);
                    pe[d] = (1 << 30) + draw(in, 0, 3);
                }
                default -> { // huge dilation: taps far apart, reaching through huge padding
                    k[d] = draw(in, 1, 2);
                    st[d] = MAX - draw(in, 0, 2);
                    dil[d] = (1 << 30) + draw(in, 0, 3);
                    pb[d] = (1 << 30) - draw(in, 0, 3);
                    pe[d] = MAX - draw(in, 0, 3);
                }
            }
        }
        try {
            PoolSpec.Builder b = PoolSpec.builder(kind).batch(draw(in, 1, 2)).channels(draw(in, 1, 3) * 7 - 6).input(size).kernel(k)
                    .stride(st).dilation(dil).padding(pb, pe).ceilMode(draw(in, 0, 1) == 1);
            if (kind == PoolKind.AVG) b.countIncludePad(draw(in, 0, 1) == 1);
            PoolSpec s = b.build();
            return Arrays.stream(s.outputSize()).reduce(1, Math::multiplyExact) <= 256 ? s : null;
        } catch (IllegalArgumentException invalid) {
            return null;
        }
    };

    @Test
    @Tag("kernels")
    void vectorKernelsRunHugeWindowsAsTheReference() {
        Props.qt(300).forAll(HUGE).assuming(s -> s != null).checkAssert(s -> {
            PoolImpl vector = Pool.implementations().get(0); // the backend's fast kernels: vector, or portable without the module
            assertTrue(vector.supports(s), s.toString());
            for (DType t : new DType[] {DType.F32, DType.F64}) {
                for (boolean channelsLast : new boolean[] {false, true}) {
                    try (Arena a = Arena.ofShared()) {
                        String what = t.shortName() + (channelsLast ? " channels-last " : " ") + s;
                        Tensor x = CeilModeConformanceTest.alloc(a, t, s.inputShape(), channelsLast);
                        Fill.uniform(x, 5);
                        Tensor ref = Tensor.allocate(a, t, s.outputShape()), y = CeilModeConformanceTest.alloc(a, t, s.outputShape(), channelsLast);
                        Tensor refIdx = s.kind().isMax() ? Tensor.allocate(a, DType.I64, s.outputShape()) : null;
                        Tensor idx = s.kind().isMax() ? Tensor.allocate(a, DType.I64, s.outputShape()) : null;
                        ReferencePool.forward(s, x, ref, refIdx);
                        vector.forward(s, x, y, idx, EX);
                        if (s.kind().isMax()) {
                            Tolerance.assertIdentical(y, ref, "forward " + what);
                            Tolerance.assertIdentical(idx, refIdx, "indices " + what);
                        } else {
                            Tensor mag = Tensor.allocate(a, DType.F64, s.outputShape());
                            ReferencePool.forward(s, Fill.abs(a, x), mag, null);
                            Tolerance.assertClose(y, ref, mag, Tolerance.gamma(PoolImplsTest.taps(s) + 1, t), "forward " + what);
                        }
                        Tensor gy = CeilModeConformanceTest.alloc(a, t, s.outputShape(), channelsLast);
                        Fill.uniform(gy, 6);
                        Tensor gRef = Tensor.allocate(a, DType.F64, s.inputShape()), gMag = Tensor.allocate(a, DType.F64, s.inputShape());
                        ReferencePool.backward(s, null, refIdx, gy.to(a, DType.F64), gRef);
                        ReferencePool.backward(s, null, refIdx, Fill.abs(a, gy), gMag);
                        Tensor gx = CeilModeConformanceTest.alloc(a, t, s.inputShape(), channelsLast);
                        gx.fill(Double.NaN);
                        vector.backward(s, null, idx, gy, gx, EX);
                        Tolerance.assertClose(gx, gRef, gMag, Tolerance.gamma(PoolImplsTest.outPlane(s) + 2, t), "backward " + what);
                    }
                }
            }
        });
    }
}
