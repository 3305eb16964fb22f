package dev.vecnn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.nn.layer.Activation;
import dev.vecnn.nn.layer.ConvLayer;
import dev.vecnn.nn.layer.Dense;
import dev.vecnn.nn.layer.Flatten;
import dev.vecnn.nn.loss.Loss;
import dev.vecnn.nn.optim.Optimizer;
import dev.vecnn.nn.train.NonFiniteLossException;
import dev.vecnn.nn.train.Trainer;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Training does not fail silently: one NaN in the inputs or targets used to turn every weight into
 * NaN while {@code fit} returned normally. Now {@code fit} stops before the bad batch's step, naming
 * the epoch and batch, unless told to skip or continue.
 */
class NonFiniteTrainingTest {
    static Model model() {
        return Model.of(new long[] {1, 6}, DType.F32, 7, new ConvLayer(2, 3), Activation.tanh(), new Flatten(), new Dense(1));
    }

    /** 20 samples (N, 1, 6) and targets (N, 1); the sample at {@code nanAt} (if >= 0) gets a NaN in {@code x} or {@code y}. */
    static Tensor[] data(Arena a, int nanAt, boolean inTarget) {
        Tensor x = Fill.uniform(a, DType.F32, new long[] {20, 1, 6}, 1), y = Fill.uniform(a, DType.F32, new long[] {20, 1}, 2);
        if (nanAt >= 0) {
            if (inTarget) y.set(Double.NaN, nanAt, 0);
            else x.set(Double.NaN, nanAt, 0, 3);
        }
        return new Tensor[] {x, y};
    }

    static double[] weights(Model m) {
        return m.params().stream().flatMapToDouble(p -> {
            Tensor v = p.value().reshape(p.value().numel());
            return java.util.stream.LongStream.range(0, v.numel()).mapToDouble(v::get);
        }).toArray();
    }

    static Trainer trainer(Model m) {
        return new Trainer(m, Loss.mse(), Optimizer.sgd(m.context(), m.params(), 0.05, 0.9, 0)).progress(null, false);
    }

    @Test
    void oneNaNInTheInputsOrTargetsStopsTrainingNamingEpochAndBatch() {
        for (boolean inTarget : new boolean[] {false, true}) {
            try (Arena a = Arena.ofShared(); Model m = model()) {
                Tensor[] d = data(a, 13, inTarget);
                NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> trainer(m).fit(d[0], d[1], 3, 4));
                assertEquals(1, e.epoch());
                assertTrue(e.batch() >= 1 && e.batch() <= 5, "batch " + e.batch());
                assertTrue(Double.isNaN(e.loss()));
                assertTrue(e.getMessage().startsWith("loss is NaN at epoch 1, batch " + e.batch() + " (samples "), e.getMessage());
                assertTrue(Arrays.stream(weights(m)).allMatch(Double::isFinite), "the weights stay finite");
            }
        }
    }

    @Test
    void theBadBatchTakesNoStep() {
        // every target NaN: the first batch stops training before its step, so the weights are the initial ones
        try (Arena a = Arena.ofShared(); Model m = model()) {
            Tensor[] d = data(a, -1, false);
            d[1].fill(Double.POSITIVE_INFINITY);
            double[] initial = weights(m);
            NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> trainer(m).fit(d[0], d[1], 1, 8));
            assertEquals(1, e.batch());
            assertEquals(Double.POSITIVE_INFINITY, e.loss());
            assertArrayEquals(initial, weights(m), 0);
        }
    }

    @Test
    void skippingBadBatchesKeepsTheWeightsFiniteAndCountsThem() {
        try (Arena a = Arena.ofShared(); Model m = model()) {
            Tensor[] d = data(a, 5, false);
            List<Trainer.Epoch> h = trainer(m).onNonFiniteLoss(Trainer.NonFinite.SKIP_BATCH).fit(d[0], d[1], 3, 4);
            for (Trainer.Epoch e : h) {
                assertEquals(1, e.skippedBatches(), "one bad batch an epoch");
                assertEquals(16, e.samples(), "the 4 samples of the skipped batch are not counted");
                assertTrue(Double.isFinite(e.loss()));
            }
            assertTrue(Arrays.stream(weights(m)).allMatch(Double::isFinite));
        }
    }

    @Test
    void continuingIsTheOldBehaviourOnRequest() {
        try (Arena a = Arena.ofShared(); Model m = model()) {
            Tensor[] d = data(a, 5, true);
            List<Trainer.Epoch> h = trainer(m).onNonFiniteLoss(Trainer.NonFinite.CONTINUE).fit(d[0], d[1], 2, 4);
            assertTrue(Double.isNaN(h.get(1).loss()));
            assertTrue(Arrays.stream(weights(m)).anyMatch(Double::isNaN), "the NaN reached the weights");
        }
    }

    @Test
    void evaluationReportsANonFiniteMeanWithoutThrowing() {
        try (Arena a = Arena.ofShared(); Model m = model()) {
            Tensor[] d = data(a, 5, false);
            assertTrue(Double.isNaN(trainer(m).evaluate(d[0], d[1], 4).loss()));
        }
    }
}
