package dev.vecnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.nn.Graph;
import dev.vecnn.nn.Model;
import dev.vecnn.nn.layer.Arithmetic;
import dev.vecnn.nn.onnx.OnnxExport;
import dev.vecnn.nn.onnx.OnnxImport;
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

    @Test
    void graphExampleRunsAsWritten() {
        Graph g = new Graph();
        Graph.Node x = g.input("image", 3, 32, 32);
        Graph.Node h = g.add("conv", new ConvLayer(3, 3, 3).padding(1, 1), x);
        Graph.Node r = g.add("skip", Arithmetic.add(), g.add("act", Activation.relu(), h), x);  // x fans out
        g.output("logits", g.add("head", new Dense(10), g.add("flat", new Flatten(), r)));
        try (Model m = Model.of(g, DType.F32, 42)) {  // forward(Map) / backward(Map) by name; one-input forms too
            System.out.println(m.summary());           // receptive fields along every path (the widest where paths meet)

            assertEquals(3 * 27 + 3 + 3072 * 10 + 10, m.parameterCount());
            assertArrayEquals(new double[] {3, 3}, m.summary().rows().get(2).receptive()); // the skip: the conv path is the widest
        }
    }

    @Test
    void pyTorchToVecnnInThreeLines(@TempDir Path dir) throws Exception {
        // net.onnx: the committed fixture written by tests/onnx/generate_onnx.py (a small CNN, 3 classes)
        java.nio.file.Files.copy(Path.of(ReadmeExampleTest.class.getResource("/onnx/finetune.onnx").toURI()), dir.resolve("net.onnx"));
        try (Arena arena = Arena.ofShared()) {
            Tensor images = Npy.read(Path.of(ReadmeExampleTest.class.getResource("/onnx/finetune.x.npy").toURI()), arena);
            Tensor labels = Tensor.allocate(arena, DType.F32, images.size(0));
            for (long i = 0; i < labels.numel(); i++) labels.set(i % 3, i);
            double before, after;

            try (Model net = OnnxImport.load(dir.resolve("net.onnx"))) {                 // a trainable vecnn graph
                Tensor y = net.forward(images, false);                               // predict: images (N, 3, H, W)
                before = new Trainer(net, Loss.softmaxCrossEntropy(), Optimizer.adamW(net.context(), net.params(), 1e-4, 0))
                        .progress(null, false).evaluate(images, labels, 4).loss();
                assertArrayEquals(new long[] {4, 3}, y.shape());
                new Trainer(net, Loss.softmaxCrossEntropy(), Optimizer.adamW(net.context(), net.params(), 1e-2, 0))
                        .fit(images, labels, 20, 4);                                 // fine-tune: 20 epochs, batches of 4
                after = new Trainer(net, Loss.softmaxCrossEntropy(), Optimizer.adamW(net.context(), net.params(), 1e-4, 0))
                        .progress(null, false).evaluate(images, labels, 4).loss();
                OnnxExport.write(net, dir.resolve("tuned.onnx"));                        // back to any ONNX runtime
            }
            assertTrue(after < 0.5 * before, "loss " + before + " -> " + after);
            try (Model tuned = OnnxImport.load(dir.resolve("tuned.onnx"))) {
                assertEquals(after, new Trainer(tuned, Loss.softmaxCrossEntropy(), Optimizer.sgd(tuned.context(), tuned.params(), 0, 0, 0))
                        .progress(null, false).evaluate(images, labels, 4).loss(), 1e-5 * Math.max(1, after));
            }
        }
    }
}
