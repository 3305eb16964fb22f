package dev.vecnn.nn.onnx;

import dev.vecnn.nn.onnx.proto.OnnxProto.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Constant tensors of an ONNX graph (initializers, Constant nodes, folded shape arithmetic) as
 * row-major doubles, or longs for integer tensors. The batch size, unknown while importing, is the
 * symbol {@link #BATCH} inside integer tensors that hold shapes (what {@code Shape} of a dynamic batch
 * produces).
 */
final class OnnxTensors {
    private OnnxTensors() {
    }

    /** The symbolic batch size N in folded shape values. */
    static final long BATCH = Long.MIN_VALUE;

    /** A constant: shape, and either doubles (floating point) or longs (integers). */
    record Const(long[] shape, double[] values, long[] ints) {
        boolean isInt() {
            return ints != null;
        }

        long numel() {
            return isInt() ? ints.length : values.length;
        }

        double value(int i) {
            if (isInt()) {
                if (ints[i] == BATCH) throw new IllegalArgumentException("the batch size N is only known at run time");
                return ints[i];
            }
            return values[i];
        }

        long integer(int i) {
            if (!isInt()) {
                double v = values[i];
                if (v != Math.rint(v)) throw new IllegalArgumentException("expected an integer, got " + v);
                return (long) v;
            }
            return ints[i];
        }

        double[] doubles() {
            double[] d = new double[(int) numel()];
            for (int i = 0; i < d.length; i++) d[i] = value(i);
            return d;
        }

        long[] longs() {
            long[] d = new long[(int) numel()];
            for (int i = 0; i < d.length; i++) d[i] = integer(i);
            return d;
        }

        static Const ofInts(long[] shape, long... v) {
            return new Const(shape, null, v);
        }

        static Const ofDoubles(long[] shape, double... v) {
            return new Const(shape, v, null);
        }

        @Override
        public String toString() {
            return Arrays.toString(shape) + (isInt() ? Arrays.toString(ints) : values.length <= 8 ? Arrays.toString(values) : "");
        }
    }

    /** ONNX TensorProto.DataType values this importer reads. */
    static final int FLOAT = 1, INT32 = 6, INT64 = 7, BOOL = 9, FLOAT16 = 10, DOUBLE = 11;

    /** Reads a TensorProto (typed fields or raw little-endian data); {@code what} names it in errors. */
    static Const read(TensorProto t, String what) {
        long[] shape = new long[t.getDimsCount()];
        for (int d = 0; d < shape.length; d++) {
            shape[d] = t.getDims(d);
            if (shape[d] < 0) throw new IllegalArgumentException(what + ": dimension " + d + " is " + shape[d]);
        }
        long n = 1;
        for (long s : shape) n = Math.multiplyExact(n, s);
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(what + ": " + n + " elements is too many");
        if (t.hasDataLocation() && t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            throw new IllegalArgumentException(what + ": external data is not supported (save the model with the weights inside)");
        }
        int count = (int) n;
        boolean raw = t.hasRawData();
        ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        switch (t.getDataType()) {
            case FLOAT, DOUBLE, FLOAT16 -> {
                double[] v = new double[count];
                int es = t.getDataType() == FLOAT ? 4 : t.getDataType() == DOUBLE ? 8 : 2;
                int have = raw ? b.remaining() / es : t.getDataType() == FLOAT ? t.getFloatDataCount()
                        : t.getDataType() == DOUBLE ? t.getDoubleDataCount() : t.getInt32DataCount();
                if (have != count || raw && b.remaining() != count * es) {
                    throw new IllegalArgumentException(what + ": " + (raw ? b.remaining() + " bytes" : have + " values") + " for shape "
                            + Arrays.toString(shape) + " (" + count + " elements)");
                }
                for (int i = 0; i < count; i++) {
                    v[i] = switch (t.getDataType()) {
                        case FLOAT -> raw ? b.getFloat(4 * i) : t.getFloatData(i);
                        case DOUBLE -> raw ? b.getDouble(8 * i) : t.getDoubleData(i);
                        default -> Float.float16ToFloat(raw ? b.getShort(2 * i) : (short) t.getInt32Data(i));
                    };
                }
                return Const.ofDoubles(shape, v);
            }
            case INT64, INT32, BOOL -> {
                long[] v = new long[count];
                int es = t.getDataType() == INT64 ? 8 : t.getDataType() == INT32 ? 4 : 1;
                int have = raw ? b.remaining() / es : t.getDataType() == INT64 ? t.getInt64DataCount() : t.getInt32DataCount();
                if (have != count || raw && b.remaining() != count * es) {
                    throw new IllegalArgumentException(what + ": " + (raw ? b.remaining() + " bytes" : have + " values") + " for shape "
                            + Arrays.toString(shape) + " (" + count + " elements)");
                }
                for (int i = 0; i < count; i++) {
                    v[i] = switch (t.getDataType()) {
                        case INT64 -> raw ? b.getLong(8 * i) : t.getInt64Data(i);
                        case INT32 -> raw ? b.getInt(4 * i) : t.getInt32Data(i);
                        default -> raw ? b.get(i) : t.getInt32Data(i);
                    };
                }
                return Const.ofInts(shape, v);
            }
            default -> throw new IllegalArgumentException(what + ": data type " + t.getDataType()
                    + " is not supported (float, double, float16, int32, int64, bool)");
        }
    }
}
