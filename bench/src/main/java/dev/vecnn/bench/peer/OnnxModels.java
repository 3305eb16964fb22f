package dev.vecnn.bench.peer;

import dev.vecnn.nn.onnx.proto.OnnxProto.AttributeProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.GraphProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.ModelProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.NodeProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.TensorShapeProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.TypeProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.ValueInfoProto;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PoolKind;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.spec.Window;
import dev.vecnn.tensor.DType;

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

    /** A model with inputs X, W (and B) and output Y computing {@code s}'s forward pass. */
    public static byte[] conv(ConvSpec s, DType t) {
        Window w = s.window();
        NodeProto.Builder node = NodeProto.newBuilder().setName("conv").setOpType("Conv").addInput("X").addInput("W").addOutput("Y")
                .addAttribute(ints("kernel_shape", w.kernel())).addAttribute(ints("strides", w.stride()))
                .addAttribute(ints("dilations", w.dilation())).addAttribute(ints("pads", concat(w.padBegin(), w.padEnd())))
                .addAttribute(integer("group", s.groups()));
        if (s.hasBias()) node.addInput("B");
        GraphProto.Builder graph = GraphProto.newBuilder().setName("vecnn-peer").addNode(node)
                .addInput(value("X", t, s.inputShape())).addInput(value("W", t, s.weightShape()));
        if (s.hasBias()) graph.addInput(value("B", t, s.biasShape()));
        graph.addOutput(value("Y", t, s.outputShape()));
        return model(graph);
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
