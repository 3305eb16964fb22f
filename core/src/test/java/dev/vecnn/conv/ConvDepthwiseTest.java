package dev.vecnn.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.kernel.Backend;
import dev.vecnn.kernel.conv.gemm.ChannelsLastGemmF32;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.MemoryFormat;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import dev.vecnn.testing.Props;
import dev.vecnn.testing.Tolerance;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * A convolution and the depthwise convolution after it in one pass ({@link ConvDepthwise}) give the bits of the two
 * prepared forward passes, channels-last: drawn pairs of rank 1 to 3 (a 1x1 first in half of them, else any kernel,
 * stride, dilation and padding; channels that are not whole vectors,
 * kernels up to 5 wide, strides up to 3, dilations, padding up to the kernel on each side), batches of up to three, x a
 * view whose positions have gaps, biases or none, clamped and other activations on either, 1 to 3 threads; and planes
 * large enough for several chunks per task, whose rows the next chunk reads again; each after a pass that left values
 * in the scratch memory the slab takes; each also from a channels-first x. Where the kernels do not run the pair
 * (vectors narrower than 512 bits, the portable backend) {@link ConvDepthwise#fuses} says so and the pass refuses.
 * The argument checks name what is wrong.
 */
@Tag("kernels")
class ConvDepthwiseTest {
    private static final Epilogue[] EPILOGUES = {Epilogue.NONE, Epilogue.clip(0, 6), Epilogue.relu(), new Epilogue(Activation.TANH, 0, 0)};

    private record Case(ConvSpec conv, ConvSpec depthwise, int gap, int threads, int e1, int e2) {
    }

    private static Gen<Case> cases() {
        return in -> {
            int rank = Props.draw(in, 1, 3), batch = Props.draw(in, 1, 3);
            // fewer input channels or outputs go to the direct kernel (refusesWhatItCannotRun)
            long cin = Props.draw(in, 3, 24), channels = Props.draw(in, 5, 70);
            // the first convolution: a 1x1 in half the cases, else any kernel, stride, dilation and zero padding
            boolean pointwise = Props.oneIn(in, 2);
            long[] size = new long[rank], mid = new long[rank];
            int[] k1 = new int[rank], s1 = new int[rank], d1 = new int[rank], b1 = new int[rank], e1 = new int[rank];
            int[] kernel = new int[rank], stride = new int[rank], dilation = new int[rank], begin = new int[rank], end = new int[rank];
            for (int d = 0; d < rank; d++) {
                k1[d] = pointwise ? 1 : Props.draw(in, 1, 3);
                s1[d] = pointwise ? 1 : Props.draw(in, 1, 2);
                d1[d] = pointwise ? 1 : Props.draw(in, 1, 2);
                b1[d] = pointwise ? 0 : Props.draw(in, 0, k1[d]);
                e1[d] = pointwise ? 0 : Props.draw(in, 0, k1[d]);
                kernel[d] = Props.draw(in, 1, rank == 3 ? 3 : 5);
                stride[d] = Props.draw(in, 1, 3);
                dilation[d] = Props.draw(in, 1, 2);
                begin[d] = Props.draw(in, 0, kernel[d]);
                end[d] = Props.draw(in, 0, kernel[d]);
                long reach = (long) (kernel[d] - 1) * dilation[d] + 1, reach1 = (long) (k1[d] - 1) * d1[d] + 1;
                // at least one output of each: the depthwise input spans its kernel's reach, the first input its own
                mid[d] = Math.max(1, reach - begin[d] - end[d]) + Props.draw(in, 0, rank == 3 ? 7 : rank == 2 ? 20 : 60);
                size[d] = Math.max(1, (mid[d] - 1) * s1[d] + reach1 - b1[d] - e1[d]); // mid[d] outputs, or more where clamped
            }
            ConvSpec p = ConvSpec.builder().batch(batch).inChannels(cin).outChannels(channels).input(size).kernel(k1).stride(s1).dilation(d1)
                    .padding(b1, e1).bias(Props.draw(in, 0, 3) > 0).build();
            long[] z = p.outputSize();
            ConvSpec d = ConvSpec.builder().batch(batch).groups(channels).inChannels(channels).outChannels(channels).input(z).kernel(kernel).stride(stride)
                    .dilation(dilation).padding(begin, end).bias(Props.draw(in, 0, 3) > 0).build();
            return new Case(p, d, Props.oneIn(in, 3) ? Props.draw(in, 1, 5) : 0, Props.draw(in, 1, 3), Props.draw(in, 0, 3), Props.draw(in, 0, 3));
        };
    }

    private static int[] ones(int rank) {
        int[] k = new int[rank];
        java.util.Arrays.fill(k, 1);
        return k;
    }

    @Test
    void givesTheBitsOfTheTwoPassesF32() {
        Props.qt(150).forAll(cases()).checkAssert(c -> check(c, DType.F32));
    }

    @Test
    void givesTheBitsOfTheTwoPassesF64() {
        Props.qt(80).forAll(cases()).checkAssert(c -> check(c, DType.F64));
    }

    /**
     * Planes whose slab holds fewer output rows than a task has: several chunks, each moving the rows the next one reads
     * again to the slab's top (stride 1: two rows; stride 2: one; a dilated 5-row kernel: eight), the last chunk short,
     * MobileNet-V2's shapes among them, at 1 and 2 threads (two runs of rows, each computing its first rows of z again).
     */
    @Test
    void chunksMoveTheRowsTheyShare() {
        String[][] pairs = {
            {"mb1ic16ih112iw112oc96oh112ow112kh1kw1", "g96mb1ic96ih112iw112oc96oh56ow56kh3kw3sh2sw2ph1pw1"},
            {"mb1ic24ih56iw56oc144oh56ow56kh1kw1", "g144mb1ic144ih56iw56oc144oh56ow56kh3kw3ph1pw1"},
            {"mb2ic8ih61iw47oc80oh61ow47kh1kw1", "g80mb2ic80ih61iw47oc80oh57ow47kh5kw3dh2ph2pw1"},
            {"mb1ic5ih9iw30id30oc40oh9ow30od30kh1kw1kd1", "g40mb1ic40ih9iw30id30oc40oh9ow30od30kh3kw3kd3ph1pw1pd1"},
            // MobileNet-V2's stem (3x3, stride 2) and the depthwise layer after it
            {"mb1ic3ih224iw224oc32oh112ow112kh3kw3sh2sw2ph1pw1", "g32mb1ic32ih112iw112oc32oh112ow112kh3kw3ph1pw1"}};
        for (String[] pair : pairs) {
            for (int threads = 1; threads <= 2; threads++) {
                for (DType t : new DType[] {DType.F32, DType.F64}) check(new Case(ConvSpec.parse(pair[0]), ConvSpec.parse(pair[1]), 0, threads, 1, 1), t);
            }
        }
    }

    /**
     * Channels spanning a multiple of 1 KB (256 float32, 128 and 384 float64: the slab's positions a cache line further
     * apart), padding wider than the kernel (rows and cells of padding only), at 1 to 4 threads.
     */
    @Test
    void widePositionsAndWidePadding() {
        for (long channels : new long[] {128, 256, 384}) {
            ConvSpec p = ConvSpec.builder().batch(2).inChannels(8).outChannels(channels).input(20, 18).kernel(1, 1).build();
            ConvSpec d = ConvSpec.builder().batch(2).groups(channels).inChannels(channels).outChannels(channels).input(20, 18).kernel(3, 3)
                    .padding(new int[] {4, 1}, new int[] {2, 5}).build();
            for (int threads = 1; threads <= 4; threads++) {
                for (DType t : new DType[] {DType.F32, DType.F64}) check(new Case(p, d, 0, threads, 1, 3), t);
            }
        }
    }

    private static void check(Case c, DType t) {
        ConvSpec p = c.conv(), d = c.depthwise();
        try (Arena a = Arena.ofShared(); Execution ex = Execution.withThreads(c.threads())) {
            long[] shape = p.inputShape(), wider = shape.clone();
            wider[1] += c.gap(); // positions gap elements apart beyond the channels: a view of a wider channels-last tensor
            Tensor x = Tensor.allocateChannelsLast(a, t, wider).slice(1, 0, shape[1]);
            x.copyFrom(Fill.uniform(a, t, shape, 31));
            Tensor w1 = Fill.uniform(a, t, p.weightShape(), 32), w2 = Fill.uniform(a, t, d.weightShape(), 33);
            Tensor b1 = p.hasBias() ? Fill.uniform(a, t, p.biasShape(), 34) : null, b2 = d.hasBias() ? Fill.uniform(a, t, d.biasShape(), 35) : null;
            Epilogue e1 = EPILOGUES[c.e1()], e2 = EPILOGUES[c.e2()];
            Tensor z = Tensor.allocateChannelsLast(a, t, p.outputShape()), want = Tensor.allocateChannelsLast(a, t, d.outputShape());
            Tensor got = Tensor.allocateChannelsLast(a, t, d.outputShape());
            Conv.forward(p, x, Conv.prepare(p, w1), b1, z, e1, ex);
            Conv.forward(d, z, Conv.prepare(d, w2), b2, want, e2, ex);
            String where = p + " " + d + " " + t + " " + e1 + " " + e2 + " gap " + c.gap() + " threads " + c.threads();
            if (!kernelsRun()) {
                assertFalse(ConvDepthwise.fuses(p, d, x, got), where);
                return;
            }
            assertTrue(ConvDepthwise.fuses(p, d, x, got), where);
            dirtyScratch(p, x, w1, b1, ex, a);
            ConvDepthwise pd = ConvDepthwise.prepare(p, w1, d, w2);
            pd.forward(x, b1, e1, b2, e2, got, ex);
            Tolerance.assertIdentical(want, got, where);
            // x channels-first (a model's input): the first convolution's slab gathers it, the same bits
            Tensor xFirst = Tensor.allocate(a, t, shape), gotFirst = Tensor.allocateChannelsLast(a, t, d.outputShape());
            xFirst.copyFrom(x);
            assertTrue(ConvDepthwise.fuses(p, d, xFirst, gotFirst), where);
            pd.forward(xFirst, b1, e1, b2, e2, gotFirst, ex);
            Tolerance.assertIdentical(want, gotFirst, "channels-first x " + where);
        }
    }

    /**
     * Leaves values in the workers' scratch where the pass lays its slab: the same pass with a 1x1 depthwise convolution,
     * whose slab has no padding, so that a pass that counted on zeros left in its slab's padding cells would read these.
     */
    private static void dirtyScratch(ConvSpec p, Tensor x, Tensor w1, Tensor b1, Execution ex, Arena a) {
        int rank = p.rank();
        long c = p.outChannels();
        ConvSpec d = ConvSpec.builder().batch(p.batch()).groups(c).inChannels(c).outChannels(c).input(p.outputSize()).kernel(ones(rank)).bias(false).build();
        Tensor y = Tensor.allocateChannelsLast(a, x.dtype(), d.outputShape());
        ConvDepthwise.prepare(p, w1, d, Fill.uniform(a, x.dtype(), d.weightShape(), 36)).forward(x, b1, Epilogue.NONE, null, Epilogue.NONE, y, ex);
    }

    /** Whether the kernels run pairs as one pass here: the Vector API with 512-bit vectors. */
    private static boolean kernelsRun() {
        return Backend.isVector() && ChannelsLastGemmF32.AVAILABLE;
    }

    @Test
    void refusesWhatItCannotRun() {
        ConvSpec p = ConvSpec.parse("mb1ic8ih10iw10oc32oh10ow10kh1kw1"), d = ConvSpec.parse("g32mb1ic32ih10iw10oc32oh10ow10kh3kw3ph1pw1");
        try (Arena a = Arena.ofConfined()) {
            Tensor xFirst = Tensor.allocate(a, DType.F32, p.inputShape()), xLast = Tensor.allocateChannelsLast(a, DType.F32, p.inputShape());
            Tensor yLast = Tensor.allocateChannelsLast(a, DType.F32, d.outputShape());
            assertEquals(kernelsRun(), ConvDepthwise.fuses(p, d, xFirst, yLast), "channels-first x: gathered by the first convolution's slab");
            assertFalse(ConvDepthwise.fuses(p, d, xLast, Tensor.allocate(a, DType.F32, d.outputShape())), "channels-first y");
            assertFalse(ConvDepthwise.fuses(null, d, xLast, yLast));
            assertFalse(ConvDepthwise.fuses(p, d, null, yLast));
            // not a pair: a depthwise of other channels or sizes, or with a multiplier, a grouped first convolution, reflect
            // padding on either
            for (String[] pair : new String[][] {{"mb1ic8ih10iw10oc16oh10ow10kh1kw1", d.toString()},
                    {p.toString(), "g32mb1ic32ih12iw12oc32oh10ow10kh3kw3"},
                    {"mb1ic8ih10iw10oc32oh5ow5kh1kw1sh2sw2", d.toString()},
                    {p.toString(), "g16mb1ic32ih10iw10oc32oh10ow10kh3kw3ph1pw1"},
                    {p.toString(), "g32mb1ic32ih10iw10oc64oh10ow10kh3kw3ph1pw1"},
                    {"g2mb1ic8ih10iw10oc32oh10ow10kh1kw1", d.toString()},
                    {ConvSpec.parse("mb1ic8ih10iw10oc32oh10ow10kh3kw3ph1pw1").toBuilder().paddingMode(dev.vecnn.spec.PaddingMode.REFLECT).build().toString(), d.toString()},
                    {p.toString(), d.toBuilder().paddingMode(dev.vecnn.spec.PaddingMode.REFLECT).build().toString()}}) {
                ConvSpec p2 = ConvSpec.parse(pair[0]), d2 = ConvSpec.parse(pair[1]);
                assertFalse(ConvDepthwise.pair(p2, d2), pair[0] + " " + pair[1]);
                assertFalse(ConvDepthwise.fuses(p2, d2, Tensor.allocateChannelsLast(a, DType.F32, p2.inputShape()), MemoryFormat.CHANNELS_LAST));
                if (Backend.isVector()) {
                    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                            () -> ConvDepthwise.prepare(p2, Tensor.allocate(a, DType.F32, p2.weightShape()), d2, Tensor.allocate(a, DType.F32, d2.weightShape())));
                    assertTrue(bad.getMessage().startsWith("depthwise: "), bad.getMessage());
                }
            }
            if (!kernelsRun()) {
                assertFalse(ConvDepthwise.fuses(p, d, xLast, yLast));
                return;
            }
            assertTrue(ConvDepthwise.fuses(p, d, xLast, yLast));
            // a pair the dispatcher sends elsewhere: two input channels take the direct kernel, whose bits the pass does not give
            ConvSpec few = ConvSpec.parse("mb1ic2ih10iw10oc32oh10ow10kh1kw1");
            assertTrue(ConvDepthwise.pair(few, d));
            assertFalse(ConvDepthwise.fuses(few, d, Tensor.allocateChannelsLast(a, DType.F32, few.inputShape()), yLast));
            Tensor w1 = Tensor.allocate(a, DType.F32, p.weightShape()), w2 = Tensor.allocate(a, DType.F32, d.weightShape());
            Tensor b1 = Tensor.allocate(a, DType.F32, p.biasShape()), b2 = Tensor.allocate(a, DType.F32, d.biasShape());
            ConvDepthwise pd = ConvDepthwise.prepare(p, w1, d, w2);
            try (Execution ex = Execution.withThreads(1)) {
                assertEquals("x", param(() -> pd.forward(Tensor.allocateChannelsLast(a, DType.F32, 1, 8, 10, 9), b1, Epilogue.NONE, b2, Epilogue.NONE, yLast, ex)));
                assertEquals("y", param(() -> pd.forward(xLast, b1, Epilogue.NONE, b2, Epilogue.NONE, Tensor.allocateChannelsLast(a, DType.F32, 1, 32, 9, 10), ex)));
                assertEquals("y", param(() -> pd.forward(xLast, b1, Epilogue.NONE, b2, Epilogue.NONE, xLast, ex)));
                assertEquals("b1", param(() -> pd.forward(xLast, null, Epilogue.NONE, b2, Epilogue.NONE, yLast, ex)));
                assertEquals("b2", param(() -> pd.forward(xLast, b1, Epilogue.NONE, Tensor.allocate(a, DType.F32, 16), Epilogue.NONE, yLast, ex)));
                assertEquals("y", param(() -> pd.forward(xLast, b1, Epilogue.NONE, b2, Epilogue.NONE, Tensor.allocate(a, DType.F32, d.outputShape()), ex)));
                assertEquals("w2", param(() -> ConvDepthwise.prepare(p, w1, d, Tensor.allocate(a, DType.F64, d.weightShape()))));
                assertEquals("w1", param(() -> ConvDepthwise.prepare(p, Tensor.allocate(a, DType.F32, 32, 9, 1, 1), d, w2)));
                assertEquals("w2", param(() -> ConvDepthwise.prepare(p, w1, d, null)));
                // prepared, but dispatched to the direct kernel: the pass names the spec
                ConvDepthwise direct = ConvDepthwise.prepare(few, Tensor.allocate(a, DType.F32, few.weightShape()), d, w2);
                Tensor xFew = Tensor.allocateChannelsLast(a, DType.F32, few.inputShape());
                assertEquals("conv", param(() -> direct.forward(xFew, Tensor.allocate(a, DType.F32, few.biasShape()), Epilogue.NONE, b2, Epilogue.NONE, yLast, ex)));
                // an overlapping output: y over the depthwise bias
                Tensor yOverB2 = Tensor.wrap(b2.segment(), DType.F32, d.outputShape(), new long[] {0, 0, 0, 0}, 0);
                assertTrue(thrown(() -> pd.forward(xLast, b1, Epilogue.NONE, b2, Epilogue.NONE, yOverB2, ex)).getMessage().startsWith("y: "));
            }
        }
    }

    /** The parameters an IllegalArgumentException names first ("x", "x, y"; before an index or a colon). */
    private static String param(org.junit.jupiter.api.function.Executable call) {
        String m = thrown(call).getMessage();
        java.util.regex.Matcher n = java.util.regex.Pattern.compile("^[a-z0-9]+(, [a-z0-9]+)*").matcher(m);
        assertTrue(n.find(), m);
        return n.group();
    }

    private static IllegalArgumentException thrown(org.junit.jupiter.api.function.Executable call) {
        return assertThrows(IllegalArgumentException.class, call);
    }
}
