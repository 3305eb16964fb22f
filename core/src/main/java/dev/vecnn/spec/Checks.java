package dev.vecnn.spec;

import java.math.BigInteger;
import java.util.Arrays;

/** Argument checks whose messages name the parameter, the dimension and the value. */
final class Checks {
    private Checks() {
    }

    /**
     * Bytes of the widest element type a spec's tensors may have (f64, and i64 argmax indices): a
     * tensor fits a machine only if its element count times this fits a long.
     */
    static final long WIDEST_ELEMENT = 8;

    static IllegalArgumentException fail(String param, int dim, long value, String rule) {
        return new IllegalArgumentException(param + "[" + dim + "] = " + value + ": " + rule);
    }

    static IllegalArgumentException fail(String param, long value, String rule) {
        return new IllegalArgumentException(param + " = " + value + ": " + rule);
    }

    static void atLeast(String param, int dim, long value, long min) {
        if (value < min) throw fail(param, dim, value, "must be >= " + min);
    }

    static void atLeast(String param, long value, long min) {
        if (value < min) throw fail(param, value, "must be >= " + min);
    }

    /**
     * Rejects a tensor no memory could hold: its element count, a batch of 0 counted as 1 (the
     * strides of an empty tensor still span its other dimensions), or its bytes in the widest element
     * type overflow a long. The message starts with the parameters {@code from} that set the shape.
     */
    static void tensorFits(String param, long[] shape, String from) {
        BigInteger n = BigInteger.ONE;
        for (long s : shape) n = n.multiply(BigInteger.valueOf(Math.max(s, 1)));
        BigInteger bytes = n.multiply(BigInteger.valueOf(WIDEST_ELEMENT));
        if (bytes.bitLength() > 63) {
            throw new IllegalArgumentException(from + ": the " + param + " tensor of shape " + Arrays.toString(shape) + " has " + n
                    + " elements; at " + WIDEST_ELEMENT + " bytes each (f64, i64) that is " + bytes
                    + " bytes, more than a long counts (no memory holds it)");
        }
    }

    /** Expands a per-dimension array: one value applies to every dimension. */
    static int[] perDim(String param, int[] values, int rank, int fallback) {
        if (values == null) {
            int[] r = new int[rank];
            Arrays.fill(r, fallback);
            return r;
        }
        if (values.length == 1 && rank != 1) {
            int[] r = new int[rank];
            Arrays.fill(r, values[0]);
            return r;
        }
        if (values.length != rank) {
            throw new IllegalArgumentException(param + ": " + values.length + " values " + Arrays.toString(values)
                    + " for spatial rank " + rank + " (give one value, or one per dimension)");
        }
        return values.clone();
    }
}
