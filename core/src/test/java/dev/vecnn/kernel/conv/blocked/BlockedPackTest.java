package dev.vecnn.kernel.conv.blocked;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The blocked kernel's prepared weights are 64-byte aligned native memory holding exactly the packed weights (its
 * tiles load whole vectors of them), in both dtypes; a repack (an optimizer step) refills that memory.
 * Runs at every vector width the build tests (the blocks are vectors of output channels).
 */
@Tag("kernels")
@Tag("vector-api")
class BlockedPackTest {
    @Test
    void preparedWeightsAreAlignedAndRefilledOnRepack() {
        ConvSpec s = ConvSpec.parse("mb4ic5oc32_i6x6x4_k3x3x3_p1x1x1");
        ConvGeometry g = ConvGeometry.of(s);
        BlockedConv blocked = new BlockedConv();
        try (Arena arena = Arena.ofConfined()) {
            for (DType dtype : new DType[] {DType.F32, DType.F64}) {
                Tensor w = Tensor.allocate(arena, dtype, s.weightShape());
                Fill.uniform(w, 5);
                MemorySegment first = (MemorySegment) blocked.pack(s, w, null);
                long elements = dtype == DType.F32 ? BlockedConvF32.packedSize(g) : BlockedConvF64.packedSize(g);
                assertTrue(first.isNative(), dtype + ": native");
                assertEquals(0, first.address() % 64, dtype + ": address mod 64");
                assertEquals(elements * dtype.byteSize(), first.byteSize(), dtype + ": exactly the packed weights");
                Fill.uniform(w, 6); // the optimizer's step
                MemorySegment second = (MemorySegment) blocked.pack(s, w, first);
                assertEquals(first.address(), second.address(), dtype + ": the same memory");
                assertEquals(-1L, ((MemorySegment) blocked.pack(s, w, null)).mismatch(second), dtype + ": the new weights");
            }
        }
    }
}
