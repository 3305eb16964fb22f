package dev.vecnn.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.nn.layer.Activation;
import dev.vecnn.nn.layer.ConvLayer;
import dev.vecnn.nn.layer.Dense;
import dev.vecnn.nn.layer.Flatten;
import dev.vecnn.nn.layer.PoolLayer;
import dev.vecnn.tensor.DType;
import org.junit.jupiter.api.Test;

/** The model summary against values computed by hand. */
class SummaryTest {
    @Test
    void lectureConvolutionAndItsDenseComparison() {
        // the lecture: 32x32 RGB, two 3x3 filters: n_T = n_c n_w n_h n_f + n_f = 3*3*3*2 + 2 = 56
        try (Model m = Model.of(new long[] {3, 32, 32}, DType.F32, 1, new ConvLayer(2, 3, 3).padding(1, 1))) {
            Summary.Row row = m.summary().rows().get(0);
            assertEquals(56, row.parameters());
            assertEquals(32 * 32 * 3 + 1, row.denseNeuron()); // 3073: one dense neuron over the image
            assertEquals(3072L * 2048 + 2048, row.denseLayer()); // a dense layer to the same 2x32x32 output
            assertArrayEquals(new long[] {2, 32, 32}, row.outputShape());
            assertEquals(56, m.summary().total());
            assertTrue(m.summary().toString().contains("6,293,504 / 3,073"), m.summary().toString());
        }
    }

    @Test
    void receptiveFieldsGrowAsComputedByHand() {
        // r_out = r_in + (k_eff - 1) j_in, j_out = j_in s
        try (Model m = Model.of(new long[] {1, 64, 64}, DType.F32, 1,
                new ConvLayer(4, 3, 3).padding(1, 1),              // r 3, j 1
                Activation.relu(),                                  // unchanged
                PoolLayer.max(2, 2),                                // r 4, j 2
                new ConvLayer(4, 3, 5).dilation(2, 1).stride(1, 2), // r 4+4*2=12 and 4+4*2=12; j 2 and 4
                new Flatten(), new Dense(3))) {
            var rows = m.summary().rows();
            assertArrayEquals(new double[] {3, 3}, rows.get(0).receptive());
            assertArrayEquals(new double[] {3, 3}, rows.get(1).receptive());
            assertArrayEquals(new double[] {4, 4}, rows.get(2).receptive());
            assertArrayEquals(new double[] {2, 2}, rows.get(2).jump());
            assertArrayEquals(new double[] {12, 12}, rows.get(3).receptive());
            assertArrayEquals(new double[] {2, 4}, rows.get(3).jump());
            assertNull(rows.get(4).receptive()); // flatten: every input position
            // parameters: 1*9*4+4 = 40; 4*15*4+4 = 244; no padding: height 32 - 5 + 1 = 28, width (32 - 5)/2 + 1 = 14;
            // dense (4*28*14) * 3 + 3
            assertEquals(40, rows.get(0).parameters());
            assertEquals(244, rows.get(3).parameters());
            assertArrayEquals(new long[] {4, 28, 14}, rows.get(3).outputShape());
            assertEquals(4L * 28 * 14 * 3 + 3, rows.get(5).parameters());
            assertEquals(40 + 244 + 4L * 28 * 14 * 3 + 3, m.summary().total());
        }
    }

    @Test
    void groupedAndTransposedConvolutionParameters() {
        // groups: n_c/groups * prod(kernel) * n_f + n_f = 8/4 * 9 * 8 + 8 = 152
        try (Model m = Model.of(new long[] {8, 10, 10}, DType.F32, 1, new ConvLayer(8, 3, 3).groups(4),
                new ConvLayer(2, 4, 4).stride(2, 2).transposed())) {
            var rows = m.summary().rows();
            assertEquals(152, rows.get(0).parameters());
            assertArrayEquals(new long[] {8, 8, 8}, rows.get(0).outputShape());
            // transposed: weight (in=8, out=2, 4, 4) + 2; output (8-1)*2 + 4 = 18
            assertEquals(8 * 2 * 16 + 2, rows.get(1).parameters());
            assertArrayEquals(new long[] {2, 18, 18}, rows.get(1).outputShape());
        }
    }
}
