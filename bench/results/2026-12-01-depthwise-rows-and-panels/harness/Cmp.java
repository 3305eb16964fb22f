import dev.vecnn.conv.*;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.*;
import java.lang.foreign.Arena;
import java.util.*;

/** Cmp reps passes(f,d,w) threads implA,implB specs...: alternate two implementations, medians. */
public class Cmp {
    public static void main(String[] a) {
        int reps = Integer.parseInt(a[0]);
        String passes = a[1];
        int threads = Integer.parseInt(a[2]);
        String[] impls = a[3].split(",");
        DType t = DType.parse(System.getProperty("dtype", "f32"));
        try (Arena arena = Arena.ofShared(); Execution ex = Execution.withThreads(threads)) {
            for (int i = 4; i < a.length; i++) {
                ConvSpec s = ConvSpec.parse(a[i]);
                for (char pc : passes.toCharArray()) {
                    ConvPass p = pc == 'f' ? ConvPass.FORWARD : pc == 'd' ? ConvPass.BACKWARD_DATA : ConvPass.BACKWARD_WEIGHTS;
                    Tensor x = Tensor.allocate(arena, t, s.inputShape()); x.fill(0.5);
                    Tensor w = Tensor.allocate(arena, t, s.weightShape()); w.fill(0.25);
                    if (Boolean.getBoolean("random")) { java.util.Random rr = new java.util.Random(3); for (Tensor q : new Tensor[] {x, w}) { Tensor f = q.reshape(q.numel()); for (long e = 0; e < f.numel(); e++) f.set(rr.nextGaussian(), e); } }
                    Tensor b = s.hasBias() ? Tensor.allocate(arena, t, s.biasShape()) : null; if (b != null) b.fill(0.1);
                    Tensor y = Tensor.allocate(arena, t, s.outputShape()); y.fill(0.75);
                    int rot = Integer.getInteger("rotate", 1); Tensor[] ys = new Tensor[rot]; ys[0] = y; for (int q = 1; q < rot; q++) { ys[q] = Tensor.allocate(arena, t, s.outputShape()); ys[q].fill(0.75); }
                    if (Boolean.getBoolean("random")) { java.util.Random rr = new java.util.Random(4); Tensor f = y.reshape(y.numel()); for (long e = 0; e < f.numel(); e++) f.set(Math.max(0, rr.nextGaussian()), e); }
                    ConvImpl[] k = new ConvImpl[impls.length];
                    for (int j = 0; j < k.length; j++) k[j] = impls[j].equals("auto") ? Conv.choose(p, s) : impls[j].equals("blocked-any") ? dev.vecnn.kernel.conv.blocked.BlockedConv.anywhere() : Conv.implementation(impls[j]);
                    double[][] ms = new double[k.length][reps];
                    boolean prep = Boolean.getBoolean("prepared") && p == ConvPass.FORWARD;
                    PreparedWeights[] pw = new PreparedWeights[k.length];
                    int wrot = Integer.getInteger("wrot", 1); PreparedWeights[][] pws = new PreparedWeights[k.length][wrot]; if (prep) for (int j = 0; j < k.length; j++) for (int q = 0; q < wrot; q++) pws[j][q] = k[j].prepare(s, w);
                    for (int r = -reps / 4; r < reps; r++) {
                        for (int j = 0; j < k.length; j++) {
                            long t0 = System.nanoTime();
                            switch (p) {
                                case FORWARD -> { Tensor yy = ys[(r + reps) % rot]; if (prep) k[j].forward(s, x, pws[j][(r + reps) % wrot], b, yy, Epilogue.NONE, ex); else k[j].forward(s, x, w, b, yy, Epilogue.NONE, ex); }
                                case BACKWARD_DATA -> k[j].backwardData(s, y, w, x, ex);
                                case BACKWARD_WEIGHTS -> k[j].backwardWeights(s, x, y, w, ex);
                            }
                            long t1 = System.nanoTime();
                            if (r >= 0) ms[j][r] = (t1 - t0) * 1e-6;
                        }
                    }
                    StringBuilder sb = new StringBuilder(String.format("%-45s %-16s", a[i], p));
                    double m0 = 0;
                    for (int j = 0; j < k.length; j++) {
                        Arrays.sort(ms[j]);
                        double m = ms[j][reps / 2];
                        if (j == 0) m0 = m;
                        sb.append(String.format(" %s=%.3fms %.1fGF/s", k[j].name(), m, s.flops() * 1e-6 / m));
                        if (j > 0) sb.append(String.format(" ratio(A/B time)=%.2f", m0 / m));
                    }
                    System.out.println(sb);
                }
            }
        }
    }
}
