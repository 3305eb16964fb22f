package dev.vecnn.kernel.elementwise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad arguments are rejected with an exception naming the parameter, before any memory is written. */
class ElementwiseChecksTest {
    static void rejects(Class<? extends RuntimeException> type, String param, Executable call) {
        RuntimeException e = assertThrows(type, call);
        assertTrue(e.getMessage().contains(param), e.getMessage() + " should name " + param);
    }

    @Test
    void tensorsAreChecked() {
        try (Arena a = Arena.ofConfined()) {
            for (ElementwiseKernels k : List.of(ElementwiseKernels.defaults(), ElementwiseKernels.portable())) {
                Tensor x = Tensor.allocate(a, DType.F32, 2, 3, 4), y = Tensor.allocate(a, DType.F32, 2, 3, 4);
                y.fill(7);
                rejects(NullPointerException.class, "f", () -> k.activationForward(null, x, null, y));
                rejects(NullPointerException.class, "y", () -> k.activationForward(Epilogue.relu(), x, null, null));
                rejects(IllegalArgumentException.class, "y", () -> k.activationForward(Epilogue.relu(), x, null, Tensor.allocate(a, DType.F64, 2, 3, 4)));
                rejects(IllegalArgumentException.class, "y", () -> k.activationForward(Epilogue.relu(), x, null, Tensor.allocate(a, DType.F32, 2, 3, 5)));
                rejects(IllegalArgumentException.class, "x", () -> k.activationForward(Epilogue.relu(), x.permute(0, 2, 1), null,
                        Tensor.allocate(a, DType.F32, 2, 4, 3)));
                rejects(IllegalArgumentException.class, "x", () -> k.activationForward(Epilogue.relu(), Tensor.allocate(a, DType.I64, 2), null,
                        Tensor.allocate(a, DType.I64, 2)));
                rejects(IllegalArgumentException.class, "bias", () -> k.activationForward(Epilogue.relu(), x, Tensor.allocate(a, DType.F32, 4), y));
                // an output that partly overlaps its input (in place is fine)
                Tensor big = Tensor.allocate(a, DType.F32, 30);
                rejects(IllegalArgumentException.class, "y", () -> k.activationForward(Epilogue.relu(), big.slice(0, 0, 24), null, big.slice(0, 1, 25)));
                k.activationForward(Epilogue.relu(), big.slice(0, 2, 26), null, big.slice(0, 2, 26));
                rejects(IllegalArgumentException.class, "savedIsOutput", () -> k.activationBackward(Epilogue.gelu(), x, true, x, y));
                rejects(IllegalArgumentException.class, "savedIsOutput", () -> k.activationBackward(Epilogue.leakyRelu(-0.5), x, true, x, y));
                rejects(IllegalArgumentException.class, "gBias", () -> k.activationBackwardWithBias(Epilogue.relu(), x, true, y,
                        Tensor.allocate(a, DType.F32, 4)));
                rejects(IllegalArgumentException.class, "gy", () -> k.activationBackwardWithBias(Epilogue.relu(), x, true,
                        Tensor.allocate(a, DType.F32, 2, 3, 5), y, Tensor.allocate(a, DType.F32, 3), null));
                // a gBias whose 3 elements are one (stride 0): its writes would race across tasks
                Tensor one = Tensor.allocate(a, DType.F32, 1);
                rejects(IllegalArgumentException.class, "gBias", () -> k.activationBackwardWithBias(Epilogue.relu(), x, true, x, y,
                        Tensor.wrap(one.segment(), DType.F32, new long[] {3}, new long[] {0}, 0), null));
                // g partly over gy: neither in place nor apart
                rejects(IllegalArgumentException.class, "g", () -> k.activationBackwardWithBias(Epilogue.relu(), big.slice(0, 0, 24).reshape(2, 3, 4),
                        true, big.slice(0, 0, 24).reshape(2, 3, 4), big.slice(0, 1, 25).reshape(2, 3, 4), Tensor.allocate(a, DType.F32, 3), null));
                rejects(IllegalArgumentException.class, "mean", () -> k.batchNormStatistics(x, new double[2], new double[3]));
                rejects(IllegalArgumentException.class, "x", () -> k.softmaxForward(Tensor.allocate(a, DType.F32, 3), Tensor.allocate(a, DType.F32, 3)));
                rejects(IllegalArgumentException.class, "lr", () -> k.sgd(x, y, null, Double.NaN, 0, 0, true));
                rejects(NullPointerException.class, "buf", () -> k.sgd(x, y, null, 0.1, 0.9, 0, true));
                for (long i = 0; i < y.numel(); i++) assertEquals(7, y.getAt(i), "y untouched");
            }
        }
    }

    @Test
    void labelsAreCheckedBeforeAnythingIsWritten() {
        try (Arena a = Arena.ofConfined()) {
            Tensor logits = Tensor.allocate(a, DType.F64, 2, 3), grad = Tensor.allocate(a, DType.F64, 2, 3);
            grad.fill(7);
            for (double bad : new double[] {3, -1, 0.5, Double.NaN}) {
                Tensor labels = Tensor.of(new double[] {1, bad}, 2);
                rejects(IllegalArgumentException.class, "labels", () -> ElementwiseKernels.defaults().softmaxCrossEntropy(logits, labels, grad));
            }
            rejects(IllegalArgumentException.class, "labels", () -> ElementwiseKernels.portable().softmaxCrossEntropy(logits, Tensor.of(new double[] {1}, 1), grad));
            for (long i = 0; i < grad.numel(); i++) assertEquals(7, grad.getAt(i));
            // I64 labels are accepted
            double loss = ElementwiseKernels.portable().softmaxCrossEntropy(logits, Tensor.of(new long[] {0, 2}, 2), grad);
            assertEquals(Math.log(3), loss, 1e-15);
        }
    }

    @Test
    void adamStepIsChecked() {
        rejects(IllegalArgumentException.class, "beta1", () -> new AdamStep(1e-3, 1, 0.999, 1e-8, 0, false, 1));
        rejects(IllegalArgumentException.class, "step", () -> new AdamStep(1e-3, 0.9, 0.999, 1e-8, 0, false, 0));
        rejects(IllegalArgumentException.class, "eps", () -> new AdamStep(1e-3, 0.9, 0.999, -1, 0, false, 1));
    }

    @Test
    void backendsByName() {
        assertEquals("vector", ElementwiseKernels.of(true).name());
        assertEquals("portable", ElementwiseKernels.of(false).name());
        rejects(IllegalArgumentException.class, "dtype", () -> ElementwiseKernels.portable().engine(DType.I64));
    }
}
