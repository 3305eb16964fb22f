package dev.vecnn.conv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.kernel.Backend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Says in each kernel run which kernels and vector width were tested, and checks it: the Vector API
 * kernels when the module is in the boot layer, else the portable ones; a run with
 * {@code -XX:MaxVectorSize} (the build's 128- and 256-bit runs) must use that width; the default run must
 * use the widest the CPU offers (on x86-64 Linux read from /proc/cpuinfo: 512 bits with AVX-512F, 256 with
 * AVX2, else 128), so that "tested at 512 bits" holds exactly where the machine has it. Elsewhere the
 * default run only prints its width.
 */
@Tag("kernels")
class VectorWidthTest {
    @Test
    void backendAndSpeciesFollowTheFlagsAndTheMachine() throws IOException {
        boolean module = ModuleLayer.boot().findModule(Backend.MODULE).isPresent();
        String flag = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-XX:MaxVectorSize=")).findFirst().orElse(null);
        assertEquals(module && !"portable".equals(System.getProperty(Backend.PROPERTY)), Backend.isVector(), Backend.describe());
        if (!module) {
            System.out.println("kernels tested with the " + Backend.describe());
            assertTrue(Backend.reason().contains(Backend.FLAG), Backend.reason());
            return;
        }
        int bits = Species.preferredBits();
        Integer machine = machineBits();
        System.out.println("kernels tested with the " + Backend.describe() + ", " + bits + "-bit vectors" + (flag == null ? "" : " (" + flag + ")")
                + (machine == null ? "" : "; the CPU offers " + machine + " bits"));
        if (flag != null) assertEquals(Integer.parseInt(flag.substring(flag.indexOf('=') + 1)) * 8, bits, flag);
        else if (machine != null) assertEquals(machine.intValue(), bits, "the default run uses the CPU's widest vectors");
    }

    /** The widest vectors of an x86-64 Linux CPU, or null where that cannot be read. */
    static Integer machineBits() throws IOException {
        Path info = Path.of("/proc/cpuinfo");
        if (!System.getProperty("os.arch").equals("amd64") || !Files.isReadable(info)) return null;
        List<String> flags = Files.readAllLines(info).stream().filter(l -> l.startsWith("flags")).findFirst()
                .map(l -> List.of(l.substring(l.indexOf(':') + 1).trim().split("\\s+"))).orElse(null);
        if (flags == null) return null;
        return flags.contains("avx512f") ? 512 : flags.contains("avx2") ? 256 : 128;
    }

    /** The Vector API behind a class of its own: loaded only when the module is there. */
    private static final class Species {
        static int preferredBits() {
            return FloatVector.SPECIES_PREFERRED.vectorBitSize();
        }
    }
}
