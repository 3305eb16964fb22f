package dev.vecnn.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.vecnn.parallel.Execution;
import dev.vecnn.ref.ReferenceConv;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import dev.vecnn.testing.Layout;
import dev.vecnn.testing.Layout.Placed;
import dev.vecnn.testing.Tolerance;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Convolution kernel bugs found by the differential campaign on shapes the generators of the time
 * never produced, each named after its input; every implementation that supports the pass runs, and
 * outputs sit in buffers whose other elements must keep their guard bits ({@link Layout}).
 */
@Tag("kernels")
public class KernelRegressionTest {
    static final Execution ONE = Execution.withThreads(1), TWO = Execution.withThreads(2), THREE = Execution.withThreads(3);

    @AfterAll
    static void close() {
        ONE.close();
        TWO.close();
        THREE.close();
    }

    /**
     * {@link #checkForward} of every spec in float32 and float64, channels-first and channels-last, with bias (where
     * the spec has one) and leaky ReLU, at 1 and 3 threads: the stores' every path.
     */
    public static void checkForwardEverywhere(List<ConvSpec> specs) {
        try (Arena a = Arena.ofShared(); Execution one = Execution.withThreads(1); Execution three = Execution.withThreads(3)) {
            for (ConvSpec s : specs) {
                for (DType t : new DType[] {DType.F32, DType.F64}) {
                    for (Layout layout : new Layout[] {Layout.FIRST, Layout.LAST}) {
                        for (Execution ex : new Execution[] {one, three}) checkForward(s, t, layout, a, Epilogue.leakyRelu(0.25), ex);
                    }
                }
            }
        }
    }

    /** Forward of every supporting implementation against the reference (in double on dense copies). */
    public static void checkForward(ConvSpec s, DType t, Layout layout, Arena arena, Epilogue e, Execution ex) {
        checkForward(s, t, layout, arena, e, ex, Conv.implementations(ConvPass.FORWARD));
    }

    /** Forward of those of {@code impls} that support {@code s}, against the reference. */
    public static void checkForward(ConvSpec s, DType t, Layout layout, Arena arena, Epilogue e, Execution ex, List<ConvImpl> impls) {
        Tensor x = layout.place(arena, t, s.inputShape()).view, w = layout.place(arena, t, s.weightShape()).view;
        Fill.uniform(x, 1);
        Fill.uniform(w, 2);
        Tensor b = null;
        if (s.hasBias()) {
            b = Layout.FIRST.place(arena, t, s.biasShape()).view;
            Fill.uniform(b, 3);
        }
        try (Arena work = Arena.ofConfined()) {
            Tensor z = Tensor.allocate(work, DType.F64, s.outputShape()), mag = Tensor.allocate(work, DType.F64, s.outputShape());
            ReferenceConv.forward(s, x.to(work, DType.F64), w.to(work, DType.F64), b == null ? null : b.to(work, DType.F64), z);
            ReferenceConv.forward(s, Fill.abs(work, x), Fill.abs(work, w), b == null ? null : Fill.abs(work, b), mag);
            for (ConvImpl impl : impls) {
                if (!impl.supports(ConvPass.FORWARD, s)) continue;
                Placed y = layout.place(arena, t, s.outputShape());
                impl.forward(s, x, w, b, y.view, e, ex);
                String what = impl + " forward " + s + " " + t.shortName() + " " + layout + " " + e.activation();
                y.assertGuardsIntact(what);
                Tolerance.assertActivatedClose(y.view, z, mag, Tolerance.factor(Tolerance.convTerms(s, ConvPass.FORWARD), t), e, what);
            }
        }
    }

    /** 24 of the 70 outputs came out 0.0 (gemm, channels-last, an input row of width 1 padded to exactly the dilated kernel). */
    @Test
    void mb2ic2ih7iw1oc5oh7ow1kh2kw3ph0pw2dh0dw1_bias0() {
        ConvSpec s = ConvSpec.parse("mb2ic2ih7iw1oc5oh7ow1kh2kw3ph0pw2dh0dw1_bias0");
        for (Epilogue e : List.of(Epilogue.NONE, Epilogue.relu())) {
            try (Arena a = Arena.ofShared()) {
                checkForward(s, DType.F64, Layout.LAST, a, e, TWO);
            }
        }
    }

    /**
     * Found by the differential test: forward into a y whose rows are 5 apart in their buffer (3
     * outputs and 2 unused elements per row), the width of the padded input: the elements between the
     * rows were overwritten (the same store as the two tests around this one).
     */
    @Test
    void mb1ic1ih3iw3oc1oh4ow3kh2kw3ph2pw1dh1dw0() {
        ConvSpec s = ConvSpec.parse("mb1ic1ih3iw3oc1oh4ow3kh2kw3ph2pw1dh1dw0");
        Layout rowsFiveApart = new Layout("view", new int[] {0, 1, 2, 3}, new int[] {1, 1, 1, 1}, new int[] {0, 0, 0, 2}, 0, -1, false);
        for (DType t : new DType[] {DType.F32, DType.F64}) {
            try (Arena a = Arena.ofShared()) {
                checkForward(s, t, rowsFiveApart, a, Epilogue.NONE, ONE);
            }
        }
    }

    /**
     * Backward-data of a transposed convolution into a gx that is a view into a larger buffer: the
     * elements between the view's were overwritten (gx rows padded: the view of rows 0-5 and column 0
     * of a (2, 3, 7, 3) buffer; every other element along the width; every other channel of a
     * channels-last buffer), and with every tensor channels-last the values were wrong.
     */
    @Test
    void mb2ic3ih6iw1oc2oh8ow2kh3kw3ph0pw1_transposed() {
        ConvSpec s = ConvSpec.parse("mb2ic3ih6iw1oc2oh8ow2kh3kw3ph0pw1_transposed");
        DType t = DType.F64;
        long[] shape = s.inputShape(); // (2, 3, 6, 1)
        try (Arena a = Arena.ofShared(); Arena work = Arena.ofConfined()) {
            for (boolean channelsLast : new boolean[] {false, true}) {
                Tensor gy = channelsLast ? Tensor.allocateChannelsLast(a, t, s.outputShape()) : Tensor.allocate(a, t, s.outputShape());
                Tensor w = channelsLast ? Tensor.allocateChannelsLast(a, t, s.weightShape()) : Tensor.allocate(a, t, s.weightShape());
                Fill.uniform(gy, 1);
                Fill.uniform(w, 2);
                Tensor ref = Tensor.allocate(work, DType.F64, shape), mag = Tensor.allocate(work, DType.F64, shape);
                ReferenceConv.backwardData(s, gy, w, ref);
                ReferenceConv.backwardData(s, Fill.abs(work, gy), Fill.abs(work, w), mag);
                double f = Tolerance.factor(Tolerance.convTerms(s, ConvPass.BACKWARD_DATA), t);
                Tensor rows = Tensor.allocate(a, t, 2, 3, 7, 3), widths = Tensor.allocate(a, t, 2, 3, 6, 2);
                Tensor channels = Tensor.allocateChannelsLast(a, t, 2, 6, 6, 1);
                Tensor[][] views = { // {buffer, gx}
                    {rows, rows.slice(2, 0, 6).slice(3, 0, 1)},
                    {widths, widths.slice(3, 0, 2, 2)},
                    {channels, channels.slice(1, 0, 6, 2)},
                    {null, channelsLast ? Tensor.allocateChannelsLast(a, t, shape) : Tensor.allocate(a, t, shape)},
                };
                for (Tensor[] v : views) {
                    for (ConvImpl impl : Conv.implementations(ConvPass.BACKWARD_DATA)) {
                        if (!impl.supports(ConvPass.BACKWARD_DATA, s)) continue;
                        Tensor buffer = v[0], gx = v[1];
                        if (buffer != null) buffer.fill(-12345.0);
                        impl.backwardData(s, gy, w, gx, TWO);
                        String what = impl + " backward data " + s + (channelsLast ? " gy, w channels-last" : "") + ", gx " + gx.describe();
                        if (buffer != null) {
                            int[] overwritten = {0};
                            long[] own = new long[(int) buffer.numel()];
                            Fill.forEach(gx, i -> own[(int) gx.offsetOf(i)] = 1);
                            Fill.forEach(buffer, i -> overwritten[0] += own[(int) buffer.offsetOf(i)] == 0 && buffer.get(i) != -12345.0 ? 1 : 0);
                            if (overwritten[0] > 0) {
                                throw new AssertionError(what + ": " + overwritten[0] + " of the " + (buffer.numel() - gx.numel())
                                        + " buffer elements outside the view overwritten");
                            }
                        }
                        Tolerance.assertClose(gx, ref, mag, f, what);
                    }
                }
            }
        }
    }

    /**
     * Every pass of every supporting implementation, float32 in a confined arena, with 1, 2 and 3
     * threads (the thread count sets GEMM's row blocks even when the confined arena keeps the work on
     * one thread).
     */
    public static void checkAllPasses(ConvSpec s) {
        checkAllPasses(s, DType.F32);
    }

    /** {@link #checkAllPasses(ConvSpec)} in dtype {@code t}. */
    public static void checkAllPasses(ConvSpec s, DType t) {
        // executions of its own: other test classes call this, and this class closes its shared ones after its tests
        try (Execution one = Execution.withThreads(1); Execution two = Execution.withThreads(2); Execution three = Execution.withThreads(3)) {
            for (Execution ex : new Execution[] {one, two, three}) checkAllPasses(s, t, ex);
        }
    }

    static void checkAllPasses(ConvSpec s, Execution ex) {
        checkAllPasses(s, DType.F32, ex);
    }

    static void checkAllPasses(ConvSpec s, DType t, Execution ex) {
        try (Arena a = Arena.ofConfined()) {
            checkForward(s, t, Layout.FIRST, a, Epilogue.NONE, ex);
            Tensor x = Fill.uniform(a, t, s.inputShape(), 4), gy = Fill.uniform(a, t, s.outputShape(), 5);
            Tensor w = Fill.uniform(a, t, s.weightShape(), 6);
            Tensor gx = Tensor.allocate(a, DType.F64, s.inputShape()), gxMag = Tensor.allocate(a, DType.F64, s.inputShape());
            ReferenceConv.backwardData(s, gy.to(a, DType.F64), w.to(a, DType.F64), gx);
            ReferenceConv.backwardData(s, Fill.abs(a, gy), Fill.abs(a, w), gxMag);
            Tensor gw = Tensor.allocate(a, DType.F64, s.weightShape()), gwMag = Tensor.allocate(a, DType.F64, s.weightShape());
            ReferenceConv.backwardWeights(s, x.to(a, DType.F64), gy.to(a, DType.F64), gw);
            ReferenceConv.backwardWeights(s, Fill.abs(a, x), Fill.abs(a, gy), gwMag);
            for (ConvImpl impl : Conv.implementations(ConvPass.BACKWARD_DATA)) {
                if (impl.supports(ConvPass.BACKWARD_DATA, s)) {
                    Tensor out = Tensor.allocate(a, t, s.inputShape());
                    impl.backwardData(s, gy, w, out, ex);
                    Tolerance.assertClose(out, gx, gxMag, Tolerance.factor(Tolerance.convTerms(s, ConvPass.BACKWARD_DATA), t),
                            impl + " backward data " + s + " threads " + ex.threads());
                }
                if (impl.supports(ConvPass.BACKWARD_WEIGHTS, s)) {
                    Tensor out = Tensor.allocate(a, t, s.weightShape());
                    impl.backwardWeights(s, x, gy, out, ex);
                    Tolerance.assertClose(out, gw, gwMag, Tolerance.factor(Tolerance.convTerms(s, ConvPass.BACKWARD_WEIGHTS), t),
                            impl + " backward weights " + s + " threads " + ex.threads());
                }
            }
        }
    }

    /** ArrayIndexOutOfBoundsException in SlabIo.fillSlab: with 2 threads a row block's slab lies entirely in padding. */
    @Test
    void mb1ic1iw1oc5ow3kw1pw1_bias0() {
        checkAllPasses(ConvSpec.parse("mb1ic1iw1oc5ow3kw1pw1_bias0"));
    }

    /** The smallest case (found by ConvImplsTest's shrinking): end padding only, the second of two row blocks past the input. */
    @Test
    void mb1ic1iw1oc1ow2kw1pw0() {
        checkAllPasses(ConvSpec.parse("mb1ic1iw1oc1ow2kw1pw0"));
    }

    /** The same with one thread: the only output's window lies entirely in the begin padding (stride 2 skips the input). */
    @Test
    void mb1ic1iw1oc1ow1kw1sw2pw1_r0() {
        checkAllPasses(ConvSpec.parse("mb1ic1iw1oc1ow1kw1sw2pw1_r0"));
    }

    /** The same failure with a transposed convolution (its backward-data pass splits 8 rows: 3 threads leave the last block in padding). */
    @Test
    void mb1ic3iw8oc4ow4kw1pw2dw1_transposed() {
        checkAllPasses(ConvSpec.parse("mb1ic3iw8oc4ow4kw1pw2dw1_transposed"));
    }

    /**
     * A 2x2 stride-2 convolution over one 47000x46000 plane ran on the reference because the fast
     * kernels refused large planes: the dispatcher must never pick the reference for f32/f64 (not
     * run here: the plane alone is 8 GB in float32).
     */
    @Test
    void mb1ic1ih47000iw46000oc1oh23500ow23000kh2kw2sh2sw2() {
        ConvSpec s = ConvSpec.parse("mb1ic1ih47000iw46000oc1oh23500ow23000kh2kw2sh2sw2");
        for (ConvPass p : ConvPass.values()) {
            // the portable kernels (no Vector API) cut only the forward into rows; their backward passes
            // hold whole planes of at most 2^27 elements (a documented limit)
            if (!dev.vecnn.kernel.Backend.isVector() && p != ConvPass.FORWARD) {
                assertEquals("reference", Conv.choose(p, s).name(), p + " of " + s);
                continue;
            }
            assertNotEquals("reference", Conv.choose(p, s).name(), p + " of " + s);
        }
    }
}
