package dev.vecnn.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class PoolSpecTest {

    static PoolSpec.Builder max() {
        return PoolSpec.builder(PoolKind.MAX).channels(3).input(7, 6).kernel(3);
    }

    @Test
    void outputSizesFollowPyTorchIncludingCeilMode() {
        // stride defaults to the kernel, as in PyTorch
        assertArrayEquals(new long[] {2, 2}, max().build().outputSize());
        assertArrayEquals(new long[] {56, 56},
                PoolSpec.builder(PoolKind.MAX).channels(64).input(112, 112).kernel(3).stride(2).padding(1).build().outputSize());
        // ceil mode: ceil((5 - 2) / 2) + 1 = 3
        assertArrayEquals(new long[] {3}, PoolSpec.builder(PoolKind.AVG).channels(1).input(5).kernel(2).stride(2).ceilMode(true).build().outputSize());
        // ceil mode drops a last window that would start in the end padding: in 4, k 2, s 2, p 1
        assertArrayEquals(new long[] {3}, PoolSpec.builder(PoolKind.MAX).channels(1).input(4).kernel(2).stride(2).padding(1)
                .ceilMode(true).build().outputSize());
        // dilation for average pooling too
        assertArrayEquals(new long[] {3}, PoolSpec.builder(PoolKind.AVG).channels(1).input(7).kernel(3).stride(1).dilation(2).build().outputSize());
        assertArrayEquals(new long[] {1, 1, 1}, PoolSpec.builder(PoolKind.GLOBAL_MAX).channels(1).input(3, 4, 5).build().outputSize());
    }

    record Bad(String expected, Supplier<PoolSpec> build) {
    }

    @Test
    void invalidCombinationsAreRejected() {
        Bad[] cases = {
            new Bad("kernel[1] = 0", () -> max().kernel(3, 0).build()),
            new Bad("stride[0] = 0", () -> max().stride(0, 1).build()),
            new Bad("dilation[0] = 0", () -> max().dilation(0, 1).build()),
            new Bad("padEnd[1] = -1", () -> max().padding(new int[] {0, 0}, new int[] {0, -1}).build()),
            new Bad("kernel[0] = 8: dilated kernel 8 is larger than the padded input 7", () -> max().kernel(8, 2).build()),
            new Bad("input[0] = 0", () -> max().input(0, 3).build()),
            new Bad("channels = 0", () -> max().channels(0).build()),
            new Bad("countIncludePad = false: applies only to AVG", () -> max().countIncludePad(false).build()),
            new Bad("ceilMode: does not apply to ADAPTIVE_AVG",
                    () -> PoolSpec.builder(PoolKind.ADAPTIVE_AVG).channels(1).input(4).output(2).ceilMode(true).build()),
            new Bad("kernel: does not apply to GLOBAL_MAX", () -> PoolSpec.builder(PoolKind.GLOBAL_MAX).channels(1).input(4).kernel(2).build()),
            new Bad("output[0] = 0", () -> PoolSpec.builder(PoolKind.ADAPTIVE_MAX).channels(1).input(4).output(0).build()),
            new Bad("output: sizes are required", () -> PoolSpec.builder(PoolKind.ADAPTIVE_MAX).channels(1).input(4).build()),
            new Bad("output: is derived", () -> max().output(1, 1).build()),
            new Bad("kernel: sizes are required", () -> PoolSpec.builder(PoolKind.AVG).channels(1).input(4).build()),
        };
        for (Bad b : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b.build::get, b.expected);
            assertTrue(e.getMessage().contains(b.expected), "expected '" + b.expected + "' in: " + e.getMessage());
        }
    }
}
