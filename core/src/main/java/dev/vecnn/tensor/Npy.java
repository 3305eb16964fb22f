package dev.vecnn.tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0) of dtypes {@code f4},
 * {@code f8} and {@code i8} in either byte order, C or Fortran order.
 *
 * <p>A Fortran-order file is read as a view with column-major strides (no transposing copy). Files are
 * written little-endian in C order. A malformed header throws {@link NpyFormatException}, an
 * {@link IllegalArgumentException} whose message names the file and the offending field.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** Thrown for a file that is not a well-formed {@code .npy} of a supported dtype. */
    public static final class NpyFormatException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        NpyFormatException(Path file, String message) {
            super(file + ": " + message);
        }
    }

    /** Reads {@code file} into memory owned by {@code arena}. */
    public static Tensor read(Path file, Arena arena) throws IOException {
        java.util.Objects.requireNonNull(file, "file");
        java.util.Objects.requireNonNull(arena, "arena");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            MemorySegment prefix = readAt(ch, 0, Math.min(fileSize, 12));
            if (prefix.byteSize() < 10) throw new NpyFormatException(file, "too short for an .npy header (" + fileSize + " bytes)");
            for (int i = 0; i < MAGIC.length; i++) {
                if (prefix.get(ValueLayout.JAVA_BYTE, i) != MAGIC[i]) throw new NpyFormatException(file, "missing the \\x93NUMPY magic string");
            }
            int major = prefix.get(ValueLayout.JAVA_BYTE, 6);
            long headerLen;
            long headerStart;
            switch (major) {
                case 1 -> {
                    headerLen = Short.toUnsignedLong(prefix.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8));
                    headerStart = 10;
                }
                case 2, 3 -> {
                    if (prefix.byteSize() < 12) throw new NpyFormatException(file, "truncated header length");
                    headerLen = Integer.toUnsignedLong(prefix.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8));
                    headerStart = 12;
                }
                default -> throw new NpyFormatException(file, "version: unsupported format version " + major);
            }
            if (headerStart + headerLen > fileSize) {
                throw new NpyFormatException(file, "header length " + headerLen + " runs past the end of the file");
            }
            byte[] hb = readAt(ch, headerStart, headerLen).toArray(ValueLayout.JAVA_BYTE);
            String header = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);

            String descr = field(file, header, DESCR, "descr");
            boolean fortran = field(file, header, FORTRAN, "fortran_order").equals("True");
            long[] shape = parseShape(file, field(file, header, SHAPE, "shape"));
            if (descr.length() != 3) throw new NpyFormatException(file, "descr: unsupported dtype '" + descr + "'");
            ByteOrder order = switch (descr.charAt(0)) {
                case '<' -> ByteOrder.LITTLE_ENDIAN;
                case '>' -> ByteOrder.BIG_ENDIAN;
                case '=', '|' -> ByteOrder.nativeOrder();
                default -> throw new NpyFormatException(file, "descr: unsupported byte order in '" + descr + "'");
            };
            DType dtype = null;
            for (DType t : DType.values()) if (t.npyCode().equals(descr.substring(1))) dtype = t;
            if (dtype == null) throw new NpyFormatException(file, "descr: unsupported dtype '" + descr + "' (supported: f4, f8, i8)");

            long n;
            long expected;
            try {
                n = Tensor.numel(shape);
                expected = Math.multiplyExact(n, dtype.byteSize());
            } catch (ArithmeticException e) {
                throw new NpyFormatException(file, "shape: element count overflows");
            }
            long dataStart = headerStart + headerLen;
            if (fileSize - dataStart != expected) {
                throw new NpyFormatException(file, "data: shape " + java.util.Arrays.toString(shape) + " of " + descr
                        + " needs " + expected + " bytes, file has " + (fileSize - dataStart));
            }
            MemorySegment data = arena.allocate(Math.max(expected, 1), Tensor.ALIGNMENT);
            readInto(ch, dataStart, data.asSlice(0, expected));
            if (order != ByteOrder.nativeOrder()) swapBytes(data, dtype.byteSize(), n);

            long[] strides = Tensor.contiguousStrides(shape);
            if (fortran) { // column-major: the reversed shape's row-major strides, reversed
                long s = 1;
                for (int d = 0; d < shape.length; d++) {
                    strides[d] = s;
                    s *= Math.max(shape[d], 1);
                }
            }
            return Tensor.wrap(data, dtype, shape, strides, 0);
        } catch (java.io.EOFException e) { // name the file
            java.io.EOFException named = new java.io.EOFException(file + ": " + e.getMessage());
            named.initCause(e);
            throw named;
        }
    }

    private static MemorySegment readAt(FileChannel ch, long pos, long len) throws IOException {
        MemorySegment seg = MemorySegment.ofArray(new byte[(int) len]);
        readInto(ch, pos, seg);
        return seg;
    }

    private static void readInto(FileChannel ch, long pos, MemorySegment dst) throws IOException {
        final long chunk = 1L << 30; // a ByteBuffer holds at most 2^31-1 bytes
        for (long at = 0; at < dst.byteSize(); at += chunk) {
            java.nio.ByteBuffer buf = dst.asSlice(at, Math.min(chunk, dst.byteSize() - at)).asByteBuffer();
            while (buf.hasRemaining()) {
                if (ch.read(buf, pos + at + buf.position()) < 0) throw new java.io.EOFException("unexpected end of file (did it shrink while being read?)");
            }
        }
    }

    private static void swapBytes(MemorySegment data, long size, long n) {
        for (long i = 0; i < n; i++) {
            long at = i * size;
            for (long a = 0, b = size - 1; a < b; a++, b--) {
                byte x = data.get(ValueLayout.JAVA_BYTE, at + a);
                data.set(ValueLayout.JAVA_BYTE, at + a, data.get(ValueLayout.JAVA_BYTE, at + b));
                data.set(ValueLayout.JAVA_BYTE, at + b, x);
            }
        }
    }

    private static String field(Path file, String header, Pattern p, String name) {
        Matcher m = p.matcher(header);
        if (!m.find()) throw new NpyFormatException(file, name + ": missing or malformed in header " + header.strip());
        return m.group(1);
    }

    private static long[] parseShape(Path file, String text) {
        List<Long> dims = new ArrayList<>();
        for (String part : text.split(",")) {
            String t = part.strip();
            if (t.isEmpty()) continue;
            if (t.endsWith("L")) t = t.substring(0, t.length() - 1); // Python 2 longs
            try {
                long v = Long.parseLong(t);
                if (v < 0) throw new NpyFormatException(file, "shape: dimension " + dims.size() + " is negative (" + v + ")");
                dims.add(v);
            } catch (NumberFormatException e) {
                throw new NpyFormatException(file, "shape: dimension " + dims.size() + " is not an integer ('" + t + "')");
            }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /** Writes {@code t} (any strides, any memory) to {@code file} as a little-endian, C-order {@code .npy}. */
    public static void write(Path file, Tensor t) throws IOException {
        java.util.Objects.requireNonNull(file, "file");
        java.util.Objects.requireNonNull(t, "t");
        t.requireUsable("t");
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) throw new IOException("big-endian hosts are not supported");
        StringBuilder shape = new StringBuilder("(");
        for (int d = 0; d < t.rank(); d++) shape.append(d == 0 ? "" : ", ").append(t.size(d));
        shape.append(t.rank() == 1 ? ",)" : ")");
        String dict = "{'descr': '<" + t.dtype().npyCode() + "', 'fortran_order': False, 'shape': " + shape + ", }";
        // version 1.0 has a 2-byte header length; longer headers need 2.0 and its 4-byte length
        boolean v2 = dict.length() + 1 > 65535 - 64;
        int prefix = v2 ? 12 : 10;
        int padded = (prefix + dict.length() + 1 + 63) / 64 * 64; // data starts 64-byte aligned
        String header = dict + " ".repeat(padded - prefix - dict.length() - 1) + "\n";
        MemorySegment head = MemorySegment.ofArray(new byte[padded]);
        MemorySegment.copy(MemorySegment.ofArray(MAGIC), 0, head, 0, MAGIC.length);
        head.set(ValueLayout.JAVA_BYTE, 6, (byte) (v2 ? 2 : 1));
        if (v2) head.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8, header.length());
        else head.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8, (short) header.length());
        byte[] hb = header.getBytes(StandardCharsets.ISO_8859_1);
        MemorySegment.copy(MemorySegment.ofArray(hb), 0, head, prefix, hb.length);
        try (Arena a = Arena.ofConfined();
             FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            // ByteBuffers exist only for native or byte[] memory: copy anything else first
            Tensor data = t.isContiguous() && t.segment().isNative() ? t : t.contiguous(a);
            long es = t.dtype().byteSize();
            writeFully(ch, head);
            writeFully(ch, data.segment().asSlice(data.offset() * es, data.numel() * es));
        }
    }

    private static void writeFully(FileChannel ch, MemorySegment seg) throws IOException {
        final long chunk = 1L << 30; // a ByteBuffer holds at most 2^31-1 bytes
        for (long at = 0; at < seg.byteSize(); at += chunk) {
            java.nio.ByteBuffer buf = seg.asSlice(at, Math.min(chunk, seg.byteSize() - at)).asByteBuffer();
            while (buf.hasRemaining()) ch.write(buf);
        }
    }
}
