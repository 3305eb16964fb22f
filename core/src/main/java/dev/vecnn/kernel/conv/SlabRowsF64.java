package dev.vecnn.kernel.conv;

import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.PaddingMode;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Slab filling for the Vector API kernels (double). A slab of one phase whose rows are at most one vector
 * long (L cells: 16 floats or 8 doubles with 512-bit vectors, half that with 256), over row-major channels
 * with zero padding along the rows (a "same" convolution on a small grid: rows of 10 for an 8-wide float32
 * input), takes each row as one masked load from the staged plane and one masked store:
 * {@link SlabIoF64#fillSlab} spends a call to {@code System.arraycopy} and two padding loops per row there,
 * 11% of the three passes of voxel3d's second convolution (2026-12-01). Every other slab goes to
 * {@link SlabIoF64#fillSlab}. The same values either way: a copy, with +0.0 in the padding.
 *
 * <p>GENERATED from core/src/template/SlabRows.java.in by dev.vecnn.codegen.KernelTemplates; edit the
 * template, not this file.
 */
public final class SlabRowsF64 {
    private SlabRowsF64() {
    }

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ValueLayout.OfDouble LAYOUT = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final long ES = 8;
    /** Largest channel plane staged on the heap (elements), as {@link SlabIoF64}. */
    private static final long STAGE_LIMIT = 1L << 20;

    /** As {@link SlabIoF64#fillSlab}: channels [c0, c0+cn) of image n into the slab, through the padding mode. */
    public static void fillSlab(ConvGeometry g, Tensor big, long n, int c0, int cn, PhaseSlab slab, double[] sl, Execution.Scratch scratch) {
        if (!inVectors(g, big, slab)) {
            SlabIoF64.fillSlab(g, big, n, c0, cn, slab, sl, scratch);
            return;
        }
        int last = g.rank - 1;
        int width = slab.extent[last];
        int[] srcLast = slab.source[last];
        int interiorStart = slab.interiorStart(), interiorEnd = slab.interiorEnd();
        long plane = g.rowMajorPlane(big);
        int[] rowDst = scratch.ints("io.rowDst", slab.rows());
        int[] rowSrc = scratch.ints("io.rowSrc", slab.rows());
        int rows = slab.plainRows(big, rowDst, rowSrc);
        // the plane staged L elements in: a row's vector, which starts interiorStart columns before its first
        // element, stays inside the array at both ends of the plane
        double[] stage = scratch.doubles("io.stageRows", (int) plane + 2 * L);
        int shift = L + (interiorEnd > interiorStart ? srcLast[interiorStart] : 0) - interiorStart;
        VectorMask<Double> inside = S.indexInRange(-interiorStart, interiorEnd - interiorStart), row = S.indexInRange(0, width);
        DoubleVector zero = DoubleVector.zero(S);
        // only the span of plane rows this slab reads is staged (as SlabIoF64 does): a row's masked load reads
        // lanes [interiorStart, interiorEnd) only, which lie in its source row
        int lo = PhaseSlab.firstSourceRow(rowSrc, rows), end = PhaseSlab.lastSourceRow(rowSrc, rows) + (int) g.big[last];
        MemorySegment seg = big.segment();
        for (int c = 0; c < cn; c++) {
            long chanOff = big.offset() + n * big.stride(0) + (c0 + c) * big.stride(1);
            if (lo < end) MemorySegment.copy(seg, LAYOUT, (chanOff + lo) * ES, stage, L + lo, end - lo);
            int base = c * slab.channelStride;
            for (int r = 0; r < rows; r++) {
                int from = rowSrc[r];
                DoubleVector v = from < 0 ? zero : DoubleVector.fromArray(S, stage, shift + from, inside);
                v.intoArray(sl, base + rowDst[r], row);
            }
        }
    }

    /**
     * Whether {@link #fillSlab} copies {@code big} into {@code slab} with vectors: one phase, a row-major plane
     * that {@link SlabIoF64} would stage, rows of at most L cells with zero padding on at least one side.
     */
    static boolean inVectors(ConvGeometry g, Tensor big, PhaseSlab slab) {
        int width = slab.extent[g.rank - 1];
        long plane = g.rowMajorPlane(big);
        boolean padded = slab.interiorStart() > 0 || slab.interiorEnd() < width; // else SlabIo's row copies have no padding loops
        return plane >= 0 && plane <= STAGE_LIMIT && slab.plain() && width <= L && padded && g.mode == PaddingMode.ZEROS;
    }
}
