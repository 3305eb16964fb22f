import dev.vecnn.conv.*;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.*;
import dev.vecnn.parallel.Execution;
import dev.vecnn.kernel.conv.blocked.BlockedConv;
import java.lang.foreign.Arena;
import java.util.*;

public class Cmp { static Epilogue EPI = Boolean.getBoolean("clip") ? Epilogue.clip(0, 6) : Epilogue.NONE;
    public static void main(String[] a) {
        String[] specs = a[0].split(",");
        String[] impls = a[1].split(",");
        int threads = a.length > 2 ? Integer.parseInt(a[2]) : 1;
        Arena arena = Arena.ofShared();
        Execution ex = Execution.withThreads(threads);
        for (int round = 0; round < Integer.getInteger("rounds", 3); round++)
        for (String sp : specs) {
            ConvSpec s = ConvSpec.parse(sp);
            for (String im : impls) {
                ConvImpl k = im.equals("blocked-any") ? BlockedConv.anywhere() : Conv.implementation(im);
                if (!k.supports(ConvPass.FORWARD, s)) { System.out.println(sp + " " + im + " unsupported"); continue; }
                Tensor x = Tensor.allocate(arena, DType.F32, s.inputShape()); x.fill(0.5);
                Tensor w = Tensor.allocate(arena, DType.F32, s.weightShape()); w.fill(0.25);
                Tensor y = Tensor.allocate(arena, DType.F32, s.outputShape());
                Tensor b = s.hasBias() ? Tensor.allocate(arena, DType.F32, s.biasShape()) : null;
                int nw = Integer.getInteger("wsets", 1); PreparedWeights[] pws = new PreparedWeights[nw]; for (int i = 0; i < nw; i++) { Tensor wi = Tensor.allocate(arena, DType.F32, s.weightShape()); wi.fill(0.25); pws[i] = k.prepare(s, wi); } int[] cyc = {0};
                long t0 = System.nanoTime();
                while (System.nanoTime() - t0 < 3_000_000_000L) k.forward(s, x, pws[cyc[0]++ % nw], b, y, EPI, ex);
                double[] ts = new double[15];
                for (int r = 0; r < ts.length; r++) {
                    long t = System.nanoTime(); int n = 0;
                    while (System.nanoTime() - t < 200_000_000L) { k.forward(s, x, pws[cyc[0]++ % nw], b, y, EPI, ex); n++; }
                    ts[r] = s.flops() * n / (System.nanoTime() - t);
                }
                Arrays.sort(ts);
                System.out.printf("round %d %-32s %-12s median %.1f GFLOP/s (min %.1f max %.1f)%n", round, sp, im, ts[7], ts[0], ts[14]);
            }
        }
        ex.close();
    }
}
