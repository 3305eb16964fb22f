import dev.vecnn.conv.*;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.*;
import java.lang.foreign.Arena;
import java.util.Arrays;

/** Run spec cl|cf reps [rounds]: median µs per prepared forward, and GFLOP/s. */
public class Run {
    public static void main(String[] a) {
        ConvSpec s = ConvSpec.parse(a[0]);
        boolean last = a[1].equals("cl");
        int reps = Integer.parseInt(a[2]), rounds = a.length > 3 ? Integer.parseInt(a[3]) : 15;
        int threads = Integer.getInteger("threads", 1);
        Arena arena = Arena.ofShared();
        Tensor x = last ? Tensor.allocateChannelsLast(arena, DType.F32, s.inputShape()) : Tensor.allocate(arena, DType.F32, s.inputShape());
        Tensor y = last ? Tensor.allocateChannelsLast(arena, DType.F32, s.outputShape()) : Tensor.allocate(arena, DType.F32, s.outputShape());
        Tensor w = Tensor.allocate(arena, DType.F32, s.weightShape());
        Tensor b = s.hasBias() ? Tensor.allocate(arena, DType.F32, s.biasShape()) : null;
        x.fill(0.5); w.fill(0.25); if (b != null) b.fill(0.125);
        ConvImpl k = Conv.choose(ConvPass.FORWARD, s);
        PreparedWeights p = k.prepare(s, w);
        Epilogue e = System.getProperty("relu6") != null ? Epilogue.clip(0, 6) : Epilogue.NONE;
        try (Execution ex = Execution.withThreads(threads)) {
            double[] t = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < reps; i++) k.forward(s, x, p, b, y, e, ex);
                t[r] = (System.nanoTime() - t0) / 1e3 / reps;
            }
            double[] u = Arrays.copyOfRange(t, rounds / 3, rounds);
            Arrays.sort(u);
            double med = u[u.length / 2];
            System.out.printf("%s %s %s t=%d: %.1f us (min %.1f) %.1f GFLOP/s%n", a[0], a[1], k.name(), threads, med, u[0], s.flops() / med / 1e3);
        }
    }
}
