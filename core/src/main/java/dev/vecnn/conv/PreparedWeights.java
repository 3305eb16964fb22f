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

    /**
     * Repacks the weight tensor's current values into the same buffers: not while a forward pass on these weights (or
     * on a {@link #sharedWith} sharer) runs on another thread, which would read a mix of old and new weights.
     */
    public PreparedWeights update() {
        dev.vecnn.spec.Arguments.convWeights(spec, w);
        packed = impl.pack(spec, w, packed);
        return this;
    }

    /**
     * Prepared weights for {@code s} that share this packed copy (no second copy, no packing), when
     * {@code s} differs from this spec in its batch size alone and the dispatcher picks the same
     * implementation for it ({@link Conv#choose}); otherwise null. The packed layout depends on the
     * weights' geometry and the planes' size (a 1x1 kernel packs blocks of six rows for planes of three to four
     * vectors), both the same across batch sizes, not on the batch. After a change to the weights, prepare afresh rather than
     * {@link #update()} one of the sharers.
     */
    public PreparedWeights sharedWith(dev.vecnn.spec.ConvSpec s) {
        java.util.Objects.requireNonNull(s, "s");
        if (!s.toBuilder().batch(spec.batch()).build().equals(spec)) return null;
        if (Conv.choose(ConvPass.FORWARD, s) != impl) return null;
        PreparedWeights p = new PreparedWeights(s, impl, w);
        p.packed = packed;
        return p;
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
