import dev.vecnn.conv.*;
import dev.vecnn.nn.Model;
import dev.vecnn.nn.onnx.OnnxImport;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.*;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * LayerAfter warmModelReps spec...: median µs of each spec (channels-last, prepared weights, ReLU6, 1 thread) after
 * warmModelReps MobileNet-V2 inferences in the same JVM; with -Dbefore=true also before them: whether the profile the
 * JIT gathers over the model's many shapes slows a layer down.
 */
public class LayerAfter {
    public static void main(String[] a) throws Exception {
        if (Boolean.getBoolean("before")) { String[] b = a.clone(); b[0] = "0"; main0(b); }
        main0(a);
    }
    static void main0(String[] a) throws Exception {
        int warm = Integer.parseInt(a[0]);
        Arena arena = Arena.ofShared();
        try (Execution ex = Execution.withThreads(1)) {
            if (warm > 0) {
                Tensor x = Tensor.allocate(arena, DType.F32, 1, 3, 224, 224);
                for (long i = 0; i < x.numel(); i++) x.setAt(i, ((i * 2654435761L) % 1000) / 500.0 - 1);
                Model net = OnnxImport.load(Path.of(System.getProperty("vecnn.models", "bench/models"), "mobilenet_v2.onnx"), OnnxImport.Options.defaults().on(ex));
                net.memoryFormat(MemoryFormat.CHANNELS_LAST);
                net.freeze();
                for (int i = 0; i < warm; i++) net.forward(x, false);
            }
            for (int k = 1; k < a.length; k++) {
                ConvSpec s = ConvSpec.parse(a[k]);
                Tensor x = Tensor.allocateChannelsLast(arena, DType.F32, s.inputShape());
                Tensor y = Tensor.allocateChannelsLast(arena, DType.F32, s.outputShape());
                Tensor w = Tensor.allocate(arena, DType.F32, s.weightShape());
                Tensor b = Tensor.allocate(arena, DType.F32, s.biasShape());
                x.fill(0.5); w.fill(0.25); b.fill(0.125);
                ConvImpl impl = Conv.choose(ConvPass.FORWARD, s);
                PreparedWeights p = impl.prepare(s, w);
                double[] t = new double[30];
                for (int r = 0; r < t.length; r++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < 50; i++) impl.forward(s, x, p, b, y, Epilogue.clip(0, 6), ex);
                    t[r] = (System.nanoTime() - t0) / 1e3 / 50;
                }
                double[] u = Arrays.copyOfRange(t, 10, 30); Arrays.sort(u);
                System.out.printf("%-40s %8.1f us (min %8.1f)%n", a[k], u[u.length / 2], u[0]);
            }
        }
    }
}
