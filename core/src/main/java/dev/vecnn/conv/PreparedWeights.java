package dev.vecnn.conv;

import dev.vecnn.tensor.Tensor;

/**
 * Convolution weights packed once into the layout of the implementation that runs a spec's forward pass,
 * for repeated forward passes while the weights do not change (inference, or one optimizer step of
 * training): {@link Conv#prepare}, then {@link Conv#forward(dev.vecnn.spec.ConvSpec, Tensor, PreparedWeights,
 * Tensor, Tensor, Epilogue, dev.vecnn.parallel.Execution)}. The packed copy does not follow writes to the
 * weight tensor: call {@link #update()} after changing it. Results are bit-identical to the unprepared call.
 */
public final class PreparedWeights {
    private final dev.vecnn.spec.ConvSpec spec;
    private final ConvImpl impl;
    private final Tensor w;
    private Object packed;

    PreparedWeights(dev.vecnn.spec.ConvSpec spec, ConvImpl impl, Tensor w) {
        this.spec = spec;
        this.impl = impl;
        this.w = w;
    }

    /** Repacks the weight tensor's current values (same buffers). */
    public PreparedWeights update() {
        dev.vecnn.spec.Arguments.convWeights(spec, w);
        packed = impl.pack(spec, w, packed);
        return this;
    }

    /** The spec these weights were prepared for. */
    public dev.vecnn.spec.ConvSpec spec() {
        return spec;
    }

    /** The implementation whose forward pass they are packed for. */
    public ConvImpl implementation() {
        return impl;
    }

    /** The weight tensor (the values packed at the last {@link #update()}). */
    public Tensor tensor() {
        return w;
    }

    Object packed() {
        return packed;
    }
}
