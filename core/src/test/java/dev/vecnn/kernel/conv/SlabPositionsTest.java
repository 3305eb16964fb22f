package dev.vecnn.kernel.conv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code ChannelsLastSlab.positions} fills its tables by runs along the last dimension; they hold what a walk through
 * every dimension, one position at a time, gives (the former code, kept here as the oracle): ranks 1 to 3, strides,
 * a y with gaps between positions, row ranges of a task, and sub-ranges starting mid-row and crossing several rows.
 * Positions past the rows are refused (the runs would not end).
 */
@Tag("kernels")
class SlabPositionsTest {
    @Test
    void runsGiveTheTablesOfAWalkThroughEveryDimension() {
        String[] specs = {"mb2ic8oc8_i21_k3_s2_p1", "mb2ic8ih9iw11oc8oh9ow11kh3kw3ph1pw1",
            "mb1ic8ih12iw10oc8oh6ow5kh3kw3sh2sw2ph1pw1", "mb2ic4oc4_i5x6x7_k3x3x3_p1x1x1", "mb1ic4oc4_i7x6x9_k3x3x3_s2x1x2_p1x1x1",
            // kernel size 1 along some or all dimensions: the subsampled layout steps one slab position per output there
            "mb1ic8ih12iw10oc8oh6ow5kh1kw1sh2sw2", "mb1ic4oc4_i7x6x9_k1x3x1_s2x1x3_p1x1x0", "mb2ic4oc4_i13_k1_s3_p1"};
        try (Arena a = Arena.ofConfined()) {
            for (String text : specs) {
                ConvSpec s = ConvSpec.parse(text);
                ConvGeometry g = ConvGeometry.of(s);
                long[] out = s.outputShape();
                // a dense channels-last y and one whose positions lie apart (every other position of a wider tensor)
                long[] wide = out.clone();
                wide[wide.length - 1] *= 2;
                Tensor dense = Tensor.allocateChannelsLast(a, DType.F32, out);
                Tensor gapped = Tensor.allocateChannelsLast(a, DType.F32, wide).slice(wide.length - 1, 1, wide[wide.length - 1], 2);
                int rows = (int) g.small[0], per = ChannelsLastSlabF32.rowPositions(g);
                for (Tensor y : new Tensor[] {dense, gapped}) {
                    for (int[] cut : new int[][] {{0, rows}, {1, rows}, {rows / 2, rows}, {0, Math.max(1, rows - 1)}}) {
                        int r0 = cut[0], r1 = cut[1], all = (r1 - r0) * per;
                        for (boolean subsample : new boolean[] {false, true}) {
                        ChannelsLastSlabF32 slab = ChannelsLastSlabF32.of(g, r1 - r0, subsample);
                        for (int[] range : new int[][] {{0, all}, {1, all - 1}, {per / 2, Math.min(all - per / 2, 2 * per + 1)}, {all - 1, 1}}) {
                            int from = range[0], count = range[1];
                            for (long n = 0; n < s.batch(); n++) {
                                int[] at = new int[count], atWant = new int[count];
                                long[] to = new long[count], toWant = new long[count];
                                slab.positions(g, y, n, r0, r1, from, count, at, to);
                                walk(slab, g, subsample, y, n, r0, r1, from, count, atWant, toWant);
                                String what = text + " rows [" + r0 + ", " + r1 + ") positions " + from + " + " + count + " image " + n
                                        + (y == gapped ? " gapped y" : "") + (subsample ? " subsampled" : "");
                                assertArrayEquals(atWant, at, what + ": slab offsets");
                                assertArrayEquals(toWant, to, what + ": y offsets");
                            }
                        }
                        int[] at = new int[all + 1];
                        long[] to = new long[all + 1];
                        assertThrows(IllegalArgumentException.class, () -> slab.positions(g, y, 0, r0, r1, 1, all, at, to), text + " past the rows");
                        }
                    }
                }
            }
        }
    }

    /** The per-position walk the runs replaced; subsampled, one slab position per output along dimensions of kernel size 1. */
    private static void walk(ChannelsLastSlabF32 slab, ConvGeometry g, boolean subsample, Tensor y, long n, int r0, int r1, int from, int count,
            int[] at, long[] to) {
        int rank = g.rank;
        long[] o = new long[rank];
        long rest = from;
        for (int d = rank - 1; d >= 1; d--) {
            o[d] = rest % g.small[d];
            rest /= g.small[d];
        }
        o[0] = r0 + rest;
        long yBase = y.offset() + n * y.stride(0);
        for (int q = 0; q < count; q++) {
            int s = 0;
            long t = yBase;
            for (int d = 0; d < rank; d++) {
                long step = subsample && g.kernel[d] == 1 ? 1 : g.stride[d];
                s += (int) ((d == 0 ? o[0] - r0 : o[d]) * step) * slab.pitch[d];
                t += o[d] * y.stride(2 + d);
            }
            at[q] = s;
            to[q] = t;
            for (int d = rank - 1; d >= 0; d--) {
                if (++o[d] < (d == 0 ? r1 : g.small[d])) break;
                o[d] = d == 0 ? r0 : 0;
            }
        }
    }
}
