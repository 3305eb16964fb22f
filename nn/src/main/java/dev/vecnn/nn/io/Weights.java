package dev.vecnn.nn.io;

import dev.vecnn.nn.Model;
import dev.vecnn.nn.Param;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Npy;
import dev.vecnn.tensor.Tensor;
import java.io.EOFException;
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
import java.util.Objects;
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
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(m, "m");
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
     * Reads {@code file} into {@code m}'s parameters and state. Every array is checked before any is
     * copied, so a failed load leaves the model as it was. Arrays must be floating point
     * ({@code f4} or {@code f8}) and finite; a float64 array loads into a float32 model by rounding
     * each value to the nearest float32 (ties to even, as a Java {@code (float)} cast and NumPy's
     * {@code astype(float32)}), and a float32 array into a float64 model exactly. A value beyond the
     * float32 range (which would round to infinity) is rejected as non-finite.
     *
     * @throws IllegalArgumentException naming the file and the first missing, unexpected, misshapen,
     *         non-floating or non-finite array (with the element), or an entry that is not a valid
     *         {@code .npy}, or a file that is not a zip
     * @throws EOFException naming the file and the entry when the file ends inside or after an entry
     *         (a truncated download or copy)
     * @throws IOException when the file cannot be read
     */
    public static void load(Path file, Model m) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(m, "m");
        Map<String, Param> expected = new LinkedHashMap<>();
        for (Param p : all(m)) expected.put(p.name(), p);
        Path tmp = Files.createTempFile("vecnn-weights", ".npy");
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> found = new LinkedHashMap<>();
            String previous = null;
            try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
                while (true) {
                    ZipEntry e;
                    try {
                        e = zip.getNextEntry();
                    } catch (EOFException eof) {
                        throw truncated(file, previous == null ? "the header of the first entry" : "the header of the entry after '" + previous + "'", eof);
                    }
                    if (e == null) break;
                    String name = e.getName().endsWith(".npy") ? e.getName().substring(0, e.getName().length() - 4) : e.getName();
                    if (!expected.containsKey(name)) {
                        throw new IllegalArgumentException(file + ": array '" + name + "' is not a parameter of this model (expected "
                                + expected.keySet() + ")");
                    }
                    try {
                        Files.copy(zip, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    } catch (EOFException eof) {
                        throw truncated(file, "entry '" + e.getName() + "'", eof);
                    } catch (java.util.zip.ZipException z) {
                        throw new IllegalArgumentException(file + ": entry '" + e.getName() + "' is corrupt: " + z.getMessage(), z);
                    }
                    try {
                        found.put(name, Npy.read(tmp, arena));
                    } catch (Npy.NpyFormatException bad) { // its message names the temporary copy: name the entry instead
                        String why = bad.getMessage().startsWith(tmp.toString()) ? bad.getMessage().substring(tmp.toString().length() + 2) : bad.getMessage();
                        throw new IllegalArgumentException(file + ": entry '" + e.getName() + "' is not a valid .npy: " + why, bad);
                    }
                    previous = e.getName();
                }
            } catch (java.util.zip.ZipException z) {
                throw new IllegalArgumentException(file + ": not an .npz (zip) file: " + z.getMessage(), z);
            }
            TreeSet<String> missing = new TreeSet<>(expected.keySet());
            missing.removeAll(found.keySet());
            if (!missing.isEmpty()) {
                if (previous == null && !startsLikeAZip(file)) {
                    throw new IllegalArgumentException(file + ": not an .npz (zip) file: it does not start with a zip header");
                }
                if (!hasEndRecord(file)) { // the stream stopped between entries: most likely a cut file
                    throw new EOFException(file + ": the file ends " + (previous == null ? "before the first entry" : "after entry '" + previous + "'")
                            + " without the zip's end record (truncated?); missing arrays " + missing);
                }
                throw new IllegalArgumentException(file + ": missing arrays " + missing);
            }
            for (var e : found.entrySet()) {
                Tensor target = expected.get(e.getKey()).value(), array = e.getValue();
                if (!Arrays.equals(target.shape(), array.shape())) {
                    throw new IllegalArgumentException(file + ": array '" + e.getKey() + "' has shape " + Arrays.toString(array.shape())
                            + ", the model needs " + Arrays.toString(target.shape()));
                }
                if (!array.dtype().isFloating()) {
                    throw new IllegalArgumentException(file + ": array '" + e.getKey() + "' has dtype " + array.dtype().shortName()
                            + "; parameters are floating point (f4 or f8; the model is " + target.dtype().shortName() + ")");
                }
                requireFinite(file, e.getKey(), array, target.dtype());
            }
            for (var e : found.entrySet()) expected.get(e.getKey()).value().copyFrom(e.getValue());
            m.context().weightsChanged(); // a frozen model repacks
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Whether the file starts with a zip entry (PK 3 4) or an empty zip's end record (PK 5 6). */
    private static boolean startsLikeAZip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(4);
            return b.length == 4 && b[0] == 'P' && b[1] == 'K' && ((b[2] == 3 && b[3] == 4) || (b[2] == 5 && b[3] == 6));
        }
    }

    /** Whether the file ends with a zip end-of-central-directory record (its signature within the last 64 KiB + 22 bytes). */
    private static boolean hasEndRecord(Path file) throws IOException {
        try (java.nio.channels.SeekableByteChannel ch = Files.newByteChannel(file)) {
            long size = ch.size(), n = Math.min(size, 65535 + 22);
            java.nio.ByteBuffer tail = java.nio.ByteBuffer.allocate((int) n);
            ch.position(size - n);
            while (tail.hasRemaining() && ch.read(tail) >= 0) { }
            byte[] b = tail.array();
            for (int i = b.length - 22; i >= 0; i--) {
                if (b[i] == 'P' && b[i + 1] == 'K' && b[i + 2] == 5 && b[i + 3] == 6) return true;
            }
            return false;
        }
    }

    private static EOFException truncated(Path file, String where, EOFException cause) {
        EOFException e = new EOFException(file + ": the file ends inside " + where + " (truncated?)"
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        e.initCause(cause);
        return e;
    }

    /** Rejects NaN and infinities, and values that become infinite in the model's dtype, naming the first. */
    private static void requireFinite(Path file, String name, Tensor array, DType modelType) {
        long[] shape = array.shape(), idx = new long[shape.length];
        if (array.numel() == 0) return;
        while (true) {
            double v = array.get(idx);
            double stored = modelType == DType.F32 ? (float) v : v;
            if (!Double.isFinite(stored)) {
                throw new IllegalArgumentException(file + ": array '" + name + "' holds " + v + " at " + Arrays.toString(idx)
                        + (Double.isFinite(v) ? ", beyond the range of the model's " + modelType.shortName() : "")
                        + "; parameters must be finite");
            }
            int d = shape.length - 1;
            while (d >= 0 && ++idx[d] == shape[d]) idx[d--] = 0;
            if (d < 0) return;
        }
    }
}
