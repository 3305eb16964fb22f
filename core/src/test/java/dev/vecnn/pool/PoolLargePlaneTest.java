package dev.vecnn.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Pooling planes of 2^24 elements (not tagged "kernels": run once, at the machine's vector width). */
class PoolLargePlaneTest {
    static final Execution ONE = Execution.withThreads(1);

    @AfterAll
    static void close() {
        ONE.close();
    }

    /**
     * Argmax positions past 2^24 are not floats (earlier kernels carried them in float lanes and sent
     * such planes to the reference); the vector kernels carry them as int lanes plus a long row base and
     * take planes on both sides of 2^24. Values and indices must be exact up to position 2^24 + 1.
     * Windows of 2 every 4096
     * elements keep it cheap: window o holds its maximum 1 + o % 7 at 4096 o + (o + 1) % 2.
     */
    @Test
    void maxPoolingPlanesAroundTwoToThe24() {
        int stride = 4096;
        for (int n : new int[] {(1 << 24) - 2, (1 << 24) + 2}) {
            PoolSpec s = PoolSpec.builder(dev.vecnn.spec.PoolKind.MAX).channels(1).input(n).kernel(2).stride(stride).build();
            PoolImpl chosen = Pool.choose(s);
            assertEquals("vector", chosen.name(), s.toString());
            int outputs = (int) s.outputSize(0);
            float[] data = new float[n];
            for (int o = 0; o < outputs; o++) data[o * stride + (o + 1) % 2] = 1 + o % 7;
            long[] indices = new long[outputs];
            float[] values = new float[outputs];
            chosen.forward(s, Tensor.of(data, 1, 1, n), Tensor.of(values, s.outputShape()), Tensor.of(indices, s.outputShape()), ONE);
            for (int o = 0; o < outputs; o++) {
                long at = (long) o * stride + (o + 1) % 2;
                if (values[o] != 1 + o % 7 || indices[o] != at) {
                    throw new AssertionError(chosen + " " + s + " output " + o + ": " + values[o] + " at " + indices[o] + ", expected "
                            + (1 + o % 7) + " at " + at);
                }
            }
            if (n > (1 << 24)) assertEquals((1L << 24) + 1, indices[outputs - 1], "the last window's maximum is past 2^24");
        }
    }

}
