package dev.vecnn.kernel.elementwise;

import static dev.vecnn.kernel.elementwise.ElementwiseKernelsTest.at;
import static dev.vecnn.kernel.elementwise.ElementwiseKernelsTest.fill;
import static dev.vecnn.kernel.elementwise.ElementwiseKernelsTest.identical;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Results do not depend on the JIT tier within one JVM: 1500 calls of GELU forward and the fused tanh
 * backward with its bias sum (exp, expm1 and OrderedSum; enough calls for their loops to pass from the
 * interpreter through C1 to C2) all give the bits of the first. The interpreter against C2 across JVMs,
 * for every kernel: {@link ElementwiseGoldenTest}, which the build also runs with -Xint.
 */
class ElementwiseTiersTest {
    static final ElementwiseKernels V = ElementwiseKernels.defaults();
    static final DType[] DTYPES = {DType.F32, DType.F64};

    /**
     * The same call gives the same bits from its first (interpreted) execution to its last (C2): the
     * arithmetic is IEEE operations only, whose results do not depend on the tier.
     */
    @Test
    void sameBitsInEveryJitTier() {
        SplittableRandom r = new SplittableRandom(11);
        try (Arena a = Arena.ofConfined()) {
            for (DType t : DTYPES) {
                Tensor x = at(a, t, 0, 4, 3, 23), y = at(a, t, 0, 4, 3, 23), first = at(a, t, 0, 4, 3, 23), gb = Tensor.allocate(a, t, 3);
                fill(x, r, 5, true);
                double[] bias = new double[1];
                Runnable call = () -> {
                    V.activationForward(Epilogue.gelu(), x, null, y);
                    V.activationBackwardWithBias(Epilogue.tanh(), x, false, y, gb);
                    bias[0] = gb.get(0) + gb.get(2);
                };
                call.run();
                first.copyFrom(y);
                double firstBias = bias[0];
                for (int i = 0; i < 1500; i++) {
                    call.run();
                    if (Double.doubleToLongBits(bias[0]) != Double.doubleToLongBits(firstBias)) fail("call " + i + " gave another bias gradient");
                }
                identical(y, first, t + " after 1500 calls");
            }
        }
    }
}
