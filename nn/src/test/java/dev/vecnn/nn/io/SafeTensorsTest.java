package dev.vecnn.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.nn.Model;
import dev.vecnn.nn.Param;
import dev.vecnn.nn.layer.BatchNorm;
import dev.vecnn.nn.layer.ConvLayer;
import dev.vecnn.nn.layer.Dense;
import dev.vecnn.nn.layer.Flatten;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** safetensors: round trips, the byte layout by hand, PyTorch's names, and every rejection. */
class SafeTensorsTest {
    static Model model(long seed, DType t) {
        return Model.of(new long[] {2, 5, 5}, t, seed, new ConvLayer(3, 3, 3), new BatchNorm(), new Flatten(), new Dense(4));
    }

    /** A file of {@code header} (JSON) and {@code data}, as the format lays them out. */
    static Path file(Path dir, String header, byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.write(h);
        out.write(data);
        Path p = Files.createTempFile(dir, "t", ".safetensors");
        Files.write(p, out.toByteArray());
        return p;
    }

    @Test
    void modelRoundTripInBothDtypes(@TempDir Path dir) throws Exception {
        for (DType t : new DType[] {DType.F32, DType.F64}) {
            Path f = dir.resolve("m-" + t + ".safetensors");
            try (Model a = model(1, t); Model b = model(2, t)) {
                a.state().get(0).value().fill(0.25);
                SafeTensors.save(f, a);
                SafeTensors.load(f, b);
                for (int i = 0; i < a.params().size(); i++) assertEquals(values(a.params().get(i).value()), values(b.params().get(i).value()));
                assertEquals(0.25, b.state().get(0).value().get(0));
            }
            byte[] bytes = Files.readAllBytes(f);
            long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            assertEquals(0, (8 + n) % 8, "the data starts 8-aligned");
        }
    }

    static java.util.List<Double> values(Tensor t) {
        java.util.List<Double> v = new java.util.ArrayList<>();
        for (long i = 0; i < t.numel(); i++) v.add(t.getAt(t.offset() + i));
        return v;
    }

    @Test
    void readsEveryDtypeByHand(@TempDir Path dir) throws Exception {
        ByteBuffer d = ByteBuffer.allocate(8 + 4 + 2 + 2 + 8 + 4).order(ByteOrder.LITTLE_ENDIAN);
        d.putDouble(-1.5).putFloat(2.25f).putShort(Float.floatToFloat16(0.5f)).putShort((short) (Float.floatToIntBits(-3f) >>> 16))
                .putLong(-7).putInt(9);
        Path f = file(dir, "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},\"c\":{\"dtype\":\"F16\",\"shape\":[1,1],\"data_offsets\":[12,14]},"
                + "\"d\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[14,16]},\"e\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[16,24]},"
                + "\"f\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[24,28]}}", d.array());
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> m = SafeTensors.read(f, arena);
            assertEquals(java.util.List.of("a", "b", "c", "d", "e", "f"), java.util.List.copyOf(m.keySet()));
            assertEquals(-1.5, m.get("a").getAt(0));
            assertEquals(2.25, m.get("b").getAt(0));
            assertArrayEquals(new long[] {1, 1}, m.get("c").shape());
            assertEquals(0.5, m.get("c").getAt(0));
            assertEquals(-3, m.get("d").getAt(0));
            assertEquals(-7, m.get("e").getLongAt(0));
            assertEquals(9, m.get("f").getLongAt(0));
            assertEquals(DType.I64, m.get("f").dtype());
        }
    }

    @Test
    void namesMapAndPyTorchExtras(@TempDir Path dir) throws Exception {
        try (Model a = model(1, DType.F32); Model b = model(3, DType.F32); Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> sd = new LinkedHashMap<>();
            for (Param p : a.params()) sd.put("features." + p.name(), p.value());
            for (Param p : a.state()) sd.put("features." + p.name(), p.value());
            sd.put("features.1.num_batches_tracked", Tensor.of(new long[] {5}));
            Path f = dir.resolve("sd.safetensors");
            SafeTensors.write(f, sd);
            SafeTensors.load(f, b, n -> "features." + n, SafeTensors.PYTORCH_EXTRAS);
            assertEquals(values(a.params().get(0).value()), values(b.params().get(0).value()));
            // without the map: every tensor is missing and every file tensor unexpected
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.load(f, b));
            assertTrue(e.getMessage().contains("missing tensors [0.bias, 0.weight") && e.getMessage().contains("unexpected tensors [features.0.weight"),
                    e.getMessage());
        }
    }

    @Test
    void rejections(@TempDir Path dir) throws Exception {
        Path tiny = dir.resolve("tiny");
        Files.write(tiny, new byte[] {1, 2, 3});
        try (Arena arena = Arena.ofConfined()) {
            assertMessage(() -> SafeTensors.read(tiny, arena), "shorter than the 8-byte header length");
            assertMessage(() -> SafeTensors.read(file(dir, "{}", new byte[0]).resolveSibling("x"), arena), null, java.nio.file.NoSuchFileException.class);
            Path longHeader = dir.resolve("long");
            Files.write(longHeader, ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
            assertMessage(() -> SafeTensors.read(longHeader, arena), "header length 1000 does not fit");
            assertMessage(() -> SafeTensors.read(file(dir, "{\"a\":", new byte[0]), arena), "not valid JSON");
            assertMessage(() -> SafeTensors.read(file(dir, "[1, 2]", new byte[0]), arena), "not a JSON object");
            assertMessage(() -> SafeTensors.read(file(dir, "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[1]), arena),
                    "tensor 'a' has dtype U8");
            assertMessage(() -> SafeTensors.read(file(dir, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[4]), arena),
                    "tensor 'a' has 4 bytes, its shape [2] of F32 needs 8");
            assertMessage(() -> SafeTensors.read(file(dir, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[4]), arena),
                    "lie outside the data of 4 bytes"); // truncated data
            assertMessage(() -> SafeTensors.read(file(dir, "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", new byte[8]), arena),
                    "negative dimension");
            assertMessage(() -> SafeTensors.read(file(dir, "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4]), arena), "is not {\"dtype\"");
            assertMessage(() -> SafeTensors.read(file(dir, "{\"a\":7}", new byte[4]), arena), "is not {\"dtype\"");
        }
        try (Model a = model(1, DType.F32)) {
            Path f = dir.resolve("a.safetensors");
            SafeTensors.save(f, a);
            try (Model wide = Model.of(new long[] {2, 5, 5}, DType.F32, 1, new ConvLayer(4, 3, 3), new BatchNorm(), new Flatten(), new Dense(4))) {
                assertMessage(() -> SafeTensors.load(f, wide), "tensor '0.weight' has shape [3, 2, 3, 3], parameter '0.weight' needs [4, 2, 3, 3]");
            }
            try (Model fewer = Model.of(new long[] {2, 5, 5}, DType.F32, 1, new ConvLayer(3, 3, 3), new Flatten(), new Dense(4))) {
                assertMessage(() -> SafeTensors.load(f, fewer), "missing tensors [2.bias, 2.weight]; unexpected tensors [1.weight, 1.bias, 3.weight");
            }
            Map<String, Tensor> ints = new LinkedHashMap<>();
            for (Param p : a.params()) ints.put(p.name(), p.value());
            for (Param p : a.state()) ints.put(p.name(), p.value());
            ints.put("0.bias", Tensor.of(new long[] {1, 2, 3}, 3));
            Path g = dir.resolve("ints.safetensors");
            SafeTensors.write(g, ints);
            assertMessage(() -> SafeTensors.load(g, a), "tensor '0.bias' is an integer tensor");
            assertMessage(() -> SafeTensors.load(f, a, n -> "x", n -> false), "names: two parameters map to 'x'");
        }
        assertMessage(() -> SafeTensors.write(dir.resolve("m"), Map.of("__metadata__", Tensor.of(new float[] {1}, 1))), "reserved");
    }

    interface Call {
        void run() throws Exception;
    }

    static void assertMessage(Call c, String part) {
        assertMessage(c, part, IllegalArgumentException.class);
    }

    static void assertMessage(Call c, String part, Class<? extends Throwable> type) {
        Throwable t = assertThrows(type, c::run);
        if (part != null) assertTrue(t.getMessage().contains(part), t.getMessage());
    }
}
