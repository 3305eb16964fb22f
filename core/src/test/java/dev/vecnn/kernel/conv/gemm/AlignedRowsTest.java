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
import org.junit.jupiter.api.Test;

/**
 * The channels-last kernel's packed weight rows live in native memory aligned to 64 bytes (a heap array's elements
 * start wherever the collector puts it, and a misaligned 64-byte load spans two cache lines): the copy starts on a
 * 64-byte boundary and holds exactly the packed rows, in both dtypes, for a fresh segment and for a given one.
 */
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
}
