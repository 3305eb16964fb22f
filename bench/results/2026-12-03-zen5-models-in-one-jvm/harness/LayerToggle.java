import dev.vecnn.conv.*;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.*;
import java.lang.foreign.Arena;
import java.util.Arrays;

/** LayerToggle threads spec...: each spec with the switch off and on, alternated round by round in one JVM (channels-last, prepared, clip 0..6). */
public class LayerToggle {
    public static void main(String[] a) throws Exception {
        Arena arena = Arena.ofShared();
        var f = Class.forName("dev.vecnn.kernel.conv.gemm.ChannelsLastGemmF32").getField("TOGGLE");
        try (Execution ex = Execution.withThreads(Integer.parseInt(a[0]))) {
            for (int k = 1; k < a.length; k++) {
                ConvSpec s = ConvSpec.parse(a[k]);
                Tensor x = Tensor.allocateChannelsLast(arena, DType.F32, s.inputShape());
                Tensor y = Tensor.allocateChannelsLast(arena, DType.F32, s.outputShape());
                Tensor w = Tensor.allocate(arena, DType.F32, s.weightShape());
                Tensor b = Tensor.allocate(arena, DType.F32, s.biasShape());
                x.fill(0.5); w.fill(0.25); b.fill(0.125);
                ConvImpl impl = Conv.choose(ConvPass.FORWARD, s);
                PreparedWeights p = impl.prepare(s, w);
                double flops = 2.0 * y.numel() * s.weightShape()[1];
                for (long d = 2; d < s.weightShape().length; d++) flops *= s.weightShape()[(int) d];
                int calls = (int) Math.max(5, Math.min(200, 2e6 / Math.max(1, flops / 1e3)));
                int rounds = 80;
                double[][] t = new double[2][rounds];
                for (int r = 0; r < rounds; r++) {
                    for (int v = 0; v < 2; v++) {
                        int which = (r + v) % 2; // alternate which goes first
                        f.setBoolean(null, which == 1);
                        long t0 = System.nanoTime();
                        for (int i = 0; i < calls; i++) impl.forward(s, x, p, b, y, Boolean.getBoolean("none") ? Epilogue.NONE : Epilogue.clip(0, 6), ex);
                        t[which][r] = (System.nanoTime() - t0) / 1e3 / calls;
                    }
                }
                double[] off = Arrays.copyOfRange(t[0], 20, rounds), on = Arrays.copyOfRange(t[1], 20, rounds);
                double[] ratio = new double[off.length];
                for (int i = 0; i < off.length; i++) ratio[i] = off[i] / on[i];
                Arrays.sort(off); Arrays.sort(on); Arrays.sort(ratio);
                int m = off.length / 2, q1 = off.length / 4, q3 = 3 * off.length / 4;
                System.out.printf("%-36s off %8.1f us  on %8.1f us  off/on %.3f (%.3f-%.3f)  on: %.1f GFLOP/s%n", a[k], off[m], on[m], ratio[m], ratio[q1], ratio[q3], flops / on[m] / 1e3);
            }
        }
    }
}
