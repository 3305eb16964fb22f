import ai.onnxruntime.*;
import dev.vecnn.nn.Model;
import dev.vecnn.nn.onnx.OnnxImport;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.*;
import java.lang.foreign.Arena;
import java.nio.FloatBuffer;
import java.nio.file.*;
import java.util.*;

/** Peers model batch rounds warm: vecnn (channels-last, frozen) and ONNX Runtime at 1 and 2 threads in one JVM, round-robin in blocks; ms per inference, median over rounds and ratios. */
public class Peers {
    public static void main(String[] a) throws Exception {
        String model = a[0];
        int batch = Integer.parseInt(a[1]), rounds = Integer.parseInt(a[2]), warm = Integer.parseInt(a[3]);
        int block = batch == 1 ? 10 : 2;
        Path file = Path.of(System.getProperty("vecnn.models", "bench/models"), model + ".onnx");
        Arena arena = Arena.ofShared();
        int n = batch * 3 * 224 * 224;
        Tensor x = Tensor.allocate(arena, DType.F32, batch, 3, 224, 224);
        float[] xa = new float[n];
        for (int i = 0; i < n; i++) { xa[i] = (float) ((((long) i * 2654435761L) % 1000) / 500.0 - 1); x.setAt(i, xa[i]); }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Model[] nets = new Model[2];
        OrtSession[] ss = new OrtSession[2];
        for (int t = 0; t < 2; t++) {
            nets[t] = OnnxImport.load(file, OnnxImport.Options.defaults().on(Execution.withThreads(t + 1)));
            nets[t].memoryFormat(MemoryFormat.CHANNELS_LAST);
            nets[t].freeze();
            OrtSession.SessionOptions o = new OrtSession.SessionOptions();
            o.setIntraOpNumThreads(t + 1);
            o.setInterOpNumThreads(1);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            ss[t] = env.createSession(Files.readAllBytes(file), o);
        }
        OnnxTensor ot = OnnxTensor.createTensor(env, FloatBuffer.wrap(xa), new long[] {batch, 3, 224, 224});
        String in = ss[0].getInputNames().iterator().next();
        double[][] ms = new double[4][rounds];
        for (int r = -warm; r < rounds; r++) {
            for (int c = 0; c < 4; c++) {
                int t = c % 2;
                long t0 = System.nanoTime();
                for (int i = 0; i < block; i++) {
                    if (c < 2) nets[t].forward(x, false); else ss[t].run(Map.of(in, ot)).close();
                }
                if (r >= 0) ms[c][r] = (System.nanoTime() - t0) / 1e6 / block;
            }
        }
        String[] names = {"vecnn t1", "vecnn t2", "ORT t1", "ORT t2"};
        double[] med = new double[4];
        for (int c = 0; c < 4; c++) {
            double[] s = ms[c].clone(); Arrays.sort(s);
            med[c] = s[rounds / 2];
            System.out.printf("%s %s b%d: median %.3f ms (quartiles %.3f-%.3f, min %.3f)%n", model, names[c], batch, med[c], s[rounds / 4], s[3 * rounds / 4], s[0]);
        }
        for (int t = 0; t < 2; t++) {
            double[] q = new double[rounds];
            for (int r = 0; r < rounds; r++) q[r] = ms[2 + t][r] / ms[t][r];
            Arrays.sort(q);
            System.out.printf("%s b%d t%d: vecnn speed / ORT per round, median %.3f (quartiles %.3f-%.3f)%n", model, batch, t + 1, q[rounds / 2], q[rounds / 4], q[3 * rounds / 4]);
        }
        System.out.printf("%s b%d scaling 1->2 threads: vecnn %.2f, ORT %.2f%n", model, batch, med[0] / med[1], med[2] / med[3]);
        System.exit(0);
    }
}
