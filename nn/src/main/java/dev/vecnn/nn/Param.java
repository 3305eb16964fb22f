package dev.vecnn.nn;

import dev.vecnn.tensor.Tensor;

/**
 * A trainable tensor and its gradient (same shape and dtype). Backward passes overwrite {@link #grad}
 * with dL/d{@link #value} for the current mini-batch.
 *
 * @param name  the dotted path used in summaries and weight files, e.g. {@code 0.weight}
 * @param value the parameter
 * @param grad  its gradient
 * @param decay whether weight decay applies (weights yes; biases and normalisation scales no)
 */
public record Param(String name, Tensor value, Tensor grad, boolean decay) {
    /** The same parameter under a prefixed name ({@code prefix.name}). */
    public Param prefixed(String prefix) {
        return new Param(prefix + "." + name, value, grad, decay);
    }
}
