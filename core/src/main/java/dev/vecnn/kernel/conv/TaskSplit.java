package dev.vecnn.kernel.conv;

/**
 * How the forward and backward-data passes cut their output into tasks: each of {@code items}
 * independent (image, group) pairs into {@code rowParts} balanced runs of rows (dimension 0) times
 * {@code panelParts} balanced runs of register panels (output channels) times {@code colParts} balanced
 * runs of dimension 1 (volumes and 4-D grids at batch 1, whose few rows and channels leave 32-64 threads
 * idle; rank 3 and up, the grid walks' runs staying inside each part's bounds). Every output element is
 * still computed by one task in the same order, so the cut changes no bits; it only decides how busy
 * the threads are.
 *
 * <p>The choice models the counter that hands out tasks: tasks of the largest part, one per thread per
 * round, so the slowest thread does {@code ceil(tasks / threads)} of them. Among the cuts whose
 * slowest thread does at most {@value #SLACK_PERCENT}% more than in the best cut searched, it takes the
 * fewest tasks (a task fills its own slab or gy grid, and small tasks slow the tiles down: 66 against 81
 * GFLOP/s at 8 against 1 task per image, C64 56x56 3x3), and of those the fewest column and panel parts
 * (cutting either repeats the slab fill). So on 1 or 2 threads an even batch is cut by images alone, an
 * odd batch of 3 or more also into 2 row runs per image (3 images: 6 tasks, 3 per thread, where one task
 * per image left a thread idle for a third of the call; C64 56x56 3x3 on 2 threads ran batch 3 at 240
 * GFLOP/s and batch 4 at 224), and a single image by rows; the panels are cut only where images and rows
 * leave threads idle: batch 1 on a small plane (7x7, 14x14) on 2 threads, or on 16-64 threads.
 *
 * @param rowParts   runs of rows per item, at least the minimum given (the bound on a task's buffer)
 * @param panelParts runs of register panels per item
 * @param colParts   runs of dimension 1 per item (1 for rank 1)
 */
public record TaskSplit(int rowParts, int panelParts, int colParts) {
    /** How much slower than the best cut searched a cut with fewer tasks may be, in percent. */
    static final int SLACK_PERCENT = 5;

    /** A cut along rows and panels only. */
    public static TaskSplit of(long items, int rows, int minRowParts, int panels, int threads) {
        return of(items, rows, minRowParts, panels, 1, threads);
    }

    /**
     * The cut of {@code items} items of {@code rows} rows, {@code panels} panels and {@code cols} columns
     * (dimension 1; 1 where it may not be cut) for {@code threads} threads, with at least {@code minRowParts}
     * row parts (clamped to {@code [1, rows]}).
     */
    public static TaskSplit of(long items, int rows, int minRowParts, int panels, int cols, int threads) {
        if (items <= 0 || rows <= 0) return new TaskSplit(0, 1, 1); // no work: no task
        int minR = Math.max(1, Math.min(rows, minRowParts));
        if (threads <= 1) return new TaskSplit(minR, 1, 1);
        double bestCost = Double.MAX_VALUE;
        int qMax = (int) Math.max(1, Math.min(panels, Math.ceilDiv(threads, items)));
        int cMax = (int) Math.max(1, Math.min(cols, Math.ceilDiv(threads, items)));
        for (int pass = 0; pass < 2; pass++) {
            double limit = bestCost * (1 + SLACK_PERCENT / 100.0);
            long fewest = Long.MAX_VALUE;
            TaskSplit chosen = null;
            for (int c = 1; c <= cMax; c++) {
                for (int q = 1; q <= qMax; q++) {
                    // beyond ~4 tasks per thread more parts cannot shorten the slowest thread much
                    int rMax = (int) Math.min(rows, minR + Math.ceilDiv(4L * threads, items * q * c));
                    for (int r = minR; r <= rMax; r++) {
                        double cost = slowest(items, rows, r, panels, q, cols, c, threads);
                        if (pass == 0) {
                            bestCost = Math.min(bestCost, cost);
                        } else if (cost <= limit && (long) r * q * c < fewest) {
                            fewest = (long) r * q * c;
                            chosen = new TaskSplit(r, q, c);
                        }
                    }
                }
            }
            if (pass == 1) return chosen;
        }
        throw new AssertionError("unreachable");
    }

    /**
     * Work of the slowest thread, in (row x panel x column) units: rounds of the counter times the largest
     * task (a double: the product of valid sizes can pass 2^63).
     */
    public static double slowest(long items, int rows, int rowParts, int panels, int panelParts, int cols, int colParts, int threads) {
        long tasks = items * rowParts * panelParts * colParts;
        return (double) Math.ceilDiv(tasks, threads) * Math.ceilDiv(rows, rowParts) * Math.ceilDiv(panels, panelParts)
                * Math.ceilDiv(cols, colParts);
    }

    /** Start of part {@code i} of {@code parts} balanced parts of {@code n} (the sizes differ by at most one). */
    public static int start(int n, int i, int parts) {
        return n / parts * i + Math.min(i, n % parts);
    }

    /** Tasks of {@code items} items. */
    public long tasks(long items) {
        return items * rowParts * panelParts * colParts;
    }
}
