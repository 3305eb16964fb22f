package dev.vecnn.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.kernel.Backend;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Shows in each kernel run which kernels and vector width were tested (and that the flags took): the
 * Vector API kernels when the module is in the boot layer, else the portable ones.
 */
@Tag("kernels")
class VectorWidthTest {
    @Test
    void backendAndSpeciesFollowTheFlags() {
        boolean module = ModuleLayer.boot().findModule(Backend.MODULE).isPresent();
        String flag = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-XX:MaxVectorSize=")).findFirst().orElse(null);
        System.out.println("kernels tested with the " + Backend.describe() + (flag == null ? "" : " (" + flag + ")"));
        assertEquals(module && !"portable".equals(System.getProperty(Backend.PROPERTY)), Backend.isVector(), Backend.describe());
        if (!module) {
            assertTrue(Backend.reason().contains(Backend.FLAG), Backend.reason());
            return;
        }
        int bits = Species.preferredBits();
        if (flag != null) assertEquals(Integer.parseInt(flag.substring(flag.indexOf('=') + 1)) * 8, bits);
    }

    /** The Vector API behind a class of its own: loaded only when the module is there. */
    private static final class Species {
        static int preferredBits() {
            return FloatVector.SPECIES_PREFERRED.vectorBitSize();
        }
    }
}
