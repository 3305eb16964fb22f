package dev.vecnn.kernel.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.parallel.Execution;
import dev.vecnn.pool.Pool;
import dev.vecnn.ref.ReferencePool;
import dev.vecnn.spec.PoolKind;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Tolerance;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Planes past the sizes the previous kernels declined (they carried argmax positions in float lanes,
 * exact only below 2^24, and used int positions): such problems ran on the reference, ~1000x slower.
 */
class LargePlaneTest {
    static final Execution TWO = Execution.withThreads(2);

    @AfterAll
    static void close() {
        TWO.close();
    }

    @Test
    void maxPoolingOfAPlaneJustAbove2To24ElementsMatchesTheReference() {
        // 1 x 1 x (2^24 + 3) float32 (64 MB), window 3, stride 8, padding 1: 2^21 + 1 outputs, the last one
        // reading positions 2^24 - 1 .. 2^24 + 1. The maximum 1000 sits at 2^24 + 1 (not a float: it rounds
        // to 2^24), the plane's maximum 2000 at 2^24 + 2; elsewhere 64 levels (many ties).
        long n = (1L << 24) + 3;
        PoolSpec s = PoolSpec.builder(PoolKind.MAX).batch(1).channels(1).input(n).kernel(3).stride(8).padding(1).build();
        PoolSpec global = PoolSpec.builder(PoolKind.GLOBAL_MAX).batch(1).channels(1).input(n).build();
        assertEquals("vector", Pool.choose(s).name());
        assertEquals("vector", Pool.choose(global).name());
        try (Arena a = Arena.ofShared()) {
            Tensor x = Tensor.allocate(a, DType.F32, s.inputShape());
            MemorySegment xs = x.segment();
            for (long i = 0; i < n; i++) xs.setAtIndex(ValueLayout.JAVA_FLOAT, i, ((i * 2654435761L) >>> 20) % 64);
            xs.setAtIndex(ValueLayout.JAVA_FLOAT, n - 2, 1000);
            xs.setAtIndex(ValueLayout.JAVA_FLOAT, n - 1, 2000);
            Tensor ref = Tensor.allocate(a, DType.F32, s.outputShape()), refIdx = Tensor.allocate(a, DType.I64, s.outputShape());
            ReferencePool.forward(s, x, ref, refIdx);
            long last = s.outputSize(0) - 1;
            assertEquals((1L << 24) + 1, refIdx.getLong(0, 0, last));

            Tensor y = Tensor.allocate(a, DType.F32, s.outputShape()), idx = Tensor.allocate(a, DType.I64, s.outputShape());
            Pool.implementation("vector").forward(s, x, y, null, TWO);
            Tolerance.assertIdentical(y, ref, "values " + s);
            Pool.implementation("vector").forward(s, x, y, idx, TWO);
            Tolerance.assertIdentical(y, ref, "values with indices " + s);
            Tolerance.assertIdentical(idx, refIdx, "indices " + s);

            // backward from the indices: gx = the gradients routed to their argmax, summed in output order
            Tensor gy = Tensor.allocate(a, DType.F32, s.outputShape()), gx = Tensor.allocate(a, DType.F32, s.inputShape());
            for (long o = 0; o <= last; o++) gy.segment().setAtIndex(ValueLayout.JAVA_FLOAT, o, 1 + o % 7);
            Pool.implementation("vector").backward(s, x, idx, gy, gx, TWO);
            float[] expected = new float[(int) n];
            for (long o = 0; o <= last; o++) expected[(int) idx.getLong(0, 0, o)] += 1 + o % 7;
            for (long i = 0; i < n; i++) {
                if (gx.segment().getAtIndex(ValueLayout.JAVA_FLOAT, i) != expected[(int) i]) {
                    throw new AssertionError("gx[" + i + "] = " + gx.segment().getAtIndex(ValueLayout.JAVA_FLOAT, i) + ", expected " + expected[(int) i]);
                }
            }

            Tensor gyGlobal = Tensor.allocate(a, DType.F32, global.outputShape()), gIdx = Tensor.allocate(a, DType.I64, global.outputShape());
            Pool.implementation("vector").forward(global, x, gyGlobal, gIdx, TWO);
            assertEquals(2000, gyGlobal.get(0, 0, 0));
            assertEquals(n - 1, gIdx.getLong(0, 0, 0));
        }
    }

    @Test
    void everySpecWhoseTensorsCanExistIsPlannedForTheVectorKernels() {
        // far too large to run here: the dispatcher picks the vector kernels and their plan is formed
        // without overflow (sizes up to 2^60 elements, windows and strides near 2^31)
        List<PoolSpec> specs = List.of(
                PoolSpec.builder(PoolKind.MAX).batch(1).channels(1).input(1L << 40).kernel(3).stride(2).padding(1).build(),
                PoolSpec.builder(PoolKind.AVG).batch(2).channels(3).input(1L << 20, 1L << 20, 1L << 10).kernel(3, 3, 3).stride(2).build(),
                PoolSpec.builder(PoolKind.AVG).batch(1).channels(1).input(1L << 40).kernel(1 << 30).stride(Integer.MAX_VALUE)
                        .padding(1 << 29).countIncludePad(false).ceilMode(true).build(),
                PoolSpec.builder(PoolKind.MAX).batch(1).channels(1L << 40).input(1, 1).kernel(1).build(),
                PoolSpec.builder(PoolKind.ADAPTIVE_MAX).batch(1).channels(1).input(1L << 50).output((1L << 45) + 1).build(),
                PoolSpec.builder(PoolKind.ADAPTIVE_AVG).batch(1).channels(1).input(3).output(1L << 58).build(),
                PoolSpec.builder(PoolKind.GLOBAL_MAX).batch(1).channels(1).input(1L << 59).build(),
                PoolSpec.builder(PoolKind.MAX).batch(1L << 30).channels(1L << 20).input(7, 7).kernel(3).stride(2).build());
        for (PoolSpec s : specs) {
            assertEquals("vector", Pool.choose(s).name(), s.toString());
            PoolGeometry g = new PoolGeometry(s, PoolGeometry.Limits.DEFAULT);
            assertTrue(g.tile >= 1 && g.tiles >= 1 && g.tiles * g.tile >= g.ow && g.chunkPieces >= 1, s.toString());
            for (long unit : new long[] {1, 512}) {
                long[] boxes = g.boxes(unit);
                assertTrue(boxes[1] >= 1 && boxes[2] >= 1, s.toString());
            }
        }
    }
}
