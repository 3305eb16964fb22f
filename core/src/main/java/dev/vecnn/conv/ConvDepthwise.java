package dev.vecnn.conv;

import dev.vecnn.kernel.Backend;
import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.kernel.conv.depthwise.ConvThenDepthwise;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.Arguments;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PaddingMode;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.MemoryFormat;
import dev.vecnn.tensor.Tensor;
import java.util.Objects;

/**
 * A convolution and the depthwise convolution that reads its output, in one pass that never writes that output to
 * memory: {@code y = e2(depthwise(e1(conv(x) + b1)) + b2)}: the expansion (1x1) and depthwise layers of an inverted
 * residual block (MobileNet-V2, EfficientNet), or a stem and the depthwise layer after it, as oneDNN fuses a 1x1
 * convolution with its depthwise post-op. The expanded tensor is the block's largest; the pass lays each task's rows
 * of it straight into the depthwise kernel's slab, which stays in L2, instead of writing it out and reading it back.
 *
 * <p>The result has the bits of the two separate forward passes ({@link Conv#forward(ConvSpec, Tensor, PreparedWeights,
 * Tensor, Tensor, Epilogue, Execution)}, channels-last) for any thread count. It runs where {@link #fuses} says so
 * (the Vector API backend with 512-bit vectors, a channels-last y (x in any layout), zero padding); weights are packed
 * once by {@link #prepare}, as {@link PreparedWeights} are.
 *
 * <pre>{@code
 * if (ConvDepthwise.fuses(expand, depthwise, x, y)) {
 *     ConvDepthwise p = ConvDepthwise.prepare(expand, w1, depthwise, w2);
 *     p.forward(x, b1, Epilogue.clip(0, 6), b2, Epilogue.clip(0, 6), y, ex);
 * }
 * }</pre>
 */
public final class ConvDepthwise {
    private final ConvSpec conv, depthwise;
    private final Tensor w1, w2;
    private volatile ConvThenDepthwise.Packed packed;

    private ConvDepthwise(ConvSpec conv, Tensor w1, ConvSpec depthwise, Tensor w2) {
        this.conv = conv;
        this.depthwise = depthwise;
        this.w1 = w1;
        this.w2 = w2;
    }

    /**
     * Whether the pair can run as one pass ({@link #forward}) on x and y: {@code conv} and {@code depthwise} a
     * {@link #pair}; both dispatched to the kernels this pass reproduces ({@code pointwise} or {@code gemm}, and
     * {@code depthwise}: the dispatcher sends a convolution of at most two input channels or a few outputs to
     * {@code direct}); y channels-last (x in any layout: the first convolution's slab gathers it), of one floating
     * dtype; 512-bit vectors and the Vector API backend. It does not check the tensors' shapes, which {@link #forward}
     * does. False, never an exception, for any specs or tensors.
     */
    public static boolean fuses(ConvSpec conv, ConvSpec depthwise, Tensor x, Tensor y) {
        return refusal(conv, depthwise, x, y) == null;
    }

    /** {@link #fuses(ConvSpec, ConvSpec, Tensor, Tensor)} for a y not yet allocated, of memory format {@code y}. */
    public static boolean fuses(ConvSpec conv, ConvSpec depthwise, Tensor x, MemoryFormat y) {
        return refusal(conv, depthwise, x, y) == null;
    }

    /** Why {@link #fuses} says no (the parameter first), or null. */
    private static String refusal(ConvSpec conv, ConvSpec depthwise, Tensor x, Tensor y) {
        if (y == null) return "y: is null";
        if (x != null && (x.dtype() != y.dtype() || y.rank() != x.rank())) return "y: " + y.describe() + " against x " + x.describe();
        return refusal(conv, depthwise, x, ConvThenDepthwise.channelsLast(y) ? MemoryFormat.CHANNELS_LAST : MemoryFormat.CHANNELS_FIRST);
    }

    private static String refusal(ConvSpec conv, ConvSpec depthwise, Tensor x, MemoryFormat y) {
        if (!Backend.isVector()) return "the Vector API backend is not active (" + Backend.reason() + ")";
        if (conv == null || depthwise == null || x == null) return (conv == null ? "conv" : depthwise == null ? "depthwise" : "x") + ": is null";
        if (!pair(conv, depthwise)) return "depthwise: " + depthwise + " and conv " + conv + " are not a pair (ConvDepthwise.pair)";
        if (!x.dtype().isFloating() || x.rank() != conv.rank() + 2) return "x: " + x.describe() + " for " + conv;
        String first = Conv.choose(ConvPass.FORWARD, conv).name(), second = Conv.choose(ConvPass.FORWARD, depthwise).name();
        if (!first.equals("pointwise") && !first.equals("gemm")) return "conv: " + conv + " runs on the '" + first + "' kernel, whose bits this pass does not give";
        if (!second.equals("depthwise")) return "depthwise: " + depthwise + " runs on the '" + second + "' kernel, whose bits this pass does not give";
        if (y != MemoryFormat.CHANNELS_LAST) return "y: not channels-last";
        if (!ConvThenDepthwise.tilesRun(x.dtype())) return "conv: " + conv + ": the vectors are narrower than the 512 bits the channels-last tiles need";
        if (!ConvThenDepthwise.runs(ConvGeometry.of(conv), ConvGeometry.of(depthwise), x, true)) {
            return "conv: " + conv + " with " + depthwise + ": the sizes outgrow the kernels' int offsets";
        }
        return null;
    }

    /**
     * Whether one pass was measured faster than the two: where conv's output for the whole batch takes more than
     * {@link #PAYS_ABOVE} bytes, which the two passes write out and read back from beyond L2. Inside MobileNet-V2 (Zen 4, 1
     * MiB of L2, float32, 1 thread, bench/results/2026-12-03-zen4-pointwise-depthwise) one pass ran its 7x7 pairs of 960
     * channels (184 KiB of expansion at batch 1) 0.96x as fast as two passes at batch 1, and 1.13-1.18x as fast at batch 8;
     * its 14x14 pairs of 384 and 576 channels (294 and 441 KiB) 1.00-1.12x as fast at batch 1 (two runs).
     */
    public static boolean pays(ConvSpec conv, DType t) {
        Objects.requireNonNull(conv, "conv");
        Objects.requireNonNull(t, "t");
        long elements = conv.batch() * conv.outChannels();
        for (int d = 0; d < conv.rank(); d++) elements *= conv.outputSize(d);
        return elements * t.byteSize() > PAYS_ABOVE;
    }

    /** Bytes of conv's output above which {@link #pays} says one pass pays (256 KiB: a quarter of Zen 4's L2). */
    public static final long PAYS_ABOVE = 256 << 10;

    /**
     * The conditions of {@link #fuses} on the specs alone: {@code conv} of one group (any kernel, stride, dilation);
     * {@code depthwise} one channel per group over its output (same batch, channels and sizes); both zero padding, neither
     * transposed.
     */
    public static boolean pair(ConvSpec conv, ConvSpec depthwise) {
        ConvSpec p = conv, d = depthwise;
        if (p == null || d == null) return false;
        if (p.isTransposed() || d.isTransposed() || p.groups() != 1 || p.rank() != d.rank() || p.batch() != d.batch()) return false;
        if (p.paddingMode() != PaddingMode.ZEROS || d.paddingMode() != PaddingMode.ZEROS) return false;
        if (d.groups() != p.outChannels() || d.inChannels() != p.outChannels() || d.outChannels() != p.outChannels()) return false;
        for (int i = 0; i < p.rank(); i++) if (p.outputSize(i) != d.inputSize(i)) return false;
        return true;
    }

    /**
     * Packs both weight tensors for {@link #forward}: {@code w1} of {@code conv.weightShape()}, {@code w2} of
     * {@code depthwise.weightShape()}, one dtype. The packed copy does not follow later writes: call {@link #update()}.
     *
     * @throws IllegalArgumentException when the specs are not a pair {@link #pair} accepts (named {@code depthwise}), or a
     *     weight tensor does not fit its spec ({@code w1}, {@code w2})
     * @throws IllegalStateException without the Vector API backend, whose kernels the pass runs
     */
    public static ConvDepthwise prepare(ConvSpec conv, Tensor w1, ConvSpec depthwise, Tensor w2) {
        Objects.requireNonNull(conv, "conv");
        Objects.requireNonNull(depthwise, "depthwise");
        if (!pair(conv, depthwise)) {
            throw new IllegalArgumentException("depthwise: " + depthwise + " does not read the output of conv " + conv
                    + " as one pass can (conv: one group; depthwise: one channel per group over its output; both zero padding, neither transposed)");
        }
        if (Arguments.convWeights(depthwise, "w2", w2) != Arguments.convWeights(conv, "w1", w1)) {
            throw new IllegalArgumentException("w2: dtype " + w2.dtype() + ", w1's is " + w1.dtype());
        }
        return new ConvDepthwise(conv, w1, depthwise, w2).update();
    }

    /**
     * Repacks both weight tensors' current values (not while a forward pass runs on another thread). Returns this.
     *
     * @throws IllegalStateException without the Vector API backend
     */
    public ConvDepthwise update() {
        if (!Backend.isVector()) throw new IllegalStateException("the fused pass needs the Vector API backend (" + Backend.reason() + ")");
        Arguments.convWeights(conv, "w1", w1);
        Arguments.convWeights(depthwise, "w2", w2);
        packed = ConvThenDepthwise.pack(w1.dtype(), ConvGeometry.of(conv), w1, ConvGeometry.of(depthwise), w2);
        return this;
    }

    /** The first convolution's spec, as prepared. */
    public ConvSpec conv() {
        return conv;
    }

    /** The depthwise spec these weights were prepared for. */
    public ConvSpec depthwise() {
        return depthwise;
    }

    /**
     * {@code y = e2(depthwise(e1(conv(x) + b1)) + b2)} for a batch of any size (x of conv's input
     * shape but for the batch, y of the depthwise spec's output shape for that batch); {@code b1}, {@code b2} null iff
     * the spec has no bias.
     *
     * @throws IllegalArgumentException for tensors that do not fit the specs (named as {@code x}, {@code b1},
     *     {@code b2}, {@code y}), or a pair that {@link #fuses} refuses (named: a {@code y} of another layout, a spec
     *     dispatched to another kernel, or {@code conv} where the vectors are narrower than 512 bits or the sizes outgrow
     *     the kernels' int offsets)
     * @throws NullPointerException for a null epilogue or execution (named)
     * @throws IllegalStateException for a closed execution
     */
    public void forward(Tensor x, Tensor b1, Epilogue e1, Tensor b2, Epilogue e2, Tensor y, Execution ex) {
        ConvSpec p = conv, d = depthwise;
        if (x != null && x.rank() == p.rank() + 2 && x.size(0) != p.batch()) {
            p = p.toBuilder().batch(x.size(0)).build();
            d = d.toBuilder().batch(x.size(0)).build();
        }
        Arguments.convPairForward(p, d, x, w1, b1, w2, b2, y);
        Objects.requireNonNull(e1, "e1");
        Objects.requireNonNull(e2, "e2");
        Objects.requireNonNull(ex, "ex").requireOpen();
        String no = refusal(p, d, x, y);
        if (no != null) throw new IllegalArgumentException(no + ": the pair does not run as one pass (ConvDepthwise.fuses)");
        if (p.batch() == 0) return;
        ConvThenDepthwise.forward(ConvGeometry.of(p), x, packed, b1, e1, ConvGeometry.of(d), b2, e2, y, ex);
    }
}
