package dev.vecnn.nn.demo;

import dev.vecnn.nn.Model;
import dev.vecnn.nn.layer.Activation;
import dev.vecnn.nn.layer.ConvLayer;
import dev.vecnn.nn.layer.Dense;
import dev.vecnn.nn.layer.Flatten;
import dev.vecnn.nn.layer.PoolLayer;
import dev.vecnn.nn.loss.Loss;
import dev.vecnn.nn.optim.Optimizer;
import dev.vecnn.nn.train.Trainer;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.io.PrintStream;
import java.lang.foreign.Arena;

/**
 * The main job: a 3-D CNN learns the arrival direction of air showers from the traces of a sensor
 * grid ({@link Showers}). Its filters span (x, y, t) and are shared across the array, so a filter
 * that recognises "the pulse here arrives later than next door" works at every sensor; global
 * average pooling then collects that local timing evidence into a direction.
 *
 * @param train  training events
 * @param test   test events
 * @param epochs passes over the training events
 * @param batch  mini-batch size
 * @param seed   seed for events, weights and shuffling
 */
public record ShowerDemo(int train, int test, int epochs, int batch, long seed) {
    /** The main job's budget, in this one place: training events (the whole run must stay within about 2 minutes). */
    public static final int TRAIN_EVENTS = 30000;
    /** Test events (the resolution and the pictures). */
    public static final int TEST_EVENTS = 2000;
    /** Passes over the training events. */
    public static final int EPOCHS = 8;
    /** Mini-batch size. */
    public static final int BATCH = 32;
    /** Seed of events, weights and shuffling. */
    public static final long SEED = 2026;

    /** The README's main command: {@link #TRAIN_EVENTS}, {@link #TEST_EVENTS}, {@link #EPOCHS}, {@link #BATCH}, {@link #SEED}. */
    public static ShowerDemo standard() {
        return new ShowerDemo(TRAIN_EVENTS, TEST_EVENTS, EPOCHS, BATCH, SEED);
    }

    /**
     * What a run measured.
     *
     * @param cnn          68% angular resolution of the network on the test events, degrees
     * @param planeFit     the same for the classical plane fit
     * @param naive        the same for always answering "vertical" (the mean direction)
     * @param firstLoss    mean training loss of the first epoch
     * @param lastLoss     mean training loss of the last epoch
     * @param trainRate    training events per second (last epoch)
     * @param inferRate    inference events per second (evaluation mode, batches of 256, after a warm-up pass over up to 512 test events)
     * @param seconds      wall time of the whole run
     * @param cnnAngles    angular error of the network per test event, degrees
     * @param fitAngles    the same for the plane fit
     * @param naiveAngles  the same for "vertical"
     * @param epochLoss    mean training loss per epoch (MSE of (ux, uy))
     */
    public record Result(double cnn, double planeFit, double naive, double firstLoss, double lastLoss, double trainRate,
                         double inferRate, double seconds, double[] cnnAngles, double[] fitAngles, double[] naiveAngles,
                         double[] epochLoss) {
    }

    /** The network: three 3-D convolutions over (x, y, t), pooling along time, a dense head for (ux, uy). */
    public static Model model(Showers det, long seed) {
        return Model.of(new long[] {1, det.grid(), det.grid(), det.samples()}, DType.F32, seed,
                new ConvLayer(8, 3, 3, 5).padding(1, 1, 2), Activation.relu(), PoolLayer.max(1, 1, 2),
                new ConvLayer(16, 3, 3, 3).padding(1, 1, 1), Activation.relu(), PoolLayer.max(2, 2, 2),
                new ConvLayer(16, 3, 3, 3).padding(1, 1, 1), Activation.relu(), PoolLayer.globalAvg(),
                new Flatten(), new Dense(32), Activation.relu(), new Dense(2).init(dev.vecnn.nn.layer.Init.GLOROT));
    }

    /** Generates, trains, evaluates; prints to {@code out} (null: silent). */
    public Result run(PrintStream out, boolean liveProgress) {
        long t0 = System.nanoTime();
        Showers det = Showers.standard();
        try (Arena arena = Arena.ofShared(); Model m = model(det, seed)) {
            Showers.Events trainSet = det.generate(arena, DType.F32, train, seed);
            Showers.Events testSet = det.generate(arena, DType.F32, test, seed + 1);
            if (out != null) {
                out.printf("Air-shower direction from a %dx%d sensor grid, %d samples per trace: A(x, y, t)%n", det.grid(), det.grid(), det.samples());
                out.printf("%d training and %d test events (seed %d); the network:%n%n", train, test, seed);
                out.println(m.summary());
            }
            Trainer trainer = new Trainer(m, Loss.mse(), Optimizer.adam(m.context(), m.params(), 2e-3, 0))
                    .progress(out, liveProgress);
            var history = trainer.fit(trainSet.traces(), trainSet.directions(), epochs, batch);
            predict(m, testSet.traces().slice(0, 0, Math.min(test, 512)), 256); // warm-up: the rate below is the steady one
            long i0 = System.nanoTime();
            double[][] pred = predict(m, testSet.traces(), 256);
            double inferRate = test / ((System.nanoTime() - i0) / 1e9);
            double[][] fit = det.planeFit(testSet);
            double[] aCnn = new double[test], aFit = new double[test], aNaive = new double[test];
            for (int e = 0; e < test; e++) {
                double ux = testSet.directions().get(e, 0), uy = testSet.directions().get(e, 1);
                aCnn[e] = Showers.angle(ux, uy, pred[e][0], pred[e][1]);
                aFit[e] = Showers.angle(ux, uy, fit[e][0], fit[e][1]);
                aNaive[e] = Showers.angle(ux, uy, 0, 0);
            }
            var last = history.get(history.size() - 1);
            Result r = new Result(Showers.quantile(aCnn, 0.68), Showers.quantile(aFit, 0.68), Showers.quantile(aNaive, 0.68),
                    history.get(0).loss(), last.loss(), last.throughput(), inferRate, (System.nanoTime() - t0) / 1e9,
                    aCnn, aFit, aNaive, history.stream().mapToDouble(Trainer.Epoch::loss).toArray());
            if (out != null) {
                out.printf("%nangular resolution (68%% of test events within): CNN %.2f deg, plane fit to peak times %.2f deg, "
                        + "always vertical %.2f deg%n", r.cnn, r.planeFit, r.naive);
                out.printf("throughput: training %.0f events/s, inference %.0f events/s; wall time %.1f s%n", r.trainRate, r.inferRate, r.seconds);
            }
            return r;
        }
    }

    /** The network's outputs for every event, in batches, in evaluation mode. */
    static double[][] predict(Model m, Tensor x, int batch) {
        int n = (int) x.size(0);
        double[][] out = new double[n][];
        for (int s = 0; s < n; s += batch) {
            int b = Math.min(batch, n - s);
            Tensor y = m.forward(x.slice(0, s, s + b), false);
            for (int i = 0; i < b; i++) {
                out[s + i] = new double[(int) y.size(1)];
                for (int k = 0; k < out[s + i].length; k++) out[s + i][k] = y.get(i, k);
            }
        }
        return out;
    }
}
