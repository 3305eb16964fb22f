package dev.vecnn.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.vecnn.nn.Model;
import dev.vecnn.nn.onnx.OnnxExport;
import dev.vecnn.nn.onnx.OnnxImport;
import dev.vecnn.nn.onnx.proto.OnnxProto.AttributeProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.GraphProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.ModelProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.NodeProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.TensorShapeProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.TypeProto;
import dev.vecnn.nn.onnx.proto.OnnxProto.ValueInfoProto;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * MaxPool's optional Indices output, storage orders 0 and 1, ranks 1 to 3, with padding, strides,
 * dilations and ceil mode: vecnn's import against ONNX Runtime running the same file (values and
 * indices exactly: a max is a comparison, and the inputs are distinct), then vecnn's export in ONNX
 * Runtime again.
 */
class MaxPoolIndicesTest {
    static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) a.addInts(x);
        return a.build();
    }

    static AttributeProto integer(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    static ValueInfoProto value(String name, int elem, int rank) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (int d = 0; d < rank; d++) s.addDim(d == 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("N") : TensorShapeProto.Dimension.newBuilder().setDimParam("d" + d));
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elem).setShape(s))).build();
    }

    static ValueInfoProto input(long... shape) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        for (int d = 1; d < shape.length; d++) s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(shape[d]));
        return ValueInfoProto.newBuilder().setName("x").setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(s))).build();
    }

    record Case(long[] shape, long[] kernel, long[] strides, long[] pads, long[] dilations, boolean ceil, int order) {
    }

    static byte[] model(Case c) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType("MaxPool").setName("pool").addInput("x").addOutput("y").addOutput("idx")
                .addAttribute(ints("kernel_shape", c.kernel)).addAttribute(ints("strides", c.strides)).addAttribute(ints("pads", c.pads))
                .addAttribute(ints("dilations", c.dilations)).addAttribute(integer("ceil_mode", c.ceil ? 1 : 0)).addAttribute(integer("storage_order", c.order));
        GraphProto g = GraphProto.newBuilder().setName("g").addNode(n).addInput(input(c.shape)).addOutput(value("y", 1, c.shape.length))
                .addOutput(value("idx", 7, c.shape.length)).build();
        return ModelProto.newBuilder().setIrVersion(8).setGraph(g).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13)).build().toByteArray();
    }

    /** ONNX Runtime's two outputs: values as doubles, indices as longs. */
    static Object[] ort(byte[] model, float[] x, long[] shape, String y, String idx) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(model, new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
             OrtSession.Result r = s.run(Map.of(s.getInputNames().iterator().next(), in))) {
            FloatBuffer fy = ((OnnxTensor) r.get(y).orElseThrow()).getFloatBuffer();
            LongBuffer li = ((OnnxTensor) r.get(idx).orElseThrow()).getLongBuffer();
            double[] v = new double[fy.remaining()];
            for (int i = 0; i < v.length; i++) v[i] = fy.get(i);
            long[] k = new long[li.remaining()];
            for (int i = 0; i < k.length; i++) k[i] = li.get(i);
            return new Object[] {v, k};
        }
    }

    @Test
    void indicesMatchOnnxRuntime() throws Exception {
        List<Case> cases = List.of(
                new Case(new long[] {2, 3, 9, 8}, new long[] {3, 2}, new long[] {2, 2}, new long[] {1, 0, 1, 1}, new long[] {1, 1}, true, 0),
                new Case(new long[] {2, 3, 9, 8}, new long[] {3, 2}, new long[] {2, 2}, new long[] {1, 0, 1, 1}, new long[] {1, 1}, true, 1),
                new Case(new long[] {3, 2, 11}, new long[] {3}, new long[] {2}, new long[] {1, 1}, new long[] {2}, false, 0),
                new Case(new long[] {1, 2, 5, 6, 4}, new long[] {2, 3, 2}, new long[] {1, 2, 2}, new long[] {0, 1, 0, 1, 0, 0}, new long[] {1, 1, 1}, false, 1));
        for (Case c : cases) {
            int n = (int) Tensor.numel(c.shape);
            float[] x = new float[n];
            for (int i = 0; i < n; i++) x[i] = (float) (((i * 7919L) % n) - n / 2.0) / 8; // distinct values: no ties
            Object[] want = ort(model(c), x, c.shape, "y", "idx");
            try (Arena arena = Arena.ofConfined(); Model m = OnnxImport.load(model(c), OnnxImport.Options.defaults())) {
                Tensor xt = Tensor.allocate(arena, DType.F32, c.shape);
                for (int i = 0; i < n; i++) xt.setAt(i, x[i]);
                Map<String, Tensor> out = m.forward(Map.of("x", xt), false);
                assertArrayEquals((double[]) want[0], OnnxFixtures.values(out.get("y")), 0, c.toString());
                Tensor idx = out.get("idx");
                assertEquals(DType.I64, idx.dtype());
                long[] got = new long[(int) idx.numel()];
                for (int i = 0; i < got.length; i++) got[i] = idx.getLongAt(i);
                assertArrayEquals((long[]) want[1], got, c.toString());
                // exported by vecnn, ONNX Runtime gives the same again
                Object[] back = ort(OnnxExport.toBytes(m), x, c.shape, "y", "idx");
                assertArrayEquals((long[]) want[1], (long[]) back[1], "exported " + c);
                assertArrayEquals((double[]) want[0], (double[]) back[0], 0, "exported " + c);
                // the indices are not differentiable: backward through the values only
                m.backward(Map.of("y", out.get("y")));
                assertThrows(IllegalArgumentException.class, () -> m.backward(Map.of("idx", out.get("y"))));
            }
        }
    }
}
