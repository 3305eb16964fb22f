import dev.vecnn.pool.Pool;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.*;
import java.lang.foreign.Arena;
import java.util.Arrays;
public class PoolT {
    public static void main(String[] a) throws Exception {
        int threads = Integer.parseInt(a[0]); int reps = Integer.parseInt(a[1]);
        try (Execution ex = Execution.withThreads(threads); Arena arena = Arena.ofShared()) {
            for (int q = 2; q < a.length; q++) {
                PoolSpec s = PoolSpec.parse(a[q]);
                Tensor x = Tensor.allocate(arena, DType.F32, s.inputShape()), y = Tensor.allocate(arena, DType.F32, s.outputShape());
                Tensor gx = Tensor.allocate(arena, DType.F32, s.inputShape()), idx = Tensor.allocate(arena, DType.I64, s.outputShape());
                for (long i = 0; i < x.numel(); i++) x.setAt(i, ((i * 2654435761L) % 1000) / 500.0 - 1);
                double[] f = new double[reps], b = new double[reps];
                for (int r = -reps; r < reps; r++) {
                    long t0 = System.nanoTime();
                    Pool.choose(s).forward(s, x, y, idx, ex);
                    long t1 = System.nanoTime();
                    Pool.choose(s).backward(s, null, idx, y, gx, ex);
                    long t2 = System.nanoTime();
                    if (r >= 0) { f[r] = (t1 - t0) * 1e-6; b[r] = (t2 - t1) * 1e-6; }
                }
                Arrays.sort(f); Arrays.sort(b);
                System.out.printf("%s t%d forward+idx %.3f ms backward %.3f ms%n", a[q], threads, f[reps / 2], b[reps / 2]);
            }
        }
    }
}
