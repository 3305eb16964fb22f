package dev.vecnn.nn.onnx;

import com.google.protobuf.ByteString;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.nn.Graph;
import dev.vecnn.nn.Layer;
import dev.vecnn.nn.Merge;
import dev.vecnn.nn.Model;
import dev.vecnn.nn.Param;
import dev.vecnn.nn.layer.Activation;
import dev.vecnn.nn.layer.Arithmetic;
import dev.vecnn.nn.layer.BatchNorm;
import dev.vecnn.nn.layer.Concat;
import dev.vecnn.nn.layer.ConstantArithmetic;
import dev.vecnn.nn.layer.ConvLayer;
import dev.vecnn.nn.layer.Dense;
import dev.vecnn.nn.layer.Dropout;
import dev.vecnn.nn.layer.Flatten;
import dev.vecnn.nn.layer.PoolIndices;
import dev.vecnn.nn.layer.PoolLayer;
import dev.vecnn.nn.layer.Reshape;
import dev.vecnn.nn.layer.Residual;
import dev.vecnn.nn.layer.Sequential;
import dev.vecnn.nn.layer.Softmax;
import dev.vecnn.nn.layer.SpatialGather;
import dev.vecnn.nn.layer.Transpose;
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
import dev.vecnn.spec.PaddingMode;
import dev.vecnn.spec.PoolKind;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.spec.Window;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Writes a vecnn {@link Model} (a graph or a chain) as an ONNX model (IR version 8, opset 17) for
 * inference in any ONNX runtime: inputs and outputs keep their names, with a symbolic batch dimension
 * {@code N}; parameters become initializers under their vecnn names ({@code conv1.weight}); running
 * statistics go into BatchNormalization; Dropout is the identity. A convolution's padding mode other
 * than zeros becomes a Pad (reflect, edge) before it, and a fused activation a node after it.
 *
 * <p>Not expressible, and rejected naming the layer: circular padding, adaptive pooling whose windows
 * are not one fixed window, average pooling with dilation, and layers of other classes.
 */
public final class OnnxExport {
    private OnnxExport() {
    }

    /** The opset written. */
    public static final int OPSET = 17;

    /** Writes {@code model} to {@code file}. */
    public static void write(Model model, Path file) throws IOException {
        Files.write(Objects.requireNonNull(file, "file"), toBytes(model));
    }

    /** The serialized ModelProto of {@code model}. */
    public static byte[] toBytes(Model model) {
        return new Writer(Objects.requireNonNull(model, "model")).run().toByteArray();
    }

    private static final class Writer {
        final Model model;
        final Graph g;
        final GraphProto.Builder out = GraphProto.newBuilder().setName("vecnn");
        final Set<String> used = new HashSet<>();
        final int elem;
        int counter;

        Writer(Model model) {
            this.model = model;
            this.g = model.graph();
            this.elem = model.context().dtype() == DType.F32 ? OnnxTensors.FLOAT : OnnxTensors.DOUBLE;
        }

        ModelProto run() {
            for (String in : g.inputNames()) out.addInput(value(in, g.shape(in)));
            for (String n : g.nodeNames()) {
                List<String> from = g.inputsOf(n);
                if (from.isEmpty()) continue;
                Layer l = g.layer(n);
                if (l != null) layer(l, from.get(0), n, n);
                else merge(g.merge(n), from, n, n);
            }
            for (String o : g.outputNames()) {
                String src = g.outputNode(o);
                if (!src.equals(o)) node("Identity", List.of(src), o, null);
                ValueInfoProto v = value(o, g.shape(src));
                if (g.layer(src) instanceof PoolIndices) { // the one int64 output
                    v = v.toBuilder().setType(v.getType().toBuilder().setTensorType(v.getType().getTensorType().toBuilder().setElemType(OnnxTensors.INT64))).build();
                }
                out.addOutput(v);
            }
            return ModelProto.newBuilder().setIrVersion(8).setProducerName("vecnn").setGraph(out)
                    .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET)).build();
        }

        ValueInfoProto value(String name, long[] sample) {
            TensorShapeProto.Builder s = TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
            for (long d : sample) s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
            return ValueInfoProto.newBuilder().setName(name)
                    .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elem).setShape(s))).build();
        }

        /** A value or initializer name not used yet (graph node names are the values of their outputs). */
        String fresh(String base) {
            String n = base;
            for (int i = 1; g.nodeNames().contains(n) || !used.add(n); i++) n = base + "_" + i;
            return n;
        }

        NodeProto.Builder node(String op, List<String> inputs, String output, String name) {
            NodeProto.Builder b = NodeProto.newBuilder().setOpType(op).addAllInput(inputs).addOutput(output)
                    .setName(name == null ? op + "_" + counter++ : name);
            out.addNode(b);
            return out.getNodeBuilder(out.getNodeCount() - 1);
        }

        static AttributeProto ints(String name, int... v) {
            AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
            for (int x : v) a.addInts(x);
            return a.build();
        }

        static AttributeProto integer(String name, long v) {
            return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
        }

        static AttributeProto real(String name, double v) {
            return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF((float) v).build();
        }

        static AttributeProto string(String name, String v) {
            return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(v)).build();
        }

        /** An initializer of the model's dtype from a tensor (any strides), under {@code name}. */
        String init(String name, Tensor t, long... shape) {
            String n = fresh(name);
            long count = t.numel();
            ByteBuffer b = ByteBuffer.allocate((int) (count * (elem == OnnxTensors.FLOAT ? 4 : 8))).order(ByteOrder.LITTLE_ENDIAN);
            Tensor c = t.isContiguous() ? t : t.contiguous(java.lang.foreign.Arena.ofAuto());
            for (long i = 0; i < count; i++) {
                double v = c.getAt(c.offset() + i);
                if (elem == OnnxTensors.FLOAT) b.putFloat((float) v);
                else b.putDouble(v);
            }
            TensorProto.Builder tp = TensorProto.newBuilder().setName(n).setDataType(elem).setRawData(ByteString.copyFrom(b.array()));
            for (long d : shape.length == 0 && t.rank() > 0 ? t.shape() : shape) tp.addDims(d);
            out.addInitializer(tp);
            return n;
        }

        String scalar(String name, double v) {
            return init(name, Tensor.of(new double[] {v}), new long[0]);
        }

        String int64s(String name, long... v) {
            String n = fresh(name);
            ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (long x : v) b.putLong(x);
            out.addInitializer(TensorProto.newBuilder().setName(n).setDataType(OnnxTensors.INT64).addDims(v.length).setRawData(ByteString.copyFrom(b.array())));
            return n;
        }

        static Param param(Layer l, String name) {
            for (Param p : l.params()) if (p.name().equals(name)) return p;
            for (Param p : l.state()) if (p.name().equals(name)) return p;
            return null;
        }

        static int[] concat(int[] a, int[] b) {
            int[] r = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, r, a.length, b.length);
            return r;
        }

        IllegalArgumentException reject(String path, Object what, String why) {
            return new IllegalArgumentException("model: layer '" + path + "' (" + what + ") has no ONNX form: " + why);
        }

        /** Writes layer {@code l} reading value {@code in} and producing value {@code result}; {@code path} names its parameters. */
        void layer(Layer l, String in, String result, String path) {
            switch (l) {
                case Sequential s -> {
                    String cur = in;
                    List<Layer> ch = s.children();
                    for (int i = 0; i < ch.size(); i++) {
                        String next = i == ch.size() - 1 ? result : fresh(path + "." + i + ":out");
                        layer(ch.get(i), cur, next, path + "." + i);
                        cur = next;
                    }
                }
                case Residual r -> {
                    String inner = fresh(path + ".inner:out");
                    layer(r.children().get(0), in, inner, path + ".inner");
                    node("Add", List.of(in, inner), result, path);
                }
                case ConvLayer c -> conv(c, in, result, path);
                case PoolLayer p -> pool(p, in, List.of(result), path, -1);
                case PoolIndices pi -> pool(pi.pool(), in, List.of(fresh(path + ":values"), result), path, pi.storageOrder());
                case Dense d -> {
                    String w = init(path + ".weight", param(d, "weight").value());
                    Param b = param(d, "bias");
                    List<String> ins = b == null ? List.of(in, w) : List.of(in, w, init(path + ".bias", b.value()));
                    node("Gemm", ins, result, path).addAttribute(integer("transB", 1));
                }
                case Flatten f -> node("Flatten", List.of(in), result, path).addAttribute(integer("axis", 1));
                case Activation a -> activation(a.function(), in, result, path);
                case Softmax s -> node("Softmax", List.of(in), result, path).addAttribute(integer("axis", 1));
                case Dropout d -> node("Identity", List.of(in), result, path);
                case BatchNorm b -> node("BatchNormalization", List.of(in, init(path + ".weight", param(b, "weight").value()),
                        init(path + ".bias", param(b, "bias").value()), init(path + ".running_mean", param(b, "running_mean").value()),
                        init(path + ".running_var", param(b, "running_var").value())), result, path)
                        .addAttribute(real("epsilon", b.eps())).addAttribute(real("momentum", 1 - b.momentum()));
                case Reshape r -> {
                    long[] shape = new long[r.outputShape().length + 1];
                    System.arraycopy(r.outputShape(), 0, shape, 1, shape.length - 1);
                    node("Reshape", List.of(in, int64s(path + ".shape", shape)), result, path); // 0: keep the batch
                }
                case Transpose t -> {
                    int[] o = t.order(), perm = new int[o.length + 1];
                    for (int d = 0; d < o.length; d++) perm[d + 1] = o[d] + 1;
                    node("Transpose", List.of(in), result, path).addAttribute(ints("perm", perm));
                }
                case ConstantArithmetic c -> {
                    String op = Character.toUpperCase(c.op().charAt(0)) + c.op().substring(1);
                    String k = init(path + ".value", c.params().get(0).value());
                    node(op, c.constantFirst() ? List.of(k, in) : List.of(in, k), result, path);
                }
                case SpatialGather s -> {
                    int rank = l.inputShape().length + 1;
                    if (s.scales() != null) {
                        double[] sc = new double[rank];
                        sc[0] = 1;
                        sc[1] = 1;
                        System.arraycopy(s.scales(), 0, sc, 2, rank - 2);
                        String scales = fresh(path + ".scales"); // float32 whatever the model's dtype
                        out.addInitializer(TensorProto.newBuilder().setName(scales).setDataType(OnnxTensors.FLOAT).addDims(rank).setRawData(floats(sc)));
                        node("Resize", List.of(in, "", scales), result, path).addAttribute(string("mode", "nearest"))
                                .addAttribute(string("coordinate_transformation_mode", "asymmetric")).addAttribute(string("nearest_mode", "floor"));
                    } else {
                        long[] pads = new long[2 * rank];
                        for (int d = 0; d < rank - 2; d++) {
                            pads[d + 2] = s.padBegin()[d];
                            pads[d + 2 + rank] = s.padEnd()[d];
                        }
                        String mode = switch (s.padMode()) {
                            case CONSTANT -> "constant";
                            case REFLECT -> "reflect";
                            case EDGE -> "edge";
                        };
                        node("Pad", List.of(in, int64s(path + ".pads", pads), scalar(path + ".value", s.padValue())), result, path)
                                .addAttribute(string("mode", mode));
                    }
                }
                default -> throw reject(path, l.describe(), "no ONNX operator for " + l.getClass().getSimpleName());
            }
        }

        static ByteString floats(double[] v) {
            ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (double x : v) b.putFloat((float) x);
            return ByteString.copyFrom(b.array());
        }

        void gelu(String in, String result, String path) {
            // x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
            String x2 = fresh(path + ":x2"), x3 = fresh(path + ":x3"), a = fresh(path + ":a"), s = fresh(path + ":s"), u = fresh(path + ":u"),
                    t = fresh(path + ":t"), t1 = fresh(path + ":t1"), h = fresh(path + ":h");
            node("Mul", List.of(in, in), x2, null);
            node("Mul", List.of(x2, in), x3, null);
            node("Mul", List.of(x3, scalar(path + ".c3", 0.044715)), a, null);
            node("Add", List.of(in, a), s, null);
            node("Mul", List.of(s, scalar(path + ".c", Math.sqrt(2 / Math.PI))), u, null);
            node("Tanh", List.of(u), t, null);
            node("Add", List.of(t, scalar(path + ".one", 1)), t1, null);
            node("Mul", List.of(in, scalar(path + ".half", 0.5)), h, null);
            node("Mul", List.of(h, t1), result, path);
        }

        void conv(ConvLayer c, String in, String result, String path) {
            ConvSpec s = c.spec(1);
            Window w = s.window();
            int rank = s.rank();
            int[] begin = w.padBegin(), end = w.padEnd();
            String x = in;
            if (s.paddingMode() != PaddingMode.ZEROS) {
                if (s.paddingMode() == PaddingMode.CIRCULAR) throw reject(path, c.describe(), "circular padding");
                if (s.isTransposed()) throw reject(path, c.describe(), "a transposed convolution with a padding mode");
                long[] pads = new long[2 * (rank + 2)];
                for (int d = 0; d < rank; d++) {
                    pads[d + 2] = begin[d];
                    pads[d + 2 + rank + 2] = end[d];
                }
                x = fresh(path + ":padded");
                node("Pad", List.of(in, int64s(path + ".pads", pads)), x, path + ":pad")
                        .addAttribute(string("mode", s.paddingMode() == PaddingMode.REFLECT ? "reflect" : "edge"));
                begin = new int[rank];
                end = new int[rank];
            }
            String wName = init(path + ".weight", param(c, "weight").value());
            Param b = param(c, "bias");
            List<String> ins = b == null ? List.of(x, wName) : List.of(x, wName, init(path + ".bias", b.value()));
            boolean act = c.epilogue() != Epilogue.NONE;
            String convOut = act ? fresh(path + ":pre") : result;
            NodeProto.Builder n = node(s.isTransposed() ? "ConvTranspose" : "Conv", ins, convOut, path)
                    .addAttribute(ints("kernel_shape", w.kernel())).addAttribute(ints("strides", w.stride()))
                    .addAttribute(ints("dilations", w.dilation())).addAttribute(ints("pads", concat(begin, end)))
                    .addAttribute(integer("group", s.groups()));
            if (s.isTransposed()) {
                int[] op = new int[rank];
                for (int d = 0; d < rank; d++) op[d] = s.outputPadding(d);
                n.addAttribute(ints("output_padding", op));
            }
            if (act) activation(c.epilogue(), convOut, result, path + ":act");
        }

        /** The ONNX node of an activation (GELU as its formula's nodes). */
        void activation(Epilogue e, String in, String result, String path) {
            switch (e.activation()) {
                case RELU -> node("Relu", List.of(in), result, path);
                case LEAKY_RELU -> node("LeakyRelu", List.of(in), result, path).addAttribute(real("alpha", e.alpha()));
                case SIGMOID -> node("Sigmoid", List.of(in), result, path);
                case TANH -> node("Tanh", List.of(in), result, path);
                case GELU -> gelu(in, result, path);
                case CLIP -> node("Clip", List.of(in, scalar(path + ".min", e.alpha()), scalar(path + ".max", e.beta())), result, path);
                case HARD_SIGMOID -> node("HardSigmoid", List.of(in), result, path).addAttribute(real("alpha", e.alpha())).addAttribute(real("beta", e.beta()));
                case HARD_SWISH -> node("HardSwish", List.of(in), result, path);
                case IDENTITY -> node("Identity", List.of(in), result, path);
            }
        }

        /** A pooling node; with {@code storageOrder >= 0} a MaxPool whose second output is the indices. */
        void pool(PoolLayer p, String in, List<String> results, String path, int storageOrder) {
            PoolSpec s = p.spec(1);
            PoolKind k = s.kind();
            String result = results.get(0);
            if (storageOrder >= 0 && !k.isWindowed()) throw reject(path, p.describe(), "indices of global or adaptive max pooling");
            if (k == PoolKind.GLOBAL_AVG || k == PoolKind.GLOBAL_MAX) {
                node(k == PoolKind.GLOBAL_AVG ? "GlobalAveragePool" : "GlobalMaxPool", List.of(in), result, path);
                return;
            }
            int rank = s.rank();
            int[] kernel, stride, dil, begin, end;
            boolean ceil = false, include = true;
            if (k.isWindowed()) {
                Window w = s.window();
                kernel = w.kernel();
                stride = w.stride();
                dil = w.dilation();
                begin = w.padBegin();
                end = w.padEnd();
                ceil = s.ceilMode();
                if (k == PoolKind.AVG) include = s.countIncludePad();
            } else { // adaptive: only when every window is the same fixed window
                kernel = new int[rank];
                stride = new int[rank];
                dil = new int[rank];
                begin = new int[rank];
                end = new int[rank];
                for (int d = 0; d < rank; d++) {
                    if (s.inputSize(d) % s.outputSize(d) != 0) {
                        throw reject(path, p.describe(), "adaptive pooling from " + s.inputSize(d) + " to " + s.outputSize(d) + " (dimension " + d + ") has windows of different sizes");
                    }
                    kernel[d] = Math.toIntExact(s.inputSize(d) / s.outputSize(d));
                    stride[d] = kernel[d];
                    dil[d] = 1;
                }
            }
            boolean max = k.isMax();
            if (!max && Arrays.stream(dil).anyMatch(v -> v != 1)) throw reject(path, p.describe(), "average pooling with dilation (opset " + OPSET + ")");
            NodeProto.Builder n = node(max ? "MaxPool" : "AveragePool", List.of(in), result, path).addAttribute(ints("kernel_shape", kernel))
                    .addAttribute(ints("strides", stride)).addAttribute(ints("pads", concat(begin, end))).addAttribute(integer("ceil_mode", ceil ? 1 : 0));
            if (max) n.addAttribute(ints("dilations", dil));
            else n.addAttribute(integer("count_include_pad", include ? 1 : 0));
            if (storageOrder >= 0) n.addOutput(results.get(1)).addAttribute(integer("storage_order", storageOrder));
        }

        void merge(Merge m, List<String> from, String result, String path) {
            switch (m) {
                case Arithmetic a -> node(Character.toUpperCase(a.op().charAt(0)) + a.op().substring(1), from, result, path);
                case Concat c -> node("Concat", from, result, path).addAttribute(integer("axis", c.axis() + 1));
                default -> throw reject(path, m.describe(), "no ONNX operator for " + m.getClass().getSimpleName());
            }
        }
    }
}
