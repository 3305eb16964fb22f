package dev.vecnn.parallel;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Where kernels run: a number of threads and a reusable workspace.
 *
 * <p>Kernels split their work into tasks in which every output element is computed by one task in a
 * fixed order, whatever the number of tasks (some kernels make more tasks for more threads); so results
 * are bit-identical for any number of threads. Workers take tasks from a shared counter.
 *
 * <p>Memory of a confined arena may only be touched by its owner thread: when any tensor of a call is
 * confined, the call runs all its tasks on the calling thread (same results, one thread). Allocate in
 * {@code Arena.ofShared()}, {@code Arena.ofAuto()} or on the heap to use several threads.
 *
 * <p>Workers: {@code threads - 1} daemon threads, started at the first call that uses them. An idle
 * worker spins for the next call for {@value #SPIN_MICROS_DEFAULT} microseconds (system property
 * {@code vecnn.spinMicros}; never when there are more threads than processors) before it parks, as
 * OpenMP runtimes do: a training step makes dozens of calls of a millisecond or less, and waking a
 * parked thread costs 30-40 microseconds on a 2-vCPU virtual machine (measured with
 * {@code ConvBench} on tiny problems), which a spinning worker does not pay. A worker idle for
 * {@value #IDLE_EXIT_SECONDS} seconds ends; the next call starts another.
 *
 * <p>Scratch memory comes from this execution's pool: after the first calls of a given size, a loop
 * that reuses one {@code Execution} allocates nothing. An execution may be used by several threads
 * at once: a call made while another call of the same execution is running (from another thread, or
 * from inside a task) runs its tasks on its own thread. {@link #close()} ends the workers.
 */
public final class Execution implements AutoCloseable {
    private static final Execution DEFAULT = new Execution(Runtime.getRuntime().availableProcessors());
    static final int SPIN_MICROS_DEFAULT = 200;
    static final int IDLE_EXIT_SECONDS = 30;
    private static final long SPIN_NANOS = 1000L * Math.max(0, Integer.getInteger("vecnn.spinMicros", SPIN_MICROS_DEFAULT));

    private final int threads;
    private final long spinNanos;
    private final Worker[] workers;
    /** Whether a call is using the workers: at most one at a time. */
    private final AtomicBoolean busy = new AtomicBoolean();
    private final ConcurrentLinkedQueue<Scratch> scratches = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;
    /** The tasks of the running call (or of the last one), published to the workers. */
    private volatile Job job;
    /** Told the task count of every call before it runs, when set: how the partition tests see a kernel's cut. */
    private volatile java.util.function.IntConsumer observer;

    private Execution(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads = " + threads + ": must be >= 1");
        this.threads = threads;
        this.spinNanos = threads <= Runtime.getRuntime().availableProcessors() ? SPIN_NANOS : 0;
        this.workers = new Worker[threads - 1];
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

    /**
     * Sets (or, with null, clears) the observer told the task count of every {@link #forEach} call of this
     * execution before its tasks run; an exception it throws ends the call with no task run. For tests.
     */
    void observe(java.util.function.IntConsumer o) {
        observer = o;
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

        private final java.util.Map<String, java.lang.foreign.MemorySegment> segments = new java.util.HashMap<>();

        /**
         * Native memory of at least {@code bytes} bytes named {@code name}, 64-byte aligned (contents unspecified),
         * freed by the garbage collector once this scratch is gone: for buffers the kernels read as tensors, which
         * stay off the heap (heap segments slow every other kernel: {@code ElementwiseEngine}).
         */
        public java.lang.foreign.MemorySegment segment(String name, long bytes) {
            if (bytes < 0) throw new IllegalArgumentException("bytes: scratch size " + bytes + " is negative");
            java.lang.foreign.MemorySegment m = segments.get(name);
            if (m != null && m.byteSize() >= bytes) return m;
            m = java.lang.foreign.Arena.ofAuto().allocate(Math.max(bytes, m == null ? 0 : m.byteSize() * 2), 64);
            segments.put(name, m);
            return m;
        }

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
     * the calling thread alone if any of {@code touched} is confined (or the workers are busy with
     * another call); returns when all are done. The first exception a task throws is rethrown here
     * (a checked one wrapped in an {@link IllegalStateException}), after the other tasks have ended.
     */
    public void forEach(int count, Task task, dev.vecnn.tensor.Tensor... touched) {
        if (closed) throw new IllegalStateException("ex: execution closed (threads = " + threads + ")");
        if (count <= 0) return;
        java.util.function.IntConsumer o = observer;
        if (o != null) o.accept(count);
        boolean shared = true;
        for (dev.vecnn.tensor.Tensor t : touched) if (t != null && !t.isShared()) shared = false;
        int helpers = shared ? Math.min(threads, count) - 1 : 0;
        if (helpers == 0 || !busy.compareAndSet(false, true)) {
            Scratch s = acquire();
            try {
                for (int i = 0; i < count; i++) task.run(i, s);
            } finally {
                release(s);
            }
            return;
        }
        Job j = new Job(count, task, Thread.currentThread());
        try {
            job = j;
            for (int w = 0; w < helpers; w++) wake(w);
            Scratch s = acquire();
            try {
                j.work(s);
            } finally {
                release(s);
            }
            // wait for the workers still running a task: spin, then park until the last one unparks us (an
            // interrupt would make every park return at once: it is cleared while waiting and restored after)
            boolean interrupted = Thread.interrupted();
            long deadline = System.nanoTime() + spinNanos;
            while (j.active.get() > 0) {
                if (System.nanoTime() < deadline) Thread.onSpinWait();
                else LockSupport.parkNanos(j, 1_000_000);
                interrupted |= Thread.interrupted();
            }
            if (interrupted) Thread.currentThread().interrupt();
            j.task = null; // every task has ended: what it captured need not stay reachable from this execution
        } finally {
            busy.set(false);
        }
        Throwable failure = j.failure;
        if (failure instanceof RuntimeException r) throw r;
        if (failure instanceof Error e) throw e;
        if (failure != null) throw new IllegalStateException("a task threw " + failure, failure);
    }

    /**
     * Starts worker {@code w} if it is not running, or unparks it if it is parked. A worker that cannot
     * start (no memory for another thread) leaves its share of the tasks to the others.
     */
    private void wake(int w) {
        Worker k = workers[w];
        if (k == null || !k.alive) {
            k = new Worker(this, w);
            try {
                k.start();
                workers[w] = k;
            } catch (OutOfMemoryError | RuntimeException e) {
                workers[w] = null;
            }
        } else if (k.parked) {
            LockSupport.unpark(k);
        }
    }

    /** One call's tasks: a shared counter, the tasks running, the first failure. */
    private static final class Job {
        final int count;
        /** Cleared when the call returns; a worker reads it only after claiming a task, which it then cannot. */
        Task task;
        final Thread caller;
        final AtomicInteger next = new AtomicInteger(), active = new AtomicInteger();
        volatile Throwable failure;

        Job(int count, Task task, Thread caller) {
            this.count = count;
            this.task = task;
            this.caller = caller;
        }

        /** Runs tasks from the counter until none is left (or one failed); the last thread out unparks the caller. */
        void work(Scratch s) {
            active.incrementAndGet(); // before the first claim: the caller waits for every claimed task
            try {
                // each thread overshoots count by one: near Integer.MAX_VALUE the counter wraps negative
                for (int i; failure == null && (i = next.getAndIncrement()) < count && i >= 0; ) task.run(i, s);
            } catch (Throwable e) { // checked ones too (sneaky throws): never lost, and the caller still waits
                synchronized (this) {
                    if (failure == null) failure = e;
                }
            } finally {
                if (active.decrementAndGet() == 0 && Thread.currentThread() != caller) LockSupport.unpark(caller);
            }
        }
    }

    /** A worker thread: waits for a new job (spinning, then parked), works on it, and ends when closed or idle long. */
    private static final class Worker extends Thread {
        private final Execution ex;
        private final Scratch scratch = new Scratch();
        volatile boolean parked, alive = true;

        Worker(Execution ex, int index) {
            super("vecnn-worker-" + index);
            this.ex = ex;
            setDaemon(true);
        }

        @Override
        public void run() {
            Job seen = ex.job; // a job published before this thread started is the one it was started for
            boolean first = true;
            try {
                while (true) {
                    Job j = first ? seen : next(seen);
                    first = false;
                    if (j == null) return;
                    seen = j;
                    j.work(scratch);
                }
            } finally {
                alive = false;
            }
        }

        /** The next job after {@code seen}, or null when the execution is closed or nothing came for a long time. */
        private Job next(Job seen) {
            long start = System.nanoTime(), spinEnd = start + ex.spinNanos;
            while (true) {
                Job j = ex.job;
                if (j != seen) return j;
                if (ex.closed) return null;
                long now = System.nanoTime();
                if (now < spinEnd) {
                    Thread.onSpinWait();
                    continue;
                }
                if (now - start > IDLE_EXIT_SECONDS * 1_000_000_000L) return null;
                Thread.interrupted(); // a task's interrupt must not turn every park into a spin
                parked = true;
                if (ex.job == seen && !ex.closed) LockSupport.parkNanos(this, 1_000_000_000L);
                parked = false;
            }
        }
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

    /** Ends the workers (not for {@link #defaults()}); later calls throw {@link IllegalStateException}. */
    @Override
    public void close() {
        if (this == DEFAULT) throw new IllegalStateException("the default execution cannot be closed");
        closed = true;
        for (Worker w : workers) if (w != null) LockSupport.unpark(w);
    }
}
