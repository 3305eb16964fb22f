package dev.vecnn.kernel.gemm;

/**
 * How M rows are cut into micro-kernel row panels: as many 12-row panels as fit, then one of 8 or 4
 * (rows are padded to a multiple of 4 with zeros, which cost at most 3 wasted rows).
 */
final class Panels {
    final int padded;
    final int count;
    final int[] start;
    final int[] mr;

    private Panels(int rows) {
        padded = (rows + 3) / 4 * 4;
        int full = padded / 12;
        int rest = padded - full * 12;
        count = full + (rest > 0 ? 1 : 0);
        start = new int[count];
        mr = new int[count];
        for (int p = 0; p < count; p++) {
            start[p] = p * 12;
            mr[p] = p < full ? 12 : rest;
        }
    }

    static Panels of(int rows) {
        return new Panels(rows);
    }
}
