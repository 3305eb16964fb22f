package dev.vecnn.bench;

import dev.vecnn.bench.peer.OnnxRuntimePeer;
import dev.vecnn.nn.Model;
import dev.vecnn.nn.onnx.OnnxImport;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.MemoryFormat;
import dev.vecnn.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Inference of a whole imported network: vecnn running the model {@link OnnxImport} reads, against ONNX
 * Runtime running the same .onnx file, in the same JMH run. The files are torchvision's ResNet-18 and
 * MobileNet-V2 with random weights, written by
 * {@code /usr/bin/python3 tests/onnx/generate_onnx.py --bench bench/models} (not committed); the
 * directory is the system property {@code vecnn.models} (default {@code models}, i.e. bench/models
 * when run from the bench module). Inputs are (batch, 3, size, size), float32.
 *
 * <pre>
 * mvn -q package -DskipTests -Pbench -Djmh.args="ModelBench -p model=resnet18,mobilenet_v2 -p batch=1,8 -p threads=1,2 -p impl=vecnn,onnxruntime"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ModelBench {
    /** The file name without .onnx in the models directory. */
    @Param({"resnet18", "mobilenet_v2"})
    public String model;

    /** Images per inference. */
    @Param({"1", "8"})
    public int batch;

    /** Threads of vecnn's {@link Execution} or ONNX Runtime's intra-op pool. */
    @Param({"1", "2"})
    public int threads;

    /** Image height and width. */
    @Param("224")
    public int size;

    /**
     * vecnn (the model frozen: convolution weights packed once, as ONNX Runtime packs its constant
     * initializers), vecnn-unfrozen (weights packed on every call, as in training), or onnxruntime.
     */
    @Param({"vecnn", "onnxruntime"})
    public String impl;

    /**
     * vecnn's memory format ({@link Model#memoryFormat}): channels-first or channels-last. The input is
     * channels-first either way, as ONNX Runtime's is.
     */
    @Param("channels-first")
    public String layout = "channels-first";

    private Arena arena;
    private Execution ex;
    private Model net;
    private OnnxRuntimePeer peer;
    private Tensor x, y;

    /** The model file. */
    static Path file(String model) {
        Path f = Path.of(System.getProperty("vecnn.models", "models")).resolve(model + ".onnx");
        if (!Files.exists(f)) {
            throw new IllegalStateException(f.toAbsolutePath() + " is missing: write it with /usr/bin/python3 tests/onnx/generate_onnx.py --bench bench/models"
                    + " (or set -Dvecnn.models=DIR)");
        }
        return f;
    }

    /** Reads the model into vecnn or ONNX Runtime; fills the input. */
    @Setup(Level.Trial)
    public void setUp() throws IOException, ai.onnxruntime.OrtException {
        Path f = file(model);
        arena = Arena.ofShared();
        x = Tensor.allocate(arena, DType.F32, batch, 3, size, size);
        for (long i = 0; i < x.numel(); i++) x.setAt(i, ((i * 2654435761L) % 1000) / 500.0 - 1);
        switch (impl) {
            case "vecnn", "vecnn-unfrozen" -> {
                ex = Execution.withThreads(threads);
                net = OnnxImport.load(f, OnnxImport.Options.defaults().on(ex));
                net.memoryFormat(switch (layout) {
                    case "channels-first" -> MemoryFormat.CHANNELS_FIRST;
                    case "channels-last" -> MemoryFormat.CHANNELS_LAST;
                    default -> throw new IllegalArgumentException("layout: unknown '" + layout + "' (channels-first or channels-last)");
                });
                if (impl.equals("vecnn")) net.freeze();
            }
            case "onnxruntime" -> {
                long[] out;
                String in, result;
                try (Model shape = OnnxImport.load(f)) { // only for the names and the output shape
                    out = shape.outputShape();
                    in = shape.graph().inputNames().get(0);
                    result = shape.graph().outputNames().get(0);
                }
                long[] full = new long[out.length + 1];
                full[0] = batch;
                System.arraycopy(out, 0, full, 1, out.length);
                y = Tensor.allocate(arena, DType.F32, full);
                peer = new OnnxRuntimePeer(Files.readAllBytes(f), threads, in, x, result, y);
            }
            default -> throw new IllegalArgumentException("impl: unknown '" + impl + "' (vecnn, vecnn-unfrozen or onnxruntime)");
        }
    }

    /** Frees memory and threads. */
    @TearDown(Level.Trial)
    public void tearDown() throws ai.onnxruntime.OrtException {
        if (peer != null) peer.close();
        if (net != null) net.close();
        if (ex != null) ex.close();
        arena.close();
    }

    /** One inference of the batch. */
    @Benchmark
    public void infer(Blackhole bh) throws ai.onnxruntime.OrtException {
        if (peer != null) {
            peer.run();
        } else {
            y = net.forward(x, false);
            bh.consume(y);
        }
    }

    /** The output of the last {@link #infer} (for the smoke test). */
    Tensor output() {
        return y;
    }
}
