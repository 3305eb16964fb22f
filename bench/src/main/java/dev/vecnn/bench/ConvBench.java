package dev.vecnn.bench;

import dev.vecnn.bench.peer.OnnxModels;
import dev.vecnn.bench.peer.OnnxRuntimePeer;
import dev.vecnn.conv.Conv;
import dev.vecnn.conv.ConvImpl;
import dev.vecnn.conv.ConvPass;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.conv.PreparedWeights;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
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
 * One convolution pass of one problem. Every parameter is a string, so any problem runs from the
 * command line: {@code -p spec=mb1ic64ih56oc64oh56kh3ph1 -p pass=backward-data -p threads=2}.
 * Besides JMH's time per operation, the secondary result {@code gflops} is the pass's FLOP rate
 * ({@link ConvSpec#flops()} per second / 1e9).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ConvBench {
    /** The problem, in vecnn's text form or as a benchdnn descriptor. */
    @Param("mb1ic64ih56oc64oh56kh3ph1")
    public String spec;

    /** forward, backward-data or backward-weights. */
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

    /** auto (the dispatcher's choice), an implementation name, or the peer onnxruntime (forward only). */
    @Param("auto")
    public String impl;

    /**
     * Forward weights: per-call (packed by each call) or prepared (packed once, {@link Conv#prepare}: what
     * ONNX Runtime does with constant weights).
     */
    @Param("per-call")
    public String weights;

    private Arena arena;
    private PreparedWeights prepared;
    private Execution ex;
    private ConvSpec s;
    private ConvPass p;
    private ConvImpl kernel;
    private Tensor x;
    private Tensor w;
    private Tensor b;
    private Tensor y;
    private OnnxRuntimePeer peer;

    /** The FLOP counter behind the {@code gflops} secondary result. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        /** GFLOP done, reported per second. */
        public double gflops;
    }

    /** Builds tensors filled with small values and picks the implementation. */
    @Setup(Level.Trial)
    public void setUp() {
        s = ConvSpec.parse(spec);
        p = switch (pass) {
            case "forward" -> ConvPass.FORWARD;
            case "backward-data" -> ConvPass.BACKWARD_DATA;
            case "backward-weights" -> ConvPass.BACKWARD_WEIGHTS;
            default -> throw new IllegalArgumentException("pass: unknown '" + pass + "'");
        };
        boolean ort = impl.equals("onnxruntime");
        kernel = impl.equals("auto") ? Conv.choose(p, s) : ort ? null : Conv.implementation(impl);
        DType t = DType.parse(dtype);
        boolean last = switch (layout) {
            case "channels-first" -> false;
            case "channels-last" -> true;
            default -> throw new IllegalArgumentException("layout: unknown '" + layout + "'");
        };
        arena = Arena.ofShared();
        ex = Execution.withThreads(threads);
        x = alloc(t, s.inputShape(), last, 0.5);
        w = alloc(t, s.weightShape(), false, 0.25);
        b = s.hasBias() ? alloc(t, s.biasShape(), false, 0.125) : null;
        y = alloc(t, s.outputShape(), last, 0.75);
        prepared = switch (weights) {
            case "per-call" -> null;
            case "prepared" -> p == ConvPass.FORWARD && kernel != null ? kernel.prepare(s, w) : null;
            default -> throw new IllegalArgumentException("weights: unknown '" + weights + "' (per-call, prepared)");
        };
        if (ort) {
            if (p != ConvPass.FORWARD || last || !OnnxModels.supportsConv(s)) {
                throw new IllegalArgumentException("impl: onnxruntime runs forward, channels-first, zeros-padded, rank <= 3 only; not " + pass + " " + layout + " " + s);
            }
            try {
                peer = new OnnxRuntimePeer(OnnxModels.conv(s, w, b), threads, "X", x, "Y", y);
            } catch (ai.onnxruntime.OrtException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private Tensor alloc(DType t, long[] shape, boolean channelsLast, double v) {
        Tensor r = channelsLast && shape.length > 2 ? Tensor.allocateChannelsLast(arena, t, shape) : Tensor.allocate(arena, t, shape);
        r.fill(v);
        return r;
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
    public void run(Flops f) throws ai.onnxruntime.OrtException {
        if (peer != null) {
            peer.run();
            f.gflops += s.flops() * 1e-9;
            return;
        }
        switch (p) {
            case FORWARD -> {
                if (prepared != null) kernel.forward(s, x, prepared, b, y, Epilogue.NONE, ex);
                else kernel.forward(s, x, w, b, y, Epilogue.NONE, ex);
            }
            case BACKWARD_DATA -> kernel.backwardData(s, y, w, x, ex);
            case BACKWARD_WEIGHTS -> kernel.backwardWeights(s, x, y, w, ex);
        }
        f.gflops += s.flops() * 1e-9;
    }
}
