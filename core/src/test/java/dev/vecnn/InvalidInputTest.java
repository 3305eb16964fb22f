package dev.vecnn;

import static dev.vecnn.testing.Props.draw;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vecnn.conv.Activation;
import dev.vecnn.conv.Conv;
import dev.vecnn.conv.ConvImpl;
import dev.vecnn.conv.ConvPass;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.parallel.Execution;
import dev.vecnn.pool.Pool;
import dev.vecnn.pool.PoolImpl;
import dev.vecnn.ref.ReferenceConv;
import dev.vecnn.ref.ReferencePool;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PoolKind;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Fill;
import dev.vecnn.testing.Gens;
import dev.vecnn.testing.Props;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Invalid input, generated: bad spec parameters (zero, negative, and sizes near 2^31 and 2^63 for
 * every builder parameter, alone and together), nulls for every argument, and bad calls of every
 * kernel entry point (each tensor null, mis-shaped, of another rank or dtype, from a closed arena;
 * outputs overlapping an input or themselves; out-of-range argmax indices; a closed or null
 * {@link Execution}; a null spec or epilogue).
 *
 * <p>Each must end in a documented exception whose message names the parameter: an
 * {@link IllegalArgumentException}, a {@link NullPointerException} (for a null), or an
 * {@link IllegalStateException} (for a closed arena or execution), thrown before any output is
 * touched (outputs are pre-filled and must keep their contents). Anything else escaping (another
 * exception type, a message that names nothing, no exception at all) fails with the case printed.
 * A spec the builder accepts must be usable: its shapes' element counts, output sizes and parameter
 * count exact (checked with BigInteger), its text form parsing back to it, and the dispatchers and
 * every implementation's {@code supports} answering without an exception.
 */
class InvalidInputTest {
    static final Execution TWO = Execution.withThreads(2);

    @AfterAll
    static void close() {
        TWO.close();
    }

    /** Whether {@code message} names one of {@code names} as a word. */
    static boolean names(String message, Set<String> names) {
        if (message == null) return false;
        for (String n : names) {
            if (Pattern.compile("(^|[^A-Za-z0-9_])" + Pattern.quote(n) + "($|[^A-Za-z0-9_])").matcher(message).find()) return true;
        }
        return false;
    }

    /**
     * What a bad input may throw: IAE naming the parameter; for a null also NPE naming it; for a closed
     * thing also ISE naming it. Returns null when {@code e} is acceptable, else what is wrong.
     */
    static String judge(Throwable e, Set<String> param, boolean isNull, boolean closed) {
        if (e == null) return "no exception";
        boolean typeOk = e instanceof IllegalArgumentException || isNull && e instanceof NullPointerException
                || closed && e instanceof IllegalStateException;
        if (!typeOk) return "threw " + e.getClass().getName() + ": " + e.getMessage() + " at " + frame(e);
        if (!names(e.getMessage(), param)) return e.getClass().getSimpleName() + " whose message does not name " + param + ": " + e.getMessage();
        return null;
    }

    static String frame(Throwable e) {
        StackTraceElement[] st = e.getStackTrace();
        return st.length == 0 ? "?" : st[0].toString();
    }

    static Throwable thrown(Runnable r) {
        try {
            r.run();
            return null;
        } catch (Throwable e) {
            return e;
        }
    }

    // ================================================================ spec parameters

    static final long[] LONGS = {0, -1, Long.MIN_VALUE, (1L << 31) - 1, 1L << 31, 1L << 32, 1L << 62, Long.MAX_VALUE};
    static final int[] INTS = {0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 1 << 30};

    /** One parameter set to an edge value: {@code dim} < 0 for scalars; {@code length} gives an array of another length. */
    record Mutation(String param, int dim, long value, boolean length) {
        @Override
        public String toString() {
            return length ? param + " with one value too many" : param + (dim >= 0 ? "[" + dim + "]" : "") + " = " + value;
        }

        /**
         * Names an error about this parameter may give: its own, or for a rule between parameters
         * (the dilated kernel must fit the padded input; output padding below the stride or the
         * dilation; groups divide the channels) any parameter of that rule.
         */
        Set<String> names() {
            Set<String> window = Set.of("input", "kernel", "stride", "dilation", "padBegin", "padEnd", "padding", "outputPadding", "output");
            Set<String> channels = Set.of("groups", "inChannels", "outChannels", "channels");
            if (window.contains(param)) return window;
            if (channels.contains(param)) return channels;
            return Set.of(param);
        }
    }

    static final List<String> CONV_PARAMS = List.of("batch", "inChannels", "outChannels", "groups", "input", "kernel", "stride",
            "dilation", "padBegin", "padEnd", "outputPadding");
    static final List<String> POOL_PARAMS = List.of("batch", "channels", "input", "output", "kernel", "stride", "dilation", "padBegin",
            "padEnd");
    static final Set<String> LONG_PARAMS = Set.of("batch", "inChannels", "outChannels", "groups", "input", "channels", "output");

    static Gen<List<Mutation>> mutations(List<String> params, int rank) {
        return in -> {
            List<Mutation> m = new ArrayList<>();
            int count = draw(in, 1, 3);
            for (int i = 0; i < count; i++) {
                String p = params.get(draw(in, 0, params.size() - 1));
                boolean perDim = !Set.of("batch", "inChannels", "outChannels", "groups", "channels").contains(p);
                boolean length = perDim && draw(in, 0, 9) == 9;
                long v = LONG_PARAMS.contains(p) ? LONGS[draw(in, 0, LONGS.length - 1)] : INTS[draw(in, 0, INTS.length - 1)];
                m.add(new Mutation(p, perDim ? draw(in, 0, rank - 1) : -1, v, length));
            }
            return m;
        };
    }

    static long[] with(long[] a, Mutation m) {
        if (m.length) return Arrays.copyOf(a, a.length + 1);
        long[] r = a.clone();
        r[m.dim] = m.value;
        return r;
    }

    static int[] with(int[] a, Mutation m) {
        if (m.length) return Arrays.copyOf(a, a.length + 1);
        int[] r = a.clone();
        r[m.dim] = (int) m.value;
        return r;
    }

    static ConvSpec.Builder apply(ConvSpec s, List<Mutation> ms) {
        ConvSpec.Builder b = s.toBuilder();
        long[] input = s.inputSize();
        int[] k = s.window().kernel(), st = s.window().stride(), dil = s.window().dilation(), pb = s.window().padBegin(),
                pe = s.window().padEnd(), op = new int[s.rank()];
        for (int d = 0; d < s.rank(); d++) op[d] = s.outputPadding(d);
        for (Mutation m : ms) {
            switch (m.param) {
                case "batch" -> b.batch(m.value);
                case "inChannels" -> b.inChannels(m.value);
                case "outChannels" -> b.outChannels(m.value);
                case "groups" -> b.groups(m.value);
                case "input" -> input = with(input, m);
                case "kernel" -> k = with(k, m);
                case "stride" -> st = with(st, m);
                case "dilation" -> dil = with(dil, m);
                case "padBegin" -> pb = with(pb, m);
                case "padEnd" -> pe = with(pe, m);
                case "outputPadding" -> op = with(op, m);
                default -> throw new IllegalStateException(m.param);
            }
        }
        return b.input(input).kernel(k).stride(st).dilation(dil).padding(pb, pe).outputPadding(op);
    }

    static PoolSpec.Builder apply(PoolSpec s, List<Mutation> ms) {
        PoolSpec.Builder b = s.toBuilder();
        long[] input = s.inputSize(), output = s.outputSize();
        boolean windowed = s.kind().isWindowed();
        int[] k = windowed ? s.window().kernel() : null, st = windowed ? s.window().stride() : null;
        int[] dil = windowed ? s.window().dilation() : null, pb = windowed ? s.window().padBegin() : null;
        int[] pe = windowed ? s.window().padEnd() : null;
        int[] ones = new int[s.rank()];
        Arrays.fill(ones, 1);
        boolean outputSet = false;
        for (Mutation m : ms) {
            switch (m.param) {
                case "batch" -> b.batch(m.value);
                case "channels" -> b.channels(m.value);
                case "input" -> input = with(input, m);
                case "output" -> {
                    output = with(output, m);
                    outputSet = true;
                }
                // on an adaptive kind a window option is itself the error (it names the option)
                case "kernel" -> k = with(k == null ? ones : k, m);
                case "stride" -> st = with(st == null ? ones : st, m);
                case "dilation" -> dil = with(dil == null ? ones : dil, m);
                case "padBegin" -> pb = with(pb == null ? new int[s.rank()] : pb, m);
                case "padEnd" -> pe = with(pe == null ? new int[s.rank()] : pe, m);
                default -> throw new IllegalStateException(m.param);
            }
        }
        b.input(input);
        if (k != null) b.kernel(k);
        if (st != null) b.stride(st);
        if (dil != null) b.dilation(dil);
        if (pb != null || pe != null) b.padding(pb == null ? new int[s.rank()] : pb, pe == null ? new int[s.rank()] : pe);
        if (outputSet || s.kind().isAdaptive() && !s.kind().isGlobal()) b.output(output);
        return b;
    }

    static BigInteger big(long v) {
        return BigInteger.valueOf(v);
    }

    static final BigInteger MAX = big(Long.MAX_VALUE);

    /** Problems with a spec the builder accepted, or null: exact arithmetic and usable dispatch. */
    static String checkAccepted(ConvSpec s) {
        List<String> bad = new ArrayList<>();
        long[][] shapes = {s.inputShape(), s.outputShape(), s.weightShape()};
        for (int k = 0; k < shapes.length; k++) {
            long[] shape = shapes[k];
            BigInteger n = BigInteger.ONE;
            for (int i = 0; i < shape.length; i++) {
                // an empty batch is the one size that may be 0 (once specs accept it): input and output dimension 0
                if (shape[i] < (i == 0 && k < 2 ? 0 : 1)) bad.add("shape " + Arrays.toString(shape) + " has a size below 1");
                n = n.multiply(big(shape[i]));
            }
            if (n.compareTo(MAX) > 0) bad.add("shape " + Arrays.toString(shape) + " has " + n + " elements (more than a long counts)");
        }
        for (int d = 0; d < s.rank(); d++) {
            var w = s.window();
            BigInteger effk = big(w.kernel(d) - 1L).multiply(big(w.dilation(d))).add(BigInteger.ONE);
            BigInteger out = s.isTransposed()
                    ? big(s.inputSize(d) - 1).multiply(big(w.stride(d))).subtract(big(w.padBegin(d))).subtract(big(w.padEnd(d)))
                            .add(effk).add(big(s.outputPadding(d)))
                    : big(s.inputSize(d)).add(big(w.padBegin(d))).add(big(w.padEnd(d))).subtract(effk).divide(big(w.stride(d)))
                            .add(BigInteger.ONE);
            if (!out.equals(big(s.outputSize(d)))) bad.add("output[" + d + "] = " + s.outputSize(d) + ", exactly " + out);
        }
        BigInteger params = big(s.inChannels()).multiply(big(s.window().taps())).multiply(big(s.outChannels() / s.groups()))
                .add(s.hasBias() ? big(s.outChannels()) : BigInteger.ZERO);
        Throwable e = thrown(() -> {
            if (!big(s.parameterCount()).equals(params)) bad.add("parameterCount() = " + s.parameterCount() + ", exactly " + params);
        });
        if (e != null) bad.add("parameterCount() threw " + e);
        e = thrown(() -> {
            if (!ConvSpec.parse(s.toString()).equals(s)) bad.add("text form " + s + " parses to another spec");
        });
        if (e != null) bad.add("parse(toString()) threw " + e);
        for (ConvPass p : ConvPass.values()) {
            for (ConvImpl impl : Conv.implementations(p)) {
                Throwable t = thrown(() -> impl.supports(p, s));
                if (t != null) bad.add(impl + ".supports(" + p + ") threw " + t + " at " + frame(t));
            }
        }
        return bad.isEmpty() ? null : String.join("; ", bad);
    }

    static String checkAccepted(PoolSpec s) {
        List<String> bad = new ArrayList<>();
        for (long[] shape : new long[][] {s.inputShape(), s.outputShape()}) {
            BigInteger n = BigInteger.ONE;
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] < (i == 0 ? 0 : 1)) bad.add("shape " + Arrays.toString(shape) + " has a size below 1");
                n = n.multiply(big(shape[i]));
            }
            if (n.compareTo(MAX) > 0) bad.add("shape " + Arrays.toString(shape) + " has " + n + " elements (more than a long counts)");
        }
        if (s.kind().isWindowed()) {
            for (int d = 0; d < s.rank(); d++) {
                var w = s.window();
                BigInteger effk = big(w.kernel(d) - 1L).multiply(big(w.dilation(d))).add(BigInteger.ONE);
                BigInteger span = big(s.inputSize(d)).add(big(w.padBegin(d))).add(big(w.padEnd(d))).subtract(effk);
                BigInteger[] qr = span.divideAndRemainder(big(w.stride(d)));
                BigInteger out = qr[0].add(s.ceilMode() && qr[1].signum() > 0 ? BigInteger.ONE : BigInteger.ZERO).add(BigInteger.ONE);
                if (s.ceilMode() && out.subtract(BigInteger.ONE).multiply(big(w.stride(d))).compareTo(big(s.inputSize(d)).add(big(w.padBegin(d)))) >= 0) {
                    out = out.subtract(BigInteger.ONE);
                }
                if (!out.equals(big(s.outputSize(d)))) bad.add("output[" + d + "] = " + s.outputSize(d) + ", exactly " + out);
            }
        }
        Throwable e = thrown(() -> {
            if (!PoolSpec.parse(s.toString()).equals(s)) bad.add("text form " + s + " parses to another spec");
        });
        if (e != null) bad.add("parse(toString()) threw " + e);
        for (PoolImpl impl : Pool.implementations()) {
            Throwable t = thrown(() -> impl.supports(s));
            if (t != null) bad.add(impl + ".supports threw " + t + " at " + frame(t));
        }
        return bad.isEmpty() ? null : String.join("; ", bad);
    }

    static Set<String> namesOf(List<Mutation> ms) {
        Set<String> n = new LinkedHashSet<>();
        for (Mutation m : ms) n.addAll(m.names());
        return n;
    }

    @Test
    void badConvSpecParametersAreRejectedNamingThem() {
        Gen<ConvSpec> base = Gens.convSpecs(3);
        Props.qt(1500).forAll(base, in -> in).checkAssert((s, in) -> {
            List<Mutation> ms = mutations(CONV_PARAMS, s.rank()).generate(in);
            ConvSpec[] built = new ConvSpec[1];
            Throwable e = thrown(() -> built[0] = apply(s, ms).build());
            String what = "from " + s + ": " + ms;
            if (e == null) {
                String bad = checkAccepted(built[0]);
                if (bad != null) fail(what + ": accepted as " + built[0] + " but " + bad);
            } else {
                String bad = judge(e, namesOf(ms), false, false);
                if (bad != null) fail(what + ": " + bad);
            }
        });
    }

    @Test
    void badPoolSpecParametersAreRejectedNamingThem() {
        Gen<PoolSpec> base = Gens.poolSpecs(3);
        Props.qt(1500).forAll(base, in -> in).checkAssert((s, in) -> {
            List<Mutation> ms = mutations(POOL_PARAMS, s.rank()).generate(in);
            PoolSpec[] built = new PoolSpec[1];
            Throwable e = thrown(() -> built[0] = apply(s, ms).build());
            String what = "from " + s + ": " + ms;
            if (e == null) {
                String bad = checkAccepted(built[0]);
                if (bad != null) fail(what + ": accepted as " + built[0] + " but " + bad);
            } else {
                // a window option given to an adaptive kind is rejected naming that option
                String bad = judge(e, namesOf(ms), false, false);
                if (bad != null) fail(what + ": " + bad);
            }
        });
    }

    // ================================================================ nulls and simple factories

    record Probe(String what, Set<String> param, boolean isNull, Runnable call) {
    }

    static List<Probe> probes() {
        ConvSpec s = ConvSpec.parse("mb2ic4ih5oc6oh5kh3ph1");
        PoolSpec p = PoolSpec.parse("maxpool_mb1ic2ih6oh3kh2sh2");
        int[] one = {1};
        List<Probe> list = new ArrayList<>();
        list.add(new Probe("ConvSpec.builder().input(null)", Set.of("input", "sizes"), true, () -> s.toBuilder().input((long[]) null).build()));
        list.add(new Probe("ConvSpec.builder().kernel(null)", Set.of("kernel", "k"), true, () -> s.toBuilder().kernel((int[]) null).build()));
        list.add(new Probe("ConvSpec.builder().stride(null)", Set.of("stride", "s"), true, () -> s.toBuilder().stride((int[]) null).build()));
        list.add(new Probe("ConvSpec.builder().dilation(null)", Set.of("dilation", "d"), true, () -> s.toBuilder().dilation((int[]) null).build()));
        list.add(new Probe("ConvSpec.builder().padding(null)", Set.of("padding", "p", "begin"), true, () -> s.toBuilder().padding((int[]) null).build()));
        list.add(new Probe("ConvSpec.builder().padding(null, end)", Set.of("padding", "padBegin", "begin"), true,
                () -> s.toBuilder().padding(null, one).build()));
        list.add(new Probe("ConvSpec.builder().padding(begin, null)", Set.of("padding", "padEnd", "end"), true,
                () -> s.toBuilder().padding(one, null).build()));
        list.add(new Probe("ConvSpec.builder().paddingMode(null)", Set.of("paddingMode", "mode"), true,
                () -> s.toBuilder().paddingMode(null).build()));
        list.add(new Probe("ConvSpec.builder().outputPadding(null)", Set.of("outputPadding", "op"), true,
                () -> s.toBuilder().outputPadding((int[]) null).build()));
        list.add(new Probe("ConvSpec.parse(null)", Set.of("text"), true, () -> ConvSpec.parse(null)));
        list.add(new Probe("PoolSpec.builder(null)", Set.of("kind"), true, () -> PoolSpec.builder(null).channels(1).input(4).kernel(2).build()));
        list.add(new Probe("PoolSpec.builder().input(null)", Set.of("input", "sizes"), true, () -> p.toBuilder().input((long[]) null).build()));
        list.add(new Probe("PoolSpec.builder().output(null)", Set.of("output", "sizes"), true,
                () -> PoolSpec.builder(PoolKind.ADAPTIVE_AVG).channels(1).input(4).output((long[]) null).build()));
        list.add(new Probe("PoolSpec.builder().kernel(null)", Set.of("kernel", "k"), true, () -> p.toBuilder().kernel((int[]) null).build()));
        list.add(new Probe("PoolSpec.builder().stride(null)", Set.of("stride", "s"), true, () -> p.toBuilder().stride((int[]) null).build()));
        list.add(new Probe("PoolSpec.builder().dilation(null)", Set.of("dilation", "d"), true, () -> p.toBuilder().dilation((int[]) null).build()));
        list.add(new Probe("PoolSpec.builder().padding(null)", Set.of("padding", "p", "begin"), true, () -> p.toBuilder().padding((int[]) null).build()));
        list.add(new Probe("PoolSpec.parse(null)", Set.of("text"), true, () -> PoolSpec.parse(null)));
        list.add(new Probe("new Epilogue(null, 0)", Set.of("activation"), true, () -> new Epilogue(null, 0)));
        list.add(new Probe("new Epilogue(LEAKY_RELU, NaN)", Set.of("alpha"), false, () -> new Epilogue(Activation.LEAKY_RELU, Double.NaN)));
        for (int t : new int[] {0, -1, Integer.MIN_VALUE}) {
            list.add(new Probe("Execution.withThreads(" + t + ")", Set.of("threads"), false, () -> Execution.withThreads(t).close()));
        }
        list.add(new Probe("Conv.implementation(null)", Set.of("name", "impl"), true, () -> Conv.implementation(null)));
        list.add(new Probe("Conv.implementation(\"nope\")", Set.of("name", "impl"), false, () -> Conv.implementation("nope")));
        list.add(new Probe("Pool.implementation(null)", Set.of("name", "impl"), true, () -> Pool.implementation(null)));
        list.add(new Probe("Conv.choose(FORWARD, null)", Set.of("spec"), true, () -> Conv.choose(ConvPass.FORWARD, null)));
        list.add(new Probe("Conv.choose(null, spec)", Set.of("pass"), true, () -> Conv.choose(null, s)));
        list.add(new Probe("Pool.choose(null)", Set.of("spec"), true, () -> Pool.choose(null)));
        return list;
    }

    @Test
    void nullsAndBadFactoryArgumentsAreNamed() {
        List<String> bad = new ArrayList<>();
        for (Probe p : probes()) {
            String b = judge(thrown(p.call), p.param, p.isNull, false);
            if (b != null) bad.add(p.what + ": " + b);
        }
        if (!bad.isEmpty()) fail(bad.size() + " of " + probes().size() + " probes failed:\n  " + String.join("\n  ", bad));
    }

    // ================================================================ calls

    enum Fault { NULL, UNEXPECTED, SHAPE, RANK, DTYPE, CLOSED, OVERLAP, SELF_OVERLAP, OUT_OF_RANGE }

    /** One argument of an entry point: its name, value, whether it is written, and whether null is valid. */
    static final class Arg {
        final String name;
        Object value;
        final boolean output;
        final boolean nullable;

        Arg(String name, Object value, boolean output, boolean nullable) {
            this.name = name;
            this.value = value;
            this.output = output;
            this.nullable = nullable;
        }
    }

    interface Invoker {
        void invoke(Object[] a);
    }

    record Entry(String name, List<Arg> args, Invoker invoker) {
    }

    static Tensor t(Object o) {
        return (Tensor) o;
    }

    static ConvSpec cs(Object o) {
        return (ConvSpec) o;
    }

    static PoolSpec ps(Object o) {
        return (PoolSpec) o;
    }

    static Epilogue ep(Object o) {
        return (Epilogue) o;
    }

    static Execution ex(Object o) {
        return (Execution) o;
    }

    /** Every convolution entry point with valid arguments for {@code s} (fresh tensors in {@code a}). */
    static List<Supplier<Entry>> convEntries(ConvSpec s, DType dt, Arena a) {
        Supplier<Tensor> x = () -> Fill.uniform(a, dt, s.inputShape(), 1), w = () -> Fill.uniform(a, dt, s.weightShape(), 2);
        Supplier<Tensor> b = () -> s.hasBias() ? Fill.uniform(a, dt, s.biasShape(), 3) : null;
        Supplier<Tensor> gy = () -> Fill.uniform(a, dt, s.outputShape(), 4);
        Supplier<Tensor> y = () -> Tensor.allocate(a, dt, s.outputShape()), gx = () -> Tensor.allocate(a, dt, s.inputShape());
        Supplier<Tensor> gw = () -> Tensor.allocate(a, dt, s.weightShape()), gb = () -> Tensor.allocate(a, dt, s.biasShape());
        Epilogue e = Epilogue.relu();
        List<Supplier<Entry>> list = new ArrayList<>();
        list.add(() -> new Entry("Conv.forward", List.of(new Arg("spec", s, false, false), new Arg("x", x.get(), false, false),
                new Arg("w", w.get(), false, false), new Arg("bias", b.get(), false, !s.hasBias()), new Arg("y", y.get(), true, false),
                new Arg("epilogue", e, false, false), new Arg("execution", TWO, false, false)),
                v -> Conv.forward(cs(v[0]), t(v[1]), t(v[2]), t(v[3]), t(v[4]), ep(v[5]), ex(v[6]))));
        list.add(() -> new Entry("Conv.backwardData", List.of(new Arg("spec", s, false, false), new Arg("gy", gy.get(), false, false),
                new Arg("w", w.get(), false, false), new Arg("gx", gx.get(), true, false), new Arg("execution", TWO, false, false)),
                v -> Conv.backwardData(cs(v[0]), t(v[1]), t(v[2]), t(v[3]), ex(v[4]))));
        list.add(() -> new Entry("Conv.backwardWeights", List.of(new Arg("spec", s, false, false), new Arg("x", x.get(), false, false),
                new Arg("gy", gy.get(), false, false), new Arg("gw", gw.get(), true, false), new Arg("execution", TWO, false, false)),
                v -> Conv.backwardWeights(cs(v[0]), t(v[1]), t(v[2]), t(v[3]), ex(v[4]))));
        if (s.hasBias()) {
            list.add(() -> new Entry("Conv.backwardBias", List.of(new Arg("spec", s, false, false), new Arg("gy", gy.get(), false, false),
                    new Arg("gb", gb.get(), true, false)), v -> Conv.backwardBias(cs(v[0]), t(v[1]), t(v[2]))));
            list.add(() -> new Entry("ReferenceConv.backwardBias", List.of(new Arg("spec", s, false, false),
                    new Arg("gy", gy.get(), false, false), new Arg("gb", gb.get(), true, false)),
                    v -> ReferenceConv.backwardBias(cs(v[0]), t(v[1]), t(v[2]))));
        }
        for (ConvPass p : ConvPass.values()) {
            for (ConvImpl impl : Conv.implementations(p)) {
                if (!impl.supports(p, s)) continue;
                switch (p) {
                    case FORWARD -> list.add(() -> new Entry(impl + ".forward", List.of(new Arg("spec", s, false, false),
                            new Arg("x", x.get(), false, false), new Arg("w", w.get(), false, false),
                            new Arg("bias", b.get(), false, !s.hasBias()), new Arg("y", y.get(), true, false),
                            new Arg("epilogue", e, false, false), new Arg("execution", TWO, false, false)),
                            v -> impl.forward(cs(v[0]), t(v[1]), t(v[2]), t(v[3]), t(v[4]), ep(v[5]), ex(v[6]))));
                    case BACKWARD_DATA -> list.add(() -> new Entry(impl + ".backwardData", List.of(new Arg("spec", s, false, false),
                            new Arg("gy", gy.get(), false, false), new Arg("w", w.get(), false, false), new Arg("gx", gx.get(), true, false),
                            new Arg("execution", TWO, false, false)), v -> impl.backwardData(cs(v[0]), t(v[1]), t(v[2]), t(v[3]), ex(v[4]))));
                    case BACKWARD_WEIGHTS -> list.add(() -> new Entry(impl + ".backwardWeights", List.of(new Arg("spec", s, false, false),
                            new Arg("x", x.get(), false, false), new Arg("gy", gy.get(), false, false), new Arg("gw", gw.get(), true, false),
                            new Arg("execution", TWO, false, false)), v -> impl.backwardWeights(cs(v[0]), t(v[1]), t(v[2]), t(v[3]), ex(v[4]))));
                }
            }
        }
        list.add(() -> new Entry("ReferenceConv.forward", List.of(new Arg("spec", s, false, false), new Arg("x", x.get(), false, false),
                new Arg("w", w.get(), false, false), new Arg("bias", b.get(), false, !s.hasBias()), new Arg("y", y.get(), true, false)),
                v -> ReferenceConv.forward(cs(v[0]), t(v[1]), t(v[2]), t(v[3]), t(v[4]))));
        list.add(() -> new Entry("ReferenceConv.backwardData", List.of(new Arg("spec", s, false, false), new Arg("gy", gy.get(), false, false),
                new Arg("w", w.get(), false, false), new Arg("gx", gx.get(), true, false)),
                v -> ReferenceConv.backwardData(cs(v[0]), t(v[1]), t(v[2]), t(v[3]))));
        list.add(() -> new Entry("ReferenceConv.backwardWeights", List.of(new Arg("spec", s, false, false), new Arg("x", x.get(), false, false),
                new Arg("gy", gy.get(), false, false), new Arg("gw", gw.get(), true, false)),
                v -> ReferenceConv.backwardWeights(cs(v[0]), t(v[1]), t(v[2]), t(v[3]))));
        return list;
    }

    /** Every pooling entry point with valid arguments for {@code s}. */
    static List<Supplier<Entry>> poolEntries(PoolSpec s, DType dt, Arena a) {
        boolean max = s.kind().isMax();
        Supplier<Tensor> x = () -> Fill.uniform(a, dt, s.inputShape(), 1), gy = () -> Fill.uniform(a, dt, s.outputShape(), 2);
        Supplier<Tensor> y = () -> Tensor.allocate(a, dt, s.outputShape()), gx = () -> Tensor.allocate(a, dt, s.inputShape());
        Supplier<Tensor> idxOut = () -> max ? Tensor.allocate(a, DType.I64, s.outputShape()) : null;
        Supplier<Tensor> idxIn = () -> {
            if (!max) return null;
            Tensor i = Tensor.allocate(a, DType.I64, s.outputShape());
            ReferencePool.forward(s, x.get(), Tensor.allocate(a, dt, s.outputShape()), i);
            return i;
        };
        List<Supplier<Entry>> list = new ArrayList<>();
        // backward: max kinds get both x and indices (either alone is valid), average kinds neither
        list.add(() -> new Entry("Pool.forward", List.of(new Arg("spec", s, false, false), new Arg("x", x.get(), false, false),
                new Arg("y", y.get(), true, false), new Arg("indices", idxOut.get(), true, true)),
                v -> Pool.forward(ps(v[0]), t(v[1]), t(v[2]), t(v[3]))));
        list.add(() -> new Entry("Pool.backward", List.of(new Arg("spec", s, false, false), new Arg("x", max ? x.get() : null, false, true),
                new Arg("indices", idxIn.get(), false, true), new Arg("gy", gy.get(), false, false), new Arg("gx", gx.get(), true, false)),
                v -> Pool.backward(ps(v[0]), t(v[1]), t(v[2]), t(v[3]), t(v[4]))));
        for (PoolImpl impl : Pool.implementations()) {
            if (!impl.supports(s)) continue;
            list.add(() -> new Entry(impl + ".forward", List.of(new Arg("spec", s, false, false), new Arg("x", x.get(), false, false),
                    new Arg("y", y.get(), true, false), new Arg("indices", idxOut.get(), true, true), new Arg("execution", TWO, false, false)),
                    v -> impl.forward(ps(v[0]), t(v[1]), t(v[2]), t(v[3]), ex(v[4]))));
            list.add(() -> new Entry(impl + ".backward", List.of(new Arg("spec", s, false, false),
                    new Arg("x", max ? x.get() : null, false, true), new Arg("indices", idxIn.get(), false, true),
                    new Arg("gy", gy.get(), false, false), new Arg("gx", gx.get(), true, false), new Arg("execution", TWO, false, false)),
                    v -> impl.backward(ps(v[0]), t(v[1]), t(v[2]), t(v[3]), t(v[4]), ex(v[5]))));
        }
        list.add(() -> new Entry("ReferencePool.forward", List.of(new Arg("spec", s, false, false), new Arg("x", x.get(), false, false),
                new Arg("y", y.get(), true, false), new Arg("indices", idxOut.get(), true, true)),
                v -> ReferencePool.forward(ps(v[0]), t(v[1]), t(v[2]), t(v[3]))));
        list.add(() -> new Entry("ReferencePool.backward", List.of(new Arg("spec", s, false, false),
                new Arg("x", max ? x.get() : null, false, true), new Arg("indices", idxIn.get(), false, true),
                new Arg("gy", gy.get(), false, false), new Arg("gx", gx.get(), true, false)),
                v -> ReferencePool.backward(ps(v[0]), t(v[1]), t(v[2]), t(v[3]), t(v[4]))));
        return list;
    }

    /** A tensor like {@code v} (shape, dtype, values) in an arena that is already closed. */
    static Tensor closedCopy(Tensor v) {
        Arena gone = Arena.ofShared();
        Tensor c = Tensor.allocate(gone, v.dtype(), v.shape());
        c.copyFrom(v);
        gone.close();
        return c;
    }

    static Tensor reshaped(Arena a, Tensor v, long[] shape, DType dt) {
        Tensor r = Tensor.allocate(a, dt, shape);
        if (dt == DType.I64) r.fill(0);
        else Fill.uniform(r, 5);
        return r;
    }

    /**
     * Applies {@code fault} to argument {@code i} of {@code e}; returns false when it does not apply
     * (e.g. a null for an argument that may be null). {@code dim} picks a dimension.
     */
    static boolean inject(Entry e, int i, Fault fault, int dim, DType dt, Arena a) {
        Arg arg = e.args.get(i);
        Object v = arg.value;
        if (arg.name.equals("execution")) {
            switch (fault) {
                case NULL -> arg.value = null;
                case CLOSED -> {
                    Execution closed = Execution.withThreads(2);
                    closed.close();
                    arg.value = closed;
                }
                default -> {
                    return false;
                }
            }
            return true;
        }
        if (!(v instanceof Tensor) && v != null) { // spec, epilogue
            if (fault != Fault.NULL) return false;
            arg.value = null;
            return true;
        }
        Tensor tv = (Tensor) v;
        if (tv == null) {
            // an argument that must be absent here (bias of a spec without one, indices of average pooling)
            if (fault != Fault.UNEXPECTED || arg.name.equals("x")) return false;
            Tensor other = (Tensor) e.args.stream().filter(o -> o.value instanceof Tensor).findFirst().get().value;
            long[] shape = arg.name.equals("bias") ? new long[] {((ConvSpec) e.args.get(0).value).outChannels()} : other.shape();
            arg.value = reshaped(a, other, shape, arg.name.equals("indices") ? DType.I64 : dt);
            return true;
        }
        long[] shape = tv.shape();
        switch (fault) {
            case NULL -> {
                if (arg.nullable) return false;
                arg.value = null;
            }
            case UNEXPECTED -> {
                return false;
            }
            case SHAPE -> {
                long[] s2 = shape.clone();
                s2[dim % s2.length]++;
                arg.value = reshaped(a, tv, s2, tv.dtype());
            }
            case RANK -> {
                long[] s2 = Arrays.copyOf(shape, shape.length + 1);
                s2[shape.length] = 1;
                arg.value = reshaped(a, tv, s2, tv.dtype());
            }
            case DTYPE -> {
                DType other = tv.dtype() == DType.I64 ? DType.F32 : dim % 2 == 0 ? DType.I64 : tv.dtype() == DType.F32 ? DType.F64 : DType.F32;
                arg.value = reshaped(a, tv, shape, other);
            }
            case CLOSED -> arg.value = closedCopy(tv);
            case OVERLAP -> {
                if (!arg.output) return false;
                Tensor in = null;
                for (Arg o : e.args) if (!o.output && o.value instanceof Tensor ot) in = in == null ? ot : in;
                if (in == null) return false;
                // one buffer holding the input, and the output starting one element into it (at the input's
                // only element when it has one: one element further would be past it, no overlap)
                long start = in.numel() > 1 ? 1 : 0;
                long n = Math.max(in.numel(), Tensor.numel(shape) + start);
                MemorySegment seg = a.allocate(n * tv.dtype().byteSize(), 64);
                Tensor input = Tensor.wrap(seg, in.dtype(), in.shape(), Tensor.contiguousStrides(in.shape()), 0);
                if (in.dtype() != tv.dtype()) return false;
                input.copyFrom(in);
                for (Arg o : e.args) if (o.value == in) o.value = input;
                arg.value = Tensor.wrap(seg, tv.dtype(), shape, Tensor.contiguousStrides(shape), start);
            }
            case SELF_OVERLAP -> {
                if (!arg.output) return false;
                int d = -1;
                for (int k = 0; k < shape.length; k++) if (shape[(dim + k) % shape.length] > 1) {
                    d = (dim + k) % shape.length;
                    break;
                }
                if (d < 0) return false;
                long[] st = Tensor.contiguousStrides(shape);
                st[d] = 0;
                long n = 1;
                for (int k = 0; k < shape.length; k++) n += (shape[k] - 1) * st[k];
                arg.value = Tensor.wrap(a.allocate(n * tv.dtype().byteSize(), 64), tv.dtype(), shape, st, 0);
            }
            case OUT_OF_RANGE -> {
                if (!arg.name.equals("indices") || arg.output) return false;
                Tensor bad = reshaped(a, tv, shape, DType.I64);
                bad.copyFrom(tv);
                long plane = Tensor.numel(((PoolSpec) e.args.get(0).value).inputSize());
                long[] at = new long[shape.length];
                bad.setLongAt(bad.offsetOf(at), dim % 2 == 0 ? plane : -2);
                arg.value = bad;
            }
        }
        return true;
    }

    /** Runs {@code e} with argument {@code i} faulted; null when the outcome is acceptable, else what is wrong. */
    static String check(Entry e, int i, Fault fault) {
        Arg arg = e.args.get(i);
        // outputs are pre-filled: a rejected call must not have touched them
        List<Tensor> outputs = new ArrayList<>();
        for (Arg o : e.args) {
            if (o.output && o.value instanceof Tensor ot && ot.isAlive() && !(o == arg && fault == Fault.OVERLAP)) {
                if (ot.dtype() == DType.I64) ot.fill(-7);
                else ot.fill(7);
                outputs.add(ot);
            }
        }
        Object[] values = e.args.stream().map(o -> o.value).toArray();
        Throwable thrown = thrown(() -> e.invoker.invoke(values));
        boolean closed = fault == Fault.CLOSED;
        Set<String> names = switch (arg.name) {
            case "execution" -> Set.of("execution", "ex");
            case "epilogue" -> Set.of("epilogue", "e");
            case "spec" -> Set.of("spec", "s");
            default -> fault == Fault.DTYPE && !arg.name.equals("indices")
                    // a mismatch between two tensors' dtypes may be reported on either: any tensor of the call
                    ? new LinkedHashSet<>(e.args.stream().filter(o -> o.value == null || o.value instanceof Tensor).map(o -> o.name).toList())
                    : Set.of(arg.name);
        };
        String bad = judge(thrown, names, fault == Fault.NULL, closed);
        if (bad != null) return bad;
        for (Tensor o : outputs) {
            if (o.isAlive() && o != arg.value) {
                boolean[] touched = {false};
                Fill.forEach(o, idx -> touched[0] |= o.dtype() == DType.I64 ? o.getLong(idx) != -7 : o.get(idx) != 7);
                if (touched[0]) return "rejected (" + thrown.getMessage() + ") after writing an output";
            }
        }
        return null;
    }

    record CallCase(boolean conv, ConvSpec convSpec, PoolSpec poolSpec, DType dtype, int entry, int arg, Fault fault, int dim) {
        @Override
        public String toString() {
            return (conv ? convSpec : poolSpec) + " " + dtype.shortName() + " entry " + entry + " argument " + arg + " " + fault + " dim " + dim;
        }
    }

    /** Runs one generated bad call; null when it is handled as documented. */
    static String run(CallCase c) {
        try (Arena a = Arena.ofShared()) {
            List<Supplier<Entry>> entries = c.conv ? convEntries(c.convSpec, c.dtype, a) : poolEntries(c.poolSpec, c.dtype, a);
            Entry e = entries.get(c.entry % entries.size()).get();
            int i = c.arg % e.args.size();
            if (!inject(e, i, c.fault, c.dim, c.dtype, a)) return null;
            String bad = check(e, i, c.fault);
            return bad == null ? null : e.name + " with " + e.args.get(i).name + " " + c.fault + ": " + bad;
        }
    }

    @Test
    void badCallsAreRejectedNamingTheArgumentBeforeTouchingOutputs() {
        Gen<ConvSpec> convs = Gens.convSpecs(2);
        Gen<PoolSpec> pools = Gens.poolSpecs(2);
        Gen<CallCase> cases = in -> {
            boolean conv = draw(in, 0, 1) == 0;
            return new CallCase(conv, conv ? convs.generate(in) : null, conv ? null : pools.generate(in),
                    draw(in, 0, 1) == 0 ? DType.F32 : DType.F64, draw(in, 0, 20), draw(in, 0, 7),
                    Fault.values()[draw(in, 0, Fault.values().length - 1)], draw(in, 0, 5));
        };
        Props.qt(3000).forAll(cases).checkAssert(c -> {
            String bad = run(c);
            if (bad != null) fail(c + ": " + bad);
        });
    }

    /**
     * Every entry point, argument and fault on a few fixed problems, all failures listed at once
     * (the generated test above stops at the first and shrinks it).
     */
    @Test
    void everyEntryPointArgumentAndFault() {
        List<Object> specs = List.of(ConvSpec.parse("mb2ic4ih5oc6oh5kh3ph1"), ConvSpec.parse("g2mb1ic4iw7oc2ow8kw2pw0_transposed_bias0"),
                ConvSpec.parse("g3mb1ic3ih4oc6oh4kh3ph1"), PoolSpec.parse("maxpool_mb1ic2ih6oh3kh2sh2"),
                PoolSpec.parse("avgpool_mb2ic3ih5oh3kh3sh2ph1"), PoolSpec.parse("adaptivemaxpool_mb1ic2_i5x4_o2x3"));
        Set<String> bad = new LinkedHashSet<>();
        int calls = 0;
        for (Object spec : specs) {
            for (DType dt : new DType[] {DType.F32, DType.F64}) {
                int entries;
                try (Arena a = Arena.ofShared()) {
                    entries = spec instanceof ConvSpec s ? convEntries(s, dt, a).size() : poolEntries((PoolSpec) spec, dt, a).size();
                }
                for (int en = 0; en < entries; en++) {
                    for (int arg = 0; arg < 8; arg++) {
                        for (Fault f : Fault.values()) {
                            for (int dim = 0; dim < 2; dim++) {
                                CallCase c = new CallCase(spec instanceof ConvSpec, spec instanceof ConvSpec s ? s : null,
                                        spec instanceof PoolSpec p ? p : null, dt, en, arg, f, dim);
                                calls++;
                                String b = run(c);
                                if (b != null) bad.add(b.replace(spec.toString(), "<spec>") + "   [" + spec + "]");
                            }
                        }
                    }
                }
            }
        }
        if (!bad.isEmpty()) fail(bad.size() + " distinct failures in " + calls + " bad calls:\n  " + String.join("\n  ", bad));
    }
}
