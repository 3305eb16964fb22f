package dev.vecnn.spec;

import java.util.Arrays;

/** Argument checks whose messages name the parameter, the dimension and the value. */
final class Checks {
    private Checks() {
    }

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
