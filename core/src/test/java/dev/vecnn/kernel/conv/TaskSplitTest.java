package dev.vecnn.kernel.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.conv.Conv;
import dev.vecnn.conv.ConvImpl;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import dev.vecnn.testing.Tolerance;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/**
 * The cut of the gemm forward and backward-data passes into tasks ({@link TaskSplit}): balanced parts
 * that cover every row and panel once, the cuts of this machine's thread counts (images, then rows,
 * never panels where those serve), panel parts where a small plane at batch 1 leaves threads idle, and
 * the same bits for every cut.
 */
class TaskSplitTest {
    @Test
    void balancedPartsCoverEveryIndexOnceAndDifferByAtMostOne() {
        for (int n = 1; n <= 70; n++) {
            for (int parts = 1; parts <= n; parts++) {
                assertEquals(0, TaskSplit.start(n, 0, parts));
                assertEquals(n, TaskSplit.start(n, parts, parts), n + " in " + parts);
                int min = Integer.MAX_VALUE, max = 0;
                for (int i = 0; i < parts; i++) {
                    int size = TaskSplit.start(n, i + 1, parts) - TaskSplit.start(n, i, parts);
                    min = Math.min(min, size);
                    max = Math.max(max, size);
                }
                assertTrue(min >= 1 && max - min <= 1, n + " in " + parts + ": sizes " + min + ".." + max);
            }
        }
    }

    @Test
    void oneAndTwoThreadsCutByImagesThenRowsNeverPanelsWhereThoseServe() {
        assertEquals(new TaskSplit(3, 1, 1), TaskSplit.of(1, 56, 3, 6, 1), "one thread: the buffer's parts only");
        assertEquals(new TaskSplit(1, 1, 1), TaskSplit.of(32, 56, 1, 6, 2), "a batch: one task per image");
        assertEquals(new TaskSplit(2, 1, 1), TaskSplit.of(1, 56, 1, 6, 2), "one image: two runs of rows");
        assertEquals(new TaskSplit(4, 1, 1), TaskSplit.of(1, 56, 4, 6, 2), "the buffer's parts serve two threads");
    }

    @Test
    void smallPlanesAtBatchOneCutThePanelsAndKeepManyThreadsBusy() {
        // the 7x7 C512 layer: 7 rows, 43 panels of output channels
        for (int threads : new int[] {2, 16, 32, 64}) {
            TaskSplit s = TaskSplit.of(1, 7, 1, 43, threads);
            double ideal = 7.0 * 43 / threads;
            double slowest = TaskSplit.slowest(1, 7, s.rowParts(), 43, s.panelParts(), 1, 1, threads);
            assertTrue(s.panelParts() > 1, threads + " threads: " + s);
            assertTrue(ideal / slowest >= 0.75, threads + " threads: " + s + " keeps " + ideal / slowest + " busy");
        }
    }

    @Test
    void aVolumeAtBatchOneCutsDimensionOneWhereRowsAndPanelsAreTooFew() {
        // conv4d mb1ic4oc8 16^4: 16 rows, one panel, 16 columns
        for (int threads : new int[] {32, 64}) {
            TaskSplit s = TaskSplit.of(1, 16, 1, 1, 16, threads);
            double busy = 16.0 * 16 / threads / TaskSplit.slowest(1, 16, s.rowParts(), 1, s.panelParts(), 16, s.colParts(), threads);
            assertTrue(s.colParts() > 1 && busy >= 0.75, threads + " threads: " + s + " keeps " + busy + " busy");
        }
        assertEquals(1, TaskSplit.of(1, 16, 1, 1, 16, 2).colParts(), "two threads: rows serve");
    }

    @Test
    void everyCutGivesTheSameBits() {
        ConvImpl gemm = Conv.implementation("gemm");
        String[] specs = {
            "mb1ic64ih7oc96oh7kh3ph1", // forward: rows and panels cut
            "mb2ic40oc72_i5x6_k3x2_p1x0", // backward-data with panel parts
            "g2mb1ic48ih9oc80oh9kh3ph1", // groups
            "mb1ic64ih7oc40oh13kh1sh2_transposed", // transposed stride 2: rows no tap reaches get bias and activation
            "mb1ic32ih8oc48oh8kh3ph1_reflect", // a padding mode whose backward-data keeps one panel part
            "mb1ic4oc8_i4x6x5_k3x3x3_p1x1x1", // a volume at batch 1: dimension 1 cut
            "mb1ic12oc6_i5x7x4_k3x1x2_s2x2x1_p1x0x1_transposed" // phases no tap reaches: no dimension-1 cut
        };
        int[] threads = {1, 2, 5, 16, 64};
        Execution[] ex = new Execution[threads.length];
        for (int i = 0; i < threads.length; i++) ex[i] = Execution.withThreads(threads[i]);
        try (Arena a = Arena.ofShared()) {
            for (String text : specs) {
                ConvSpec s = ConvSpec.parse(text);
                Tensor x = Fill.uniform(a, DType.F32, s.inputShape(), 1), w = Fill.uniform(a, DType.F32, s.weightShape(), 2);
                Tensor b = s.hasBias() ? Fill.uniform(a, DType.F32, s.biasShape(), 3) : null;
                Tensor gy = Fill.uniform(a, DType.F32, s.outputShape(), 4);
                Tensor y0 = null, gx0 = null, gw0 = null;
                for (int i = 0; i < threads.length; i++) {
                    Tensor y = Tensor.allocate(a, DType.F32, s.outputShape()), gx = Tensor.allocate(a, DType.F32, s.inputShape());
                    Tensor gw = Tensor.allocate(a, DType.F32, s.weightShape());
                    gemm.forward(s, x, w, b, y, Epilogue.relu(), ex[i]);
                    gemm.backwardData(s, gy, w, gx, ex[i]);
                    gemm.backwardWeights(s, x, gy, gw, ex[i]); // its channel blocks follow the threads too
                    if (i == 0) {
                        y0 = y;
                        gx0 = gx;
                        gw0 = gw;
                    } else {
                        Tolerance.assertIdentical(y, y0, text + " forward on " + threads[i] + " threads");
                        Tolerance.assertIdentical(gx, gx0, text + " backward-data on " + threads[i] + " threads");
                        Tolerance.assertIdentical(gw, gw0, text + " backward-weights on " + threads[i] + " threads");
                    }
                }
            }
        } finally {
            for (Execution e : ex) e.close();
        }
    }
}
