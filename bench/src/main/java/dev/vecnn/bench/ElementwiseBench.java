package dev.vecnn.bench;

import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.elementwise.AdamStep;
import dev.vecnn.kernel.elementwise.ElementwiseKernels;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The elementwise kernels of the nn layers ({@code dev.vecnn.kernel.elementwise}) on both backends
 * against the scalar loops the nn module runs today ({@code impl=nn-scalar}: copies of the loops of nn's
 * Activation, BatchNorm and Optimizer, with nn's per-element dtype switch and detour through double).
 * Secondary result {@code gelems}: elements processed per second / 1e9.
 *
 * <p>Problems: activations over {@code n} elements (1M: 4 MB of float32, beyond L2); batch norm over
 * (32, 16, n/512); Adam over {@code n} parameters (pass {@code -p n=100000} for a small network's).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ElementwiseBench {
    /**
     * relu-forward, relu-backward (from y), sigmoid-forward, sigmoid-backward (from y), gelu-forward,
     * batchnorm-forward (statistics and normalisation), batchnorm-backward, adam (AdamW step).
     */
    @Param({"relu-forward", "relu-backward", "sigmoid-forward", "sigmoid-backward", "batchnorm-forward", "batchnorm-backward", "adam"})
    public String kernel;

    /** vector, portable or nn-scalar. */
    @Param({"vector", "portable", "nn-scalar"})
    public String impl;

    /** f32 or f64. */
    @Param("f32")
    public String dtype;

    /** Elements (a multiple of 512). */
    @Param("1048576")
    public int n;

    private Arena arena;
    private ElementwiseKernels k;
    private Tensor x, y, g, m, v, xhat, gamma, beta, paramGrads;
    private double[] mean, var, invStd;
    private long step;

    /** The element counter behind the {@code gelems} secondary result. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Elements {
        /** Elements processed / 1e9, reported per second. */
        public double gelems;
    }

    @Setup
    public void setup() {
        if (n % 512 != 0) throw new IllegalArgumentException("n = " + n + ": must be a multiple of 512");
        arena = Arena.ofShared();
        DType t = DType.parse(dtype);
        k = impl.equals("nn-scalar") ? null : ElementwiseKernels.of(impl.equals("vector"));
        long[] shape = kernel.startsWith("batchnorm") ? new long[] {32, 16, n / 512} : new long[] {n};
        x = Tensor.allocate(arena, t, shape);
        y = Tensor.allocate(arena, t, shape);
        g = Tensor.allocate(arena, t, shape);
        m = Tensor.allocate(arena, t, shape);
        v = Tensor.allocate(arena, t, shape);
        xhat = Tensor.allocate(arena, t, shape);
        SplittableRandom r = new SplittableRandom(1);
        for (long i = 0; i < x.numel(); i++) {
            x.setAt(i, r.nextDouble(-4, 4));
            g.setAt(i, r.nextDouble(-1, 1));
            y.setAt(i, r.nextDouble(0, 1));
        }
        gamma = Tensor.allocate(arena, t, 16);
        beta = Tensor.allocate(arena, t, 16);
        gamma.fill(1);
        paramGrads = Tensor.allocate(arena, t, 2, 16);
        mean = new double[16];
        var = new double[16];
        invStd = new double[16];
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public void run(Elements e) {
        boolean scalar = k == null;
        switch (kernel) {
            case "relu-forward" -> {
                if (scalar) NnScalar.activationForward(false, x, y);
                else k.activationForward(Epilogue.relu(), x, null, y);
            }
            case "relu-backward" -> {
                if (scalar) NnScalar.activationBackward(false, x, y, g, m);
                else k.activationBackward(Epilogue.relu(), y, true, g, m);
            }
            case "sigmoid-forward" -> {
                if (scalar) NnScalar.activationForward(true, x, y);
                else k.activationForward(Epilogue.sigmoid(), x, null, y);
            }
            case "sigmoid-backward" -> {
                if (scalar) NnScalar.activationBackward(true, x, y, g, m);
                else k.activationBackward(Epilogue.sigmoid(), y, true, g, m);
            }
            case "batchnorm-forward" -> {
                if (scalar) {
                    NnScalar.batchNormForward(x, gamma, beta, xhat, y, invStd);
                } else {
                    k.batchNormStatistics(x, mean, var);
                    for (int c = 0; c < 16; c++) invStd[c] = 1 / Math.sqrt(var[c] + 1e-5);
                    k.batchNormForward(x, mean, invStd, gamma, beta, xhat, y);
                }
            }
            case "batchnorm-backward" -> {
                if (invStd[0] == 0) java.util.Arrays.fill(invStd, 1.25);
                if (scalar) NnScalar.batchNormBackward(g, xhat, gamma, invStd, m, paramGrads);
                else k.batchNormBackward(g, xhat, invStd, gamma, true, m, paramGrads.slice(0, 0, 1).reshape(16), paramGrads.slice(0, 1, 2).reshape(16));
            }
            case "adam" -> {
                step++;
                if (scalar) NnScalar.adamW(x, g, m, v, step);
                else k.adam(x, g, m, v, new AdamStep(1e-3, 0.9, 0.999, 1e-8, 1e-4, true, step));
            }
            default -> throw new IllegalArgumentException("kernel: " + kernel);
        }
        e.gelems += x.numel() / 1e9;
    }

    /**
     * The nn module's scalar loops as of this commit (nn/src/main/java/dev/vecnn/nn/layer/{Activation,
     * BatchNorm}.java, optim/Optimizer.java), reduced to the work of one call, with nn's element access
     * ({@code Elementwise.get/set}: a dtype test per element, values through double).
     */
    static final class NnScalar {
        private NnScalar() {
        }

        private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
        private static final ValueLayout.OfDouble D = ValueLayout.JAVA_DOUBLE_UNALIGNED;

        static double get(Tensor t, long off) {
            return t.dtype() == DType.F32 ? t.segment().getAtIndex(F, off) : t.segment().getAtIndex(D, off);
        }

        static void set(Tensor t, long off, double v) {
            if (t.dtype() == DType.F32) t.segment().setAtIndex(F, off, (float) v);
            else t.segment().setAtIndex(D, off, v);
        }

        /** Activation.forward: a switch per element (here: relu or sigmoid). */
        static void activationForward(boolean sigmoid, Tensor x, Tensor y) {
            for (long i = 0, n = x.numel(); i < n; i++) set(y, y.offset() + i, apply(sigmoid, get(x, x.offset() + i)));
        }

        private static double apply(boolean sigmoid, double v) {
            return sigmoid ? 1 / (1 + Math.exp(-v)) : v > 0 ? v : v == v ? 0 : v;
        }

        /** Activation.backward: gx = gy * derivative(x, y). */
        static void activationBackward(boolean sigmoid, Tensor x, Tensor y, Tensor gy, Tensor gx) {
            for (long i = 0, n = x.numel(); i < n; i++) {
                double v = get(x, x.offset() + i), f = get(y, y.offset() + i);
                set(gx, gx.offset() + i, get(gy, gy.offset() + i) * (sigmoid ? f * (1 - f) : v > 0 ? 1 : 0));
            }
        }

        /** BatchNorm.forward in training. */
        static void batchNormForward(Tensor x, Tensor gamma, Tensor beta, Tensor xhat, Tensor y, double[] invStd) {
            long[] s = x.shape();
            long n = s[0], c = s[1], plane = s[2], count = n * plane;
            for (int k = 0; k < c; k++) {
                double sum = 0, sq = 0;
                for (long b = 0; b < n; b++) for (long p = 0; p < plane; p++) sum += get(x, x.offset() + (b * c + k) * plane + p);
                double mean = sum / count;
                for (long b = 0; b < n; b++) {
                    for (long p = 0; p < plane; p++) {
                        double d = get(x, x.offset() + (b * c + k) * plane + p) - mean;
                        sq += d * d;
                    }
                }
                invStd[k] = 1 / Math.sqrt(sq / count + 1e-5);
                double gk = gamma.get(k), bk = beta.get(k);
                for (long b = 0; b < n; b++) {
                    for (long p = 0; p < plane; p++) {
                        long e = (b * c + k) * plane + p;
                        double h = (get(x, x.offset() + e) - mean) * invStd[k];
                        set(xhat, xhat.offset() + e, h);
                        set(y, y.offset() + e, gk * h + bk);
                    }
                }
            }
        }

        /** BatchNorm.backward in training. */
        static void batchNormBackward(Tensor gy, Tensor xhat, Tensor gamma, double[] invStd, Tensor gx, Tensor grads) {
            long[] s = gy.shape();
            long n = s[0], c = s[1], plane = s[2], count = n * plane;
            for (int k = 0; k < c; k++) {
                double sumG = 0, sumGH = 0;
                for (long b = 0; b < n; b++) {
                    for (long p = 0; p < plane; p++) {
                        long e = (b * c + k) * plane + p;
                        double g = get(gy, gy.offset() + e);
                        sumG += g;
                        sumGH += g * get(xhat, xhat.offset() + e);
                    }
                }
                set(grads, grads.offset() + 2 * k, sumGH);
                set(grads, grads.offset() + 2 * k + 1, sumG);
                double scale = gamma.get(k) * invStd[k];
                for (long b = 0; b < n; b++) {
                    for (long p = 0; p < plane; p++) {
                        long e = (b * c + k) * plane + p;
                        double g = get(gy, gy.offset() + e);
                        set(gx, gx.offset() + e, scale * (g - sumG / count - get(xhat, xhat.offset() + e) * sumGH / count));
                    }
                }
            }
        }

        /** Optimizer.step of AdamW for one parameter tensor (state through a double[2] per element, as nn). */
        static void adamW(Tensor w, Tensor g, Tensor a, Tensor b, long steps) {
            double lr = 1e-3, wd = 1e-4, b1 = 0.9, b2 = 0.999, eps = 1e-8;
            for (long e = 0, n = w.numel(); e < n; e++) {
                double[] s = {get(a, a.offset() + e), get(b, b.offset() + e)};
                double wv = get(w, w.offset() + e), gv = get(g, g.offset() + e);
                wv -= lr * wd * wv;
                s[0] = b1 * s[0] + (1 - b1) * gv;
                s[1] = b2 * s[1] + (1 - b2) * gv * gv;
                double mHat = s[0] / (1 - Math.pow(b1, steps)), vHat = s[1] / (1 - Math.pow(b2, steps));
                set(w, w.offset() + e, wv - lr * mHat / (Math.sqrt(vHat) + eps));
                set(a, a.offset() + e, s[0]);
                set(b, b.offset() + e, s[1]);
            }
        }
    }
}
