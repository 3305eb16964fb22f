package dev.vecnn.kernel.conv;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The exact fallback of the float weight-gradient kernels that multiply gy laid on a slab grid (zero
 * between the windows) by the slab: where the slab holds a non-finite value, {@code 0 * inf} between
 * the windows would add a NaN, so those sums run over the real positions only.
 *
 * <p>GENERATED from core/src/template/SlabExact.java.in by dev.vecnn.codegen.KernelTemplates; edit the
 * template, not this file.
 */
public final class SlabExactF32 {
    private SlabExactF32() {
    }

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** Whether {@code a[0, n)} holds only finite values (one vector pass: x - x is NaN exactly for non-finite x). */
    public static boolean finite(float[] a, int n) {
        FloatVector bad = FloatVector.zero(S);
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector v = FloatVector.fromArray(S, a, i);
            bad = bad.add(v.sub(v));
        }
        float tail = 0;
        for (; i < n; i++) tail += a[i] - a[i];
        return !bad.test(VectorOperators.IS_NAN).anyTrue() && tail == tail;
    }

    /** {@code sum_o gy[base + start(o)] x[off + start(o)]} over the real positions o only, in row-major order. */
    public static double exactDot(ConvGeometry g, PhaseSlab slab, float[] gy, int base, float[] x, int off) {
        long[] o = new long[g.rank];
        double sum = 0;
        for (long q = 0, n = g.smallCount(); q < n; q++) {
            int p = slab.windowStart(o);
            sum += gy[base + p] * x[off + p];
            for (int d = g.rank - 1; d >= 0; d--) {
                if (++o[d] < g.small[d]) break;
                o[d] = 0;
            }
        }
        return sum;
    }
}
