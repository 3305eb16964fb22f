package dev.vecnn.kernel.pool;

import dev.vecnn.parallel.Execution;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Pooling kernels in double for dense tensors, every kind and rank ({@link PoolGeometry}).
 *
 * <p>Channels-first: per (image, channel) plane and per output row (all dimensions but the last),
 * the rows of the window are combined elementwise into one row buffer (contiguous vectors), then the
 * innermost dimension is pooled from that buffer: outputs whose windows lie inside are computed at
 * stride 1 with one vector load per tap and then subsampled by the stride; the few at the edges and
 * adaptive windows are scalar. Argmax must prefer the first maximum in row-major order, so max pooling
 * with indices pools each row first and combines rows after. Global kinds reduce a plane as one run.
 *
 * <p>Channels-last: per output position, vectors across channels, one load per tap.
 *
 * <p>Max pooling propagates NaN; with indices the first maximum wins and a NaN takes over, as in the
 * reference. Argmax lanes carry the tap number as a double (exact below 2^24 taps, which
 * {@link VectorPool#supports} requires). Backward passes accumulate each gradient element in a fixed
 * order within one task, so results do not depend on the thread count.
 *
 * <p>GENERATED from core/src/template/PoolKernels.java.in by dev.vecnn.codegen.KernelTemplates;
 * edit the template, not this file.
 */
final class PoolKernelsF64 {
    private PoolKernelsF64() {
    }

    static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    static final int L = S.length();
    private static final ValueLayout.OfDouble LAYOUT = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final ValueLayout.OfLong INDEX = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final long ES = 8;
    private static final double NEG_INF = Double.NEGATIVE_INFINITY;

    /** One task's buffers, taken from its scratch once (a scratch lookup per plane costs more than a small plane). */
    private static final class Buffers {
        final int[] o, odo, taps, oi, hp;
        final double[] row, h, hk, ov, hv, lanes, args;

        Buffers(PoolGeometry g, Execution.Scratch s) {
            int w = g.in[g.rank - 1], ow = g.out[g.rank - 1];
            o = s.ints("pool.o", g.rank);
            odo = s.ints("pool.odo", g.rank);
            taps = s.ints("pool.taps", g.maxTaps());
            oi = s.ints("pool.oi", ow);
            hp = s.ints("pool.hp", ow);
            row = s.doubles("pool.row", Math.max(w, (int) g.channels) + L);
            h = s.doubles("pool.h", w + L);
            hk = s.doubles("pool.hk", w + L);
            ov = s.doubles("pool.ov", ow);
            hv = s.doubles("pool.hv", ow);
            lanes = s.doubles("pool.lanes", L);
            args = s.doubles("pool.args", L);
        }
    }

    // ------------------------------------------------------------------ channels-first forward

    /** Forward pass, channels-first; {@code idx} (same layout, may be null) receives argmax. */
    static void forwardChannelsFirst(PoolGeometry g, Dense x, Dense y, Dense idx, Execution ex) {
        long planes = g.batch * g.channels;
        int tasks = tasks(planes, ex);
        ex.forEach(tasks, (task, s) -> {
            Buffers b = new Buffers(g, s);
            for (long p = planes * task / tasks, end = planes * (task + 1) / tasks; p < end; p++) {
                long xb = x.base() + p * g.plane, yb = y.base() + p * g.outPlane;
                long ib = idx == null ? -1 : idx.base() + p * g.outPlane;
                if (!g.global) plane(g, x.seg(), xb, y.seg(), yb, idx == null ? null : idx.seg(), ib, b);
                else if (idx != null) globalArgmax(g.plane, x.seg(), xb, y.seg(), yb, idx.seg(), ib, b);
                else y.seg().setAtIndex(LAYOUT, yb, g.max ? globalMax(g.plane, x.seg(), xb, b) : globalSum(g.plane, x.seg(), xb, b) / g.plane);
            }
        }, x.tensor(), y.tensor(), idx == null ? null : idx.tensor());
    }

    private static void plane(PoolGeometry g, MemorySegment x, long xb, MemorySegment y, long yb,
                              MemorySegment idx, long ib, Buffers b) {
        int outer = g.rank - 1, w = g.in[outer], ow = g.out[outer];
        int[] o = b.o, odo = b.odo, taps = b.taps, oi = b.oi, hp = b.hp;
        double[] row = b.row, h = b.h, hk = b.hk, ov = b.ov, hv = b.hv;
        java.util.Arrays.fill(o, 0);
        long r = 0;
        do {
            int nt = g.taps(o, outer, taps, odo);
            if (nt == 0) {
                java.util.Arrays.fill(ov, 0, ow, g.max ? NEG_INF : 0);
                java.util.Arrays.fill(oi, 0, ow, -1);
            } else if (idx != null) {
                for (int t = 0; t < nt; t++) {
                    load(x, xb + taps[t], row, w);
                    innerArgmax(g, row, h, hk, hv, hp);
                    for (int i = 0; i < ow; i++) {
                        if (t == 0 || hv[i] > ov[i] || hv[i] != hv[i]) {
                            ov[i] = hv[i];
                            oi[i] = hp[i] < 0 ? -1 : taps[t] + hp[i];
                        }
                    }
                }
            } else {
                load(x, xb + taps[0], row, w);
                for (int t = 1; t < nt; t++) {
                    if (g.max) maxInto(x, xb + taps[t], row, w);
                    else addInto(x, xb + taps[t], row, w);
                }
                inner(g, row, h, ov, g.max ? 0 : g.divisor(o, outer));
            }
            store(ov, y, yb + r * ow, ow);
            if (idx != null) for (int i = 0; i < ow; i++) idx.set(INDEX, (ib + r * ow + i) * 8, oi[i]);
            r++;
        } while (g.next(o, outer));
    }

    /** {@code row[0, n) = x[at, at + n)}. */
    private static void load(MemorySegment x, long at, double[] row, int n) {
        int i = 0;
        for (; i <= n - L; i += L) DoubleVector.fromMemorySegment(S, x, (at + i) * ES, ORDER).intoArray(row, i);
        for (; i < n; i++) row[i] = x.getAtIndex(LAYOUT, at + i);
    }

    private static void maxInto(MemorySegment x, long at, double[] row, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            DoubleVector.fromArray(S, row, i).max(DoubleVector.fromMemorySegment(S, x, (at + i) * ES, ORDER)).intoArray(row, i);
        }
        for (; i < n; i++) row[i] = Math.max(row[i], x.getAtIndex(LAYOUT, at + i));
    }

    private static void addInto(MemorySegment x, long at, double[] row, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            DoubleVector.fromArray(S, row, i).add(DoubleVector.fromMemorySegment(S, x, (at + i) * ES, ORDER)).intoArray(row, i);
        }
        for (; i < n; i++) row[i] += x.getAtIndex(LAYOUT, at + i);
    }

    /** {@code y[at, at + n) = v[0, n)}. */
    private static void store(double[] v, MemorySegment y, long at, int n) {
        int i = 0;
        for (; i <= n - L; i += L) DoubleVector.fromArray(S, v, i).intoMemorySegment(y, (at + i) * ES, ORDER);
        for (; i < n; i++) y.setAtIndex(LAYOUT, at + i, v[i]);
    }

    /**
     * Pools the innermost dimension of one combined row into {@code ov}: max, or the sum divided by
     * {@code outerDivisor} times this dimension's divisor.
     */
    private static void inner(PoolGeometry g, double[] row, double[] h, double[] ov, long outerDivisor) {
        int d = g.rank - 1, a = g.interiorBegin, b = g.interiorEnd;
        int[] first = g.first[d];
        if (a < b) {
            int q0 = first[a], n = first[b - 1] - q0 + 1, k = g.kernel[d], dil = g.step[d];
            if (g.max) stride1Max(row, q0, n, k, dil, h);
            else stride1Sum(row, q0, n, k, dil, h);
            for (int i = a; i < b; i++) ov[i] = h[first[i] - q0];
        }
        int ow = g.out[d];
        for (int i = 0; i < ow; i++) {
            if (i == a && b > a) i = b;
            if (i >= ow) break;
            int q = first[i], st = g.step[d];
            double v = g.max ? NEG_INF : 0;
            for (int j = g.lo[d][i]; j < g.hi[d][i]; j++) v = g.max ? Math.max(v, row[q + j * st]) : v + row[q + j * st];
            ov[i] = v;
        }
        if (!g.max) {
            for (int i = 0; i < ow; i++) {
                long div = outerDivisor * g.divisor[d][i];
                ov[i] = div == 0 ? 0 : ov[i] / div;
            }
        }
    }

    /** {@code h[q] = max_j row[q0 + q + j*dil]} for {@code q < n} (and up to a vector beyond). */
    private static void stride1Max(double[] row, int q0, int n, int k, int dil, double[] h) {
        for (int q = 0; q < n; q += L) {
            DoubleVector m = DoubleVector.fromArray(S, row, q0 + q);
            for (int j = 1; j < k; j++) m = m.max(DoubleVector.fromArray(S, row, q0 + q + j * dil));
            m.intoArray(h, q);
        }
    }

    private static void stride1Sum(double[] row, int q0, int n, int k, int dil, double[] h) {
        for (int q = 0; q < n; q += L) {
            DoubleVector m = DoubleVector.fromArray(S, row, q0 + q);
            for (int j = 1; j < k; j++) m = m.add(DoubleVector.fromArray(S, row, q0 + q + j * dil));
            m.intoArray(h, q);
        }
    }

    /** As {@link #inner} for max with argmax: values into {@code hv}, positions in the row (or -1) into {@code hp}. */
    private static void innerArgmax(PoolGeometry g, double[] row, double[] h, double[] hk, double[] hv, int[] hp) {
        int d = g.rank - 1, a = g.interiorBegin, b = g.interiorEnd;
        int[] first = g.first[d];
        int st = g.step[d];
        if (a < b) {
            int q0 = first[a], n = first[b - 1] - q0 + 1;
            stride1Argmax(row, q0, n, g.kernel[d], st, h, hk);
            for (int i = a; i < b; i++) {
                int q = first[i] - q0;
                hv[i] = h[q];
                hp[i] = first[i] + (int) hk[q] * st;
            }
        }
        int ow = g.out[d];
        for (int i = 0; i < ow; i++) {
            if (i == a && b > a) i = b;
            if (i >= ow) break;
            int q = first[i], arg = -1;
            double m = NEG_INF;
            for (int j = g.lo[d][i]; j < g.hi[d][i]; j++) {
                double v = row[q + j * st];
                if (arg < 0 || v > m || v != v) {
                    m = v;
                    arg = q + j * st;
                }
            }
            hv[i] = m;
            hp[i] = arg;
        }
    }

    /** {@code h[q]}, {@code hk[q]}: the max of row {@code q0 + q + j*dil} over {@code j} and its first (NaN: last) {@code j}. */
    private static void stride1Argmax(double[] row, int q0, int n, int k, int dil, double[] h, double[] hk) {
        for (int q = 0; q < n; q += L) {
            DoubleVector m = DoubleVector.fromArray(S, row, q0 + q);
            DoubleVector arg = DoubleVector.zero(S);
            for (int j = 1; j < k; j++) {
                DoubleVector v = DoubleVector.fromArray(S, row, q0 + q + j * dil);
                VectorMask<Double> take = v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN));
                m = m.blend(v, take);
                arg = arg.blend((double) j, take);
            }
            m.intoArray(h, q);
            arg.intoArray(hk, q);
        }
    }

    /** The sum of a contiguous plane, lanes added in a fixed order. */
    private static double globalSum(int n, MemorySegment x, long xb, Buffers b) {
        DoubleVector acc = DoubleVector.zero(S);
        int i = 0;
        for (; i <= n - L; i += L) acc = acc.add(DoubleVector.fromMemorySegment(S, x, (xb + i) * ES, ORDER));
        acc.intoArray(b.lanes, 0);
        double[] lanes = b.lanes;
        for (int width = L / 2; width >= 1; width /= 2) {
            for (int l = 0; l < width; l++) lanes[l] += lanes[l + width];
        }
        double v = lanes[0];
        for (; i < n; i++) v += x.getAtIndex(LAYOUT, xb + i);
        return v;
    }

    /** The maximum of a contiguous plane (NaN if any is NaN). */
    private static double globalMax(int n, MemorySegment x, long xb, Buffers b) {
        DoubleVector acc = DoubleVector.broadcast(S, NEG_INF);
        int i = 0;
        for (; i <= n - L; i += L) acc = acc.max(DoubleVector.fromMemorySegment(S, x, (xb + i) * ES, ORDER));
        acc.intoArray(b.lanes, 0);
        double v = NEG_INF;
        for (int l = 0; l < L; l++) v = Math.max(v, b.lanes[l]);
        for (; i < n; i++) v = Math.max(v, x.getAtIndex(LAYOUT, xb + i));
        return v;
    }

    /** Global max with argmax of a contiguous plane: each lane keeps its first max (last NaN), then lanes and tail merge in plane order. */
    private static void globalArgmax(int n, MemorySegment x, long xb, MemorySegment y, long yb, MemorySegment idx, long ib, Buffers b) {
        long arg = -1;
        double m = NEG_INF;
        int i = 0;
        if (n >= L) {
            DoubleVector vm = DoubleVector.fromMemorySegment(S, x, xb * ES, ORDER), va = DoubleVector.zero(S);
            for (i = L; i <= n - L; i += L) {
                DoubleVector e = DoubleVector.fromMemorySegment(S, x, (xb + i) * ES, ORDER);
                VectorMask<Double> take = e.compare(VectorOperators.GT, vm).or(e.test(VectorOperators.IS_NAN));
                vm = vm.blend(e, take);
                va = va.blend((double) (i / L), take);
            }
            vm.intoArray(b.lanes, 0);
            va.intoArray(b.args, 0);
            for (int l = 0; l < L; l++) {
                long at = (long) b.args[l] * L + l;
                double e = b.lanes[l];
                boolean better = arg < 0 || (e != e ? (m == m || at > arg) : (m == m && (e > m || (e == m && at < arg))));
                if (better) {
                    m = e;
                    arg = at;
                }
            }
        }
        for (; i < n; i++) {
            double e = x.getAtIndex(LAYOUT, xb + i);
            if (arg < 0 || e > m || e != e) {
                m = e;
                arg = i;
            }
        }
        idx.set(INDEX, ib * 8, arg);
        y.setAtIndex(LAYOUT, yb, m);
    }

    // ------------------------------------------------------------------ channels-first backward

    /** Average pooling backward, channels-first: each plane's gradient summed in output order. */
    static void avgBackwardChannelsFirst(PoolGeometry g, Dense gy, Dense gx, Execution ex) {
        long planes = g.batch * g.channels;
        int tasks = tasks(planes, ex);
        ex.forEach(tasks, (task, s) -> {
            Buffers b = g.global ? null : new Buffers(g, s);
            for (long p = planes * task / tasks, end = planes * (task + 1) / tasks; p < end; p++) {
                long gb = gx.base() + p * g.plane, yb = gy.base() + p * g.outPlane;
                if (g.global) {
                    fill(gx.seg(), gb, g.plane, (double) (gy.seg().getAtIndex(LAYOUT, yb) / g.plane));
                } else {
                    gx.seg().asSlice(gb * ES, g.plane * ES).fill((byte) 0);
                    avgBackwardPlane(g, gy.seg(), yb, gx.seg(), gb, b);
                }
            }
        }, gy.tensor(), gx.tensor());
    }

    private static void fill(MemorySegment seg, long at, int n, double v) {
        DoubleVector b = DoubleVector.broadcast(S, v);
        int i = 0;
        for (; i <= n - L; i += L) b.intoMemorySegment(seg, (at + i) * ES, ORDER);
        for (; i < n; i++) seg.setAtIndex(LAYOUT, at + i, v);
    }

    private static void avgBackwardPlane(PoolGeometry g, MemorySegment gy, long yb, MemorySegment gx, long gb, Buffers b) {
        int outer = g.rank - 1, w = g.in[outer], ow = g.out[outer];
        int[] o = b.o, odo = b.odo, taps = b.taps;
        double[] row = b.row;
        java.util.Arrays.fill(o, 0);
        long r = 0;
        do {
            int nt = g.taps(o, outer, taps, odo);
            if (nt > 0) {
                java.util.Arrays.fill(row, 0, w, 0);
                long od = g.divisor(o, outer);
                for (int i = 0; i < ow; i++) {
                    long div = od * g.divisor[outer][i];
                    if (div == 0) continue;
                    double v = (double) (gy.getAtIndex(LAYOUT, yb + r * ow + i) / div);
                    for (int j = g.lo[outer][i], q = g.first[outer][i]; j < g.hi[outer][i]; j++) row[q + j * g.step[outer]] += v;
                }
                for (int t = 0; t < nt; t++) addTo(row, gx, gb + taps[t], w);
            }
            r++;
        } while (g.next(o, outer));
    }

    /** {@code x[at, at + n) += row[0, n)}. */
    private static void addTo(double[] row, MemorySegment x, long at, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            DoubleVector.fromArray(S, row, i).add(DoubleVector.fromMemorySegment(S, x, (at + i) * ES, ORDER)).intoMemorySegment(x, (at + i) * ES, ORDER);
        }
        for (; i < n; i++) x.setAtIndex(LAYOUT, at + i, (double) (x.getAtIndex(LAYOUT, at + i) + row[i]));
    }

    /** Max pooling backward, channels-first: {@code gx[plane + idx] += gy} in output order. */
    static void maxBackwardChannelsFirst(PoolGeometry g, Dense idx, Dense gy, Dense gx, Execution ex) {
        long planes = g.batch * g.channels;
        int tasks = tasks(planes, ex);
        ex.forEach(tasks, (task, s) -> {
            for (long p = planes * task / tasks, end = planes * (task + 1) / tasks; p < end; p++) {
                long gb = gx.base() + p * g.plane, yb = gy.base() + p * g.outPlane, ib = idx.base() + p * g.outPlane;
                gx.seg().asSlice(gb * ES, g.plane * ES).fill((byte) 0);
                for (int i = 0; i < g.outPlane; i++) {
                    long at = idx.seg().get(INDEX, (ib + i) * 8);
                    if (at < 0) continue;
                    long e = gb + at;
                    gx.seg().setAtIndex(LAYOUT, e, (double) (gx.seg().getAtIndex(LAYOUT, e) + gy.seg().getAtIndex(LAYOUT, yb + i)));
                }
            }
        }, idx.tensor(), gy.tensor(), gx.tensor());
    }

    // ------------------------------------------------------------------ channels-last

    /** Forward pass, channels-last: vectors across channels, tasks over images and output rows. */
    static void forwardChannelsLast(PoolGeometry g, Dense x, Dense y, Dense idx, Execution ex) {
        int c = (int) g.channels, rows = g.outPlane / g.out[g.rank - 1];
        int tasks = tasks(g.batch * rows, ex);
        long work = g.batch * rows;
        ex.forEach(tasks, (task, s) -> {
            Buffers b = new Buffers(g, s);
            int[] o = b.o, odo = b.odo, taps = b.taps;
            double[] arg = b.row;
            for (long wk = work * task / tasks, end = work * (task + 1) / tasks; wk < end; wk++) {
                long n = wk / rows;
                int r = (int) (wk % rows);
                position(g, r * (long) g.out[g.rank - 1], o);
                for (int i = 0; i < g.out[g.rank - 1]; i++, o[g.rank - 1] = i) {
                    int nt = g.taps(o, g.rank, taps, odo);
                    long op = (long) r * g.out[g.rank - 1] + i;
                    long xb = x.base() + n * g.plane * c, yb = y.base() + (n * g.outPlane + op) * c;
                    if (g.max) {
                        channelsMax(x.seg(), xb, taps, nt, c, y.seg(), yb, idx == null ? null : arg);
                        if (idx != null) {
                            long ib = idx.base() + (n * g.outPlane + op) * c;
                            for (int k = 0; k < c; k++) idx.seg().set(INDEX, (ib + k) * 8, nt == 0 ? -1 : taps[(int) arg[k]]);
                        }
                    } else {
                        channelsMean(x.seg(), xb, taps, nt, c, y.seg(), yb, g.divisor(o, g.rank));
                    }
                }
            }
        }, x.tensor(), y.tensor(), idx == null ? null : idx.tensor());
    }

    /** Output position {@code flat} as an index into {@code o}. */
    private static void position(PoolGeometry g, long flat, int[] o) {
        for (int d = g.rank - 1; d >= 0; d--) {
            o[d] = (int) (flat % g.out[d]);
            flat /= g.out[d];
        }
    }

    private static void channelsMax(MemorySegment x, long xb, int[] taps, int nt, int c, MemorySegment y, long yb, double[] arg) {
        int k = 0;
        for (; k <= c - L; k += L) {
            DoubleVector m = DoubleVector.broadcast(S, NEG_INF);
            if (arg == null) {
                for (int t = 0; t < nt; t++) m = m.max(DoubleVector.fromMemorySegment(S, x, (xb + (long) taps[t] * c + k) * ES, ORDER));
            } else if (nt > 0) {
                m = DoubleVector.fromMemorySegment(S, x, (xb + (long) taps[0] * c + k) * ES, ORDER);
                DoubleVector a = DoubleVector.zero(S);
                for (int t = 1; t < nt; t++) {
                    DoubleVector v = DoubleVector.fromMemorySegment(S, x, (xb + (long) taps[t] * c + k) * ES, ORDER);
                    VectorMask<Double> take = v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN));
                    m = m.blend(v, take);
                    a = a.blend((double) t, take);
                }
                a.intoArray(arg, k);
            }
            m.intoMemorySegment(y, (yb + k) * ES, ORDER);
        }
        for (; k < c; k++) {
            double m = NEG_INF;
            int a = 0;
            for (int t = 0; t < nt; t++) {
                double v = x.getAtIndex(LAYOUT, xb + (long) taps[t] * c + k);
                if (v > m || v != v) {
                    m = v;
                    a = t;
                }
            }
            if (arg != null) arg[k] = a;
            y.setAtIndex(LAYOUT, yb + k, m);
        }
    }

    private static void channelsMean(MemorySegment x, long xb, int[] taps, int nt, int c, MemorySegment y, long yb, long div) {
        int k = 0;
        for (; k <= c - L; k += L) {
            DoubleVector m = DoubleVector.zero(S);
            for (int t = 0; t < nt; t++) m = m.add(DoubleVector.fromMemorySegment(S, x, (xb + (long) taps[t] * c + k) * ES, ORDER));
            (div == 0 ? DoubleVector.zero(S) : m.div((double) div)).intoMemorySegment(y, (yb + k) * ES, ORDER);
        }
        for (; k < c; k++) {
            double m = 0;
            for (int t = 0; t < nt; t++) m += x.getAtIndex(LAYOUT, xb + (long) taps[t] * c + k);
            y.setAtIndex(LAYOUT, yb + k, div == 0 ? 0 : m / div);
        }
    }

    /**
     * Backward pass, channels-last, for both kinds: tasks over (image, channel block), each
     * accumulating its block of {@code gx} over output positions in order.
     */
    static void backwardChannelsLast(PoolGeometry g, Dense idx, Dense gy, Dense gx, Execution ex) {
        int c = (int) g.channels;
        int block = Math.max(L, Math.ceilDiv(Math.ceilDiv(c, ex.threads()), L) * L);
        int blocks = Math.ceilDiv(c, block);
        ex.forEach(Math.toIntExact(g.batch * blocks), (task, s) -> {
            long n = task / blocks;
            int k0 = (task % blocks) * block, k1 = Math.min(c, k0 + block);
            long gb = gx.base() + n * g.plane * c;
            for (int p = 0; p < g.plane; p++) gx.seg().asSlice((gb + (long) p * c + k0) * ES, (k1 - k0) * ES).fill((byte) 0);
            Buffers b = new Buffers(g, s);
            int[] o = b.o, odo = b.odo, taps = b.taps;
            java.util.Arrays.fill(o, 0);
            long op = 0;
            do {
                long yb = gy.base() + (n * g.outPlane + op) * c;
                if (idx != null) {
                    long ib = idx.base() + (n * g.outPlane + op) * c;
                    for (int k = k0; k < k1; k++) {
                        long at = idx.seg().get(INDEX, (ib + k) * 8);
                        if (at < 0) continue;
                        long e = gb + at * c + k;
                        gx.seg().setAtIndex(LAYOUT, e, (double) (gx.seg().getAtIndex(LAYOUT, e) + gy.seg().getAtIndex(LAYOUT, yb + k)));
                    }
                } else {
                    int nt = g.taps(o, g.rank, taps, odo);
                    long div = g.divisor(o, g.rank);
                    if (nt > 0 && div != 0) spread(gy.seg(), yb, div, taps, nt, c, k0, k1, gx.seg(), gb);
                }
                op++;
            } while (g.next(o, g.rank));
        }, idx == null ? null : idx.tensor(), gy.tensor(), gx.tensor());
    }

    /** {@code gx[tap, k] += gy[k] / div} for every tap and channel {@code k} in {@code [k0, k1)}. */
    private static void spread(MemorySegment gy, long yb, long div, int[] taps, int nt, int c, int k0, int k1, MemorySegment gx, long gb) {
        int k = k0;
        for (; k <= k1 - L; k += L) {
            DoubleVector v = DoubleVector.fromMemorySegment(S, gy, (yb + k) * ES, ORDER).div((double) div);
            for (int t = 0; t < nt; t++) {
                long e = (gb + (long) taps[t] * c + k) * ES;
                v.add(DoubleVector.fromMemorySegment(S, gx, e, ORDER)).intoMemorySegment(gx, e, ORDER);
            }
        }
        for (; k < k1; k++) {
            double v = (double) (gy.getAtIndex(LAYOUT, yb + k) / div);
            for (int t = 0; t < nt; t++) {
                long e = gb + (long) taps[t] * c + k;
                gx.setAtIndex(LAYOUT, e, (double) (gx.getAtIndex(LAYOUT, e) + v));
            }
        }
    }

    /** Tasks for {@code work} independent units: a few per thread, for balance. */
    private static int tasks(long work, Execution ex) {
        return (int) Math.max(1, Math.min(work, 8L * ex.threads()));
    }
}
