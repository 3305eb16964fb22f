package dev.vecnn.bench.train;

import dev.vecnn.nn.Model;
import dev.vecnn.nn.Param;
import dev.vecnn.nn.loss.Loss;
import dev.vecnn.nn.optim.Optimizer;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Npy;
import dev.vecnn.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The evidence that vecnn and PyTorch run the same network, written for the PyTorch script to check
 * ({@code pytorch_train.py --check DIR}): one float64 network of the suite with its initial weights,
 * an input batch and targets, its evaluation-mode output, then one training step's loss, parameter
 * gradients and updated weights. The script loads the weights into its own network and compares each
 * of these (float64, so that only summation order separates the two).
 *
 * <pre>
 *   DIR/NAME/weights.npz   initial parameters and state (Model.save: names like 0.weight)
 *   DIR/NAME/x.npy         input (N, sample...)
 *   DIR/NAME/target.npy    targets (N, K) or class labels (N)
 *   DIR/NAME/eval.npy      output in evaluation mode
 *   DIR/NAME/loss.npy      the loss of one training step, shape (1)
 *   DIR/NAME/grad/P.npy    dLoss/dP for each parameter P of that step
 *   DIR/NAME/after.npz     parameters and state after the optimizer step
 * </pre>
 */
public final class SameNetwork {
    private SameNetwork() {
    }

    /** Samples in the check's batch. */
    static final int BATCH = 4;

    /** Writes the files for network {@code n} into {@code dir/<name>}; returns that folder. */
    public static Path write(TrainingSuite.Network n, Path dir) throws IOException {
        Path d = dir.resolve(n.name());
        Files.createDirectories(d.resolve("grad"));
        try (Execution ex = Execution.withThreads(1); Model m = n.build(DType.F64, 1, ex); Arena arena = Arena.ofShared()) {
            TrainBench.Data data = TrainBench.Data.random(arena, n, DType.F64, BATCH, 3);
            m.save(d.resolve("weights.npz"));
            Npy.write(d.resolve("x.npy"), data.x());
            Npy.write(d.resolve("target.npy"), data.y());
            Npy.write(d.resolve("eval.npy"), m.forward(data.x(), false));
            Loss loss = n.task().loss().on(m.context());
            Optimizer opt = n.optimizer().create(m);
            double l = TrainBench.step(m, loss, opt, data.x(), data.y()); // gradients stay in the params after the step
            Tensor lt = Tensor.allocate(arena, DType.F64, 1);
            lt.set(l, 0);
            Npy.write(d.resolve("loss.npy"), lt);
            for (Param p : m.params()) Npy.write(d.resolve("grad").resolve(p.name() + ".npy"), p.grad());
            m.save(d.resolve("after.npz"));
        }
        return d;
    }
}
