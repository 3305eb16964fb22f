package dev.vecnn.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * The task dispatch of {@link Execution}: every task exactly once, on several threads when asked,
 * failures rethrown, and nothing lost across back-to-back calls (workers spinning), calls after idle
 * time (workers parked), calls from several threads at once, calls from inside a task, checked
 * exceptions, an interrupted caller, and close.
 */
class ExecutionTest {
    /** Runs {@code count} tasks and checks each ran exactly once. */
    static void everyTaskOnce(Execution ex, int count) {
        AtomicIntegerArray runs = new AtomicIntegerArray(count);
        ex.forEach(count, (i, s) -> runs.incrementAndGet(i));
        for (int i = 0; i < count; i++) assertEquals(1, runs.get(i), "task " + i + " of " + count);
    }

    @Test
    void everyTaskRunsOnceInBackToBackCallsAndAfterIdleTime() throws InterruptedException {
        for (int threads : new int[] {1, 2, 3, 5}) {
            try (Execution ex = Execution.withThreads(threads)) {
                for (int call = 0; call < 2000; call++) everyTaskOnce(ex, 1 + call % 37);
                for (int call = 0; call < 5; call++) {
                    Thread.sleep(3); // past the spin: the workers park
                    everyTaskOnce(ex, 64);
                }
            }
        }
    }

    @Test
    void tasksRunOnSeveralThreadsAtOnce() throws Exception {
        try (Execution ex = Execution.withThreads(3)) {
            for (int call = 0; call < 20; call++) {
                // three tasks that can only pass the barrier together: three threads ran them at the same time
                CyclicBarrier all = new CyclicBarrier(3);
                Set<Thread> seen = ConcurrentHashMap.newKeySet();
                ex.forEach(3, (i, s) -> {
                    seen.add(Thread.currentThread());
                    try {
                        all.await(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                assertEquals(3, seen.size(), "threads of call " + call);
                if (call % 5 == 4) Thread.sleep(3);
            }
        }
    }

    @Test
    void theFirstFailureIsRethrownAndTheExecutionStaysUsable() {
        try (Execution ex = Execution.withThreads(2)) {
            for (int bad : new int[] {0, 7, 99}) {
                IllegalArgumentException boom = new IllegalArgumentException("task " + bad);
                IllegalArgumentException got = assertThrows(IllegalArgumentException.class, () -> ex.forEach(100, (i, s) -> {
                    if (i == bad) throw boom;
                }));
                assertSame(boom, got);
                everyTaskOnce(ex, 100);
            }
            AssertionError error = new AssertionError("an error");
            assertSame(error, assertThrows(AssertionError.class, () -> ex.forEach(10, (i, s) -> {
                if (i == 5) throw error;
            })));
            everyTaskOnce(ex, 10);
        }
    }

    /** A checked exception thrown without being declared (as Kotlin or sneaky throws do). */
    @SuppressWarnings("unchecked")
    static <E extends Throwable> void sneakyThrow(Throwable e) throws E {
        throw (E) e;
    }

    @Test
    void aCheckedExceptionIsRethrownAfterTheOtherTasksEnded() {
        try (Execution ex = Execution.withThreads(2)) {
            for (int bad : new int[] {0, 3, 63}) {
                java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
                java.io.IOException io = new java.io.IOException("task " + bad);
                IllegalStateException got = assertThrows(IllegalStateException.class, () -> ex.forEach(64, (i, s) -> {
                    running.incrementAndGet();
                    try {
                        if (i == bad) sneakyThrow(io);
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        running.decrementAndGet();
                    }
                }));
                assertSame(io, got.getCause());
                assertEquals(0, running.get(), "tasks still running after the call returned");
                everyTaskOnce(ex, 64);
            }
        }
    }

    @Test
    void anInterruptedCallerStillWaitsForEveryTaskAndStaysInterrupted() {
        try (Execution ex = Execution.withThreads(2)) {
            AtomicIntegerArray done = new AtomicIntegerArray(16);
            Thread.currentThread().interrupt();
            try {
                ex.forEach(16, (i, s) -> {
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                    done.incrementAndGet(i);
                });
                assertTrue(Thread.currentThread().isInterrupted(), "the caller's interrupt is kept");
            } finally {
                Thread.interrupted();
            }
            for (int i = 0; i < 16; i++) assertEquals(1, done.get(i), "task " + i);
        }
    }

    @Test
    void callsFromSeveralThreadsAndFromInsideATaskAllComplete() throws Exception {
        try (Execution ex = Execution.withThreads(2)) {
            Thread[] callers = new Thread[3];
            Throwable[] failures = new Throwable[callers.length];
            for (int c = 0; c < callers.length; c++) {
                int id = c;
                callers[c] = new Thread(() -> {
                    try {
                        for (int call = 0; call < 500; call++) everyTaskOnce(ex, 1 + (call + id) % 23);
                    } catch (Throwable t) {
                        failures[id] = t;
                    }
                });
                callers[c].start();
            }
            for (Thread t : callers) t.join(60_000);
            for (int c = 0; c < callers.length; c++) {
                assertTrue(!callers[c].isAlive() && failures[c] == null, "caller " + c + ": " + failures[c]);
            }
            // a call from inside a task runs on that task's thread
            AtomicIntegerArray inner = new AtomicIntegerArray(8 * 5);
            ex.forEach(8, (i, s) -> ex.forEach(5, (k, t) -> inner.incrementAndGet(i * 5 + k)));
            for (int i = 0; i < inner.length(); i++) assertEquals(1, inner.get(i), "inner task " + i);
        }
    }

    @Test
    void aClosedExecutionRefusesCalls() {
        Execution ex = Execution.withThreads(2);
        everyTaskOnce(ex, 10);
        ex.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ex.forEach(2, (i, s) -> { }));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> Execution.defaults().close());
    }

    /** Native scratch: native, 64-byte aligned, at least the size asked, the same memory again while it fits, larger when not; a negative size is refused. */
    @Test
    void scratchSegmentsAreNativeAlignedAndReused() {
        try (Execution ex = Execution.withThreads(1)) {
            Execution.Scratch s = ex.acquire();
            java.lang.foreign.MemorySegment a = s.segment("t", 1000);
            assertTrue(a.isNative() && a.byteSize() >= 1000 && a.address() % 64 == 0, "native, aligned, large enough: " + a);
            a.set(java.lang.foreign.ValueLayout.JAVA_INT, 996, 7);
            assertSame(a, s.segment("t", 800), "reused while it fits");
            java.lang.foreign.MemorySegment b = s.segment("t", 5000);
            assertTrue(b.isNative() && b.byteSize() >= 5000 && b.address() % 64 == 0, "grown: " + b);
            assertTrue(s.segment("other", 16) != b, "names are separate buffers");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.segment("t", -1));
            assertTrue(e.getMessage().contains("bytes") && e.getMessage().contains("-1"), e.getMessage());
            ex.release(s);
        }
    }
}
