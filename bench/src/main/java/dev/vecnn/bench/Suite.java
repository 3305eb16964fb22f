package dev.vecnn.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A named list of problems, read from a suite file ({@code bench/suites/*.suite}): one problem per
 * line, {@code <name> <spec> [passes]}, '#' comments. Convolution passes: forward, backward-data,
 * backward-weights; pooling: forward, backward. A spec starting with a pooling kind is pooling.
 *
 * @param name the suite's name (its file name without {@code .suite})
 * @param problems the problems in file order
 */
public record Suite(String name, List<Problem> problems) {
    /** One line of a suite. */
    public record Problem(String name, String spec, List<String> passes, boolean pool) {
    }

    /** Reads a suite file; every spec is parsed, so a bad line fails here with its line number. */
    public static Suite read(Path file) throws IOException {
        List<Problem> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        if (dev.vecnn.bench.train.TrainingSuite.isTrainingSuite(lines)) {
            throw new IllegalArgumentException(file + ": is a training suite: run it with -Pbench-train (dev.vecnn.bench.train.RunTraining)");
        }
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] f = line.split("\\s+");
            if (f.length < 2 || f.length > 3) throw new IllegalArgumentException(file + ":" + (n + 1) + ": expected <name> <spec> [passes]");
            boolean pool = f[1].contains("pool");
            try {
                if (pool) dev.vecnn.spec.PoolSpec.parse(f[1]);
                else dev.vecnn.spec.ConvSpec.parse(f[1]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ":" + (n + 1) + ": " + e.getMessage(), e);
            }
            List<String> passes = f.length == 3 ? Arrays.asList(f[2].split(",")) : List.of("forward");
            List<String> known = pool ? List.of("forward", "backward") : List.of("forward", "backward-data", "backward-weights");
            for (String p : passes) {
                if (!known.contains(p)) throw new IllegalArgumentException(file + ":" + (n + 1) + ": unknown pass '" + p + "' (known: " + known + ")");
            }
            out.add(new Problem(f[0], f[1], List.copyOf(passes), pool));
        }
        String fn = file.getFileName().toString();
        return new Suite(fn.endsWith(".suite") ? fn.substring(0, fn.length() - 6) : fn, List.copyOf(out));
    }
}
