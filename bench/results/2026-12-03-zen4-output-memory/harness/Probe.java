import dev.vecnn.nn.Model;
import dev.vecnn.nn.onnx.OnnxImport;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.*;
import java.lang.foreign.Arena;
import java.nio.file.Path;
public class Probe {
    public static void main(String[] a) throws Exception {
        Arena arena = Arena.ofShared();
        Tensor x = Tensor.allocate(arena, DType.F32, Integer.parseInt(a[1]), 3, 224, 224);
        Model net = OnnxImport.load(Path.of("/work/main/bench/models", a[0] + ".onnx"), OnnxImport.Options.defaults().on(Execution.withThreads(1)));
        net.memoryFormat(MemoryFormat.CHANNELS_LAST);
        net.freeze();
        for (int i = 0; i < 3; i++) net.forward(x, false);
        var ctx = net.context();
        var m = ctx.getClass().getDeclaredMethod("outputMemoryElements"); m.setAccessible(true);
        System.out.println("output memory MB " + (long) m.invoke(ctx) * 4 / 1e6);
        var bf = ctx.getClass().getDeclaredField("buffers"); bf.setAccessible(true);
        long wb = 0; int cnt = 0;
        for (var e : ((java.util.Map<?, ?>) bf.get(ctx)).entrySet()) { wb += ((Tensor) e.getValue()).numel(); cnt++; if (a.length > 2) System.out.println(e.getKey() + " " + ((Tensor) e.getValue()).numel()); }
        System.out.println("work buffers " + cnt + " MB " + wb * 4 / 1e6);
        long p = 0; for (var q : net.params()) p += q.value().numel();
        System.out.println("params MB " + p * 4 / 1e6);
    }
}
