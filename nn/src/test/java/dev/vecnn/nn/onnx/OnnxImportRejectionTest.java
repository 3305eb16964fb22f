package dev.vecnn.nn.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.nn.Model;
import dev.vecnn.nn.layer.ConvLayer;
import dev.vecnn.nn.onnx.proto.OnnxProto.AttributeProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.GraphProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.ModelProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.NodeProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.TensorProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.TensorShapeProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.TypeProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.ValueInfoProto;
import dev.vecnn.spec.PaddingMode;
import dev.vecnn.tensor.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way an ONNX file can be refused, each with the message naming what is wrong (node, op type,
 * attribute), models built with the generated protobuf classes; and the import-time optimisations
 * (batch-norm folding, activation fusing, pad folding) seen in the built model.
 */
class OnnxImportRejectionTest {
    // ------------------------------------------------------------------ a small builder

    static ValueInfoProto value(String name, int elem, Object... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            s.addDim(d instanceof String p ? TensorShapeProto.Dimension.newBuilder().setDimParam(p)
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(((Number) d).longValue()));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(elem).setShape(s))).build();
    }

    static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) a.addInts(x);
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

    static NodeProto node(String op, String name, List<String> in, List<String> out, AttributeProto... attrs) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addAllOutput(out).addAllAttribute(Arrays.asList(attrs)).build();
    }

    static TensorProto floats(String name, long[] dims, double... v) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(OnnxTensors.FLOAT);
        for (long d : dims) t.addDims(d);
        for (double x : v) t.addFloatData((float) x);
        return t.build();
    }

    static TensorProto int64s(String name, long... v) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(OnnxTensors.INT64).addDims(v.length);
        for (long x : v) t.addInt64Data(x);
        return t.build();
    }

    static double[] ramp(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (i % 7 - 3) / 8.0;
        return v;
    }

    /** Weight (4, 3, 3, 3) and bias (4) of a convolution over x (N, 3, 8, 8). */
    static List<TensorProto> convWeights() {
        return List.of(floats("w", new long[] {4, 3, 3, 3}, ramp(108)), floats("b", new long[] {4}, 0.1, 0.2, 0.3, 0.4));
    }

    static byte[] model(int opset, List<NodeProto> nodes, List<TensorProto> inits, ValueInfoProto... inputs) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("g").addAllNode(nodes).addAllInitializer(inits)
                .addOutput(value("y", OnnxTensors.FLOAT, "N"));
        if (inputs.length == 0) g.addInput(value("x", OnnxTensors.FLOAT, "N", 3, 8, 8));
        else g.addAllInput(Arrays.asList(inputs));
        return ModelProto.newBuilder().setIrVersion(8).setGraph(g).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(opset)).build().toByteArray();
    }

    static byte[] one(NodeProto n, TensorProto... inits) {
        return model(13, List.of(n), List.of(inits));
    }

    static NodeProto conv(String out, AttributeProto... attrs) {
        return node("Conv", "conv", List.of("x", "w", "b"), List.of(out), attrs);
    }

    static void rejected(byte[] bytes, String... parts) {
        OnnxImport.OnnxFormatException e = assertThrows(OnnxImport.OnnxFormatException.class, () -> OnnxImport.load(bytes, OnnxImport.Options.defaults()));
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' not in: " + e.getMessage());
    }

    static byte[] withConv(NodeProto n, TensorProto... extra) {
        List<TensorProto> inits = new ArrayList<>(convWeights());
        inits.addAll(List.of(extra));
        return model(13, List.of(conv("c"), n), inits);
    }

    // ------------------------------------------------------------------ the file itself

    @Test
    void malformedTruncatedOrEmptyFiles(@TempDir Path dir) throws Exception {
        byte[] good = one(conv("y"), convWeights().toArray(TensorProto[]::new));
        try (Model m = OnnxImport.load(good, OnnxImport.Options.defaults())) {
            assertArrayEquals(new long[] {4, 6, 6}, m.outputShape());
        }
        for (int cut : new int[] {1, 7, good.length / 2, good.length - 3}) {
            Path f = dir.resolve("cut" + cut + ".onnx");
            Files.write(f, Arrays.copyOf(good, cut));
            OnnxImport.OnnxFormatException e = assertThrows(OnnxImport.OnnxFormatException.class, () -> OnnxImport.load(f));
            assertTrue(e.getMessage().startsWith(f.toString()) && (e.getMessage().contains("not an ONNX model") || e.getMessage().contains("bytes")),
                    e.getMessage());
        }
        rejected(new byte[] {(byte) 0xff, (byte) 0xff, 0x12, 0x34}, "not an ONNX model (malformed or truncated");
        rejected(new byte[0], "no graph or an empty graph");
        rejected(ModelProto.newBuilder().setIrVersion(8).build().toByteArray(), "no graph");
        assertThrows(java.nio.file.NoSuchFileException.class, () -> OnnxImport.load(dir.resolve("missing.onnx")));
        assertThrows(NullPointerException.class, () -> OnnxImport.load((byte[]) null, OnnxImport.Options.defaults()));
        assertThrows(NullPointerException.class, () -> OnnxImport.load(good, null));
        assertThrows(IllegalArgumentException.class, () -> OnnxImport.Options.defaults().in(DType.I64));
        assertThrows(NullPointerException.class, () -> OnnxImport.Options.defaults().on(null));
    }

    @Test
    void opsetsInputsAndInitializers() {
        TensorProto[] w = convWeights().toArray(TensorProto[]::new);
        rejected(model(8, List.of(conv("y")), List.of(w)), "opset 8 is not supported", "opsets 9 to 21");
        rejected(model(22, List.of(conv("y")), List.of(w)), "opset 22");
        rejected(ModelProto.newBuilder().setGraph(GraphProto.newBuilder().addNode(conv("y"))).build().toByteArray(), "(none for the default domain)");
        rejected(model(13, List.of(conv("y")), List.of(w), value("x", OnnxTensors.INT64, "N", 3, 8, 8)), "input 'x' has element type 7");
        rejected(model(13, List.of(conv("y")), List.of(w), value("x", OnnxTensors.FLOAT, "N")), "input 'x' has rank 1");
        rejected(model(13, List.of(conv("y")), List.of(w), value("x", OnnxTensors.FLOAT, "N", 3, "H", 8)), "dimension 2 is symbolic 'H'");
        rejected(model(13, List.of(conv("y")), List.of(w), ValueInfoProto.newBuilder().setName("x").build()), "input 'x' is not a tensor");
        rejected(model(13, List.of(node("Add", "add", List.of("x", "z"), List.of("y"))), List.of(), value("x", OnnxTensors.FLOAT, "N", 3),
                value("z", OnnxTensors.DOUBLE, "N", 3)), "one dtype per model");
        rejected(model(13, List.of(node("Relu", "r", List.of("w"), List.of("y"))), List.of(w), value("w", OnnxTensors.FLOAT, 4, 3, 3, 3)),
                "no inputs besides initializers");
        rejected(one(conv("y"), floats("w", new long[] {4, 3, 3, 3}, 1, 2), w[1]), "initializer 'w'", "2 values for shape [4, 3, 3, 3]");
        rejected(one(conv("y"), TensorProto.newBuilder().setName("w").setDataType(OnnxTensors.FLOAT).addDims(4).setRawData(ByteString.copyFrom(new byte[5]))
                .build(), w[1]), "initializer 'w'", "5 bytes");
        rejected(one(conv("y"), TensorProto.newBuilder().setName("w").setDataType(8).addDims(1).build(), w[1]), "data type 8 is not supported");
        rejected(one(conv("y"), TensorProto.newBuilder().setName("w").setDataType(1).addDims(-1).build(), w[1]), "dimension 0 is -1");
        rejected(one(conv("y"), TensorProto.newBuilder().setName("w").setDataType(1).addDims(1)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL).build(), w[1]), "external data is not supported");
        rejected(model(13, List.of(conv("c")), List.of(w)), "graph output 'y' is never computed");
        rejected(model(13, List.of(conv("c"), node("Identity", "i", List.of("b"), List.of("y"))), List.of(w)), "graph output 'y' is a constant");
        rejected(model(13, List.of(conv("y"), node("Relu", "again", List.of("x"), List.of("y"))), List.of(w)), "node 'again' (Relu)", "defined twice");
        rejected(model(13, List.of(conv("y"), node("Relu", "mute", List.of("y"), List.of())), List.of(w)), "node 'mute' (Relu)", "the node has no output");
    }

    @Test
    void unsupportedOperatorsAndAttributesNameTheNode() {
        rejected(withConv(node("Erf", "gelu/erf", List.of("c"), List.of("y"))), "node 'gelu/erf' (Erf)", "operator Erf is not supported",
                "supported operators: [Add, AveragePool");
        rejected(withConv(NodeProto.newBuilder(node("Relu", "r", List.of("c"), List.of("y"))).setDomain("com.microsoft").build()),
                "domain 'com.microsoft'");
        rejected(one(conv("y", integer("mystery", 1)), convWeights().toArray(TensorProto[]::new)), "node 'conv' (Conv)", "attribute mystery is not supported");
        rejected(withConv(node("Relu", "r", List.of("c"), List.of("y"), real("alpha", 1))), "node 'r' (Relu)", "attribute alpha");
    }

    @Test
    void convolutionRejections() {
        TensorProto[] w = convWeights().toArray(TensorProto[]::new);
        rejected(one(conv("y", string("auto_pad", "SAME_SIDEWAYS")), w), "node 'conv' (Conv)", "attribute auto_pad = SAME_SIDEWAYS");
        rejected(one(conv("y", ints("strides", 1, 1, 1)), w), "attribute strides = [1, 1, 1]");
        rejected(one(conv("y", ints("pads", 1, 1)), w), "attribute pads = [1, 1]");
        rejected(one(conv("y", ints("pads", -1, 0, 0, 0)), w), "non-negative");
        rejected(one(conv("y", ints("kernel_shape", 5, 5)), w), "kernel_shape [5, 5] does not match the weight");
        rejected(one(conv("y", ints("output_padding", 1, 1)), w), "output_padding/output_shape belongs to ConvTranspose");
        rejected(one(conv("y"), floats("w", new long[] {4, 3}, ramp(12)), w[1]), "weight 'w' has shape [4, 3]");
        rejected(one(conv("y"), floats("w", new long[] {4, 3, 3}, ramp(36)), w[1]), "the weight is for 1 spatial dimensions");
        rejected(one(conv("y"), w[0], floats("b", new long[] {3}, 1, 2, 3)), "bias 'b' has 3 values for 4 output channels");
        rejected(one(conv("y"), floats("w", new long[] {4, 2, 3, 3}, ramp(72)), w[1]), "weight 'w' of shape [4, 2, 3, 3] with group 1 does not fit 3 input channels");
        rejected(one(conv("y", integer("group", 2)), w), "with group 2 does not fit 3 input channels");
        rejected(one(conv("y", ints("kernel_shape", 3, 3)), w[1]), "input 1 'w' is missing");
        rejected(model(13, List.of(node("Conv", "conv", List.of("x", "x"), List.of("y"))), List.of()), "input 1 'x' is computed at run time");
        rejected(model(13, List.of(node("Relu", "r", List.of("b"), List.of("y"))), List.of(w)), "input 0 'b' is a constant");
        rejected(one(conv("y", ints("strides", 9, 9), ints("pads", 0, 0, 0, 0), ints("dilations", 4, 4)), w), "node 'conv' (Conv)"); // kernel beyond input
        NodeProto ct = node("ConvTranspose", "up", List.of("x", "wt"), List.of("y"), ints("strides", 2, 2), ints("output_shape", 40, 40));
        rejected(one(ct, floats("wt", new long[] {3, 2, 3, 3}, ramp(54))), "node 'up' (ConvTranspose)", "attribute output_shape = [40, 40]", "larger than the full output 17");
    }

    @Test
    void poolingNormalisationAndActivationRejections() {
        rejected(model(13, List.of(conv("c"), node("MaxPool", "mp", List.of("c"), List.of("y", "idx"), ints("kernel_shape", 2, 2)),
                node("Relu", "r", List.of("idx"), List.of("z"))), convWeights()), "node 'mp' (MaxPool)",
                "the Indices output 'idx' is supported only as a graph output");
        rejected(withConv(node("MaxPool", "mp", List.of("c"), List.of("y", "idx"), ints("kernel_shape", 2, 2), integer("storage_order", 2))),
                "attribute storage_order = 2");
        rejected(withConv(node("MaxPool", "mp", List.of("c"), List.of("y"))), "attribute kernel_shape is required");
        rejected(withConv(node("AveragePool", "ap", List.of("c"), List.of("y"), ints("kernel_shape", 2, 2), string("auto_pad", "BOTH"))),
                "attribute auto_pad = BOTH");
        rejected(withConv(node("MaxPool", "mp", List.of("c"), List.of("y"), ints("kernel_shape", 2, 2, 2))), "kernel_shape [2, 2, 2]");
        List<String> bnIn = List.of("c", "g", "be", "m", "v");
        TensorProto[] bn = {floats("g", new long[] {4}, 1, 1, 1, 1), floats("be", new long[] {4}, 0, 0, 0, 0), floats("m", new long[] {4}, 0, 0, 0, 0),
            floats("v", new long[] {4}, 1, 1, 1, 1)};
        rejected(withConv(node("BatchNormalization", "bn", bnIn, List.of("y"), integer("training_mode", 1)), bn), "node 'bn' (BatchNormalization)",
                "attribute training_mode = 1");
        rejected(withConv(node("BatchNormalization", "bn", bnIn, List.of("y"), integer("spatial", 0)), bn), "attribute spatial = 0");
        rejected(withConv(node("BatchNormalization", "bn", bnIn, List.of("y", "rm", "rv")), bn), "training outputs");
        rejected(withConv(node("BatchNormalization", "bn", bnIn, List.of("y")), bn[0], bn[1], floats("m", new long[] {2}, 0, 0), bn[3]),
                "input 3 'm' has 2 values for 4 channels");
        rejected(withConv(node("Softmax", "sm", List.of("c"), List.of("y"), integer("axis", 2))), "node 'sm' (Softmax)", "attribute axis = 2");
        rejected(model(11, List.of(conv("c"), node("Softmax", "sm", List.of("c"), List.of("y"))), convWeights()), "attribute axis = 1",
                "for opset < 13 only on (N, C) inputs");
        rejected(model(11, List.of(conv("c"), node("Clip", "clip", List.of("c"), List.of("y"), real("min", 0))), convWeights()),
                "node 'clip' (Clip)", "attributes min/max are opset 6 Clip");
    }

    @Test
    void resizeGemmMatMulAndArithmeticRejections() {
        TensorProto sc = floats("s", new long[] {4}, 1, 1, 2, 2);
        List<String> rin = List.of("c", "", "s");
        rejected(withConv(node("Resize", "rs", rin, List.of("y"), string("mode", "linear")), sc), "node 'rs' (Resize)", "attribute mode = linear");
        rejected(withConv(node("Resize", "rs", rin, List.of("y"), string("mode", "nearest")), sc), "coordinate_transformation_mode/nearest_mode = half_pixel/round_prefer_floor");
        AttributeProto[] torch = {string("mode", "nearest"), string("coordinate_transformation_mode", "asymmetric"), string("nearest_mode", "floor")};
        rejected(withConv(node("Resize", "rs", rin, List.of("y"), torch), floats("s", new long[] {4}, 1, 2, 2, 2)), "must be 1 for the batch and channel dimensions");
        rejected(withConv(node("Resize", "rs", List.of("c"), List.of("y"), torch)), "neither scales nor sizes");
        ValueInfoProto flat = value("x", OnnxTensors.FLOAT, "N", 6);
        TensorProto b = floats("B", new long[] {6, 2}, ramp(12));
        rejected(model(13, List.of(node("Gemm", "fc", List.of("x", "B"), List.of("y"), integer("transA", 1))), List.of(b), flat), "node 'fc' (Gemm)",
                "attribute transA = 1");
        rejected(model(13, List.of(node("Gemm", "fc", List.of("x", "B"), List.of("y"), integer("transB", 1))), List.of(b), flat), "B has shape [6, 2], A has 6 columns");
        rejected(model(13, List.of(node("Gemm", "fc", List.of("x", "B", "C"), List.of("y"))), List.of(b, floats("C", new long[] {3}, 1, 2, 3)), flat),
                "C has shape [3]");
        rejected(withConv(node("Gemm", "fc", List.of("c", "B"), List.of("y")), b), "Gemm needs (N, K)");
        rejected(model(13, List.of(node("MatMul", "mm", List.of("x", "B"), List.of("y"))), List.of(floats("B", new long[] {5, 2}, ramp(10))), flat),
                "node 'mm' (MatMul)", "(N, K) x constant (K, M)");
        rejected(model(13, List.of(node("Add", "add", List.of("x", "z"), List.of("y"))), List.of(), value("x", OnnxTensors.FLOAT, "N", 3, 4),
                value("z", OnnxTensors.FLOAT, "N", 4)), "node 'add' (Add)", "both computed operands need the same rank");
        rejected(model(13, List.of(node("Mul", "mul", List.of("x", "z"), List.of("y"))), List.of(), value("x", OnnxTensors.FLOAT, "N", 3),
                value("z", OnnxTensors.FLOAT, "N", 4)), "do not broadcast");
        rejected(model(13, List.of(node("Mul", "mul", List.of("x", "k"), List.of("y"))), List.of(int64s("k", 2)), flat), "integer constant operand");
    }

    @Test
    void shapeOperatorRejections() {
        ValueInfoProto x4 = value("x", OnnxTensors.FLOAT, "N", 3, 4, 5);
        rejected(model(13, List.of(node("Concat", "cat", List.of("x", "x"), List.of("y"))), List.of(), x4), "node 'cat' (Concat)", "attribute axis is required");
        rejected(model(13, List.of(node("Concat", "cat", List.of("x", "x"), List.of("y"), integer("axis", 0))), List.of(), x4), "attribute axis = 0");
        rejected(model(13, List.of(node("Concat", "cat", List.of("x", "k"), List.of("y"), integer("axis", 1))), List.of(floats("k", new long[] {1, 1, 4, 5}, ramp(20))), x4),
                "mixes constant and computed inputs");
        rejected(model(13, List.of(node("Flatten", "fl", List.of("x"), List.of("y"), integer("axis", 0))), List.of(), x4), "node 'fl' (Flatten)", "attribute axis = 0");
        rejected(model(13, List.of(node("Flatten", "fl", List.of("x"), List.of("y"), integer("axis", 2))), List.of(), x4), "attribute axis = 2");
        rejected(model(13, List.of(node("Reshape", "rs", List.of("x", "s"), List.of("y"))), List.of(int64s("s", 12, 5)), x4), "node 'rs' (Reshape)",
                "does not keep the batch");
        rejected(model(13, List.of(node("Reshape", "rs", List.of("x", "s"), List.of("y"))), List.of(int64s("s", -1, 6)), x4), "does not keep the batch");
        rejected(model(13, List.of(node("Reshape", "rs", List.of("x", "s"), List.of("y"))), List.of(int64s("s")), x4), "shape [] would drop the batch");
        rejected(model(13, List.of(node("Transpose", "tr", List.of("x"), List.of("y"), ints("perm", 1, 0, 2, 3))), List.of(), x4), "node 'tr' (Transpose)",
                "attribute perm = [1, 0, 2, 3]");
        rejected(model(13, List.of(node("Unsqueeze", "us", List.of("x", "a"), List.of("y"))), List.of(int64s("a", 0)), x4), "node 'us' (Unsqueeze)",
                "attribute axes = [0]");
        rejected(model(11, List.of(node("Squeeze", "sq", List.of("x"), List.of("y"))), List.of(), value("x", OnnxTensors.FLOAT, "N", 1, 4)), "attribute axes = (all)");
        rejected(model(13, List.of(node("Squeeze", "sq", List.of("x"), List.of("y"), ints("axes", 1))), List.of(), x4), "attribute axes is opset < 13");
        rejected(model(13, List.of(node("Squeeze", "sq", List.of("x", "a"), List.of("y"))), List.of(int64s("a", 1)), x4), "is not of size 1");
        rejected(model(13, List.of(node("Gather", "ga", List.of("x", "i"), List.of("y"))), List.of(int64s("i", 0)), x4), "node 'ga' (Gather)",
                "Gather of a computed tensor");
        rejected(model(13, List.of(node("Slice", "sl", List.of("x", "s", "e"), List.of("y"))), List.of(int64s("s", 0), int64s("e", 1)), x4),
                "Slice of a computed tensor");
        rejected(model(13, List.of(node("Shape", "sh", List.of("x"), List.of("s")), node("ConstantOfShape", "cs", List.of("s"), List.of("y"))), List.of(), x4),
                "node 'cs' (ConstantOfShape)", "depends on the batch size");
        rejected(model(13, List.of(node("Shape", "sh", List.of("x"), List.of("s")), node("Mul", "twice", List.of("s", "k"), List.of("t")),
                node("Reshape", "rs", List.of("x", "t"), List.of("y"))), List.of(int64s("k", 2)), x4), "node 'twice' (Mul)", "arithmetic on the batch size N");
        rejected(model(13, List.of(node("Cast", "cast", List.of("x"), List.of("y"), integer("to", 7))), List.of(), x4), "node 'cast' (Cast)", "attribute to = 7");
        rejected(model(13, List.of(node("Dropout", "dr", List.of("x"), List.of("y", "mask")), node("Identity", "m", List.of("mask"), List.of("z"))), List.of(), x4),
                "node 'dr' (Dropout)", "the mask output");
        rejected(model(13, List.of(node("Dropout", "dr", List.of("x", "r", "t"), List.of("y"))), List.of(floats("r", new long[0], 0.5),
                TensorProto.newBuilder().setName("t").setDataType(OnnxTensors.BOOL).addInt32Data(1).build()), x4), "training_mode = true");
        rejected(model(13, List.of(node("Constant", "k", List.of(), List.of("k"))), List.of(), x4), "node 'k' (Constant)", "needs exactly one attribute");
        rejected(model(13, List.of(node("Constant", "k", List.of(), List.of("k"), string("value_string", "a"))), List.of(), x4), "attribute value_string");
        List<String> pin = List.of("x", "p");
        rejected(model(13, List.of(node("Pad", "pd", pin, List.of("y"), string("mode", "wrap"))), List.of(int64s("p", 0, 0, 1, 1, 0, 0, 1, 1)), x4),
                "node 'pd' (Pad)", "attribute mode = wrap");
        rejected(model(13, List.of(node("Pad", "pd", pin, List.of("y"))), List.of(int64s("p", 0, 1, 1, 1, 0, 0, 1, 1)), x4), "pad the batch or channel dimension");
        rejected(model(13, List.of(node("Pad", "pd", pin, List.of("y"))), List.of(int64s("p", 0, 0, 1, 1)), x4), "needs 8 values");
        rejected(model(13, List.of(node("Pad", "pd", pin, List.of("y"), string("mode", "reflect"))), List.of(int64s("p", 0, 0, 4, 0, 0, 0, 0, 0)), x4),
                "reflect padding 4, 0 must be below the size 4");
    }

    // ------------------------------------------------------------------ the optimisations, seen

    @Test
    void batchNormIsFoldedAndActivationFused() {
        TensorProto[] bn = {floats("g", new long[] {4}, 2, 1, 0.5, 1), floats("be", new long[] {4}, 0.1, 0, 0, -0.1), floats("m", new long[] {4}, 0.2, 0, 0, 0),
            floats("v", new long[] {4}, 4, 1, 1, 0.25)};
        List<TensorProto> inits = new ArrayList<>(convWeights());
        inits.addAll(List.of(bn));
        byte[] bytes = model(13, List.of(conv("c"), node("BatchNormalization", "bn", List.of("c", "g", "be", "m", "v"), List.of("n"), real("epsilon", 0)),
                node("Relu", "relu", List.of("n"), List.of("y"))), inits);
        try (Model folded = OnnxImport.load(bytes, OnnxImport.Options.defaults().in(DType.F64));
             Model plain = OnnxImport.load(bytes, OnnxImport.Options.defaults().with(false, false).in(DType.F64))) {
            assertEquals(1, folded.layers().size());
            ConvLayer c = (ConvLayer) folded.layers().get(0);
            assertEquals(Epilogue.relu(), c.epilogue());
            // channel 0: w * 2 / sqrt(4) = w, bias (0.1 - 0.2) * 1 + 0.1 = 0; channel 3: w * 1 / 0.5 = 2 w, bias 0.4 * 2 - 0.1 = 0.7
            assertEquals(ramp(108)[0], c.params().get(0).value().get(0, 0, 0, 0), 1e-7);
            assertEquals(2 * ramp(108)[81], c.params().get(0).value().get(3, 0, 0, 0), 1e-7);
            assertEquals(0.0, c.params().get(1).value().get(0), 1e-7);
            assertEquals(0.7, c.params().get(1).value().get(3), 1e-7);
            assertEquals(List.of("conv", "bn", "relu"), plain.layers().stream().map(l -> plain.graph().nodeNames().get(plain.graph().nodeNames().indexOf(
                    plain.graph().nodeNames().stream().filter(n -> plain.graph().layer(n) == l).findFirst().orElseThrow()))).toList());
            var x = folded.context().allocate(2, 3, 8, 8);
            for (long i = 0; i < x.numel(); i++) x.setAt(i, Math.sin(i));
            var a = folded.forward(x, false);
            var b = plain.forward(x, false);
            for (long i = 0; i < a.numel(); i++) assertEquals(b.getAt(i), a.getAt(i), 1e-12);
        }
    }

    @Test
    void aReflectPadBecomesTheConvolutionsPaddingMode() {
        List<TensorProto> inits = new ArrayList<>(convWeights());
        inits.add(int64s("p", 0, 0, 1, 2, 0, 0, 1, 0));
        byte[] bytes = model(13, List.of(node("Pad", "pad", List.of("x", "p"), List.of("px"), string("mode", "reflect")),
                node("Conv", "conv", List.of("px", "w", "b"), List.of("y"))), inits);
        try (Model m = OnnxImport.load(bytes, OnnxImport.Options.defaults())) {
            assertEquals(1, m.layers().size());
            var spec = ((ConvLayer) m.layers().get(0)).spec(1);
            assertEquals(PaddingMode.REFLECT, spec.paddingMode());
            assertArrayEquals(new int[] {1, 2}, spec.window().padBegin());
            assertArrayEquals(new int[] {1, 0}, spec.window().padEnd());
        }
    }

    @Test
    void corruptedBytesNeverCrash() throws Exception {
        // a real model with BN, pooling, reshape and dense, each byte flipped or the file cut: a model or a format error, nothing else
        List<TensorProto> inits = new ArrayList<>(convWeights());
        inits.addAll(List.of(floats("g", new long[] {4}, 1, 1, 1, 1), floats("be", new long[] {4}, 0, 0, 0, 0), floats("m", new long[] {4}, 0, 0, 0, 0),
                floats("v", new long[] {4}, 1, 1, 1, 1), int64s("shape", 0, -1), floats("fc", new long[] {2, 36}, ramp(72))));
        byte[] good = model(13, List.of(conv("c", ints("pads", 0, 0, 0, 0)), node("BatchNormalization", "bn", List.of("c", "g", "be", "m", "v"), List.of("n")),
                node("Relu", "relu", List.of("n"), List.of("r")), node("MaxPool", "mp", List.of("r"), List.of("p"), ints("kernel_shape", 2, 2), ints("strides", 2, 2)),
                node("Reshape", "rs", List.of("p", "shape"), List.of("f")), node("Gemm", "fc", List.of("f", "fc"), List.of("y"), integer("transB", 1))), inits);
        try (Model m = OnnxImport.load(good, OnnxImport.Options.defaults())) {
            assertArrayEquals(new long[] {2}, m.outputShape());
        }
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        int formatErrors = 0;
        for (int trial = 0; trial < 3000; trial++) {
            byte[] bad = good.clone();
            if (trial % 10 == 0) {
                bad = Arrays.copyOf(bad, r.nextInt(bad.length));
            } else {
                for (int k = 0; k < 1 + trial % 3; k++) bad[r.nextInt(bad.length)] ^= (byte) (1 << r.nextInt(8));
            }
            try (Model m = OnnxImport.load(bad, OnnxImport.Options.defaults())) {
                assertTrue(m.parameterCount() > 0);
            } catch (OnnxImport.OnnxFormatException e) {
                formatErrors++;
                assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
            }
        }
        assertTrue(formatErrors > 100, "format errors " + formatErrors);
    }
}
