package dev.vecnn.kernel.elementwise;

import dev.vecnn.conv.Activation;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.MemoryFormat;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;

/**
 * The elementwise kernels of the nn layers, losses and optimizers over whole contiguous float32 or
 * float64 tensors, on one backend: {@link #vector()} (Vector API; needs
 * {@code --add-modules jdk.incubator.vector}) or {@link #portable()} (plain Java). Both give the same
 * bits for every method, in every JIT tier and at every vector width. This class never references the
 * Vector API; the vector engines are loaded by name.
 *
 * <p>Layouts: "(N, C, plane)" means a tensor of shape (N, C, spatial...) or (N, C) (plane = product of
 * the spatial sizes, 1 for rank 2), per-channel quantities running over the N planes of a channel.
 * Every sum is in double in the fixed order of {@link OrderedSum} over the channel's elements in
 * (n, position) order (bias gradients, batch-norm statistics, loss totals, softmax denominators of a
 * contiguous row); strided softmax sums in class order per position. No result depends on threads:
 * each call runs on the calling thread, except where an {@link Execution} is passed, which splits the
 * channels, each reduced by one task in the same order.
 *
 * <p>Checks: bad arguments give an {@link IllegalArgumentException} naming the parameter (null ones a
 * {@link NullPointerException}) before any memory is written: dtypes F32/F64 and equal, tensors
 * contiguous, usable (arena alive, accessible) and of matching shapes, outputs either the very same
 * memory as an input (in place) or disjoint from it.
 */
public final class ElementwiseKernels {
    private static final ElementwiseKernels PORTABLE =
            new ElementwiseKernels("portable", PortableElementwiseF32.INSTANCE, PortableElementwiseF64.INSTANCE);
    private static volatile ElementwiseKernels vector;

    private final String name;
    private final ElementwiseEngine f32, f64;

    private ElementwiseKernels(String name, ElementwiseEngine f32, ElementwiseEngine f64) {
        this.name = name;
        this.f32 = f32;
        this.f64 = f64;
    }

    /** The plain-Java kernels (no {@code jdk.incubator.vector}). */
    public static ElementwiseKernels portable() {
        return PORTABLE;
    }

    /**
     * The Vector API kernels.
     *
     * @throws UnsupportedOperationException when the module {@code jdk.incubator.vector} is not present
     */
    public static ElementwiseKernels vector() {
        ElementwiseKernels v = vector;
        if (v == null) {
            try {
                v = new ElementwiseKernels("vector", engine("VectorElementwiseF32"), engine("VectorElementwiseF64"));
            } catch (ReflectiveOperationException | LinkageError e) {
                throw new UnsupportedOperationException("the Vector API (jdk.incubator.vector) is not available: " + e, e);
            }
            vector = v;
        }
        return v;
    }

    /** {@link #vector()} if {@code vectorApi}, else {@link #portable()}: the one place to select the backend. */
    public static ElementwiseKernels of(boolean vectorApi) {
        return vectorApi ? vector() : portable();
    }

    /** The kernels of the active backend ({@link dev.vecnn.kernel.Backend}): the Vector API ones, or the portable ones. */
    public static ElementwiseKernels defaults() {
        return of(dev.vecnn.kernel.Backend.isVector());
    }

    private static ElementwiseEngine engine(String simpleName) throws ReflectiveOperationException {
        Class<?> c = Class.forName(ElementwiseKernels.class.getPackageName() + "." + simpleName);
        return (ElementwiseEngine) c.getField("INSTANCE").get(null);
    }

    /** "vector" or "portable". */
    public String name() {
        return name;
    }

    /** The per-dtype engine (segment-level kernels, no checks). */
    public ElementwiseEngine engine(DType dtype) {
        return switch (dtype) {
            case F32 -> f32;
            case F64 -> f64;
            default -> throw new IllegalArgumentException("dtype: " + dtype + " is not f32 or f64");
        };
    }

    @Override
    public String toString() {
        return name;
    }

    // ---------------------------------------------------------------- activations

    /**
     * {@code y = f(x + bias[c])} over (N, C, plane) with {@code bias} of shape (C), or {@code y = f(x)}
     * over any shape when {@code bias} is null. y may be x (in place).
     */
    public void activationForward(Epilogue f, Tensor x, Tensor bias, Tensor y) {
        activationForward(f, x, bias, y, null);
    }

    /**
     * As {@link #activationForward(Epilogue, Tensor, Tensor, Tensor)}, cut over {@code ex}'s threads when x has
     * at least {@link #PARALLEL_ELEMENTS} elements (null: the calling thread). Each element is computed alone:
     * the same bits whatever the cut.
     */
    public void activationForward(Epilogue f, Tensor x, Tensor bias, Tensor y, Execution ex) {
        Objects.requireNonNull(f, "f");
        ElementwiseEngine e = engine(check("x", x, null));
        same("y", y, x);
        output("y", y, x);
        if (bias == null) {
            split(x.numel(), ex, (from, len) -> e.activationForward(f, x.segment(), x.offset() + from, y.segment(), y.offset() + from, len, 0, false),
                    x, y);
            return;
        }
        long[] ncp = channels("x", x);
        vectorOf("bias", bias, ncp[1], x.dtype());
        // whole channels per part: a part's runs are (image, channel) rows
        long rows = ncp[0] * ncp[1];
        split(rows, ncp[2], ex, (from, count) -> {
            for (long r = from; r < from + count; r++) {
                long at = r * ncp[2];
                e.activationForward(f, x.segment(), x.offset() + at, y.segment(), y.offset() + at, ncp[2], bias.get(r % ncp[1]), true);
            }
        }, x, y, bias);
    }

    /** Elements from which a pass is cut over the threads: below it, waking a worker (about 20 us) costs more than it saves. */
    public static final long PARALLEL_ELEMENTS = 1 << 16;

    /** A part of a pass: {@code count} items from {@code from}. */
    @FunctionalInterface
    private interface Part {
        void run(long from, long count);
    }

    /** {@code count} elements in parts of whole 64-element blocks, one per thread, when there are enough. */
    private static void split(long count, Execution ex, Part part, Tensor... touched) {
        split(count, 1, ex, part, touched);
    }

    /** {@code count} items of {@code size} elements each, in parts of whole items (of 64 elements, when items are single elements). */
    private static void split(long count, long size, Execution ex, Part part, Tensor... touched) {
        if (ex == null || ex.threads() == 1 || count * size < PARALLEL_ELEMENTS) {
            part.run(0, count);
            return;
        }
        long unit = size == 1 ? 64 : 1, units = (count + unit - 1) / unit;
        int parts = (int) Math.min(units, ex.threads());
        ex.forEach(parts, (task, s) -> {
            long from = units * task / parts * unit, to = Math.min(count, units * (task + 1) / parts * unit);
            if (to > from) part.run(from, to - from);
        }, touched);
    }

    /**
     * {@code gx = gy * f'} where {@code saved} is the forward output y ({@code savedIsOutput}) or the
     * input x; see {@link Activation} for each derivative. From y needs
     * {@link Activation#derivativeFromOutput()} (and alpha &gt;= 0 for LEAKY_RELU). gx may be gy (in place).
     */
    public void activationBackward(Epilogue f, Tensor saved, boolean savedIsOutput, Tensor gy, Tensor gx) {
        Objects.requireNonNull(f, "f");
        ElementwiseEngine e = engine(check("saved", saved, null));
        checkFromOutput(f, savedIsOutput);
        same("gy", gy, saved);
        same("gx", gx, saved);
        output("gx", gx, gy, saved);
        e.activationBackward(f, savedIsOutput, saved.segment(), saved.offset(), gy.segment(), gy.offset(), gx.segment(), gx.offset(),
                saved.numel());
    }

    /**
     * The backward of a fused convolution + activation's epilogue, in one pass over g: {@code g = g * f'}
     * in place (g holds dL/dy on entry, dL/d(conv + bias) on return) and {@code gBias[c] = sum over (n,
     * position) of the new g}, in double in {@link OrderedSum}'s order, from the rounded values the
     * convolution's backward passes then read. {@code saved} as in {@link #activationBackward}; with
     * {@link Epilogue#NONE} this is the plain bias gradient.
     *
     * @param g (N, C, plane), overwritten
     * @param gBias (C), written (any strides whose elements do not overlap)
     */
    public void activationBackwardWithBias(Epilogue f, Tensor saved, boolean savedIsOutput, Tensor g, Tensor gBias) {
        activationBackwardWithBias(f, saved, savedIsOutput, g, g, gBias, null);
    }

    /**
     * As {@link #activationBackwardWithBias(Epilogue, Tensor, boolean, Tensor, Tensor)}, from dL/dy in
     * {@code gy} into {@code g = gy * f'} (g may be gy), with the channels spread over the threads of
     * {@code ex} (null: the calling thread). Each channel is reduced by one task in the same order, so
     * the results do not depend on the thread count.
     *
     * @param gy (N, C, spatial...), read; row-major, or channels-last as saved and g are
     * @param g (N, C, spatial...), written: gy itself or disjoint from it
     * @param gBias (C), written (any strides whose elements do not overlap)
     */
    public void activationBackwardWithBias(Epilogue f, Tensor saved, boolean savedIsOutput, Tensor gy, Tensor g, Tensor gBias,
                                           Execution ex) {
        Objects.requireNonNull(f, "f");
        if (channelsLastOnly(saved) && channelsLastOnly(gy) && channelsLastOnly(g)) {
            // the derivative in memory order, then the channel sums of the rounded g: the channels-first bits
            if (!Arrays.equals(gy.shape(), saved.shape()) || !Arrays.equals(g.shape(), saved.shape())) {
                throw new IllegalArgumentException("g: shapes " + Arrays.toString(gy.shape()) + " (gy), " + Arrays.toString(g.shape())
                        + " (g) and " + Arrays.toString(saved.shape()) + " (saved) differ");
            }
            activationBackward(f, MemoryFormat.elements(saved), savedIsOutput, MemoryFormat.elements(gy), MemoryFormat.elements(g));
            biasGradient(g, gBias, ex);
            return;
        }
        ElementwiseEngine e = engine(check("saved", saved, null));
        checkFromOutput(f, savedIsOutput);
        same("gy", gy, saved);
        same("g", g, saved);
        output("g", g, gy, saved);
        long[] ncp = channels("g", g);
        vectorOf("gBias", gBias, ncp[1], g.dtype());
        if (gBias.overlaps(g) || gBias.overlaps(gy) || gBias.overlaps(saved)) {
            throw new IllegalArgumentException("gBias: overlaps gy, g or saved");
        }
        if (gBias.hasSelfOverlap()) throw new IllegalArgumentException("gBias: its elements overlap (a zero stride)");
        channelSums(e, ncp, g, gBias, ex, (at, len) -> e.activationBackward(f, savedIsOutput, saved.segment(), saved.offset() + at,
                gy.segment(), gy.offset() + at, g.segment(), g.offset() + at, len), saved, gy, g, gBias);
    }

    /**
     * The bias gradient of a convolution: {@code gBias[c] = sum over (n, position) of g}, in double in
     * {@link OrderedSum}'s order (the order {@link #activationBackwardWithBias} sums in).
     *
     * @param g (N, C, spatial...), read only; row-major or channels-last
     * @param gBias (C), written (any strides whose elements do not overlap)
     */
    public void biasGradient(Tensor g, Tensor gBias) {
        biasGradient(g, gBias, null);
    }

    /**
     * As {@link #biasGradient(Tensor, Tensor)}, with the channels spread over the threads of {@code ex}
     * (null: the calling thread), each reduced by one task in the same order: the same bits for any thread
     * count, and the bits {@link #activationBackwardWithBias} gives for the same g.
     *
     * @param g (N, C, spatial...), read only; row-major or channels-last
     * @param gBias (C), written (any strides whose elements do not overlap)
     */
    public void biasGradient(Tensor g, Tensor gBias, Execution ex) {
        boolean channelsLast = channelsLastOnly(g);
        ElementwiseEngine e = engine(check("g", channelsLast ? MemoryFormat.elements(g) : g, null));
        long[] ncp = channels("g", g);
        vectorOf("gBias", gBias, ncp[1], g.dtype());
        if (gBias.overlaps(g)) throw new IllegalArgumentException("gBias: overlaps g");
        if (gBias.hasSelfOverlap()) throw new IllegalArgumentException("gBias: its elements overlap (a zero stride)");
        if (channelsLast) channelSumsChannelsLast(ncp, g, gBias, ex);
        else channelSums(e, ncp, g, gBias, ex, null, g, gBias);
    }

    /** Whether t is channels-last and not also row-major (as {@link MemoryFormat#of}). */
    private static boolean channelsLastOnly(Tensor t) {
        return t != null && MemoryFormat.of(t) == MemoryFormat.CHANNELS_LAST;
    }

    /**
     * {@link #channelSums} of a channels-last g: each channel's terms go to its {@link OrderedSum} in the same (n,
     * position) order, so the same bits; the rows are walked once per task, each task a range of channels.
     */
    private static void channelSumsChannelsLast(long[] ncp, Tensor g, Tensor gBias, Execution ex) {
        long c = ncp[1], rows = ncp[0] * ncp[2];
        int tasks = ex == null ? 1 : (int) Math.min(c, 4L * ex.threads());
        boolean f32 = g.dtype() == DType.F32;
        MemorySegment seg = g.segment();
        Execution.Task channels = (task, sc) -> {
            long c0 = c * task / tasks, c1 = c * (task + 1) / tasks;
            OrderedSum[] acc = new OrderedSum[(int) (c1 - c0)];
            for (int k = 0; k < acc.length; k++) acc[k] = new OrderedSum();
            for (long r = 0; r < rows; r++) {
                long at = g.offset() + r * c + c0;
                for (int k = 0; k < acc.length; k++) {
                    acc[k].add(f32 ? seg.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, at + k) : seg.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, at + k));
                }
            }
            for (int k = 0; k < acc.length; k++) gBias.set(acc[k].value(), c0 + k);
        };
        if (ex == null) channels.run(0, null);
        else ex.forEach(tasks, channels, g, gBias);
    }

    /** What a bias-gradient pass does to a block of g before summing it: elements [at, at + len) past the tensors' offsets. */
    private interface BlockStep {
        void run(long at, long len);
    }

    /**
     * {@code gBias[c]} = the {@link OrderedSum} of channel c of g (N, C, plane), block by block, each block
     * after {@code before} (null: nothing) wrote it; the channels split over the threads of {@code ex} (null:
     * this thread), each channel by one task in one order, so the bits do not depend on the thread count.
     */
    private static void channelSums(ElementwiseEngine e, long[] ncp, Tensor g, Tensor gBias, Execution ex, BlockStep before,
                                    Tensor... touched) {
        int tasks = ex == null ? 1 : (int) Math.min(ncp[1], 4L * ex.threads());
        Execution.Task channels = (task, sc) -> {
            OrderedSum acc = new OrderedSum();
            for (long c = ncp[1] * task / tasks, end = ncp[1] * (task + 1) / tasks; c < end; c++) {
                acc.reset();
                for (long n = 0; n < ncp[0]; n++) {
                    long at = (n * ncp[1] + c) * ncp[2];
                    // chunks of one OrderedSum block: each is summed while it is still in the L1 cache
                    for (long i = 0; i < ncp[2]; i += OrderedSum.BLOCK) {
                        long len = Math.min(OrderedSum.BLOCK, ncp[2] - i);
                        if (before != null) before.run(at + i, len);
                        e.sum(g.segment(), g.offset() + at + i, len, acc);
                    }
                }
                gBias.set(acc.value(), c);
            }
        };
        if (ex == null) channels.run(0, null);
        else ex.forEach(tasks, channels, touched);
    }

    private static void checkFromOutput(Epilogue f, boolean fromOutput) {
        if (!fromOutput) return;
        if (!f.activation().derivativeFromOutput()) {
            throw new IllegalArgumentException("savedIsOutput: the derivative of " + f.activation() + " needs the input x, not the output");
        }
        if (f.activation() == Activation.LEAKY_RELU && f.alpha() < 0) {
            throw new IllegalArgumentException("savedIsOutput: leaky ReLU with alpha = " + f.alpha() + " < 0 needs the input x");
        }
    }

    // ---------------------------------------------------------------- batch normalisation

    /**
     * Per-channel batch mean and biased variance of x (N, C, plane), as PyTorch's training-mode batch
     * norm: two passes, {@code mean = sum x / count}, {@code var = sum (x - mean)^2 / count}, count = N *
     * plane, sums in double in {@link OrderedSum}'s order.
     *
     * @param mean length C, written
     * @param variance length C, written
     */
    public void batchNormStatistics(Tensor x, double[] mean, double[] variance) {
        ElementwiseEngine e = engine(check("x", x, null));
        long[] ncp = channels("x", x);
        length("mean", mean, ncp[1]);
        length("variance", variance, ncp[1]);
        long count = ncp[0] * ncp[2];
        OrderedSum acc = new OrderedSum();
        for (int c = 0; c < ncp[1]; c++) {
            acc.reset();
            for (long n = 0; n < ncp[0]; n++) e.sum(x.segment(), x.offset() + (n * ncp[1] + c) * ncp[2], ncp[2], acc);
            mean[c] = acc.value() / count;
            acc.reset();
            for (long n = 0; n < ncp[0]; n++) {
                e.sumSquaredDeviations(x.segment(), x.offset() + (n * ncp[1] + c) * ncp[2], ncp[2], mean[c], acc);
            }
            variance[c] = acc.value() / count;
        }
    }

    /**
     * Batch-norm forward over (N, C, plane), in double: {@code xhat = (x - mean[c]) * invStd[c]},
     * {@code y = gamma[c] * xhat + beta[c]}, each rounded once to the dtype. The caller supplies the
     * statistics (batch ones from {@link #batchNormStatistics}, or running ones in evaluation) and
     * {@code invStd = 1 / sqrt(var + eps)}.
     *
     * @param gamma (C), any strides
     * @param beta (C), any strides
     * @param xhat written if not null (what {@link #batchNormBackward} needs)
     */
    public void batchNormForward(Tensor x, double[] mean, double[] invStd, Tensor gamma, Tensor beta, Tensor xhat, Tensor y) {
        ElementwiseEngine e = engine(check("x", x, null));
        long[] ncp = channels("x", x);
        length("mean", mean, ncp[1]);
        length("invStd", invStd, ncp[1]);
        vectorOf("gamma", gamma, ncp[1], x.dtype());
        vectorOf("beta", beta, ncp[1], x.dtype());
        same("y", y, x);
        output("y", y, x);
        if (xhat != null) {
            same("xhat", xhat, x);
            output("xhat", xhat, x);
            if (xhat.overlaps(y)) throw new IllegalArgumentException("xhat: overlaps y");
        }
        for (int c = 0; c < ncp[1]; c++) {
            double g = gamma.get(c), b = beta.get(c);
            for (long n = 0; n < ncp[0]; n++) {
                long at = (n * ncp[1] + c) * ncp[2];
                e.normalize(x.segment(), x.offset() + at, xhat == null ? null : xhat.segment(), xhat == null ? 0 : xhat.offset() + at,
                        y.segment(), y.offset() + at, ncp[2], mean[c], invStd[c], g, b);
            }
        }
    }

    /**
     * Batch-norm backward over (N, C, plane), PyTorch's formulas: {@code gBeta[c] = sum gy},
     * {@code gGamma[c] = sum gy * xhat} (double, {@link OrderedSum}'s order; written, not accumulated),
     * and in double with {@code scale = gamma[c] * invStd[c]}: training
     * {@code gx = scale * (gy - sum gy / count - xhat * (sum gy xhat / count))} (the batch statistics
     * depend on x), evaluation {@code gx = scale * gy}. gx may be gy.
     *
     * @param gGamma (C) or null
     * @param gBeta (C) or null
     */
    public void batchNormBackward(Tensor gy, Tensor xhat, double[] invStd, Tensor gamma, boolean training, Tensor gx, Tensor gGamma,
                                  Tensor gBeta) {
        ElementwiseEngine e = engine(check("gy", gy, null));
        long[] ncp = channels("gy", gy);
        same("xhat", xhat, gy);
        length("invStd", invStd, ncp[1]);
        vectorOf("gamma", gamma, ncp[1], gy.dtype());
        same("gx", gx, gy);
        output("gx", gx, gy, xhat);
        if (gGamma != null) vectorOf("gGamma", gGamma, ncp[1], gy.dtype());
        if (gBeta != null) vectorOf("gBeta", gBeta, ncp[1], gy.dtype());
        long count = ncp[0] * ncp[2];
        OrderedSum sumG = new OrderedSum(), sumGH = new OrderedSum();
        for (int c = 0; c < ncp[1]; c++) {
            sumG.reset();
            sumGH.reset();
            for (long n = 0; n < ncp[0]; n++) {
                long at = (n * ncp[1] + c) * ncp[2];
                e.sumAndDot(gy.segment(), gy.offset() + at, xhat.segment(), xhat.offset() + at, ncp[2], sumG, sumGH);
            }
            double sg = sumG.value(), sgh = sumGH.value();
            if (gGamma != null) gGamma.set(sgh, c);
            if (gBeta != null) gBeta.set(sg, c);
            double scale = gamma.get(c) * invStd[c];
            for (long n = 0; n < ncp[0]; n++) {
                long at = (n * ncp[1] + c) * ncp[2];
                e.normalizeBackward(gy.segment(), gy.offset() + at, xhat.segment(), xhat.offset() + at, gx.segment(), gx.offset() + at, ncp[2],
                        scale, sg / count, sgh / count, training);
            }
        }
    }

    // ---------------------------------------------------------------- softmax, dropout

    /**
     * Softmax over dimension 1 of x (N, C, spatial...) at every other index (for (N, K): each row),
     * max-shifted: {@code y = e / sum e} with {@code e = exp(x - max)} in the dtype, the sum and the division
     * in double. y may be x.
     */
    public void softmaxForward(Tensor x, Tensor y) {
        ElementwiseEngine e = engine(check("x", x, null));
        long[] ncp = channels("x", x);
        same("y", y, x);
        output("y", y, x);
        e.softmaxForward(x.segment(), x.offset(), y.segment(), y.offset(), ncp[0], ncp[1], ncp[2], new OrderedSum());
    }

    /** Softmax backward over dimension 1, in double: {@code gx = y * (gy - sum_c gy * y)}. gx may be gy. */
    public void softmaxBackward(Tensor y, Tensor gy, Tensor gx) {
        ElementwiseEngine e = engine(check("y", y, null));
        long[] ncp = channels("y", y);
        same("gy", gy, y);
        same("gx", gx, y);
        output("gx", gx, gy, y);
        e.softmaxBackward(y.segment(), y.offset(), gy.segment(), gy.offset(), gx.segment(), gx.offset(), ncp[0], ncp[1], ncp[2],
                new OrderedSum());
    }

    /**
     * {@code out = a * b} elementwise (dropout: {@code y = mask * x} forward, {@code gx = mask * gy}
     * backward, the mask of 0 and 1/(1-p) drawn by the layer). out may be a or b.
     */
    public void multiply(Tensor a, Tensor b, Tensor out) {
        binary(BinaryOp.MUL, a, b, out);
    }

    /**
     * {@code out = a op b} elementwise, tensors of one shape and dtype (the residual addition; broadcasting is
     * the caller's). out may be a or b.
     */
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        binary(op, a, b, out, null);
    }

    /** As {@link #binary(BinaryOp, Tensor, Tensor, Tensor)}, cut over {@code ex}'s threads as {@link #activationForward(Epilogue, Tensor, Tensor, Tensor, Execution)}. */
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out, Execution ex) {
        Objects.requireNonNull(op, "op");
        ElementwiseEngine e = engine(check("a", a, null));
        same("b", b, a);
        same("out", out, a);
        output("out", out, a, b);
        split(a.numel(), ex, (from, len) -> e.binary(op, a.segment(), a.offset() + from, b.segment(), b.offset() + from, out.segment(),
                out.offset() + from, len), a, b, out);
    }

    // ---------------------------------------------------------------- losses

    /**
     * Mean squared error (PyTorch's {@code MSELoss}, mean reduction): returns
     * {@code sum (p - t)^2 / n} (double) and writes {@code grad = 2 (p - t) / n}, n = number of elements.
     */
    public double mse(Tensor prediction, Tensor target, Tensor grad) {
        ElementwiseEngine e = engine(check("prediction", prediction, null));
        same("target", target, prediction);
        same("grad", grad, prediction);
        output("grad", grad, prediction, target);
        long n = prediction.numel();
        OrderedSum acc = new OrderedSum();
        e.mse(prediction.segment(), prediction.offset(), target.segment(), target.offset(), grad.segment(), grad.offset(), n, n, acc);
        return acc.value() / n;
    }

    /**
     * Binary cross-entropy from logits x against targets t (PyTorch's {@code BCEWithLogitsLoss}, mean
     * reduction), stably: returns the mean of {@code max(x, 0) - x t + log1p(e^-|x|)} and writes
     * {@code grad = (sigmoid(x) - t) / n}.
     */
    public double bceWithLogits(Tensor logits, Tensor target, Tensor grad) {
        ElementwiseEngine e = engine(check("logits", logits, null));
        same("target", target, logits);
        same("grad", grad, logits);
        output("grad", grad, logits, target);
        long n = logits.numel();
        OrderedSum acc = new OrderedSum();
        e.bceWithLogits(logits.segment(), logits.offset(), target.segment(), target.offset(), grad.segment(), grad.offset(), n, n, acc);
        return acc.value() / n;
    }

    /**
     * Softmax cross-entropy from logits (N, K) against class indices {@code labels} (N), stored as
     * numbers 0..K-1 in any dtype (PyTorch's {@code CrossEntropyLoss}, mean reduction): returns
     * {@code mean_n (logsumexp(x_n) - x_n[label_n])} (rows summed in order in double) and writes
     * {@code grad = (softmax(x_n) - onehot(label_n)) / N}. Labels are checked before anything is written.
     */
    public double softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor grad) {
        ElementwiseEngine e = engine(check("logits", logits, null));
        long[] s = logits.shape();
        if (s.length != 2) throw new IllegalArgumentException("logits: must be (N, K), got " + Arrays.toString(s));
        Objects.requireNonNull(labels, "labels");
        labels.requireUsable("labels");
        if (labels.rank() != 1 || labels.size(0) != s[0]) {
            throw new IllegalArgumentException("labels: must be (N) = (" + s[0] + "), got " + Arrays.toString(labels.shape()));
        }
        same("grad", grad, logits);
        output("grad", grad, logits, labels);
        long[] label = new long[(int) s[0]];
        for (int n = 0; n < s[0]; n++) {
            double lv = labels.dtype() == DType.I64 ? labels.getLong(n) : labels.get(n);
            long l = (long) lv;
            if (l != lv || l < 0 || l >= s[1]) {
                throw new IllegalArgumentException("labels: label " + lv + " at " + n + " is not a class index in [0, " + s[1] + ")");
            }
            label[n] = l;
        }
        OrderedSum acc = new OrderedSum();
        double total = 0;
        for (int n = 0; n < s[0]; n++) {
            total += e.softmaxCrossEntropyRow(logits.segment(), logits.offset() + n * s[1], s[1], label[n], grad.segment(),
                    grad.offset() + n * s[1], s[0], acc);
        }
        return total / s[0];
    }

    // ---------------------------------------------------------------- optimizers

    /**
     * One SGD step over a parameter buffer, PyTorch's {@code torch.optim.SGD} (no dampening, no
     * Nesterov): {@code d = g + weightDecay * w}; with momentum {@code buf = first ? d : momentum * buf + d},
     * {@code w = w - lr * buf}; without, {@code w = w - lr * d} (buf may be null). Arithmetic in the
     * dtype with fused multiply-adds. Pass weightDecay 0 for parameters that are not decayed.
     */
    public void sgd(Tensor w, Tensor g, Tensor buf, double lr, double momentum, double weightDecay, boolean first) {
        ElementwiseEngine e = engine(check("w", w, null));
        finite("lr", lr);
        finite("momentum", momentum);
        finite("weightDecay", weightDecay);
        same("g", g, w);
        output("w", w, g);
        if (momentum != 0) {
            same("buf", buf, w);
            output("buf", buf, w, g);
        }
        e.sgd(w.segment(), w.offset(), g.segment(), g.offset(), buf == null ? null : buf.segment(), buf == null ? 0 : buf.offset(), w.numel(),
                lr, momentum, weightDecay, first);
    }

    /** One Adam/AdamW step ({@link AdamStep}) over parameters w with gradient g and moments m, v (all updated but g). */
    public void adam(Tensor w, Tensor g, Tensor m, Tensor v, AdamStep step) {
        Objects.requireNonNull(step, "step");
        ElementwiseEngine e = engine(check("w", w, null));
        same("g", g, w);
        same("m", m, w);
        same("v", v, w);
        output("w", w, g, m, v);
        output("m", m, g, v);
        output("v", v, g);
        e.adam(w.segment(), w.offset(), g.segment(), g.offset(), m.segment(), m.offset(), v.segment(), v.offset(), w.numel(), step);
    }

    // ---------------------------------------------------------------- checks

    /** Checks a contiguous, usable F32/F64 tensor (of {@code dtype} if given) and returns its dtype. */
    private static DType check(String param, Tensor t, DType dtype) {
        Objects.requireNonNull(t, param);
        t.requireUsable(param);
        if (t.dtype() != DType.F32 && t.dtype() != DType.F64) throw new IllegalArgumentException(param + ": dtype " + t.dtype() + " is not f32 or f64");
        if (dtype != null && t.dtype() != dtype) throw new IllegalArgumentException(param + ": dtype " + t.dtype() + " does not match " + dtype);
        if (!t.isContiguous()) throw new IllegalArgumentException(param + ": must be contiguous, strides " + Arrays.toString(t.strides()));
        return t.dtype();
    }

    /** Checks t like {@code like}: same dtype and shape, contiguous, usable. */
    private static void same(String param, Tensor t, Tensor like) {
        check(param, t, like.dtype());
        if (!Arrays.equals(t.shape(), like.shape())) {
            throw new IllegalArgumentException(param + ": shape " + Arrays.toString(t.shape()) + " does not match " + Arrays.toString(like.shape()));
        }
    }

    /** An output is either exactly an input's memory (in place) or disjoint from it. */
    private static void output(String param, Tensor out, Tensor... inputs) {
        for (Tensor in : inputs) {
            if (in == null || !out.overlaps(in)) continue;
            long es = out.dtype().byteSize();
            boolean identical = out.segment().heapBase().equals(in.segment().heapBase()) && out.dtype() == in.dtype()
                    && out.segment().address() + out.offset() * es == in.segment().address() + in.offset() * es;
            if (!identical) throw new IllegalArgumentException(param + ": overlaps an input without being the same memory");
        }
    }

    /** (N, C, plane) of an (N, C, spatial...) tensor. */
    private static long[] channels(String param, Tensor t) {
        long[] s = t.shape();
        if (s.length < 2) throw new IllegalArgumentException(param + ": must be (N, C, ...), got " + Arrays.toString(s));
        long plane = 1;
        for (int d = 2; d < s.length; d++) plane *= s[d];
        return new long[] {s[0], s[1], plane};
    }

    private static void vectorOf(String param, Tensor t, long c, DType dtype) {
        Objects.requireNonNull(t, param);
        t.requireUsable(param);
        if (t.rank() != 1 || t.size(0) != c) throw new IllegalArgumentException(param + ": must be (" + c + "), got " + Arrays.toString(t.shape()));
        if (t.dtype() != dtype) throw new IllegalArgumentException(param + ": dtype " + t.dtype() + " does not match " + dtype);
    }

    private static void length(String param, double[] a, long c) {
        Objects.requireNonNull(a, param);
        if (a.length != c) throw new IllegalArgumentException(param + ": length " + a.length + " does not match " + c + " channels");
    }

    private static void finite(String param, double v) {
        if (!Double.isFinite(v)) throw new IllegalArgumentException(param + " = " + v + ": must be finite");
    }
}
