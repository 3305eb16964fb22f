import dev.vecnn.kernel.matmul.Matmul;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.*;
import java.lang.foreign.Arena;
public class Gemv {
    public static void main(String[] a) {
        int m = Integer.parseInt(a[0]), n = Integer.parseInt(a[1]), k = Integer.parseInt(a[2]), reps = Integer.parseInt(a[3]);
        try (Arena ar = Arena.ofShared(); Execution ex = Execution.withThreads(Integer.getInteger("threads", 1))) {
            Tensor x = Tensor.allocate(ar, DType.F32, m, k); x.fill(0.5);
            int rot = Integer.getInteger("rot", 1); Tensor[] ws = new Tensor[rot]; for (int q = 0; q < rot; q++) { ws[q] = Tensor.allocate(ar, DType.F32, n, k); ws[q].fill(0.1); }
            Tensor b = Tensor.allocate(ar, DType.F32, n); b.fill(0.1);
            Tensor y = Tensor.allocate(ar, DType.F32, m, n);
            for (int round = 0; round < 6; round++) {
                double best = 1e9;
                for (int i = 0; i < reps; i++) { long t0 = System.nanoTime(); Matmul.forward(x, ws[i % rot], b, dev.vecnn.conv.Epilogue.NONE, y, ex); best = Math.min(best, (System.nanoTime() - t0) * 1e-3); }
                System.out.printf("m%d n%d k%d: best %.1f us  %.1f GB/s of weights%n", m, n, k, best, 4.0 * n * k / best / 1e3);
            }
        }
    }
}
