package dev.vecnn.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The machine's float32 FMA ceiling as Java sees it: 24 independent vector accumulators, no memory
 * traffic. Reports {@code gflops} like the kernels, so reports can draw it as the peak line.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class FmaPeakBench {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int N = 100_000;

    /** FLOP counter. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        /** GFLOP done, reported per second. */
        public double gflops;
    }

    /** 24 chains of N FMAs each. */
    @Benchmark
    public float fma(Flops f) {
        FloatVector a = FloatVector.broadcast(S, 0.999f), b = FloatVector.broadcast(S, 1e-3f);
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0;
        FloatVector c10 = c0, c11 = c0, c12 = c0, c13 = c0, c14 = c0, c15 = c0, c16 = c0, c17 = c0, c18 = c0, c19 = c0;
        FloatVector c20 = c0, c21 = c0, c22 = c0, c23 = c0;
        for (int i = 0; i < N; i++) {
            c0 = a.fma(c0, b); c1 = a.fma(c1, b); c2 = a.fma(c2, b); c3 = a.fma(c3, b); c4 = a.fma(c4, b); c5 = a.fma(c5, b);
            c6 = a.fma(c6, b); c7 = a.fma(c7, b); c8 = a.fma(c8, b); c9 = a.fma(c9, b); c10 = a.fma(c10, b); c11 = a.fma(c11, b);
            c12 = a.fma(c12, b); c13 = a.fma(c13, b); c14 = a.fma(c14, b); c15 = a.fma(c15, b); c16 = a.fma(c16, b);
            c17 = a.fma(c17, b); c18 = a.fma(c18, b); c19 = a.fma(c19, b); c20 = a.fma(c20, b); c21 = a.fma(c21, b);
            c22 = a.fma(c22, b); c23 = a.fma(c23, b);
        }
        f.gflops += 2.0 * 24 * S.length() * N * 1e-9;
        FloatVector s = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .add(c12).add(c13).add(c14).add(c15).add(c16).add(c17).add(c18).add(c19).add(c20).add(c21).add(c22).add(c23);
        return s.reduceLanes(VectorOperators.ADD);
    }
}
