package dev.vecnn.bench;

import dev.vecnn.bench.peer.OnnxModels;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PoolSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs a suite with JMH: vecnn's dispatcher choice (convolution forward with its weights prepared once, as the peer
 * holds them as constant initializers); ONNX Runtime for the forward passes it supports
 * (same threads, same JVM); the reference kernels (plain Java, one thread, forward); then the FMA peak
 * in the same run; and writes the report.
 *
 * <pre>
 *   RunSuite --suite bench/suites/performance.suite [--mode quick|full] [--threads 1,2] [--out DIR] [--reference false]
 * </pre>
 * quick: 1 warm-up and 2 measured iterations of 1 s (a first look); full: 3 of 2 s and 5 of 2 s.
 */
public final class RunSuite {
    private RunSuite() {
    }

    /** The JMH options common to every run of a mode (quick, full; smoke for tests), {@code forks} JVM forks (0: in this JVM). */
    public static ChainedOptionsBuilder options(String mode, int forks) {
        ChainedOptionsBuilder b = new OptionsBuilder().forks(forks).shouldFailOnError(true);
        return switch (mode) {
            case "quick" -> b.warmupIterations(1).warmupTime(TimeValue.seconds(1)).measurementIterations(2)
                    .measurementTime(TimeValue.seconds(1));
            case "full" -> b.warmupIterations(3).warmupTime(TimeValue.seconds(2)).measurementIterations(5)
                    .measurementTime(TimeValue.seconds(2));
            case "smoke" -> b.warmupIterations(1).warmupTime(TimeValue.milliseconds(100)).measurementIterations(1)
                    .measurementTime(TimeValue.milliseconds(100));
            default -> throw new IllegalArgumentException("mode: unknown '" + mode + "' (quick, full)");
        };
    }

    /** Runs every problem of the suite, then the peak, into {@code out}; returns the report path. */
    public static Path run(Suite suite, String mode, String[] threads, Path out, int forks, boolean reference) throws Exception {
        Files.createDirectories(out);
        int k = 0;
        for (Suite.Problem p : suite.problems()) {
            List<String> forward = p.passes().contains("forward") ? List.of("forward") : List.of();
            List<String> backward = new ArrayList<>(p.passes());
            backward.removeAll(forward);
            boolean peer = p.pool() ? OnnxModels.supportsPool(PoolSpec.parse(p.spec())) : OnnxModels.supportsConv(ConvSpec.parse(p.spec()));
            String bench = (p.pool() ? PoolBench.class : ConvBench.class).getName() + ".run";
            if (!forward.isEmpty()) {
                // the peer holds its weights as constant initializers (packed once): vecnn's forward too
                ChainedOptionsBuilder o = options(mode, forks);
                if (!p.pool()) o = o.param("weights", "prepared");
                run(o, bench, p, forward, peer ? new String[] {"auto", "onnxruntime"} : new String[] {"auto"},
                        threads, out.resolve(String.format("%02d-%s-forward.json", k, p.name())));
            }
            if (!forward.isEmpty() && reference) {
                // the plain-Java oracle as a peer: single-threaded, forward, one thread setting
                run(options(mode, forks), bench, p, forward, new String[] {"reference"}, new String[] {"1"},
                        out.resolve(String.format("%02d-%s-reference.json", k, p.name())));
            }
            if (!backward.isEmpty()) {
                run(options(mode, forks), bench, p, backward, new String[] {"auto"}, threads,
                        out.resolve(String.format("%02d-%s-backward.json", k, p.name())));
            }
            k++;
        }
        new Runner(options(mode, forks).include(FmaPeakBench.class.getName() + ".fma").resultFormat(ResultFormatType.JSON)
                .result(out.resolve("peak.json").toString()).build()).run();
        Files.writeString(out.resolve("suite.txt"), suite.name() + "\n" + mode + "\n");
        return Report.write(out, suite);
    }

    private static void run(ChainedOptionsBuilder b, String bench, Suite.Problem p, List<String> passes, String[] impls,
                            String[] threads, Path json) throws Exception {
        new Runner(b.include(bench).param("spec", p.spec()).param("pass", passes.toArray(String[]::new))
                .param("impl", impls).param("threads", threads).resultFormat(ResultFormatType.JSON)
                .result(json.toString()).build()).run();
    }

    /** Command line: see the class comment. */
    public static void main(String[] args) throws Exception {
        String suite = null, mode = "quick", threads = "1,2", out = null;
        boolean reference = true;
        for (int a = 0; a < args.length; a += 2) {
            if (a + 1 >= args.length) throw new IllegalArgumentException(args[a] + ": needs a value");
            switch (args[a]) {
                case "--suite" -> suite = args[a + 1];
                case "--mode" -> mode = args[a + 1];
                case "--threads" -> threads = args[a + 1];
                case "--out" -> out = args[a + 1];
                case "--reference" -> reference = Boolean.parseBoolean(args[a + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[a] + " (--suite --mode --threads --out --reference)");
            }
        }
        if (suite == null) throw new IllegalArgumentException("--suite: required, e.g. bench/suites/performance.suite");
        Suite s = Suite.read(Path.of(suite));
        Path dir = Path.of(out != null ? out : "target/bench/" + s.name() + "-" + mode);
        Path report = run(s, mode, threads.split(","), dir, 1, reference);
        System.out.println("report: " + report.toAbsolutePath());
    }
}
