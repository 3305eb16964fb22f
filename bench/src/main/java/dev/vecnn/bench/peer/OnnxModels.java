package dev.vecnn.bench.peer;

import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PoolKind;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.spec.Window;
import dev.vecnn.tensor.DType;

/**
 * One-node ONNX models (IR version 8, opset 17) built in memory for ONNX Runtime: Conv, MaxPool,
 * AveragePool, GlobalMaxPool, GlobalAveragePool. Field numbers follow onnx.proto.
 */
public final class OnnxModels {
    private OnnxModels() {
    }

    private static final int ATTR_INT = 2;
    private static final int ATTR_INTS = 7;

    /** True when ONNX Runtime's Conv computes this spec's forward pass. */
    public static boolean supportsConv(ConvSpec s) {
        return !s.isTransposed() && s.paddingMode() == dev.vecnn.spec.PaddingMode.ZEROS && s.rank() <= 3;
    }

    /** True when an ONNX pooling operator computes this spec's forward pass. */
    public static boolean supportsPool(PoolSpec s) {
        return s.rank() <= 3 && (s.kind() == PoolKind.MAX || s.kind() == PoolKind.AVG
                && allOne(s.window().dilation()) || s.kind().isGlobal());
    }

    /** A model with inputs X, W (and B) and output Y computing {@code s}'s forward pass. */
    public static byte[] conv(ConvSpec s, DType t) {
        Window w = s.window();
        Proto node = new Proto().string(1, "X").string(1, "W");
        if (s.hasBias()) node.string(1, "B");
        node.string(2, "Y").string(3, "conv").string(4, "Conv")
                .message(5, ints("kernel_shape", w.kernel())).message(5, ints("strides", w.stride()))
                .message(5, ints("dilations", w.dilation())).message(5, ints("pads", concat(w.padBegin(), w.padEnd())))
                .message(5, integer("group", s.groups()));
        Proto graph = new Proto().message(1, node).string(2, "vecnn-peer")
                .message(11, value("X", t, s.inputShape())).message(11, value("W", t, s.weightShape()));
        if (s.hasBias()) graph.message(11, value("B", t, s.biasShape()));
        graph.message(12, value("Y", t, s.outputShape()));
        return model(graph);
    }

    /** A model with input X and output Y computing {@code s}'s forward pass. */
    public static byte[] pool(PoolSpec s, DType t) {
        Proto node = new Proto().string(1, "X").string(2, "Y").string(3, "pool");
        switch (s.kind()) {
            case MAX, AVG -> {
                Window w = s.window();
                node.string(4, s.kind() == PoolKind.MAX ? "MaxPool" : "AveragePool")
                        .message(5, ints("kernel_shape", w.kernel())).message(5, ints("strides", w.stride()))
                        .message(5, ints("pads", concat(w.padBegin(), w.padEnd())))
                        .message(5, integer("ceil_mode", s.ceilMode() ? 1 : 0));
                if (s.kind() == PoolKind.MAX) node.message(5, ints("dilations", w.dilation()));
                else node.message(5, integer("count_include_pad", s.countIncludePad() ? 1 : 0));
            }
            case GLOBAL_MAX -> node.string(4, "GlobalMaxPool");
            case GLOBAL_AVG -> node.string(4, "GlobalAveragePool");
            default -> throw new IllegalArgumentException("spec: no ONNX operator for " + s);
        }
        Proto graph = new Proto().message(1, node).string(2, "vecnn-peer")
                .message(11, value("X", t, s.inputShape())).message(12, value("Y", t, s.outputShape()));
        return model(graph);
    }

    private static byte[] model(Proto graph) {
        return new Proto().integer(1, 8).string(2, "vecnn-bench").message(7, graph)
                .message(8, new Proto().string(1, "").integer(2, 17)).toBytes();
    }

    private static Proto value(String name, DType t, long[] shape) {
        Proto dims = new Proto();
        for (long d : shape) dims.message(1, new Proto().integer(1, d));
        Proto tensor = new Proto().integer(1, t == DType.F32 ? 1 : 11).message(2, dims);
        return new Proto().string(1, name).message(2, new Proto().message(1, tensor));
    }

    private static Proto ints(String name, int[] v) {
        Proto a = new Proto().string(1, name).integer(20, ATTR_INTS);
        for (int x : v) a.integer(8, x);
        return a;
    }

    private static Proto integer(String name, long v) {
        return new Proto().string(1, name).integer(20, ATTR_INT).integer(3, v);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static boolean allOne(int[] v) {
        for (int x : v) if (x != 1) return false;
        return true;
    }
}
