package dev.vecnn.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Native memory aligned to 64 bytes (a cache line) for packed weights that kernels load as whole vectors. A heap
 * array's elements start 16 bytes after an object the collector places, and moves, on an 8-byte boundary: in 7 of 8
 * placements every 64-byte load from it spans two cache lines. A 3x3 convolution of 64 channels on 56x56
 * (channels-last, AMD Zen 5) ran 150-167 GFLOP/s with its weights on the heap and 175-180 from aligned memory, the two
 * alternated in one JVM; where an array's placement fell aligned by chance, the heap ran about as fast, which made
 * speeds differ between JVMs.
 */
public final class AlignedMemory {
    private AlignedMemory() {
    }

    /** Bytes of alignment: a cache line, and one 512-bit vector. */
    public static final long ALIGNMENT = 64;

    /** New 64-byte aligned memory of {@code bytes} bytes from the collector's arena (freed once unreachable). */
    public static MemorySegment allocate(long bytes) {
        return Arena.ofAuto().allocate(bytes, ALIGNMENT);
    }

    /**
     * The first {@code n} elements of {@code a}, copied into {@code dst} where it holds at least that many bytes (a
     * 64-byte aligned segment: a worker's scratch, or the previous copy's memory), else into {@link #allocate new
     * memory}; returns exactly the copied elements.
     */
    public static MemorySegment copy(float[] a, int n, MemorySegment dst) {
        MemorySegment m = fit(dst, n * 4L);
        MemorySegment.copy(a, 0, m, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, n);
        return m;
    }

    /** {@link #copy(float[], int, MemorySegment)} for float64. */
    public static MemorySegment copy(double[] a, int n, MemorySegment dst) {
        MemorySegment m = fit(dst, n * 8L);
        MemorySegment.copy(a, 0, m, ValueLayout.JAVA_DOUBLE_UNALIGNED, 0, n);
        return m;
    }

    private static MemorySegment fit(MemorySegment dst, long bytes) {
        return (dst != null && dst.byteSize() >= bytes ? dst : allocate(bytes)).asSlice(0, bytes);
    }
}
