package dev.vecnn.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.testing.Gens;
import dev.vecnn.testing.Props;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpecTextTest {

    @Test
    void convTextRoundTrips() {
        Props.qt(2000).forAll(Gens.convSpecs(5)).checkAssert(s -> {
            ConvSpec back = ConvSpec.parse(s.toString());
            assertEquals(s, back, s.toString());
            assertEquals(s.toString(), back.toString());
        });
    }

    @Test
    void poolTextRoundTrips() {
        Props.qt(2000).forAll(Gens.poolSpecs(5)).checkAssert(s -> {
            PoolSpec back = PoolSpec.parse(s.toString());
            assertEquals(s, back, s.toString());
            assertEquals(s.toString(), back.toString());
        });
    }

    @Test
    void readsBenchdnnResnetDescriptor() {
        ConvSpec s = ConvSpec.parse("mb1ic64ih56oc64oh56kh3ph1");
        assertEquals(2, s.rank());
        assertEquals(1, s.batch());
        assertArrayEquals(new long[] {56, 56}, s.inputSize());
        assertArrayEquals(new long[] {56, 56}, s.outputSize());
        assertArrayEquals(new int[] {3, 3}, s.window().kernel());
        assertArrayEquals(new int[] {1, 1}, s.window().padBegin());
        assertArrayEquals(new int[] {1, 1}, s.window().padEnd());
        assertEquals("mb1ic64ih56iw56oc64oh56ow56kh3kw3ph1pw1", s.toString());
    }

    @Test
    void readsBenchdnnDepthwiseDescriptorWithQuotedName() {
        ConvSpec s = ConvSpec.parse("g32mb1ic32ih112oc32oh112kh3ph1n\"dw\"");
        assertEquals(32, s.groups());
        assertTrue(s.isDepthwise());
        assertEquals("dw", s.name());
        assertArrayEquals(new long[] {32, 1, 3, 3}, s.weightShape());
    }

    @Test
    void appliesBenchdnnDefaultsAndInference() {
        // mb defaults to 2; '_' is ignored; the name runs to the end
        ConvSpec alex = ConvSpec.parse("ic3ih227iw227_oc96oh55ow55_kh11kw11_sh4sw4ph0pw0_n\"alexnet:conv1\"");
        assertEquals(2, alex.batch());
        assertEquals("alexnet:conv1", alex.name());
        assertArrayEquals(new int[] {4, 4}, alex.window().stride());
        // without o, the output follows from p; the end padding is what o implies (benchdnn's pad_r)
        ConvSpec strided = ConvSpec.parse("mb1ic64ih56oc128kh3sh2ph1");
        assertArrayEquals(new long[] {28, 28}, strided.outputSize());
        assertArrayEquals(new int[] {0, 0}, strided.window().padEnd());
        // benchdnn's negative end padding (last rows unread) becomes 0 with the same output
        ConvSpec unread = ConvSpec.parse("mb1ic256ih56oc512oh28kh1sh2");
        assertArrayEquals(new int[] {0, 0}, unread.window().padEnd());
        assertArrayEquals(new long[] {28, 28}, unread.outputSize());
        assertEquals(unread, ConvSpec.parse(unread.toString()));
        // the same without o (it failed to parse: "end padding inferred from the output size is negative"), and pooling
        ConvSpec unreadNoOut = ConvSpec.parse("mb1ic256ih56oc512kh1sh2");
        assertEquals(unread, unreadNoOut);
        ConvSpec odd = ConvSpec.parse("mb1ic16ih14oc32kh1sh2");
        assertArrayEquals(new long[] {7, 7}, odd.outputSize());
        assertArrayEquals(new int[] {0, 0}, odd.window().padEnd());
        PoolSpec oddPool = PoolSpec.parse("maxpool_mb1ic4ih14kh1sh2");
        assertArrayEquals(new long[] {7, 7}, oddPool.outputSize());
        // with o and without p, p is inferred symmetric
        ConvSpec inferred = ConvSpec.parse("mb1ic8ih10oc8oh10kh5");
        assertArrayEquals(new int[] {2, 2}, inferred.window().padBegin());
        // dilation counts gaps: dh1 is PyTorch dilation 2
        ConvSpec dilated = ConvSpec.parse("mb1ic64ih56oc64oh56kh3ph2dh1");
        assertArrayEquals(new int[] {2, 2}, dilated.window().dilation());
        assertArrayEquals(new long[] {56, 56}, dilated.outputSize());
        // rank 1 uses w only; rank 3 is cubic when h, w are missing
        assertEquals(1, ConvSpec.parse("mb8ic64iw4096oc64ow4096kw9pw4").rank());
        ConvSpec cubic = ConvSpec.parse("mb1ic16id32oc16od32kd3pd1");
        assertArrayEquals(new long[] {32, 32, 32}, cubic.inputSize());
        assertArrayEquals(new int[] {3, 3, 3}, cubic.window().kernel());
    }

    @Test
    void extendsTheSyntaxToAnyRank() {
        ConvSpec s = ConvSpec.parse("mb2ic3oc4_i5x6x7x8_k3x1x3x1_s2x1x1x1_p1x0x1x0_d1x0x0x0_reflect_bias0");
        assertEquals(4, s.rank());
        assertArrayEquals(new int[] {2, 1, 1, 1}, s.window().dilation());
        assertEquals(PaddingMode.REFLECT, s.paddingMode());
        assertFalse(s.hasBias());
        assertEquals(s, ConvSpec.parse(s.toString()));
    }

    @Test
    void writesExplicitEndPaddingOnlyWhenTheOutputDoesNotImplyIt() {
        ConvSpec pytorchStyle = ConvSpec.builder().inChannels(64).outChannels(64).input(56, 56).kernel(3).stride(2)
                .padding(1).build();
        assertEquals("mb1ic64ih56iw56oc64oh28ow28kh3kw3sh2sw2ph1pw1_r1x1", pytorchStyle.toString());
        ConvSpec t = ConvSpec.builder().inChannels(4).outChannels(2).input(5).kernel(3).stride(2).padding(1)
                .outputPadding(1).transposed(true).build();
        assertEquals("mb1ic4iw5oc2ow10kw3sw2pw1_op1_transposed", t.toString());
    }

    @Test
    void readsPoolingDescriptors() {
        PoolSpec max = PoolSpec.parse("maxpool_mb1ic64ih112oh56kh3sh2ph1");
        assertEquals(PoolKind.MAX, max.kind());
        assertArrayEquals(new long[] {56, 56}, max.outputSize());
        PoolSpec gap = PoolSpec.parse("globalavgpool_mb8ic512ih7");
        assertArrayEquals(new long[] {8, 512, 1, 1}, gap.outputShape());
        PoolSpec ad = PoolSpec.parse("adaptiveavgpool_mb1ic64_i7x7_o2x3");
        assertArrayEquals(new long[] {2, 3}, ad.outputSize());
        PoolSpec ceil = PoolSpec.builder(PoolKind.AVG).channels(2).input(6).kernel(3).stride(2).padding(1)
                .ceilMode(true).countIncludePad(false).build();
        assertEquals(ceil, PoolSpec.parse(ceil.toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "mb1ic3oc4", "mb1ic3ih5oc4", "mb1ic3ih5oc4kh3kh3", "mb1ic3ih5oc4kh3_i5",
        "mb1ic3ih5oc4kh3_wobble", "mb1ic3ih5oc4kh3_op1", "mb1ic3ih5oc4kh3#", "maxpool_mb1ic3ih5kh2",
        "mb1ic3ih5oc4kh3_i5x5", "mb1ic3_i5x5oc4_k3x3x3", "mb1ic3ih5oc4kh3sh0", "mb1ic3ih5oc4oh2kh3ph0",
        "mb1ic3ih5oc4kh3_bias2", "mb1ic3ih0oc4kh3"
    })
    void rejectsMalformedConvText(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConvSpec.parse(text));
        assertFalse(e.getMessage().isBlank());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "mb1ic3ih5kh2", "maxpool_avgpool_mb1ic3ih5kh2", "maxpool_mb1ic3ih5", "globalmaxpool_mb1ic3ih5kh2",
        "adaptivemaxpool_mb1ic3ih5", "maxpool_mb1ic3ih5kh2_excludepad", "adaptiveavgpool_mb1ic3ih5oh2_ceil"
    })
    void rejectsMalformedPoolText(String text) {
        assertThrows(IllegalArgumentException.class, () -> PoolSpec.parse(text));
    }

    @Test
    void errorsQuoteTheText() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConvSpec.parse("mb1ic3ih5oc4kh3sh0"));
        assertTrue(e.getMessage().contains("stride[0] = 0"), e.getMessage());
        assertTrue(e.getMessage().contains("mb1ic3ih5oc4kh3sh0"), e.getMessage());
    }
}
