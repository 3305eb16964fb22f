import dev.vecnn.nn.Graph;
import dev.vecnn.nn.Model;
import dev.vecnn.nn.onnx.OnnxImport;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.*;
import java.lang.foreign.Arena;
import java.nio.file.*;
import java.util.*;

/** Toggle model threads batch rounds: one JVM, one build; pair fusion off/on alternated per round of 20 inferences (first 5 untimed); per-node ms per mode. */
public class Toggle {
    public static void main(String[] a) throws Exception {
        int threads = Integer.parseInt(a[1]), batch = Integer.parseInt(a[2]), rounds = Integer.parseInt(a[3]);
        Arena arena = Arena.ofShared();
        Tensor x = Tensor.allocate(arena, DType.F32, batch, 3, 224, 224);
        for (long i = 0; i < x.numel(); i++) x.setAt(i, ((i * 2654435761L) % 1000) / 500.0 - 1);
        Execution ex = Execution.withThreads(threads);
        Model net = OnnxImport.load(Path.of("/work/main/bench/models/" + a[0] + ".onnx"), OnnxImport.Options.defaults().on(ex));
        net.memoryFormat(MemoryFormat.CHANNELS_LAST);
        net.freeze();
        Graph g = net.graph();
        for (int i = 0; i < 200; i++) { Graph.NOGATHER = i % 2 == 0; net.forward(x, false); }
        long[][] prof = new long[2][g.size()];
        double[][] whole = new double[2][rounds];
        int runs = 0;
        for (int r = 0; r < rounds; r++) {
            for (int m0 = 0; m0 < 2; m0++) {
                int m = (r % 2 == 0) ? m0 : 1 - m0;
                Graph.NOGATHER = a.length > 4 ? a[4].equals("sep") : m == 0;
                for (int i = 0; i < 5; i++) net.forward(x, false);
                Graph.PROF = prof[m];
                long t0 = System.nanoTime();
                for (int i = 0; i < 15; i++) net.forward(x, false);
                whole[m][r] = (System.nanoTime() - t0) / 1e6 / 15;
                Graph.PROF = null;
            }
            runs += 15;
        }
        for (int m = 0; m < 2; m++) {
            double[] w = whole[m].clone(); Arrays.sort(w);
            System.out.printf("# %s whole network median %.3f ms%n", m == 0 ? "copy" : "gather", w[w.length / 2]);
        }
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) ratio[r] = whole[0][r] / whole[1][r];
        Arrays.sort(ratio);
        System.out.printf("# copy / gather per round: median %.3f quartiles %.3f %.3f%n", ratio[rounds / 2], ratio[rounds / 4], ratio[3 * rounds / 4]);
        for (int k = 0; k < g.size(); k++) {
            System.out.printf("n %8.4f %8.4f %s%n", prof[0][k] / 1e6 / runs, prof[1][k] / 1e6 / runs, g.describe(k));
        }
    }
}
