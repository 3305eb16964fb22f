package dev.vecnn.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.kernel.Backend;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.MemoryFormat;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import dev.vecnn.testing.Tolerance;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The forward pass with a residual, {@code y = activation(conv(x, w) + bias + residual)}: the bits of the forward pass
 * without activation, then the addition and the activation one element at a time ({@link Epilogue#apply}), for the
 * dispatched kernels and the GEMM by name, both layouts and dtypes, y a plain tensor or a view of flat memory; and its
 * argument checks.
 */
@Tag("kernels")
class ResidualForwardTest {
    /**
     * Output channels 16, 24, 40, 64, 80 and 104 take every channels-last GEMM tile whole and masked at 512 bits, the last
     * vector of channels partial in the addition (the test runs the GEMM by name as well as the dispatched implementation:
     * pointwise, blocked, depthwise).
     */
    static final List<String> SPECS = List.of(
            "mb1ic32oc16_i9x11_k1x1",             // GEMM: 24x1, consecutive positions; dispatched: pointwise
            "mb2ic16ih9oc24oh9kh3ph1",            // 12x2 with a masked half
            "mb1ic8ih30oc40oh15kh1sh2",           // a strided 1x1 shortcut: 12x2 then a masked 24x1
            "mb1ic16oc64_i7x9_k3x3_p1x1",         // GEMM: 6x4; dispatched: blocked
            "mb1ic24oc80_i6x7_k1x1",              // 6x4 then 24x1
            "mb1ic40oc104_i5x5_k3x3_p1x1_bias0",  // 6x4, 12x2, a masked 24x1; no bias
            "mb1ic6oc60_i4x4x5_k3x3x3_p1x1x1",    // rank 3, a masked 6x4
            "g4mb1ic16oc16_i6x6_k3x3_p1x1",       // grouped
            "g32mb1ic32oc32_i6x6_k3x3_p1x1");     // depthwise

    @Test
    void givesTheBitsOfTheSeparateAdditionAndActivation() {
        Epilogue[] epilogues = {Epilogue.NONE, Epilogue.relu(), Epilogue.clip(-0.25, 0.5), Epilogue.sigmoid()};
        try (Execution one = Execution.withThreads(1); Execution three = Execution.withThreads(3)) {
            for (String text : SPECS) {
                ConvSpec s = ConvSpec.parse(text);
                for (DType t : new DType[] {DType.F32, DType.F64}) {
                    for (boolean last : new boolean[] {true, false}) {
                        try (Arena a = Arena.ofShared()) {
                            Tensor x0 = Fill.uniform(a, t, s.inputShape(), 21), w = Fill.uniform(a, t, s.weightShape(), 22);
                            Tensor b = s.hasBias() ? Fill.uniform(a, t, s.biasShape(), 23) : null;
                            Tensor r0 = Fill.uniform(a, t, s.outputShape(), 24);
                            Tensor x = last ? Fill.channelsLast(a, x0) : x0, r = last ? Fill.channelsLast(a, r0) : r0;
                            for (ConvImpl impl : List.of(Conv.choose(ConvPass.FORWARD, s), Conv.implementation(Backend.isVector() ? "gemm" : "portable"))) {
                                PreparedWeights p = impl.prepare(s, w);
                                Tensor plain = output(a, t, s, last);
                                impl.forward(s, x, p, b, plain, Epilogue.NONE, one);
                                for (Epilogue e : epilogues) {
                                    Tensor want = output(a, t, s, last);
                                    Fill.forEach(want, i -> want.set(t == DType.F32 ? e.apply((float) plain.get(i) + (float) r.get(i))
                                            : e.apply(plain.get(i) + r.get(i)), i));
                                    for (Execution ex : new Execution[] {one, three}) {
                                        String where = impl + " " + text + " " + t + (last ? " channels-last " : " ") + e + " threads " + ex.threads();
                                        Tensor y = output(a, t, s, last);
                                        impl.forward(s, x, p, b, r, y, e, ex);
                                        Tolerance.assertIdentical(y, want, where);
                                        // y as a planned model's output lies: a view of flat memory, whose size-1 dimensions
                                        // (batch 1) have stride 1 where r's have the usual ones (found by a review)
                                        MemoryFormat f = last ? MemoryFormat.CHANNELS_LAST : MemoryFormat.CHANNELS_FIRST;
                                        Tensor yv = f.view(Tensor.allocate(a, t, Tensor.numel(s.outputShape())), s.outputShape());
                                        impl.forward(s, x, p, b, r, yv, e, ex);
                                        Tolerance.assertIdentical(yv, want, where + " y a view");
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void rejectsAResidualOfAnotherShapeDtypeLayoutOrOverlappingY() {
        ConvSpec s = ConvSpec.parse("mb1ic8oc16_i4x4_k1x1");
        try (Arena a = Arena.ofShared(); Execution ex = Execution.withThreads(1)) {
            Tensor x = Tensor.allocateChannelsLast(a, DType.F32, s.inputShape()), y = Tensor.allocateChannelsLast(a, DType.F32, s.outputShape());
            Tensor b = Tensor.allocate(a, DType.F32, s.biasShape());
            PreparedWeights p = Conv.prepare(s, Tensor.allocate(a, DType.F32, s.weightShape()));
            List<Tensor> bad = List.of(Tensor.allocateChannelsLast(a, DType.F32, 1, 16, 4, 5), Tensor.allocateChannelsLast(a, DType.F64, s.outputShape()),
                    Tensor.allocate(a, DType.F32, s.outputShape()), y);
            List<String> says = List.of("shape", "dtype", "strides", "overlaps y");
            for (int i = 0; i < bad.size(); i++) {
                Tensor r = bad.get(i);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Conv.forward(s, x, p, b, r, y, Epilogue.NONE, ex));
                assertTrue(e.getMessage().startsWith("residual: ") && e.getMessage().contains(says.get(i)), e.getMessage());
            }
            IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> Conv.forward(s, x, p, b, null, y, Epilogue.NONE, ex));
            assertEquals("residual: is null", none.getMessage());
            // memory that cannot be read: a closed arena (found by a new-user check: it named b, after y was written)
            Arena closed = Arena.ofConfined();
            Tensor gone = Tensor.allocateChannelsLast(closed, DType.F32, s.outputShape());
            closed.close();
            IllegalArgumentException dead = assertThrows(IllegalArgumentException.class, () -> Conv.forward(s, x, p, b, gone, y, Epilogue.NONE, ex));
            assertTrue(dead.getMessage().startsWith("residual: "), dead.getMessage());
            assertEquals(0.0, y.get(0, 0, 0, 0)); // nothing was written
        }
    }

    private static Tensor output(Arena a, DType t, ConvSpec s, boolean last) {
        return last ? Tensor.allocateChannelsLast(a, t, s.outputShape()) : Tensor.allocate(a, t, s.outputShape());
    }
}
