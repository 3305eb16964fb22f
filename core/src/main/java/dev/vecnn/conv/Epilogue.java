package dev.vecnn.conv;

import dev.vecnn.kernel.elementwise.PortableElementwiseF32;
import dev.vecnn.kernel.elementwise.PortableElementwiseF64;
import java.util.Objects;

/**
 * An activation function with its parameters. As what a forward convolution does to each output value
 * as it stores it: add the bias (if the spec has one), then apply the activation, fused into the
 * kernels' stores: the clamps ({@link #isRegisterClamp()}) in the registers by the pointwise, depthwise, direct
 * (row-vector) and channels-last GEMM kernels; other activations, and the other kernels' epilogues, over each block
 * of output right after it is stored (no separate pass over the whole output). The elementwise kernels
 * ({@code dev.vecnn.kernel.elementwise.ElementwiseKernels}) take the same value for their activation
 * layers. See {@link Activation} for each function, its derivative and its source.
 *
 * @param activation the function
 * @param alpha the first parameter: the negative slope of {@link Activation#LEAKY_RELU}, alpha of
 *     {@link Activation#HARD_SIGMOID}, the lower bound of {@link Activation#CLIP}; ignored otherwise
 * @param beta the second parameter: beta of {@link Activation#HARD_SIGMOID}, the upper bound of
 *     {@link Activation#CLIP}; ignored otherwise
 */
public record Epilogue(Activation activation, double alpha, double beta) {
    /** Bias only (or nothing, without bias). */
    public static final Epilogue NONE = new Epilogue(Activation.IDENTITY, 0, 0);

    /**
     * Checks the arguments: parameters finite (CLIP's bounds may be infinite, not NaN, with
     * {@code alpha <= beta}); HARD_SIGMOID needs {@code alpha > 0}.
     */
    public Epilogue {
        Objects.requireNonNull(activation, "activation");
        if (activation == Activation.CLIP) {
            if (Double.isNaN(alpha) || Double.isNaN(beta) || alpha > beta) {
                throw new IllegalArgumentException("clip bounds [alpha, beta] = [" + alpha + ", " + beta + "]: need alpha <= beta, not NaN");
            }
        } else {
            if (!Double.isFinite(alpha)) throw new IllegalArgumentException("alpha = " + alpha + ": must be finite");
            if (!Double.isFinite(beta)) throw new IllegalArgumentException("beta = " + beta + ": must be finite");
            if (activation == Activation.HARD_SIGMOID && !(alpha > 0)) {
                throw new IllegalArgumentException("alpha = " + alpha + ": hard sigmoid needs alpha > 0");
            }
        }
    }

    /** An activation with one parameter ({@code beta} = 0): source compatibility with the former form. */
    public Epilogue(Activation activation, double alpha) {
        this(activation, alpha, 0);
    }

    /** ReLU after the bias. */
    public static Epilogue relu() {
        return new Epilogue(Activation.RELU, 0, 0);
    }

    /** Leaky ReLU with negative slope {@code alpha} (PyTorch's default is 0.01). */
    public static Epilogue leakyRelu(double alpha) {
        return new Epilogue(Activation.LEAKY_RELU, alpha, 0);
    }

    /** Sigmoid after the bias. */
    public static Epilogue sigmoid() {
        return new Epilogue(Activation.SIGMOID, 0, 0);
    }

    /** Tanh after the bias. */
    public static Epilogue tanh() {
        return new Epilogue(Activation.TANH, 0, 0);
    }

    /** GELU, tanh approximation (PyTorch's {@code approximate='tanh'}). */
    public static Epilogue gelu() {
        return new Epilogue(Activation.GELU, 0, 0);
    }

    /** Hard sigmoid max(0, min(1, alpha x + beta)) (ONNX {@code HardSigmoid}; its defaults are 0.2, 0.5). */
    public static Epilogue hardSigmoid(double alpha, double beta) {
        return new Epilogue(Activation.HARD_SIGMOID, alpha, beta);
    }

    /** PyTorch's {@code Hardsigmoid}: alpha 1/6, beta 1/2. */
    public static Epilogue hardSigmoid() {
        return hardSigmoid(1.0 / 6, 0.5);
    }

    /** Hard swish x * relu6(x + 3) / 6 (PyTorch's {@code Hardswish}). */
    public static Epilogue hardSwish() {
        return new Epilogue(Activation.HARD_SWISH, 0, 0);
    }

    /**
     * Clip to [min, max] (ONNX {@code Clip}, PyTorch {@code Hardtanh}); bounds may be infinite.
     *
     * @throws IllegalArgumentException when min or max is NaN or min > max (named as min and max: they are the
     *     record's alpha and beta)
     */
    public static Epilogue clip(double min, double max) {
        if (Double.isNaN(min) || Double.isNaN(max) || min > max) {
            throw new IllegalArgumentException("clip: min = " + min + ", max = " + max + ": need min <= max, neither NaN");
        }
        return new Epilogue(Activation.CLIP, min, max);
    }

    /** ReLU6: clip to [0, 6]. */
    public static Epilogue relu6() {
        return clip(0, 6);
    }

    /**
     * The activation applied to one value in double arithmetic: bit for bit what the float64 kernels
     * store (the same operations in the same order; see {@code PortableElementwiseF64#activate}).
     */
    public double apply(double v) {
        return PortableElementwiseF64.activate(activation, v, PortableElementwiseF64.param1(this), PortableElementwiseF64.param2(this));
    }

    /** The activation applied to one float value in float arithmetic: bit for bit what the float32 kernels store. */
    public float apply(float v) {
        return PortableElementwiseF32.activate(activation, v, PortableElementwiseF32.param1(this), PortableElementwiseF32.param2(this));
    }

    /**
     * Whether the activation is a clamp of its input to [{@link #clampLow()}, {@link #clampHigh()}]: the
     * identity, ReLU and clip (ReLU6), which most kernels apply in their registers ({@link #isRegisterClamp()}).
     */
    public boolean isClamp() {
        return activation == Activation.IDENTITY || activation == Activation.RELU || activation == Activation.CLIP;
    }

    /**
     * Whether kernels apply this clamp in their registers as a compare and a blend per bound, {@code x <= lo ? lo : x}
     * then {@code x >= hi ? hi : x}, in both float64 and float32 (the bounds rounded to float): a clamp
     * ({@link #isClamp()}) whose lower bound is not -0.0 and whose upper bound is not +0.0 in either precision. For
     * those the blends give the bits of Java's {@code Math.min(Math.max(x, lo), hi)} for every x, NaN and signed zeros
     * included (with {@code lo = -0.0} the blend would turn x = +0.0 into -0.0, where {@code Math.max} keeps +0.0; with
     * {@code hi = +0.0} likewise x = -0.0), and cost two instructions per bound where the max and min take about six
     * each (C2 on AVX-512 builds Java's NaN and signed-zero rules around vmaxps). The other clamps run as every other
     * activation, after the store.
     */
    public boolean isRegisterClamp() {
        if (!isClamp()) return false;
        double lo = clampLow(), hi = clampHigh();
        float loF = (float) lo, hiF = (float) hi;
        boolean negativeZeroLow = lo == 0 && Math.copySign(1.0, lo) < 0 || loF == 0 && Math.copySign(1f, loF) < 0;
        boolean positiveZeroHigh = hi == 0 && Math.copySign(1.0, hi) > 0 || hiF == 0 && Math.copySign(1f, hiF) > 0;
        return !negativeZeroLow && !positiveZeroHigh;
    }

    /** The lower bound of a clamp ({@link #isClamp()}): -infinity for the identity, 0 for ReLU, alpha for clip; NaN otherwise. */
    public double clampLow() {
        return switch (activation) {
            case IDENTITY -> Double.NEGATIVE_INFINITY;
            case RELU -> 0;
            case CLIP -> alpha;
            default -> Double.NaN;
        };
    }

    /** The upper bound of a clamp ({@link #isClamp()}): +infinity for the identity and ReLU, beta for clip; NaN otherwise. */
    public double clampHigh() {
        return switch (activation) {
            case IDENTITY, RELU -> Double.POSITIVE_INFINITY;
            case CLIP -> beta;
            default -> Double.NaN;
        };
    }

    /** Whether the activation's derivative can be computed from its output y (else it needs the input). */
    public boolean derivativeFromOutput() {
        return activation.derivativeFromOutput() && !(activation == Activation.LEAKY_RELU && alpha < 0);
    }
}
