import dev.vecnn.nn.Model;
import dev.vecnn.nn.onnx.OnnxImport;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.*;
import java.lang.foreign.Arena;
import java.nio.file.*;

/** Rounds model batch threads rounds block: vecnn alone, ms per inference of each block of inferences, in order. */
public class Rounds {
    public static void main(String[] a) throws Exception {
        String model = a[0];
        int batch = Integer.parseInt(a[1]), threads = Integer.parseInt(a[2]), rounds = Integer.parseInt(a[3]), block = Integer.parseInt(a[4]);
        Path file = Path.of(System.getProperty("vecnn.models", "bench/models"), model + ".onnx");
        Tensor x = Tensor.allocate(Arena.ofShared(), DType.F32, batch, 3, 224, 224);
        for (int i = 0; i < batch * 3 * 224 * 224; i++) x.setAt(i, (float) ((((long) i * 2654435761L) % 1000) / 500.0 - 1));
        Model net = OnnxImport.load(file, OnnxImport.Options.defaults().on(Execution.withThreads(threads)));
        net.memoryFormat(MemoryFormat.CHANNELS_LAST);
        net.freeze();
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < block; i++) net.forward(x, false);
            sb.append(String.format("%.2f ", (System.nanoTime() - t0) / 1e6 / block));
            if (r % 20 == 19) { System.out.println(sb); sb.setLength(0); }
        }
        System.out.println(sb);
        System.exit(0);
    }
}
