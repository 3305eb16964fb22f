package dev.vecnn.kernel;

import jdk.incubator.vector.FloatVector;

/**
 * The one touch of the Vector API that {@link Backend} makes, after it has checked that the module is
 * readable: loaded only then (this class fails to load without {@code jdk.incubator.vector}).
 */
final class VectorProbe {
    private VectorProbe() {
    }

    static int preferredBits() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }
}
