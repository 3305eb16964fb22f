import jdk.incubator.vector.*;
public class Outer2 {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    static final int L = 16;
    static float plain(float[] sl, int[] xo, int[] ws, int q0, int q1, float[] gt, int kp) {
        int x0=xo[0],x1=xo[1],x2=xo[2],x3=xo[3],x4=xo[4],x5=xo[5],x6=xo[6],x7=xo[7],x8=xo[8],x9=xo[9],x10=xo[10],x11=xo[11];
        FloatVector a0 = FloatVector.zero(S), a1=a0,a2=a0,a3=a0,a4=a0,a5=a0,a6=a0,a7=a0,a8=a0,a9=a0,a10=a0,a11=a0;
        FloatVector b0=a0,b1=a0,b2=a0,b3=a0,b4=a0,b5=a0,b6=a0,b7=a0,b8=a0,b9=a0,b10=a0,b11=a0;
        for (int q = q0; q < q1; q++) {
            int w = ws[q], g = q * kp;
            FloatVector w0 = FloatVector.fromArray(S, gt, g), w1 = FloatVector.fromArray(S, gt, g + L), t;
            t = FloatVector.broadcast(S, sl[x0 + w]); a0 = t.fma(w0, a0); b0 = t.fma(w1, b0);
            t = FloatVector.broadcast(S, sl[x1 + w]); a1 = t.fma(w0, a1); b1 = t.fma(w1, b1);
            t = FloatVector.broadcast(S, sl[x2 + w]); a2 = t.fma(w0, a2); b2 = t.fma(w1, b2);
            t = FloatVector.broadcast(S, sl[x3 + w]); a3 = t.fma(w0, a3); b3 = t.fma(w1, b3);
            t = FloatVector.broadcast(S, sl[x4 + w]); a4 = t.fma(w0, a4); b4 = t.fma(w1, b4);
            t = FloatVector.broadcast(S, sl[x5 + w]); a5 = t.fma(w0, a5); b5 = t.fma(w1, b5);
            t = FloatVector.broadcast(S, sl[x6 + w]); a6 = t.fma(w0, a6); b6 = t.fma(w1, b6);
            t = FloatVector.broadcast(S, sl[x7 + w]); a7 = t.fma(w0, a7); b7 = t.fma(w1, b7);
            t = FloatVector.broadcast(S, sl[x8 + w]); a8 = t.fma(w0, a8); b8 = t.fma(w1, b8);
            t = FloatVector.broadcast(S, sl[x9 + w]); a9 = t.fma(w0, a9); b9 = t.fma(w1, b9);
            t = FloatVector.broadcast(S, sl[x10 + w]); a10 = t.fma(w0, a10); b10 = t.fma(w1, b10);
            t = FloatVector.broadcast(S, sl[x11 + w]); a11 = t.fma(w0, a11); b11 = t.fma(w1, b11);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
          .add(b0).add(b1).add(b2).add(b3).add(b4).add(b5).add(b6).add(b7).add(b8).add(b9).add(b10).add(b11).reduceLanes(VectorOperators.ADD);
    }
    static float rows(float[] sl, int[] xo, int[] rs, int nrows, int rowLen, float[] gt, int kp) {
        int x0=xo[0],x1=xo[1],x2=xo[2],x3=xo[3],x4=xo[4],x5=xo[5],x6=xo[6],x7=xo[7],x8=xo[8],x9=xo[9],x10=xo[10],x11=xo[11];
        FloatVector a0 = FloatVector.zero(S), a1=a0,a2=a0,a3=a0,a4=a0,a5=a0,a6=a0,a7=a0,a8=a0,a9=a0,a10=a0,a11=a0;
        FloatVector b0=a0,b1=a0,b2=a0,b3=a0,b4=a0,b5=a0,b6=a0,b7=a0,b8=a0,b9=a0,b10=a0,b11=a0;
        for (int row = 0, q0 = 0; row < nrows; row++, q0 += rowLen) {
          int d = rs[row] - q0;
          for (int q = q0; q < q0 + rowLen; q++) {
            int w = d + q, g = q * kp;
            FloatVector w0 = FloatVector.fromArray(S, gt, g), w1 = FloatVector.fromArray(S, gt, g + L), t;
            t = FloatVector.broadcast(S, sl[x0 + w]); a0 = t.fma(w0, a0); b0 = t.fma(w1, b0);
            t = FloatVector.broadcast(S, sl[x1 + w]); a1 = t.fma(w0, a1); b1 = t.fma(w1, b1);
            t = FloatVector.broadcast(S, sl[x2 + w]); a2 = t.fma(w0, a2); b2 = t.fma(w1, b2);
            t = FloatVector.broadcast(S, sl[x3 + w]); a3 = t.fma(w0, a3); b3 = t.fma(w1, b3);
            t = FloatVector.broadcast(S, sl[x4 + w]); a4 = t.fma(w0, a4); b4 = t.fma(w1, b4);
            t = FloatVector.broadcast(S, sl[x5 + w]); a5 = t.fma(w0, a5); b5 = t.fma(w1, b5);
            t = FloatVector.broadcast(S, sl[x6 + w]); a6 = t.fma(w0, a6); b6 = t.fma(w1, b6);
            t = FloatVector.broadcast(S, sl[x7 + w]); a7 = t.fma(w0, a7); b7 = t.fma(w1, b7);
            t = FloatVector.broadcast(S, sl[x8 + w]); a8 = t.fma(w0, a8); b8 = t.fma(w1, b8);
            t = FloatVector.broadcast(S, sl[x9 + w]); a9 = t.fma(w0, a9); b9 = t.fma(w1, b9);
            t = FloatVector.broadcast(S, sl[x10 + w]); a10 = t.fma(w0, a10); b10 = t.fma(w1, b10);
            t = FloatVector.broadcast(S, sl[x11 + w]); a11 = t.fma(w0, a11); b11 = t.fma(w1, b11);
          }
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
          .add(b0).add(b1).add(b2).add(b3).add(b4).add(b5).add(b6).add(b7).add(b8).add(b9).add(b10).add(b11).reduceLanes(VectorOperators.ADD);
    }
    public static void main(String[] a) {
        float[] sl = new float[32768], gt = new float[128 * 32 + 32];
        int[] ws = new int[128], xo = new int[12], rs = new int[16];
        for (int q = 0; q < 16; q++) rs[q] = q * 10;
        for (int q = 0; q < 128; q++) ws[q] = (q / 8) * 10 + q % 8;
        for (int j = 0; j < 12; j++) xo[j] = (j / 3) * 1000 + (j % 3) * 100 + 5;
        java.util.Arrays.fill(sl, 0.001f); java.util.Arrays.fill(gt, 0.5f);
        float sink = 0;
        for (int round = 0; round < 6; round++) {
            int n = 400000;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) sink += plain(sl, xo, ws, 0, 128, gt, 32);
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i++) sink += rows(sl, xo, rs, 16, 8, gt, 32);
            long t2 = System.nanoTime();
            double f = (double) n * 128 * 24 * 16 * 2;
            System.out.printf("plain %.1f  rows %.1f GF/s%n", f / (t1 - t0), f / (t2 - t1));
        }
        System.out.println(sink);
    }
}
