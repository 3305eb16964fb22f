package dev.vecnn.kernel.portable.pool;

import dev.vecnn.kernel.pool.DenseTensor;
import dev.vecnn.kernel.pool.PoolGeometry;
import dev.vecnn.parallel.Execution;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Portable pooling kernels in double for dense tensors, every kind and rank ({@link PoolGeometry}), in
 * plain Java that HotSpot's C2 auto-vectorizes (no {@code jdk.incubator.vector}).
 *
 * <p>C2 (JDK 25) vectorizes elementwise loops over separate arrays indexed alike, not loops that read
 * a tensor's memory segment or two offsets into one array. So data is first staged into heap rows
 * ({@link Execution.Scratch#doubleRows}) by bulk copies, and the vectorized loops combine whole rows:
 * <ul>
 *   <li>channels-first: per (image, channel) plane, its input rows are staged; each output row combines
 *       the input rows its windows read (elementwise max or sum), then pools the innermost dimension
 *       from the combined row one output at a time. Max pooling with argmax walks the window in
 *       row-major order with the reference's rule (the first maximum wins, a NaN takes over);</li>
 *   <li>channels-last: per output position, the channel rows of its taps are combined (max or sum
 *       across channels);</li>
 *   <li>backward: max routes each gradient to its argmax in output order; average spreads each output
 *       row's divided gradient along the innermost dimension into one row, which is added to every input
 *       row the output row reads.</li>
 * </ul>
 * Each gradient element is summed in a fixed order within one task: results do not depend on the
 * thread count.
 *
 * <p>GENERATED from core/src/template/PortablePool.java.in by dev.vecnn.codegen.KernelTemplates; edit
 * the template, not this file.
 */
final class PortablePoolF64 {
    private PortablePoolF64() {
    }

    private static final ValueLayout.OfDouble LAYOUT = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final ValueLayout.OfLong INDEX = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final long ES = 8;
    private static final double NEG_INF = Double.NEGATIVE_INFINITY;

    // ------------------------------------------------------------------ channels-first forward

    /** Forward pass, channels-first; {@code idx} (same layout, may be null) receives argmax. */
    static void forwardChannelsFirst(PoolGeometry g, DenseTensor x, DenseTensor y, DenseTensor idx, Execution ex) {
        long planes = g.batch * g.channels;
        int tasks = tasks(planes, ex);
        int w = g.in[g.rank - 1], ow = g.out[g.rank - 1], inRows = g.plane / w;
        ex.forEach(tasks, (task, s) -> {
            double[][] rows = s.doubleRows("portable.pool.rows", inRows, w);
            double[] comb = s.doubles("portable.pool.comb", w);
            double[] out = s.doubles("portable.pool.out", ow);
            long[] arg = idx == null ? null : s.longs("portable.pool.arg", ow);
            for (long p = planes * task / tasks, end = planes * (task + 1) / tasks; p < end; p++) {
                long xb = x.base() + p * g.plane, yb = y.base() + p * g.outPlane;
                for (int i = 0; i < inRows; i++) MemorySegment.copy(x.seg(), LAYOUT, (xb + (long) i * w) * ES, rows[i], 0, w);
                for (int r = 0; r < g.rowDivisor.length; r++) {
                    if (idx != null) {
                        rowArgmax(g, rows, r, out, arg);
                        long ib = idx.base() + p * g.outPlane + (long) r * ow;
                        for (int o = 0; o < ow; o++) idx.seg().set(INDEX, (ib + o) * 8, arg[o]);
                    } else {
                        rowValues(g, rows, r, comb, out);
                    }
                    MemorySegment.copy(out, 0, y.seg(), LAYOUT, (yb + (long) r * ow) * ES, ow);
                }
            }
        }, x.tensor(), y.tensor(), idx == null ? null : idx.tensor());
    }

    /** Output row {@code r} of a staged plane, max or average, into {@code out}. */
    private static void rowValues(PoolGeometry g, double[][] rows, int r, double[] comb, double[] out) {
        int d = g.rank - 1, w = g.in[d], ow = g.out[d], st = g.step[d];
        int t0 = g.rowStart[r], nt = g.rowStart[r + 1] - t0;
        if (nt == 0) {
            Arrays.fill(out, 0, ow, g.max ? NEG_INF : 0);
            return;
        }
        // the input rows of the window combined elementwise (vectorized), then the innermost dimension
        double[] src = rows[g.rowTaps[t0] / w];
        if (nt > 1) {
            System.arraycopy(src, 0, comb, 0, w);
            for (int t = 1; t < nt; t++) {
                double[] q = rows[g.rowTaps[t0 + t] / w];
                if (g.max) maxInto(comb, q, w);
                else addInto(comb, q, w);
            }
            src = comb;
        }
        int[] first = g.first[d], lo = g.lo[d], hi = g.hi[d], div = g.divisor[d];
        long outer = g.rowDivisor[r];
        for (int o = 0; o < ow; o++) {
            int q = first[o];
            if (g.max) {
                double m = NEG_INF;
                for (int j = lo[o]; j < hi[o]; j++) m = Math.max(m, src[q + j * st]);
                out[o] = m;
            } else {
                double sum = 0;
                for (int j = lo[o]; j < hi[o]; j++) sum += src[q + j * st];
                long dv = outer * div[o];
                out[o] = dv == 0 ? 0 : sum / dv;
            }
        }
    }

    /**
     * Max with argmax of output row {@code r}: the window's taps in row-major order (input rows in
     * order, then the innermost taps), the first maximum winning and a NaN taking over, as the reference.
     * Positions are flat in the plane; a window with no tap inside gives -infinity and -1.
     */
    private static void rowArgmax(PoolGeometry g, double[][] rows, int r, double[] out, long[] arg) {
        int d = g.rank - 1, w = g.in[d], ow = g.out[d], st = g.step[d];
        int[] first = g.first[d], lo = g.lo[d], hi = g.hi[d];
        Arrays.fill(out, 0, ow, NEG_INF);
        Arrays.fill(arg, 0, ow, -1);
        for (int t = g.rowStart[r]; t < g.rowStart[r + 1]; t++) {
            int rowOffset = g.rowTaps[t];
            double[] q = rows[rowOffset / w];
            for (int o = 0; o < ow; o++) {
                double m = out[o];
                long a = arg[o];
                for (int j = lo[o], at = first[o] + j * st; j < hi[o]; j++, at += st) {
                    double v = q[at];
                    if (a < 0 || v > m || v != v) {
                        m = v;
                        a = rowOffset + at;
                    }
                }
                out[o] = m;
                arg[o] = a;
            }
        }
    }

    /** {@code acc[i] = max(acc[i], v[i])} for {@code i < n}; NaN propagates. */
    private static void maxInto(double[] acc, double[] v, int n) {
        for (int i = 0; i < n; i++) acc[i] = Math.max(acc[i], v[i]);
    }

    /** {@code acc[i] += v[i]} for {@code i < n}. */
    private static void addInto(double[] acc, double[] v, int n) {
        for (int i = 0; i < n; i++) acc[i] += v[i];
    }

    // ------------------------------------------------------------------ channels-first backward

    /** Max pooling backward, channels-first: {@code gx[idx] += gy} in output order, per plane. */
    static void maxBackwardChannelsFirst(PoolGeometry g, DenseTensor idx, DenseTensor gy, DenseTensor gx, Execution ex) {
        long planes = g.batch * g.channels;
        int tasks = tasks(planes, ex);
        ex.forEach(tasks, (task, s) -> {
            double[] acc = s.doubles("portable.pool.acc", g.plane);
            double[] v = s.doubles("portable.pool.gy", g.outPlane);
            for (long p = planes * task / tasks, end = planes * (task + 1) / tasks; p < end; p++) {
                long ib = idx.base() + p * g.outPlane;
                Arrays.fill(acc, 0, g.plane, 0);
                MemorySegment.copy(gy.seg(), LAYOUT, (gy.base() + p * g.outPlane) * ES, v, 0, g.outPlane);
                for (int i = 0; i < g.outPlane; i++) {
                    long at = idx.seg().get(INDEX, (ib + i) * 8);
                    if (at >= 0) acc[(int) at] += v[i];
                }
                MemorySegment.copy(acc, 0, gx.seg(), LAYOUT, (gx.base() + p * g.plane) * ES, g.plane);
            }
        }, idx.tensor(), gy.tensor(), gx.tensor());
    }

    /**
     * Average pooling backward, channels-first: per output row, its divided gradient is spread along the
     * innermost dimension into one input-length row, which is added to each input row the output row
     * reads (vectorized); each element sums its output rows in order.
     */
    static void avgBackwardChannelsFirst(PoolGeometry g, DenseTensor gy, DenseTensor gx, Execution ex) {
        long planes = g.batch * g.channels;
        int tasks = tasks(planes, ex);
        int d = g.rank - 1, w = g.in[d], ow = g.out[d], st = g.step[d], inRows = g.plane / w;
        int[] first = g.first[d], lo = g.lo[d], hi = g.hi[d], div = g.divisor[d];
        ex.forEach(tasks, (task, s) -> {
            double[][] rows = s.doubleRows("portable.pool.rows", inRows, w);
            double[] spread = s.doubles("portable.pool.comb", w);
            double[] v = s.doubles("portable.pool.gy", g.outPlane);
            for (long p = planes * task / tasks, end = planes * (task + 1) / tasks; p < end; p++) {
                for (int i = 0; i < inRows; i++) Arrays.fill(rows[i], 0, w, 0);
                MemorySegment.copy(gy.seg(), LAYOUT, (gy.base() + p * g.outPlane) * ES, v, 0, g.outPlane);
                for (int r = 0; r < g.rowDivisor.length; r++) {
                    int t0 = g.rowStart[r], nt = g.rowStart[r + 1] - t0;
                    if (nt == 0) continue;
                    Arrays.fill(spread, 0, w, 0);
                    long outer = g.rowDivisor[r];
                    for (int o = 0; o < ow; o++) {
                        long dv = outer * div[o];
                        if (dv == 0) continue;
                        double e = v[r * ow + o] / dv;
                        for (int j = lo[o], at = first[o] + j * st; j < hi[o]; j++, at += st) spread[at] += e;
                    }
                    for (int t = t0; t < t0 + nt; t++) addInto(rows[g.rowTaps[t] / w], spread, w);
                }
                long gb = gx.base() + p * g.plane;
                for (int i = 0; i < inRows; i++) MemorySegment.copy(rows[i], 0, gx.seg(), LAYOUT, (gb + (long) i * w) * ES, w);
            }
        }, gy.tensor(), gx.tensor());
    }

    // ------------------------------------------------------------------ channels-last

    /** Forward pass, channels-last: per output position, the taps' channel rows combined; tasks over images and output rows. */
    static void forwardChannelsLast(PoolGeometry g, DenseTensor x, DenseTensor y, DenseTensor idx, Execution ex) {
        int c = (int) g.channels, ow = g.out[g.rank - 1], rows = g.outPlane / ow;
        long work = g.batch * rows;
        int tasks = tasks(work, ex);
        ex.forEach(tasks, (task, s) -> {
            int[] o = s.ints("portable.pool.o", g.rank), taps = s.ints("portable.pool.taps", g.maxTaps());
            double[] acc = s.doubles("portable.pool.acc", c), v = s.doubles("portable.pool.comb", c);
            long[] arg = s.longs("portable.pool.arg", c);
            for (long wk = work * task / tasks, end = work * (task + 1) / tasks; wk < end; wk++) {
                long n = wk / rows;
                int r = (int) (wk % rows);
                position(g, (long) r * ow, o);
                for (int i = 0; i < ow; i++, o[g.rank - 1] = i) {
                    int nt = g.taps(o, g.rank, taps);
                    long xb = x.base() + n * g.plane * c, op = n * g.outPlane + (long) r * ow + i;
                    if (idx != null) {
                        Arrays.fill(acc, 0, c, NEG_INF);
                        Arrays.fill(arg, 0, c, -1);
                        for (int t = 0; t < nt; t++) {
                            MemorySegment.copy(x.seg(), LAYOUT, (xb + (long) taps[t] * c) * ES, v, 0, c);
                            for (int k = 0; k < c; k++) {
                                if (arg[k] < 0 || v[k] > acc[k] || v[k] != v[k]) {
                                    acc[k] = v[k];
                                    arg[k] = taps[t];
                                }
                            }
                        }
                        for (int k = 0; k < c; k++) idx.seg().set(INDEX, (idx.base() + op * c + k) * 8, arg[k]);
                    } else if (nt == 0) {
                        Arrays.fill(acc, 0, c, g.max ? NEG_INF : 0);
                    } else {
                        MemorySegment.copy(x.seg(), LAYOUT, (xb + (long) taps[0] * c) * ES, acc, 0, c);
                        for (int t = 1; t < nt; t++) {
                            MemorySegment.copy(x.seg(), LAYOUT, (xb + (long) taps[t] * c) * ES, v, 0, c);
                            if (g.max) maxInto(acc, v, c);
                            else addInto(acc, v, c);
                        }
                        if (!g.max) divide(acc, c, g.divisor(o, g.rank));
                    }
                    MemorySegment.copy(acc, 0, y.seg(), LAYOUT, (y.base() + op * c) * ES, c);
                }
            }
        }, x.tensor(), y.tensor(), idx == null ? null : idx.tensor());
    }

    /** {@code v[k] /= div} for {@code k < n}; all 0 for a zero divisor. */
    private static void divide(double[] v, int n, long div) {
        if (div == 0) {
            Arrays.fill(v, 0, n, 0);
            return;
        }
        double f = div;
        for (int k = 0; k < n; k++) v[k] /= f;
    }

    /** Output position {@code flat} as an index into {@code o}. */
    private static void position(PoolGeometry g, long flat, int[] o) {
        for (int d = g.rank - 1; d >= 0; d--) {
            o[d] = (int) (flat % g.out[d]);
            flat /= g.out[d];
        }
    }

    /**
     * Backward pass, channels-last, both kinds: tasks over (image, channel block), each accumulating
     * its block of {@code gx} (one heap row per input position) over output positions in order.
     */
    static void backwardChannelsLast(PoolGeometry g, DenseTensor idx, DenseTensor gy, DenseTensor gx, Execution ex) {
        int c = (int) g.channels;
        int block = Math.max(16, Math.ceilDiv(c, ex.threads()));
        int blocks = Math.ceilDiv(c, block);
        ex.forEach(Math.toIntExact(g.batch * blocks), (task, s) -> {
            long n = task / blocks;
            int k0 = (task % blocks) * block, kn = Math.min(c, k0 + block) - k0;
            double[][] acc = s.doubleRows("portable.pool.positions", g.plane, kn);
            for (int p = 0; p < g.plane; p++) Arrays.fill(acc[p], 0, kn, 0);
            double[] v = s.doubles("portable.pool.gy", kn);
            int[] o = s.ints("portable.pool.o", g.rank), taps = s.ints("portable.pool.taps", g.maxTaps());
            Arrays.fill(o, 0, g.rank, 0);
            long op = 0;
            do {
                long yo = (n * g.outPlane + op) * c + k0;
                MemorySegment.copy(gy.seg(), LAYOUT, (gy.base() + yo) * ES, v, 0, kn);
                if (idx != null) {
                    for (int k = 0; k < kn; k++) {
                        long at = idx.seg().get(INDEX, (idx.base() + yo + k) * 8);
                        if (at >= 0) acc[(int) at][k] += v[k];
                    }
                } else {
                    int nt = g.taps(o, g.rank, taps);
                    long div = g.divisor(o, g.rank);
                    if (nt > 0 && div != 0) {
                        divide(v, kn, div);
                        for (int t = 0; t < nt; t++) addInto(acc[taps[t]], v, kn);
                    }
                }
                op++;
            } while (g.next(o, g.rank));
            long gb = gx.base() + n * g.plane * c + k0;
            for (int p = 0; p < g.plane; p++) MemorySegment.copy(acc[p], 0, gx.seg(), LAYOUT, (gb + (long) p * c) * ES, kn);
        }, idx == null ? null : idx.tensor(), gy.tensor(), gx.tensor());
    }

    /** Tasks for {@code work} independent units: a few per thread, for balance. */
    private static int tasks(long work, Execution ex) {
        return (int) Math.max(1, Math.min(work, 8L * ex.threads()));
    }
}
