package dev.vecnn.bench;

import dev.vecnn.conv.Conv;
import dev.vecnn.conv.ConvPass;
import dev.vecnn.pool.Pool;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PoolSpec;
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

/**
 * Turns a folder of JMH JSON results (written by {@link RunSuite}) into {@code report.md} (a table of
 * vecnn against its peers, with ratios so the comparison holds when the machine's speed drifts) and
 * {@code chart.svg} (throughput per problem, with the measured FMA peak as a line; drawn by JFreeChart).
 */
public final class Report {
    private Report() {
    }

    /** One measured configuration: its parameters and, per implementation, score and error. */
    record Row(String bench, Map<String, String> params, Map<String, double[]> byImpl, String unit) {
        String key(String k) {
            return params.getOrDefault(k, "");
        }
    }

    /** Reads every result file in {@code dir}; returns rows in file order and the 1-thread FMA peak (or NaN). */
    @SuppressWarnings("unchecked")
    static List<Row> read(Path dir, double[] peak, Map<String, String> jvm) throws IOException {
        Map<String, Row> rows = new LinkedHashMap<>();
        peak[0] = Double.NaN;
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        for (Path f : files) {
            for (Object o : (List<Object>) Json.parse(Files.readString(f))) {
                Map<String, Object> r = (Map<String, Object>) o;
                String bench = (String) r.get("benchmark");
                if (jvm.isEmpty()) { // the benchmark forks' JVM, as JMH recorded it
                    jvm.put("jdk", r.get("jdkVersion") + " (" + r.get("vmName") + " " + r.get("vmVersion") + ")");
                    jvm.put("flags", String.join(" ", ((List<Object>) r.getOrDefault("jvmArgs", List.of())).stream().map(String::valueOf).toList()));
                }
                Map<String, Object> sec = (Map<String, Object>) r.getOrDefault("secondaryMetrics", Map.of());
                String metric = sec.containsKey("gflops") ? "gflops" : "gbs";
                Map<String, Object> m = (Map<String, Object>) sec.get(metric);
                if (m == null) continue;
                double score = (Double) m.get("score");
                Object err = m.get("scoreError");
                double error = err instanceof Double d ? d : Double.NaN;
                if (bench.endsWith("FmaPeakBench.fma")) {
                    peak[0] = score;
                    continue;
                }
                Map<String, String> params = new LinkedHashMap<>();
                ((Map<String, Object>) r.getOrDefault("params", Map.of())).forEach((k, v) -> params.put(k, String.valueOf(v)));
                String impl = params.remove("impl");
                String key = bench + params;
                Row row = rows.computeIfAbsent(key, k -> new Row(bench, params, new LinkedHashMap<>(), metric.equals("gflops") ? "GFLOP/s" : "GB/s"));
                row.byImpl().put(impl, new double[] {score, error});
            }
        }
        return new ArrayList<>(rows.values());
    }

    /** Writes report.md and chart.svg into {@code dir}; returns the report's path. */
    public static Path write(Path dir, Suite suite) throws IOException {
        double[] peak = new double[1];
        Map<String, String> jvm = new LinkedHashMap<>();
        List<Row> rows = read(dir, peak, jvm);
        Map<String, String> names = new LinkedHashMap<>();
        if (suite != null) for (Suite.Problem p : suite.problems()) names.put(p.spec(), p.name());
        String mode = Files.exists(dir.resolve("suite.txt")) ? Files.readAllLines(dir.resolve("suite.txt")).get(1) : "";
        StringBuilder md = new StringBuilder();
        md.append("# vecnn benchmarks: ").append(suite == null ? dir.getFileName() : suite.name())
          .append(mode.isEmpty() ? "" : " (" + mode + " mode)").append("\n\n");
        md.append(header(peak[0], jvm)).append("\n\n");
        md.append("| problem | spec | pass | threads | dtype | layout | vecnn | vecnn impl | ONNX Runtime | vecnn / ORT | reference (1 thread) | vecnn / reference | vecnn % of peak |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        Map<String, double[]> references = new LinkedHashMap<>();
        for (Row r : rows) if (r.byImpl().containsKey("reference")) references.put(r.bench() + r.key("spec") + r.key("pass") + r.key("dtype") + r.key("layout"), r.byImpl().get("reference"));
        for (Row r : rows) {
            if (!r.byImpl().containsKey("auto")) continue; // reference-only rows are shown beside vecnn's
            double[] v = r.byImpl().get("auto");
            double[] ref = references.get(r.bench() + r.key("spec") + r.key("pass") + r.key("dtype") + r.key("layout"));
            double[] ort = r.byImpl().get("onnxruntime");
            String spec = r.key("spec");
            int threads = Integer.parseInt(r.key("threads").isEmpty() ? "1" : r.key("threads"));
            md.append("| ").append(names.getOrDefault(spec, "")).append(" | `").append(spec).append("` | ").append(r.key("pass"))
              .append(" | ").append(threads).append(" | ").append(r.key("dtype")).append(" | ").append(r.key("layout"))
              .append(" | ").append(fmt(v)).append(' ').append(r.unit()).append(" | ").append(chosen(r))
              .append(" | ").append(ort == null ? "—" : fmt(ort)).append(" | ")
              .append(ort == null ? "—" : String.format(Locale.ROOT, "%.2f", v[0] / ort[0])).append(" | ")
              .append(ref == null ? "—" : fmt(ref)).append(" | ")
              .append(ref == null ? "—" : String.format(Locale.ROOT, "%.0f", v[0] / ref[0])).append(" | ")
              .append(r.unit().equals("GFLOP/s") && !Double.isNaN(peak[0])
                      ? String.format(Locale.ROOT, "%.0f%%", 100 * v[0] / (peak[0] * threads)) : "—")
              .append(" |\n");
        }
        md.append("\n![throughput per problem](chart.svg)\n");
        Path report = dir.resolve("report.md");
        Files.writeString(report, md.toString());
        Files.writeString(dir.resolve("chart.svg"), svg(rows, names, peak[0]));
        return report;
    }

    private static String chosen(Row r) {
        String spec = r.key("spec");
        try {
            if (r.bench().endsWith("PoolBench.run")) return Pool.choose(PoolSpec.parse(spec)).name();
            ConvPass p = switch (r.key("pass")) {
                case "backward-data" -> ConvPass.BACKWARD_DATA;
                case "backward-weights" -> ConvPass.BACKWARD_WEIGHTS;
                default -> ConvPass.FORWARD;
            };
            return Conv.choose(p, ConvSpec.parse(spec)).name();
        } catch (IllegalArgumentException e) {
            return "?";
        }
    }

    static String header(double peak, Map<String, String> jvm) {
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
        String flags = jvm.getOrDefault("flags", "");
        int bits = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        java.util.regex.Matcher mv = java.util.regex.Pattern.compile("-XX:MaxVectorSize=(\\d+)").matcher(flags);
        if (mv.find()) bits = Math.min(bits, 8 * Integer.parseInt(mv.group(1)));
        return String.format(Locale.ROOT, "%s · %s, %d cores · %d-bit vectors (%d float lanes) · JDK %s · benchmark JVM flags: `%s`%n%n"
                + "Measured float32 FMA peak from Java (24 independent vector FMAs, 1 thread): %s. Convolution throughput is "
                + "GFLOP/s of 2·N·K·(C/groups)·prod(kernel)·prod(output) per pass; pooling is GB/s of input + output bytes. "
                + "Scores are JMH means ± 99.9%% error; peers ran in the same JMH run and JVM with the same threads.",
                LocalDate.now(), cpu, Runtime.getRuntime().availableProcessors(), bits, bits / 32,
                jvm.getOrDefault("jdk", Runtime.version().toString()), flags,
                Double.isNaN(peak) ? "not measured" : String.format(Locale.ROOT, "%.1f GFLOP/s", peak));
    }

    private static String fmt(double[] v) {
        String f = v[0] >= 10 ? "%.1f" : v[0] >= 1 ? "%.2f" : "%.3g"; // three significant digits for small rates
        return Double.isNaN(v[1]) ? String.format(Locale.ROOT, f, v[0]) : String.format(Locale.ROOT, f + " ± " + f, v[0], v[1]);
    }

    /** Horizontal bars per row (vecnn, ONNX Runtime), one chart per unit, peak lines for 1 and 2 threads. */
    static String svg(List<Row> rows, Map<String, String> names, double peak) {
        List<org.jfree.chart.JFreeChart> charts = new ArrayList<>();
        List<Integer> heights = new ArrayList<>();
        for (String unit : List.of("GFLOP/s", "GB/s")) {
            List<Row> rs = rows.stream().filter(r -> r.unit().equals(unit) && r.byImpl().containsKey("auto")).toList();
            if (rs.isEmpty()) continue;
            List<String> labels = new ArrayList<>();
            double[] vecnn = new double[rs.size()], ort = new double[rs.size()];
            for (int i = 0; i < rs.size(); i++) {
                Row r = rs.get(i);
                String label = names.getOrDefault(r.key("spec"), r.key("spec")) + " " + r.key("pass") + " " + r.key("threads") + "t "
                        + r.key("dtype") + (r.key("layout").equals("channels-last") ? " NHWC" : "");
                for (int k = 2; labels.contains(label); k++) label = label.replaceAll(" \\(\\d+\\)$", "") + " (" + k + ")"; // categories must differ
                labels.add(label);
                vecnn[i] = r.byImpl().get("auto")[0];
                double[] o = r.byImpl().get("onnxruntime");
                ort[i] = o == null ? Double.NaN : o[0];
            }
            Map<String, double[]> series = new LinkedHashMap<>();
            series.put("vecnn", vecnn);
            series.put("ONNX Runtime", ort);
            var chart = Charts.bars(unit.equals("GFLOP/s") ? "Convolution throughput" : "Pooling throughput", labels, series, unit, false);
            if (unit.equals("GFLOP/s") && !Double.isNaN(peak)) {
                for (int t = 1; t <= 2; t++) {
                    Charts.marker(chart, peak * t, String.format(Locale.ROOT, "FMA peak x%d: %.0f", t, peak * t), new java.awt.Color(0xcc0000));
                }
            }
            charts.add(chart);
            heights.add(Charts.height(rs.size(), 2));
        }
        return Charts.svg(900, charts, heights);
    }

    /** Writes the report for an existing results folder: {@code Report DIR [SUITE_FILE]}. */
    public static void main(String[] args) throws IOException {
        Suite suite = args.length > 1 ? Suite.read(Path.of(args[1])) : null;
        System.out.println("report: " + write(Path.of(args[0]), suite).toAbsolutePath());
    }
}
