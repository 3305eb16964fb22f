package dev.vecnn.kernel.elementwise;

import dev.vecnn.conv.Activation;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The double elementwise kernels on the Vector API: lane by lane the operations of
 * {@link PortableElementwiseF64} in the same order, so both give the same bits (the forward activations
 * end with a masked vector, the other kernels with the portable scalar functions). No lanewise
 * EXP/TANH/LOG operators (their intrinsics may differ from the Java fallback between JIT tiers): exp, tanh, sigmoid, GELU and log1p are built from add, multiply, divide, fused
 * multiply-add, min/max, compare/blend and integer bit operations, each exactly rounded or exact.
 * Reductions go through {@link OrderedSum} (float32 terms widened to double), never {@code reduceLanes}.
 *
 * <p>In the float32 kernels, double-precision work (batch norm, softmax, sums) loads L floats and converts them
 * as two parts of DL = L / 2 lanes: the lower half lane for lane ({@code convert(F2D, 0)}), the upper
 * half after a rotation by DL lanes; back to float32 the same way, joined by a blend. The
 * part-wise {@code convertShape(.., part)} with a part other than 0 expands into so much IR that C2
 * stopped inlining (NodeCountInliningCutoff) and boxed the vectors, 50x slower. No half-width float
 * species either: a second FloatVector class in the process makes the JDK's shared FloatVector methods
 * see two receiver types, their class-check traps add up in every large kernel that inlines them, and
 * past C2's per-compilation trap limit a kernel compiled in that state keeps a virtual call beside its
 * vector operations and allocates a box for each (issue 11: voxel3d training, 170-220 MB per step in
 * 1 fork in 3 with the compile log on).
 *
 * <p>GENERATED from core/src/template/ElementwiseVector.java.in by dev.vecnn.codegen.KernelTemplates;
 * edit the template, not this file.
 */
public final class VectorElementwiseF64 implements ElementwiseEngine {
    /** The kernels. */
    public static final VectorElementwiseF64 INSTANCE = new VectorElementwiseF64();

    private VectorElementwiseF64() {
    }

    private static final ValueLayout.OfDouble LAYOUT = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final long ES = 8;
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int DL = DS.length();

    /** Double vectors per double vector: 2 for float32, 1 for float64. */
    private static final int PARTS = L / DL;
    /** Fill of an {@link OrderedSum} block above which a vector of L terms no longer fits. */
    private static final int LIMIT = OrderedSum.BLOCK - L;

    static {
        if (DL < 2) throw new UnsupportedOperationException("vectors of " + DS.vectorBitSize() + " bits are too short");
    }
    private static final ByteOrder NO = ByteOrder.nativeOrder();

    @Override
    public DType dtype() {
        return DType.F64;
    }

    // ---------------------------------------------------------------- small helpers (inlined)

    private static DoubleVector load(MemorySegment s, long i) {
        return DoubleVector.fromMemorySegment(S, s, i * ES, NO);
    }

    private static void store(DoubleVector v, MemorySegment s, long i) {
        v.intoMemorySegment(s, i * ES, NO);
    }

    private static DoubleVector bc(double v) {
        return DoubleVector.broadcast(S, v);
    }

    /**
     * Lanes [q DL, (q+1) DL) of v as doubles (q < PARTS). The loops write the two halves as {@code part(v, 0)}
     * and {@code part(v, PARTS - 1)}: for float64 (one part) both are v, and {@link #narrow} keeps the first.
     */
    private static DoubleVector part(DoubleVector v, int q) {
        return v;
    }

    /** {@link #part}'s inverse: float32 lanes d0 then d1, each rounded once; float64: d0 itself. */
    private static DoubleVector narrow(DoubleVector d0, DoubleVector d1) {
        return d0;
    }

    /** Writes the L lanes of v, as doubles, to an {@link OrderedSum} block at {@code at}. */
    private static void put(DoubleVector v, double[] blk, int at) {
        for (int q = 0; q < PARTS; q++) part(v, q).intoArray(blk, at + q * DL);
    }

    /** {@link OrderedSum#flush}, vectorised over the partials: the same additions in the same order. */
    static int flush(OrderedSum acc, int fill) {
        double[] b = acc.block, l = acc.lanes;
        int rows = fill / OrderedSum.LANES;
        for (int g = 0; g < OrderedSum.LANES; g += DL) {
            DoubleVector s = DoubleVector.fromArray(DS, l, g);
            for (int r = 0; r < rows; r++) s = s.add(DoubleVector.fromArray(DS, b, r * OrderedSum.LANES + g));
            s.intoArray(l, g);
        }
        int rem = fill - rows * OrderedSum.LANES;
        System.arraycopy(b, rows * OrderedSum.LANES, b, 0, rem);
        return rem;
    }

    // ---------------------------------------------------------------- vector math (see PortableElementwiseF64)

    private static DoubleVector poly(DoubleVector r, double[] c) {
        DoubleVector q = bc(c[c.length - 1]);
        for (int k = c.length - 2; k >= 0; k--) q = q.fma(r, bc(c[k]));
        return q;
    }

    /** 2^k for integer lanes k in the normal exponent range. */
    private static DoubleVector pow2(LongVector k) {
        return k.add(PortableElementwiseF64.BIAS).lanewise(VectorOperators.LSHL, PortableElementwiseF64.MANT).reinterpretAsDoubles();
    }

    /** e^x, lanewise {@link PortableElementwiseF64#exp}. */
    public static DoubleVector exp(DoubleVector x) {
        DoubleVector xc = x.max(PortableElementwiseF64.EXP_LO).min(PortableElementwiseF64.EXP_HI);
        DoubleVector t = xc.fma(PortableElementwiseF64.LOG2E, PortableElementwiseF64.SHIFT);
        DoubleVector n = t.sub(PortableElementwiseF64.SHIFT);
        LongVector ni = t.reinterpretAsLongs().sub(PortableElementwiseF64.SHIFT_BITS);
        DoubleVector r = n.fma(bc(PortableElementwiseF64.NLN2_HI), xc);
        r = n.fma(bc(PortableElementwiseF64.NLN2_LO), r);
        DoubleVector er = poly(r, PortableElementwiseF64.EXPQ).fma(r, bc(PortableElementwiseF64.ONE));
        LongVector k1 = ni.lanewise(VectorOperators.ASHR, 1);
        return er.mul(pow2(k1)).mul(pow2(ni.sub(k1)));
    }

    /** tanh, lanewise {@link PortableElementwiseF64#tanh}. */
    public static DoubleVector tanh(DoubleVector x) {
        DoubleVector a = x.abs().min(PortableElementwiseF64.TANH_CLAMP);
        DoubleVector t = a.mul(-2);
        DoubleVector tt = t.fma(PortableElementwiseF64.LOG2E, PortableElementwiseF64.SHIFT);
        DoubleVector n = tt.sub(PortableElementwiseF64.SHIFT);
        LongVector ni = tt.reinterpretAsLongs().sub(PortableElementwiseF64.SHIFT_BITS);
        DoubleVector r = n.fma(bc(PortableElementwiseF64.NLN2_HI), t);
        r = n.fma(bc(PortableElementwiseF64.NLN2_LO), r);
        DoubleVector p = poly(r, PortableElementwiseF64.EXPQ).mul(r);
        DoubleVector s = pow2(ni);
        DoubleVector em = s.fma(p, s.sub(1));
        DoubleVector th = em.neg().div(em.add(2));
        // copy the sign of x (Math.copySign): |th| with x's sign bit
        return th.reinterpretAsLongs().and(~PortableElementwiseF64.SIGN).or(x.reinterpretAsLongs().and(PortableElementwiseF64.SIGN)).reinterpretAsDoubles();
    }

    /** sigmoid, lanewise {@link PortableElementwiseF64#sigmoid}. */
    public static DoubleVector sigmoid(DoubleVector x) {
        DoubleVector e = exp(x.abs().neg());
        DoubleVector d = e.add(1);
        return e.blend(1, x.compare(VectorOperators.GE, 0)).div(d);
    }

    /** GELU (tanh form), lanewise {@link PortableElementwiseF64#gelu}. */
    public static DoubleVector gelu(DoubleVector x) {
        DoubleVector z = x.mul(PortableElementwiseF64.GELU_K).mul(x.mul(x).fma(PortableElementwiseF64.GELU_A, 1));
        return x.mul(sigmoid(z));
    }

    /** GELU's derivative, lanewise {@link PortableElementwiseF64#geluDerivative}. */
    public static DoubleVector geluDerivative(DoubleVector x) {
        DoubleVector x2 = x.mul(x);
        DoubleVector z = x.mul(PortableElementwiseF64.GELU_K).mul(x2.fma(PortableElementwiseF64.GELU_A, 1));
        DoubleVector e = exp(z.abs().neg());
        DoubleVector inv = bc(1).div(e.add(1));
        DoubleVector em = e.mul(inv);
        VectorMask<Double> pos = z.compare(VectorOperators.GE, 0);
        DoubleVector s = em.blend(inv, pos), sm = inv.blend(em, pos);
        return x.mul(s.mul(sm)).fma(x2.fma(PortableElementwiseF64.GELU_A3, 1).mul(PortableElementwiseF64.GELU_K), s);
    }

    /** log(1 + u) for u in [0, 1], lanewise {@link PortableElementwiseF64#log1pUnit}. */
    public static DoubleVector log1pUnit(DoubleVector u) {
        DoubleVector m = u.add(1);
        DoubleVector c = u.sub(m.sub(1)).div(m);
        VectorMask<Double> big = m.compare(VectorOperators.GT, PortableElementwiseF64.SQRT2);
        DoubleVector f = m.sub(1).blend(m.mul(PortableElementwiseF64.HALF).sub(1), big);
        DoubleVector k = bc(0).blend(1, big);
        DoubleVector s = f.div(f.add(2));
        DoubleVector z = s.mul(s);
        DoubleVector rr = z.mul(poly(z, PortableElementwiseF64.LOGR));
        DoubleVector hfsq = f.mul(PortableElementwiseF64.HALF).mul(f);
        DoubleVector lg = f.sub(hfsq.sub(s.mul(hfsq.add(rr))));
        return k.mul(PortableElementwiseF64.LN2_HI).add(lg.add(c.add(k.mul(PortableElementwiseF64.LN2_LO))));
    }

    // ---------------------------------------------------------------- kernels

    // One small loop method per function, chosen once per run: a switch per vector with every
    // function inlined into one loop made C2 give up inlining (10x slower, vectors boxed).

    @Override
    public void activationForward(Epilogue f, MemorySegment x, long xo, MemorySegment y, long yo, long len, double bias, boolean hasBias) {
        double p = PortableElementwiseF64.param1(f), q = PortableElementwiseF64.param2(f), b = (double) bias;
        switch (f.activation()) {
            case IDENTITY -> identity(x, xo, y, yo, len, b, hasBias);
            case RELU -> relu(x, xo, y, yo, len, b, hasBias);
            case LEAKY_RELU -> leakyRelu(x, xo, y, yo, len, b, hasBias, p);
            case SIGMOID -> sigmoid(x, xo, y, yo, len, b, hasBias);
            case TANH -> tanh(x, xo, y, yo, len, b, hasBias);
            case GELU -> gelu(x, xo, y, yo, len, b, hasBias);
            case HARD_SIGMOID -> hardSigmoid(x, xo, y, yo, len, b, hasBias, p, q);
            case HARD_SWISH -> hardSwish(x, xo, y, yo, len, b, hasBias);
            case CLIP -> clip(x, xo, y, yo, len, b, hasBias, p, q);
        }
    }

    /** From a heap array: clamp activations (identity, ReLU, clip) in the registers, one pass; the others as the default. */
    @Override
    public void activationForward(Epilogue f, double[] x, int xo, MemorySegment y, long yo, int len, double bias, boolean hasBias) {
        if (!f.isClamp()) {
            ElementwiseEngine.super.activationForward(f, x, xo, y, yo, len, bias, hasBias);
            return;
        }
        Activation a = f.activation();
        double lo = (double) f.clampLow(), hi = (double) f.clampHigh(), b = (double) bias;
        int i = 0;
        for (; i + L <= len; i += L) clamp(a, DoubleVector.fromArray(S, x, xo + i), b, hasBias, lo, hi).intoMemorySegment(y, (yo + i) * ES, NO);
        if (i == len) return;
        VectorMask<Double> m = S.indexInRange(i, len);
        clamp(a, DoubleVector.fromArray(S, x, xo + i, m), b, hasBias, lo, hi).intoMemorySegment(y, (yo + i) * ES, NO, m);
    }

    /** In place on a heap array: clamp activations (identity, ReLU, clip) as vectors; the others as the default. */
    @Override
    public void activationInPlace(Epilogue f, double[] y, int from, int len, double bias, boolean hasBias) {
        if (!f.isClamp()) {
            ElementwiseEngine.super.activationInPlace(f, y, from, len, bias, hasBias);
            return;
        }
        Activation a = f.activation();
        double lo = (double) f.clampLow(), hi = (double) f.clampHigh();
        int i = 0;
        for (; i + L <= len; i += L) clamp(a, DoubleVector.fromArray(S, y, from + i), bias, hasBias, lo, hi).intoArray(y, from + i);
        if (i == len) return;
        VectorMask<Double> m = S.indexInRange(i, len);
        clamp(a, DoubleVector.fromArray(S, y, from + i, m), bias, hasBias, lo, hi).intoArray(y, from + i, m);
    }

    /** {@code v + b} (only if hasBias) through the clamp {@code a}: the operations of {@link #identity}, {@link #relu} and {@link #clip}. */
    private static DoubleVector clamp(Activation a, DoubleVector v, double b, boolean hasBias, double lo, double hi) {
        DoubleVector t = hasBias ? v.add(b) : v;
        return switch (a) {
            case IDENTITY -> t;
            case RELU -> t.max(0);
            default -> t.max(lo).min(hi);
        };
    }

    private static DoubleVector in(MemorySegment x, long i, double b, boolean hasBias) {
        DoubleVector v = load(x, i);
        return hasBias ? v.add(b) : v;
    }

    /** The lanes of {@code m} from index i (the others 0). */
    private static DoubleVector in(MemorySegment x, long i, double b, boolean hasBias, VectorMask<Double> m) {
        DoubleVector v = DoubleVector.fromMemorySegment(S, x, i * ES, NO, m);
        return hasBias ? v.add(b) : v;
    }

    private static void store(DoubleVector v, MemorySegment s, long i, VectorMask<Double> m) {
        v.intoMemorySegment(s, i * ES, NO, m);
    }

    // each does its last part vector as a masked vector: the same lanewise operations as whole vectors and
    // as the portable scalars (same bits), without a per-element tail (short rows of 7 or 14 outputs, stored
    // by a convolution's epilogue one row at a time, spent most of their time there)

    private static void identity(MemorySegment x, long xo, MemorySegment y, long yo, long len, double b, boolean hasBias) {
        long i = 0;
        for (; i + L <= len; i += L) store(in(x, xo + i, b, hasBias), y, yo + i);
        if (i == len) return;
        VectorMask<Double> m = S.indexInRange(i, len);
        store(in(x, xo + i, b, hasBias, m), y, yo + i, m);
    }

    private static void relu(MemorySegment x, long xo, MemorySegment y, long yo, long len, double b, boolean hasBias) {
        long i = 0;
        for (; i + L <= len; i += L) store(in(x, xo + i, b, hasBias).max(0), y, yo + i);
        if (i == len) return;
        VectorMask<Double> m = S.indexInRange(i, len);
        store(in(x, xo + i, b, hasBias, m).max(0), y, yo + i, m);
    }

    private static void leakyRelu(MemorySegment x, long xo, MemorySegment y, long yo, long len, double b, boolean hasBias, double alpha) {
        long i = 0;
        for (; i + L <= len; i += L) {
            DoubleVector v = in(x, xo + i, b, hasBias);
            store(v.mul(alpha).blend(v, v.compare(VectorOperators.GT, 0)), y, yo + i);
        }
        if (i == len) return;
        VectorMask<Double> m = S.indexInRange(i, len);
        DoubleVector v = in(x, xo + i, b, hasBias, m);
        store(v.mul(alpha).blend(v, v.compare(VectorOperators.GT, 0)), y, yo + i, m);
    }

    private static void sigmoid(MemorySegment x, long xo, MemorySegment y, long yo, long len, double b, boolean hasBias) {
        long i = 0;
        for (; i + L <= len; i += L) store(sigmoid(in(x, xo + i, b, hasBias)), y, yo + i);
        if (i == len) return;
        VectorMask<Double> m = S.indexInRange(i, len);
        store(sigmoid(in(x, xo + i, b, hasBias, m)), y, yo + i, m);
    }

    private static void tanh(MemorySegment x, long xo, MemorySegment y, long yo, long len, double b, boolean hasBias) {
        long i = 0;
        for (; i + L <= len; i += L) store(tanh(in(x, xo + i, b, hasBias)), y, yo + i);
        if (i == len) return;
        VectorMask<Double> m = S.indexInRange(i, len);
        store(tanh(in(x, xo + i, b, hasBias, m)), y, yo + i, m);
    }

    private static void gelu(MemorySegment x, long xo, MemorySegment y, long yo, long len, double b, boolean hasBias) {
        long i = 0;
        for (; i + L <= len; i += L) store(gelu(in(x, xo + i, b, hasBias)), y, yo + i);
        if (i == len) return;
        VectorMask<Double> m = S.indexInRange(i, len);
        store(gelu(in(x, xo + i, b, hasBias, m)), y, yo + i, m);
    }

    /** p = 1/alpha, q = beta/alpha: min(max(v + q, 0), p) / p. */
    private static void hardSigmoid(MemorySegment x, long xo, MemorySegment y, long yo, long len, double b, boolean hasBias, double p, double q) {
        long i = 0;
        for (; i + L <= len; i += L) store(in(x, xo + i, b, hasBias).add(q).max(0).min(p).div(p), y, yo + i);
        if (i == len) return;
        VectorMask<Double> m = S.indexInRange(i, len);
        store(in(x, xo + i, b, hasBias, m).add(q).max(0).min(p).div(p), y, yo + i, m);
    }

    private static void hardSwish(MemorySegment x, long xo, MemorySegment y, long yo, long len, double b, boolean hasBias) {
        long i = 0;
        for (; i + L <= len; i += L) {
            DoubleVector v = in(x, xo + i, b, hasBias);
            store(v.mul(v.add(3).max(0).min(6)).div(6), y, yo + i);
        }
        if (i == len) return;
        VectorMask<Double> m = S.indexInRange(i, len);
        DoubleVector v = in(x, xo + i, b, hasBias, m);
        store(v.mul(v.add(3).max(0).min(6)).div(6), y, yo + i, m);
    }

    private static void clip(MemorySegment x, long xo, MemorySegment y, long yo, long len, double b, boolean hasBias, double lo, double hi) {
        long i = 0;
        for (; i + L <= len; i += L) store(in(x, xo + i, b, hasBias).max(lo).min(hi), y, yo + i);
        if (i == len) return;
        VectorMask<Double> m = S.indexInRange(i, len);
        store(in(x, xo + i, b, hasBias, m).max(lo).min(hi), y, yo + i, m);
    }

    @Override
    public void activationBackward(Epilogue f, boolean fromOutput, MemorySegment s, long so, MemorySegment gy, long go, MemorySegment gx,
                                   long gxo, long len) {
        Activation kind = f.activation();
        double p = PortableElementwiseF64.grad1(f, fromOutput), q = PortableElementwiseF64.grad2(f, fromOutput);
        double r = PortableElementwiseF64.grad3(f);
        boolean recompute = PortableElementwiseF64.recomputes(kind, fromOutput);
        long done = switch (kind) {
            case IDENTITY -> {
                identity(gy, go, gx, gxo, len, 0, false);
                yield len;
            }
            case RELU -> reluBackward(s, so, gy, go, gx, gxo, len);
            case LEAKY_RELU -> leakyReluBackward(s, so, gy, go, gx, gxo, len, p);
            case SIGMOID -> sigmoidBackward(s, so, gy, go, gx, gxo, len, recompute);
            case TANH -> tanhBackward(s, so, gy, go, gx, gxo, len, recompute);
            case GELU -> geluBackward(s, so, gy, go, gx, gxo, len);
            case HARD_SIGMOID -> hardSigmoidBackward(s, so, gy, go, gx, gxo, len, p, q, r);
            case HARD_SWISH -> hardSwishBackward(s, so, gy, go, gx, gxo, len);
            case CLIP -> clipBackward(s, so, gy, go, gx, gxo, len, p, q);
        };
        for (long i = done; i < len; i++) {
            double sv = s.getAtIndex(LAYOUT, so + i);
            if (recompute) sv = PortableElementwiseF64.activate(kind, sv, 0, 0);
            gx.setAtIndex(LAYOUT, gxo + i, PortableElementwiseF64.backward(kind, sv, gy.getAtIndex(LAYOUT, go + i), p, q, r));
        }
    }

    // lanewise PortableElementwiseF64.backward, one function each; zeros are selected, not multiplied

    private static long reluBackward(MemorySegment s, long so, MemorySegment gy, long go, MemorySegment gx, long gxo, long len) {
        long i = 0;
        for (; i + L <= len; i += L) store(load(gy, go + i).blend(0, load(s, so + i).compare(VectorOperators.LE, 0)), gx, gxo + i);
        return i;
    }

    private static long leakyReluBackward(MemorySegment s, long so, MemorySegment gy, long go, MemorySegment gx, long gxo, long len, double alpha) {
        long i = 0;
        for (; i + L <= len; i += L) {
            DoubleVector g = load(gy, go + i);
            store(g.mul(alpha).blend(g, load(s, so + i).compare(VectorOperators.GT, 0)), gx, gxo + i);
        }
        return i;
    }

    /** gy (1 - y) y, y recomputed from x if asked. */
    private static long sigmoidBackward(MemorySegment s, long so, MemorySegment gy, long go, MemorySegment gx, long gxo, long len,
                                        boolean recompute) {
        long i = 0;
        for (; i + L <= len; i += L) {
            DoubleVector y = load(s, so + i);
            if (recompute) y = sigmoid(y);
            store(load(gy, go + i).mul(bc(1).sub(y)).mul(y), gx, gxo + i);
        }
        return i;
    }

    /** gy fma(-y, y, 1), y recomputed from x if asked. */
    private static long tanhBackward(MemorySegment s, long so, MemorySegment gy, long go, MemorySegment gx, long gxo, long len,
                                     boolean recompute) {
        long i = 0;
        for (; i + L <= len; i += L) {
            DoubleVector y = load(s, so + i);
            if (recompute) y = tanh(y);
            store(load(gy, go + i).mul(y.neg().fma(y, bc(1))), gx, gxo + i);
        }
        return i;
    }

    private static long geluBackward(MemorySegment s, long so, MemorySegment gy, long go, MemorySegment gx, long gxo, long len) {
        long i = 0;
        for (; i + L <= len; i += L) store(load(gy, go + i).mul(geluDerivative(load(s, so + i))), gx, gxo + i);
        return i;
    }

    /** gy * slope where lo &lt; s &lt; hi, else 0. */
    private static long hardSigmoidBackward(MemorySegment s, long so, MemorySegment gy, long go, MemorySegment gx, long gxo, long len,
                                            double lo, double hi, double slope) {
        long i = 0;
        for (; i + L <= len; i += L) {
            DoubleVector v = load(s, so + i);
            VectorMask<Double> inside = v.compare(VectorOperators.GT, lo).and(v.compare(VectorOperators.LT, hi));
            store(load(gy, go + i).mul(slope).blend(0, inside.not()), gx, gxo + i);
        }
        return i;
    }

    /** 0 for x &lt; -3, gy (x/3 + 1/2) for x &lt;= 3, gy otherwise (and for NaN). */
    private static long hardSwishBackward(MemorySegment s, long so, MemorySegment gy, long go, MemorySegment gx, long gxo, long len) {
        long i = 0;
        for (; i + L <= len; i += L) {
            DoubleVector v = load(s, so + i), g = load(gy, go + i);
            DoubleVector mid = g.mul(v.div(3).add(PortableElementwiseF64.HALF));
            store(g.blend(mid, v.compare(VectorOperators.LE, 3)).blend(0, v.compare(VectorOperators.LT, -3)), gx, gxo + i);
        }
        return i;
    }

    /** 0 where s &lt;= lo or s &gt;= hi, gy otherwise (and for NaN). */
    private static long clipBackward(MemorySegment s, long so, MemorySegment gy, long go, MemorySegment gx, long gxo, long len, double lo,
                                     double hi) {
        long i = 0;
        for (; i + L <= len; i += L) {
            DoubleVector v = load(s, so + i);
            store(load(gy, go + i).blend(0, v.compare(VectorOperators.LE, lo).or(v.compare(VectorOperators.GE, hi))), gx, gxo + i);
        }
        return i;
    }

    @Override
    public void sum(MemorySegment x, long xo, long len, OrderedSum acc) {
        double[] blk = acc.block;
        int fill = acc.fill;
        long i = 0;
        for (; i + L <= len; i += L) {
            if (fill > LIMIT) fill = flush(acc, fill);
            put(load(x, xo + i), blk, fill);
            fill += L;
        }
        for (; i < len; i++) {
            if (fill == OrderedSum.BLOCK) fill = flush(acc, fill);
            blk[fill++] = x.getAtIndex(LAYOUT, xo + i);
        }
        acc.fill = fill;
    }

    @Override
    public void sumSquaredDeviations(MemorySegment x, long xo, long len, double mean, OrderedSum acc) {
        double[] blk = acc.block;
        int fill = acc.fill;
        long i = 0;
        for (; i + L <= len; i += L) {
            if (fill > LIMIT) fill = flush(acc, fill);
            DoubleVector v = load(x, xo + i);
            for (int q = 0; q < PARTS; q++) {
                DoubleVector d = part(v, q).sub(mean);
                d.mul(d).intoArray(blk, fill + q * DL);
            }
            fill += L;
        }
        for (; i < len; i++) {
            if (fill == OrderedSum.BLOCK) fill = flush(acc, fill);
            double d = x.getAtIndex(LAYOUT, xo + i) - mean;
            blk[fill++] = d * d;
        }
        acc.fill = fill;
    }

    @Override
    public void sumAndDot(MemorySegment a, long ao, MemorySegment b, long bo, long len, OrderedSum sumA, OrderedSum dot) {
        if (sumA == null) {
            dotOnly(a, ao, b, bo, len, dot);
            return;
        }
        double[] sb = sumA.block, db = dot.block;
        int sf = sumA.fill, df = dot.fill;
        long i = 0;
        for (; i + L <= len; i += L) {
            if (sf > LIMIT) sf = flush(sumA, sf);
            if (df > LIMIT) df = flush(dot, df);
            DoubleVector av = load(a, ao + i), bv = load(b, bo + i);
            for (int q = 0; q < PARTS; q++) {
                DoubleVector ad = part(av, q);
                ad.intoArray(sb, sf + q * DL);
                ad.mul(part(bv, q)).intoArray(db, df + q * DL);
            }
            sf += L;
            df += L;
        }
        for (; i < len; i++) {
            if (sf == OrderedSum.BLOCK) sf = flush(sumA, sf);
            if (df == OrderedSum.BLOCK) df = flush(dot, df);
            double av = a.getAtIndex(LAYOUT, ao + i);
            sb[sf++] = av;
            db[df++] = (double) av * b.getAtIndex(LAYOUT, bo + i);
        }
        sumA.fill = sf;
        dot.fill = df;
    }

    private static void dotOnly(MemorySegment a, long ao, MemorySegment b, long bo, long len, OrderedSum dot) {
        double[] db = dot.block;
        int df = dot.fill;
        long i = 0;
        for (; i + L <= len; i += L) {
            if (df > LIMIT) df = flush(dot, df);
            DoubleVector av = load(a, ao + i), bv = load(b, bo + i);
            for (int q = 0; q < PARTS; q++) part(av, q).mul(part(bv, q)).intoArray(db, df + q * DL);
            df += L;
        }
        for (; i < len; i++) {
            if (df == OrderedSum.BLOCK) df = flush(dot, df);
            db[df++] = (double) a.getAtIndex(LAYOUT, ao + i) * b.getAtIndex(LAYOUT, bo + i);
        }
        dot.fill = df;
    }

    @Override
    public void normalize(MemorySegment x, long xo, MemorySegment xhat, long ho, MemorySegment y, long yo, long len, double mean,
                          double invStd, double gamma, double beta) {
        long i = 0;
        for (; i + L <= len; i += L) {
            DoubleVector xv = load(x, xo + i);
            DoubleVector h0 = part(xv, 0).sub(mean).mul(invStd), h1 = part(xv, PARTS - 1).sub(mean).mul(invStd);
            if (xhat != null) store(narrow(h0, h1), xhat, ho + i);
            store(narrow(h0.mul(gamma).add(beta), h1.mul(gamma).add(beta)), y, yo + i);
        }
        if (i < len) PortableElementwiseF64.INSTANCE.normalize(x, xo + i, xhat, ho + i, y, yo + i, len - i, mean, invStd, gamma, beta);
    }

    @Override
    public void normalizeBackward(MemorySegment g, long go, MemorySegment h, long ho, MemorySegment gx, long gxo, long len, double scale,
                                  double meanG, double meanGH, boolean training) {
        long i = 0;
        if (training) {
            for (; i + L <= len; i += L) {
                DoubleVector gv = load(g, go + i), hv = load(h, ho + i);
                DoubleVector d0 = part(gv, 0).sub(meanG).sub(part(hv, 0).mul(meanGH)).mul(scale);
                DoubleVector d1 = part(gv, PARTS - 1).sub(meanG).sub(part(hv, PARTS - 1).mul(meanGH)).mul(scale);
                store(narrow(d0, d1), gx, gxo + i);
            }
        } else {
            for (; i + L <= len; i += L) {
                DoubleVector gv = load(g, go + i);
                store(narrow(part(gv, 0).mul(scale), part(gv, PARTS - 1).mul(scale)), gx, gxo + i);
            }
        }
        if (i < len) {
            PortableElementwiseF64.INSTANCE.normalizeBackward(g, go + i, h, ho + i, gx, gxo + i, len - i, scale, meanG, meanGH, training);
        }
    }

    @Override
    public void softmaxForward(MemorySegment x, long xo, MemorySegment y, long yo, long outer, long classes, long inner, OrderedSum acc) {
        for (long n = 0; n < outer; n++) {
            long base = n * classes * inner;
            if (inner == 1) {
                expRow(x, xo + base, y, yo + base, classes, rowMax(x, xo + base, classes));
                sum(y, yo + base, classes, acc.reset());
                divideRow(y, yo + base, classes, acc.value(), 1);
                continue;
            }
            long p = 0;
            for (; p + L <= inner; p += L) softmaxPositions(x, xo + base + p, y, yo + base + p, classes, inner);
            for (; p < inner; p++) PortableElementwiseF64.softmaxPosition(x, xo + base + p, y, yo + base + p, classes, inner);
        }
    }

    /** Maximum of a row (exact: max is independent of order). */
    private static double rowMax(MemorySegment x, long xo, long len) {
        double max = Float.NEGATIVE_INFINITY;
        long k = 0;
        if (len >= L) {
            DoubleVector m = load(x, xo);
            for (k = L; k + L <= len; k += L) m = m.max(load(x, xo + k));
            for (int j = 0; j < L; j++) max = Math.max(max, m.lane(j));
        }
        for (; k < len; k++) max = Math.max(max, x.getAtIndex(LAYOUT, xo + k));
        return max;
    }

    /** y = exp(x - max) over a row. */
    private static void expRow(MemorySegment x, long xo, MemorySegment y, long yo, long len, double max) {
        long k = 0;
        for (; k + L <= len; k += L) store(exp(load(x, xo + k).sub(max)), y, yo + k);
        for (; k < len; k++) y.setAtIndex(LAYOUT, yo + k, PortableElementwiseF64.exp(x.getAtIndex(LAYOUT, xo + k) - max));
    }

    /** y = y / sum / n in double, rounded once (n = 1: y / sum). */
    private static void divideRow(MemorySegment y, long yo, long len, double sum, double n) {
        long k = 0;
        for (; k + L <= len; k += L) {
            DoubleVector yv = load(y, yo + k);
            DoubleVector v0 = part(yv, 0).div(sum), v1 = part(yv, PARTS - 1).div(sum);
            store(n == 1 ? narrow(v0, v1) : narrow(v0.div(n), v1.div(n)), y, yo + k);
        }
        for (; k < len; k++) {
            double v = y.getAtIndex(LAYOUT, yo + k) / sum;
            y.setAtIndex(LAYOUT, yo + k, (double) (n == 1 ? v : v / n));
        }
    }

    /** Softmax at L consecutive positions of a strided block, lanewise {@link PortableElementwiseF64#softmaxPosition}. */
    private static void softmaxPositions(MemorySegment x, long xo, MemorySegment y, long yo, long classes, long inner) {
        DoubleVector m = bc(Float.NEGATIVE_INFINITY);
        for (long k = 0; k < classes; k++) m = m.max(load(x, xo + k * inner));
        DoubleVector s0 = DoubleVector.zero(DS), s1 = s0;
        for (long k = 0; k < classes; k++) {
            long at = k * inner;
            DoubleVector e = exp(load(x, xo + at).sub(m));
            store(e, y, yo + at);
            s0 = s0.add(part(e, 0));
            s1 = s1.add(part(e, PARTS - 1));
        }
        for (long k = 0; k < classes; k++) {
            long at = yo + k * inner;
            DoubleVector e = load(y, at);
            store(narrow(part(e, 0).div(s0), part(e, PARTS - 1).div(s1)), y, at);
        }
    }

    @Override
    public void softmaxBackward(MemorySegment y, long yo, MemorySegment gy, long go, MemorySegment gx, long gxo, long outer, long classes,
                                long inner, OrderedSum acc) {
        for (long n = 0; n < outer; n++) {
            long base = n * classes * inner;
            if (inner == 1) {
                dotOnly(gy, go + base, y, yo + base, classes, acc.reset());
                softmaxGradRow(y, yo + base, gy, go + base, gx, gxo + base, classes, acc.value());
                continue;
            }
            long p = 0;
            for (; p + L <= inner; p += L) softmaxGradPositions(y, yo + base + p, gy, go + base + p, gx, gxo + base + p, classes, inner);
            for (; p < inner; p++) PortableElementwiseF64.softmaxGradPosition(y, yo + base + p, gy, go + base + p, gx, gxo + base + p, classes, inner);
        }
    }

    private static void softmaxGradRow(MemorySegment y, long yo, MemorySegment gy, long go, MemorySegment gx, long gxo, long len, double dot) {
        long k = 0;
        for (; k + L <= len; k += L) {
            DoubleVector yv = load(y, yo + k), gv = load(gy, go + k);
            DoubleVector g0 = part(yv, 0).mul(part(gv, 0).sub(dot)), g1 = part(yv, PARTS - 1).mul(part(gv, PARTS - 1).sub(dot));
            store(narrow(g0, g1), gx, gxo + k);
        }
        for (; k < len; k++) {
            double yv = y.getAtIndex(LAYOUT, yo + k);
            gx.setAtIndex(LAYOUT, gxo + k, (double) (yv * (gy.getAtIndex(LAYOUT, go + k) - dot)));
        }
    }

    /** Softmax backward at L consecutive positions: the dot products in double in class order. */
    private static void softmaxGradPositions(MemorySegment y, long yo, MemorySegment gy, long go, MemorySegment gx, long gxo, long classes,
                                             long inner) {
        DoubleVector d0 = DoubleVector.zero(DS), d1 = d0;
        for (long k = 0; k < classes; k++) {
            DoubleVector gv = load(gy, go + k * inner), yv = load(y, yo + k * inner);
            d0 = d0.add(part(gv, 0).mul(part(yv, 0)));
            d1 = d1.add(part(gv, PARTS - 1).mul(part(yv, PARTS - 1)));
        }
        for (long k = 0; k < classes; k++) {
            long at = k * inner;
            DoubleVector yv = load(y, yo + at), gv = load(gy, go + at);
            DoubleVector g0 = part(yv, 0).mul(part(gv, 0).sub(d0)), g1 = part(yv, PARTS - 1).mul(part(gv, PARTS - 1).sub(d1));
            store(narrow(g0, g1), gx, gxo + at);
        }
    }

    @Override
    public void binary(BinaryOp op, MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment out, long oo, long len) {
        // one loop per operator: a lanewise operator that is not a constant is not intrinsified
        long i = 0;
        switch (op) {
            case ADD -> {
                for (; i + L <= len; i += L) store(load(a, ao + i).add(load(b, bo + i)), out, oo + i);
            }
            case SUB -> {
                for (; i + L <= len; i += L) store(load(a, ao + i).sub(load(b, bo + i)), out, oo + i);
            }
            case MUL -> {
                for (; i + L <= len; i += L) store(load(a, ao + i).mul(load(b, bo + i)), out, oo + i);
            }
            case DIV -> {
                for (; i + L <= len; i += L) store(load(a, ao + i).div(load(b, bo + i)), out, oo + i);
            }
        }
        for (; i < len; i++) out.setAtIndex(LAYOUT, oo + i, PortableElementwiseF64.binary(op, a.getAtIndex(LAYOUT, ao + i), b.getAtIndex(LAYOUT, bo + i)));
    }

    @Override
    public void mse(MemorySegment p, long po, MemorySegment t, long to, MemorySegment grad, long go, long len, long count, OrderedSum acc) {
        double c = (double) count;
        double[] blk = acc.block;
        int fill = acc.fill;
        long i = 0;
        for (; i + L <= len; i += L) {
            if (fill > LIMIT) fill = flush(acc, fill);
            DoubleVector d = load(p, po + i).sub(load(t, to + i));
            store(d.mul(2).div(c), grad, go + i);
            for (int q = 0; q < PARTS; q++) {
                DoubleVector dd = part(d, q);
                dd.mul(dd).intoArray(blk, fill + q * DL);
            }
            fill += L;
        }
        acc.fill = fill;
        if (i < len) PortableElementwiseF64.INSTANCE.mse(p, po + i, t, to + i, grad, go + i, len - i, count, acc);
    }

    @Override
    public void bceWithLogits(MemorySegment x, long xo, MemorySegment t, long to, MemorySegment grad, long go, long len, long count,
                              OrderedSum acc) {
        double c = (double) count;
        double[] blk = acc.block;
        int fill = acc.fill;
        long i = 0;
        for (; i + L <= len; i += L) {
            if (fill > LIMIT) fill = flush(acc, fill);
            DoubleVector xv = load(x, xo + i), tv = load(t, to + i);
            DoubleVector e = exp(xv.abs().neg());
            DoubleVector sig = e.blend(1, xv.compare(VectorOperators.GE, 0)).div(e.add(1));
            store(sig.sub(tv).div(c), grad, go + i);
            put(xv.max(0).sub(xv.mul(tv)).add(log1pUnit(e)), blk, fill);
            fill += L;
        }
        acc.fill = fill;
        if (i < len) PortableElementwiseF64.INSTANCE.bceWithLogits(x, xo + i, t, to + i, grad, go + i, len - i, count, acc);
    }

    @Override
    public double softmaxCrossEntropyRow(MemorySegment x, long xo, long classes, long label, MemorySegment grad, long go, long rows,
                                         OrderedSum acc) {
        double max = rowMax(x, xo, classes);
        expRow(x, xo, grad, go, classes, max);
        sum(grad, go, classes, acc.reset());
        double sum = acc.value();
        double eLabel = grad.getAtIndex(LAYOUT, go + label);
        divideRow(grad, go, classes, sum, rows);
        grad.setAtIndex(LAYOUT, go + label, (double) ((eLabel / sum - 1) / rows));
        return (max + StrictMath.log(sum)) - x.getAtIndex(LAYOUT, xo + label);
    }

    @Override
    public void sgd(MemorySegment w, long wo, MemorySegment g, long go, MemorySegment buf, long bo, long len, double lr, double momentum,
                    double weightDecay, boolean first) {
        double nlr = (double) -lr, mu = (double) momentum, wd = (double) weightDecay;
        boolean decay = weightDecay != 0, mom = momentum != 0;
        long i = 0;
        for (; i + L <= len; i += L) {
            DoubleVector wv = load(w, wo + i), d = load(g, go + i);
            if (decay) d = wv.fma(bc(wd), d);
            if (mom) {
                if (!first) d = load(buf, bo + i).fma(bc(mu), d);
                store(d, buf, bo + i);
            }
            store(d.fma(bc(nlr), wv), w, wo + i);
        }
        if (i < len) PortableElementwiseF64.INSTANCE.sgd(w, wo + i, g, go + i, buf, bo + i, len - i, lr, momentum, weightDecay, first);
    }

    @Override
    public void adam(MemorySegment w, long wo, MemorySegment g, long go, MemorySegment m, long mo, MemorySegment v, long vo, long len,
                     AdamStep st) {
        double b1 = (double) st.beta1(), b2 = (double) st.beta2(), c1 = (double) (1 - st.beta1()), c2 = (double) (1 - st.beta2());
        double eps = (double) st.eps(), nstep = (double) -st.stepSize(), sq2 = (double) st.sqrtCorrection2();
        double wd = (double) st.weightDecay(), shrink = (double) (1 - st.lr() * st.weightDecay());
        boolean l2 = st.weightDecay() != 0 && !st.decoupled(), decoupled = st.weightDecay() != 0 && st.decoupled();
        long i = 0;
        for (; i + L <= len; i += L) {
            DoubleVector wv = load(w, wo + i), gv = load(g, go + i);
            if (decoupled) wv = wv.mul(shrink);
            if (l2) gv = wv.fma(bc(wd), gv);
            DoubleVector mv = load(m, mo + i).fma(bc(b1), gv.mul(c1));
            DoubleVector vv = load(v, vo + i).fma(bc(b2), gv.mul(c2).mul(gv));
            DoubleVector den = vv.sqrt().div(sq2).add(eps);
            store(mv, m, mo + i);
            store(vv, v, vo + i);
            store(mv.div(den).fma(bc(nstep), wv), w, wo + i);
        }
        if (i < len) PortableElementwiseF64.INSTANCE.adam(w, wo + i, g, go + i, m, mo + i, v, vo + i, len - i, st);
    }
}
