package dev.vecnn.nn.io;

import dev.vecnn.nn.Model;
import dev.vecnn.nn.Param;
import dev.vecnn.tensor.Npy;
import dev.vecnn.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Model weights as a NumPy {@code .npz}: a zip of {@code <name>.npy} arrays, one per parameter and
 * state tensor, readable with {@code numpy.load} (and so by PyTorch through NumPy). Loading checks the
 * names and shapes against the model and names what does not match.
 */
public final class Weights {
    private Weights() {
    }

    private static List<Param> all(Model m) {
        List<Param> all = new ArrayList<>(m.params());
        all.addAll(m.state());
        return all;
    }

    /** Writes every parameter and state tensor of {@code m} to {@code file}. */
    public static void save(Path file, Model m) throws IOException {
        Path tmp = Files.createTempFile("vecnn-weights", ".npy");
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Param p : all(m)) {
                Npy.write(tmp, p.value());
                zip.putNextEntry(new ZipEntry(p.name() + ".npy"));
                Files.copy(tmp, zip);
                zip.closeEntry();
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads {@code file} into {@code m}'s parameters and state.
     *
     * @throws IllegalArgumentException naming the file and the first missing, unexpected or misshapen array
     */
    public static void load(Path file, Model m) throws IOException {
        Map<String, Param> expected = new LinkedHashMap<>();
        for (Param p : all(m)) expected.put(p.name(), p);
        Path tmp = Files.createTempFile("vecnn-weights", ".npy");
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> found = new LinkedHashMap<>();
            try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
                for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                    String name = e.getName().endsWith(".npy") ? e.getName().substring(0, e.getName().length() - 4) : e.getName();
                    if (!expected.containsKey(name)) {
                        throw new IllegalArgumentException(file + ": array '" + name + "' is not a parameter of this model (expected "
                                + expected.keySet() + ")");
                    }
                    Files.copy(zip, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    found.put(name, Npy.read(tmp, arena));
                }
            } catch (java.util.zip.ZipException z) {
                throw new IllegalArgumentException(file + ": not an .npz (zip) file: " + z.getMessage(), z);
            }
            TreeSet<String> missing = new TreeSet<>(expected.keySet());
            missing.removeAll(found.keySet());
            if (!missing.isEmpty()) throw new IllegalArgumentException(file + ": missing arrays " + missing);
            for (var e : found.entrySet()) {
                Tensor target = expected.get(e.getKey()).value();
                if (!Arrays.equals(target.shape(), e.getValue().shape())) {
                    throw new IllegalArgumentException(file + ": array '" + e.getKey() + "' has shape " + Arrays.toString(e.getValue().shape())
                            + ", the model needs " + Arrays.toString(target.shape()));
                }
            }
            for (var e : found.entrySet()) expected.get(e.getKey()).value().copyFrom(e.getValue());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
