package dev.vecnn.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class KernelTemplatesTest {
    @Test
    void generatedSourcesMatchTheirTemplates() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize(); // surefire runs in core/
        for (var e : KernelTemplates.outputs(root).entrySet()) {
            assertEquals(e.getValue(), Files.readString(root.resolve(e.getKey())),
                    e.getKey() + " is stale: run java core/src/test/java/dev/vecnn/codegen/KernelTemplates.java");
        }
    }
}
