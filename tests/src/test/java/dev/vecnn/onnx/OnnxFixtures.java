package dev.vecnn.onnx;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import dev.vecnn.nn.layer.Elementwise;
import dev.vecnn.tensor.Npy;
import dev.vecnn.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The fixtures of {@code tests/onnx/generate_onnx.py} and the comparison the tests make.
 *
 * <p>Tolerance. A float32 network computes each output through layers that each sum F products;
 * both PyTorch's and vecnn's results are within the same first-order bound {@code sum_l gamma(F_l) S_l}
 * of the exact value (S_l the sums of absolute terms, propagated), and differ only in the order of
 * their sums. So vecnn's float32 error against the float64 reference is compared with PyTorch's own
 * float32 error on the same model and input, over the whole output: {@code max|v - y64| <= 4 max|t - y64|
 * + 4 u max|y64|} (u = 2^-24; the second term is the rounding of the output itself, for outputs that
 * PyTorch happens to get exact). float64 models run the same sums with u = 2^-53: for these networks
 * (depth <= 60, F <= 5000, sums of absolute terms within 10x of the outputs) {@code L gamma(F) S <=
 * 60 * 5.6e-13 * 10 |y|}, so float64 results must agree within {@code 1e-9 (1 + max|y64|)}.
 */
final class OnnxFixtures {
    private OnnxFixtures() {
    }

    static final Path ROOT = root();

    private static Path root() {
        try {
            return Path.of(OnnxFixtures.class.getResource("/onnx/cases.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    record Case(String name, int inputs, boolean f64, int opset, boolean helper) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> cases() throws IOException {
        JsonArray a = JsonParser.parseString(Files.readString(ROOT.resolve("cases.json"))).getAsJsonArray();
        List<Case> r = new ArrayList<>();
        for (JsonElement e : a) {
            var o = e.getAsJsonObject();
            r.add(new Case(o.get("name").getAsString(), o.get("inputs").getAsInt(), o.get("f64").getAsBoolean(), o.get("opset").getAsInt(),
                    o.has("helper") && o.get("helper").getAsBoolean()));
        }
        return r;
    }

    static Tensor npy(String file, Arena arena) throws IOException {
        return Npy.read(ROOT.resolve(file), arena);
    }

    static double[] values(Tensor t) {
        Tensor c = t.isContiguous() ? t : t.contiguous(Arena.ofAuto());
        double[] v = new double[(int) c.numel()];
        for (int i = 0; i < v.length; i++) v[i] = c.getAt(c.offset() + i);
        return v;
    }

    static double maxAbsDiff(double[] a, double[] b) {
        if (a.length != b.length) throw new AssertionError("lengths " + a.length + " and " + b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) m = Math.max(m, Math.abs(v));
        return m;
    }

    /** The float32 criterion: {@code max|v - y64| <= 4 max|t - y64| + 4 u max|y64|}; null when it holds, else the failure. */
    static String checkF32(double[] v, double[] t32, double[] y64) {
        double err = maxAbsDiff(v, y64), torch = maxAbsDiff(t32, y64), tol = 4 * torch + 4 * 0x1p-24 * maxAbs(y64);
        return err <= tol ? null : "float32 error " + err + " > tolerance " + tol + " (PyTorch's own float32 error " + torch + ")";
    }

    /** The float64 criterion: {@code max|v - y64| <= 1e-9 (1 + max|y64|)}. */
    static String checkF64(double[] v, double[] y64) {
        double err = maxAbsDiff(v, y64), tol = 1e-9 * (1 + maxAbs(y64));
        return err <= tol ? null : "float64 error " + err + " > tolerance " + tol;
    }

    static void set(Tensor dst, Tensor src) {
        for (long i = 0; i < dst.numel(); i++) Elementwise.set(dst, dst.offset() + i, src.getAt(src.offset() + i));
    }
}
