package dev.vecnn.bench.train;

import dev.vecnn.nn.Model;
import dev.vecnn.nn.loss.Loss;
import dev.vecnn.nn.optim.Optimizer;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Whole training steps and inference of a network of a {@link TrainingSuite}, on one batch of random
 * seeded data (inputs N(0, 1); regression targets N(0, 1); class labels uniform). {@code train}: forward
 * in training mode, loss, backward, optimizer step; {@code infer}: forward in evaluation mode. The
 * primary score is steps per second; the secondary result {@code events} is samples per second
 * (steps x batch), the figure the report shows.
 *
 * <pre>
 *   mvn -q package -DskipTests -Pbench -Djmh.args="TrainBench -p network=calo2d -p batch=32 -p threads=1"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TrainBench {
    /** The suite file, relative to the working directory ({@code bench/} under Maven). */
    @Param("suites/training.suite")
    public String suite;
    /** A network of the suite. */
    @Param("shower3d")
    public String network;
    /** f32 or f64. */
    @Param("f32")
    public String dtype;
    /** Samples per step. */
    @Param("32")
    public int batch;
    /** Kernel threads. */
    @Param("1")
    public int threads;

    private Execution execution;
    private Model model;
    private Loss loss;
    private Optimizer optimizer;
    private Arena arena;
    private Tensor x, y;

    /** Events (samples) processed: JMH reports them per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Events {
        /** Samples of the current iteration. */
        public long events;

        /** Each iteration counts from zero. */
        @Setup(Level.Iteration)
        public void reset() {
            events = 0;
        }
    }

    /** Reads the suite, builds the model and its data. */
    @Setup(Level.Trial)
    public void setup() throws Exception {
        TrainingSuite.Network net = TrainingSuite.read(Path.of(suite)).network(network);
        DType dt = switch (dtype) {
            case "f32" -> DType.F32;
            case "f64" -> DType.F64;
            default -> throw new IllegalArgumentException("dtype: '" + dtype + "' is not f32 or f64");
        };
        execution = Execution.withThreads(threads);
        model = net.build(dt, 1, execution);
        loss = net.task().loss().on(model.context());
        optimizer = net.optimizer().create(model);
        arena = Arena.ofShared(); // kernels on several threads touch the data
        Data d = Data.random(arena, net, dt, batch, 2);
        x = d.x;
        y = d.y;
    }

    /** One batch of random inputs and targets. */
    record Data(Tensor x, Tensor y) {
        static Data random(Arena arena, TrainingSuite.Network net, DType dt, int batch, long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            long[] shape = new long[net.input().length + 1];
            shape[0] = batch;
            System.arraycopy(net.input(), 0, shape, 1, net.input().length);
            Tensor x = Tensor.allocate(arena, dt, shape);
            fillNormal(x, r);
            int k = net.task().outputs();
            Tensor y;
            if (net.task().classification()) {
                y = Tensor.allocate(arena, dt, batch);
                for (int i = 0; i < batch; i++) y.set(r.nextInt(k), i);
            } else {
                y = Tensor.allocate(arena, dt, batch, k);
                fillNormal(y, r);
            }
            return new Data(x, y);
        }

        private static void fillNormal(Tensor t, SplittableRandom r) {
            Tensor flat = t.reshape(t.numel());
            for (long i = 0; i < flat.numel(); i++) {
                double u = 1 - r.nextDouble(), v = r.nextDouble(); // Box-Muller
                flat.set(Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v), i);
            }
        }
    }

    /** Frees the model, its executor and the data. */
    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
        execution.close();
        arena.close();
    }

    /** One training step: forward (training mode), loss, backward, optimizer step. Returns the loss. */
    @Benchmark
    public double train(Events events) {
        double l = step(model, loss, optimizer, x, y);
        events.events += batch;
        return l;
    }

    /** Inference: forward in evaluation mode. Returns the output (a view of the model's buffer). */
    @Benchmark
    public Tensor infer(Events events) {
        Tensor out = model.forward(x, false);
        events.events += batch;
        return out;
    }

    /**
     * The training step measured by {@link #train}, as {@code Trainer} runs it: the backward pass fills the
     * parameter gradients only (no gradient of the input batch, which PyTorch's {@code loss.backward()}
     * does not compute either for an input that does not require it).
     */
    static double step(Model model, Loss loss, Optimizer optimizer, Tensor x, Tensor y) {
        double l = loss.forward(model.forward(x, true), y);
        model.backwardParameters(loss.backward());
        optimizer.step();
        return l;
    }
}
