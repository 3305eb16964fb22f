package dev.vecnn.bench;

import dev.vecnn.bench.peer.OnnxModels;
import dev.vecnn.bench.peer.OnnxRuntimePeer;
import dev.vecnn.parallel.Execution;
import dev.vecnn.pool.Pool;
import dev.vecnn.pool.PoolImpl;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One pooling pass of one problem, with the same string parameters as {@link ConvBench}. The secondary
 * result {@code gbs} is input plus output bytes per second / 1e9 (for backward: gy plus gx, the same
 * count).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class PoolBench {
    /** The problem in vecnn's pooling text form. */
    @Param("maxpool_mb1ic64ih112oh56kh3sh2ph1")
    public String spec;

    /** forward, forward-indices (max pooling also writes argmax) or backward (max: from the indices). */
    @Param("forward")
    public String pass;

    /** Threads of the {@link Execution}. */
    @Param("1")
    public int threads;

    /** f32 or f64. */
    @Param("f32")
    public String dtype;

    /** channels-first or channels-last. */
    @Param("channels-first")
    public String layout;

    /** auto, an implementation name, or the peer onnxruntime (forward only). */
    @Param("auto")
    public String impl;

    private Arena arena;
    private Execution ex;
    private PoolSpec s;
    private PoolImpl kernel;
    private boolean backward;
    private Tensor x;
    private Tensor y;
    private Tensor indices;
    private Tensor gx;
    private OnnxRuntimePeer peer;

    /** The byte counter behind the {@code gbs} secondary result. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        /** GB moved, reported per second. */
        public double gbs;
    }

    /** Builds the tensors and picks the implementation. */
    @Setup(Level.Trial)
    public void setUp() throws ai.onnxruntime.OrtException {
        s = PoolSpec.parse(spec);
        backward = switch (pass) {
            case "forward", "forward-indices" -> false;
            case "backward" -> true;
            default -> throw new IllegalArgumentException("pass: unknown '" + pass + "' (forward, forward-indices, backward)");
        };
        DType t = DType.parse(dtype);
        boolean last = layout.equals("channels-last");
        if (!last && !layout.equals("channels-first")) throw new IllegalArgumentException("layout: unknown '" + layout + "'");
        boolean ort = impl.equals("onnxruntime");
        kernel = impl.equals("auto") ? Pool.choose(s) : ort ? null : Pool.implementation(impl);
        arena = Arena.ofShared();
        ex = Execution.withThreads(threads);
        x = alloc(t, s.inputShape(), last);
        y = alloc(t, s.outputShape(), last);
        gx = backward ? alloc(t, s.inputShape(), last) : null;
        boolean withIndices = s.kind().isMax() && !pass.equals("forward");
        indices = withIndices ? alloc(DType.I64, s.outputShape(), last) : null;
        Tensor values = Tensor.allocate(arena, t, s.inputShape());
        Tensor flat = values.reshape(values.numel());
        for (long e = 0; e < flat.numel(); e++) flat.set((e * 7919 % 1000) / 1000.0, e);
        x.copyFrom(values);
        if (ort) {
            if (backward || last || !OnnxModels.supportsPool(s)) {
                throw new IllegalArgumentException("impl: onnxruntime runs forward, channels-first, rank <= 3 only; not " + pass + " " + s);
            }
            peer = new OnnxRuntimePeer(OnnxModels.pool(s, t), threads, "X", x, "Y", y);
        } else if (backward && indices != null) {
            kernel.forward(s, x, y, indices, ex);
        }
    }

    private Tensor alloc(DType t, long[] shape, boolean channelsLast) {
        return channelsLast ? Tensor.allocateChannelsLast(arena, t, shape) : Tensor.allocate(arena, t, shape);
    }

    /** Frees memory and threads. */
    @TearDown(Level.Trial)
    public void tearDown() throws ai.onnxruntime.OrtException {
        if (peer != null) peer.close();
        ex.close();
        arena.close();
    }

    /** One pass. */
    @Benchmark
    public void run(Bytes b) throws ai.onnxruntime.OrtException {
        if (peer != null) peer.run();
        else if (backward) kernel.backward(s, indices == null ? null : x, indices, y, gx, ex);
        else kernel.forward(s, x, y, indices, ex);
        b.gbs += s.bytes(x.dtype().byteSize()) * 1e-9;
    }
}
