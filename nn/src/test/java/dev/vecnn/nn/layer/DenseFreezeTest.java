package dev.vecnn.nn.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.vecnn.kernel.matmul.Matmul;
import dev.vecnn.nn.Model;
import dev.vecnn.nn.Param;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A frozen model's dense layers read their weights packed once ({@code Matmul.prepare}): writes of one's own to a
 * dense weight are seen after {@code weightsChanged()}, as the Javadoc of {@code Model.freeze} says, and
 * {@code unfreeze()} drops the packed copy (it kept 64 MB for a 4096 x 4096 layer before: found by a new-user check).
 */
class DenseFreezeTest {
    @Test
    void writesAreSeenAfterWeightsChangedAndUnfreezeDropsThePackedCopy() throws ReflectiveOperationException {
        for (DType t : new DType[] {DType.F32, DType.F64}) {
            Dense dense = new Dense(5);
            try (Arena a = Arena.ofConfined(); Model m = Model.of(new long[] {7}, t, 4, dense).freeze()) {
                Tensor x = Tensor.allocate(a, t, 2, 7);
                for (long i = 0; i < x.numel(); i++) x.setAt(i, 0.25 * (i % 5) - 0.5);
                double[] before = values(m.forward(x, false));
                if (Matmul.available()) assertNotNull(packedCopy(dense), t + ": a frozen forward packs the dense weights");
                Param w = m.params().get(0);
                w.value().fill(0.125);
                assertArrayEquals(before, values(m.forward(x, false)), t + ": the packed copy until weightsChanged()");
                m.context().weightsChanged();
                double[] after = values(m.forward(x, false));
                assertFalse(Arrays.equals(before, after), t + ": weightsChanged() repacks");
                m.unfreeze();
                assertNull(packedCopy(dense), t + ": unfreeze() drops the packed copy");
                assertArrayEquals(after, values(m.forward(x, false)), t + ": unfrozen, the same bits");
            }
        }
    }

    /** The dense layer's packed weights (a private field: nothing else shows whether the copy is held). */
    private static Object packedCopy(Dense dense) throws ReflectiveOperationException {
        var params = Dense.class.getDeclaredField("params");
        params.setAccessible(true);
        var packed = ConvParams.class.getDeclaredField("matmulPacked");
        packed.setAccessible(true);
        return packed.get(params.get(dense));
    }

    private static double[] values(Tensor y) {
        double[] v = new double[(int) y.numel()];
        for (int i = 0; i < v.length; i++) v[i] = y.reshape(y.numel()).get(i);
        return v;
    }
}
