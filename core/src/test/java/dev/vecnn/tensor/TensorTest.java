package dev.vecnn.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.ref.ReferenceConv;
import dev.vecnn.spec.ConvSpec;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorTest {

    static Tensor iota(long... shape) {
        double[] d = new double[(int) Tensor.numel(shape)];
        for (int i = 0; i < d.length; i++) d[i] = i;
        return Tensor.of(d, shape);
    }

    @Test
    void viewsShareMemoryAndIndexLikeNumPy() {
        Tensor t = iota(2, 3, 4);
        assertArrayEquals(new long[] {12, 4, 1}, t.strides());
        assertEquals(23, t.get(1, 2, 3));
        Tensor s = t.slice(2, 1, 4, 2); // [:, :, 1:4:2]
        assertArrayEquals(new long[] {2, 3, 2}, s.shape());
        assertEquals(15, s.get(1, 0, 1));
        Tensor p = t.permute(2, 0, 1);
        assertArrayEquals(new long[] {4, 2, 3}, p.shape());
        assertEquals(t.get(1, 2, 3), p.get(3, 1, 2));
        p.set(-1, 0, 0, 0);
        assertEquals(-1, t.get(0, 0, 0), "permute is a view");
        assertFalse(p.isContiguous());
        assertTrue(t.isContiguous());
    }

    @Test
    void reshapeIsAViewWhenStridesAllowAndFailsClearlyOtherwise() {
        Tensor t = iota(2, 3, 4);
        Tensor r = t.reshape(6, 4);
        assertEquals(t.get(1, 1, 2), r.get(4, 2));
        Tensor sliced = t.slice(0, 1, 2); // (1, 3, 4) with an offset
        assertEquals(t.get(1, 2, 1), sliced.reshape(12).get(9));
        assertEquals(t.get(1, 0, 3), t.reshape(2, 1, 12, 1).get(1, 0, 3, 0));
        Tensor p = t.permute(0, 2, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.reshape(24));
        assertTrue(e.getMessage().contains("contiguous()"), e.getMessage());
        try (Arena a = Arena.ofConfined()) {
            Tensor c = p.contiguous(a);
            assertTrue(c.isContiguous());
            assertEquals(p.get(1, 3, 2), c.reshape(24).get(12 + 3 * 3 + 2));
        }
        assertThrows(IllegalArgumentException.class, () -> t.reshape(5, 5));
    }

    @Test
    void channelsLastAllocationIsAPermutedView() {
        try (Arena a = Arena.ofConfined()) {
            Tensor t = Tensor.allocateChannelsLast(a, DType.F32, 2, 3, 4, 5);
            assertArrayEquals(new long[] {2, 3, 4, 5}, t.shape());
            assertArrayEquals(new long[] {60, 1, 15, 3}, t.strides());
            assertTrue(t.isChannelsLast());
            assertFalse(t.isContiguous());
            assertTrue(Tensor.allocate(a, DType.F32, 2, 3, 4, 5).permute(0, 2, 3, 1).contiguous(a)
                    .permute(0, 3, 1, 2).isChannelsLast());
        }
    }

    @Test
    void layoutPredicatesIgnoreDimensionsOfSizeOneAndNothingElse() {
        // every order of a 4-D grid with sizes of 1 among them: contiguous iff the strides are the row-major ones
        // wherever the size exceeds 1; channels-last iff the (0, 2, 3, 1) order is contiguous
        long[][] shapes = {{2, 3, 4, 5}, {1, 3, 1, 5}, {2, 1, 4, 1}, {1, 1, 1, 1}, {2, 3, 0, 5}};
        int[][] orders = {{0, 1, 2, 3}, {0, 2, 3, 1}, {0, 3, 1, 2}, {1, 0, 2, 3}, {3, 2, 1, 0}, {0, 1, 3, 2}};
        try (Arena a = Arena.ofConfined()) {
            for (long[] shape : shapes) {
                for (int[] order : orders) {
                    long[] stored = new long[4];
                    for (int i = 0; i < 4; i++) stored[i] = shape[order[i]];
                    int[] back = new int[4];
                    for (int i = 0; i < 4; i++) back[order[i]] = i;
                    Tensor t = Tensor.allocate(a, DType.F32, stored).permute(back);
                    assertArrayEquals(shape, t.shape());
                    boolean rowMajor = true, lastChannels = true;
                    long[] expected = Tensor.contiguousStrides(shape);
                    long[] cl = Tensor.contiguousStrides(new long[] {shape[0], shape[2], shape[3], shape[1]});
                    long[] clStrides = {cl[0], cl[3], cl[1], cl[2]};
                    for (int d = 0; d < 4; d++) {
                        rowMajor &= shape[d] == 1 || t.stride(d) == expected[d];
                        lastChannels &= shape[d] == 1 || t.stride(d) == clStrides[d];
                    }
                    String what = java.util.Arrays.toString(shape) + " stored as " + java.util.Arrays.toString(order);
                    assertEquals(rowMajor, t.isContiguous(), what);
                    assertEquals(lastChannels, t.isChannelsLast(), what);
                }
            }
            assertFalse(Tensor.allocate(a, DType.F32, 4).isChannelsLast(), "rank 1 has no channels-last form");
            assertFalse(Tensor.allocate(a, DType.F32, 2, 3, 8).slice(2, 0, 8, 2).isContiguous(), "a strided slice");
        }
    }

    @Test
    void copyConvertsBetweenDtypesAndLayouts() {
        try (Arena a = Arena.ofConfined()) {
            Tensor src = iota(2, 3);
            Tensor f = src.to(a, DType.F32);
            assertEquals(DType.F32, f.dtype());
            assertEquals(5.0, f.get(1, 2));
            Tensor cl = Tensor.allocateChannelsLast(a, DType.F64, 2, 3);
            cl.copyFrom(src);
            assertEquals(src.get(1, 1), cl.get(1, 1));
            assertThrows(IllegalArgumentException.class, () -> cl.copyFrom(iota(3, 2)));
        }
    }

    /**
     * Copies between every pair of dimension orders (and a sliced view) keep each element where its index says:
     * the strided copy picks its inner run from either side (3 channels into channels-last runs along the source's
     * rows) and its outer order from the destination's strides; the interleaving copy (channels-first to
     * channels-last and back, up to 64 channels) goes through heap blocks.
     */
    @Test
    void stridedCopiesBetweenAnyDimensionOrdersKeepEveryElement() {
        int[][] orders = {{0, 1, 2, 3}, {0, 2, 3, 1}, {3, 2, 1, 0}, {1, 0, 3, 2}, {2, 0, 1, 3}};
        // rows longer than a heap block of the interleaving copy (8192 / 3 positions), 64 channels (the most it
        // interleaves) and 65 (element by element)
        long[][] shapes = {{2, 3, 5, 7}, {1, 3, 11, 13}, {3, 1, 4, 1}, {2, 17, 1, 3}, {1, 3, 2, 3001}, {2, 64, 3, 5}, {1, 65, 2, 3}};
        try (Arena a = Arena.ofConfined()) {
            for (DType t : new DType[] {DType.F32, DType.F64}) {
                for (long[] shape : shapes) {
                    Tensor src0 = Tensor.allocate(a, t, shape);
                    for (long i = 0; i < src0.numel(); i++) src0.setAt(i, i * 0.5 - 3);
                    for (int[] from : orders) {
                        Tensor src = laidOut(a, src0, from);
                        for (int[] to : orders) {
                            Tensor dst = laidOut(a, Tensor.allocate(a, t, shape), to);
                            dst.copyFrom(src);
                            assertSameElements(src0, dst, t + " " + java.util.Arrays.toString(shape) + " " + java.util.Arrays.toString(from)
                                    + " -> " + java.util.Arrays.toString(to));
                        }
                        // a view with gaps (every other element of a wider last dimension) as the destination
                        long[] wide = shape.clone();
                        wide[3] = 2 * shape[3];
                        Tensor gapped = laidOut(a, Tensor.allocate(a, t, wide), from).slice(3, 1, wide[3], 2);
                        gapped.copyFrom(src);
                        assertSameElements(src0, gapped, t + " " + java.util.Arrays.toString(shape) + " into a sliced view");
                    }
                }
            }
        }
    }

    /**
     * The interleaving copy (channels-first to channels-last and back through heap blocks) on views: a crop of the
     * destination at an offset, a source whose rows are padded (its channel stride is not H W), 64 channels over
     * more positions than one block holds, and rows too short for it (copied element by element).
     */
    @Test
    void interleavingCopiesOfViewsKeepEveryElement() {
        try (Arena a = Arena.ofConfined()) {
            for (DType t : new DType[] {DType.F32, DType.F64}) {
                for (long[] shape : new long[][] {{2, 3, 5, 40}, {1, 64, 3, 200}, {2, 5, 7, 3}}) {
                    Tensor src0 = Tensor.allocate(a, t, shape);
                    for (long i = 0; i < src0.numel(); i++) src0.setAt(i, i * 0.25 - 7);
                    // rows padded to w + 3: the planar side's strides are not dense
                    long[] wide = shape.clone();
                    wide[3] += 3;
                    Tensor padded = Tensor.allocate(a, t, wide).slice(3, 0, shape[3]);
                    padded.copyFrom(src0);
                    long[] tall = shape.clone();
                    tall[2] += 2;
                    Tensor crop = Tensor.allocateChannelsLast(a, t, tall).slice(2, 1, shape[2] + 1);
                    crop.copyFrom(padded);
                    assertSameElements(src0, crop, t + " " + java.util.Arrays.toString(shape) + " into a crop");
                    Tensor back = Tensor.allocate(a, t, wide).slice(3, 2, shape[3] + 2);
                    back.copyFrom(crop);
                    assertSameElements(src0, back, t + " " + java.util.Arrays.toString(shape) + " back into padded rows");
                }
            }
        }
    }

    /**
     * A copy between views of the same memory gives what a copy through a temporary gives, whatever the strides
     * (found by a bug hunt: f32 [2,1,4,6], source strides (8,2,1,24) at offset 16, destination (8,12,1,24) at 127,
     * depended on the loop order).
     */
    @Test
    void overlappingCopiesActAsIfTheSourceWereCopiedAside() {
        try (Arena a = Arena.ofConfined()) {
            for (DType t : new DType[] {DType.F32, DType.F64}) {
                Tensor mem = Tensor.allocate(a, t, 400);
                for (long i = 0; i < 400; i++) mem.setAt(i, i);
                long[] shape = {2, 1, 4, 6};
                Tensor src = Tensor.wrap(mem.segment(), t, shape, new long[] {8, 2, 1, 24}, 16);
                Tensor dst = Tensor.wrap(mem.segment(), t, shape, new long[] {8, 12, 1, 24}, 127);
                Tensor expected = src.contiguous(a);
                dst.copyFrom(src);
                assertSameElements(expected, dst, t + " overlapping views");
                // and a shift by one along a permuted dimension, both directions
                Tensor grid = laidOut(a, iota(5, 7).to(a, t), new int[] {1, 0});
                Tensor before = grid.contiguous(a);
                grid.slice(0, 0, 4).copyFrom(grid.slice(0, 1, 5));
                assertSameElements(before.slice(0, 1, 5), grid.slice(0, 0, 4), t + " shift down");
                assertSameElements(before.slice(0, 4, 5), grid.slice(0, 4, 5), t + " shift down, last row kept");
            }
        }
    }

    /** A tensor of t's shape whose memory holds the dimensions in {@code order} (outermost first), t's values copied. */
    private static Tensor laidOut(Arena a, Tensor t, int[] order) {
        long[] stored = new long[order.length];
        int[] back = new int[order.length];
        for (int d = 0; d < order.length; d++) {
            stored[d] = t.size(order[d]);
            back[order[d]] = d;
        }
        Tensor v = Tensor.allocate(a, t.dtype(), stored).permute(back);
        for (long[] i = new long[t.rank()]; ; ) {
            v.set(t.get(i), i);
            if (!next(i, t.shape())) return v;
        }
    }

    private static void assertSameElements(Tensor expected, Tensor actual, String what) {
        for (long[] i = new long[expected.rank()]; ; ) {
            assertEquals(expected.get(i), actual.get(i), what + " at " + java.util.Arrays.toString(i));
            if (!next(i, expected.shape())) return;
        }
    }

    /** Steps a row-major index; false after the last. */
    private static boolean next(long[] i, long[] shape) {
        for (int d = i.length - 1; d >= 0; d--) {
            if (++i[d] < shape[d]) return true;
            i[d] = 0;
        }
        return false;
    }

    @Test
    void moreThanTwoToTheThirtyOneElementsAreLegal(@TempDir Path dir) throws IOException {
        long n = (1L << 31) + 17; // 8 GiB of float32 in a sparse file: only touched pages use disk
        Path file = dir.resolve("big.bin");
        try (Arena a = Arena.ofConfined(); FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.SPARSE)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_WRITE, 0, n * 4, a);
            Tensor t = Tensor.wrap(seg, DType.F32, new long[] {n}, new long[] {1}, 0);
            assertEquals(n, t.numel());
            t.set(42, n - 1);
            t.set(7, (1L << 31) + 1);
            Tensor v = t.reshape(1, n).slice(1, 1L << 31, n);
            assertEquals(17, v.size(1));
            assertEquals(7, v.get(0, 1));
            assertEquals(42, v.get(0, 16));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void closedArenaIsAnExceptionNotACrash() {
        Arena a = Arena.ofConfined();
        Tensor t = Tensor.allocate(a, DType.F32, 4);
        a.close();
        assertFalse(t.isAlive());
        assertThrows(IllegalStateException.class, () -> t.get(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.requireUsable("x"));
        assertTrue(e.getMessage().startsWith("x: "), e.getMessage());
        ConvSpec s = ConvSpec.builder().inChannels(1).outChannels(1).input(4).kernel(1).bias(false).build();
        try (Arena b = Arena.ofConfined()) {
            Tensor w = Tensor.allocate(b, DType.F32, 1, 1, 1);
            Tensor y = Tensor.allocate(b, DType.F32, 1, 1, 4);
            Tensor x = t.reshape(1, 1, 4);
            IllegalArgumentException k = assertThrows(IllegalArgumentException.class, () -> ReferenceConv.forward(s, x, w, null, y));
            assertTrue(k.getMessage().contains("x: tensor memory is no longer accessible"), k.getMessage());
        }
    }

    @Test
    void overlappingAndSelfOverlappingOutputsAreRejected() {
        ConvSpec s = ConvSpec.builder().inChannels(1).outChannels(1).input(4).kernel(1).bias(false).build();
        try (Arena a = Arena.ofConfined()) {
            Tensor buf = Tensor.allocate(a, DType.F32, 8);
            Tensor x = buf.slice(0, 0, 4).reshape(1, 1, 4);
            Tensor y = buf.slice(0, 2, 6).reshape(1, 1, 4);
            Tensor w = Tensor.allocate(a, DType.F32, 1, 1, 1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReferenceConv.forward(s, x, w, null, y));
            assertTrue(e.getMessage().startsWith("y: output") && e.getMessage().contains("overlaps"), e.getMessage());
            Tensor broadcast = Tensor.wrap(buf.segment(), DType.F32, new long[] {1, 1, 4}, new long[] {0, 0, 0}, 0);
            assertTrue(broadcast.hasSelfOverlap());
            Tensor x2 = buf.slice(0, 4, 8).reshape(1, 1, 4);
            e = assertThrows(IllegalArgumentException.class, () -> ReferenceConv.forward(s, x2, w, null, broadcast));
            assertTrue(e.getMessage().contains("share memory"), e.getMessage());
        }
    }

    @Test
    void shapeMismatchNamesParameterDimensionAndValue() {
        ConvSpec s = ConvSpec.builder().inChannels(3).outChannels(2).input(5, 5).kernel(3).bias(true).build();
        try (Arena a = Arena.ofConfined()) {
            Tensor x = Tensor.allocate(a, DType.F32, 1, 3, 5, 6);
            Tensor w = Tensor.allocate(a, DType.F32, s.weightShape());
            Tensor b = Tensor.allocate(a, DType.F32, s.biasShape());
            Tensor y = Tensor.allocate(a, DType.F32, s.outputShape());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReferenceConv.forward(s, x, w, b, y));
            assertTrue(e.getMessage().startsWith("x[3] = 6: spec mb1ic3ih5iw5"), e.getMessage());
            Tensor x64 = Tensor.allocate(a, DType.F64, s.inputShape());
            e = assertThrows(IllegalArgumentException.class, () -> ReferenceConv.forward(s, x64, w, b, y));
            assertTrue(e.getMessage().startsWith("w: dtype f32, expected f64, the dtype of x"), e.getMessage()); // names the tensor that set it
            Tensor xs = Tensor.allocate(a, DType.F32, s.inputShape());
            e = assertThrows(IllegalArgumentException.class, () -> ReferenceConv.forward(s, xs, w, null, y));
            assertTrue(e.getMessage().startsWith("bias: is null"), e.getMessage());
        }
    }

    @Test
    void badConstructionArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[5], 2, 3));
        try (Arena a = Arena.ofConfined()) {
            assertThrows(IllegalArgumentException.class, () -> Tensor.allocate(a, DType.F32, 2, -1));
            assertThrows(IllegalArgumentException.class, () -> Tensor.allocate(a, DType.F32, Long.MAX_VALUE, 4));
            MemorySegment seg = a.allocate(16);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Tensor.wrap(seg, DType.F32, new long[] {2, 3}, new long[] {3, 1}, 0));
            assertTrue(e.getMessage().contains("reaches element 5"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> iota(2, 3).slice(1, 2, 5));
            assertThrows(IllegalArgumentException.class, () -> iota(2, 3).permute(0, 0));
        }
        assertThrows(IndexOutOfBoundsException.class, () -> iota(2, 3).get(2, 0));
    }
}
