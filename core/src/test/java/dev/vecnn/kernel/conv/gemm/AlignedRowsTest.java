package dev.vecnn.kernel.conv.gemm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The channels-last kernel's packed weight rows live in native memory aligned to 64 bytes (a heap array's elements
 * start wherever the collector puts it, and a misaligned 64-byte load spans two cache lines): the copy starts on a
 * 64-byte boundary and holds exactly the packed rows, in both dtypes, for a fresh segment and for a given one; weights
 * repacked (an optimizer step) refill the previous rows' memory instead of allocating more.
 * Runs at every vector width the build tests (the rows are whole vectors of output channels).
 */
@Tag("kernels")
@Tag("vector-api")
class AlignedRowsTest {
    @Test
    void packedRowsAreCopiedToAlignedNativeMemoryUnchanged() {
        ConvGeometry g = ConvGeometry.of(ConvSpec.parse("mb1ic5oc37_i6x7_k3x3_p1x1")); // 37 channels: a partial block
        try (Arena arena = Arena.ofConfined()) {
            Tensor w = Tensor.allocate(arena, DType.F32, ConvSpec.parse("mb1ic5oc37_i6x7_k3x3_p1x1").weightShape());
            Fill.uniform(w, 7);
            float[] rows = ChannelsLastGemmF32.packRows(g, w, new float[ChannelsLastGemmF32.packedSize(g) + 5]);
            for (MemorySegment dst : new MemorySegment[] {null, arena.allocate(ChannelsLastGemmF32.packedSize(g) * 4L, 64)}) {
                MemorySegment m = ChannelsLastGemmF32.aligned(g, rows, dst);
                assertTrue(m.isNative(), "native");
                assertEquals(0, m.address() % 64, "address mod 64");
                assertEquals(ChannelsLastGemmF32.packedSize(g) * 4L, m.byteSize(), "bytes: exactly the rows");
                for (int i = 0; i < ChannelsLastGemmF32.packedSize(g); i++) assertEquals(rows[i], m.getAtIndex(ValueLayout.JAVA_FLOAT, i), "element " + i);
            }
            Tensor wd = Tensor.allocate(arena, DType.F64, w.shape());
            Fill.uniform(wd, 8);
            double[] rowsD = ChannelsLastGemmF64.packRows(g, wd, new double[ChannelsLastGemmF64.packedSize(g)]);
            MemorySegment md = ChannelsLastGemmF64.aligned(g, rowsD, null);
            assertEquals(0, md.address() % 64, "address mod 64 (float64)");
            for (int i = 0; i < rowsD.length; i++) assertEquals(rowsD[i], md.getAtIndex(ValueLayout.JAVA_DOUBLE, i), "float64 element " + i);
        }
    }

    @Test
    void repackedWeightsRefillThePreviousRowsMemory() {
        ConvSpec s = ConvSpec.parse("mb1ic7oc40_i5x6_k3x3_p1x1");
        ConvGeometry g = ConvGeometry.of(s);
        GemmConv gemm = new GemmConv();
        try (Arena arena = Arena.ofConfined()) {
            for (DType dtype : new DType[] {DType.F32, DType.F64}) {
                Tensor w = Tensor.allocate(arena, dtype, s.weightShape());
                Fill.uniform(w, 3);
                GemmConv.Prepared first = (GemmConv.Prepared) gemm.pack(s, w, null);
                MemorySegment before = first.rows(g);
                Fill.uniform(w, 4); // the optimizer's step
                GemmConv.Prepared second = (GemmConv.Prepared) gemm.pack(s, w, first);
                MemorySegment after = second.rows(g);
                assertEquals(before.address(), after.address(), dtype + ": the same memory");
                // two repacks with no channels-last call between them still refill the first rows' memory
                GemmConv.Prepared unused = (GemmConv.Prepared) gemm.pack(s, w, second);
                assertEquals(before.address(), ((GemmConv.Prepared) gemm.pack(s, w, unused)).rows(g).address(), dtype + ": kept over two repacks");
                MemorySegment fresh = ((GemmConv.Prepared) gemm.pack(s, w, null)).rows(g);
                assertEquals(-1L, fresh.mismatch(after), dtype + ": the new weights' rows");
                assertTrue(fresh.address() != after.address(), dtype + ": a pack without old weights allocates");
            }
        }
    }
}
