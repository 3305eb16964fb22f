package dev.vecnn.kernel;

import java.lang.System.Logger.Level;
import java.util.Locale;
import java.util.Optional;

/**
 * Which kernels this JVM runs, and why: the Vector API kernels ({@link Kind#VECTOR}, the default), or
 * the portable kernels ({@link Kind#PORTABLE}: plain Java loops that HotSpot's C2 auto-vectorizes)
 * when the incubator module {@code jdk.incubator.vector} is not readable.
 *
 * <p>Decided once, at first use (the first call into {@link dev.vecnn.conv.Conv} or
 * {@link dev.vecnn.pool.Pool}). When the module is missing, one warning goes to the
 * {@link System.Logger} named {@code dev.vecnn}, naming the flag to add for {@code java}, Maven
 * Surefire, the exec plugin, Gradle and JMH forks. {@link #describe()} gives the decision as one line
 * for logs and bug reports, e.g.
 * <pre>
 * vecnn backend: vector (jdk.incubator.vector readable, preferred species 512 bits); Java 25.0.3+9-LTS, Linux amd64
 * vecnn backend: portable (module jdk.incubator.vector is not in the boot layer: start java with --add-modules=jdk.incubator.vector); Java 25.0.3+9-LTS, Linux amd64
 * </pre>
 *
 * <p>The system property {@value #PROPERTY} chooses by hand: {@code portable} runs the portable
 * kernels although the module is present (to compare, or to rule the Vector API out of a bug);
 * {@code vector} and {@code auto} (the default) use the Vector API whenever it is readable.
 *
 * <p><b>Rule for kernel code.</b> A class that mentions {@code jdk.incubator.vector} fails to load
 * without the module ({@code NoClassDefFoundError: jdk/incubator/vector/Vector}). Every such class
 * ({@code kernel.conv} engines {@code *F32/*F64}, {@code SlabIo*}, {@code kernel.pool.PoolKernels*})
 * must be reachable only through a dispatcher list that is built when {@link #isVector()} is true,
 * and never from a class that is loaded in either case ({@link dev.vecnn.conv.Conv},
 * {@link dev.vecnn.pool.Pool}, the {@code ConvImpl}/{@code PoolImpl} wrappers' signatures, specs,
 * tensors). This holds for the {@code nn} module too, which today has no Vector API code: vectorised
 * layer code added there must go through this switch and keep a portable path.
 */
public final class Backend {
    /** The system property that chooses the backend by hand: {@code auto} (default), {@code vector} or {@code portable}. */
    public static final String PROPERTY = "vecnn.backend";
    /** The module the vector kernels need. */
    public static final String MODULE = "jdk.incubator.vector";
    /** The JVM option that makes the module readable. */
    public static final String FLAG = "--add-modules=" + MODULE;

    /** The two kinds of kernels. */
    public enum Kind {
        /** Vector API kernels ({@code jdk.incubator.vector}): the fast default. */
        VECTOR,
        /** Plain Java kernels, auto-vectorized by C2: any JVM, no flags. */
        PORTABLE
    }

    private static final System.Logger LOG = System.getLogger("dev.vecnn");
    private static final Kind KIND;
    private static final String REASON;

    static {
        String asked = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        String unreadable = unreadableBecause();
        if (!asked.equals("auto") && !asked.equals("vector") && !asked.equals("portable")) {
            LOG.log(Level.WARNING, "vecnn: ignoring -D" + PROPERTY + "=" + asked + " (expected auto, vector or portable)");
            asked = "auto";
        }
        if (asked.equals("portable")) {
            KIND = Kind.PORTABLE;
            REASON = "chosen by -D" + PROPERTY + "=portable";
        } else if (unreadable != null) {
            KIND = Kind.PORTABLE;
            REASON = unreadable;
            LOG.log(Level.WARNING, warning(unreadable));
        } else {
            KIND = Kind.VECTOR;
            REASON = MODULE + " readable, preferred species " + VectorProbe.preferredBits() + " bits";
        }
    }

    private Backend() {
    }

    /** The active backend. */
    public static Kind kind() {
        return KIND;
    }

    /** True when the Vector API kernels run (the default). */
    public static boolean isVector() {
        return KIND == Kind.VECTOR;
    }

    /** Why this backend is active, e.g. {@code module jdk.incubator.vector is not in the boot layer: ...}. */
    public static String reason() {
        return REASON;
    }

    /** The backend, the reason, the Java version and platform, as one line for logs and bug reports. */
    public static String describe() {
        return "vecnn backend: " + KIND.name().toLowerCase(Locale.ROOT) + " (" + REASON + "); Java " + Runtime.version()
                + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch");
    }

    /** Null when vecnn can use the Vector API, else why not. */
    private static String unreadableBecause() {
        Optional<Module> vector = ModuleLayer.boot().findModule(MODULE);
        if (vector.isEmpty()) return "module " + MODULE + " is not in the boot layer: start java with " + FLAG;
        Module self = Backend.class.getModule();
        if (!self.canRead(vector.get())) {
            return "module " + self.getName() + " does not read " + MODULE + ": add 'requires " + MODULE + "' to your module-info or "
                    + "start java with --add-reads " + self.getName() + "=" + MODULE;
        }
        try {
            VectorProbe.preferredBits(); // the module is there: loading fails only on a broken or foreign runtime
            return null;
        } catch (LinkageError | RuntimeException e) {
            return MODULE + " is present but unusable (" + e + ")";
        }
    }

    /** The one warning: what is missing, what runs instead, and the flag for each place a JVM starts. */
    static String warning(String reason) {
        return "vecnn: " + reason + ". Running the portable kernels instead (plain Java: same results within rounding, slower than"
                + " the Vector API kernels). Where to add " + FLAG + ":"
                + " java " + FLAG + " -cp ...;"
                + " Maven Surefire/Failsafe <argLine>" + FLAG + "</argLine>;"
                + " exec-maven-plugin exec:exec <argument>" + FLAG + "</argument>, exec:java MAVEN_OPTS=\"" + FLAG + "\";"
                + " Gradle test { jvmArgs '" + FLAG + "' }, tasks.withType(JavaExec).configureEach { jvmArgs '" + FLAG + "' },"
                + " application { applicationDefaultJvmArgs = ['" + FLAG + "'] };"
                + " JMH @Fork(jvmArgsAppend = \"" + FLAG + "\") or -jvmArgsAppend " + FLAG + "."
                + " dev.vecnn.kernel.Backend.describe() reports the active backend.";
    }
}
