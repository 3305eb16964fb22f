package dev.vecnn.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.nn.layer.BatchNorm;
import dev.vecnn.nn.layer.ConvLayer;
import dev.vecnn.nn.layer.Dense;
import dev.vecnn.nn.layer.Flatten;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Npy;
import dev.vecnn.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Weights in NPZ: the round trip, NumPy's layout, and errors for files that do not fit the model. */
class WeightsTest {
    @TempDir
    Path dir;

    static Model model(long seed) {
        return Model.of(new long[] {2, 6, 6}, DType.F32, seed, new ConvLayer(3, 3, 3), new BatchNorm(), new Flatten(), new Dense(4));
    }

    @Test
    void roundTripRestoresEveryParameterAndState() throws IOException {
        Path f = dir.resolve("w.npz");
        try (Model a = model(1); Model b = model(2)) {
            a.state().get(0).value().fill(0.25); // running mean: state travels too
            a.save(f);
            b.load(f);
            for (int i = 0; i < a.params().size(); i++) {
                Tensor x = a.params().get(i).value(), y = b.params().get(i).value();
                for (long e = 0; e < x.numel(); e++) assertEquals(x.reshape(x.numel()).get(e), y.reshape(y.numel()).get(e));
            }
            assertEquals(0.25, b.state().get(0).value().get(1));
        }
    }

    @Test
    void entriesAreNpyArraysNamedByParameter() throws IOException {
        Path f = dir.resolve("w.npz");
        try (Model a = model(1)) {
            a.save(f);
            try (ZipInputStream z = new ZipInputStream(Files.newInputStream(f)); Arena arena = Arena.ofConfined()) {
                ZipEntry e = z.getNextEntry();
                assertEquals("0.weight.npy", e.getName());
                Path one = dir.resolve("one.npy");
                Files.copy(z, one);
                Tensor w = Npy.read(one, arena); // a plain .npy, as numpy.load reads it
                assertEquals(3, w.size(0));
                assertEquals(a.params().get(0).value().get(0, 0, 0, 0), w.get(0, 0, 0, 0));
            }
        }
    }

    @Test
    void mismatchedFilesAreClearErrors() throws IOException {
        Path f = dir.resolve("w.npz");
        try (Model a = model(1); Model other = Model.of(new long[] {2, 6, 6}, DType.F32, 1, new ConvLayer(5, 3, 3), new BatchNorm(),
                new Flatten(), new Dense(4)); Model fewer = Model.of(new long[] {2, 6, 6}, DType.F32, 1, new Flatten(), new Dense(4))) {
            a.save(f);
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> other.load(f));
            assertTrue(shape.getMessage().contains("'0.weight' has shape [3, 2, 3, 3], the model needs [5, 2, 3, 3]"), shape.getMessage());
            IllegalArgumentException extra = assertThrows(IllegalArgumentException.class, () -> fewer.load(f));
            assertTrue(extra.getMessage().contains("'0.weight' is not a parameter of this model"), extra.getMessage());
            fewer.save(f);
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> a.load(f));
            assertTrue(missing.getMessage().contains("missing arrays [0.bias, 0.weight, 1.running_mean"), missing.getMessage());
            Files.writeString(f, "not a zip");
            assertThrows(IllegalArgumentException.class, () -> a.load(f));
        }
    }
}
