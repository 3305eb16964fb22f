import dev.vecnn.nn.*;
import dev.vecnn.nn.onnx.OnnxImport;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.*;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.*;

/** NodeTimes model batch threads reps: per-node forward medians (us), frozen, in graph order. */
public class NodeTimes {
    public static void main(String[] a) throws Exception {
        String model = a[0]; int batch = Integer.parseInt(a[1]), threads = Integer.parseInt(a[2]), reps = Integer.parseInt(a[3]);
        try (Arena arena = Arena.ofShared(); Execution ex = Execution.withThreads(threads)) {
            Tensor x = Tensor.allocate(arena, DType.F32, batch, 3, 224, 224);
            for (long i = 0; i < x.numel(); i++) x.setAt(i, ((i * 2654435761L) % 1000) / 500.0 - 1);
            Model net = OnnxImport.load(Path.of("/work/main/bench/models/" + model + ".onnx"), OnnxImport.Options.defaults().on(ex));
            net.freeze();
            Graph g = net.graph();
            List<String> names = g.nodeNames();
            double[][] t = new double[names.size()][reps];
            for (int r = -reps; r < reps; r++) {
                Map<String, Tensor> v = new HashMap<>();
                v.put(g.inputNames().get(0), x);
                for (int k = 0; k < names.size(); k++) {
                    String n = names.get(k);
                    if (g.inputNames().contains(n)) continue;
                    List<String> ins = g.inputsOf(n);
                    int inner = Integer.getInteger("inner", 1);
                    for (int q = 1; q < inner; q++) if (g.layer(n) != null) g.layer(n).forward(v.get(ins.get(0)), false);
                    long t0 = System.nanoTime();
                    Tensor y;
                    if (g.layer(n) != null) y = g.layer(n).forward(v.get(ins.get(0)), false);
                    else { List<Tensor> l = new ArrayList<>(); for (String i : ins) l.add(v.get(i)); y = g.merge(n).forward(l, false); }
                    long dt = System.nanoTime() - t0;
                    v.put(n, y);
                    if (r >= 0) t[k][r] = dt * 1e-3;
                }
            }
            double total = 0;
            for (int k = 0; k < names.size(); k++) {
                String n = names.get(k);
                if (g.inputNames().contains(n)) continue;
                Arrays.sort(t[k]);
                double m = t[k][reps / 2]; total += m;
                Object l = g.layer(n) != null ? g.layer(n) : g.merge(n);
                System.out.printf("%-40s %9.1f  %s %s%n", n, m, l, Arrays.toString(g.shape(n)));
            }
            System.out.printf("total %.2f ms%n", total / 1000);
            net.close();
        }
    }
}
