package dev.vecnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.conv.Conv;
import dev.vecnn.parallel.Execution;
import dev.vecnn.pool.Pool;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.spec.PoolKind;
import dev.vecnn.spec.PoolSpec;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Exceptions of the documented kind: a null argument gives a {@link NullPointerException} whose
 * message is the parameter's name (or an {@link IllegalArgumentException} naming it), and sizes no
 * machine holds give an {@link IllegalArgumentException} naming the shape and the byte count.
 */
class ErrorKindsTest {

    static void npe(String param, Executable call) {
        NullPointerException e = assertThrows(NullPointerException.class, call, param);
        assertEquals(param, e.getMessage());
    }

    static ConvSpec.Builder conv() {
        return ConvSpec.builder().inChannels(1).outChannels(1).input(5).kernel(3);
    }

    static PoolSpec.Builder pool() {
        return PoolSpec.builder(PoolKind.MAX).channels(1).input(5).kernel(3);
    }

    @Test
    void nullBuilderArgumentsAreNamed() {
        // regression: "Cannot invoke "[J.clone()" because "sizes" is null"
        Map<String, Executable> conv = Map.of(
                "input", () -> conv().input((long[]) null),
                "kernel", () -> conv().kernel((int[]) null),
                "stride", () -> conv().stride((int[]) null),
                "dilation", () -> conv().dilation((int[]) null),
                "padding", () -> conv().padding((int[]) null),
                "padBegin", () -> conv().padding(null, new int[] {0}),
                "padEnd", () -> conv().padding(new int[] {0}, null),
                "outputPadding", () -> conv().outputPadding((int[]) null),
                "paddingMode", () -> conv().paddingMode(null),
                "name", () -> conv().name(null));
        conv.forEach(ErrorKindsTest::npe);
        Map<String, Executable> pool = Map.of(
                "kind", () -> PoolSpec.builder(null),
                "input", () -> pool().input((long[]) null),
                "output", () -> pool().output((long[]) null),
                "kernel", () -> pool().kernel((int[]) null),
                "stride", () -> pool().stride((int[]) null),
                "dilation", () -> pool().dilation((int[]) null),
                "padding", () -> pool().padding((int[]) null),
                "padEnd", () -> pool().padding(new int[] {0}, null),
                "name", () -> pool().name(null));
        pool.forEach(ErrorKindsTest::npe);
    }

    @Test
    void nullPassArgumentsAreNamed() {
        ConvSpec s = conv().build();
        PoolSpec p = pool().build();
        try (Arena a = Arena.ofConfined()) {
            Tensor gb = Tensor.allocate(a, DType.F32, s.biasShape());
            // regression: a bare NullPointerException from gy.isContiguous()
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Conv.backwardBias(s, null, gb));
            assertEquals("gy: is null", e.getMessage());
            Tensor x = Tensor.allocate(a, DType.F32, s.inputShape()), y = Tensor.allocate(a, DType.F32, s.outputShape());
            Tensor w = Tensor.allocate(a, DType.F32, s.weightShape()), b = Tensor.allocate(a, DType.F32, s.biasShape());
            npe("spec", () -> Conv.forward(null, x, w, b, y));
            npe("spec", () -> Conv.backwardBias(null, y, gb));
            npe("pass", () -> Conv.choose(null, s));
            npe("spec", () -> Pool.forward(null, x, y, null));
            npe("epilogue", () -> Conv.implementation("gemm").forward(s, x, w, b, y, null, Execution.defaults()));
            npe("ex", () -> Conv.implementation("reference").backwardData(s, y, w, x, null));
            Tensor py = Tensor.allocate(a, DType.F32, p.outputShape());
            npe("ex", () -> Pool.implementation("vector").forward(p, x, py, null, null));
            assertEquals("x: is null", assertThrows(IllegalArgumentException.class, () -> Pool.forward(p, null, py, null)).getMessage());
        }
    }

    @Test
    void tensorsNoMachineHoldsAreIllegalArguments() {
        try (Arena a = Arena.ofConfined()) {
            // regression: ArithmeticException "long overflow"
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.allocate(a, DType.F64, 1L << 61));
            assertEquals("shape: [2305843009213693952] of f64 needs 18446744073709551616 bytes, more than a long counts (no machine holds it)",
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Tensor.allocate(a, DType.F32, 1L << 40, 1L << 21));
            assertTrue(e.getMessage().startsWith("shape: [1099511627776, 2097152] of f32 needs 9223372036854775808 bytes"), e.getMessage());
            // an empty tensor whose strides would not fit
            e = assertThrows(IllegalArgumentException.class, () -> Tensor.allocate(a, DType.F64, 0, 1L << 40, 1L << 40));
            assertTrue(e.getMessage().startsWith("shape: [0, 1099511627776, 1099511627776] has more than 2^63 elements"), e.getMessage());
            // a size a long counts but no memory holds: the arena's OutOfMemoryError, as documented
            // (2^53 bytes exceed every 64-bit address space in use)
            OutOfMemoryError oom = assertThrows(OutOfMemoryError.class, () -> Tensor.allocate(a, DType.F64, 1L << 50));
            assertTrue(oom.getMessage().contains("allocate"), oom.getMessage());
            npe("arena", () -> Tensor.allocate(null, DType.F32, 1));
            npe("dtype", () -> Tensor.allocate(a, null, 1));
            npe("shape", () -> Tensor.allocate(a, DType.F32, (long[]) null));
            npe("data", () -> Tensor.of((float[]) null, 1));
            npe("src", () -> Tensor.allocate(a, DType.F32, 1).copyFrom(null));
            // a slice step beyond the dimension: one element, not a wrapped size or stride
            Tensor t = Tensor.allocate(a, DType.F32, 4, 5);
            Tensor one = t.slice(1, 1, 5, Long.MAX_VALUE);
            assertEquals(1, one.size(1));
            assertTrue(one.stride(1) > 0);
            assertEquals(3, t.slice(1, 0, 5, 2).size(1));
            npe("file", () -> dev.vecnn.tensor.Npy.read(null, a));
            npe("t", () -> dev.vecnn.tensor.Npy.write(java.nio.file.Path.of("unused.npy"), null));
            // a view whose reach overflows is rejected, not wrapped into range
            e = assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(a.allocate(64), DType.F32, new long[] {3}, new long[] {1L << 62}, 0));
            assertTrue(e.getMessage().startsWith("strides: view"), e.getMessage());
        }
    }
}
