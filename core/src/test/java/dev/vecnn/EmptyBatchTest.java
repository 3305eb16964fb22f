package dev.vecnn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecnn.conv.Conv;
import dev.vecnn.conv.ConvImpl;
import dev.vecnn.conv.ConvPass;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.parallel.Execution;
import dev.vecnn.pool.Pool;
import dev.vecnn.pool.PoolImpl;
import dev.vecnn.ref.ReferenceConv;
import dev.vecnn.ref.ReferencePool;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A batch of 0 (the last slice of a split) is a valid problem, as in PyTorch: every pass of every
 * implementation runs on empty inputs and outputs; the weight and bias gradients are sums of no
 * terms, so zero (PyTorch 1.13: {@code conv(torch.zeros(0, 2, 5, 5)).sum().backward()} leaves zero
 * gradients).
 */
class EmptyBatchTest {
    static final Execution EX = Execution.withThreads(2);

    @AfterAll
    static void close() {
        EX.close();
    }

    static final List<String> CONVS = List.of("mb0ic2ih5oc3kh3", "mb0ic8ih5oc8kh3ph1g8", "mb0ic3ih9oc2kh3sh2_reflect",
            "mb0ic4oc6_i3x4x5_k2x2x2_transposed", "mb0ic2iw7oc3kw3_bias0");

    @Test
    void everyConvolutionPassOfEveryImplementationRunsOnAnEmptyBatch() {
        for (String text : CONVS) {
            ConvSpec s = ConvSpec.parse(text);
            assertEquals(0, s.batch());
            assertEquals(s, ConvSpec.parse(s.toString()), "text round trip");
            for (DType t : new DType[] {DType.F32, DType.F64}) {
                for (ConvPass pass : ConvPass.values()) {
                    for (ConvImpl impl : Conv.implementations(pass)) {
                        if (!impl.supports(pass, s)) continue;
                        try (Arena a = Arena.ofShared()) {
                            Tensor x = Tensor.allocate(a, t, s.inputShape()), y = Tensor.allocate(a, t, s.outputShape());
                            Tensor w = Fill.uniform(a, t, s.weightShape(), 1);
                            Tensor b = s.hasBias() ? Fill.uniform(a, t, s.biasShape(), 2) : null;
                            String what = impl + " " + pass + " " + t.shortName() + " " + s;
                            assertEquals(0, x.numel(), what);
                            switch (pass) {
                                case FORWARD -> impl.forward(s, x, w, b, y, Epilogue.NONE, EX);
                                case BACKWARD_DATA -> impl.backwardData(s, y, w, x, EX);
                                case BACKWARD_WEIGHTS -> {
                                    Tensor gw = Tensor.allocate(a, t, s.weightShape());
                                    gw.fill(Double.NaN);
                                    impl.backwardWeights(s, x, y, gw, EX);
                                    Fill.forEach(gw, i -> assertEquals(0.0, gw.get(i), what));
                                }
                            }
                        }
                    }
                }
                try (Arena a = Arena.ofConfined()) {
                    Tensor x = Tensor.allocate(a, t, s.inputShape()), gy = Tensor.allocate(a, t, s.outputShape());
                    Tensor w = Fill.uniform(a, t, s.weightShape(), 1), gw = Tensor.allocate(a, t, s.weightShape());
                    gw.fill(Double.NaN);
                    ReferenceConv.forward(s, x, w, s.hasBias() ? Fill.uniform(a, t, s.biasShape(), 2) : null, gy);
                    ReferenceConv.backwardData(s, gy, w, x);
                    ReferenceConv.backwardWeights(s, x, gy, gw);
                    Fill.forEach(gw, i -> assertEquals(0.0, gw.get(i), "reference gw " + s));
                    if (s.hasBias()) {
                        for (boolean reference : new boolean[] {false, true}) {
                            Tensor gb = Tensor.allocate(a, t, s.biasShape());
                            gb.fill(Double.NaN);
                            if (reference) ReferenceConv.backwardBias(s, gy, gb);
                            else Conv.backwardBias(s, gy, gb);
                            Fill.forEach(gb, i -> assertEquals(0.0, gb.get(i), "gb " + s));
                        }
                    }
                }
            }
        }
    }

    @Test
    void everyPoolingPassOfEveryImplementationRunsOnAnEmptyBatch() {
        for (String text : List.of("maxpool_mb0ic3ih8kh2", "avgpool_mb0ic3_i5x6_k3x2_ceil", "globalavgpool_mb0ic5ih7",
                "adaptivemaxpool_mb0ic2_i5x7_o2x3")) {
            PoolSpec s = PoolSpec.parse(text);
            assertEquals(0, s.batch());
            assertEquals(s, PoolSpec.parse(s.toString()), "text round trip");
            for (DType t : new DType[] {DType.F32, DType.F64}) {
                for (PoolImpl impl : Pool.implementations()) {
                    try (Arena a = Arena.ofShared()) {
                        Tensor x = Tensor.allocate(a, t, s.inputShape()), y = Tensor.allocateChannelsLast(a, t, s.outputShape());
                        Tensor idx = s.kind().isMax() ? Tensor.allocate(a, DType.I64, s.outputShape()) : null;
                        impl.forward(s, x, y, idx, EX);
                        impl.backward(s, x, idx, y, Tensor.allocate(a, t, s.inputShape()), EX);
                        impl.backward(s, x, null, y, Tensor.allocate(a, t, s.inputShape()), EX);
                        ReferencePool.forward(s, x, y, idx);
                        ReferencePool.backward(s, x, idx, y, Tensor.allocate(a, t, s.inputShape()));
                        assertEquals(0, y.numel(), impl + " " + s);
                    }
                }
            }
        }
    }
}
