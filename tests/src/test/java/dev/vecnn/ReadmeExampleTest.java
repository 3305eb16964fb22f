package dev.vecnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecnn.nn.Model;
import dev.vecnn.nn.layer.Activation;
import dev.vecnn.nn.layer.ConvLayer;
import dev.vecnn.nn.layer.Dense;
import dev.vecnn.nn.layer.Flatten;
import dev.vecnn.nn.layer.PoolLayer;
import dev.vecnn.nn.loss.Loss;
import dev.vecnn.nn.optim.Optimizer;
import dev.vecnn.nn.train.Trainer;
import dev.vecnn.ref.ReferenceConv;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Npy;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's tour, as written there (the output file goes to a temporary folder). */
class ReadmeExampleTest {
    @Test
    void tourRunsAsWritten(@TempDir Path dir) throws Exception {
        ConvSpec spec = ConvSpec.builder()
                .batch(4).inChannels(1).outChannels(8)
                .input(16, 16, 200)
                .kernel(3, 3, 9).paddingSame()
                .build();
        assertEquals("mb4ic1id16ih16iw200oc8od16oh16ow200kd3kh3kw9pd1ph1pw4", spec.toString());
        assertEquals(656, spec.parameterCount());

        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.allocate(arena, DType.F32, spec.inputShape());
            Tensor w = Tensor.allocate(arena, DType.F32, spec.weightShape());
            Tensor b = Tensor.allocate(arena, DType.F32, spec.biasShape());
            Tensor y = Tensor.allocate(arena, DType.F32, spec.outputShape());
            x.fill(1);
            w.fill(0.5);
            ReferenceConv.forward(spec, x, w, b, y);
            Npy.write(dir.resolve("y.npy"), y);

            assertArrayEquals(new long[] {4, 8, 16, 16, 200}, y.shape());
            assertEquals(0.5 * 81, y.get(0, 0, 5, 5, 100)); // interior: all 3*3*9 taps read a 1
            assertEquals(0.5 * 2 * 2 * 5, y.get(3, 7, 0, 0, 0)); // corner: 2*2*5 taps inside
            Tensor back = Npy.read(dir.resolve("y.npy"), arena);
            assertEquals(y.get(1, 2, 3, 4, 5), back.get(1, 2, 3, 4, 5));
        }
    }

    @Test
    void networkTourRunsAsWritten(@TempDir Path dir) throws Exception {
        try (Model model = Model.of(new long[] {1, 16, 16, 200}, DType.F32, 42,  // sample (C, x, y, t), dtype, seed
                new ConvLayer(8, 3, 3, 9).paddingSame(), Activation.relu(),
                PoolLayer.max(2, 2, 4),
                new ConvLayer(16, 3, 3, 5).paddingSame(), Activation.relu(),
                PoolLayer.globalAvg(), new Flatten(), new Dense(2))) {
            System.out.println(model.summary());  // shapes, parameters, receptive fields, dense comparison
            Trainer trainer = new Trainer(model, Loss.mse(), Optimizer.adamW(model.context(), model.params(), 1e-3, 1e-4));
            model.save(dir.resolve("weights.npz"));

            assertArrayEquals(new long[] {2}, model.outputShape());
            // 1*3*3*9*8 + 8 = 656; 8*3*3*5*16 + 16 = 5776; 16*2 + 2 = 34
            assertEquals(656 + 5776 + 34, model.parameterCount());
            var rows = model.summary().rows();
            assertArrayEquals(new long[] {8, 8, 8, 50}, rows.get(2).outputShape());
            assertArrayEquals(new double[] {4 + 2 * 2, 4 + 2 * 2, 12 + 4 * 4}, rows.get(4).receptive()); // pool: 4x4x12, jump 2x2x4
            assertEquals(16 * 16 * 200 + 1, rows.get(0).denseNeuron());
            trainer.evaluate(model.context().allocate(2, 1, 16, 16, 200), model.context().allocate(2, 2), 2);
        }
    }
}
