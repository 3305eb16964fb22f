package dev.vecnn.portable;

import dev.vecnn.conv.Conv;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.Backend;
import dev.vecnn.nn.Model;
import dev.vecnn.nn.layer.Activation;
import dev.vecnn.nn.layer.ConvLayer;
import dev.vecnn.nn.layer.Dense;
import dev.vecnn.nn.layer.Flatten;
import dev.vecnn.nn.layer.PoolLayer;
import dev.vecnn.nn.loss.Loss;
import dev.vecnn.nn.optim.Optimizer;
import dev.vecnn.nn.train.Trainer;
import dev.vecnn.parallel.Execution;
import dev.vecnn.pool.Pool;
import dev.vecnn.ref.ReferenceConv;
import dev.vecnn.ref.ReferencePool;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import dev.vecnn.testing.Tolerance;
import java.lang.foreign.Arena;
import java.util.List;

/**
 * A user's program on the main API, started by {@link WithoutVectorModuleTest} in a JVM without
 * {@code --add-modules=jdk.incubator.vector}: convolutions (every pass, float32 and float64, direct,
 * strided, grouped, transposed, padding modes), pooling (forward with indices, backward) and a small
 * {@code nn} training run, each compared with the reference kernels. Exits non-zero on any mismatch.
 */
public final class WithoutVectorModule {
    private WithoutVectorModule() {
    }

    static final List<String> CONV = List.of("mb2ic3ih9iw11oc5oh9ow11kh3kw3ph1pw1", "g4mb1ic8ih12oc8oh6kh3sh2ph1",
            "mb1ic4_i6x5x4_oc6_k3x2x3_p1x1x1_reflect", "mb2ic3iw17oc4ow34kw4sw2pw1_transposed");
    static final List<String> POOL = List.of("maxpool_mb2ic3ih10oh5kh3sh2ph1", "avgpool_mb2ic3_i9x10_o5x5_k2x3_s2x2_p1x1_excludepad",
            "adaptivemaxpool_mb1ic2_i7x9_o3x4");

    public static void main(String[] args) throws Exception {
        System.out.println(Backend.describe());
        if (Backend.isVector()) throw new AssertionError("expected the portable backend, got " + Backend.describe());
        Conv.implementation("portable"); // by name too
        int checks = 0;
        try (Arena a = Arena.ofShared(); Execution two = Execution.withThreads(2)) {
            for (DType t : new DType[] {DType.F32, DType.F64}) {
                for (String text : CONV) checks += conv(a, ConvSpec.parse(text), t, two);
                for (String text : POOL) checks += pool(a, PoolSpec.parse(text), t);
            }
            checks += train();
        }
        System.out.println("portable backend: " + checks + " results match the reference");
    }

    /** Forward (default execution and two threads), backward-data, backward-weights and backward-bias against the reference. */
    private static int conv(Arena a, ConvSpec s, DType t, Execution two) {
        Tensor x = Fill.uniform(a, t, s.inputShape(), 1), w = Fill.uniform(a, t, s.weightShape(), 2);
        Tensor b = s.hasBias() ? Fill.uniform(a, t, s.biasShape(), 3) : null, gy = Fill.uniform(a, t, s.outputShape(), 4);
        double factor = Tolerance.gamma(height(s), t);
        String what = s + " " + t.shortName() + ", " + Conv.choose(dev.vecnn.conv.ConvPass.FORWARD, s);

        Tensor ref = Tensor.allocate(a, DType.F64, s.outputShape()), mag = Tensor.allocate(a, DType.F64, s.outputShape());
        ReferenceConv.forward(s, x.to(a, DType.F64), w.to(a, DType.F64), b == null ? null : b.to(a, DType.F64), ref);
        ReferenceConv.forward(s, Fill.abs(a, x), Fill.abs(a, w), b == null ? null : Fill.abs(a, b), mag);
        Tensor y = Tensor.allocate(a, t, s.outputShape()), y2 = Tensor.allocate(a, t, s.outputShape());
        Conv.forward(s, x, w, b, y);
        Conv.forward(s, x, w, b, y2, Epilogue.NONE, two);
        Tolerance.assertClose(y, ref, mag, factor, "forward " + what);
        Tolerance.assertIdentical(y2, y, "forward, 2 threads " + what);

        ref = Tensor.allocate(a, DType.F64, s.inputShape());
        mag = Tensor.allocate(a, DType.F64, s.inputShape());
        ReferenceConv.backwardData(s, gy.to(a, DType.F64), w.to(a, DType.F64), ref);
        ReferenceConv.backwardData(s, Fill.abs(a, gy), Fill.abs(a, w), mag);
        Tensor gx = Tensor.allocate(a, t, s.inputShape());
        Conv.backwardData(s, gy, w, gx);
        Tolerance.assertClose(gx, ref, mag, factor, "backward data " + what);

        ref = Tensor.allocate(a, DType.F64, s.weightShape());
        mag = Tensor.allocate(a, DType.F64, s.weightShape());
        ReferenceConv.backwardWeights(s, x.to(a, DType.F64), gy.to(a, DType.F64), ref);
        ReferenceConv.backwardWeights(s, Fill.abs(a, x), Fill.abs(a, gy), mag);
        Tensor gw = Tensor.allocate(a, t, s.weightShape());
        Conv.backwardWeights(s, x, gy, gw);
        Tolerance.assertClose(gw, ref, mag, factor, "backward weights " + what);

        if (s.hasBias()) {
            Tensor gb = Tensor.allocate(a, t, s.biasShape()), gbRef = Tensor.allocate(a, DType.F64, s.biasShape());
            Tensor gbMag = Tensor.allocate(a, DType.F64, s.biasShape());
            Conv.backwardBias(s, gy, gb);
            ReferenceConv.backwardBias(s, gy.to(a, DType.F64), gbRef);
            ReferenceConv.backwardBias(s, Fill.abs(a, gy), gbMag);
            // both sum the n*plane terms in double, in different orders: gamma_f64(n*plane) * sum|terms|, then the store
            long terms = Tensor.numel(s.outputShape()) / s.outChannels();
            Tolerance.assertClose(gb, gbRef, gbMag, Tolerance.gamma(terms, DType.F64), "backward bias " + what);
        }
        return 4;
    }

    /** A bound on the height of the summation tree of any pass of {@code s} (as in core's ConvImplsTest). */
    private static long height(ConvSpec s) {
        long plane = 1;
        for (int d = 0; d < s.rank(); d++) plane *= Math.max(s.inputSize(d), s.outputSize(d)) + 2L * s.window().effectiveKernel(d);
        return (s.inChannels() + s.outChannels()) * s.window().taps() + s.batch() * (plane + 256) + 4L * s.rank() + 4;
    }

    /** Forward with indices (max: bit for bit, as the reference) and backward against the reference. */
    private static int pool(Arena a, PoolSpec s, DType t) {
        Tensor x = Fill.uniform(a, t, s.inputShape(), 5), gy = Fill.uniform(a, t, s.outputShape(), 6);
        String what = s + " " + t.shortName() + ", " + Pool.choose(s);
        Tensor y = Tensor.allocate(a, t, s.outputShape()), ref = Tensor.allocate(a, t, s.outputShape());
        Tensor idx = s.kind().isMax() ? Tensor.allocate(a, DType.I64, s.outputShape()) : null;
        Tensor refIdx = s.kind().isMax() ? Tensor.allocate(a, DType.I64, s.outputShape()) : null;
        Pool.forward(s, x, y, idx);
        ReferencePool.forward(s, x, ref, refIdx);
        long taps = 1, outPlane = 1;
        for (int d = 0; d < s.rank(); d++) {
            taps *= s.kind().isWindowed() ? s.window().kernel(d) : s.inputSize(d);
            outPlane *= s.outputSize(d);
        }
        if (s.kind().isMax()) {
            Tolerance.assertIdentical(y, ref, "pool forward " + what);
            Tolerance.assertIdentical(idx, refIdx, "pool indices " + what);
        } else {
            Tensor mag = Tensor.allocate(a, DType.F64, s.outputShape());
            ReferencePool.forward(s, Fill.abs(a, x), mag, null);
            Tolerance.assertClose(y, ref, mag, Tolerance.gamma(taps + 1, t), "pool forward " + what);
        }
        Tensor gx = Tensor.allocate(a, t, s.inputShape()), gxRef = Tensor.allocate(a, DType.F64, s.inputShape());
        Tensor mag = Tensor.allocate(a, DType.F64, s.inputShape());
        Pool.backward(s, x, idx, gy, gx);
        ReferencePool.backward(s, x.to(a, DType.F64), refIdx, gy.to(a, DType.F64), gxRef);
        ReferencePool.backward(s, x.to(a, DType.F64), refIdx, Fill.abs(a, gy), mag);
        Tolerance.assertClose(gx, gxRef, mag, Tolerance.gamma(outPlane + 2, t), "pool backward " + what);
        return 2;
    }

    /** The nn module on the portable kernels: a small network trains (its loss falls) without the flag. */
    private static int train() {
        try (Model model = Model.of(new long[] {1, 8, 8}, DType.F32, 7, new ConvLayer(4, 3, 3).paddingSame(), Activation.relu(),
                PoolLayer.max(2, 2), new Flatten(), new Dense(1))) {
            Tensor xs = model.context().allocate(64, 1, 8, 8), ys = model.context().allocate(64, 1);
            Fill.uniform(xs, 11);
            for (int i = 0; i < 64; i++) ys.set(xs.get(i, 0, 3, 4) > 0 ? 1 : -1, i, 0); // learnable from one pixel
            Trainer trainer = new Trainer(model, Loss.mse(), Optimizer.adamW(model.context(), model.params(), 1e-2, 0));
            trainer.progress(null, false);
            var epochs = trainer.fit(xs, ys, 30, 16);
            double first = epochs.get(0).loss(), last = epochs.get(epochs.size() - 1).loss();
            if (!(last < 0.5 * first)) throw new AssertionError("nn training did not learn: loss " + first + " -> " + last);
            System.out.println("nn training on the portable kernels: loss " + first + " -> " + last);
        }
        return 1;
    }
}
