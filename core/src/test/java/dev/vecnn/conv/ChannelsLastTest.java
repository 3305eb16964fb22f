package dev.vecnn.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.kernel.Backend;
import dev.vecnn.parallel.Execution;
import dev.vecnn.ref.ReferenceConv;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import dev.vecnn.testing.Tolerance;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The forward kernels of channels-last tensors: the GEMM's ({@code ChannelsLastGemmF32}, {@code ChannelsLastGemmF64})
 * and the depthwise one ({@code DepthwiseChannelsLastF32}, {@code DepthwiseChannelsLastF64}). Each gives the same bits
 * as its implementation on channels-first tensors, with weights packed per call and prepared, at 1, 2 and 3 threads
 * (tasks cut into rows and channel blocks), also from an x in another layout than y's (channels-first, and a view
 * whose positions lie apart, which the GEMM's slab gathers), and stays within the reference's error bound. The GEMM specs reach each
 * tile (6 x 4, 12 x 2, 24 x 1 vectors, lanes masked past the channels, blocks of half a vector), the depthwise ones whole and partial vectors
 * of channels and the row tiles (eight outputs of a row, three taps wide); both strides, dilation, asymmetric padding,
 * ranks 1 to 3, and tiles running across row ends and past
 * a task's last position. Other vector widths run the channels-first kernels' own tiles here (the GEMM) or all
 * widths run it (depthwise): the assertions hold for them too.
 *
 * <p>Tolerance (reference check): {@code gamma(n) * M} as in {@code ConvImplsTest}.
 */
@Tag("kernels")
class ChannelsLastTest {
    static final List<String> DEPTHWISE = List.of(
            "g144mb1ic144ih13oc144oh13kh3ph1",    // nine vectors of channels
            "g40mb2ic40ih9oc40oh5kh3sh2ph1",      // stride 2, two vectors and a masked part
            "g16mb1ic16ih12oc16oh12kh3ph2dh1",    // dilation 2
            "g24ic24oc24_i17_k5_p2_r1",           // rank 1, asymmetric padding
            "g32ic32oc32_i4x5x6_k3x3x3_p1x1x0",   // rank 3
            "g96mb1ic96ih7oc96oh3kh5sh2_bias0",   // no padding, no bias
            "g16mb1ic16oc16_i1x1_k1x1_s1x4_p0x2_r0x0", // rows that read only padding (found by a new-user check)
            "g256mb1ic256ih6oc256oh3kh3sh2ph1",   // 1 KB of float32 channels: slab positions a cache line apart
            // row tiles (512-bit vectors; three taps wide, stride 1, rows of at least eight): rows of exactly one tile
            // (float32: two whole vectors and a masked one, which takes the per-position tiles); a volume's nine kernel
            // rows, its rows' last tile moved back
            "g40mb2ic40ih8oc40oh8kh3ph1",
            "g32ic32oc32_i3x4x11_k3x3x3_p1x1x1",
            // 18 channels: a masked last vector at every vector width, in both dtypes; 2 and 3 threads cut the vectors,
            // so a task owns only the masked one. Rows of 11 (row tiles, the last one moved back) and of 7 (under a tile)
            "g18mb1ic18oc18_i7x11_k3x3_p1x1",
            "g18mb1ic18oc18_i7x7_k3x3_p1x1",
            // strides of 2, whole vectors at every width: x read where it lies (InteriorSplit), a batch of two
            "g32mb2ic32ih20oc32oh10kh3sh2ph1",
            "g48mb2ic48oc48_i40_k3_s2_p1");

    static final List<String> SPECS = List.of(
            "mb1ic64oc64_i9x14_k3x3_p1x1",        // 6x4 tiles across row ends (rows of 14)
            "mb2ic24ih13oc40oh13kh3ph1",          // 40 channels: two full vectors and a masked one (12x2, 24x1)
            "mb1ic3ih37oc64oh19kh7sh2ph3",        // a stem: 7x7 stride 2, three input channels
            "mb1ic16ih9oc144oh9kh3ph2dh1",        // dilation 2, 144 channels: 4 + 4 + 1 vectors
            "mb1ic32ih8oc24oh8kh1",               // a 1x1 of 24 channels: one vector and a masked half
            "mb3ic8oc48_i21_k5_p2_r1",            // rank 1, asymmetric padding, 48 channels: 2 + 1 vectors
            "mb1ic4oc32_i5x6x7_k3x3x3_p1x0x1",    // rank 3, padding only along some dimensions
            "mb1ic8oc32_i2x9x9_k3x3x3_p1x1x1",    // two rows of a volume: 2 and 3 threads cut the rows' positions too
            "mb1ic17ih11oc16oh6kh3sh2ph1_bias0",  // stride 2, no bias, one vector of channels
            "mb2ic5ih4oc8oh2kh3",                 // fewer channels than one vector, no padding
            "mb1ic8ih30oc64oh15kh1sh2",           // a strided 1x1 shortcut
            // kernel size 1 along some dimensions, strided, padded: the slab holds only the positions read (zeros for
            // outputs on the padding), consecutive for a 1x1
            "mb2ic20oc40_i9x11_k1x1_s2x3_p1x0_r1x2",
            "mb1ic8oc24_i5x7x9_k1x3x1_s2x1x2_p0x1x1",
            "mb2ic12oc40_i31_k1_s3_p1",
            "mb2ic20oc80_i9x11_k1x1",             // pointwise, consecutive tiles: 6x4 and 24x1, 99 positions (tails)
            "mb1ic8oc16_i2x7x9_k1x1x1",           // pointwise, two rows of a volume: 3 threads cut the rows' positions
            "mb3ic12oc40_i50_k1",                 // pointwise rank 1: 12x2 with a masked half, then 24x1
            // channels spanning a multiple of 1 KB (256 float32, 128 float64): slab positions one cache line more apart
            "mb1ic256oc24_i5x7_k3x3_p1x1",        // 3x3, padded slab rows
            "mb2ic128oc40_i3x5_k1x1",             // pointwise, consecutive positions at the padded pitch
            // a long reduction (2304 steps, 0.6 MB of weights per block of four vectors) over 99 positions, 104 channels:
            // 6x4, 12x2 and a last 24x1 past the channels (its tail stored masked)
            "mb1ic256oc104_i9x11_k3x3_p1x1",
            // a last block of four vectors past the channels (60 of 64 at float32): the masked 6x4 tile
            "mb1ic16oc60_i7x9_k3x3_p1x1",
            // rows or tasks that read only padding: no input to copy, whose offset lay outside x's memory (found by a
            // new-user check: an IndexOutOfBoundsException from the slab's bulk copy of zero elements)
            "mb1ic16oc16_i1x1_k1x1_s1x4_p0x2_r0x0",
            "mb1ic16oc16_i1_k1_p2_r0",
            "mb1ic16oc16_i4_k1_s3_r3",
            "mb1ic2oc2_iw1_kw1_pw3",
            // blocks of exactly half a vector of channels (8 float32, 4 float64), masked: alone, after a block of four
            // vectors, in a volume
            "mb2ic5ih9oc8oh9kh3ph1",
            "mb1ic12ih9oc72oh9kh3ph1",
            "mb2ic8oc8_i5x6x7_k3x3x3_p1x1x1",
            "mb2ic6oc4_i7x9_k3x3_p1x1",
            "mb1ic16oc36_i6x7_k1x1");

    /** The GEMM, or the portable kernels where the Vector API is not in the JVM (this test's other backend run). */
    static ConvImpl gemm() {
        return Conv.implementation(Backend.isVector() ? "gemm" : "portable");
    }

    @Test
    void channelsLastGivesTheChannelsFirstBitsAndIsCloseToTheReference() {
        check(gemm(), SPECS);
    }

    @Test
    void depthwiseChannelsLastGivesTheChannelsFirstBitsAndIsCloseToTheReference() {
        check(Backend.isVector() ? Conv.implementation("depthwise") : gemm(), DEPTHWISE);
    }

    private static void check(ConvImpl gemm, List<String> specs) {
        Execution[] ex = {Execution.withThreads(1), Execution.withThreads(2), Execution.withThreads(3)};
        try {
            for (String text : specs) {
                ConvSpec s = ConvSpec.parse(text);
                for (DType t : new DType[] {DType.F32, DType.F64}) {
                    try (Arena a = Arena.ofShared()) {
                        Tensor x = Fill.uniform(a, t, s.inputShape(), 11), w = Fill.uniform(a, t, s.weightShape(), 12);
                        Tensor b = s.hasBias() ? Fill.uniform(a, t, s.biasShape(), 13) : null;
                        Tensor xl = Fill.channelsLast(a, x);
                        // x channels-first with its positions out of order (a transposed view: along the last dimension
                        // they lie a row apart), gathered into the slab element by element
                        int rank = x.rank();
                        int[] swap = new int[rank];
                        for (int d = 0; d < rank; d++) swap[d] = d;
                        swap[rank - 1] = 1;
                        swap[1] = rank - 1;
                        Tensor xt = Tensor.allocate(a, t, x.permute(swap).shape()).permute(swap);
                        xt.copyFrom(x);
                        PreparedWeights prepared = gemm.prepare(s, w);
                        // the same weights through strides (a reversed-dimension view): the kernels' strided reads
                        long[] ws = s.weightShape(), reversed = new long[ws.length];
                        int[] flip = new int[ws.length];
                        for (int d = 0; d < ws.length; d++) {
                            reversed[d] = ws[ws.length - 1 - d];
                            flip[d] = ws.length - 1 - d;
                        }
                        Tensor wv = Tensor.allocate(a, t, reversed).permute(flip);
                        wv.copyFrom(w);
                        Tensor pre = Tensor.allocate(a, DType.F64, s.outputShape()), mag = Tensor.allocate(a, DType.F64, s.outputShape());
                        ReferenceConv.forward(s, x.to(a, DType.F64), w.to(a, DType.F64), b == null ? null : b.to(a, DType.F64), pre);
                        ReferenceConv.forward(s, Fill.abs(a, x), Fill.abs(a, w), b == null ? null : Fill.abs(a, b), mag);
                        for (Epilogue e : new Epilogue[] {Epilogue.NONE, Epilogue.clip(-0.25, 0.5), new Epilogue(Activation.TANH, 0, 0)}) {
                            Tensor first = Tensor.allocate(a, t, s.outputShape());
                            gemm.forward(s, x, w, b, first, e, ex[0]);
                            Tolerance.assertActivatedClose(first, pre, mag, Tolerance.factor(Tolerance.convTerms(s, ConvPass.FORWARD), t), e,
                                    "reference " + text + " " + t + " " + e);
                            for (Execution threads : ex) {
                                Tensor y = Tensor.allocateChannelsLast(a, t, s.outputShape());
                                gemm.forward(s, xl, w, b, y, e, threads);
                                Tolerance.assertIdentical(y, first, "per-call " + text + " " + t + " " + e + " threads " + threads.threads());
                                Tensor yp = Tensor.allocateChannelsLast(a, t, s.outputShape());
                                gemm.forward(s, xl, prepared, b, yp, e, threads);
                                Tolerance.assertIdentical(yp, first, "prepared " + text + " " + t + " " + e + " threads " + threads.threads());
                                Tensor ys = Tensor.allocateChannelsLast(a, t, s.outputShape());
                                gemm.forward(s, xl, wv, b, ys, e, threads);
                                Tolerance.assertIdentical(ys, first, "strided weights " + text + " " + t + " " + e + " threads " + threads.threads());
                                // x in another layout than y (a channels-first model input): the channels-last GEMM gathers it
                                for (Tensor other : new Tensor[] {x, xt}) {
                                    Tensor yx = Tensor.allocateChannelsLast(a, t, s.outputShape());
                                    gemm.forward(s, other, prepared, b, yx, e, threads);
                                    Tolerance.assertIdentical(yx, first, "x " + other.describe() + " " + text + " " + t + " " + e + " threads " + threads.threads());
                                }
                            }
                        }
                    }
                }
            }
        } finally {
            for (Execution e : ex) e.close();
        }
    }

    /**
     * {@link Conv#readsAsItLies}: true where the channels-last GEMM runs the forward into a channels-last y (a stem, a 1x1),
     * whatever x's layout; false for a channels-first y, for specs other kernels take (depthwise, direct), for
     * transposed convolutions, narrower vectors or the portable backend, and for null or mismatched arguments.
     */
    @Test
    void readsAsItLiesWhereTheGemmGathers() {
        boolean gathers = Backend.isVector() && dev.vecnn.kernel.conv.gemm.ChannelsLastGemmF32.AVAILABLE;
        var cl = dev.vecnn.tensor.MemoryFormat.CHANNELS_LAST;
        try (Arena a = Arena.ofConfined()) {
            for (String text : new String[] {"mb1ic3ih32oc32oh16kh3sh2ph1", "mb2ic3ih30oc64oh15kh7sh2ph3", "mb1ic16ih8oc24oh8kh1"}) {
                ConvSpec s = ConvSpec.parse(text);
                for (DType t : new DType[] {DType.F32, DType.F64}) {
                    Tensor first = Tensor.allocate(a, t, s.inputShape()), last = Tensor.allocateChannelsLast(a, t, s.inputShape());
                    assertEquals(gathers, Conv.readsAsItLies(s, first, cl), text + " " + t);
                    assertEquals(gathers, Conv.readsAsItLies(s, last, cl), text + " " + t);
                    assertEquals(false, Conv.readsAsItLies(s, first, dev.vecnn.tensor.MemoryFormat.CHANNELS_FIRST), text);
                }
            }
            ConvSpec stem = ConvSpec.parse("mb1ic3ih32oc32oh16kh3sh2ph1");
            Tensor x = Tensor.allocate(a, DType.F32, stem.inputShape());
            for (String other : new String[] {"g32mb1ic32ih16oc32oh16kh3ph1", "mb1ic1ih32oc8oh32kh3ph1", "mb1ic3ih32oc32oh63kh3sh2ph1_t"}) {
                ConvSpec s = ConvSpec.parse(other.replace("_t", ""));
                if (other.endsWith("_t")) s = ConvSpec.parse("mb1ic3ih32oc32oh16kh3sh2ph1").toBuilder().transposed(true).build();
                assertEquals(false, Conv.readsAsItLies(s, Tensor.allocate(a, DType.F32, s.inputShape()), cl), other);
            }
            assertEquals(false, Conv.readsAsItLies(null, x, cl));
            assertEquals(false, Conv.readsAsItLies(stem, null, cl));
            assertEquals(false, Conv.readsAsItLies(stem, x, null));
            assertEquals(false, Conv.readsAsItLies(stem, Tensor.allocate(a, DType.F32, 1, 3, 32), cl), "x of another rank");
        }
    }

    /** A channels-last view whose positions are not one run (every other column of a wider tensor): per-position copies. */
    @Test
    void aChannelsLastViewWithGapsBetweenPositions() {
        ConvSpec s = ConvSpec.parse("mb2ic16ih10oc32oh10kh3ph1");
        try (Arena a = Arena.ofShared(); Execution two = Execution.withThreads(2)) {
            long[] wide = s.inputShape().clone();
            wide[3] *= 2;
            Tensor big = Fill.channelsLast(a, Fill.uniform(a, DType.F32, wide, 21));
            Tensor view = big.slice(3, 0, wide[3], 2);
            assertTrue(view.stride(1) == 1 && view.stride(3) == 2 * s.inputShape()[1], "a channels-last view with gaps");
            Tensor w = Fill.uniform(a, DType.F32, s.weightShape(), 22), b = Fill.uniform(a, DType.F32, s.biasShape(), 23);
            Tensor first = Tensor.allocate(a, DType.F32, s.outputShape()), y = Tensor.allocateChannelsLast(a, DType.F32, s.outputShape());
            ConvImpl gemm = gemm();
            gemm.forward(s, view.contiguous(a), w, b, first, Epilogue.NONE, two);
            gemm.forward(s, view, w, b, y, Epilogue.NONE, two);
            Tolerance.assertIdentical(y, first, "view " + s);
        }
    }

    /** A pointwise convolution into a channels-last output view with gaps: the offset tables, not consecutive tiles. */
    @Test
    void aPointwiseOutputViewWithGapsBetweenPositions() {
        ConvSpec s = ConvSpec.parse("mb2ic16oc40_i6x9_k1x1");
        try (Arena a = Arena.ofShared(); Execution two = Execution.withThreads(2)) {
            long[] wide = s.outputShape().clone();
            wide[3] *= 2;
            Tensor big = Tensor.allocateChannelsLast(a, DType.F32, wide);
            big.fill(7);
            Tensor view = big.slice(3, 1, wide[3], 2);
            Tensor x = Fill.channelsLast(a, Fill.uniform(a, DType.F32, s.inputShape(), 31));
            Tensor w = Fill.uniform(a, DType.F32, s.weightShape(), 32), b = Fill.uniform(a, DType.F32, s.biasShape(), 33);
            Tensor first = Tensor.allocate(a, DType.F32, s.outputShape());
            ConvImpl gemm = gemm();
            gemm.forward(s, x.contiguous(a), w, b, first, Epilogue.NONE, two);
            gemm.forward(s, x, w, b, view, Epilogue.NONE, two);
            Tolerance.assertIdentical(view.contiguous(a), first, "output view " + s);
            Tensor gaps = big.slice(3, 0, wide[3], 2).contiguous(a);
            for (long i = 0; i < gaps.numel(); i++) assertEquals(7.0, gaps.getAt(i), "a gap between output positions was written");
        }
    }
}
