package dev.vecnn.codegen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Expands the kernel templates in {@code core/src/template} into one Java source per dtype, so that
 * float32 and float64 share one text. Run from the repository root after editing a template:
 * <pre>  /usr/lib/jvm/temurin-25-jdk-amd64/bin/java core/src/test/java/dev/vecnn/codegen/KernelTemplates.java</pre>
 * {@code KernelTemplatesTest} fails when a generated file differs from its template's expansion.
 */
public final class KernelTemplates {
    private KernelTemplates() {
    }

    /** Template file, output folder, output name pattern ($Name replaced). */
    record Template(String template, String outDir, String outName) {
    }

    static final Template[] TEMPLATES = {
        new Template("core/src/template/GemmConv.java.in", "core/src/main/java/dev/vecnn/kernel/conv/gemm", "GemmConv$Name.java"),
        new Template("core/src/template/ChannelsLastGemm.java.in", "core/src/main/java/dev/vecnn/kernel/conv/gemm", "ChannelsLastGemm$Name.java"),
        new Template("core/src/template/ChannelsLastSlab.java.in", "core/src/main/java/dev/vecnn/kernel/conv", "ChannelsLastSlab$Name.java"),
        new Template("core/src/template/SlabIo.java.in", "core/src/main/java/dev/vecnn/kernel/conv", "SlabIo$Name.java"),
        new Template("core/src/template/SlabRows.java.in", "core/src/main/java/dev/vecnn/kernel/conv", "SlabRows$Name.java"),
        new Template("core/src/template/SlabExact.java.in", "core/src/main/java/dev/vecnn/kernel/conv", "SlabExact$Name.java"),
        new Template("core/src/template/DepthwiseConv.java.in", "core/src/main/java/dev/vecnn/kernel/conv/depthwise", "DepthwiseConv$Name.java"),
        new Template("core/src/template/DepthwiseChannelsLast.java.in", "core/src/main/java/dev/vecnn/kernel/conv/depthwise",
                "DepthwiseChannelsLast$Name.java"),
        new Template("core/src/template/DepthwiseRows.java.in", "core/src/main/java/dev/vecnn/kernel/conv/depthwise", "DepthwiseRows$Name.java"),
        new Template("core/src/template/DirectConv.java.in", "core/src/main/java/dev/vecnn/kernel/conv/direct", "DirectConv$Name.java"),
        new Template("core/src/template/BlockedConv.java.in", "core/src/main/java/dev/vecnn/kernel/conv/blocked", "BlockedConv$Name.java"),
        new Template("core/src/template/PointwiseConv.java.in", "core/src/main/java/dev/vecnn/kernel/conv/pointwise", "PointwiseConv$Name.java"),
        new Template("core/src/template/MatmulVector.java.in", "core/src/main/java/dev/vecnn/kernel/matmul", "VectorMatmul$Name.java"),
        new Template("core/src/template/PoolKernels.java.in", "core/src/main/java/dev/vecnn/kernel/pool", "PoolKernels$Name.java"),
        new Template("core/src/template/ElementwiseVector.java.in", "core/src/main/java/dev/vecnn/kernel/elementwise", "VectorElementwise$Name.java"),
        new Template("core/src/template/ElementwisePortable.java.in", "core/src/main/java/dev/vecnn/kernel/elementwise",
                "PortableElementwise$Name.java"),
        new Template("core/src/template/PortableConv.java.in", "core/src/main/java/dev/vecnn/kernel/portable/conv", "PortableConv$Name.java"),
        new Template("core/src/template/PortablePool.java.in", "core/src/main/java/dev/vecnn/kernel/portable/pool", "PortablePool$Name.java"),
    };

    /** Row counts of the generated micro-kernels. */
    static final int[] MICRO_ROWS = {12, 8, 4};
    /**
     * Positions by vectors of the channels-last GEMM tiles: 24 accumulators each. Blocks of 8, 16 or 24 float32 channels
     * take them too, lanes masked: tiles of 256-bit vectors for those ran 1.15-1.42x (8 channels) and 0.70-1.21x (16, 24)
     * inside the kernel (Zen 4, bench/results/2026-12-03-zen4-gathered-input), but a second species breaks the kernels'
     * one-species rule ({@code KernelSourceRulesTest}: its profiles boxed vectors in training before).
     */
    static final int[][] CHANNELS_LAST_TILES = {{6, 4}, {12, 2}, {24, 1}};
    /** Rows of the outer-product weight-gradient tiles of 1, 2, 3 and 4 vectors: 24 accumulators each. */
    static final int[] OUTER_ROWS = {24, 12, 8, 6};

    static Map<String, String> tokens(String dtype) {
        boolean f = dtype.equals("F32");
        Map<String, String> m = new LinkedHashMap<>();
        m.put("$Name", dtype);
        // lane-parallel integers of the same width (positions, bit patterns); before "$Vec" and "$Box"
        m.put("$IVec", f ? "IntVector" : "LongVector");
        m.put("$IBox", f ? "Integer" : "Long");
        m.put("$itype", f ? "int" : "long");
        m.put("$iarrays", f ? "ints" : "longs");
        m.put("$asBits", f ? "reinterpretAsInts" : "reinterpretAsLongs");
        m.put("$MINBITS", f ? "Integer.MIN_VALUE" : "Long.MIN_VALUE");
        m.put("$arrays", f ? "floats" : "doubles");
        m.put("$rows", f ? "floatRows" : "doubleRows");
        m.put("$bytes", f ? "4" : "8");
        m.put("$UPPER", f ? "FLOAT" : "DOUBLE");
        m.put("$type", f ? "float" : "double");
        m.put("$Vec", f ? "FloatVector" : "DoubleVector");
        m.put("$Box", f ? "Float" : "Double");
        // the elementwise templates: integer views of the bits, and float32 <-> double conversions (two halves of a float vector)
        m.put("$itype", f ? "int" : "long");
        m.put("$IVec", f ? "IntVector" : "LongVector");
        m.put("$toRaw", f ? "Float.floatToRawIntBits" : "Double.doubleToRawLongBits");
        m.put("$fromRaw", f ? "Float.intBitsToFloat" : "Double.longBitsToDouble");
        m.put("$vbits", f ? "reinterpretAsInts" : "reinterpretAsLongs");
        m.put("$vfloats", f ? "reinterpretAsFloats" : "reinterpretAsDoubles");
        m.put("$halfFields", f ? """
                    /** Rotation by DL lanes: the upper half of a float vector to the lower and back. */
                    private static final jdk.incubator.vector.VectorShuffle<Float> HALF_TURN = S.iotaShuffle(DL, 1, true);
                    /** The upper DL lanes of a float vector. */
                    private static final VectorMask<Float> UPPER = S.indexInRange(0, DL).not();\
                """ : "");
        m.put("$part", f ? "return (DoubleVector) (q == 0 ? v : v.rearrange(HALF_TURN)).convert(VectorOperators.F2D, 0)" : "return v");
        m.put("$narrow", f ? """
                FloatVector f0 = (FloatVector) d0.convert(VectorOperators.D2F, 0), f1 = (FloatVector) d1.convert(VectorOperators.D2F, 0);
                        return f0.blend(f1.rearrange(HALF_TURN), UPPER)"""
                : "return d0");
        return m;
    }

    /**
     * The micro-kernel {@code mko<rows>}: a rows x 2-vector register tile over a rolled reduction loop, A
     * k-major (step k's rows contiguous), B row k read in place at {@code b[bo + koff[ko + k]]}.
     */
    static String microKernel(int rows) {
        StringBuilder s = new StringBuilder();
        s.append("    private static void mko").append(rows)
         .append("($type[] a, int ao, $type[] b, int bo, int[] koff, int ko, int kc, $type[] c, int co, boolean accumulate) {\n");
        for (int i = 0; i < rows; i++) s.append("        $Vec c").append(i).append("a, c").append(i).append("b;\n");
        s.append("        if (accumulate) {\n");
        for (int i = 0; i < rows; i++) {
            s.append("            c").append(i).append("a = $Vec.fromArray(S, c, co + ").append(i).append(" * NR);\n");
            s.append("            c").append(i).append("b = $Vec.fromArray(S, c, co + ").append(i).append(" * NR + L);\n");
        }
        s.append("        } else {\n");
        for (int i = 0; i < rows; i++) {
            s.append("            c").append(i).append("a = $Vec.zero(S);\n");
            s.append("            c").append(i).append("b = $Vec.zero(S);\n");
        }
        s.append("        }\n");
        s.append("        for (int k = 0; k < kc; k++) {\n");
        s.append("            int bk = bo + koff[ko + k];\n");
        s.append("            $Vec b0 = $Vec.fromArray(S, b, bk);\n");
        s.append("            $Vec b1 = $Vec.fromArray(S, b, bk + L);\n");
        s.append("            int ak = ao + k * ").append(rows).append(";\n");
        for (int i = 0; i < rows; i++) {
            s.append("            $Vec a").append(i).append(" = $Vec.broadcast(S, a[ak + ").append(i).append("]);\n");
            s.append("            c").append(i).append("a = a").append(i).append(".fma(b0, c").append(i).append("a);\n");
            s.append("            c").append(i).append("b = a").append(i).append(".fma(b1, c").append(i).append("b);\n");
        }
        s.append("        }\n");
        for (int i = 0; i < rows; i++) {
            s.append("        c").append(i).append("a.intoArray(c, co + ").append(i).append(" * NR);\n");
            s.append("        c").append(i).append("b.intoArray(c, co + ").append(i).append(" * NR + L);\n");
        }
        s.append("    }\n");
        return s.toString();
    }

    /**
     * The dot-product kernel {@code dot<rows>x<cols>}: {@code acc[i][j] += sum_p x[xo_i + p] * y[yo_j + p]} for
     * p in [0, len) (a multiple of the lane count), each sum kept as a vector of lane partial sums at
     * {@code acc[ac + (i*cols + j)*L]}.
     */
    static String dotKernel(int rows, int cols) {
        StringBuilder s = new StringBuilder();
        s.append("    private static void dot").append(rows).append('x').append(cols)
         .append("($type[] x, int[] xo, int xi, $type[] y, int[] yo, int yi, int len, $type[] acc, int ac) {\n");
        for (int i = 0; i < rows; i++) s.append("        int x").append(i).append(" = xo[xi + ").append(i).append("];\n");
        for (int j = 0; j < cols; j++) s.append("        int y").append(j).append(" = yo[yi + ").append(j).append("];\n");
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                s.append("        $Vec c").append(i).append(j).append(" = $Vec.fromArray(S, acc, ac + ").append(i * cols + j).append(" * L);\n");
            }
        }
        s.append("        for (int p = 0; p < len; p += L) {\n");
        for (int i = 0; i < rows; i++) s.append("            $Vec a").append(i).append(" = $Vec.fromArray(S, x, x").append(i).append(" + p);\n");
        for (int j = 0; j < cols; j++) s.append("            $Vec b").append(j).append(" = $Vec.fromArray(S, y, y").append(j).append(" + p);\n");
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                s.append("            c").append(i).append(j).append(" = a").append(i).append(".fma(b").append(j).append(", c").append(i).append(j).append(");\n");
            }
        }
        s.append("        }\n");
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                s.append("        c").append(i).append(j).append(".intoArray(acc, ac + ").append(i * cols + j).append(" * L);\n");
            }
        }
        s.append("    }\n");
        return s.toString();
    }

    /**
     * The outer-product weight-gradient tile {@code outer<rows>x<vectors>}: {@code acc[ao + (r + i)*kp + k0 + j*L ..]
     * += sum_q sl[xo[r + i] + ws[q]] * gt[q*kp + k0 + j*L ..]} over the real positions q (rows: (channel, tap),
     * columns: output channels, one slab element broadcast per row and position).
     */
    static String outerTile(int rows, int vectors) {
        return outerTile(rows, vectors, false);
    }

    /**
     * {@link #outerTile(int, int)}, or with {@code triples} its variant {@code outer<rows>x<vectors>t} for rows in
     * runs of three consecutive slab cells ({@code xo[r + 3m + j] = xo[r + 3m] + j}: a last kernel dimension of 3
     * taps at dilation 1): one base index per run, so the JIT checks one range per run instead of one per row
     * (a third of the scalar work per step; 1.2x on the 12x2 tile alone). The same loads, products and sums.
     */
    static String outerTile(int rows, int vectors, boolean triples) {
        StringBuilder s = new StringBuilder();
        s.append("    private static void outer").append(rows).append('x').append(vectors).append(triples ? "t" : "")
         .append("($type[] sl, int[] xo, int r, int[] ws, int q0, int q1, $type[] gt, int kp, int k0, $type[] acc, int ao) {\n");
        for (int i = 0; i < rows; i += triples ? 3 : 1) s.append("        int x").append(i).append(" = xo[r + ").append(i).append("];\n");
        s.append("        int at = ao + r * kp + k0;\n");
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < vectors; j++) {
                s.append("        $Vec c").append(i).append('_').append(j).append(" = $Vec.fromArray(S, acc, at + ").append(i).append(" * kp + ")
                 .append(j).append(" * L);\n");
            }
        }
        s.append("        for (int q = q0; q < q1; q++) {\n");
        s.append("            int w = ws[q], g = q * kp + k0;\n");
        for (int j = 0; j < vectors; j++) s.append("            $Vec b").append(j).append(" = $Vec.fromArray(S, gt, g + ").append(j).append(" * L);\n");
        for (int i = 0; i < rows; i++) {
            String index = triples ? "x" + i / 3 * 3 + " + w" + (i % 3 == 0 ? "" : " + " + i % 3) : "x" + i + " + w";
            s.append("            $Vec a").append(i).append(" = $Vec.broadcast(S, sl[").append(index).append("]);\n");
            for (int j = 0; j < vectors; j++) {
                s.append("            c").append(i).append('_').append(j).append(" = a").append(i).append(".fma(b").append(j).append(", c")
                 .append(i).append('_').append(j).append(");\n");
            }
        }
        s.append("        }\n");
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < vectors; j++) {
                s.append("        c").append(i).append('_').append(j).append(".intoArray(acc, at + ").append(i).append(" * kp + ").append(j).append(" * L);\n");
            }
        }
        s.append("    }\n");
        return s.toString();
    }

    /**
     * The depthwise rows block {@code block<rows>x<chunks>}: eight accumulators, {@code rows} output rows by
     * {@code chunks} vectors of column group {@code cg}. It walks block b's entries (the distinct input rows
     * its rows read), loads an entry's vectors once per tap column and feeds each block row that reads the
     * entry (plain loads: the plan's rows are followed by zeros).
     */
    static String rowsBlock(int rows, int chunks) {
        StringBuilder s = new StringBuilder();
        s.append("    private static void block").append(rows).append('x').append(chunks)
         .append("(RowPlan p, $type[] x, $type[] wt, $type[] y, int b, int cg, $type bias, $type lo, $type hi) {\n");
        s.append("        int x0 = cg * ").append(chunks).append(" * L, rt = p.rowTaps;\n");
        s.append("        int[] entryOffset = p.entryOffset, entryTap = p.entryTap, shift = p.shift;\n");
        s.append("        $Vec ");
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < chunks; j++) s.append(i + j == 0 ? "a00 = $Vec.zero(S)" : ", a" + i + j + " = a00");
        }
        s.append(";\n");
        s.append("        for (int e = p.entryStart[b], end = p.entryStart[b + 1]; e < end; e++) {\n");
        s.append("            int row = entryOffset[e] + x0;\n");
        for (int i = 0; i < rows; i++) {
            s.append("            int h").append(i).append(" = entryTap[e * ").append(rows).append(" + ").append(i).append("] * rt;\n");
        }
        s.append("            for (int kc = 0; kc < rt; kc++) {\n");
        s.append("                int at = row + shift[kc];\n");
        for (int j = 0; j < chunks; j++) {
            s.append("                $Vec v").append(j).append(" = $Vec.fromArray(S, x, at").append(j == 0 ? "" : " + " + j + " * L").append(");\n");
        }
        for (int i = 0; i < rows; i++) {
            s.append("                if (h").append(i).append(" >= 0) {\n");
            s.append("                    $Vec w = $Vec.broadcast(S, wt[h").append(i).append(" + kc]);\n");
            for (int j = 0; j < chunks; j++) {
                s.append("                    a").append(i).append(j).append(" = w.fma(v").append(j).append(", a").append(i).append(j).append(");\n");
            }
            s.append("                }\n");
        }
        s.append("            }\n");
        s.append("        }\n");
        s.append("        // the sum first, then the bias, then the activation: the order of every other store\n");
        s.append("        $Vec bv = $Vec.broadcast(S, bias);\n");
        s.append("        int pitch = p.outRowLen, r = b * ").append(rows).append(";\n");
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < chunks; j++) {
                clampedStore(s, "a" + i + j, "bv", ".intoArray(y, (r + " + i + ") * pitch + x0" + (j == 0 ? "" : " + " + j + " * L") + ");");
            }
        }
        s.append("    }\n");
        return s.toString();
    }

    /**
     * {@link #rowsBlock} for three taps along the rows ({@code block<rows>x<chunks>r3}): an entry's three
     * shifted rows loaded at once and each block row that reads the entry fed all three taps under one test,
     * a third of the loop trips and tests (the generic loop's bookkeeping, not its multiply-adds, set its
     * speed). Each accumulator meets the entries and taps in the same order: the same bits.
     */
    static String rowsBlock3(int rows, int chunks) {
        StringBuilder s = new StringBuilder();
        s.append("    private static void block").append(rows).append('x').append(chunks)
         .append("r3(RowPlan p, $type[] x, $type[] wt, $type[] y, int b, int cg, $type bias, $type lo, $type hi) {\n");
        s.append("        int x0 = cg * ").append(chunks).append(" * L, s0 = p.shift[0], s1 = p.shift[1], s2 = p.shift[2];\n");
        s.append("        int[] entryOffset = p.entryOffset, entryTap = p.entryTap;\n");
        s.append("        $Vec ");
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < chunks; j++) s.append(i + j == 0 ? "a00 = $Vec.zero(S)" : ", a" + i + j + " = a00");
        }
        s.append(";\n");
        s.append("        for (int e = p.entryStart[b], end = p.entryStart[b + 1]; e < end; e++) {\n");
        s.append("            int row = entryOffset[e] + x0;\n");
        for (int k = 0; k < 3; k++) {
            for (int j = 0; j < chunks; j++) {
                s.append("            $Vec v").append(k).append(j).append(" = $Vec.fromArray(S, x, row + s").append(k)
                 .append(j == 0 ? "" : " + " + j + " * L").append(");\n");
            }
        }
        for (int i = 0; i < rows; i++) {
            s.append("            int h").append(i).append(" = entryTap[e * ").append(rows).append(" + ").append(i).append("] * 3;\n");
            s.append("            if (h").append(i).append(" >= 0) {\n");
            for (int k = 0; k < 3; k++) {
                s.append("                ").append(k == 0 ? "$Vec " : "").append("w = $Vec.broadcast(S, wt[h").append(i).append(k == 0 ? "" : " + " + k).append("]);\n");
                for (int j = 0; j < chunks; j++) {
                    s.append("                a").append(i).append(j).append(" = w.fma(v").append(k).append(j).append(", a").append(i).append(j).append(");\n");
                }
            }
            s.append("            }\n");
        }
        s.append("        }\n");
        s.append("        // the sum first, then the bias, then the activation: the order of every other store\n");
        s.append("        $Vec bv = $Vec.broadcast(S, bias);\n");
        s.append("        int pitch = p.outRowLen, r = b * ").append(rows).append(";\n");
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < chunks; j++) {
                clampedStore(s, "a" + i + j, "bv", ".intoArray(y, (r + " + i + ") * pitch + x0" + (j == 0 ? "" : " + " + j + " * L") + ");");
            }
        }
        s.append("    }\n");
        return s.toString();
    }

    /**
     * The channels-last GEMM tile {@code tile<positions>x<vectors>} ({@code ChannelsLastGemm}): a register tile of output
     * positions by vectors of output channels over the (channel, tap) steps, per step r the block's weight vectors and
     * position j's input element {@code x[base[j] + off[r]]} broadcast; then the bias and the clamp in the registers, and
     * position j's vectors stored at {@code out[j]}. With {@code masked} ({@code tile<positions>x<vectors>m}, for a
     * last block that runs past the output channels) position j's last vector goes to {@code tail[j L ..]} instead, for
     * the caller's masked store (a masked store to the segment in the tile itself made C2 box the tile in most JVMs).
     */
    static String channelsLastTile(int positions, int vectors, boolean masked) {
        StringBuilder s = new StringBuilder();
        s.append("    private static void tile").append(positions).append('x').append(vectors).append(masked ? "m" : "")
         .append("($type[] x, int[] base, int[] off, MemorySegment w, long wo, int red, ")
         .append("MemorySegment ys, long[] out, int k0, $type[] biasRow, $type lo, $type hi").append(masked ? ", $type[] tail" : "").append(") {\n");
        boolean locals = channelsLastBases(s, positions);
        for (int j = 0; j < positions; j++) {
            for (int i = 0; i < vectors; i++) {
                int k = j * vectors + i;
                s.append(k % 8 == 0 ? "        $Vec " : ", ").append("a").append(j).append('_').append(i).append(k == 0 ? " = $Vec.zero(S)" : " = a0_0");
                if (k % 8 == 7 || k == positions * vectors - 1) s.append(";\n");
            }
        }
        channelsLastSteps(s, "0", "red", positions, vectors, locals);
        // bias then clamp: the order of every other store
        for (int i = 0; i < vectors; i++) s.append("        $Vec b").append(i).append(" = $Vec.fromArray(S, biasRow, k0").append(lanes(i)).append(");\n");
        for (int j = 0; j < positions; j++) {
            for (int i = 0; i < vectors; i++) {
                String store = masked && i == vectors - 1 ? ".intoArray(tail, " + (j == 0 ? "0" : j == 1 ? "L" : j + " * L") + ");"
                        : ".intoMemorySegment(ys, (out[" + j + "] + k0" + lanes(i) + ") * ES, NO);";
                clampedStore(s, "a" + j + "_" + i, "b" + i, store);
            }
        }
        s.append("    }\n");
        return s.toString();
    }

    /**
     * A channels-last tile's base offsets of its positions in locals {@code u<j>}, up to 12 positions (returns whether
     * it wrote them); 24 would not fit the registers, so they are read from base[] at each step (as the hand-written
     * 24x1 tile did).
     */
    private static boolean channelsLastBases(StringBuilder s, int positions) {
        boolean locals = positions <= 12;
        for (int j = 0; locals && j < positions; j++) {
            s.append(j % 8 == 0 ? "        int " : ", ").append('u').append(j).append(" = base[").append(j).append(']');
            if (j % 8 == 7 || j == positions - 1) s.append(";\n");
        }
        return locals;
    }

    /**
     * A channels-last tile's loop over (channel, tap) steps r from {@code from} to {@code to} (expressions), the weights'
     * byte offset wo stepping by the block: the block's weight vectors, then per position one broadcast and a
     * multiply-add per vector, and the closing brace.
     */
    private static void channelsLastSteps(StringBuilder s, String from, String to, int positions, int vectors, boolean locals) {
        s.append("        for (int r = ").append(from).append("; r < ").append(to).append("; r++, wo += ")
         .append(vectors == 1 ? "L * ES" : vectors + " * L * ES").append(") {\n");
        s.append("            int o = off[r];\n");
        for (int i = 0; i < vectors; i++) {
            s.append("            $Vec w").append(i).append(" = $Vec.fromMemorySegment(S, w, wo").append(i == 0 ? "" : lanes(i) + " * ES").append(", NO);\n");
        }
        for (int j = 0; j < positions; j++) {
            s.append("            ").append(j == 0 ? "$Vec " : "").append("t = $Vec.broadcast(S, x[").append(locals ? "u" + j : "base[" + j + "]").append(" + o]);\n");
            for (int i = 0; i < vectors; i++) {
                s.append("            a").append(j).append('_').append(i).append(" = w").append(i).append(".fma(t, a").append(j).append('_').append(i).append(");\n");
            }
        }
        s.append("        }\n");
    }

    /**
     * Emits accumulator {@code acc} plus {@code bias}, clamped to [lo, hi], then {@code store}: the clamp as a compare and a
     * blend per bound ({@code Epilogue.isRegisterClamp} says when that gives the bits of a max and a min).
     */
    private static void clampedStore(StringBuilder s, String acc, String bias, String store) {
        s.append("        ").append(acc).append(" = ").append(acc).append(".add(").append(bias).append(");\n");
        s.append("        ").append(acc).append(" = ").append(acc).append(".blend(lo, ").append(acc).append(".compare(VectorOperators.LE, lo));\n");
        s.append("        ").append(acc).append(".blend(hi, ").append(acc).append(".compare(VectorOperators.GE, hi))").append(store).append('\n');
    }

    /** " + i * L" (nothing for 0): vector i's lane offset. */
    private static String lanes(int i) {
        return i == 0 ? "" : i == 1 ? " + L" : " + " + i + " * L";
    }

    /** The expansion of one template for one dtype. */
    static String expand(String template, String dtype) {
        StringBuilder micro = new StringBuilder();
        for (int i = 0; i < MICRO_ROWS.length; i++) {
            if (i > 0) micro.append('\n');
            micro.append(microKernel(MICRO_ROWS[i]));
        }
        micro.append('\n').append(dotKernel(4, 4));
        for (int v = 1; v <= OUTER_ROWS.length; v++) micro.append('\n').append(outerTile(OUTER_ROWS[v - 1], v));
        for (int v = 1; v <= OUTER_ROWS.length; v++) {
            if (OUTER_ROWS[v - 1] % 3 == 0) micro.append('\n').append(outerTile(OUTER_ROWS[v - 1], v, true));
        }
        String blocks = rowsBlock(1, 8) + "\n" + rowsBlock(2, 4) + "\n" + rowsBlock(4, 2) + "\n" + rowsBlock(8, 1) + "\n" + rowsBlock3(3, 4) + "\n"
                + rowsBlock3(6, 2) + "\n" + rowsBlock3(12, 1);
        StringBuilder clTiles = new StringBuilder();
        for (int[] t : CHANNELS_LAST_TILES) {
            if (clTiles.length() > 0) clTiles.append('\n');
            clTiles.append(channelsLastTile(t[0], t[1], false)).append('\n').append(channelsLastTile(t[0], t[1], true));
        }
        String text = template.replace("//@MICROKERNELS\n", micro.toString()).replace("//@ROWBLOCKS\n", blocks)
                .replace("//@CHANNELSLASTTILES\n", clTiles.toString());
        for (var e : tokens(dtype).entrySet()) text = text.replace(e.getKey(), e.getValue());
        return text;
    }

    /** Every generated file (relative path) and its expected content, from the repository root. */
    static Map<Path, String> outputs(Path root) throws IOException {
        Map<Path, String> out = new LinkedHashMap<>();
        for (Template t : TEMPLATES) {
            String text = Files.readString(root.resolve(t.template));
            for (String dtype : new String[] {"F32", "F64"}) {
                out.put(Path.of(t.outDir).resolve(t.outName.replace("$Name", dtype)), expand(text, dtype));
            }
        }
        return out;
    }

    /** Writes every generated file. */
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        for (var e : outputs(root).entrySet()) {
            Files.writeString(root.resolve(e.getKey()), e.getValue());
            System.out.println("wrote " + e.getKey());
        }
    }
}
