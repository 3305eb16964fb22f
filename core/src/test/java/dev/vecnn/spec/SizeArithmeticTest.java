package dev.vecnn.spec;

import static dev.vecnn.testing.Props.draw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.conv.Conv;
import dev.vecnn.conv.ConvImpl;
import dev.vecnn.conv.ConvPass;
import dev.vecnn.pool.Pool;
import dev.vecnn.testing.Props;
import java.math.BigInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.impl.Constraint;

/**
 * Size arithmetic never wraps: specs compute every size exactly, reject problems no memory could
 * hold at {@code build()} naming the tensor or parameter, and the implementations' {@code supports}
 * answer false (never throw) for valid specs too large for them.
 */
class SizeArithmeticTest {

    static final long BIG = 1L << 59; // an input size whose f64 tensor (2^62 bytes) still fits a long

    static IllegalArgumentException rejected(Supplier<?> build, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get, fragment);
        assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
        return e;
    }

    @Test
    void transposedConvolutionOfAnInputOfLongMaxIsRejectedNotWrapped() {
        // regression: built with the output size (Long.MAX_VALUE - 1) * 3 + 3 wrapped around
        rejected(() -> ConvSpec.builder().inChannels(1).outChannels(1).input(Long.MAX_VALUE).kernel(3).stride(3).transposed(true).build(),
                "the input tensor of shape [1, 1, 9223372036854775807]");
        // an input that fits, whose transposed output does not: named, with the stride
        rejected(() -> ConvSpec.builder().inChannels(1).outChannels(1).input(1L << 40).kernel(3).stride(1 << 30).transposed(true).build(),
                "input[0] = 1099511627776: the transposed output size");
        // the output fits a long but not memory
        rejected(() -> ConvSpec.builder().inChannels(1).outChannels(1).input(BIG).kernel(3).stride(3).transposed(true).build(),
                "the output tensor of shape [1, 1, 1729382256910270464]");
    }

    @Test
    void hugeValidSizesAreComputedExactlyNotMisreportedAsNegativePaddedInputs() {
        // regression: "padded input -9223372036854775806" from in + padding wrapping
        rejected(() -> ConvSpec.builder().inChannels(1).outChannels(1).input(Long.MAX_VALUE - 1).kernel(3).padding(2).build(),
                "the input tensor of shape [1, 1, 9223372036854775806]");
        ConvSpec conv = ConvSpec.builder().inChannels(1).outChannels(1).input(BIG).kernel(3).padding(2).stride(2).build();
        assertEquals((BIG + 4 - 3) / 2 + 1, conv.outputSize(0));
        PoolSpec pool = PoolSpec.builder(PoolKind.MAX).channels(1).input(BIG - 1).kernel(3).stride(2).padding(1).ceilMode(true).build();
        assertEquals(Math.ceilDiv(BIG - 1 + 2 - 3, 2) + 1, pool.outputSize(0));
        // the window's arithmetic is exact beyond what a spec admits
        Window w = new Window(new int[] {3}, new int[] {2}, new int[] {1}, new int[] {2}, new int[] {2});
        assertEquals(Long.MAX_VALUE / 2 + 1, w.outputSize(0, Long.MAX_VALUE - 1, false)); // padded Long.MAX_VALUE + 3
        assertEquals(1L << 62, w.outputSize(0, Long.MAX_VALUE - 1, true));
        Window unit = new Window(new int[] {1}, new int[] {1}, new int[] {1}, new int[] {2}, new int[] {2});
        assertThrows(ArithmeticException.class, () -> unit.outputSize(0, Long.MAX_VALUE, false)); // the result itself overflows
    }

    @Test
    void windowOutputSizeIsPyTorchsFormulaExactlyForAnySizes() {
        Gen<long[]> gen = in -> new long[] {
            in.next(Constraint.between(0, Long.MAX_VALUE)), draw(in, 1, Integer.MAX_VALUE), draw(in, 1, Integer.MAX_VALUE),
            draw(in, 1, Integer.MAX_VALUE), draw(in, 0, Integer.MAX_VALUE), draw(in, 0, Integer.MAX_VALUE), draw(in, 0, 1)};
        Props.qt(2000).forAll(gen).checkAssert(v -> {
            int k = (int) v[1], s = (int) v[2], dil = (int) v[3], pb = (int) v[4], pe = (int) v[5];
            boolean ceil = v[6] == 1;
            Window w = new Window(new int[] {k}, new int[] {s}, new int[] {dil}, new int[] {pb}, new int[] {pe});
            BigInteger in = BigInteger.valueOf(v[0]), st = BigInteger.valueOf(s);
            BigInteger num = in.add(BigInteger.valueOf(pb + (long) pe)).subtract(BigInteger.valueOf((k - 1L) * dil + 1));
            if (ceil) num = num.add(st).subtract(BigInteger.ONE);
            BigInteger out = floorDiv(num, st).add(BigInteger.ONE);
            if (ceil && out.subtract(BigInteger.ONE).multiply(st).compareTo(in.add(BigInteger.valueOf(pb))) >= 0) out = out.subtract(BigInteger.ONE);
            if (out.bitLength() > 63) assertThrows(ArithmeticException.class, () -> w.outputSize(0, v[0], ceil));
            else assertEquals(out.longValueExact(), w.outputSize(0, v[0], ceil), java.util.Arrays.toString(v));
        });
    }

    static BigInteger floorDiv(BigInteger a, BigInteger b) {
        BigInteger[] qr = a.divideAndRemainder(b);
        return qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
    }

    @Test
    void adaptiveWindowsAreExactForHugeSizes() {
        // regression: floor(o*in/out) and ceil((o+1)*in/out) wrapped to negative positions
        long in = BIG + 3, out = 1000;
        PoolSpec s = PoolSpec.builder(PoolKind.ADAPTIVE_AVG).channels(1).input(in).output(out).build();
        long previousEnd = 0;
        for (long o = 0; o < out; o++) {
            BigInteger a = BigInteger.valueOf(o).multiply(BigInteger.valueOf(in)), b = BigInteger.valueOf(o + 1).multiply(BigInteger.valueOf(in));
            BigInteger[] end = b.divideAndRemainder(BigInteger.valueOf(out));
            assertEquals(a.divide(BigInteger.valueOf(out)).longValueExact(), s.adaptiveStart(0, o), "start " + o);
            assertEquals(end[0].add(end[1].signum() > 0 ? BigInteger.ONE : BigInteger.ZERO).longValueExact(), s.adaptiveEnd(0, o), "end " + o);
            assertTrue(s.adaptiveStart(0, o) < s.adaptiveEnd(0, o) && s.adaptiveStart(0, o) <= previousEnd, "windows tile the input at " + o);
            previousEnd = s.adaptiveEnd(0, o);
        }
        assertEquals(in, previousEnd);
    }

    @Test
    void problemsNoMemoryHoldsAreRejectedAtBuildNamingTheTensor() {
        rejected(() -> ConvSpec.builder().inChannels(1).outChannels(1).input(1L << 40, 1L << 20).kernel(1).build(), "the input tensor of shape");
        rejected(() -> ConvSpec.builder().inChannels(1).outChannels(1L << 40).input(1L << 30).kernel(1).build(), "the output tensor of shape");
        rejected(() -> ConvSpec.builder().inChannels(1L << 31).outChannels(1L << 31).input(1).kernel(1 << 30).padding(1 << 30).build(),
                "the weight tensor of shape");
        rejected(() -> PoolSpec.builder(PoolKind.MAX).batch(1L << 40).channels(1L << 20).input(4).kernel(2).build(), "the input tensor of shape");
        rejected(() -> PoolSpec.builder(PoolKind.ADAPTIVE_MAX).channels(1).input(4).output(1L << 61).build(), "the output tensor of shape");
        // an empty batch does not hide the other sizes: its tensors' strides still span them
        rejected(() -> PoolSpec.builder(PoolKind.MAX).batch(0).channels(1L << 40).input(1L << 40).kernel(2).build(), "the input tensor of shape");
        // a window with more taps than a long counts (only reachable through huge padding)
        int k = Integer.MAX_VALUE;
        rejected(() -> PoolSpec.builder(PoolKind.MAX).channels(1).input(1, 1, 1).kernel(k).padding(k).stride(k).build(), "kernel: [2147483647");
        // 'same' padding beyond an int: an IllegalArgumentException, not an ArithmeticException
        rejected(() -> ConvSpec.builder().inChannels(1).outChannels(1).input(8).kernel(k).dilation(k).paddingSame().build(),
                "kernel[0] = 2147483647: 'same' padding would need");
    }

    /** Sizes from ordinary to near the limits of int and long. */
    static long size(org.quicktheories.core.RandomnessSource in, long[] huge, int small) {
        return Props.oneIn(in, 3) ? huge[draw(in, 0, huge.length - 1)] : draw(in, 0, small);
    }

    static final long[] LONGS = {0, 1, 7, 1L << 31, 1L << 40, 1L << 59, 1L << 62, Long.MAX_VALUE};
    static final long[] INTS = {0, 1, 5, 1 << 16, 1 << 30, Integer.MAX_VALUE - 1, Integer.MAX_VALUE};

    @Test
    void anyParametersGiveAConsistentSpecOrAnIllegalArgument() {
        // builder parameters anywhere from 0 to the limits of int and long: build() either rejects them
        // with an IllegalArgumentException or gives a spec whose every derived size is exact and whose
        // implementations all answer supports() (a fuzz run of 200,000 cases found no other outcome)
        Gen<Object> specs = in -> {
            int rank = draw(in, 1, 3);
            long[] input = new long[rank];
            int[] k = new int[rank], st = new int[rank], dil = new int[rank], pb = new int[rank], pe = new int[rank];
            for (int d = 0; d < rank; d++) {
                input[d] = 1 + size(in, LONGS, 8);
                k[d] = (int) (1 + size(in, INTS, 3));
                st[d] = (int) (1 + size(in, INTS, 2));
                dil[d] = (int) (1 + size(in, INTS, 1));
                pb[d] = (int) size(in, INTS, 2);
                pe[d] = (int) size(in, INTS, 2);
            }
            try {
                if (draw(in, 0, 1) == 0) {
                    ConvSpec.Builder b = ConvSpec.builder().batch(size(in, LONGS, 2)).inChannels(1 + size(in, LONGS, 2))
                            .outChannels(1 + size(in, LONGS, 2)).input(input).kernel(k).stride(st).dilation(dil);
                    if (Props.oneIn(in, 4)) b.paddingSame();
                    else b.padding(pb, pe);
                    if (Props.oneIn(in, 3)) b.transposed(true);
                    return b.build();
                }
                PoolKind kind = PoolKind.values()[draw(in, 0, PoolKind.values().length - 1)];
                PoolSpec.Builder b = PoolSpec.builder(kind).batch(size(in, LONGS, 2)).channels(1 + size(in, LONGS, 2)).input(input);
                if (kind.isWindowed()) b.kernel(k).stride(st).dilation(dil).padding(pb, pe).ceilMode(draw(in, 0, 1) == 1);
                else if (!kind.isGlobal()) b.output(input.clone());
                return b.build();
            } catch (IllegalArgumentException rejected) {
                return rejected;
            }
        };
        Props.qt(3000).forAll(specs).checkAssert(o -> {
            if (o instanceof ConvSpec c) {
                for (int d = 0; d < c.rank(); d++) {
                    Window w = c.window();
                    long expected = c.isTransposed() ? w.transposedOutputSize(d, c.inputSize(d), c.outputPadding(d))
                            : Math.floorDiv(c.inputSize(d) + w.padBegin(d) + w.padEnd(d) - w.effectiveKernel(d), w.stride(d)) + 1;
                    assertEquals(expected, c.outputSize(d), c.toString());
                    assertTrue(c.outputSize(d) >= 1, c.toString());
                }
                assertTrue(c.parameterCount() > 0);
                assertEquals(c, ConvSpec.parse(c.toString()));
                for (ConvPass pass : ConvPass.values()) assertTrue(Conv.choose(pass, c) != null);
            } else if (o instanceof PoolSpec p) {
                for (int d = 0; d < p.rank(); d++) {
                    assertTrue(p.outputSize(d) >= 1, p.toString());
                    if (p.kind().isWindowed()) { // every window starts inside the padded input (in ceil mode it may run past its end)
                        assertTrue(p.window().start(d, p.outputSize(d) - 1) < p.inputSize(d) + p.window().padEnd(d), p.toString());
                    }
                    else assertTrue(p.adaptiveEnd(d, p.outputSize(d) - 1) == p.inputSize(d) && p.adaptiveStart(d, 0) == 0);
                }
                assertEquals(p, PoolSpec.parse(p.toString()));
                assertTrue(Pool.choose(p) != null);
            } else {
                assertTrue(((IllegalArgumentException) o).getMessage() != null);
            }
        });
    }

    @Test
    void supportsAnswersFalseForHugeValidSpecsAndNeverThrows() {
        ConvSpec[] huge = {
            // 66000x66000 kernel: 4.4e9 taps, beyond an int (regression: ArithmeticException from ConvGeometry)
            ConvSpec.builder().inChannels(1).outChannels(1).input(70000, 70000).kernel(66000, 66000).build(),
            // 2^32 groups (regression: ArithmeticException)
            ConvSpec.builder().inChannels(1L << 32).outChannels(1L << 32).groups(1L << 32).input(3).kernel(1).build(),
            ConvSpec.builder().inChannels(1L << 32).outChannels(1L << 32).groups(1L << 32).input(3).kernel(1).transposed(true).build(),
            // padded planes beyond a long, huge planes
            ConvSpec.builder().inChannels(1).outChannels(1).input(1, 1, 1).kernel(1).padding(Integer.MAX_VALUE).stride(Integer.MAX_VALUE).build(),
            ConvSpec.builder().inChannels(2).outChannels(2).groups(2).input(BIG / 4).kernel(3).build(),
            ConvSpec.builder().inChannels(1).outChannels(1).input(3).kernel(1 << 25).transposed(true).build(),
        };
        for (ConvSpec s : huge) {
            for (ConvPass pass : ConvPass.values()) {
                for (ConvImpl impl : Conv.implementations(pass)) {
                    boolean supported = impl.supports(pass, s); // must not throw
                    if (!impl.name().equals("reference")) assertFalse(supported, impl + " " + pass + " " + s);
                }
                assertEquals("reference", Conv.choose(pass, s).name(), pass + " " + s);
            }
        }
        // a long signal is large but not huge: gemm cuts it into rows, the reference never gets it
        ConvSpec longSignal = ConvSpec.builder().inChannels(1).outChannels(2).input(1L << 28).kernel(3).build();
        for (ConvPass pass : ConvPass.values()) assertEquals("gemm", Conv.choose(pass, longSignal).name(), pass + " " + longSignal);
        PoolSpec[] hugePools = {
            PoolSpec.builder(PoolKind.AVG).channels(1).input(BIG).kernel(3).build(),
            PoolSpec.builder(PoolKind.MAX).batch(1L << 40).channels(1).input(3).kernel(2).build(),
            PoolSpec.builder(PoolKind.AVG).channels(1).input(1 << 30, 1).kernel(1).build(), // average backward's spread rows beyond an int
        };
        // the vector pooling kernels keep every size in longs and cut rows, windows and planes to bounded
        // buffers: they plan every spec whose tensors can exist (see kernel.pool.LargePlaneTest)
        for (PoolSpec s : hugePools) {
            assertTrue(Pool.implementation("vector").supports(s), s.toString());
            assertEquals("vector", Pool.choose(s).name(), s.toString());
        }
    }
}
