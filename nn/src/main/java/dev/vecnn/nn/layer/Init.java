package dev.vecnn.nn.layer;

import dev.vecnn.tensor.Tensor;
import java.util.SplittableRandom;

/** Weight initialisers, drawn from the model's seeded generator so that runs repeat exactly. */
public enum Init {
    /** He (Kaiming) normal: N(0, 2 / fan_in), for layers followed by ReLU. */
    HE,
    /** Glorot (Xavier) uniform: U(-a, a), a = sqrt(6 / (fan_in + fan_out)), for tanh and sigmoid. */
    GLOROT;

    /** Fills {@code w} (contiguous) with draws for the given fans. */
    public void fill(Tensor w, long fanIn, long fanOut, SplittableRandom random) {
        Tensor flat = w.reshape(w.numel());
        double std = Math.sqrt(2.0 / fanIn), a = Math.sqrt(6.0 / (fanIn + fanOut));
        for (long i = 0; i < flat.numel(); i++) {
            double v = this == HE ? std * gaussian(random) : random.nextDouble(-a, a);
            flat.set(v, i);
        }
    }

    private static double gaussian(SplittableRandom r) {
        // Box-Muller from two uniforms: the same sequence on every JVM (nextGaussian's algorithm may change)
        double u = 1 - r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
