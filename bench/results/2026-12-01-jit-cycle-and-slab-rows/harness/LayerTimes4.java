import dev.vecnn.bench.train.TrainingSuite;
import dev.vecnn.nn.*;
import dev.vecnn.nn.loss.Loss;
import dev.vecnn.nn.optim.Optimizer;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.*;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.*;

/** LayerTimes network batch threads reps: per-layer forward/backward medians (ms) in a training step. */
public class LayerTimes4 {
    public static void main(String[] a) throws Exception {
        String name = a[0];
        int batch = Integer.parseInt(a[1]), threads = Integer.parseInt(a[2]), reps = Integer.parseInt(a[3]);
        DType dt = DType.parse(System.getProperty("dtype", "f32"));
        TrainingSuite.Network net = TrainingSuite.read(Path.of("bench/suites/training.suite")).network(name);
        try (Execution ex = Execution.withThreads(threads); Arena arena = Arena.ofShared()) {
            Model model = net.build(dt, 1, ex);
            Loss loss = net.task().loss().on(model.context());
            Optimizer opt = net.optimizer().create(model);
            long[] shape = new long[net.input().length + 1];
            shape[0] = batch;
            System.arraycopy(net.input(), 0, shape, 1, net.input().length);
            Tensor x = Tensor.allocate(arena, dt, shape);
            Random r = new Random(1);
            Tensor flat = x.reshape(x.numel());
            for (long i = 0; i < flat.numel(); i++) flat.set(r.nextGaussian(), i);
            int k = net.task().outputs();
            Tensor y;
            if (net.task().classification()) { y = Tensor.allocate(arena, dt, batch); for (int i = 0; i < batch; i++) y.set(r.nextInt(k), i); }
            else { y = Tensor.allocate(arena, dt, batch, k); Tensor f = y.reshape(y.numel()); for (long i = 0; i < f.numel(); i++) f.set(r.nextGaussian(), i); }
            List<Layer> layers = flatten(model.layers());
            layers.get(0).inputGradientNeeded(false);
            int n = layers.size();
            double[] lossT = new double[reps], optT = new double[reps]; double[][] fw = new double[n][reps], bw = new double[n][reps], step = new double[1][reps], rest = new double[1][reps];
            for (int rep = -reps; rep < reps; rep++) {
                long s0 = System.nanoTime();
                Tensor h = x;
                long[] tf = new long[n], tb = new long[n];
                for (int i = 0; i < n; i++) { long t0 = System.nanoTime(); h = layers.get(i).forward(h, true); tf[i] = System.nanoTime() - t0; }
                long t0 = System.nanoTime();
                loss.forward(h, y);
                Tensor g = loss.backward();
                long tl = System.nanoTime() - t0;
                for (int i = n - 1; i >= 0; i--) { long t1 = System.nanoTime(); g = layers.get(i).backward(g); tb[i] = System.nanoTime() - t1; }
                t0 = System.nanoTime();
                opt.step();
                long to = System.nanoTime() - t0;
                long s1 = System.nanoTime();
                if (rep >= 0) {
                    for (int i = 0; i < n; i++) { fw[i][rep] = tf[i] * 1e-6; bw[i][rep] = tb[i] * 1e-6; }
                    step[0][rep] = (s1 - s0) * 1e-6; lossT[rep] = tl * 1e-6; optT[rep] = to * 1e-6; rest[0][rep] = (tl + to) * 1e-6;
                }
            }
            double tot = 0;
            for (int i = 0; i < n; i++) {
                double f = med(fw[i]), b = med(bw[i]);
                tot += f + b;
                System.out.printf("%-40s fwd %7.3f ms  bwd %7.3f ms%n", layers.get(i).describe(), f, b);
            }
            System.out.printf("loss %.3f ms, optimizer %.3f ms%n", med(lossT), med(optT)); System.out.printf("loss+optimizer %.3f ms; sum of medians %.3f ms; step median %.3f ms = %.0f events/s%n", med(rest[0]), tot + med(rest[0]), med(step[0]), batch / med(step[0]) * 1e3);
        }
    }
    static List<Layer> flatten(List<Layer> ls) { return ls; }
    static double med(double[] v) { double[] c = v.clone(); Arrays.sort(c); return c[c.length / 2]; }
}
