package dev.vecnn.kernel.conv.gemm;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.kernel.conv.GyGrid;
import dev.vecnn.kernel.conv.PhaseSlab;
import dev.vecnn.kernel.conv.Phases;
import dev.vecnn.kernel.conv.SlabExactF64;
import dev.vecnn.kernel.conv.SlabIoF64;
import dev.vecnn.kernel.conv.SlabRowsF64;
import dev.vecnn.kernel.conv.TaskSplit;
import dev.vecnn.parallel.Execution;
import dev.vecnn.parallel.Execution.Scratch;
import dev.vecnn.spec.PaddingMode;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Convolution as register-blocked GEMMs in double (F64): all three passes of direct and transposed
 * convolutions, any rank, stride, dilation and padding mode, any layout, any plane size.
 *
 * <ul>
 *   <li>forward: {@code C = W x im2col(x)}, tiles of output channels x positions. The input is staged in a
 *       {@link PhaseSlab} (split into phases by the stride), so every im2col row is a contiguous run of
 *       it and the micro-kernel reads B in place through a table of row offsets, for every stride;</li>
 *   <li>backward-data: computed directly on the big side, phase by phase ({@link Phases}): each phase is
 *       a unit-stride convolution of gy with that phase's taps, {@code C = W^T x im2col(gy)}, tiles of
 *       input channels x positions, B read in place from gy laid on a grid with zero margins. Padding
 *       modes other than zeros fold the padded positions' gradients into the positions they read;</li>
 *   <li>backward-weights: {@code gw[k][(c, t)] = sum_p gy[k][p] x[c][p + off_t]}: dot products along the
 *       positions, accumulated in vector lanes by 4 x 4 tiles (no transposition, no packing), over a fixed
 *       split of images x rows into chunks whose partial sums are added in chunk order.</li>
 * </ul>
 * On small padded grids, with a batch of at least L images, forward and (unit strides, zero padding)
 * backward-data run with L images in the vector lanes ({@link #imagesInLanes}): the same tiles and
 * micro-kernels over cells of L images, without the columns a block of consecutive cells spends on the
 * padding between rows.
 * Every output element is reduced in an order fixed by the problem alone (forward and backward-data:
 * one GEMM column, reduction chunks of KC; backward-weights: lanes, chunks), so results do not depend on
 * the number of threads or on how tasks are cut.
 *
 * <p>GENERATED from core/src/template/GemmConv.java.in by dev.vecnn.codegen.KernelTemplates; edit the
 * template, not this file.
 */
final class GemmConvF64 {
    private GemmConvF64() {
    }

    static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Columns of a register tile. */
    static final int NR = 2 * L;
    /** Reduction chunk: the pitch of A panel rows. */
    static final int KC = 256;
    /** Rows (channel, tap) and columns (output channels) of a backward-weights dot tile. */
    static final int DR = 4, DK = 4;
    private static final ValueLayout.OfDouble LAYOUT = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final long ES = 8;
    /** Slack after heap buffers: a block runs up to NR cells past a run, a vector loop up to L past a span. */
    private static final int SLACK = 2 * KC + 64;
    /** Column blocks that share each packed weight chunk (NC blocking). */
    private static final int GROUP = 8;
    /** Elements of a task's heap buffers (slab, gradient grid) that partitions aim at. */
    private static final long TASK_BUDGET = 1L << 18;

    // ================================================================ forward: small = W x im2col(big)

    /**
     * Forward with the weights packed by {@link #packForward}, or packed here into scratch when
     * {@code packed} is null.
     */
    static void smallFromBig(ConvGeometry g, Tensor big, Tensor w, double[] packed, Tensor bias, Epilogue e, Tensor small, Execution ex) {
        int red = g.reduction();
        int chunks = chunks(red);
        Panels rows = Panels.of(g.kg);
        int groupSize = rows.padded * chunks * KC;
        Scratch call = ex.acquire();
        try {
            double[] a = packed != null ? packed : packForward(g, w, call.doubles("gemm.a", g.groups * groupSize), ex);
            if (forwardLanes(g)) {
                smallFromBigLanes(g, big, a, rows, chunks, red, bias, e, small, ex);
                return;
            }
            // dimension 1 may be cut at rank 3 and up: the walk's runs stay inside [lo, hi) of every dimension
            int cols = g.rank > 2 ? (int) g.small[1] : 1;
            TaskSplit split = TaskSplit.of(g.batch * g.groups, (int) g.small[0], minRowParts(g), rows.count, cols, ex.threads());
            int rp = split.rowParts(), pp = split.panelParts(), cp = split.colParts();
            ex.forEach(Math.toIntExact(split.tasks(g.batch * g.groups)), (task, s) -> {
                int pi = task % pp;
                int ci = (task / pp) % cp;
                int rb = (task / pp / cp) % rp;
                int gi = (task / pp / cp / rp) % g.groups;
                long n = task / pp / cp / rp / g.groups;
                int r0 = TaskSplit.start((int) g.small[0], rb, rp), r1 = TaskSplit.start((int) g.small[0], rb + 1, rp);
                PhaseSlab slab = new PhaseSlab(g, r0, r1);
                double[] sl = s.doubles("gemm.slab", g.cg * slab.channelStride + SLACK);
                SlabRowsF64.fillSlab(g, big, n, gi * g.cg, g.cg, slab, sl, s);
                int[] koff = s.ints("gemm.koff", red);
                for (int cc = 0; cc < g.cg; cc++) {
                    for (int t = 0; t < g.taps; t++) koff[cc * g.taps + t] = cc * slab.channelStride + slab.tapOffset[t];
                }
                int rank = g.rank;
                int[] lo = new int[rank], hi = new int[rank], origin = new int[rank];
                long[] step = new long[rank];
                for (int d = 0; d < rank; d++) {
                    hi[d] = (int) g.small[d];
                    step[d] = small.stride(2 + d);
                }
                lo[0] = r0;
                hi[0] = r1;
                origin[0] = r0;
                if (cp > 1) {
                    lo[1] = TaskSplit.start(cols, ci, cp);
                    hi[1] = TaskSplit.start(cols, ci + 1, cp);
                }
                GridWalk walk = new GridWalk(lo, hi, origin, slab.gridStride, small.offset() + n * small.stride(0), step, NR);
                int p0 = TaskSplit.start(rows.count, pi, pp), p1 = TaskSplit.start(rows.count, pi + 1, pp);
                tiles(walk, a, gi * groupSize, rows, p0, p1, chunks, red, sl, koff, s, small, gi * g.kg, g.kg, bias, e, null, 0);
            }, big, w, bias, small);
        } finally {
            ex.release(call);
        }
    }

    /** Whether the forward runs with images in the lanes ({@link #imagesInLanes}). */
    static boolean forwardLanes(ConvGeometry g) {
        long row = PhaseSlab.elements(g, 1);
        long rowElements = row > LANE_LIMIT ? Long.MAX_VALUE : row * g.cg;
        // the grid's row length from a one-row slab, built only where lanes may be chosen (imagesInLanes
        // refuses the rest before it reads the length)
        long rowLength = g.rank >= 2 && g.batch >= L && rowElements <= LANE_LIMIT / L ? new PhaseSlab(g, 0, 1).gridStride[g.rank - 2] : 0;
        return lanesFit(g.kg, g.smallCount()) && imagesInLanes(g.batch, g.small, rowLength, rowElements, Panels.of(g.kg).padded,
                g.reduction(), (double) g.cg * PhaseSlab.elements(g, g.small[0]));
    }

    /**
     * The forward with L images in the lanes ({@link #imagesInLanes}): tasks own (group of L images, group)
     * items, cut by rows, output-channel panels and (volumes) dimension 1 as the plain forward; each stages
     * its images' slabs into the lanes, runs the tiles into a lane buffer of its box, and stores every image
     * from it with bias and epilogue.
     */
    private static void smallFromBigLanes(ConvGeometry g, Tensor big, double[] a, Panels rows, int chunks, int red, Tensor bias,
                                          Epilogue e, Tensor small, Execution ex) {
        int groupSize = rows.padded * chunks * KC;
        long imageGroups = ceilDiv(g.batch, L);
        long rowElements = (long) L * g.cg * PhaseSlab.elements(g, 1);
        int minRows = laneRowParts((int) g.small[0], rowElements);
        int cols = g.rank > 2 ? (int) g.small[1] : 1;
        TaskSplit split = TaskSplit.of(imageGroups * g.groups, (int) g.small[0], minRows, rows.count, cols, ex.threads());
        int rp = split.rowParts(), pp = split.panelParts(), cp = split.colParts();
        ex.forEach(Math.toIntExact(split.tasks(imageGroups * g.groups)), (task, s) -> {
            int pi = task % pp;
            int ci = (task / pp) % cp;
            int rb = (task / pp / cp) % rp;
            int gi = (task / pp / cp / rp) % g.groups;
            long n0 = task / pp / cp / rp / g.groups * L;
            int images = (int) Math.min(L, g.batch - n0);
            int r0 = TaskSplit.start((int) g.small[0], rb, rp), r1 = TaskSplit.start((int) g.small[0], rb + 1, rp);
            PhaseSlab slab = new PhaseSlab(g, r0, r1);
            int count = g.cg * slab.channelStride;
            double[] sl = s.doubles("gemm.lanes", count * L + SLACK);
            if (slab.plain()) {
                // straight into the lanes through the padding mode's tables
                if (images < L) Arrays.fill(sl, 0, count * L, 0);
                SlabIoF64.fillPlainLanes(g, big, n0, images, gi * g.cg, g.cg, slab, sl, L);
            } else {
                // phases: each image's slab as the plain pass stages it, then transposed into the lanes
                double[] one = s.doubles("gemm.slab", count + SLACK);
                double[] stage = s.doubles("gemm.stage", count * L);
                for (int j = 0; j < images; j++) {
                    SlabRowsF64.fillSlab(g, big, n0 + j, gi * g.cg, g.cg, slab, one, s);
                    System.arraycopy(one, 0, stage, j * count, count);
                }
                toLanes(stage, count, images, sl, s);
            }
            int[] koff = s.ints("gemm.koff", red);
            for (int cc = 0; cc < g.cg; cc++) {
                for (int t = 0; t < g.taps; t++) koff[cc * g.taps + t] = (cc * slab.channelStride + slab.tapOffset[t]) * L;
            }
            int rank = g.rank;
            int[] lo = new int[rank], hi = new int[rank], origin = new int[rank];
            for (int d = 0; d < rank; d++) hi[d] = (int) g.small[d];
            lo[0] = r0;
            hi[0] = r1;
            origin[0] = r0;
            if (cp > 1) {
                lo[1] = TaskSplit.start(cols, ci, cp);
                hi[1] = TaskSplit.start(cols, ci + 1, cp);
            }
            int p0 = TaskSplit.start(rows.count, pi, pp), p1 = TaskSplit.start(rows.count, pi + 1, pp);
            int c0 = rows.start[p0], c1 = Math.min(g.kg, p1 < rows.count ? rows.start[p1] : g.kg);
            double[] buf = lanesBuffer(lo, hi, c1, s);
            tiles(boxWalk(lo, hi, origin, slab.gridStride), a, gi * groupSize, rows, p0, p1, chunks, red, sl, koff, s, null, 0, g.kg,
                    null, Epilogue.NONE, buf, boxCount(lo, hi) * L, true);
            storeLanes(buf, lo, hi, new int[rank], c0, c1, images, small, n0, gi * g.kg, bias, e, s);
        }, big, bias, small);
    }

    /** Elements of a task's lane slab that the row cut of a lanes pass aims at. */
    private static final long LANE_BUDGET = 1L << 20;

    /** Row parts of a lanes item at least: each task's lane buffer, {@code rowElements} per row, within {@link #LANE_BUDGET}. */
    private static int laneRowParts(int total, long rowElements) {
        long rows = Math.max(1, Math.min(total, LANE_BUDGET / rowElements));
        return (int) ceilDiv(total, rows);
    }

    /** Positions of the box [lo, hi). */
    private static int boxCount(int[] lo, int[] hi) {
        int count = 1;
        for (int d = 0; d < lo.length; d++) count *= hi[d] - lo[d];
        return count;
    }

    /** A walk of the box [lo, hi) in blocks of NR / L cells whose outputs are the positions' row-major indices in the box. */
    private static GridWalk boxWalk(int[] lo, int[] hi, int[] origin, int[] gridStride) {
        int rank = lo.length;
        long[] step = new long[rank];
        long base = 0, size = 1;
        for (int d = rank - 1; d >= 0; d--) {
            step[d] = size;
            base -= lo[d] * size;
            size *= hi[d] - lo[d];
        }
        return new GridWalk(lo, hi, origin, gridStride, base, step, NR / L);
    }

    /** The lane buffer of a task: channels [0, channels) of the box [lo, hi), L images per position. */
    private static double[] lanesBuffer(int[] lo, int[] hi, int channels, Scratch s) {
        return s.doubles("gemm.laneout", channels * boxCount(lo, hi) * L);
    }

    /** Weights from which the forward's packing runs on every thread. */
    private static final long PARALLEL_PACK = 1 << 16;

    /** Elements of the forward's packed weights. */
    static int packedForwardSize(ConvGeometry g) {
        return g.groups * Panels.of(g.kg).padded * chunks(g.reduction()) * KC;
    }

    /**
     * Packs the weights for the forward's micro-kernels into {@code a} (at least {@link #packedForwardSize}
     * elements): per group and chunk of KC reduction steps over (channel, tap), the panels of 12, 8 or 4 output
     * channels one after another, each panel k-major (step k's mr weights contiguous, zero-padded): the
     * micro-kernels read one stream, and a chunk's panels are one run (weights streamed from memory, as in a
     * network whose layers evict each other's, ran at 0.7x the cached speed when every row was a stream of its
     * own). Returns {@code a}.
     */
    static double[] packForward(ConvGeometry g, Tensor w, double[] a) {
        Panels rows = Panels.of(g.kg);
        for (int gi = 0; gi < g.groups; gi++) {
            for (int p = 0; p < rows.count; p++) packForwardPanel(g, w, a, rows, gi, p);
        }
        return a;
    }

    /**
     * As {@link #packForward(ConvGeometry, Tensor, double[])}, one task per (group, panel) on {@code ex}'s threads
     * when the weights are large (ResNet-18's 11 M weights are repacked on every unprepared call; the small
     * layers of a training network pack in less time than waking a thread takes).
     */
    static double[] packForward(ConvGeometry g, Tensor w, double[] a, Execution ex) {
        if ((long) g.groups * g.kg * g.reduction() < PARALLEL_PACK) return packForward(g, w, a);
        Panels rows = Panels.of(g.kg);
        ex.forEach(g.groups * rows.count, (task, s) -> packForwardPanel(g, w, a, rows, task / rows.count, task % rows.count), w);
        return a;
    }

    private static void packForwardPanel(ConvGeometry g, Tensor w, double[] a, Panels rows, int gi, int p) {
        int red = g.reduction();
        int chunks = chunks(red);
        int groupSize = rows.padded * chunks * KC;
        boolean contiguousWeights = w.isContiguous();
        double[] row = new double[KC];
        for (int ch = 0; ch < chunks; ch++) {
            int ao = gi * groupSize + ch * rows.padded * KC + rows.start[p] * KC;
            int n0 = Math.min(KC, red - ch * KC), mr = rows.mr[p];
            Arrays.fill(a, ao, ao + mr * KC, 0);
            // k-major: reduction step k's mr values are contiguous (the micro-kernel's one stream)
            for (int i = 0; i < mr; i++) {
                int r = rows.start[p] + i;
                if (r >= g.kg) continue;
                if (contiguousWeights) {
                    // a contiguous (K, C/g, taps...) weight row is the reduction row itself: one bulk copy, then spread
                    long off = w.offset() + (long) (gi * g.kg + r) * red + (long) ch * KC;
                    MemorySegment.copy(w.segment(), LAYOUT, off * ES, row, 0, n0);
                    for (int k = 0; k < n0; k++) a[ao + k * mr + i] = row[k];
                    continue;
                }
                for (int k = 0; k < n0; k++) {
                    int kk = ch * KC + k;
                    a[ao + k * mr + i] = weight(g, w, gi * g.kg + r, kk / g.taps, kk % g.taps);
                }
            }
        }
    }

    /** Row parts of a forward item at least: each task's slab within the budget. */
    private static int minRowParts(ConvGeometry g) {
        long rows = Math.max(1, Math.min(g.small[0], TASK_BUDGET / Math.max(1, g.cg * PhaseSlab.elements(g, 1))));
        return (int) ceilDiv(g.small[0], rows);
    }

    /**
     * Runs the register tiles of panels [p0, p1) over every block of a walk: {@code C = A x B}, B row r of column j at
     * {@code src[start + koff[r] + j]}, GROUP blocks sharing each KC chunk of A (panels from {@code aBase}).
     * Tile row i goes to channel {@code rowBase + i} (rows below {@code rowsReal}): of {@code out} with bias
     * and epilogue, or, when {@code heap} is given, to {@code heap[(rowBase + i) * heapChannel + offset]}.
     */
    private static void tiles(GridWalk walk, double[] a, int aBase, Panels rows, int p0, int p1, int chunks, int red, double[] src,
                              int[] koff, Scratch s, Tensor out, int rowBase, int rowsReal, Tensor bias, Epilogue e, double[] heap,
                              int heapChannel) {
        tiles(walk, a, aBase, rows, p0, p1, chunks, red, src, koff, s, out, rowBase, rowsReal, bias, e, heap, heapChannel, false);
    }

    /**
     * As above; with {@code lanes}, B holds L images in the lanes of every grid cell (cell q's image j at
     * {@code src[q * L + j]}, koff in elements), the walk's blocks are NR / L cells, blocks of dropped cells
     * only are skipped, and column j of a block stores to {@code heap} at {@code out[cell] * L + j % L}.
     */
    private static void tiles(GridWalk walk, double[] a, int aBase, Panels rows, int p0, int p1, int chunks, int red, double[] src,
                              int[] koff, Scratch s, Tensor out, int rowBase, int rowsReal, Tensor bias, Epilogue e, double[] heap,
                              int heapChannel, boolean lanes) {
        double[] c = s.doubles("gemm.c", GROUP * rows.padded * NR);
        int[] start = s.ints("gemm.start", GROUP * NR);
        long[] offs = s.longs("gemm.out", GROUP * NR);
        long[] laneOffs = lanes ? s.longs("gemm.laneoffs", NR) : null;
        int width = lanes ? NR / L : NR;
        while (true) {
            int nb = 0;
            while (nb < GROUP && walk.next(start, offs, nb * width)) {
                if (!lanes || !dropped(offs, nb * width, width)) nb++;
            }
            if (nb == 0) return;
            for (int ch = 0; ch < chunks; ch++) {
                int kc = Math.min(KC, red - ch * KC);
                for (int bi = 0; bi < nb; bi++) {
                    int bo = lanes ? start[bi * width] * L : start[bi * NR];
                    for (int p = p0; p < p1; p++) {
                        int mr = rows.mr[p];
                        int ao = aBase + ch * rows.padded * KC + rows.start[p] * KC;
                        microInPlace(mr, a, ao, src, bo, koff, ch * KC, kc, c, (bi * rows.padded + rows.start[p]) * NR, ch > 0);
                    }
                }
            }
            for (int bi = 0; bi < nb; bi++) {
                long[] o = offs;
                int oo = bi * NR;
                if (lanes) {
                    for (int j = 0; j < NR; j++) {
                        long cell = offs[bi * width + j / L];
                        laneOffs[j] = cell < 0 ? -1 : cell * L + j % L;
                    }
                    o = laneOffs;
                    oo = 0;
                }
                for (int p = p0; p < p1; p++) {
                    int co = (bi * rows.padded + rows.start[p]) * NR;
                    if (heap == null) {
                        storeTile(c, co, rows.mr[p], rowBase + rows.start[p], rowBase + rowsReal, o, oo, out, bias, e);
                    } else {
                        storeTileHeap(c, co, rows.mr[p], rowBase + rows.start[p], rowBase + rowsReal, o, oo, heap, heapChannel);
                    }
                }
            }
        }
    }

    /** Whether the block at {@code at} holds dropped cells only. */
    private static boolean dropped(long[] out, int at, int width) {
        for (int j = at; j < at + width; j++) if (out[j] >= 0) return false;
        return true;
    }

    // ---------------------------------------------------------------- images in the lanes (small grids)

    /**
     * Bound on a lane slab's or gy grid's elements per row of dimension 0 (all L images), and on one image's
     * positions, for which lanes are chosen: with {@link #LANE_BUDGET} it keeps every lane buffer in int range.
     */
    private static final long LANE_LIMIT = 1L << 21;

    /**
     * Multiply-adds (one lane each) that staging one element into the lanes costs, roughly: on 3-D layers
     * of 8-64 channels (Intel Xeon, AVX-512, 2026-12-01) lanes lost where they saved 24 per staged element
     * (shower3d's conv2 backward-data) and won where they saved 108 (its conv3 backward-data); at 64
     * (voxel3d's conv2 backward-data) the noisy VM did not settle it. The staging back out and the halos of
     * row cuts are not counted.
     */
    private static final long STAGE_COST = 44;

    /**
     * Whether a GEMM over grid positions runs with L images in the vector lanes. On a small padded grid the
     * NR consecutive cells of a block straddle rows, and the padding cells between rows are computed and
     * dropped: 32 columns for the 16 outputs of a 4x4 plane with padding 1, 96 for the 64 of 8x8. With the
     * images in the lanes a block is NR / L = 2 cells of L images, and blocks of padding cells are skipped.
     * (The column counts are those of 16 lanes.)
     * Each output element is the same GEMM column either way (same products, same order: same bits).
     * Chosen when the multiply-adds saved per image (the batch's last group of L counted whole) pay for
     * staging the image into the lanes, {@link #STAGE_COST} per element.
     *
     * @param box the walked positions per dimension (the small side's sizes, or big's for backward-data)
     * @param rowLength the grid's row length (cells from one row of the last two dimensions to the next)
     * @param rowElements a lane buffer's elements per row of dimension 0 for one image
     * @param tileRows GEMM rows computed per column (padded panels)
     * @param reduction multiply-adds per GEMM row and column
     * @param staged elements staged per image
     */
    static boolean imagesInLanes(long batch, long[] box, long rowLength, long rowElements, long tileRows, long reduction, double staged) {
        if (batch < L || rowElements > LANE_LIMIT / L) return false;
        int rank = box.length;
        long w = box[rank - 1], h = rank >= 2 ? box[rank - 2] : 1, step = rank >= 2 ? rowLength : w;
        long outer = 1;
        for (int d = 0; d < rank - 2; d++) outer *= box[d];
        long run = (h - 1) * step + w;
        double plain = (double) outer * ceilDiv(run, NR) * NR;
        int width = NR / L;
        long blocks = 0;
        for (long i = 0; i < h; i++) blocks += (i * step + w - 1) / width - i * step / width + 1;
        double lanes = (double) outer * blocks * width * (ceilDiv(batch, L) * L) / batch;
        return (plain - lanes) * tileRows * reduction >= STAGE_COST * staged;
    }

    /**
     * Whether a lane output buffer (channels x positions x L) stays within a quarter of the int range (room
     * for the slack and offsets added to its indices), and one image's positions within {@link #LANE_LIMIT}.
     */
    private static boolean lanesFit(long channels, long positions) {
        return positions <= LANE_LIMIT && channels * positions <= (Integer.MAX_VALUE >> 2) / L;
    }

    /**
     * Transposes L images of {@code count} elements ({@code stage[j * count + i]}; those from {@code images} on
     * are zeroed here) into the lanes: {@code lanes[i * L + j]}, one gather per element index.
     */
    private static void toLanes(double[] stage, int count, int images, double[] lanes, Scratch s) {
        if (images < L) Arrays.fill(stage, images * count, L * count, 0);
        int[] index = s.ints("gemm.laneindex", L);
        for (int j = 0; j < L; j++) index[j] = j * count;
        for (int i = 0; i < count; i++) DoubleVector.fromArray(S, stage, i, index, 0).intoArray(lanes, i * L);
    }

    /**
     * Stores channels [c0, c1) of a lane buffer (channel k at {@code k * count * L}, position q of the box
     * [lo, hi) in row-major order, image j at {@code q * L + j}) to images [n0, n0 + images) of {@code out},
     * channel {@code kBase + k}, position {@code v + shift}, with bias and epilogue.
     */
    private static void storeLanes(double[] buf, int[] lo, int[] hi, int[] shift, int c0, int c1, int images, Tensor out, long n0,
                                   int kBase, Tensor bias, Epilogue e, Scratch s) {
        int rank = lo.length, last = rank - 1;
        int w = hi[last] - lo[last];
        int count = 1;
        for (int d = 0; d < rank; d++) count *= hi[d] - lo[d];
        double[] row = s.doubles("gemm.lanerow", w);
        MemorySegment seg = out.segment();
        long lastStride = out.stride(2 + last);
        int[] v = new int[rank];
        // the box is one run of out when it holds whole rows of every dimension after the first, laid row-major
        boolean oneRun = true;
        long size = 1;
        for (int d = last; d >= 1; d--) {
            oneRun &= lo[d] + shift[d] == 0 && hi[d] + shift[d] == (int) out.size(2 + d) && out.stride(2 + d) == size;
            size *= out.size(2 + d);
        }
        oneRun &= out.stride(2) == size || hi[0] - lo[0] == 1;
        if (oneRun) {
            double[] run = s.doubles("gemm.lanerun", count);
            int[] index = s.ints("gemm.lanegather", L);
            for (int j = 0; j < L; j++) index[j] = j * L;
            int vectors = count / L * L;
            for (int k = c0; k < c1; k++) {
                double bv = bias == null ? 0 : bias.segment().get(LAYOUT, (bias.offset() + (kBase + k) * bias.stride(0)) * ES);
                long at = out.offset() + n0 * out.stride(0) + (kBase + k) * out.stride(1) + (long) (lo[0] + shift[0]) * out.stride(2);
                for (int j = 0; j < images; j++) {
                    int base = k * count * L + j;
                    for (int q = 0; q < vectors; q += L) DoubleVector.fromArray(S, buf, base + q * L, index, 0).intoArray(run, q);
                    for (int q = vectors; q < count; q++) run[q] = buf[base + q * L];
                    SlabIoF64.storeRun(run, 0, seg, at + j * out.stride(0), count, bv, e);
                }
            }
            return;
        }
        for (int k = c0; k < c1; k++) {
            double bv = bias == null ? 0 : bias.segment().get(LAYOUT, (bias.offset() + (kBase + k) * bias.stride(0)) * ES);
            long chan = out.offset() + n0 * out.stride(0) + (kBase + k) * out.stride(1);
            System.arraycopy(lo, 0, v, 0, rank);
            for (int q = 0; q < count; q += w) {
                long at = chan + (long) (lo[last] + shift[last]) * lastStride;
                for (int d = 0; d < last; d++) at += (long) (v[d] + shift[d]) * out.stride(2 + d);
                int base = (k * count + q) * L;
                for (int j = 0; j < images; j++) {
                    for (int x = 0; x < w; x++) row[x] = buf[base + x * L + j];
                    long dst = at + j * out.stride(0);
                    if (lastStride == 1) {
                        SlabIoF64.storeRun(row, 0, seg, dst, w, bv, e);
                    } else {
                        SlabIoF64.activateInPlace(row, 0, w, bv, e);
                        for (int x = 0; x < w; x++) seg.set(LAYOUT, (dst + x * lastStride) * ES, row[x]);
                    }
                }
                for (int d = last - 1; d >= 0; d--) {
                    if (++v[d] < hi[d]) break;
                    v[d] = lo[d];
                }
            }
        }
    }

    // ================================================================ backward data: big = W^T x im2col(gy), by phase

    static void bigFromSmall(ConvGeometry g, Tensor small, Tensor w, Tensor bias, Epilogue e, Tensor big, Execution ex) {
        Phases ph = new Phases(g);
        Panels rows = Panels.of(g.cg);
        int[] red = new int[ph.count], chunks = new int[ph.count], phaseBase = new int[ph.count];
        int groupSize = 0;
        for (int p = 0; p < ph.count; p++) {
            red[p] = g.kg * ph.taps[p].length;
            chunks[p] = chunks(red[p]);
            phaseBase[p] = groupSize;
            groupSize += rows.padded * chunks[p] * KC;
        }
        int perGroup = groupSize;
        Scratch call = ex.acquire();
        try {
            double[] a = call.doubles("gemm.a", g.groups * perGroup);
            packBackwardData(g, w, ph, rows, red, chunks, phaseBase, perGroup, a, ex);
            if (dataLanes(g, ph)) {
                bigFromSmallLanes(g, small, a, ph, rows, red[0], chunks[0], perGroup, bias, e, big, ex);
            } else if (g.mode == PaddingMode.ZEROS) {
                // tasks own rows of the phase grids; each element is one column of one phase, so any cut gives the same bits
                // (and tasks that share rows own runs of the big channels' panels, or of dimension 1 of the phase grids
                // in volumes when every position is reached: clearRows writes whole rows)
                int gridRows = ph.grid[0], cols = g.rank > 2 && ph.complete ? ph.grid[1] : 1;
                TaskSplit split = TaskSplit.of(g.batch * g.groups, gridRows, minRowParts(gridRows, (long) g.kg * gyRowElements(g, ph)),
                        rows.count, cols, ex.threads());
                int rp = split.rowParts(), pp = split.panelParts(), cp = split.colParts();
                ex.forEach(Math.toIntExact(split.tasks(g.batch * g.groups)), (task, s) -> {
                    int pi = task % pp;
                    int ci = (task / pp) % cp;
                    int ti = (task / pp / cp) % rp;
                    int gi = (task / pp / cp / rp) % g.groups;
                    long n = task / pp / cp / rp / g.groups;
                    int va = TaskSplit.start(gridRows, ti, rp), vb = TaskSplit.start(gridRows, ti + 1, rp);
                    int p0 = TaskSplit.start(rows.count, pi, pp), p1 = TaskSplit.start(rows.count, pi + 1, pp);
                    int c0 = rows.start[p0], c1 = Math.min(g.cg, p1 < rows.count ? rows.start[p1] : g.cg);
                    GyGrid grid = new GyGrid(g, ph, va, vb);
                    double[] gy = s.doubles("gemm.small", g.kg * grid.channel + SLACK);
                    copyGy(g, grid, small, n, gi * g.kg, gy);
                    if (!ph.complete) {
                        // positions of phases no tap reaches receive nothing: bias and activation only
                        long s0 = g.stride[0];
                        clearRows(g, big, n, gi * g.cg + c0, c1 - c0, va * s0 - g.padBegin[0], vb * s0 - g.padBegin[0], bias, e, s);
                    }
                    for (int p = 0; p < ph.count; p++) {
                        int[] lo = new int[g.rank], hi = new int[g.rank];
                        long base = big.offset() + n * big.stride(0);
                        long[] outStep = new long[g.rank];
                        boolean empty = false;
                        for (int d = 0; d < g.rank; d++) {
                            lo[d] = ph.firstInside(p, d);
                            hi[d] = ph.endInside(p, d);
                            if (d == 0) {
                                lo[0] = Math.max(lo[0], va);
                                hi[0] = Math.min(hi[0], vb);
                            } else if (d == 1 && cp > 1) {
                                lo[1] = Math.max(lo[1], TaskSplit.start(cols, ci, cp));
                                hi[1] = Math.min(hi[1], TaskSplit.start(cols, ci + 1, cp));
                            }
                            empty |= lo[d] >= hi[d];
                            base += (long) (ph.phase[p][d] - g.padBegin[d]) * big.stride(2 + d);
                            outStep[d] = (long) g.stride[d] * big.stride(2 + d);
                        }
                        if (empty) continue;
                        int[] koff = gyOffsets(g, ph, grid, p, s);
                        GridWalk walk = new GridWalk(lo, hi, grid.origin, grid.stride, base, outStep, NR);
                        tiles(walk, a, gi * perGroup + phaseBase[p], rows, p0, p1, chunks[p], red[p], gy, koff, s, big, gi * g.cg, g.cg,
                                bias, e, null, 0);
                    }
                }, small, w, bias, big);
            } else {
                // tasks own big rows [b0, b1) and compute with them the padded rows that fold into them
                int rowSize = 1;
                for (int d = 1; d < g.rank; d++) rowSize *= ph.extent[d];
                int inner = rowSize;
                // one panel part: the fold reads every channel's padded rows
                int bigRows = (int) g.big[0];
                TaskSplit split = TaskSplit.of(g.batch * g.groups, bigRows, minRowParts(bigRows, (long) g.cg * inner), 1, ex.threads());
                int tiles = split.rowParts();
                ex.forEach(Math.toIntExact(split.tasks(g.batch * g.groups)), (task, s) -> {
                    int ti = task % tiles;
                    int gi = (task / tiles) % g.groups;
                    long n = task / tiles / g.groups;
                    int b0 = TaskSplit.start(bigRows, ti, tiles), b1 = TaskSplit.start(bigRows, ti + 1, tiles);
                    int[] need = neededRows(g, ph, b0, b1);
                    int channel = need.length * inner;
                    double[] grad = s.doubles("gemm.grad", g.cg * channel + SLACK);
                    if (!ph.complete) Arrays.fill(grad, 0, g.cg * channel, 0);
                    int[] bufStride = new int[g.rank];
                    bufStride[g.rank - 1] = 1;
                    for (int d = g.rank - 2; d >= 1; d--) bufStride[d] = bufStride[d + 1] * ph.extent[d + 1];
                    bufStride[0] = inner;
                    for (int i = 0; i < need.length; ) {
                        int j = i;
                        while (j + 1 < need.length && need[j + 1] == need[j] + 1) j++;
                        int ua = need[i], ub = need[j] + 1, s0 = g.stride[0];
                        GyGrid grid = new GyGrid(g, ph, ua / s0, ceilDiv(ub, s0));
                        double[] gy = s.doubles("gemm.small", g.kg * grid.channel + SLACK);
                        copyGy(g, grid, small, n, gi * g.kg, gy);
                        for (int p = 0; p < ph.count; p++) {
                            int[] lo = new int[g.rank], hi = new int[g.rank];
                            long[] outStep = new long[g.rank];
                            int[] phi = ph.phase[p];
                            long base = (long) (phi[0] - ua + i) * inner;
                            lo[0] = Math.max(0, Math.ceilDiv(ua - phi[0], s0));
                            hi[0] = Math.ceilDiv(ub - phi[0], s0);
                            outStep[0] = (long) s0 * inner;
                            boolean empty = lo[0] >= hi[0];
                            for (int d = 1; d < g.rank; d++) {
                                hi[d] = ph.endPadded(p, d);
                                empty |= hi[d] <= 0;
                                base += (long) phi[d] * bufStride[d];
                                outStep[d] = (long) g.stride[d] * bufStride[d];
                            }
                            if (empty) continue;
                            int[] koff = gyOffsets(g, ph, grid, p, s);
                            GridWalk walk = new GridWalk(lo, hi, grid.origin, grid.stride, base, outStep, NR);
                            tiles(walk, a, gi * perGroup + phaseBase[p], rows, 0, rows.count, chunks[p], red[p], gy, koff, s, null, 0,
                                    g.cg, null, e, grad, channel);
                        }
                        i = j + 1;
                    }
                    foldAndStore(g, ph, need, b0, b1, grad, channel, bufStride, big, n, gi * g.cg, bias, e);
                }, small, w, bias, big);
            }
        } finally {
            ex.release(call);
        }
    }

    /**
     * Whether backward-data runs with images in the lanes ({@link #imagesInLanes}): unit strides (one phase
     * that reaches every position) and zero padding.
     */
    static boolean dataLanes(ConvGeometry g, Phases ph) {
        if (g.mode != PaddingMode.ZEROS || ph.count != 1 || !ph.complete || g.batch < L) return false;
        int rank = g.rank;
        long row = gyRowElements(g, ph);
        long rowElements = row > LANE_LIMIT ? Long.MAX_VALUE : row * g.kg;
        // a task's gy grid also holds margin[0] rows in front: they count against the same bound
        if (rowElements > LANE_LIMIT / L || (long) ph.margin[0] * rowElements > LANE_BUDGET) return false;
        long[] box = new long[rank];
        for (int d = 0; d < rank; d++) box[d] = ph.endInside(0, d) - ph.firstInside(0, d);
        long rowLength = rank >= 2 ? ph.margin[rank - 1] + Math.max(ph.grid[rank - 1], g.small[rank - 1]) : 0;
        return lanesFit(g.cg, g.bigCount()) && imagesInLanes(g.batch, box, rowLength, rowElements, Panels.of(g.cg).padded,
                (long) g.kg * g.taps, (double) rowElements * (ph.grid[0] + ph.margin[0]));
    }

    /**
     * Backward-data with L images in the lanes (unit strides, zero padding): tasks own (group of L images,
     * group) items cut as the plain pass; each stages its images' gy grids into the lanes, runs the tiles into
     * a lane buffer of its box of big positions, and stores every image from it with bias and epilogue.
     */
    private static void bigFromSmallLanes(ConvGeometry g, Tensor small, double[] a, Phases ph, Panels rows, int red, int chunks,
                                          int perGroup, Tensor bias, Epilogue e, Tensor big, Execution ex) {
        long imageGroups = ceilDiv(g.batch, L);
        int gridRows = ph.grid[0], cols = g.rank > 2 ? ph.grid[1] : 1;
        long rowElements = (long) L * g.kg * gyRowElements(g, ph);
        int minRows = laneRowParts(gridRows, rowElements);
        TaskSplit split = TaskSplit.of(imageGroups * g.groups, gridRows, minRows, rows.count, cols, ex.threads());
        int rp = split.rowParts(), pp = split.panelParts(), cp = split.colParts();
        ex.forEach(Math.toIntExact(split.tasks(imageGroups * g.groups)), (task, s) -> {
            int pi = task % pp;
            int ci = (task / pp) % cp;
            int ti = (task / pp / cp) % rp;
            int gi = (task / pp / cp / rp) % g.groups;
            long n0 = task / pp / cp / rp / g.groups * L;
            int images = (int) Math.min(L, g.batch - n0);
            int va = TaskSplit.start(gridRows, ti, rp), vb = TaskSplit.start(gridRows, ti + 1, rp);
            int rank = g.rank;
            int[] lo = new int[rank], hi = new int[rank], shift = new int[rank];
            for (int d = 0; d < rank; d++) {
                lo[d] = ph.firstInside(0, d);
                hi[d] = ph.endInside(0, d);
                shift[d] = ph.phase[0][d] - g.padBegin[d];
            }
            lo[0] = Math.max(lo[0], va);
            hi[0] = Math.min(hi[0], vb);
            if (cp > 1) {
                lo[1] = Math.max(lo[1], TaskSplit.start(cols, ci, cp));
                hi[1] = Math.min(hi[1], TaskSplit.start(cols, ci + 1, cp));
            }
            for (int d = 0; d < rank; d++) if (lo[d] >= hi[d]) return; // rows of padding only
            GyGrid grid = new GyGrid(g, ph, va, vb);
            int count = g.kg * grid.channel;
            double[] gy = s.doubles("gemm.lanes", (count + SLACK) * L);
            SlabIoF64.copySmallToGrid(g, small, n0, images, gi * g.kg, g.kg, grid.firstRow, grid.endRow, gy, grid.channel,
                    grid.unitSteps(), grid.add, grid.stride, SLACK, L);
            int[] koff = gyOffsets(g, ph, grid, 0, s);
            for (int r = 0; r < red; r++) koff[r] *= L;
            int p0 = TaskSplit.start(rows.count, pi, pp), p1 = TaskSplit.start(rows.count, pi + 1, pp);
            int c0 = rows.start[p0], c1 = Math.min(g.cg, p1 < rows.count ? rows.start[p1] : g.cg);
            double[] buf = lanesBuffer(lo, hi, c1, s);
            tiles(boxWalk(lo, hi, grid.origin, grid.stride), a, gi * perGroup, rows, p0, p1, chunks, red, gy, koff, s, null, 0, g.cg,
                    null, Epilogue.NONE, buf, boxCount(lo, hi) * L, true);
            storeLanes(buf, lo, hi, shift, c0, c1, images, big, n0, gi * g.cg, bias, e, s);
        }, small, bias, big);
    }

    /** Elements per grid row (dimension 0) of a gy grid: {@code prod_{d >= 1} (margin_d + max(grid_d, small_d))}. */
    private static long gyRowElements(ConvGeometry g, Phases ph) {
        long n = 1;
        for (int d = 1; d < g.rank; d++) n *= ph.margin[d] + Math.max(ph.grid[d], g.small[d]);
        return n;
    }

    /**
     * Packs backward-data's A into {@code a}: per group and phase p, rows = big channels, reduction = (small
     * channel k, tap i of the phase). One task per (group, panel): the panel's weights, {@code w[k][c0 .. c0 + mr)[taps]},
     * come in one bulk copy per k when w is contiguous (a per-element read cost 7 ns, more than the pass's
     * multiply-adds at batch 1 on a 7x7 plane), and the tasks of large weights run on every thread.
     */
    private static void packBackwardData(ConvGeometry g, Tensor w, Phases ph, Panels rows, int[] red, int[] chunks, int[] phaseBase,
                                         int perGroup, double[] a, Execution ex) {
        boolean contiguous = w.isContiguous();
        Execution.Task panel = (task, s) -> {
            int gi = task / rows.count, q = task % rows.count;
            int mr = rows.mr[q], c0 = rows.start[q], cn = Math.max(0, Math.min(mr, g.cg - c0));
            // wp[(k * mr + i) * taps + t] = w[gi * kg + k][c0 + i][tap t]
            double[] wp = s.doubles("gemm.wpanel", g.kg * mr * g.taps);
            for (int k = 0; k < g.kg; k++) {
                if (contiguous) {
                    long off = w.offset() + ((long) (gi * g.kg + k) * g.cg + c0) * g.taps;
                    MemorySegment.copy(w.segment(), LAYOUT, off * ES, wp, k * mr * g.taps, cn * g.taps);
                } else {
                    for (int i = 0; i < cn; i++) {
                        for (int t = 0; t < g.taps; t++) wp[(k * mr + i) * g.taps + t] = weight(g, w, gi * g.kg + k, c0 + i, t);
                    }
                }
            }
            for (int p = 0; p < ph.count; p++) {
                int[] taps = ph.taps[p];
                int len = taps.length;
                for (int ch = 0; ch < chunks[p]; ch++) {
                    int ao = gi * perGroup + phaseBase[p] + ch * rows.padded * KC + c0 * KC;
                    int n0 = Math.max(0, Math.min(KC, red[p] - ch * KC));
                    // k-major: reduction step j's mr values are contiguous (the micro-kernel's one stream)
                    Arrays.fill(a, ao, ao + mr * KC, 0);
                    int kIdx = ch * KC / len, ti = ch * KC % len;
                    for (int j = 0; j < n0; j++) {
                        int from = kIdx * mr * g.taps + taps[ti];
                        for (int i = 0; i < cn; i++) a[ao + j * mr + i] = wp[from + i * g.taps];
                        if (++ti == len) {
                            ti = 0;
                            kIdx++;
                        }
                    }
                }
            }
        };
        int tasks = g.groups * rows.count;
        if ((long) g.groups * g.kg * g.cg * g.taps >= PARALLEL_PACK) {
            ex.forEach(tasks, panel, w);
            return;
        }
        Scratch s = ex.acquire(); // small weights: on this thread, no wake-up
        try {
            for (int t = 0; t < tasks; t++) panel.run(t, s);
        } finally {
            ex.release(s);
        }
    }

    /** Row parts of {@code total} rows at least: each task's heap buffer of {@code rowElements} per row within the budget. */
    private static int minRowParts(int total, long rowElements) {
        long rows = Math.max(1, Math.min(total, TASK_BUDGET * 4 / Math.max(1, rowElements)));
        return (int) ceilDiv(total, rows);
    }

    /**
     * The padded rows (dimension 0, sorted) whose gradients big rows [b0, b1) need: their own, and the
     * padding rows that read them.
     */
    private static int[] neededRows(ConvGeometry g, Phases ph, int b0, int b1) {
        int pb = g.padBegin[0];
        int[] need = new int[ph.extent[0]];
        int n = 0;
        for (int u = 0; u < ph.extent[0]; u++) {
            long src = g.mode.source(u - pb, g.big[0]);
            if (src >= b0 && src < b1) need[n++] = u;
        }
        return Arrays.copyOf(need, n);
    }

    /**
     * Folds the padded rows' gradients into the rows they read, dimension by dimension (the order of a
     * whole-plane fold, so the cut changes no bits), then stores big rows [b0, b1) with bias and activation.
     */
    private static void foldAndStore(ConvGeometry g, Phases ph, int[] need, int b0, int b1, double[] grad, int channel,
                                     int[] bufStride, Tensor big, long n, int cAbs, Tensor bias, Epilogue e) {
        int rank = g.rank;
        int pb0 = g.padBegin[0];
        int inner = bufStride[0];
        int first = Arrays.binarySearch(need, b0 + pb0);
        for (int c = 0; c < g.cg; c++) {
            int cb = c * channel;
            for (int i = 0; i < need.length; i++) {
                int u = need[i];
                if (u >= pb0 && u < pb0 + g.big[0]) continue;
                int to = first + (int) g.mode.source(u - pb0, g.big[0]) - b0;
                for (int x = 0; x < inner; x++) grad[cb + to * inner + x] += grad[cb + i * inner + x];
            }
            for (int d = 1; d < rank; d++) {
                int ext = ph.extent[d], in = bufStride[d];
                int outer = (b1 - b0) * inner / (ext * in);
                int pb = g.padBegin[d];
                for (int o = 0; o < outer; o++) {
                    int rowBase = cb + first * inner + o * ext * in;
                    for (int x = 0; x < ext; x++) {
                        if (x >= pb && x < pb + g.big[d]) continue;
                        int to = pb + (int) g.mode.source(x - pb, g.big[d]);
                        for (int i = 0; i < in; i++) grad[rowBase + to * in + i] += grad[rowBase + x * in + i];
                    }
                }
            }
        }
        int last = rank - 1;
        int rowLen = (int) g.big[last];
        long rows = b1 - b0;
        for (int d = 1; d < last; d++) rows *= g.big[d];
        long[] p = new long[rank];
        MemorySegment seg = big.segment();
        for (int c = 0; c < g.cg; c++) {
            long chanOff = big.offset() + n * big.stride(0) + (cAbs + c) * big.stride(1);
            double bv = bias == null ? 0 : bias.segment().get(LAYOUT, (bias.offset() + (cAbs + c) * bias.stride(0)) * ES);
            Arrays.fill(p, 0);
            p[0] = b0;
            for (long r = 0; r < rows; r++) {
                long dst = chanOff;
                int src = c * channel + (first + (int) (p[0] - b0)) * inner + (rank > 1 ? g.padBegin[last] : 0);
                dst += p[0] * big.stride(2);
                for (int d = 1; d < last; d++) {
                    dst += p[d] * big.stride(2 + d);
                    src += (int) (p[d] + g.padBegin[d]) * bufStride[d];
                }
                storeRow(grad, src, seg, dst, big.stride(2 + last), rank > 1 ? rowLen : 1, bv, e);
                for (int d = rank > 1 ? last - 1 : 0; d >= 0; d--) {
                    if (++p[d] < (d == 0 ? b1 : g.big[d])) break;
                    p[d] = d == 0 ? b0 : 0;
                }
            }
        }
    }

    /** Writes bias and activation to big rows [from, to) (clipped to the input) of channels [c0, c0 + cn) of image n. */
    private static void clearRows(ConvGeometry g, Tensor big, long n, int c0, int cn, long from, long to, Tensor bias, Epilogue e,
                                  Scratch s) {
        long b0 = Math.max(0, from), b1 = Math.min(g.big[0], to);
        if (b1 <= b0) return;
        int rank = g.rank, last = rank - 1;
        int rowLen = rank == 1 ? (int) (b1 - b0) : (int) g.big[last];
        double[] zeros = s.doubles("gemm.zeros", rowLen);
        Arrays.fill(zeros, 0, rowLen, 0);
        long rows = rank == 1 ? 1 : b1 - b0;
        for (int d = 1; d < last; d++) rows *= g.big[d];
        long[] p = new long[rank];
        for (int c = c0; c < c0 + cn; c++) {
            double bv = bias == null ? 0 : bias.segment().get(LAYOUT, (bias.offset() + c * bias.stride(0)) * ES);
            Arrays.fill(p, 0);
            p[0] = b0;
            for (long r = 0; r < rows; r++) {
                long dst = big.offset() + n * big.stride(0) + c * big.stride(1);
                for (int d = 0; d < last; d++) dst += p[d] * big.stride(2 + d);
                if (rank == 1) dst += b0 * big.stride(2);
                storeRow(zeros, 0, big.segment(), dst, big.stride(2 + last), rowLen, bv, e);
                for (int d = last - 1; d >= 0; d--) {
                    if (++p[d] < (d == 0 ? b1 : g.big[d])) break;
                    p[d] = d == 0 ? b0 : 0;
                }
            }
        }
    }

    /** Stores {@code len} values with bias and activation: {@link SlabIoF64#storeRow} with unit source step. */
    private static void storeRow(double[] src, int at, MemorySegment seg, long dst, long dstStride, int len, double bias, Epilogue e) {
        SlabIoF64.storeRow(src, at, 1, seg, dst, dstStride, len, bias, e);
    }

    /** Copies gy channels [k0, k0 + g.kg) of image n onto {@code grid}'s layout in {@code buf}. */
    private static void copyGy(ConvGeometry g, GyGrid grid, Tensor small, long n, int k0, double[] buf) {
        SlabIoF64.copySmallToGrid(g, small, n, k0, g.kg, grid.firstRow, grid.endRow, buf, grid.channel, grid.unitSteps(), grid.add,
                grid.stride, SLACK);
    }

    /** Reduction offsets of phase p: row (k, i) reads gy channel k shifted back by tap i's q. */
    private static int[] gyOffsets(ConvGeometry g, Phases ph, GyGrid grid, int p, Scratch s) {
        int[] taps = ph.taps[p];
        int[] koff = s.ints("gemm.koff", g.kg * taps.length);
        for (int i = 0; i < taps.length; i++) {
            int shift = grid.tapShift(taps[i]);
            for (int k = 0; k < g.kg; k++) koff[k * taps.length + i] = k * grid.channel + shift;
        }
        return koff;
    }

    // ================================================================ backward weights: gw = sum_p gy[k][p] x[c][p + off_t]

    static void weightGrad(ConvGeometry g, Tensor big, Tensor small, Tensor gw, Execution ex) {
        boolean outer = outerWeightGrad(g);
        int cbMax = outer ? outerChannelBlock(g) : channelBlock(g);
        int kb = Math.min(g.kg, outer ? OUTER_K : 32);
        int kBlocks = ceilDiv(g.kg, kb);
        WeightChunks chunks = new WeightChunks(g, cbMax, outer ? OUTER_CHUNK_POSITIONS : WeightChunks.MIN_POSITIONS);
        // the chunks are fixed by the problem (their sums must not depend on the threads); the channels are cut
        // further where groups x k-blocks x chunks leave threads idle (batch 1 on 16-64 cores): each weight's
        // sum runs over the same positions in the same order in any block, so the channel cut changes no bits
        int cBlocks = TaskSplit.of((long) g.groups * kBlocks * chunks.count, g.cg, ceilDiv(g.cg, cbMax), 1, ex.threads()).rowParts();
        int cb = ceilDiv(g.cg, cBlocks);
        int blocks = g.groups * cBlocks * kBlocks;
        int tileRows = outer ? ceilDiv(cb * g.taps, OUTER_ROW_STEP) * OUTER_ROW_STEP : ceilDiv(cb * g.taps, DR) * DR;
        int tileCols = outer ? ceilDiv(kb, L) * L : ceilDiv(kb, DK) * DK;
        int part = tileRows * tileCols;
        Scratch call = ex.acquire();
        try {
            double[] partial = call.doubles("gemm.wpart", Math.toIntExact((long) blocks * chunks.count * part));
            ex.forEach(blocks * chunks.count, (task, s) -> {
                int ci = task % chunks.count;
                int blk = task / chunks.count;
                int kbi = blk % kBlocks, cbi = (blk / kBlocks) % cBlocks, gi = blk / kBlocks / cBlocks;
                int c0 = TaskSplit.start(g.cg, cbi, cBlocks), cn = TaskSplit.start(g.cg, cbi + 1, cBlocks) - c0;
                int k0 = kbi * kb, kn = Math.min(kb, g.kg - k0);
                if (outer) {
                    outerTask(g, big, small, chunks, ci, gi * g.cg + c0, cn, gi * g.kg + k0, kn, tileRows, tileCols, partial, task * part, s);
                    return;
                }
                int rowsReal = cn * g.taps, tr = ceilDiv(rowsReal, DR), tk = ceilDiv(kn, DK);
                double[] acc = s.doubles("gemm.wacc", tr * tk * DR * DK * L);
                Arrays.fill(acc, 0, tr * tk * DR * DK * L, 0);
                int[] xo = s.ints("gemm.wxo", tr * DR), yo = s.ints("gemm.wyo", tk * DK);
                long[] seg = new long[3];
                for (int si = 0; chunks.segment(ci, si, seg); si++) {
                    long n = seg[0];
                    PhaseSlab slab = new PhaseSlab(g, (int) seg[1], (int) seg[2]);
                    int len = ceilDiv(slab.span, L) * L;
                    int cs = slab.channelStride;
                    double[] sl = s.doubles("gemm.slab", (cn + 1) * cs + len + SLACK);
                    SlabRowsF64.fillSlab(g, big, n, gi * g.cg + c0, cn, slab, sl, s);
                    Arrays.fill(sl, cn * cs, (cn + 1) * cs + len + SLACK, 0); // the zero channel padding rows read
                    double[] gy = s.doubles("gemm.wgy", (kn + 1) * len + SLACK);
                    SlabIoF64.copySmall(g, small, n, gi * g.kg + k0, kn, slab, gy, len, 0, len + SLACK);
                    for (int r = 0; r < tr * DR; r++) xo[r] = r < rowsReal ? r / g.taps * cs + slab.tapOffset[r % g.taps] : cn * cs;
                    for (int k = 0; k < tk * DK; k++) yo[k] = (k < kn ? k : kn) * len;
                    if (SlabExactF64.finite(sl, cn * cs)) {
                        for (int i = 0; i < tr; i++) {
                            for (int j = 0; j < tk; j++) dot4x4(sl, xo, i * DR, gy, yo, j * DK, len, acc, (i * tk + j) * DR * DK * L);
                        }
                    } else {
                        exactSegment(g, slab, sl, xo, gy, yo, tr, tk, acc);
                    }
                }
                // lanes summed in a fixed order: partial[(row) * tileCols + col] of this task
                int po = task * part;
                for (int i = 0; i < tr; i++) {
                    for (int j = 0; j < tk; j++) {
                        for (int r = 0; r < DR; r++) {
                            for (int k = 0; k < DK; k++) {
                                int at = (((i * tk + j) * DR + r) * DK + k) * L;
                                double sum = 0;
                                for (int l = 0; l < L; l++) sum += acc[at + l];
                                partial[po + (i * DR + r) * tileCols + j * DK + k] = sum;
                            }
                        }
                    }
                }
            }, big, small);
            // gw: the chunks' partial sums, added in chunk order; a block's rows split so that every thread
            // helps, unless the sums are too few to pay for waking a thread
            long ws0 = gw.stride(0), ws1 = gw.stride(1);
            int rowParts = (long) blocks * chunks.count * part >= SPLIT_SUMS ? ceilDiv(2 * ex.threads(), blocks) : 1;
            ex.forEach(blocks * rowParts, (task, s) -> {
                int blk = task / rowParts, rp = task % rowParts;
                int kbi = blk % kBlocks, cbi = (blk / kBlocks) % cBlocks, gi = blk / kBlocks / cBlocks;
                int c0 = TaskSplit.start(g.cg, cbi, cBlocks), cn = TaskSplit.start(g.cg, cbi + 1, cBlocks) - c0;
                int k0 = kbi * kb, kn = Math.min(kb, g.kg - k0);
                int rows = cn * g.taps;
                // rows in runs: each column's sum in chunk order as before; then per output channel a run of
                // consecutive gw elements (a dense gw holds a block's (channel, tap) rows back to back), where one
                // element per row and channel wrote a cache line each: 2.4 M scattered writes on 7x7 C512
                double[] sum = s.doubles("gemm.wsum", SUM_ROWS * kn);
                double[] run = s.doubles("gemm.wrun", SUM_ROWS);
                boolean dense = gw.isContiguous();
                for (int r0 = rows * rp / rowParts, rEnd = rows * (rp + 1) / rowParts; r0 < rEnd; r0 += SUM_ROWS) {
                    int nr = Math.min(SUM_ROWS, rEnd - r0);
                    Arrays.fill(sum, 0, nr * kn, 0);
                    for (int ci = 0; ci < chunks.count; ci++) {
                        for (int rr = 0; rr < nr; rr++) {
                            int at = (blk * chunks.count + ci) * part + (r0 + rr) * tileCols;
                            for (int k = 0; k < kn; k++) sum[rr * kn + k] += partial[at + k];
                        }
                    }
                    for (int k = 0; k < kn; k++) {
                        long kOff = gw.offset() + (gi * g.kg + k0 + k) * ws0;
                        if (dense) {
                            for (int rr = 0; rr < nr; rr++) run[rr] = (double) sum[rr * kn + k];
                            MemorySegment.copy(run, 0, gw.segment(), LAYOUT, (kOff + (long) c0 * g.taps + r0) * ES, nr);
                        } else {
                            for (int rr = 0; rr < nr; rr++) {
                                int r = r0 + rr;
                                long off = kOff + (c0 + r / g.taps) * ws1 + tapOffset(gw, g.tap[r % g.taps]);
                                gw.segment().set(LAYOUT, off * ES, (double) sum[rr * kn + k]);
                            }
                        }
                    }
                }
            }, gw);
        } finally {
            ex.release(call);
        }
    }

    /** Rows of backward-weights' final sums summed at once. */
    private static final int SUM_ROWS = 16;
    /** Partial sums (over all blocks and chunks) from which backward-weights' final sums are split across threads. */
    private static final long SPLIT_SUMS = 1 << 15;

    // ---------------------------------------------------------------- backward weights as outer products

    /** Output channels per outer-product block: up to 4 vectors of float32 lanes. */
    private static final int OUTER_K = 64;
    /** Rows of the partial sums are padded to this, a multiple of every outer tile's rows. */
    private static final int OUTER_ROW_STEP = 24;
    /** Real positions per chunk at least: the outer tiles end without lane sums, so chunks can be short. */
    private static final long OUTER_CHUNK_POSITIONS = 512;
    /** (Channel, tap) rows of a block at most: its partial sums stay small. */
    private static final int OUTER_ROWS = 1024;
    /** Positions per outer-product kernel call. */
    private static final int OUTER_RUN = 128;

    /**
     * Whether backward-weights runs as outer products (from the problem alone, never the layout: results are
     * the same bits in every layout): at least half a vector of output channels per group. Over the real
     * positions only, it wastes nothing on a small plane's padded grid, where the dot tiles multiply the
     * zeros between rows (2x on 8^3 with padding 1, 3.4x on 4^3).
     */
    private static boolean outerWeightGrad(ConvGeometry g) {
        return g.kg >= Math.max(2, L / 2) && g.smallCount() <= Integer.MAX_VALUE / OUTER_K;
    }

    /** Channels per outer-product block: every channel of a group in one block up to OUTER_ROWS rows, else balanced blocks. */
    private static int outerChannelBlock(ConvGeometry g) {
        int blocks = (int) Math.min(g.cg, ceilDiv((long) g.cg * g.taps, OUTER_ROWS));
        return ceilDiv(g.cg, Math.max(1, blocks));
    }

    /**
     * One task of outer-product backward-weights: big channels [c, c + cn) x small channels [k, k + kn) over
     * chunk {@code ci}, into {@code acc[ao + row * kp + col]} (rows (channel, tap), {@code rows} of them
     * padded; columns the small channels, kp of them padded to vectors). Per segment: the slab, the window
     * start of every real position, and gy transposed to (position, channel).
     */
    private static void outerTask(ConvGeometry g, Tensor big, Tensor small, WeightChunks chunks, int ci, int c, int cn, int k, int kn,
                                  int rows, int kp, double[] acc, int ao, Scratch s) {
        Arrays.fill(acc, ao, ao + rows * kp, 0);
        int rowsReal = cn * g.taps;
        int rowSize = (int) (g.smallCount() / g.small[0]);
        int[] xo = s.ints("gemm.oxo", rows);
        long[] seg = new long[3];
        for (int si = 0; chunks.segment(ci, si, seg); si++) {
            long n = seg[0];
            int r0 = (int) seg[1], r1 = (int) seg[2];
            PhaseSlab slab = new PhaseSlab(g, r0, r1);
            int cs = slab.channelStride;
            double[] sl = s.doubles("gemm.slab", (cn + 1) * cs + SLACK);
            SlabRowsF64.fillSlab(g, big, n, c, cn, slab, sl, s);
            // the padding rows read a zero channel, two cells past it at most (their offsets count 0, 1, 2 in runs of
            // three, so that a tile of (channel, tap) rows in runs keeps the triple tiles through the padding)
            Arrays.fill(sl, cn * cs, (cn + 1) * cs + 2, 0);
            for (int r = 0; r < rows; r++) xo[r] = r < rowsReal ? r / g.taps * cs + slab.tapOffset[r % g.taps] : cn * cs + (r - rowsReal) % 3;
            boolean triples = rowsReal % 3 == 0 && inRunsOfThree(xo, rows);
            int count = (r1 - r0) * rowSize;
            int[] ws = s.ints("gemm.ows", count);
            windowStarts(g, slab, ws);
            double[] gt = s.doubles("gemm.ogt", count * kp + SLACK);
            if (kn < kp) Arrays.fill(gt, 0, count * kp, 0);
            transposeSmall(g, small, n, k, kn, r0, count, gt, kp, s);
            for (int v0 = 0, kv = kp / L; v0 < kv; ) {
                int vs = Math.min(4, kv - v0), step = OUTER_ROW_STEP / vs; // 24 accumulators per tile; rows pad to 24
                for (int r = 0; r < rows; r += step) {
                    // the positions in runs: calls short enough that C1 compiles and profiles a kernel before
                    // C2 compiles it (calls over 512 positions reached C2 on the interpreter's profile alone, and
                    // in some JVMs that code boxed its vectors: 2 GB allocated per voxel3d step; the training
                    // report's allocation table watches for it). Same additions in the same order.
                    for (int q0 = 0; q0 < count; q0 += OUTER_RUN) {
                        int q1 = Math.min(count, q0 + OUTER_RUN);
                        if (triples && vs != 3) {
                            switch (vs) {
                                case 1 -> outer24x1t(sl, xo, r, ws, q0, q1, gt, kp, v0 * L, acc, ao);
                                case 2 -> outer12x2t(sl, xo, r, ws, q0, q1, gt, kp, v0 * L, acc, ao);
                                default -> outer6x4t(sl, xo, r, ws, q0, q1, gt, kp, v0 * L, acc, ao);
                            }
                            continue;
                        }
                        switch (vs) {
                            case 1 -> outer24x1(sl, xo, r, ws, q0, q1, gt, kp, v0 * L, acc, ao);
                            case 2 -> outer12x2(sl, xo, r, ws, q0, q1, gt, kp, v0 * L, acc, ao);
                            case 3 -> outer8x3(sl, xo, r, ws, q0, q1, gt, kp, v0 * L, acc, ao);
                            default -> outer6x4(sl, xo, r, ws, q0, q1, gt, kp, v0 * L, acc, ao);
                        }
                    }
                }
                v0 += vs;
            }
        }
    }

    /**
     * Whether {@code xo[0, rows)} is in runs of three consecutive cells ({@code xo[3m + j] = xo[3m] + j}), as
     * the (channel, tap) rows of a kernel whose last dimension has 3 taps (or a multiple of 3) at dilation 1 on an
     * unsplit slab. Checked on the offsets themselves, so a triple tile reads exactly the cells the general one would.
     */
    private static boolean inRunsOfThree(int[] xo, int rows) {
        for (int r = 0; r + 2 < rows; r += 3) {
            if (xo[r + 1] != xo[r] + 1 || xo[r + 2] != xo[r] + 2) return false;
        }
        return rows % 3 == 0;
    }

    /** The slab offset of each real position's window, rows [r0, r1) of the small side in row-major order, into {@code out}. */
    private static void windowStarts(ConvGeometry g, PhaseSlab slab, int[] out) {
        long[] o = new long[g.rank];
        o[0] = slab.r0;
        for (int q = 0, count = (slab.r1 - slab.r0) * (int) (g.smallCount() / g.small[0]); q < count; q++) {
            out[q] = slab.windowStart(o);
            for (int d = g.rank - 1; d >= 0; d--) {
                if (++o[d] < (d == 0 ? slab.r1 : g.small[d])) break;
                o[d] = d == 0 ? slab.r0 : 0;
            }
        }
    }

    /**
     * {@code gt[q * kp + j] = small[n][k + j][position q]} for the {@code count} positions from row {@code r0}
     * in row-major order: runs of a channel copied at once when the positions are row-major, else element by
     * element (channels-last: a position's channels are adjacent).
     */
    private static void transposeSmall(ConvGeometry g, Tensor small, long n, int k, int kn, int r0, int count, double[] gt, int kp,
                                       Scratch s) {
        MemorySegment seg = small.segment();
        long base = small.offset() + n * small.stride(0) + k * small.stride(1);
        boolean rowMajor = true;
        long plane = 1;
        for (int d = g.rank - 1; d >= 0; d--) {
            rowMajor &= small.stride(2 + d) == plane;
            plane *= g.small[d];
        }
        if (rowMajor) {
            // every channel's run in one bulk copy, then a position's channels gathered a vector at a time (the
            // element-by-element transpose took 15% of a voxel3d layer's backward-weights)
            double[] runs = s.doubles("gemm.orun", kn * count);
            int[] map = s.ints("gemm.omap", kp);
            for (int j = 0; j < kn; j++) {
                MemorySegment.copy(seg, LAYOUT, (base + r0 * small.stride(2) + j * small.stride(1)) * ES, runs, j * count, count);
            }
            for (int j = 0; j < kp; j++) map[j] = j < kn ? j * count : 0;
            for (int v = 0; v < kp; v += L) {
                if (v + L <= kn) {
                    for (int q = 0; q < count; q++) DoubleVector.fromArray(S, runs, q, map, v).intoArray(gt, q * kp + v);
                } else {
                    VectorMask<Double> m = S.indexInRange(v, kn);
                    for (int q = 0; q < count; q++) DoubleVector.fromArray(S, runs, q, map, v, m).intoArray(gt, q * kp + v);
                }
            }
            return;
        }
        long[] o = new long[g.rank];
        o[0] = r0;
        long cs = small.stride(1);
        for (int q = 0; q < count; q++) {
            long at = base;
            for (int d = 0; d < g.rank; d++) at += o[d] * small.stride(2 + d);
            for (int j = 0; j < kn; j++) gt[q * kp + j] = seg.get(LAYOUT, (at + j * cs) * ES);
            for (int d = g.rank - 1; d >= 0; d--) {
                if (++o[d] < g.small[d]) break;
                o[d] = 0;
            }
        }
    }

    /**
     * The dot tiles of one segment term by term over the real positions only: with an infinity or NaN in
     * the slab, the grid cells between rows (whose gy is 0) must not turn into NaN as 0 * inf would.
     */
    private static void exactSegment(ConvGeometry g, PhaseSlab slab, double[] sl, int[] xo, double[] gy, int[] yo, int tr, int tk,
                                     double[] acc) {
        int[] starts = new int[(int) ((long) (slab.r1 - slab.r0) * (g.smallCount() / g.small[0]))];
        windowStarts(g, slab, starts);
        for (int i = 0; i < tr; i++) {
            for (int j = 0; j < tk; j++) {
                for (int r = 0; r < DR; r++) {
                    for (int k = 0; k < DK; k++) {
                        int x = xo[i * DR + r], y = yo[j * DK + k];
                        double sum = 0;
                        for (int p : starts) sum += sl[x + p] * gy[y + p];
                        acc[(((i * tk + j) * DR + r) * DK + k) * L] += sum;
                    }
                }
            }
        }
    }

    /**
     * Channels per backward-weights task: about 128 (channel, tap) rows, enough to amortise each task's
     * slab fill, with a bounded slab.
     */
    private static int channelBlock(ConvGeometry g) {
        return Math.max(1, Math.min(g.cg, ceilDiv(128, g.taps)));
    }

    // ================================================================ packing and stores

    /** Reduction chunks of length KC for a reduction of {@code red} (at least one, which a 0 reduction zeroes). */
    private static int chunks(int red) {
        return Math.max(1, ceilDiv(red, KC));
    }

    /** Weight (small channel r, big channel c of its group, tap t) as double. */
    private static double weight(ConvGeometry g, Tensor w, int r, int c, int t) {
        long off = w.offset() + r * w.stride(0) + c * w.stride(1) + tapOffset(w, g.tap[t]);
        return w.segment().get(LAYOUT, off * ES);
    }

    private static long tapOffset(Tensor w, int[] tap) {
        long off = 0;
        for (int d = 0; d < tap.length; d++) off += tap[d] * w.stride(2 + d);
        return off;
    }

    /** Stores rows [k0, kEnd) of a tile (one per channel) with bias and activation. */
    private static void storeTile(double[] c, int co, int mr, int k0, int kEnd, long[] out, int oo, Tensor t,
                                  Tensor bias, Epilogue e) {
        MemorySegment seg = t.segment();
        long cs = t.stride(1);
        boolean allConsecutive = consecutive(out, oo); // one run: store as vectors
        for (int i = 0, rows = Math.min(mr, kEnd - k0); i < rows; i++) {
            int k = k0 + i;
            double bv = bias == null ? 0 : bias.segment().get(LAYOUT, (bias.offset() + k * bias.stride(0)) * ES);
            long base = k * cs;
            if (allConsecutive) {
                SlabIoF64.storeRun(c, co + i * NR, seg, base + out[oo], NR, bv, e);
                continue;
            }
            // columns across gaps of the grid: the row is activated in place with vectors (c is not read
            // again), then its kept columns are stored one by one
            // always, a zero bias too: adding +0.0 turns a -0.0 sum into +0.0, as every other store does
            SlabIoF64.activateInPlace(c, co + i * NR, NR, bv, e);
            for (int j = 0; j < NR; j++) {
                long o = out[oo + j];
                if (o >= 0) seg.set(LAYOUT, (base + o) * ES, c[co + i * NR + j]);
            }
        }
    }

    /** Stores rows [k0, kEnd) of a tile to a heap buffer, channel k at {@code k * channel}. */
    private static void storeTileHeap(double[] c, int co, int mr, int k0, int kEnd, long[] out, int oo, double[] heap, int channel) {
        boolean allConsecutive = consecutive(out, oo);
        for (int i = 0, rows = Math.min(mr, kEnd - k0); i < rows; i++) {
            int base = (k0 + i) * channel;
            if (allConsecutive) {
                System.arraycopy(c, co + i * NR, heap, base + (int) out[oo], NR);
                continue;
            }
            for (int j = 0; j < NR; j++) {
                long o = out[oo + j];
                if (o >= 0) heap[base + (int) o] = c[co + i * NR + j];
            }
        }
    }

    /**
     * Whether the NR offsets from {@code oo} are one run {@code o, o+1, ...}. Every offset is checked: equal
     * ends do not imply a run when dropped columns (-1) sit between them and the output's row stride happens
     * to match the grid's.
     */
    private static boolean consecutive(long[] out, int oo) {
        long first = out[oo];
        if (first < 0) return false;
        for (int j = 1; j < NR; j++) if (out[oo + j] != first + j) return false;
        return true;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    // ================================================================ micro-kernels

    /**
     * {@code C[mr][NR] (+)= A[mr][kc] * B[kc][NR]}: A k-major (step k's mr values at {@code ao + k mr}), C at {@code co} with row pitch NR,
     * B row k read in place at {@code b[bo + koff[ko + k]]} (an im2col row is a contiguous run: no packing).
     */
    private static void microInPlace(int mr, double[] a, int ao, double[] b, int bo, int[] koff, int ko, int kc, double[] c, int co,
                                     boolean accumulate) {
        switch (mr) {
            case 12 -> mko12(a, ao, b, bo, koff, ko, kc, c, co, accumulate);
            case 8 -> mko8(a, ao, b, bo, koff, ko, kc, c, co, accumulate);
            case 4 -> mko4(a, ao, b, bo, koff, ko, kc, c, co, accumulate);
            default -> throw new IllegalStateException("no micro-kernel for " + mr + " rows");
        }
    }

    private static void mko12(double[] a, int ao, double[] b, int bo, int[] koff, int ko, int kc, double[] c, int co, boolean accumulate) {
        DoubleVector c0a, c0b;
        DoubleVector c1a, c1b;
        DoubleVector c2a, c2b;
        DoubleVector c3a, c3b;
        DoubleVector c4a, c4b;
        DoubleVector c5a, c5b;
        DoubleVector c6a, c6b;
        DoubleVector c7a, c7b;
        DoubleVector c8a, c8b;
        DoubleVector c9a, c9b;
        DoubleVector c10a, c10b;
        DoubleVector c11a, c11b;
        if (accumulate) {
            c0a = DoubleVector.fromArray(S, c, co + 0 * NR);
            c0b = DoubleVector.fromArray(S, c, co + 0 * NR + L);
            c1a = DoubleVector.fromArray(S, c, co + 1 * NR);
            c1b = DoubleVector.fromArray(S, c, co + 1 * NR + L);
            c2a = DoubleVector.fromArray(S, c, co + 2 * NR);
            c2b = DoubleVector.fromArray(S, c, co + 2 * NR + L);
            c3a = DoubleVector.fromArray(S, c, co + 3 * NR);
            c3b = DoubleVector.fromArray(S, c, co + 3 * NR + L);
            c4a = DoubleVector.fromArray(S, c, co + 4 * NR);
            c4b = DoubleVector.fromArray(S, c, co + 4 * NR + L);
            c5a = DoubleVector.fromArray(S, c, co + 5 * NR);
            c5b = DoubleVector.fromArray(S, c, co + 5 * NR + L);
            c6a = DoubleVector.fromArray(S, c, co + 6 * NR);
            c6b = DoubleVector.fromArray(S, c, co + 6 * NR + L);
            c7a = DoubleVector.fromArray(S, c, co + 7 * NR);
            c7b = DoubleVector.fromArray(S, c, co + 7 * NR + L);
            c8a = DoubleVector.fromArray(S, c, co + 8 * NR);
            c8b = DoubleVector.fromArray(S, c, co + 8 * NR + L);
            c9a = DoubleVector.fromArray(S, c, co + 9 * NR);
            c9b = DoubleVector.fromArray(S, c, co + 9 * NR + L);
            c10a = DoubleVector.fromArray(S, c, co + 10 * NR);
            c10b = DoubleVector.fromArray(S, c, co + 10 * NR + L);
            c11a = DoubleVector.fromArray(S, c, co + 11 * NR);
            c11b = DoubleVector.fromArray(S, c, co + 11 * NR + L);
        } else {
            c0a = DoubleVector.zero(S);
            c0b = DoubleVector.zero(S);
            c1a = DoubleVector.zero(S);
            c1b = DoubleVector.zero(S);
            c2a = DoubleVector.zero(S);
            c2b = DoubleVector.zero(S);
            c3a = DoubleVector.zero(S);
            c3b = DoubleVector.zero(S);
            c4a = DoubleVector.zero(S);
            c4b = DoubleVector.zero(S);
            c5a = DoubleVector.zero(S);
            c5b = DoubleVector.zero(S);
            c6a = DoubleVector.zero(S);
            c6b = DoubleVector.zero(S);
            c7a = DoubleVector.zero(S);
            c7b = DoubleVector.zero(S);
            c8a = DoubleVector.zero(S);
            c8b = DoubleVector.zero(S);
            c9a = DoubleVector.zero(S);
            c9b = DoubleVector.zero(S);
            c10a = DoubleVector.zero(S);
            c10b = DoubleVector.zero(S);
            c11a = DoubleVector.zero(S);
            c11b = DoubleVector.zero(S);
        }
        for (int k = 0; k < kc; k++) {
            int bk = bo + koff[ko + k];
            DoubleVector b0 = DoubleVector.fromArray(S, b, bk);
            DoubleVector b1 = DoubleVector.fromArray(S, b, bk + L);
            int ak = ao + k * 12;
            DoubleVector a0 = DoubleVector.broadcast(S, a[ak + 0]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            DoubleVector a1 = DoubleVector.broadcast(S, a[ak + 1]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            DoubleVector a2 = DoubleVector.broadcast(S, a[ak + 2]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            DoubleVector a3 = DoubleVector.broadcast(S, a[ak + 3]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
            DoubleVector a4 = DoubleVector.broadcast(S, a[ak + 4]);
            c4a = a4.fma(b0, c4a);
            c4b = a4.fma(b1, c4b);
            DoubleVector a5 = DoubleVector.broadcast(S, a[ak + 5]);
            c5a = a5.fma(b0, c5a);
            c5b = a5.fma(b1, c5b);
            DoubleVector a6 = DoubleVector.broadcast(S, a[ak + 6]);
            c6a = a6.fma(b0, c6a);
            c6b = a6.fma(b1, c6b);
            DoubleVector a7 = DoubleVector.broadcast(S, a[ak + 7]);
            c7a = a7.fma(b0, c7a);
            c7b = a7.fma(b1, c7b);
            DoubleVector a8 = DoubleVector.broadcast(S, a[ak + 8]);
            c8a = a8.fma(b0, c8a);
            c8b = a8.fma(b1, c8b);
            DoubleVector a9 = DoubleVector.broadcast(S, a[ak + 9]);
            c9a = a9.fma(b0, c9a);
            c9b = a9.fma(b1, c9b);
            DoubleVector a10 = DoubleVector.broadcast(S, a[ak + 10]);
            c10a = a10.fma(b0, c10a);
            c10b = a10.fma(b1, c10b);
            DoubleVector a11 = DoubleVector.broadcast(S, a[ak + 11]);
            c11a = a11.fma(b0, c11a);
            c11b = a11.fma(b1, c11b);
        }
        c0a.intoArray(c, co + 0 * NR);
        c0b.intoArray(c, co + 0 * NR + L);
        c1a.intoArray(c, co + 1 * NR);
        c1b.intoArray(c, co + 1 * NR + L);
        c2a.intoArray(c, co + 2 * NR);
        c2b.intoArray(c, co + 2 * NR + L);
        c3a.intoArray(c, co + 3 * NR);
        c3b.intoArray(c, co + 3 * NR + L);
        c4a.intoArray(c, co + 4 * NR);
        c4b.intoArray(c, co + 4 * NR + L);
        c5a.intoArray(c, co + 5 * NR);
        c5b.intoArray(c, co + 5 * NR + L);
        c6a.intoArray(c, co + 6 * NR);
        c6b.intoArray(c, co + 6 * NR + L);
        c7a.intoArray(c, co + 7 * NR);
        c7b.intoArray(c, co + 7 * NR + L);
        c8a.intoArray(c, co + 8 * NR);
        c8b.intoArray(c, co + 8 * NR + L);
        c9a.intoArray(c, co + 9 * NR);
        c9b.intoArray(c, co + 9 * NR + L);
        c10a.intoArray(c, co + 10 * NR);
        c10b.intoArray(c, co + 10 * NR + L);
        c11a.intoArray(c, co + 11 * NR);
        c11b.intoArray(c, co + 11 * NR + L);
    }

    private static void mko8(double[] a, int ao, double[] b, int bo, int[] koff, int ko, int kc, double[] c, int co, boolean accumulate) {
        DoubleVector c0a, c0b;
        DoubleVector c1a, c1b;
        DoubleVector c2a, c2b;
        DoubleVector c3a, c3b;
        DoubleVector c4a, c4b;
        DoubleVector c5a, c5b;
        DoubleVector c6a, c6b;
        DoubleVector c7a, c7b;
        if (accumulate) {
            c0a = DoubleVector.fromArray(S, c, co + 0 * NR);
            c0b = DoubleVector.fromArray(S, c, co + 0 * NR + L);
            c1a = DoubleVector.fromArray(S, c, co + 1 * NR);
            c1b = DoubleVector.fromArray(S, c, co + 1 * NR + L);
            c2a = DoubleVector.fromArray(S, c, co + 2 * NR);
            c2b = DoubleVector.fromArray(S, c, co + 2 * NR + L);
            c3a = DoubleVector.fromArray(S, c, co + 3 * NR);
            c3b = DoubleVector.fromArray(S, c, co + 3 * NR + L);
            c4a = DoubleVector.fromArray(S, c, co + 4 * NR);
            c4b = DoubleVector.fromArray(S, c, co + 4 * NR + L);
            c5a = DoubleVector.fromArray(S, c, co + 5 * NR);
            c5b = DoubleVector.fromArray(S, c, co + 5 * NR + L);
            c6a = DoubleVector.fromArray(S, c, co + 6 * NR);
            c6b = DoubleVector.fromArray(S, c, co + 6 * NR + L);
            c7a = DoubleVector.fromArray(S, c, co + 7 * NR);
            c7b = DoubleVector.fromArray(S, c, co + 7 * NR + L);
        } else {
            c0a = DoubleVector.zero(S);
            c0b = DoubleVector.zero(S);
            c1a = DoubleVector.zero(S);
            c1b = DoubleVector.zero(S);
            c2a = DoubleVector.zero(S);
            c2b = DoubleVector.zero(S);
            c3a = DoubleVector.zero(S);
            c3b = DoubleVector.zero(S);
            c4a = DoubleVector.zero(S);
            c4b = DoubleVector.zero(S);
            c5a = DoubleVector.zero(S);
            c5b = DoubleVector.zero(S);
            c6a = DoubleVector.zero(S);
            c6b = DoubleVector.zero(S);
            c7a = DoubleVector.zero(S);
            c7b = DoubleVector.zero(S);
        }
        for (int k = 0; k < kc; k++) {
            int bk = bo + koff[ko + k];
            DoubleVector b0 = DoubleVector.fromArray(S, b, bk);
            DoubleVector b1 = DoubleVector.fromArray(S, b, bk + L);
            int ak = ao + k * 8;
            DoubleVector a0 = DoubleVector.broadcast(S, a[ak + 0]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            DoubleVector a1 = DoubleVector.broadcast(S, a[ak + 1]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            DoubleVector a2 = DoubleVector.broadcast(S, a[ak + 2]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            DoubleVector a3 = DoubleVector.broadcast(S, a[ak + 3]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
            DoubleVector a4 = DoubleVector.broadcast(S, a[ak + 4]);
            c4a = a4.fma(b0, c4a);
            c4b = a4.fma(b1, c4b);
            DoubleVector a5 = DoubleVector.broadcast(S, a[ak + 5]);
            c5a = a5.fma(b0, c5a);
            c5b = a5.fma(b1, c5b);
            DoubleVector a6 = DoubleVector.broadcast(S, a[ak + 6]);
            c6a = a6.fma(b0, c6a);
            c6b = a6.fma(b1, c6b);
            DoubleVector a7 = DoubleVector.broadcast(S, a[ak + 7]);
            c7a = a7.fma(b0, c7a);
            c7b = a7.fma(b1, c7b);
        }
        c0a.intoArray(c, co + 0 * NR);
        c0b.intoArray(c, co + 0 * NR + L);
        c1a.intoArray(c, co + 1 * NR);
        c1b.intoArray(c, co + 1 * NR + L);
        c2a.intoArray(c, co + 2 * NR);
        c2b.intoArray(c, co + 2 * NR + L);
        c3a.intoArray(c, co + 3 * NR);
        c3b.intoArray(c, co + 3 * NR + L);
        c4a.intoArray(c, co + 4 * NR);
        c4b.intoArray(c, co + 4 * NR + L);
        c5a.intoArray(c, co + 5 * NR);
        c5b.intoArray(c, co + 5 * NR + L);
        c6a.intoArray(c, co + 6 * NR);
        c6b.intoArray(c, co + 6 * NR + L);
        c7a.intoArray(c, co + 7 * NR);
        c7b.intoArray(c, co + 7 * NR + L);
    }

    private static void mko4(double[] a, int ao, double[] b, int bo, int[] koff, int ko, int kc, double[] c, int co, boolean accumulate) {
        DoubleVector c0a, c0b;
        DoubleVector c1a, c1b;
        DoubleVector c2a, c2b;
        DoubleVector c3a, c3b;
        if (accumulate) {
            c0a = DoubleVector.fromArray(S, c, co + 0 * NR);
            c0b = DoubleVector.fromArray(S, c, co + 0 * NR + L);
            c1a = DoubleVector.fromArray(S, c, co + 1 * NR);
            c1b = DoubleVector.fromArray(S, c, co + 1 * NR + L);
            c2a = DoubleVector.fromArray(S, c, co + 2 * NR);
            c2b = DoubleVector.fromArray(S, c, co + 2 * NR + L);
            c3a = DoubleVector.fromArray(S, c, co + 3 * NR);
            c3b = DoubleVector.fromArray(S, c, co + 3 * NR + L);
        } else {
            c0a = DoubleVector.zero(S);
            c0b = DoubleVector.zero(S);
            c1a = DoubleVector.zero(S);
            c1b = DoubleVector.zero(S);
            c2a = DoubleVector.zero(S);
            c2b = DoubleVector.zero(S);
            c3a = DoubleVector.zero(S);
            c3b = DoubleVector.zero(S);
        }
        for (int k = 0; k < kc; k++) {
            int bk = bo + koff[ko + k];
            DoubleVector b0 = DoubleVector.fromArray(S, b, bk);
            DoubleVector b1 = DoubleVector.fromArray(S, b, bk + L);
            int ak = ao + k * 4;
            DoubleVector a0 = DoubleVector.broadcast(S, a[ak + 0]);
            c0a = a0.fma(b0, c0a);
            c0b = a0.fma(b1, c0b);
            DoubleVector a1 = DoubleVector.broadcast(S, a[ak + 1]);
            c1a = a1.fma(b0, c1a);
            c1b = a1.fma(b1, c1b);
            DoubleVector a2 = DoubleVector.broadcast(S, a[ak + 2]);
            c2a = a2.fma(b0, c2a);
            c2b = a2.fma(b1, c2b);
            DoubleVector a3 = DoubleVector.broadcast(S, a[ak + 3]);
            c3a = a3.fma(b0, c3a);
            c3b = a3.fma(b1, c3b);
        }
        c0a.intoArray(c, co + 0 * NR);
        c0b.intoArray(c, co + 0 * NR + L);
        c1a.intoArray(c, co + 1 * NR);
        c1b.intoArray(c, co + 1 * NR + L);
        c2a.intoArray(c, co + 2 * NR);
        c2b.intoArray(c, co + 2 * NR + L);
        c3a.intoArray(c, co + 3 * NR);
        c3b.intoArray(c, co + 3 * NR + L);
    }

    private static void dot4x4(double[] x, int[] xo, int xi, double[] y, int[] yo, int yi, int len, double[] acc, int ac) {
        int x0 = xo[xi + 0];
        int x1 = xo[xi + 1];
        int x2 = xo[xi + 2];
        int x3 = xo[xi + 3];
        int y0 = yo[yi + 0];
        int y1 = yo[yi + 1];
        int y2 = yo[yi + 2];
        int y3 = yo[yi + 3];
        DoubleVector c00 = DoubleVector.fromArray(S, acc, ac + 0 * L);
        DoubleVector c01 = DoubleVector.fromArray(S, acc, ac + 1 * L);
        DoubleVector c02 = DoubleVector.fromArray(S, acc, ac + 2 * L);
        DoubleVector c03 = DoubleVector.fromArray(S, acc, ac + 3 * L);
        DoubleVector c10 = DoubleVector.fromArray(S, acc, ac + 4 * L);
        DoubleVector c11 = DoubleVector.fromArray(S, acc, ac + 5 * L);
        DoubleVector c12 = DoubleVector.fromArray(S, acc, ac + 6 * L);
        DoubleVector c13 = DoubleVector.fromArray(S, acc, ac + 7 * L);
        DoubleVector c20 = DoubleVector.fromArray(S, acc, ac + 8 * L);
        DoubleVector c21 = DoubleVector.fromArray(S, acc, ac + 9 * L);
        DoubleVector c22 = DoubleVector.fromArray(S, acc, ac + 10 * L);
        DoubleVector c23 = DoubleVector.fromArray(S, acc, ac + 11 * L);
        DoubleVector c30 = DoubleVector.fromArray(S, acc, ac + 12 * L);
        DoubleVector c31 = DoubleVector.fromArray(S, acc, ac + 13 * L);
        DoubleVector c32 = DoubleVector.fromArray(S, acc, ac + 14 * L);
        DoubleVector c33 = DoubleVector.fromArray(S, acc, ac + 15 * L);
        for (int p = 0; p < len; p += L) {
            DoubleVector a0 = DoubleVector.fromArray(S, x, x0 + p);
            DoubleVector a1 = DoubleVector.fromArray(S, x, x1 + p);
            DoubleVector a2 = DoubleVector.fromArray(S, x, x2 + p);
            DoubleVector a3 = DoubleVector.fromArray(S, x, x3 + p);
            DoubleVector b0 = DoubleVector.fromArray(S, y, y0 + p);
            DoubleVector b1 = DoubleVector.fromArray(S, y, y1 + p);
            DoubleVector b2 = DoubleVector.fromArray(S, y, y2 + p);
            DoubleVector b3 = DoubleVector.fromArray(S, y, y3 + p);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            c03 = a0.fma(b3, c03);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            c13 = a1.fma(b3, c13);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
            c23 = a2.fma(b3, c23);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32);
            c33 = a3.fma(b3, c33);
        }
        c00.intoArray(acc, ac + 0 * L);
        c01.intoArray(acc, ac + 1 * L);
        c02.intoArray(acc, ac + 2 * L);
        c03.intoArray(acc, ac + 3 * L);
        c10.intoArray(acc, ac + 4 * L);
        c11.intoArray(acc, ac + 5 * L);
        c12.intoArray(acc, ac + 6 * L);
        c13.intoArray(acc, ac + 7 * L);
        c20.intoArray(acc, ac + 8 * L);
        c21.intoArray(acc, ac + 9 * L);
        c22.intoArray(acc, ac + 10 * L);
        c23.intoArray(acc, ac + 11 * L);
        c30.intoArray(acc, ac + 12 * L);
        c31.intoArray(acc, ac + 13 * L);
        c32.intoArray(acc, ac + 14 * L);
        c33.intoArray(acc, ac + 15 * L);
    }

    private static void outer24x1(double[] sl, int[] xo, int r, int[] ws, int q0, int q1, double[] gt, int kp, int k0, double[] acc, int ao) {
        int x0 = xo[r + 0];
        int x1 = xo[r + 1];
        int x2 = xo[r + 2];
        int x3 = xo[r + 3];
        int x4 = xo[r + 4];
        int x5 = xo[r + 5];
        int x6 = xo[r + 6];
        int x7 = xo[r + 7];
        int x8 = xo[r + 8];
        int x9 = xo[r + 9];
        int x10 = xo[r + 10];
        int x11 = xo[r + 11];
        int x12 = xo[r + 12];
        int x13 = xo[r + 13];
        int x14 = xo[r + 14];
        int x15 = xo[r + 15];
        int x16 = xo[r + 16];
        int x17 = xo[r + 17];
        int x18 = xo[r + 18];
        int x19 = xo[r + 19];
        int x20 = xo[r + 20];
        int x21 = xo[r + 21];
        int x22 = xo[r + 22];
        int x23 = xo[r + 23];
        int at = ao + r * kp + k0;
        DoubleVector c0_0 = DoubleVector.fromArray(S, acc, at + 0 * kp + 0 * L);
        DoubleVector c1_0 = DoubleVector.fromArray(S, acc, at + 1 * kp + 0 * L);
        DoubleVector c2_0 = DoubleVector.fromArray(S, acc, at + 2 * kp + 0 * L);
        DoubleVector c3_0 = DoubleVector.fromArray(S, acc, at + 3 * kp + 0 * L);
        DoubleVector c4_0 = DoubleVector.fromArray(S, acc, at + 4 * kp + 0 * L);
        DoubleVector c5_0 = DoubleVector.fromArray(S, acc, at + 5 * kp + 0 * L);
        DoubleVector c6_0 = DoubleVector.fromArray(S, acc, at + 6 * kp + 0 * L);
        DoubleVector c7_0 = DoubleVector.fromArray(S, acc, at + 7 * kp + 0 * L);
        DoubleVector c8_0 = DoubleVector.fromArray(S, acc, at + 8 * kp + 0 * L);
        DoubleVector c9_0 = DoubleVector.fromArray(S, acc, at + 9 * kp + 0 * L);
        DoubleVector c10_0 = DoubleVector.fromArray(S, acc, at + 10 * kp + 0 * L);
        DoubleVector c11_0 = DoubleVector.fromArray(S, acc, at + 11 * kp + 0 * L);
        DoubleVector c12_0 = DoubleVector.fromArray(S, acc, at + 12 * kp + 0 * L);
        DoubleVector c13_0 = DoubleVector.fromArray(S, acc, at + 13 * kp + 0 * L);
        DoubleVector c14_0 = DoubleVector.fromArray(S, acc, at + 14 * kp + 0 * L);
        DoubleVector c15_0 = DoubleVector.fromArray(S, acc, at + 15 * kp + 0 * L);
        DoubleVector c16_0 = DoubleVector.fromArray(S, acc, at + 16 * kp + 0 * L);
        DoubleVector c17_0 = DoubleVector.fromArray(S, acc, at + 17 * kp + 0 * L);
        DoubleVector c18_0 = DoubleVector.fromArray(S, acc, at + 18 * kp + 0 * L);
        DoubleVector c19_0 = DoubleVector.fromArray(S, acc, at + 19 * kp + 0 * L);
        DoubleVector c20_0 = DoubleVector.fromArray(S, acc, at + 20 * kp + 0 * L);
        DoubleVector c21_0 = DoubleVector.fromArray(S, acc, at + 21 * kp + 0 * L);
        DoubleVector c22_0 = DoubleVector.fromArray(S, acc, at + 22 * kp + 0 * L);
        DoubleVector c23_0 = DoubleVector.fromArray(S, acc, at + 23 * kp + 0 * L);
        for (int q = q0; q < q1; q++) {
            int w = ws[q], g = q * kp + k0;
            DoubleVector b0 = DoubleVector.fromArray(S, gt, g + 0 * L);
            DoubleVector a0 = DoubleVector.broadcast(S, sl[x0 + w]);
            c0_0 = a0.fma(b0, c0_0);
            DoubleVector a1 = DoubleVector.broadcast(S, sl[x1 + w]);
            c1_0 = a1.fma(b0, c1_0);
            DoubleVector a2 = DoubleVector.broadcast(S, sl[x2 + w]);
            c2_0 = a2.fma(b0, c2_0);
            DoubleVector a3 = DoubleVector.broadcast(S, sl[x3 + w]);
            c3_0 = a3.fma(b0, c3_0);
            DoubleVector a4 = DoubleVector.broadcast(S, sl[x4 + w]);
            c4_0 = a4.fma(b0, c4_0);
            DoubleVector a5 = DoubleVector.broadcast(S, sl[x5 + w]);
            c5_0 = a5.fma(b0, c5_0);
            DoubleVector a6 = DoubleVector.broadcast(S, sl[x6 + w]);
            c6_0 = a6.fma(b0, c6_0);
            DoubleVector a7 = DoubleVector.broadcast(S, sl[x7 + w]);
            c7_0 = a7.fma(b0, c7_0);
            DoubleVector a8 = DoubleVector.broadcast(S, sl[x8 + w]);
            c8_0 = a8.fma(b0, c8_0);
            DoubleVector a9 = DoubleVector.broadcast(S, sl[x9 + w]);
            c9_0 = a9.fma(b0, c9_0);
            DoubleVector a10 = DoubleVector.broadcast(S, sl[x10 + w]);
            c10_0 = a10.fma(b0, c10_0);
            DoubleVector a11 = DoubleVector.broadcast(S, sl[x11 + w]);
            c11_0 = a11.fma(b0, c11_0);
            DoubleVector a12 = DoubleVector.broadcast(S, sl[x12 + w]);
            c12_0 = a12.fma(b0, c12_0);
            DoubleVector a13 = DoubleVector.broadcast(S, sl[x13 + w]);
            c13_0 = a13.fma(b0, c13_0);
            DoubleVector a14 = DoubleVector.broadcast(S, sl[x14 + w]);
            c14_0 = a14.fma(b0, c14_0);
            DoubleVector a15 = DoubleVector.broadcast(S, sl[x15 + w]);
            c15_0 = a15.fma(b0, c15_0);
            DoubleVector a16 = DoubleVector.broadcast(S, sl[x16 + w]);
            c16_0 = a16.fma(b0, c16_0);
            DoubleVector a17 = DoubleVector.broadcast(S, sl[x17 + w]);
            c17_0 = a17.fma(b0, c17_0);
            DoubleVector a18 = DoubleVector.broadcast(S, sl[x18 + w]);
            c18_0 = a18.fma(b0, c18_0);
            DoubleVector a19 = DoubleVector.broadcast(S, sl[x19 + w]);
            c19_0 = a19.fma(b0, c19_0);
            DoubleVector a20 = DoubleVector.broadcast(S, sl[x20 + w]);
            c20_0 = a20.fma(b0, c20_0);
            DoubleVector a21 = DoubleVector.broadcast(S, sl[x21 + w]);
            c21_0 = a21.fma(b0, c21_0);
            DoubleVector a22 = DoubleVector.broadcast(S, sl[x22 + w]);
            c22_0 = a22.fma(b0, c22_0);
            DoubleVector a23 = DoubleVector.broadcast(S, sl[x23 + w]);
            c23_0 = a23.fma(b0, c23_0);
        }
        c0_0.intoArray(acc, at + 0 * kp + 0 * L);
        c1_0.intoArray(acc, at + 1 * kp + 0 * L);
        c2_0.intoArray(acc, at + 2 * kp + 0 * L);
        c3_0.intoArray(acc, at + 3 * kp + 0 * L);
        c4_0.intoArray(acc, at + 4 * kp + 0 * L);
        c5_0.intoArray(acc, at + 5 * kp + 0 * L);
        c6_0.intoArray(acc, at + 6 * kp + 0 * L);
        c7_0.intoArray(acc, at + 7 * kp + 0 * L);
        c8_0.intoArray(acc, at + 8 * kp + 0 * L);
        c9_0.intoArray(acc, at + 9 * kp + 0 * L);
        c10_0.intoArray(acc, at + 10 * kp + 0 * L);
        c11_0.intoArray(acc, at + 11 * kp + 0 * L);
        c12_0.intoArray(acc, at + 12 * kp + 0 * L);
        c13_0.intoArray(acc, at + 13 * kp + 0 * L);
        c14_0.intoArray(acc, at + 14 * kp + 0 * L);
        c15_0.intoArray(acc, at + 15 * kp + 0 * L);
        c16_0.intoArray(acc, at + 16 * kp + 0 * L);
        c17_0.intoArray(acc, at + 17 * kp + 0 * L);
        c18_0.intoArray(acc, at + 18 * kp + 0 * L);
        c19_0.intoArray(acc, at + 19 * kp + 0 * L);
        c20_0.intoArray(acc, at + 20 * kp + 0 * L);
        c21_0.intoArray(acc, at + 21 * kp + 0 * L);
        c22_0.intoArray(acc, at + 22 * kp + 0 * L);
        c23_0.intoArray(acc, at + 23 * kp + 0 * L);
    }

    private static void outer12x2(double[] sl, int[] xo, int r, int[] ws, int q0, int q1, double[] gt, int kp, int k0, double[] acc, int ao) {
        int x0 = xo[r + 0];
        int x1 = xo[r + 1];
        int x2 = xo[r + 2];
        int x3 = xo[r + 3];
        int x4 = xo[r + 4];
        int x5 = xo[r + 5];
        int x6 = xo[r + 6];
        int x7 = xo[r + 7];
        int x8 = xo[r + 8];
        int x9 = xo[r + 9];
        int x10 = xo[r + 10];
        int x11 = xo[r + 11];
        int at = ao + r * kp + k0;
        DoubleVector c0_0 = DoubleVector.fromArray(S, acc, at + 0 * kp + 0 * L);
        DoubleVector c0_1 = DoubleVector.fromArray(S, acc, at + 0 * kp + 1 * L);
        DoubleVector c1_0 = DoubleVector.fromArray(S, acc, at + 1 * kp + 0 * L);
        DoubleVector c1_1 = DoubleVector.fromArray(S, acc, at + 1 * kp + 1 * L);
        DoubleVector c2_0 = DoubleVector.fromArray(S, acc, at + 2 * kp + 0 * L);
        DoubleVector c2_1 = DoubleVector.fromArray(S, acc, at + 2 * kp + 1 * L);
        DoubleVector c3_0 = DoubleVector.fromArray(S, acc, at + 3 * kp + 0 * L);
        DoubleVector c3_1 = DoubleVector.fromArray(S, acc, at + 3 * kp + 1 * L);
        DoubleVector c4_0 = DoubleVector.fromArray(S, acc, at + 4 * kp + 0 * L);
        DoubleVector c4_1 = DoubleVector.fromArray(S, acc, at + 4 * kp + 1 * L);
        DoubleVector c5_0 = DoubleVector.fromArray(S, acc, at + 5 * kp + 0 * L);
        DoubleVector c5_1 = DoubleVector.fromArray(S, acc, at + 5 * kp + 1 * L);
        DoubleVector c6_0 = DoubleVector.fromArray(S, acc, at + 6 * kp + 0 * L);
        DoubleVector c6_1 = DoubleVector.fromArray(S, acc, at + 6 * kp + 1 * L);
        DoubleVector c7_0 = DoubleVector.fromArray(S, acc, at + 7 * kp + 0 * L);
        DoubleVector c7_1 = DoubleVector.fromArray(S, acc, at + 7 * kp + 1 * L);
        DoubleVector c8_0 = DoubleVector.fromArray(S, acc, at + 8 * kp + 0 * L);
        DoubleVector c8_1 = DoubleVector.fromArray(S, acc, at + 8 * kp + 1 * L);
        DoubleVector c9_0 = DoubleVector.fromArray(S, acc, at + 9 * kp + 0 * L);
        DoubleVector c9_1 = DoubleVector.fromArray(S, acc, at + 9 * kp + 1 * L);
        DoubleVector c10_0 = DoubleVector.fromArray(S, acc, at + 10 * kp + 0 * L);
        DoubleVector c10_1 = DoubleVector.fromArray(S, acc, at + 10 * kp + 1 * L);
        DoubleVector c11_0 = DoubleVector.fromArray(S, acc, at + 11 * kp + 0 * L);
        DoubleVector c11_1 = DoubleVector.fromArray(S, acc, at + 11 * kp + 1 * L);
        for (int q = q0; q < q1; q++) {
            int w = ws[q], g = q * kp + k0;
            DoubleVector b0 = DoubleVector.fromArray(S, gt, g + 0 * L);
            DoubleVector b1 = DoubleVector.fromArray(S, gt, g + 1 * L);
            DoubleVector a0 = DoubleVector.broadcast(S, sl[x0 + w]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            DoubleVector a1 = DoubleVector.broadcast(S, sl[x1 + w]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            DoubleVector a2 = DoubleVector.broadcast(S, sl[x2 + w]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            DoubleVector a3 = DoubleVector.broadcast(S, sl[x3 + w]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            DoubleVector a4 = DoubleVector.broadcast(S, sl[x4 + w]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            DoubleVector a5 = DoubleVector.broadcast(S, sl[x5 + w]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
            DoubleVector a6 = DoubleVector.broadcast(S, sl[x6 + w]);
            c6_0 = a6.fma(b0, c6_0);
            c6_1 = a6.fma(b1, c6_1);
            DoubleVector a7 = DoubleVector.broadcast(S, sl[x7 + w]);
            c7_0 = a7.fma(b0, c7_0);
            c7_1 = a7.fma(b1, c7_1);
            DoubleVector a8 = DoubleVector.broadcast(S, sl[x8 + w]);
            c8_0 = a8.fma(b0, c8_0);
            c8_1 = a8.fma(b1, c8_1);
            DoubleVector a9 = DoubleVector.broadcast(S, sl[x9 + w]);
            c9_0 = a9.fma(b0, c9_0);
            c9_1 = a9.fma(b1, c9_1);
            DoubleVector a10 = DoubleVector.broadcast(S, sl[x10 + w]);
            c10_0 = a10.fma(b0, c10_0);
            c10_1 = a10.fma(b1, c10_1);
            DoubleVector a11 = DoubleVector.broadcast(S, sl[x11 + w]);
            c11_0 = a11.fma(b0, c11_0);
            c11_1 = a11.fma(b1, c11_1);
        }
        c0_0.intoArray(acc, at + 0 * kp + 0 * L);
        c0_1.intoArray(acc, at + 0 * kp + 1 * L);
        c1_0.intoArray(acc, at + 1 * kp + 0 * L);
        c1_1.intoArray(acc, at + 1 * kp + 1 * L);
        c2_0.intoArray(acc, at + 2 * kp + 0 * L);
        c2_1.intoArray(acc, at + 2 * kp + 1 * L);
        c3_0.intoArray(acc, at + 3 * kp + 0 * L);
        c3_1.intoArray(acc, at + 3 * kp + 1 * L);
        c4_0.intoArray(acc, at + 4 * kp + 0 * L);
        c4_1.intoArray(acc, at + 4 * kp + 1 * L);
        c5_0.intoArray(acc, at + 5 * kp + 0 * L);
        c5_1.intoArray(acc, at + 5 * kp + 1 * L);
        c6_0.intoArray(acc, at + 6 * kp + 0 * L);
        c6_1.intoArray(acc, at + 6 * kp + 1 * L);
        c7_0.intoArray(acc, at + 7 * kp + 0 * L);
        c7_1.intoArray(acc, at + 7 * kp + 1 * L);
        c8_0.intoArray(acc, at + 8 * kp + 0 * L);
        c8_1.intoArray(acc, at + 8 * kp + 1 * L);
        c9_0.intoArray(acc, at + 9 * kp + 0 * L);
        c9_1.intoArray(acc, at + 9 * kp + 1 * L);
        c10_0.intoArray(acc, at + 10 * kp + 0 * L);
        c10_1.intoArray(acc, at + 10 * kp + 1 * L);
        c11_0.intoArray(acc, at + 11 * kp + 0 * L);
        c11_1.intoArray(acc, at + 11 * kp + 1 * L);
    }

    private static void outer8x3(double[] sl, int[] xo, int r, int[] ws, int q0, int q1, double[] gt, int kp, int k0, double[] acc, int ao) {
        int x0 = xo[r + 0];
        int x1 = xo[r + 1];
        int x2 = xo[r + 2];
        int x3 = xo[r + 3];
        int x4 = xo[r + 4];
        int x5 = xo[r + 5];
        int x6 = xo[r + 6];
        int x7 = xo[r + 7];
        int at = ao + r * kp + k0;
        DoubleVector c0_0 = DoubleVector.fromArray(S, acc, at + 0 * kp + 0 * L);
        DoubleVector c0_1 = DoubleVector.fromArray(S, acc, at + 0 * kp + 1 * L);
        DoubleVector c0_2 = DoubleVector.fromArray(S, acc, at + 0 * kp + 2 * L);
        DoubleVector c1_0 = DoubleVector.fromArray(S, acc, at + 1 * kp + 0 * L);
        DoubleVector c1_1 = DoubleVector.fromArray(S, acc, at + 1 * kp + 1 * L);
        DoubleVector c1_2 = DoubleVector.fromArray(S, acc, at + 1 * kp + 2 * L);
        DoubleVector c2_0 = DoubleVector.fromArray(S, acc, at + 2 * kp + 0 * L);
        DoubleVector c2_1 = DoubleVector.fromArray(S, acc, at + 2 * kp + 1 * L);
        DoubleVector c2_2 = DoubleVector.fromArray(S, acc, at + 2 * kp + 2 * L);
        DoubleVector c3_0 = DoubleVector.fromArray(S, acc, at + 3 * kp + 0 * L);
        DoubleVector c3_1 = DoubleVector.fromArray(S, acc, at + 3 * kp + 1 * L);
        DoubleVector c3_2 = DoubleVector.fromArray(S, acc, at + 3 * kp + 2 * L);
        DoubleVector c4_0 = DoubleVector.fromArray(S, acc, at + 4 * kp + 0 * L);
        DoubleVector c4_1 = DoubleVector.fromArray(S, acc, at + 4 * kp + 1 * L);
        DoubleVector c4_2 = DoubleVector.fromArray(S, acc, at + 4 * kp + 2 * L);
        DoubleVector c5_0 = DoubleVector.fromArray(S, acc, at + 5 * kp + 0 * L);
        DoubleVector c5_1 = DoubleVector.fromArray(S, acc, at + 5 * kp + 1 * L);
        DoubleVector c5_2 = DoubleVector.fromArray(S, acc, at + 5 * kp + 2 * L);
        DoubleVector c6_0 = DoubleVector.fromArray(S, acc, at + 6 * kp + 0 * L);
        DoubleVector c6_1 = DoubleVector.fromArray(S, acc, at + 6 * kp + 1 * L);
        DoubleVector c6_2 = DoubleVector.fromArray(S, acc, at + 6 * kp + 2 * L);
        DoubleVector c7_0 = DoubleVector.fromArray(S, acc, at + 7 * kp + 0 * L);
        DoubleVector c7_1 = DoubleVector.fromArray(S, acc, at + 7 * kp + 1 * L);
        DoubleVector c7_2 = DoubleVector.fromArray(S, acc, at + 7 * kp + 2 * L);
        for (int q = q0; q < q1; q++) {
            int w = ws[q], g = q * kp + k0;
            DoubleVector b0 = DoubleVector.fromArray(S, gt, g + 0 * L);
            DoubleVector b1 = DoubleVector.fromArray(S, gt, g + 1 * L);
            DoubleVector b2 = DoubleVector.fromArray(S, gt, g + 2 * L);
            DoubleVector a0 = DoubleVector.broadcast(S, sl[x0 + w]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            c0_2 = a0.fma(b2, c0_2);
            DoubleVector a1 = DoubleVector.broadcast(S, sl[x1 + w]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            c1_2 = a1.fma(b2, c1_2);
            DoubleVector a2 = DoubleVector.broadcast(S, sl[x2 + w]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            c2_2 = a2.fma(b2, c2_2);
            DoubleVector a3 = DoubleVector.broadcast(S, sl[x3 + w]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            c3_2 = a3.fma(b2, c3_2);
            DoubleVector a4 = DoubleVector.broadcast(S, sl[x4 + w]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            c4_2 = a4.fma(b2, c4_2);
            DoubleVector a5 = DoubleVector.broadcast(S, sl[x5 + w]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
            c5_2 = a5.fma(b2, c5_2);
            DoubleVector a6 = DoubleVector.broadcast(S, sl[x6 + w]);
            c6_0 = a6.fma(b0, c6_0);
            c6_1 = a6.fma(b1, c6_1);
            c6_2 = a6.fma(b2, c6_2);
            DoubleVector a7 = DoubleVector.broadcast(S, sl[x7 + w]);
            c7_0 = a7.fma(b0, c7_0);
            c7_1 = a7.fma(b1, c7_1);
            c7_2 = a7.fma(b2, c7_2);
        }
        c0_0.intoArray(acc, at + 0 * kp + 0 * L);
        c0_1.intoArray(acc, at + 0 * kp + 1 * L);
        c0_2.intoArray(acc, at + 0 * kp + 2 * L);
        c1_0.intoArray(acc, at + 1 * kp + 0 * L);
        c1_1.intoArray(acc, at + 1 * kp + 1 * L);
        c1_2.intoArray(acc, at + 1 * kp + 2 * L);
        c2_0.intoArray(acc, at + 2 * kp + 0 * L);
        c2_1.intoArray(acc, at + 2 * kp + 1 * L);
        c2_2.intoArray(acc, at + 2 * kp + 2 * L);
        c3_0.intoArray(acc, at + 3 * kp + 0 * L);
        c3_1.intoArray(acc, at + 3 * kp + 1 * L);
        c3_2.intoArray(acc, at + 3 * kp + 2 * L);
        c4_0.intoArray(acc, at + 4 * kp + 0 * L);
        c4_1.intoArray(acc, at + 4 * kp + 1 * L);
        c4_2.intoArray(acc, at + 4 * kp + 2 * L);
        c5_0.intoArray(acc, at + 5 * kp + 0 * L);
        c5_1.intoArray(acc, at + 5 * kp + 1 * L);
        c5_2.intoArray(acc, at + 5 * kp + 2 * L);
        c6_0.intoArray(acc, at + 6 * kp + 0 * L);
        c6_1.intoArray(acc, at + 6 * kp + 1 * L);
        c6_2.intoArray(acc, at + 6 * kp + 2 * L);
        c7_0.intoArray(acc, at + 7 * kp + 0 * L);
        c7_1.intoArray(acc, at + 7 * kp + 1 * L);
        c7_2.intoArray(acc, at + 7 * kp + 2 * L);
    }

    private static void outer6x4(double[] sl, int[] xo, int r, int[] ws, int q0, int q1, double[] gt, int kp, int k0, double[] acc, int ao) {
        int x0 = xo[r + 0];
        int x1 = xo[r + 1];
        int x2 = xo[r + 2];
        int x3 = xo[r + 3];
        int x4 = xo[r + 4];
        int x5 = xo[r + 5];
        int at = ao + r * kp + k0;
        DoubleVector c0_0 = DoubleVector.fromArray(S, acc, at + 0 * kp + 0 * L);
        DoubleVector c0_1 = DoubleVector.fromArray(S, acc, at + 0 * kp + 1 * L);
        DoubleVector c0_2 = DoubleVector.fromArray(S, acc, at + 0 * kp + 2 * L);
        DoubleVector c0_3 = DoubleVector.fromArray(S, acc, at + 0 * kp + 3 * L);
        DoubleVector c1_0 = DoubleVector.fromArray(S, acc, at + 1 * kp + 0 * L);
        DoubleVector c1_1 = DoubleVector.fromArray(S, acc, at + 1 * kp + 1 * L);
        DoubleVector c1_2 = DoubleVector.fromArray(S, acc, at + 1 * kp + 2 * L);
        DoubleVector c1_3 = DoubleVector.fromArray(S, acc, at + 1 * kp + 3 * L);
        DoubleVector c2_0 = DoubleVector.fromArray(S, acc, at + 2 * kp + 0 * L);
        DoubleVector c2_1 = DoubleVector.fromArray(S, acc, at + 2 * kp + 1 * L);
        DoubleVector c2_2 = DoubleVector.fromArray(S, acc, at + 2 * kp + 2 * L);
        DoubleVector c2_3 = DoubleVector.fromArray(S, acc, at + 2 * kp + 3 * L);
        DoubleVector c3_0 = DoubleVector.fromArray(S, acc, at + 3 * kp + 0 * L);
        DoubleVector c3_1 = DoubleVector.fromArray(S, acc, at + 3 * kp + 1 * L);
        DoubleVector c3_2 = DoubleVector.fromArray(S, acc, at + 3 * kp + 2 * L);
        DoubleVector c3_3 = DoubleVector.fromArray(S, acc, at + 3 * kp + 3 * L);
        DoubleVector c4_0 = DoubleVector.fromArray(S, acc, at + 4 * kp + 0 * L);
        DoubleVector c4_1 = DoubleVector.fromArray(S, acc, at + 4 * kp + 1 * L);
        DoubleVector c4_2 = DoubleVector.fromArray(S, acc, at + 4 * kp + 2 * L);
        DoubleVector c4_3 = DoubleVector.fromArray(S, acc, at + 4 * kp + 3 * L);
        DoubleVector c5_0 = DoubleVector.fromArray(S, acc, at + 5 * kp + 0 * L);
        DoubleVector c5_1 = DoubleVector.fromArray(S, acc, at + 5 * kp + 1 * L);
        DoubleVector c5_2 = DoubleVector.fromArray(S, acc, at + 5 * kp + 2 * L);
        DoubleVector c5_3 = DoubleVector.fromArray(S, acc, at + 5 * kp + 3 * L);
        for (int q = q0; q < q1; q++) {
            int w = ws[q], g = q * kp + k0;
            DoubleVector b0 = DoubleVector.fromArray(S, gt, g + 0 * L);
            DoubleVector b1 = DoubleVector.fromArray(S, gt, g + 1 * L);
            DoubleVector b2 = DoubleVector.fromArray(S, gt, g + 2 * L);
            DoubleVector b3 = DoubleVector.fromArray(S, gt, g + 3 * L);
            DoubleVector a0 = DoubleVector.broadcast(S, sl[x0 + w]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            c0_2 = a0.fma(b2, c0_2);
            c0_3 = a0.fma(b3, c0_3);
            DoubleVector a1 = DoubleVector.broadcast(S, sl[x1 + w]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            c1_2 = a1.fma(b2, c1_2);
            c1_3 = a1.fma(b3, c1_3);
            DoubleVector a2 = DoubleVector.broadcast(S, sl[x2 + w]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            c2_2 = a2.fma(b2, c2_2);
            c2_3 = a2.fma(b3, c2_3);
            DoubleVector a3 = DoubleVector.broadcast(S, sl[x3 + w]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            c3_2 = a3.fma(b2, c3_2);
            c3_3 = a3.fma(b3, c3_3);
            DoubleVector a4 = DoubleVector.broadcast(S, sl[x4 + w]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            c4_2 = a4.fma(b2, c4_2);
            c4_3 = a4.fma(b3, c4_3);
            DoubleVector a5 = DoubleVector.broadcast(S, sl[x5 + w]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
            c5_2 = a5.fma(b2, c5_2);
            c5_3 = a5.fma(b3, c5_3);
        }
        c0_0.intoArray(acc, at + 0 * kp + 0 * L);
        c0_1.intoArray(acc, at + 0 * kp + 1 * L);
        c0_2.intoArray(acc, at + 0 * kp + 2 * L);
        c0_3.intoArray(acc, at + 0 * kp + 3 * L);
        c1_0.intoArray(acc, at + 1 * kp + 0 * L);
        c1_1.intoArray(acc, at + 1 * kp + 1 * L);
        c1_2.intoArray(acc, at + 1 * kp + 2 * L);
        c1_3.intoArray(acc, at + 1 * kp + 3 * L);
        c2_0.intoArray(acc, at + 2 * kp + 0 * L);
        c2_1.intoArray(acc, at + 2 * kp + 1 * L);
        c2_2.intoArray(acc, at + 2 * kp + 2 * L);
        c2_3.intoArray(acc, at + 2 * kp + 3 * L);
        c3_0.intoArray(acc, at + 3 * kp + 0 * L);
        c3_1.intoArray(acc, at + 3 * kp + 1 * L);
        c3_2.intoArray(acc, at + 3 * kp + 2 * L);
        c3_3.intoArray(acc, at + 3 * kp + 3 * L);
        c4_0.intoArray(acc, at + 4 * kp + 0 * L);
        c4_1.intoArray(acc, at + 4 * kp + 1 * L);
        c4_2.intoArray(acc, at + 4 * kp + 2 * L);
        c4_3.intoArray(acc, at + 4 * kp + 3 * L);
        c5_0.intoArray(acc, at + 5 * kp + 0 * L);
        c5_1.intoArray(acc, at + 5 * kp + 1 * L);
        c5_2.intoArray(acc, at + 5 * kp + 2 * L);
        c5_3.intoArray(acc, at + 5 * kp + 3 * L);
    }

    private static void outer24x1t(double[] sl, int[] xo, int r, int[] ws, int q0, int q1, double[] gt, int kp, int k0, double[] acc, int ao) {
        int x0 = xo[r + 0];
        int x3 = xo[r + 3];
        int x6 = xo[r + 6];
        int x9 = xo[r + 9];
        int x12 = xo[r + 12];
        int x15 = xo[r + 15];
        int x18 = xo[r + 18];
        int x21 = xo[r + 21];
        int at = ao + r * kp + k0;
        DoubleVector c0_0 = DoubleVector.fromArray(S, acc, at + 0 * kp + 0 * L);
        DoubleVector c1_0 = DoubleVector.fromArray(S, acc, at + 1 * kp + 0 * L);
        DoubleVector c2_0 = DoubleVector.fromArray(S, acc, at + 2 * kp + 0 * L);
        DoubleVector c3_0 = DoubleVector.fromArray(S, acc, at + 3 * kp + 0 * L);
        DoubleVector c4_0 = DoubleVector.fromArray(S, acc, at + 4 * kp + 0 * L);
        DoubleVector c5_0 = DoubleVector.fromArray(S, acc, at + 5 * kp + 0 * L);
        DoubleVector c6_0 = DoubleVector.fromArray(S, acc, at + 6 * kp + 0 * L);
        DoubleVector c7_0 = DoubleVector.fromArray(S, acc, at + 7 * kp + 0 * L);
        DoubleVector c8_0 = DoubleVector.fromArray(S, acc, at + 8 * kp + 0 * L);
        DoubleVector c9_0 = DoubleVector.fromArray(S, acc, at + 9 * kp + 0 * L);
        DoubleVector c10_0 = DoubleVector.fromArray(S, acc, at + 10 * kp + 0 * L);
        DoubleVector c11_0 = DoubleVector.fromArray(S, acc, at + 11 * kp + 0 * L);
        DoubleVector c12_0 = DoubleVector.fromArray(S, acc, at + 12 * kp + 0 * L);
        DoubleVector c13_0 = DoubleVector.fromArray(S, acc, at + 13 * kp + 0 * L);
        DoubleVector c14_0 = DoubleVector.fromArray(S, acc, at + 14 * kp + 0 * L);
        DoubleVector c15_0 = DoubleVector.fromArray(S, acc, at + 15 * kp + 0 * L);
        DoubleVector c16_0 = DoubleVector.fromArray(S, acc, at + 16 * kp + 0 * L);
        DoubleVector c17_0 = DoubleVector.fromArray(S, acc, at + 17 * kp + 0 * L);
        DoubleVector c18_0 = DoubleVector.fromArray(S, acc, at + 18 * kp + 0 * L);
        DoubleVector c19_0 = DoubleVector.fromArray(S, acc, at + 19 * kp + 0 * L);
        DoubleVector c20_0 = DoubleVector.fromArray(S, acc, at + 20 * kp + 0 * L);
        DoubleVector c21_0 = DoubleVector.fromArray(S, acc, at + 21 * kp + 0 * L);
        DoubleVector c22_0 = DoubleVector.fromArray(S, acc, at + 22 * kp + 0 * L);
        DoubleVector c23_0 = DoubleVector.fromArray(S, acc, at + 23 * kp + 0 * L);
        for (int q = q0; q < q1; q++) {
            int w = ws[q], g = q * kp + k0;
            DoubleVector b0 = DoubleVector.fromArray(S, gt, g + 0 * L);
            DoubleVector a0 = DoubleVector.broadcast(S, sl[x0 + w]);
            c0_0 = a0.fma(b0, c0_0);
            DoubleVector a1 = DoubleVector.broadcast(S, sl[x0 + w + 1]);
            c1_0 = a1.fma(b0, c1_0);
            DoubleVector a2 = DoubleVector.broadcast(S, sl[x0 + w + 2]);
            c2_0 = a2.fma(b0, c2_0);
            DoubleVector a3 = DoubleVector.broadcast(S, sl[x3 + w]);
            c3_0 = a3.fma(b0, c3_0);
            DoubleVector a4 = DoubleVector.broadcast(S, sl[x3 + w + 1]);
            c4_0 = a4.fma(b0, c4_0);
            DoubleVector a5 = DoubleVector.broadcast(S, sl[x3 + w + 2]);
            c5_0 = a5.fma(b0, c5_0);
            DoubleVector a6 = DoubleVector.broadcast(S, sl[x6 + w]);
            c6_0 = a6.fma(b0, c6_0);
            DoubleVector a7 = DoubleVector.broadcast(S, sl[x6 + w + 1]);
            c7_0 = a7.fma(b0, c7_0);
            DoubleVector a8 = DoubleVector.broadcast(S, sl[x6 + w + 2]);
            c8_0 = a8.fma(b0, c8_0);
            DoubleVector a9 = DoubleVector.broadcast(S, sl[x9 + w]);
            c9_0 = a9.fma(b0, c9_0);
            DoubleVector a10 = DoubleVector.broadcast(S, sl[x9 + w + 1]);
            c10_0 = a10.fma(b0, c10_0);
            DoubleVector a11 = DoubleVector.broadcast(S, sl[x9 + w + 2]);
            c11_0 = a11.fma(b0, c11_0);
            DoubleVector a12 = DoubleVector.broadcast(S, sl[x12 + w]);
            c12_0 = a12.fma(b0, c12_0);
            DoubleVector a13 = DoubleVector.broadcast(S, sl[x12 + w + 1]);
            c13_0 = a13.fma(b0, c13_0);
            DoubleVector a14 = DoubleVector.broadcast(S, sl[x12 + w + 2]);
            c14_0 = a14.fma(b0, c14_0);
            DoubleVector a15 = DoubleVector.broadcast(S, sl[x15 + w]);
            c15_0 = a15.fma(b0, c15_0);
            DoubleVector a16 = DoubleVector.broadcast(S, sl[x15 + w + 1]);
            c16_0 = a16.fma(b0, c16_0);
            DoubleVector a17 = DoubleVector.broadcast(S, sl[x15 + w + 2]);
            c17_0 = a17.fma(b0, c17_0);
            DoubleVector a18 = DoubleVector.broadcast(S, sl[x18 + w]);
            c18_0 = a18.fma(b0, c18_0);
            DoubleVector a19 = DoubleVector.broadcast(S, sl[x18 + w + 1]);
            c19_0 = a19.fma(b0, c19_0);
            DoubleVector a20 = DoubleVector.broadcast(S, sl[x18 + w + 2]);
            c20_0 = a20.fma(b0, c20_0);
            DoubleVector a21 = DoubleVector.broadcast(S, sl[x21 + w]);
            c21_0 = a21.fma(b0, c21_0);
            DoubleVector a22 = DoubleVector.broadcast(S, sl[x21 + w + 1]);
            c22_0 = a22.fma(b0, c22_0);
            DoubleVector a23 = DoubleVector.broadcast(S, sl[x21 + w + 2]);
            c23_0 = a23.fma(b0, c23_0);
        }
        c0_0.intoArray(acc, at + 0 * kp + 0 * L);
        c1_0.intoArray(acc, at + 1 * kp + 0 * L);
        c2_0.intoArray(acc, at + 2 * kp + 0 * L);
        c3_0.intoArray(acc, at + 3 * kp + 0 * L);
        c4_0.intoArray(acc, at + 4 * kp + 0 * L);
        c5_0.intoArray(acc, at + 5 * kp + 0 * L);
        c6_0.intoArray(acc, at + 6 * kp + 0 * L);
        c7_0.intoArray(acc, at + 7 * kp + 0 * L);
        c8_0.intoArray(acc, at + 8 * kp + 0 * L);
        c9_0.intoArray(acc, at + 9 * kp + 0 * L);
        c10_0.intoArray(acc, at + 10 * kp + 0 * L);
        c11_0.intoArray(acc, at + 11 * kp + 0 * L);
        c12_0.intoArray(acc, at + 12 * kp + 0 * L);
        c13_0.intoArray(acc, at + 13 * kp + 0 * L);
        c14_0.intoArray(acc, at + 14 * kp + 0 * L);
        c15_0.intoArray(acc, at + 15 * kp + 0 * L);
        c16_0.intoArray(acc, at + 16 * kp + 0 * L);
        c17_0.intoArray(acc, at + 17 * kp + 0 * L);
        c18_0.intoArray(acc, at + 18 * kp + 0 * L);
        c19_0.intoArray(acc, at + 19 * kp + 0 * L);
        c20_0.intoArray(acc, at + 20 * kp + 0 * L);
        c21_0.intoArray(acc, at + 21 * kp + 0 * L);
        c22_0.intoArray(acc, at + 22 * kp + 0 * L);
        c23_0.intoArray(acc, at + 23 * kp + 0 * L);
    }

    private static void outer12x2t(double[] sl, int[] xo, int r, int[] ws, int q0, int q1, double[] gt, int kp, int k0, double[] acc, int ao) {
        int x0 = xo[r + 0];
        int x3 = xo[r + 3];
        int x6 = xo[r + 6];
        int x9 = xo[r + 9];
        int at = ao + r * kp + k0;
        DoubleVector c0_0 = DoubleVector.fromArray(S, acc, at + 0 * kp + 0 * L);
        DoubleVector c0_1 = DoubleVector.fromArray(S, acc, at + 0 * kp + 1 * L);
        DoubleVector c1_0 = DoubleVector.fromArray(S, acc, at + 1 * kp + 0 * L);
        DoubleVector c1_1 = DoubleVector.fromArray(S, acc, at + 1 * kp + 1 * L);
        DoubleVector c2_0 = DoubleVector.fromArray(S, acc, at + 2 * kp + 0 * L);
        DoubleVector c2_1 = DoubleVector.fromArray(S, acc, at + 2 * kp + 1 * L);
        DoubleVector c3_0 = DoubleVector.fromArray(S, acc, at + 3 * kp + 0 * L);
        DoubleVector c3_1 = DoubleVector.fromArray(S, acc, at + 3 * kp + 1 * L);
        DoubleVector c4_0 = DoubleVector.fromArray(S, acc, at + 4 * kp + 0 * L);
        DoubleVector c4_1 = DoubleVector.fromArray(S, acc, at + 4 * kp + 1 * L);
        DoubleVector c5_0 = DoubleVector.fromArray(S, acc, at + 5 * kp + 0 * L);
        DoubleVector c5_1 = DoubleVector.fromArray(S, acc, at + 5 * kp + 1 * L);
        DoubleVector c6_0 = DoubleVector.fromArray(S, acc, at + 6 * kp + 0 * L);
        DoubleVector c6_1 = DoubleVector.fromArray(S, acc, at + 6 * kp + 1 * L);
        DoubleVector c7_0 = DoubleVector.fromArray(S, acc, at + 7 * kp + 0 * L);
        DoubleVector c7_1 = DoubleVector.fromArray(S, acc, at + 7 * kp + 1 * L);
        DoubleVector c8_0 = DoubleVector.fromArray(S, acc, at + 8 * kp + 0 * L);
        DoubleVector c8_1 = DoubleVector.fromArray(S, acc, at + 8 * kp + 1 * L);
        DoubleVector c9_0 = DoubleVector.fromArray(S, acc, at + 9 * kp + 0 * L);
        DoubleVector c9_1 = DoubleVector.fromArray(S, acc, at + 9 * kp + 1 * L);
        DoubleVector c10_0 = DoubleVector.fromArray(S, acc, at + 10 * kp + 0 * L);
        DoubleVector c10_1 = DoubleVector.fromArray(S, acc, at + 10 * kp + 1 * L);
        DoubleVector c11_0 = DoubleVector.fromArray(S, acc, at + 11 * kp + 0 * L);
        DoubleVector c11_1 = DoubleVector.fromArray(S, acc, at + 11 * kp + 1 * L);
        for (int q = q0; q < q1; q++) {
            int w = ws[q], g = q * kp + k0;
            DoubleVector b0 = DoubleVector.fromArray(S, gt, g + 0 * L);
            DoubleVector b1 = DoubleVector.fromArray(S, gt, g + 1 * L);
            DoubleVector a0 = DoubleVector.broadcast(S, sl[x0 + w]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            DoubleVector a1 = DoubleVector.broadcast(S, sl[x0 + w + 1]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            DoubleVector a2 = DoubleVector.broadcast(S, sl[x0 + w + 2]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            DoubleVector a3 = DoubleVector.broadcast(S, sl[x3 + w]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            DoubleVector a4 = DoubleVector.broadcast(S, sl[x3 + w + 1]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            DoubleVector a5 = DoubleVector.broadcast(S, sl[x3 + w + 2]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
            DoubleVector a6 = DoubleVector.broadcast(S, sl[x6 + w]);
            c6_0 = a6.fma(b0, c6_0);
            c6_1 = a6.fma(b1, c6_1);
            DoubleVector a7 = DoubleVector.broadcast(S, sl[x6 + w + 1]);
            c7_0 = a7.fma(b0, c7_0);
            c7_1 = a7.fma(b1, c7_1);
            DoubleVector a8 = DoubleVector.broadcast(S, sl[x6 + w + 2]);
            c8_0 = a8.fma(b0, c8_0);
            c8_1 = a8.fma(b1, c8_1);
            DoubleVector a9 = DoubleVector.broadcast(S, sl[x9 + w]);
            c9_0 = a9.fma(b0, c9_0);
            c9_1 = a9.fma(b1, c9_1);
            DoubleVector a10 = DoubleVector.broadcast(S, sl[x9 + w + 1]);
            c10_0 = a10.fma(b0, c10_0);
            c10_1 = a10.fma(b1, c10_1);
            DoubleVector a11 = DoubleVector.broadcast(S, sl[x9 + w + 2]);
            c11_0 = a11.fma(b0, c11_0);
            c11_1 = a11.fma(b1, c11_1);
        }
        c0_0.intoArray(acc, at + 0 * kp + 0 * L);
        c0_1.intoArray(acc, at + 0 * kp + 1 * L);
        c1_0.intoArray(acc, at + 1 * kp + 0 * L);
        c1_1.intoArray(acc, at + 1 * kp + 1 * L);
        c2_0.intoArray(acc, at + 2 * kp + 0 * L);
        c2_1.intoArray(acc, at + 2 * kp + 1 * L);
        c3_0.intoArray(acc, at + 3 * kp + 0 * L);
        c3_1.intoArray(acc, at + 3 * kp + 1 * L);
        c4_0.intoArray(acc, at + 4 * kp + 0 * L);
        c4_1.intoArray(acc, at + 4 * kp + 1 * L);
        c5_0.intoArray(acc, at + 5 * kp + 0 * L);
        c5_1.intoArray(acc, at + 5 * kp + 1 * L);
        c6_0.intoArray(acc, at + 6 * kp + 0 * L);
        c6_1.intoArray(acc, at + 6 * kp + 1 * L);
        c7_0.intoArray(acc, at + 7 * kp + 0 * L);
        c7_1.intoArray(acc, at + 7 * kp + 1 * L);
        c8_0.intoArray(acc, at + 8 * kp + 0 * L);
        c8_1.intoArray(acc, at + 8 * kp + 1 * L);
        c9_0.intoArray(acc, at + 9 * kp + 0 * L);
        c9_1.intoArray(acc, at + 9 * kp + 1 * L);
        c10_0.intoArray(acc, at + 10 * kp + 0 * L);
        c10_1.intoArray(acc, at + 10 * kp + 1 * L);
        c11_0.intoArray(acc, at + 11 * kp + 0 * L);
        c11_1.intoArray(acc, at + 11 * kp + 1 * L);
    }

    private static void outer6x4t(double[] sl, int[] xo, int r, int[] ws, int q0, int q1, double[] gt, int kp, int k0, double[] acc, int ao) {
        int x0 = xo[r + 0];
        int x3 = xo[r + 3];
        int at = ao + r * kp + k0;
        DoubleVector c0_0 = DoubleVector.fromArray(S, acc, at + 0 * kp + 0 * L);
        DoubleVector c0_1 = DoubleVector.fromArray(S, acc, at + 0 * kp + 1 * L);
        DoubleVector c0_2 = DoubleVector.fromArray(S, acc, at + 0 * kp + 2 * L);
        DoubleVector c0_3 = DoubleVector.fromArray(S, acc, at + 0 * kp + 3 * L);
        DoubleVector c1_0 = DoubleVector.fromArray(S, acc, at + 1 * kp + 0 * L);
        DoubleVector c1_1 = DoubleVector.fromArray(S, acc, at + 1 * kp + 1 * L);
        DoubleVector c1_2 = DoubleVector.fromArray(S, acc, at + 1 * kp + 2 * L);
        DoubleVector c1_3 = DoubleVector.fromArray(S, acc, at + 1 * kp + 3 * L);
        DoubleVector c2_0 = DoubleVector.fromArray(S, acc, at + 2 * kp + 0 * L);
        DoubleVector c2_1 = DoubleVector.fromArray(S, acc, at + 2 * kp + 1 * L);
        DoubleVector c2_2 = DoubleVector.fromArray(S, acc, at + 2 * kp + 2 * L);
        DoubleVector c2_3 = DoubleVector.fromArray(S, acc, at + 2 * kp + 3 * L);
        DoubleVector c3_0 = DoubleVector.fromArray(S, acc, at + 3 * kp + 0 * L);
        DoubleVector c3_1 = DoubleVector.fromArray(S, acc, at + 3 * kp + 1 * L);
        DoubleVector c3_2 = DoubleVector.fromArray(S, acc, at + 3 * kp + 2 * L);
        DoubleVector c3_3 = DoubleVector.fromArray(S, acc, at + 3 * kp + 3 * L);
        DoubleVector c4_0 = DoubleVector.fromArray(S, acc, at + 4 * kp + 0 * L);
        DoubleVector c4_1 = DoubleVector.fromArray(S, acc, at + 4 * kp + 1 * L);
        DoubleVector c4_2 = DoubleVector.fromArray(S, acc, at + 4 * kp + 2 * L);
        DoubleVector c4_3 = DoubleVector.fromArray(S, acc, at + 4 * kp + 3 * L);
        DoubleVector c5_0 = DoubleVector.fromArray(S, acc, at + 5 * kp + 0 * L);
        DoubleVector c5_1 = DoubleVector.fromArray(S, acc, at + 5 * kp + 1 * L);
        DoubleVector c5_2 = DoubleVector.fromArray(S, acc, at + 5 * kp + 2 * L);
        DoubleVector c5_3 = DoubleVector.fromArray(S, acc, at + 5 * kp + 3 * L);
        for (int q = q0; q < q1; q++) {
            int w = ws[q], g = q * kp + k0;
            DoubleVector b0 = DoubleVector.fromArray(S, gt, g + 0 * L);
            DoubleVector b1 = DoubleVector.fromArray(S, gt, g + 1 * L);
            DoubleVector b2 = DoubleVector.fromArray(S, gt, g + 2 * L);
            DoubleVector b3 = DoubleVector.fromArray(S, gt, g + 3 * L);
            DoubleVector a0 = DoubleVector.broadcast(S, sl[x0 + w]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            c0_2 = a0.fma(b2, c0_2);
            c0_3 = a0.fma(b3, c0_3);
            DoubleVector a1 = DoubleVector.broadcast(S, sl[x0 + w + 1]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            c1_2 = a1.fma(b2, c1_2);
            c1_3 = a1.fma(b3, c1_3);
            DoubleVector a2 = DoubleVector.broadcast(S, sl[x0 + w + 2]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            c2_2 = a2.fma(b2, c2_2);
            c2_3 = a2.fma(b3, c2_3);
            DoubleVector a3 = DoubleVector.broadcast(S, sl[x3 + w]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            c3_2 = a3.fma(b2, c3_2);
            c3_3 = a3.fma(b3, c3_3);
            DoubleVector a4 = DoubleVector.broadcast(S, sl[x3 + w + 1]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            c4_2 = a4.fma(b2, c4_2);
            c4_3 = a4.fma(b3, c4_3);
            DoubleVector a5 = DoubleVector.broadcast(S, sl[x3 + w + 2]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
            c5_2 = a5.fma(b2, c5_2);
            c5_3 = a5.fma(b3, c5_3);
        }
        c0_0.intoArray(acc, at + 0 * kp + 0 * L);
        c0_1.intoArray(acc, at + 0 * kp + 1 * L);
        c0_2.intoArray(acc, at + 0 * kp + 2 * L);
        c0_3.intoArray(acc, at + 0 * kp + 3 * L);
        c1_0.intoArray(acc, at + 1 * kp + 0 * L);
        c1_1.intoArray(acc, at + 1 * kp + 1 * L);
        c1_2.intoArray(acc, at + 1 * kp + 2 * L);
        c1_3.intoArray(acc, at + 1 * kp + 3 * L);
        c2_0.intoArray(acc, at + 2 * kp + 0 * L);
        c2_1.intoArray(acc, at + 2 * kp + 1 * L);
        c2_2.intoArray(acc, at + 2 * kp + 2 * L);
        c2_3.intoArray(acc, at + 2 * kp + 3 * L);
        c3_0.intoArray(acc, at + 3 * kp + 0 * L);
        c3_1.intoArray(acc, at + 3 * kp + 1 * L);
        c3_2.intoArray(acc, at + 3 * kp + 2 * L);
        c3_3.intoArray(acc, at + 3 * kp + 3 * L);
        c4_0.intoArray(acc, at + 4 * kp + 0 * L);
        c4_1.intoArray(acc, at + 4 * kp + 1 * L);
        c4_2.intoArray(acc, at + 4 * kp + 2 * L);
        c4_3.intoArray(acc, at + 4 * kp + 3 * L);
        c5_0.intoArray(acc, at + 5 * kp + 0 * L);
        c5_1.intoArray(acc, at + 5 * kp + 1 * L);
        c5_2.intoArray(acc, at + 5 * kp + 2 * L);
        c5_3.intoArray(acc, at + 5 * kp + 3 * L);
    }
}
