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
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path out = dir.resolve("out.txt"), err = dir.resolve("err.txt"), classes = dir.resolve("classes.log");
        Process p = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED", "-Xlog:class+load=info:file=" + classes,
                "-cp", System.getProperty("java.class.path"), WithoutVectorModule.class.getName())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("the program without the flag did not finish in 5 minutes");
        }
        String stdout = Files.readString(out), stderr = Files.readString(err);
        String both = "\n--- stdout:\n" + stdout + "\n--- stderr:\n" + stderr;
        assertEquals(0, p.exitValue(), "exit value" + both);
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
            if (name.startsWith("dev.vecnn.") && !name.contains("/")) assertFalse(mentionsVectorApi(name), name + " mentions jdk.incubator.vector but was loaded");
        }
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
