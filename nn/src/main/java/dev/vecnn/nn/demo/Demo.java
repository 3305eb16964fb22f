package dev.vecnn.nn.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The README's main command: the air-shower direction demo ({@link ShowerDemo}), then the weight
 * sharing example ({@link PatternDemo}). Seeded and reproducible. Each writes its pictures (SVG) into
 * {@code target/demo} under the working directory, or the folder given as the first argument, and
 * prints their paths.
 */
public final class Demo {
    private Demo() {
    }

    /** Runs both; prints to standard output (a live progress line on a terminal). */
    public static void main(String[] args) {
        boolean live = System.console() != null && System.console().isTerminal();
        Path pictures = Path.of(args.length > 0 ? args[0] : "target/demo").toAbsolutePath();
        ShowerDemo.Result shower = ShowerDemo.standard().run(System.out, live);
        pictures(System.out, () -> DemoPictures.shower(pictures, shower));
        PatternDemo.Result pattern = PatternDemo.standard().run(System.out, live);
        if (pattern.example() != null) pictures(System.out, () -> List.of(DemoPictures.pattern(pictures, pattern.example())));
    }

    /** Something that writes pictures and returns their paths. */
    private interface Pictures {
        List<Path> write() throws IOException;
    }

    /** Writes pictures and prints their paths; a failure to write them is reported, not fatal: the figures are printed above. */
    private static void pictures(PrintStream out, Pictures p) {
        try {
            for (Path f : p.write()) out.println("picture: " + f);
        } catch (IOException e) {
            out.println("pictures not written: " + e);
        } catch (NoClassDefFoundError e) {
            // the plotting library is an optional dependency of vecnn-nn
            out.println("pictures not written: they need org.jfree:jfreechart and org.jfree:org.jfree.svg on the class path (" + e.getMessage() + ")");
        }
    }
}
