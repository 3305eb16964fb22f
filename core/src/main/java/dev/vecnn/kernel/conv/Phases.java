package dev.vecnn.kernel.conv;

/**
 * Backward-data (and a transposed convolution's forward) as a direct computation on the big side, split
 * into phases. Padded big-side position {@code u = phi + s*v} (per dimension, stride s, phase phi)
 * receives from window tap j exactly when {@code (j*dilation) mod s = phi}, from small position
 * {@code o = v - q_j} with {@code q_j = (j*dilation) div s}:
 * <pre>  gx[c][phi + s*v] = sum over k and over the taps t of phase phi of  W[k][c][t] * gy[k][v - q_t]</pre>
 * So each phase is a convolution of gy, unit-stride, with the taps of that phase (shifted by
 * {@code -q}): no zero-upsampled gradient, no scatter, and every big-side element is one GEMM column whose
 * reduction runs in a fixed order whatever the tiling. gy is read from a grid with a margin of
 * {@code M = max q} zeros in front of every dimension. Only phases that some tap reaches are listed (at
 * most one per tap, so huge strides cost nothing); positions of the other phases receive nothing.
 */
public final class Phases {
    public final ConvGeometry g;
    /** Number of listed phases: those some tap reaches. */
    public final int count;
    /** Whether every phase is listed (else some positions receive no gradient at all). */
    public final boolean complete;
    /** Per listed phase, the phase along each dimension. */
    public final int[][] phase;
    /** Per listed phase, its taps in row-major tap order. */
    public final int[][] taps;
    /** Padded big-side extent per dimension: {@code big + padBegin + padEnd}. */
    public final int[] extent;
    /** Grid positions per dimension: {@code ceil(extent / stride)}. */
    public final int[] grid;
    /** Zeros in front of gy along each dimension: the largest {@code q}. */
    public final int[] margin;
    /** {@code shift[t][d]}: q of tap t along d. */
    public final int[][] shift;

    public Phases(ConvGeometry g) {
        this.g = g;
        int rank = g.rank;
        extent = new int[rank];
        grid = new int[rank];
        margin = new int[rank];
        long all = 1;
        for (int d = 0; d < rank; d++) {
            extent[d] = Math.toIntExact(g.big[d] + g.padBegin[d] + g.padEnd[d]);
            grid[d] = (int) Math.ceilDiv(extent[d], (long) g.stride[d]);
            margin[d] = (int) ((long) (g.kernel[d] - 1) * g.dilation[d] / g.stride[d]);
            all = Math.min(all * g.stride[d], 1L << 40);
        }
        shift = new int[g.taps][rank];
        java.util.Map<java.util.List<Integer>, java.util.List<Integer>> byPhase = new java.util.TreeMap<>(Phases::compare);
        for (int t = 0; t < g.taps; t++) {
            Integer[] key = new Integer[rank];
            for (int d = 0; d < rank; d++) {
                long reach = (long) g.tap[t][d] * g.dilation[d];
                shift[t][d] = (int) (reach / g.stride[d]);
                key[d] = (int) (reach % g.stride[d]);
            }
            byPhase.computeIfAbsent(java.util.List.of(key), k -> new java.util.ArrayList<>()).add(t);
        }
        count = byPhase.size();
        complete = count == all;
        phase = new int[count][];
        taps = new int[count][];
        int p = 0;
        for (var e : byPhase.entrySet()) {
            phase[p] = e.getKey().stream().mapToInt(Integer::intValue).toArray();
            taps[p++] = e.getValue().stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /** Row-major order of phase tuples. */
    private static int compare(java.util.List<Integer> a, java.util.List<Integer> b) {
        for (int d = 0; d < a.size(); d++) {
            int c = Integer.compare(a.get(d), b.get(d));
            if (c != 0) return c;
        }
        return 0;
    }

    /** First grid position of phase {@code p} along {@code d} whose big-side position is inside the input. */
    public int firstInside(int p, int d) {
        return Math.max(0, Math.ceilDiv(g.padBegin[d] - phase[p][d], g.stride[d]));
    }

    /** One past the last grid position of phase {@code p} along {@code d} inside the input. */
    public int endInside(int p, int d) {
        return (int) Math.max(firstInside(p, d), Math.ceilDiv(g.big[d] + g.padBegin[d] - phase[p][d], (long) g.stride[d]));
    }

    /** One past the last grid position of phase {@code p} along {@code d} inside the padded extent. */
    public int endPadded(int p, int d) {
        return Math.ceilDiv(extent[d] - phase[p][d], g.stride[d]);
    }
}
