package dev.vecnn.nn.layer;

import dev.vecnn.nn.Context;
import dev.vecnn.nn.Layer;
import dev.vecnn.nn.Param;
import dev.vecnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Layers applied in order; itself a layer, so sequences nest. Parameters are named {@code index.name}. */
public final class Sequential extends Layer {
    private final List<Layer> layers;

    /** The layers, first to last. */
    public Sequential(Layer... layers) {
        java.util.Objects.requireNonNull(layers, "layers");
        if (layers.length == 0) throw new IllegalArgumentException("layers: a sequence needs at least one layer");
        for (int i = 0; i < layers.length; i++) {
            if (layers[i] == null) throw new NullPointerException("layers[" + i + "] is null");
        }
        this.layers = List.of(layers);
    }

    @Override
    protected long[] init(long[] sample) {
        long[] s = sample;
        for (int i = 0; i < layers.size(); i++) {
            try {
                s = build(layers.get(i), ctx, s);
            } catch (IllegalArgumentException bad) {
                throw new IllegalArgumentException("layers[" + i + "] (" + layers.get(i).describe() + ") on samples " + java.util.Arrays.toString(s)
                        + ": " + bad.getMessage(), bad);
            }
        }
        // a convolution or dense layer followed by an activation computes it in its stores
        for (int i = 0; i + 1 < layers.size(); i++) {
            if (layers.get(i) instanceof FusesActivation f && layers.get(i + 1) instanceof Activation a) f.fuse(a);
        }
        // a convolution's ReLU followed by max pooling: the pooling applies the ReLU's derivative to its smaller gradient
        for (int i = 0; i + 1 < layers.size(); i++) {
            if (!(layers.get(i) instanceof ConvLayer conv)) continue;
            int next = layers.get(i + 1) instanceof Activation a && a.isFused() ? i + 2 : i + 1;
            if (next < layers.size() && layers.get(next) instanceof PoolLayer pool) conv.handReluDerivativeTo(pool);
        }
        return s;
    }

    private static long[] build(Layer l, Context ctx, long[] s) {
        return l.build(ctx, s);
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        Tensor t = x;
        for (Layer l : layers) t = l.forward(t, training);
        return t;
    }

    @Override
    public Tensor backward(Tensor gy) {
        Tensor g = gy;
        layers.get(0).inputGradientNeeded(inputGradientNeeded());
        for (int i = layers.size() - 1; i >= 0; i--) g = layers.get(i).backward(g);
        return g;
    }

    @Override
    public List<Param> params() {
        return named(false);
    }

    @Override
    public List<Param> state() {
        return named(true);
    }

    private List<Param> named(boolean state) {
        List<Param> all = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            for (Param p : state ? layers.get(i).state() : layers.get(i).params()) all.add(p.prefixed(Integer.toString(i)));
        }
        return all;
    }

    @Override
    public List<Layer> children() {
        return layers;
    }

    @Override
    public String describe() {
        return "sequential(" + layers.size() + ")";
    }
}
