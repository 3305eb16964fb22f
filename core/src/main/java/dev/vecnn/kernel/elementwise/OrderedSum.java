package dev.vecnn.kernel.elementwise;

import java.util.Arrays;

/**
 * A sum of doubles in one fixed order, independent of the vector width, the backend, the JIT tier
 * and of how the terms were handed over in runs: term k of the sequence (counting from the last
 * {@link #reset}) is added to partial sum {@code k mod 16}, each partial in sequence order starting
 * from +0.0; {@link #value} then combines the 16 partials as a balanced tree
 * {@code ((p0+p1)+(p2+p3))+...}. Every reduction of the elementwise kernels (batch-norm statistics,
 * bias gradients, softmax denominators, losses) sums this way, so the vector and the portable kernels
 * give the same bits. Not thread-safe: one per reduction in progress.
 */
public final class OrderedSum {
    /** Number of partial sums. */
    public static final int LANES = 16;
    /** Terms buffered before they are added to the partials (a multiple of {@link #LANES}). */
    static final int BLOCK = 256;

    final double[] block = new double[BLOCK];
    final double[] lanes = new double[LANES];
    /** Buffered terms; block[i] belongs to partial i mod 16. */
    int fill;

    /** An empty sum. */
    public OrderedSum() {
    }

    /** Starts a new sum. */
    public OrderedSum reset() {
        Arrays.fill(lanes, 0.0);
        fill = 0;
        return this;
    }

    /** Appends one term. */
    public void add(double term) {
        if (fill == BLOCK) fill = flush(this, fill);
        block[fill++] = term;
    }

    /** The sum of the terms so far (the sum can be continued afterwards). */
    public double value() {
        double[] p = lanes.clone();
        int rows = fill / LANES;
        for (int r = 0; r < rows; r++) for (int j = 0; j < LANES; j++) p[j] += block[r * LANES + j];
        for (int i = rows * LANES; i < fill; i++) p[i - rows * LANES] += block[i];
        for (int w = 1; w < LANES; w *= 2) for (int j = 0; j + w < LANES; j += 2 * w) p[j] = p[j] + p[j + w];
        return p[0];
    }

    /**
     * Adds the full rows of the buffer to the partials (row by row, in order) and moves the partial row
     * to the front; returns the new fill. The vector kernels have their own, equal, flush.
     */
    static int flush(OrderedSum s, int fill) {
        double[] b = s.block, l = s.lanes;
        int rows = fill / LANES;
        for (int r = 0; r < rows; r++) for (int j = 0; j < LANES; j++) l[j] += b[r * LANES + j];
        int rem = fill - rows * LANES;
        System.arraycopy(b, rows * LANES, b, 0, rem);
        return rem;
    }
}
