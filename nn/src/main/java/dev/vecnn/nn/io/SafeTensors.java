package dev.vecnn.nn.io;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.vecnn.nn.Model;
import dev.vecnn.nn.Param;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The safetensors format (Hugging Face; what {@code safetensors.torch.save_file(model.state_dict(),
 * path)} writes): an 8-byte little-endian header length, a JSON header mapping each tensor name to
 * {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets into the data that follows; an
 * optional {@code "__metadata__"} of strings), then the little-endian data. Reading accepts F64, F32,
 * F16, BF16 (widened to F32) and I64, I32 (read as I64); writing uses F32, F64 and I64.
 *
 * <p>PyTorch names parameters like vecnn ({@code 0.weight}, {@code features.3.bias},
 * {@code bn.running_mean}; the same shapes for convolutions, transposed convolutions, linear layers and
 * batch normalisation), so a state_dict loads into a model built in Java by name; a name map
 * translates where the paths differ. The JSON header is read with Gson.
 */
public final class SafeTensors {
    private SafeTensors() {
    }

    /** Largest header accepted (the reference implementation's limit is 100 MB). */
    static final long MAX_HEADER = 100L << 20;

    /** PyTorch's batch-normalisation step counter, which vecnn does not keep: ignored by default when loading. */
    public static final Predicate<String> PYTORCH_EXTRAS = n -> n.endsWith("num_batches_tracked");

    /**
     * Every tensor of {@code file}, by name in file order, in {@code arena}.
     *
     * @throws IllegalArgumentException naming the file and the entry for a truncated file, a malformed
     *     header, an unsupported dtype, or data offsets that do not match the shape or the file
     */
    public static Map<String, Tensor> read(Path file, Arena arena) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(arena, "arena");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ); Arena map = Arena.ofConfined()) {
            long size = ch.size();
            if (size < 8) throw bad(file, "file of " + size + " bytes is shorter than the 8-byte header length");
            MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, map);
            long n = all.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            if (n < 2 || n > MAX_HEADER || n > size - 8) {
                throw bad(file, "header length " + n + " does not fit the file of " + size + " bytes (or exceeds " + MAX_HEADER + ")");
            }
            String json = new String(all.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            JsonObject header;
            try {
                JsonElement e = JsonParser.parseString(json);
                if (!e.isJsonObject()) throw bad(file, "header is not a JSON object");
                header = e.getAsJsonObject();
            } catch (JsonParseException e) {
                throw new IllegalArgumentException(file + ": header is not valid JSON: " + e.getMessage(), e);
            }
            long dataStart = 8 + n, dataSize = size - dataStart;
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : header.entrySet()) {
                if (e.getKey().equals("__metadata__")) continue;
                String name = e.getKey();
                Entry info = entry(file, name, e.getValue());
                long es = info.fileType.bytes;
                long numel = Tensor.numel(info.shape);
                if (info.begin < 0 || info.end < info.begin || info.end > dataSize) {
                    throw bad(file, "tensor '" + name + "' data_offsets [" + info.begin + ", " + info.end + "] lie outside the data of " + dataSize + " bytes");
                }
                if (info.end - info.begin != numel * es) {
                    throw bad(file, "tensor '" + name + "' has " + (info.end - info.begin) + " bytes, its shape " + Arrays.toString(info.shape)
                            + " of " + info.fileType + " needs " + numel * es);
                }
                Tensor t = Tensor.allocate(arena, info.fileType.target, info.shape);
                MemorySegment src = all.asSlice(dataStart + info.begin, info.end - info.begin);
                for (long i = 0; i < numel; i++) {
                    long off = i * es;
                    switch (info.fileType) {
                        case F64 -> t.setAt(i, src.get(LE_DOUBLE, off));
                        case F32 -> t.setAt(i, src.get(LE_FLOAT, off));
                        case F16 -> t.setAt(i, Float.float16ToFloat(src.get(LE_SHORT, off)));
                        case BF16 -> t.setAt(i, Float.intBitsToFloat((src.get(LE_SHORT, off) & 0xFFFF) << 16));
                        case I64 -> t.setLongAt(i, src.get(LE_LONG, off));
                        case I32 -> t.setLongAt(i, src.get(LE_INT, off));
                    }
                }
                out.put(name, t);
            }
            return out;
        }
    }

    private static final ValueLayout.OfDouble LE_DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The dtypes read, with their size and the vecnn dtype they become. */
    private enum FileType {
        F64(8, DType.F64), F32(4, DType.F32), F16(2, DType.F32), BF16(2, DType.F32), I64(8, DType.I64), I32(4, DType.I64);

        final int bytes;
        final DType target;

        FileType(int bytes, DType target) {
            this.bytes = bytes;
            this.target = target;
        }
    }

    private record Entry(FileType fileType, long[] shape, long begin, long end) {
    }

    private static Entry entry(Path file, String name, JsonElement v) {
        try {
            JsonObject o = v.getAsJsonObject();
            String dt = o.get("dtype").getAsString();
            FileType ft;
            try {
                ft = FileType.valueOf(dt);
            } catch (IllegalArgumentException e) {
                throw bad(file, "tensor '" + name + "' has dtype " + dt + "; supported: " + Arrays.toString(FileType.values()));
            }
            JsonArray sh = o.get("shape").getAsJsonArray(), off = o.get("data_offsets").getAsJsonArray();
            long[] shape = new long[sh.size()];
            for (int d = 0; d < shape.length; d++) {
                shape[d] = sh.get(d).getAsLong();
                if (shape[d] < 0) throw bad(file, "tensor '" + name + "' has negative dimension " + d + ": " + shape[d]);
            }
            if (off.size() != 2) throw bad(file, "tensor '" + name + "' needs data_offsets [begin, end], got " + off);
            return new Entry(ft, shape, off.get(0).getAsLong(), off.get(1).getAsLong());
        } catch (NullPointerException | IllegalStateException | UnsupportedOperationException | NumberFormatException | ClassCastException e) {
            throw bad(file, "tensor '" + name + "' entry " + v + " is not {\"dtype\", \"shape\", \"data_offsets\"}");
        }
    }

    private static IllegalArgumentException bad(Path file, String what) {
        return new IllegalArgumentException(file + ": " + what);
    }

    /** Writes {@code tensors} (F32, F64 or I64; any strides) to {@code file}, names in map order. */
    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        Objects.requireNonNull(file, "file");
        Map<String, Object> header = new LinkedHashMap<>();
        long offset = 0;
        for (var e : tensors.entrySet()) {
            Tensor t = Objects.requireNonNull(e.getValue(), "tensors: '" + e.getKey() + "'");
            if (e.getKey().equals("__metadata__")) throw new IllegalArgumentException("tensors: the name __metadata__ is reserved");
            String dt = switch (t.dtype()) {
                case F32 -> "F32";
                case F64 -> "F64";
                case I64 -> "I64";
                default -> throw new IllegalArgumentException("tensors: '" + e.getKey() + "' has dtype " + t.dtype() + "; write F32, F64 or I64");
            };
            long bytes = t.numel() * t.dtype().byteSize();
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", dt);
            info.put("shape", t.shape());
            info.put("data_offsets", new long[] {offset, offset + bytes});
            header.put(e.getKey(), info);
            offset += bytes;
        }
        byte[] json = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
        int pad = (8 - json.length % 8) % 8; // the data starts 8-aligned, as the reference writer does
        byte[] head = Arrays.copyOf(json, json.length + pad);
        Arrays.fill(head, json.length, head.length, (byte) ' ');
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] len = new byte[8];
            MemorySegment.ofArray(len).set(LE_LONG, 0, head.length);
            out.write(len);
            out.write(head);
            for (Tensor t : tensors.values()) {
                Tensor c = t.isContiguous() ? t : t.contiguous(Arena.ofAuto());
                long es = c.dtype().byteSize();
                byte[] buf = new byte[(int) Math.min(1 << 16, Math.max(es, c.numel() * es))];
                MemorySegment b = MemorySegment.ofArray(buf);
                long per = buf.length / es;
                for (long start = 0; start < c.numel(); start += per) {
                    long k = Math.min(per, c.numel() - start);
                    for (long i = 0; i < k; i++) {
                        long at = c.offset() + start + i;
                        switch (c.dtype()) {
                            case F32 -> b.set(LE_FLOAT, i * es, (float) c.getAt(at));
                            case F64 -> b.set(LE_DOUBLE, i * es, c.getAt(at));
                            default -> b.set(LE_LONG, i * es, c.getLongAt(at));
                        }
                    }
                    out.write(buf, 0, (int) (k * es));
                }
            }
        }
    }

    /** Writes every parameter and state tensor of {@code m} under its vecnn name. */
    public static void save(Path file, Model m) throws IOException {
        Map<String, Tensor> all = new LinkedHashMap<>();
        for (Param p : all(m)) all.put(p.name(), p.value());
        write(file, all);
    }

    /** {@link #load(Path, Model, UnaryOperator, Predicate)} with the same names, ignoring {@link #PYTORCH_EXTRAS}. */
    public static void load(Path file, Model m) throws IOException {
        load(file, m, UnaryOperator.identity(), PYTORCH_EXTRAS);
    }

    /**
     * Loads a state_dict into {@code m}: each parameter and state tensor named {@code n} in vecnn is
     * read from the file's tensor {@code names.apply(n)} (e.g. {@code n -> "features." + n} for a
     * PyTorch {@code nn.Sequential} called {@code features}), converted to the model's dtype. The file's
     * tensors that no parameter claims must match {@code ignored}. Nothing is copied unless everything
     * matches.
     *
     * @throws IllegalArgumentException listing the missing tensors, the unexpected ones, or the first
     *     misshapen one with both shapes
     */
    public static void load(Path file, Model m, UnaryOperator<String> names, Predicate<String> ignored) throws IOException {
        Objects.requireNonNull(names, "names");
        Objects.requireNonNull(ignored, "ignored");
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> found = read(file, arena);
            Map<String, Param> wanted = new LinkedHashMap<>();
            for (Param p : all(m)) {
                String fileName = Objects.requireNonNull(names.apply(p.name()), "names: maps '" + p.name() + "' to null");
                if (wanted.put(fileName, p) != null) throw new IllegalArgumentException("names: two parameters map to '" + fileName + "'");
            }
            TreeSet<String> missing = new TreeSet<>(wanted.keySet());
            missing.removeAll(found.keySet());
            List<String> unexpected = new ArrayList<>();
            for (String k : found.keySet()) if (!wanted.containsKey(k) && !ignored.test(k)) unexpected.add(k);
            if (!missing.isEmpty() || !unexpected.isEmpty()) {
                throw new IllegalArgumentException(file + ": " + (missing.isEmpty() ? "" : "missing tensors " + missing + (unexpected.isEmpty() ? "" : "; "))
                        + (unexpected.isEmpty() ? "" : "unexpected tensors " + unexpected + " (map names or ignore them)"));
            }
            for (var e : wanted.entrySet()) {
                Tensor src = found.get(e.getKey()), dst = e.getValue().value();
                if (!Arrays.equals(src.shape(), dst.shape())) {
                    throw new IllegalArgumentException(file + ": tensor '" + e.getKey() + "' has shape " + Arrays.toString(src.shape())
                            + ", parameter '" + e.getValue().name() + "' needs " + Arrays.toString(dst.shape()));
                }
                if (src.dtype() == DType.I64) {
                    throw new IllegalArgumentException(file + ": tensor '" + e.getKey() + "' is an integer tensor; parameter '" + e.getValue().name() + "' is " + dst.dtype());
                }
            }
            for (var e : wanted.entrySet()) e.getValue().value().copyFrom(found.get(e.getKey()));
            m.context().weightsChanged(); // a frozen model repacks
        }
    }

    private static List<Param> all(Model m) {
        List<Param> all = new ArrayList<>(m.params());
        all.addAll(m.state());
        return all;
    }
}
