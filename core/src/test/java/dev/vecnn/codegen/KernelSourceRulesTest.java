package dev.vecnn.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Rules of the kernels' sources that the JIT's behaviour makes necessary: no vectors passed between the
 * tiled kernels' methods, no loop with two upper bounds in any template, no vector species other than the
 * preferred one anywhere in core, nn and bench, no heap segments in core's and nn's code (each rule's Javadoc
 * tells the incident behind it).
 *
 * <p>The first: a method that takes vectors as parameters gets them unboxed only when C2 inlines it; in a big kernel method C2 may decline
 * (NodeCountInliningCutoff, "already compiled into a big method"), and then every call boxes its vectors.
 * A helper storing a 4x4-vector tile did exactly that: 128 MB per training step of a 4096 -> 128 dense
 * layer, five times slower. So the convolution and matmul kernels keep their vectors inside one method.
 * The elementwise and pooling kernels are left out of that rule on purpose: their helpers (vector math such as exp,
 * a row's masked store, a pooling row's merge) take one vector per call from small loops, so a call that
 * does box costs a vector's allocation per row, not per multiply-add. The training benchmark's heap table
 * marks any step allocating 100 MB or more, whatever boxed.
 */
class KernelSourceRulesTest {
    /** The templates of the register-tiled convolution and matmul kernels. */
    static final List<String> TILED = List.of("BlockedConv.java.in", "DepthwiseConv.java.in", "DepthwiseRows.java.in", "DirectConv.java.in",
            "GemmConv.java.in", "MatmulVector.java.in", "PointwiseConv.java.in");

    /** A method declaration: modifiers, result type, name, parameters, then the body's brace. */
    private static final Pattern METHOD = Pattern.compile(
            "\\b(?:private|public|protected|static)\\b[^;={}()]*?\\b(\\w+)\\s*\\(([^)]*)\\)\\s*(?:throws [\\w., ]+)?\\{");
    /** A parameter of a vector or mask type, arrays and varargs included (template placeholders or Vector API classes). */
    private static final Pattern VECTOR_PARAMETER = Pattern.compile(
            "(?:\\$Vec|\\$IVec|\\b(?:Float|Double|Int|Long|Short|Byte)Vector|\\bVectorMask<[^>]*>|\\bVector<[^>]*>)(?:\\s*\\[\\])*(?:\\.\\.\\.)?\\s+\\w+");

    /** Methods of {@code source} that take a vector or mask parameter, as "name(parameters)". */
    static List<String> vectorParameterMethods(String source) {
        List<String> found = new ArrayList<>();
        Matcher m = METHOD.matcher(source);
        while (m.find()) {
            if (VECTOR_PARAMETER.matcher(m.group(2)).find()) found.add(m.group(1) + "(" + m.group(2).replaceAll("\\s+", " ") + ")");
        }
        return found;
    }

    @Test
    void tiledKernelsPassNoVectorsBetweenMethods() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize(); // surefire runs in core/
        int files = 0;
        // the generated float32 and float64 sources: the templates with their generated micro-kernels expanded
        for (KernelTemplates.Template t : KernelTemplates.TEMPLATES) {
            if (!TILED.contains(Path.of(t.template()).getFileName().toString())) continue;
            for (String dtype : new String[] {"F32", "F64"}) {
                Path file = root.resolve(t.outDir()).resolve(t.outName().replace("$Name", dtype));
                String source = Files.readString(file);
                long declared = METHOD.matcher(source).results().count(), bodies = source.lines().filter(l -> l.matches("    \\S.*\\)\\s*\\{")).count();
                assertTrue(declared >= bodies, file + ": the rule's pattern reads " + declared + " of at least " + bodies + " method declarations");
                assertEquals(List.of(), vectorParameterMethods(source), file + ": methods that take vectors (C2 boxes them when it does not inline)");
                files++;
            }
        }
        assertEquals(2 * TILED.size(), files, "every tiled template's float32 and float64 sources");
    }

    /**
     * A loop condition with two upper bounds joined by {@code &&} ({@code i < tx && m0 + i < m}): the loop a
     * kernel's last, partial tile runs. C2 speculated on one of the two exits from the profile (a loop predicate);
     * the partial tile failed the speculation, the method went back to C1 and the cycle repeated every second or
     * two for good. The matmul forward's tasks did this in voxel3d's training step at 2 threads on 2026-12-01:
     * 0.49 ms per call instead of 0.018, most of it in C1 code where every vector is a heap object. One bound per
     * loop ({@code Math.min} of the two first) gives the compiler nothing to speculate on.
     */
    private static final Pattern TWO_BOUND_LOOP = Pattern.compile("\\bfor\\s*\\([^;:{}]*;[^;{}]*<[^;{}<]*&&[^;{}]*<[^;{}<]*;");
    /** Comments, which may quote code: removed before a rule reads the source. */
    private static final Pattern COMMENT = Pattern.compile("//[^\\n]*|/\\*(?s:.*?)\\*/");

    /** What {@code rule} matches in the code of {@code source} (comments left out), white space collapsed. */
    static List<String> codeMatches(Pattern rule, String source) {
        String code = COMMENT.matcher(source).replaceAll(" ");
        return rule.matcher(code).results().map(r -> r.group().replaceAll("\\s+", " ")).toList();
    }

    /** The loops of {@code source} with two upper bounds in their condition (comments left out). */
    static List<String> twoBoundLoops(String source) {
        return codeMatches(TWO_BOUND_LOOP, source);
    }

    @Test
    void kernelLoopsHaveOneUpperBound() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        int files = 0;
        for (KernelTemplates.Template t : KernelTemplates.TEMPLATES) {
            String source = Files.readString(root.resolve(t.template()));
            assertEquals(List.of(), twoBoundLoops(source), t.template() + ": loops with two upper bounds (take the smaller bound first)");
            files++;
        }
        assertEquals(KernelTemplates.TEMPLATES.length, files, "every kernel template was read");
    }

    @Test
    void theLoopRuleCatchesTwoBounds() {
        String code = """
                    for (int i = 0; i < tx && m0 + i < m; i++) {
                    for (int j = 0; j <= last && j < n; j++) x++;
                    for (int i = 0, rows = Math.min(tx, m - m0); i < rows; i++) {
                    for (int r = r0; g.max && r < r1; r++) {
                    for (int p = 0; flagged != 0 && p < count; p++) {
                    // for (int i = 0; i < a && i < b; i++) quoted in a comment
                    for (Tensor t : ts) ok &= a < b && c < d;
                    for (int i = 0; i < n; i++) m = (x << 2) < y && z < w ? 1 : 0;
                """;
        assertEquals(List.of("for (int i = 0; i < tx && m0 + i < m;", "for (int j = 0; j <= last && j < n;"), twoBoundLoops(code));
    }

    /**
     * A vector species other than the preferred one. The JDK's FloatVector methods (fromArray, intoArray,
     * the species' dummyVector cast) are shared by every float vector class; with a second class in the
     * process (a half-width species for float32-to-double conversions did this) their profiles see two
     * receiver types and their class-check traps accumulate. C2 adds the traps of every inlined copy of a
     * method to one count per compilation, and past its limit (PerMethodTrapLimit) it compiles a class check
     * it cannot prove with a virtual call beside it, which keeps the vectors in heap boxes: voxel3d's weight
     * gradient micro-kernel allocated 170-220 MB per training step in 1 JVM in 3 (2026-12-01). One species
     * per element type, the preferred one, keeps every profile monomorphic.
     */
    private static final Pattern OTHER_SPECIES = Pattern.compile(
            "\\bVectorShape\\b|\\bVectorSpecies\\s*\\.\\s*of\\w*\\b|\\bSPECIES_(?:64|128|256|512|MAX)\\b|\\b(?:withShape|convertShape|reinterpretShape|castShape)\\s*\\(");

    /** Uses of a species other than the preferred one in {@code source} (comments left out). */
    static List<String> otherSpecies(String source) {
        return codeMatches(OTHER_SPECIES, source);
    }

    @Test
    void kernelsUseOnlyThePreferredSpecies() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<Path> sources = new ArrayList<>();
        // bench too: its JMH forks run the kernels in the same JVM
        for (String dir : new String[] {"core/src/main/java", "core/src/template", "nn/src/main/java", "bench/src/main/java"}) {
            try (var files = Files.walk(root.resolve(dir))) {
                files.filter(f -> f.toString().endsWith(".java") || f.toString().endsWith(".java.in")).forEach(sources::add);
            }
        }
        for (Path f : sources) assertEquals(List.of(), otherSpecies(Files.readString(f)), f + ": a vector species other than the preferred one");
        for (String kernel : new String[] {"ElementwiseVector.java.in", "PoolKernels.java.in", "GemmConv.java.in", "VectorElementwiseF32.java"}) {
            assertTrue(sources.stream().anyMatch(f -> f.getFileName().toString().equals(kernel)), kernel + " was read");
        }
    }

    @Test
    void theSpeciesRuleCatchesOtherShapes() {
        String code = """
                    static final VectorSpecies<Float> HS = VectorSpecies.of(float.class, VectorShape.forBitSize(256));
                    FloatVector a = FloatVector.fromArray(FloatVector.SPECIES_256, x, 0);
                    DoubleVector d = (DoubleVector) v.convertShape(VectorOperators.F2D, DS, 0);
                    static final VectorSpecies<Float> W = VectorSpecies
                            .ofLargestShape(float.class);
                    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED; // not SPECIES_128
                    DoubleVector e = (DoubleVector) v.convert(VectorOperators.F2D, 0);
                """;
        assertEquals(List.of("VectorSpecies.of", "VectorShape", "SPECIES_256", "convertShape(", "VectorSpecies .ofLargestShape"), otherSpecies(code));
    }

    /** The pattern catches the helper that boxed, and passes what the kernels do instead. */
    @Test
    void theRuleCatchesAVectorHelper() {
        String helper = """
                    private static void store4(MemorySegment cs, long at, long v, $Vec a, $Vec b, $Vec c,
                                               $Vec d) {
                        a.intoMemorySegment(cs, at, NO);
                    }
                    static void tile(float[] x, VectorMask<Float> m, int n) {
                    }
                    static void rows(FloatVector[] acc, int n) {
                    }
                    private static void plain(float[] x, int[] off, int n) {
                        FloatVector a = FloatVector.zero(S);
                    }
                """;
        assertEquals(List.of("store4(MemorySegment cs, long at, long v, $Vec a, $Vec b, $Vec c, $Vec d)", "tile(float[] x, VectorMask<Float> m, int n)",
                        "rows(FloatVector[] acc, int n)"),
                vectorParameterMethods(helper));
    }

    /**
     * A heap segment ({@code MemorySegment.ofArray}). The JDK's segment code behind the vector loads and stores
     * (fromMemorySegment, intoMemorySegment and the segment's base and bounds checks) is shared by every caller; once
     * it has seen heap segments beside native ones, its profiles hold two receiver types and every kernel on native
     * memory runs through the checks for both: a 1x1 convolution fell from 77 to 54-62 GFLOP/s after a GEMM
     * convolution had stored its tiles through a heap view, and MobileNet-V2 ran 22% slower in the model than its
     * layers alone (2026-12-02). Heap buffers are read and written as arrays; the elementwise engine takes arrays
     * for the stores' epilogue. Left out: the tensor package ({@code Tensor.of} wraps a caller's array: the
     * caller's choice) and the file formats' byte headers (nn's io), which no kernel reads.
     */
    private static final Pattern HEAP_SEGMENT = Pattern.compile("\\bMemorySegment\\s*\\.\\s*ofArray\\s*\\(");

    /** Heap segments made in {@code source} (comments left out). */
    static List<String> heapSegments(String source) {
        return codeMatches(HEAP_SEGMENT, source);
    }

    @Test
    void kernelsMakeNoHeapSegments() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<Path> sources = new ArrayList<>();
        for (String dir : new String[] {"core/src/main/java", "core/src/template", "nn/src/main/java"}) {
            try (var files = Files.walk(root.resolve(dir))) {
                files.filter(f -> f.toString().endsWith(".java") || f.toString().endsWith(".java.in"))
                        .filter(f -> !f.toString().contains("/dev/vecnn/tensor/") && !f.toString().contains("/dev/vecnn/nn/io/"))
                        .forEach(sources::add);
            }
        }
        for (Path f : sources) assertEquals(List.of(), heapSegments(Files.readString(f)), f + ": a heap segment (read and write heap buffers as arrays)");
        assertTrue(sources.stream().anyMatch(f -> f.getFileName().toString().equals("GemmConv.java.in")), "GemmConv.java.in was read");
    }

    @Test
    void theHeapSegmentRuleCatchesAView() {
        String code = """
                    MemorySegment cView = MemorySegment.ofArray(c); // MemorySegment.ofArray(x) in a comment is fine
                    storeRun(MemorySegment
                            .ofArray(src), 0, seg, dst, len, bias, e);
                    ELEMENTWISE.activationForward(e, src, 0, seg, dst, len, bias, true);
                """;
        assertEquals(List.of("MemorySegment.ofArray(", "MemorySegment .ofArray("), heapSegments(code));
    }
}
