package dev.vecnn.kernel.pool;

import dev.vecnn.parallel.Execution;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Pooling kernels in float for dense tensors, every kind and rank ({@link PoolGeometry}).
 *
 * <p>Channels-first: per (image, channel) plane and per output row (all dimensions but the last),
 * the rows of the window are combined elementwise into one row buffer (contiguous vectors), then the
 * innermost dimension is pooled from that buffer. Interior outputs are vectorised: stride 1 reads each
 * tap as a shifted vector; stride 2 pools every position of two vectors and keeps the even lanes with
 * one two-vector select; larger strides first split the row into phases, so that each tap of a run of
 * outputs is one contiguous load. Outputs at the edges and adaptive windows are scalar. Argmax must
 * prefer the first maximum in row-major order, so max pooling with indices pools each input row first
 * and merges the rows in order. Global kinds reduce each plane to one vector and sum the lanes of L
 * planes at once through a transposed read.
 *
 * <p>Channels-last: per output position, vectors across channels, one load per tap.
 *
 * <p>Max pooling propagates NaN; with indices the first maximum wins and a NaN takes over, as in the
 * reference. Argmax lanes carry tap numbers or plane positions as float values (exact below 2^24,
 * which {@link VectorPool#supports} requires). Backward passes accumulate each gradient element in a
 * fixed order within one task, so results do not depend on the thread count.
 *
 * <p>GENERATED from core/src/template/PoolKernels.java.in by dev.vecnn.codegen.KernelTemplates;
 * edit the template, not this file.
 */
final class PoolKernelsF32 {
    private PoolKernelsF32() {
    }

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    private static final ValueLayout.OfFloat LAYOUT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfLong INDEX = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final long ES = 4;
    private static final float NEG_INF = Float.NEGATIVE_INFINITY;

    /** One task's buffers, taken from its scratch once (a scratch lookup per plane costs more than a small plane). */
    private static final class Buffers {
        final int[] o, taps;
        /** Row buffers; per-output values and argmax positions; a second per-output row; lane spills. */
        final float[] rows, phases, ov, positions, hv, lanes, args, innerDivisor, transpose, firstPosition;
        /** Average backward: every output row's spread gradient, {@code rowStride} apart (null elsewhere). */
        final float[] spread;
        /** The lanes of a plane's last, overlapping vector that the one before did not read. */
        final VectorMask<Float> tailLanes;
        /** Output rows per chunk, and the rows' and phases' strides in their buffers. */
        final int chunk, rowStride, phaseStride;

        Buffers(PoolGeometry g, Execution.Scratch s) {
            int w = g.in[g.rank - 1], ow = g.out[g.rank - 1];
            o = s.ints("pool.o", g.rank);
            taps = s.ints("pool.taps", g.maxTaps());
            chunk = g.chunk;
            rowStride = w + 2 * L;
            phaseStride = g.phaseStride; // 0 when the kernels do not split rows into phases
            rows = s.floats("pool.rows", Math.max(chunk * rowStride, (int) g.channels + L));
            phases = s.floats("pool.phases", chunk * phaseStride);
            positions = s.floats("pool.positions", ow + L);
            ov = s.floats("pool.ov", Math.max(ow, w) + L);
            hv = s.floats("pool.hv", ow + L);
            lanes = s.floats("pool.lanes", L);
            args = s.floats("pool.args", L);
            transpose = s.floats("pool.transpose", L * L);
            spread = g.max || g.global ? null : s.floats("pool.spread", g.rowDivisor.length * rowStride + L);
            tailLanes = S.indexInRange(g.plane % L - L, L);
            innerDivisor = s.floats("pool.divisor", ow + L);
            for (int i = 0; i < ow; i++) innerDivisor[i] = g.divisor[g.rank - 1][i];
            firstPosition = s.floats("pool.first", ow + L);
            for (int i = 0; i < ow; i++) firstPosition[i] = g.first[g.rank - 1][i];
        }
    }

    // ------------------------------------------------------------------ channels-first forward

    /** Forward pass, channels-first; {@code idx} (same layout, may be null) receives argmax. */
    static void forwardChannelsFirst(PoolGeometry g, DenseTensor x, DenseTensor y, DenseTensor idx, Execution ex) {
        long planes = g.batch * g.channels;
        int tasks = tasks(planes, ex);
        ex.forEach(tasks, (task, s) -> {
            Buffers b = new Buffers(g, s);
            long p = planes * task / tasks, end = planes * (task + 1) / tasks;
            if (g.global && idx == null && g.plane >= L) {
                for (; p < end; p += L) {
                    globalBatch(g.max, g.plane, x.seg(), x.base() + p * g.plane, (int) Math.min(L, end - p), y.seg(), y.base() + p, b);
                }
            }
            for (; p < end; p++) {
                long xb = x.base() + p * g.plane, yb = y.base() + p * g.outPlane;
                long ib = idx == null ? -1 : idx.base() + p * g.outPlane;
                if (!g.global && idx != null) planeArgmax(g, x.seg(), xb, y.seg(), yb, idx.seg(), ib, b);
                else if (!g.global) planeValues(g, x.seg(), xb, y.seg(), yb, b);
                else if (idx != null) globalArgmax(g.plane, x.seg(), xb, y.seg(), yb, idx.seg(), ib, b);
                else y.seg().setAtIndex(LAYOUT, yb, globalSmall(g.max, g.plane, x.seg(), xb));
            }
        }, x.tensor(), y.tensor(), idx == null ? null : idx.tensor());
    }

    /**
     * Max or average pooling of one plane, in chunks of output rows and in stages: combine the window's
     * input rows of every row in the chunk, split them into phases (strides above 2), then pool the
     * innermost dimension. Chunks of 16 rows measured 5-10% faster than row by row for average pooling
     * and the same for max pooling.
     */
    private static void planeValues(PoolGeometry g, MemorySegment x, long xb, MemorySegment y, long yb, Buffers b) {
        int w = g.in[g.rank - 1], ow = g.out[g.rank - 1], rows = g.rowDivisor.length;
        int[] taps = g.rowTaps;
        boolean split = g.innerStride > 2 && g.interiorEnd - g.interiorBegin >= L;
        for (int r0 = 0; r0 < rows; r0 += b.chunk) {
            int r1 = Math.min(rows, r0 + b.chunk);
            for (int r = r0; r < r1; r++) {
                int t0 = g.rowStart[r], nt = g.rowStart[r + 1] - t0;
                if (nt == 0) continue;
                if (g.max) combineMax(x, xb, taps, t0, nt, b.rows, (r - r0) * b.rowStride, w);
                else combineSum(x, xb, taps, t0, nt, b.rows, (r - r0) * b.rowStride, w);
            }
            if (split) {
                for (int r = r0; r < r1; r++) phases(g, b.rows, (r - r0) * b.rowStride, b.phases, (r - r0) * b.phaseStride);
            }
            for (int r = r0; r < r1; r++) {
                long yo = yb + (long) r * ow;
                if (g.rowStart[r + 1] == g.rowStart[r]) fill(y, yo, ow, g.max ? NEG_INF : 0);
                else if (split) inner(g, b.rows, (r - r0) * b.rowStride, b.phases, (r - r0) * b.phaseStride, y, yo, b.innerDivisor, g.rowDivisor[r]);
                else inner(g, b.rows, (r - r0) * b.rowStride, b.rows, (r - r0) * b.rowStride, y, yo, b.innerDivisor, g.rowDivisor[r]);
            }
        }
    }

    /**
     * Max pooling with argmax of one plane. Ties must go to the first maximum in row-major window
     * order, so each input row of a window is pooled along the innermost dimension first and the rows
     * are merged in order ({@code take = v > best || v is NaN}). Positions travel as float lanes (exact:
     * planes are below 2^24 elements).
     */
    private static void planeArgmax(PoolGeometry g, MemorySegment x, long xb, MemorySegment y, long yb,
                                    MemorySegment idx, long ib, Buffers b) {
        int w = g.in[g.rank - 1], ow = g.out[g.rank - 1];
        int[] taps = g.rowTaps;
        float[] row = b.rows, ov = b.ov, oi = b.positions;
        for (int r = 0; r < g.rowDivisor.length; r++) {
            int t0 = g.rowStart[r], nt = g.rowStart[r + 1] - t0;
            if (nt == 0) {
                java.util.Arrays.fill(ov, 0, ow, NEG_INF);
                java.util.Arrays.fill(oi, 0, ow, -1);
            }
            for (int t = 0; t < nt; t++) {
                load(x, xb + taps[t0 + t], row, w);
                rowArgmax(g, row, b, taps[t0 + t], t == 0, ov, oi);
            }
            store(ov, y, yb + (long) r * ow, ow);
            for (int i = 0; i < ow; i++) idx.set(INDEX, (ib + (long) r * ow + i) * 8, (long) oi[i]);
        }
    }

    /**
     * Pools one input row along the innermost dimension with argmax and merges it into ({@code ov},
     * {@code oi}): replaces where {@code first}, else where the row's maximum is greater or NaN.
     * Positions are plane offsets: {@code rowOffset} plus the position in the row.
     */
    private static void rowArgmax(PoolGeometry g, float[] row, Buffers b, int rowOffset, boolean first, float[] ov, float[] oi) {
        int d = g.rank - 1, ow = g.out[d], a = g.interiorBegin, e = g.interiorEnd, st = g.step[d];
        if (e - a < L) a = e = 0;
        else if (g.innerStride == 2) interiorArgmax2(row, g.first[d], g.kernel[d], st, a, e, b.firstPosition, rowOffset, first, ov, oi);
        else {
            float[] p = row;
            if (g.innerStride > 2) {
                phases(g, row, 0, b.phases, 0);
                p = b.phases;
            }
            interiorArgmax(p, g.innerTapOffset, st, a, e, b.firstPosition, rowOffset, first, ov, oi);
        }
        int[] firstPos = g.first[d], lo = g.lo[d], hi = g.hi[d];
        for (int i = 0; i < ow; i++) {
            if (i == a && e > a) i = e;
            if (i >= ow) break;
            int q = firstPos[i], arg = -1;
            float m = NEG_INF;
            for (int j = lo[i]; j < hi[i]; j++) {
                float v = row[q + j * st];
                if (arg < 0 || v > m || v != v) {
                    m = v;
                    arg = q + j * st;
                }
            }
            if (first || m > ov[i] || m != m) {
                ov[i] = m;
                oi[i] = arg < 0 ? -1 : rowOffset + arg;
            }
        }
    }

    /** Merges the window maxima of outputs [a, b) and their positions; {@code take} as in {@link #rowArgmax}. */
    private static void merge(FloatVector m, FloatVector pos, int o, boolean first, float[] ov, float[] oi) {
        if (first) {
            m.intoArray(ov, o);
            pos.intoArray(oi, o);
            return;
        }
        FloatVector best = FloatVector.fromArray(S, ov, o);
        VectorMask<Float> take = m.compare(VectorOperators.GT, best).or(m.test(VectorOperators.IS_NAN));
        best.blend(m, take).intoArray(ov, o);
        FloatVector.fromArray(S, oi, o).blend(pos, take).intoArray(oi, o);
    }

    /** Stride 1 or phases: tap j of output o at {@code p[off[j] + o]}, row position {@code firstPos[o] + j*dil}. */
    private static void interiorArgmax(float[] p, int[] off, int dil, int a, int b, float[] firstPos, int rowOffset, boolean first,
                                       float[] ov, float[] oi) {
        for (int o = a; ; o += L) {
            if (o > b - L) o = b - L; // the last run overlaps: merging the same candidates twice is idempotent
            FloatVector m = FloatVector.fromArray(S, p, off[0] + o), k = FloatVector.zero(S);
            for (int j = 1; j < off.length; j++) {
                FloatVector v = FloatVector.fromArray(S, p, off[j] + o);
                VectorMask<Float> take = v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN));
                m = m.blend(v, take);
                k = k.blend((float) j, take);
            }
            merge(m, k.mul(dil).add(FloatVector.fromArray(S, firstPos, o)).add(rowOffset), o, first, ov, oi);
            if (o == b - L) return;
        }
    }

    /** Stride 2: window maxima at every row position (two vectors), then the even lanes. */
    private static void interiorArgmax2(float[] row, int[] firstPos, int kernel, int dil, int a, int b, float[] firstPosV, int rowOffset,
                                        boolean first, float[] ov, float[] oi) {
        for (int o = a; ; o += L) {
            if (o > b - L) o = b - L;
            int q = firstPos[o];
            FloatVector m0 = FloatVector.fromArray(S, row, q), m1 = FloatVector.fromArray(S, row, q + L), k0 = FloatVector.zero(S), k1 = k0;
            for (int j = 1; j < kernel; j++) {
                FloatVector v0 = FloatVector.fromArray(S, row, q + j * dil), v1 = FloatVector.fromArray(S, row, q + L + j * dil);
                VectorMask<Float> t0 = v0.compare(VectorOperators.GT, m0).or(v0.test(VectorOperators.IS_NAN));
                VectorMask<Float> t1 = v1.compare(VectorOperators.GT, m1).or(v1.test(VectorOperators.IS_NAN));
                m0 = m0.blend(v0, t0);
                m1 = m1.blend(v1, t1);
                k0 = k0.blend((float) j, t0);
                k1 = k1.blend((float) j, t1);
            }
            FloatVector k = EVEN.selectFrom(k0, k1);
            merge(EVEN.selectFrom(m0, m1), k.mul(dil).add(FloatVector.fromArray(S, firstPosV, o)).add(rowOffset), o, first, ov, oi);
            if (o == b - L) return;
        }
    }

    /** {@code row[0, n) = x[at, at + n)}. */
    private static void load(MemorySegment x, long at, float[] row, int n) {
        if (n < L) {
            for (int i = 0; i < n; i++) row[i] = x.getAtIndex(LAYOUT, at + i);
            return;
        }
        for (int i = 0; ; i += L) {
            if (i > n - L) i = n - L; // the last vector overlaps the one before: no scalar tail
            FloatVector.fromMemorySegment(S, x, (at + i) * ES, ORDER).intoArray(row, i);
            if (i == n - L) return;
        }
    }

    /** {@code row[i] = max_t x[xb + taps[t0 + t] + i]} for {@code i < n}, {@code nt >= 1}. */
    private static void combineMax(MemorySegment x, long xb, int[] taps, int t0, int nt, float[] row, int ro, int n) {
        for (int i = 0; n >= L; i += L) {
            if (i > n - L) i = n - L;
            FloatVector m = FloatVector.fromMemorySegment(S, x, (xb + taps[t0] + i) * ES, ORDER);
            for (int t = 1; t < nt; t++) m = m.max(FloatVector.fromMemorySegment(S, x, (xb + taps[t0 + t] + i) * ES, ORDER));
            m.intoArray(row, ro + i);
            if (i == n - L) return;
        }
        for (int i = 0; i < n; i++) {
            float m = x.getAtIndex(LAYOUT, xb + taps[t0] + i);
            for (int t = 1; t < nt; t++) m = Math.max(m, x.getAtIndex(LAYOUT, xb + taps[t0 + t] + i));
            row[ro + i] = m;
        }
    }

    /** {@code row[i] = sum_t x[xb + taps[t0 + t] + i]} for {@code i < n}, {@code nt >= 1}. */
    private static void combineSum(MemorySegment x, long xb, int[] taps, int t0, int nt, float[] row, int ro, int n) {
        for (int i = 0; n >= L; i += L) {
            if (i > n - L) i = n - L; // overlapping last vector
            FloatVector m = FloatVector.fromMemorySegment(S, x, (xb + taps[t0] + i) * ES, ORDER);
            for (int t = 1; t < nt; t++) m = m.add(FloatVector.fromMemorySegment(S, x, (xb + taps[t0 + t] + i) * ES, ORDER));
            m.intoArray(row, ro + i);
            if (i == n - L) return;
        }
        for (int i = 0; i < n; i++) {
            float m = x.getAtIndex(LAYOUT, xb + taps[t0] + i);
            for (int t = 1; t < nt; t++) m += x.getAtIndex(LAYOUT, xb + taps[t0 + t] + i);
            row[ro + i] = m;
        }
    }

    /** {@code y[at, at + n) = v[0, n)}. */
    private static void store(float[] v, MemorySegment y, long at, int n) {
        store(v, 0, y, at, n);
    }

    /** {@code y[at, at + n) = v[vo, vo + n)}. */
    private static void store(float[] v, int vo, MemorySegment y, long at, int n) {
        if (n < L) {
            for (int i = 0; i < n; i++) y.setAtIndex(LAYOUT, at + i, v[vo + i]);
            return;
        }
        for (int i = 0; ; i += L) {
            if (i > n - L) i = n - L; // overlapping last vector rewrites equal values
            FloatVector.fromArray(S, v, vo + i).intoMemorySegment(y, (at + i) * ES, ORDER);
            if (i == n - L) return;
        }
    }

    /** Lane indices {0, 2, 4, ...} and {1, 3, 5, ...} into the concatenation of two vectors. */
    private static final FloatVector EVEN = FloatVector.fromArray(S, lanes(0), 0), ODD = FloatVector.fromArray(S, lanes(1), 0);

    private static float[] lanes(int phase) {
        float[] v = new float[L];
        for (int l = 0; l < L; l++) v[l] = 2 * l + phase;
        return v;
    }

    /**
     * Splits {@code row[ro, ro + w)} for a stride s > 1 into s phases of {@link PoolGeometry#phaseLength}
     * ({@code p[po + k*len + i] = row[ro + i*s + k]}), so that the outputs of one tap are a contiguous run.
     */
    private static void phases(PoolGeometry g, float[] row, int ro, float[] p, int po) {
        int s = g.innerStride, w = g.in[g.rank - 1], len = g.phaseLength;
        if (s == 2) {
            for (int i = 0; i < (w + 1) / 2; i += L) {
                FloatVector a = FloatVector.fromArray(S, row, ro + 2 * i), b = FloatVector.fromArray(S, row, ro + 2 * i + L);
                EVEN.selectFrom(a, b).intoArray(p, po + i);
                ODD.selectFrom(a, b).intoArray(p, po + len + i);
            }
        } else {
            for (int i = 0; i < w; i++) p[po + (i % s) * len + i / s] = row[ro + i];
        }
    }

    /**
     * Pools the innermost dimension of one combined row into {@code y[yo, yo + ow)}: max, or the sum
     * divided by {@code outerDivisor} times this dimension's divisor. Interior outputs read tap runs
     * {@code p[po + innerTapOffset[j] + o]} (the phases, or the row itself for stride 1); the others
     * read {@code row[ro + ...]} one by one.
     */
    private static void inner(PoolGeometry g, float[] row, int ro, float[] p, int po, MemorySegment y, long yo,
                              float[] innerDivisor, long outerDivisor) {
        int d = g.rank - 1, a = g.interiorBegin, b = g.interiorEnd, ow = g.out[d];
        if (b - a < L) a = b = 0;
        else if (g.innerStride == 2 && g.max) interiorMax2(row, ro, g.first[d], g.kernel[d], g.step[d], a, b, y, yo);
        else if (g.innerStride == 2) interiorMean2(row, ro, g.first[d], g.kernel[d], g.step[d], a, b, innerDivisor, outerDivisor, y, yo);
        else if (g.max) interiorMax(p, po, g.innerTapOffset, a, b, y, yo);
        else interiorMean(p, po, g.innerTapOffset, a, b, innerDivisor, outerDivisor, y, yo);
        innerScalar(g, row, ro, y, yo, a, b, outerDivisor);
    }

    /** The outputs outside {@code [a, b)} of one combined row, one by one. */
    private static void innerScalar(PoolGeometry g, float[] row, int ro, MemorySegment y, long yo, int a, int b, long outerDivisor) {
        int d = g.rank - 1, ow = g.out[d];
        int[] first = g.first[d], lo = g.lo[d], hi = g.hi[d];
        int st = g.step[d];
        for (int i = 0; i < ow; i++) {
            if (i == a && b > a) i = b;
            if (i >= ow) break;
            int q = ro + first[i];
            float v = g.max ? NEG_INF : 0;
            for (int j = lo[i]; j < hi[i]; j++) v = g.max ? Math.max(v, row[q + j * st]) : v + row[q + j * st];
            if (!g.max) {
                long div = outerDivisor * g.divisor[d][i];
                v = div == 0 ? 0 : v / div;
            }
            y.setAtIndex(LAYOUT, yo + i, v);
        }
    }

    /** {@code y[yo + o] = max_j p[po + off[j] + o]} for outputs {@code [a, b)}, {@code b - a >= L}. */
    private static void interiorMax(float[] p, int po, int[] off, int a, int b, MemorySegment y, long yo) {
        for (int o = a; ; o += L) {
            if (o > b - L) o = b - L; // the last run overlaps the one before
            FloatVector m = FloatVector.fromArray(S, p, po + off[0] + o);
            for (int j = 1; j < off.length; j++) m = m.max(FloatVector.fromArray(S, p, po + off[j] + o));
            m.intoMemorySegment(y, (yo + o) * ES, ORDER);
            if (o == b - L) return;
        }
    }

    /** {@code y[yo + o] = sum_j p[po + off[j] + o] / (outer * divisor[o])}, 0 for a zero divisor. */
    private static void interiorMean(float[] p, int po, int[] off, int a, int b, float[] divisor, long outer,
                                     MemorySegment y, long yo) {
        float f = outer;
        for (int o = a; ; o += L) {
            if (o > b - L) o = b - L;
            FloatVector m = FloatVector.fromArray(S, p, po + off[0] + o);
            for (int j = 1; j < off.length; j++) m = m.add(FloatVector.fromArray(S, p, po + off[j] + o));
            FloatVector dv = FloatVector.fromArray(S, divisor, o).mul(f);
            m.div(dv).blend(0, dv.compare(VectorOperators.EQ, 0)).intoMemorySegment(y, (yo + o) * ES, ORDER);
            if (o == b - L) return;
        }
    }

    /**
     * Stride 2: the window maxima at every position of the row (two vectors, one load per tap each),
     * then their even lanes: {@code y[yo + o] = max_j row[ro + first[o] + j*dil]} for {@code [a, b)}.
     */
    private static void interiorMax2(float[] row, int ro, int[] first, int k, int dil, int a, int b, MemorySegment y, long yo) {
        for (int o = a; ; o += L) {
            if (o > b - L) o = b - L;
            int q = ro + first[o];
            FloatVector h0 = FloatVector.fromArray(S, row, q), h1 = FloatVector.fromArray(S, row, q + L);
            for (int j = 1; j < k; j++) {
                h0 = h0.max(FloatVector.fromArray(S, row, q + j * dil));
                h1 = h1.max(FloatVector.fromArray(S, row, q + L + j * dil));
            }
            EVEN.selectFrom(h0, h1).intoMemorySegment(y, (yo + o) * ES, ORDER);
            if (o == b - L) return;
        }
    }

    private static void interiorMean2(float[] row, int ro, int[] first, int k, int dil, int a, int b, float[] divisor, long outer,
                                      MemorySegment y, long yo) {
        float f = outer;
        for (int o = a; ; o += L) {
            if (o > b - L) o = b - L;
            int q = ro + first[o];
            FloatVector h0 = FloatVector.fromArray(S, row, q), h1 = FloatVector.fromArray(S, row, q + L);
            for (int j = 1; j < k; j++) {
                h0 = h0.add(FloatVector.fromArray(S, row, q + j * dil));
                h1 = h1.add(FloatVector.fromArray(S, row, q + L + j * dil));
            }
            FloatVector dv = FloatVector.fromArray(S, divisor, o).mul(f);
            EVEN.selectFrom(h0, h1).div(dv).blend(0, dv.compare(VectorOperators.EQ, 0)).intoMemorySegment(y, (yo + o) * ES, ORDER);
            if (o == b - L) return;
        }
    }

    /** {@code v[i] /= outer * divisor[i]} for {@code i < n} (0 where the divisor is 0); products of divisors are exact. */
    private static void divide(float[] v, float[] divisor, long outer, int n) {
        float f = outer;
        for (int i = 0; i < n; i += L) {
            FloatVector d = FloatVector.fromArray(S, divisor, i).mul(f);
            FloatVector q = FloatVector.fromArray(S, v, i).div(d);
            q.blend(0, d.compare(VectorOperators.EQ, 0)).intoArray(v, i);
        }
    }


    /** {@code p * L} for lane p: gathers lane l of L stored vectors. */
    private static final int[] TRANSPOSE = new int[L];

    static {
        for (int p = 0; p < L; p++) TRANSPOSE[p] = p * L;
    }

    /**
     * Global average or max of planes {@code [p0, p1)} (at most L, contiguous, {@code n >= L} elements
     * each) into {@code y[yb + p0 ...]}. Each plane is reduced to one vector (its last vector overlaps
     * the one before, the repeated lanes blended away), the L vectors are stored and read back
     * transposed, and lane p sums plane p's lanes in lane order: the same order for any batching.
     */
    private static void globalBatch(boolean max, int n, MemorySegment x, long xb, int count, MemorySegment y, long yb, Buffers b) {
        float[] buf = b.transpose;
        VectorMask<Float> fresh = b.tailLanes;
        float empty = max ? NEG_INF : 0;
        for (int p = 0; p < count; p++) {
            long at = xb + (long) p * n;
            FloatVector acc = FloatVector.fromMemorySegment(S, x, at * ES, ORDER);
            int i = L;
            for (; i <= n - L; i += L) {
                FloatVector e = FloatVector.fromMemorySegment(S, x, (at + i) * ES, ORDER);
                acc = max ? acc.max(e) : acc.add(e);
            }
            if (i < n) {
                FloatVector e = FloatVector.broadcast(S, empty).blend(FloatVector.fromMemorySegment(S, x, (at + n - L) * ES, ORDER), fresh);
                acc = max ? acc.max(e) : acc.add(e);
            }
            acc.intoArray(buf, p * L);
        }
        FloatVector r = FloatVector.fromArray(S, buf, 0, TRANSPOSE, 0);
        for (int l = 1; l < L; l++) {
            FloatVector e = FloatVector.fromArray(S, buf, l, TRANSPOSE, 0);
            r = max ? r.max(e) : r.add(e);
        }
        if (!max) r = r.div(n);
        if (count == L) r.intoMemorySegment(y, yb * ES, ORDER);
        else for (int p = 0; p < count; p++) y.setAtIndex(LAYOUT, yb + p, r.lane(p));
    }

    /** Global average or max of one plane of fewer than L elements, in order. */
    private static float globalSmall(boolean max, int n, MemorySegment x, long xb) {
        float v = x.getAtIndex(LAYOUT, xb);
        for (int i = 1; i < n; i++) v = max ? Math.max(v, x.getAtIndex(LAYOUT, xb + i)) : v + x.getAtIndex(LAYOUT, xb + i);
        return max ? v : v / n;
    }

    /** Global max with argmax of a contiguous plane: each lane keeps its first max (last NaN), then lanes and tail merge in plane order. */
    private static void globalArgmax(int n, MemorySegment x, long xb, MemorySegment y, long yb, MemorySegment idx, long ib, Buffers b) {
        long arg = -1;
        float m = NEG_INF;
        int i = 0;
        if (n >= L) {
            FloatVector vm = FloatVector.fromMemorySegment(S, x, xb * ES, ORDER), va = FloatVector.zero(S);
            for (i = L; i <= n - L; i += L) {
                FloatVector e = FloatVector.fromMemorySegment(S, x, (xb + i) * ES, ORDER);
                VectorMask<Float> take = e.compare(VectorOperators.GT, vm).or(e.test(VectorOperators.IS_NAN));
                vm = vm.blend(e, take);
                va = va.blend((float) (i / L), take);
            }
            vm.intoArray(b.lanes, 0);
            va.intoArray(b.args, 0);
            for (int l = 0; l < L; l++) {
                long at = (long) b.args[l] * L + l;
                float e = b.lanes[l];
                boolean better = arg < 0 || (e != e ? (m == m || at > arg) : (m == m && (e > m || (e == m && at < arg))));
                if (better) {
                    m = e;
                    arg = at;
                }
            }
        }
        for (; i < n; i++) {
            float e = x.getAtIndex(LAYOUT, xb + i);
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
    static void avgBackwardChannelsFirst(PoolGeometry g, DenseTensor gy, DenseTensor gx, Execution ex) {
        long planes = g.batch * g.channels;
        int tasks = tasks(planes, ex);
        ex.forEach(tasks, (task, s) -> {
            Buffers b = g.global ? null : new Buffers(g, s);
            for (long p = planes * task / tasks, end = planes * (task + 1) / tasks; p < end; p++) {
                long gb = gx.base() + p * g.plane, yb = gy.base() + p * g.outPlane;
                if (g.global) {
                    fill(gx.seg(), gb, g.plane, (float) (gy.seg().getAtIndex(LAYOUT, yb) / g.plane));
                } else {
                    avgBackwardPlane(g, gy.seg(), yb, gx.seg(), gb, b);
                }
            }
        }, gy.tensor(), gx.tensor());
    }

    private static void fill(MemorySegment seg, long at, int n, float v) {
        FloatVector b = FloatVector.broadcast(S, v);
        int i = 0;
        for (; i <= n - L; i += L) b.intoMemorySegment(seg, (at + i) * ES, ORDER);
        for (; i < n; i++) seg.setAtIndex(LAYOUT, at + i, v);
    }

    /**
     * Average pooling backward of one plane, in gather form: each output row's gradient, divided,
     * is spread over the innermost dimension into an input-length row (vector adds along the stride's
     * phases, then interleaved); each input row of gx is then the sum of the spread rows of the outputs
     * that read it, in output order, stored once.
     */
    private static void avgBackwardPlane(PoolGeometry g, MemorySegment gy, long yb, MemorySegment gx, long gb, Buffers b) {
        int w = g.in[g.rank - 1], ow = g.out[g.rank - 1], rows = g.rowDivisor.length;
        float[] spread = b.spread;
        for (int r = 0; r < rows; r++) {
            if (g.rowStart[r + 1] > g.rowStart[r]) spreadRow(g, gy, yb + (long) r * ow, g.rowDivisor[r], spread, r * b.rowStride, b);
        }
        float[] acc = b.ov;
        for (int i = 0; i < g.inRowStart.length - 1; i++) {
            int u0 = g.inRowStart[i], nu = g.inRowStart[i + 1] - u0;
            long at = gb + (long) i * w;
            if (nu == 0) fill(gx, at, w, 0);
            else if (nu == 1) store(spread, g.inRowOutputs[u0] * b.rowStride, gx, at, w);
            else {
                sumRows(spread, g.inRowOutputs, u0, nu, b.rowStride, acc, w);
                store(acc, 0, gx, at, w);
            }
        }
    }

    /** {@code acc[i] = sum_u rows[outputs[u0 + u] * stride + i]} for {@code i < n}. */
    private static void sumRows(float[] rows, int[] outputs, int u0, int nu, int stride, float[] acc, int n) {
        for (int i = 0; i < n; i += L) {
            FloatVector v = FloatVector.fromArray(S, rows, outputs[u0] * stride + i);
            for (int u = 1; u < nu; u++) v = v.add(FloatVector.fromArray(S, rows, outputs[u0 + u] * stride + i));
            v.intoArray(acc, i);
        }
    }

    /** One output row's {@code gy / divisor} spread over the input positions its windows read: {@code row[ro, ro + w)}. */
    private static void spreadRow(PoolGeometry g, MemorySegment gy, long yo, long outerDivisor, float[] row, int ro, Buffers b) {
        int d = g.rank - 1, w = g.in[d], ow = g.out[d], st = g.step[d], s = g.innerStride;
        int a = g.interiorBegin, e = g.interiorEnd;
        float[] v = b.hv;
        load(gy, yo, v, ow);
        divide(v, b.innerDivisor, outerDivisor, ow);
        if (e - a < L || s > 2) a = e = 0;
        if (s == 2 && e > a) {
            float[] p = b.phases;
            int half = (w + 1) / 2 + L;
            java.util.Arrays.fill(p, 0, half, 0);
            java.util.Arrays.fill(p, g.phaseLength, g.phaseLength + half, 0);
            for (int off : g.innerTapOffset) addRun(v, a, e, p, off);
            for (int i = 0; i < (w + 1) / 2; i += L) {
                FloatVector ev = FloatVector.fromArray(S, p, i), od = FloatVector.fromArray(S, p, g.phaseLength + i);
                ZIP_LO.selectFrom(ev, od).intoArray(row, ro + 2 * i);
                ZIP_HI.selectFrom(ev, od).intoArray(row, ro + 2 * i + L);
            }
        } else {
            java.util.Arrays.fill(row, ro, ro + w, 0);
            if (e > a) for (int off : g.innerTapOffset) addRun(v, a, e, row, ro + off);
        }
        int[] first = g.first[d], lo = g.lo[d], hi = g.hi[d];
        for (int i = 0; i < ow; i++) {
            if (i == a && e > a) i = e;
            if (i >= ow) break;
            for (int j = lo[i], q = ro + first[i]; j < hi[i]; j++) row[q + j * st] += v[i];
        }
    }

    /**
     * {@code p[off + o] += v[o]} for {@code o} in {@code [a, b)}; the last vector adds zeros past
     * {@code b} (p has room), which leaves those elements unchanged.
     */
    private static void addRun(float[] v, int a, int b, float[] p, int off) {
        for (int o = a; o < b; o += L) {
            FloatVector e = FloatVector.fromArray(S, v, o);
            if (o > b - L) e = e.blend(0, S.indexInRange(o, b).not());
            e.add(FloatVector.fromArray(S, p, off + o)).intoArray(p, off + o);
        }
    }

    /** Lane indices that interleave two vectors: {a0, b0, a1, b1, ...} (low half) and the high half. */
    private static final FloatVector ZIP_LO = FloatVector.fromArray(S, zip(0), 0), ZIP_HI = FloatVector.fromArray(S, zip(L / 2), 0);

    private static float[] zip(int from) {
        float[] v = new float[L];
        for (int l = 0; l < L; l++) v[l] = (l % 2 == 0 ? 0 : L) + from + l / 2;
        return v;
    }


    /** Max pooling backward, channels-first: {@code gx[plane + idx] += gy} in output order. */
    static void maxBackwardChannelsFirst(PoolGeometry g, DenseTensor idx, DenseTensor gy, DenseTensor gx, Execution ex) {
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
                    gx.seg().setAtIndex(LAYOUT, e, (float) (gx.seg().getAtIndex(LAYOUT, e) + gy.seg().getAtIndex(LAYOUT, yb + i)));
                }
            }
        }, idx.tensor(), gy.tensor(), gx.tensor());
    }

    // ------------------------------------------------------------------ channels-last

    /** Forward pass, channels-last: vectors across channels, tasks over images and output rows. */
    static void forwardChannelsLast(PoolGeometry g, DenseTensor x, DenseTensor y, DenseTensor idx, Execution ex) {
        int c = (int) g.channels, rows = g.outPlane / g.out[g.rank - 1];
        int tasks = tasks(g.batch * rows, ex);
        long work = g.batch * rows;
        ex.forEach(tasks, (task, s) -> {
            Buffers b = new Buffers(g, s);
            int[] o = b.o, taps = b.taps;
            float[] arg = b.rows;
            for (long wk = work * task / tasks, end = work * (task + 1) / tasks; wk < end; wk++) {
                long n = wk / rows;
                int r = (int) (wk % rows);
                position(g, r * (long) g.out[g.rank - 1], o);
                for (int i = 0; i < g.out[g.rank - 1]; i++, o[g.rank - 1] = i) {
                    int nt = g.taps(o, g.rank, taps);
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

    /**
     * The max over taps of one channel vector. Compare-and-blend is cheaper than the NaN-propagating
     * lanewise MAX and exact without NaN; a running sum of the taps (NaN if any tap is NaN, or both
     * infinities appear) sends the rare rest to MAX.
     */
    private static FloatVector channelsMaxVector(MemorySegment x, long xb, int[] taps, int nt, int c, int k) {
        FloatVector m = FloatVector.fromMemorySegment(S, x, (xb + (long) taps[0] * c + k) * ES, ORDER), sum = m;
        for (int t = 1; t < nt; t++) {
            FloatVector v = FloatVector.fromMemorySegment(S, x, (xb + (long) taps[t] * c + k) * ES, ORDER);
            m = m.blend(v, v.compare(VectorOperators.GT, m));
            sum = sum.add(v);
        }
        if (!sum.test(VectorOperators.IS_NAN).anyTrue()) return m;
        for (int t = 1; t < nt; t++) m = m.max(FloatVector.fromMemorySegment(S, x, (xb + (long) taps[t] * c + k) * ES, ORDER));
        return m;
    }

    private static void channelsMax(MemorySegment x, long xb, int[] taps, int nt, int c, MemorySegment y, long yb, float[] arg) {
        int k = 0;
        for (; k <= c - L; k += L) {
            FloatVector m = FloatVector.broadcast(S, NEG_INF);
            if (arg == null) {
                if (nt > 0) m = channelsMaxVector(x, xb, taps, nt, c, k);
            } else if (nt > 0) {
                m = FloatVector.fromMemorySegment(S, x, (xb + (long) taps[0] * c + k) * ES, ORDER);
                FloatVector a = FloatVector.zero(S);
                for (int t = 1; t < nt; t++) {
                    FloatVector v = FloatVector.fromMemorySegment(S, x, (xb + (long) taps[t] * c + k) * ES, ORDER);
                    VectorMask<Float> take = v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN));
                    m = m.blend(v, take);
                    a = a.blend((float) t, take);
                }
                a.intoArray(arg, k);
            }
            m.intoMemorySegment(y, (yb + k) * ES, ORDER);
        }
        for (; k < c; k++) {
            float m = NEG_INF;
            int a = 0;
            for (int t = 0; t < nt; t++) {
                float v = x.getAtIndex(LAYOUT, xb + (long) taps[t] * c + k);
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
            FloatVector m = FloatVector.zero(S);
            for (int t = 0; t < nt; t++) m = m.add(FloatVector.fromMemorySegment(S, x, (xb + (long) taps[t] * c + k) * ES, ORDER));
            (div == 0 ? FloatVector.zero(S) : m.div((float) div)).intoMemorySegment(y, (yb + k) * ES, ORDER);
        }
        for (; k < c; k++) {
            float m = 0;
            for (int t = 0; t < nt; t++) m += x.getAtIndex(LAYOUT, xb + (long) taps[t] * c + k);
            y.setAtIndex(LAYOUT, yb + k, div == 0 ? 0 : m / div);
        }
    }

    /**
     * Backward pass, channels-last, for both kinds: tasks over (image, channel block), each
     * accumulating its block of {@code gx} over output positions in order.
     */
    static void backwardChannelsLast(PoolGeometry g, DenseTensor idx, DenseTensor gy, DenseTensor gx, Execution ex) {
        int c = (int) g.channels;
        int block = Math.max(L, Math.ceilDiv(Math.ceilDiv(c, ex.threads()), L) * L);
        int blocks = Math.ceilDiv(c, block);
        // the tasks are (image, channel block) pairs: a batch with more of them than an int counts runs in parts
        long part = Math.max(1, (Integer.MAX_VALUE - 64) / blocks);
        for (long n0 = 0; n0 < g.batch; n0 += part) {
            backwardChannelsLast(g, idx, gy, gx, ex, c, block, blocks, n0, (int) (Math.min(part, g.batch - n0) * blocks));
        }
    }

    /** Tasks {@code 0 .. tasks-1} of {@link #backwardChannelsLast}, images from {@code n0}. */
    private static void backwardChannelsLast(PoolGeometry g, DenseTensor idx, DenseTensor gy, DenseTensor gx, Execution ex, int c,
                                             int block, int blocks, long n0, int tasks) {
        ex.forEach(tasks, (task, s) -> {
            long n = n0 + task / blocks;
            int k0 = (task % blocks) * block, k1 = Math.min(c, k0 + block);
            long gb = gx.base() + n * g.plane * c;
            Buffers b = new Buffers(g, s);
            if (g.global && idx == null) { // every position receives gy / plane: stores only
                float[] v = b.rows;
                for (int k = k0; k < k1; k++) v[k] = (float) (gy.seg().getAtIndex(LAYOUT, gy.base() + n * c + k) / g.plane);
                for (int p = 0; p < g.plane; p++) store(v, k0, gx.seg(), gb + (long) p * c + k0, k1 - k0);
                return;
            }
            if (k1 - k0 == c) gx.seg().asSlice(gb * ES, (long) g.plane * c * ES).fill((byte) 0);
            else for (int p = 0; p < g.plane; p++) fill(gx.seg(), gb + (long) p * c + k0, k1 - k0, 0);
            if (idx != null) {
                // all the task's channels per output position (a vector's worth of channels over the whole
                // image at a time measured 18% slower)
                maxScatter(idx.seg(), idx.base() + n * g.outPlane * c, gy.seg(), gy.base() + n * g.outPlane * c, g.outPlane, c,
                        k0, k1, gx.seg(), gb);
                return;
            }
            int[] o = b.o, taps = b.taps;
            java.util.Arrays.fill(o, 0);
            long op = 0;
            do {
                int nt = g.taps(o, g.rank, taps);
                long div = g.divisor(o, g.rank);
                if (nt > 0 && div != 0) spread(gy.seg(), gy.base() + (n * g.outPlane + op) * c, div, taps, nt, c, k0, k1, gx.seg(), gb);
                op++;
            } while (g.next(o, g.rank));
        }, idx == null ? null : idx.tensor(), gy.tensor(), gx.tensor());
    }

    /** {@code gx[idx[o, k] * c + k] += gy[o, k]} for outputs o in order and channels {@code [k0, k1)}; -1 skips. */
    private static void maxScatter(MemorySegment idx, long ib, MemorySegment gy, long yb, int outPlane, int c, int k0, int k1,
                                   MemorySegment gx, long gb) {
        for (long o = 0; o < outPlane; o++) {
            long io = ib + o * c, yo = yb + o * c;
            for (int k = k0; k < k1; k++) {
                long at = idx.get(INDEX, (io + k) * 8);
                if (at < 0) continue;
                long e = gb + at * c + k;
                gx.setAtIndex(LAYOUT, e, (float) (gx.getAtIndex(LAYOUT, e) + gy.getAtIndex(LAYOUT, yo + k)));
            }
        }
    }

    /** {@code gx[tap, k] += gy[k] / div} for every tap and channel {@code k} in {@code [k0, k1)}. */
    private static void spread(MemorySegment gy, long yb, long div, int[] taps, int nt, int c, int k0, int k1, MemorySegment gx, long gb) {
        int k = k0;
        for (; k <= k1 - L; k += L) {
            FloatVector v = FloatVector.fromMemorySegment(S, gy, (yb + k) * ES, ORDER).div((float) div);
            for (int t = 0; t < nt; t++) {
                long e = (gb + (long) taps[t] * c + k) * ES;
                v.add(FloatVector.fromMemorySegment(S, gx, e, ORDER)).intoMemorySegment(gx, e, ORDER);
            }
        }
        for (; k < k1; k++) {
            float v = (float) (gy.getAtIndex(LAYOUT, yb + k) / div);
            for (int t = 0; t < nt; t++) {
                long e = gb + (long) taps[t] * c + k;
                gx.setAtIndex(LAYOUT, e, (float) (gx.getAtIndex(LAYOUT, e) + v));
            }
        }
    }

    /** Tasks for {@code work} independent units: a few per thread, for balance. */
    private static int tasks(long work, Execution ex) {
        return (int) Math.max(1, Math.min(work, 8L * ex.threads()));
    }
}
