package dev.vecnn;

import static dev.vecnn.testing.Props.draw;
import static dev.vecnn.testing.Props.oneIn;

import dev.vecnn.conv.Activation;
import dev.vecnn.conv.Conv;
import dev.vecnn.conv.ConvImpl;
import dev.vecnn.conv.ConvPass;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.kernel.Backend;
import dev.vecnn.kernel.conv.blocked.BlockedConv;
import dev.vecnn.parallel.Execution;
import dev.vecnn.pool.Pool;
import dev.vecnn.pool.PoolImpl;
import dev.vecnn.ref.ReferenceConv;
import dev.vecnn.ref.ReferencePool;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PaddingMode;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import dev.vecnn.testing.Gens;
import dev.vecnn.testing.Layout;
import dev.vecnn.testing.Layout.Placed;
import dev.vecnn.testing.Props;
import dev.vecnn.testing.Tolerance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Differential test: every convolution and pooling implementation (each by name, wherever its
 * {@code supports} is true, the reference itself included) against the reference computed in double
 * on dense copies, every pass, over generated problems and storage:
 *
 * <ul>
 *   <li>problems ({@link Gens#kernelSpecs}, {@link Gens#poolSpecs(int, boolean)}): ranks 1-5, sizes 1
 *       and odd, padding up to and past the input (windows and slab rows entirely in padding), every
 *       padding mode, groups, depthwise with any multiplier, transposed with output padding, strides
 *       up to 5, dilations up to 3, channel counts on every register-tile tail and sometimes more
 *       channels per group than one reduction chunk, long rows;</li>
 *   <li>storage ({@link Layout}): each input and output independently dense channels-first, dense
 *       channels-last, or a view (any dimension order, steps, gaps, an offset, odd strides on size-1
 *       dimensions), in a confined or shared arena or on the heap; outputs sit in a larger buffer
 *       whose other elements hold guard bits that must survive, inputs amid guard NaNs that must not
 *       be read;</li>
 *   <li>float32 and float64, every epilogue, 1, 2 and 3 threads (results bit-identical across them:
 *       the thread count changes how GEMM splits rows into tasks and how pooling splits planes and
 *       channel blocks).</li>
 * </ul>
 *
 * <p>Passes: convolution forward, backward-data, backward-weights and {@link Conv#backwardBias};
 * pooling forward with and without indices, backward from the forward's indices and from x.
 * Tolerances come from each pass's own reduction length ({@link Tolerance#convTerms},
 * {@link Tolerance#poolWindowTerms}, {@link Tolerance#poolGradientTerms}); max pooling values and
 * indices must match exactly.
 *
 * <h2>How the generated problems reach the kernels' branches</h2>
 * <ul>
 *   <li>GEMM reduction chunks (KC = 256): forward when (channels per group) x taps exceeds 256
 *       ({@code kernelSpecs}' wide form, or 31-67 channels with 9-27 taps); backward-data when the
 *       small side has more than 256 channels per group (wide form); backward-weights when the
 *       small side has more than 256 positions (long rows).</li>
 *   <li>GEMM row panels 12/8/4 and the 4-remainder split: channel counts 1-31, 67, 257, 300.</li>
 *   <li>GEMM forward row blocks ({@code TaskSplit}): 2 and 3 threads split the first spatial
 *       dimension when batch x groups does not divide among the threads; with padding past the input, a
 *       block's slab rows can lie entirely in padding.</li>
 *   <li>Unit strides walk the slab grid in runs (rank 1, 2, and outer positions for rank >= 3);
 *       other strides gather; stores are vector runs only for dense outputs.</li>
 *   <li>Slab fill: unpadded runs, staged planes, rows with unit last stride, fully strided rows and
 *       zero rows, chosen by the input's layout and padding; padding modes fold the backward-data
 *       gradient.</li>
 *   <li>Depthwise: one big-side channel per group with multipliers 1-67; direct: at most 4 output
 *       channels per group, forward only.</li>
 *   <li>Pooling channels-first: stride 1 shifted vectors, stride 2 even-lane selects, strides 3-5 in
 *       phases, all only with at least one vector of interior outputs (long rows), scalar edges and
 *       adaptive windows; rows longer than 256 process fewer rows per chunk, longer than 4096 one;
 *       global kinds batch L planes (a task's last batch short) or reduce small planes alone;
 *       channels-last vectorises across 1-70 channels and splits backward into channel blocks per
 *       thread; any other layout is staged through a dense copy.</li>
 * </ul>
 * Each case counts the conditions it meets; the counts are printed at the end of a run.
 *
 * <h2>Running a campaign</h2>
 * CI runs a few hundred problems with the fixed seed ({@link Props#SEED}) at the machine's vector
 * width (the kernel tests cover the narrower widths); a failure shrinks to the spec text and the
 * case. A larger run (about 3 problems a second per core; hundreds of thousands take a day):
 * <pre>
 * mvn verify -pl core -Dtest=DifferentialTest -Dsurefire.failIfNoSpecifiedTests=false -Dvecnn.differential.examples=300000
 * </pre>
 * At AVX2's or NEON's width add
 * {@code -DargLine="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:MaxVectorSize=32"} (or 16).
 * Add {@code -Dvecnn.differential.collect=true} to keep going after a failure: every kind of failure
 * (implementation, pass, symptom) is counted, then its first case is shrunk, and the report is
 * printed and written to {@code core/target/differential-<test>-<width>.txt} (each new kind, and a
 * count every 250 problems, also to {@code ...-progress.txt} as the run goes). Other seeds:
 * {@code -Dvecnn.seed=N}; one problem under every generated storage: {@code -Dvecnn.differential.spec=TEXT}.
 */
class DifferentialTest {
    /** Problems per test: {@code -Dvecnn.differential.examples}, else a few hundred. */
    static final int CONV_EXAMPLES = Integer.getInteger("vecnn.differential.examples", 250);
    static final int POOL_EXAMPLES = Integer.getInteger("vecnn.differential.examples", 400);
    static final boolean COLLECT = Boolean.getBoolean("vecnn.differential.collect");
    static final int[] THREADS = {1, 2, 3};
    static final Execution[] EX = {Execution.withThreads(1), Execution.withThreads(2), Execution.withThreads(3)};
    /** Multiply-adds per convolution pass: the reference runs each pass three times (oracle, magnitude, under test). */
    static final long BUDGET = 60_000;

    @AfterAll
    static void close() {
        for (Execution e : EX) e.close();
    }

    // ================================================================ failures

    /** A failure with what it is about: the key groups failures of one kind in a campaign. */
    static final class Failure extends AssertionError {
        final String key;

        Failure(String impl, String pass, String symptom, String message) {
            super(impl + " " + pass + ": " + symptom + ": " + message);
            this.key = impl + " " + pass + ": " + symptom;
        }

        /** The message says what failed and where: the test's own stack would only repeat the harness. */
        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /** Runs one call and its checks; anything thrown becomes a {@link Failure} naming the symptom. */
    static void attempt(String impl, String pass, Object what, Runnable call, Runnable... checks) {
        try {
            call.run();
        } catch (Throwable e) {
            // an exception from a worker thread arrives re-created around the original: report the original
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            StringBuilder trace = new StringBuilder(what + ": " + root);
            StackTraceElement[] st = root.getStackTrace();
            for (int i = 0; i < Math.min(8, st.length); i++) trace.append("\n        at ").append(st[i]);
            // the kind is the exception's class: the JIT may drop the stack of a frequent exception, so the frame is only reported
            throw new Failure(impl, pass, "throws " + root.getClass().getSimpleName(), "in " + frame(root) + ": " + trace);
        }
        String[] symptoms = {"writes outside its output view", "wrong values", "results depend on the thread count"};
        for (int i = 0; i < checks.length; i++) {
            try {
                checks[i].run();
            } catch (Failure f) {
                throw f;
            } catch (Throwable e) {
                throw new Failure(impl, pass, symptoms[Math.min(i, symptoms.length - 1)], e.getMessage());
            }
        }
    }

    /** The innermost main-code frame of an exception, without the dtype suffix of generated classes. */
    static String frame(Throwable e) {
        for (StackTraceElement f : e.getStackTrace()) {
            if (f.getClassName().startsWith("dev.vecnn.") && !f.getClassName().equals(DifferentialTest.class.getName())) {
                String cls = f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1).replaceAll("F(32|64)\\b", "");
                return cls + "." + f.getMethodName();
            }
        }
        return "?";
    }

    /** Property runs: stop at the first failure and shrink it, or (collect mode) count every kind. */
    static <C> void run(String name, Gen<C> cases, Consumer<C> check, int examples, Map<String, Integer> coverage) {
        if (cases == null) return; // -Dvecnn.differential.spec names a problem of the other kind
        if (!COLLECT) {
            Props.qt(examples).forAll(cases).checkAssert(check);
            printCoverage(name, coverage);
            return;
        }
        Map<String, Integer> count = new TreeMap<>();
        Map<String, String> first = new LinkedHashMap<>();
        int bits = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        Path progress = Path.of("target", "differential-" + name + "-" + bits + "bit-progress.txt");
        int[] done = {0};
        Props.qt(examples).forAll(cases).checkAssert(c -> {
            try {
                check.accept(c);
            } catch (Failure f) {
                count.merge(f.key, 1, Integer::sum);
                // a new kind is written at once, so a long campaign shows its findings while it runs
                if (first.putIfAbsent(f.key, c + "\n    " + f.getMessage()) == null) append(progress, "== " + f.key + "\n   first: " + first.get(f.key) + "\n");
            }
            if (++done[0] % 250 == 0) append(progress, done[0] + " problems, " + count + "\n");
        });
        printCoverage(name, coverage); // before the shrinking below runs cases again
        StringBuilder report = new StringBuilder(name + ": " + examples + " problems, seed " + Props.SEED + ", "
                + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit vectors; " + count.size()
                + " kinds of failure\n");
        for (String key : first.keySet()) {
            report.append("\n== ").append(key).append(" (").append(count.get(key)).append(" problems)\n   first: ")
                    .append(first.get(key)).append('\n');
            try {
                Props.qt(examples).forAll(cases).checkAssert(c -> {
                    try {
                        check.accept(c);
                    } catch (Failure f) {
                        if (f.key.equals(key)) throw f;
                    }
                });
            } catch (AssertionError shrunk) {
                String m = shrunk.getMessage();
                int cut = m.indexOf("Other found falsifying");
                report.append("   shrunk: ").append((cut < 0 ? m : m.substring(0, cut)).strip().replace("\n", "\n   ")).append('\n');
            }
        }
        System.out.println(report);
        try {
            Path out = Path.of("target", "differential-" + name + "-" + bits + "bit.txt");
            Files.createDirectories(out.getParent());
            Files.writeString(out, report);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!count.isEmpty()) throw new AssertionError(report.toString());
    }

    static void append(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void printCoverage(String name, Map<String, Integer> coverage) {
        StringBuilder b = new StringBuilder(name + " coverage (problems meeting each condition):");
        coverage.forEach((k, v) -> b.append("\n  ").append(k).append(": ").append(v));
        System.out.println(b);
    }

    static void cover(Map<String, Integer> coverage, boolean condition, String what) {
        if (condition) coverage.merge(what, 1, Integer::sum);
    }

    /** Every tensor of a case dense channels-first, every one dense channels-last (a whole network's layout), or each its own. */
    static Gen<Layout> layouts(org.quicktheories.core.RandomnessSource in, int rank) {
        return switch (draw(in, 0, 3)) {
            case 0 -> any -> Layout.FIRST;
            case 1 -> any -> Layout.LAST;
            default -> Layout.layouts(rank);
        };
    }

    static Tensor input(Arena a, Layout layout, DType t, long[] shape, long seed) {
        Tensor v = layout.place(a, t, shape).view;
        Fill.uniform(v, seed);
        return v;
    }

    static Tensor abs(Arena a, Tensor t) {
        return Fill.abs(a, t);
    }

    // ================================================================ convolution

    /** A problem, its storage and contents; {@code reference}: the reference kernels also run on the views. */
    record ConvCase(ConvSpec spec, DType dtype, Epilogue epilogue, boolean shared, Layout x, Layout w, Layout b, Layout y,
                    Layout gy, Layout gx, Layout gw, Layout gb, boolean reference, long seed) {
        @Override
        public String toString() {
            return spec + " " + dtype.shortName() + " " + epilogue.activation().name().toLowerCase()
                    + (epilogue.activation() == Activation.LEAKY_RELU ? "(" + epilogue.alpha() + ")" : "")
                    + (shared ? " shared" : " confined") + " arena; x " + x + ", w " + w + (spec.hasBias() ? ", b " + b : "")
                    + ", y " + y + ", gy " + gy + ", gx " + gx + ", gw " + gw + (spec.hasBias() ? ", gb " + gb : "")
                    + (reference ? "; reference too" : "") + "; seed=" + seed;
        }
    }

    static final double[] ALPHAS = {0.125, 0.1, 3.0};

    /** {@code -Dvecnn.differential.spec=TEXT}: every case runs this one problem (with generated storage and contents). */
    static final String SPEC = System.getProperty("vecnn.differential.spec", "");

    static boolean isPoolText(String text) {
        return text.contains("pool_");
    }

    static Gen<ConvCase> convCases() {
        Gen<ConvSpec> specs = SPEC.isEmpty() ? Gens.kernelSpecs(5, BUDGET) : isPoolText(SPEC) ? null : any -> ConvSpec.parse(SPEC);
        if (specs == null) return null;
        return in -> {
            ConvSpec s = specs.generate(in);
            Gen<Layout> l = layouts(in, s.rank() + 2), v = Layout.vectorLayouts();
            return new ConvCase(s, oneIn(in, 2) ? DType.F64 : DType.F32,
                    new Epilogue(Activation.values()[draw(in, 0, 4)], ALPHAS[draw(in, 0, 2)]), oneIn(in, 2),
                    l.generate(in), l.generate(in), v.generate(in), l.generate(in), l.generate(in), l.generate(in), l.generate(in),
                    v.generate(in), oneIn(in, 3), draw(in, 0, 1 << 20));
        };
    }

    static final Map<String, Integer> CONV_COVERAGE = new TreeMap<>();

    @Test
    void convolution() {
        run("convolution", convCases(), DifferentialTest::checkConv, CONV_EXAMPLES, CONV_COVERAGE);
    }

    static void coverConv(ConvSpec s) {
        boolean t = s.isTransposed();
        long cg = (t ? s.outChannels() : s.inChannels()) / s.groups(), kg = (t ? s.inChannels() : s.outChannels()) / s.groups();
        long[] small = t ? s.inputSize() : s.outputSize();
        long[] big = t ? s.outputSize() : s.inputSize();
        boolean unit = true, pastInput = false, sizeOne = false;
        for (int d = 0; d < s.rank(); d++) {
            unit &= s.window().stride(d) == 1;
            pastInput |= s.window().padBegin(d) >= big[d] || s.window().padEnd(d) >= big[d];
            sizeOne |= s.inputSize(d) == 1 || s.outputSize(d) == 1;
        }
        Map<String, Integer> c = CONV_COVERAGE;
        cover(c, true, "rank " + s.rank() + (t ? " transposed" : ""));
        cover(c, cg * s.window().taps() > 256, "gemm small-from-big reduction > KC (forward chunks)");
        cover(c, kg > 256, "gemm big-from-small reduction > KC (backward-data chunks)");
        cover(c, Tensor.numel(small) > 256, "more than KC small-side positions (backward-weights blocks)");
        cover(c, cg > 128 / Math.max(1, s.window().taps()) + 1, "several backward channel blocks");
        cover(c, unit, "unit strides (grid runs)");
        cover(c, !unit, "strided (gathered blocks)");
        cover(c, pastInput, "padding at least the input size");
        cover(c, sizeOne, "a size-1 dimension");
        cover(c, s.paddingMode() != PaddingMode.ZEROS, "padding mode " + s.paddingMode().textName());
        cover(c, s.batch() * s.groups() < 3 && small[0] > 1, "rows split by 2-3 threads");
        cover(c, cg == 1 && s.groups() > 1, "depthwise");
        cover(c, !t && kg <= 4 && cg <= 64, "direct eligible");
        cover(c, kg >= 8, "backward-weights as outer products (kg >= 8)");
        cover(c, kg >= 8 && cg * s.window().taps() > 1024, "outer products over several channel blocks");
        cover(c, kg >= 8 && Tensor.numel(small) > 128, "outer products over several position runs (> 128 per image)");
    }

    static void checkConv(ConvCase c) {
        ConvSpec s = c.spec;
        DType t = c.dtype;
        coverConv(s);
        try (Arena a = c.shared ? Arena.ofShared() : Arena.ofConfined(); Arena work = Arena.ofConfined()) {
            Tensor x = input(a, c.x, t, s.inputShape(), c.seed), w = input(a, c.w, t, s.weightShape(), c.seed + 1);
            Tensor b = s.hasBias() ? input(a, c.b, t, s.biasShape(), c.seed + 2) : null;
            Tensor gy = input(a, c.gy, t, s.outputShape(), c.seed + 3);
            // the oracle: the reference in double on dense copies of the same values, and each sum's magnitude
            Tensor x64 = x.to(work, DType.F64), w64 = w.to(work, DType.F64), gy64 = gy.to(work, DType.F64);
            Tensor b64 = b == null ? null : b.to(work, DType.F64);
            Tensor z = Tensor.allocate(work, DType.F64, s.outputShape()), zMag = Tensor.allocate(work, DType.F64, s.outputShape());
            ReferenceConv.forward(s, x64, w64, b64, z);
            ReferenceConv.forward(s, abs(work, x64), abs(work, w64), b == null ? null : abs(work, b64), zMag);
            Tensor gx = Tensor.allocate(work, DType.F64, s.inputShape()), gxMag = Tensor.allocate(work, DType.F64, s.inputShape());
            ReferenceConv.backwardData(s, gy64, w64, gx);
            ReferenceConv.backwardData(s, abs(work, gy64), abs(work, w64), gxMag);
            Tensor gw = Tensor.allocate(work, DType.F64, s.weightShape()), gwMag = Tensor.allocate(work, DType.F64, s.weightShape());
            ReferenceConv.backwardWeights(s, x64, gy64, gw);
            ReferenceConv.backwardWeights(s, abs(work, x64), abs(work, gy64), gwMag);

            double fwd = Tolerance.factor(Tolerance.convTerms(s, ConvPass.FORWARD), t);
            double bwdData = Tolerance.factor(Tolerance.convTerms(s, ConvPass.BACKWARD_DATA), t);
            double bwdWeights = Tolerance.factor(Tolerance.convTerms(s, ConvPass.BACKWARD_WEIGHTS), t);
            for (ConvPass pass : ConvPass.values()) {
                for (ConvImpl impl : implementations(pass)) {
                    // the reference is the oracle (on dense copies); on the case's views in a third of the cases
                    if (!impl.supports(pass, s) || impl.name().equals("reference") && !c.reference) continue;
                    Tensor first = null;
                    int runs = impl.name().equals("reference") ? 1 : THREADS.length;
                    for (int i = 0; i < runs; i++) {
                        Execution ex = EX[i];
                        String what = "threads " + THREADS[i];
                        Placed out = switch (pass) {
                            case FORWARD -> c.y.place(a, t, s.outputShape());
                            case BACKWARD_DATA -> c.gx.place(a, t, s.inputShape());
                            case BACKWARD_WEIGHTS -> c.gw.place(a, t, s.weightShape());
                        };
                        Tensor o = out.view, base = first;
                        Runnable call = switch (pass) {
                            case FORWARD -> () -> impl.forward(s, x, w, b, o, c.epilogue, ex);
                            case BACKWARD_DATA -> () -> impl.backwardData(s, gy, w, o, ex);
                            case BACKWARD_WEIGHTS -> () -> impl.backwardWeights(s, x, gy, o, ex);
                        };
                        Runnable compare = switch (pass) {
                            case FORWARD -> () -> Tolerance.assertActivatedClose(o, z, zMag, fwd, c.epilogue, what);
                            case BACKWARD_DATA -> () -> Tolerance.assertClose(o, gx, gxMag, bwdData, what);
                            case BACKWARD_WEIGHTS -> () -> Tolerance.assertClose(o, gw, gwMag, bwdWeights, what);
                        };
                        attempt(impl.name(), pass.name().toLowerCase().replace('_', '-'), what, call, () -> out.assertGuardsIntact(what),
                                compare, () -> {
                                    if (base != null) Tolerance.assertIdentical(o, base, what + " vs threads 1");
                                });
                        if (first == null) first = o;
                    }
                }
            }
            if (s.hasBias()) {
                Tensor gb = Tensor.allocate(work, DType.F64, s.biasShape()), gbMag = Tensor.allocate(work, DType.F64, s.biasShape());
                ReferenceConv.backwardBias(s, gy64, gb);
                ReferenceConv.backwardBias(s, abs(work, gy64), gbMag);
                Placed out = c.gb.place(a, t, s.biasShape());
                // Conv.backwardBias sums in double, then stores in t (assertClose adds that rounding)
                double f = Tolerance.factor(Tolerance.biasTerms(s), DType.F64);
                attempt("Conv", "backward-bias", "", () -> Conv.backwardBias(s, gy, out.view), () -> out.assertGuardsIntact(""),
                        () -> Tolerance.assertClose(out.view, gb, gbMag, f, ""));
            }
        }
    }

    // ================================================================ pooling

    enum Content { UNIFORM, TIES, SPECIALS }

    record PoolCase(PoolSpec spec, DType dtype, Content content, boolean shared, Layout x, Layout y, Layout idx, Layout gy,
                    Layout gx, long seed) {
        @Override
        public String toString() {
            return spec + " " + dtype.shortName() + " " + content.name().toLowerCase() + (shared ? " shared" : " confined")
                    + " arena; x " + x + ", y " + y + (spec.kind().isMax() ? ", indices " + idx : "") + ", gy " + gy + ", gx " + gx
                    + "; seed=" + seed;
        }
    }

    static Gen<PoolCase> poolCases() {
        Gen<PoolSpec> specs = SPEC.isEmpty() ? Gens.poolSpecs(5, true) : isPoolText(SPEC) ? any -> PoolSpec.parse(SPEC) : null;
        if (specs == null) return null;
        return in -> {
            PoolSpec s = specs.generate(in);
            Gen<Layout> l = layouts(in, s.rank() + 2);
            return new PoolCase(s, oneIn(in, 2) ? DType.F64 : DType.F32, Content.values()[draw(in, 0, 2)], oneIn(in, 2),
                    l.generate(in), l.generate(in), l.generate(in), l.generate(in), l.generate(in), draw(in, 0, 1 << 20));
        };
    }

    static final Map<String, Integer> POOL_COVERAGE = new TreeMap<>();

    @Test
    void pooling() {
        run("pooling", poolCases(), DifferentialTest::checkPool, POOL_EXAMPLES, POOL_COVERAGE);
    }

    static void coverPool(PoolSpec s) {
        Map<String, Integer> c = POOL_COVERAGE;
        long w = s.inputSize(s.rank() - 1), ow = s.outputSize(s.rank() - 1), plane = Tensor.numel(s.inputSize());
        cover(c, true, s.kind().textName() + " rank " + s.rank());
        if (s.kind().isWindowed()) {
            int st = s.window().stride(s.rank() - 1);
            cover(c, ow >= 16, "innermost stride " + Math.min(st, 3) + (st >= 3 ? "+" : "") + " with 16+ outputs");
            boolean inPadding = false;
            for (int d = 0; d < s.rank(); d++) {
                inPadding |= s.window().padBegin(d) >= s.window().effectiveKernel(d) || s.window().padEnd(d) >= s.window().effectiveKernel(d);
            }
            cover(c, inPadding, "windows entirely in padding possible");
            cover(c, s.ceilMode(), "ceil mode");
        }
        cover(c, w > 256, "rows longer than 256");
        cover(c, w > 4096, "rows longer than 4096");
        cover(c, s.kind().isGlobal() && plane >= 16, "global, planes of a vector or more");
        cover(c, s.channels() >= 16, "16+ channels (channels-last vectors)");
    }

    static Tensor poolInput(Arena a, PoolCase c) {
        Tensor x = input(a, c.x, c.dtype, c.spec.inputShape(), c.seed);
        if (c.content == Content.UNIFORM) return x;
        SplittableRandom r = new SplittableRandom(c.seed + 7);
        double[] specials = {Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, -0.0, 0.0};
        Fill.forEach(x, idx -> {
            if (c.content == Content.TIES) x.set(Math.floor(x.get(idx) * 2) / 2, idx); // four levels: many ties
            else if (r.nextInt(8) == 0) x.set(specials[r.nextInt(specials.length)], idx);
        });
        return x;
    }

    static void checkPool(PoolCase c) {
        PoolSpec s = c.spec;
        DType t = c.dtype;
        boolean max = s.kind().isMax();
        coverPool(s);
        try (Arena a = c.shared ? Arena.ofShared() : Arena.ofConfined(); Arena work = Arena.ofConfined()) {
            Tensor x = poolInput(a, c), gy = input(a, c.gy, t, s.outputShape(), c.seed + 1);
            Tensor x64 = x.to(work, DType.F64), gy64 = gy.to(work, DType.F64);
            Tensor y = Tensor.allocate(work, DType.F64, s.outputShape()), yMag = null;
            Tensor refIdx = max ? Tensor.allocate(work, DType.I64, s.outputShape()) : null;
            ReferencePool.forward(s, x64, y, refIdx);
            if (!max) {
                yMag = Tensor.allocate(work, DType.F64, s.outputShape());
                ReferencePool.forward(s, abs(work, x64), yMag, null);
            }
            // the forward's indices as an input of the backward pass, stored in the case's layout
            Tensor indices = null;
            if (max) {
                indices = c.idx.place(a, DType.I64, s.outputShape()).view;
                indices.copyFrom(refIdx);
            }
            Tensor gx = Tensor.allocate(work, DType.F64, s.inputShape()), gxMag = Tensor.allocate(work, DType.F64, s.inputShape());
            ReferencePool.backward(s, null, refIdx, gy64, gx);
            ReferencePool.backward(s, null, refIdx, abs(work, gy64), gxMag);
            double fwd = Tolerance.factor(Tolerance.poolWindowTerms(s) + 1, t); // the sum, then one division
            double bwd = Tolerance.factor(Tolerance.poolGradientTerms(s) + 1, t); // each term gy / divisor
            Tensor idxIn = indices, yMagF = yMag;
            for (PoolImpl impl : Pool.implementations()) {
                if (!impl.supports(s)) continue;
                int runs = impl.name().equals("reference") ? 1 : THREADS.length;
                Map<String, Tensor> first = new java.util.HashMap<>(); // each output at 1 thread
                for (int i = 0; i < runs; i++) {
                    Execution ex = EX[i];
                    String what = "threads " + THREADS[i];
                    for (boolean withIndices : max ? new boolean[] {false, true} : new boolean[] {false}) {
                        Placed out = c.y.place(a, t, s.outputShape());
                        Placed idx = withIndices ? c.idx.place(a, DType.I64, s.outputShape()) : null;
                        String pass = withIndices ? "forward with indices" : "forward";
                        Tensor base = first.get(pass), baseIdx = first.get(pass + " (indices)");
                        attempt(impl.name(), pass, what, () -> impl.forward(s, x, out.view, idx == null ? null : idx.view, ex), () -> {
                            out.assertGuardsIntact(what);
                            if (idx != null) idx.assertGuardsIntact(what + " (indices)");
                        }, () -> {
                            if (max) Tolerance.assertIdentical(out.view, y, what);
                            else Tolerance.assertClose(out.view, y, yMagF, fwd, what);
                            if (idx != null) Tolerance.assertIdentical(idx.view, refIdx, what + " (indices)");
                        }, () -> {
                            if (base != null) Tolerance.assertIdentical(out.view, base, what + " vs threads 1");
                            if (baseIdx != null) Tolerance.assertIdentical(idx.view, baseIdx, what + " vs threads 1 (indices)");
                        });
                        first.putIfAbsent(pass, out.view);
                        if (idx != null) first.putIfAbsent(pass + " (indices)", idx.view);
                    }
                    // backward: from the forward's indices (max), and from x (max recomputes them; average ignores it)
                    for (boolean fromIndices : max ? new boolean[] {true, false} : new boolean[] {false}) {
                        Placed out = c.gx.place(a, t, s.inputShape());
                        String pass = max ? fromIndices ? "backward from indices" : "backward from x" : "backward";
                        Tensor base = first.get(pass);
                        attempt(impl.name(), pass, what,
                                () -> impl.backward(s, fromIndices || !max ? null : x, fromIndices ? idxIn : null, gy, out.view, ex),
                                () -> out.assertGuardsIntact(what), () -> Tolerance.assertClose(out.view, gx, gxMag, bwd, what), () -> {
                                    if (base != null) Tolerance.assertIdentical(out.view, base, what + " vs threads 1");
                                });
                        first.putIfAbsent(pass, out.view);
                    }
                }
            }
        }
    }

    /**
     * The dispatch list, and the blocked kernel on every spec it can run (dispatched only on small grids with whole
     * blocks of channels, which few generated problems are): its views, guards and padding modes get checked too.
     */
    static List<ConvImpl> implementations(ConvPass pass) {
        List<ConvImpl> list = new ArrayList<>(Conv.implementations(pass));
        if (Backend.isVector()) list.add(0, BlockedConv.anywhere());
        return list;
    }
}
