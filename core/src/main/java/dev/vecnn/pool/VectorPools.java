package dev.vecnn.pool;

import dev.vecnn.kernel.pool.VectorPool;
import java.util.List;

/**
 * The Vector API pooling kernels, in dispatch order. A class of its own so that {@link Pool} names none
 * of them: this class is loaded only when {@link dev.vecnn.kernel.Backend#isVector()}.
 */
final class VectorPools {
    private VectorPools() {
    }

    /** The vector kernels, then {@code last}. */
    static List<PoolImpl> then(PoolImpl last) {
        return List.of(new VectorPool(), last);
    }
}
