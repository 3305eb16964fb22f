package dev.vecnn.kernel.conv.depthwise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.conv.KernelRegressionTest;
import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PaddingMode;
import dev.vecnn.tensor.DType;
import dev.vecnn.testing.Layout;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The depthwise rows path ({@link RowPlan}, {@code DepthwiseRowsF32/F64}) on shapes chosen to reach each
 * of its cases: narrow planes computed flat, every block shape (one row by eight vectors, 2x4, 4x2, 8x1, and for
 * three taps along the rows the unrolled 3x4, 6x2, 12x1 where there are 32 vector registers), several column groups per
 * row (whose last vector runs into the next row), row counts that are not whole blocks, rows narrower
 * than a vector, dilation, asymmetric and large padding, valid convolutions (input rows longer than
 * output rows), strided leading dimensions, stride 2 along the rows (kept from unit stride, and split into even and odd columns), channel multipliers, ranks 1 to 3,
 * and backward-data with
 * {@code padBegin > (kernel - 1) * dilation} (a negative reversed padding). Every pass of every
 * implementation is checked against the reference at 1, 2 and 3 threads, forward also with fused and
 * unfused activations in float and double. The kernel tests run again at 128 and 256 bits, where the
 * same shapes fall into other block shapes.
 */
@Tag("kernels")
class DepthwiseRowsTest {
    /** Depthwise specs (groups = input channels), forward on the rows path. */
    static final List<ConvSpec> FORWARD = List.of(
            spec(2, 3, 1, new long[] {9, 57}, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}),
            spec(1, 2, 1, new long[] {13, 7}, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}),
            spec(1, 2, 1, new long[] {5, 20}, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}),
            spec(2, 2, 1, new long[] {300}, new int[] {5}, new int[] {1}, new int[] {1}, new int[] {2}, new int[] {2}),
            spec(1, 4, 1, new long[] {11, 40}, new int[] {3, 4}, new int[] {1, 1}, new int[] {2, 3}, new int[] {0, 0}, new int[] {0, 0}),
            spec(1, 3, 2, new long[] {6, 33}, new int[] {2, 5}, new int[] {1, 1}, new int[] {1, 2}, new int[] {0, 4}, new int[] {3, 1}),
            spec(2, 2, 1, new long[] {5, 6, 19}, new int[] {3, 3, 3}, new int[] {2, 2, 1}, new int[] {1, 1, 1}, new int[] {1, 1, 1},
                    new int[] {1, 1, 1}),
            spec(1, 5, 1, new long[] {3, 1}, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}),
            // rows of one vector and three taps along them: the unrolled twelve-row block (dilated down the columns;
            // and rows of two columns, one vector at every width)
            spec(1, 2, 1, new long[] {4, 5, 9}, new int[] {3, 3, 3}, new int[] {1, 1, 1}, new int[] {1, 2, 1}, new int[] {1, 2, 1},
                    new int[] {1, 2, 1}),
            spec(2, 3, 1, new long[] {4, 5, 2}, new int[] {3, 3, 3}, new int[] {1, 1, 1}, new int[] {1, 1, 1}, new int[] {1, 1, 1},
                    new int[] {1, 1, 1}),
            // stride 2 along rows of fewer than 48 columns out: computed at unit stride, every other column kept (odd and even widths)
            spec(2, 3, 1, new long[] {9, 57}, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}),
            spec(1, 2, 2, new long[] {6, 14}, new int[] {3, 3}, new int[] {1, 2}, new int[] {1, 2}, new int[] {0, 2}, new int[] {1, 1}),
            spec(1, 2, 1, new long[] {301}, new int[] {4}, new int[] {2}, new int[] {1}, new int[] {1}, new int[] {2}),
            // stride 2 down the columns of a narrow plane: flat, every other row kept (odd and even heights)
            spec(2, 3, 1, new long[] {14, 14}, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}),
            spec(1, 2, 2, new long[] {9, 11}, new int[] {3, 2}, new int[] {2, 1}, new int[] {2, 1}, new int[] {2, 0}, new int[] {0, 1}),
            // stride 2 along wider rows: laid split into even and odd columns (an even width; an odd width whose
            // dilated taps all read the odd half; rank 3 with an even kernel along the rows)
            spec(2, 3, 1, new long[] {7, 130}, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}),
            spec(1, 2, 2, new long[] {5, 131}, new int[] {3, 5}, new int[] {1, 2}, new int[] {1, 2}, new int[] {0, 3}, new int[] {2, 1}),
            spec(1, 2, 1, new long[] {3, 4, 150}, new int[] {3, 3, 4}, new int[] {2, 1, 2}, new int[] {1, 1, 1}, new int[] {1, 1, 1},
                    new int[] {1, 1, 2}));

    /** Unit-stride specs with one output channel per group, backward-data on the rows path. */
    static final List<ConvSpec> BACKWARD_DATA = List.of(
            spec(2, 3, 1, new long[] {9, 57}, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}),
            spec(1, 2, 1, new long[] {13, 7}, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, new int[] {2, 2}, new int[] {2, 0}),
            spec(1, 2, 1, new long[] {40}, new int[] {1}, new int[] {1}, new int[] {1}, new int[] {3}, new int[] {1}),
            spec(1, 3, 1, new long[] {7, 26}, new int[] {3, 2}, new int[] {1, 1}, new int[] {2, 3}, new int[] {0, 5}, new int[] {2, 0}));

    private static ConvSpec spec(long batch, long channels, long multiplier, long[] size, int[] kernel, int[] stride, int[] dilation, int[] padBegin,
                                 int[] padEnd) {
        return ConvSpec.builder().batch(batch).groups(channels).inChannels(channels).outChannels(channels * multiplier).input(size)
                .kernel(kernel).stride(stride).dilation(dilation).padding(padBegin, padEnd).bias(true).build();
    }

    @Test
    void theShapesReachTheRowsPath() {
        for (ConvSpec s : FORWARD) assertNotNull(RowPlan.forward(ConvGeometry.of(s), 16), s.toString());
        for (ConvSpec s : BACKWARD_DATA) assertNotNull(RowPlan.backwardData(ConvGeometry.of(s), 16), s.toString());
        // a transposed convolution's forward is the direct geometry's backward-data
        ConvSpec t = BACKWARD_DATA.get(0).toBuilder().transposed(true).build();
        assertNotNull(RowPlan.backwardData(ConvGeometry.of(t), 16), t.toString());
        // strides above 2 along the rows and other padding modes stay on the slab path
        ConvSpec strided = FORWARD.get(0).toBuilder().stride(1, 3).build();
        assertNull(RowPlan.forward(ConvGeometry.of(strided), 16), strided.toString());
        ConvSpec reflect = FORWARD.get(0).toBuilder().paddingMode(PaddingMode.REFLECT).build();
        assertNull(RowPlan.forward(ConvGeometry.of(reflect), 16), reflect.toString());
    }

    @Test
    void blockShapesFollowTheRows() {
        // 57 columns are 4 vectors of 16 lanes: three rows of four (three taps along the rows, twelve accumulators);
        // with four taps two rows of four (eight), 40 columns four rows of two; a single row of 300 takes eight along it
        RowPlan wide = RowPlan.forward(ConvGeometry.of(FORWARD.get(0)), 16);
        assertEquals(4, wide.chunks);
        assertEquals(3, wide.blockRows);
        assertEquals(4, RowPlan.forward(ConvGeometry.of(FORWARD.get(4)), 16).blockRows);
        // without AVX-512's 32 registers the taps stay in a loop, eight accumulators
        RowPlan few = RowPlan.forward(ConvGeometry.of(FORWARD.get(0)), 8, false);
        assertFalse(few.unrolled);
        assertEquals(2, few.blockRows);
        assertTrue(wide.unrolled);
        RowPlan signal = RowPlan.forward(ConvGeometry.of(FORWARD.get(3)), 16);
        assertEquals(8, signal.chunks);
        assertEquals(3, signal.columnGroups);
        assertFalse(wide.flat);
        // 13 rows of 7 columns: one grid, computed flat
        RowPlan narrow = RowPlan.forward(ConvGeometry.of(FORWARD.get(1)), 16);
        assertTrue(narrow.flat);
        // with 4 lanes the 7 columns are 2 vectors (flat), the 57 columns 15 vectors in column groups of 4
        assertTrue(RowPlan.forward(ConvGeometry.of(FORWARD.get(1)), 4).flat);
        assertEquals(4, RowPlan.forward(ConvGeometry.of(FORWARD.get(0)), 4).columnGroups);
        // 13 rows of 7 columns with 2 lanes: four vectors, blocks of three rows padded to 15 rows
        RowPlan twoLanes = RowPlan.forward(ConvGeometry.of(FORWARD.get(1)), 2);
        assertFalse(twoLanes.flat);
        // 14x14 at stride 2: flat, 14 rows computed, 7 kept
        RowPlan halved = RowPlan.forward(ConvGeometry.of(FORWARD.get(13)), 16);
        assertTrue(halved.flat);
        assertEquals(14, halved.rows);
        assertEquals(7, halved.keptRows);
        assertEquals(3, twoLanes.blockRows);
        assertEquals(15, twoLanes.paddedRows);
        // stride 2 along the rows: 29 columns out kept from unit stride, 65 computed split
        assertFalse(RowPlan.forward(ConvGeometry.of(FORWARD.get(10)), 16).split);
        RowPlan split = RowPlan.forward(ConvGeometry.of(FORWARD.get(15)), 16);
        assertTrue(split.split);
        assertTrue(split.compact);
        assertEquals(65, split.outRowLen);
        // 130 columns: 65 even ones, one zero (the last output's right tap), then the 65 odd ones after a
        // zero for the first output's left tap; taps -1, 0, 1 read odd[c - 1], even[c], odd[c]
        assertEquals(66, split.oddStart);
        assertEquals(List.of(65, 0, 66), List.of(split.shift[0], split.shift[1], split.shift[2]));
        // nine-column rows of a volume: one vector, twelve rows a block
        assertEquals(12, RowPlan.forward(ConvGeometry.of(FORWARD.get(8)), 16).blockRows);
    }

    @Test
    void forwardMatchesTheReference() {
        try (Arena a = Arena.ofConfined(); Execution two = Execution.withThreads(2)) {
            for (ConvSpec s : FORWARD) {
                for (DType t : DType.values()) {
                    if (!t.isFloating()) continue;
                    for (Epilogue e : new Epilogue[] {Epilogue.NONE, Epilogue.relu(), Epilogue.sigmoid()}) {
                        KernelRegressionTest.checkForward(s, t, Layout.FIRST, a, e, two);
                    }
                }
            }
        }
    }

    /**
     * A transposed convolution with output padding: its backward-data (the direct forward from gy) computes
     * rows one column longer than it keeps; the first version copied them as if they were as long
     * (differential campaign, seed 20261202).
     */
    @Test
    void g2mb1ic2id2ih1iw2oc2od2oh1ow3kd1kh1kw1pd0ph0pw0dd0dh0dw1_op0x0x1_transposed() {
        ConvSpec s = ConvSpec.parse("g2mb1ic2id2ih1iw2oc2od2oh1ow3kd1kh1kw1pd0ph0pw0dd0dh0dw1_op0x0x1_transposed");
        assertNotNull(RowPlan.forward(ConvGeometry.of(s), 16));
        assertFalse(RowPlan.forward(ConvGeometry.of(s), 16).compact);
        KernelRegressionTest.checkAllPasses(s);
    }

    @Test
    void everyPassMatchesTheReference() {
        for (ConvSpec s : FORWARD) KernelRegressionTest.checkAllPasses(s);
        for (ConvSpec s : BACKWARD_DATA) {
            KernelRegressionTest.checkAllPasses(s);
            KernelRegressionTest.checkAllPasses(s.toBuilder().transposed(true).build());
        }
    }
}
