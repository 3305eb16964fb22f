import dev.vecnn.conv.*;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.*;
import java.lang.foreign.Arena;

/** ResLoop seconds spec [plain]: one channels-last forward with a residual (or without, "plain"; ReLU, prepared weights, 1 thread) for that long. */
public class ResLoop {
    public static void main(String[] a) throws Exception {
        double secs = Double.parseDouble(a[0]);
        Arena arena = Arena.ofShared();
        try (Execution ex = Execution.withThreads(1)) {
            ConvSpec s = ConvSpec.parse(a[1]);
            Tensor x = Tensor.allocateChannelsLast(arena, DType.F32, s.inputShape());
            Tensor y = Tensor.allocateChannelsLast(arena, DType.F32, s.outputShape());
            Tensor r = Tensor.allocateChannelsLast(arena, DType.F32, s.outputShape());
            Tensor w = Tensor.allocate(arena, DType.F32, s.weightShape());
            Tensor b = Tensor.allocate(arena, DType.F32, s.biasShape());
            x.fill(0.5); w.fill(0.25); b.fill(0.125); r.fill(0.5);
            PreparedWeights p = Conv.prepare(s, w);
            boolean res = a.length < 3;
            long end = System.nanoTime() + (long) (secs * 1e9);
            long n = 0, t0 = System.nanoTime();
            while (System.nanoTime() < end) {
                if (res) Conv.forward(s, x, p, b, r, y, Epilogue.relu(), ex); else Conv.forward(s, x, p, b, y, Epilogue.relu(), ex);
                n++;
            }
            System.out.printf("%s %s %.1f us%n", a[1], res ? "residual" : "plain", (System.nanoTime() - t0) / 1e3 / n);
        }
    }
}
