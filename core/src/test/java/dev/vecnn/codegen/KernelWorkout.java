package dev.vecnn.codegen;

import dev.vecnn.conv.Activation;
import dev.vecnn.conv.Conv;
import dev.vecnn.conv.ConvImpl;
import dev.vecnn.conv.ConvPass;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.conv.blocked.BlockedConv;
import dev.vecnn.kernel.conv.pointwise.PointwiseConv;
import dev.vecnn.kernel.elementwise.ElementwiseEngine;
import dev.vecnn.kernel.elementwise.ElementwiseKernels;
import dev.vecnn.kernel.matmul.Matmul;
import dev.vecnn.parallel.Execution;
import dev.vecnn.pool.Pool;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the Vector API kernels a few hundred times on small problems, in both dtypes, so that the JIT compiles
 * them at every tier: every convolution implementation's passes (the blocked and pointwise kernels wherever they
 * can run, with their short last tiles at every vector width), pooling, the activations and the dense-layer
 * products. The child program of {@link KernelJitTest}, which reads its compilation log.
 */
public final class KernelWorkout {
    private KernelWorkout() {
    }

    /** Each convolution with the implementations that must run it (a name, or blocked-any / pointwise-any), on channels-last tensors or not. */
    private record Case(String spec, String impl, boolean channelsLast) {
        Case(String spec, String impl) {
            this(spec, impl, false);
        }
    }

    private static final List<Case> CONVS = List.of(
            new Case("mb2ic8oc32_i4x4x8_k3x3x3_p1x1x1", "blocked-any"), // two-vector blocks (12x2 tile)
            new Case("mb2ic8oc16_i4x4x8_k3x3x3_p1x1x1", "blocked-any"), // one-vector blocks, rows of 8: runs in pairs (24x1in8s tile)
            new Case("mb2ic8oc16_i4x4x4_k3x3x3_p1x1x1", "blocked-any"), // one-vector blocks, rows of 4 (24x1 tile)
            new Case("mb2ic8oc60_i12x61_k1x1", "pointwise-any"), // whole tiles and a short last tile at every width, a short block
            new Case("mb2ic1oc16_i8x8x9_k3x3x3_p1x1x1", "direct"), // few inputs on the grid (rows of 9, in both dtypes): 8x3 forward, 4x6 backward-weights
            new Case("mb2ic1oc16_i4x8x16_k3x3x3_p1x1x1", "direct"), // few inputs on row vectors (rows of 16)
            new Case("mb2ic3ih12iw12oc2oh12ow12kh3kw3ph1pw1", "direct"), // few outputs
            new Case("mb2ic8ih10iw10oc20oh10ow10kh3kw3ph1pw1", "gemm"), // micro-kernels, outer-product weights (triple rows), a masked gather
            new Case("mb2ic8ih10iw10oc16oh10ow10kh3kw3ph1pw1", "gemm"), // outer-product weights of one vector (triple rows)
            new Case("mb2ic8ih10iw10oc64oh10ow10kh3kw3ph1pw1", "gemm"), // outer-product weights of four vectors (triple rows)
            new Case("mb2ic8ih10iw10oc20oh9ow9kh2kw2", "gemm"), // outer-product weights on rows not in runs of three
            new Case("mb2ic8ih10iw10oc4oh10ow10kh3kw3ph1pw1", "gemm"), // dot-product weights
            new Case("mb16ic4ih6iw6oc16oh6ow6kh3kw3ph1pw1", "gemm"), // images in the lanes
            new Case("g8mb2ic8ih12iw12oc8oh12ow12kh3kw3ph1pw1", "depthwise"),
            new Case("g8mb2ic8ih12iw12oc8oh6ow6kh3kw3sh2sw2ph1pw1", "depthwise"),
            new Case("g4mb1ic4ih6iw70oc4oh6ow70kh3kw3ph1pw1", "depthwise"), // rows of 5 or 9 vectors, three taps: the unrolled 3x4 block
            new Case("g4mb1ic4oc4_i3x4x20_k3x3x3_p1x1x1", "depthwise"), // rows of 2 or 3 vectors: the unrolled 6x2 block
            new Case("g4mb1ic4oc4_i3x4x8_k3x3x3_p1x1x1", "depthwise"), // rows of one vector: the unrolled 12x1 block
            new Case("g4mb1ic4ih6iw150oc4oh3ow75kh3kw3sh2sw2ph1pw1", "depthwise"), // stride 2 along rows of 75 columns out: split rows
            new Case("mb2ic8oc14_i5x6_k1x1", "pointwise-any"), // planes of 3-4 vectors at 256 and 512 bits (float64, float32): the 6x4 tile
            new Case("mb2ic8oc14_i7x7_k1x1", "pointwise-any"),
            new Case("mb2ic8ih10iw10oc64oh10ow10kh3kw3ph1pw1", "gemm", true), // channels-last: the 6x4 tile (float32), 6x4 twice (float64)
            new Case("mb2ic8ih10iw10oc20oh10ow10kh3kw3ph1pw1", "gemm", true), // channels-last: 12x2 masked (float32), 12x2 + 24x1 (float64)
            new Case("g40mb2ic40ih10iw10oc40oh10ow10kh3kw3ph1pw1", "depthwise", true)); // channels-last depthwise

    private static final List<String> POOLS = List.of("maxpool_mb2ic8ih16kh3sh2ph1", "avgpool_mb2ic8ih16kh2sh2", "maxpool_mb2ic4id8kd2sd2",
            "maxpool_mb2ic8ih16kh3ph1");

    /** A named unit of work: one call of each pass of a kernel on one problem. */
    private record Work(String name, Runnable round) {
    }

    /**
     * Heap bytes per round above which a compiled kernel is taken to box its vectors: rounds here allocate up to
     * about 0.7 MB (2026-12-01, some of it before C2 settles); the blocked float64 tile stuck at tier 2 allocated
     * 19-38 MB. C2's out-of-line vector calls in a too-big method (the pointwise tile with its epilogue inside,
     * 853ca3d) showed 0.4-2.8 MB per round or nothing, by the JIT's profile: not reliably caught here.
     */
    static final long BOXED_BYTES = 4 << 20;

    /**
     * Runs every workload 400 times, then measures each one's heap allocation per round until it falls below
     * {@link #BOXED_BYTES} (the JIT has compiled it) or 10 seconds have passed, and writes to the file
     * {@code args[0]} a line "alloc NAME BYTES" per workload ("boxed" added where it never fell), then "workout done".
     */
    public static void main(String[] args) throws java.io.IOException {
        int rounds = 400;
        List<String> lines = new ArrayList<>();
        try (Arena a = Arena.ofShared(); Execution ex = Execution.withThreads(2)) {
            List<Work> work = new ArrayList<>();
            for (DType t : new DType[] {DType.F32, DType.F64}) work.addAll(workloads(a, t, ex));
            for (Work w : work) for (int r = 0; r < rounds; r++) w.round.run();
            for (Work w : work) {
                long perRound, deadline = System.nanoTime() + 10_000_000_000L; // a slow machine may compile late
                do {
                    long before = allocated();
                    for (int r = 0; r < 20; r++) w.round.run();
                    perRound = (allocated() - before) / 20;
                } while (perRound >= BOXED_BYTES && System.nanoTime() < deadline);
                lines.add("alloc " + w.name + " " + perRound + (perRound >= BOXED_BYTES ? " boxed" : ""));
            }
        }
        lines.add("workout done");
        // a file of its own: the JIT's log shares standard output and splits lines
        java.nio.file.Files.write(java.nio.file.Path.of(args[0]), lines);
    }

    /** Heap bytes allocated by all threads so far. */
    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getTotalThreadAllocatedBytes();
    }

    private static List<Work> workloads(Arena a, DType t, Execution ex) {
        List<Work> work = new ArrayList<>();
        String dt = t.shortName();
        for (Case c : CONVS) {
            ConvSpec s = ConvSpec.parse(c.spec);
            ConvImpl k = switch (c.impl) {
                case "blocked-any" -> BlockedConv.anywhere();
                case "pointwise-any" -> PointwiseConv.anywhere();
                default -> Conv.implementation(c.impl);
            };
            Tensor x = filled(a, t, s.inputShape(), c.channelsLast), w = filled(a, t, s.weightShape()), y = filled(a, t, s.outputShape(), c.channelsLast);
            Tensor b = s.hasBias() ? filled(a, t, s.biasShape()) : null;
            int[] r = {0};
            work.add(new Work(c.impl + " " + c.spec + (c.channelsLast ? " channels-last " : " ") + dt, () -> {
                for (ConvPass p : ConvPass.values()) {
                    if (!k.supports(p, s)) continue;
                    switch (p) {
                        case FORWARD -> k.forward(s, x, w, b, y, r[0]++ % 2 == 0 ? Epilogue.relu() : Epilogue.sigmoid(), ex);
                        case BACKWARD_DATA -> k.backwardData(s, y, w, x, ex);
                        case BACKWARD_WEIGHTS -> k.backwardWeights(s, x, y, w, ex);
                    }
                }
            }));
        }
        for (String text : POOLS) {
            PoolSpec s = PoolSpec.parse(text);
            Tensor x = filled(a, t, s.inputShape()), y = filled(a, t, s.outputShape()), gx = filled(a, t, s.inputShape());
            Tensor idx = s.kind().isMax() ? Tensor.allocate(a, DType.I64, s.outputShape()) : null;
            work.add(new Work("pool " + text + " " + dt, () -> {
                Pool.choose(s).forward(s, x, y, idx, ex);
                Pool.choose(s).backward(s, x, idx, y, gx, ex);
            }));
        }
        ElementwiseEngine k = ElementwiseKernels.defaults().engine(t);
        Tensor ex1 = filled(a, t, 101), ey1 = filled(a, t, 101);
        work.add(new Work("activations " + dt, () -> {
            for (Activation f : Activation.values()) {
                Epilogue e = f == Activation.HARD_SIGMOID ? Epilogue.hardSigmoid() : f == Activation.CLIP ? Epilogue.clip(-1, 1) : new Epilogue(f, 0.1, 0);
                k.activationForward(e, ex1.segment(), 0, ey1.segment(), 0, 101, 0.5, true);
                k.activationBackward(e, false, ex1.segment(), 0, ey1.segment(), 0, ey1.segment(), 0, 101);
            }
        }));
        Tensor mx = filled(a, t, 16, 40), mw = filled(a, t, 24, 40), my = filled(a, t, 16, 24), mb = filled(a, t, 24);
        Tensor m1 = filled(a, t, 1, 40), my1 = filled(a, t, 1, 24);
        work.add(new Work("matmul " + dt, () -> {
            Matmul.forward(mx, mw, mb, Epilogue.relu(), my, ex);
            Matmul.forward(m1, mw, mb, Epilogue.relu(), my1, ex); // one sample: the 2 x 8 dot tile
            Matmul.backwardData(my, mw, mx, ex);
            Matmul.backwardWeights(mx, my, mw, ex);
        }));
        // a dense head as in a training network (voxel3d's is 32 x 64 -> 10; 30 rows here so that the last row tile is
        // partial as well as the last column task): such tiles sent the forward's tasks into a C2 / C1 recompilation cycle
        Tensor dx = filled(a, t, 30, 64), dw = filled(a, t, 10, 64), dy = filled(a, t, 30, 10), db = filled(a, t, 10);
        work.add(new Work("matmul partial tiles " + dt, () -> {
            Matmul.forward(dx, dw, db, Epilogue.NONE, dy, ex);
            Matmul.backwardData(dy, dw, dx, ex);
            Matmul.backwardWeights(dx, dy, dw, ex);
        }));
        return work;
    }

    private static Tensor filled(Arena a, DType t, long... shape) {
        return filled(a, t, shape, false);
    }

    private static Tensor filled(Arena a, DType t, long[] shape, boolean channelsLast) {
        Tensor x = channelsLast ? Tensor.allocateChannelsLast(a, t, shape) : Tensor.allocate(a, t, shape);
        for (long i = 0; i < x.numel(); i++) x.setAt(i, ((i * 2654435761L) % 1000) / 1000.0 - 0.5);
        return x;
    }
}
