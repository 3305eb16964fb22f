import dev.vecnn.nn.Model;
import dev.vecnn.nn.onnx.OnnxImport;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.*;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.function.IntConsumer;

/** One model, channels-last and frozen, in whatever class loader loaded this class: accept(reps) runs reps inferences. */
public class Runner implements IntConsumer {
    final Model net; final Tensor x;
    public Runner(String model, Integer batch, Integer threads) throws Exception {
        Arena arena = Arena.ofShared();
        Execution ex = Execution.withThreads(threads);
        x = Tensor.allocate(arena, DType.F32, batch, 3, 224, 224);
        for (long i = 0; i < x.numel(); i++) x.setAt(i, ((i * 2654435761L) % 1000) / 500.0 - 1);
        net = OnnxImport.load(Path.of(System.getProperty("vecnn.models", "bench/models"), model + ".onnx"), OnnxImport.Options.defaults().on(ex));
        net.memoryFormat(MemoryFormat.CHANNELS_LAST);
        net.freeze();
    }
    public void accept(int reps) { for (int i = 0; i < reps; i++) net.forward(x, false); }
}
