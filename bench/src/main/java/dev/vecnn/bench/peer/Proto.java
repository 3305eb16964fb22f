package dev.vecnn.bench.peer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** A minimal protocol-buffers writer: enough to encode a one-node ONNX model by hand. */
final class Proto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private void varint(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private void key(int field, int wireType) {
        varint(((long) field << 3) | wireType);
    }

    /** A varint field (int32, int64, enum). */
    Proto integer(int field, long v) {
        key(field, 0);
        varint(v);
        return this;
    }

    /** A length-delimited field. */
    Proto bytes(int field, byte[] b) {
        key(field, 2);
        varint(b.length);
        out.writeBytes(b);
        return this;
    }

    /** A string field. */
    Proto string(int field, String s) {
        return bytes(field, s.getBytes(StandardCharsets.UTF_8));
    }

    /** An embedded message field. */
    Proto message(int field, Proto m) {
        return bytes(field, m.toBytes());
    }

    byte[] toBytes() {
        return out.toByteArray();
    }
}
