package dev.vecnn.parallel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.conv.Conv;
import dev.vecnn.conv.ConvImpl;
import dev.vecnn.conv.ConvPass;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.pool.Pool;
import dev.vecnn.pool.PoolImpl;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * How the kernels cut the problems of the bench suites into tasks for 16, 32 and 64 threads, without
 * such a machine: an {@link Execution} of that many threads is told the task count of each call, and the
 * call ends there, before any task runs (so this costs no kernel time). The first call of a pass, after
 * the packing of weights, is its main one (backward-weights' final sums come after it).
 *
 * <p>The measure: the counter hands out one task per thread per round, so with tasks of equal size a
 * pass of {@code n} tasks on {@code T} threads keeps {@code n / (T * ceil(n / T))} of the threads' time
 * busy. The gemm kernels choose their cut for the thread count ({@code TaskSplit}: forward and
 * backward-data over images, rows, output-channel panels and, in volumes, dimension 1; backward-weights
 * over chunks of the reduction fixed by the problem, whose sums must not depend on the threads, times
 * channel blocks cut for the threads), and every pass of a convolution of at least 20 MFLOP must keep 3/4
 * of the threads busy on every core count; so must the larger pooling lines (0.5-3.2 million input
 * elements. The exceptions are listed in {@link #KNOWN_IDLE}; smaller problems are printed, not held. The forward
 * runs on channels-last tensors too ("forward-channels-last").
 */
class TaskPartitionTest {
    private static final int[] CORES = {16, 32, 64};
    /** Share of the threads' time kept busy at least (equal tasks, rounds of the counter). */
    private static final double MIN_BUSY = 0.75;
    /** Problems of at least this many FLOP must keep the threads busy (the "worth ~20 MFLOP"). */
    private static final double MIN_FLOPS = 20e6;

    private record Problem(String name, String spec) {
    }

    // the convolutions of bench/suites/performance.suite and generality.suite
    private static final List<Problem> CONVS = List.of(
            new Problem("conv3x3", "mb1ic64ih56oc64oh56kh3ph1"),
            new Problem("stem7x7", "mb1ic3ih224oc64oh112kh7sh2ph3"),
            new Problem("pointwise", "mb1ic256ih56oc64oh56kh1"),
            new Problem("conv3x3-14", "mb1ic256ih14oc256oh14kh3ph1"),
            new Problem("depthwise", "g128mb1ic128ih56oc128oh56kh3ph1"),
            new Problem("dilated", "mb1ic64ih56oc64oh56kh3ph2dh1"),
            new Problem("conv1d", "mb8ic64iw4096oc64ow4096kw9pw4"),
            new Problem("conv3d", "mb1ic16id32oc16od32kd3pd1"),
            new Problem("lecture", "mb32ic3ih32oc2oh32kh3ph1"),
            new Problem("conv1d-long-b1", "mb1ic32iw65536oc32ow65536kw9pw4"),
            new Problem("conv1d-dilated", "mb4ic64iw8192oc64ow8192kw3pw4dw3"),
            new Problem("conv1d-causal", "mb4ic32iw16384oc32ow16384kw5pw4_r0"),
            new Problem("conv2d-224", "mb1ic32ih224oc32oh224kh3ph1"),
            new Problem("conv2d-112-c64", "mb1ic64ih112oc64oh112kh3ph1"),
            new Problem("conv2d-7-c512", "mb1ic512ih7oc512oh7kh3ph1"),
            new Problem("conv2d-14-c256-b8", "mb8ic256ih14oc256oh14kh3ph1"),
            new Problem("pointwise-56", "mb1ic64ih56oc256oh56kh1"),
            new Problem("pointwise-28-b8", "mb8ic128ih28oc128oh28kh1"),
            new Problem("conv3x3s2", "mb1ic64ih56oc128oh28kh3sh2ph1"),
            new Problem("shortcut1x1s2", "mb1ic128ih28oc256oh14kh1sh2"),
            new Problem("depthwise-112", "g64mb1ic64ih112oc64oh112kh3ph1"),
            new Problem("depthwise-s2", "g128mb1ic128ih56oc128oh28kh3sh2ph1"),
            new Problem("grouped-g8", "g8mb1ic128ih28oc128oh28kh3ph1"),
            new Problem("grouped-g32", "g32mb1ic256ih14oc256oh14kh3ph1"),
            new Problem("conv3d-16-c32", "mb2ic32id16oc64od16kd3pd1"),
            new Problem("conv3d-voxel", "mb8ic16id16oc32od16kd3pd1"),
            new Problem("conv4d", "mb1ic4oc8_i16x16x16x16_k3x3x3x3_p1x1x1x1"));

    // the larger pooling lines of the suites (0.5-3.2 million input elements)
    private static final List<Problem> POOLS = List.of(
            new Problem("maxpool3x3s2", "maxpool_mb1ic64ih112oh56kh3sh2ph1"),
            new Problem("avgpool2x2", "avgpool_mb8ic64ih56oh28kh2sh2"),
            new Problem("maxpool1d-k3s2", "maxpool_mb8ic32iw4096kw3sw2pw1"),
            new Problem("maxpool2d-14x14", "maxpool_mb32ic256ih14kh2sh2"),
            new Problem("avgpool2d-5x5s3", "avgpool_mb8ic768ih17kh5sh3"),
            new Problem("maxpool3d-2x2x2", "maxpool_mb1ic32id32kd2sd2"),
            new Problem("maxpool3d-1x2x2", "maxpool_mb1ic64id16ih56iw56kd1kh2kw2sd1sh2sw2"),
            new Problem("avgpool3d-3x3x3s1", "avgpool_mb1ic16id32kd3pd1"));

    /**
     * Passes known to leave threads idle, as "problem pass threads"; the test fails when this list is wrong
     * either way. The stem's backward-weights: 23 chunks of its 112 output rows (fixed by the problem) times
     * at most 3 input channels, 69 units for 32 or 64 threads. Pooling at batch 1 whose tasks own whole
     * (image, channel) planes, 16-32 of them: a gathered max pooling (short output rows) copies a whole plane
     * per task; a backward pass whose windows overlap adds into its plane's gradient, which two tasks may not
     * share. The 3-D layer of 16 channels at batch 1 runs on the blocked kernel (one-vector blocks), whose tasks
     * are runs of dimension-0 rows: 32 of them for 64 threads, in either layout.
     */
    private static final Set<String> KNOWN_IDLE = Set.of(
            "stem7x7 backward-weights 32", "stem7x7 backward-weights 64",
            "conv3d forward 64", "conv3d backward-data 64", "conv3d forward-channels-last 64",
            "maxpool3d-2x2x2 forward 64", "maxpool3d-2x2x2 backward 64",
            "avgpool3d-3x3x3s1 backward 32", "avgpool3d-3x3x3s1 backward 64");

    /** Ends a call once its task count is known. */
    private static final class Counted extends RuntimeException {
        final int tasks;

        Counted(int tasks) {
            super("counted", null, false, false);
            this.tasks = tasks;
        }
    }

    /** The method that called {@link Execution#forEach}, seen from inside it. */
    private static String forEachCaller() {
        return StackWalker.getInstance().walk(frames -> frames
                .dropWhile(f -> !(f.getClassName().equals(Execution.class.getName()) && f.getMethodName().equals("forEach")))
                .skip(1).findFirst().map(StackWalker.StackFrame::getMethodName).orElse("?"));
    }

    /** Tasks of the first call {@code pass} makes on {@code ex} other than packing weights (which runs), 0 when it makes none. */
    private static int firstCall(Execution ex, Runnable pass) {
        ex.observe(n -> {
            if (!forEachCaller().startsWith("pack")) throw new Counted(n);
        });
        try {
            pass.run();
            return 0;
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) if (t instanceof Counted c) return c.tasks;
            throw e;
        } finally {
            ex.observe(null);
        }
    }

    /** Share of {@code threads} threads' time that {@code tasks} equal tasks keep busy. */
    static double busy(int tasks, int threads) {
        return tasks / (double) threads / Math.ceilDiv(tasks, threads);
    }

    @Test
    void everyLargeConvolutionKeepsEveryThreadBusyOn16To64Cores() {
        List<String> table = new ArrayList<>(), failures = new ArrayList<>();
        table.add("| problem | pass | kernel | MFLOP | tasks on 16 / 32 / 64 threads | busy on 16 / 32 / 64 |");
        table.add("|---|---|---|---|---|---|");
        Execution[] ex = new Execution[CORES.length];
        for (int i = 0; i < CORES.length; i++) ex[i] = Execution.withThreads(CORES[i]);
        try (Arena a = Arena.ofShared()) {
            for (Problem p : CONVS) {
                ConvSpec s = ConvSpec.parse(p.spec);
                Tensor x = Tensor.allocate(a, DType.F32, s.inputShape()), w = Tensor.allocate(a, DType.F32, s.weightShape());
                Tensor y = Tensor.allocate(a, DType.F32, s.outputShape());
                Tensor b = s.hasBias() ? Tensor.allocate(a, DType.F32, s.biasShape()) : null;
                for (ConvPass pass : ConvPass.values()) {
                    ConvImpl impl = Conv.choose(pass, s);
                    int[] tasks = new int[CORES.length];
                    for (int i = 0; i < CORES.length; i++) {
                        Execution e = ex[i];
                        tasks[i] = firstCall(e, switch (pass) {
                            case FORWARD -> () -> impl.forward(s, x, w, b, y, Epilogue.NONE, e);
                            case BACKWARD_DATA -> () -> impl.backwardData(s, y, w, x, e);
                            case BACKWARD_WEIGHTS -> () -> impl.backwardWeights(s, x, y, w, e);
                        });
                    }
                    boolean checked = s.flops() >= MIN_FLOPS;
                    String passName = pass.name().toLowerCase(Locale.ROOT).replace('_', '-');
                    row(table, failures, p.name, passName, impl.name(), s.flops() / 1e6, tasks, checked);
                }
                // the forward on channels-last tensors (the channels-last GEMM and depthwise kernels cut their own way)
                ConvImpl impl = Conv.choose(ConvPass.FORWARD, s);
                Tensor xl = Tensor.allocateChannelsLast(a, DType.F32, s.inputShape()), yl = Tensor.allocateChannelsLast(a, DType.F32, s.outputShape());
                int[] tasks = new int[CORES.length];
                for (int i = 0; i < CORES.length; i++) {
                    Execution e = ex[i];
                    tasks[i] = firstCall(e, () -> impl.forward(s, xl, w, b, yl, Epilogue.NONE, e));
                }
                row(table, failures, p.name, "forward-channels-last", impl.name(), s.flops() / 1e6, tasks, s.flops() >= MIN_FLOPS);
            }
            for (Problem p : POOLS) {
                PoolSpec s = PoolSpec.parse(p.spec);
                PoolImpl impl = Pool.choose(s);
                Tensor x = Tensor.allocate(a, DType.F32, s.inputShape()), y = Tensor.allocate(a, DType.F32, s.outputShape());
                Tensor gx = Tensor.allocate(a, DType.F32, s.inputShape());
                Tensor idx = s.kind().isMax() ? Tensor.allocate(a, DType.I64, s.outputShape()) : null;
                for (String pass : new String[] {"forward", "backward"}) {
                    int[] tasks = new int[CORES.length];
                    for (int i = 0; i < CORES.length; i++) {
                        Execution e = ex[i];
                        tasks[i] = firstCall(e, pass.equals("forward") ? () -> impl.forward(s, x, y, idx, e)
                                : () -> impl.backward(s, x, idx, y, gx, e));
                    }
                    row(table, failures, p.name, pass, impl.name(), Double.NaN, tasks, true);
                }
            }
        } finally {
            for (Execution e : ex) e.close();
        }
        System.out.println(String.join("\n", table));
        assertTrue(failures.isEmpty(), "passes that leave threads idle (or are listed so and do not):\n" + String.join("\n", failures) + "\n" + String.join("\n", table));
    }

    private static void row(List<String> table, List<String> failures, String name, String pass, String kernel, double mflop, int[] tasks,
                            boolean checked) {
        StringBuilder counts = new StringBuilder(), shares = new StringBuilder();
        for (int i = 0; i < CORES.length; i++) {
            double b = busy(Math.max(1, tasks[i]), CORES[i]);
            counts.append(i == 0 ? "" : " / ").append(tasks[i]);
            shares.append(i == 0 ? "" : " / ").append(String.format("%.2f", b));
            boolean idle = tasks[i] < 1 || checked && b < MIN_BUSY;
            if (idle != KNOWN_IDLE.contains(name + " " + pass + " " + CORES[i])) {
                failures.add(name + " " + pass + " (" + kernel + "): " + tasks[i] + " tasks on " + CORES[i] + " threads, busy " + b
                        + (idle ? "" : ", listed as idle"));
            }
        }
        table.add("| " + name + " | " + pass + " | " + kernel + " | " + (Double.isNaN(mflop) ? "—" : String.format("%.0f", mflop)) + " | "
                + counts + " | " + shares + (checked ? "" : " (not checked)") + " |");
    }
}
