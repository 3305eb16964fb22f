package dev.vecnn.kernel.matmul;

import dev.vecnn.conv.Activation;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.AlignedMemory;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The three products of a fully connected layer in float on row-major matrices in place (no packing):
 *
 * <ul>
 *   <li>forward {@code y = x w^T + b}: dot products along the rows of x and w, 4 x 4 outputs per tile
 *       (2 x 8 for one or two rows of x: more rows of w streamed at once) accumulated in vector lanes,
 *       summed at the end of the row;</li>
 *   <li>backward-data {@code gx = gy w} and backward-weights {@code gw = gy^T x}: outer products, 4 rows x
 *       4 vectors of columns per tile, one element of the left matrix broadcast per row and step.</li>
 * </ul>
 * Each output element is reduced by one task in a fixed order (forward: the lanes, then the lanes' sum from lane 0 up
 * and the row's tail; the others: the reduction index in order), so results do not depend on the thread count.
 *
 * <p>GENERATED from core/src/template/MatmulVector.java.in by dev.vecnn.codegen.KernelTemplates; edit the
 * template, not this file.
 */
final class VectorMatmulF32 implements Matmul.Engine {
    /** The engine, loaded by name when the Vector API is the backend. */
    public static final VectorMatmulF32 INSTANCE = new VectorMatmulF32();

    private VectorMatmulF32() {
    }

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ValueLayout.OfFloat LAYOUT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final long ES = 4;
    private static final ByteOrder NO = ByteOrder.nativeOrder();
    /** Rows and columns of a forward dot tile; rows of an outer-product tile (its columns: 4 vectors). */
    private static final int T = 4;
    /** Columns of an outer-product task: several tiles, so that a task amortises its bookkeeping. */
    private static final int TASK_COLUMNS = 16 * L;

    // ================================================================ forward: y[m][n] = f(sum_k x[m][k] w[n][k] + b[n])

    @Override
    public void forward(Tensor x, Tensor w, Tensor bias, Epilogue e, Tensor y, int m, int n, int k, Execution ex) {
        MemorySegment xs = x.segment(), ws = w.segment(), ys = y.segment();
        long xb = x.offset(), wb = w.offset(), yb = y.offset();
        // one or two rows of x (a batch of one): tiles of 2 x 8, eight rows of w streamed at once (from memory,
        // where a network's other weights evicted them: 11 GB/s with four streams, measured; packed weights, one stream:
        // forwardPacked)
        int tx = m <= 2 ? 2 : T, tw = T * T / tx;
        int rowBlocks = ceilDiv(m, tx);
        // tasks own tw rows of w (read once, from cache, for every block of rows of x)
        ex.forEach(ceilDiv(n, tw), (task, s) -> {
            int n0 = task * tw;
            long[] xr = new long[tx], wr = new long[tw];
            float[] out = s.floats("matmul.tile", T * T), lanes = s.floats("matmul.lanes", T * T * L);
            for (int j = 0; j < tw; j++) wr[j] = (wb + (long) Math.min(n0 + j, n - 1) * k) * ES; // past the end: the last row again
            for (int rb = 0; rb < rowBlocks; rb++) {
                int m0 = rb * tx;
                for (int i = 0; i < tx; i++) xr[i] = (xb + (long) Math.min(m0 + i, m - 1) * k) * ES;
                if (tx == 2) dot2x8(xs, xr, ws, wr, k, out, lanes);
                else dot4x4(xs, xr, ws, wr, k, out, lanes);
                storeTile(out, tw, Math.min(tx, m - m0), Math.min(tw, n - n0), m0, n0, n, bias, e, ys, yb);
            }
        }, x, w, bias, y);
    }

    /**
     * {@code y[m0 + i][n0 + j] = f(out[i * tw + j] + bias[n0 + j])} for the tile's rows and columns inside y (n columns).
     * One bound per loop: written as {@code i < tx && m0 + i < m}, the loops let C2 speculate from the profile on which
     * bound ends them; the last, partial tasks broke that speculation, and the forward went back and forth between C2
     * and C1 for as long as training ran.
     */
    private static void storeTile(float[] out, int tw, int rows, int cols, int m0, int n0, int n, Tensor bias, Epilogue e, MemorySegment ys,
                                  long yb) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                float v = out[i * tw + j];
                if (bias != null) v += bias.segment().get(LAYOUT, (bias.offset() + n0 + j) * ES);
                ys.set(LAYOUT, (yb + (long) (m0 + i) * n + n0 + j) * ES, e.activation() == Activation.IDENTITY ? v : e.apply(v));
            }
        }
    }

    // ================================================================ forward on packed weights (inference)

    /**
     * Rows of w per packed panel: the eight rows a {@link #dot2x8} tile reads, interleaved vector by vector so
     * that a tile streams one run of memory instead of eight rows (MobileNet-V2's 1000 x 1280 classifier at batch 1,
     * its weights evicted by the network's others: 550 to 194 us, AMD EPYC Zen 5, 2026-12-02).
     */
    private static final int PANEL = 8;
    /** Panels of a task at most ({@link #forwardPacked}). */
    private static final int RUN = 8;

    @Override
    public Object[] pack(Tensor w, int n, int k) {
        int full = k - k % L, tail = k - full, panels = Math.ceilDiv(n, PANEL);
        // native and 64-byte aligned: a tile loads whole vectors of it (AlignedMemory)
        MemorySegment packed = AlignedMemory.allocate((long) panels * PANEL * full * ES);
        float[] rest = new float[n * tail];
        MemorySegment ws = w.segment();
        for (int r = 0; r < panels * PANEL; r++) {
            long row = (w.offset() + (long) Math.min(r, n - 1) * k) * ES; // past the end: the last row again
            int panel = r / PANEL, j = r % PANEL;
            for (int v = 0; v < full / L; v++) {
                MemorySegment.copy(ws, row + (long) v * L * ES, packed, ((long) (panel * (full / L) + v) * PANEL * L + j * L) * ES, L * ES);
            }
            if (r < n && tail > 0) MemorySegment.copy(ws, LAYOUT, row + full * ES, rest, r * tail, tail);
        }
        return new Object[] {packed, rest};
    }

    @Override
    public void forwardPacked(Tensor x, Object packed, Object rest, Tensor bias, Epilogue e, Tensor y, int m, int n, int k, Execution ex) {
        MemorySegment pw = (MemorySegment) packed;
        float[] tail = (float[]) rest;
        MemorySegment xs = x.segment(), ys = y.segment();
        long xb = x.offset(), yb = y.offset();
        int full = k - k % L, rowBlocks = Math.ceilDiv(m, 2);
        // a task owns a run of panels (eight rows of w each, read from memory once, from cache for every further pair of
        // rows of x); runs rather than single panels give each thread a long sequential stream: a 1000 x 512 dense layer
        // at batch 1 with its weights out of cache (as in a model) took 132 us on one thread and 168 on two, panel by
        // panel (Zen 5)
        int panels = Math.ceilDiv(n, PANEL), run = Math.clamp(Math.ceilDiv(panels, 4 * ex.threads()), 1, RUN);
        ex.forEach(Math.ceilDiv(panels, run), (task, s) -> {
            long[] xr = new long[2];
            float[] out = s.floats("matmul.tile", T * T), lanes = s.floats("matmul.lanes", T * T * L);
            for (int panel = task * run, end = Math.min(panels, panel + run); panel < end; panel++) {
                int n0 = panel * PANEL;
                for (int rb = 0; rb < rowBlocks; rb++) {
                    int m0 = rb * 2;
                    for (int i = 0; i < 2; i++) xr[i] = (xb + (long) Math.min(m0 + i, m - 1) * k) * ES;
                    dot2x8Packed(xs, xr, pw, (long) panel * full * PANEL * ES, full, tail, n0, n, k - full, out, lanes);
                    storeTile(out, PANEL, Math.min(2, m - m0), Math.min(PANEL, n - n0), m0, n0, n, bias, e, ys, yb);
                }
            }
        }, x, bias, y);
    }

    /**
     * {@link #dot2x8} with the eight rows of w from a packed panel ({@code pw} from byte {@code po}: step p's eight
     * vectors in a run) and their tails from {@code tail} (row r's at {@code r * tailLength}): the same sums in the same
     * order, so the same bits.
     */
    private static void dot2x8Packed(MemorySegment xs, long[] xr, MemorySegment pw, long po, int full, float[] tail, int n0, int n,
                                     int tailLength, float[] out, float[] lanes) {
        long x0 = xr[0], x1 = xr[1];
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c04 = c00, c05 = c00, c06 = c00, c07 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00, c14 = c00, c15 = c00, c16 = c00, c17 = c00;
        long wq = po;
        for (int p = 0; p < full; p += L, wq += PANEL * L * ES) {
            FloatVector a0 = FloatVector.fromMemorySegment(S, xs, x0 + p * ES, NO);
            FloatVector a1 = FloatVector.fromMemorySegment(S, xs, x1 + p * ES, NO);
            FloatVector b = FloatVector.fromMemorySegment(S, pw, wq, NO);
            c00 = a0.fma(b, c00);
            c10 = a1.fma(b, c10);
            b = FloatVector.fromMemorySegment(S, pw, wq + L * ES, NO);
            c01 = a0.fma(b, c01);
            c11 = a1.fma(b, c11);
            b = FloatVector.fromMemorySegment(S, pw, wq + 2 * L * ES, NO);
            c02 = a0.fma(b, c02);
            c12 = a1.fma(b, c12);
            b = FloatVector.fromMemorySegment(S, pw, wq + 3 * L * ES, NO);
            c03 = a0.fma(b, c03);
            c13 = a1.fma(b, c13);
            b = FloatVector.fromMemorySegment(S, pw, wq + 4 * L * ES, NO);
            c04 = a0.fma(b, c04);
            c14 = a1.fma(b, c14);
            b = FloatVector.fromMemorySegment(S, pw, wq + 5 * L * ES, NO);
            c05 = a0.fma(b, c05);
            c15 = a1.fma(b, c15);
            b = FloatVector.fromMemorySegment(S, pw, wq + 6 * L * ES, NO);
            c06 = a0.fma(b, c06);
            c16 = a1.fma(b, c16);
            b = FloatVector.fromMemorySegment(S, pw, wq + 7 * L * ES, NO);
            c07 = a0.fma(b, c07);
            c17 = a1.fma(b, c17);
        }
        c00.intoArray(lanes, 0 * L);
        c01.intoArray(lanes, 1 * L);
        c02.intoArray(lanes, 2 * L);
        c03.intoArray(lanes, 3 * L);
        c04.intoArray(lanes, 4 * L);
        c05.intoArray(lanes, 5 * L);
        c06.intoArray(lanes, 6 * L);
        c07.intoArray(lanes, 7 * L);
        c10.intoArray(lanes, 8 * L);
        c11.intoArray(lanes, 9 * L);
        c12.intoArray(lanes, 10 * L);
        c13.intoArray(lanes, 11 * L);
        c14.intoArray(lanes, 12 * L);
        c15.intoArray(lanes, 13 * L);
        c16.intoArray(lanes, 14 * L);
        c17.intoArray(lanes, 15 * L);
        laneSums(lanes, out);
        for (int q = 0; q < tailLength; q++) {
            for (int i = 0; i < 2; i++) {
                float a = xs.get(LAYOUT, xr[i] + (full + q) * ES);
                for (int j = 0; j < PANEL; j++) out[i * PANEL + j] += a * tail[Math.min(n0 + j, n - 1) * tailLength + q];
            }
        }
    }

    /** {@code out[i][j] = sum_k x_i[k] w_j[k]} for 4 rows of x and 4 of w (byte offsets): lanes, then lane sums, then the tail. */
    private static void dot4x4(MemorySegment xs, long[] xr, MemorySegment ws, long[] wr, int k, float[] out, float[] lanes) {
        long x0 = xr[0], x1 = xr[1], x2 = xr[2], x3 = xr[3], w0 = wr[0], w1 = wr[1], w2 = wr[2], w3 = wr[3];
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        int full = k - k % L;
        for (long p = 0, end = full * ES; p < end; p += L * ES) {
            FloatVector a0 = FloatVector.fromMemorySegment(S, xs, x0 + p, NO);
            FloatVector a1 = FloatVector.fromMemorySegment(S, xs, x1 + p, NO);
            FloatVector a2 = FloatVector.fromMemorySegment(S, xs, x2 + p, NO);
            FloatVector a3 = FloatVector.fromMemorySegment(S, xs, x3 + p, NO);
            FloatVector b0 = FloatVector.fromMemorySegment(S, ws, w0 + p, NO);
            FloatVector b1 = FloatVector.fromMemorySegment(S, ws, w1 + p, NO);
            FloatVector b2 = FloatVector.fromMemorySegment(S, ws, w2 + p, NO);
            FloatVector b3 = FloatVector.fromMemorySegment(S, ws, w3 + p, NO);
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
        // reduceLanes(ADD) leaves the order open (the JIT tiers differ): the lanes are summed in a fixed order
        c00.intoArray(lanes, 0 * L);
        c01.intoArray(lanes, 1 * L);
        c02.intoArray(lanes, 2 * L);
        c03.intoArray(lanes, 3 * L);
        c10.intoArray(lanes, 4 * L);
        c11.intoArray(lanes, 5 * L);
        c12.intoArray(lanes, 6 * L);
        c13.intoArray(lanes, 7 * L);
        c20.intoArray(lanes, 8 * L);
        c21.intoArray(lanes, 9 * L);
        c22.intoArray(lanes, 10 * L);
        c23.intoArray(lanes, 11 * L);
        c30.intoArray(lanes, 12 * L);
        c31.intoArray(lanes, 13 * L);
        c32.intoArray(lanes, 14 * L);
        c33.intoArray(lanes, 15 * L);
        laneSums(lanes, out);
        for (int q = full; q < k; q++) {
            for (int i = 0; i < T; i++) {
                float a = xs.get(LAYOUT, xr[i] + q * ES);
                for (int j = 0; j < T; j++) out[i * T + j] += a * ws.get(LAYOUT, wr[j] + q * ES);
            }
        }
    }

    /**
     * {@link #dot4x4} for 2 rows of x and 8 of w ({@code out[i * 8 + j]}): the same sums in the same order,
     * eight rows of w in flight.
     */
    private static void dot2x8(MemorySegment xs, long[] xr, MemorySegment ws, long[] wr, int k, float[] out, float[] lanes) {
        long x0 = xr[0], x1 = xr[1], w0 = wr[0], w1 = wr[1], w2 = wr[2], w3 = wr[3], w4 = wr[4], w5 = wr[5], w6 = wr[6], w7 = wr[7];
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c04 = c00, c05 = c00, c06 = c00, c07 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00, c14 = c00, c15 = c00, c16 = c00, c17 = c00;
        int full = k - k % L;
        for (long p = 0, end = full * ES; p < end; p += L * ES) {
            FloatVector a0 = FloatVector.fromMemorySegment(S, xs, x0 + p, NO);
            FloatVector a1 = FloatVector.fromMemorySegment(S, xs, x1 + p, NO);
            FloatVector b = FloatVector.fromMemorySegment(S, ws, w0 + p, NO);
            c00 = a0.fma(b, c00);
            c10 = a1.fma(b, c10);
            b = FloatVector.fromMemorySegment(S, ws, w1 + p, NO);
            c01 = a0.fma(b, c01);
            c11 = a1.fma(b, c11);
            b = FloatVector.fromMemorySegment(S, ws, w2 + p, NO);
            c02 = a0.fma(b, c02);
            c12 = a1.fma(b, c12);
            b = FloatVector.fromMemorySegment(S, ws, w3 + p, NO);
            c03 = a0.fma(b, c03);
            c13 = a1.fma(b, c13);
            b = FloatVector.fromMemorySegment(S, ws, w4 + p, NO);
            c04 = a0.fma(b, c04);
            c14 = a1.fma(b, c14);
            b = FloatVector.fromMemorySegment(S, ws, w5 + p, NO);
            c05 = a0.fma(b, c05);
            c15 = a1.fma(b, c15);
            b = FloatVector.fromMemorySegment(S, ws, w6 + p, NO);
            c06 = a0.fma(b, c06);
            c16 = a1.fma(b, c16);
            b = FloatVector.fromMemorySegment(S, ws, w7 + p, NO);
            c07 = a0.fma(b, c07);
            c17 = a1.fma(b, c17);
        }
        c00.intoArray(lanes, 0 * L);
        c01.intoArray(lanes, 1 * L);
        c02.intoArray(lanes, 2 * L);
        c03.intoArray(lanes, 3 * L);
        c04.intoArray(lanes, 4 * L);
        c05.intoArray(lanes, 5 * L);
        c06.intoArray(lanes, 6 * L);
        c07.intoArray(lanes, 7 * L);
        c10.intoArray(lanes, 8 * L);
        c11.intoArray(lanes, 9 * L);
        c12.intoArray(lanes, 10 * L);
        c13.intoArray(lanes, 11 * L);
        c14.intoArray(lanes, 12 * L);
        c15.intoArray(lanes, 13 * L);
        c16.intoArray(lanes, 14 * L);
        c17.intoArray(lanes, 15 * L);
        laneSums(lanes, out);
        for (int q = full; q < k; q++) {
            for (int i = 0; i < 2; i++) {
                float a = xs.get(LAYOUT, xr[i] + q * ES);
                for (int j = 0; j < 8; j++) out[i * 8 + j] += a * ws.get(LAYOUT, wr[j] + q * ES);
            }
        }
    }

    /**
     * {@code out[q] = lanes[q*L] + lanes[q*L + 1] + ... + lanes[q*L + L-1]}, left to right, for the T*T
     * accumulators of a tile, in scalars: gathering lane l of L accumulators at a time was as fast with the weights in
     * cache and cost 1 us per tile while they streamed from memory (the gathers held up the weight stream: the
     * classifier's 1000 x 1280 product at batch 1 went from 145-163 us to 330-378 us, AMD EPYC Zen 5, 2026-12-02).
     */
    private static void laneSums(float[] lanes, float[] out) {
        for (int q = 0; q < T * T; q++) {
            float sum = lanes[q * L];
            for (int l = 1; l < L; l++) sum += lanes[q * L + l];
            out[q] = sum;
        }
    }

    // ================================================================ outer products: c[i][j] = sum_r a(i, r) b[r][j]

    @Override
    public void backwardData(Tensor gy, Tensor w, Tensor gx, int m, int n, int k, Execution ex) {
        // gx[m][k] = sum_n gy[m][n] w[n][k]: a(i, r) = gy[i][r]
        outer(gy.segment(), gy.offset(), n, 1, w.segment(), w.offset(), gx.segment(), gx.offset(), m, k, n, ex, gy, w, gx);
    }

    @Override
    public void backwardWeights(Tensor x, Tensor gy, Tensor gw, int m, int n, int k, Execution ex) {
        // gw[n][k] = sum_m gy[m][n] x[m][k]: a(i, r) = gy[r][i]
        outer(gy.segment(), gy.offset(), 1, n, x.segment(), x.offset(), gw.segment(), gw.offset(), n, k, m, ex, x, gy, gw);
    }

    /**
     * {@code c[i][j] = sum_{r < red} a(i, r) b[r][j]} for {@code i < rows, j < cols}: a(i, r) at element
     * {@code ab + i*ai + r*ar}, b and c row-major with {@code cols} columns. Tasks own T rows x TASK_COLUMNS
     * columns of c.
     */
    private static void outer(MemorySegment as, long ab, long ai, long ar, MemorySegment bs, long bb, MemorySegment cs, long cb, int rows,
                              int cols, int red, Execution ex, Tensor... touched) {
        int rowBlocks = ceilDiv(rows, T), colBlocks = ceilDiv(cols, TASK_COLUMNS);
        ex.forEach(rowBlocks * colBlocks, (task, s) -> {
            int i0 = task / colBlocks * T, j0 = task % colBlocks * TASK_COLUMNS, j1 = Math.min(cols, j0 + TASK_COLUMNS);
            int ni = Math.min(T, rows - i0);
            long[] ar0 = new long[T], cr = new long[T];
            for (int i = 0; i < T; i++) {
                int ii = Math.min(i0 + i, rows - 1); // past the end: the last row again, computed and not stored
                ar0[i] = (ab + ii * ai) * ES;
                cr[i] = (cb + (long) ii * cols) * ES;
            }
            long arStep = ar * ES, bRow = (long) cols * ES, b0 = bb * ES;
            int j = j0;
            for (; j + 4 * L <= j1; j += 4 * L) outer4x4(as, ar0, arStep, bs, b0 + j * ES, bRow, red, cs, cr, j * ES, ni);
            for (; j + L <= j1; j += L) outer4x1(as, ar0, arStep, bs, b0 + j * ES, bRow, red, cs, cr, j * ES, ni);
            for (; j < j1; j++) {
                for (int i = 0; i < ni; i++) {
                    float sum = 0;
                    for (int r = 0; r < red; r++) sum += as.get(LAYOUT, ar0[i] + r * arStep) * bs.get(LAYOUT, b0 + j * ES + r * bRow);
                    cs.set(LAYOUT, cr[i] + j * ES, sum);
                }
            }
        }, touched);
    }

    /** Rows {@code i < ni} of a T x 4-vector tile: {@code c_i[col..] = sum_r a_i[r] b[r][col..]} (byte offsets). */
    private static void outer4x4(MemorySegment as, long[] ar0, long arStep, MemorySegment bs, long b0, long bRow, int red, MemorySegment cs,
                                 long[] cr, long col, int ni) {
        long a0 = ar0[0], a1 = ar0[1], a2 = ar0[2], a3 = ar0[3];
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        long v = L * ES;
        for (int r = 0; r < red; r++) {
            long ra = r * arStep, rb = b0 + r * bRow;
            FloatVector b0v = FloatVector.fromMemorySegment(S, bs, rb, NO);
            FloatVector b1v = FloatVector.fromMemorySegment(S, bs, rb + v, NO);
            FloatVector b2v = FloatVector.fromMemorySegment(S, bs, rb + 2 * v, NO);
            FloatVector b3v = FloatVector.fromMemorySegment(S, bs, rb + 3 * v, NO);
            FloatVector x0 = FloatVector.broadcast(S, as.get(LAYOUT, a0 + ra));
            FloatVector x1 = FloatVector.broadcast(S, as.get(LAYOUT, a1 + ra));
            FloatVector x2 = FloatVector.broadcast(S, as.get(LAYOUT, a2 + ra));
            FloatVector x3 = FloatVector.broadcast(S, as.get(LAYOUT, a3 + ra));
            c00 = x0.fma(b0v, c00);
            c01 = x0.fma(b1v, c01);
            c02 = x0.fma(b2v, c02);
            c03 = x0.fma(b3v, c03);
            c10 = x1.fma(b0v, c10);
            c11 = x1.fma(b1v, c11);
            c12 = x1.fma(b2v, c12);
            c13 = x1.fma(b3v, c13);
            c20 = x2.fma(b0v, c20);
            c21 = x2.fma(b1v, c21);
            c22 = x2.fma(b2v, c22);
            c23 = x2.fma(b3v, c23);
            c30 = x3.fma(b0v, c30);
            c31 = x3.fma(b1v, c31);
            c32 = x3.fma(b2v, c32);
            c33 = x3.fma(b3v, c33);
        }
        // stored here, not through a helper taking the vectors: when C2 declined to inline such a helper into
        // this big method (NodeCountInliningCutoff), every call boxed its 16 accumulators (128 MB per step of a
        // 4096 -> 128 dense layer's backward, 15 GFLOP/s)
        long at = cr[0] + col;
        c00.intoMemorySegment(cs, at, NO);
        c01.intoMemorySegment(cs, at + v, NO);
        c02.intoMemorySegment(cs, at + 2 * v, NO);
        c03.intoMemorySegment(cs, at + 3 * v, NO);
        if (ni > 1) {
            at = cr[1] + col;
            c10.intoMemorySegment(cs, at, NO);
            c11.intoMemorySegment(cs, at + v, NO);
            c12.intoMemorySegment(cs, at + 2 * v, NO);
            c13.intoMemorySegment(cs, at + 3 * v, NO);
        }
        if (ni > 2) {
            at = cr[2] + col;
            c20.intoMemorySegment(cs, at, NO);
            c21.intoMemorySegment(cs, at + v, NO);
            c22.intoMemorySegment(cs, at + 2 * v, NO);
            c23.intoMemorySegment(cs, at + 3 * v, NO);
        }
        if (ni > 3) {
            at = cr[3] + col;
            c30.intoMemorySegment(cs, at, NO);
            c31.intoMemorySegment(cs, at + v, NO);
            c32.intoMemorySegment(cs, at + 2 * v, NO);
            c33.intoMemorySegment(cs, at + 3 * v, NO);
        }
    }

    /** As {@link #outer4x4} for one vector of columns. */
    private static void outer4x1(MemorySegment as, long[] ar0, long arStep, MemorySegment bs, long b0, long bRow, int red, MemorySegment cs,
                                 long[] cr, long col, int ni) {
        long a0 = ar0[0], a1 = ar0[1], a2 = ar0[2], a3 = ar0[3];
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
        for (int r = 0; r < red; r++) {
            long ra = r * arStep;
            FloatVector b = FloatVector.fromMemorySegment(S, bs, b0 + r * bRow, NO);
            c0 = FloatVector.broadcast(S, as.get(LAYOUT, a0 + ra)).fma(b, c0);
            c1 = FloatVector.broadcast(S, as.get(LAYOUT, a1 + ra)).fma(b, c1);
            c2 = FloatVector.broadcast(S, as.get(LAYOUT, a2 + ra)).fma(b, c2);
            c3 = FloatVector.broadcast(S, as.get(LAYOUT, a3 + ra)).fma(b, c3);
        }
        c0.intoMemorySegment(cs, cr[0] + col, NO);
        if (ni > 1) c1.intoMemorySegment(cs, cr[1] + col, NO);
        if (ni > 2) c2.intoMemorySegment(cs, cr[2] + col, NO);
        if (ni > 3) c3.intoMemorySegment(cs, cr[3] + col, NO);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
