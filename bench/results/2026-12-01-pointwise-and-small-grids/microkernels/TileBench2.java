import jdk.incubator.vector.*;

/**
 * Register-tile micro-benchmarks of the forward tile (12 positions x 2 vectors of output channels, 24
 * accumulators) in the ways its inputs can be addressed; see microkernel.txt. Run with
 * {@code java --add-modules=jdk.incubator.vector TileBench.java}.
 */
public class TileBench2 {
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
    static float blk8(float[] x, int u, int v, int z, float[] w, int[] tapOff, int taps, int blocks, int blockStride, float[] y) {
        FloatVector a0 = FloatVector.zero(S), a1=a0,a2=a0,a3=a0,a4=a0,a5=a0,a6=a0,a7=a0,a8=a0,a9=a0,a10=a0,a11=a0;
        FloatVector b0=a0,b1=a0,b2=a0,b3=a0,b4=a0,b5=a0,b6=a0,b7=a0,b8=a0,b9=a0,b10=a0,b11=a0;
        int wo = 0;
        for (int cb = 0, bo = 0; cb < blocks; cb++, bo += blockStride) {
        for (int tt = 0; tt < taps; tt++) {
            int o = bo + tapOff[tt], p = u + o, q = v + o, e = z + o;
            for (int c = 0; c < 8; c++, wo += 32) {
            FloatVector w0 = FloatVector.fromArray(S, w, wo), w1 = FloatVector.fromArray(S, w, wo + L), t;
            t = FloatVector.broadcast(S, x[p + c]); a0 = w0.fma(t, a0); b0 = w1.fma(t, b0);
            t = FloatVector.broadcast(S, x[p + 8 + c]); a1 = w0.fma(t, a1); b1 = w1.fma(t, b1);
            t = FloatVector.broadcast(S, x[p + 16 + c]); a2 = w0.fma(t, a2); b2 = w1.fma(t, b2);
            t = FloatVector.broadcast(S, x[p + 24 + c]); a3 = w0.fma(t, a3); b3 = w1.fma(t, b3);
            t = FloatVector.broadcast(S, x[q + c]); a4 = w0.fma(t, a4); b4 = w1.fma(t, b4);
            t = FloatVector.broadcast(S, x[q + 8 + c]); a5 = w0.fma(t, a5); b5 = w1.fma(t, b5);
            t = FloatVector.broadcast(S, x[q + 16 + c]); a6 = w0.fma(t, a6); b6 = w1.fma(t, b6);
            t = FloatVector.broadcast(S, x[q + 24 + c]); a7 = w0.fma(t, a7); b7 = w1.fma(t, b7);
            t = FloatVector.broadcast(S, x[e + c]); a8 = w0.fma(t, a8); b8 = w1.fma(t, b8);
            t = FloatVector.broadcast(S, x[e + 8 + c]); a9 = w0.fma(t, a9); b9 = w1.fma(t, b9);
            t = FloatVector.broadcast(S, x[e + 16 + c]); a10 = w0.fma(t, a10); b10 = w1.fma(t, b10);
            t = FloatVector.broadcast(S, x[e + 24 + c]); a11 = w0.fma(t, a11); b11 = w1.fma(t, b11);
            }
        }
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
          .add(b0).add(b1).add(b2).add(b3).add(b4).add(b5).add(b6).add(b7).add(b8).add(b9).add(b10).add(b11).reduceLanes(VectorOperators.ADD);
    }


    static float blk8n(float[] x, int u, int v, int z, float[] w, int[] tapOff, int taps, int blocks, int blockStride, float[] y) {
        FloatVector a0 = FloatVector.zero(S), a1=a0,a2=a0,a3=a0,a4=a0,a5=a0,a6=a0,a7=a0,a8=a0,a9=a0,a10=a0,a11=a0;
        FloatVector b0=a0,b1=a0,b2=a0,b3=a0,b4=a0,b5=a0,b6=a0,b7=a0,b8=a0,b9=a0,b10=a0,b11=a0;
        int wo = 0;
        int n = blocks * taps;
        for (int tt = 0; tt < n; tt++) {
            int o = tapOff[tt], p = u + o, q = v + o, e = z + o;
            for (int c = 0; c < 8; c++, wo += 32) {
            FloatVector w0 = FloatVector.fromArray(S, w, wo), w1 = FloatVector.fromArray(S, w, wo + L), t;
            t = FloatVector.broadcast(S, x[p + c]); a0 = w0.fma(t, a0); b0 = w1.fma(t, b0);
            t = FloatVector.broadcast(S, x[p + 8 + c]); a1 = w0.fma(t, a1); b1 = w1.fma(t, b1);
            t = FloatVector.broadcast(S, x[p + 16 + c]); a2 = w0.fma(t, a2); b2 = w1.fma(t, b2);
            t = FloatVector.broadcast(S, x[p + 24 + c]); a3 = w0.fma(t, a3); b3 = w1.fma(t, b3);
            t = FloatVector.broadcast(S, x[q + c]); a4 = w0.fma(t, a4); b4 = w1.fma(t, b4);
            t = FloatVector.broadcast(S, x[q + 8 + c]); a5 = w0.fma(t, a5); b5 = w1.fma(t, b5);
            t = FloatVector.broadcast(S, x[q + 16 + c]); a6 = w0.fma(t, a6); b6 = w1.fma(t, b6);
            t = FloatVector.broadcast(S, x[q + 24 + c]); a7 = w0.fma(t, a7); b7 = w1.fma(t, b7);
            t = FloatVector.broadcast(S, x[e + c]); a8 = w0.fma(t, a8); b8 = w1.fma(t, b8);
            t = FloatVector.broadcast(S, x[e + 8 + c]); a9 = w0.fma(t, a9); b9 = w1.fma(t, b9);
            t = FloatVector.broadcast(S, x[e + 16 + c]); a10 = w0.fma(t, a10); b10 = w1.fma(t, b10);
            t = FloatVector.broadcast(S, x[e + 24 + c]); a11 = w0.fma(t, a11); b11 = w1.fma(t, b11);
            }
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
          .add(b0).add(b1).add(b2).add(b3).add(b4).add(b5).add(b6).add(b7).add(b8).add(b9).add(b10).add(b11).reduceLanes(VectorOperators.ADD);
    }


    static float blk8u(float[] x, int u, int v, int z, float[] w, int[] tapOff, int taps, int blocks, int blockStride, float[] y) {
        FloatVector a0 = FloatVector.zero(S), a1=a0,a2=a0,a3=a0,a4=a0,a5=a0,a6=a0,a7=a0,a8=a0,a9=a0,a10=a0,a11=a0;
        FloatVector b0=a0,b1=a0,b2=a0,b3=a0,b4=a0,b5=a0,b6=a0,b7=a0,b8=a0,b9=a0,b10=a0,b11=a0;
        int wo = 0;
        int n = blocks * taps;
        for (int i = 0; i < n; i++, wo += 256) {
            int o = tapOff[i], p = u + o, q = v + o, e = z + o;
            FloatVector w0, w1, t;
            w0 = FloatVector.fromArray(S, w, wo + 0); w1 = FloatVector.fromArray(S, w, wo + 16);
            t = FloatVector.broadcast(S, x[p + 0]); a0 = w0.fma(t, a0); b0 = w1.fma(t, b0);
            t = FloatVector.broadcast(S, x[p + 8]); a1 = w0.fma(t, a1); b1 = w1.fma(t, b1);
            t = FloatVector.broadcast(S, x[p + 16]); a2 = w0.fma(t, a2); b2 = w1.fma(t, b2);
            t = FloatVector.broadcast(S, x[p + 24]); a3 = w0.fma(t, a3); b3 = w1.fma(t, b3);
            t = FloatVector.broadcast(S, x[q + 0]); a4 = w0.fma(t, a4); b4 = w1.fma(t, b4);
            t = FloatVector.broadcast(S, x[q + 8]); a5 = w0.fma(t, a5); b5 = w1.fma(t, b5);
            t = FloatVector.broadcast(S, x[q + 16]); a6 = w0.fma(t, a6); b6 = w1.fma(t, b6);
            t = FloatVector.broadcast(S, x[q + 24]); a7 = w0.fma(t, a7); b7 = w1.fma(t, b7);
            t = FloatVector.broadcast(S, x[e + 0]); a8 = w0.fma(t, a8); b8 = w1.fma(t, b8);
            t = FloatVector.broadcast(S, x[e + 8]); a9 = w0.fma(t, a9); b9 = w1.fma(t, b9);
            t = FloatVector.broadcast(S, x[e + 16]); a10 = w0.fma(t, a10); b10 = w1.fma(t, b10);
            t = FloatVector.broadcast(S, x[e + 24]); a11 = w0.fma(t, a11); b11 = w1.fma(t, b11);
            w0 = FloatVector.fromArray(S, w, wo + 32); w1 = FloatVector.fromArray(S, w, wo + 48);
            t = FloatVector.broadcast(S, x[p + 1]); a0 = w0.fma(t, a0); b0 = w1.fma(t, b0);
            t = FloatVector.broadcast(S, x[p + 9]); a1 = w0.fma(t, a1); b1 = w1.fma(t, b1);
            t = FloatVector.broadcast(S, x[p + 17]); a2 = w0.fma(t, a2); b2 = w1.fma(t, b2);
            t = FloatVector.broadcast(S, x[p + 25]); a3 = w0.fma(t, a3); b3 = w1.fma(t, b3);
            t = FloatVector.broadcast(S, x[q + 1]); a4 = w0.fma(t, a4); b4 = w1.fma(t, b4);
            t = FloatVector.broadcast(S, x[q + 9]); a5 = w0.fma(t, a5); b5 = w1.fma(t, b5);
            t = FloatVector.broadcast(S, x[q + 17]); a6 = w0.fma(t, a6); b6 = w1.fma(t, b6);
            t = FloatVector.broadcast(S, x[q + 25]); a7 = w0.fma(t, a7); b7 = w1.fma(t, b7);
            t = FloatVector.broadcast(S, x[e + 1]); a8 = w0.fma(t, a8); b8 = w1.fma(t, b8);
            t = FloatVector.broadcast(S, x[e + 9]); a9 = w0.fma(t, a9); b9 = w1.fma(t, b9);
            t = FloatVector.broadcast(S, x[e + 17]); a10 = w0.fma(t, a10); b10 = w1.fma(t, b10);
            t = FloatVector.broadcast(S, x[e + 25]); a11 = w0.fma(t, a11); b11 = w1.fma(t, b11);
            w0 = FloatVector.fromArray(S, w, wo + 64); w1 = FloatVector.fromArray(S, w, wo + 80);
            t = FloatVector.broadcast(S, x[p + 2]); a0 = w0.fma(t, a0); b0 = w1.fma(t, b0);
            t = FloatVector.broadcast(S, x[p + 10]); a1 = w0.fma(t, a1); b1 = w1.fma(t, b1);
            t = FloatVector.broadcast(S, x[p + 18]); a2 = w0.fma(t, a2); b2 = w1.fma(t, b2);
            t = FloatVector.broadcast(S, x[p + 26]); a3 = w0.fma(t, a3); b3 = w1.fma(t, b3);
            t = FloatVector.broadcast(S, x[q + 2]); a4 = w0.fma(t, a4); b4 = w1.fma(t, b4);
            t = FloatVector.broadcast(S, x[q + 10]); a5 = w0.fma(t, a5); b5 = w1.fma(t, b5);
            t = FloatVector.broadcast(S, x[q + 18]); a6 = w0.fma(t, a6); b6 = w1.fma(t, b6);
            t = FloatVector.broadcast(S, x[q + 26]); a7 = w0.fma(t, a7); b7 = w1.fma(t, b7);
            t = FloatVector.broadcast(S, x[e + 2]); a8 = w0.fma(t, a8); b8 = w1.fma(t, b8);
            t = FloatVector.broadcast(S, x[e + 10]); a9 = w0.fma(t, a9); b9 = w1.fma(t, b9);
            t = FloatVector.broadcast(S, x[e + 18]); a10 = w0.fma(t, a10); b10 = w1.fma(t, b10);
            t = FloatVector.broadcast(S, x[e + 26]); a11 = w0.fma(t, a11); b11 = w1.fma(t, b11);
            w0 = FloatVector.fromArray(S, w, wo + 96); w1 = FloatVector.fromArray(S, w, wo + 112);
            t = FloatVector.broadcast(S, x[p + 3]); a0 = w0.fma(t, a0); b0 = w1.fma(t, b0);
            t = FloatVector.broadcast(S, x[p + 11]); a1 = w0.fma(t, a1); b1 = w1.fma(t, b1);
            t = FloatVector.broadcast(S, x[p + 19]); a2 = w0.fma(t, a2); b2 = w1.fma(t, b2);
            t = FloatVector.broadcast(S, x[p + 27]); a3 = w0.fma(t, a3); b3 = w1.fma(t, b3);
            t = FloatVector.broadcast(S, x[q + 3]); a4 = w0.fma(t, a4); b4 = w1.fma(t, b4);
            t = FloatVector.broadcast(S, x[q + 11]); a5 = w0.fma(t, a5); b5 = w1.fma(t, b5);
            t = FloatVector.broadcast(S, x[q + 19]); a6 = w0.fma(t, a6); b6 = w1.fma(t, b6);
            t = FloatVector.broadcast(S, x[q + 27]); a7 = w0.fma(t, a7); b7 = w1.fma(t, b7);
            t = FloatVector.broadcast(S, x[e + 3]); a8 = w0.fma(t, a8); b8 = w1.fma(t, b8);
            t = FloatVector.broadcast(S, x[e + 11]); a9 = w0.fma(t, a9); b9 = w1.fma(t, b9);
            t = FloatVector.broadcast(S, x[e + 19]); a10 = w0.fma(t, a10); b10 = w1.fma(t, b10);
            t = FloatVector.broadcast(S, x[e + 27]); a11 = w0.fma(t, a11); b11 = w1.fma(t, b11);
            w0 = FloatVector.fromArray(S, w, wo + 128); w1 = FloatVector.fromArray(S, w, wo + 144);
            t = FloatVector.broadcast(S, x[p + 4]); a0 = w0.fma(t, a0); b0 = w1.fma(t, b0);
            t = FloatVector.broadcast(S, x[p + 12]); a1 = w0.fma(t, a1); b1 = w1.fma(t, b1);
            t = FloatVector.broadcast(S, x[p + 20]); a2 = w0.fma(t, a2); b2 = w1.fma(t, b2);
            t = FloatVector.broadcast(S, x[p + 28]); a3 = w0.fma(t, a3); b3 = w1.fma(t, b3);
            t = FloatVector.broadcast(S, x[q + 4]); a4 = w0.fma(t, a4); b4 = w1.fma(t, b4);
            t = FloatVector.broadcast(S, x[q + 12]); a5 = w0.fma(t, a5); b5 = w1.fma(t, b5);
            t = FloatVector.broadcast(S, x[q + 20]); a6 = w0.fma(t, a6); b6 = w1.fma(t, b6);
            t = FloatVector.broadcast(S, x[q + 28]); a7 = w0.fma(t, a7); b7 = w1.fma(t, b7);
            t = FloatVector.broadcast(S, x[e + 4]); a8 = w0.fma(t, a8); b8 = w1.fma(t, b8);
            t = FloatVector.broadcast(S, x[e + 12]); a9 = w0.fma(t, a9); b9 = w1.fma(t, b9);
            t = FloatVector.broadcast(S, x[e + 20]); a10 = w0.fma(t, a10); b10 = w1.fma(t, b10);
            t = FloatVector.broadcast(S, x[e + 28]); a11 = w0.fma(t, a11); b11 = w1.fma(t, b11);
            w0 = FloatVector.fromArray(S, w, wo + 160); w1 = FloatVector.fromArray(S, w, wo + 176);
            t = FloatVector.broadcast(S, x[p + 5]); a0 = w0.fma(t, a0); b0 = w1.fma(t, b0);
            t = FloatVector.broadcast(S, x[p + 13]); a1 = w0.fma(t, a1); b1 = w1.fma(t, b1);
            t = FloatVector.broadcast(S, x[p + 21]); a2 = w0.fma(t, a2); b2 = w1.fma(t, b2);
            t = FloatVector.broadcast(S, x[p + 29]); a3 = w0.fma(t, a3); b3 = w1.fma(t, b3);
            t = FloatVector.broadcast(S, x[q + 5]); a4 = w0.fma(t, a4); b4 = w1.fma(t, b4);
            t = FloatVector.broadcast(S, x[q + 13]); a5 = w0.fma(t, a5); b5 = w1.fma(t, b5);
            t = FloatVector.broadcast(S, x[q + 21]); a6 = w0.fma(t, a6); b6 = w1.fma(t, b6);
            t = FloatVector.broadcast(S, x[q + 29]); a7 = w0.fma(t, a7); b7 = w1.fma(t, b7);
            t = FloatVector.broadcast(S, x[e + 5]); a8 = w0.fma(t, a8); b8 = w1.fma(t, b8);
            t = FloatVector.broadcast(S, x[e + 13]); a9 = w0.fma(t, a9); b9 = w1.fma(t, b9);
            t = FloatVector.broadcast(S, x[e + 21]); a10 = w0.fma(t, a10); b10 = w1.fma(t, b10);
            t = FloatVector.broadcast(S, x[e + 29]); a11 = w0.fma(t, a11); b11 = w1.fma(t, b11);
            w0 = FloatVector.fromArray(S, w, wo + 192); w1 = FloatVector.fromArray(S, w, wo + 208);
            t = FloatVector.broadcast(S, x[p + 6]); a0 = w0.fma(t, a0); b0 = w1.fma(t, b0);
            t = FloatVector.broadcast(S, x[p + 14]); a1 = w0.fma(t, a1); b1 = w1.fma(t, b1);
            t = FloatVector.broadcast(S, x[p + 22]); a2 = w0.fma(t, a2); b2 = w1.fma(t, b2);
            t = FloatVector.broadcast(S, x[p + 30]); a3 = w0.fma(t, a3); b3 = w1.fma(t, b3);
            t = FloatVector.broadcast(S, x[q + 6]); a4 = w0.fma(t, a4); b4 = w1.fma(t, b4);
            t = FloatVector.broadcast(S, x[q + 14]); a5 = w0.fma(t, a5); b5 = w1.fma(t, b5);
            t = FloatVector.broadcast(S, x[q + 22]); a6 = w0.fma(t, a6); b6 = w1.fma(t, b6);
            t = FloatVector.broadcast(S, x[q + 30]); a7 = w0.fma(t, a7); b7 = w1.fma(t, b7);
            t = FloatVector.broadcast(S, x[e + 6]); a8 = w0.fma(t, a8); b8 = w1.fma(t, b8);
            t = FloatVector.broadcast(S, x[e + 14]); a9 = w0.fma(t, a9); b9 = w1.fma(t, b9);
            t = FloatVector.broadcast(S, x[e + 22]); a10 = w0.fma(t, a10); b10 = w1.fma(t, b10);
            t = FloatVector.broadcast(S, x[e + 30]); a11 = w0.fma(t, a11); b11 = w1.fma(t, b11);
            w0 = FloatVector.fromArray(S, w, wo + 224); w1 = FloatVector.fromArray(S, w, wo + 240);
            t = FloatVector.broadcast(S, x[p + 7]); a0 = w0.fma(t, a0); b0 = w1.fma(t, b0);
            t = FloatVector.broadcast(S, x[p + 15]); a1 = w0.fma(t, a1); b1 = w1.fma(t, b1);
            t = FloatVector.broadcast(S, x[p + 23]); a2 = w0.fma(t, a2); b2 = w1.fma(t, b2);
            t = FloatVector.broadcast(S, x[p + 31]); a3 = w0.fma(t, a3); b3 = w1.fma(t, b3);
            t = FloatVector.broadcast(S, x[q + 7]); a4 = w0.fma(t, a4); b4 = w1.fma(t, b4);
            t = FloatVector.broadcast(S, x[q + 15]); a5 = w0.fma(t, a5); b5 = w1.fma(t, b5);
            t = FloatVector.broadcast(S, x[q + 23]); a6 = w0.fma(t, a6); b6 = w1.fma(t, b6);
            t = FloatVector.broadcast(S, x[q + 31]); a7 = w0.fma(t, a7); b7 = w1.fma(t, b7);
            t = FloatVector.broadcast(S, x[e + 7]); a8 = w0.fma(t, a8); b8 = w1.fma(t, b8);
            t = FloatVector.broadcast(S, x[e + 15]); a9 = w0.fma(t, a9); b9 = w1.fma(t, b9);
            t = FloatVector.broadcast(S, x[e + 23]); a10 = w0.fma(t, a10); b10 = w1.fma(t, b10);
            t = FloatVector.broadcast(S, x[e + 31]); a11 = w0.fma(t, a11); b11 = w1.fma(t, b11);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
          .add(b0).add(b1).add(b2).add(b3).add(b4).add(b5).add(b6).add(b7).add(b8).add(b9).add(b10).add(b11).reduceLanes(VectorOperators.ADD);
    }

    static float ind24(float[] x, int u0, int u1, int u2, int u3, int u4, int u5, float[] w, int[] off, int red, float[] y) {
        FloatVector a0 = FloatVector.zero(S), a1=a0,a2=a0,a3=a0,a4=a0,a5=a0,a6=a0,a7=a0,a8=a0,a9=a0,a10=a0,a11=a0;
        FloatVector a12=a0,a13=a0,a14=a0,a15=a0,a16=a0,a17=a0,a18=a0,a19=a0,a20=a0,a21=a0,a22=a0,a23=a0;
        for (int r = 0, wo = 0; r < red; r++, wo += 16) {
            int o = off[r], p = u0 + o, q = u1 + o, e = u2 + o, f = u3 + o, g = u4 + o, h = u5 + o;
            FloatVector w0 = FloatVector.fromArray(S, w, wo), t;
            t = FloatVector.broadcast(S, x[p + 0]); a0 = w0.fma(t, a0);
            t = FloatVector.broadcast(S, x[p + 1]); a1 = w0.fma(t, a1);
            t = FloatVector.broadcast(S, x[p + 2]); a2 = w0.fma(t, a2);
            t = FloatVector.broadcast(S, x[p + 3]); a3 = w0.fma(t, a3);
            t = FloatVector.broadcast(S, x[q + 0]); a4 = w0.fma(t, a4);
            t = FloatVector.broadcast(S, x[q + 1]); a5 = w0.fma(t, a5);
            t = FloatVector.broadcast(S, x[q + 2]); a6 = w0.fma(t, a6);
            t = FloatVector.broadcast(S, x[q + 3]); a7 = w0.fma(t, a7);
            t = FloatVector.broadcast(S, x[e + 0]); a8 = w0.fma(t, a8);
            t = FloatVector.broadcast(S, x[e + 1]); a9 = w0.fma(t, a9);
            t = FloatVector.broadcast(S, x[e + 2]); a10 = w0.fma(t, a10);
            t = FloatVector.broadcast(S, x[e + 3]); a11 = w0.fma(t, a11);
            t = FloatVector.broadcast(S, x[f + 0]); a12 = w0.fma(t, a12);
            t = FloatVector.broadcast(S, x[f + 1]); a13 = w0.fma(t, a13);
            t = FloatVector.broadcast(S, x[f + 2]); a14 = w0.fma(t, a14);
            t = FloatVector.broadcast(S, x[f + 3]); a15 = w0.fma(t, a15);
            t = FloatVector.broadcast(S, x[g + 0]); a16 = w0.fma(t, a16);
            t = FloatVector.broadcast(S, x[g + 1]); a17 = w0.fma(t, a17);
            t = FloatVector.broadcast(S, x[g + 2]); a18 = w0.fma(t, a18);
            t = FloatVector.broadcast(S, x[g + 3]); a19 = w0.fma(t, a19);
            t = FloatVector.broadcast(S, x[h + 0]); a20 = w0.fma(t, a20);
            t = FloatVector.broadcast(S, x[h + 1]); a21 = w0.fma(t, a21);
            t = FloatVector.broadcast(S, x[h + 2]); a22 = w0.fma(t, a22);
            t = FloatVector.broadcast(S, x[h + 3]); a23 = w0.fma(t, a23);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
          .add(a12).add(a13).add(a14).add(a15).add(a16).add(a17).add(a18).add(a19).add(a20).add(a21).add(a22).add(a23).reduceLanes(VectorOperators.ADD);
    }

    static float r8x3(float[] x, int u0, int u1, int u2, float[] w, int[] off, int red, float[] y) {
        FloatVector a0 = FloatVector.zero(S), a1=a0,a2=a0,a3=a0,a4=a0,a5=a0,a6=a0,a7=a0,a8=a0,a9=a0,a10=a0,a11=a0;
        FloatVector a12=a0,a13=a0,a14=a0,a15=a0,a16=a0,a17=a0,a18=a0,a19=a0,a20=a0,a21=a0,a22=a0,a23=a0;
        for (int r = 0, wo = 0; r < red; r++, wo += 16) {
            int o = off[r], p = u0 + o, q = u1 + o, e = u2 + o;
            FloatVector w0 = FloatVector.fromArray(S, w, wo), t;
            t = FloatVector.broadcast(S, x[p + 0]); a0 = w0.fma(t, a0);
            t = FloatVector.broadcast(S, x[p + 1]); a1 = w0.fma(t, a1);
            t = FloatVector.broadcast(S, x[p + 2]); a2 = w0.fma(t, a2);
            t = FloatVector.broadcast(S, x[p + 3]); a3 = w0.fma(t, a3);
            t = FloatVector.broadcast(S, x[p + 4]); a4 = w0.fma(t, a4);
            t = FloatVector.broadcast(S, x[p + 5]); a5 = w0.fma(t, a5);
            t = FloatVector.broadcast(S, x[p + 6]); a6 = w0.fma(t, a6);
            t = FloatVector.broadcast(S, x[p + 7]); a7 = w0.fma(t, a7);
            t = FloatVector.broadcast(S, x[q + 0]); a8 = w0.fma(t, a8);
            t = FloatVector.broadcast(S, x[q + 1]); a9 = w0.fma(t, a9);
            t = FloatVector.broadcast(S, x[q + 2]); a10 = w0.fma(t, a10);
            t = FloatVector.broadcast(S, x[q + 3]); a11 = w0.fma(t, a11);
            t = FloatVector.broadcast(S, x[q + 4]); a12 = w0.fma(t, a12);
            t = FloatVector.broadcast(S, x[q + 5]); a13 = w0.fma(t, a13);
            t = FloatVector.broadcast(S, x[q + 6]); a14 = w0.fma(t, a14);
            t = FloatVector.broadcast(S, x[q + 7]); a15 = w0.fma(t, a15);
            t = FloatVector.broadcast(S, x[e + 0]); a16 = w0.fma(t, a16);
            t = FloatVector.broadcast(S, x[e + 1]); a17 = w0.fma(t, a17);
            t = FloatVector.broadcast(S, x[e + 2]); a18 = w0.fma(t, a18);
            t = FloatVector.broadcast(S, x[e + 3]); a19 = w0.fma(t, a19);
            t = FloatVector.broadcast(S, x[e + 4]); a20 = w0.fma(t, a20);
            t = FloatVector.broadcast(S, x[e + 5]); a21 = w0.fma(t, a21);
            t = FloatVector.broadcast(S, x[e + 6]); a22 = w0.fma(t, a22);
            t = FloatVector.broadcast(S, x[e + 7]); a23 = w0.fma(t, a23);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
          .add(a12).add(a13).add(a14).add(a15).add(a16).add(a17).add(a18).add(a19).add(a20).add(a21).add(a22).add(a23).reduceLanes(VectorOperators.ADD);
    }
    public static void main(String[] a) {
        int red = 432;
        float[] x = new float[32768], xb = new float[16 * 1000 + 64], xs = new float[red * 12 + 16], w = new float[red * 32 + 32], y = new float[64];
        int[] tapOff16 = new int[54]; int[] off = new int[red], tapOff = new int[27], tapOff8 = new int[27];
        for (int c = 0, r = 0; c < 16 && r < red; c++) for (int dz = 0; dz < 3; dz++) for (int dy = 0; dy < 3; dy++) for (int dx = 0; dx < 3 && r < red; dx++) off[r++] = c * 1000 + dz * 100 + dy * 10 + dx;
        for (int dz = 0, r = 0; dz < 3; dz++) for (int dy = 0; dy < 3; dy++) for (int dx = 0; dx < 3; dx++) { tapOff[r] = dz * 100 + dy * 10 + dx; tapOff8[r] = tapOff[r] * 8; r++; }
        java.util.Arrays.fill(x, 0.001f); java.util.Arrays.fill(xs, 0.001f); java.util.Arrays.fill(w, 0.5f); java.util.Arrays.fill(xb, 0.001f);
        for (int i = 0; i < 54; i++) tapOff16[i] = (i / 27) * 8000 + tapOff8[i % 27];
        float sink = 0;
        for (int round = 0; round < 6; round++) {
            int n = 100000;
            double flops = (double) n * red * 24 * 16 * 2;
            StringBuilder line = new StringBuilder();
            for (String v : new String[] {"bcast", "one12", "indirect", "blk8", "blk8n", "blk8u", "ind24", "r8x3"}) {
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    int s = (i % 43) * 12 % 500;
                    sink += switch (v) {
                        case "bcast" -> bcast(xs, w, red, y);
                        case "one12" -> one12(x, s, w, off, red, y);
                        case "indirect" -> indirect(x, s, s + 4, s + 10, w, off, red, y);
                        case "blk8" -> blk8(xb, s * 8, (s + 10) * 8, (s + 20) * 8, w, tapOff8, 27, 2, 8000, y);
                        case "ind24" -> ind24(x, s, s + 4, s + 10, s+14, s+20, s+24, w, off, red, y);
                        case "r8x3" -> r8x3(x, s, s + 10, s+20, w, off, red, y);
                        case "blk8n" -> blk8n(xb, s * 8, (s + 10) * 8, (s + 20) * 8, w, tapOff16, 27, 2, 8000, y);
                        default -> blk8u(xb, s * 8, (s + 10) * 8, (s + 20) * 8, w, tapOff16, 27, 2, 8000, y);
                    };
                }
                line.append(String.format("%s %.1f  ", v, flops / (System.nanoTime() - t0)));
            }
            System.out.println(line.append("GFLOP/s"));
        }
        System.out.println(sink);
    }
}
