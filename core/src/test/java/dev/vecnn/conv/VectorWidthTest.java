package dev.vecnn.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Shows in each kernel run which vector width the kernels were tested at (and that the flag took). */
@Tag("kernels")
class VectorWidthTest {
    @Test
    void speciesFollowsMaxVectorSize() {
        int bits = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        String flag = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-XX:MaxVectorSize=")).findFirst().orElse(null);
        System.out.println("kernels tested with " + bits + "-bit vectors" + (flag == null ? "" : " (" + flag + ")"));
        if (flag != null) assertEquals(Integer.parseInt(flag.substring(flag.indexOf('=') + 1)) * 8, bits);
    }
}
