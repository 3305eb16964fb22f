package dev.vecnn.testing;

import static dev.vecnn.testing.Props.draw;
import static dev.vecnn.testing.Props.oneIn;

import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PaddingMode;
import dev.vecnn.spec.PoolKind;
import dev.vecnn.spec.PoolSpec;
import org.quicktheories.core.Gen;

/**
 * Generators of valid specs over every option, sized so the reference kernels stay fast: ranks up to
 * {@code maxRank}, awkward sizes (1, primes), windows larger than strides, padding past half a kernel.
 * A generated value prints as its text form, so shrunk counterexamples are readable.
 */
public final class Gens {
    private Gens() {
    }

    /** A spec plus a seed for its tensors' contents. */
    public record Case<S>(S spec, long seed) {
        @Override
        public String toString() {
            return spec + " seed=" + seed;
        }
    }

    /** Convolution specs of rank 1..maxRank, direct and transposed, every padding mode. */
    public static Gen<ConvSpec> convSpecs(int maxRank) {
        return in -> {
            int rank = draw(in, 1, maxRank);
            int extra = rank <= 2 ? 5 : rank == 3 ? 2 : 1; // how far input sizes may exceed the kernel
            int maxK = rank <= 3 ? 3 : 2;
            boolean transposed = oneIn(in, 4);
            long groups = draw(in, 1, 3);
            boolean depthwise = oneIn(in, 4);
            long cPerG = depthwise ? 1 : draw(in, 1, 3);
            long kPerG = draw(in, 1, 3);
            PaddingMode mode = transposed ? PaddingMode.ZEROS : PaddingMode.values()[draw(in, 0, 3)];
            int[] k = new int[rank], s = new int[rank], dil = new int[rank], pb = new int[rank], pe = new int[rank], op = new int[rank];
            long[] size = new long[rank];
            for (int d = 0; d < rank; d++) {
                k[d] = draw(in, 1, maxK);
                dil[d] = draw(in, 1, 2);
                s[d] = draw(in, 1, 3);
                pb[d] = draw(in, 0, 2);
                pe[d] = draw(in, 0, 2);
                long effk = (long) (k[d] - 1) * dil[d] + 1;
                if (transposed) {
                    size[d] = draw(in, 1, Math.max(1, extra - 1));
                    op[d] = draw(in, 0, Math.max(s[d], dil[d]) - 1);
                    if ((size[d] - 1) * s[d] - pb[d] - pe[d] + effk + op[d] < 1) {
                        pb[d] = 0;
                        pe[d] = 0;
                    }
                } else {
                    long min = Math.max(1, effk - pb[d] - pe[d]);
                    if (mode == PaddingMode.REFLECT) min = Math.max(min, Math.max(pb[d], pe[d]) + 1);
                    if (mode == PaddingMode.CIRCULAR) min = Math.max(min, Math.max(pb[d], pe[d]));
                    size[d] = min + draw(in, 0, extra);
                }
            }
            ConvSpec.Builder b = ConvSpec.builder().batch(draw(in, 1, 2)).groups(groups)
                    .inChannels(groups * cPerG).outChannels(groups * kPerG).input(size).kernel(k).stride(s)
                    .dilation(dil).padding(pb, pe).paddingMode(mode).bias(!oneIn(in, 3)).transposed(transposed);
            if (transposed) b.outputPadding(op);
            return b.build();
        };
    }

    /** Channel counts that hit every tail of the register tiles and vector lanes. */
    private static final int[] AWKWARD = {1, 2, 3, 4, 17, 31, 67};

    /**
     * Convolution specs for kernel tests: like {@link #convSpecs} (every option, ranks 1..maxRank) with
     * channel counts from 1, 3, 17, 31, 67 and larger spatial sizes, within a budget of multiply-adds
     * so the reference stays quick.
     */
    public static Gen<ConvSpec> kernelSpecs(int maxRank, long maxTerms) {
        Gen<ConvSpec> base = convSpecs(maxRank);
        return in -> {
            ConvSpec s = base.generate(in);
            int ci = draw(in, 0, AWKWARD.length - 1), ki = draw(in, 0, AWKWARD.length - 1);
            boolean depthwise = oneIn(in, 5);
            int extra = draw(in, 0, s.rank() == 1 ? 40 : s.rank() == 2 ? 8 : 2);
            long[] size = s.inputSize();
            size[size.length - 1] += extra;
            while (true) {
                long groups = depthwise ? AWKWARD[ci] : s.groups();
                long cPerG = depthwise ? 1 : AWKWARD[ci];
                long kPerG = AWKWARD[ki];
                ConvSpec t = s.toBuilder().groups(groups).inChannels(groups * cPerG).outChannels(groups * kPerG).input(size).build();
                if (t.flops() / 2 <= maxTerms || (ci == 0 && ki == 0 && size[size.length - 1] == s.inputSize(s.rank() - 1))) return t;
                if (ci > 0 && (ci >= ki || ki == 0)) ci--;
                else if (ki > 0) ki--;
                else size[size.length - 1] = s.inputSize(s.rank() - 1);
            }
        };
    }

    /** Pool specs of rank 1..maxRank, every kind and option. */
    public static Gen<PoolSpec> poolSpecs(int maxRank) {
        return poolSpecs(maxRank, false);
    }

    /**
     * Pooling specs; {@code wide} adds channel counts 17 and 33 and up to 40 more elements in the
     * innermost dimension, so that vector loops run over several full vectors and a tail.
     */
    public static Gen<PoolSpec> poolSpecs(int maxRank, boolean wide) {
        return in -> {
            int rank = draw(in, 1, maxRank);
            int extra = rank <= 2 ? 6 : rank == 3 ? 3 : 2;
            PoolKind kind = PoolKind.values()[draw(in, 0, PoolKind.values().length - 1)];
            int[] channels = wide ? new int[] {1, 2, 3, 17, 33} : new int[] {1, 2, 3};
            PoolSpec.Builder b = PoolSpec.builder(kind).batch(draw(in, 1, 2)).channels(channels[draw(in, 0, channels.length - 1)]);
            long[] size = new long[rank];
            if (kind.isWindowed()) {
                int[] k = new int[rank], s = new int[rank], dil = new int[rank], pb = new int[rank], pe = new int[rank];
                for (int d = 0; d < rank; d++) {
                    k[d] = draw(in, 1, 3);
                    dil[d] = draw(in, 1, 2);
                    s[d] = draw(in, 1, 3);
                    pb[d] = draw(in, 0, 3); // may exceed half the window: windows entirely in padding
                    pe[d] = draw(in, 0, 3);
                    long effk = (long) (k[d] - 1) * dil[d] + 1;
                    size[d] = Math.max(1, effk - pb[d] - pe[d]) + draw(in, 0, extra) + (wide && d == rank - 1 ? draw(in, 0, 40) : 0);
                }
                b.kernel(k).stride(s).dilation(dil).padding(pb, pe).ceilMode(oneIn(in, 2));
                if (kind == PoolKind.AVG) b.countIncludePad(!oneIn(in, 2));
            } else {
                long[] out = new long[rank];
                for (int d = 0; d < rank; d++) {
                    size[d] = draw(in, 1, 2 + extra) + (wide && d == rank - 1 ? draw(in, 0, 40) : 0);
                    out[d] = draw(in, 1, 4); // may exceed the input: windows repeat
                }
                if (!kind.isGlobal()) b.output(out);
            }
            return b.input(size).build();
        };
    }

    /** Attaches a content seed to each generated spec. */
    public static <S> Gen<Case<S>> withSeed(Gen<S> specs) {
        return in -> new Case<>(specs.generate(in), in.next(org.quicktheories.impl.Constraint.between(0, 1 << 20)));
    }
}
