package dev.vecnn.bench.train;

import dev.vecnn.bench.RunSuite;
import dev.vecnn.nn.Model;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;

/**
 * The training benchmark command, network by network: vecnn with JMH ({@link TrainBench}, the network in
 * each of its dtypes, every batch size and thread count), then right after it the PyTorch peer
 * ({@code python/pytorch_train.py}, the same network, warm-up and measurement times) when the given
 * Python can import torch, after it has checked that its network computes what vecnn's does
 * ({@link SameNetwork}); then the report ({@link TrainReport}).
 *
 * <pre>
 *   RunTraining --suite suites/training.suite [--mode quick|full] [--threads 1,2] [--networks all|a,b]
 *               [--python /usr/bin/python3] [--out DIR]
 * </pre>
 * Modes are those of {@link RunSuite#options}: quick = 1 warm-up and 2 measured iterations of 1 s;
 * full = 5 measured iterations of 2 s after 6 warm-up iterations of 2 s (not RunSuite's 3: a whole
 * network's kernels reach C2 code over its first ~6 s, measured: 0.3, 9, 24, then 26 steps/s in the
 * first four 2 s iterations of voxel3d at batch 32). PyTorch gets the same iterations.
 */
public final class RunTraining {
    private RunTraining() {
    }

    /** JMH options of a mode: {@link RunSuite#options}, with the longer warm-up of full mode (see the class comment). */
    static org.openjdk.jmh.runner.options.ChainedOptionsBuilder options(String mode, int forks) {
        // JMH's gc profiler: heap bytes allocated per step, in the report (a boxed-vector JIT compile shows as
        // hundreds of MB per step against a few MB)
        var o = RunSuite.options(mode, forks).addProfiler(GCProfiler.class);
        return mode.equals("full") ? o.warmupIterations(6) : o;
    }

    /** The PyTorch script, relative to the bench module. */
    static final Path SCRIPT = Path.of("python/pytorch_train.py");

    /**
     * Runs the suite's {@code networks} (all when empty) into {@code out}; {@code python} null skips
     * PyTorch. Returns the report's path.
     */
    public static Path run(TrainingSuite suite, List<String> networks, String mode, String[] threads, Path out, int forks,
                           String python, Path suiteFile) throws Exception {
        List<TrainingSuite.Network> nets = networks.isEmpty() ? suite.networks() : networks.stream().map(suite::network).toList();
        String batches = String.join(",", suite.batches().stream().map(String::valueOf).toList());
        for (TrainingSuite.Network n : nets) checkParameters(n);
        Files.createDirectories(out);
        // the report covers this run only (an earlier run's results in the folder, other networks of a -Dnetworks
        // subset, were merged into it); cleared once the arguments are known good
        try (Stream<Path> old = Files.list(out)) {
            for (Path f : old.filter(p -> p.getFileName().toString().matches("(vecnn|pytorch)-.*\\.json|pytorch\\.json")).toList()) Files.delete(f);
        }
        // each network's PyTorch run follows its vecnn run: the machine's speed drifts over tens of minutes
        // (by a third, measured on the 2-vCPU VM), so the two sides of a ratio are measured minutes apart, not half an hour
        String note = python == null ? "PyTorch was not run (no Python given)." : null;
        for (int k = 0; k < nets.size(); k++) {
            TrainingSuite.Network n = nets.get(k);
            String[] dtypes = n.dtypes().stream().map(d -> d.name().toLowerCase(Locale.ROOT)).toArray(String[]::new);
            new Runner(options(mode, forks).include(TrainBench.class.getName() + ".(train|infer)$")
                    .param("suite", suiteFile.toString()).param("network", n.name()).param("dtype", dtypes)
                    .param("batch", batches.split(",")).param("threads", threads)
                    .resultFormat(ResultFormatType.JSON).result(out.resolve(String.format("vecnn-%02d-%s.json", k, n.name())).toString())
                    .build()).run();
            if (note == null) note = pytorch(python, suiteFile, n, mode, threads, out.resolve(String.format("pytorch-%02d-%s.json", k, n.name())));
        }
        Files.writeString(out.resolve("run.txt"), "mode " + mode + "\n" + (note == null ? "" : "note " + note + "\n"));
        return TrainReport.write(out, suite);
    }

    /** The network's vecnn parameter count must be the suite's (PyTorch's): else it is not the same network. */
    static void checkParameters(TrainingSuite.Network n) {
        if (n.parameters() < 0) return;
        try (Execution ex = Execution.withThreads(1); Model m = n.build(DType.F32, 1, ex)) {
            if (m.parameterCount() != n.parameters()) {
                throw new IllegalArgumentException("network " + n.name() + ": vecnn counts " + m.parameterCount()
                        + " trainable parameters, the suite's 'parameters' line says " + n.parameters());
            }
        }
    }

    /**
     * Runs the PyTorch script on network {@code n} into {@code result}; returns null, or why there are no
     * (further) PyTorch figures.
     */
    static String pytorch(String python, Path suiteFile, TrainingSuite.Network n, String mode, String[] threads, Path result)
            throws IOException, InterruptedException {
        if (!torchImports(python)) {
            String note = "PyTorch is not installed for " + python + " (Debian: apt-get install python3-torch python3-numpy): vecnn alone.";
            System.out.println(note);
            return note;
        }
        Path check = result.resolveSibling("check");
        SameNetwork.write(n, check);
        Options o = options(mode, 1).build();
        List<String> cmd = new ArrayList<>(List.of(python, SCRIPT.toString(), "--suite", suiteFile.toString(), "--networks", n.name(),
                "--threads", String.join(",", threads),
                "--warmup-iterations", String.valueOf(o.getWarmupIterations().get()),
                "--warmup-time", seconds(o.getWarmupTime().get().convertTo(TimeUnit.MILLISECONDS)),
                "--iterations", String.valueOf(o.getMeasurementIterations().get()),
                "--time", seconds(o.getMeasurementTime().get().convertTo(TimeUnit.MILLISECONDS)),
                "--check", check.toString(), "--out", result.toString()));
        System.out.println("PyTorch: " + String.join(" ", cmd));
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        int rc = p.waitFor();
        if (rc != 0) {
            String note = "The PyTorch script failed on " + n.name() + " (exit " + rc + "; its messages are above in the console): "
                    + "vecnn alone from there.";
            System.out.println(note);
            Files.deleteIfExists(result);
            return note;
        }
        return null;
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.3f", millis / 1000.0);
    }

    /** Whether {@code python -c "import torch"} succeeds. */
    static boolean torchImports(String python) {
        try {
            Process p = new ProcessBuilder(python, "-c", "import torch").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Command line: see the class comment. */
    public static void main(String[] args) throws Exception {
        String suite = null, mode = "quick", threads = "1,2", out = null, python = "/usr/bin/python3", networks = "all";
        for (int a = 0; a < args.length; a += 2) {
            if (a + 1 >= args.length) throw new IllegalArgumentException(args[a] + ": needs a value");
            switch (args[a]) {
                case "--suite" -> suite = args[a + 1];
                case "--mode" -> mode = args[a + 1];
                case "--threads" -> threads = args[a + 1];
                case "--networks" -> networks = args[a + 1];
                case "--out" -> out = args[a + 1];
                case "--python" -> python = args[a + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[a] + " (--suite --mode --threads --networks --python --out)");
            }
        }
        if (suite == null) throw new IllegalArgumentException("--suite: required, e.g. suites/training.suite");
        RunSuite.options(mode, 1); // an unknown mode fails before anything runs
        TrainingSuite s = TrainingSuite.read(Path.of(suite));
        List<String> names = networks.equals("all") ? List.of() : Arrays.asList(networks.split(","));
        for (String n : names) s.network(n);
        Path dir = Path.of(out != null ? out : "target/bench/" + s.name() + "-" + mode);
        Path report = run(s, names, mode, threads.split(","), dir, 1, python.isEmpty() || python.equals("none") ? null : python, Path.of(suite));
        System.out.println("report: " + report.toAbsolutePath());
        System.out.println("chart:  " + report.resolveSibling("chart.svg").toAbsolutePath());
    }
}
