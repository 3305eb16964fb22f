package dev.vecnn.nn.layer;

/**
 * A layer that ends in a convolution's stores ({@link ConvLayer}, {@link Dense}) and can compute the
 * activation that follows it there: one pass over the output instead of two, and in the backward pass
 * the activation's derivative and the bias gradient in one pass. Models fuse such pairs themselves.
 */
public interface FusesActivation {
    /**
     * Takes over {@code next}'s function (which then passes values and gradients through); false, and
     * nothing changes, when this layer already has an activation.
     */
    boolean fuse(Activation next);
}
