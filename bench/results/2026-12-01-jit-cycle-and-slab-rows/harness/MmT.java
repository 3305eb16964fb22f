import dev.vecnn.kernel.matmul.Matmul;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.*;
import java.lang.foreign.Arena;
import java.util.Arrays;
public class MmT {
    public static void main(String[] a) throws Exception {
        int threads = Integer.parseInt(a[0]); long sleepUs = Long.parseLong(a[1]);
        try (Execution ex = Execution.withThreads(threads); Arena arena = Arena.ofShared()) {
            Tensor x = Tensor.allocate(arena, DType.F32, 32, 64), w = Tensor.allocate(arena, DType.F32, 10, 64), b = Tensor.allocate(arena, DType.F32, 10), y = Tensor.allocate(arena, DType.F32, 32, 10);
            double[] t = new double[2000]; int R = Integer.getInteger("reps", 2000);
            for (int r = -R; r < 2000; r++) {
                if (sleepUs > 0) { long e = System.nanoTime() + sleepUs * 1000; while (System.nanoTime() < e) Thread.onSpinWait(); }
                long t0 = System.nanoTime();
                Matmul.forward(x, w, b, Epilogue.NONE, y, ex);
                if (r >= 0) t[r] = (System.nanoTime() - t0) * 1e-3;
            }
            Arrays.sort(t);
            System.out.printf("threads %d gap %d us: median %.1f us, p90 %.1f%n", threads, sleepUs, t[1000], t[1800]);
        }
    }
}
