package dev.vecnn.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.testing.Gens;
import dev.vecnn.testing.Props;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.quicktheories.impl.Constraint;

class ConvSpecTest {

    static ConvSpec.Builder base() {
        return ConvSpec.builder().inChannels(4).outChannels(6).input(9, 7).kernel(3);
    }

    @Test
    void outputSizesFollowPyTorch() {
        assertArrayEquals(new long[] {1, 64, 112, 112},
                ConvSpec.builder().inChannels(3).outChannels(64).input(224, 224).kernel(7).stride(2).padding(3).build().outputShape());
        assertArrayEquals(new long[] {56, 56},
                ConvSpec.builder().inChannels(64).outChannels(64).input(56, 56).kernel(3).dilation(2).padding(2).build().outputSize());
        // transposed: (in-1)*s - 2p + (k-1)*d + 1 + op
        ConvSpec t = ConvSpec.builder().inChannels(4).outChannels(2).input(5).kernel(3).stride(2).padding(1)
                .outputPadding(1).transposed(true).build();
        assertArrayEquals(new long[] {10}, t.outputSize());
        assertArrayEquals(new long[] {4, 2, 3}, t.weightShape());
        // asymmetric padding
        assertArrayEquals(new long[] {8},
                ConvSpec.builder().inChannels(1).outChannels(1).input(6).kernel(3).padding(new int[] {0}, new int[] {4}).build().outputSize());
    }

    @Test
    void samePaddingPutsTheOddElementAtTheEndAndAllowsStride() {
        ConvSpec even = base().input(5).kernel(4).paddingSame().build();
        assertArrayEquals(new int[] {1}, even.window().padBegin());
        assertArrayEquals(new int[] {2}, even.window().padEnd());
        assertArrayEquals(new long[] {5}, even.outputSize());
        ConvSpec strided = base().input(8).kernel(3).stride(2).paddingSame().build();
        assertArrayEquals(new long[] {4}, strided.outputSize());
        assertArrayEquals(new int[] {0}, strided.window().padBegin());
        assertArrayEquals(new int[] {1}, strided.window().padEnd());
        ConvSpec dilated = base().input(10).kernel(3).dilation(3).paddingSame().build();
        assertArrayEquals(new int[] {3}, dilated.window().padBegin());
        assertArrayEquals(new int[] {3}, dilated.window().padEnd());
        ConvSpec valid = base().input(10).kernel(3).paddingValid().build();
        assertArrayEquals(new long[] {8}, valid.outputSize());
    }

    @Test
    void samePaddingGivesCeilOfInputOverStride() {
        Props.qt(500).forAll(Gens.convSpecs(3)).checkAssert(s -> {
            if (s.isTransposed()) return;
            ConvSpec same = s.toBuilder().paddingSame().paddingMode(PaddingMode.ZEROS).build();
            for (int d = 0; d < s.rank(); d++) {
                assertEquals(Math.ceilDiv(s.inputSize(d), s.window().stride(d)), same.outputSize(d), same.toString());
                int diff = same.window().padEnd(d) - same.window().padBegin(d);
                assertTrue(diff == 0 || diff == 1, same.toString());
            }
        });
    }

    @Test
    void derivedShapesAndCounts() {
        ConvSpec s = ConvSpec.builder().batch(32).inChannels(3).outChannels(2).input(32, 32).kernel(3).padding(1).build();
        assertArrayEquals(new long[] {32, 3, 32, 32}, s.inputShape());
        assertArrayEquals(new long[] {32, 2, 32, 32}, s.outputShape());
        assertArrayEquals(new long[] {2, 3, 3, 3}, s.weightShape());
        assertArrayEquals(new long[] {2}, s.biasShape());
        assertEquals(3 * 9 * 2 + 2, s.parameterCount()); // the lecture's 56
        assertEquals(2.0 * 32 * 2 * 3 * 9 * 32 * 32, s.flops());
        ConvSpec dw = ConvSpec.builder().inChannels(128).outChannels(128).groups(128).input(56, 56).kernel(3).padding(1).build();
        assertTrue(dw.isDepthwise());
        assertEquals(128 * 9 + 128, dw.parameterCount());
    }

    /** An invalid parameter, and the fragment the message must contain (parameter, dimension, value). */
    record Bad(String expected, Supplier<ConvSpec> build) {
    }

    @Test
    void invalidCombinationsAreRejectedNamingParameterDimensionAndValue() {
        Bad[] cases = {
            new Bad("kernel[1] = 0", () -> base().kernel(3, 0).build()),
            new Bad("stride[0] = 0", () -> base().stride(0, 1).build()),
            new Bad("dilation[1] = -1", () -> base().dilation(1, -1).build()),
            new Bad("padBegin[0] = -1", () -> base().padding(new int[] {-1, 0}, new int[] {0, 0}).build()),
            new Bad("padEnd[1] = -2", () -> base().padding(new int[] {0, 0}, new int[] {0, -2}).build()),
            new Bad("input[1] = 0", () -> base().input(9, 0).build()),
            new Bad("batch = -1: must be >= 0", () -> base().batch(-1).build()),
            new Bad("inChannels = 0", () -> base().inChannels(0).build()),
            new Bad("outChannels = -1", () -> base().outChannels(-1).build()),
            new Bad("groups = 0", () -> base().groups(0).build()),
            new Bad("groups = 4: must divide outChannels = 6", () -> base().groups(4).build()),
            new Bad("groups = 3: must divide inChannels = 4", () -> base().groups(3).outChannels(3).build()),
            new Bad("kernel[0] = 5: dilated kernel 9", () -> base().input(8, 7).kernel(5).dilation(2).build()),
            new Bad("padBegin[1] = 7: reflect padding must be smaller than the input size 7",
                    () -> base().padding(7).paddingMode(PaddingMode.REFLECT).build()),
            new Bad("padEnd[0] = 10: circular padding must not exceed the input size 9",
                    () -> base().padding(new int[] {0, 0}, new int[] {10, 0}).paddingMode(PaddingMode.CIRCULAR).build()),
            new Bad("outputPadding[0] = 2: must be smaller than stride (2) or dilation (1)",
                    () -> base().transposed(true).stride(2).outputPadding(2, 0).build()),
            new Bad("outputPadding[1] = 1: only a transposed convolution", () -> base().outputPadding(0, 1).build()),
            new Bad("paddingMode = reflect: a transposed convolution supports only zeros",
                    () -> base().transposed(true).paddingMode(PaddingMode.REFLECT).build()),
            new Bad("padding: 'same' is not defined for a transposed", () -> base().transposed(true).paddingSame().build()),
            new Bad("padBegin[0] = 3: with padEnd 3 leaves output size", () -> base().input(1, 1).transposed(true).padding(3).build()),
            new Bad("stride: 3 values [1, 1, 1] for spatial rank 2", () -> base().stride(1, 1, 1).build()),
            new Bad("kernel: sizes are required", () -> ConvSpec.builder().inChannels(1).outChannels(1).input(3).build()),
            new Bad("input: spatial rank must be >= 1", () -> base().input().build()),
            new Bad("name = 'a b'", () -> base().name("a b").build()),
        };
        for (Bad b : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b.build::get, b.expected);
            assertTrue(e.getMessage().contains(b.expected), "expected '" + b.expected + "' in: " + e.getMessage());
        }
    }

    @Test
    void anyNonPositiveSizeInAnyDimensionIsRejected() {
        Props.qt(300).forAll(Gens.convSpecs(5), in -> (int) in.next(Constraint.between(0, 4)),
                in -> (int) in.next(Constraint.between(-3, 0))).checkAssert((s, which, value) -> {
            int dim = s.rank() - 1;
            String param = new String[] {"kernel", "stride", "dilation", "input", "padBegin"}[which];
            int v = which == 4 ? value - 1 : value;
            ConvSpec.Builder b = s.toBuilder();
            int[] k = s.window().kernel(), st = s.window().stride(), dl = s.window().dilation(), pb = s.window().padBegin();
            long[] in = s.inputSize();
            switch (which) {
                case 0 -> { k[dim] = v; b.kernel(k); }
                case 1 -> { st[dim] = v; b.stride(st); }
                case 2 -> { dl[dim] = v; b.dilation(dl); }
                case 3 -> { in[dim] = v; b.input(in); }
                default -> { pb[dim] = v; b.padding(pb, s.window().padEnd()); }
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build, s.toString());
            assertTrue(e.getMessage().contains(param + "[" + dim + "] = " + v), e.getMessage());
        });
    }
}
