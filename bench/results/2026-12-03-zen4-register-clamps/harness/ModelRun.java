import dev.vecnn.nn.Model;
import dev.vecnn.nn.onnx.OnnxImport;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.*;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Arrays;

/** ModelRun model batch threads rounds reps: median ms per inference (channels-last, frozen). */
public class ModelRun {
    public static void main(String[] a) throws Exception {
        int batch = Integer.parseInt(a[1]), threads = Integer.parseInt(a[2]), rounds = Integer.parseInt(a[3]), reps = Integer.parseInt(a[4]);
        try (Arena arena = Arena.ofShared(); Execution ex = Execution.withThreads(threads)) {
            Tensor x = Tensor.allocate(arena, DType.F32, batch, 3, 224, 224);
            for (long i = 0; i < x.numel(); i++) x.setAt(i, ((i * 2654435761L) % 1000) / 500.0 - 1);
            Model net = OnnxImport.load(Path.of("/work/main/bench/models/" + a[0] + ".onnx"), OnnxImport.Options.defaults().on(ex));
            net.memoryFormat(MemoryFormat.CHANNELS_LAST);
            net.freeze();
            double[] t = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < reps; i++) net.forward(x, false);
                t[r] = (System.nanoTime() - t0) / 1e6 / reps;
            }
            double[] u = Arrays.copyOfRange(t, rounds / 3, rounds);
            Arrays.sort(u);
            System.out.printf("%s b%d t%d: %.3f ms (min %.3f)%n", a[0], batch, threads, u[u.length / 2], u[0]);
        }
    }
}
