package dev.vecnn.nn.train;

import dev.vecnn.nn.Context;
import dev.vecnn.nn.Model;
import dev.vecnn.nn.loss.Loss;
import dev.vecnn.nn.optim.Optimizer;
import dev.vecnn.tensor.Tensor;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Mini-batch training: each epoch shuffles the samples with the model's seeded generator, copies each
 * batch into reused tensors, runs forward, loss, backward and an optimizer step, and reports the mean
 * loss and metrics. On a terminal the progress is one line rewritten in place; otherwise one plain
 * line per epoch. After the first epoch (every batch size seen) a step allocates no tensors.
 *
 * <p>A training batch whose loss is not finite stops {@link #fit} with a
 * {@link NonFiniteLossException} naming the epoch and batch, before the batch's step (the default,
 * {@link NonFinite#STOP}); {@link #onNonFiniteLoss} can skip such batches or continue regardless.
 * Batches are never empty (the last one of an epoch holds the remainder); a data set of no samples
 * trains nothing, and its epochs report a mean loss of NaN over 0 samples.
 */
public final class Trainer {
    private final Model model;
    private final Loss loss;
    private final Optimizer optimizer;
    private final List<Metric> metrics = new ArrayList<>();
    private PrintStream out = System.out;
    private boolean live = System.console() != null && System.console().isTerminal();
    private NonFinite nonFinite = NonFinite.STOP;

    /** What {@link #fit} does with a training batch whose loss is NaN or infinite. */
    public enum NonFinite {
        /** Throw {@link NonFiniteLossException} before the batch's backward pass and step (the default). */
        STOP,
        /** Leave the weights alone for this batch and go on; the batch counts in {@link Epoch#skippedBatches}, not in the means. */
        SKIP_BATCH,
        /** Back-propagate and step anyway, as frameworks do by default: the weights will likely become NaN. */
        CONTINUE
    }

    /**
     * One epoch's results.
     *
     * @param epoch          1-based (0 for {@link #evaluate})
     * @param loss           mean loss over the samples counted (NaN when there are none)
     * @param metrics        mean of each metric, in the order added
     * @param seconds        wall time
     * @param samples        samples counted in the means
     * @param skippedBatches training batches skipped for a non-finite loss ({@link NonFinite#SKIP_BATCH})
     */
    public record Epoch(int epoch, double loss, double[] metrics, double seconds, long samples, long skippedBatches) {
        /** Samples per second. */
        public double throughput() {
            return samples / seconds;
        }
    }

    /** Trains {@code model} on {@code loss} with {@code optimizer}. */
    public Trainer(Model model, Loss loss, Optimizer optimizer) {
        Objects.requireNonNull(model, "model");
        if (model.graph().inputNames().size() != 1 || model.graph().outputNames().size() != 1) {
            throw new IllegalArgumentException("model: the trainer needs one input and one output, the graph has inputs "
                    + model.graph().inputNames() + " and outputs " + model.graph().outputNames());
        }
        this.model = model;
        this.loss = Objects.requireNonNull(loss, "loss").on(model.context());
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
    }

    /** Adds a metric to report. */
    public Trainer metric(Metric m) {
        metrics.add(Objects.requireNonNull(m, "m"));
        return this;
    }

    /** What {@link #fit} does when a training batch's loss is NaN or infinite (default {@link NonFinite#STOP}). */
    public Trainer onNonFiniteLoss(NonFinite policy) {
        nonFinite = Objects.requireNonNull(policy, "policy");
        return this;
    }

    /** Where progress goes (null: nowhere); {@code live} rewrites one line with carriage returns. */
    public Trainer progress(PrintStream stream, boolean liveLine) {
        out = stream;
        live = liveLine;
        return this;
    }

    /**
     * Trains for {@code epochs} over (x, y), whose first dimension indexes samples.
     *
     * @throws NonFiniteLossException when a batch's loss is NaN or infinite (unless {@link #onNonFiniteLoss} says otherwise)
     * @throws IllegalStateException when the model is frozen ({@link dev.vecnn.nn.Model#freeze()}), before any step
     */
    public List<Epoch> fit(Tensor x, Tensor y, int epochs, int batchSize) {
        checkData(x, y, batchSize);
        model.context().requireUnfrozen("fit");
        if (epochs < 0) throw new IllegalArgumentException("epochs: must be >= 0, got " + epochs);
        Tensor xs = dense(x), ys = dense(y);
        int[] order = identity(x.size(0));
        List<Epoch> history = new ArrayList<>();
        for (int e = 1; e <= epochs; e++) {
            shuffle(order, model.context());
            Epoch ep = pass(xs, ys, order, batchSize, e, epochs);
            history.add(ep);
            if (out != null) {
                String l = line(ep.epoch, epochs, ep.samples, ep.samples, ep.loss, ep.metrics, ep.seconds);
                if (live) out.print("\r" + l + (e == epochs ? "\n" : ""));
                else out.println(l);
            }
        }
        return history;
    }

    /**
     * Mean loss and metrics in evaluation mode (no dropout, running statistics), in batches. Nothing
     * is updated, so a non-finite batch loss is reported in the mean rather than thrown.
     */
    public Epoch evaluate(Tensor x, Tensor y, int batchSize) {
        checkData(x, y, batchSize);
        return pass(dense(x), dense(y), identity(x.size(0)), batchSize, 0, 0);
    }

    /**
     * One pass over the samples in {@code order}: training (forward, loss, backward, step) when
     * {@code epoch > 0}, evaluation otherwise. Returns mean loss and metrics.
     */
    private Epoch pass(Tensor xs, Tensor ys, int[] order, int batchSize, int epoch, int epochs) {
        boolean training = epoch > 0;
        long n = order.length, t0 = System.nanoTime(), seen = 0, skipped = 0, batch = 0;
        double lossSum = 0;
        double[] metricSums = new double[metrics.size()];
        for (long start = 0; start < n; start += batchSize) {
            int b = (int) Math.min(batchSize, n - start); // >= 1: batches are never empty
            batch++;
            Tensor bx = gather(xs, order, start, b, "x"), by = gather(ys, order, start, b, "y");
            Tensor pred = model.forward(bx, training);
            double batchLoss = loss.forward(pred, by);
            if (training && !Double.isFinite(batchLoss) && nonFinite != NonFinite.CONTINUE) {
                if (nonFinite == NonFinite.STOP) throw new NonFiniteLossException(epoch, batch, start, b, batchLoss);
                skipped++;
                continue;
            }
            lossSum += batchLoss * b;
            for (int k = 0; k < metrics.size(); k++) metricSums[k] += metrics.get(k).sum(pred, by);
            seen += b;
            if (training) {
                model.backwardParameters(loss.backward());
                optimizer.step();
                if (live && out != null) {
                    double[] means = metricSums.clone();
                    for (int k = 0; k < means.length; k++) means[k] /= seen;
                    out.print("\r" + line(epoch, epochs, seen, n, lossSum / seen, means, (System.nanoTime() - t0) / 1e9));
                }
            }
        }
        for (int k = 0; k < metricSums.length; k++) metricSums[k] /= seen;
        return new Epoch(epoch, lossSum / seen, metricSums, (System.nanoTime() - t0) / 1e9, seen, skipped);
    }

    private String line(int e, int epochs, long done, long n, double meanLoss, double[] metricMeans, double seconds) {
        StringBuilder b = new StringBuilder(String.format("epoch %d/%d  %5.1f%%  loss %.5f", e, epochs, n == 0 ? 100.0 : 100.0 * done / n, meanLoss));
        for (int k = 0; k < metrics.size(); k++) b.append(String.format("  %s %.4f", metrics.get(k).name(), metricMeans[k]));
        b.append(String.format("  %.0f samples/s", done / seconds));
        return b.toString();
    }

    private static int[] identity(long n) {
        int[] order = new int[Math.toIntExact(n)];
        for (int i = 0; i < order.length; i++) order[i] = i;
        return order;
    }

    private void checkData(Tensor x, Tensor y, int batchSize) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(y, "y");
        if (x.rank() == 0) throw new IllegalArgumentException("x: a scalar has no sample dimension");
        if (y.rank() == 0) throw new IllegalArgumentException("y: a scalar has no sample dimension");
        if (batchSize < 1) throw new IllegalArgumentException("batchSize: must be >= 1, got " + batchSize);
        if (x.size(0) > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("x: " + x.size(0) + " samples; the trainer indexes at most 2^31 - 9 (split the data set)");
        }
        if (x.size(0) != y.size(0)) {
            throw new IllegalArgumentException("y: " + y.size(0) + " samples, x has " + x.size(0));
        }
        if (x.dtype() != model.context().dtype()) {
            throw new IllegalArgumentException("x: dtype " + x.dtype() + ", the model is " + model.context().dtype());
        }
    }

    /** The data set itself when contiguous, else one copy for the whole call. */
    private static Tensor dense(Tensor t) {
        return t.isContiguous() ? t : t.contiguous(java.lang.foreign.Arena.ofAuto());
    }

    /** Copies samples {@code order[start .. start+b)} of contiguous {@code data} into a reused batch tensor. */
    private Tensor gather(Tensor data, int[] order, long start, int b, String name) {
        long[] shape = data.shape();
        shape[0] = b;
        Tensor batch = model.context().buffer(this, name, data.dtype(), shape);
        long per = Tensor.numel(shape) / b, es = data.dtype().byteSize();
        Tensor src = data;
        for (int i = 0; i < b; i++) {
            MemorySegment.copy(src.segment(), (src.offset() + order[(int) (start + i)] * per) * es, batch.segment(), (batch.offset() + i * per) * es, per * es);
        }
        return batch;
    }

    private static void shuffle(int[] a, Context ctx) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = ctx.random().nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
