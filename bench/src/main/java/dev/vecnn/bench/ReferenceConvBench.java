package dev.vecnn.bench;

import dev.vecnn.ref.ReferenceConv;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The reference convolution's forward pass over a spec given in the text form ({@code -p spec=...}).
 * A baseline for the fast kernels to come; the full suite arrives with the bench issue.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ReferenceConvBench {
    /** A convolution in vecnn's text form (benchdnn descriptors work too). */
    @Param("mb1ic3ih16oc2oh16kh3ph1")
    public String spec;

    /** f32 or f64. */
    @Param("f32")
    public String dtype;

    private Arena arena;
    private ConvSpec s;
    private Tensor x;
    private Tensor w;
    private Tensor b;
    private Tensor y;

    /** Allocates and fills the tensors once per trial. */
    @Setup(Level.Trial)
    public void setUp() {
        s = ConvSpec.parse(spec);
        DType t = DType.parse(dtype);
        arena = Arena.ofShared();
        x = Tensor.allocate(arena, t, s.inputShape());
        w = Tensor.allocate(arena, t, s.weightShape());
        b = s.hasBias() ? Tensor.allocate(arena, t, s.biasShape()) : null;
        y = Tensor.allocate(arena, t, s.outputShape());
        x.fill(0.5);
        w.fill(0.25);
    }

    /** Frees the tensors. */
    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /** One forward pass. */
    @Benchmark
    public Tensor forward() {
        ReferenceConv.forward(s, x, w, b, y);
        return y;
    }
}
