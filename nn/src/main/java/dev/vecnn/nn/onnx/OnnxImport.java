package dev.vecnn.nn.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.vecnn.conv.Epilogue;
import dev.vecnn.nn.Graph;
import dev.vecnn.nn.Layer;
import dev.vecnn.nn.Model;
import dev.vecnn.nn.Param;
import dev.vecnn.nn.layer.Activation;
import dev.vecnn.nn.layer.Arithmetic;
import dev.vecnn.nn.layer.BatchNorm;
import dev.vecnn.nn.layer.Concat;
import dev.vecnn.nn.layer.ConstantArithmetic;
import dev.vecnn.nn.layer.ConvLayer;
import dev.vecnn.nn.layer.Dense;
import dev.vecnn.nn.layer.Flatten;
import dev.vecnn.nn.layer.PoolIndices;
import dev.vecnn.nn.layer.PoolLayer;
import dev.vecnn.nn.layer.Reshape;
import dev.vecnn.nn.layer.Softmax;
import dev.vecnn.nn.layer.SpatialGather;
import dev.vecnn.nn.layer.Transpose;
import dev.vecnn.nn.onnx.OnnxTensors.Const;
import dev.vecnn.nn.onnx.proto.OnnxProto.AttributeProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.GraphProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.ModelProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.NodeProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.TensorProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.TensorShapeProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.ValueInfoProto;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.PaddingMode;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads an ONNX model (what {@code torch.onnx.export} writes for a CNN, opsets 9 to 21) into a
 * trainable vecnn {@link Model}: a {@link Graph} whose nodes are vecnn layers, with the initializers as
 * parameters (named after them: PyTorch's {@code features.0.weight} stays {@code features.0.weight}),
 * so the model predicts and can be fine-tuned. The first dimension of every input is the batch
 * (symbolic or fixed: any batch size runs); the others must be fixed. float32 and float64 models.
 *
 * <p>While importing, by default: a BatchNormalization that follows a convolution is folded into its
 * weights and bias ({@code w' = w * gamma / sqrt(var + eps)}, {@code b' = (b - mean) * gamma / sqrt(var
 * + eps) + beta}); a ReLU, LeakyReLU (alpha >= 0), Sigmoid or Tanh that follows a convolution is fused
 * into its stores; a Pad (constant zero, reflect or edge) before a convolution becomes the
 * convolution's padding; the Shape / Gather / Unsqueeze / Concat arithmetic of a dynamic batch is
 * evaluated with N as a symbol. {@link Options} turns the first two off (e.g. to fine-tune batch
 * normalisation as such).
 *
 * <p>Everything is checked before the model is built: an unsupported operator or attribute is an
 * {@link OnnxFormatException} naming the node, its op type and the attribute, and listing
 * {@link #SUPPORTED}; a malformed or truncated file is one too. No half-built model is returned.
 */
public final class OnnxImport {
    private OnnxImport() {
    }

    /** The operators read (default domain). */
    public static final List<String> SUPPORTED = List.of("Add", "AveragePool", "BatchNormalization", "Cast", "Clip", "Concat", "Constant",
            "ConstantOfShape", "Conv", "ConvTranspose", "Div", "Dropout", "Flatten", "Gather", "Gemm", "GlobalAveragePool", "GlobalMaxPool", "HardSigmoid",
            "HardSwish", "Identity", "LeakyRelu", "MatMul", "MaxPool", "Mul", "Pad", "Relu", "Reshape", "Resize", "Shape", "Sigmoid",
            "Slice", "Softmax", "Squeeze", "Sub", "Tanh", "Transpose", "Unsqueeze", "Upsample");

    /** Opset versions of the default domain accepted. */
    public static final int MIN_OPSET = 9, MAX_OPSET = 21;

    /**
     * Import switches.
     *
     * @param foldBatchNorm   fold a BatchNormalization after a convolution into its weights
     * @param fuseActivations fuse an activation after a convolution into its stores
     * @param seed            the model's random generator (dropout, shuffling when fine-tuning)
     * @param execution       the executor the kernels run on
     * @param dtype           the model's dtype, or null for the file's (a float32 file imports as float64 and back)
     */
    public record Options(boolean foldBatchNorm, boolean fuseActivations, long seed, Execution execution, DType dtype) {
        /** Checks the executor. */
        public Options {
            Objects.requireNonNull(execution, "execution");
            if (dtype != null && dtype != DType.F32 && dtype != DType.F64) throw new IllegalArgumentException("dtype: " + dtype + " is not f32 or f64");
        }

        /** Folding and fusing on, seed 0, all cores. */
        public static Options defaults() {
            return new Options(true, true, 0, Execution.defaults(), null);
        }

        /** The same with folding and fusing set. */
        public Options with(boolean fold, boolean fuse) {
            return new Options(fold, fuse, seed, execution, dtype);
        }

        /** The same on another executor. */
        public Options on(Execution ex) {
            return new Options(foldBatchNorm, fuseActivations, seed, ex, dtype);
        }

        /** The same, building the model in {@code type} whatever the file's dtype. */
        public Options in(DType type) {
            return new Options(foldBatchNorm, fuseActivations, seed, execution, type);
        }
    }

    /** A malformed file or a model outside what this importer reads; the message names the node. */
    public static final class OnnxFormatException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        OnnxFormatException(String message) {
            super(message);
        }

        OnnxFormatException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Reads {@code file} with {@link Options#defaults()}. */
    public static Model load(Path file) throws IOException {
        return load(file, Options.defaults());
    }

    /** Reads {@code file}. */
    public static Model load(Path file, Options options) throws IOException {
        Objects.requireNonNull(file, "file");
        byte[] bytes = Files.readAllBytes(file);
        try {
            return load(bytes, options);
        } catch (OnnxFormatException e) {
            throw new OnnxFormatException(file + ": " + e.getMessage(), e.getCause());
        }
    }

    /** Reads a serialized ModelProto. */
    public static Model load(byte[] bytes, Options options) {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(options, "options");
        ModelProto model;
        try {
            model = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxFormatException("not an ONNX model (malformed or truncated protocol buffer: " + e.getMessage() + ")", e);
        }
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new OnnxFormatException("not an ONNX model: no graph or an empty graph (" + bytes.length + " bytes read)");
        }
        return new Importer(model, options).run();
    }

    /** One import: the graph being built, the values by ONNX name, the parameter values to copy in. */
    private static final class Importer {
        final ModelProto model;
        final GraphProto g;
        final Options opt;
        final int opset;
        final Graph graph = new Graph();
        final Map<String, Const> consts = new HashMap<>();
        final Map<String, Dyn> dyn = new HashMap<>();
        final Map<String, Integer> consumers = new HashMap<>();
        final Set<String> names = new HashSet<>();
        final List<Runnable> afterBuild = new ArrayList<>();
        final Map<Layer, Map<String, double[]>> values = new LinkedHashMap<>();
        DType dtype;
        NodeProto node; // the node being read, for messages

        /** A dynamic value: the graph node producing it, its sample shape, and what made it (for folding). */
        record Dyn(Graph.Node node, long[] shape, Layer layer, NodeProto from) {
        }

        Importer(ModelProto model, Options opt) {
            this.model = model;
            this.g = model.getGraph();
            this.opt = opt;
            int v = -1;
            for (OperatorSetIdProto o : model.getOpsetImportList()) {
                if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) v = (int) o.getVersion();
            }
            if (v < MIN_OPSET || v > MAX_OPSET) {
                throw new OnnxFormatException("opset " + (v < 0 ? "(none for the default domain)" : v) + " is not supported; this importer reads opsets "
                        + MIN_OPSET + " to " + MAX_OPSET);
            }
            opset = v;
        }

        Model run() {
            for (TensorProto t : g.getInitializerList()) {
                try {
                    consts.put(t.getName(), OnnxTensors.read(t, "initializer '" + t.getName() + "'"));
                } catch (IllegalArgumentException | ArithmeticException e) {
                    throw new OnnxFormatException(e.getMessage(), e);
                }
            }
            for (NodeProto n : g.getNodeList()) for (String i : n.getInputList()) consumers.merge(i, 1, Integer::sum);
            for (ValueInfoProto o : g.getOutputList()) consumers.merge(o.getName(), 1, Integer::sum);
            for (ValueInfoProto in : g.getInputList()) {
                if (consts.containsKey(in.getName())) continue; // an initializer listed as input (older exporters)
                input(in);
            }
            if (dyn.isEmpty()) throw new OnnxFormatException("the graph has no inputs besides initializers");
            if (opt.dtype() != null) dtype = opt.dtype();
            for (NodeProto n : g.getNodeList()) {
                node = n;
                try {
                    read(n);
                } catch (OnnxFormatException e) {
                    throw e;
                } catch (IllegalArgumentException | ArithmeticException e) {
                    throw fail(e.getMessage());
                }
            }
            node = null;
            for (ValueInfoProto o : g.getOutputList()) {
                Dyn d = dyn.get(o.getName());
                if (d == null) throw new OnnxFormatException("graph output '" + o.getName() + "' is " + (consts.containsKey(o.getName()) ? "a constant" : "never computed"));
                graph.output(o.getName(), d.node);
            }
            Model m;
            try {
                m = Model.of(graph, dtype, opt.seed(), opt.execution());
            } catch (IllegalArgumentException e) {
                throw new OnnxFormatException("the graph does not build: " + e.getMessage(), e);
            }
            try {
                for (var e : values.entrySet()) {
                    Map<String, Param> byName = new HashMap<>();
                    for (Param p : e.getKey().params()) byName.put(p.name(), p);
                    for (Param p : e.getKey().state()) byName.put(p.name(), p);
                    for (var v : e.getValue().entrySet()) {
                        Tensor t = byName.get(v.getKey()).value();
                        if (t.numel() != v.getValue().length) {
                            throw new OnnxFormatException(e.getKey().describe() + ": " + v.getValue().length + " values for its " + v.getKey() + " " + t.describe());
                        }
                        for (int i = 0; i < v.getValue().length; i++) dev.vecnn.nn.layer.Elementwise.set(t, t.offset() + i, v.getValue()[i]);
                    }
                }
            } catch (RuntimeException e) {
                m.close();
                throw e;
            }
            return m;
        }

        void input(ValueInfoProto in) {
            String name = in.getName();
            if (!in.getType().hasTensorType()) throw new OnnxFormatException("input '" + name + "' is not a tensor");
            var tt = in.getType().getTensorType();
            DType t = switch (tt.getElemType()) {
                case OnnxTensors.FLOAT -> DType.F32;
                case OnnxTensors.DOUBLE -> DType.F64;
                default -> throw new OnnxFormatException("input '" + name + "' has element type " + tt.getElemType() + "; float32 (1) and float64 (11) are supported");
            };
            if (dtype != null && dtype != t) throw new OnnxFormatException("input '" + name + "' is " + t + ", another input is " + dtype + "; one dtype per model");
            dtype = t;
            TensorShapeProto s = tt.getShape();
            if (s.getDimCount() < 2) throw new OnnxFormatException("input '" + name + "' has rank " + s.getDimCount() + "; inputs are (N, ...) with at least one sample dimension");
            long[] sample = new long[s.getDimCount() - 1];
            for (int d = 1; d < s.getDimCount(); d++) {
                var dim = s.getDim(d);
                if (!dim.hasDimValue() || dim.getDimValue() < 1) {
                    throw new OnnxFormatException("input '" + name + "' dimension " + d + " is " + (dim.hasDimParam() ? "symbolic '" + dim.getDimParam() + "'" : "unknown")
                            + "; only the batch dimension (0) may vary");
                }
                sample[d - 1] = dim.getDimValue();
            }
            Graph.Node n = graph.input(unique(name), sample);
            dyn.put(name, new Dyn(n, sample, null, null));
        }

        // ------------------------------------------------------------------ helpers

        OnnxFormatException fail(String what) {
            return new OnnxFormatException("node '" + node.getName() + "' (" + node.getOpType() + "): " + what);
        }

        OnnxFormatException unsupportedAttr(String attr, String value, String supported) {
            return fail("attribute " + attr + " = " + value + " is not supported (" + supported + ")");
        }

        String unique(String base) {
            String b = base.isEmpty() ? "node" : base, n = b;
            for (int i = 1; !names.add(n); i++) n = b + "_" + i;
            return n;
        }

        /** A node name: the initializer's path for a weight named like PyTorch's {@code features.0.weight}, else the ONNX node name. */
        String nameFor(String weightName) {
            if (weightName != null && weightName.endsWith(".weight") && !names.contains(weightName.substring(0, weightName.length() - 7))) {
                return unique(weightName.substring(0, weightName.length() - 7));
            }
            String n = node.getName().isEmpty() ? node.getOpType() + "_" + node.getOutput(0) : node.getName();
            return unique(n.replaceAll("^/", ""));
        }

        String in(int i) {
            return i < node.getInputCount() ? node.getInput(i) : "";
        }

        boolean has(int i) {
            return !in(i).isEmpty();
        }

        Dyn dynamic(int i) {
            Dyn d = dyn.get(in(i));
            if (d == null) {
                if (consts.containsKey(in(i))) throw fail("input " + i + " '" + in(i) + "' is a constant; this operator needs a computed tensor there");
                throw fail("input " + i + " '" + in(i) + "' is not computed before this node");
            }
            return d;
        }

        Const constant(int i) {
            Const c = consts.get(in(i));
            if (c == null) {
                if (dyn.containsKey(in(i))) throw fail("input " + i + " '" + in(i) + "' is computed at run time; it must be a constant (initializer)");
                throw fail("input " + i + " '" + in(i) + "' is missing");
            }
            return c;
        }

        boolean isConst(int i) {
            return consts.containsKey(in(i));
        }

        AttributeProto attr(String name) {
            for (AttributeProto a : node.getAttributeList()) if (a.getName().equals(name)) return a;
            return null;
        }

        long attrInt(String name, long def) {
            AttributeProto a = attr(name);
            return a == null ? def : a.getI();
        }

        double attrFloat(String name, double def) {
            AttributeProto a = attr(name);
            return a == null ? def : a.getF();
        }

        String attrString(String name, String def) {
            AttributeProto a = attr(name);
            return a == null ? def : a.getS().toStringUtf8();
        }

        long[] attrInts(String name) {
            AttributeProto a = attr(name);
            if (a == null) return null;
            long[] v = new long[a.getIntsCount()];
            for (int i = 0; i < v.length; i++) v[i] = a.getInts(i);
            return v;
        }

        /** Rejects attributes outside {@code known}. */
        void only(String... known) {
            Set<String> k = Set.of(known);
            for (AttributeProto a : node.getAttributeList()) {
                if (!k.contains(a.getName())) throw fail("attribute " + a.getName() + " is not supported (known: " + new TreeSet<>(k) + ")");
            }
        }

        static int[] ints(long[] v) {
            int[] r = new int[v.length];
            for (int i = 0; i < v.length; i++) r[i] = Math.toIntExact(v[i]);
            return r;
        }

        void define(String onnxName, Graph.Node n, long[] shape, Layer layer) {
            if (dyn.containsKey(onnxName) || consts.containsKey(onnxName)) throw fail("value '" + onnxName + "' is defined twice");
            dyn.put(onnxName, new Dyn(n, shape, layer, node));
        }

        /**
         * Adds a layer reading dynamic input {@code x}; its output is the node's output 0. {@code make}
         * is called twice: once to learn the output shape on a scratch context (a layer is built once),
         * once for the model.
         */
        Dyn layer(String name, java.util.function.Supplier<Layer> make, Dyn x, Map<String, double[]> init) {
            long[] shape;
            try (dev.vecnn.nn.Context probe = new dev.vecnn.nn.Context(dtype, opt.execution(), 0)) {
                shape = make.get().build(probe, x.shape);
            }
            Layer l = make.get();
            Graph.Node n = graph.add(name, l, x.node);
            if (init != null && !init.isEmpty()) values.put(l, init);
            define(node.getOutput(0), n, shape, l);
            return dyn.get(node.getOutput(0));
        }

        boolean singleUse(String value) {
            return consumers.getOrDefault(value, 0) == 1;
        }

        // ------------------------------------------------------------------ operators

        void read(NodeProto n) {
            if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
                throw fail("domain '" + n.getDomain() + "' is not supported; supported operators (default domain): " + SUPPORTED);
            }
            if (n.getOutputCount() == 0 || n.getOutput(0).isEmpty()) throw fail("the node has no output");
            switch (n.getOpType()) {
                case "Conv" -> conv(false);
                case "ConvTranspose" -> conv(true);
                case "MaxPool", "AveragePool" -> pool();
                case "GlobalAveragePool" -> simple(PoolLayer::globalAvg);
                case "GlobalMaxPool" -> simple(PoolLayer::globalMax);
                case "BatchNormalization" -> batchNorm();
                case "Relu" -> activation(Epilogue.relu(), Activation::relu);
                case "LeakyRelu" -> {
                    only("alpha");
                    double a = attrFloat("alpha", 0.01);
                    activation(a >= 0 ? Epilogue.leakyRelu(a) : null, () -> Activation.leakyRelu(a));
                }
                case "Sigmoid" -> activation(Epilogue.sigmoid(), Activation::sigmoid);
                case "Tanh" -> activation(Epilogue.tanh(), Activation::tanh);
                case "Clip" -> clip();
                case "HardSigmoid" -> {
                    only("alpha", "beta");
                    double ha = attrFloat("alpha", 0.2), hb = attrFloat("beta", 0.5);
                    simple(() -> Activation.hardSigmoid(ha, hb));
                }
                case "HardSwish" -> simple(Activation::hardSwish);
                case "Softmax" -> softmax();
                case "Resize", "Upsample" -> resize();
                case "Gemm" -> gemm();
                case "MatMul" -> matmul();
                case "Add", "Sub", "Mul", "Div" -> arithmetic();
                case "Concat" -> concat();
                case "Flatten" -> flatten();
                case "Reshape" -> reshape();
                case "Transpose" -> transpose();
                case "Squeeze", "Unsqueeze" -> squeeze(n.getOpType().equals("Unsqueeze"));
                case "Identity", "Dropout", "Cast" -> alias();
                case "Constant" -> constantNode();
                case "Shape" -> shape();
                case "Gather" -> gather();
                case "ConstantOfShape" -> constantOfShape();
                case "Slice" -> slice();
                case "Pad" -> pad();
                default -> throw fail("operator " + n.getOpType() + " is not supported; supported operators: " + SUPPORTED);
            }
        }

        void simple(java.util.function.Supplier<Layer> l) {
            if (!node.getOpType().equals("HardSigmoid")) only();
            layer(nameFor(null), l, dynamic(0), null);
        }

        /** Pending Pad nodes that a convolution may absorb: output name to (input, begin, end, mode). */
        final Map<String, PendingPad> pendingPads = new HashMap<>();

        record PendingPad(Dyn x, int[] begin, int[] end, SpatialGather.PadMode mode, double value, NodeProto from) {
        }

        void conv(boolean transposed) {
            only("auto_pad", "dilations", "group", "kernel_shape", "pads", "strides", "output_padding", "output_shape");
            if (!transposed && (attr("output_padding") != null || attr("output_shape") != null)) {
                throw fail("attribute output_padding/output_shape belongs to ConvTranspose");
            }
            PendingPad pp = pendingPads.remove(in(0));
            Dyn x = pp != null ? pp.x : dynamic(0);
            Const w = constant(1);
            Const b = has(2) ? constant(2) : null;
            int rank = w.shape().length - 2;
            if (rank < 1) throw fail("weight '" + in(1) + "' has shape " + Arrays.toString(w.shape()) + "; (out, in/groups, kernel...) expected");
            if (x.shape.length != rank + 1) throw fail("input has samples " + Arrays.toString(x.shape) + ", the weight is for " + rank + " spatial dimensions");
            long group = attrInt("group", 1);
            long outC = transposed ? w.shape()[1] * group : w.shape()[0];
            long inC = x.shape[0];
            if (group < 1 || inC % group != 0 || (transposed ? w.shape()[0] != inC : w.shape()[1] * group != inC)) {
                throw fail("weight '" + in(1) + "' of shape " + Arrays.toString(w.shape()) + " with group " + group + " does not fit " + inC + " input channels");
            }
            int[] kernel = new int[rank];
            for (int d = 0; d < rank; d++) kernel[d] = Math.toIntExact(w.shape()[d + 2]);
            long[] ks = attrInts("kernel_shape");
            if (ks != null && !Arrays.equals(ints(ks), kernel)) throw fail("attribute kernel_shape " + Arrays.toString(ks) + " does not match the weight " + Arrays.toString(w.shape()));
            int[] stride = ones(attrInts("strides"), rank, "strides"), dil = ones(attrInts("dilations"), rank, "dilations");
            int[][] pads = pads(attrInts("pads"), rank);
            String auto = attrString("auto_pad", "NOTSET");
            long[] spatial = Arrays.copyOfRange(x.shape, 1, x.shape.length);
            int[] outPad = new int[rank];
            long[] op = attrInts("output_padding");
            if (op != null) outPad = ones(op, rank, "output_padding", 0);
            long[] outShape = attrInts("output_shape");
            if (outShape != null && outShape.length == rank + 2) outShape = Arrays.copyOfRange(outShape, 2, outShape.length);
            if (transposed && outShape != null) {
                if (outShape.length != rank) throw unsupportedAttr("output_shape", Arrays.toString(outShape), rank + " spatial sizes");
                for (int d = 0; d < rank; d++) {
                    long full = (long) stride[d] * (spatial[d] - 1) + outPad[d] + (long) (kernel[d] - 1) * dil[d] + 1;
                    long total = full - outShape[d];
                    if (total < 0) throw unsupportedAttr("output_shape", Arrays.toString(outShape), "larger than the full output " + full + " in dimension " + d);
                    // as ONNX Runtime: SAME_UPPER puts the odd position at the start, NOTSET and SAME_LOWER at the end
                    pads[0][d] = (int) (auto.equals("SAME_UPPER") ? total - total / 2 : total / 2);
                    pads[1][d] = (int) (total - pads[0][d]);
                }
            } else if (!auto.equals("NOTSET")) {
                for (int d = 0; d < rank; d++) {
                    long total;
                    switch (auto) {
                        case "VALID" -> total = 0;
                        case "SAME_UPPER", "SAME_LOWER" -> {
                            if (transposed) { // output = input * stride
                                total = (long) stride[d] * (spatial[d] - 1) + outPad[d] + (long) (kernel[d] - 1) * dil[d] + 1 - spatial[d] * stride[d];
                            } else {
                                long out = (spatial[d] + stride[d] - 1) / stride[d];
                                total = Math.max(0, (out - 1) * stride[d] + (long) (kernel[d] - 1) * dil[d] + 1 - spatial[d]);
                            }
                            if (total < 0) throw unsupportedAttr("auto_pad", auto, "needs negative padding here");
                        }
                        default -> throw unsupportedAttr("auto_pad", auto, "NOTSET, VALID, SAME_UPPER, SAME_LOWER");
                    }
                    boolean upper = auto.equals("SAME_UPPER") != transposed; // ONNX: ConvTranspose splits the other way
                    pads[0][d] = (int) (upper ? total / 2 : total - total / 2);
                    pads[1][d] = (int) (total - pads[0][d]);
                }
            }
            PaddingMode mode = PaddingMode.ZEROS;
            if (pp != null) {
                boolean zero = Arrays.stream(pads[0]).allMatch(v -> v == 0) && Arrays.stream(pads[1]).allMatch(v -> v == 0);
                if (pp.mode != SpatialGather.PadMode.CONSTANT && !zero) throw new IllegalStateException("pad folding checked before");
                for (int d = 0; d < rank; d++) {
                    pads[0][d] += pp.begin[d];
                    pads[1][d] += pp.end[d];
                }
                mode = switch (pp.mode) {
                    case CONSTANT -> PaddingMode.ZEROS;
                    case REFLECT -> PaddingMode.REFLECT;
                    case EDGE -> PaddingMode.REPLICATE;
                };
            }
            double[] wv = w.doubles(), bv = b == null ? null : b.doubles();
            if (b != null && bv.length != outC) throw fail("bias '" + in(2) + "' has " + bv.length + " values for " + outC + " output channels");
            // fold a following BatchNormalization (plain convolution, used once)
            NodeProto bn = opt.foldBatchNorm() && !transposed && singleUse(node.getOutput(0)) ? follower(node.getOutput(0), "BatchNormalization") : null;
            String outName = node.getOutput(0);
            if (bn != null) {
                Const[] p = new Const[4];
                for (int i = 0; i < 4; i++) p[i] = i + 1 < bn.getInputCount() ? consts.get(bn.getInput(i + 1)) : null;
                // only a plain inference batch norm folds; anything else is read (and judged) as its own node
                boolean ok = Arrays.stream(p).allMatch(c -> c != null && c.numel() == outC) && bn.getOutputCount() == 1
                        && attrOf(bn, "training_mode", 0) == 0 && attrOf(bn, "spatial", 1) == 1
                        && bn.getAttributeList().stream().allMatch(a -> Set.of("epsilon", "momentum", "training_mode", "spatial").contains(a.getName()));
                if (ok) {
                    double eps = attrFloat(bn, "epsilon", 1e-5);
                    double[] gamma = p[0].doubles(), beta = p[1].doubles(), mean = p[2].doubles(), var = p[3].doubles();
                    long per = wv.length / outC;
                    double[] nb = new double[(int) outC];
                    for (int c = 0; c < outC; c++) {
                        double s = gamma[c] / Math.sqrt(var[c] + eps);
                        for (long k = 0; k < per; k++) wv[(int) (c * per + k)] *= s;
                        nb[c] = ((bv == null ? 0 : bv[c]) - mean[c]) * s + beta[c];
                    }
                    bv = nb;
                    foldedInto.put(bn.getOutput(0), outName);
                } else {
                    bn = null;
                }
            }
            PaddingMode pm = mode;
            boolean withBias = bv != null;
            int[] opad = outPad;
            java.util.function.Supplier<Layer> make = () -> {
                ConvLayer c = new ConvLayer(outC, kernel).stride(stride).dilation(dil).padding(pads[0], pads[1]).paddingMode(pm).groups(group).bias(withBias);
                return transposed ? c.transposed(opad) : c;
            };
            Map<String, double[]> init = new LinkedHashMap<>();
            init.put("weight", wv);
            if (bv != null) init.put("bias", bv);
            Dyn made = layer(nameFor(in(1)), make, x, init);
            if (bn != null) dyn.put(bn.getOutput(0), made);
        }

        /** BatchNormalization outputs folded into a convolution, to the convolution's output. */
        final Map<String, String> foldedInto = new HashMap<>();

        NodeProto follower(String value, String opType) {
            for (NodeProto n : g.getNodeList()) {
                if (n.getOpType().equals(opType) && n.getInputCount() > 0 && n.getInput(0).equals(value)) return n;
            }
            return null;
        }

        static long attrOf(NodeProto n, String name, long def) {
            for (AttributeProto a : n.getAttributeList()) if (a.getName().equals(name)) return a.getI();
            return def;
        }

        static double attrFloat(NodeProto n, String name, double def) {
            for (AttributeProto a : n.getAttributeList()) if (a.getName().equals(name)) return a.getF();
            return def;
        }

        int[] ones(long[] v, int rank, String what) {
            return ones(v, rank, what, 1);
        }

        int[] ones(long[] v, int rank, String what, int fill) {
            int[] r = new int[rank];
            Arrays.fill(r, fill);
            if (v == null) return r;
            if (v.length != rank) throw unsupportedAttr(what, Arrays.toString(v), rank + " values, one per spatial dimension");
            return ints(v);
        }

        int[][] pads(long[] p, int rank) {
            int[][] r = new int[2][rank];
            if (p == null) return r;
            if (p.length != 2 * rank) throw unsupportedAttr("pads", Arrays.toString(p), 2 * rank + " values: begins then ends");
            for (int d = 0; d < rank; d++) {
                r[0][d] = Math.toIntExact(p[d]);
                r[1][d] = Math.toIntExact(p[d + rank]);
                if (r[0][d] < 0 || r[1][d] < 0) throw unsupportedAttr("pads", Arrays.toString(p), "non-negative");
            }
            return r;
        }

        void pool() {
            boolean max = node.getOpType().equals("MaxPool");
            if (max) only("auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides");
            else only("auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides", "dilations");
            String indices = node.getOutputCount() > 1 && !node.getOutput(1).isEmpty() ? node.getOutput(1) : null;
            if (indices != null && (!max || consumers.getOrDefault(indices, 0) != (isGraphOutput(indices) ? 1 : 0))) {
                throw fail("the Indices output '" + indices + "' is supported only as a graph output (not as an input of other nodes)");
            }
            Dyn x = dynamic(0);
            long[] ks = attrInts("kernel_shape");
            if (ks == null) throw fail("attribute kernel_shape is required");
            int rank = ks.length;
            if (x.shape.length != rank + 1) throw fail("input has samples " + Arrays.toString(x.shape) + ", kernel_shape " + Arrays.toString(ks));
            int[] k = ints(ks), s = ones(attrInts("strides"), rank, "strides"), dil = ones(attrInts("dilations"), rank, "dilations");
            int[][] pads = pads(attrInts("pads"), rank);
            String auto = attrString("auto_pad", "NOTSET");
            boolean ceil = attrInt("ceil_mode", 0) != 0;
            if (!auto.equals("NOTSET")) {
                for (int d = 0; d < rank; d++) {
                    long size = x.shape[d + 1], total;
                    switch (auto) {
                        case "VALID" -> total = 0;
                        case "SAME_UPPER", "SAME_LOWER" -> {
                            long out = (size + s[d] - 1) / s[d];
                            total = Math.max(0, (out - 1) * s[d] + (long) (k[d] - 1) * dil[d] + 1 - size);
                        }
                        default -> throw unsupportedAttr("auto_pad", auto, "NOTSET, VALID, SAME_UPPER, SAME_LOWER");
                    }
                    pads[0][d] = (int) (auto.equals("SAME_LOWER") ? total - total / 2 : total / 2);
                    pads[1][d] = (int) (total - pads[0][d]);
                }
            }
            boolean cip = attrInt("count_include_pad", 0) != 0;
            String name = nameFor(null);
            Dyn made = layer(name, () -> {
                PoolLayer p = (max ? PoolLayer.max(k) : PoolLayer.avg(k)).stride(s).dilation(dil).padding(pads[0], pads[1]).ceilMode(ceil);
                return max ? p : p.countIncludePad(cip);
            }, x, null);
            if (indices != null) {
                long order = attrInt("storage_order", 0);
                if (order != 0 && order != 1) throw unsupportedAttr("storage_order", Long.toString(order), "0 or 1");
                PoolIndices pi = new PoolIndices((PoolLayer) made.layer, (int) order);
                dyn.put(indices, new Dyn(graph.add(unique(name + ":indices"), pi, x.node), made.shape, pi, node));
            }
        }

        void batchNorm() {
            only("epsilon", "momentum", "training_mode", "spatial");
            if (attrInt("training_mode", 0) != 0) throw unsupportedAttr("training_mode", "1", "inference only: 0");
            if (attrInt("spatial", 1) != 1) throw unsupportedAttr("spatial", "0", "1");
            if (foldedInto.containsKey(node.getOutput(0))) return; // folded into the convolution before it
            for (int i = 1; i < node.getOutputCount(); i++) if (!node.getOutput(i).isEmpty()) throw fail("training outputs (running statistics) are not supported");
            Dyn x = dynamic(0);
            double eps = attrFloat("epsilon", 1e-5), momentum = attrFloat("momentum", 0.9);
            // ONNX's momentum weighs the old estimate, PyTorch's (and vecnn's) the new one
            Map<String, double[]> init = new LinkedHashMap<>();
            String[] names = {"weight", "bias", "running_mean", "running_var"};
            for (int i = 0; i < 4; i++) {
                Const c = constant(i + 1);
                if (c.numel() != x.shape[0]) throw fail("input " + (i + 1) + " '" + in(i + 1) + "' has " + c.numel() + " values for " + x.shape[0] + " channels");
                init.put(names[i], c.doubles());
            }
            layer(nameFor(in(1)), () -> new BatchNorm(eps, 1 - momentum), x, init);
        }

        void activation(Epilogue fused, java.util.function.Supplier<Layer> separate) {
            if (!node.getOpType().equals("LeakyRelu") && !node.getOpType().equals("Clip")) only();
            Dyn x = dynamic(0);
            // fuse only into the convolution's own output (or its folded batch norm), read by this node alone
            boolean direct = x.layer instanceof ConvLayer && x.from != null && (in(0).equals(x.from.getOutput(0)) || foldedInto.containsKey(in(0)));
            if (opt.fuseActivations() && fused != null && direct && ((ConvLayer) x.layer).epilogue() == Epilogue.NONE && singleUse(in(0))
                    && !isGraphOutput(in(0))) {
                ((ConvLayer) x.layer).epilogue(fused);
                dyn.put(node.getOutput(0), x);
                return;
            }
            layer(nameFor(null), separate, x, null);
        }

        boolean isGraphOutput(String v) {
            for (ValueInfoProto o : g.getOutputList()) if (o.getName().equals(v)) return true;
            return false;
        }

        void clip() {
            only("min", "max");
            double lo = attrFloat("min", Double.NEGATIVE_INFINITY), hi = attrFloat("max", Double.POSITIVE_INFINITY);
            if (opset >= 11) {
                if (attr("min") != null || attr("max") != null) throw fail("attributes min/max are opset 6 Clip; opset " + opset + " takes inputs");
                if (has(1)) lo = constant(1).value(0);
                if (has(2)) hi = constant(2).value(0);
            }
            if (lo == 0 && hi == Double.POSITIVE_INFINITY) {
                activation(Epilogue.relu(), Activation::relu);
                return;
            }
            double l0 = lo, h0 = hi;
            layer(nameFor(null), () -> Activation.clip(l0, h0), dynamic(0), null);
        }

        void softmax() {
            only("axis");
            Dyn x = dynamic(0);
            int rank = x.shape.length + 1;
            long axis = attrInt("axis", opset >= 13 ? -1 : 1);
            if (axis < 0) axis += rank;
            boolean ok = axis == 1 && (opset >= 13 || rank == 2);
            if (!ok) throw unsupportedAttr("axis", Long.toString(attrInt("axis", opset >= 13 ? -1 : 1)), "the channel axis 1 (for opset < 13 only on (N, C) inputs)");
            layer(nameFor(null), Softmax::new, x, null);
        }

        void resize() {
            boolean upsample = node.getOpType().equals("Upsample");
            only("mode", "coordinate_transformation_mode", "nearest_mode", "cubic_coeff_a", "exclude_outside", "extrapolation_value", "scales");
            String mode = attrString("mode", "nearest");
            if (!mode.equals("nearest")) throw unsupportedAttr("mode", mode, "nearest");
            String ct = attrString("coordinate_transformation_mode", "half_pixel"), nm = attrString("nearest_mode", "round_prefer_floor");
            if (!upsample && opset >= 11 && !(ct.equals("asymmetric") && nm.equals("floor"))) {
                throw unsupportedAttr("coordinate_transformation_mode/nearest_mode", ct + "/" + nm, "asymmetric/floor, what PyTorch's nearest upsampling exports");
            }
            Dyn x = dynamic(0);
            int rank = x.shape.length + 1;
            double[] scales;
            if (upsample) {
                scales = opset >= 9 ? constant(1).doubles() : null;
            } else if (opset < 11) {
                scales = constant(1).doubles();
            } else if (has(2) && constant(2).numel() > 0) {
                scales = constant(2).doubles();
            } else if (has(3)) {
                long[] sizes = constant(3).longs();
                if (sizes.length != rank) throw fail("sizes " + Arrays.toString(sizes) + " needs " + rank + " values");
                scales = new double[rank];
                scales[0] = 1;
                for (int d = 1; d < rank; d++) scales[d] = (double) sizes[d] / x.shape[d - 1];
            } else {
                throw fail("neither scales nor sizes is given");
            }
            if (scales == null || scales.length != rank || scales[0] != 1 || scales[1] != 1) {
                throw fail("scales " + Arrays.toString(scales) + " must be 1 for the batch and channel dimensions, one per dimension");
            }
            double[] spatialScales = Arrays.copyOfRange(scales, 2, rank);
            layer(nameFor(null), () -> SpatialGather.nearest(spatialScales), x, null);
        }

        void gemm() {
            only("alpha", "beta", "transA", "transB");
            if (attrInt("transA", 0) != 0) throw unsupportedAttr("transA", "1", "0: the batch is the rows of A");
            Dyn x = dynamic(0);
            if (x.shape.length != 1) throw fail("input A has samples " + Arrays.toString(x.shape) + "; Gemm needs (N, K)");
            Const b = constant(1);
            double alpha = attrFloat("alpha", 1), beta = attrFloat("beta", 1);
            boolean tb = attrInt("transB", 0) != 0;
            long k = x.shape[0];
            if (b.shape().length != 2) throw fail("B has shape " + Arrays.toString(b.shape()) + ", expected 2-D");
            long m = tb ? b.shape()[0] : b.shape()[1];
            if ((tb ? b.shape()[1] : b.shape()[0]) != k) throw fail("B has shape " + Arrays.toString(b.shape()) + ", A has " + k + " columns");
            double[] bv = b.doubles(), w = new double[(int) (m * k)];
            for (int o = 0; o < m; o++) for (int i = 0; i < k; i++) w[(int) (o * k + i)] = alpha * (tb ? bv[(int) (o * k + i)] : bv[(int) (i * m + o)]);
            double[] bias = null;
            if (has(2)) {
                Const c = constant(2);
                bias = new double[(int) m];
                if (c.numel() != 1 && c.numel() != m) throw fail("C has shape " + Arrays.toString(c.shape()) + "; per-output (M) or scalar biases are supported");
                for (int o = 0; o < m; o++) bias[o] = beta * c.value(c.numel() == 1 ? 0 : o);
            }
            Map<String, double[]> init = new LinkedHashMap<>();
            init.put("weight", w);
            if (bias != null) init.put("bias", bias);
            boolean withBias = bias != null;
            layer(nameFor(in(1)), () -> new Dense(m).bias(withBias), x, init);
        }

        void matmul() {
            only();
            Dyn x = dynamic(0);
            Const b = constant(1);
            if (x.shape.length != 1 || b.shape().length != 2 || b.shape()[0] != x.shape[0]) {
                throw fail("MatMul is supported as (N, K) x constant (K, M); got samples " + Arrays.toString(x.shape) + " and " + Arrays.toString(b.shape()));
            }
            long k = b.shape()[0], m = b.shape()[1];
            double[] bv = b.doubles(), w = new double[(int) (m * k)];
            for (int o = 0; o < m; o++) for (int i = 0; i < k; i++) w[(int) (o * k + i)] = bv[(int) (i * m + o)];
            layer(nameFor(in(1)), () -> new Dense(m).bias(false), x, Map.of("weight", w));
        }

        void arithmetic() {
            only();
            String op = node.getOpType().toLowerCase(java.util.Locale.ROOT);
            boolean c0 = isConst(0), c1 = isConst(1);
            if (c0 && c1) {
                consts.put(node.getOutput(0), OnnxFold.arithmetic(op, constant(0), constant(1)));
                return;
            }
            if (!c0 && !c1) {
                Dyn a = dynamic(0), b = dynamic(1);
                Arithmetic m = switch (op) {
                    case "add" -> Arithmetic.add();
                    case "sub" -> Arithmetic.sub();
                    case "mul" -> Arithmetic.mul();
                    default -> Arithmetic.div();
                };
                if (a.shape.length != b.shape.length) throw fail("operands of ranks " + (a.shape.length + 1) + " and " + (b.shape.length + 1) + "; both computed operands need the same rank");
                long[] out = broadcast(a.shape, b.shape);
                define(node.getOutput(0), graph.add(nameFor(null), m, a.node, b.node), out, null);
                return;
            }
            Const c = c0 ? constant(0) : constant(1);
            Dyn x = c0 ? dynamic(1) : dynamic(0);
            if (c.isInt()) throw fail("integer constant operand " + c + " for a computed tensor");
            layer(nameFor(c0 ? in(0) : in(1)), () -> ConstantArithmetic.of(op, c0, c.shape(), c.doubles()), x, null);
        }

        long[] broadcast(long[] a, long[] b) {
            long[] out = new long[a.length];
            for (int d = 0; d < a.length; d++) {
                if (a[d] != b[d] && a[d] != 1 && b[d] != 1) throw fail("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
                out[d] = Math.max(a[d], b[d]);
            }
            return out;
        }

        void concat() {
            only("axis");
            long axis = attrInt("axis", Long.MIN_VALUE);
            if (axis == Long.MIN_VALUE) throw fail("attribute axis is required");
            boolean allConst = true, anyConst = false;
            for (int i = 0; i < node.getInputCount(); i++) {
                allConst &= isConst(i);
                anyConst |= isConst(i);
            }
            if (allConst) {
                List<Const> cs = new ArrayList<>();
                for (int i = 0; i < node.getInputCount(); i++) cs.add(constant(i));
                consts.put(node.getOutput(0), OnnxFold.concat(cs, axis));
                return;
            }
            if (anyConst) throw fail("mixes constant and computed inputs");
            Graph.Node[] ins = new Graph.Node[node.getInputCount()];
            long[] out = null;
            int rank = dynamic(0).shape.length + 1;
            if (axis < 0) axis += rank;
            if (axis < 1 || axis >= rank) throw unsupportedAttr("axis", Long.toString(attrInt("axis", 0)), "a sample dimension 1.." + (rank - 1));
            for (int i = 0; i < ins.length; i++) {
                Dyn d = dynamic(i);
                ins[i] = d.node;
                if (out == null) out = d.shape.clone();
                else out[(int) axis - 1] += d.shape[(int) axis - 1];
            }
            define(node.getOutput(0), graph.add(nameFor(null), new Concat((int) axis - 1), ins), out, null);
        }

        void flatten() {
            only("axis");
            long axis = attrInt("axis", 1);
            Dyn x = dynamic(0);
            int rank = x.shape.length + 1;
            if (axis < 0) axis += rank;
            long lead = 1;
            for (int d = 1; d < axis; d++) lead *= x.shape[d - 1];
            if (axis < 1 || lead != 1) throw unsupportedAttr("axis", Long.toString(attrInt("axis", 1)), "1 (or sizes 1 before it): the batch stays the first dimension");
            boolean plain = axis == 1;
            layer(nameFor(null), () -> plain ? new Flatten() : new Reshape(-1), x, null);
        }

        void reshape() {
            only("allowzero");
            if (isConst(0)) {
                consts.put(node.getOutput(0), OnnxFold.reshape(constant(0), constant(1).longs()));
                return;
            }
            Dyn x = dynamic(0);
            long[] target = constant(1).longs();
            boolean allowZero = attrInt("allowzero", 0) != 0;
            if (target.length == 0) throw fail("shape [] would drop the batch dimension");
            long[] full = new long[x.shape.length + 1];
            full[0] = OnnxTensors.BATCH;
            System.arraycopy(x.shape, 0, full, 1, x.shape.length);
            long[] t = target.clone();
            for (int d = 0; d < t.length; d++) if (t[d] == 0 && !allowZero) t[d] = d < full.length ? full[d] : 0;
            long sampleNumel = dev.vecnn.tensor.Tensor.numel(x.shape);
            long[] sample;
            if (t[0] == OnnxTensors.BATCH) {
                sample = Arrays.copyOfRange(t, 1, t.length);
            } else if (t[0] == -1) { // the batch inferred: the rest must hold exactly one sample
                sample = Arrays.copyOfRange(t, 1, t.length);
                long p = 1;
                for (long v : sample) p *= v;
                if (p != sampleNumel) throw fail("shape " + show(target) + " does not keep the batch as the first dimension");
            } else {
                throw fail("shape " + show(target) + " does not keep the batch as the first dimension (needs N, 0 or -1 first)");
            }
            for (long v : sample) if (v == OnnxTensors.BATCH || v == 0) throw fail("shape " + show(target) + " moves the batch size");
            layer(nameFor(null), () -> new Reshape(sample), x, null);
        }

        static String show(long[] v) {
            return Arrays.toString(v).replace(Long.toString(OnnxTensors.BATCH), "N");
        }

        void transpose() {
            only("perm");
            long[] perm = attrInts("perm");
            if (isConst(0)) {
                Const c = constant(0);
                consts.put(node.getOutput(0), OnnxFold.transpose(c, perm));
                return;
            }
            Dyn x = dynamic(0);
            int rank = x.shape.length + 1;
            if (perm == null) {
                perm = new long[rank];
                for (int d = 0; d < rank; d++) perm[d] = rank - 1 - d;
            }
            if (perm.length != rank || perm[0] != 0) throw unsupportedAttr("perm", Arrays.toString(perm), "a permutation of rank " + rank + " that keeps the batch first");
            int[] order = new int[rank - 1];
            for (int d = 1; d < rank; d++) order[d - 1] = Math.toIntExact(perm[d] - 1);
            layer(nameFor(null), () -> new Transpose(order), x, null);
        }

        void squeeze(boolean unsqueeze) {
            only("axes");
            long[] axes = attrInts("axes");
            if (opset >= 13) {
                if (axes != null) throw fail("attribute axes is opset < 13; opset " + opset + " takes it as input 1");
                axes = has(1) ? constant(1).longs() : null;
            }
            if (isConst(0)) {
                consts.put(node.getOutput(0), OnnxFold.squeeze(constant(0), axes, unsqueeze));
                return;
            }
            Dyn x = dynamic(0);
            long[] full = new long[x.shape.length + 1];
            full[0] = 1;
            System.arraycopy(x.shape, 0, full, 1, x.shape.length);
            long[] out = OnnxFold.squeezeShape(full, axes, unsqueeze);
            boolean batchFirst = false;
            if (unsqueeze) { // the batch must stay at 0: no axis 0
                batchFirst = axes != null && Arrays.stream(axes).noneMatch(a -> a == 0 || a == -out.length);
            } else {
                batchFirst = axes != null && Arrays.stream(axes).noneMatch(a -> a == 0 || a == -full.length);
            }
            if (!batchFirst) throw unsupportedAttr("axes", axes == null ? "(all)" : Arrays.toString(axes), "sample dimensions only (not 0, the batch)");
            long[] sample = Arrays.copyOfRange(out, 1, out.length);
            layer(nameFor(null), () -> new Reshape(sample), x, null);
        }

        void alias() {
            String op = node.getOpType();
            if (op.equals("Dropout")) {
                only("ratio", "seed");
                if (node.getOutputCount() > 1 && !node.getOutput(1).isEmpty() && consumers.containsKey(node.getOutput(1))) throw fail("the mask output is not supported");
                if (opset >= 12 && has(2) && isConst(2) && constant(2).value(0) != 0) throw fail("training_mode = true is not supported (inference Dropout only)");
            } else if (op.equals("Cast")) {
                only("to", "saturate");
                long to = attrInt("to", -1);
                if (isConst(0)) {
                    Const c = constant(0);
                    boolean toInt = to == OnnxTensors.INT64 || to == OnnxTensors.INT32 || to == OnnxTensors.BOOL;
                    consts.put(node.getOutput(0), toInt ? Const.ofInts(c.shape(), c.longs()) : Const.ofDoubles(c.shape(), c.doubles()));
                    return;
                }
                if (to != OnnxTensors.FLOAT && to != OnnxTensors.DOUBLE) throw unsupportedAttr("to", Long.toString(to), "a floating-point type for computed tensors");
            } else {
                only();
            }
            if (isConst(0)) {
                consts.put(node.getOutput(0), constant(0));
                return;
            }
            dyn.put(node.getOutput(0), dynamic(0));
        }

        void constantNode() {
            AttributeProto a = node.getAttributeCount() == 1 ? node.getAttribute(0) : null;
            if (a == null) throw fail("needs exactly one attribute (value, value_float, value_floats, value_int, value_ints)");
            Const c = switch (a.getName()) {
                case "value" -> OnnxTensors.read(a.getT(), "node '" + node.getName() + "' value");
                case "value_float" -> Const.ofDoubles(new long[0], a.getF());
                case "value_floats" -> Const.ofDoubles(new long[] {a.getFloatsCount()}, a.getFloatsList().stream().mapToDouble(Float::doubleValue).toArray());
                case "value_int" -> Const.ofInts(new long[0], a.getI());
                case "value_ints" -> Const.ofInts(new long[] {a.getIntsCount()}, a.getIntsList().stream().mapToLong(Long::longValue).toArray());
                default -> throw unsupportedAttr(a.getName(), "...", "value, value_float, value_floats, value_int, value_ints");
            };
            consts.put(node.getOutput(0), c);
        }

        void shape() {
            only("start", "end");
            long[] full;
            if (isConst(0)) {
                full = constant(0).shape();
            } else {
                Dyn x = dynamic(0);
                full = new long[x.shape.length + 1];
                full[0] = OnnxTensors.BATCH;
                System.arraycopy(x.shape, 0, full, 1, x.shape.length);
            }
            int r = full.length;
            long start = attrInt("start", 0), end = attrInt("end", r);
            if (start < 0) start += r;
            if (end < 0) end += r;
            start = Math.clamp(start, 0, r);
            end = Math.clamp(end, start, r);
            long[] v = Arrays.copyOfRange(full, (int) start, (int) end);
            consts.put(node.getOutput(0), Const.ofInts(new long[] {v.length}, v));
        }

        void gather() {
            only("axis");
            if (!isConst(0)) throw fail("Gather of a computed tensor is not supported (only of constants, as in shape arithmetic)");
            consts.put(node.getOutput(0), OnnxFold.gather(constant(0), constant(1), attrInt("axis", 0)));
        }

        void constantOfShape() {
            only("value");
            long[] shape = constant(0).longs();
            for (long v : shape) if (v == OnnxTensors.BATCH || v < 0) throw fail("shape " + show(shape) + " depends on the batch size");
            AttributeProto a = attr("value");
            Const v = a == null ? Const.ofDoubles(new long[] {1}, 0) : OnnxTensors.read(a.getT(), "value");
            int n = Math.toIntExact(dev.vecnn.tensor.Tensor.numel(shape));
            if (v.isInt()) {
                long[] l = new long[n];
                Arrays.fill(l, v.integer(0));
                consts.put(node.getOutput(0), Const.ofInts(shape, l));
            } else {
                double[] d = new double[n];
                Arrays.fill(d, v.value(0));
                consts.put(node.getOutput(0), Const.ofDoubles(shape, d));
            }
        }

        void slice() {
            only("starts", "ends", "axes");
            if (!isConst(0)) throw fail("Slice of a computed tensor is not supported (only of constants, as in shape arithmetic)");
            long[] starts, ends, axes, steps = null;
            if (opset >= 10) {
                starts = constant(1).longs();
                ends = constant(2).longs();
                axes = has(3) ? constant(3).longs() : null;
                if (has(4)) steps = constant(4).longs();
            } else {
                starts = attrInts("starts");
                ends = attrInts("ends");
                axes = attrInts("axes");
            }
            consts.put(node.getOutput(0), OnnxFold.slice(constant(0), starts, ends, axes, steps));
        }

        void pad() {
            only("mode", "pads", "value");
            String mode = attrString("mode", "constant");
            SpatialGather.PadMode m = switch (mode) {
                case "constant" -> SpatialGather.PadMode.CONSTANT;
                case "reflect" -> SpatialGather.PadMode.REFLECT;
                case "edge" -> SpatialGather.PadMode.EDGE;
                default -> throw unsupportedAttr("mode", mode, "constant, reflect, edge");
            };
            Dyn x = dynamic(0);
            long[] pads = opset >= 11 ? constant(1).longs() : attrInts("pads");
            double value = opset >= 11 ? (has(2) ? constant(2).value(0) : 0) : attrFloat("value", 0);
            if (opset >= 18 && has(3)) throw fail("input axes is not supported");
            int rank = x.shape.length + 1;
            if (pads == null || pads.length != 2 * rank) throw fail("pads " + Arrays.toString(pads) + " needs " + 2 * rank + " values");
            if (pads[0] != 0 || pads[1] != 0 || pads[rank] != 0 || pads[rank + 1] != 0) throw fail("pads " + Arrays.toString(pads) + " pad the batch or channel dimension");
            int s = rank - 2;
            int[] begin = new int[s], end = new int[s];
            for (int d = 0; d < s; d++) {
                begin[d] = Math.toIntExact(pads[d + 2]);
                end[d] = Math.toIntExact(pads[d + 2 + rank]);
            }
            // fold into the one convolution that reads it, when the convolution's padding can take it
            NodeProto conv = singleUse(node.getOutput(0)) && !isGraphOutput(node.getOutput(0)) ? follower(node.getOutput(0), "Conv") : null;
            boolean nonNegative = Arrays.stream(begin).allMatch(v -> v >= 0) && Arrays.stream(end).allMatch(v -> v >= 0);
            if (conv != null && nonNegative && (m == SpatialGather.PadMode.CONSTANT ? value == 0 : convHasNoPadding(conv))) {
                pendingPads.put(node.getOutput(0), new PendingPad(x, begin, end, m, value, node));
                return;
            }
            layer(nameFor(null), () -> SpatialGather.pad(m, begin, end, value), x, null);
        }

        static boolean convHasNoPadding(NodeProto conv) {
            for (AttributeProto a : conv.getAttributeList()) {
                if (a.getName().equals("pads") && a.getIntsList().stream().anyMatch(v -> v != 0)) return false;
                if (a.getName().equals("auto_pad") && !a.getS().toStringUtf8().equals("NOTSET") && !a.getS().toStringUtf8().equals("VALID")) return false;
            }
            return true;
        }
    }
}
