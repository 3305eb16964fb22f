package dev.vecnn.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir
    Path dir;

    /** An .npy v1.0 file with the given header dict and raw data. */
    static byte[] npy(String dict, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        String h = dict + " ".repeat(Math.floorMod(-(10 + dict.length() + 1), 64)) + "\n";
        out.write(h.length() & 0xff);
        out.write(h.length() >> 8);
        out.writeBytes(h.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(data);
        return out.toByteArray();
    }

    static byte[] doubles(ByteOrder order, double... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(order);
        for (double x : v) b.putDouble(x);
        return b.array();
    }

    @Test
    void roundTripsEveryDtypeAndLayout() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            for (DType t : DType.values()) {
                Tensor src = Tensor.allocate(a, t, 2, 3, 4);
                for (int i = 0; i < 24; i++) src.set(i * 1.5 - 7, i / 12, (i / 4) % 3, i % 4);
                Tensor view = src.permute(2, 0, 1); // strided source
                Path f = dir.resolve("x-" + t + ".npy");
                Npy.write(f, view);
                Tensor back = Npy.read(f, a);
                assertEquals(t, back.dtype());
                assertArrayEquals(view.shape(), back.shape());
                assertTrue(back.isContiguous());
                for (long i = 0; i < 4; i++) assertEquals(view.get(i, 1, 2), back.get(i, 1, 2));
                assertEquals(0, Files.size(f) % 8, "data follows a padded header");
            }
            Npy.write(dir.resolve("scalar.npy"), Tensor.of(new double[] {3.5}));
            assertEquals(3.5, Npy.read(dir.resolve("scalar.npy"), a).get());
            Npy.write(dir.resolve("heap.npy"), Tensor.of(new float[] {1, 2, 3}, 3));
            assertEquals(3f, Npy.read(dir.resolve("heap.npy"), a).get(2));
        }
    }

    @Test
    void readsFortranOrderAsAColumnMajorView() throws IOException {
        // numpy.asfortranarray([[0, 1, 2], [3, 4, 5]]) stores 0 3 1 4 2 5
        Path f = dir.resolve("f.npy");
        Files.write(f, npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }",
                doubles(ByteOrder.LITTLE_ENDIAN, 0, 3, 1, 4, 2, 5)));
        try (Arena a = Arena.ofConfined()) {
            Tensor t = Npy.read(f, a);
            assertArrayEquals(new long[] {1, 2}, t.strides());
            assertEquals(5, t.get(1, 2));
            assertEquals(2, t.get(0, 2));
        }
    }

    @Test
    void readsBigEndian() throws IOException {
        Path f = dir.resolve("be.npy");
        Files.write(f, npy("{'descr': '>f8', 'fortran_order': False, 'shape': (3,), }", doubles(ByteOrder.BIG_ENDIAN, 1.25, -2, 8)));
        try (Arena a = Arena.ofConfined()) {
            assertEquals(-2, Npy.read(f, a).get(1));
        }
    }

    @Test
    void rejectsBadFilesClearly() throws IOException {
        String ok = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
        byte[] two = doubles(ByteOrder.LITTLE_ENDIAN, 1, 2);
        String[][] cases = {
            {"descr: unsupported dtype '<i4'", "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }"},
            {"descr: unsupported dtype '<c16'", "{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }"},
            {"fortran_order: missing", "{'descr': '<f8', 'shape': (2,), }"},
            {"shape: dimension 1 is not an integer", "{'descr': '<f8', 'fortran_order': False, 'shape': (2, x), }"},
            {"data: shape [3] of <f8 needs 24 bytes, file has 16", "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }"},
        };
        try (Arena a = Arena.ofConfined()) {
            for (String[] c : cases) {
                Path f = dir.resolve("bad.npy");
                Files.write(f, npy(c[1], two));
                Npy.NpyFormatException e = assertThrows(Npy.NpyFormatException.class, () -> Npy.read(f, a), c[0]);
                assertTrue(e.getMessage().contains(c[0]) && e.getMessage().startsWith(f.toString()), e.getMessage());
            }
            Path f = dir.resolve("magic.npy");
            byte[] good = npy(ok, two);
            good[1] = 'X';
            Files.write(f, good);
            assertThrows(Npy.NpyFormatException.class, () -> Npy.read(f, a));
            Files.write(f, new byte[] {(byte) 0x93, 'N'});
            assertThrows(Npy.NpyFormatException.class, () -> Npy.read(f, a));
            good = npy(ok, two);
            good[6] = 9;
            Files.write(f, good);
            assertTrue(assertThrows(Npy.NpyFormatException.class, () -> Npy.read(f, a)).getMessage().contains("version"));
        }
    }
}
