import dev.vecnn.bench.peer.*;
import dev.vecnn.conv.*;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.*;
import java.lang.foreign.Arena;
import java.util.Arrays;

/**
 * LayerCold threads spec...: per spec, median µs of one call with hot caches (calls back to back) and cold (64 MB
 * written between calls), vecnn (channels-last, prepared) and ONNX Runtime (channels-first, constant weights),
 * alternated call by call.
 */
public class LayerCold {
    static long[] junk = new long[8 << 20];
    static long sink;
    static void flush() { for (int i = 0; i < junk.length; i += 8) junk[i] += i; sink += junk[12345]; }
    public static void main(String[] a) throws Exception {
        int threads = Integer.parseInt(a[0]);
        try (Arena arena = Arena.ofShared(); Execution ex = Execution.withThreads(threads)) {
            for (int k = 1; k < a.length; k++) {
                ConvSpec s = ConvSpec.parse(a[k]);
                Tensor xl = Tensor.allocateChannelsLast(arena, DType.F32, s.inputShape()), yl = Tensor.allocateChannelsLast(arena, DType.F32, s.outputShape());
                Tensor x = Tensor.allocate(arena, DType.F32, s.inputShape()), y = Tensor.allocate(arena, DType.F32, s.outputShape());
                Tensor w = Tensor.allocate(arena, DType.F32, s.weightShape()), b = Tensor.allocate(arena, DType.F32, s.biasShape());
                xl.fill(0.5); x.fill(0.5); w.fill(0.25); b.fill(0.125);
                ConvImpl impl = Conv.choose(ConvPass.FORWARD, s);
                PreparedWeights p = impl.prepare(s, w);
                try (OnnxRuntimePeer ort = new OnnxRuntimePeer(OnnxModels.conv(s, w, b), threads, "X", x, "Y", y)) {
                    int n = 200;
                    double[][] t = new double[4][n];
                    for (int r = 0; r < n; r++) {
                        long t0 = System.nanoTime(); impl.forward(s, xl, p, b, yl, Epilogue.NONE, ex); long t1 = System.nanoTime();
                        impl.forward(s, xl, p, b, yl, Epilogue.NONE, ex); long t2 = System.nanoTime();
                        t[0][r] = (t2 - t1) / 1e3; // hot
                        flush();
                        t0 = System.nanoTime(); impl.forward(s, xl, p, b, yl, Epilogue.NONE, ex); t[1][r] = (System.nanoTime() - t0) / 1e3; // cold
                        ort.run(); t0 = System.nanoTime(); ort.run(); t[2][r] = (System.nanoTime() - t0) / 1e3;
                        flush();
                        t0 = System.nanoTime(); ort.run(); t[3][r] = (System.nanoTime() - t0) / 1e3;
                    }
                    double[] m = new double[4];
                    for (int i = 0; i < 4; i++) { double[] u = Arrays.copyOfRange(t[i], n / 2, n); Arrays.sort(u); m[i] = u[u.length / 2]; }
                    System.out.printf("%-40s vecnn hot %7.1f cold %7.1f | ort hot %7.1f cold %7.1f | ratio hot %.2f cold %.2f%n", a[k], m[0], m[1], m[2], m[3], m[2] / m[0], m[3] / m[1]);
                }
            }
        }
    }
}
