package dev.vecnn.nn;

import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The memory of a frozen evaluation pass's outputs ({@link Context#output}): one arena laid out from the last
 * pass's lifetimes, as ONNX Runtime's and TensorFlow Lite's memory planners do, so that the whole pass writes
 * and reads a few megabytes that stay in cache from layer to layer and from pass to pass.
 *
 * <p>Each pass records its requests (element counts, in order) and when each one's memory was released. At its
 * end, when some request was not served by the plan, the requests are placed in one arena greedily by size
 * (largest first, each in the smallest gap that fits it between the requests alive at the same time and already
 * placed, else after them: the "greedy by size" offset planner of Pisarchyk and Lee, <i>Efficient Memory
 * Management for Deep Neural Net Inference</i>, 2020, as in TensorFlow Lite).
 * The next passes take request i's planned slice while it is at least as large as asked and overlaps no memory
 * still in use (checked, so a plan can never alias a live value); a request the plan does not serve, as in the
 * first pass or at a new input shape, takes a buffer of its own: the most recently freed one large enough, or new
 * memory. A pass whose requests the plan serves allocates nothing; the arena only grows, to the largest plan.
 * Memory no longer lent (the buffers of the passes before a plan, an arena outgrown) is freed when the next
 * frozen evaluation pass starts, each piece unless it holds one of that pass's inputs: reading an output after
 * the next pass then throws {@link IllegalStateException} instead of returning another value. The buffers are
 * kept while a pass's input lies in them (an output fed back in, whose memory the plan cannot lend).
 */
final class OutputMemory {
    /** Offsets and sizes are multiples of this many elements: 64-byte aligned slices. */
    private static final long ALIGN = 16;

    private final DType dtype;
    private final Runnable counter;

    /** The planned arena (null before the first plan) and each request's offset and planned size, in elements. */
    private Tensor arena;
    private Arena arenaMemory;
    private long[] offset = {}, planned = {};

    /** Buffers of requests the plan did not serve; free ones lent most recently freed first. */
    private final List<Tensor> pool = new ArrayList<>();
    private Arena poolMemory;
    /** Memory no longer lent, freed at the start of a pass unless it holds one of the pass's inputs. */
    private final List<Retired> retired = new ArrayList<>();

    private record Retired(Arena memory, List<Tensor> tensors) {
    }
    private final Set<Tensor> inPool = Collections.newSetFromMap(new IdentityHashMap<>());
    private final ArrayDeque<Tensor> free = new ArrayDeque<>();

    /** This pass: memory in use, by the request it serves (-1: an input of the pass); each request's size and end. */
    private final Map<Tensor, Integer> inUse = new IdentityHashMap<>();
    private long[] size = new long[16], end = new long[16];
    private int requests;
    private boolean offPlan, inputInPool;

    /** Memory for tensors of {@code dtype}; {@code counter} runs at each allocation. */
    OutputMemory(DType dtype, Runnable counter) {
        this.dtype = dtype;
        this.counter = counter;
    }

    private Tensor allocate(Arena memory, long n) {
        counter.run();
        return Tensor.allocate(memory, dtype, n);
    }

    /** Starts a pass: all memory is free except what holds one of {@code keep} (an output fed back in). */
    void begin(Iterable<Tensor> keep) {
        for (var it = retired.iterator(); it.hasNext(); ) {
            Retired r = it.next();
            boolean holdsInput = false;
            for (Tensor t : r.tensors) holdsInput |= overlapsAny(t, keep);
            if (holdsInput) continue;
            it.remove();
            r.memory.close();
        }
        inUse.clear();
        free.clear();
        requests = 0;
        offPlan = false;
        inputInPool = false;
        for (Tensor t : pool) {
            if (overlapsAny(t, keep)) {
                inUse.put(t, -1);
                inputInPool = true;
            } else {
                free.push(t);
            }
        }
        if (arena != null) {
            for (Tensor k : keep) if (k != null && k.overlaps(arena)) inUse.put(k, -1);
        }
    }

    /** Memory for the next output, of n elements: a contiguous 1-D tensor. */
    Tensor take(long n) {
        int i = requests++;
        if (i == size.length) {
            size = Arrays.copyOf(size, 2 * i);
            end = Arrays.copyOf(end, 2 * i);
        }
        size[i] = n;
        end[i] = Long.MAX_VALUE;
        Tensor t = null;
        if (i < planned.length && planned[i] >= n) {
            Tensor s = arena.slice(0, offset[i], offset[i] + n);
            if (!overlapsAny(s, inUse.keySet())) t = s;
        }
        if (t == null) {
            offPlan = true;
            t = fromPool(n);
        }
        inUse.put(t, i);
        return t.numel() == n ? t : t.slice(0, 0, n);
    }

    /**
     * The memory holding {@code dead} is free from the next request on, unless a value in {@code live} lies in it
     * too (a view such as a flatten's). Tensors not from {@link #take} are left alone.
     */
    void release(Tensor dead, Iterable<Tensor> live) {
        for (var e : inUse.entrySet()) {
            Tensor t = e.getKey();
            if (!t.overlaps(dead)) continue;
            if (overlapsAny(t, live)) return;
            int i = e.getValue();
            inUse.remove(t);
            if (i >= 0) end[i] = requests;
            if (inPool.contains(t)) free.push(t);
            return;
        }
    }

    /** Ends a pass: when the plan did not serve it, plans its requests for the next passes. */
    void end() {
        if (!offPlan) {
            if (poolMemory != null && !inputInPool) { // the plan serves the requests: the pool's buffers are lent no more
                retired.add(new Retired(poolMemory, List.copyOf(pool)));
                pool.clear();
                inPool.clear();
                free.clear();
                poolMemory = null;
            }
            return;
        }
        long[] at = new long[requests];
        long peak = place(Arrays.copyOf(size, requests), Arrays.copyOf(end, requests), at);
        if (arena == null || arena.numel() < peak) {
            if (arena != null) retired.add(new Retired(arenaMemory, List.of(arena)));
            arenaMemory = Arena.ofShared();
            arena = allocate(arenaMemory, peak);
        }
        offset = at;
        planned = Arrays.copyOf(size, requests);
    }

    /** Frees all the memory: the context is closing. Later passes start afresh. */
    void close() {
        List<Arena> all = new ArrayList<>();
        for (Retired r : retired) all.add(r.memory);
        if (poolMemory != null) all.add(poolMemory);
        if (arenaMemory != null) all.add(arenaMemory);
        retired.clear();
        pool.clear();
        inPool.clear();
        free.clear();
        inUse.clear();
        poolMemory = arenaMemory = null;
        arena = null;
        offset = planned = new long[0];
        RuntimeException failed = null;
        for (Arena a : all) {
            try {
                a.close();
            } catch (RuntimeException e) { // each arena is closed even when one fails
                if (failed == null) failed = e;
                else failed.addSuppressed(e);
            }
        }
        if (failed != null) throw failed;
    }

    /** Elements of the memory lent now: the arena and the buffers of requests off the plan (not the retired ones). */
    long elements() {
        long n = arena == null ? 0 : arena.numel();
        for (Tensor t : pool) n += t.numel();
        return n;
    }

    /**
     * Greedy by size (Pisarchyk and Lee, 2020): requests sorted by size (largest first, then in order), each in the
     * smallest gap between the placed requests alive at the same time that fits it, else after the last of them;
     * request i is alive for requests i to end[i] - 1. Sizes are rounded up to whole 64-byte lines. Returns the
     * arena's size.
     */
    static long place(long[] size, long[] end, long[] at) {
        int n = size.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> size[a] != size[b] ? Long.compare(size[b], size[a]) : Integer.compare(a, b));
        boolean[] placed = new boolean[n];
        long peak = 0;
        List<long[]> busy = new ArrayList<>();
        for (int i : order) {
            long len = Math.ceilDiv(size[i], ALIGN) * ALIGN;
            busy.clear();
            for (int j = 0; j < n; j++) {
                boolean together = j < i ? i < end[j] : j < end[i];
                if (placed[j] && together) busy.add(new long[] {at[j], at[j] + Math.ceilDiv(size[j], ALIGN) * ALIGN});
            }
            busy.sort((a, b) -> Long.compare(a[0], b[0]));
            long gapStart = 0, best = -1, bestGap = Long.MAX_VALUE;
            for (long[] b : busy) {
                long gap = b[0] - gapStart;
                if (gap >= len && gap < bestGap) {
                    best = gapStart;
                    bestGap = gap;
                }
                gapStart = Math.max(gapStart, b[1]);
            }
            at[i] = best >= 0 ? best : gapStart;
            placed[i] = true;
            peak = Math.max(peak, at[i] + len);
        }
        return peak;
    }

    /** The most recently freed pool buffer of at least n elements, or a new one. */
    private Tensor fromPool(long n) {
        for (var it = free.iterator(); it.hasNext(); ) {
            Tensor f = it.next();
            if (f.numel() >= n) {
                it.remove();
                return f;
            }
        }
        if (poolMemory == null) poolMemory = Arena.ofShared();
        Tensor t = allocate(poolMemory, n);
        pool.add(t);
        inPool.add(t);
        return t;
    }

    private static boolean overlapsAny(Tensor t, Iterable<Tensor> values) {
        for (Tensor v : values) {
            if (v != null && t.overlaps(v)) return true;
        }
        return false;
    }
}
