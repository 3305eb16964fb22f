import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.*;
import java.util.*;
import java.util.function.IntConsumer;

/**
 * ModelAB cpA cpB model batch threads rounds reps: two builds of vecnn (classpath files, e.g. the bench classpath with
 * another core jar) in one JVM, each in its own class loader with {@code Runner} (compiled into the directory of
 * {@code -Drunner=DIR}), alternated round by round (which goes first alternates too); prints each build's median ms per
 * inference over the last two thirds of the rounds and the median and quartiles of the per-round ratio A / B. Both builds
 * see the same drift of the machine, so the ratio resolves about 2% where separate JVMs vary by 20-30%.
 */
public class ModelAB {
    static IntConsumer load(String cpFile, String model, int batch, int threads) throws Exception {
        List<URL> urls = new ArrayList<>();
        urls.add(Path.of(System.getProperty("runner", "runner")).toUri().toURL()); // Runner.class, compiled on its own
        for (String p : Files.readString(Path.of(cpFile)).trim().split(":")) urls.add(Path.of(p).toUri().toURL());
        ClassLoader l = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
        return (IntConsumer) l.loadClass("Runner").getConstructor(String.class, Integer.class, Integer.class).newInstance(model, batch, threads);
    }
    public static void main(String[] a) throws Exception {
        int batch = Integer.parseInt(a[3]), threads = Integer.parseInt(a[4]), rounds = Integer.parseInt(a[5]), reps = Integer.parseInt(a[6]);
        IntConsumer[] m = {load(a[0], a[2], batch, threads), load(a[1], a[2], batch, threads)};
        double[][] t = new double[2][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < 2; k++) {
                int v = (r % 2 == 0) ? k : 1 - k; // alternate which goes first
                long t0 = System.nanoTime();
                m[v].accept(reps);
                t[v][r] = (System.nanoTime() - t0) / 1e6 / reps;
            }
        }
        int skip = rounds / 3;
        double[] ratio = new double[rounds - skip];
        for (int r = skip; r < rounds; r++) ratio[r - skip] = t[0][r] / t[1][r];
        Arrays.sort(ratio);
        for (int k = 0; k < 2; k++) {
            double[] u = Arrays.copyOfRange(t[k], skip, rounds); Arrays.sort(u);
            System.out.printf("%s: median %.3f ms (min %.3f)%n", k == 0 ? "A" : "B", u[u.length / 2], u[0]);
        }
        System.out.printf("A/B per round: median %.3f (quartiles %.3f %.3f)%n", ratio[ratio.length / 2], ratio[ratio.length / 4], ratio[3 * ratio.length / 4]);
    }
}
