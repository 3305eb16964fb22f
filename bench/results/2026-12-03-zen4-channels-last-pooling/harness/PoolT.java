import dev.vecnn.pool.*;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.tensor.*;
import java.lang.foreign.Arena;
import java.util.Arrays;

/** PoolT spec...: median us of each pooling forward at 1 and 2 threads (channels-first and channels-last). */
public class PoolT {
    public static void main(String[] a) throws Exception {
        Arena arena = Arena.ofShared();
        for (String sp : a) {
            PoolSpec s = PoolSpec.parse(sp);
            for (boolean last : new boolean[] {false, true}) {
                Tensor x = last ? Tensor.allocateChannelsLast(arena, DType.F32, s.inputShape()) : Tensor.allocate(arena, DType.F32, s.inputShape());
                Tensor y = last ? Tensor.allocateChannelsLast(arena, DType.F32, s.outputShape()) : Tensor.allocate(arena, DType.F32, s.outputShape());
                x.fill(0.5);
                PoolImpl k = Pool.choose(s);
                StringBuilder line = new StringBuilder(String.format("%-45s %s %-10s", sp, last ? "CL" : "CF", k.name()));
                for (int th : new int[] {1, 2}) {
                    try (Execution ex = Execution.withThreads(th)) {
                        double[] t = new double[30];
                        for (int r = 0; r < t.length; r++) {
                            long t0 = System.nanoTime();
                            for (int i = 0; i < 20; i++) k.forward(s, x, y, null, ex);
                            t[r] = (System.nanoTime() - t0) / 1e3 / 20;
                        }
                        double[] u = Arrays.copyOfRange(t, 10, 30); Arrays.sort(u);
                        line.append(String.format("  %dt %8.1f us", th, u[u.length / 2]));
                    }
                }
                System.out.println(line);
            }
        }
    }
}
