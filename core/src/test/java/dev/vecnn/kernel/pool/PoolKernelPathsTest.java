package dev.vecnn.kernel.pool;

import static dev.vecnn.testing.Props.draw;
import static dev.vecnn.testing.Props.oneIn;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecnn.parallel.Execution;
import dev.vecnn.ref.ReferencePool;
import dev.vecnn.spec.PoolKind;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import dev.vecnn.testing.Props;
import dev.vecnn.testing.Tolerance;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The vector pooling kernels' paths against the reference, with generators that reach every branch
 * of {@link PoolGeometry}'s plan and of the kernels:
 * <ul>
 *   <li>innermost strides 1 (shifted taps), 2 with windows of 1-2 (even/odd lanes), 2 with wider
 *       windows and 3-8 (phases by lane-select chains), 9-11 (phases by scalar moves): {@link #SPECS}
 *       draws strides 1-11 and kernels 1-5 with dilations 1-3;</li>
 *   <li>3-D windows (rank 3, kernels up to 5 in every dimension: many window rows per output row);</li>
 *   <li>rows longer than 256 (rank 1-2 innermost sizes up to 300) and short rows of a few elements
 *       (several rows per vector);</li>
 *   <li>adaptive windows that tile the input (regular) or not (gathered), global kinds;</li>
 *   <li>tails: channel counts 1-19 (channels-last vectors and masks), rows of every length mod the
 *       lane count; now and then 20-83 channels, so that runs of whole windows (max and average,
 *       channels-last) take groups of four vectors and then single ones (and, with fixed channel counts
 *       around four vectors of the running width, {@link #channelsLastRunsGiveTheReferenceBitsAroundFourVectors});</li>
 *   <li>tiny {@link PoolGeometry.Limits} (drawn per case): rows cut into tiles of a few outputs,
 *       chunks of one or two pieces, window rows combined in passes of 2 or 3, window taps listed
 *       in groups of 3 or 7, backward boxes of a few elements (many per plane, every level), channel
 *       blocks of 4 or 5, argmax blocks of one vector; with pieces smaller than a window the
 *       geometry falls back to the direct kernel, which these cases reach too;</li>
 *   <li>max pooling over whole padded planes gathered, with argmax, and without it where input rows are
 *       shorter than a vector (the default limits: most planes
 *       here), never (the second limits: the row pieces and the direct kernel) or up to 60 padded
 *       elements (the third: both, by size);</li>
 *   <li>contents that are uniform, full of ties, sprinkled with NaN and infinities, or signed zeros
 *       (-0.0 next to +0.0 where the maximum is zero: the sign must follow row-major window order).</li>
 * </ul>
 * Max pooling must equal the reference bit for bit (values, including the sign of zeros, and
 * indices); average pooling within {@code gamma(taps + 1)}, backward within {@code gamma(outputs + 2)}
 * of the sum of magnitudes (see {@code PoolImplsTest}); every result bit-identical for 1 and 3 threads.
 */
@Tag("kernels")
@Tag("vector-api") // calls the vector kernels directly: not part of the run without the incubator module
class PoolKernelPathsTest {
    static final Execution ONE = Execution.withThreads(1), THREE = Execution.withThreads(3);

    @AfterAll
    static void close() {
        ONE.close();
        THREE.close();
    }

    enum Layout { CHANNELS_FIRST, CHANNELS_LAST, STRIDED }

    enum Content { UNIFORM, TIES, SPECIALS, SIGNED_ZEROS }

    static final PoolGeometry.Limits[] LIMITS = {
        PoolGeometry.Limits.DEFAULT,
        new PoolGeometry.Limits(64, 128, 3, 7, 97, 5, 32, 0),
        new PoolGeometry.Limits(12, 12, 2, 3, 20, 4, 1, 60),
    };

    record Case(PoolSpec spec, DType dtype, Layout layout, Content content, int limits, long seed) {
        @Override
        public String toString() {
            return spec + " " + dtype.shortName() + " " + layout + " " + content + " limits=" + LIMITS[limits] + " seed=" + seed;
        }
    }

    /** Specs aimed at the kernels' branches (see the class comment); null when the drawn window does not fit. */
    static final Gen<PoolSpec> SPECS = in -> {
        int rank = draw(in, 1, 3);
        int pick = draw(in, 0, 11);
        PoolKind kind = pick < 4 ? PoolKind.MAX : pick < 7 ? PoolKind.AVG
                : pick < 9 ? (oneIn(in, 2) ? PoolKind.ADAPTIVE_MAX : PoolKind.ADAPTIVE_AVG)
                : oneIn(in, 2) ? PoolKind.GLOBAL_AVG : PoolKind.GLOBAL_MAX;
        PoolSpec.Builder b = PoolSpec.builder(kind).batch(draw(in, 1, 2)).channels(oneIn(in, 4) ? draw(in, 20, 83) : draw(in, 1, 19));
        long[] size = new long[rank];
        for (int d = 0; d < rank; d++) {
            boolean inner = d == rank - 1;
            // long rows (past 256) for ranks 1-2, short ones for the outer dimensions of 3-D
            size[d] = inner ? draw(in, 1, rank == 3 ? 40 : 300) : draw(in, 1, rank == 3 ? 7 : 12);
        }
        if (kind.isWindowed()) {
            int[] k = new int[rank], s = new int[rank], dil = new int[rank], pb = new int[rank], pe = new int[rank];
            for (int d = 0; d < rank; d++) {
                // now and then a wide innermost window: the direct kernel's vector runs under small limits
                boolean wide = d == rank - 1 && oneIn(in, 6);
                k[d] = wide ? draw(in, 16, 70) : draw(in, 1, 5);
                s[d] = d == rank - 1 ? draw(in, 1, 11) : draw(in, 1, 3);
                dil[d] = !wide && oneIn(in, 3) ? draw(in, 2, 3) : 1;
                pb[d] = draw(in, 0, Math.min(k[d], 5));
                pe[d] = draw(in, 0, Math.min(k[d], 5));
                long effk = (long) (k[d] - 1) * dil[d] + 1;
                size[d] = Math.max(size[d], Math.max(1, effk - pb[d] - pe[d]));
            }
            b.kernel(k).stride(s).dilation(dil).padding(pb, pe).ceilMode(oneIn(in, 3));
            if (kind == PoolKind.AVG) b.countIncludePad(!oneIn(in, 2));
        } else if (kind.isAdaptive()) {
            long[] out = new long[rank];
            for (int d = 0; d < rank; d++) {
                // divisors of the size tile the input (the regular kernels), others gather
                out[d] = oneIn(in, 2) ? Math.max(1, size[d] / draw(in, 1, 4)) : draw(in, 1, 9);
            }
            b.output(out);
        }
        try {
            return b.input(size).build();
        } catch (IllegalArgumentException invalid) {
            return null;
        }
    };

    static final Gen<Case> CASES = in -> {
        PoolSpec s = SPECS.generate(in);
        return s == null ? null : new Case(s, draw(in, 0, 1) == 0 ? DType.F32 : DType.F64, Layout.values()[draw(in, 0, 2)],
                Content.values()[draw(in, 0, 3)], draw(in, 0, LIMITS.length - 1), draw(in, 0, 1 << 20));
    };

    static Tensor tensor(Arena a, Case c, long[] shape) {
        return switch (c.layout) {
            case CHANNELS_FIRST -> Tensor.allocate(a, c.dtype, shape);
            case CHANNELS_LAST -> Tensor.allocateChannelsLast(a, c.dtype, shape);
            case STRIDED -> {
                long[] wider = shape.clone();
                wider[wider.length - 1] = 2 * wider[wider.length - 1] + 1;
                yield Tensor.allocate(a, c.dtype, wider).slice(wider.length - 1, 1, wider[wider.length - 1], 2);
            }
        };
    }

    static Tensor input(Arena a, Case c, long[] shape) {
        Tensor t = tensor(a, c, shape);
        Fill.uniform(t, c.seed);
        SplittableRandom r = new SplittableRandom(c.seed + 7);
        double[] specials = {Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY};
        double[] zeros = {-0.0, 0.0, -0.0, 0.0, -1.0, -2.0, 1.0};
        Fill.forEach(t, idx -> {
            switch (c.content) {
                case UNIFORM -> { }
                case TIES -> t.set(Math.floor(t.get(idx) * 2) / 2, idx); // four levels: many ties
                case SPECIALS -> {
                    if (r.nextInt(12) == 0) t.set(specials[r.nextInt(3)], idx);
                }
                case SIGNED_ZEROS -> t.set(zeros[r.nextInt(r.nextInt(8) == 0 ? 7 : 6)], idx); // mostly zeros of both signs
            }
        });
        return t;
    }

    static long taps(PoolSpec s) {
        long n = 1;
        for (int d = 0; d < s.rank(); d++) n *= s.kind().isWindowed() ? s.window().kernel(d) : s.inputSize(d);
        return n;
    }

    static long outPlane(PoolSpec s) {
        long n = 1;
        for (int d = 0; d < s.rank(); d++) n *= s.outputSize(d);
        return n;
    }

    static Tensor filled(Tensor t, double v) {
        t.fill(v);
        return t;
    }

    @Test
    void forwardMatchesTheReferenceOnEveryPath() {
        Props.qt(250).forAll(CASES).assuming(c -> c != null).checkAssert(c -> {
            PoolSpec s = c.spec;
            VectorPool vector = new VectorPool(LIMITS[c.limits]);
            try (Arena a = Arena.ofShared()) {
                Tensor x = input(a, c, s.inputShape());
                Tensor ref = Tensor.allocate(a, c.dtype, s.outputShape());
                Tensor refIdx = s.kind().isMax() ? Tensor.allocate(a, DType.I64, s.outputShape()) : null;
                ReferencePool.forward(s, x, ref, refIdx);
                Tensor first = null;
                for (Execution ex : new Execution[] {ONE, THREE}) {
                    Tensor y = filled(tensor(a, c, s.outputShape()), Double.NaN);
                    vector.forward(s, x, y, null, ex);
                    if (s.kind().isMax()) {
                        Tolerance.assertIdentical(y, ref, "forward " + c);
                        Tensor y2 = filled(tensor(a, c, s.outputShape()), Double.NaN);
                        Tensor idx = Tensor.allocate(a, DType.I64, s.outputShape());
                        idx.fill(-7);
                        vector.forward(s, x, y2, idx, ex);
                        Tolerance.assertIdentical(y2, ref, "forward with indices " + c);
                        Tolerance.assertIdentical(idx, refIdx, "indices " + c);
                    } else {
                        Tensor mag = Tensor.allocate(a, DType.F64, s.outputShape());
                        ReferencePool.forward(s, Fill.abs(a, x), mag, null);
                        Tolerance.assertClose(y, ref, mag, Tolerance.gamma(taps(s) + 1, c.dtype), "forward " + c);
                    }
                    if (first == null) first = y;
                    else Tolerance.assertIdentical(y, first, "forward, 3 threads vs 1 " + c);
                }
            }
        });
    }

    @Test
    void backwardMatchesTheReferenceOnEveryPath() {
        Props.qt(250).forAll(CASES).assuming(c -> c != null).checkAssert(c -> {
            PoolSpec s = c.spec;
            VectorPool vector = new VectorPool(LIMITS[c.limits]);
            try (Arena a = Arena.ofShared()) {
                Tensor x = input(a, c, s.inputShape());
                Tensor gy = tensor(a, c, s.outputShape());
                Fill.uniform(gy, c.seed + 1);
                Tensor idx = null;
                if (s.kind().isMax()) {
                    idx = Tensor.allocate(a, DType.I64, s.outputShape());
                    ReferencePool.forward(s, x, Tensor.allocate(a, c.dtype, s.outputShape()), idx);
                }
                Tensor ref = Tensor.allocate(a, DType.F64, s.inputShape());
                ReferencePool.backward(s, null, idx, gy.to(a, DType.F64), ref);
                Tensor mag = Tensor.allocate(a, DType.F64, s.inputShape());
                ReferencePool.backward(s, null, idx, Fill.abs(a, gy), mag);
                double factor = Tolerance.gamma(outPlane(s) + 2, c.dtype);
                Tensor first = null;
                for (Execution ex : new Execution[] {ONE, THREE}) {
                    Tensor gx = filled(tensor(a, c, s.inputShape()), Double.NaN); // every element must be written
                    vector.backward(s, x, idx, gy, gx, ex);
                    Tolerance.assertClose(gx, ref, mag, factor, "backward " + c);
                    if (first == null) first = gx;
                    else Tolerance.assertIdentical(gx, first, "backward, 3 threads vs 1 " + c);
                    if (s.kind().isMax()) {
                        Tensor recomputed = filled(tensor(a, c, s.inputShape()), Double.NaN);
                        vector.backward(s, x, null, gy, recomputed, ex);
                        Tolerance.assertIdentical(recomputed, gx, "backward without indices " + c);
                    }
                }
            }
        });
    }

    /**
     * Channels-last runs of whole windows (max without indices, average) at channel counts around one and four
     * vectors of the running width: groups of four vectors, the overlapping single ones, and for max the exact
     * recomputation of a group whose NaN detector fires (NaN, both infinities, signed zeros in every vector).
     * Max must equal the reference bit for bit; average too in float64 (the reference sums in double, from zero
     * in row-major tap order, then divides, as the kernel does); in float32 it must equal that order in float.
     */
    @Test
    void channelsLastRunsGiveTheReferenceBitsAroundFourVectors() {
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            int l = dtype == DType.F32 ? jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length()
                    : jdk.incubator.vector.DoubleVector.SPECIES_PREFERRED.length();
            for (int c : new int[] {l, 4 * l - 1, 4 * l, 4 * l + 1, 5 * l + 3}) {
                // padded max: edge windows take the per-position path, interior ones the runs; average unpadded: all runs
                for (String text : new String[] {"maxpool_mb2ic" + c + "ih9kh3sh2ph1", "avgpool_mb2ic" + c + "ih9kh3sh2",
                    "avgpool_mb1ic" + c + "ih8kh2sh2"}) {
                    PoolSpec s = PoolSpec.parse(text);
                    boolean max = s.kind().isMax();
                    Case what = new Case(s, dtype, Layout.CHANNELS_LAST, max ? Content.SPECIALS : Content.TIES, 0, 11L * c);
                    try (Arena a = Arena.ofShared()) {
                        Tensor x = tensor(a, what, s.inputShape());
                        SplittableRandom r = new SplittableRandom(what.seed);
                        double[] values = {Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, -0.0, 0.0, -0.0, 0.0, -1, 1, 0.5};
                        Fill.forEach(x, idx -> x.set(max ? values[r.nextInt(values.length)] : Math.floor(r.nextDouble() * 8) / 4 - 1, idx));
                        Tensor want = Tensor.allocate(a, dtype, s.outputShape());
                        if (max || dtype == DType.F64) {
                            ReferencePool.forward(s, x, want, max ? Tensor.allocate(a, DType.I64, s.outputShape()) : null);
                        } else {
                            floatMeans(s, x, want);
                        }
                        for (Execution ex : new Execution[] {ONE, THREE}) {
                            Tensor y = filled(tensor(a, what, s.outputShape()), 7);
                            new VectorPool(PoolGeometry.Limits.DEFAULT).forward(s, x, y, null, ex);
                            Tolerance.assertIdentical(y, want, text + " " + dtype + " lanes " + l + " threads " + ex.threads());
                        }
                    }
                }
            }
        }
    }

    /** Unpadded average pooling of rank 2 in float32: per output a float sum from zero over the window in row-major order, divided by the taps. */
    private static void floatMeans(PoolSpec s, Tensor x, Tensor y) {
        int kh = s.window().kernel(0), kw = s.window().kernel(1), sh = s.window().stride(0), sw = s.window().stride(1);
        Fill.forEach(y, o -> {
            float sum = 0;
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) sum += (float) x.get(o[0], o[1], o[2] * sh + i, o[3] * sw + j);
            }
            y.set(sum / (float) (kh * kw), o);
        });
    }

    @Test
    void globalPoolingMatchesTheReferenceAroundLaneAndBatchBoundaries() {
        // planes of 1 .. 70 elements (below, at and past whole vectors: the transposed batch and its
        // overlapping last vector) and 4100 (past the batch limit: vector runs), 1 .. 37 of them (batches of L
        // planes and a partial one), channels-first and channels-last, with NaN, infinities and signed zeros
        int[] sizes = {1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 64, 70, 4100};
        for (PoolKind kind : new PoolKind[] {PoolKind.GLOBAL_MAX, PoolKind.GLOBAL_AVG}) {
            for (int n : sizes) {
                for (Content content : new Content[] {Content.SPECIALS, Content.SIGNED_ZEROS, Content.TIES}) {
                    int channels = n > 100 ? 3 : 37;
                    PoolSpec s = PoolSpec.builder(kind).batch(1).channels(channels).input(n).build();
                    for (Layout layout : new Layout[] {Layout.CHANNELS_FIRST, Layout.CHANNELS_LAST}) {
                        Case c = new Case(s, DType.F32, layout, content, 0, 31L * n + content.ordinal());
                        try (Arena a = Arena.ofShared()) {
                            Tensor x = input(a, c, s.inputShape());
                            Tensor ref = Tensor.allocate(a, c.dtype, s.outputShape()), y = tensor(a, c, s.outputShape());
                            ReferencePool.forward(s, x, ref, null);
                            new VectorPool().forward(s, x, y, null, THREE);
                            if (kind.isMax()) Tolerance.assertIdentical(y, ref, "forward " + c);
                            else {
                                Tensor mag = Tensor.allocate(a, DType.F64, s.outputShape());
                                ReferencePool.forward(s, Fill.abs(a, x), mag, null);
                                Tolerance.assertClose(y, ref, mag, Tolerance.gamma(n + 1, c.dtype), "forward " + c);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void shortRowsWithoutIndicesMatchTheReference() {
        // input rows shorter than a vector take the gathered path without indices too (2-D and 3-D volumes of the
        // training networks, shrunk; ceil mode, padding and dilation; rows of 3-15 elements, below every lane count
        // of 16 and some of 8 and 4), with NaN, infinities, signed zeros and ties, in both dtypes, bit for bit
        PoolSpec[] specs = {
            PoolSpec.builder(PoolKind.MAX).batch(2).channels(3).input(8, 8, 8).kernel(2).stride(2).build(),
            PoolSpec.builder(PoolKind.MAX).batch(2).channels(3).input(8, 8, 12).kernel(2).stride(2).build(),
            PoolSpec.builder(PoolKind.MAX).batch(2).channels(5).input(14, 14).kernel(2).stride(2).build(),
            PoolSpec.builder(PoolKind.MAX).batch(1).channels(4).input(7, 3).kernel(3).stride(2).padding(1).ceilMode(true).build(),
            PoolSpec.builder(PoolKind.MAX).batch(1).channels(4).input(5, 6, 15).kernel(3).stride(1).dilation(2).padding(2).build()};
        for (PoolSpec s : specs) {
            for (DType t : new DType[] {DType.F32, DType.F64}) {
                for (Content content : Content.values()) {
                    Case c = new Case(s, t, Layout.CHANNELS_FIRST, content, 0, 17L * content.ordinal() + t.ordinal());
                    try (Arena a = Arena.ofShared()) {
                        Tensor x = input(a, c, s.inputShape());
                        Tensor ref = Tensor.allocate(a, t, s.outputShape());
                        ReferencePool.forward(s, x, ref, null);
                        for (Execution ex : new Execution[] {ONE, THREE}) {
                            Tensor y = filled(tensor(a, c, s.outputShape()), Double.NaN);
                            new VectorPool().forward(s, x, y, null, ex);
                            Tolerance.assertIdentical(y, ref, "forward " + c + " threads " + ex.threads());
                        }
                    }
                }
            }
        }
    }

    @Test
    void theSignOfAZeroMaximumFollowsRowMajorWindowOrder() {
        // regression: the previous kernels combined window rows with a lanewise MAX, for which +0.0 > -0.0,
        // and gave +0.0 where the first zero in row-major order (PyTorch's and the reference's answer) is -0.0.
        // One 2x2 window per plane: {{-1, -0}, {+0, -1}} -> -0.0 at (0, 1); {{-1, +0}, {-0, -1}} -> +0.0 at (0, 1).
        PoolSpec s = PoolSpec.builder(PoolKind.MAX).batch(1).channels(2).input(2, 2).kernel(2).stride(2).build();
        for (DType t : new DType[] {DType.F32, DType.F64}) {
            for (boolean channelsLast : new boolean[] {false, true}) {
                try (Arena a = Arena.ofConfined()) {
                    Tensor x = channelsLast ? Tensor.allocateChannelsLast(a, t, s.inputShape()) : Tensor.allocate(a, t, s.inputShape());
                    double[][] planes = {{-1, -0.0, 0.0, -1}, {-1, 0.0, -0.0, -1}};
                    for (int c = 0; c < 2; c++) {
                        for (int i = 0; i < 4; i++) x.set(planes[c][i], 0, c, i / 2, i % 2);
                    }
                    Tensor y = Tensor.allocate(a, t, s.outputShape()), idx = Tensor.allocate(a, DType.I64, s.outputShape());
                    for (Tensor indices : new Tensor[] {null, idx}) {
                        new VectorPool().forward(s, x, y, indices, ONE);
                        String what = t.shortName() + (channelsLast ? " channels-last" : "") + (indices == null ? "" : " with indices");
                        assertEquals(Double.doubleToLongBits(-0.0), Double.doubleToLongBits(y.get(0, 0, 0, 0)), what);
                        assertEquals(Double.doubleToLongBits(0.0), Double.doubleToLongBits(y.get(0, 1, 0, 0)), what);
                    }
                    assertEquals(1, idx.getLong(0, 0, 0, 0));
                    assertEquals(1, idx.getLong(0, 1, 0, 0));
                }
            }
        }
    }
}
