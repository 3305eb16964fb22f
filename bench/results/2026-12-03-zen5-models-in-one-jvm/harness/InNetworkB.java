import ai.onnxruntime.*;
import dev.vecnn.nn.Graph;
import dev.vecnn.nn.Model;
import dev.vecnn.nn.onnx.OnnxImport;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.*;
import java.lang.foreign.Arena;
import java.nio.FloatBuffer;
import java.nio.file.*;
import java.util.*;
import java.util.regex.*;

/**
 * InNetwork model threads reps: each node's time inside the whole network, vecnn (channels-last, frozen; a timer
 * around each graph node: needs graph-prof.patch applied to nn) and ONNX Runtime (ORT_ENABLE_ALL, its own profiler's
 * kernel times), batch 1, in one JVM: both warmed up, then reps timed runs of each, alternated in blocks of 10.
 * Prints vecnn's nodes, then ONNX Runtime's, in execution order, ms per inference.
 */
public class InNetworkB {
    public static void main(String[] a) throws Exception {
        String model = a[0];
        int threads = Integer.parseInt(a[1]), reps = Integer.parseInt(a[2]), B = Integer.parseInt(a[3]);
        Path file = Path.of(System.getProperty("vecnn.models", "bench/models"), model + ".onnx");
        Arena arena = Arena.ofShared();
        Tensor x = Tensor.allocate(arena, DType.F32, B, 3, 224, 224);
        float[] xa = new float[B * 3 * 224 * 224];
        for (int i = 0; i < xa.length; i++) { xa[i] = (float) ((((long) i * 2654435761L) % 1000) / 500.0 - 1); x.setAt(i, xa[i]); }
        Execution ex = Execution.withThreads(threads);
        Model net = OnnxImport.load(file, OnnxImport.Options.defaults().on(ex));
        net.memoryFormat(MemoryFormat.CHANNELS_LAST);
        net.freeze();
        Graph g = net.graph();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        Path prof = Files.createTempDirectory("ortprof").resolve("p");
        o.enableProfiling(prof.toString());
        OrtSession s = env.createSession(Files.readAllBytes(file), o);
        OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(xa), new long[] {B, 3, 224, 224});
        String in = s.getInputNames().iterator().next();
        for (int i = 0; i < 3 * reps; i++) { net.forward(x, false); s.run(Map.of(in, t)).close(); }
        Graph.PROF = new long[g.size()];
        int ortRuns = 0;
        long vt = 0, ot = 0;
        for (int b = 0; b < reps / 10; b++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 10; i++) net.forward(x, false);
            long t1 = System.nanoTime();
            for (int i = 0; i < 10; i++) s.run(Map.of(in, t)).close();
            long t2 = System.nanoTime();
            vt += t1 - t0; ot += t2 - t1; ortRuns += 10;
        }
        int runs = reps / 10 * 10;
        String json = Files.readString(Path.of(s.endProfiling()));
        System.out.printf("# vecnn whole network %.3f ms, ONNX Runtime %.3f ms (wall time of the timed runs, alternated in blocks of 10)%n", vt / 1e6 / runs, ot / 1e6 / runs);
        System.out.println("# vecnn, ms per inference per graph node (timer around each node)");
        double sum = 0;
        for (int k = 0; k < g.size(); k++) {
            double ms = Graph.PROF[k] / 1e6 / runs;
            sum += ms;
            System.out.printf("v %7.4f %s%n", ms, g.describe(k));
        }
        System.out.printf("# vecnn sum of nodes %.3f%n", sum);
        // ORT's profile: one event per node per run (warm-up runs included): keep the last ortRuns of each node
        Map<String, List<Double>> dur = new LinkedHashMap<>();
        Map<String, String> ops = new HashMap<>();
        Pattern durP = Pattern.compile("\"dur\"\\s*:\\s*(\\d+)");
        for (String ev : json.split("\\},\\s*\\{")) {
            if (!ev.contains("\"cat\" : \"Node\"") && !ev.contains("\"cat\":\"Node\"")) continue;
            Matcher n = Pattern.compile("\"name\"\\s*:\\s*\"([^\"]+_kernel_time)\"").matcher(ev);
            Matcher d = durP.matcher(ev);
            Matcher op = Pattern.compile("\"op_name\"\\s*:\\s*\"([^\"]+)\"").matcher(ev);
            if (n.find() && d.find()) {
                dur.computeIfAbsent(n.group(1), k -> new ArrayList<>()).add(Double.parseDouble(d.group(1)));
                if (op.find()) ops.putIfAbsent(n.group(1), op.group(1));
            }
        }
        System.out.println("# ONNX Runtime, ms per inference per node (its profiler, mean of the timed runs)");
        double osum = 0;
        for (var e : dur.entrySet()) {
            List<Double> l = e.getValue();
            double ms = l.subList(Math.max(0, l.size() - ortRuns), l.size()).stream().mapToDouble(Double::doubleValue).average().orElse(0) / 1e3;
            osum += ms;
            System.out.printf("o %7.4f %s %s (%d events)%n", ms, ops.getOrDefault(e.getKey(), "?"), e.getKey(), l.size());
        }
        System.out.printf("# ONNX Runtime sum of nodes %.3f%n", osum);
        System.exit(0);
    }
}
