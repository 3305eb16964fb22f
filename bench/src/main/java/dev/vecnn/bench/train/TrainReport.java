package dev.vecnn.bench.train;

import dev.vecnn.bench.Charts;
import dev.vecnn.bench.Json;
import dev.vecnn.nn.Model;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.jfree.chart.JFreeChart;

/**
 * Turns a training benchmark folder (written by {@link RunTraining}: JMH's {@code vecnn-*.json}, the
 * PyTorch script's {@code pytorch-*.json} (or one {@code pytorch.json}), {@code run.txt}) into {@code report.md} (events/s of vecnn
 * and PyTorch per network, dtype, batch and threads, with their ratio) and {@code chart.svg}.
 */
public final class TrainReport {
    private TrainReport() {
    }

    /** One measured configuration. */
    record Key(String network, String dtype, int batch, int threads) {
        String label() {
            return network + " " + dtype + " b" + batch + " " + threads + "t";
        }
    }

    /** Score and error, events/s; per phase ("train", "infer") and side ("vecnn", "pytorch"). */
    static final class Row {
        final Map<String, double[]> cells = new LinkedHashMap<>();

        double[] get(String side, String phase) {
            return cells.get(side + "." + phase);
        }
    }

    /** Everything a report needs from a results folder. */
    record Results(Map<Key, Row> rows, Map<String, String> jvm, Map<String, Object> pytorchInfo, Map<String, Long> pytorchParams,
                   Map<String, Map<String, Object>> checks) {
    }

    /** Reads the vecnn and PyTorch results in {@code dir}, in file order. */
    @SuppressWarnings("unchecked")
    static Results read(Path dir) throws IOException {
        Map<Key, Row> rows = new LinkedHashMap<>();
        Map<String, String> jvm = new LinkedHashMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().matches("vecnn-.*\\.json")).sorted().toList();
        }
        for (Path f : files) {
            for (Object o : (List<Object>) Json.parse(Files.readString(f))) {
                Map<String, Object> r = (Map<String, Object>) o;
                if (jvm.isEmpty()) {
                    jvm.put("jdk", r.get("jdkVersion") + " (" + r.get("vmName") + " " + r.get("vmVersion") + ")");
                    jvm.put("flags", String.join(" ", ((List<Object>) r.getOrDefault("jvmArgs", List.of())).stream().map(String::valueOf).toList()));
                    jvm.put("timing", count(r.get("warmupIterations")) + " warm-up and " + count(r.get("measurementIterations")) + " measured iterations of "
                            + r.get("measurementTime") + " (warm-up " + r.get("warmupTime") + ")");
                }
                String bench = (String) r.get("benchmark");
                String phase = bench.substring(bench.lastIndexOf('.') + 1);
                Map<String, Object> p = (Map<String, Object>) r.get("params");
                Map<String, Object> secondary = (Map<String, Object>) r.getOrDefault("secondaryMetrics", Map.of());
                Map<String, Object> events = (Map<String, Object>) secondary.get("events");
                if (events == null) continue;
                Key k = new Key((String) p.get("network"), (String) p.get("dtype"), Integer.parseInt((String) p.get("batch")),
                        Integer.parseInt((String) p.get("threads")));
                Row row = rows.computeIfAbsent(k, x -> new Row());
                row.cells.put("vecnn." + phase, new double[] {(Double) events.get("score"), number(events.get("scoreError"))});
                // bytes per operation, an operation being one step (train) or one forward (infer)
                if (secondary.get("gc.alloc.rate.norm") instanceof Map<?, ?> alloc) {
                    row.cells.put("alloc." + phase, new double[] {number(alloc.get("score")), number(alloc.get("scoreError"))});
                }
            }
        }
        Map<String, Object> info = Map.of();
        Map<String, Long> params = new LinkedHashMap<>();
        Map<String, Map<String, Object>> checks = new LinkedHashMap<>();
        List<Path> peers;
        try (Stream<Path> s = Files.list(dir)) {
            peers = s.filter(p -> p.getFileName().toString().matches("pytorch(-.*)?\\.json")).sorted().toList();
        }
        for (Path pt : peers) {
            Map<String, Object> j = (Map<String, Object>) Json.parse(Files.readString(pt));
            if (info.isEmpty()) info = (Map<String, Object>) j.getOrDefault("info", Map.of());
            ((Map<String, Object>) j.getOrDefault("parameters", Map.of())).forEach((n, v) -> params.put(n, ((Double) v).longValue()));
            ((Map<String, Object>) j.getOrDefault("check", Map.of())).forEach((n, v) -> checks.put(n, (Map<String, Object>) v));
            for (Object o : (List<Object>) j.get("results")) {
                Map<String, Object> r = (Map<String, Object>) o;
                Key k = new Key((String) r.get("network"), (String) r.get("dtype"), ((Double) r.get("batch")).intValue(),
                        ((Double) r.get("threads")).intValue());
                rows.computeIfAbsent(k, x -> new Row()).cells.put("pytorch." + r.get("phase"), new double[] {(Double) r.get("score"), number(r.get("error"))});
            }
        }
        return new Results(rows, jvm, info, params, checks);
    }

    /** Rows in the suite's network order, then dtype, batch and threads. */
    static Results sorted(Results res, TrainingSuite suite) {
        List<String> order = suite.networks().stream().map(TrainingSuite.Network::name).toList();
        Map<Key, Row> rows = new LinkedHashMap<>();
        res.rows().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey(java.util.Comparator
                        .<Key>comparingInt(k -> order.indexOf(k.network()) < 0 ? Integer.MAX_VALUE : order.indexOf(k.network()))
                        .thenComparing(Key::network).thenComparing(Key::dtype).thenComparingInt(Key::batch).thenComparingInt(Key::threads)))
                .forEach(e -> rows.put(e.getKey(), e.getValue()));
        return new Results(rows, res.jvm(), res.pytorchInfo(), res.pytorchParams(), res.checks());
    }

    private static String count(Object o) {
        return o instanceof Double d ? String.valueOf(d.longValue()) : String.valueOf(o);
    }

    private static double number(Object o) {
        return o instanceof Double d ? d : Double.NaN;
    }

    /** Writes report.md and chart.svg into {@code dir}; returns the report's path. */
    public static Path write(Path dir, TrainingSuite suite) throws IOException {
        Results res = sorted(read(dir), suite);
        Map<String, String> run = new LinkedHashMap<>();
        if (Files.exists(dir.resolve("run.txt"))) {
            for (String l : Files.readAllLines(dir.resolve("run.txt"))) {
                int sp = l.indexOf(' ');
                if (sp > 0) run.put(l.substring(0, sp), l.substring(sp + 1));
            }
        }
        String mode = run.getOrDefault("mode", "");
        StringBuilder md = new StringBuilder();
        md.append("# vecnn training benchmark: ").append(suite.name()).append(mode.isEmpty() ? "" : " (" + mode + " mode)").append("\n\n");
        md.append(header(res)).append("\n\n");
        if (mode.equals("smoke")) md.append("**Smoke mode** (iterations of 100 ms, little warm-up): a check that the command runs; its figures measure nothing.\n\n");
        if (run.containsKey("note")) md.append("**PyTorch**: ").append(run.get("note")).append("\n\n");

        md.append("## Networks\n\nSame network: from vecnn's initial weights and one batch, the PyTorch network's float64 output (evaluation mode), "
                + "loss, gradients and weights after one optimizer step, each as the largest difference relative to vecnn's largest value of its kind; "
                + "and whether PyTorch's own initial weights have the spread of vecnn's "
                + "(SameNetwork.java, `pytorch_train.py --check`).\n\n");
        md.append("| network | sample | task | optimizer | dtypes | parameters vecnn | parameters PyTorch | same network (output, loss, gradients, step; init) | layers |\n"
                + "|---|---|---|---|---|---|---|---|---|\n");
        for (TrainingSuite.Network n : suite.networks()) {
            if (res.rows().keySet().stream().noneMatch(k -> k.network().equals(n.name()))) continue;
            long ours;
            try (Execution ex = Execution.withThreads(1); Model m = n.build(DType.F32, 1, ex)) {
                ours = m.parameterCount();
            }
            Long theirs = res.pytorchParams().get(n.name());
            TrainingSuite.Optim o = n.optimizer();
            md.append("| ").append(n.name()).append(" | ").append(String.join("x", java.util.Arrays.stream(n.input()).mapToObj(String::valueOf).toList()))
              .append(" | ").append(n.task().classification() ? "cross-entropy, " + n.task().outputs() + " classes" : "MSE, " + n.task().outputs() + " outputs")
              .append(" | ").append(o.kind()).append(" lr ").append(plain(o.lr())).append(o.weightDecay() > 0 ? " wd " + plain(o.weightDecay()) : "")
              .append(o.kind().equals("sgd") ? " momentum " + plain(o.momentum()) : "")
              .append(" | ").append(String.join(", ", n.dtypes().stream().map(d -> d.name().toLowerCase(Locale.ROOT)).toList()))
              .append(" | ").append(ours).append(" | ").append(theirs == null ? "—" : theirs)
              .append(" | ").append(checkCell(res.checks().get(n.name()))).append(" | `")
              .append(String.join("`, `", n.layers())).append("` |\n");
        }

        md.append("\n## Events per second\n\nvecnn / PyTorch above 1: vecnn is faster.\n\n");
        md.append("| network | dtype | batch | threads | train vecnn | train PyTorch | train vecnn / PyTorch | infer vecnn | infer PyTorch | infer vecnn / PyTorch |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map.Entry<Key, Row> e : res.rows().entrySet()) {
            Key k = e.getKey();
            Row r = e.getValue();
            md.append("| ").append(k.network()).append(" | ").append(k.dtype()).append(" | ").append(k.batch()).append(" | ").append(k.threads());
            for (String phase : List.of("train", "infer")) {
                double[] v = r.get("vecnn", phase), p = r.get("pytorch", phase);
                md.append(" | ").append(fmt(v)).append(" | ").append(fmt(p)).append(" | ")
                  .append(v == null || p == null ? "—" : String.format(Locale.ROOT, "%.2f", v[0] / p[0]));
            }
            md.append(" |\n");
        }
        md.append("\n![events per second, vecnn and PyTorch](chart.svg)\n");
        if (res.rows().values().stream().anyMatch(r -> r.get("alloc", "train") != null || r.get("alloc", "infer") != null)) {
            boolean full = mode.equals("full");
            md.append("\n## Heap allocated per call (vecnn)\n\nJMH's gc profiler: bytes allocated on the Java heap per training step "
                    + "(train) or inference forward (infer), mean of the measured iterations, MB. vecnn reuses its buffers from call to call, "
                    + "so after warm-up a call allocates a few MB; ")
              .append(full ? "figures of " + (long) (BOXED_BYTES / 1e6) + " MB or more mean that a JIT compile boxed a kernel's vectors "
                      + "(marked).\n\n"
                      : "in this mode the measured iterations still include warm-up allocation (compiles, first-call buffers), so "
                      + "only full mode marks the figures that mean boxed vectors.\n\n");
            md.append("| network | dtype | batch | threads | train MB | infer MB |\n|---|---|---|---|---|---|\n");
            for (Map.Entry<Key, Row> e : res.rows().entrySet()) {
                Key k = e.getKey();
                md.append("| ").append(k.network()).append(" | ").append(k.dtype()).append(" | ").append(k.batch()).append(" | ").append(k.threads())
                  .append(" | ").append(megabytes(e.getValue().get("alloc", "train"), full)).append(" | ")
                  .append(megabytes(e.getValue().get("alloc", "infer"), full)).append(" |\n");
            }
        }
        Path report = dir.resolve("report.md");
        Files.writeString(report, md.toString());
        Files.writeString(dir.resolve("chart.svg"), chart(res));
        return report;
    }

    static String header(Results res) {
        String cpu = "unknown CPU";
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    cpu = l.substring(l.indexOf(':') + 1).strip();
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            cpu = System.getProperty("os.arch");
        }
        int bits = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        Map<String, Object> pt = res.pytorchInfo();
        String openblas = System.getenv().entrySet().stream().filter(e -> e.getKey().startsWith("OPENBLAS_"))
                .map(e -> e.getKey() + "=" + e.getValue()).sorted().reduce((a, b) -> a + " " + b).orElse("none set");
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "%s · %s, %d cores · %d-bit vectors · JDK %s · benchmark JVM flags: `%s`%n%n",
                LocalDate.now(), cpu, Runtime.getRuntime().availableProcessors(), bits,
                res.jvm().getOrDefault("jdk", Runtime.version().toString()), res.jvm().getOrDefault("flags", "")));
        b.append("A training step is forward (training mode), loss, backward and optimizer step on one batch of random seeded data; "
                + "inference is a forward pass in evaluation mode. Events/s = samples per second. ");
        b.append("vecnn: JMH (`TrainBench`), mean ± 99.9% confidence error of ").append(res.jvm().getOrDefault("timing", "its iterations"))
         .append("; kernels on `Execution.withThreads(n)`.");
        if (!pt.isEmpty()) {
            b.append(String.format(Locale.ROOT, " PyTorch %s (Python %s, CPU capability %s, BLAS %s; environment %s; allocator %s): %s; "
                            + "`torch.set_num_threads(n)`, `torch.set_num_interop_threads(1)`; inference under `torch.inference_mode()`.",
                    pt.get("torch"), pt.get("python"), pt.get("cpu_capability"), pt.get("blas"), openblas,
                    pt.getOrDefault("allocator", "default"), pt.get("timing")));
        }
        b.append(" Same networks (parameter counts below), initialisation scheme, loss, optimizer and hyper-parameters on both sides.");
        return b.toString();
    }

    private static String plain(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static String checkCell(Map<String, Object> c) {
        if (c == null) return "—";
        StringBuilder b = new StringBuilder();
        for (String k : List.of("output", "loss", "gradients", "step")) {
            if (c.get(k) instanceof Double d) b.append(b.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.0e", d));
        }
        if (c.get("init") instanceof Double d) b.append(d <= 1 ? "; initial spread as vecnn's" : "; initial spread DIFFERS");
        if (c.get("note") instanceof String note) b.append(" (").append(note).append(')');
        return b.toString();
    }

    /**
     * From this many bytes per call a full-mode allocation figure is marked: buffers are reused, so after
     * warm-up only boxed vectors allocate so much (2.1 GB per voxel3d step when they were, 5 MB otherwise).
     */
    static final double BOXED_BYTES = 100e6;

    /** A cell of the allocation table: MB, "—" where there is no figure, marked from BOXED_BYTES when {@code mark}. */
    static String megabytes(double[] v, boolean mark) {
        if (v == null || Double.isNaN(v[0])) return "—";
        String f = String.format(Locale.ROOT, v[0] >= 10e6 ? "%.0f" : "%.2f", v[0] / 1e6);
        return mark && v[0] >= BOXED_BYTES ? "**" + f + " (boxed vectors?)**" : f;
    }

    private static String fmt(double[] v) {
        if (v == null) return "—";
        String f = v[0] >= 100 ? "%.0f" : v[0] >= 10 ? "%.1f" : "%.2f";
        return Double.isNaN(v[1]) ? String.format(Locale.ROOT, f, v[0]) : String.format(Locale.ROOT, f + " ± " + f, v[0], v[1]);
    }

    /** Training and inference events/s, vecnn and PyTorch, one bar group per configuration, log scale. */
    static String chart(Results res) {
        List<String> labels = new ArrayList<>();
        for (Key k : res.rows().keySet()) labels.add(k.label());
        boolean torch = res.rows().values().stream().anyMatch(r -> r.cells.keySet().stream().anyMatch(c -> c.startsWith("pytorch.")));
        List<JFreeChart> charts = new ArrayList<>();
        List<Integer> heights = new ArrayList<>();
        for (String phase : List.of("train", "infer")) {
            Map<String, double[]> series = new LinkedHashMap<>();
            for (String side : torch ? List.of("vecnn", "pytorch") : List.of("vecnn")) {
                double[] v = new double[labels.size()];
                int i = 0;
                for (Row r : res.rows().values()) {
                    double[] c = r.get(side, phase);
                    v[i++] = c == null ? Double.NaN : c[0];
                }
                series.put(side.equals("vecnn") ? "vecnn" : "PyTorch", v);
            }
            charts.add(Charts.bars(phase.equals("train") ? "Training (forward, loss, backward, optimizer step)" : "Inference (forward, evaluation mode)",
                    labels, series, "events/s (log scale)", true));
            heights.add(Charts.height(labels.size(), series.size()));
        }
        return Charts.svg(900, charts, heights);
    }

    /** Writes the report for an existing results folder: {@code TrainReport DIR SUITE_FILE}. */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) throw new IllegalArgumentException("usage: TrainReport DIR SUITE_FILE");
        System.out.println("report: " + write(Path.of(args[0]), TrainingSuite.read(Path.of(args[1]))).toAbsolutePath());
    }
}
