package dev.vecnn.bench.peer;

import dev.vecnn.nn.onnx.proto.OnnxProto.AttributeProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.GraphProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.ModelProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.NodeProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.TensorProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.TensorShapeProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.TypeProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.ValueInfoProto;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PoolKind;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.spec.Window;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;

/**
 * One-node ONNX models (IR version 8, opset 17) built in memory for ONNX Runtime: Conv, MaxPool,
 * AveragePool, GlobalMaxPool, GlobalAveragePool; written with the ONNX classes vecnn-nn generates
 * from onnx.proto.
 */
public final class OnnxModels {
    private OnnxModels() {
    }

    /** True when ONNX Runtime's Conv computes this spec's forward pass. */
    public static boolean supportsConv(ConvSpec s) {
        return !s.isTransposed() && s.paddingMode() == dev.vecnn.spec.PaddingMode.ZEROS && s.rank() <= 3;
    }

    /** True when an ONNX pooling operator computes this spec's forward pass. */
    public static boolean supportsPool(PoolSpec s) {
        return s.rank() <= 3 && (s.kind() == PoolKind.MAX || s.kind() == PoolKind.AVG
                && allOne(s.window().dilation()) || s.kind().isGlobal());
    }

    /**
     * A model with input X and output Y computing {@code s}'s forward pass, the weights {@code w} (and bias
     * {@code b}) constant initializers, as in a deployed model: ONNX Runtime then prepacks them and runs its
     * NCHWc convolution kernels, which it does not for weights given as inputs.
     */
    public static byte[] conv(ConvSpec s, Tensor w, Tensor b) {
        DType t = w.dtype();
        Window win = s.window();
        NodeProto.Builder node = NodeProto.newBuilder().setName("conv").setOpType("Conv").addInput("X").addInput("W").addOutput("Y")
                .addAttribute(ints("kernel_shape", win.kernel())).addAttribute(ints("strides", win.stride()))
                .addAttribute(ints("dilations", win.dilation())).addAttribute(ints("pads", concat(win.padBegin(), win.padEnd())))
                .addAttribute(integer("group", s.groups()));
        if (s.hasBias()) node.addInput("B");
        GraphProto.Builder graph = GraphProto.newBuilder().setName("vecnn-peer").addNode(node)
                .addInput(value("X", t, s.inputShape())).addInitializer(constant("W", w));
        if (s.hasBias()) graph.addInitializer(constant("B", b));
        graph.addOutput(value("Y", t, s.outputShape()));
        return model(graph);
    }

    /** A constant tensor (little-endian raw data) named {@code name} with {@code t}'s shape and values. */
    private static TensorProto constant(String name, Tensor t) {
        TensorProto.Builder p = TensorProto.newBuilder().setName(name).setDataType(t.dtype() == DType.F32 ? 1 : 11);
        for (long d : t.shape()) p.addDims(d);
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(Math.toIntExact(t.numel() * t.dtype().byteSize())).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long[] idx = new long[t.rank()];
        for (long i = 0, n = t.numel(); i < n; i++) {
            if (t.dtype() == DType.F32) bytes.putFloat((float) t.get(idx));
            else bytes.putDouble(t.get(idx));
            for (int d = idx.length - 1; d >= 0; d--) {
                if (++idx[d] < t.size(d)) break;
                idx[d] = 0;
            }
        }
        return p.setRawData(com.google.protobuf.ByteString.copyFrom(bytes.array())).build();
    }

    /** A model with input X and output Y computing {@code s}'s forward pass. */
    public static byte[] pool(PoolSpec s, DType t) {
        NodeProto.Builder node = NodeProto.newBuilder().setName("pool").addInput("X").addOutput("Y");
        switch (s.kind()) {
            case MAX, AVG -> {
                Window w = s.window();
                node.setOpType(s.kind() == PoolKind.MAX ? "MaxPool" : "AveragePool")
                        .addAttribute(ints("kernel_shape", w.kernel())).addAttribute(ints("strides", w.stride()))
                        .addAttribute(ints("pads", concat(w.padBegin(), w.padEnd())))
                        .addAttribute(integer("ceil_mode", s.ceilMode() ? 1 : 0));
                if (s.kind() == PoolKind.MAX) node.addAttribute(ints("dilations", w.dilation()));
                else node.addAttribute(integer("count_include_pad", s.countIncludePad() ? 1 : 0));
            }
            case GLOBAL_MAX -> node.setOpType("GlobalMaxPool");
            case GLOBAL_AVG -> node.setOpType("GlobalAveragePool");
            default -> throw new IllegalArgumentException("spec: no ONNX operator for " + s);
        }
        return model(GraphProto.newBuilder().setName("vecnn-peer").addNode(node)
                .addInput(value("X", t, s.inputShape())).addOutput(value("Y", t, s.outputShape())));
    }

    private static byte[] model(GraphProto.Builder graph) {
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("vecnn-bench").setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).build().toByteArray();
    }

    private static ValueInfoProto value(String name, DType t, long[] shape) {
        TensorShapeProto.Builder dims = TensorShapeProto.newBuilder();
        for (long d : shape) dims.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(t == DType.F32 ? 1 : 11).setShape(dims))).build();
    }

    private static AttributeProto ints(String name, int[] v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (int x : v) a.addInts(x);
        return a.build();
    }

    private static AttributeProto integer(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
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
