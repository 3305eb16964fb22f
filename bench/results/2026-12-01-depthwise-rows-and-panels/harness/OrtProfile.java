import ai.onnxruntime.*;
import java.nio.FloatBuffer;
import java.util.*;

/** OrtProfile model batch threads reps: ORT's profile JSON (per-node) after warm-up. */
public class OrtProfile {
    public static void main(String[] a) throws Exception {
        String model = a[0]; int batch = Integer.parseInt(a[1]), threads = Integer.parseInt(a[2]), reps = Integer.parseInt(a[3]);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(threads); o.setInterOpNumThreads(1);
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        o.enableProfiling("/tmp/ortprof-" + model);
        float[] x = new float[batch * 3 * 224 * 224];
        for (int i = 0; i < x.length; i++) x[i] = (float) ((((long) i * 2654435761L) % 1000) / 500.0 - 1);
        try (OrtSession s = env.createSession("/work/main/bench/models/" + model + ".onnx", o);
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {batch, 3, 224, 224})) {
            String in = s.getInputNames().iterator().next();
            for (int r = 0; r < reps; r++) s.run(Map.of(in, t)).close();
            System.out.println(s.endProfiling());
        }
    }
}
