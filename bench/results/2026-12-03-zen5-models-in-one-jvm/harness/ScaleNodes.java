import dev.vecnn.nn.Graph;
import dev.vecnn.nn.Model;
import dev.vecnn.nn.onnx.OnnxImport;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.*;
import java.lang.foreign.Arena;
import java.nio.file.*;

/** ScaleNodes model batch reps: per graph node, vecnn at 1 thread and at 2 threads in one JVM, alternated in blocks of 10. */
public class ScaleNodes {
    public static void main(String[] a) throws Exception {
        String model = a[0];
        int batch = Integer.parseInt(a[1]), reps = Integer.parseInt(a[2]);
        Path file = Path.of(System.getProperty("vecnn.models", "bench/models"), model + ".onnx");
        Arena arena = Arena.ofShared();
        Tensor x = Tensor.allocate(arena, DType.F32, batch, 3, 224, 224);
        for (long i = 0; i < (long) batch * 3 * 224 * 224; i++) x.setAt(i, (float) ((((long) i * 2654435761L) % 1000) / 500.0 - 1));
        Model[] nets = new Model[2];
        for (int t = 0; t < 2; t++) {
            nets[t] = OnnxImport.load(file, OnnxImport.Options.defaults().on(Execution.withThreads(t + 1)));
            nets[t].memoryFormat(MemoryFormat.CHANNELS_LAST);
            nets[t].freeze();
        }
        for (int i = 0; i < reps; i++) { nets[0].forward(x, false); nets[1].forward(x, false); }
        Graph g = nets[0].graph();
        long[][] prof = {new long[g.size()], new long[g.size()]};
        long[] wall = new long[2];
        for (int b = 0; b < reps / 10; b++) {
            for (int t = 0; t < 2; t++) {
                Graph.PROF = prof[t];
                long t0 = System.nanoTime();
                for (int i = 0; i < 10; i++) nets[t].forward(x, false);
                wall[t] += System.nanoTime() - t0;
            }
        }
        Graph.PROF = null;
        int runs = reps / 10 * 10;
        System.out.printf("# %s batch %d: whole network 1 thread %.3f ms, 2 threads %.3f ms, scaling %.2f%n", model, batch,
                wall[0] / 1e6 / runs, wall[1] / 1e6 / runs, (double) wall[0] / wall[1]);
        double s1 = 0, s2 = 0;
        for (int k = 0; k < g.size(); k++) {
            double m1 = prof[0][k] / 1e6 / runs, m2 = prof[1][k] / 1e6 / runs;
            s1 += m1; s2 += m2;
            System.out.printf("%8.4f %8.4f %5.2f %8.4f  %s%n", m1, m2, m1 / m2, m2 - m1 / 2, g.describe(k));
        }
        System.out.printf("# sums %.3f %.3f%n", s1, s2);
        System.exit(0);
    }
}
