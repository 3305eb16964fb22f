package dev.vecnn.conv;

/** Activations a convolution's forward pass can apply to its output as it stores it. */
public enum Activation {
    /** y. */
    IDENTITY,
    /** max(y, 0); NaN stays NaN. */
    RELU,
    /** y if y > 0, else alpha*y. */
    LEAKY_RELU,
    /** 1 / (1 + exp(-y)). */
    SIGMOID,
    /** tanh(y). */
    TANH
}
