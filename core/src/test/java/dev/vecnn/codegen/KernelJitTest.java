package dev.vecnn.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No vecnn method's JIT compilation is skipped while {@link KernelWorkout} runs the Vector API kernels. A method
 * that C1 cannot compile ("COMPILE SKIPPED: out of virtual registers", a register-tile method with many vector
 * operations) can stay at tier 2, where every vector is a heap object: 10-100x slower, gigabytes allocated per
 * training step. This happened twice on 2026-12-01 (the blocked kernel's float64 12x2 tile and its 24x1 tile,
 * each with 24 scatters in the tile). The test runs the workout in a child JVM with {@code -XX:+PrintCompilation}
 * and fails on any vecnn method whose compilation was skipped or bailed out (checked against the code it was
 * found in), and on any workload whose rounds still allocate {@link KernelWorkout#BOXED_BYTES} or more once the
 * JIT has had its time. The other trap, C2 calling a vector operation out of line in a method too big to inline
 * it (the compile succeeds; it boxed the pointwise tile's epilogue on 2026-12-01), depends on the JIT's profile
 * and did not reproduce reliably in the workout: the training report's heap table remains the guard there.
 */
@Tag("vector-api")
class KernelJitTest {
    @Test
    void noKernelCompileIsSkippedAndNoCompiledKernelBoxes(@TempDir Path dir) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java"), results = dir.resolve("alloc.txt");
        List<String> command = List.of(java.toString(), "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-XX:+PrintCompilation", "-cp", System.getProperty("java.class.path"), KernelWorkout.class.getName(), results.toString());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the workout did not end");
        assertEquals(0, p.exitValue(), "the workout failed:\n" + log.substring(Math.max(0, log.length() - 4000)));
        List<String> alloc = Files.readAllLines(results);
        assertTrue(alloc.contains("workout done"), "the workout did not finish");
        List<String> skipped = new ArrayList<>();
        for (String line : log.split("\n")) {
            if (line.contains("dev.vecnn") && (line.contains("COMPILE SKIPPED") || line.contains("compilation bailout"))) skipped.add(line.strip());
        }
        assertTrue(skipped.isEmpty(), "kernel methods the JIT could not compile (they may run boxed at tier 2):\n" + String.join("\n", skipped));
        List<String> boxed = alloc.stream().filter(l -> l.endsWith(" boxed")).toList();
        assertEquals(63, alloc.size(), "a line per workload (31 in each dtype) and the end:\n" + String.join("\n", alloc));
        assertTrue(boxed.isEmpty(), "workloads that still allocate " + KernelWorkout.BOXED_BYTES + " bytes or more per round once compiled (boxed "
                + "vectors):\n" + String.join("\n", boxed));
    }
}
