package dev.vecnn.spec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one-line text form of {@link ConvSpec} and {@link PoolSpec}: used by tests, benchmarks and error
 * messages alike. It is oneDNN benchdnn's problem descriptor, read with benchdnn's conventions, plus a
 * few documented extensions.
 *
 * <h2>Convolution</h2>
 * <pre>
 *   [g G] [mb N] ic C  I  oc K  [O]  Kr  [S]  [P]  [D]  [r R] [op OP] [words] [n NAME]
 *   e.g.  mb1ic64ih56oc64oh56kh3ph1        g32mb1ic32ih112oc32oh112kh3ph1n"dw"
 * </pre>
 * <ul>
 *   <li>Spatial parameters I (input), O (output), Kr (kernel), S (stride), P (padding at the start),
 *       D (dilation) are written per dimension for ranks 1-3 with benchdnn's letters:
 *       {@code id ih iw}, {@code od oh ow}, {@code kd kh kw}, {@code sd sh sw}, {@code pd ph pw},
 *       {@code dd dh dw}; a rank-1 problem uses only {@code w}, rank 2 {@code h w}, rank 3 {@code d h w}.
 *       Missing smaller dimensions copy the larger one (square or cubic), as benchdnn does.</li>
 *   <li><b>Any rank</b> (the extension): the same keys without a dimension letter take an
 *       {@code x}-separated list, one value per dimension, e.g. {@code i8x8x8x8 k3x3x3x3 p1x1x1x1}.
 *       The rank-N form and the per-letter form are not mixed in one descriptor.</li>
 *   <li><b>Dilation counts the gaps, as in benchdnn</b>: {@code d0} is dense. (The Java API uses
 *       PyTorch's convention, where 1 is dense.)</li>
 *   <li>Defaults and inference as benchdnn: {@code g1}, {@code mb2}, stride 1, dilation 0. Without O, the
 *       output follows from P (0 if absent, applied at both ends). With O and without P, P is
 *       {@code ((O-1)*S - I + (Kr-1)*(D+1) + 1) / 2}. The padding at the end is inferred from O as
 *       {@code (O-1)*S - I + (Kr-1)*(D+1) + 1 - P}; where benchdnn would get a negative value (the last
 *       input rows are never read), vecnn uses 0, which gives the same output.</li>
 *   <li>Extensions: {@code r} gives the padding at the end explicitly (list form); {@code op} the output
 *       padding of a transposed convolution (list form); {@code bias0} drops the bias, which is the default
 *       as in benchdnn's FWD_B and PyTorch ({@code bias1}). Words, each after an underscore:
 *       {@code transposed}, {@code reflect}, {@code replicate}, {@code circular}, {@code zeros}.
 *       (No key or word may start with {@code n}: that letter starts the name.)
 *       For a transposed convolution, I and O are its own input and output, and the end padding is
 *       inferred as {@code (I-1)*S + (Kr-1)*(D+1) + 1 + OP - O - P}.</li>
 *   <li>{@code _} is ignored; {@code n} starts the name, which runs to the end (quotes are dropped).</li>
 * </ul>
 *
 * <h2>Pooling</h2>
 * <pre>
 *   KIND _ [mb N] ic C  I  [O]  [Kr]  [S]  [P]  [D]  [r R]  [_ceil] [_excludepad] [n NAME]
 *   e.g.  maxpool_mb1ic64ih112oh56kh3sh2ph1     globalavgpool_mb8ic512ih7     adaptiveavgpool_mb1ic64i7x7o2x2
 * </pre>
 * KIND is {@code maxpool}, {@code avgpool}, {@code globalmaxpool}, {@code globalavgpool},
 * {@code adaptivemaxpool} or {@code adaptiveavgpool}. Windowed kinds need Kr; the stride defaults to 1
 * as in benchdnn (not to the kernel as in PyTorch's API). Adaptive kinds take I and O only; global
 * kinds I only. {@code ceil} is PyTorch's ceil mode; {@code excludepad} is
 * {@code count_include_pad=False} (benchdnn's avg_np).
 *
 * <h2>Canonical form</h2>
 * {@code toString()} of a spec writes every spatial parameter except defaults (stride 1, dilation 0),
 * always O and P, {@code r} only when the end padding differs from what O implies, words in the order
 * above, so that parsing it gives an equal spec.
 */
public final class SpecText {
    private static final String LETTERS = "dhw";
    private static final Set<String> SPATIAL = Set.of("i", "o", "k", "s", "p", "d");
    private static final Set<String> LIST_ONLY = Set.of("r", "op");

    private SpecText() {
    }

    // ---------------------------------------------------------------- parsing

    /** Parses a convolution descriptor. */
    public static ConvSpec parseConv(String text) {
        Parsed p = tokenize(text);
        if (p.words.contains("maxpool") || p.words.stream().anyMatch(w -> w.endsWith("pool"))) {
            throw p.error("is a pooling descriptor, not a convolution");
        }
        p.allowWords(Set.of("transposed", "reflect", "replicate", "circular", "zeros"));
        p.allowKeys(Set.of("g", "mb", "ic", "oc", "bias"));
        long bias = p.scalar("bias", 1);
        if (bias > 1) throw p.error("bias" + bias + ": bias takes 0 or 1");
        long groups = p.scalar("g", 1);
        long mb = p.scalar("mb", 2);
        long ic = p.required("ic");
        long oc = p.required("oc");
        boolean transposed = p.words.contains("transposed");
        PaddingMode mode = PaddingMode.ZEROS;
        for (PaddingMode m : PaddingMode.values()) if (p.words.contains(m.textName())) mode = m;
        int rank = p.rank();
        long[] in = p.spatial("i", rank, -1);
        long[] k = p.spatial("k", rank, -1);
        require(p, "i", in);
        require(p, "k", k);
        long[] out = p.spatial("o", rank, -1);
        long[] s = p.spatial("s", rank, 1);
        long[] gaps = p.spatial("d", rank, 0);
        long[] pb = p.spatial("p", rank, -1);
        long[] pe = p.spatial("r", rank, -1);
        long[] op = p.spatial("op", rank, 0);
        positive(p, in, k, s, gaps);
        int[] dil = new int[rank];
        for (int d = 0; d < rank; d++) {
            dil[d] = toInt(p, "d", d, gaps[d] + 1);
            long effk = (k[d] - 1) * (gaps[d] + 1) + 1;
            // "full" is where the window arithmetic places the end of the padded range
            if (transposed) {
                long full = (in[d] - 1) * s[d] + effk + op[d];
                if (out[d] < 0) {
                    if (pb[d] < 0) pb[d] = 0;
                    if (pe[d] < 0) pe[d] = pb[d];
                } else {
                    if (pb[d] < 0) pb[d] = (full - out[d]) / 2;
                    if (pe[d] < 0) pe[d] = full - out[d] - pb[d];
                }
            } else {
                if (out[d] < 0) {
                    if (pb[d] < 0) pb[d] = 0;
                    if (pe[d] < 0) {
                        // the least end padding giving the output of symmetric padding; 0 where the last input
                        // rows are never read (mb1ic16ih14oc32kh1sh2: 7 outputs read rows 0-12)
                        long o = Math.floorDiv(in[d] + 2 * pb[d] - effk, s[d]) + 1;
                        pe[d] = o >= 1 ? Math.max(0, (o - 1) * s[d] - in[d] + effk - pb[d]) : pb[d];
                    }
                } else {
                    if (pb[d] < 0) pb[d] = ((out[d] - 1) * s[d] - in[d] + effk) / 2;
                    // benchdnn infers a negative end padding when the last input rows are never read
                    // (e.g. mb1ic256ih56oc512oh28kh1sh2): with floor division, 0 gives the same output
                    if (pe[d] < 0) pe[d] = Math.max(0, (out[d] - 1) * s[d] - in[d] + effk - pb[d]);
                }
            }
            if (pb[d] < 0) throw p.error("p[" + d + "] inferred from the output size is negative (" + pb[d] + ")");
            if (pe[d] < 0) throw p.error("end padding [" + d + "] inferred from the output size is negative (" + pe[d] + ")");
        }
        ConvSpec.Builder b = ConvSpec.builder().groups(groups).batch(mb).inChannels(ic).outChannels(oc).input(in)
                .kernel(ints(p, "k", k)).stride(ints(p, "s", s)).dilation(dil)
                .padding(ints(p, "p", pb), ints(p, "r", pe)).paddingMode(mode).bias(bias == 1)
                .transposed(transposed).name(p.name);
        if (transposed) b.outputPadding(ints(p, "op", op));
        else if (p.lists.containsKey("op")) throw p.error("op (output padding) needs a transposed convolution");
        ConvSpec spec = wrap(p, b::build);
        checkOutput(p, out, spec.outputSize());
        return spec;
    }

    /** Parses a pooling descriptor. */
    public static PoolSpec parsePool(String text) {
        Parsed p = tokenize(text);
        PoolKind kind = null;
        for (PoolKind k : PoolKind.values()) if (p.words.contains(k.textName())) {
            if (kind != null) throw p.error("names two pooling kinds, " + kind.textName() + " and " + k.textName());
            kind = k;
        }
        if (kind == null) throw p.error("names no pooling kind (maxpool, avgpool, globalmaxpool, globalavgpool, adaptivemaxpool, adaptiveavgpool)");
        Set<String> words = new LinkedHashSet<>(Set.of(kind.textName()));
        if (kind.isWindowed()) words.add("ceil");
        if (kind == PoolKind.AVG) words.add("excludepad");
        p.allowWords(words);
        p.allowKeys(Set.of("mb", "ic"));
        int rank = p.rank();
        PoolSpec.Builder b = PoolSpec.builder(kind).batch(p.scalar("mb", 2)).channels(p.required("ic")).name(p.name);
        long[] in = p.spatial("i", rank, -1);
        require(p, "i", in);
        b.input(in);
        long[] out = p.spatial("o", rank, -1);
        if (kind.isWindowed()) {
            boolean ceil = p.words.contains("ceil");
            long[] k = p.spatial("k", rank, -1);
            require(p, "k", k);
            long[] s = p.spatial("s", rank, 1);
            long[] gaps = p.spatial("d", rank, 0);
            long[] pb = p.spatial("p", rank, -1);
            long[] pe = p.spatial("r", rank, -1);
            positive(p, in, k, s, gaps);
            int[] dil = new int[rank];
            for (int d = 0; d < rank; d++) {
                dil[d] = toInt(p, "d", d, gaps[d] + 1);
                long effk = (k[d] - 1) * (gaps[d] + 1) + 1;
                if (out[d] < 0) {
                    if (pb[d] < 0) pb[d] = 0;
                    if (pe[d] < 0) {
                        long o = Math.floorDiv(in[d] + 2 * pb[d] - effk, s[d]) + 1;
                        pe[d] = ceil || o < 1 ? pb[d] : Math.max(0, (o - 1) * s[d] - in[d] + effk - pb[d]); // as for convolutions
                    }
                } else {
                    if (pb[d] < 0) pb[d] = ((out[d] - 1) * s[d] - in[d] + effk) / 2;
                    if (pe[d] < 0) pe[d] = Math.max(0, (out[d] - 1) * s[d] - in[d] + effk - pb[d]); // as for convolutions
                }
                if (pb[d] < 0 || pe[d] < 0) {
                    throw p.error("padding [" + d + "] inferred from the output size is negative");
                }
            }
            b.kernel(ints(p, "k", k)).stride(ints(p, "s", s)).dilation(dil).padding(ints(p, "p", pb), ints(p, "r", pe))
                    .ceilMode(ceil).countIncludePad(!p.words.contains("excludepad"));
        } else {
            for (String key : List.of("k", "s", "p", "d", "r")) {
                if (p.has(key)) throw p.error(key + " does not apply to " + kind.textName());
            }
            if (kind.isGlobal()) {
                for (long o : out) if (o >= 0 && o != 1) throw p.error("global pooling has output size 1, got o" + o);
            } else {
                require(p, "o", out);
                b.output(out);
            }
        }
        PoolSpec spec = wrap(p, b::build);
        checkOutput(p, out, spec.outputSize());
        return spec;
    }

    private static <T> T wrap(Parsed p, java.util.function.Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (in '" + p.text + "')", e);
        }
    }

    private static void checkOutput(Parsed p, long[] given, long[] actual) {
        for (int d = 0; d < given.length; d++) {
            if (given[d] >= 0 && given[d] != actual[d]) {
                throw p.error("o[" + d + "] = " + given[d] + " but the window gives " + actual[d]);
            }
        }
    }

    /** Checks sizes before the inference arithmetic uses them, naming the builder's parameters. */
    private static void positive(Parsed p, long[] in, long[] k, long[] s, long[] gaps) {
        for (int d = 0; d < in.length; d++) {
            if (in[d] < 1) throw p.error("input[" + d + "] = " + in[d] + ": must be >= 1");
            if (k[d] < 1) throw p.error("kernel[" + d + "] = " + k[d] + ": must be >= 1");
            if (s[d] < 1) throw p.error("stride[" + d + "] = " + s[d] + ": must be >= 1");
            if (gaps[d] < 0) throw p.error("dilation gaps[" + d + "] = " + gaps[d] + ": must be >= 0");
        }
    }

    private static void require(Parsed p, String key, long[] v) {
        for (int d = 0; d < v.length; d++) {
            if (v[d] < 0) throw p.error("needs " + key + " for dimension " + d);
        }
    }

    private static int toInt(Parsed p, String key, int d, long v) {
        if (v > Integer.MAX_VALUE) throw p.error(key + "[" + d + "] = " + v + " is too large");
        return (int) v;
    }

    private static int[] ints(Parsed p, String key, long[] v) {
        int[] r = new int[v.length];
        for (int d = 0; d < v.length; d++) r[d] = toInt(p, key, d, v[d]);
        return r;
    }

    /** The tokens of one descriptor. */
    private static final class Parsed {
        final String text;
        final Map<String, Long> scalars = new HashMap<>();
        final Map<String, long[]> lists = new HashMap<>();
        final Map<String, Map<Character, Long>> letters = new HashMap<>();
        final Set<String> words = new LinkedHashSet<>();
        String name = "";

        Parsed(String text) {
            this.text = text;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("spec '" + text + "': " + what);
        }

        boolean has(String key) {
            return lists.containsKey(key) || letters.containsKey(key);
        }

        void allowWords(Set<String> allowed) {
            for (String w : words) if (!allowed.contains(w)) throw error("unknown word '" + w + "' (known: " + allowed + ")");
        }

        void allowKeys(Set<String> scalarKeys) {
            for (String k : scalars.keySet()) if (!scalarKeys.contains(k)) throw error("unknown key '" + k + "'");
        }

        long scalar(String key, long fallback) {
            return scalars.getOrDefault(key, fallback);
        }

        long required(String key) {
            Long v = scalars.get(key);
            if (v == null) throw error("needs " + key);
            return v;
        }

        /** Spatial rank from the list keys or the benchdnn letters present. */
        int rank() {
            if (!lists.isEmpty()) {
                int rank = -1;
                for (var e : lists.entrySet()) {
                    if (rank >= 0 && e.getValue().length != rank) {
                        throw error(e.getKey() + " has " + e.getValue().length + " values, other keys have " + rank);
                    }
                    rank = e.getValue().length;
                }
                boolean perLetter = letters.keySet().stream().anyMatch(k -> !LIST_ONLY.contains(k));
                boolean listSpatial = lists.keySet().stream().anyMatch(SPATIAL::contains);
                if (perLetter && listSpatial) throw error("mixes per-dimension letters (ih, kw...) with list keys (i, k...)");
                if (listSpatial || letters.isEmpty()) return rank;
                int lr = letterRank();
                if (lr != rank) throw error("r/op lists have " + rank + " values for spatial rank " + lr);
                return rank;
            }
            return letterRank();
        }

        private int letterRank() {
            Set<Character> present = new LinkedHashSet<>();
            for (var m : letters.values()) present.addAll(m.keySet());
            if (present.contains('d')) return 3;
            if (present.contains('h')) return 2;
            if (present.contains('w')) return 1;
            throw error("has no spatial sizes");
        }

        /** Values of a spatial key for each dimension, or {@code fallback} where absent. */
        long[] spatial(String key, int rank, long fallback) {
            long[] v = new long[rank];
            java.util.Arrays.fill(v, fallback);
            if (lists.containsKey(key)) return lists.get(key).clone();
            Map<Character, Long> m = letters.get(key);
            if (m == null) return v;
            if (rank > 3) throw error("uses per-dimension letters for rank " + rank);
            Set<Character> present = new LinkedHashSet<>();
            for (var mm : letters.values()) present.addAll(mm.keySet());
            String dims = LETTERS.substring(3 - rank);
            for (int d = 0; d < rank; d++) {
                char c = dims.charAt(d);
                char src = c;
                // benchdnn: a dimension absent from the whole descriptor copies the larger one
                while (!present.contains(src) && src != 'd') src = LETTERS.charAt(LETTERS.indexOf(src) - 1);
                Long x = m.get(src);
                if (x != null) v[d] = x;
            }
            for (char c : m.keySet()) {
                if (dims.indexOf(c) < 0) throw error(key + c + " does not exist for spatial rank " + rank);
            }
            return v;
        }
    }

    private static Parsed tokenize(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("spec: empty text");
        Parsed p = new Parsed(text.strip());
        String t = p.text;
        int i = 0;
        while (i < t.length()) {
            char c = t.charAt(i);
            if (c == '_') {
                i++;
                continue;
            }
            if (c < 'a' || c > 'z') throw p.error("unexpected '" + c + "' at position " + i);
            if (c == 'n') {
                String name = t.substring(i + 1);
                if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) name = name.substring(1, name.length() - 1);
                p.name = name;
                break;
            }
            int j = i;
            while (j < t.length() && t.charAt(j) >= 'a' && t.charAt(j) <= 'z') j++;
            String key = t.substring(i, j);
            if (j == t.length() || !Character.isDigit(t.charAt(j))) {
                if (!p.words.add(key)) throw p.error("repeats '" + key + "'");
                i = j;
                continue;
            }
            List<Long> values = new ArrayList<>();
            int k = j;
            while (true) {
                int st = k;
                while (k < t.length() && Character.isDigit(t.charAt(k))) k++;
                if (st == k) throw p.error("expected a number at position " + st);
                try {
                    values.add(Long.parseLong(t.substring(st, k)));
                } catch (NumberFormatException e) {
                    throw p.error("number too large at position " + st);
                }
                if (k < t.length() && t.charAt(k) == 'x') k++;
                else break;
            }
            put(p, key, values);
            i = k;
        }
        return p;
    }

    private static void put(Parsed p, String key, List<Long> values) {
        long[] v = values.stream().mapToLong(Long::longValue).toArray();
        boolean isSpatialList = SPATIAL.contains(key) || LIST_ONLY.contains(key);
        boolean isLetter = key.length() == 2 && SPATIAL.contains(key.substring(0, 1)) && LETTERS.indexOf(key.charAt(1)) >= 0
                && !key.equals("op");
        if (isSpatialList) {
            if (p.lists.put(key, v) != null) throw p.error("repeats '" + key + "'");
        } else if (isLetter) {
            if (v.length != 1) throw p.error(key + " takes one value, got " + v.length);
            String base = key.substring(0, 1);
            if (p.letters.computeIfAbsent(base, x -> new HashMap<>()).put(key.charAt(1), v[0]) != null) {
                throw p.error("repeats '" + key + "'");
            }
        } else {
            if (v.length != 1) throw p.error(key + " takes one value, got " + v.length);
            if (p.scalars.put(key, v[0]) != null) throw p.error("repeats '" + key + "'");
        }
    }

    // ---------------------------------------------------------------- formatting

    /** The canonical text of a convolution spec. */
    public static String format(ConvSpec c) {
        StringBuilder sb = new StringBuilder();
        int rank = c.rank();
        Window w = c.window();
        if (c.groups() != 1) sb.append('g').append(c.groups());
        sb.append("mb").append(c.batch()).append("ic").append(c.inChannels());
        spatial(sb, "i", c.inputSize());
        sb.append("oc").append(c.outChannels());
        spatial(sb, "o", c.outputSize());
        spatial(sb, "k", widen(w.kernel()));
        if (!allEqual(w.stride(), 1)) spatial(sb, "s", widen(w.stride()));
        spatial(sb, "p", widen(w.padBegin()));
        if (!allEqual(w.dilation(), 1)) spatial(sb, "d", gaps(w.dilation()));
        long[] inferred = new long[rank];
        long[] op = new long[rank];
        for (int d = 0; d < rank; d++) {
            op[d] = c.outputPadding(d);
            inferred[d] = c.isTransposed()
                    ? (c.inputSize(d) - 1) * w.stride(d) + w.effectiveKernel(d) + op[d] - c.outputSize(d) - w.padBegin(d)
                    : (c.outputSize(d) - 1) * w.stride(d) - c.inputSize(d) + w.effectiveKernel(d) - w.padBegin(d);
        }
        if (!java.util.Arrays.equals(inferred, widen(w.padEnd()))) list(sb, "r", widen(w.padEnd()));
        if (c.isTransposed() && !allEqual(op, 0)) list(sb, "op", op);
        if (c.isTransposed()) sb.append("_transposed");
        if (!c.hasBias()) sb.append("_bias0");
        if (c.paddingMode() != PaddingMode.ZEROS) sb.append('_').append(c.paddingMode().textName());
        if (!c.name().isEmpty()) sb.append("_n").append(c.name());
        return sb.toString();
    }

    /** The canonical text of a pooling spec. */
    public static String format(PoolSpec p) {
        StringBuilder sb = new StringBuilder(p.kind().textName()).append('_');
        sb.append("mb").append(p.batch()).append("ic").append(p.channels());
        spatial(sb, "i", p.inputSize());
        if (!p.kind().isGlobal()) spatial(sb, "o", p.outputSize());
        if (p.kind().isWindowed()) {
            Window w = p.window();
            spatial(sb, "k", widen(w.kernel()));
            if (!allEqual(w.stride(), 1)) spatial(sb, "s", widen(w.stride()));
            spatial(sb, "p", widen(w.padBegin()));
            if (!allEqual(w.dilation(), 1)) spatial(sb, "d", gaps(w.dilation()));
            long[] inferred = new long[p.rank()];
            for (int d = 0; d < inferred.length; d++) {
                inferred[d] = (p.outputSize(d) - 1) * w.stride(d) - p.inputSize(d) + w.effectiveKernel(d) - w.padBegin(d);
            }
            if (!java.util.Arrays.equals(inferred, widen(w.padEnd()))) list(sb, "r", widen(w.padEnd()));
            if (p.ceilMode()) sb.append("_ceil");
            if (!p.countIncludePad()) sb.append("_excludepad");
        }
        if (!p.name().isEmpty()) sb.append("_n").append(p.name());
        return sb.toString();
    }

    private static void spatial(StringBuilder sb, String key, long[] v) {
        if (v.length > 3) {
            list(sb, key, v);
            return;
        }
        String dims = LETTERS.substring(3 - v.length);
        for (int d = 0; d < v.length; d++) sb.append(key).append(dims.charAt(d)).append(v[d]);
    }

    private static void list(StringBuilder sb, String key, long[] v) {
        sb.append('_').append(key);
        for (int d = 0; d < v.length; d++) sb.append(d == 0 ? "" : "x").append(v[d]);
    }

    private static long[] widen(int[] v) {
        long[] r = new long[v.length];
        for (int i = 0; i < v.length; i++) r[i] = v[i];
        return r;
    }

    private static long[] gaps(int[] dilation) {
        long[] r = new long[dilation.length];
        for (int i = 0; i < r.length; i++) r[i] = dilation[i] - 1L;
        return r;
    }

    private static boolean allEqual(int[] v, int x) {
        for (int e : v) if (e != x) return false;
        return true;
    }

    private static boolean allEqual(long[] v, long x) {
        for (long e : v) if (e != x) return false;
        return true;
    }
}
