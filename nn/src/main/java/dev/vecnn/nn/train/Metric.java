package dev.vecnn.nn.train;

import dev.vecnn.tensor.Tensor;

/** A per-sample quantity summed over a batch, averaged by the trainer over an epoch. */
public interface Metric {
    /** Short name for the progress line. */
    String name();

    /** The sum over the batch's samples. */
    double sum(Tensor prediction, Tensor target);

    /**
     * Classification accuracy: for (N, K) logits with K > 1 the argmax against class indices (N); for
     * (N, 1) or (N) single logits, {@code logit > 0} against targets 0 or 1.
     */
    static Metric accuracy() {
        return new Metric() {
            @Override
            public String name() {
                return "acc";
            }

            @Override
            public double sum(Tensor p, Tensor t) {
                long n = p.size(0), k = p.rank() == 2 ? p.size(1) : 1;
                double hits = 0;
                for (long i = 0; i < n; i++) {
                    if (k > 1) {
                        long best = 0;
                        for (long c = 1; c < k; c++) if (p.get(i, c) > p.get(i, best)) best = c;
                        hits += best == (long) t.get(i) ? 1 : 0;
                    } else {
                        double logit = p.rank() == 2 ? p.get(i, 0) : p.get(i);
                        double target = t.rank() == 2 ? t.get(i, 0) : t.get(i);
                        hits += (logit > 0) == (target > 0.5) ? 1 : 0;
                    }
                }
                return hits;
            }
        };
    }
}
