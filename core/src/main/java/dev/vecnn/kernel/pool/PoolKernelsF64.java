package dev.vecnn.kernel.pool;

import dev.vecnn.parallel.Execution;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Pooling kernels in double for dense tensors, every kind and rank ({@link PoolGeometry}).
 *
 * <p><b>Channels-first forward</b> runs on pieces: up to {@link PoolGeometry#tile} outputs of one output
 * row (whole rows unless a row is long). "V": the window's input rows are combined elementwise (max or
 * sum, vectors along the row) into a padded slot of a buffer whose padding holds the neutral value.
 * "H": the innermost dimension is pooled from the slot, taps {@code m*s + t*dil}, with whole vectors
 * at the edges too. V runs for a chunk of pieces before any H, so that H's shifted loads never wait on
 * V's stores. Stride 1 reads each tap as a shifted vector; strides 2-8 reduce the window at every
 * position of s vectors and keep lanes 0, s, 2s, ... with s - 1 two-vector selects; longer strides
 * gather. Rows of at least a vector are stored straight into y; shorter rows are stacked
 * {@link PoolGeometry#pieceLength} apart (one strided 1-D problem over the chunk, split into phases)
 * so that they still fill whole vectors. Adaptive windows of varying size are gathered. Per 16
 * outputs of a 3x3 stride-2 max pooling: V 6 loads and 2 compare-and-blend per row load, H 6 loads, 4
 * compare-and-blend and one select (the previous kernels: NaN-propagating lanewise MAX, 4-6
 * operations each, and scalar edges).
 *
 * <p><b>Max without indices</b> combines with compare-and-blend on "greater" (2 operations, the first
 * maximum wins ties), while a sum of the loads detects NaN and an integer minimum of the combined
 * bits detects -0.0: only these make the V-first order differ from the reference's row-major window
 * order (a NaN dropped, or the sign of a zero maximum), and a flagged piece is recomputed exactly.
 * <b>Argmax</b> (and that recomputation) pools each input row of a window on its own, with "greater or
 * NaN" and tap ordinals, and merges the rows in order, so the first maximum in row-major window order
 * wins and the last NaN takes over, as PyTorch. Positions are int lanes within a piece plus the piece's
 * long row base carried as two int lanes: no size limit. Planes of at most
 * {@link PoolGeometry.Limits#gatherPlane} padded elements skip the pieces: whole windows are gathered
 * from a padded heap copy of the plane, a vector of outputs at a time ({@link #gatheredMax}); so does the
 * max forward without argmax where input rows are shorter than a vector.
 *
 * <p><b>Channels-last forward</b>: per output position, vectors across channels (the last one
 * overlapping, or masked for fewer channels than a vector), one load per window tap in row-major
 * order (whole windows from a precomputed tap list), compare-and-blend.
 *
 * <p><b>Backward</b> passes write each gradient element from one task, summed in output order, so
 * results do not depend on the thread count. Max pooling routes each gradient to its argmax (indices
 * and gradients staged by bulk copies). Average pooling spreads each output row's divided gradient
 * with vectors (the adjoint of H) over its window's rows (the adjoint of V); windows that never
 * overlap store it, others accumulate into heap boxes of the input (contiguous plane ranges of at
 * most {@link PoolGeometry.Limits#box} elements) stored once.
 *
 * <p>Every vector loop is a short method: past a node budget C2 stops inlining Vector API calls and
 * boxes vectors (10-100x slower); masks are never null at a call site and are built at offset 0
 * ({@code indexInRange} with a negative offset takes a slow, allocating path).
 *
 * <p>GENERATED from core/src/template/PoolKernels.java.in by dev.vecnn.codegen.KernelTemplates;
 * edit the template, not this file.
 */
final class PoolKernelsF64 {
    private PoolKernelsF64() {
    }

    static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    /** Integers of the same width: tap ordinals, positions and bit patterns, lane for lane. */
    static final VectorSpecies<Long> IS = LongVector.SPECIES_PREFERRED;
    static final int L = S.length();
    private static final ValueLayout.OfDouble LAYOUT = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final ValueLayout.OfLong INDEX = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final long ES = 8;
    private static final double NEG_INF = Double.NEGATIVE_INFINITY;
    /** Global pooling reduces planes of at most this many elements L at a time, through a transposed lane sum. */
    private static final long BATCH_PLANE = 1 << 12;
    /** Strides up to this one split rows into phases with lane selects (s - 1 per vector); longer ones with scalar moves. */
    private static final int MAX_CHAIN = 8;

    static {
        if (IS.length() != L) throw new AssertionError("lane counts differ: " + S + " " + IS);
    }

    /** One task's buffers (taken from its scratch) and its place among the pieces of a pass. */
    private static final class Task {
        final PoolGeometry g;
        final Execution.Scratch sc;
        final PoolGeometry.Walk rows, taps;
        final long[] rowOff, o, o2, lo, hi, oLo, oHi, range, zeros;
        final double[] lanes;
        final long[] ords;
        final long[] lanePos = new long[L];
        /** The current piece: plane, output row (its index in {@link #o}), tile. */
        long plane, row, tile;

        // forward pieces
        double[] B, PH, O, rowDiv, innerDiv;
        int[] off, count, flags;
        long[] yOff, piece;
        /** Phase array length; lane offsets {@code l * s} for the gathers of strides of 3 and more. */
        int phLen;
        int[] map;
        private boolean argmaxReady;
        // one piece, exactly (argmax)
        double[] Bp, PHp, bestV;
        long[] bestCol, bestHi, bestLo, firstRel, relI, len;
        int[] rel, offArg;
        int phLenP, vsv, bpLen;
        long[] positions;
        /** The piece start whose pads {@code Bp} holds (rows copied later write only its data columns). */
        long bpFor = Long.MIN_VALUE, firstFor = -1, gatherFor = -1, divFor = -1;
        // backward
        double[] acc, G, PHb, Bg, gv;
        int phLenB, g0;
        int[][] slotShifts;
        long[] stageIdx;
        double[] stageGy;
        // channels-last
        long[] tapPos, tapOff, accP;
        double[] accV;

        Task(PoolGeometry g, Execution.Scratch sc) {
            this.g = g;
            this.sc = sc;
            rows = new PoolGeometry.Walk(g.rank);
            taps = new PoolGeometry.Walk(g.rank);
            rowOff = sc.longs("pool.rowOff", g.limits.rowGroup());
            o = new long[g.rank];
            o2 = new long[g.rank];
            lo = new long[g.rank];
            hi = new long[g.rank];
            oLo = new long[g.rank];
            oHi = new long[g.rank];
            range = new long[2];
            zeros = new long[g.rank];
            lanes = new double[L];
            ords = new long[L];
        }

        /** The window rows of the current output row: from the geometry's table, or walked; see {@link #nextRows}. */
        long[] rowsArr;
        int rowsAt, rowsLeft, rowsLast;
        private boolean walking;

        /** Starts the window rows of output row {@code r} (index {@code o}); returns how many there are. */
        long startRows(long r, long[] o) {
            if (g.rowTaps != null) {
                walking = false;
                rowsArr = g.rowTaps;
                rowsAt = g.rowStart[(int) r];
                rowsLeft = g.rowStart[(int) r + 1] - rowsAt;
                rowsLast = 0;
                return rowsLeft;
            }
            walking = true;
            rowsArr = rowOff;
            rowsAt = 0;
            return g.windowRows(o, rows).total();
        }

        /** The next group of window rows, {@code rowsArr[rowsAt .. rowsAt + n)}; returns n, 0 at the end. */
        int nextRows() {
            if (walking) return rows.fill(rowOff, g.limits.rowGroup());
            rowsAt += rowsLast;
            rowsLast = Math.min(rowsLeft, g.limits.rowGroup());
            rowsLeft -= rowsLast;
            return rowsLast;
        }

        /** Buffers of the forward pass for {@code p} pieces at once ({@code chunked}: stacked, through {@link #O}). */
        void pieces(int p, boolean chunked) {
            int s = g.s, len = g.pieceLength, n = p * g.vs, blocks = Math.ceilDiv(n, L), shift = (g.effk - 1) / s;
            // V writes p pieces (a masked last vector past the last); phases read whole blocks of s vectors; H reads taps past n
            B = sc.doubles("pool.B", Math.max(Math.max(p * len, blocks * s * L), blocks * L + g.effk) + 3 * L);
            phLen = blocks * L + shift + 2 * L;
            PH = g.slotPhase.length == 0 ? null : sc.doubles("pool.PH", g.slotPhase.length * phLen);
            off = offsets(phLen);
            map = strideMap(s);
            if (chunked) O = sc.doubles("pool.O", blocks * L + L);
            count = sc.ints("pool.count", p);
            flags = sc.ints("pool.flags", p);
            yOff = sc.longs("pool.yOff", p);
            piece = sc.longs("pool.piece", p);
            rowDiv = sc.doubles("pool.rowDiv", p);
            innerDiv = g.max ? null : sc.doubles("pool.innerDiv", g.tile + L);
            if (g.inner == PoolGeometry.Inner.GATHER) gatherTables();
        }

        /** Buffers of one exactly pooled piece (once). */
        void argmax() {
            if (argmaxReady) return;
            argmaxReady = true;
            int s = g.s, blocks = Math.ceilDiv(g.vs, L);
            vsv = blocks * L;
            bpLen = Math.max(Math.max(g.pieceLength, blocks * s * L), vsv + g.effk) + 2 * L;
            Bp = sc.doubles("pool.Bp", bpLen);
            phLenP = vsv + (g.effk - 1) / s + 2 * L;
            PHp = g.slotPhase.length == 0 ? null : sc.doubles("pool.PHp", g.slotPhase.length * phLenP);
            offArg = offsets(phLenP);
            bestV = sc.doubles("pool.bestV", vsv);
            positions = sc.longs("pool.positions", vsv);
            bestCol = sc.longs("pool.bestCol", vsv);
            bestHi = sc.longs("pool.bestHi", vsv);
            bestLo = sc.longs("pool.bestLo", vsv);
            firstRel = sc.longs("pool.firstRel", vsv);
            if (g.inner == PoolGeometry.Inner.GATHER) gatherTables();
        }

        private void gatherTables() {
            int n = Math.ceilDiv(g.vs, L) * L + L;
            rel = sc.ints("pool.rel", n);
            relI = sc.longs("pool.relI", n);
            len = sc.longs("pool.len", n);
        }

        /** Where tap t of a virtual output is read: in the buffer (stride 1) or in its phase. */
        private int[] offsets(int phaseLength) {
            int[] r = new int[g.k];
            for (int t = 0; t < g.k; t++) r[t] = g.s == 1 ? t * g.dil : g.tapSlot[t] * phaseLength + g.tapShift[t];
            return r;
        }

        /** Buffers of the backward boxes (channels-first). */
        void backward() {
            int box = g.limits.box();
            acc = sc.doubles("pool.acc", box + L);
            stageIdx = sc.longs("pool.stageIdx", 4096);
            stageGy = sc.doubles("pool.stageGy", 4096);
            if (g.inner != PoolGeometry.Inner.REGULAR || g.max) return;
            int s = g.s, shift = (g.effk - 1) / s;
            int outputs = (int) ((box + (long) g.effk) / s + 2); // outputs touching a box's columns
            int span = (outputs - 1) * s + g.effk;
            int blocks = Math.ceilDiv(Math.ceilDiv(span, s), L);
            g0 = s == 1 ? g.effk - 1 : shift;
            G = sc.doubles("pool.G", g0 + Math.max(outputs, blocks * L + span) + 3 * L);
            phLenB = blocks * L + L;
            PHb = s == 1 ? null : sc.doubles("pool.PHb", s * phLenB);
            Bg = sc.doubles("pool.Bg", Math.max(blocks * s * L, span + L) + 2 * L);
            innerDiv = sc.doubles("pool.innerDivB", outputs + L);
            slotShifts = new int[g.slotPhase.length][];
            for (int q = 0; q < slotShifts.length; q++) {
                int n = 0;
                for (int t = 0; t < g.k; t++) if (g.tapSlot[t] == q) n++;
                slotShifts[q] = new int[n];
                for (int t = 0, i = 0; t < g.k; t++) if (g.tapSlot[t] == q) slotShifts[q][i++] = g.tapShift[t];
            }
        }

        /** Buffers of the channels-last passes; {@code block} channels per accumulation. */
        void channelsLast(int block) {
            int groups = g.limits.tapGroup();
            tapPos = sc.longs("pool.tapPos", groups);
            tapOff = sc.longs("pool.tapOff", groups);
            accV = sc.doubles("pool.accV", block + L);
            accP = sc.longs("pool.accP", block + L);
            gv = sc.doubles("pool.gv", block + L);
            acc = sc.doubles("pool.acc", Math.max(g.limits.box(), block) + L);
            stageIdx = sc.longs("pool.stageIdx", Math.max(4096, block));
            stageGy = sc.doubles("pool.stageGy", Math.max(4096, block));
        }

        /** Places the cursor on piece {@code piece} (plane, output row, tile, row-major). */
        void seek(long piece) {
            long perPlane = g.rows * g.tiles;
            plane = piece / perPlane;
            long r = piece % perPlane;
            row = r / g.tiles;
            tile = r % g.tiles;
            g.position(row, o, g.last);
        }

        void advance() {
            if (++tile < g.tiles) return;
            tile = 0;
            if (++row < g.rows) {
                for (int d = g.last - 1; d >= 0; d--) {
                    if (++o[d] < g.out[d]) return;
                    o[d] = 0;
                }
            }
            row = 0;
            plane++;
            Arrays.fill(o, 0);
        }

        /** REGULAR: per output {@code o0 + m}, its first inside tap relative to the piece start, or -1. */
        void prepareFirst(long o0, int cnt) {
            if (firstFor == o0) return;
            firstFor = o0;
            PoolGeometry.Axis a = g.axis[g.last];
            long c0 = o0 * g.s - g.pb;
            long from = a.windowed ? a.interiorBegin() : 0, to = a.windowed ? a.interiorEnd() : 0; // inside windows: no division
            for (int m = 0; m < vsv; m++) {
                long oo = o0 + m;
                firstRel[m] = m >= cnt ? -1 : oo >= from && oo < to ? (long) ((long) m * g.s)
                        : a.count(oo) > 0 ? (long) (a.firstPos(oo) - c0) : -1;
            }
        }

        /** GATHER: per output {@code o0 + m}, its window's start relative to the piece start and its length. */
        void prepareGather(long o0, int cnt) {
            if (gatherFor == o0) return;
            gatherFor = o0;
            PoolGeometry.Axis a = g.axis[g.last];
            long c0 = a.start(o0);
            Arrays.fill(rel, 0);
            Arrays.fill(relI, 0);
            Arrays.fill(len, 0);
            for (int m = 0; m < cnt; m++) {
                int st = (int) (a.start(o0 + m) - c0);
                rel[m] = st;
                relI[m] = st;
                len[m] = (long) a.count(o0 + m);
            }
        }

        /** The innermost divisor factors of outputs {@code o0 .. o0 + cnt - 1}. */
        void prepareDivisors(long o0, int cnt) {
            if (divFor == o0) return;
            divFor = o0;
            PoolGeometry.Axis a = g.axis[g.last];
            long from = a.windowed ? a.interiorBegin() : 0, to = a.windowed ? a.interiorEnd() : 0; // inside windows: k taps
            int m = 0;
            for (; m < cnt; m++) innerDiv[m] = o0 + m >= from && o0 + m < to ? a.k : (double) a.divisor(o0 + m);
        }
    }

    /** Tasks for {@code work} independent units: a few per thread, for balance. */
    private static int tasks(long work, Execution ex) {
        return (int) Math.max(1, Math.min(work, 8L * ex.threads()));
    }

    private static DoubleVector load(MemorySegment x, long at) {
        return DoubleVector.fromMemorySegment(S, x, at * ES, ORDER);
    }

    private static DoubleVector load(MemorySegment x, long at, VectorMask<Double> mask) {
        return mask == null ? load(x, at) : DoubleVector.fromMemorySegment(S, x, at * ES, ORDER, mask);
    }

    private static void store(DoubleVector v, MemorySegment y, long at, VectorMask<Double> mask) {
        if (mask == null) v.intoMemorySegment(y, at * ES, ORDER);
        else v.intoMemorySegment(y, at * ES, ORDER, mask);
    }

    /** {@code y[at, at + n) = v[vo, vo + n)}: the last vector overlaps the one before (the same values), short runs masked. */
    private static void storeValues(double[] v, int vo, MemorySegment y, long at, long n) {
        if (n < L) {
            if (n > 0) DoubleVector.fromArray(S, v, vo).intoMemorySegment(y, at * ES, ORDER, S.indexInRange(0, (int) n));
            return;
        }
        for (long i = 0; ; i += L) {
            if (i > n - L) i = n - L;
            DoubleVector.fromArray(S, v, (int) (vo + i)).intoMemorySegment(y, (at + i) * ES, ORDER);
            if (i == n - L) return;
        }
    }

    /** {@code y[at + i] = v[vo + i] / (div[i] * outer)} for {@code i < n}, 0 where the divisor is 0; div null: {@code / outer}. */
    private static void storeMeans(double[] v, int vo, MemorySegment y, long at, int n, double[] div, double outer) {
        if (n < L) {
            if (n > 0) store(mean(v, vo, div, 0, outer), y, at, S.indexInRange(0, n));
            return;
        }
        for (int i = 0; ; i += L) {
            if (i > n - L) i = n - L;
            mean(v, vo + i, div, i, outer).intoMemorySegment(y, (at + i) * ES, ORDER);
            if (i == n - L) return;
        }
    }

    private static DoubleVector mean(double[] v, int vo, double[] div, int di, double outer) {
        DoubleVector d = div == null ? DoubleVector.broadcast(S, outer) : DoubleVector.fromArray(S, div, di).mul(outer);
        return DoubleVector.fromArray(S, v, vo).div(d).blend(0, d.compare(VectorOperators.EQ, 0));
    }

    private static void fill(MemorySegment seg, long at, long n, double v) {
        DoubleVector b = DoubleVector.broadcast(S, v);
        long i = 0;
        for (; i <= n - L; i += L) b.intoMemorySegment(seg, (at + i) * ES, ORDER);
        for (; i < n; i++) seg.setAtIndex(LAYOUT, at + i, v);
    }

    /** {@code acc[ao + i] += src[so + i]} for {@code i < n}. */
    private static void addRow(double[] src, int so, double[] acc, int ao, int n) {
        int i = 0;
        for (; i <= n - L; i += L) DoubleVector.fromArray(S, acc, ao + i).add(DoubleVector.fromArray(S, src, so + i)).intoArray(acc, ao + i);
        if (i < n) {
            VectorMask<Double> k = S.indexInRange(0, n - i);
            DoubleVector.fromArray(S, acc, ao + i, k).add(DoubleVector.fromArray(S, src, so + i, k)).intoArray(acc, ao + i, k);
        }
    }

    // ------------------------------------------------------------------ lane selects

    /** Lane indices {0, 2, 4, ...} and {1, 3, 5, ...} into the concatenation of two vectors. */
    private static final DoubleVector EVEN = DoubleVector.fromArray(S, lanes(0), 0), ODD = DoubleVector.fromArray(S, lanes(1), 0);
    /** Lane indices that interleave two vectors: {a0, b0, a1, b1, ...} (low half) and the high half. */
    private static final DoubleVector ZIP_LO = DoubleVector.fromArray(S, zip(0), 0), ZIP_HI = DoubleVector.fromArray(S, zip(L / 2), 0);

    private static double[] lanes(int phase) {
        double[] v = new double[L];
        for (int l = 0; l < L; l++) v[l] = 2 * l + phase;
        return v;
    }

    private static double[] zip(int from) {
        double[] v = new double[L];
        for (int l = 0; l < L; l++) v[l] = (l % 2 == 0 ? 0 : L) + from + l / 2;
        return v;
    }

    /**
     * Chains of two-vector selects for strides {@code 3 .. MAX_CHAIN}: {@code DEAL[s]} splits s vectors
     * into s phases (phase p, step st at {@code (p*(s-1) + st) * L}); {@code WEAVE[s]} interleaves s
     * phase vectors back (output vector q, step st). Step 0 selects from inputs 0 and 1, step st from
     * the result so far and input st + 1.
     */
    private static final double[][] DEAL = new double[MAX_CHAIN + 1][], WEAVE = new double[MAX_CHAIN + 1][];

    static {
        for (int s = 3; s <= MAX_CHAIN; s++) {
            DEAL[s] = new double[s * (s - 1) * L];
            WEAVE[s] = new double[s * (s - 1) * L];
            for (int p = 0; p < s; p++) {
                for (int st = 0; st < s - 1; st++) {
                    for (int l = 0; l < L; l++) {
                        int e = l * s + p, from = e / L, lane = e % L; // deal: phase p lane l is element l*s + p
                        DEAL[s][(p * (s - 1) + st) * L + l] = chain(st, from, lane, l);
                        int f = p * L + l; // weave: output vector p lane l is element p*L + l: phase f % s, index f / s
                        WEAVE[s][(p * (s - 1) + st) * L + l] = chain(st, f % s, f / s, l);
                    }
                }
            }
        }
    }

    private static int chain(int step, int from, int lane, int l) {
        if (step == 0) return from == 0 ? lane : from == 1 ? L + lane : 0;
        return from == step + 1 ? L + lane : l;
    }

    /** Splits {@code blocks} blocks of s vectors of {@code B} into the phases taps read: slot q holds phase {@code slotPhase[q]}. */
    private static void phases(int s, int[] slotPhase, double[] B, double[] PH, int phLen, int blocks) {
        if (s == 2) {
            int even = -1, odd = -1;
            for (int q = 0; q < slotPhase.length; q++) {
                if (slotPhase[q] == 0) even = q * phLen;
                else odd = q * phLen;
            }
            for (int b = 0; b < blocks; b++) {
                DoubleVector a = DoubleVector.fromArray(S, B, 2 * b * L), c = DoubleVector.fromArray(S, B, 2 * b * L + L);
                if (even >= 0) EVEN.selectFrom(a, c).intoArray(PH, even + b * L);
                if (odd >= 0) ODD.selectFrom(a, c).intoArray(PH, odd + b * L);
            }
        } else if (s <= MAX_CHAIN) {
            double[] tab = DEAL[s];
            for (int b = 0; b < blocks; b++) {
                int base = b * s * L;
                for (int q = 0; q < slotPhase.length; q++) {
                    int t0 = slotPhase[q] * (s - 1) * L;
                    DoubleVector a = DoubleVector.fromArray(S, tab, t0).selectFrom(DoubleVector.fromArray(S, B, base), DoubleVector.fromArray(S, B, base + L));
                    for (int st = 1; st < s - 1; st++) {
                        a = DoubleVector.fromArray(S, tab, t0 + st * L).selectFrom(a, DoubleVector.fromArray(S, B, base + (st + 1) * L));
                    }
                    a.intoArray(PH, q * phLen + b * L);
                }
            }
        } else {
            for (int q = 0; q < slotPhase.length; q++) {
                int p = slotPhase[q], to = q * phLen;
                for (int i = 0; i < blocks * L; i++) PH[to + i] = B[i * s + p];
            }
        }
    }

    /** Interleaves all s phases of {@code PH} (phase p at {@code p * phLen}) into {@code out}: {@code out[i*s + p] = PH[p][i]}. */
    private static void interleave(int s, double[] PH, int phLen, double[] out, int blocks) {
        if (s == 2) {
            for (int b = 0; b < blocks; b++) {
                DoubleVector e = DoubleVector.fromArray(S, PH, b * L), od = DoubleVector.fromArray(S, PH, phLen + b * L);
                ZIP_LO.selectFrom(e, od).intoArray(out, 2 * b * L);
                ZIP_HI.selectFrom(e, od).intoArray(out, 2 * b * L + L);
            }
        } else if (s <= MAX_CHAIN) {
            double[] tab = WEAVE[s];
            for (int b = 0; b < blocks; b++) {
                for (int q = 0; q < s; q++) {
                    int t0 = q * (s - 1) * L;
                    DoubleVector a = DoubleVector.fromArray(S, tab, t0).selectFrom(DoubleVector.fromArray(S, PH, b * L), DoubleVector.fromArray(S, PH, phLen + b * L));
                    for (int st = 1; st < s - 1; st++) {
                        a = DoubleVector.fromArray(S, tab, t0 + st * L).selectFrom(a, DoubleVector.fromArray(S, PH, (st + 1) * phLen + b * L));
                    }
                    a.intoArray(out, (b * s + q) * L);
                }
            }
        } else {
            for (int i = 0; i < blocks * L; i++) {
                for (int p = 0; p < s; p++) out[i * s + p] = PH[p * phLen + i];
            }
        }
    }

    // ------------------------------------------------------------------ channels-first forward

    /** Forward pass, channels-first; {@code idx} (same layout, may be null) receives argmax. */
    static void forwardChannelsFirst(PoolGeometry g, DenseTensor x, DenseTensor y, DenseTensor idx, Execution ex) {
        if (g.global) {
            globalChannelsFirst(g, x, y, idx, ex);
            return;
        }
        // input rows shorter than a vector: the row pieces load masked part-vectors and pay their bookkeeping per
        // window row; gathering wins there without indices too (1.0-2.1x at 1 thread on 14x14, 8x8x12 and 8^3 planes)
        if (g.gathered != null && (idx != null || g.w < L)) {
            gatheredMax(g, x, y, idx, ex);
            return;
        }
        if (g.inner == PoolGeometry.Inner.DIRECT) {
            directChannelsFirst(g, x, y, idx, ex);
            return;
        }
        long pieces = g.planes * g.rows * g.tiles;
        int tasks = tasks(pieces, ex);
        // V for a chunk of pieces, then H: pieces of at least a vector straight into y, shorter ones stacked
        boolean single = g.inner == PoolGeometry.Inner.REGULAR && g.tile >= L;
        if (idx == null && wholeRows(g)) {
            rowsRegular(g, x, y, ex);
            return;
        }
        ex.forEach(tasks, (task, sc) -> {
            Task b = new Task(g, sc);
            if (idx == null) b.pieces(g.chunkPieces, !single);
            else b.argmax();
            long p = PoolGeometry.part(pieces, task, tasks), end = PoolGeometry.part(pieces, task + 1, tasks);
            b.seek(p);
            while (p < end) {
                if (idx != null) {
                    pieceWithIndices(g, x, y, idx, b);
                    p++;
                } else {
                    int n = (int) Math.min(end - p, g.chunkPieces);
                    chunk(g, x, y, b, n, single);
                    p += n;
                }
            }
        }, x.tensor(), y.tensor(), idx == null ? null : idx.tensor());
    }

    /**
     * Whether every piece is a whole output row whose window rows are listed in the geometry's table
     * (one group each) and whose input columns fill at least a vector: the common case, pooled by
     * {@link #rowsRegular} with no per-piece bookkeeping.
     */
    private static boolean wholeRows(PoolGeometry g) {
        long cHi = Math.min(g.w, g.pieceLength - g.pb);
        return g.inner == PoolGeometry.Inner.REGULAR && g.tiles == 1 && g.rowTaps != null && g.maxRows <= g.limits.rowGroup()
                && g.pb < g.pieceLength && cHi >= L;
    }

    /**
     * The common case ({@link #wholeRows}): tasks over (plane, output row) in order; per chunk of rows,
     * V for each row into its slot of B, whose pads (the same for every row) are filled once per task,
     * then H: rows of at least a vector each straight into y, shorter ones over the stacked rows into
     * {@code O} and stored (at once when the rows are contiguous in y). Flagged rows are recomputed
     * exactly as in {@link #direct}.
     */
    private static void rowsRegular(PoolGeometry g, DenseTensor x, DenseTensor y, Execution ex) {
        long work = g.planes * g.rows;
        int tasks = tasks(work, ex);
        int len = g.pieceLength, uLo = (int) g.pb, n = (int) (Math.min(g.w, len - g.pb)), chunk = g.chunkPieces, ow = (int) g.ow, vs = g.vs;
        boolean direct = ow >= L;
        ex.forEach(tasks, (task, sc) -> {
            Task b = new Task(g, sc);
            b.pieces(chunk, !direct);
            double[] B = b.B;
            double neutral = g.max ? NEG_INF : 0;
            for (int q = 0; q < chunk; q++) {
                Arrays.fill(B, q * len, q * len + uLo, neutral);
                Arrays.fill(B, q * len + uLo + n, (q + 1) * len, neutral);
            }
            MemorySegment xs = x.seg(), ys = y.seg();
            int[] start = g.rowStart, flags = b.flags;
            long[] taps = g.rowTaps;
            for (long wk = PoolGeometry.part(work, task, tasks), end = PoolGeometry.part(work, task + 1, tasks); wk < end; ) {
                long p = wk / g.rows, xb = x.base() + p * g.plane, yb = y.base() + p * g.outPlane;
                int r0 = (int) (wk % g.rows), r1 = (int) Math.min(g.rows, r0 + Math.min(chunk, end - wk));
                for (int r = r0; r < r1; r++) {
                    int t0 = start[r], nr = start[r + 1] - t0, bo = (r - r0) * len + uLo;
                    if (nr == 0) {
                        Arrays.fill(B, bo, bo + n, neutral);
                        flags[r - r0] = 0;
                    } else if (g.max) {
                        int f = combineMax(xs, xb, taps, t0, nr, B, bo, n);
                        flags[r - r0] = nr > 1 ? f : f & 1;
                    } else {
                        combineSum(xs, xb, taps, t0, nr, B, bo, n);
                    }
                }
                if (direct) {
                    for (int r = r0; r < r1; r++) rowDirect(g, xs, xb, ys, yb + (long) r * ow, r, r - r0, b);
                } else {
                    shortRows(g, xs, xb, ys, yb, r0, r1, b);
                }
                wk += r1 - r0;
            }
        }, x.tensor(), y.tensor());
    }

    /** H for output row {@code r} in slot {@code q} of B, at least a vector of outputs, straight into {@code y[yo ..]}. */
    private static void rowDirect(PoolGeometry g, MemorySegment xs, long xb, MemorySegment ys, long yo, int r, int q, Task b) {
        int ow = (int) g.ow, len = g.pieceLength;
        double[] B = b.B;
        if (g.max && b.flags[q] != 0) {
            g.position(r, b.o2, g.last);
            b.argmax();
            pieceArgmax(g, xs, xb, r, b.o2, 0, ow, b);
            storeValues(b.bestV, 0, ys, yo, ow);
        } else if (g.max) {
            if (g.s == 2) h2MaxStore(B, q * len, g.k, g.dil, ys, yo, ow);
            else if (g.s >= 3) hsMaxStore(B, q * len, g.s, b.map, g.k, g.dil, ys, yo, ow);
            else hMaxStore(B, q * len, b.off, ys, yo, ow);
        } else {
            double[] div = null;
            double outer = (double) g.divisor0;
            if (!g.uniformDivisor) {
                b.prepareDivisors(0, ow);
                div = b.innerDiv;
                g.position(r, b.o2, g.last);
                outer = (double) g.divisor(b.o2, g.last);
            }
            if (g.s == 2) h2MeanStore(B, q * len, g.k, g.dil, ys, yo, ow, div, outer);
            else if (g.s >= 3) hsMeanStore(B, q * len, g.s, b.map, g.k, g.dil, ys, yo, ow, div, outer);
            else hMeanStore(B, q * len, b.off, ys, yo, ow, div, outer);
        }
    }

    /** H for the short rows {@code [r0, r1)} of one plane stacked in B: over all of them into {@code O}, then stored. */
    private static void shortRows(PoolGeometry g, MemorySegment xs, long xb, MemorySegment ys, long yb, int r0, int r1, Task b) {
        int ow = (int) g.ow, vs = g.vs, outputs = (r1 - r0) * vs;
        double[] src = b.B;
        if (g.s >= 2) {
            phases(g.s, g.slotPhase, b.B, b.PH, b.phLen, Math.ceilDiv(outputs, L));
            src = b.PH;
        }
        if (g.max) hMax(src, b.off, b.O, outputs);
        else hSum(src, b.off, b.O, outputs);
        for (int r = r0; g.max && r < r1; r++) {
            if (b.flags[r - r0] == 0) continue;
            g.position(r, b.o2, g.last);
            b.argmax();
            pieceArgmax(g, xs, xb, r, b.o2, 0, ow, b);
            System.arraycopy(b.bestV, 0, b.O, (r - r0) * vs, ow);
        }
        long yo = yb + (long) r0 * ow;
        if (vs == ow && (g.max || g.uniformDivisor)) { // rows without gaps: contiguous in y
            if (g.max) storeValues(b.O, 0, ys, yo, outputs);
            else storeMeans(b.O, 0, ys, yo, outputs, null, (double) g.divisor0);
            return;
        }
        for (int r = r0; r < r1; r++, yo += ow) {
            int o = (r - r0) * vs;
            if (g.max) storeValues(b.O, o, ys, yo, ow);
            else if (g.uniformDivisor) storeMeans(b.O, o, ys, yo, ow, null, (double) g.divisor0);
            else {
                b.prepareDivisors(0, ow);
                g.position(r, b.o2, g.last);
                storeMeans(b.O, o, ys, yo, ow, b.innerDiv, (double) g.divisor(b.o2, g.last));
            }
        }
    }

    /**
     * Pools {@code n} pieces from the cursor on: V for each (all before any H, so that H's shifted
     * loads do not wait on V's stores), then, with {@code direct}, H per piece straight into y, else H
     * over the stacked pieces into {@code O}, exact recomputation of flagged pieces, and stores.
     */
    private static void chunk(PoolGeometry g, DenseTensor x, DenseTensor y, Task b, int n, boolean direct) {
        boolean regular = g.inner == PoolGeometry.Inner.REGULAR;
        int len = g.pieceLength, vs = g.vs;
        for (int q = 0; q < n; q++) {
            long o0 = b.tile * g.tile;
            b.count[q] = (int) Math.min(g.tile, g.ow - o0);
            b.yOff[q] = y.base() + b.plane * g.outPlane + b.row * g.ow + o0;
            b.piece[q] = (b.plane * g.rows + b.row) * g.tiles + b.tile;
            if (!g.max && !g.uniformDivisor) b.rowDiv[q] = (double) g.divisor(b.o, g.last);
            long c0 = regular ? o0 * g.s - g.pb : g.axis[g.last].start(o0);
            b.flags[q] = vPiece(g, x.seg(), x.base() + b.plane * g.plane, b.row, b.o, c0, b.B, q * len, b);
            b.advance();
        }
        int outputs = n * vs;
        if (direct) {
            for (int q = 0; q < n; q++) direct(g, x, y, b, q);
            return;
        }
        if (regular) {
            double[] src = b.B;
            if (g.s >= 2) {
                phases(g.s, g.slotPhase, b.B, b.PH, b.phLen, Math.ceilDiv(outputs, L));
                src = b.PH;
            }
            if (g.max) hMax(src, b.off, b.O, outputs);
            else hSum(src, b.off, b.O, outputs);
        } else {
            for (int q = 0; q < n; q++) {
                b.prepareGather(b.piece[q] % g.tiles * g.tile, b.count[q]);
                hGather(b.B, q * len, b.rel, b.len, g.kmax, b.count[q], g.max, b.O, q * vs);
            }
        }
        for (int q = 0; g.max && q < n; q++) {
            if (b.flags[q] == 0) continue;
            long piece = b.piece[q], plane = piece / (g.rows * g.tiles), row = piece / g.tiles % g.rows;
            g.position(row, b.o2, g.last);
            b.argmax();
            pieceArgmax(g, x.seg(), x.base() + plane * g.plane, row, b.o2, piece % g.tiles * g.tile, b.count[q], b);
            System.arraycopy(b.bestV, 0, b.O, q * vs, b.count[q]);
        }
        if (g.tiles == 1 && vs == g.ow && (g.max || g.uniformDivisor)) { // whole rows without gaps: the chunk's outputs are contiguous
            if (g.max) storeValues(b.O, 0, y.seg(), b.yOff[0], outputs);
            else storeMeans(b.O, 0, y.seg(), b.yOff[0], outputs, null, (double) g.divisor0);
            return;
        }
        for (int q = 0; q < n; q++) {
            int cnt = b.count[q];
            if (g.max) {
                storeValues(b.O, q * vs, y.seg(), b.yOff[q], cnt);
            } else if (g.uniformDivisor) {
                storeMeans(b.O, q * vs, y.seg(), b.yOff[q], cnt, null, (double) g.divisor0);
            } else {
                b.prepareDivisors(b.piece[q] % g.tiles * g.tile, cnt);
                storeMeans(b.O, q * vs, y.seg(), b.yOff[q], cnt, b.innerDiv, b.rowDiv[q]);
            }
        }
    }

    /** H for piece {@code q} of a chunk (regular windows) straight into y, or its exact recomputation if flagged. */
    private static void direct(PoolGeometry g, DenseTensor x, DenseTensor y, Task b, int q) {
        int cnt = b.count[q], len = g.pieceLength;
        long yo = b.yOff[q], piece = b.piece[q], o0 = piece % g.tiles * g.tile;
        if (g.max && b.flags[q] != 0) { // NaN or -0.0 seen: the row-major order decides
            long plane = piece / (g.rows * g.tiles), row = piece / g.tiles % g.rows;
            g.position(row, b.o2, g.last);
            b.argmax();
            pieceArgmax(g, x.seg(), x.base() + plane * g.plane, row, b.o2, o0, cnt, b);
            storeValues(b.bestV, 0, y.seg(), yo, cnt);
            return;
        }
        double[] div = null;
        double outer = (double) g.divisor0;
        if (!g.max && !g.uniformDivisor) {
            b.prepareDivisors(o0, cnt);
            div = b.innerDiv;
            outer = b.rowDiv[q];
        }
        if (g.s == 2) {
            if (g.max) h2MaxStore(b.B, q * len, g.k, g.dil, y.seg(), yo, cnt);
            else h2MeanStore(b.B, q * len, g.k, g.dil, y.seg(), yo, cnt, div, outer);
        } else if (g.s >= 3) {
            if (g.max) hsMaxStore(b.B, q * len, g.s, b.map, g.k, g.dil, y.seg(), yo, cnt);
            else hsMeanStore(b.B, q * len, g.s, b.map, g.k, g.dil, y.seg(), yo, cnt, div, outer);
        } else {
            if (g.max) hMaxStore(b.B, q * len, b.off, y.seg(), yo, cnt);
            else hMeanStore(b.B, q * len, b.off, y.seg(), yo, cnt, div, outer);
        }
    }

    /**
     * Max pooling, with argmax into {@code idx} or without ({@code idx} null), over planes that fit
     * {@link PoolGeometry.Limits#gatherPlane}: per plane a heap copy padded with -infinity
     * ({@link PoolGeometry.Gathered}), then, a vector of outputs at a
     * time, every window tap gathered in row-major window order with "greater or NaN" taking over, as
     * {@link #hArg} (the first maximum wins, the last NaN takes over); a maximum of -infinity is placed
     * at the window's first inside tap, as the reference (with indices). One gathered lane per output and tap and no
     * per-row bookkeeping: the row pieces pay theirs per window row, which dominates on short rows
     * (small volumes: 6-16 outputs per row).
     */
    private static void gatheredMax(PoolGeometry g, DenseTensor x, DenseTensor y, DenseTensor idx, Execution ex) {
        PoolGeometry.Gathered t = g.gathered;
        int tasks = tasks(g.planes, ex), outs = (int) g.outPlane, w = (int) g.w;
        int[] rowAt = t.rowAt(), base = t.base(), planePos = t.planePos(), first = t.firstInside();
        ex.forEach(tasks, (task, sc) -> {
            double[] X = sc.doubles("pool.gathered", t.size());
            double[] best = sc.doubles("pool.bestV", base.length);
            long[] at = idx == null ? null : sc.longs("pool.bestCol", base.length);
            long[] pos = idx == null ? null : sc.longs("pool.positions", outs);
            if (!t.unpadded()) Arrays.fill(X, 0, t.size(), NEG_INF); // the pads; rows below overwrite the rest
            MemorySegment xs = x.seg();
            for (long p = PoolGeometry.part(g.planes, task, tasks), end = PoolGeometry.part(g.planes, task + 1, tasks); p < end; p++) {
                long xb = x.base() + p * g.plane;
                if (t.unpadded()) {
                    MemorySegment.copy(xs, LAYOUT, xb * ES, X, 0, t.size());
                } else {
                    for (int r = 0; r < rowAt.length; r++) MemorySegment.copy(xs, LAYOUT, (xb + (long) r * w) * ES, X, rowAt[r], w);
                }
                long o = p * g.outPlane;
                if (idx == null) gatherMax(X, base, t.tapOff(), best);
                else gatherWindows(X, base, t.tapOff(), best, at);
                storeValues(best, 0, y.seg(), y.base() + o, outs);
                if (idx == null) continue;
                for (int e = 0; e < outs; e++) pos[e] = best[e] == NEG_INF ? first[e] : planePos[base[e] + (int) at[e]];
                MemorySegment.copy(pos, 0, idx.seg(), INDEX, (idx.base() + o) * 8, outs);
            }
        }, x.tensor(), y.tensor(), idx == null ? null : idx.tensor());
    }

    /** {@link #gatherWindows} without the winning taps: each output's window maximum into {@code best}. */
    private static void gatherMax(double[] X, int[] base, int[] tapOff, double[] best) {
        int nt = tapOff.length;
        for (int m = 0; m < base.length; m += L) {
            DoubleVector a = DoubleVector.fromArray(S, X, tapOff[0], base, m);
            for (int t = 1; t < nt; t++) {
                DoubleVector v = DoubleVector.fromArray(S, X, tapOff[t], base, m);
                a = a.blend(v, v.compare(VectorOperators.GT, a).or(v.test(VectorOperators.IS_NAN)));
            }
            a.intoArray(best, m);
        }
    }

    /** For each output {@code e} (whole vectors): its window's maximum into {@code best[e]}, the winning tap's offset into {@code at[e]}. */
    private static void gatherWindows(double[] X, int[] base, int[] tapOff, double[] best, long[] at) {
        int nt = tapOff.length;
        for (int m = 0; m < base.length; m += L) {
            DoubleVector a = DoubleVector.fromArray(S, X, tapOff[0], base, m);
            LongVector win = LongVector.broadcast(IS, (long) tapOff[0]);
            for (int t = 1; t < nt; t++) {
                DoubleVector v = DoubleVector.fromArray(S, X, tapOff[t], base, m);
                VectorMask<Double> take = v.compare(VectorOperators.GT, a).or(v.test(VectorOperators.IS_NAN));
                a = a.blend(v, take);
                win = win.blend((long) tapOff[t], take.cast(IS));
            }
            a.intoArray(best, m);
            win.intoArray(at, m);
        }
    }

    /** One piece with argmax, exactly: values into y, positions into idx. */
    private static void pieceWithIndices(PoolGeometry g, DenseTensor x, DenseTensor y, DenseTensor idx, Task b) {
        long o0 = b.tile * g.tile;
        int cnt = (int) Math.min(g.tile, g.ow - o0);
        pieceArgmax(g, x.seg(), x.base() + b.plane * g.plane, b.row, b.o, o0, cnt, b);
        long at = b.plane * g.outPlane + b.row * g.ow + o0;
        storeValues(b.bestV, 0, y.seg(), y.base() + at, cnt);
        long[] pos = b.positions;
        for (int m = 0; m < cnt; m++) {
            long col = b.bestCol[m];
            pos[m] = col < 0 ? -1 : ((long) b.bestHi[m] << 31) + b.bestLo[m] + col;
        }
        MemorySegment.copy(pos, 0, idx.seg(), INDEX, (idx.base() + at) * 8, cnt); // one bulk copy: no per-element checks
        b.advance();
    }

    /**
     * V for one piece: the window rows of output row {@code row} (index {@code o}) combined
     * elementwise into {@code B[bo + u]} for the piece's columns {@code c0 + u}, {@code u < pieceLength},
     * the neutral value outside the input. Returns flag bits for max: 1 NaN (or both infinities)
     * seen, 2 -0.0 combined from several rows.
     */
    private static int vPiece(PoolGeometry g, MemorySegment x, long xb, long row, long[] o, long c0, double[] B, int bo, Task b) {
        int len = g.pieceLength;
        long cLo = Math.max(0, c0), cHi = Math.min(g.w, c0 + len);
        double neutral = g.max ? NEG_INF : 0;
        long total = b.startRows(row, o);
        if (cLo >= cHi || total == 0) { // every tap in padding
            Arrays.fill(B, bo, bo + len, neutral);
            return 0;
        }
        int uLo = (int) (cLo - c0), n = (int) (cHi - cLo), flags = 0;
        boolean acc = false;
        for (int nr; (nr = b.nextRows()) > 0; acc = true) {
            if (acc || n < L) flags |= combineMasked(x, xb + cLo, b.rowsArr, b.rowsAt, nr, B, bo + uLo, n, acc, g.max);
            else if (g.max) flags |= combineMax(x, xb + cLo, b.rowsArr, b.rowsAt, nr, B, bo + uLo, n);
            else combineSum(x, xb + cLo, b.rowsArr, b.rowsAt, nr, B, bo + uLo, n);
        }
        // pads after the data: a masked last vector may have written past it
        for (int u = 0; u < uLo; u++) B[bo + u] = neutral;
        for (int u = uLo + n; u < len; u++) B[bo + u] = neutral;
        return total > 1 ? flags : flags & 1;
    }

    /*
     * V kernels. Each is one short loop: C2 stops inlining a method's Vector API calls past a node
     * budget (NodeCountInliningCutoff), and a vector op left as a call boxes its operands (10-100x
     * slower). A mask that may be null at one call site defeats box elimination as well, and
     * indexInRange with a negative offset takes a slow path: masks here are built at offset 0.
     */

    /**
     * V, max, first group of rows, {@code n >= L}: {@code B[bo + i] = max over rows r of
     * x[xb + rows[ro + r] + i]}, the first maximum winning ties; the last vector overlaps the one
     * before (recomputed lanes are equal). Returns flag bits (see {@link #vPiece}).
     */
    private static int combineMax(MemorySegment x, long xb, long[] rows, int ro, int nr, double[] B, int bo, int n) {
        DoubleVector sum = DoubleVector.zero(S);
        LongVector low = LongVector.zero(IS);
        for (int i = 0; ; i += L) {
            if (i > n - L) i = n - L;
            long at = xb + i;
            DoubleVector m = load(x, at + rows[ro]), t = m; // t: this vector's loads summed; one add per vector carries over
            for (int r = 1; r < nr; r++) {
                DoubleVector v = load(x, at + rows[ro + r]);
                m = m.blend(v, v.compare(VectorOperators.GT, m));
                t = t.add(v);
            }
            m.intoArray(B, bo + i);
            sum = sum.add(t);
            low = low.min(m.reinterpretAsLongs());
            if (i == n - L) break;
        }
        return (sum.test(VectorOperators.IS_NAN).anyTrue() ? 1 : 0) | (low.compare(VectorOperators.EQ, Long.MIN_VALUE).anyTrue() ? 2 : 0);
    }

    /** V, sum, first group of rows, {@code n >= L}: {@code B[bo + i] = sum over rows r of x[xb + rows[ro + r] + i]}; the last vector overlaps. */
    private static void combineSum(MemorySegment x, long xb, long[] rows, int ro, int nr, double[] B, int bo, int n) {
        for (int i = 0; ; i += L) {
            if (i > n - L) i = n - L;
            long at = xb + i;
            DoubleVector m = load(x, at + rows[ro]);
            for (int r = 1; r < nr; r++) m = m.add(load(x, at + rows[ro + r]));
            m.intoArray(B, bo + i);
            if (i == n - L) return;
        }
    }

    /**
     * V for rows shorter than a vector, or rows past the first group ({@code acc}: merged into B,
     * where the earlier rows win ties, or added): whole vectors, the last one masked (it may write
     * past {@code bo + n}). Returns flag bits for max.
     */
    private static int combineMasked(MemorySegment x, long xb, long[] rows, int ro, int nr, double[] B, int bo, int n, boolean acc, boolean max) {
        int flags = 0;
        for (int i = 0; i < n; i += L) {
            VectorMask<Double> k = S.indexInRange(0, Math.min(L, n - i));
            long at = xb + i;
            DoubleVector m = masked(x, at + rows[ro], k), t = m;
            for (int r = 1; r < nr; r++) {
                DoubleVector v = masked(x, at + rows[ro + r], k);
                m = max ? m.blend(v, v.compare(VectorOperators.GT, m)) : m.add(v);
                t = t.add(v);
            }
            if (acc) {
                DoubleVector before = DoubleVector.fromArray(S, B, bo + i);
                m = !max ? before.add(m) : before.blend(m, m.compare(VectorOperators.GT, before));
            }
            m.intoArray(B, bo + i);
            if (t.test(VectorOperators.IS_NAN).anyTrue()) flags |= 1;
            if (m.blend(0, k.not()).reinterpretAsLongs().compare(VectorOperators.EQ, Long.MIN_VALUE).anyTrue()) flags |= 2;
        }
        return flags;
    }

    private static DoubleVector masked(MemorySegment x, long at, VectorMask<Double> k) {
        return DoubleVector.fromMemorySegment(S, x, at * ES, ORDER, k);
    }

    /** H, max: {@code out[m] = max over taps of src[m + off[t]]}, the first maximum winning ties, for {@code m < n} (whole vectors). */
    private static void hMax(double[] src, int[] off, double[] out, int n) {
        int nt = off.length;
        for (int m = 0; m < n; m += L) {
            DoubleVector a = DoubleVector.fromArray(S, src, m + off[0]);
            for (int t = 1; t < nt; t++) {
                DoubleVector v = DoubleVector.fromArray(S, src, m + off[t]);
                a = a.blend(v, v.compare(VectorOperators.GT, a));
            }
            a.intoArray(out, m);
        }
    }

    /** H, sum: {@code out[m] = sum over taps of src[m + off[t]]} for {@code m < n} (whole vectors). */
    private static void hSum(double[] src, int[] off, double[] out, int n) {
        int nt = off.length;
        for (int m = 0; m < n; m += L) {
            DoubleVector a = DoubleVector.fromArray(S, src, m + off[0]);
            for (int t = 1; t < nt; t++) a = a.add(DoubleVector.fromArray(S, src, m + off[t]));
            a.intoArray(out, m);
        }
    }

    /** H, max, one piece of {@code n} outputs straight into {@code y[yo ..]}; the last vector overlaps the one before (or is masked). */
    private static void hMaxStore(double[] src, int base, int[] off, MemorySegment y, long yo, int n) {
        int nt = off.length;
        for (int m = base; ; m += L) {
            if (n < L) {
                DoubleVector a = DoubleVector.fromArray(S, src, m + off[0]);
                for (int t = 1; t < nt; t++) {
                    DoubleVector v = DoubleVector.fromArray(S, src, m + off[t]);
                    a = a.blend(v, v.compare(VectorOperators.GT, a));
                }
                a.intoMemorySegment(y, yo * ES, ORDER, S.indexInRange(0, n));
                return;
            }
            if (m > base + n - L) m = base + n - L;
            DoubleVector a = DoubleVector.fromArray(S, src, m + off[0]);
            for (int t = 1; t < nt; t++) {
                DoubleVector v = DoubleVector.fromArray(S, src, m + off[t]);
                a = a.blend(v, v.compare(VectorOperators.GT, a));
            }
            a.intoMemorySegment(y, (yo + m - base) * ES, ORDER);
            if (m == base + n - L) return;
        }
    }

    /** H, average, one piece of {@code n} outputs into {@code y[yo ..]}: the sum over taps divided by {@code div[m] * outer} (null: outer). */
    private static void hMeanStore(double[] src, int base, int[] off, MemorySegment y, long yo, int n, double[] div, double outer) {
        int nt = off.length;
        if (n < L) {
            DoubleVector a = DoubleVector.fromArray(S, src, base + off[0]);
            for (int t = 1; t < nt; t++) a = a.add(DoubleVector.fromArray(S, src, base + off[t]));
            DoubleVector d = div == null ? DoubleVector.broadcast(S, outer) : DoubleVector.fromArray(S, div, 0).mul(outer);
            a.div(d).blend(0, d.compare(VectorOperators.EQ, 0)).intoMemorySegment(y, yo * ES, ORDER, S.indexInRange(0, n));
            return;
        }
        for (int m = 0; ; m += L) {
            if (m > n - L) m = n - L;
            DoubleVector a = DoubleVector.fromArray(S, src, base + m + off[0]);
            for (int t = 1; t < nt; t++) a = a.add(DoubleVector.fromArray(S, src, base + m + off[t]));
            DoubleVector d = div == null ? DoubleVector.broadcast(S, outer) : DoubleVector.fromArray(S, div, m).mul(outer);
            a.div(d).blend(0, d.compare(VectorOperators.EQ, 0)).intoMemorySegment(y, (yo + m) * ES, ORDER);
            if (m == n - L) return;
        }
    }

    /** {@code l * s} for lane l: the positions of L outputs' first taps for a stride s (index maps of the gathers). */
    private static int[] strideMap(int s) {
        int[] m = new int[L];
        for (int l = 0; l < L; l++) m[l] = l * s;
        return m;
    }

    /**
     * H, strides of 3 and more, one piece straight into {@code y[yo ..]}. Up to {@link #MAX_CHAIN}:
     * the window's max at every position of s vectors of B, then lanes 0, s, 2s, ... kept by a chain of
     * s - 1 two-vector selects (no phase split, no gathers); longer strides gather tap t of L outputs
     * from {@code B[... + t*dil + l*s]}. The last vector overlaps the one before (or is masked).
     */
    private static void hsMaxStore(double[] B, int bo, int s, int[] map, int k, int dil, MemorySegment y, long yo, int n) {
        double[] deal = s <= MAX_CHAIN ? DEAL[s] : null;
        for (int m = 0; ; m += L) {
            if (n >= L && m > n - L) m = n - L;
            int q = bo + m * s;
            DoubleVector a;
            if (deal != null) {
                a = DoubleVector.fromArray(S, deal, 0).selectFrom(windowMax(B, q, k, dil), windowMax(B, q + L, k, dil));
                for (int j = 2; j < s; j++) a = DoubleVector.fromArray(S, deal, (j - 1) * L).selectFrom(a, windowMax(B, q + j * L, k, dil));
            } else {
                a = DoubleVector.fromArray(S, B, q, map, 0);
                for (int t = 1; t < k; t++) {
                    DoubleVector v = DoubleVector.fromArray(S, B, q + t * dil, map, 0);
                    a = a.blend(v, v.compare(VectorOperators.GT, a));
                }
            }
            if (n < L) {
                a.intoMemorySegment(y, yo * ES, ORDER, S.indexInRange(0, n));
                return;
            }
            a.intoMemorySegment(y, (yo + m) * ES, ORDER);
            if (m == n - L) return;
        }
    }

    /** The max of {@code B[p + t*dil + l]} over taps t, first maximum winning, for each lane l. */
    private static DoubleVector windowMax(double[] B, int p, int k, int dil) {
        DoubleVector a = DoubleVector.fromArray(S, B, p);
        for (int t = 1; t < k; t++) {
            DoubleVector v = DoubleVector.fromArray(S, B, p + t * dil);
            a = a.blend(v, v.compare(VectorOperators.GT, a));
        }
        return a;
    }

    /** The sum of {@code B[p + t*dil + l]} over taps t for each lane l. */
    private static DoubleVector windowSum(double[] B, int p, int k, int dil) {
        DoubleVector a = DoubleVector.fromArray(S, B, p);
        for (int t = 1; t < k; t++) a = a.add(DoubleVector.fromArray(S, B, p + t * dil));
        return a;
    }

    /** H, strides of 3 and more, average: as {@link #hsMaxStore} with sums, divided by {@code div[m] * outer} (null: outer). */
    private static void hsMeanStore(double[] B, int bo, int s, int[] map, int k, int dil, MemorySegment y, long yo, int n, double[] div,
                                    double outer) {
        double[] deal = s <= MAX_CHAIN ? DEAL[s] : null;
        for (int m = 0; ; m += L) {
            if (n >= L && m > n - L) m = n - L;
            int q = bo + m * s;
            DoubleVector a;
            if (deal != null) {
                a = DoubleVector.fromArray(S, deal, 0).selectFrom(windowSum(B, q, k, dil), windowSum(B, q + L, k, dil));
                for (int j = 2; j < s; j++) a = DoubleVector.fromArray(S, deal, (j - 1) * L).selectFrom(a, windowSum(B, q + j * L, k, dil));
            } else {
                a = DoubleVector.fromArray(S, B, q, map, 0);
                for (int t = 1; t < k; t++) a = a.add(DoubleVector.fromArray(S, B, q + t * dil, map, 0));
            }
            DoubleVector d = div == null ? DoubleVector.broadcast(S, outer) : DoubleVector.fromArray(S, div, m).mul(outer);
            a = a.div(d).blend(0, d.compare(VectorOperators.EQ, 0));
            if (n < L) {
                a.intoMemorySegment(y, yo * ES, ORDER, S.indexInRange(0, n));
                return;
            }
            a.intoMemorySegment(y, (yo + m) * ES, ORDER);
            if (m == n - L) return;
        }
    }

    /**
     * H, stride 2, one piece straight into {@code y[yo ..]}: per vector of outputs the window's max at
     * every position of two vectors of B, then their even lanes (one two-vector select); the last
     * vector overlaps the one before (or is masked).
     */
    private static void h2MaxStore(double[] B, int bo, int k, int dil, MemorySegment y, long yo, int n) {
        for (int m = 0; ; m += L) {
            if (n >= L && m > n - L) m = n - L;
            int q = bo + 2 * m;
            DoubleVector a0 = DoubleVector.fromArray(S, B, q), a1 = DoubleVector.fromArray(S, B, q + L);
            for (int t = 1; t < k; t++) {
                DoubleVector v0 = DoubleVector.fromArray(S, B, q + t * dil), v1 = DoubleVector.fromArray(S, B, q + L + t * dil);
                a0 = a0.blend(v0, v0.compare(VectorOperators.GT, a0));
                a1 = a1.blend(v1, v1.compare(VectorOperators.GT, a1));
            }
            DoubleVector r = EVEN.selectFrom(a0, a1);
            if (n < L) {
                r.intoMemorySegment(y, yo * ES, ORDER, S.indexInRange(0, n));
                return;
            }
            r.intoMemorySegment(y, (yo + m) * ES, ORDER);
            if (m == n - L) return;
        }
    }

    /** H, stride 2, average: sums at every position, their even lanes divided by {@code div[m] * outer} (null: outer). */
    private static void h2MeanStore(double[] B, int bo, int k, int dil, MemorySegment y, long yo, int n, double[] div, double outer) {
        for (int m = 0; ; m += L) {
            if (n >= L && m > n - L) m = n - L;
            int q = bo + 2 * m;
            DoubleVector a0 = DoubleVector.fromArray(S, B, q), a1 = DoubleVector.fromArray(S, B, q + L);
            for (int t = 1; t < k; t++) {
                a0 = a0.add(DoubleVector.fromArray(S, B, q + t * dil));
                a1 = a1.add(DoubleVector.fromArray(S, B, q + L + t * dil));
            }
            DoubleVector d = div == null ? DoubleVector.broadcast(S, outer) : DoubleVector.fromArray(S, div, m).mul(outer);
            DoubleVector r = EVEN.selectFrom(a0, a1).div(d).blend(0, d.compare(VectorOperators.EQ, 0));
            if (n < L) {
                r.intoMemorySegment(y, yo * ES, ORDER, S.indexInRange(0, n));
                return;
            }
            r.intoMemorySegment(y, (yo + m) * ES, ORDER);
            if (m == n - L) return;
        }
    }

    /** H for adaptive windows of one piece: {@code out[oo + m] = reduce over j < len[m] of B[bo + rel[m] + j]}, {@code m < n}. */
    private static void hGather(double[] B, int bo, int[] rel, long[] len, int kmax, int n, boolean max, double[] out, int oo) {
        for (int m = 0; m < n; m += L) {
            LongVector ln = LongVector.fromArray(IS, len, m);
            DoubleVector a = max ? DoubleVector.broadcast(S, NEG_INF) : DoubleVector.zero(S);
            for (int j = 0; j < kmax; j++) {
                VectorMask<Double> in = ln.compare(VectorOperators.GT, (long) j).cast(S);
                if (!in.anyTrue()) break;
                DoubleVector v = DoubleVector.fromArray(S, B, bo + j, rel, m, in);
                if (max) {
                    v = v.blend(NEG_INF, in.not());
                    a = a.blend(v, v.compare(VectorOperators.GT, a));
                } else {
                    a = a.add(v);
                }
            }
            a.intoArray(out, oo + m);
        }
    }

    /**
     * The exact maximum and argmax of one piece ({@code cnt} outputs from {@code o0} of output row
     * {@code o}) into {@code b.bestV} and the position parts {@code bestCol} (relative to the piece
     * start in its row), {@code bestHi}/{@code bestLo} (that start's plane offset, high and low 31
     * bits); column -1 for a window without input. Each window row is pooled on its own, rows merged in
     * order.
     */
    private static void pieceArgmax(PoolGeometry g, MemorySegment x, long xb, long row, long[] o, long o0, int cnt, Task b) {
        boolean regular = g.inner == PoolGeometry.Inner.REGULAR;
        int vsv = b.vsv;
        long c0 = regular ? o0 * g.s - g.pb : g.axis[g.last].start(o0);
        long cLo = Math.max(0, c0), cHi = Math.min(g.w, c0 + g.pieceLength);
        if (regular) b.prepareFirst(o0, cnt);
        else b.prepareGather(o0, cnt);
        boolean first = true;
        if (cLo < cHi) {
            int uLo = (int) (cLo - c0), n = (int) (cHi - cLo);
            double[] bp = b.Bp;
            if (b.bpFor != c0) {
                Arrays.fill(bp, 0, b.bpLen, NEG_INF);
                b.bpFor = c0;
            }
            b.startRows(row, o);
            for (int nr; (nr = b.nextRows()) > 0; ) {
                for (int r = 0; r < nr; r++) {
                    long ro = b.rowsArr[b.rowsAt + r];
                    copyRow(x, xb + ro + cLo, bp, uLo, n);
                    long base = ro + c0;
                    long hi = (long) (base >> 31), lo = (long) (base & 0x7FFFFFFF);
                    if (regular) {
                        double[] src = bp;
                        if (g.s >= 2) {
                            phases(g.s, g.slotPhase, bp, b.PHp, b.phLenP, vsv / L);
                            src = b.PHp;
                        }
                        hArg(src, b.offArg, g.dil, g.s, vsv, first, hi, lo, b);
                    } else {
                        hArgGather(bp, b.rel, b.relI, b.len, g.kmax, vsv, first, hi, lo, b);
                    }
                    first = false;
                }
            }
        }
        if (first) { // no window row, or no input column: every window is empty
            Arrays.fill(b.bestV, 0, vsv, NEG_INF);
            Arrays.fill(b.bestCol, 0, vsv, (long) -1);
        }
    }

    /** {@code dst[off, off + n) = x[at, at + n)}, writing nothing past it. */
    private static void copyRow(MemorySegment x, long at, double[] dst, int off, int n) {
        if (n < L) {
            VectorMask<Double> k = S.indexInRange(0, n);
            load(x, at, k).intoArray(dst, off, k);
            return;
        }
        for (int i = 0; ; i += L) {
            if (i > n - L) i = n - L;
            load(x, at + i).intoArray(dst, off + i);
            if (i == n - L) return;
        }
    }

    /**
     * H with argmax over one input row (regular windows): per virtual output the first maximum in tap
     * order, a NaN taking over; merged into the piece's best ({@link #merge}). A maximum of -infinity
     * (every inside tap -infinity, padding too) is placed at the first inside tap, as the reference.
     */
    private static void hArg(double[] src, int[] off, int dil, int s, int n, boolean first, long hi, long lo, Task b) {
        LongVector lane = LongVector.zero(IS).addIndex(s);
        int nt = off.length;
        for (int m = 0; m < n; m += L) {
            DoubleVector a = DoubleVector.fromArray(S, src, m + off[0]);
            LongVector ord = LongVector.zero(IS);
            for (int t = 1; t < nt; t++) {
                DoubleVector v = DoubleVector.fromArray(S, src, m + off[t]);
                VectorMask<Double> take = v.compare(VectorOperators.GT, a).or(v.test(VectorOperators.IS_NAN));
                a = a.blend(v, take);
                ord = ord.blend((long) t, take.cast(IS));
            }
            LongVector col = ord.mul((long) dil).add(lane).add((long) (m * s));
            col = col.blend(LongVector.fromArray(IS, b.firstRel, m), a.compare(VectorOperators.EQ, NEG_INF).cast(IS));
            merge(a, col, hi, lo, m, first, b);
        }
    }

    /** H with argmax over one input row, adaptive windows (gathered); every window's first tap is inside. */
    private static void hArgGather(double[] B, int[] rel, long[] relI, long[] len, int kmax, int n, boolean first, long hi, long lo,
                                   Task b) {
        for (int m = 0; m < n; m += L) {
            LongVector ln = LongVector.fromArray(IS, len, m);
            VectorMask<Double> in0 = ln.compare(VectorOperators.GT, (long) 0).cast(S);
            DoubleVector a = DoubleVector.fromArray(S, B, 0, rel, m, in0).blend(NEG_INF, in0.not());
            LongVector ord = LongVector.zero(IS);
            for (int j = 1; j < kmax; j++) {
                VectorMask<Long> inj = ln.compare(VectorOperators.GT, (long) j);
                if (!inj.anyTrue()) break;
                VectorMask<Double> in = inj.cast(S);
                DoubleVector v = DoubleVector.fromArray(S, B, j, rel, m, in).blend(NEG_INF, in.not());
                VectorMask<Double> take = v.compare(VectorOperators.GT, a).or(v.test(VectorOperators.IS_NAN));
                a = a.blend(v, take);
                ord = ord.blend((long) j, take.cast(IS));
            }
            merge(a, LongVector.fromArray(IS, relI, m).add(ord), hi, lo, m, first, b);
        }
    }

    /** Merges one row's maxima into the piece's best: replaces where first, else where greater or NaN. */
    private static void merge(DoubleVector a, LongVector col, long hi, long lo, int m, boolean first, Task b) {
        if (first) {
            a.intoArray(b.bestV, m);
            col.intoArray(b.bestCol, m);
            LongVector.broadcast(IS, hi).intoArray(b.bestHi, m);
            LongVector.broadcast(IS, lo).intoArray(b.bestLo, m);
            return;
        }
        DoubleVector best = DoubleVector.fromArray(S, b.bestV, m);
        VectorMask<Double> take = a.compare(VectorOperators.GT, best).or(a.test(VectorOperators.IS_NAN));
        if (!take.anyTrue()) return;
        VectorMask<Long> t = take.cast(IS);
        best.blend(a, take).intoArray(b.bestV, m);
        LongVector.fromArray(IS, b.bestCol, m).blend(col, t).intoArray(b.bestCol, m);
        LongVector.fromArray(IS, b.bestHi, m).blend(hi, t).intoArray(b.bestHi, m);
        LongVector.fromArray(IS, b.bestLo, m).blend(lo, t).intoArray(b.bestLo, m);
    }

    /** Windows too wide or strides too long for a piece: each output from the input, row runs reduced with vectors. */
    private static void directChannelsFirst(PoolGeometry g, DenseTensor x, DenseTensor y, DenseTensor idx, Execution ex) {
        long outputs = g.planes * g.outPlane;
        int tasks = tasks(outputs, ex);
        ex.forEach(tasks, (task, sc) -> {
            Task b = new Task(g, sc);
            PoolGeometry.Axis a = g.axis[g.last];
            MemorySegment xs = x.seg();
            for (long e = PoolGeometry.part(outputs, task, tasks), end = PoolGeometry.part(outputs, task + 1, tasks); e < end; e++) {
                long p = e / g.outPlane;
                g.position(e % g.outPlane, b.o, g.rank);
                long xb = x.base() + p * g.plane, first = a.firstPos(b.o[g.last]), n = a.count(b.o[g.last]);
                PoolGeometry.Walk walk = g.windowRows(b.o, b.rows);
                if (g.max) {
                    double best = NEG_INF;
                    long arg = -1;
                    for (int nr; n > 0 && (nr = walk.fill(b.rowOff, g.limits.rowGroup())) > 0; ) {
                        for (int r = 0; r < nr; r++) {
                            long at = b.rowOff[r] + first;
                            long j = at + runArgmax(xs, xb + at, n, a.step, g.limits.ordinalBlock(), b) * a.step;
                            double v = xs.getAtIndex(LAYOUT, xb + j);
                            if (arg < 0 || v > best || v != v) {
                                best = v;
                                arg = j;
                            }
                        }
                    }
                    y.seg().setAtIndex(LAYOUT, y.base() + e, best);
                    if (idx != null) idx.seg().set(INDEX, (idx.base() + e) * 8, arg);
                } else {
                    double sum = 0;
                    for (int nr; n > 0 && (nr = walk.fill(b.rowOff, g.limits.rowGroup())) > 0; ) {
                        for (int r = 0; r < nr; r++) sum += runSum(xs, xb + b.rowOff[r] + first, n, a.step, b);
                    }
                    long div = g.divisor(b.o, g.rank);
                    y.seg().setAtIndex(LAYOUT, y.base() + e, div == 0 ? 0 : sum / div);
                }
            }
        }, x.tensor(), y.tensor(), idx == null ? null : idx.tensor());
    }

    /**
     * The index {@code j < n} of the first maximum of {@code x[at + j*step]}, a NaN taking over (the
     * last NaN wins). Unit steps use vectors: each lane keeps its first maximum with its vector ordinal
     * (an int: blocks of at most {@code block} elements), then lanes and blocks merge in position order.
     */
    private static long runArgmax(MemorySegment x, long at, long n, long step, long block, Task b) {
        long arg = 0;
        double m = x.getAtIndex(LAYOUT, at);
        long nv = 0;
        if (step == 1 && n >= 2L * L) {
            arg = -1;
            m = NEG_INF;
            nv = n / L * L;
            long blockLen = Math.max(L, Math.min(block, (long) Integer.MAX_VALUE) / L * L);
            for (long b0 = 0; b0 < nv; b0 += blockLen) {
                int vecs = (int) (Math.min(blockLen, nv - b0) / L);
                long base = at + b0;
                DoubleVector vm = load(x, base);
                LongVector va = LongVector.zero(IS);
                for (int i = 1; i < vecs; i++) {
                    DoubleVector e = load(x, base + (long) i * L);
                    VectorMask<Double> take = e.compare(VectorOperators.GT, vm).or(e.test(VectorOperators.IS_NAN));
                    vm = vm.blend(e, take);
                    va = va.blend((long) i, take.cast(IS));
                }
                vm.intoArray(b.lanes, 0);
                va.intoArray(b.ords, 0);
                for (int l = 0; l < L; l++) {
                    long pos = b0 + (long) b.ords[l] * L + l;
                    double e = b.lanes[l];
                    boolean better = arg < 0 || (e != e ? (m == m || pos > arg) : (m == m && (e > m || (e == m && pos < arg))));
                    if (better) {
                        m = e;
                        arg = pos;
                    }
                }
            }
        }
        for (long j = Math.max(1, nv); j < n; j++) {
            double e = x.getAtIndex(LAYOUT, at + j * step);
            if (e > m || e != e) {
                m = e;
                arg = j;
            }
        }
        return arg;
    }

    /** The sum of {@code x[at + j*step]}, {@code j < n}: vector lanes (in lane order) then the rest, for unit steps. */
    private static double runSum(MemorySegment x, long at, long n, long step, Task b) {
        double s = 0;
        long j = 0;
        if (step == 1 && n >= L) {
            DoubleVector acc = DoubleVector.zero(S);
            for (; j <= n - L; j += L) acc = acc.add(load(x, at + j));
            acc.intoArray(b.lanes, 0);
            for (int l = 0; l < L; l++) s += b.lanes[l];
        }
        for (; j < n; j++) s += x.getAtIndex(LAYOUT, at + j * step);
        return s;
    }

    // ------------------------------------------------------------------ global pooling, channels-first

    private static void globalChannelsFirst(PoolGeometry g, DenseTensor x, DenseTensor y, DenseTensor idx, Execution ex) {
        long planes = g.planes, n = g.plane;
        int tasks = tasks(planes, ex);
        ex.forEach(tasks, (task, sc) -> {
            Task b = new Task(g, sc);
            MemorySegment xs = x.seg(), ys = y.seg();
            long p = PoolGeometry.part(planes, task, tasks), end = PoolGeometry.part(planes, task + 1, tasks);
            if (idx == null && n >= L && n <= BATCH_PLANE) {
                double[] buf = sc.doubles("pool.transpose", L * L);
                for (; p < end; p += L) globalBatch(g, (int) n, xs, x.base() + p * n, (int) Math.min(L, end - p), ys, y.base() + p, buf, b);
                return;
            }
            for (; p < end; p++) {
                long xb = x.base() + p * n;
                if (g.max) {
                    long j = runArgmax(xs, xb, n, 1, g.limits.ordinalBlock(), b);
                    ys.setAtIndex(LAYOUT, y.base() + p, xs.getAtIndex(LAYOUT, xb + j));
                    if (idx != null) idx.seg().set(INDEX, (idx.base() + p) * 8, j);
                } else {
                    ys.setAtIndex(LAYOUT, y.base() + p, runSum(xs, xb, n, 1, b) / n);
                }
            }
        }, x.tensor(), y.tensor(), idx == null ? null : idx.tensor());
    }

    /** {@code p * L} for lane p: gathers lane l of L stored vectors. */
    private static final int[] TRANSPOSE = new int[L];

    static {
        for (int p = 0; p < L; p++) TRANSPOSE[p] = p * L;
    }

    /**
     * Global average or max of {@code count <= L} contiguous planes of {@code n >= L} elements each.
     * Each plane is reduced to one vector (its last vector overlaps the one before, the repeated lanes
     * blended away), the L vectors are stored and read back transposed, and lane p reduces plane p's
     * lanes in lane order: the same order for any batching. Max planes with NaN or -0.0 are redone
     * exactly in plane order.
     */
    private static void globalBatch(PoolGeometry g, int n, MemorySegment x, long xb, int count, MemorySegment y, long yb, double[] buf, Task b) {
        boolean max = g.max;
        VectorMask<Double> fresh = S.indexInRange(0, L).andNot(S.indexInRange(0, L - n % L)); // the lanes the vector before did not read
        double empty = max ? NEG_INF : 0;
        long flagged = 0;
        for (int p = 0; p < count; p++) {
            long at = xb + (long) p * n;
            DoubleVector acc = load(x, at), sum = acc;
            LongVector low = acc.reinterpretAsLongs();
            int i = L;
            for (; i <= n - L; i += L) {
                DoubleVector e = load(x, at + i);
                if (max) {
                    acc = acc.blend(e, e.compare(VectorOperators.GT, acc));
                    sum = sum.add(e);
                    low = low.min(e.reinterpretAsLongs());
                } else {
                    acc = acc.add(e);
                }
            }
            if (i < n) {
                DoubleVector e = DoubleVector.broadcast(S, empty).blend(load(x, at + n - L), fresh);
                if (max) {
                    acc = acc.blend(e, e.compare(VectorOperators.GT, acc));
                    sum = sum.add(e.blend(0, fresh.not()));
                    low = low.min(e.blend(0, fresh.not()).reinterpretAsLongs());
                } else {
                    acc = acc.add(e);
                }
            }
            if (max && (sum.test(VectorOperators.IS_NAN).anyTrue() || low.compare(VectorOperators.EQ, Long.MIN_VALUE).anyTrue())) {
                flagged |= 1L << p;
            }
            acc.intoArray(buf, p * L);
        }
        DoubleVector r = DoubleVector.fromArray(S, buf, 0, TRANSPOSE, 0);
        for (int l = 1; l < L; l++) {
            DoubleVector e = DoubleVector.fromArray(S, buf, l, TRANSPOSE, 0);
            r = max ? r.blend(e, e.compare(VectorOperators.GT, r)) : r.add(e);
        }
        if (!max) r = r.div(n);
        if (count == L) r.intoMemorySegment(y, yb * ES, ORDER);
        else r.intoMemorySegment(y, yb * ES, ORDER, S.indexInRange(0, count));
        for (int p = 0; flagged != 0 && p < count; p++) {
            if ((flagged & (1L << p)) == 0) continue;
            long at = xb + (long) p * n;
            y.setAtIndex(LAYOUT, yb + p, x.getAtIndex(LAYOUT, at + runArgmax(x, at, n, 1, g.limits.ordinalBlock(), b)));
        }
    }

    // ------------------------------------------------------------------ channels-first backward

    /** Max pooling backward, channels-first: each box of gx gathers the gradients whose argmax it holds, in output order. */
    static void maxBackwardChannelsFirst(PoolGeometry g, DenseTensor idx, DenseTensor gy, DenseTensor gx, Execution ex) {
        long[] boxes = g.boxes(1);
        long work = g.planes * boxes[2];
        int tasks = tasks(work, ex);
        ex.forEach(tasks, (task, sc) -> {
            Task b = new Task(g, sc);
            b.backward();
            for (long wk = PoolGeometry.part(work, task, tasks), end = PoolGeometry.part(work, task + 1, tasks); wk < end; wk++) {
                long p = wk / boxes[2];
                g.box(wk % boxes[2], boxes, b.lo, b.hi, b.range);
                long lo = b.range[0], hi = b.range[1];
                if (boxes[2] == 1) { // the box is the plane: every output in order straight into gx (indices are checked)
                    long at = p * g.outPlane, gb = gx.base() + p * g.plane;
                    gx.seg().asSlice(gb * ES, g.plane * ES).fill((byte) 0); // a native fill
                    scatterInto(idx.seg(), idx.base() + at, gy.seg(), gy.base() + at, g.outPlane, gx.seg(), gb, b);
                    continue;
                }
                Arrays.fill(b.acc, 0, (int) (hi - lo), 0);
                if (touchingRows(g, b)) {
                    long n = b.oHi[g.last] - b.oLo[g.last];
                    do {
                        long at = p * g.outPlane + rowOffset(g, b.o) + b.oLo[g.last];
                        scatter(idx.seg(), idx.base() + at, gy.seg(), gy.base() + at, n, lo, hi, b.acc, b);
                    } while (PoolGeometry.next(b.o, b.oLo, b.oHi, g.last));
                }
                storeValues(b.acc, 0, gx.seg(), gx.base() + p * g.plane + lo, hi - lo);
            }
        }, idx.tensor(), gy.tensor(), gx.tensor());
    }

    /** The outputs touching the task's box; false if none. Sets {@code b.o} to the first output row. */
    private static boolean touchingRows(PoolGeometry g, Task b) {
        g.touching(b.lo, b.hi, b.oLo, b.oHi);
        for (int d = 0; d < g.rank; d++) if (b.oLo[d] >= b.oHi[d]) return false;
        System.arraycopy(b.oLo, 0, b.o, 0, g.rank);
        return true;
    }

    /** The offset of output row {@code o} (dimensions but the last) in an output plane. */
    private static long rowOffset(PoolGeometry g, long[] o) {
        long r = 0;
        for (int d = 0; d < g.last; d++) r += o[d] * g.outStride[d];
        return r;
    }

    /** {@code gx[gb + idx[e]] += gy[e]} for {@code e < n} in order (-1 skips), idx and gy staged by bulk copies. */
    private static void scatterInto(MemorySegment idx, long ib, MemorySegment gy, long yb, long n, MemorySegment gx, long gb, Task b) {
        long[] ix = b.stageIdx;
        double[] gv = b.stageGy;
        for (long e0 = 0; e0 < n; e0 += ix.length) {
            int m = (int) Math.min(ix.length, n - e0);
            MemorySegment.copy(idx, INDEX, (ib + e0) * 8, ix, 0, m);
            MemorySegment.copy(gy, LAYOUT, (yb + e0) * ES, gv, 0, m);
            for (int e = 0; e < m; e++) {
                long at = ix[e];
                if (at >= 0) gx.setAtIndex(LAYOUT, gb + at, gx.getAtIndex(LAYOUT, gb + at) + gv[e]);
            }
        }
    }

    /**
     * {@code acc[idx[e] * c + e % c] += gy[e]} for {@code e < n} (a whole plane's or image's outputs,
     * {@code c} channels interleaved; -1 skips), staged by bulk copies.
     */
    private static void scatter(MemorySegment idx, long ib, MemorySegment gy, long yb, long n, int c, double[] acc, Task b) {
        long[] ix = b.stageIdx;
        double[] gv = b.stageGy;
        int chunk = ix.length / c * c, k = 0;
        for (long e0 = 0; e0 < n; e0 += chunk) {
            int m = (int) Math.min(chunk, n - e0);
            MemorySegment.copy(idx, INDEX, (ib + e0) * 8, ix, 0, m);
            MemorySegment.copy(gy, LAYOUT, (yb + e0) * ES, gv, 0, m);
            for (int e = 0; e < m; e++) {
                long at = ix[e];
                if (at >= 0) acc[(int) (at * c + k)] += gv[e];
                if (++k == c) k = 0;
            }
        }
    }

    private static void scatter(MemorySegment idx, long ib, MemorySegment gy, long yb, long n, long lo, long hi, double[] acc, Task b) {
        long[] ix = b.stageIdx;
        double[] gv = b.stageGy;
        for (long i0 = 0; i0 < n; i0 += ix.length) { // staged by bulk copies: no per-element segment checks
            int m = (int) Math.min(ix.length, n - i0);
            MemorySegment.copy(idx, INDEX, (ib + i0) * 8, ix, 0, m);
            MemorySegment.copy(gy, LAYOUT, (yb + i0) * ES, gv, 0, m);
            for (int i = 0; i < m; i++) {
                long at = ix[i];
                if (at >= lo && at < hi) acc[(int) (at - lo)] += gv[i];
            }
        }
    }

    /** Average pooling backward, channels-first: per box, the touching outputs' divided gradients spread over their windows, in output order. */
    static void avgBackwardChannelsFirst(PoolGeometry g, DenseTensor gy, DenseTensor gx, Execution ex) {
        if (g.global) {
            int tasks = tasks(g.planes, ex);
            ex.forEach(tasks, (task, sc) -> {
                for (long p = PoolGeometry.part(g.planes, task, tasks), end = PoolGeometry.part(g.planes, task + 1, tasks); p < end; p++) {
                    fill(gx.seg(), gx.base() + p * g.plane, g.plane, gy.seg().getAtIndex(LAYOUT, gy.base() + p) / g.plane);
                }
            }, gy.tensor(), gx.tensor());
            return;
        }
        long[] boxes = g.boxes(1);
        long work = g.planes * boxes[2];
        int tasks = tasks(work, ex);
        ex.forEach(tasks, (task, sc) -> {
            Task b = new Task(g, sc);
            b.backward();
            for (long wk = PoolGeometry.part(work, task, tasks), end = PoolGeometry.part(work, task + 1, tasks); wk < end; wk++) {
                long p = wk / boxes[2];
                g.box(wk % boxes[2], boxes, b.lo, b.hi, b.range);
                long lo = b.range[0], hi = b.range[1];
                if (boxes[2] == 1 && g.disjoint && g.inner == PoolGeometry.Inner.REGULAR && g.rowTaps != null) {
                    // windows apart, the box is the plane: each spread row stored straight into its input rows
                    long gb = gx.base() + p * g.plane;
                    gx.seg().asSlice(gb * ES, g.plane * ES).fill((byte) 0);
                    if (touchingRows(g, b)) avgBoxRows(g, gy.seg(), gy.base() + p * g.outPlane, lo, b, gx.seg(), gb);
                    continue;
                }
                Arrays.fill(b.acc, 0, (int) (hi - lo), 0);
                if (touchingRows(g, b)) {
                    if (g.inner == PoolGeometry.Inner.REGULAR) avgBoxRows(g, gy.seg(), gy.base() + p * g.outPlane, lo, b, null, 0);
                    else avgBoxTaps(g, gy.seg(), gy.base() + p * g.outPlane, lo, 1, 1, b);
                }
                storeValues(b.acc, 0, gx.seg(), gx.base() + p * g.plane + lo, hi - lo);
            }
        }, gy.tensor(), gx.tensor());
    }

    /**
     * One box, regular windows: per touching output row, its divided gradient is spread along the row
     * with vectors (the adjoint of H) and added to each of its window's rows in the box (the adjoint of V).
     */
    private static void avgBoxRows(PoolGeometry g, MemorySegment gy, long yb, long lo, Task b, MemorySegment gx, long gb) {
        int last = g.last, s = g.s;
        long oa = b.oLo[last];
        int n = (int) (b.oHi[last] - oa);
        long c0 = oa * s - g.pb;
        int span = (int) ((n - 1L) * s + g.effk);
        long cLo = Math.max(b.lo[last], Math.max(0, c0)), cHi = Math.min(b.hi[last], Math.min(g.w, c0 + span));
        if (cLo >= cHi) return;
        if (!g.uniformDivisor) {
            b.divFor = -1;
            b.prepareDivisors(oa, n);
        }
        int blocks = Math.ceilDiv(Math.ceilDiv(span, s), L), reach = s == 1 ? span : blocks * L;
        boolean whole = lo == 0 && b.range[1] == g.plane && g.rowTaps != null;
        Arrays.fill(b.G, 0, b.g0, 0); // taps before the first output read zeros
        do {
            double outer = g.uniformDivisor ? (double) g.divisor0 : (double) g.divisor(b.o, last);
            loadDivided(gy, yb + rowOffset(g, b.o) + oa, n, b.G, b.g0, g.uniformDivisor ? null : b.innerDiv, outer);
            Arrays.fill(b.G, b.g0 + Math.ceilDiv(n, L) * L, b.g0 + reach + 2 * L, 0);
            spread(g, b, span, blocks);
            if (whole) { // the box is the plane: the window rows from the geometry's table
                int r = (int) (rowOffset(g, b.o) / g.ow);
                for (int t = g.rowStart[r]; t < g.rowStart[r + 1]; t++) {
                    if (gx != null) storeValues(b.Bg, (int) (cLo - c0), gx, gb + g.rowTaps[t] + cLo, cHi - cLo); // the only contribution
                    else addRow(b.Bg, (int) (cLo - c0), b.acc, (int) (g.rowTaps[t] + cLo), (int) (cHi - cLo));
                }
            } else {
                PoolGeometry.Walk walk = g.window(b.o, b.lo, b.hi, last, 1, b.rows);
                for (int nr; (nr = walk.fill(b.rowOff, g.limits.rowGroup())) > 0; ) {
                    for (int r = 0; r < nr; r++) addRow(b.Bg, (int) (cLo - c0), b.acc, (int) (b.rowOff[r] + cLo - lo), (int) (cHi - cLo));
                }
            }
        } while (PoolGeometry.next(b.o, b.oLo, b.oHi, last));
    }

    /** {@code G[go + m] = gy[at + m] / (div[m] * outer)} (0 for a zero divisor) for {@code m < n}, zeros up to the next whole vector. */
    private static void loadDivided(MemorySegment gy, long at, int n, double[] G, int go, double[] div, double outer) {
        int i = 0;
        for (; i <= n - L; i += L) {
            DoubleVector d = div == null ? DoubleVector.broadcast(S, outer) : DoubleVector.fromArray(S, div, i).mul(outer);
            load(gy, at + i).div(d).blend(0, d.compare(VectorOperators.EQ, 0)).intoArray(G, go + i);
        }
        if (i < n) {
            VectorMask<Double> k = S.indexInRange(i, n);
            DoubleVector d = div == null ? DoubleVector.broadcast(S, outer) : DoubleVector.fromArray(S, div, i).mul(outer);
            masked(gy, at + i, k).div(d).blend(0, d.compare(VectorOperators.EQ, 0).or(k.not())).intoArray(G, go + i);
        }
    }

    /** The adjoint of H: {@code Bg[u] = sum of G[g0 + m]} over outputs m and taps t with {@code m*s + t*dil = u}, {@code u < span}. */
    private static void spread(PoolGeometry g, Task b, int span, int blocks) {
        double[] G = b.G, out = b.Bg;
        int g0 = b.g0;
        if (g.s == 1) {
            int k = g.k, dil = g.dil;
            for (int u = 0; u < span; u += L) {
                DoubleVector a = DoubleVector.fromArray(S, G, g0 + u);
                for (int t = 1; t < k; t++) a = a.add(DoubleVector.fromArray(S, G, g0 + u - t * dil));
                a.intoArray(out, u);
            }
            return;
        }
        if (g.s == 2 && g.effk <= 2) { // taps at 0 (and 1): each gradient at 2m (and 2m + 1)
            DoubleVector zero = DoubleVector.zero(S);
            for (int i = 0; i < blocks * L; i += L) {
                DoubleVector e = DoubleVector.fromArray(S, G, g0 + i), od = g.k == 2 ? e : zero;
                ZIP_LO.selectFrom(e, od).intoArray(out, 2 * i);
                ZIP_HI.selectFrom(e, od).intoArray(out, 2 * i + L);
            }
            return;
        }
        int s = g.s, phLen = b.phLenB;
        double[] ph = b.PHb;
        for (int p = 0; p < s; p++) Arrays.fill(ph, p * phLen, p * phLen + blocks * L, 0);
        for (int q = 0; q < g.slotPhase.length; q++) {
            int[] shifts = b.slotShifts[q];
            int to = g.slotPhase[q] * phLen;
            for (int i = 0; i < blocks * L; i += L) {
                DoubleVector a = DoubleVector.fromArray(S, G, g0 + i - shifts[0]);
                for (int t = 1; t < shifts.length; t++) a = a.add(DoubleVector.fromArray(S, G, g0 + i - shifts[t]));
                a.intoArray(ph, to + i);
            }
        }
        interleave(s, ph, phLen, out, blocks);
    }

    /**
     * One box, any windows: per touching output (row-major), its divided gradient added at each of
     * its taps in the box; {@code unit} elements per position, {@code kc} of them (from channel
     * {@code k0}) accumulated: channels-first 1 and 1.
     */
    private static void avgBoxTaps(PoolGeometry g, MemorySegment gy, long yb, long lo, long unit, int kc, Task b) {
        do {
            long div = g.divisor(b.o, g.rank);
            if (div == 0) continue;
            long op = 0, start = 0;
            boolean full = g.windowOffsets != null && lo == 0 && b.range[1] == g.plane;
            for (int d = 0; d < g.rank; d++) {
                op += b.o[d] * g.outStride[d];
                full &= g.axis[d].count(b.o[d]) == g.axis[d].k;
                start += g.axis[d].start(b.o[d]) * g.inStride[d];
            }
            if (full && kc > 1) { // the window is inside the box (the whole plane): its taps from the window offsets
                loadDivided(gy, yb + op * unit, kc, b.gv, 0, null, (double) div);
                for (long t : g.windowOffsets) addRow(b.gv, 0, b.acc, (int) ((start + t) * kc), kc);
                continue;
            }
            PoolGeometry.Walk walk = g.window(b.o, b.lo, b.hi, g.rank, 1, b.taps);
            if (kc == 1 && unit == 1) {
                double v = (double) (gy.getAtIndex(LAYOUT, yb + op) / div);
                for (int nt; (nt = walk.fill(b.rowOff, g.limits.rowGroup())) > 0; ) {
                    for (int t = 0; t < nt; t++) b.acc[(int) (b.rowOff[t] - lo)] += v;
                }
            } else {
                loadDivided(gy, yb + op * unit, kc, b.gv, 0, null, (double) div);
                for (int nt; (nt = walk.fill(b.rowOff, g.limits.rowGroup())) > 0; ) {
                    for (int t = 0; t < nt; t++) addRow(b.gv, 0, b.acc, (int) ((b.rowOff[t] - lo) * kc), kc);
                }
            }
        } while (PoolGeometry.next(b.o, b.oLo, b.oHi, g.rank));
    }

    // ------------------------------------------------------------------ channels-last

    /** Forward pass, channels-last: per output position, vectors across channels; tasks over images and output rows. */
    static void forwardChannelsLast(PoolGeometry g, DenseTensor x, DenseTensor y, DenseTensor idx, Execution ex) {
        long c = g.channels, work = g.batch * g.rows;
        int tasks = tasks(work, ex);
        ex.forEach(tasks, (task, sc) -> {
            Task b = new Task(g, sc);
            b.channelsLast((int) Math.min(c, g.limits.channelBlock()));
            for (long wk = PoolGeometry.part(work, task, tasks), end = PoolGeometry.part(work, task + 1, tasks); wk < end; wk++) {
                long n = wk / g.rows, r = wk % g.rows;
                g.position(r, b.o, g.last);
                boolean outerFull = g.windowOffsets != null;
                long start = 0;
                for (int d = 0; d < g.last; d++) {
                    outerFull &= g.axis[d].count(b.o[d]) == g.axis[d].k;
                    start += g.axis[d].start(b.o[d]) * g.inStride[d];
                }
                long xb = x.base() + n * g.plane * c;
                for (long ol = 0; ol < g.ow; ol++) {
                    b.o[g.last] = ol;
                    long yo = (n * g.outPlane + r * g.ow + ol) * c;
                    boolean full = outerFull && g.innerFull(ol);
                    if (full && idx == null && c >= L) { // a run of whole windows: no per-output set-up
                        long run = ol + 1;
                        while (run < g.ow && g.innerFull(run)) run++;
                        clWholeRun(g.max, x.seg(), xb + (start + g.axis[g.last].start(ol)) * c, g.windowOffsetsChannelsLast, c,
                                g.axis[g.last].stride * c, run - ol, y.seg(), y.base() + yo);
                        ol = run - 1;
                        continue;
                    }
                    clOutput(g, x.seg(), xb, full ? start + g.axis[g.last].start(ol) : -1, y.seg(), y.base() + yo,
                            idx == null ? null : idx.seg(), idx == null ? 0 : idx.base() + yo, b);
                }
            }
        }, x.tensor(), y.tensor(), idx == null ? null : idx.tensor());
    }

    /** One output position, channels-last; {@code start} is the position of a whole window's first tap, or -1. */
    private static void clOutput(PoolGeometry g, MemorySegment x, long xb, long start, MemorySegment y, long yb, MemorySegment idx, long ib,
                                 Task b) {
        long c = g.channels;
        long[] pos = b.tapPos, off = b.tapOff;
        int nt;
        long div;
        if (start >= 0) { // a whole window: the shared offsets from its first tap; its divisor is its tap count
            off = g.windowOffsetsChannelsLast;
            nt = off.length;
            xb += start * c;
            if (idx != null) for (int t = 0; t < nt; t++) pos[t] = start + g.windowOffsets[t];
            div = nt;
        } else {
            PoolGeometry.Walk walk = g.window(b.o, null, null, g.rank, 1, b.taps);
            if (walk.total() > g.limits.tapGroup()) {
                clGroups(g, x, xb, y, yb, idx, ib, b);
                return;
            }
            nt = walk.fill(pos, g.limits.tapGroup());
            for (int t = 0; t < nt; t++) off[t] = pos[t] * c;
            div = g.max ? 0 : g.divisor(b.o, g.rank);
        }
        if (c < L) {
            clVector(g, x, xb, off, pos, nt, y, yb, idx, ib, div, S.indexInRange(0, (int) c), (int) c, b);
            return;
        }
        for (long k = 0; ; k += L) { // the last vector overlaps the one before: the same values again
            if (k > c - L) k = c - L;
            clVector(g, x, xb + k, off, pos, nt, y, yb + k, idx, ib + k, div, null, L, b);
            if (k == c - L) return;
        }
    }

    /** One vector of channels (masked by {@code mask}, if not null, to {@code lanes}) of one output position. */
    private static void clVector(PoolGeometry g, MemorySegment x, long xb, long[] off, long[] pos, int nt, MemorySegment y, long yb,
                                 MemorySegment idx, long ib, long div, VectorMask<Double> mask, int lanes, Task b) {
        DoubleVector m;
        if (g.max) {
            if (nt == 0) m = DoubleVector.broadcast(S, NEG_INF);
            else if (idx == null) m = clMax(x, xb, off, nt, mask);
            else m = clArgmax(x, xb, off, nt, mask, b.ords);
            if (idx != null) {
                for (int l = 0; l < lanes; l++) b.lanePos[l] = nt == 0 ? -1 : pos[(int) b.ords[l]];
                MemorySegment.copy(b.lanePos, 0, idx, INDEX, ib * 8, lanes);
            }
        } else {
            DoubleVector s = DoubleVector.zero(S);
            for (int t = 0; t < nt; t++) s = s.add(load(x, xb + off[t], mask));
            m = div == 0 ? DoubleVector.zero(S) : s.div((double) div);
        }
        store(m, y, yb, mask);
    }

    /**
     * The max over taps of one channel vector. Compare-and-blend on "greater" in tap (row-major)
     * order is exact without NaN; a running sum of the taps (NaN if any tap is NaN, or both infinities
     * appear) sends the rare rest to the NaN-taking blend.
     */
    private static DoubleVector clMax(MemorySegment x, long at, long[] off, int nt, VectorMask<Double> mask) {
        DoubleVector m = load(x, at + off[0], mask), sum = m;
        for (int t = 1; t < nt; t++) {
            DoubleVector v = load(x, at + off[t], mask);
            m = m.blend(v, v.compare(VectorOperators.GT, m));
            sum = sum.add(v);
        }
        if (!sum.test(VectorOperators.IS_NAN).anyTrue()) return m;
        m = load(x, at + off[0], mask);
        for (int t = 1; t < nt; t++) {
            DoubleVector v = load(x, at + off[t], mask);
            m = m.blend(v, v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN)));
        }
        return m;
    }

    /**
     * Max without indices, or mean, over {@code count} whole windows of one output row, the first window's first
     * tap at {@code xb}, the next {@code step} elements on, outputs {@code c} apart from {@code yb} ({@code c >= L}).
     * Four channel vectors at a time, so that their chains (latency-bound, one link per tap) overlap; the rest one
     * vector at a time, the last one overlapping. Each lane's operations are those of {@link #clVector}: the same bits.
     */
    private static void clWholeRun(boolean max, MemorySegment x, long xb, long[] off, long c, long step, long count, MemorySegment y,
                                   long yb) {
        for (long p = 0; p < count; p++, xb += step, yb += c) {
            long k = 0;
            for (; k <= c - 4 * L; k += 4 * L) {
                if (!max) clMean4(x, xb + k, off, y, yb + k);
                else if (!clMax4(x, xb + k, off, y, yb + k)) {
                    for (int j = 0; j < 4; j++) store(clMax(x, xb + k + j * L, off, off.length, null), y, yb + k + j * L, null);
                }
            }
            while (k < c) {
                long at = Math.min(k, c - L);
                store(max ? clMax(x, xb + at, off, off.length, null) : clMean(x, xb + at, off), y, yb + at, null);
                k = at + L;
            }
        }
    }

    /** The mean over a whole window's taps of one channel vector: a sum from zero in tap order, divided by the tap count. */
    private static DoubleVector clMean(MemorySegment x, long at, long[] off) {
        DoubleVector s = DoubleVector.zero(S);
        for (long o : off) s = s.add(load(x, at + o));
        return s.div((double) off.length);
    }

    /** {@link #clMean} of four consecutive channel vectors, stored from {@code yb}. */
    private static void clMean4(MemorySegment x, long at, long[] off, MemorySegment y, long yb) {
        DoubleVector s0 = DoubleVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        for (long t : off) {
            long o = at + t;
            s0 = s0.add(load(x, o));
            s1 = s1.add(load(x, o + L));
            s2 = s2.add(load(x, o + 2 * L));
            s3 = s3.add(load(x, o + 3 * L));
        }
        double n = off.length;
        s0.div(n).intoMemorySegment(y, yb * ES, ORDER);
        s1.div(n).intoMemorySegment(y, (yb + L) * ES, ORDER);
        s2.div(n).intoMemorySegment(y, (yb + 2 * L) * ES, ORDER);
        s3.div(n).intoMemorySegment(y, (yb + 3 * L) * ES, ORDER);
    }

    /**
     * {@link #clMax} of four consecutive channel vectors, stored from {@code yb}; false, with nothing stored,
     * if a running sum flags a NaN (or opposite infinities), for {@link #clMax} to redo exactly.
     */
    private static boolean clMax4(MemorySegment x, long at, long[] off, MemorySegment y, long yb) {
        long o = at + off[0];
        DoubleVector m0 = load(x, o), m1 = load(x, o + L), m2 = load(x, o + 2 * L), m3 = load(x, o + 3 * L);
        DoubleVector s0 = m0, s1 = m1, s2 = m2, s3 = m3;
        for (int t = 1; t < off.length; t++) {
            o = at + off[t];
            DoubleVector v0 = load(x, o), v1 = load(x, o + L), v2 = load(x, o + 2 * L), v3 = load(x, o + 3 * L);
            m0 = m0.blend(v0, v0.compare(VectorOperators.GT, m0));
            m1 = m1.blend(v1, v1.compare(VectorOperators.GT, m1));
            m2 = m2.blend(v2, v2.compare(VectorOperators.GT, m2));
            m3 = m3.blend(v3, v3.compare(VectorOperators.GT, m3));
            s0 = s0.add(v0);
            s1 = s1.add(v1);
            s2 = s2.add(v2);
            s3 = s3.add(v3);
        }
        if (s0.add(s1).add(s2.add(s3)).test(VectorOperators.IS_NAN).anyTrue()) return false;
        m0.intoMemorySegment(y, yb * ES, ORDER);
        m1.intoMemorySegment(y, (yb + L) * ES, ORDER);
        m2.intoMemorySegment(y, (yb + 2 * L) * ES, ORDER);
        m3.intoMemorySegment(y, (yb + 3 * L) * ES, ORDER);
        return true;
    }

    /** The max over taps of one channel vector with the ordinal of its tap (into {@code ords}): first maximum, the last NaN. */
    private static DoubleVector clArgmax(MemorySegment x, long at, long[] off, int nt, VectorMask<Double> mask, long[] ords) {
        DoubleVector m = load(x, at + off[0], mask);
        LongVector a = LongVector.zero(IS);
        for (int t = 1; t < nt; t++) {
            DoubleVector v = load(x, at + off[t], mask);
            VectorMask<Double> take = v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN));
            m = m.blend(v, take);
            a = a.blend((long) t, take.cast(IS));
        }
        a.intoArray(ords, 0);
        return m;
    }

    /** One output position whose window has more taps than a group: channel blocks, taps in groups merged in order. */
    private static void clGroups(PoolGeometry g, MemorySegment x, long xb, MemorySegment y, long yb, MemorySegment idx, long ib, Task b) {
        long c = g.channels;
        int block = g.limits.channelBlock();
        long[] pos = b.tapPos, off = b.tapOff;
        long div = g.max ? 0 : g.divisor(b.o, g.rank);
        for (long k0 = 0; k0 < c; k0 += block) {
            int kc = (int) Math.min(block, c - k0);
            PoolGeometry.Walk walk = g.window(b.o, null, null, g.rank, 1, b.taps);
            boolean first = true;
            for (int nt; (nt = walk.fill(pos, g.limits.tapGroup())) > 0; first = false) {
                for (int t = 0; t < nt; t++) off[t] = pos[t] * c;
                int k = 0;
                for (; k <= kc - L; k += L) clGroupVector(g, x, xb + k0 + k, off, pos, nt, first, k, L, null, b);
                if (k < kc) clGroupVector(g, x, xb + k0 + k, off, pos, nt, first, k, kc - k, S.indexInRange(0, kc - k), b);
            }
            if (g.max) {
                storeValues(b.accV, 0, y, yb + k0, kc);
                if (idx != null) MemorySegment.copy(b.accP, 0, idx, INDEX, (ib + k0) * 8, kc);
            } else {
                storeMeans(b.accV, 0, y, yb + k0, kc, null, (double) div);
            }
        }
    }

    /** One vector of channels ({@code lanes} of them, from {@code k} in the block) of a tap group, merged into the block's accumulators. */
    private static void clGroupVector(PoolGeometry g, MemorySegment x, long at, long[] off, long[] pos, int nt, boolean first, int k, int lanes,
                                      VectorMask<Double> mask, Task b) {
        if (g.max) {
            clArgmax(x, at, off, nt, mask, b.ords).intoArray(b.lanes, 0);
            for (int l = 0; l < lanes; l++) {
                double v = b.lanes[l];
                if (first || v > b.accV[k + l] || v != v) {
                    b.accV[k + l] = v;
                    b.accP[k + l] = pos[(int) b.ords[l]];
                }
            }
        } else {
            DoubleVector s = first ? DoubleVector.zero(S) : DoubleVector.fromArray(S, b.accV, k);
            for (int t = 0; t < nt; t++) s = s.add(load(x, at + off[t], mask));
            s.intoArray(b.accV, k);
        }
    }

    /**
     * Backward pass, channels-last, for both kinds: tasks over (image, box, channel block); each box
     * accumulates the contributions of the outputs touching it, in output order, then is stored once.
     */
    static void backwardChannelsLast(PoolGeometry g, DenseTensor idx, DenseTensor gy, DenseTensor gx, Execution ex) {
        long c = g.channels;
        int block = (int) Math.min(c, g.limits.channelBlock());
        long blocks = Math.ceilDiv(c, block);
        long[] boxes = g.boxes(block);
        long per = boxes[2] * blocks, work = g.batch * per;
        int tasks = tasks(work, ex);
        ex.forEach(tasks, (task, sc) -> {
            Task b = new Task(g, sc);
            b.channelsLast(block);
            for (long wk = PoolGeometry.part(work, task, tasks), end = PoolGeometry.part(work, task + 1, tasks); wk < end; wk++) {
                long n = wk / per, rem = wk % per, k0 = rem % blocks * block;
                int kc = (int) Math.min(block, c - k0);
                g.box(rem / blocks, boxes, b.lo, b.hi, b.range);
                long lo = b.range[0], hi = b.range[1], gb = gx.base() + n * g.plane * c;
                if (g.global && idx == null) { // every position receives gy / plane: stores only
                    loadDivided(gy.seg(), gy.base() + n * c + k0, kc, b.gv, 0, null, (double) g.plane);
                    for (long p = lo; p < hi; p++) storeValues(b.gv, 0, gx.seg(), gb + p * c + k0, kc);
                    continue;
                }
                Arrays.fill(b.acc, 0, (int) ((hi - lo) * kc), 0);
                if (idx == null && boxes[2] == 1 && kc == c && g.disjoint && g.windowOffsets != null) {
                    // windows apart, the box is the image: each output's divided gradient stored at its taps
                    gx.seg().asSlice(gb * ES, g.plane * c * ES).fill((byte) 0);
                    avgApart(g, gy.seg(), gy.base() + n * g.outPlane * c, gx.seg(), gb, (int) c, b);
                    continue;
                }
                if (idx != null && boxes[2] == 1 && kc == c && c <= b.stageIdx.length) {
                    long at = n * g.outPlane * c;
                    scatter(idx.seg(), idx.base() + at, gy.seg(), gy.base() + at, g.outPlane * c, (int) c, b.acc, b);
                } else if (touchingRows(g, b)) {
                    long yb = n * g.outPlane * c + k0;
                    if (idx == null) avgBoxTaps(g, gy.seg(), gy.base() + yb, lo, c, kc, b);
                    else {
                        do {
                            long op = 0;
                            for (int d = 0; d < g.rank; d++) op += b.o[d] * g.outStride[d];
                            clScatter(idx.seg(), idx.base() + yb + op * c, gy.seg(), gy.base() + yb + op * c, kc, lo, hi, b.acc, b);
                        } while (PoolGeometry.next(b.o, b.oLo, b.oHi, g.rank));
                    }
                }
                if (kc == c) storeValues(b.acc, 0, gx.seg(), gb + lo * c, (hi - lo) * c);
                else for (long p = lo; p < hi; p++) storeValues(b.acc, (int) ((p - lo) * kc), gx.seg(), gb + p * c + k0, kc);
            }
        }, idx == null ? null : idx.tensor(), gy.tensor(), gx.tensor());
    }

    /** Channels-last average backward with windows apart: {@code gx[tap] = gy[o] / divisor} at every inside tap of every output (gx zeroed). */
    private static void avgApart(PoolGeometry g, MemorySegment gy, long yb, MemorySegment gx, long gb, int c, Task b) {
        long[] o = b.o;
        Arrays.fill(o, 0);
        long op = 0;
        do {
            long div = g.divisor(o, g.rank);
            if (div != 0) {
                loadDivided(gy, yb + op * c, c, b.gv, 0, null, (double) div);
                boolean full = true;
                long start = 0;
                for (int d = 0; d < g.rank; d++) {
                    full &= g.axis[d].count(o[d]) == g.axis[d].k;
                    start += g.axis[d].start(o[d]) * g.inStride[d];
                }
                if (full) {
                    for (long t : g.windowOffsets) storeValues(b.gv, 0, gx, gb + (start + t) * c, c);
                } else {
                    PoolGeometry.Walk walk = g.window(o, null, null, g.rank, 1, b.taps);
                    for (int nt; (nt = walk.fill(b.tapPos, g.limits.tapGroup())) > 0; ) {
                        for (int t = 0; t < nt; t++) storeValues(b.gv, 0, gx, gb + b.tapPos[t] * c, c);
                    }
                }
            }
            op++;
        } while (PoolGeometry.next(o, b.zeros, g.out, g.rank));
    }

    /** {@code acc[(idx[k] - lo) * kc + k] += gy[k]} for channels {@code k < kc} whose index lies in {@code [lo, hi)}. */
    private static void clScatter(MemorySegment idx, long ib, MemorySegment gy, long yb, int kc, long lo, long hi, double[] acc, Task b) {
        long[] ix = b.stageIdx;
        double[] gv = b.stageGy;
        MemorySegment.copy(idx, INDEX, ib * 8, ix, 0, kc); // staged by bulk copies: no per-element segment checks
        MemorySegment.copy(gy, LAYOUT, yb * ES, gv, 0, kc);
        for (int k = 0; k < kc; k++) {
            long at = ix[k];
            if (at >= lo && at < hi) acc[(int) ((at - lo) * kc + k)] += gv[k];
        }
    }
}
