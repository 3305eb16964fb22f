import dev.vecnn.nn.*;
import dev.vecnn.nn.onnx.OnnxImport;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.*;
import java.lang.foreign.Arena;
import java.nio.file.Path;

public class Infer {
    public static void main(String[] a) throws Exception {
        String model = a[0]; int batch = Integer.parseInt(a[1]), threads = Integer.parseInt(a[2]), reps = Integer.parseInt(a[3]);
        try (Arena arena = Arena.ofShared(); Execution ex = Execution.withThreads(threads)) {
            Tensor x = Tensor.allocate(arena, DType.F32, batch, 3, 224, 224);
            for (long i = 0; i < x.numel(); i++) x.setAt(i, ((i * 2654435761L) % 1000) / 500.0 - 1);
            Model net = OnnxImport.load(Path.of("bench/models/" + model + ".onnx"), OnnxImport.Options.defaults().on(ex));
            net.freeze();
            int warm = Integer.parseInt(System.getProperty("warm", "300"));
            for (int r = 0; r < warm; r++) net.forward(x, false);
            double[] t = new double[reps];
            for (int r = 0; r < reps; r++) { long t0 = System.nanoTime(); net.forward(x, false); t[r] = (System.nanoTime() - t0) * 1e-6; }
            java.util.Arrays.sort(t);
            System.out.printf("%s b%d t%d median %.2f ms min %.2f%n", model, batch, threads, t[reps / 2], t[0]);
            net.close();
        }
    }
}
