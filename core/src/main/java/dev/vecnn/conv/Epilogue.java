package dev.vecnn.conv;

import java.util.Objects;

/**
 * What a forward pass does to each output value as it stores it: add the bias (if the spec has one),
 * then apply an activation. Fused into the kernels' stores: no extra pass over the output.
 *
 * @param activation the activation
 * @param alpha the negative slope of {@link Activation#LEAKY_RELU} (ignored otherwise)
 */
public record Epilogue(Activation activation, double alpha) {
    /** Bias only (or nothing, without bias). */
    public static final Epilogue NONE = new Epilogue(Activation.IDENTITY, 0);

    /** Checks the arguments. */
    public Epilogue {
        Objects.requireNonNull(activation, "activation");
        if (!Double.isFinite(alpha)) throw new IllegalArgumentException("alpha = " + alpha + ": must be finite");
    }

    /** ReLU after the bias. */
    public static Epilogue relu() {
        return new Epilogue(Activation.RELU, 0);
    }

    /** Leaky ReLU with negative slope {@code alpha}. */
    public static Epilogue leakyRelu(double alpha) {
        return new Epilogue(Activation.LEAKY_RELU, alpha);
    }

    /** Sigmoid after the bias. */
    public static Epilogue sigmoid() {
        return new Epilogue(Activation.SIGMOID, 0);
    }

    /** Tanh after the bias. */
    public static Epilogue tanh() {
        return new Epilogue(Activation.TANH, 0);
    }

    /** The activation applied to one value, in double. */
    public double apply(double v) {
        return switch (activation) {
            case IDENTITY -> v;
            case RELU -> Math.max(v, 0.0); // NaN stays NaN, as in PyTorch
            case LEAKY_RELU -> v > 0 ? v : alpha * v;
            case SIGMOID -> 1 / (1 + Math.exp(-v));
            case TANH -> Math.tanh(v);
        };
    }

    /** The activation applied to one float value, in float arithmetic (what float32 kernels store). */
    public float apply(float v) {
        return switch (activation) {
            case IDENTITY -> v;
            case RELU -> Math.max(v, 0f);
            case LEAKY_RELU -> v > 0 ? v : (float) alpha * v;
            case SIGMOID -> (float) (1 / (1 + Math.exp(-v)));
            case TANH -> (float) Math.tanh(v);
        };
    }
}
