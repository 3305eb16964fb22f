import dev.vecnn.conv.*;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.*;
import java.lang.foreign.Arena;
import java.util.Arrays;

/**
 * Pair cin channels size stride threads [batch]: a 1x1 expansion and a 3x3 depthwise convolution (ReLU6 after each,
 * channels-last, prepared weights) as two passes and as one ({@code ConvDepthwise}), alternated in 40 rounds in one
 * JVM; prints the medians and minima of the last 30 and how many outputs differ in their bits.
 */
public class Pair {
    public static void main(String[] a) throws Exception {
        int cin = Integer.parseInt(a[0]), ce = Integer.parseInt(a[1]), hw = Integer.parseInt(a[2]), st = Integer.parseInt(a[3]), th = Integer.parseInt(a[4]);
        int batch = a.length > 5 ? Integer.parseInt(a[5]) : 1;
        ConvSpec pw = ConvSpec.builder().batch(batch).inChannels(cin).outChannels(ce).input(hw, hw).kernel(1, 1).build();
        ConvSpec dw = ConvSpec.builder().batch(batch).inChannels(ce).outChannels(ce).groups(ce).input(hw, hw).kernel(3, 3).stride(st, st).padding(1, 1).build();
        Arena arena = Arena.ofShared();
        try (Execution ex = Execution.withThreads(th)) {
            Tensor x = Tensor.allocateChannelsLast(arena, DType.F32, pw.inputShape());
            Tensor z = Tensor.allocateChannelsLast(arena, DType.F32, pw.outputShape());
            Tensor y = Tensor.allocateChannelsLast(arena, DType.F32, dw.outputShape());
            Tensor y2 = Tensor.allocateChannelsLast(arena, DType.F32, dw.outputShape());
            Tensor w1 = Tensor.allocate(arena, DType.F32, pw.weightShape()), b1 = Tensor.allocate(arena, DType.F32, pw.biasShape());
            Tensor w2 = Tensor.allocate(arena, DType.F32, dw.weightShape()), b2 = Tensor.allocate(arena, DType.F32, dw.biasShape());
            java.util.Random r = new java.util.Random(1);
            for (Tensor t : new Tensor[] {x, w1, b1, w2, b2}) for (long i = 0; i < t.numel(); i++) t.setAt(i, r.nextGaussian());
            PreparedWeights p1 = Conv.prepare(pw, w1), p2 = Conv.prepare(dw, w2);
            ConvDepthwise f = ConvDepthwise.prepare(pw, w1, dw, w2);
            System.out.println("fuses " + ConvDepthwise.fuses(pw, dw, x, y) + " " + Conv.choose(ConvPass.FORWARD, pw).name());
            Epilogue e = Epilogue.clip(0, 6);
            int reps = Math.max(5, (int) (2e8 / (pw.flops() + dw.flops())));
            double[] ts = new double[40], tf = new double[40];
            for (int round = 0; round < 40; round++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < reps; i++) {
                    Conv.forward(pw, x, p1, b1, z, e, ex);
                    Conv.forward(dw, z, p2, b2, y, e, ex);
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < reps; i++) f.forward(x, b1, e, b2, e, y2, ex);
                long t2 = System.nanoTime();
                ts[round] = (t1 - t0) / 1e3 / reps;
                tf[round] = (t2 - t1) / 1e3 / reps;
            }
            long diff = 0;
            for (long i = 0; i < y.numel(); i++) if (Double.doubleToRawLongBits(y.getAt(i)) != Double.doubleToRawLongBits(y2.getAt(i))) diff++;
            double[] s = Arrays.copyOfRange(ts, 10, 40), u = Arrays.copyOfRange(tf, 10, 40);
            Arrays.sort(s); Arrays.sort(u);
            System.out.printf("%d->%d %dx%d s%d t%d n%d: separate %.1f us (min %.1f), fused %.1f us (min %.1f), ratio %.2f, differing %d%n",
                    cin, ce, hw, hw, st, th, batch, s[15], s[0], u[15], u[0], s[15] / u[15], diff);
        }
    }
}
