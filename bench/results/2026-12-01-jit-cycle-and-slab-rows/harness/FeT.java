import dev.vecnn.parallel.Execution;
import java.util.Arrays;
public class FeT {
    public static void main(String[] a) throws Exception {
        int threads = Integer.parseInt(a[0]); long gapUs = Long.parseLong(a[1]); long taskUs = Long.parseLong(a[2]); int count = Integer.parseInt(a[3]);
        try (Execution ex = Execution.withThreads(threads)) {
            double[] t = new double[4000];
            for (int r = -2000; r < 4000; r++) {
                long e = System.nanoTime() + gapUs * 1000; while (System.nanoTime() < e) Thread.onSpinWait();
                long t0 = System.nanoTime();
                ex.forEach(count, (i, s) -> { long f = System.nanoTime() + taskUs * 1000; while (System.nanoTime() < f) { } });
                if (r >= 0) t[r] = (System.nanoTime() - t0) * 1e-3;
            }
            Arrays.sort(t);
            System.out.printf("threads %d gap %d task %d us x %d: p50 %.1f p90 %.1f p99 %.1f us%n", threads, gapUs, taskUs, count, t[2000], t[3600], t[3960]);
        }
    }
}
