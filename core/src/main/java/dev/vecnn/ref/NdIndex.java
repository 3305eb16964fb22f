package dev.vecnn.ref;

/** Row-major iteration over multi-indices of any rank. */
final class NdIndex {
    private NdIndex() {
    }

    /** Advances {@code idx} to the next multi-index below {@code shape}; false after the last one. */
    static boolean next(long[] idx, long[] shape) {
        for (int d = idx.length - 1; d >= 0; d--) {
            if (++idx[d] < shape[d]) return true;
            idx[d] = 0;
        }
        return false;
    }

    /** As {@link #next(long[], long[])} over dimensions {@code [from, rank)} only; the others stay. */
    static boolean next(long[] idx, long[] shape, int from) {
        for (int d = idx.length - 1; d >= from; d--) {
            if (++idx[d] < shape[d]) return true;
            idx[d] = 0;
        }
        return false;
    }

    /** Row-major flat index of {@code idx} in {@code shape}. */
    static long flat(long[] idx, long[] shape) {
        long f = 0;
        for (int d = 0; d < idx.length; d++) f = f * shape[d] + idx[d];
        return f;
    }

    /** Count of multi-indices, 1 for rank 0. */
    static long count(long[] shape) {
        long n = 1;
        for (long s : shape) n *= s;
        return n;
    }
}
