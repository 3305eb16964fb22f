import dev.vecnn.conv.*;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.*;
import java.lang.foreign.Arena;
import java.util.*;

/** Spin threads seconds cf|cl spec: calls the forward for the time given (x channels-first or channels-last, y channels-last, random data, relu), prints us per call. */
public class Spin {
    public static void main(String[] a) throws Exception {
        Arena arena = Arena.ofShared();
        Random rnd = new Random(1);
        ConvSpec s = ConvSpec.parse(a[3]);
        Tensor x = a[2].equals("cf") ? Tensor.allocate(arena, DType.F32, s.inputShape()) : Tensor.allocateChannelsLast(arena, DType.F32, s.inputShape());
        Tensor y = Tensor.allocateChannelsLast(arena, DType.F32, s.outputShape());
        Tensor w = Tensor.allocate(arena, DType.F32, s.weightShape());
        Tensor b = Tensor.allocate(arena, DType.F32, s.biasShape());
        long nx = 1; for (long d : s.inputShape()) nx *= d;
        long nw = 1; for (long d : s.weightShape()) nw *= d;
        for (long i = 0; i < nx; i++) x.setAt(i, (float) rnd.nextGaussian());
        for (long i = 0; i < nw; i++) w.setAt(i, (float) (rnd.nextGaussian() * 0.05));
        ConvImpl impl = Conv.choose(ConvPass.FORWARD, s);
        PreparedWeights p = impl.prepare(s, w);
        try (Execution ex = Execution.withThreads(Integer.parseInt(a[0]))) {
            long end = System.nanoTime() + (long) (Double.parseDouble(a[1]) * 1e9);
            long calls = 0, t0 = System.nanoTime(), tm = 0; long warm = t0 + 3_000_000_000L;
            while (System.nanoTime() < end) {
                impl.forward(s, x, p, b, y, Epilogue.clip(0, Double.POSITIVE_INFINITY), ex);
                if (tm == 0 && System.nanoTime() > warm) { tm = System.nanoTime(); calls = 0; }
                calls++;
            }
            System.out.printf("%s %s: %.1f us per call (%s)%n", a[3], a[2], (System.nanoTime() - tm) / 1e3 / calls, impl.name());
        }
    }
}
