package dev.vecnn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.nn.layer.Activation;
import dev.vecnn.nn.layer.BatchNorm;
import dev.vecnn.nn.layer.ConvLayer;
import dev.vecnn.nn.layer.Dense;
import dev.vecnn.nn.layer.Dropout;
import dev.vecnn.nn.layer.Flatten;
import dev.vecnn.nn.layer.PoolLayer;
import dev.vecnn.nn.layer.Residual;
import dev.vecnn.nn.layer.Sequential;
import dev.vecnn.nn.layer.Softmax;
import dev.vecnn.nn.loss.Loss;
import dev.vecnn.nn.optim.Optimizer;
import dev.vecnn.nn.train.Trainer;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A batch of 0 samples (the last slice of a split) runs through every layer, forward and backward, as
 * in PyTorch 1.13: empty outputs, zero parameter gradients, batch normalisation's running statistics
 * unchanged; losses of an empty batch are NaN with an empty gradient; a trainer given no samples
 * takes no step.
 */
class EmptyBatchLayersTest {

    static Model everyLayer(DType t) {
        return Model.of(new long[] {2, 8, 8}, t, 3,
                new ConvLayer(4, 3, 3).padding(1, 1), new BatchNorm(), Activation.relu(),
                new Residual(new Sequential(new ConvLayer(4, 3, 3).paddingSame(), Activation.gelu())),
                new ConvLayer(4, 1, 1).groups(4), PoolLayer.max(2, 2), PoolLayer.avg(2, 2).ceilMode(true),
                new ConvLayer(3, 2, 2).stride(2, 2).transposed(), PoolLayer.adaptiveMax(2, 3), PoolLayer.globalAvg(),
                new Flatten(), new Dropout(0.3), new Dense(5), Activation.sigmoid(), new Softmax(), new Dense(3));
    }

    @Test
    void everyLayerRunsAnEmptyBatchForwardAndBackward() {
        for (DType t : new DType[] {DType.F32, DType.F64}) {
            for (boolean training : new boolean[] {true, false}) {
                try (Arena a = Arena.ofShared(); Model m = everyLayer(t)) {
                    List<Param> state = m.state();
                    double[] statsBefore = state.stream().flatMapToDouble(p -> java.util.stream.LongStream.range(0, p.value().numel())
                            .mapToDouble(i -> p.value().get(i))).toArray();
                    Tensor y = m.forward(Tensor.allocate(a, t, 0, 2, 8, 8), training);
                    assertArrayEquals(new long[] {0, 3}, y.shape());
                    for (Param p : m.params()) p.grad().fill(Double.NaN);
                    Tensor gx = m.backward(Tensor.allocate(a, t, 0, 3));
                    assertArrayEquals(new long[] {0, 2, 8, 8}, gx.shape());
                    for (Param p : m.params()) {
                        Fill.forEach(p.grad(), i -> assertEquals(0.0, p.grad().get(i), p.name() + " gradient, training " + training));
                    }
                    double[] statsAfter = state.stream().flatMapToDouble(p -> java.util.stream.LongStream.range(0, p.value().numel())
                            .mapToDouble(i -> p.value().get(i))).toArray();
                    assertArrayEquals(statsBefore, statsAfter, 0, "running statistics unchanged");
                    // and the model still works on a real batch afterwards
                    Tensor y2 = m.forward(Fill.uniform(a, t, new long[] {2, 2, 8, 8}, 1), training);
                    Fill.forEach(y2, i -> assertTrue(Double.isFinite(y2.get(i))));
                }
            }
        }
    }

    @Test
    void lossesOfAnEmptyBatchAreNaNWithAnEmptyGradientAsPyTorch() {
        try (Arena a = Arena.ofShared(); Model m = Model.of(new long[] {3}, DType.F32, 1, new Dense(2))) {
            Loss[] losses = {Loss.mse(), Loss.bceWithLogits()};
            for (Loss l : losses) {
                l.on(m.context());
                assertTrue(Double.isNaN(l.forward(Tensor.allocate(a, DType.F32, 0, 2), Tensor.allocate(a, DType.F32, 0, 2))));
                assertArrayEquals(new long[] {0, 2}, l.backward().shape());
            }
            Loss ce = Loss.softmaxCrossEntropy().on(m.context());
            assertTrue(Double.isNaN(ce.forward(Tensor.allocate(a, DType.F32, 0, 2), Tensor.allocate(a, DType.F32, 0))));
            assertArrayEquals(new long[] {0, 2}, ce.backward().shape());
        }
    }

    @Test
    void aTrainerGivenNoSamplesTakesNoStep() {
        try (Arena a = Arena.ofShared(); Model m = Model.of(new long[] {3}, DType.F32, 1, new Dense(2))) {
            double w = m.params().get(0).value().get(0, 0);
            Trainer t = new Trainer(m, Loss.mse(), Optimizer.adam(m.context(), m.params(), 0.1, 0)).progress(null, false);
            List<Trainer.Epoch> h = t.fit(Tensor.allocate(a, DType.F32, 0, 3), Tensor.allocate(a, DType.F32, 0, 2), 2, 4);
            assertEquals(2, h.size());
            assertEquals(0, h.get(0).samples());
            assertTrue(Double.isNaN(h.get(0).loss()), "the mean over no samples");
            assertEquals(w, m.params().get(0).value().get(0, 0), 0);
        }
    }
}
