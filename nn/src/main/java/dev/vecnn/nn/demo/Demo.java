package dev.vecnn.nn.demo;

import dev.vecnn.ref.ReferenceConv;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;

/**
 * The main job's stand-in until the nn layers land: the lecture's convolution (a batch of 32
 * 3-channel 32x32 images, two 3x3 filters), its bookkeeping, and a check that backward-data is the
 * adjoint of forward, all through the reference kernels.
 */
public final class Demo {
    private Demo() {
    }

    /** Runs the demo; prints to standard output. */
    public static void main(String[] args) {
        ConvSpec spec = ConvSpec.parse(args.length > 0 ? args[0] : "mb32ic3ih32oc2oh32kh3ph1");
        long[] in = spec.inputSize();
        long pixels = Tensor.numel(in);
        System.out.println("vecnn demo (stand-in): " + spec);
        System.out.printf("  input %s -> output %s%n", java.util.Arrays.toString(spec.inputShape()),
                java.util.Arrays.toString(spec.outputShape()));
        System.out.printf("  parameters: %d (n_c*prod(kernel)*n_f/groups + n_f); one dense neuron over the same "
                + "input needs %d%n", spec.parameterCount(), spec.inChannels() * pixels + 1);
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = random(arena, spec.inputShape(), 1);
            Tensor w = random(arena, spec.weightShape(), 2);
            Tensor b = spec.hasBias() ? random(arena, spec.biasShape(), 3) : null;
            Tensor y = Tensor.allocate(arena, DType.F32, spec.outputShape());
            Tensor g = random(arena, spec.outputShape(), 4);
            Tensor gx = Tensor.allocate(arena, DType.F32, spec.inputShape());
            ConvSpec linear = spec.toBuilder().bias(false).build(); // the adjoint identity needs a linear map
            long t0 = System.nanoTime();
            ReferenceConv.forward(linear, x, w, null, y);
            ReferenceConv.backwardData(linear, g, w, gx);
            long t1 = System.nanoTime();
            double lhs = dot(y, g), rhs = dot(x, gx);
            System.out.printf("  <conv(x,w), g> = %.6f, <x, backward_data(g,w)> = %.6f (relative gap %.1e)%n",
                    lhs, rhs, Math.abs(lhs - rhs) / Math.max(Math.abs(lhs), 1e-30));
            System.out.printf("  reference forward + backward-data: %.1f ms (plain Java loops, not a speed figure)%n",
                    (t1 - t0) / 1e6);
            ReferenceConv.forward(spec, x, w, b, y);
            System.out.printf("  with bias: y[0, 0, 0, ...] = %.6f%n", y.getAt(y.offset()));
        }
    }

    private static Tensor random(Arena arena, long[] shape, long seed) {
        Tensor t = Tensor.allocate(arena, DType.F32, shape);
        SplittableRandom r = new SplittableRandom(seed);
        Tensor flat = t.reshape(t.numel());
        for (long i = 0; i < t.numel(); i++) flat.set(r.nextDouble(-1, 1), i);
        return t;
    }

    private static double dot(Tensor a, Tensor b) {
        Tensor fa = a.reshape(a.numel()), fb = b.reshape(b.numel());
        double s = 0;
        for (long i = 0; i < a.numel(); i++) s += fa.get(i) * fb.get(i);
        return s;
    }
}
