package dev.vecnn.nn;

import static dev.vecnn.testing.Props.draw;
import static dev.vecnn.testing.Props.oneIn;

import dev.vecnn.nn.layer.Activation;
import dev.vecnn.nn.layer.BatchNorm;
import dev.vecnn.nn.layer.ConvLayer;
import dev.vecnn.nn.layer.Dense;
import dev.vecnn.nn.layer.Elementwise;
import dev.vecnn.nn.layer.Flatten;
import dev.vecnn.nn.layer.PoolLayer;
import dev.vecnn.nn.layer.Residual;
import dev.vecnn.nn.layer.Sequential;
import dev.vecnn.nn.layer.Softmax;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PoolKind;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import dev.vecnn.testing.Gens;
import dev.vecnn.testing.Props;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Every layer's backward pass, and randomly composed models, against central differences in float64
 * ({@link GradCheck}) over generated configurations: convolutions and pooling from the core's spec
 * generators (ranks 1-3, every option), dense layers, each activation, softmax, batch normalisation,
 * residual blocks. A failing case prints its layers' text forms and its seed.
 *
 * <p>Kinks: max pooling sees distinct inputs 1/8 apart, and ReLU-type activations inputs at least
 * 1/16 from zero, so no step of h = 1e-5 crosses a kink. Composed models use the smooth activations.
 */
class LayerGradientTest {
    /** A model to check: its layers (fresh), sample shape, batch, input kind and seed. */
    record Case(String text, Supplier<Layer[]> layers, long[] sample, long batch, Input input, long seed) {
        @Override
        public String toString() {
            return text + " on (" + batch + ", " + Arrays.toString(sample).replaceAll("[\\[\\]]", "") + ") " + input + " seed=" + seed;
        }
    }

    enum Input { UNIFORM, DISTINCT, AWAY_FROM_ZERO }

    static Layer[] layers(Layer... l) {
        return l;
    }

    static void run(Case c) {
        try (Model m = Model.of(c.sample, DType.F64, c.seed, c.layers.get())) {
            Tensor x = m.context().allocate(Layer.withBatch(c.batch, c.sample));
            fill(x, c.input, c.seed);
            GradCheck.check(m, x, c.seed + 1, c);
        }
    }

    static void fill(Tensor x, Input kind, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long n = x.numel();
        long[] perm = new long[(int) n];
        for (int i = 0; i < n; i++) perm[i] = i;
        for (int i = (int) n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            long t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        for (int i = 0; i < n; i++) {
            double v = switch (kind) {
                case UNIFORM -> r.nextDouble(-1, 1);
                case DISTINCT -> (perm[i] - n / 2.0) / 8;
                case AWAY_FROM_ZERO -> (r.nextBoolean() ? 1 : -1) * (1 / 16.0 + r.nextInt(16) / 8.0);
            };
            Elementwise.set(x, x.offset() + i, v);
        }
    }

    static long[] sample(long[] shapeWithBatch) {
        return Arrays.copyOfRange(shapeWithBatch, 1, shapeWithBatch.length);
    }

    @Test
    void convolution() {
        Props.qt(60).forAll(Gens.withSeed(Gens.convSpecs(3))).checkAssert(c -> {
            ConvSpec s = c.spec();
            run(new Case("conv " + s, () -> layers(ConvLayer.of(s)), sample(s.inputShape()), s.batch(), Input.UNIFORM, c.seed()));
        });
    }

    @Test
    void pooling() {
        Props.qt(60).forAll(Gens.withSeed(Gens.poolSpecs(3))).checkAssert(c -> {
            PoolSpec s = c.spec();
            run(new Case("pool " + s, () -> layers(PoolLayer.of(s)), sample(s.inputShape()), s.batch(),
                    s.kind().isMax() ? Input.DISTINCT : Input.UNIFORM, c.seed()));
        });
    }

    @Test
    void denseAndFlatten() {
        Gen<Case> cases = in -> {
            int c = draw(in, 1, 3), h = draw(in, 1, 4), out = draw(in, 1, 5);
            boolean bias = !oneIn(in, 3);
            return new Case("flatten, dense " + out + (bias ? "" : " nobias"), () -> layers(new Flatten(), new Dense(out).bias(bias)),
                    new long[] {c, h}, draw(in, 1, 3), Input.UNIFORM, draw(in, 0, 1 << 20));
        };
        Props.qt(40).forAll(cases).checkAssert(LayerGradientTest::run);
    }

    @Test
    void activations() {
        Gen<Case> cases = in -> {
            int kind = draw(in, 0, 5);
            long[] sample = shape(in);
            Supplier<Layer> make = switch (kind) {
                case 0 -> Activation::relu;
                case 1 -> () -> Activation.leakyRelu(0.1);
                case 2 -> Activation::sigmoid;
                case 3 -> Activation::tanh;
                case 4 -> Activation::gelu;
                default -> Softmax::new;
            };
            Input input = kind <= 1 ? Input.AWAY_FROM_ZERO : Input.UNIFORM;
            return new Case(make.get().describe(), () -> layers(make.get()), sample, draw(in, 1, 3), input, draw(in, 0, 1 << 20));
        };
        Props.qt(60).forAll(cases).checkAssert(LayerGradientTest::run);
    }

    @Test
    void batchNormalisation() {
        Gen<Case> cases = in -> {
            long[] sample = shape(in);
            long batch = draw(in, 2, 3);
            return new Case("batchnorm", () -> layers(new BatchNorm()), sample, batch, Input.UNIFORM, draw(in, 0, 1 << 20));
        };
        Props.qt(40).forAll(cases).checkAssert(LayerGradientTest::run);
    }

    /** (C, spatial...) with rank 0 to 2 spatial dimensions. */
    static long[] shape(org.quicktheories.core.RandomnessSource in) {
        int rank = draw(in, 0, 2);
        long[] s = new long[rank + 1];
        s[0] = draw(in, 1, 4);
        for (int d = 1; d <= rank; d++) s[d] = draw(in, 1, 4);
        return s;
    }

    @Test
    void composedModels() {
        Gen<ConvSpec> convs = Gens.convSpecs(3);
        Gen<Case> cases = in -> {
            ConvSpec s = convs.generate(in);
            int act = draw(in, 0, 2), pool = draw(in, 0, 2);
            boolean norm = oneIn(in, 2), residual = oneIn(in, 2);
            int out = draw(in, 1, 3);
            List<String> text = new ArrayList<>(List.of("conv " + s));
            if (norm) text.add("batchnorm");
            text.add(new String[] {"tanh", "sigmoid", "gelu"}[act]);
            if (residual) text.add("residual(conv same, tanh)");
            text.add(new String[] {"", "avgpool k2 (or the size) ceil", "adaptiveavgpool o1"}[pool]);
            text.add("flatten, dense " + out);
            Supplier<Layer[]> layers = () -> {
                List<Layer> l = new ArrayList<>(List.of(ConvLayer.of(s)));
                if (norm) l.add(new BatchNorm());
                l.add(new Activation[] {Activation.tanh(), Activation.sigmoid(), Activation.gelu()}[act]);
                int[] k = new int[s.rank()];
                Arrays.fill(k, 3);
                if (residual) l.add(new Residual(new Sequential(new ConvLayer(s.outChannels(), k).paddingSame(), Activation.tanh())));
                if (pool == 1) {
                    for (int d = 0; d < k.length; d++) k[d] = (int) Math.min(2, s.outputSize(d));
                    l.add(PoolLayer.avg(k).ceilMode(true));
                } else if (pool == 2) {
                    long[] o = new long[s.rank()];
                    Arrays.fill(o, 1);
                    l.add(PoolLayer.adaptiveAvg(o));
                }
                l.add(new Flatten());
                l.add(new Dense(out));
                return l.toArray(Layer[]::new);
            };
            return new Case(String.join(", ", text).replace(", ,", ","), layers, sample(s.inputShape()), s.batch() + 1, Input.UNIFORM,
                    draw(in, 0, 1 << 20));
        };
        Props.qt(40).forAll(cases).checkAssert(LayerGradientTest::run);
    }

    @Test
    void poolingKindsInAModel() {
        // max pooling inside a model, fed directly by distinct inputs, then a dense head
        for (PoolKind kind : new PoolKind[] {PoolKind.MAX, PoolKind.GLOBAL_MAX, PoolKind.ADAPTIVE_MAX}) {
            Supplier<Layer[]> layers = () -> layers(kind == PoolKind.MAX ? PoolLayer.max(2, 2).stride(1, 2)
                    : kind == PoolKind.GLOBAL_MAX ? PoolLayer.globalMax() : PoolLayer.adaptiveMax(2, 3), new Flatten(), new Dense(2));
            run(new Case(kind.textName() + ", flatten, dense 2", layers, new long[] {2, 5, 6}, 2, Input.DISTINCT, 11));
        }
    }
}
