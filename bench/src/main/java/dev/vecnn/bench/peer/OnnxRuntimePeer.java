package dev.vecnn.bench.peer;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ONNX Runtime (MLAS kernels) running a one-node model over vecnn tensors without copies: inputs and the
 * pinned output are direct buffers viewing the tensors' memory (which must be contiguous and native).
 */
public final class OnnxRuntimePeer implements AutoCloseable {
    private final OrtSession session;
    private final Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
    private final Map<String, OnnxTensor> outputs = new LinkedHashMap<>();

    /** A session for {@code model} with {@code threads} intra-op threads; {@code io} alternates names and tensors, the output last. */
    public OnnxRuntimePeer(byte[] model, int threads, Object... io) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(model, o);
        }
        for (int i = 0; i < io.length; i += 2) {
            String name = (String) io[i];
            Tensor t = (Tensor) io[i + 1];
            if (t == null) continue;
            if (!t.isContiguous() || !t.segment().isNative()) {
                throw new IllegalArgumentException(name + ": ONNX Runtime needs contiguous native memory, got " + t.describe());
            }
            long es = t.dtype().byteSize();
            var bytes = t.segment().asSlice(t.offset() * es, t.numel() * es).asByteBuffer().order(ByteOrder.nativeOrder());
            OnnxTensor ot = t.dtype() == DType.F32 ? OnnxTensor.createTensor(env, bytes.asFloatBuffer(), t.shape())
                    : OnnxTensor.createTensor(env, bytes.asDoubleBuffer(), t.shape());
            (i == io.length - 2 ? outputs : inputs).put(name, ot);
        }
    }

    /** One inference, writing into the pinned output. */
    public void run() throws OrtException {
        session.run(inputs, outputs).close();
    }

    @Override
    public void close() throws OrtException {
        for (OnnxTensor t : inputs.values()) t.close();
        for (OnnxTensor t : outputs.values()) t.close();
        session.close();
    }
}
