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
 * {@code maxRank}, awkward sizes (1, primes), size-1 dimensions, windows larger than strides, strides
 * up to 5 and dilations up to 3 (smaller in high ranks, where every dimension multiplies the work),
 * padding past half a kernel and past the input itself (windows entirely in padding), transposed
 * convolutions with every input dimension free. A generated value prints as its text form, so shrunk
 * counterexamples are readable; every draw shrinks towards the simplest problem.
 *
 * <p>{@link #kernelSpecs} and {@link #poolSpecs(int, boolean)} add what the fast kernels branch on;
 * {@code DifferentialTest} says which branch each option reaches.
 */
public final class Gens {
    private Gens() {
    }

    /**
     * The smallest batch any generator draws. One place for every generator: set it to 0 once specs
     * accept an empty batch.
     */
    public static final int MIN_BATCH = 1;

    /** A spec plus a seed for its tensors' contents. */
    public record Case<S>(S spec, long seed) {
        @Override
        public String toString() {
            return spec + " seed=" + seed;
        }
    }

    /**
     * Per spatial rank: largest input size, kernel, stride, dilation and padding drawn. High ranks
     * draw small values so that the work (the product over dimensions) stays bounded.
     */
    private record Limits(int size, int kernel, int stride, int dilation, int padding) {
        static Limits of(int rank) {
            return switch (rank) {
                case 1 -> new Limits(12, 4, 5, 3, 5);
                case 2 -> new Limits(7, 3, 5, 3, 4);
                case 3 -> new Limits(4, 3, 3, 3, 3);
                case 4 -> new Limits(3, 2, 2, 2, 2);
                default -> new Limits(3, 2, 2, 2, 1);
            };
        }

        /** Tiny grids for many channels: sizes and windows of at most 2. */
        Limits tiny() {
            return new Limits(2, 2, Math.min(stride, 3), 2, 2);
        }
    }

    /** Convolution specs of rank 1..maxRank, direct and transposed, every padding mode. */
    public static Gen<ConvSpec> convSpecs(int maxRank) {
        return convSpecs(maxRank, false);
    }

    private static Gen<ConvSpec> convSpecs(int maxRank, boolean tiny) {
        return in -> {
            int rank = draw(in, 1, maxRank);
            Limits lim = tiny ? Limits.of(rank).tiny() : Limits.of(rank);
            boolean transposed = oneIn(in, 4);
            long groups = draw(in, 1, 3);
            boolean depthwise = oneIn(in, 4);
            long cPerG = depthwise ? 1 : draw(in, 1, 3);
            long kPerG = draw(in, 1, 3);
            PaddingMode mode = transposed ? PaddingMode.ZEROS : PaddingMode.values()[draw(in, 0, 3)];
            int[] k = new int[rank], s = new int[rank], dil = new int[rank], pb = new int[rank], pe = new int[rank], op = new int[rank];
            long[] size = new long[rank];
            // unit strides in every dimension (the kernels' run-based paths) in about half the problems
            boolean unitStrides = !oneIn(in, 2);
            for (int d = 0; d < rank; d++) {
                k[d] = draw(in, 1, lim.kernel);
                dil[d] = oneIn(in, 2) ? draw(in, 2, lim.dilation) : 1;
                s[d] = unitStrides || !oneIn(in, 2) ? 1 : draw(in, 2, lim.stride);
                size[d] = draw(in, 1, lim.size);
                long effk = (long) (k[d] - 1) * dil[d] + 1;
                if (transposed) {
                    op[d] = draw(in, 0, Math.max(s[d], dil[d]) - 1);
                    // output (in-1)*s - pb - pe + effk + op must stay >= 1
                    long room = (size[d] - 1) * s[d] + effk + op[d] - 1;
                    pb[d] = (int) Math.min(draw(in, 0, lim.padding), room);
                    pe[d] = (int) Math.min(draw(in, 0, lim.padding), room - pb[d]);
                } else {
                    // zeros and replicate: any padding, past the input too; reflect below the size; circular up to it
                    int maxPad = switch (mode) {
                        case ZEROS, REPLICATE -> lim.padding;
                        case REFLECT -> (int) Math.min(lim.padding, size[d] - 1);
                        case CIRCULAR -> (int) Math.min(lim.padding, size[d]);
                    };
                    pb[d] = draw(in, 0, maxPad);
                    pe[d] = draw(in, 0, maxPad);
                    long deficit = effk - (size[d] + pb[d] + pe[d]);
                    if (deficit > 0) {
                        // the window must fit the padded input: more end padding where any padding is legal, else a larger input
                        if (mode == PaddingMode.ZEROS || mode == PaddingMode.REPLICATE) pe[d] += (int) deficit;
                        else size[d] += deficit;
                    }
                }
            }
            ConvSpec.Builder b = ConvSpec.builder().batch(draw(in, MIN_BATCH, 2)).groups(groups)
                    .inChannels(groups * cPerG).outChannels(groups * kPerG).input(size).kernel(k).stride(s)
                    .dilation(dil).padding(pb, pe).paddingMode(mode).bias(!oneIn(in, 3)).transposed(transposed);
            if (transposed) b.outputPadding(op);
            return b.build();
        };
    }

    /**
     * Channels per group that hit every tail of the register tiles: GEMM rows are padded to a
     * multiple of 4 and cut into panels of 12, 8 and 4 rows (16 = 8 + 8, 28 = 12 + 8 + 8), direct
     * convolution pairs channels (odd counts), vectors of 4-16 lanes have tails.
     */
    private static final int[] CHANNELS = {1, 2, 3, 4, 5, 8, 9, 13, 17, 28, 31, 67};
    /** More channels per group than one reduction chunk (KC = 256) holds. */
    private static final int[] WIDE = {257, 300};

    /**
     * Convolution specs for kernel tests: like {@link #convSpecs} (every option, ranks 1..maxRank)
     * with channel counts from {@link #CHANNELS}, sometimes more channels per group than one reduction
     * chunk (on a tiny grid), sometimes long innermost rows (more positions than a chunk), within a
     * budget of multiply-adds per pass so the reference stays quick.
     */
    public static Gen<ConvSpec> kernelSpecs(int maxRank, long maxTerms) {
        Gen<ConvSpec> base = convSpecs(maxRank), tinyBase = convSpecs(maxRank, true);
        return in -> {
            int form = draw(in, 0, 7); // 0-5 plain, 6 many channels on a tiny grid, 7 long rows
            ConvSpec s = (form == 6 ? tinyBase : base).generate(in);
            boolean depthwise = oneIn(in, 5);
            int ci = draw(in, 0, CHANNELS.length - 1), ki = draw(in, 0, CHANNELS.length - 1);
            int wide = form == 6 ? draw(in, 1, 3) : 0; // 1: input side, 2: output side, 3: both
            int wideIndex = draw(in, 0, WIDE.length - 1);
            int last = s.rank() - 1;
            // a longer innermost dimension (vector tails, several register tiles per row) in half the problems;
            // the others keep the small sizes whose padding can cover whole rows and row blocks
            long extra = form == 7 ? draw(in, 0, s.rank() == 1 ? 400 : s.rank() == 2 ? 80 : 8)
                    : oneIn(in, 2) ? draw(in, 1, s.rank() == 1 ? 40 : s.rank() == 2 ? 8 : 2) : 0;
            while (true) {
                long c = (wide & 1) != 0 ? WIDE[wideIndex] : CHANNELS[ci];
                long k = (wide & 2) != 0 ? WIDE[wideIndex] : CHANNELS[ki];
                long groups = s.groups(), cPerG = c, kPerG = k;
                if (depthwise) {
                    // one big-side channel per group: the input's for a direct convolution, the output's for a transposed one
                    groups = CHANNELS[ci];
                    cPerG = s.isTransposed() ? k : 1;
                    kPerG = s.isTransposed() ? 1 : k;
                }
                long[] size = s.inputSize();
                size[last] += extra;
                ConvSpec t = s.toBuilder().groups(groups).inChannels(groups * cPerG).outChannels(groups * kPerG).input(size).build();
                if (t.flops() / 2 <= maxTerms) return t;
                // over budget: fewer plain channels first, then shorter rows, then fewer wide channels
                if ((wide & 1) == 0 && ci > 0 && (ci >= ki || (wide & 2) != 0)) ci--;
                else if ((wide & 2) == 0 && ki > 0) ki--;
                else if (extra > 0) extra /= 2;
                else if (wideIndex > 0) wideIndex--;
                else if (wide != 0) wide = 0;
                else if (depthwise) depthwise = false;
                else return t; // the base spec with one channel: always cheap
            }
        };
    }

    /** Pool specs of rank 1..maxRank, every kind and option. */
    public static Gen<PoolSpec> poolSpecs(int maxRank) {
        return poolSpecs(maxRank, false);
    }

    /**
     * Pooling specs; {@code wide} adds channel counts up to 70 (vectors across channels with tails,
     * several channel blocks per thread) and longer innermost rows: up to 40 more elements usually,
     * sometimes several hundred (rows longer than 256 process fewer rows per chunk), and in rank 1
     * rarely more than 4096 (one row per chunk).
     */
    public static Gen<PoolSpec> poolSpecs(int maxRank, boolean wide) {
        return in -> {
            int rank = draw(in, 1, maxRank);
            Limits lim = Limits.of(rank);
            PoolKind kind = PoolKind.values()[draw(in, 0, PoolKind.values().length - 1)];
            int[] channels = wide ? new int[] {1, 2, 3, 5, 8, 9, 16, 17, 33, 40, 70} : new int[] {1, 2, 3};
            int rows = wide ? draw(in, 0, 31) : 0; // 0-27 short, 28-30 hundreds, 31 thousands (rank 1)
            long longRow = rows < 28 ? draw(in, 0, wide ? 40 : 0) : rows < 31 ? draw(in, 200, 600) : rank == 1 ? draw(in, 4000, 5000) : 300;
            int c = channels[draw(in, 0, channels.length - 1)];
            PoolSpec.Builder b = PoolSpec.builder(kind).batch(draw(in, MIN_BATCH, 2)).channels(rows >= 28 ? Math.min(c, 3) : c);
            long[] size = new long[rank];
            if (kind.isWindowed()) {
                int[] k = new int[rank], s = new int[rank], dil = new int[rank], pb = new int[rank], pe = new int[rank];
                for (int d = 0; d < rank; d++) {
                    k[d] = draw(in, 1, lim.kernel);
                    dil[d] = oneIn(in, 2) ? draw(in, 2, lim.dilation) : 1;
                    s[d] = draw(in, 1, lim.stride);
                    pb[d] = draw(in, 0, lim.padding); // may exceed half the window and the input: windows entirely in padding
                    pe[d] = draw(in, 0, lim.padding);
                    size[d] = draw(in, 1, lim.size) + (d == rank - 1 ? longRow : 0);
                    long effk = (long) (k[d] - 1) * dil[d] + 1;
                    size[d] = Math.max(size[d], effk - pb[d] - pe[d]);
                }
                b.kernel(k).stride(s).dilation(dil).padding(pb, pe).ceilMode(oneIn(in, 2));
                if (kind == PoolKind.AVG) b.countIncludePad(!oneIn(in, 2));
            } else {
                long[] out = new long[rank];
                for (int d = 0; d < rank; d++) {
                    size[d] = draw(in, 1, lim.size) + (d == rank - 1 ? longRow : 0);
                    out[d] = draw(in, 1, 5); // may exceed the input: windows repeat
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
