package dev.vecnn.kernel.pool;

import dev.vecnn.spec.PoolKind;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.spec.Window;

/**
 * The window arithmetic of any {@link PoolSpec} and the plan the vector kernels follow for it. All
 * sizes and positions are longs and every window quantity is a formula of the output position
 * ({@link Axis}), so no table grows with the problem: any spec whose tensors can exist is planned.
 * Per-task buffers are bounded by {@link Limits}; large rows are cut into tiles, large windows into
 * groups of rows or taps, large planes into boxes.
 *
 * <p>Channels-first forward ({@link Inner}): a plane's output rows (all dimensions but the last) are
 * cut into pieces of at most {@link #tile} outputs. For each piece the window's input rows are
 * combined elementwise into a padded buffer (the "V" stage: max or sum over rows), then the innermost
 * dimension is pooled from it (the "H" stage). In the {@code REGULAR} form tap {@code t} of virtual
 * output {@code m} of a piece reads buffer element {@code m * s + t * dil}, so several pieces stacked
 * {@link #pieceLength} apart form one strided 1-D problem, and short rows fill whole vectors.
 */
final class PoolGeometry {
    /**
     * Sizes of per-task buffers and groups, in elements. The defaults keep a task's working set in L1
     * and L2; tests shrink them to reach every tiling path on small problems.
     *
     * @param piece        largest padded span of one piece (virtual outputs times stride)
     * @param chunk        largest chunk buffer: pieces pooled at once
     * @param rowGroup     window rows combined per pass (more are combined in passes, in the same order)
     * @param tapGroup     window taps listed at once (channels-last and direct kernels)
     * @param box          largest backward accumulation box
     * @param channelBlock channels per backward box (channels-last)
     * @param ordinalBlock positions per block of a global argmax (lane ordinals are ints)
     * @param gatherPlane  largest padded plane of a windowed max pooling whose channels-first forward (with
     *                     argmax, or without it on input rows shorter than a vector) gathers whole windows
     *                     from a heap copy of the plane ({@link #gathered}); 0: never
     */
    record Limits(int piece, int chunk, int rowGroup, int tapGroup, int box, int channelBlock, long ordinalBlock, int gatherPlane) {
        static final Limits DEFAULT = new Limits(2048, 2048, 256, 4096, 1 << 18, 512, 1L << 28, 1 << 15);

        Limits {
            if (piece < 1 || chunk < piece || rowGroup < 1 || tapGroup < 1 || box < 1 || channelBlock < 1 || ordinalBlock < 1
                    || gatherPlane < 0) {
                throw new IllegalArgumentException("limits: " + this);
            }
        }
    }

    /** How the channels-first kernels pool the innermost dimension. */
    enum Inner {
        /** Windows {@code first(o) = o*s - pb}, taps {@code t*dil}: strided vector code over stacked pieces. */
        REGULAR,
        /** Adaptive windows whose sizes vary: per-output start and length, gathered. */
        GATHER,
        /** Windows too wide or strides too long for a piece: each output from the input directly. */
        DIRECT
    }

    final PoolSpec spec;
    final Limits limits;
    final int rank, last;
    final long batch, channels, planes;
    /** Input and output sizes per dimension; strides of one step along each dimension within a plane. */
    final long[] in, out, inStride, outStride;
    final long plane, outPlane, w, ow;
    /** Output rows of a plane: all dimensions but the last. */
    final long rows;
    final boolean max, global;
    final Axis[] axis;

    // ---- channels-first innermost plan
    final Inner inner;
    /** REGULAR: stride, taps, dilation, padding before, extent {@code (k-1)*dil + 1} of the innermost window. */
    final int s, k, dil, effk;
    final long pb;
    /** Outputs per piece, pieces per row, virtual outputs per piece, buffer elements per piece, pieces per chunk. */
    final int tile, vs, pieceLength, chunkPieces;
    final long tiles;
    /** GATHER: largest window. */
    final int kmax;
    /** REGULAR, s >= 2: the phases taps read, and per tap its phase slot and shift ({@code t*dil = shift*s + phase}). */
    final int[] slotPhase, tapSlot, tapShift;
    /** Windowed kinds whose windows never overlap (extent at most the stride along every dimension): each input element has at most one output. */
    final boolean disjoint;
    /** Average kinds whose every divisor is {@link #divisor0}. */
    final boolean uniformDivisor;
    final long divisor0;

    /**
     * When small (at most {@link #ROW_TABLE} entries): output row {@code r}'s window rows start at plane
     * offsets {@code rowTaps[rowStart[r] .. rowStart[r + 1])}, as {@link #windowRows} walks them; else null.
     */
    final int[] rowStart;
    final long[] rowTaps;
    /** The most window rows of any output row in the table. */
    final int maxRows;
    static final int ROW_TABLE = 1 << 16;

    // ---- channels-last
    /** Windowed kinds: a whole window's taps from its first, row-major, in positions; null if too many. */
    final long[] windowOffsets;
    /** {@link #windowOffsets} in elements of a channels-last tensor (times the channels); null with it. */
    final long[] windowOffsetsChannelsLast;

    // ---- channels-first max pooling over small planes, gathered (with argmax; without it on short rows)
    /** Windowed max kinds whose padded plane has at most {@link Limits#gatherPlane} elements; else null. */
    final Gathered gathered;
    /** A multiple of every lane count: {@link Gathered#base} holds whole vectors of outputs. */
    static final int GATHER_ROUND = 64;

    /**
     * A plane padded on every side with enough room for every window (padding and the part of a
     * ceil-mode window past the input), flattened row-major, so that every tap of every window is an
     * index into it: output {@code o}'s tap {@code t} is at {@code base[o] + tapOff[t]}, taps in
     * row-major window order.
     *
     * @param size        padded plane elements
     * @param unpadded    the padded plane is the plane (no padding, every window inside)
     * @param rowAt       padded index of each input row's first element (rows: all dimensions but the last)
     * @param base        per output, padded index of its tap 0; {@code outPlane} rounded up to {@link #GATHER_ROUND} entries, 0 past the end
     * @param tapOff      per tap, its padded offset from tap 0
     * @param planePos    per padded index, the plane position it holds; -1 in the padding
     * @param firstInside per output, the plane position of its first inside tap; -1 for a window without input
     */
    record Gathered(int size, boolean unpadded, int[] rowAt, int[] base, int[] tapOff, int[] planePos, int[] firstInside) {
    }

    /** The {@link Gathered} table of a windowed max pooling whose padded plane fits {@code lim.gatherPlane}, else null. */
    private Gathered gathered(Limits lim) {
        if (!max || !spec.kind().isWindowed()) return null;
        long[] lo = new long[rank], padded = new long[rank];
        long size = 1, taps = 1;
        for (int d = 0; d < rank; d++) {
            Axis a = axis[d];
            long reach = a.reach(out[d] - 1); // windows start in order: the last one reaches furthest
            lo[d] = a.padBegin;
            padded[d] = lo[d] + Math.max(in[d], reach);
            size = times(size, padded[d]);
            taps = times(taps, a.k);
        }
        if (size > lim.gatherPlane || outPlane > lim.gatherPlane || taps > lim.gatherPlane) return null;
        long[] pStride = new long[rank];
        long q = 1;
        for (int d = rank - 1; d >= 0; d--) {
            pStride[d] = q;
            q *= padded[d];
        }
        int n = (int) size, outs = (int) outPlane;
        int[] planePos = new int[n];
        java.util.Arrays.fill(planePos, -1);
        int[] rowAt = new int[(int) (plane / w)];
        long[] c = new long[rank];
        for (int e = 0; e < plane; e++) { // every input element: its padded index
            long r = e, at = 0;
            for (int d = rank - 1; d >= 0; d--) {
                c[d] = r % in[d];
                r /= in[d];
                at += (c[d] + lo[d]) * pStride[d];
            }
            planePos[(int) at] = e;
            if (c[last] == 0) rowAt[(int) (e / w)] = (int) at;
        }
        int[] base = new int[Math.ceilDiv(outs, GATHER_ROUND) * GATHER_ROUND], firstInside = new int[outs];
        long[] o = new long[rank];
        for (int e = 0; e < outs; e++) {
            position(e, o, rank);
            long b0 = 0, first = 0;
            boolean inside = true;
            for (int d = 0; d < rank; d++) {
                Axis a = axis[d];
                b0 += (a.start(o[d]) + lo[d]) * pStride[d];
                inside &= a.count(o[d]) > 0;
                first += a.firstPos(o[d]) * inStride[d];
            }
            base[e] = (int) b0;
            firstInside[e] = inside ? (int) first : -1;
        }
        int[] tapOff = java.util.Arrays.stream(windowOffsets((int) taps, pStride)).mapToInt(Math::toIntExact).toArray();
        return new Gathered(n, size == plane, rowAt, base, tapOff, planePos, firstInside);
    }

    PoolGeometry(PoolSpec s, Limits lim) {
        spec = s;
        limits = lim;
        rank = s.rank();
        last = rank - 1;
        batch = s.batch();
        channels = s.channels();
        planes = batch * channels;
        max = s.kind().isMax();
        global = s.kind().isGlobal();
        in = s.inputSize();
        out = s.outputSize();
        inStride = new long[rank];
        outStride = new long[rank];
        long p = 1, op = 1;
        for (int d = rank - 1; d >= 0; d--) {
            inStride[d] = p;
            outStride[d] = op;
            p *= in[d];
            op *= out[d];
        }
        plane = p;
        outPlane = op;
        w = in[last];
        ow = out[last];
        rows = outPlane / ow;
        axis = new Axis[rank];
        for (int d = 0; d < rank; d++) axis[d] = new Axis(s, d);

        // ---- the innermost plan
        Axis a = axis[last];
        long regularK = 0, regularS = 0, regularDil = 1, regularPb = 0;
        if (a.windowed) {
            regularK = a.k;
            regularS = a.stride;
            regularDil = a.step;
            regularPb = a.padBegin;
        } else if (w % ow == 0 && w / ow <= Integer.MAX_VALUE) { // adaptive windows that tile the input evenly
            regularK = regularS = w / ow;
        }
        long extent = regularK == 0 ? Long.MAX_VALUE : (regularK - 1) * regularDil + 1;
        Inner plan;
        int tl = 1, v = 1, len = 1, km = 0;
        if (!global && regularK > 0 && regularS <= lim.piece && Math.ceilDiv(extent, regularS) * regularS <= lim.piece) {
            plan = Inner.REGULAR;
            long reach = Math.ceilDiv(extent, regularS), most = Math.min(ow, lim.piece / regularS - reach + 1);
            tl = (int) Math.ceilDiv(ow, Math.ceilDiv(ow, most)); // tiles of nearly equal size
            v = (int) (tl - 1 + reach);
            len = (int) (v * regularS);
        } else if (!global && !a.windowed && Math.ceilDiv(w, ow) + 2 <= lim.piece / 2) {
            plan = Inner.GATHER;
            km = (int) (Math.ceilDiv(w, ow) + 1);
            long per = Math.ceilDiv(w, ow);
            tl = (int) Math.min(ow, Math.max(1, (lim.piece - km) / per));
            len = (int) (tl * per + km);
            v = tl;
        } else {
            plan = Inner.DIRECT;
        }
        inner = plan;
        tile = tl;
        tiles = Math.ceilDiv(ow, tl);
        vs = v;
        pieceLength = len;
        chunkPieces = Math.max(1, lim.chunk / len);
        kmax = km;
        if (plan == Inner.REGULAR) {
            this.s = (int) regularS;
            k = (int) regularK;
            dil = (int) regularDil;
            effk = (int) extent;
            pb = regularPb;
        } else {
            this.s = 1;
            k = 1;
            dil = 1;
            effk = 1;
            pb = 0;
        }
        if (plan == Inner.REGULAR && this.s >= 2) {
            int[] slotOf = new int[this.s];
            java.util.Arrays.fill(slotOf, -1);
            int slots = 0;
            tapSlot = new int[k];
            tapShift = new int[k];
            int[] phases = new int[Math.min(k, this.s)];
            for (int t = 0; t < k; t++) {
                int off = t * dil, ph = off % this.s;
                if (slotOf[ph] < 0) {
                    slotOf[ph] = slots;
                    phases[slots++] = ph;
                }
                tapSlot[t] = slotOf[ph];
                tapShift[t] = off / this.s;
            }
            slotPhase = java.util.Arrays.copyOf(phases, slots);
        } else {
            slotPhase = tapSlot = tapShift = new int[0];
        }
        boolean apart = s.kind().isWindowed();
        for (int d = 0; d < rank && apart; d++) apart = (long) (axis[d].k - 1) * axis[d].step + 1 <= axis[d].stride;
        disjoint = apart;
        boolean uniform = !max;
        long div = 1;
        for (int d = 0; d < rank && uniform; d++) {
            Axis x = axis[d];
            long full = x.windowed ? x.k : (x.in % x.out == 0 ? x.in / x.out : -1);
            uniform = full > 0 && x.divisor(0) == full && x.divisor(x.out - 1) == full;
            div = PoolGeometry.times(div, Math.max(full, 1));
        }
        uniformDivisor = uniform && div < Long.MAX_VALUE;
        divisor0 = uniformDivisor ? div : 0;

        // ---- the window rows of every output row, when that table is small
        long entries = 0;
        if (!global && rows <= ROW_TABLE) {
            long[] o = new long[rank];
            Walk walk = new Walk(rank);
            for (long r = 0; r < rows && entries <= ROW_TABLE; r++) {
                position(r, o, last);
                entries += windowRows(o, walk).total();
            }
        }
        if (!global && rows <= ROW_TABLE && entries <= ROW_TABLE) {
            rowStart = new int[(int) rows + 1];
            rowTaps = new long[(int) entries];
            long[] o = new long[rank];
            Walk walk = new Walk(rank);
            int most = 0;
            for (int r = 0; r < rows; r++) {
                position(r, o, last);
                rowStart[r + 1] = rowStart[r] + windowRows(o, walk).fill(rowTaps, rowStart[r], (int) entries - rowStart[r]);
                most = Math.max(most, rowStart[r + 1] - rowStart[r]);
            }
            maxRows = most;
        } else {
            rowStart = null;
            rowTaps = null;
            maxRows = 0;
        }

        // ---- channels-last whole-window offsets
        long taps = 1;
        for (int d = 0; d < rank; d++) taps = times(taps, axis[d].windowed ? axis[d].k : Long.MAX_VALUE);
        windowOffsets = s.kind().isWindowed() && taps <= lim.tapGroup ? windowOffsets((int) taps, inStride) : null;
        windowOffsetsChannelsLast = windowOffsets == null ? null : java.util.Arrays.stream(windowOffsets).map(o -> o * channels).toArray();
        gathered = gathered(lim);
    }

    /** A whole window's taps from its first, row-major (the last dimension fastest), as offsets along {@code strides}. */
    private long[] windowOffsets(int taps, long[] strides) {
        long[] off = new long[taps];
        int n = 1;
        for (int d = 0; d < rank; d++) {
            int kd = axis[d].k;
            for (int e = n - 1; e >= 0; e--) {
                for (int j = kd - 1; j >= 0; j--) off[e * kd + j] = off[e] + (long) j * axis[d].step * strides[d];
            }
            n *= kd;
        }
        return off;
    }

    /** {@code a * b} for {@code a, b >= 0}, or {@link Long#MAX_VALUE} if that overflows. */
    static long times(long a, long b) {
        long high = Math.multiplyHigh(a, b), low = a * b;
        return high == 0 && low >= 0 ? low : Long.MAX_VALUE;
    }

    /** The first index of part {@code t} of {@code n} items cut into {@code parts} nearly equal parts. */
    static long part(long n, int t, int parts) {
        return n / parts * t + Math.min(t, n % parts);
    }

    /** Whether the innermost window of output {@code o} (REGULAR) is entirely inside the input. */
    boolean innerFull(long o) {
        return axis[last].count(o) == axis[last].k;
    }

    /**
     * One spatial dimension: where each output's window lies. Windowed kinds: taps
     * {@code start(o) + j*step}, {@code j < k}, {@code start(o) = o*stride - padBegin}; adaptive and
     * global kinds: {@code [adaptiveStart(o), adaptiveEnd(o))} with step 1. "Inside" taps lie in
     * {@code [0, in)}; they are {@code firstPos(o) + j*step} for {@code j < count(o)}.
     */
    static final class Axis {
        final long in, out;
        final boolean windowed;
        final int k, stride, step;
        final long padBegin, padEnd;
        final boolean countPad;
        private final PoolSpec spec;
        private final int d;

        Axis(PoolSpec s, int d) {
            spec = s;
            this.d = d;
            in = s.inputSize(d);
            out = s.outputSize(d);
            windowed = s.kind().isWindowed();
            if (windowed) {
                Window w = s.window();
                k = w.kernel(d);
                stride = w.stride(d);
                step = w.dilation(d);
                padBegin = w.padBegin(d);
                padEnd = w.padEnd(d);
            } else {
                k = 0;
                stride = 0;
                step = 1;
                padBegin = padEnd = 0;
            }
            countPad = s.kind() != PoolKind.AVG || s.countIncludePad();
        }

        /** Position of tap 0 (windowed: may be negative). */
        long start(long o) {
            return windowed ? o * stride - padBegin : spec.adaptiveStart(d, o);
        }

        /** One past the position of the last tap. */
        long reach(long o) {
            return windowed ? start(o) + (long) (k - 1) * step + 1 : spec.adaptiveEnd(d, o);
        }

        /** Index of the first tap inside the input. */
        long firstTap(long o) {
            if (!windowed) return 0;
            long st = start(o);
            return st >= 0 ? 0 : Math.min(k, taps(-st));
        }

        /** Number of taps inside the input. */
        long count(long o) {
            if (!windowed) return spec.adaptiveEnd(d, o) - spec.adaptiveStart(d, o);
            long st = start(o);
            long end = st >= in ? 0 : Math.min(k, taps(in - st));
            return Math.max(0, end - (st >= 0 ? 0 : Math.min(k, taps(-st))));
        }

        /** Position of the first inside tap (0 when there is none). */
        long firstPos(long o) {
            if (!windowed) return spec.adaptiveStart(d, o);
            return count(o) > 0 ? start(o) + firstTap(o) * step : 0;
        }

        /** Taps of this window's step within a distance {@code n > 0}: {@code ceil(n / step)}, no division for unit steps. */
        private long taps(long n) {
            return step == 1 ? n : Math.ceilDiv(n, step);
        }

        /** The average divisor factor: taps inside the padded input (countPad) or inside the input. */
        long divisor(long o) {
            if (!windowed || !countPad) return count(o);
            long st = start(o), end = in + padEnd; // st >= -padBegin: every window starts inside the padded input
            return end <= st ? 0 : Math.min(k, taps(end - st));
        }

        /** Windowed: the first output whose taps all lie inside the input ({@link #interiorEnd} if none). */
        long interiorBegin() {
            return Math.min(Math.ceilDiv(padBegin, stride), interiorEnd());
        }

        /** Windowed: one past the last output whose taps all lie inside the input. */
        long interiorEnd() {
            long reach = in - 1 + padBegin - (long) (k - 1) * step; // start(o) + (k-1)*step <= in - 1
            return reach < 0 ? 0 : Math.min(out, reach / stride + 1);
        }

        /** The first output whose window reaches past position {@code a}. */
        long firstTouching(long a) {
            long lo = 0, hi = out;
            while (lo < hi) {
                long mid = (lo + hi) >>> 1;
                if (reach(mid) > a) hi = mid;
                else lo = mid + 1;
            }
            return lo;
        }

        /** One past the last output whose window starts before position {@code b}. */
        long endTouching(long b) {
            long lo = 0, hi = out;
            while (lo < hi) {
                long mid = (lo + hi) >>> 1;
                if (start(mid) >= b) hi = mid;
                else lo = mid + 1;
            }
            return lo;
        }
    }

    /**
     * A row-major walk over index boxes {@code j_e < count[e]}, emitting offsets
     * {@code origin + sum_e j_e * delta[e]} in groups: the window rows or taps of one output.
     */
    static final class Walk {
        private final long[] count, delta, j;
        private int dims;
        private long at;
        private boolean done;

        Walk(int maxDims) {
            count = new long[Math.max(1, maxDims)];
            delta = new long[count.length];
            j = new long[count.length];
        }

        /** Starts a walk over {@code dims} dimensions at {@code origin}; set each with {@link #dim}. */
        Walk start(int dims, long origin) {
            this.dims = dims;
            at = origin;
            done = false;
            return this;
        }

        Walk dim(int e, long n, long step) {
            count[e] = n;
            delta[e] = step;
            j[e] = 0;
            if (n <= 0) done = true;
            return this;
        }

        /** The number of offsets of the whole walk, saturating. */
        long total() {
            long t = 1;
            for (int e = 0; e < dims; e++) t = times(t, Math.max(0, count[e]));
            return t;
        }

        /** Writes up to {@code max} next offsets into {@code to}; returns their number, 0 at the end. */
        int fill(long[] to, int max) {
            return fill(to, 0, max);
        }

        /** Writes up to {@code max} next offsets into {@code to} from {@code from}; returns their number. */
        int fill(long[] to, int from, int max) {
            int n = 0;
            while (n < max && !done) {
                to[from + n++] = at;
                int e = dims - 1;
                for (; e >= 0; e--) {
                    at += delta[e];
                    if (++j[e] < count[e]) break;
                    at -= j[e] * delta[e];
                    j[e] = 0;
                }
                if (e < 0) done = true;
            }
            return n;
        }
    }

    /**
     * Starts {@code walk} over the window rows of output row {@code o} (indices of dimensions
     * {@code 0 .. last-1}): plane offsets of the start (column 0) of each row, row-major.
     */
    Walk windowRows(long[] o, Walk walk) {
        return window(o, null, null, last, 1, walk);
    }

    /**
     * Starts {@code walk} over the inside taps of output {@code o}'s window along dimensions
     * {@code [0, dims)} whose positions along each dimension {@code d} lie in {@code [lo[d], hi[d])}
     * (null: unbounded), as plane offsets times {@code unit}, row-major.
     */
    Walk window(long[] o, long[] lo, long[] hi, int dims, long unit, Walk walk) {
        long origin = 0;
        walk.start(dims, 0);
        for (int d = 0; d < dims; d++) {
            Axis x = axis[d];
            long first = x.firstPos(o[d]), n = x.count(o[d]), st = x.step;
            if (lo != null && n > 0) {
                long skip = first >= lo[d] ? 0 : Math.ceilDiv(lo[d] - first, st);
                long end = hi[d] <= first ? 0 : Math.min(n, Math.ceilDiv(hi[d] - first, st));
                first += Math.min(skip, n) * st;
                n = Math.max(0, end - skip);
            }
            origin += first * inStride[d] * unit;
            walk.dim(d, n, st * inStride[d] * unit);
        }
        walk.at = origin;
        return walk;
    }

    /**
     * Backward boxes for {@code unit} elements per position: contiguous plane ranges of {@code slices}
     * slices of dimension {@code level}, each at most {@link Limits#box} elements (at least one
     * position); returns {level, slices, boxes per plane}.
     */
    long[] boxes(long unit) {
        long cap = Math.max(1, limits.box / unit);
        int level = 0;
        while (level < last && inStride[level] > cap) level++;
        long slices = Math.max(1, Math.min(in[level], cap / inStride[level]));
        long prefix = 1;
        for (int d = 0; d < level; d++) prefix *= in[d];
        return new long[] {level, slices, prefix * Math.ceilDiv(in[level], slices)};
    }

    /**
     * Box {@code bx} of {@code boxes}: its positions along each dimension, {@code [lo[d], hi[d])}, and
     * its plane range {@code [range[0], range[1])}.
     */
    void box(long bx, long[] boxes, long[] lo, long[] hi, long[] range) {
        int level = (int) boxes[0];
        long slices = boxes[1], perLevel = Math.ceilDiv(in[level], slices), prefix = bx / perLevel, sl = bx % perLevel;
        for (int d = level - 1; d >= 0; d--) {
            lo[d] = prefix % in[d];
            hi[d] = lo[d] + 1;
            prefix /= in[d];
        }
        lo[level] = sl * slices;
        hi[level] = Math.min(in[level], lo[level] + slices);
        for (int d = level + 1; d < rank; d++) {
            lo[d] = 0;
            hi[d] = in[d];
        }
        long at = 0;
        for (int d = 0; d < rank; d++) at += lo[d] * inStride[d];
        range[0] = at;
        range[1] = at + (hi[level] - lo[level]) * inStride[level];
    }

    /** The outputs whose windows may touch positions {@code [lo[d], hi[d])}, per dimension: {@code [oLo[d], oHi[d])}. */
    void touching(long[] lo, long[] hi, long[] oLo, long[] oHi) {
        for (int d = 0; d < rank; d++) {
            oLo[d] = axis[d].firstTouching(lo[d]);
            oHi[d] = Math.max(oLo[d], axis[d].endTouching(hi[d]));
        }
    }

    /** The average divisor of output {@code o} over dimensions {@code [0, dims)}. */
    long divisor(long[] o, int dims) {
        long v = 1;
        for (int d = 0; d < dims; d++) v = times(v, axis[d].divisor(o[d]));
        return v;
    }

    /** Advances the index {@code o} over dimensions {@code [0, dims)} within {@code [lo, hi)}; false after the last. */
    static boolean next(long[] o, long[] lo, long[] hi, int dims) {
        for (int d = dims - 1; d >= 0; d--) {
            if (++o[d] < hi[d]) return true;
            o[d] = lo[d];
        }
        return false;
    }

    /** Output position {@code flat} (row-major over dimensions {@code [0, dims)}) as an index into {@code o}. */
    void position(long flat, long[] o, int dims) {
        for (int d = dims - 1; d >= 0; d--) {
            o[d] = flat % out[d];
            flat /= out[d];
        }
    }
}
