import dev.vecnn.tensor.*;
import java.lang.foreign.Arena;
public class CopyTime {
    public static void main(String[] a) {
        Arena arena = Arena.ofShared();
        Tensor x = Tensor.allocate(arena, DType.F32, 1, 3, 224, 224);
        Tensor z = Tensor.allocate(arena, DType.F32, 1, 3, 224, 224);
        Tensor y = Tensor.allocateChannelsLast(arena, DType.F32, 1, 3, 224, 224);
        for (int r = 0; r < 40; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 100; i++) (Boolean.getBoolean("plain") ? z : y).copyFrom(x);
            if (r % 5 == 4) System.out.printf("%.1f us%n", (System.nanoTime() - t0) / 1e3 / 100);
        }
    }
}
