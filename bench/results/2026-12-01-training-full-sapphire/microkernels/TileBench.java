import jdk.incubator.vector.*;

/**
 * Register-tile micro-benchmarks of the forward tile (12 positions x 2 vectors of output channels, 24
 * accumulators) in the ways its inputs can be addressed; see microkernel.txt. Run with
 * {@code java --add-modules=jdk.incubator.vector TileBench.java}.
 */
public class TileBench {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    static final int L = 16;

    static float bcast(float[] x, float[] w, int red, float[] y) {
        FloatVector a0 = FloatVector.zero(S), a1=a0,a2=a0,a3=a0,a4=a0,a5=a0,a6=a0,a7=a0,a8=a0,a9=a0,a10=a0,a11=a0;
        FloatVector b0=a0,b1=a0,b2=a0,b3=a0,b4=a0,b5=a0,b6=a0,b7=a0,b8=a0,b9=a0,b10=a0,b11=a0;
        for (int r = 0, wo = 0, p = 0; r < red; r++, wo += 32, p += 12) {
            FloatVector w0 = FloatVector.fromArray(S, w, wo), w1 = FloatVector.fromArray(S, w, wo + L), t;
            t = FloatVector.broadcast(S, x[p]); a0 = w0.fma(t, a0); b0 = w1.fma(t, b0);
            t = FloatVector.broadcast(S, x[p+1]); a1 = w0.fma(t, a1); b1 = w1.fma(t, b1);
            t = FloatVector.broadcast(S, x[p+2]); a2 = w0.fma(t, a2); b2 = w1.fma(t, b2);
            t = FloatVector.broadcast(S, x[p+3]); a3 = w0.fma(t, a3); b3 = w1.fma(t, b3);
            t = FloatVector.broadcast(S, x[p+4]); a4 = w0.fma(t, a4); b4 = w1.fma(t, b4);
            t = FloatVector.broadcast(S, x[p+5]); a5 = w0.fma(t, a5); b5 = w1.fma(t, b5);
            t = FloatVector.broadcast(S, x[p+6]); a6 = w0.fma(t, a6); b6 = w1.fma(t, b6);
            t = FloatVector.broadcast(S, x[p+7]); a7 = w0.fma(t, a7); b7 = w1.fma(t, b7);
            t = FloatVector.broadcast(S, x[p+8]); a8 = w0.fma(t, a8); b8 = w1.fma(t, b8);
            t = FloatVector.broadcast(S, x[p+9]); a9 = w0.fma(t, a9); b9 = w1.fma(t, b9);
            t = FloatVector.broadcast(S, x[p+10]); a10 = w0.fma(t, a10); b10 = w1.fma(t, b10);
            t = FloatVector.broadcast(S, x[p+11]); a11 = w0.fma(t, a11); b11 = w1.fma(t, b11);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
          .add(b0).add(b1).add(b2).add(b3).add(b4).add(b5).add(b6).add(b7).add(b8).add(b9).add(b10).add(b11).reduceLanes(VectorOperators.ADD);
    }
    static float one12(float[] x, int u, float[] w, int[] off, int red, float[] y) {
        FloatVector a0 = FloatVector.zero(S), a1=a0,a2=a0,a3=a0,a4=a0,a5=a0,a6=a0,a7=a0,a8=a0,a9=a0,a10=a0,a11=a0;
        FloatVector b0=a0,b1=a0,b2=a0,b3=a0,b4=a0,b5=a0,b6=a0,b7=a0,b8=a0,b9=a0,b10=a0,b11=a0;
        for (int r = 0, wo = 0; r < red; r++, wo += 32) {
            int p = u + off[r];
            FloatVector w0 = FloatVector.fromArray(S, w, wo), w1 = FloatVector.fromArray(S, w, wo + L), t;
            t = FloatVector.broadcast(S, x[p]); a0 = w0.fma(t, a0); b0 = w1.fma(t, b0);
            t = FloatVector.broadcast(S, x[p+1]); a1 = w0.fma(t, a1); b1 = w1.fma(t, b1);
            t = FloatVector.broadcast(S, x[p+2]); a2 = w0.fma(t, a2); b2 = w1.fma(t, b2);
            t = FloatVector.broadcast(S, x[p+3]); a3 = w0.fma(t, a3); b3 = w1.fma(t, b3);
            t = FloatVector.broadcast(S, x[p+4]); a4 = w0.fma(t, a4); b4 = w1.fma(t, b4);
            t = FloatVector.broadcast(S, x[p+5]); a5 = w0.fma(t, a5); b5 = w1.fma(t, b5);
            t = FloatVector.broadcast(S, x[p+6]); a6 = w0.fma(t, a6); b6 = w1.fma(t, b6);
            t = FloatVector.broadcast(S, x[p+7]); a7 = w0.fma(t, a7); b7 = w1.fma(t, b7);
            t = FloatVector.broadcast(S, x[p+8]); a8 = w0.fma(t, a8); b8 = w1.fma(t, b8);
            t = FloatVector.broadcast(S, x[p+9]); a9 = w0.fma(t, a9); b9 = w1.fma(t, b9);
            t = FloatVector.broadcast(S, x[p+10]); a10 = w0.fma(t, a10); b10 = w1.fma(t, b10);
            t = FloatVector.broadcast(S, x[p+11]); a11 = w0.fma(t, a11); b11 = w1.fma(t, b11);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
          .add(b0).add(b1).add(b2).add(b3).add(b4).add(b5).add(b6).add(b7).add(b8).add(b9).add(b10).add(b11).reduceLanes(VectorOperators.ADD);
    }
    static float indirect(float[] x, int u, int v, int z, float[] w, int[] off, int red, float[] y) {
        FloatVector a0 = FloatVector.zero(S), a1=a0,a2=a0,a3=a0,a4=a0,a5=a0,a6=a0,a7=a0,a8=a0,a9=a0,a10=a0,a11=a0;
        FloatVector b0=a0,b1=a0,b2=a0,b3=a0,b4=a0,b5=a0,b6=a0,b7=a0,b8=a0,b9=a0,b10=a0,b11=a0;
        for (int r = 0, wo = 0; r < red; r++, wo += 32) {
            int o = off[r], p = u + o, q = v + o, e = z + o;
            FloatVector w0 = FloatVector.fromArray(S, w, wo), w1 = FloatVector.fromArray(S, w, wo + L), t;
            t = FloatVector.broadcast(S, x[p]); a0 = w0.fma(t, a0); b0 = w1.fma(t, b0);
            t = FloatVector.broadcast(S, x[p+1]); a1 = w0.fma(t, a1); b1 = w1.fma(t, b1);
            t = FloatVector.broadcast(S, x[p+2]); a2 = w0.fma(t, a2); b2 = w1.fma(t, b2);
            t = FloatVector.broadcast(S, x[p+3]); a3 = w0.fma(t, a3); b3 = w1.fma(t, b3);
            t = FloatVector.broadcast(S, x[q]); a4 = w0.fma(t, a4); b4 = w1.fma(t, b4);
            t = FloatVector.broadcast(S, x[q+1]); a5 = w0.fma(t, a5); b5 = w1.fma(t, b5);
            t = FloatVector.broadcast(S, x[q+2]); a6 = w0.fma(t, a6); b6 = w1.fma(t, b6);
            t = FloatVector.broadcast(S, x[q+3]); a7 = w0.fma(t, a7); b7 = w1.fma(t, b7);
            t = FloatVector.broadcast(S, x[e]); a8 = w0.fma(t, a8); b8 = w1.fma(t, b8);
            t = FloatVector.broadcast(S, x[e+1]); a9 = w0.fma(t, a9); b9 = w1.fma(t, b9);
            t = FloatVector.broadcast(S, x[e+2]); a10 = w0.fma(t, a10); b10 = w1.fma(t, b10);
            t = FloatVector.broadcast(S, x[e+3]); a11 = w0.fma(t, a11); b11 = w1.fma(t, b11);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
          .add(b0).add(b1).add(b2).add(b3).add(b4).add(b5).add(b6).add(b7).add(b8).add(b9).add(b10).add(b11).reduceLanes(VectorOperators.ADD);
    }
    static float delta(float[] x, int u, int v, int z, float[] w, int[] off, int red, float[] y) {
        FloatVector a0 = FloatVector.zero(S), a1=a0,a2=a0,a3=a0,a4=a0,a5=a0,a6=a0,a7=a0,a8=a0,a9=a0,a10=a0,a11=a0;
        FloatVector b0=a0,b1=a0,b2=a0,b3=a0,b4=a0,b5=a0,b6=a0,b7=a0,b8=a0,b9=a0,b10=a0,b11=a0;
        for (int r = 0, wo = 0; r < red; r++, wo += 32) {
            int p = u + off[r], q = p + v, e = p + z;
            FloatVector w0 = FloatVector.fromArray(S, w, wo), w1 = FloatVector.fromArray(S, w, wo + L), t;
            t = FloatVector.broadcast(S, x[p]); a0 = w0.fma(t, a0); b0 = w1.fma(t, b0);
            t = FloatVector.broadcast(S, x[p+1]); a1 = w0.fma(t, a1); b1 = w1.fma(t, b1);
            t = FloatVector.broadcast(S, x[p+2]); a2 = w0.fma(t, a2); b2 = w1.fma(t, b2);
            t = FloatVector.broadcast(S, x[p+3]); a3 = w0.fma(t, a3); b3 = w1.fma(t, b3);
            t = FloatVector.broadcast(S, x[q]); a4 = w0.fma(t, a4); b4 = w1.fma(t, b4);
            t = FloatVector.broadcast(S, x[q+1]); a5 = w0.fma(t, a5); b5 = w1.fma(t, b5);
            t = FloatVector.broadcast(S, x[q+2]); a6 = w0.fma(t, a6); b6 = w1.fma(t, b6);
            t = FloatVector.broadcast(S, x[q+3]); a7 = w0.fma(t, a7); b7 = w1.fma(t, b7);
            t = FloatVector.broadcast(S, x[e]); a8 = w0.fma(t, a8); b8 = w1.fma(t, b8);
            t = FloatVector.broadcast(S, x[e+1]); a9 = w0.fma(t, a9); b9 = w1.fma(t, b9);
            t = FloatVector.broadcast(S, x[e+2]); a10 = w0.fma(t, a10); b10 = w1.fma(t, b10);
            t = FloatVector.broadcast(S, x[e+3]); a11 = w0.fma(t, a11); b11 = w1.fma(t, b11);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
          .add(b0).add(b1).add(b2).add(b3).add(b4).add(b5).add(b6).add(b7).add(b8).add(b9).add(b10).add(b11).reduceLanes(VectorOperators.ADD);
    }
    static float masked(float[] x, int u, int v, int z, float[] w, int[] off, int red, float[] y) {
        FloatVector a0 = FloatVector.zero(S), a1=a0,a2=a0,a3=a0,a4=a0,a5=a0,a6=a0,a7=a0,a8=a0,a9=a0,a10=a0,a11=a0;
        FloatVector b0=a0,b1=a0,b2=a0,b3=a0,b4=a0,b5=a0,b6=a0,b7=a0,b8=a0,b9=a0,b10=a0,b11=a0;
        for (int r = 0, wo = 0; r < red; r++, wo += 32) {
            int o = off[r], p = u + o, q = v + o, e = z + o, mk = x.length - 1;
            FloatVector w0 = FloatVector.fromArray(S, w, wo), w1 = FloatVector.fromArray(S, w, wo + L), t;
            t = FloatVector.broadcast(S, x[(p) & mk]); a0 = w0.fma(t, a0); b0 = w1.fma(t, b0);
            t = FloatVector.broadcast(S, x[(p+1) & mk]); a1 = w0.fma(t, a1); b1 = w1.fma(t, b1);
            t = FloatVector.broadcast(S, x[(p+2) & mk]); a2 = w0.fma(t, a2); b2 = w1.fma(t, b2);
            t = FloatVector.broadcast(S, x[(p+3) & mk]); a3 = w0.fma(t, a3); b3 = w1.fma(t, b3);
            t = FloatVector.broadcast(S, x[(q) & mk]); a4 = w0.fma(t, a4); b4 = w1.fma(t, b4);
            t = FloatVector.broadcast(S, x[(q+1) & mk]); a5 = w0.fma(t, a5); b5 = w1.fma(t, b5);
            t = FloatVector.broadcast(S, x[(q+2) & mk]); a6 = w0.fma(t, a6); b6 = w1.fma(t, b6);
            t = FloatVector.broadcast(S, x[(q+3) & mk]); a7 = w0.fma(t, a7); b7 = w1.fma(t, b7);
            t = FloatVector.broadcast(S, x[(e) & mk]); a8 = w0.fma(t, a8); b8 = w1.fma(t, b8);
            t = FloatVector.broadcast(S, x[(e+1) & mk]); a9 = w0.fma(t, a9); b9 = w1.fma(t, b9);
            t = FloatVector.broadcast(S, x[(e+2) & mk]); a10 = w0.fma(t, a10); b10 = w1.fma(t, b10);
            t = FloatVector.broadcast(S, x[(e+3) & mk]); a11 = w0.fma(t, a11); b11 = w1.fma(t, b11);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
          .add(b0).add(b1).add(b2).add(b3).add(b4).add(b5).add(b6).add(b7).add(b8).add(b9).add(b10).add(b11).reduceLanes(VectorOperators.ADD);
    }
    static float constpitch(float[] x, int u, int v, int z, float[] w, int[] off, int red, float[] y) {
        FloatVector a0 = FloatVector.zero(S), a1=a0,a2=a0,a3=a0,a4=a0,a5=a0,a6=a0,a7=a0,a8=a0,a9=a0,a10=a0,a11=a0;
        FloatVector b0=a0,b1=a0,b2=a0,b3=a0,b4=a0,b5=a0,b6=a0,b7=a0,b8=a0,b9=a0,b10=a0,b11=a0;
        for (int r = 0, wo = 0; r < red; r++, wo += 32) {
            int p = u + off[r];
            FloatVector w0 = FloatVector.fromArray(S, w, wo), w1 = FloatVector.fromArray(S, w, wo + L), t;
            t = FloatVector.broadcast(S, x[p]); a0 = w0.fma(t, a0); b0 = w1.fma(t, b0);
            t = FloatVector.broadcast(S, x[p+1]); a1 = w0.fma(t, a1); b1 = w1.fma(t, b1);
            t = FloatVector.broadcast(S, x[p+2]); a2 = w0.fma(t, a2); b2 = w1.fma(t, b2);
            t = FloatVector.broadcast(S, x[p+3]); a3 = w0.fma(t, a3); b3 = w1.fma(t, b3);
            t = FloatVector.broadcast(S, x[p+40]); a4 = w0.fma(t, a4); b4 = w1.fma(t, b4);
            t = FloatVector.broadcast(S, x[p+41]); a5 = w0.fma(t, a5); b5 = w1.fma(t, b5);
            t = FloatVector.broadcast(S, x[p+42]); a6 = w0.fma(t, a6); b6 = w1.fma(t, b6);
            t = FloatVector.broadcast(S, x[p+43]); a7 = w0.fma(t, a7); b7 = w1.fma(t, b7);
            t = FloatVector.broadcast(S, x[p+80]); a8 = w0.fma(t, a8); b8 = w1.fma(t, b8);
            t = FloatVector.broadcast(S, x[p+81]); a9 = w0.fma(t, a9); b9 = w1.fma(t, b9);
            t = FloatVector.broadcast(S, x[p+82]); a10 = w0.fma(t, a10); b10 = w1.fma(t, b10);
            t = FloatVector.broadcast(S, x[p+83]); a11 = w0.fma(t, a11); b11 = w1.fma(t, b11);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
          .add(b0).add(b1).add(b2).add(b3).add(b4).add(b5).add(b6).add(b7).add(b8).add(b9).add(b10).add(b11).reduceLanes(VectorOperators.ADD);
    }
    static float chlast(float[] x, int u, int v, int z, int C, float[] w, int[] tapOff, int taps, int cg, float[] y) {
        FloatVector a0 = FloatVector.zero(S), a1=a0,a2=a0,a3=a0,a4=a0,a5=a0,a6=a0,a7=a0,a8=a0,a9=a0,a10=a0,a11=a0;
        FloatVector b0=a0,b1=a0,b2=a0,b3=a0,b4=a0,b5=a0,b6=a0,b7=a0,b8=a0,b9=a0,b10=a0,b11=a0;
        int wo = 0;
        for (int t = 0; t < taps; t++) {
            int o = tapOff[t];
            int p0 = (u + o) * C, p1 = p0 + C, p2 = p1 + C, p3 = p2 + C;
            int q0 = (v + o) * C, q1 = q0 + C, q2 = q1 + C, q3 = q2 + C;
            int e0 = (z + o) * C, e1 = e0 + C, e2 = e1 + C, e3 = e2 + C;
            for (int c = 0; c < cg; c++, wo += 32) {
            FloatVector w0 = FloatVector.fromArray(S, w, wo), w1 = FloatVector.fromArray(S, w, wo + L), t1;
            t1 = FloatVector.broadcast(S, x[p0 + c]); a0 = w0.fma(t1, a0); b0 = w1.fma(t1, b0);
            t1 = FloatVector.broadcast(S, x[p1 + c]); a1 = w0.fma(t1, a1); b1 = w1.fma(t1, b1);
            t1 = FloatVector.broadcast(S, x[p2 + c]); a2 = w0.fma(t1, a2); b2 = w1.fma(t1, b2);
            t1 = FloatVector.broadcast(S, x[p3 + c]); a3 = w0.fma(t1, a3); b3 = w1.fma(t1, b3);
            t1 = FloatVector.broadcast(S, x[q0 + c]); a4 = w0.fma(t1, a4); b4 = w1.fma(t1, b4);
            t1 = FloatVector.broadcast(S, x[q1 + c]); a5 = w0.fma(t1, a5); b5 = w1.fma(t1, b5);
            t1 = FloatVector.broadcast(S, x[q2 + c]); a6 = w0.fma(t1, a6); b6 = w1.fma(t1, b6);
            t1 = FloatVector.broadcast(S, x[q3 + c]); a7 = w0.fma(t1, a7); b7 = w1.fma(t1, b7);
            t1 = FloatVector.broadcast(S, x[e0 + c]); a8 = w0.fma(t1, a8); b8 = w1.fma(t1, b8);
            t1 = FloatVector.broadcast(S, x[e1 + c]); a9 = w0.fma(t1, a9); b9 = w1.fma(t1, b9);
            t1 = FloatVector.broadcast(S, x[e2 + c]); a10 = w0.fma(t1, a10); b10 = w1.fma(t1, b10);
            t1 = FloatVector.broadcast(S, x[e3 + c]); a11 = w0.fma(t1, a11); b11 = w1.fma(t1, b11);
            }
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
          .add(b0).add(b1).add(b2).add(b3).add(b4).add(b5).add(b6).add(b7).add(b8).add(b9).add(b10).add(b11).reduceLanes(VectorOperators.ADD);
    }

    public static void main(String[] a) {
        int red = 432; // voxel3d conv2: 16 channels x 27 taps
        float[] x = new float[32768], xs = new float[red * 12 + 16], w = new float[red * 32 + 32], y = new float[64];
        int[] off = new int[red], tapOff = new int[27];
        // the (channel, tap) offsets of a 10x10x10 padded slab
        for (int c = 0, r = 0; c < 16 && r < red; c++) for (int dz = 0; dz < 3; dz++) for (int dy = 0; dy < 3; dy++) for (int dx = 0; dx < 3 && r < red; dx++) off[r++] = c * 1000 + dz * 100 + dy * 10 + dx;
        for (int dz = 0, r = 0; dz < 3; dz++) for (int dy = 0; dy < 3; dy++) for (int dx = 0; dx < 3; dx++) tapOff[r++] = dz * 100 + dy * 10 + dx;
        java.util.Arrays.fill(x, 0.001f); java.util.Arrays.fill(xs, 0.001f); java.util.Arrays.fill(w, 0.5f);
        float sink = 0;
        for (int round = 0; round < 6; round++) {
            int n = 100000;
            double flops = (double) n * red * 24 * 16 * 2;
            StringBuilder line = new StringBuilder();
            for (String v : new String[] {"bcast", "one12", "indirect", "delta", "masked", "constpitch", "chlast"}) {
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    int s = (i % 43) * 12 % 500;
                    sink += switch (v) {
                        case "bcast" -> bcast(xs, w, red, y);
                        case "one12" -> one12(x, s, w, off, red, y);
                        case "indirect" -> indirect(x, s, s + 4, s + 10, w, off, red, y);
                        case "delta" -> delta(x, s, 4, 10, w, off, red, y);
                        case "masked" -> masked(x, s, s + 4, s + 10, w, off, red, y);
                        case "constpitch" -> constpitch(x, s, s + 4, s + 10, w, off, red, y);
                        default -> chlast(x, s, s + 4, s + 10, 16, w, tapOff, 27, 16, y);
                    };
                }
                line.append(String.format("%s %.1f  ", v, flops / (System.nanoTime() - t0)));
            }
            System.out.println(line.append("GFLOP/s"));
        }
        System.out.println(sink);
    }
}
