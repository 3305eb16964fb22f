package dev.vecnn.kernel.conv.depthwise;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.conv.Activation;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import dev.vecnn.testing.Props;
import dev.vecnn.testing.Tolerance;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The channels-last depthwise kernel reading x straight from the tensor ({@link InteriorSplit}: interior outputs by
 * the tiles at x's offsets, border outputs through windows laid with zeros) gives the bits of the padded slab, which
 * {@code ChannelsLastTest} checks against channels-first and the reference: drawn specs of rank 1 to 3 (strides,
 * dilations, asymmetric padding wider than the kernel, planes whose outputs are all border), batches of two, inputs
 * and outputs whose positions have gaps between them, inputs in a Java array, clamped and unfused activations, 1 to 3
 * threads (which cut rows and vectors of channels and run the tasks at once). The kernel tests run again at 128 and 256 bits, where the vector widths and the row tiles differ.
 */
@Tag("kernels")
@Tag("vector-api")
class DirectReadsTest {
    private static final Epilogue[] EPILOGUES = {Epilogue.NONE, Epilogue.clip(-0.25, 0.5), new Epilogue(Activation.TANH, 0, 0)};

    /** A depthwise spec: rank, batch, vectors of channels, size, kernel, stride, dilation and padding per dimension. */
    private record Case(ConvSpec spec, int vectors, int positionGap, boolean heap, int threads, int epilogue) {
    }

    private static Gen<Case> cases(int lanes) {
        return in -> {
            int rank = Props.draw(in, 1, 3), vectors = Props.draw(in, 1, 3);
            long channels = (long) vectors * lanes;
            long[] size = new long[rank];
            int[] kernel = new int[rank], stride = new int[rank], dilation = new int[rank], begin = new int[rank], end = new int[rank];
            // a third of the cases three taps wide at unit stride along the last dimension: the row tiles at 512 bits
            boolean rows = Props.oneIn(in, 3);
            for (int d = 0; d < rank; d++) {
                boolean row = rows && d == rank - 1;
                kernel[d] = row ? 3 : Props.draw(in, 1, rank == 3 ? 3 : 5);
                stride[d] = row ? 1 : Props.draw(in, 1, 3);
                dilation[d] = row ? 1 : Props.draw(in, 1, 2);
                begin[d] = Props.draw(in, 0, 3);
                end[d] = Props.draw(in, 0, 3);
                long reach = (long) (kernel[d] - 1) * dilation[d] + 1;
                // at least one output: the padded input spans the kernel's reach
                long least = Math.max(1, reach - begin[d] - end[d]);
                size[d] = least + Props.draw(in, 0, rank == 3 ? 8 : 24);
            }
            ConvSpec s = ConvSpec.builder().batch(Props.draw(in, 1, 2)).groups(channels).inChannels(channels).outChannels(channels).input(size)
                    .kernel(kernel).stride(stride).dilation(dilation).padding(begin, end).bias(Props.draw(in, 0, 3) > 0).build();
            return new Case(s, vectors, Props.oneIn(in, 4) ? Props.draw(in, 1, 5) : 0, Props.oneIn(in, 4), Props.draw(in, 1, 3), Props.draw(in, 0, 2));
        };
    }

    @Test
    void directReadsGiveTheSlabsBitsF32() {
        Props.qt(120).forAll(cases(DepthwiseChannelsLastF32.L)).checkAssert(c -> check(c, DType.F32));
    }

    @Test
    void directReadsGiveTheSlabsBitsF64() {
        Props.qt(80).forAll(cases(DepthwiseChannelsLastF64.L)).checkAssert(c -> check(c, DType.F64));
    }

    /**
     * Interior runs along rows whose lengths are not whole tiles (the last tile moved back to end at the run's end), in
     * the image's last rows (no padding after them: a tile running past the run would read past the image).
     */
    @Test
    void runsEndWhereTheInteriorEnds() {
        int lanes = DepthwiseChannelsLastF32.L;
        for (long[] size : new long[][] {{6, 21}, {3, 4, 19}, {5, 9}}) {
            int rank = size.length;
            int[] three = new int[rank], one = new int[rank], begin = new int[rank], end = new int[rank];
            java.util.Arrays.fill(three, 3);
            java.util.Arrays.fill(one, 1);
            begin[rank - 1] = 1;
            long channels = 2L * lanes;
            ConvSpec s = ConvSpec.builder().batch(2).groups(channels).inChannels(channels).outChannels(channels).input(size).kernel(three).stride(one)
                    .dilation(one).padding(begin, end).bias(true).build();
            for (int e = 0; e < EPILOGUES.length; e++) check(new Case(s, 2, 0, false, 2, e), DType.F32);
        }
    }

    /**
     * MobileNet-V2's stride-2 3x3s from 112x112 to 28x28 read x directly; at stride 1 (even on 112x112, 3.5% border) and
     * from 14x14 to 7x7 (27% border: windows of 9 elements for each of those against 4 copied per output) they take the
     * slab.
     */
    @Test
    void theChoiceFollowsTheCopiedElements() {
        for (String direct : new String[] {"g96mb1ic96ih112oc96oh56kh3sh2ph1", "g144mb1ic144ih56oc144oh28kh3sh2ph1", "g192mb1ic192ih28oc192oh14kh3sh2ph1"}) {
            assertTrue(split(direct).cheaperThanSlab(), direct);
        }
        for (String slab : new String[] {"g32mb1ic32ih112oc32oh112kh3ph1", "g576mb1ic576ih14oc576oh7kh3sh2ph1"}) {
            assertFalse(split(slab).cheaperThanSlab(), slab);
        }
    }

    private static InteriorSplit split(String spec) {
        ConvSpec s = ConvSpec.parse(spec);
        try (Arena a = Arena.ofConfined()) {
            return new InteriorSplit(ConvGeometry.of(s), Tensor.allocateChannelsLast(a, DType.F32, s.inputShape()),
                    Tensor.allocateChannelsLast(a, DType.F32, s.outputShape()));
        }
    }

    private static void check(Case c, DType dtype) {
        ConvSpec s = c.spec();
        ConvGeometry g = ConvGeometry.of(s);
        Epilogue e = EPILOGUES[c.epilogue()];
        // a shared arena: tasks on tensors confined to one thread all run on it (Execution.forEach)
        try (Arena a = Arena.ofShared(); Execution ex = Execution.withThreads(c.threads())) {
            long[] shape = s.inputShape();
            // positions positionGap channels apart beyond the channels: a view of a channels-last tensor with more channels
            long[] wider = shape.clone();
            wider[1] += c.positionGap();
            // or in a Java array (a heap segment, which the tiles' vector loads then read)
            Tensor x = c.heap() ? heapChannelsLast(dtype, wider) : Tensor.allocateChannelsLast(a, dtype, wider);
            x = x.slice(1, 0, shape[1]);
            x.copyFrom(Fill.uniform(a, dtype, shape, 21));
            Tensor w = Fill.uniform(a, dtype, s.weightShape(), 22);
            Tensor b = s.hasBias() ? Fill.uniform(a, dtype, s.biasShape(), 23) : null;
            // y with the same gaps between positions as x
            long[] out = s.outputShape(), outWider = out.clone();
            outWider[1] += c.positionGap();
            Tensor slab = Tensor.allocateChannelsLast(a, dtype, outWider).slice(1, 0, out[1]);
            Tensor direct = Tensor.allocateChannelsLast(a, dtype, outWider).slice(1, 0, out[1]);
            if (dtype == DType.F32) {
                assertTrue(DepthwiseChannelsLastF32.runs(g, x, slab) && DepthwiseChannelsLastF32.readsDirect(g, x), s.toString());
                DepthwiseChannelsLastF32.forward(g, x, w, null, b, e, slab, ex, DepthwiseChannelsLastF32.Reads.SLAB);
                DepthwiseChannelsLastF32.forward(g, x, w, null, b, e, direct, ex, DepthwiseChannelsLastF32.Reads.DIRECT);
            } else {
                assertTrue(DepthwiseChannelsLastF64.runs(g, x, slab) && DepthwiseChannelsLastF64.readsDirect(g, x), s.toString());
                DepthwiseChannelsLastF64.forward(g, x, w, null, b, e, slab, ex, DepthwiseChannelsLastF64.Reads.SLAB);
                DepthwiseChannelsLastF64.forward(g, x, w, null, b, e, direct, ex, DepthwiseChannelsLastF64.Reads.DIRECT);
            }
            Tolerance.assertIdentical(direct, slab, s + " " + dtype + " " + e + " gap " + c.positionGap() + " heap " + c.heap() + " threads " + c.threads());
        }
    }

    /** A channels-last tensor of {@code shape} (N, C, spatial...) in a Java array. */
    private static Tensor heapChannelsLast(DType dtype, long[] shape) {
        int rank = shape.length;
        long[] stored = new long[rank]; // N, spatial..., C
        int[] order = new int[rank]; // the view's dimension d is stored dimension order[d]
        stored[0] = shape[0];
        for (int d = 2; d < rank; d++) {
            stored[d - 1] = shape[d];
            order[d] = d - 1;
        }
        stored[rank - 1] = shape[1];
        order[1] = rank - 1;
        int n = 1;
        for (long e : shape) n = Math.multiplyExact(n, (int) e);
        Tensor t = dtype == DType.F32 ? Tensor.of(new float[n], stored) : Tensor.of(new double[n], stored);
        return t.permute(order);
    }
}
