package dev.vecnn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.nn.layer.Activation;
import dev.vecnn.nn.layer.BatchNorm;
import dev.vecnn.nn.layer.ConvLayer;
import dev.vecnn.nn.layer.Dense;
import dev.vecnn.nn.layer.Dropout;
import dev.vecnn.nn.layer.Flatten;
import dev.vecnn.nn.layer.PoolLayer;
import dev.vecnn.nn.loss.Loss;
import dev.vecnn.nn.optim.Optimizer;
import dev.vecnn.nn.train.Trainer;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Training mechanics: allocation after warm-up, optimizer arithmetic, dropout, batch statistics, errors. */
class TrainingTest {
    @Test
    void aTrainingStepAllocatesNoTensorsAfterTheFirstEpoch() {
        try (Arena a = Arena.ofShared(); Model m = Model.of(new long[] {1, 8, 8}, DType.F32, 3,
                new ConvLayer(4, 3, 3).padding(1, 1), new BatchNorm(), Activation.relu(), PoolLayer.max(2, 2), new Dropout(0.2),
                new Flatten(), new Dense(3))) {
            Tensor x = Fill.uniform(a, DType.F32, new long[] {70, 1, 8, 8}, 1);
            Tensor y = Tensor.allocate(a, DType.F32, 70);
            for (int i = 0; i < 70; i++) y.set(i % 3, i);
            Trainer t = new Trainer(m, Loss.softmaxCrossEntropy(), Optimizer.adamW(m.context(), m.params(), 1e-3, 1e-2)).progress(null, false);
            t.fit(x, y, 1, 32); // batches of 32, 32 and 6: every shape seen
            long after = m.context().allocations();
            t.fit(x, y, 2, 32);
            assertEquals(after, m.context().allocations());
        }
    }

    static Param scalar(Context ctx, double value, double grad, boolean decay) {
        Param p = new Param("w", ctx.allocate(1), ctx.allocate(1), decay);
        p.value().set(value, 0);
        p.grad().set(grad, 0);
        return p;
    }

    @Test
    void optimizerStepsMatchHandArithmetic() {
        try (Context ctx = new Context(DType.F64, Execution.defaults(), 1)) {
            Param p = scalar(ctx, 1, 0.5, true);
            Optimizer sgd = Optimizer.sgd(ctx, List.of(p), 0.1, 0.9, 0.01);
            sgd.step(); // g' = 0.5 + 0.01*1 = 0.51, v = 0.51, w = 1 - 0.051
            assertEquals(0.949, p.value().get(0), 1e-15);
            sgd.step(); // g' = 0.5 + 0.00949, v = 0.9*0.51 + 0.50949 = 0.96849, w = 0.949 - 0.096849
            assertEquals(0.852151, p.value().get(0), 1e-15);

            Param q = scalar(ctx, 1, 0.5, true);
            Optimizer.adam(ctx, List.of(q), 0.1, 0).step(); // m^ = 0.5, v^ = 0.25: w = 1 - 0.1 * 0.5 / (0.5 + 1e-8)
            assertEquals(1 - 0.1 * 0.5 / (0.5 + 1e-8), q.value().get(0), 1e-15);

            Param r = scalar(ctx, 1, 0.5, true);
            Optimizer.adamW(ctx, List.of(r), 0.1, 0.1).step(); // decoupled: w = 1 - 0.1*0.1*1 = 0.99, then the Adam step
            assertEquals(0.99 - 0.1 * 0.5 / (0.5 + 1e-8), r.value().get(0), 1e-15);

            Param b = scalar(ctx, 1, 0.5, false); // a bias: no decay
            Optimizer.sgd(ctx, List.of(b), 0.1, 0, 0.5).step();
            assertEquals(0.95, b.value().get(0), 1e-15);
        }
    }

    @Test
    void dropoutScalesKeptElementsAndIsTheIdentityInEvaluation() {
        try (Arena a = Arena.ofShared(); Model m = Model.of(new long[] {1000}, DType.F64, 5, new Dropout(0.25))) {
            Tensor x = m.context().allocate(2, 1000);
            x.fill(2);
            Tensor y = m.forward(x, true);
            long zeros = 0;
            for (long i = 0; i < 2000; i++) {
                double v = y.get(i / 1000, i % 1000);
                assertTrue(v == 0 || v == 2 / 0.75, "value " + v);
                if (v == 0) zeros++;
            }
            // 2000 Bernoulli(0.25) draws: mean 500, sd 19.4; a 5 sd band
            assertTrue(Math.abs(zeros - 500) < 100, "dropped " + zeros);
            Tensor gy = m.context().allocate(2, 1000);
            gy.fill(1);
            Tensor gx = m.backward(gy);
            for (long i = 0; i < 2000; i++) assertEquals(y.get(i / 1000, i % 1000) / 2, gx.get(i / 1000, i % 1000));
            assertEquals(x, m.forward(x, false));
        }
    }

    @Test
    void batchNormUpdatesRunningStatisticsAndUsesThemInEvaluation() {
        try (Model m = Model.of(new long[] {1}, DType.F64, 1, new BatchNorm())) {
            Tensor x = m.context().allocate(4, 1);
            for (int i = 0; i < 4; i++) x.set(i, i, 0); // mean 1.5, biased var 1.25, unbiased 5/3
            m.forward(x, true);
            assertEquals(0.15, m.state().get(0).value().get(0), 1e-15);
            assertEquals(0.9 + 0.1 * 5 / 3.0, m.state().get(1).value().get(0), 1e-15);
            Tensor y = m.forward(x, false);
            assertEquals((3 - 0.15) / Math.sqrt(0.9 + 0.1 * 5 / 3.0 + 1e-5), y.get(3, 0), 1e-12);
        }
    }

    @Test
    void inputsOfTheWrongShapeAreRejectedByName() {
        try (Model m = Model.of(new long[] {3, 8, 8}, DType.F32, 1, new ConvLayer(2, 3, 3))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.forward(m.context().allocate(2, 3, 8, 9), false));
            assertTrue(e.getMessage().startsWith("x: input dimension 3 is 9, expected 8"), e.getMessage());
            IllegalArgumentException r = assertThrows(IllegalArgumentException.class, () -> m.forward(m.context().allocate(2, 3, 8), false));
            assertTrue(r.getMessage().startsWith("x: input rank 3"), r.getMessage());
        }
        IllegalArgumentException dense = assertThrows(IllegalArgumentException.class,
                () -> Model.of(new long[] {3, 8}, DType.F32, 1, new Dense(2)));
        assertTrue(dense.getMessage().contains("put a Flatten before it"), dense.getMessage());
    }

    @Test
    void trainingIsReproducibleFromTheSeed() {
        double[] losses = new double[2];
        for (int run = 0; run < 2; run++) {
            try (Arena a = Arena.ofShared(); Model m = Model.of(new long[] {4}, DType.F64, 9, new Dense(8), Activation.tanh(), new Dropout(0.1), new Dense(1))) {
                Tensor x = Fill.uniform(a, DType.F64, new long[] {64, 4}, 2);
                Tensor y = Fill.uniform(a, DType.F64, new long[] {64, 1}, 3);
                losses[run] = new Trainer(m, Loss.mse(), Optimizer.sgd(m.context(), m.params(), 0.05, 0.9, 0)).progress(null, false)
                        .fit(x, y, 3, 16).get(2).loss();
            }
        }
        assertEquals(losses[0], losses[1]);
    }
}
