package dev.vecnn.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.testing.Fill;
import dev.vecnn.testing.Tolerance;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Weights packed once give the same bits as the per-call path, and follow the tensor only on update(). */
class PreparedWeightsTest {
    @Test
    void preparedForwardEqualsTheUnpreparedOneBitForBit() {
        List<String> specs = List.of("mb2ic3ih9oc20oh9kh3ph1", "mb1ic300iw17oc13ow9kw3sw2", "g2mb1ic4_i5x6x4_oc6_k3x2x3_p1x0x1_reflect",
                "mb3ic1ih7oc5oh7kh3ph1_transposed", "g4mb2ic4ih8oc8oh8kh3ph1",
                // 1x1: a 7x7 plane (weights packed in blocks of six rows at 512 bits) and a 14x14 one (blocks of eight)
                "mb2ic40oc70_i7x7_k1x1", "mb1ic24oc40_i14x14_k1x1",
                // depthwise, multiplier 1: its channels-last kernel reads the weights packed by tap (24 channels: a
                // partial last vector at 512 bits)
                "g24mb2ic24ih9oc24oh9kh3ph1", "g32mb1ic32ih12oc32oh6kh3sh2ph1");
        try (Arena a = Arena.ofShared(); Execution ex = Execution.withThreads(2)) {
            for (String text : specs) {
                ConvSpec s = ConvSpec.parse(text);
                for (int cell = 0; cell < 4; cell++) {
                    DType t = cell % 2 == 0 ? DType.F32 : DType.F64;
                    boolean last = cell >= 2; // channels-last x and y: the kernels of that layout
                    Tensor x = Fill.uniform(a, t, s.inputShape(), 1), w = Fill.uniform(a, t, s.weightShape(), 2);
                    if (last) x = Fill.channelsLast(a, x);
                    Tensor b = s.hasBias() ? Fill.uniform(a, t, s.biasShape(), 3) : null;
                    Tensor y1 = last ? Tensor.allocateChannelsLast(a, t, s.outputShape()) : Tensor.allocate(a, t, s.outputShape());
                    Tensor y2 = last ? Tensor.allocateChannelsLast(a, t, s.outputShape()) : Tensor.allocate(a, t, s.outputShape());
                    PreparedWeights p = Conv.prepare(s, w);
                    Conv.forward(s, x, w, b, y1, Epilogue.relu(), ex);
                    Conv.forward(s, x, p, b, y2, Epilogue.relu(), ex);
                    Tolerance.assertIdentical(y2, y1, "prepared " + text + " " + t + (last ? " channels-last" : ""));
                    // the packed copy does not follow the tensor until update()
                    Tensor w2 = Fill.uniform(a, t, s.weightShape(), 4);
                    w.copyFrom(w2);
                    Conv.forward(s, x, w, b, y1, Epilogue.relu(), ex);
                    Conv.forward(s, x, p.update(), b, y2, Epilogue.relu(), ex);
                    Tolerance.assertIdentical(y2, y1, "updated " + text + " " + t + (last ? " channels-last" : ""));
                }
            }
        }
    }

    @Test
    void anotherBatchSizeSharesThePackedCopyWithTheSameBits() {
        ConvSpec s = ConvSpec.parse("mb2ic24ih9oc40oh9kh3ph1");
        try (Arena a = Arena.ofShared(); Execution ex = Execution.withThreads(2)) {
            Tensor w = Fill.uniform(a, DType.F32, s.weightShape(), 2), b = Fill.uniform(a, DType.F32, s.biasShape(), 3);
            PreparedWeights p = Conv.prepare(s, w);
            for (long n : new long[] {1, 2, 5}) {
                ConvSpec sn = s.toBuilder().batch(n).build();
                PreparedWeights q = p.sharedWith(sn);
                assertSame(Conv.choose(ConvPass.FORWARD, sn), q.implementation());
                assertSame(p.packed(), q.packed()); // one copy
                Tensor x = Fill.uniform(a, DType.F32, sn.inputShape(), n);
                Tensor y1 = Tensor.allocate(a, DType.F32, sn.outputShape()), y2 = Tensor.allocate(a, DType.F32, sn.outputShape());
                Conv.forward(sn, x, w, b, y1, Epilogue.relu(), ex);
                Conv.forward(sn, x, q, b, y2, Epilogue.relu(), ex);
                Tolerance.assertIdentical(y2, y1, "shared with batch " + n);
            }
            // anything but the batch differs: no sharing
            assertNull(p.sharedWith(ConvSpec.parse("mb2ic24ih9oc40oh9kh3ph2")));
            assertNull(p.sharedWith(ConvSpec.parse("mb2ic24ih11oc40oh11kh3ph1")));
        }
    }

    @Test
    void depthwiseSpecsPastTheChannelsLastKernelsBoundsArePrepared() {
        // found by a bug hunt: 4096 channels by 2^19 taps made the size of the channels-last kernel's by-tap table a
        // negative int (2^20 taps: zero), though that kernel never runs such a spec; the weights are a view with zero
        // strides, so nothing large is allocated
        for (String text : List.of("g4096mb1ic4096iw524288oc4096kw524288", "g4096mb1ic4096iw1048576oc4096kw1048576")) {
            ConvSpec s = ConvSpec.parse(text);
            for (DType t : new DType[] {DType.F32, DType.F64}) {
                Tensor w = Tensor.wrap(java.lang.foreign.MemorySegment.ofArray(new double[4]), t, s.weightShape(), new long[3], 0);
                PreparedWeights p = Conv.prepare(s, w);
                assertSame(w, p.tensor(), text + " " + t);
                assertEquals(s, p.spec(), text + " " + t);
            }
        }
    }

    @Test
    void weightsPreparedForAnotherSpecAreRejected() {
        ConvSpec s = ConvSpec.parse("mb1ic2ih5oc3oh5kh3ph1"), other = ConvSpec.parse("mb2ic2ih5oc3oh5kh3ph1");
        try (Arena a = Arena.ofShared()) {
            Tensor w = Tensor.allocate(a, DType.F32, s.weightShape());
            PreparedWeights p = Conv.prepare(s, w);
            Tensor x = Tensor.allocate(a, DType.F32, other.inputShape()), y = Tensor.allocate(a, DType.F32, other.outputShape());
            Tensor b = Tensor.allocate(a, DType.F32, other.biasShape());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Conv.forward(other, x, p, b, y, Epilogue.NONE, Execution.defaults()));
            assertTrue(e.getMessage().startsWith("w: prepared for"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Conv.prepare(s, Tensor.allocate(a, DType.F32, other.inputShape())));
        }
    }
}
