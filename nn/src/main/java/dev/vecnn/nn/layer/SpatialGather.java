package dev.vecnn.nn.layer;

import dev.vecnn.nn.Layer;
import dev.vecnn.tensor.Tensor;
import java.util.Arrays;

/**
 * Each output position reads one input position of its (n, c) plane, or a constant: per spatial
 * dimension a map from output index to input index (-1 = the constant). This one mechanism is
 * padding (constant, reflect, edge; negative amounts crop) and nearest-neighbour resizing (ONNX
 * Resize/Upsample with {@code nearest}, PyTorch's {@code nn.Upsample(mode='nearest')}). The gradient
 * of an input position is the sum over the outputs that read it.
 */
public final class SpatialGather extends Layer {
    /** How padding fills: a constant, the mirror image without the edge (reflect), or the edge repeated. */
    public enum PadMode { CONSTANT, REFLECT, EDGE }

    private final String text;
    private final java.util.function.Function<long[], int[][]> maps;
    private final double fill;
    private PadMode padMode;
    private int[] padBegin, padEnd;
    private double[] scales;
    private int[][] map;
    private Tensor lastX;

    private SpatialGather(String text, java.util.function.Function<long[], int[][]> maps, double fill) {
        this.text = text;
        this.maps = maps;
        this.fill = fill;
    }

    /**
     * Padding of the spatial dimensions by {@code begin[d]} and {@code end[d]} positions (negative:
     * cropping) filled as {@code mode} ({@code value} for CONSTANT). Reflect needs amounts below the size.
     */
    public static SpatialGather pad(PadMode mode, int[] begin, int[] end, double value) {
        if (begin.length != end.length) throw new IllegalArgumentException("end: " + end.length + " entries, begin has " + begin.length);
        int[] b = begin.clone(), e = end.clone();
        String t = "pad " + mode.name().toLowerCase(java.util.Locale.ROOT) + " " + ConvLayer.join(b) + "_" + ConvLayer.join(e)
                + (mode == PadMode.CONSTANT && value != 0 ? " " + value : "");
        SpatialGather g = new SpatialGather(t, spatial -> {
            if (spatial.length != b.length) {
                throw new IllegalArgumentException("input: " + t + " needs " + b.length + " spatial dimensions, got " + spatial.length);
            }
            int[][] m = new int[spatial.length][];
            for (int d = 0; d < spatial.length; d++) {
                long size = spatial[d], out = size + b[d] + e[d];
                if (out < 1) throw new IllegalArgumentException("pads: dimension " + d + " of size " + size + " padded by " + b[d] + ", " + e[d] + " is empty");
                if (mode == PadMode.REFLECT && (b[d] >= size || e[d] >= size)) {
                    throw new IllegalArgumentException("pads: reflect padding " + b[d] + ", " + e[d] + " must be below the size " + size + " (dimension " + d + ")");
                }
                m[d] = new int[(int) out];
                for (int o = 0; o < out; o++) {
                    long i = o - b[d];
                    if (i < 0 || i >= size) {
                        i = switch (mode) {
                            case CONSTANT -> -1;
                            case EDGE -> Math.clamp(i, 0, size - 1);
                            case REFLECT -> i < 0 ? -i : 2 * (size - 1) - i;
                        };
                    }
                    m[d][o] = (int) i;
                }
            }
            return m;
        }, value);
        g.padMode = mode;
        g.padBegin = b;
        g.padEnd = e;
        return g;
    }

    /**
     * Nearest-neighbour resizing by {@code scales[d]} per spatial dimension, as ONNX Resize with
     * coordinate_transformation_mode {@code asymmetric} and nearest_mode {@code floor} (what PyTorch's
     * nearest upsampling exports): output size floor(size * scale), output o reads
     * min(floor(o / scale), size - 1).
     */
    public static SpatialGather nearest(double... scales) {
        for (int d = 0; d < scales.length; d++) {
            if (!(scales[d] > 0) || Double.isInfinite(scales[d])) throw new IllegalArgumentException("scales: dimension " + d + " is " + scales[d] + ", must be > 0");
        }
        double[] s = scales.clone();
        String t = "nearest x" + Arrays.toString(s).replace(", ", "x").replaceAll("[\\[\\]]", "");
        SpatialGather g = new SpatialGather(t, spatial -> {
            if (spatial.length != s.length) {
                throw new IllegalArgumentException("input: " + t + " needs " + s.length + " spatial dimensions, got " + spatial.length);
            }
            int[][] m = new int[spatial.length][];
            for (int d = 0; d < spatial.length; d++) {
                long out = (long) Math.floor(spatial[d] * s[d]);
                if (out < 1) throw new IllegalArgumentException("scales: dimension " + d + " of size " + spatial[d] + " scaled by " + s[d] + " is empty");
                m[d] = new int[(int) out];
                for (int o = 0; o < out; o++) m[d][o] = (int) Math.min((long) Math.floor(o / s[d]), spatial[d] - 1);
            }
            return m;
        }, 0);
        g.scales = s;
        return g;
    }

    /** The padding mode, or null for a resize. */
    public PadMode padMode() {
        return padMode;
    }

    /** Padding before each spatial dimension (null for a resize). */
    public int[] padBegin() {
        return padBegin == null ? null : padBegin.clone();
    }

    /** Padding after each spatial dimension (null for a resize). */
    public int[] padEnd() {
        return padEnd == null ? null : padEnd.clone();
    }

    /** The constant of CONSTANT padding. */
    public double padValue() {
        return fill;
    }

    /** The resize scales per spatial dimension (null for padding). */
    public double[] scales() {
        return scales == null ? null : scales.clone();
    }

    @Override
    protected long[] init(long[] sample) {
        if (sample.length < 2) throw new IllegalArgumentException("input: " + text + " needs samples (C, spatial...), got " + Arrays.toString(sample));
        map = maps.apply(Arrays.copyOfRange(sample, 1, sample.length));
        long[] out = sample.clone();
        for (int d = 0; d < map.length; d++) out[d + 1] = map[d].length;
        return out;
    }

    /** Visits (output offset in a plane, input offset in a plane or -1). */
    private interface Visit {
        void at(long out, long in);
    }

    private void walk(Visit v) {
        long[] in = inputShape();
        int r = map.length;
        long[] stride = new long[r];
        long s = 1;
        for (int d = r - 1; d >= 0; d--) {
            stride[d] = s;
            s *= in[d + 1];
        }
        int[] idx = new int[r];
        long total = Tensor.numel(Arrays.copyOfRange(outputShape(), 1, r + 1));
        for (long o = 0; o < total; o++) {
            long src = 0;
            for (int d = 0; d < r; d++) {
                int i = map[d][idx[d]];
                if (i < 0) {
                    src = -1;
                    break;
                }
                src += i * stride[d];
            }
            v.at(o, src);
            for (int d = r - 1; d >= 0 && ++idx[d] == map[d].length; d--) idx[d] = 0;
        }
    }

    @Override
    public Tensor forward(Tensor in, boolean training) {
        long n = batchOf(in, "x");
        Tensor x = Elementwise.contiguous(ctx, this, "x", in);
        lastX = x;
        Tensor y = ctx.buffer(this, "y", withBatch(n, outputShape()));
        long planes = n * inputShape()[0], pin = Tensor.numel(inputShape()) / inputShape()[0], pout = Tensor.numel(outputShape()) / outputShape()[0];
        for (long p = 0; p < planes; p++) {
            long xo = x.offset() + p * pin, yo = y.offset() + p * pout;
            walk((o, i) -> Elementwise.set(y, yo + o, i < 0 ? fill : Elementwise.get(x, xo + i)));
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor gyIn) {
        Tensor gy = Elementwise.contiguous(ctx, this, "gy", gyIn);
        long n = lastX.size(0);
        Tensor gx = ctx.buffer(this, "gx", withBatch(n, inputShape()));
        gx.fill(0);
        long planes = n * inputShape()[0], pin = Tensor.numel(inputShape()) / inputShape()[0], pout = Tensor.numel(outputShape()) / outputShape()[0];
        for (long p = 0; p < planes; p++) {
            long xo = gx.offset() + p * pin, yo = gy.offset() + p * pout;
            walk((o, i) -> {
                if (i >= 0) Elementwise.set(gx, xo + i, Elementwise.get(gx, xo + i) + Elementwise.get(gy, yo + o));
            });
        }
        return gx;
    }

    @Override
    public double[][] receptiveStep() {
        double[][] r = new double[map.length][];
        for (int d = 0; d < map.length; d++) r[d] = new double[] {1, (double) inputShape()[d + 1] / outputShape()[d + 1]};
        return r;
    }

    @Override
    public String describe() {
        return text;
    }
}
