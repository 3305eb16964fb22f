package dev.vecnn.nn.demo;

import dev.vecnn.nn.Model;
import dev.vecnn.nn.layer.Activation;
import dev.vecnn.nn.layer.ConvLayer;
import dev.vecnn.nn.layer.Dense;
import dev.vecnn.nn.layer.Flatten;
import dev.vecnn.nn.layer.PoolLayer;
import dev.vecnn.nn.loss.Loss;
import dev.vecnn.nn.optim.Optimizer;
import dev.vecnn.nn.train.Metric;
import dev.vecnn.nn.train.Trainer;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;

/**
 * The lecture's point about weight sharing: a small cross pattern, present in half of the noisy
 * images at a random place, is detected by one set of 3x3 filters applied everywhere (global max
 * pooling, then one logit), with a few dozen parameters where one dense neuron over the image needs
 * size^2 + 1. Because the filters are shared, the place where the detecting feature map peaks also
 * locates the pattern, although no position was ever given in training.
 *
 * @param size   image side
 * @param train  training images
 * @param test   test images
 * @param epochs passes
 * @param seed   seed
 */
public record PatternDemo(int size, int train, int test, int epochs, long seed) {
    /** The demo's settings. */
    public static PatternDemo standard() {
        return new PatternDemo(16, 2000, 500, 6, 7);
    }

    /**
     * @param accuracy     detection accuracy on the test images
     * @param located      fraction of test images with the pattern whose feature-map peak is within one pixel of it
     * @param parameters   parameters of the network
     * @param denseNeuron  parameters of one dense neuron over the image
     * @param example      the first test image with the cross, its detecting filter and feature map
     */
    public record Result(double accuracy, double located, long parameters, long denseNeuron, Example example) {
    }

    /**
     * One test image with the cross, for the picture.
     *
     * @param image   the image, [row][column]
     * @param filter  the learned 3x3 filter of the detecting channel
     * @param map     that channel's feature map (before global max pooling), [row][column]
     * @param centre  the cross's centre {row, column}
     * @param peak    the feature map's maximum {row, column}
     */
    public record Example(double[][] image, double[][] filter, double[][] map, int[] centre, int[] peak) {
    }

    private static final int[][] CROSS = {{0, 1, 0}, {1, 1, 1}, {0, 1, 0}};

    /** Images (N, 1, size, size), labels (N, 1) and the pattern's centre (-1 when absent). */
    record Data(Tensor images, Tensor labels, int[][] centres) {
    }

    Data generate(Arena arena, int n, long s) {
        SplittableRandom r = new SplittableRandom(s);
        Tensor x = Tensor.allocate(arena, DType.F32, n, 1, size, size), y = Tensor.allocate(arena, DType.F32, n, 1);
        int[][] centres = new int[n][];
        for (int e = 0; e < n; e++) {
            for (int i = 0; i < size; i++) for (int j = 0; j < size; j++) x.set(0.3 * r.nextDouble(-1, 1), e, 0, i, j);
            boolean present = r.nextBoolean();
            // a distractor in every image: the four corners of a 3x3 square (the cross's complement)
            int di = r.nextInt(1, size - 1), dj = r.nextInt(1, size - 1);
            for (int a = -1; a <= 1; a++) for (int b = -1; b <= 1; b++) if (CROSS[a + 1][b + 1] == 0) x.set(1, e, 0, di + a, dj + b);
            if (present) {
                int ci = r.nextInt(1, size - 1), cj = r.nextInt(1, size - 1);
                for (int a = -1; a <= 1; a++) for (int b = -1; b <= 1; b++) if (CROSS[a + 1][b + 1] == 1) x.set(1, e, 0, ci + a, cj + b);
                centres[e] = new int[] {ci, cj};
            }
            y.set(present ? 1 : 0, e, 0);
        }
        return new Data(x, y, centres);
    }

    /** Trains and evaluates; prints to {@code out} (null: silent). */
    public Result run(PrintStream out, boolean liveProgress) {
        try (Arena arena = Arena.ofShared();
             Model m = Model.of(new long[] {1, size, size}, DType.F32, seed,
                     new ConvLayer(4, 3, 3).padding(1, 1), Activation.relu(), PoolLayer.globalMax(), new Flatten(), new Dense(1))) {
            Data tr = generate(arena, train, seed), te = generate(arena, test, seed + 1);
            if (out != null) {
                out.printf("%nWeight sharing: is there a cross in this %dx%d image, and where?%n%n", size, size);
                out.println(m.summary());
            }
            Trainer t = new Trainer(m, Loss.bceWithLogits(), Optimizer.adam(m.context(), m.params(), 0.02, 0))
                    .metric(Metric.accuracy()).progress(out, liveProgress);
            t.fit(tr.images(), tr.labels(), epochs, 32);
            double accuracy = t.evaluate(te.images(), te.labels(), 100).metrics()[0];
            // the detecting channel: the one the logit weighs most; its map's peak marks the cross
            Tensor w = m.params().stream().filter(p -> p.name().equals("4.weight")).findFirst().orElseThrow().value();
            int channel = 0;
            for (int k = 1; k < w.size(1); k++) if (w.get(0, k) > w.get(0, channel)) channel = k;
            int found = 0, present = 0;
            Example example = null;
            var conv = m.layers().get(0);
            for (int s = 0; s < test; s += 100) {
                int b = Math.min(100, test - s);
                Tensor maps = conv.forward(te.images().slice(0, s, s + b), false);
                for (int i = 0; i < b; i++) {
                    int[] c = te.centres()[s + i];
                    if (c == null) continue;
                    present++;
                    int bi = 0, bj = 0;
                    for (int a = 0; a < size; a++) {
                        for (int q = 0; q < size; q++) if (maps.get(i, channel, a, q) > maps.get(i, channel, bi, bj)) {
                            bi = a;
                            bj = q;
                        }
                    }
                    if (Math.abs(bi - c[0]) <= 1 && Math.abs(bj - c[1]) <= 1) found++;
                    if (example == null) {
                        Tensor filters = m.params().stream().filter(p -> p.name().equals("0.weight")).findFirst().orElseThrow().value();
                        example = new Example(plane(te.images(), s + i, 0), plane(filters, channel, 0), plane(maps, i, channel), c,
                                new int[] {bi, bj});
                    }
                }
            }
            Result r = new Result(accuracy, (double) found / present, m.parameterCount(), (long) size * size + 1, example);
            if (out != null) {
                out.printf("%ntest accuracy %.3f; the feature map's peak is within one pixel of the cross in %.1f%% of images%n",
                        r.accuracy, 100 * r.located);
                out.printf("parameters: %d (shared 3x3 filters) against %d for a single dense neuron over the image%n",
                        r.parameters, r.denseNeuron);
            }
            return r;
        }
    }

    /** The 2-D plane t[n, c] as [row][column]. */
    private static double[][] plane(Tensor t, long n, long c) {
        double[][] out = new double[(int) t.size(2)][(int) t.size(3)];
        for (int i = 0; i < out.length; i++) for (int j = 0; j < out[i].length; j++) out[i][j] = t.get(n, c, i, j);
        return out;
    }
}
