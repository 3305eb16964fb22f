package dev.vecnn.kernel.conv.depthwise;

import dev.vecnn.kernel.conv.ConvGeometry;
import dev.vecnn.spec.ConvSpec;
import java.lang.reflect.Method;

public class DwBench {
    public static void main(String[] a) throws Exception {
        ConvSpec s = ConvSpec.parse(a[0]);
        int reps = Integer.parseInt(a[1]);
        ConvGeometry g = ConvGeometry.of(s);
        RowPlan p = RowPlan.forward(g, DepthwiseRowsF32.L);
        System.out.printf("flat %b split %b chunks %d blockRows %d columnGroups %d rows %d paddedRows %d entries %d inPitch %d%n", p.flat, p.split, p.chunks, p.blockRows, p.columnGroups, p.rows, p.paddedRows, p.flat ? 0 : p.entryOffset.length, p.inPitch);
        float[] x = new float[p.inLength], y = new float[p.outLength + 64], w = new float[g.taps];
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
        for (int i = 0; i < w.length; i++) w[i] = r.nextFloat();
        Method plane = DepthwiseRowsF32.class.getDeclaredMethod("plane", RowPlan.class, float[].class, float[].class, float[].class, float.class, float.class, float.class);
        plane.setAccessible(true);
        long flops = 2L * g.taps * p.rows * p.outRowLen;
        for (int round = 0; round < 8; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) plane.invoke(null, p, x, w, y, 0f, 0f, 6f);
            long t1 = System.nanoTime();
            System.out.printf("%s: %.2f us per plane, %.1f GFLOP/s%n", a[0], (t1 - t0) / 1e3 / reps, (double) flops * reps / (t1 - t0));
        }
    }
}
