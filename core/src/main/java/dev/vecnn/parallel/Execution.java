package dev.vecnn.parallel;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where kernels run: a number of threads and a reusable workspace.
 *
 * <p>Kernels split their work into a fixed list of tasks whose partition does not depend on the
 * thread count, and every output element is computed by one task in a fixed order; so results are
 * bit-identical for any number of threads. Workers take tasks from a shared counter.
 *
 * <p>Memory of a confined arena may only be touched by its owner thread: when any tensor of a call is
 * confined, the call runs all its tasks on the calling thread (same results, one thread). Allocate in
 * {@code Arena.ofShared()}, {@code Arena.ofAuto()} or on the heap to use several threads.
 *
 * <p>Scratch memory comes from this execution's pool: after the first calls of a given size, a loop
 * that reuses one {@code Execution} allocates nothing. An execution may be used by several threads
 * at once. {@link #close()} shuts its pool down.
 */
public final class Execution implements AutoCloseable {
    private static final Execution DEFAULT = new Execution(Runtime.getRuntime().availableProcessors());

    private final int threads;
    private final ForkJoinPool pool;
    private final ConcurrentLinkedQueue<Scratch> scratches = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    private Execution(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads = " + threads + ": must be >= 1");
        this.threads = threads;
        this.pool = threads > 1 ? new ForkJoinPool(threads - 1) : null;
    }

    /** An execution with {@code threads} threads (the caller's plus threads-1 workers) and its own workspace. */
    public static Execution withThreads(int threads) {
        return new Execution(threads);
    }

    /** The shared default: all available processors. */
    public static Execution defaults() {
        return DEFAULT;
    }

    /** This execution, after checking it is not closed (an {@link IllegalStateException} naming it otherwise). */
    public Execution requireOpen() {
        if (closed) throw new IllegalStateException("ex: execution closed (threads = " + threads + ")");
        return this;
    }

    /** Number of threads. */
    public int threads() {
        return threads;
    }

    /** Per-worker scratch buffers: heap arrays that grow to the largest size asked and are then reused. */
    public static final class Scratch {
        // one map per element type: keys are the callers' literals, whose hashes are cached
        private final java.util.Map<String, float[]> floats = new java.util.HashMap<>();
        private final java.util.Map<String, double[]> doubles = new java.util.HashMap<>();
        private final java.util.Map<String, int[]> ints = new java.util.HashMap<>();
        private final java.util.Map<String, long[]> longs = new java.util.HashMap<>();
        private final java.util.Map<String, float[][]> floatRows = new java.util.HashMap<>();
        private final java.util.Map<String, double[][]> doubleRows = new java.util.HashMap<>();

        /** A float array of at least {@code n} elements named {@code name} (contents unspecified). */
        public float[] floats(String name, int n) {
            float[] a = floats.get(name); // the hit without lambdas: this runs in kernels' task loops
            return a != null && a.length >= n ? a : get(floats, name, n, float[]::new, b -> b.length);
        }

        /** A double array of at least {@code n} elements named {@code name} (contents unspecified). */
        public double[] doubles(String name, int n) {
            double[] a = doubles.get(name); // the hit without lambdas: this runs in kernels' task loops
            return a != null && a.length >= n ? a : get(doubles, name, n, double[]::new, b -> b.length);
        }

        /** An int array of at least {@code n} elements named {@code name} (contents unspecified). */
        public int[] ints(String name, int n) {
            int[] a = ints.get(name); // the hit without lambdas: this runs in kernels' task loops
            return a != null && a.length >= n ? a : get(ints, name, n, int[]::new, b -> b.length);
        }

        /** A long array of at least {@code n} elements named {@code name} (contents unspecified). */
        public long[] longs(String name, int n) {
            long[] a = longs.get(name); // the hit without lambdas: this runs in kernels' task loops
            return a != null && a.length >= n ? a : get(longs, name, n, long[]::new, b -> b.length);
        }

        /**
         * {@code rows} float arrays of at least {@code length} elements each, named {@code name} (contents
         * unspecified). For loops that C2 should auto-vectorize: it vectorizes {@code c[j] += a * b[j]} over
         * separate arrays indexed alike, not over two offsets into one array (it cannot prove they do not overlap).
         */
        public float[][] floatRows(String name, int rows, int length) {
            float[][] r = floatRows.get(name);
            if (r != null && r.length >= rows && (r.length == 0 || r[0].length >= length)) return r;
            r = new float[grow(r == null ? 0 : r.length, rows)][grow(r == null || r.length == 0 ? 0 : r[0].length, length)];
            floatRows.put(name, r);
            return r;
        }

        /** As {@link #floatRows}, for doubles. */
        public double[][] doubleRows(String name, int rows, int length) {
            double[][] r = doubleRows.get(name);
            if (r != null && r.length >= rows && (r.length == 0 || r[0].length >= length)) return r;
            r = new double[grow(r == null ? 0 : r.length, rows)][grow(r == null || r.length == 0 ? 0 : r[0].length, length)];
            doubleRows.put(name, r);
            return r;
        }

        /** The buffer under {@code key}, replaced by a larger one when shorter than {@code n}. */
        private static <A> A get(java.util.Map<String, A> buffers, String key, int n, java.util.function.IntFunction<A> make,
                                 java.util.function.ToIntFunction<A> length) {
            A old = buffers.get(key);
            if (old != null && length.applyAsInt(old) >= n) return old;
            A fresh = make.apply(grow(old == null ? 0 : length.applyAsInt(old), n));
            buffers.put(key, fresh);
            return fresh;
        }

        private static int grow(int old, int n) {
            if (n < 0) throw new IllegalArgumentException("scratch size " + n + " overflows an array");
            return Math.max(n, (int) Math.min(Integer.MAX_VALUE - 8, old + (long) old / 2));
        }
    }

    /** The body of one task, run with the scratch of the worker that runs it. */
    @FunctionalInterface
    public interface Task {
        /** Runs task {@code index}. */
        void run(int index, Scratch scratch);
    }

    /**
     * Runs tasks {@code 0 .. count-1}, each exactly once, on up to {@link #threads()} threads, or on
     * the calling thread alone if any of {@code touched} is confined; returns when all are done.
     */
    public void forEach(int count, Task task, dev.vecnn.tensor.Tensor... touched) {
        if (closed) throw new IllegalStateException("execution: closed (threads = " + threads + ")");
        if (count <= 0) return;
        boolean shared = true;
        for (dev.vecnn.tensor.Tensor t : touched) if (t != null && !t.isShared()) shared = false;
        int workers = shared ? Math.min(threads, count) : 1;
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            Scratch s = acquire();
            try {
                // each worker overshoots count by one: near Integer.MAX_VALUE the counter wraps negative
                for (int i; (i = next.getAndIncrement()) < count && i >= 0; ) task.run(i, s);
            } finally {
                scratches.add(s);
            }
        };
        if (workers == 1) {
            worker.run();
            return;
        }
        Future<?>[] f = new Future<?>[workers - 1];
        for (int w = 0; w < f.length; w++) f[w] = pool.submit(worker);
        Throwable failure = null;
        try {
            worker.run();
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (Future<?> fu : f) {
            try {
                fu.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (failure == null) failure = e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) failure = e;
            }
        }
        if (failure instanceof RuntimeException r) throw r;
        if (failure instanceof Error e) throw e;
        if (failure != null) throw new IllegalStateException(failure);
    }

    /** A scratch for use outside {@link #forEach}; give it back with {@link #release}. */
    public Scratch acquire() {
        Scratch s = scratches.poll();
        return s != null ? s : new Scratch();
    }

    /** Returns a scratch taken with {@link #acquire}. */
    public void release(Scratch s) {
        scratches.add(s);
    }

    /** Shuts the worker pool down (not for {@link #defaults()}); later calls throw {@link IllegalStateException}. */
    @Override
    public void close() {
        if (this == DEFAULT) throw new IllegalStateException("the default execution cannot be closed");
        closed = true;
        if (pool != null) pool.shutdown();
    }
}
