package dev.vecnn.kernel.elementwise;

import dev.vecnn.conv.Activation;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The elementwise kernels of one dtype and one backend over contiguous runs of memory segments
 * (offsets and lengths in elements). No argument checks: {@link ElementwiseKernels} checks tensors and
 * calls these. Implemented by {@code VectorElementwiseF32/F64} (Vector API) and
 * {@code PortableElementwiseF32/F64} (plain Java), which give the same bits for every method.
 *
 * <p>Arithmetic: activations, losses' terms and optimizer updates in the dtype's precision; batch
 * normalisation, the softmax and cross-entropy normalisation (e / sum) and the softmax backward in double
 * (float32 values widened, results rounded once), as the nn layers did; every reduction in double
 * through {@link OrderedSum} (or, for strided softmax, per position in class order).
 */
public interface ElementwiseEngine {
    /** The dtype of the data. */
    DType dtype();

    /** {@code y[i] = f(x[i] + bias)} ({@code + bias} only if {@code hasBias}); y may be x. */
    void activationForward(Epilogue f, MemorySegment x, long xo, MemorySegment y, long yo, long len, double bias, boolean hasBias);

    /**
     * {@code y[yo + i] = f(x[xo + i] + bias)} for {@code i < len}, from a heap array, never through a heap segment:
     * vector loads or stores on heap segments anywhere in the JVM give the JDK's segment code a second receiver type,
     * and every kernel on native segments ran 20-30% slower after them (a 1x1 convolution, 77 -> 54 GFLOP/s;
     * MobileNet-V2's layers in the model against the same layers alone). By default a bulk copy, then the
     * activation in place; the vector kernels clamp in the registers.
     */
    default void activationForward(Epilogue f, float[] x, int xo, MemorySegment y, long yo, int len, double bias, boolean hasBias) {
        MemorySegment.copy(x, xo, y, ValueLayout.JAVA_FLOAT_UNALIGNED, yo * Float.BYTES, len);
        if (hasBias || f.activation() != Activation.IDENTITY) activationForward(f, y, yo, y, yo, len, bias, hasBias);
    }

    /** {@link #activationForward(Epilogue, float[], int, MemorySegment, long, int, double, boolean)} from a double array. */
    default void activationForward(Epilogue f, double[] x, int xo, MemorySegment y, long yo, int len, double bias, boolean hasBias) {
        MemorySegment.copy(x, xo, y, ValueLayout.JAVA_DOUBLE_UNALIGNED, yo * Double.BYTES, len);
        if (hasBias || f.activation() != Activation.IDENTITY) activationForward(f, y, yo, y, yo, len, bias, hasBias);
    }

    /**
     * {@code y[from + i] = f(y[from + i] + bias)} ({@code + bias} only if {@code hasBias}) in place on a heap array,
     * through {@link Epilogue#apply(float)} (the same bits as the vector kernels) rather than a heap segment (see above).
     */
    default void activationInPlace(Epilogue f, float[] y, int from, int len, float bias, boolean hasBias) {
        for (int i = from; i < from + len; i++) y[i] = f.apply(hasBias ? y[i] + bias : y[i]);
    }

    /** {@link #activationInPlace(Epilogue, float[], int, int, float, boolean)} on a double array. */
    default void activationInPlace(Epilogue f, double[] y, int from, int len, double bias, boolean hasBias) {
        for (int i = from; i < from + len; i++) y[i] = f.apply(hasBias ? y[i] + bias : y[i]);
    }

    /**
     * {@code gx[i] = gy[i] * f'(s[i])} where s is the output y ({@code fromOutput}, needs
     * {@link dev.vecnn.conv.Activation#derivativeFromOutput}) or the input x. gx may be gy or s.
     */
    void activationBackward(Epilogue f, boolean fromOutput, MemorySegment s, long so, MemorySegment gy, long go, MemorySegment gx, long gxo,
                            long len);

    /** {@code acc += x[i]} in order. */
    void sum(MemorySegment x, long xo, long len, OrderedSum acc);

    /** {@code acc += (x[i] - mean)^2} in double, in order. */
    void sumSquaredDeviations(MemorySegment x, long xo, long len, double mean, OrderedSum acc);

    /** {@code sumA += a[i]} (if sumA is not null) and {@code dot += a[i] * b[i]}, in double, in order. */
    void sumAndDot(MemorySegment a, long ao, MemorySegment b, long bo, long len, OrderedSum sumA, OrderedSum dot);

    /**
     * Batch-norm forward of one run, in double: {@code h = (x - mean) * invStd}, {@code xhat = h} (if xhat is
     * not null), {@code y = gamma * h + beta}.
     */
    void normalize(MemorySegment x, long xo, MemorySegment xhat, long ho, MemorySegment y, long yo, long len, double mean, double invStd,
                   double gamma, double beta);

    /**
     * Batch-norm input gradient of one run, in double: training {@code gx = scale * (g - meanG - h * meanGH)},
     * evaluation {@code gx = scale * g}.
     */
    void normalizeBackward(MemorySegment g, long go, MemorySegment h, long ho, MemorySegment gx, long gxo, long len, double scale,
                           double meanG, double meanGH, boolean training);

    /** Softmax over the middle dimension of a dense (outer, classes, inner) block: e = exp(x - max) in the dtype, e / sum in double. */
    void softmaxForward(MemorySegment x, long xo, MemorySegment y, long yo, long outer, long classes, long inner, OrderedSum scratch);

    /** {@code gx = y * (gy - sum_k gy*y)} over the middle dimension of (outer, classes, inner), in double. */
    void softmaxBackward(MemorySegment y, long yo, MemorySegment gy, long go, MemorySegment gx, long gxo, long outer, long classes, long inner,
                         OrderedSum scratch);

    /** {@code out[i] = a[i] op b[i]}. */
    void binary(BinaryOp op, MemorySegment a, long ao, MemorySegment b, long bo, MemorySegment out, long oo, long len);

    /** MSE pieces: {@code grad = 2 (p - t) / count}, {@code acc += (p - t)^2} (in double). */
    void mse(MemorySegment p, long po, MemorySegment t, long to, MemorySegment grad, long go, long len, long count, OrderedSum acc);

    /**
     * BCE-with-logits pieces: {@code grad = (sigmoid(x) - t) / count},
     * {@code acc += max(x, 0) - x t + log1p(e^-|x|)} (term in the dtype, summed in double).
     */
    void bceWithLogits(MemorySegment x, long xo, MemorySegment t, long to, MemorySegment grad, long go, long len, long count, OrderedSum acc);

    /**
     * Softmax cross-entropy of one row of logits against class {@code label}: writes
     * {@code grad[k] = (softmax_k - [k == label]) / rows} and returns {@code logsumexp - x[label]} (double).
     */
    double softmaxCrossEntropyRow(MemorySegment x, long xo, long classes, long label, MemorySegment grad, long go, long rows, OrderedSum scratch);

    /**
     * SGD (PyTorch's form, no dampening/Nesterov): {@code d = g + wd w} ({@code wd = weightDecay}, skipped when 0);
     * with momentum {@code buf = first ? d : momentum buf + d}, {@code w = w - lr buf}; without (momentum 0)
     * {@code w = w - lr d} and buf is not touched (may be null).
     */
    void sgd(MemorySegment w, long wo, MemorySegment g, long go, MemorySegment buf, long bo, long len, double lr, double momentum,
             double weightDecay, boolean first);

    /** One Adam/AdamW step ({@link AdamStep}) over a run of parameters w with gradient g and moments m, v. */
    void adam(MemorySegment w, long wo, MemorySegment g, long go, MemorySegment m, long mo, MemorySegment v, long vo, long len, AdamStep s);
}
