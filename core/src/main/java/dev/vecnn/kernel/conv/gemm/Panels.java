package dev.vecnn.kernel.conv.gemm;

/**
 * How M rows are cut into micro-kernel row panels: 12-row panels, then one of 8; a remainder of 4
 * after at least one 12 becomes two 8s (a 4-row tile has too few accumulators to hide FMA latency).
 * Rows are padded to a multiple of 4 with zeros, which costs at most 3 wasted rows.
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
        int[] tail = rest == 0 ? new int[0] : rest == 4 && full > 0 ? new int[] {8, 8} : new int[] {rest};
        if (rest == 4 && full > 0) full--;
        count = full + tail.length;
        start = new int[count];
        mr = new int[count];
        for (int p = 0, at = 0; p < count; p++) {
            mr[p] = p < full ? 12 : tail[p - full];
            start[p] = at;
            at += mr[p];
        }
    }

    static Panels of(int rows) {
        return new Panels(rows);
    }
}
