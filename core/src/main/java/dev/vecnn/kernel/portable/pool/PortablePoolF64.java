package dev.vecnn.kernel.portable.pool;

import dev.vecnn.kernel.pool.DenseTensor;
import dev.vecnn.parallel.Execution;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Portable pooling kernels in double for dense tensors, every kind and rank ({@link PoolTables}), in
 * plain Java that HotSpot's C2 auto-vectorizes (no {@code jdk.incubator.vector}).
 *
 * <p>C2 (JDK 25) vectorizes elementwise loops over separate arrays indexed alike, not loops that read
 * a tensor's memory segment or two offsets into one array. So data is first staged into heap rows
 * ({@link Execution.Scratch#doubleRows}) by bulk copies, and the vectorized loops combine whole rows:
 * <ul>
 *   <li>channels-first: per (image, channel) plane, in chunks of output rows, the input rows of each
 *       window are combined slot by slot over the whole chunk, split into the innermost stride's phases,
 *       and each innermost tap is a shifted copy of its phase ({@code chunkValues}); outputs at the
 *       innermost edges, adaptive windows and small planes go one at a time. Max pooling with argmax
 *       walks the window in row-major order with the reference's rule (the first maximum wins, a NaN
 *       takes over);</li>
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
    static void forwardChannelsFirst(PoolTables g, DenseTensor x, DenseTensor y, DenseTensor idx, Execution ex) {
        long planes = g.batch * g.channels;
        int tasks = tasks(planes, ex);
        int w = g.in[g.rank - 1], ow = g.out[g.rank - 1], inRows = g.plane / w, outRows = g.rowDivisor.length;
        // whole chunks of output rows in long loops, when the innermost dimension has enough interior outputs
        boolean chunked = idx == null && g.interiorEnd - g.interiorBegin >= 8;
        // rows of phases and results: room for every interior output (padding may put some past w / stride)
        int pitch = Math.max(Math.ceilDiv(w, g.innerStride), g.interiorEnd);
        int chunk = Math.max(1, Math.min(outRows, CHUNK / Math.max(w, pitch)));
        ex.forEach(tasks, (task, s) -> {
            double[][] rows = chunked && !g.max ? null : s.doubleRows("portable.pool.rows", inRows, w);
            long[] zeroArg = g.max ? s.longs("portable.pool.zeroArg", ow) : null;
            double[] comb = s.doubles("portable.pool.comb", w);
            double[] out = s.doubles("portable.pool.out", ow);
            long[] arg = idx == null ? null : s.longs("portable.pool.arg", ow);
            Chunks c = chunked ? new Chunks(g, chunk, pitch, s) : null;
            double[] plane = chunked ? s.doubles("portable.pool.plane", g.plane) : null;
            for (long p = planes * task / tasks, end = planes * (task + 1) / tasks; p < end; p++) {
                long xb = x.base() + p * g.plane, yb = y.base() + p * g.outPlane;
                if (g.global && idx == null && g.plane <= 4096) { // small planes: staging would cost more than the sum
                    y.seg().setAtIndex(LAYOUT, yb, global(g.max, x.seg(), xb, g.plane));
                    continue;
                }
                if (chunked) { // the plane in one copy: the chunks copy rows out of it
                    MemorySegment.copy(x.seg(), LAYOUT, xb * ES, plane, 0, g.plane);
                    for (int r0 = 0; r0 < outRows; r0 += chunk) chunkValues(g, plane, r0, Math.min(outRows, r0 + chunk), c, out, y.seg(), yb);
                    if (g.max) exactZeros(g, plane, rows, out, zeroArg, y.seg(), yb);
                    continue;
                }
                for (int i = 0; i < inRows; i++) MemorySegment.copy(x.seg(), LAYOUT, (xb + (long) i * w) * ES, rows[i], 0, w);
                for (int r = 0; r < outRows; r++) {
                    if (idx != null) {
                        rowArgmax(g, rows, r, out, arg);
                        long ib = idx.base() + p * g.outPlane + (long) r * ow;
                        for (int o = 0; o < ow; o++) idx.seg().set(INDEX, (ib + o) * 8, arg[o]);
                    } else {
                        rowValues(g, rows, r, comb, out);
                        if (g.max && hasZero(out, ow)) rowArgmax(g, rows, r, out, zeroArg); // the sign of a zero maximum
                    }
                    MemorySegment.copy(out, 0, y.seg(), LAYOUT, (yb + (long) r * ow) * ES, ow);
                }
            }
        }, x.tensor(), y.tensor(), idx == null ? null : idx.tensor());
    }

    /** Global max or average of one plane of {@code n} elements, in order. */
    private static double global(boolean max, MemorySegment x, long xb, int n) {
        double v = max ? NEG_INF : 0;
        for (int i = 0; i < n; i++) {
            double e = x.getAtIndex(LAYOUT, xb + i);
            if (!max) v += e;
            else if (e > v || e != e) v = e; // the reference's rule: the first maximum (sign of a zero), a NaN takes over
        }
        return max ? v : v / n;
    }

    /** Elements of a chunk of combined rows: long enough loops for C2, small enough for L2. */
    private static final int CHUNK = 1 << 14;

    /** One task's buffers for {@link #chunkValues}: combined rows, their phases, shifted taps, results, divisors. */
    private static final class Chunks {
        final double[] m, t, ph, o;
        /** Per chunk of rows (by first row / chunk), the average divisors of its interior outputs, at least 1. */
        final double[][] div;
        /** Window slots per output row: the most input rows any output row reads. */
        final int slots;
        /** Output rows per chunk, and the row pitch of phases and results. */
        final int chunk, pitch;

        Chunks(PoolTables g, int chunk, int pitch, Execution.Scratch s) {
            int d = g.rank - 1, w = g.in[d], outRows = g.rowDivisor.length, len = chunk * g.innerStride * Math.max(w, pitch);
            m = s.doubles("portable.pool.m", len);
            t = s.doubles("portable.pool.t", len);
            ph = s.doubles("portable.pool.ph", len);
            o = s.doubles("portable.pool.o", len);
            int most = 0;
            for (int r = 0; r < outRows; r++) most = Math.max(most, g.rowStart[r + 1] - g.rowStart[r]);
            slots = most;
            this.chunk = chunk;
            this.pitch = pitch;
            div = g.max ? null : s.doubleRows("portable.pool.div", Math.ceilDiv(outRows, chunk), chunk * pitch);
            if (!g.max) {
                for (int r = 0; r < outRows; r++) {
                    double[] dv = div[r / chunk];
                    int at = (r % chunk) * pitch;
                    for (int i = 0; i < pitch; i++) dv[at + i] = i < g.out[d] ? Math.max(1, g.rowDivisor[r] * g.divisor[d][i]) : 1;
                }
            }
        }
    }

    /**
     * Max or average of output rows [r0, r1) of a plane (copied to the heap) in long vectorized loops: the rows' input
     * rows are combined window slot by window slot into M (a slot beyond a row's taps is neutral: -inf or
     * 0); M is split into the innermost stride's phases; each innermost tap of the interior outputs is a
     * shifted copy of its phase, combined into O (and divided, for averages). Outputs whose windows leave
     * the input along the innermost dimension are computed one by one from M.
     */
    private static void chunkValues(PoolTables g, double[] plane, int r0, int r1, Chunks c, double[] out, MemorySegment y, long yb) {
        int d = g.rank - 1, w = g.in[d], ow = g.out[d], s = g.innerStride, st = g.step[d], n = r1 - r0;
        int a = g.interiorBegin, b = g.interiorEnd, pitch = c.pitch, total = n * pitch;
        int mp = s == 1 ? pitch : w; // M's row pitch: with stride 1, M is the one phase
        double[] m = c.m, t = c.t, o = c.o;
        double neutral = g.max ? NEG_INF : 0;
        // slot 0 always runs: rows whose windows lie wholly in the padding read the neutral value
        for (int k = 0; k < Math.max(1, c.slots); k++) {
            double[] to = k == 0 ? m : t;
            for (int r = r0; r < r1; r++) {
                int at = (r - r0) * mp;
                if (k < g.rowStart[r + 1] - g.rowStart[r]) System.arraycopy(plane, g.rowTaps[g.rowStart[r] + k], to, at, w);
                else Arrays.fill(to, at, at + w, neutral);
            }
            if (k > 0 && g.max) maxInto(m, t, n * mp);
            else if (k > 0) addInto(m, t, n * mp);
        }
        // phase p of row r at ph[p * total + r * pitch + u] = M[r * w + u * s + p]
        double[] src = m;
        if (s > 1) {
            src = c.ph;
            for (int p = 0; p < s; p++) {
                for (int r = 0; r < n; r++) {
                    for (int u = 0, i = p; i < w; u++, i += s) src[p * total + r * pitch + u] = m[r * w + i];
                }
            }
        }
        // interior output (r, q) is at o[r * pitch + q]; its tap j reads phase p_j at q + shift_j
        int pad = a * s - g.first[d][a];
        for (int j = 0; j < g.kernel[d]; j++) {
            int e = j * st - pad, p = Math.floorMod(e, s), shift = Math.floorDiv(e, s);
            double[] to = j == 0 ? o : t;
            if (shift >= 0) System.arraycopy(src, p * total + shift, to, 0, Math.max(0, total - shift));
            else System.arraycopy(src, p * total, to, -shift, Math.max(0, total + shift));
            if (j > 0 && g.max) maxInto(o, t, total);
            else if (j > 0) addInto(o, t, total);
        }
        if (!g.max) divideBy(o, c.div[r0 / c.chunk], total);
        if (a == 0 && b == ow && pitch == ow) { // every output interior, rows without gaps: the chunk is its output
            MemorySegment.copy(o, 0, y, LAYOUT, (yb + (long) r0 * ow) * ES, total);
            return;
        }
        int[] first = g.first[d], lo = g.lo[d], hi = g.hi[d], div = g.divisor[d];
        for (int r = r0; r < r1; r++) {
            System.arraycopy(o, (r - r0) * pitch + a, out, a, b - a);
            int row = (r - r0) * mp;
            for (int q = 0; q < ow; q++) {
                if (q == a) q = b;
                if (q >= ow) break;
                double v = neutral;
                for (int j = lo[q], at = row + first[q] + j * st; j < hi[q]; j++, at += st) v = g.max ? Math.max(v, m[at]) : v + m[at];
                if (!g.max) {
                    long dv = g.rowDivisor[r] * div[q];
                    v = dv == 0 ? 0 : v / dv;
                }
                out[q] = v;
            }
            MemorySegment.copy(out, 0, y, LAYOUT, (yb + (long) r * ow) * ES, ow);
        }
    }

    /** {@code v[i] /= div[i]} for {@code i < n}. */
    private static void divideBy(double[] v, double[] div, int n) {
        for (int i = 0; i < n; i++) v[i] /= div[i];
    }

    /** Output row {@code r} of a staged plane, max or average, into {@code out}. */
    private static void rowValues(PoolTables g, double[][] rows, int r, double[] comb, double[] out) {
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
     * Max pooling's maxima of 0 in a plane's outputs {@code y[yb ..]}, recomputed row by row in row-major order
     * ({@link #rowArgmax}): of tied zeros the first sets the sign, as in the reference, where the combining
     * loops' {@code Math.max} prefers +0.0.
     */
    private static void exactZeros(PoolTables g, double[] plane, double[][] rows, double[] out, long[] arg, MemorySegment y, long yb) {
        int w = g.in[g.rank - 1], ow = g.out[g.rank - 1], inRows = g.plane / w, outRows = g.rowDivisor.length;
        boolean loaded = false;
        for (int r = 0; r < outRows; r++) {
            long at = yb + (long) r * ow;
            MemorySegment.copy(y, LAYOUT, at * ES, out, 0, ow);
            if (!hasZero(out, ow)) continue;
            if (!loaded) {
                for (int i = 0; i < inRows; i++) System.arraycopy(plane, i * w, rows[i], 0, w);
                loaded = true;
            }
            rowArgmax(g, rows, r, out, arg);
            MemorySegment.copy(out, 0, y, LAYOUT, at * ES, ow);
        }
    }

    private static boolean hasZero(double[] v, int n) {
        for (int i = 0; i < n; i++) if (v[i] == 0) return true;
        return false;
    }

    /**
     * Max with argmax of output row {@code r}: the window's taps in row-major order (input rows in
     * order, then the innermost taps), the first maximum winning and a NaN taking over, as the reference.
     * Positions are flat in the plane; a window with no tap inside gives -infinity and -1.
     */
    private static void rowArgmax(PoolTables g, double[][] rows, int r, double[] out, long[] arg) {
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

    /** {@code acc[i] = v[i]} where {@code v[i] > acc[i]} or is NaN: the reference's rule, taps in row-major order (the sign of a zero maximum). */
    private static void firstMaxInto(double[] acc, double[] v, int n) {
        for (int i = 0; i < n; i++) {
            double e = v[i];
            if (e > acc[i] || e != e) acc[i] = e;
        }
    }

    /** {@code acc[i] += v[i]} for {@code i < n}. */
    private static void addInto(double[] acc, double[] v, int n) {
        for (int i = 0; i < n; i++) acc[i] += v[i];
    }

    // ------------------------------------------------------------------ channels-first backward

    /** Max pooling backward, channels-first: {@code gx[idx] += gy} in output order, per plane. */
    static void maxBackwardChannelsFirst(PoolTables g, DenseTensor idx, DenseTensor gy, DenseTensor gx, Execution ex) {
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
    static void avgBackwardChannelsFirst(PoolTables g, DenseTensor gy, DenseTensor gx, Execution ex) {
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
    static void forwardChannelsLast(PoolTables g, DenseTensor x, DenseTensor y, DenseTensor idx, Execution ex) {
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
                            if (g.max) firstMaxInto(acc, v, c);
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
    private static void position(PoolTables g, long flat, int[] o) {
        for (int d = g.rank - 1; d >= 0; d--) {
            o[d] = (int) (flat % g.out[d]);
            flat /= g.out[d];
        }
    }

    /**
     * Backward pass, channels-last, both kinds: tasks over (image, channel block), each accumulating
     * its block of {@code gx} (one heap row per input position) over output positions in order.
     */
    static void backwardChannelsLast(PoolTables g, DenseTensor idx, DenseTensor gy, DenseTensor gx, Execution ex) {
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
