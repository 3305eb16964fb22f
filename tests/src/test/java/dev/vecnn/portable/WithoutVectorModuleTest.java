package dev.vecnn.portable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a new user gets without {@code --add-modules=jdk.incubator.vector}: a JVM started from this
 * test's own JDK and class path, without the flag, runs {@link WithoutVectorModule} (the main API
 * against the reference). It must succeed, log the backend warning exactly once (with the flag for each
 * place a JVM starts), and load no class that mentions the Vector API.
 */
class WithoutVectorModuleTest {
    private static final String WARNING = "vecnn: module jdk.incubator.vector is not in the boot layer";
    private static final String FLAG = "--add-modules=jdk.incubator.vector";

    @Test
    void mainApiRunsOnThePortableKernelsWithoutTheFlag(@TempDir Path dir) throws Exception {
        Path classes = dir.resolve("classes.log");
        String[] run = run(dir, "--enable-native-access=ALL-UNNAMED", "-Xlog:class+load=info:file=" + classes);
        String stdout = run[0], stderr = run[1], both = run[2];
        assertTrue(stdout.contains("vecnn backend: portable (module jdk.incubator.vector is not in the boot layer"), both);
        assertTrue(stdout.contains("results match the reference"), both);
        assertEquals(1, count(stderr, WARNING), "the warning, exactly once" + both);
        for (String place : List.of("java " + FLAG, "<argLine>" + FLAG + "</argLine>", "exec-maven-plugin", "Gradle", "JMH @Fork")) {
            assertTrue(stderr.contains(place), "the warning names " + place + both);
        }

        // no class of the Vector API, and no vecnn class that mentions it, was loaded
        Set<String> loaded = new TreeSet<>();
        for (String line : Files.readAllLines(classes)) {
            assertFalse(line.contains("jdk.incubator.vector"), line);
            int at = line.indexOf("[class,load] ");
            if (at >= 0) loaded.add(line.substring(at + 13).split(" ")[0]);
        }
        assertTrue(loaded.contains("dev.vecnn.kernel.portable.conv.PortableConvF32"), "the log lists the portable kernels: " + loaded);
        assertTrue(loaded.contains("dev.vecnn.kernel.portable.pool.PortablePoolF64"), "the log lists the portable kernels: " + loaded);
        assertTrue(mentionsVectorApi("dev.vecnn.kernel.conv.gemm.GemmConvF32"), "the check below recognises a vector class");
        for (String name : loaded) { // hidden classes (lambdas, names with '/') have no class file: their code is their host's
            if (name.startsWith("dev.vecnn.") && !name.contains("/")) {
                assertFalse(mentionsVectorApi(name), name + " mentions jdk.incubator.vector but was loaded");
            }
        }
    }

    @Test
    void thePropertyChoosesThePortableKernelsWithoutAWarning(@TempDir Path dir) throws Exception {
        String[] run = run(dir, FLAG, "--enable-native-access=ALL-UNNAMED", "-Dvecnn.backend=portable");
        assertTrue(run[0].contains("vecnn backend: portable (chosen by -Dvecnn.backend=portable)"), run[2]);
        assertTrue(run[0].contains("results match the reference"), run[2]);
        assertEquals(0, count(run[1], "vecnn:"), "no warning for a choice" + run[2]);
    }

    /**
     * Runs {@link WithoutVectorModule} in a new JVM (this test's JDK and class path) with {@code options};
     * returns its stdout, stderr and both for messages, after checking that it exited with 0.
     */
    private static String[] run(Path dir, String... options) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(options));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), WithoutVectorModule.class.getName()));
        Path out = dir.resolve("out.txt"), err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("the program did not finish in 5 minutes: " + command);
        }
        String stdout = Files.readString(out), stderr = Files.readString(err);
        String both = "\n--- command: " + command + "\n--- stdout:\n" + stdout + "\n--- stderr:\n" + stderr;
        assertEquals(0, p.exitValue(), "exit value" + both);
        return new String[] {stdout, stderr, both};
    }

    /** Whether the class file of {@code name} refers to a jdk.incubator.vector type (its constant pool names it). */
    private static boolean mentionsVectorApi(String name) throws IOException {
        try (InputStream in = WithoutVectorModuleTest.class.getClassLoader().getResourceAsStream(name.replace('.', '/') + ".class")) {
            if (in == null) throw new IOException("no class file for " + name);
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).contains("jdk/incubator/vector");
        }
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) n++;
        return n;
    }
}
