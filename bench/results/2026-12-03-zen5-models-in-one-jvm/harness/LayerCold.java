import dev.vecnn.conv.*;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.*;
import java.lang.foreign.Arena;
import java.util.*;

/** LayerCold threads spec...: per spec, us per call: constants warm, random warm, random with caches flushed (64 MB touched) before each call (the flush untimed). */
public class LayerCold {
    public static void main(String[] a) throws Exception {
        Arena arena = Arena.ofShared();
        float[] junk = new float[16 << 20];
        Random rnd = new Random(1);
        try (Execution ex = Execution.withThreads(Integer.parseInt(a[0]))) {
            for (int k = 1; k < a.length; k++) {
                ConvSpec s = ConvSpec.parse(a[k]);
                Tensor x = Tensor.allocateChannelsLast(arena, DType.F32, s.inputShape());
                Tensor y = Tensor.allocateChannelsLast(arena, DType.F32, s.outputShape());
                Tensor w = Tensor.allocate(arena, DType.F32, s.weightShape());
                Tensor b = Tensor.allocate(arena, DType.F32, s.biasShape());
                ConvImpl impl = Conv.choose(ConvPass.FORWARD, s);
                double[][] t = new double[3][40];
                for (int mode = 0; mode < 3; mode++) {
                    if (mode == 0) { x.fill(0.5); w.fill(0.25); b.fill(0.125); }
                    else if (mode == 1) {
                        long nx = 1; for (long d : s.inputShape()) nx *= d;
                        long nw = 1; for (long d : s.weightShape()) nw *= d;
                        for (long i = 0; i < nx; i++) x.setAt(i, (float) rnd.nextGaussian());
                        for (long i = 0; i < nw; i++) w.setAt(i, (float) (rnd.nextGaussian() * 0.05));
                    }
                    PreparedWeights p = impl.prepare(s, w);
                    for (int r = -20; r < 40; r++) {
                        if (mode == 2) { float acc = 0; for (int i = 0; i < junk.length; i += 16) { junk[i] += 1; } }
                        long t0 = System.nanoTime();
                        impl.forward(s, x, p, b, y, Epilogue.clip(0, 6), ex);
                        if (r >= 0) t[mode][r] = (System.nanoTime() - t0) / 1e3;
                    }
                }
                StringBuilder sb = new StringBuilder(String.format("%-34s", a[k]));
                for (double[] m : t) { Arrays.sort(m); sb.append(String.format(" %8.1f", m[20])); }
                System.out.println(sb + "   (const warm, random warm, random cold; median us)");
            }
        }
    }
}
