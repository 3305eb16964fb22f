package dev.vecnn.kernel.elementwise;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Golden bits: a hash of the results of every kernel on fixed inputs, equal to a constant on both
 * backends, at every vector width (the build runs "kernels" at 128, 256 and 512 bits) and in the
 * interpreter (the build runs this class again with -Xint, where the Vector API computes lane by lane
 * in Java). The definition of every result (operations, order, reductions) does not depend on the
 * width, backend or tier, so neither may the bits. After an intended change of a formula, update the
 * constants from the failure message.
 */
@Tag("kernels")
class ElementwiseGoldenTest {
    static final long F32 = 0x4b19997b55901583L, F64 = 0x55b0deae36edc0cL;

    @Test
    void resultsHaveTheirGoldenBits() {
        for (ElementwiseKernels k : List.of(ElementwiseKernels.defaults(), ElementwiseKernels.portable())) {
            assertEquals(F32, hash(k, DType.F32), k + " f32: 0x" + Long.toHexString(hash(k, DType.F32)) + "L");
            assertEquals(F64, hash(k, DType.F64), k + " f64: 0x" + Long.toHexString(hash(k, DType.F64)) + "L");
        }
    }

    /** Runs every kernel on small fixed inputs (a few vectors long, with tails) and hashes all outputs. */
    static long hash(ElementwiseKernels k, DType t) {
        long[] h = {1125899906842597L};
        try (Arena a = Arena.ofConfined()) {
            SplittableRandom r = new SplittableRandom(42);
            Tensor x = Tensor.allocate(a, t, 3, 2, 37), gy = Tensor.allocate(a, t, 3, 2, 37), y = Tensor.allocate(a, t, 3, 2, 37);
            for (long i = 0; i < x.numel(); i++) {
                x.setAt(i, r.nextDouble(-9, 9));
                gy.setAt(i, r.nextDouble(-1, 1));
            }
            Tensor bias = Tensor.of(new double[] {0.25, -0.5}, 2).to(a, t), gb = Tensor.allocate(a, t, 2);
            for (Epilogue e : List.of(Epilogue.relu(), Epilogue.leakyRelu(0.1), Epilogue.sigmoid(), Epilogue.tanh(), Epilogue.gelu(),
                    Epilogue.hardSigmoid(), Epilogue.hardSwish(), Epilogue.relu6())) {
                k.activationForward(e, x, bias, y);
                mix(h, y);
                k.activationBackward(e, x, false, gy, y);
                mix(h, y);
                y.copyFrom(gy);
                k.activationBackwardWithBias(e, x, false, y, gb);
                mix(h, y);
                mix(h, gb);
            }
            double[] mean = new double[2], var = new double[2], inv = {1.5, 0.75};
            k.batchNormStatistics(x, mean, var);
            for (double v : mean) mix(h, v);
            for (double v : var) mix(h, v);
            Tensor xhat = Tensor.allocate(a, t, 3, 2, 37), g2 = Tensor.allocate(a, t, 2), b2 = Tensor.allocate(a, t, 2);
            k.batchNormForward(x, mean, inv, bias, bias, xhat, y);
            mix(h, xhat);
            mix(h, y);
            k.batchNormBackward(gy, xhat, inv, bias, true, y, g2, b2);
            mix(h, y);
            mix(h, g2);
            mix(h, b2);
            k.softmaxForward(x, y);
            mix(h, y);
            Tensor s = Tensor.allocate(a, t, 3, 2, 37);
            k.softmaxBackward(y, gy, s);
            mix(h, s);
            Tensor rows = x.reshape(6, 37), grad = Tensor.allocate(a, t, 6, 37);
            k.softmaxForward(rows, grad);
            mix(h, grad);
            mix(h, k.softmaxCrossEntropy(rows, Tensor.of(new double[] {0, 5, 36, 7, 1, 20}, 6), grad));
            mix(h, grad);
            mix(h, k.mse(x, gy, y));
            mix(h, y);
            mix(h, k.bceWithLogits(x, s, y));
            mix(h, y);
            Tensor w = Tensor.allocate(a, t, 3, 2, 37), m = Tensor.allocate(a, t, 3, 2, 37), v = Tensor.allocate(a, t, 3, 2, 37);
            w.copyFrom(x);
            k.sgd(w, gy, m, 0.1, 0.9, 0.01, true);
            k.sgd(w, gy, m, 0.1, 0.9, 0.01, false);
            mix(h, w);
            k.adam(w, gy, m, v, new AdamStep(1e-3, 0.9, 0.999, 1e-8, 0.01, true, 2));
            mix(h, w);
            mix(h, m);
            mix(h, v);
            k.multiply(x, gy, y);
            mix(h, y);
            for (BinaryOp op : BinaryOp.values()) {
                k.binary(op, x, gy, y);
                mix(h, y);
            }
        }
        return h[0];
    }

    static void mix(long[] h, Tensor t) {
        for (long i = 0; i < t.numel(); i++) mix(h, t.getAt(t.offset() + i)); // contiguous
    }

    static void mix(long[] h, double v) {
        long bits = Double.isNaN(v) ? 0x7ff8000000000000L : Double.doubleToLongBits(v);
        h[0] = (h[0] ^ bits) * 0x100000001b3L + 0x9E3779B97F4A7C15L;
    }
}
