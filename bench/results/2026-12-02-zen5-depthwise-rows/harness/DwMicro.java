import jdk.incubator.vector.*; import java.lang.foreign.*; import java.nio.ByteOrder;
public class DwMicro {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED; static final int L = S.length(); static final ByteOrder NO = ByteOrder.nativeOrder(); static final long ES=4;
  static int H, C, P; // out HxH, channels C, slab pitch per position C, row pitch P
  public static void main(String[] a) {
    H = Integer.parseInt(a[0]); C = Integer.parseInt(a[1]); String mode=a[2];
    int W = H + 2; P = W * C;
    float[] xs = new float[W * W * C + L]; for (int i=0;i<xs.length;i++) xs[i]=(i%13)*0.1f;
    float[] wt = new float[9*C]; for (int i=0;i<wt.length;i++) wt[i]=(i%7)*0.01f;
    float[] bias = new float[C];
    int[] tapOff = new int[9]; for (int t=0;t<9;t++) tapOff[t]=(t/3)*P+(t%3)*C;
    int n = H*H; int[] at=new int[n]; long[] to=new long[n];
    for (int q=0;q<n;q++){ at[q]=(q/H)*P+(q%H)*C; to[q]=(long)q*C; }
    MemorySegment xn = Arena.ofAuto().allocate((long)xs.length*4 + Integer.getInteger("mis",0), 64).asSlice(Integer.getInteger("mis",0)); MemorySegment.copy(xs,0,xn,ValueLayout.JAVA_FLOAT,0,xs.length);
    MemorySegment ys = Arena.ofAuto().allocate((long)n*C*4, 64);
    int vectors = C / L;
    for (int rep=0; rep<12; rep++) {
      long t0=System.nanoTime(); int iters=0;
      while (System.nanoTime()-t0 < 500_000_000L) {
        for (int v=0; v<vectors; v++) {
          if (mode.equals("A")) for (int p=0;p<n;p+=8) tileA(xs,at,to,p,v*L,wt,C,tapOff,9,bias,0f,Float.POSITIVE_INFINITY,ys);
          else if (mode.equals("N")) for (int p=0;p<n;p+=8) tileN(xn,at,to,p,v*L,wt,C,tapOff,9,bias,0f,Float.POSITIVE_INFINITY,ys);
          else if (mode.equals("B")) for (int p=0;p<n;p+=8) tileB(xs,at,to,p,v*L,wt,C,tapOff,9,bias,ys);
          else if (mode.equals("R")) for (int r=0;r<H;r++) for (int c=0;c+8<=H;c+=8) tileR(xs, r*P + c*C + v*L, C, P, (long)(r*H+c)*C + v*L, wt, v*L, C, bias, 0f, Float.POSITIVE_INFINITY, ys);
        }
        iters++;
      }
      double ns = (System.nanoTime()-t0)/(double)iters;
      System.out.printf("%s %.1f us/op  %.2f ns per output vector  %.1f GFLOP/s%n", mode, ns/1e3, ns/(n*vectors), 2.0*9*n*C/ns);
    }
  }
  static void tileA(float[] x, int[] at, long[] to, int p, int c0, float[] w, int padded, int[] tapOffset, int taps, float[] biasRow, float lo, float hi, MemorySegment ys) {
        int u0 = at[p] + c0, u1 = at[p + 1] + c0, u2 = at[p + 2] + c0, u3 = at[p + 3] + c0;
        int u4 = at[p + 4] + c0, u5 = at[p + 5] + c0, u6 = at[p + 6] + c0, u7 = at[p + 7] + c0;
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int t = 0, wo = c0; t < taps; t++, wo += padded) {
            int o = tapOffset[t];
            FloatVector wv = FloatVector.fromArray(S, w, wo);
            a0 = wv.fma(FloatVector.fromArray(S, x, u0 + o), a0);
            a1 = wv.fma(FloatVector.fromArray(S, x, u1 + o), a1);
            a2 = wv.fma(FloatVector.fromArray(S, x, u2 + o), a2);
            a3 = wv.fma(FloatVector.fromArray(S, x, u3 + o), a3);
            a4 = wv.fma(FloatVector.fromArray(S, x, u4 + o), a4);
            a5 = wv.fma(FloatVector.fromArray(S, x, u5 + o), a5);
            a6 = wv.fma(FloatVector.fromArray(S, x, u6 + o), a6);
            a7 = wv.fma(FloatVector.fromArray(S, x, u7 + o), a7);
        }
        FloatVector b = FloatVector.fromArray(S, biasRow, c0);
        a0.add(b).max(lo).min(hi).intoMemorySegment(ys, (to[p + 0] + c0) * ES, NO);
        a1.add(b).max(lo).min(hi).intoMemorySegment(ys, (to[p + 1] + c0) * ES, NO);
        a2.add(b).max(lo).min(hi).intoMemorySegment(ys, (to[p + 2] + c0) * ES, NO);
        a3.add(b).max(lo).min(hi).intoMemorySegment(ys, (to[p + 3] + c0) * ES, NO);
        a4.add(b).max(lo).min(hi).intoMemorySegment(ys, (to[p + 4] + c0) * ES, NO);
        a5.add(b).max(lo).min(hi).intoMemorySegment(ys, (to[p + 5] + c0) * ES, NO);
        a6.add(b).max(lo).min(hi).intoMemorySegment(ys, (to[p + 6] + c0) * ES, NO);
        a7.add(b).max(lo).min(hi).intoMemorySegment(ys, (to[p + 7] + c0) * ES, NO);
  }
  static void tileN(MemorySegment x, int[] at, long[] to, int p, int c0, float[] w, int padded, int[] tapOffset, int taps, float[] biasRow, float lo, float hi, MemorySegment ys) {
        int u0 = at[p] + c0, u1 = at[p + 1] + c0, u2 = at[p + 2] + c0, u3 = at[p + 3] + c0;
        int u4 = at[p + 4] + c0, u5 = at[p + 5] + c0, u6 = at[p + 6] + c0, u7 = at[p + 7] + c0;
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int t = 0, wo = c0; t < taps; t++, wo += padded) {
            int o = tapOffset[t];
            FloatVector wv = FloatVector.fromArray(S, w, wo);
            a0 = wv.fma(FloatVector.fromMemorySegment(S, x, (long)(u0 + o) * ES, NO), a0);
            a1 = wv.fma(FloatVector.fromMemorySegment(S, x, (long)(u1 + o) * ES, NO), a1);
            a2 = wv.fma(FloatVector.fromMemorySegment(S, x, (long)(u2 + o) * ES, NO), a2);
            a3 = wv.fma(FloatVector.fromMemorySegment(S, x, (long)(u3 + o) * ES, NO), a3);
            a4 = wv.fma(FloatVector.fromMemorySegment(S, x, (long)(u4 + o) * ES, NO), a4);
            a5 = wv.fma(FloatVector.fromMemorySegment(S, x, (long)(u5 + o) * ES, NO), a5);
            a6 = wv.fma(FloatVector.fromMemorySegment(S, x, (long)(u6 + o) * ES, NO), a6);
            a7 = wv.fma(FloatVector.fromMemorySegment(S, x, (long)(u7 + o) * ES, NO), a7);
        }
        FloatVector b = FloatVector.fromArray(S, biasRow, c0);
        a0.add(b).max(lo).min(hi).intoMemorySegment(ys, (to[p + 0] + c0) * ES, NO);
        a1.add(b).max(lo).min(hi).intoMemorySegment(ys, (to[p + 1] + c0) * ES, NO);
        a2.add(b).max(lo).min(hi).intoMemorySegment(ys, (to[p + 2] + c0) * ES, NO);
        a3.add(b).max(lo).min(hi).intoMemorySegment(ys, (to[p + 3] + c0) * ES, NO);
        a4.add(b).max(lo).min(hi).intoMemorySegment(ys, (to[p + 4] + c0) * ES, NO);
        a5.add(b).max(lo).min(hi).intoMemorySegment(ys, (to[p + 5] + c0) * ES, NO);
        a6.add(b).max(lo).min(hi).intoMemorySegment(ys, (to[p + 6] + c0) * ES, NO);
        a7.add(b).max(lo).min(hi).intoMemorySegment(ys, (to[p + 7] + c0) * ES, NO);
  }
  static void tileB(float[] x, int[] at, long[] to, int p, int c0, float[] w, int padded, int[] tapOffset, int taps, float[] biasRow, MemorySegment ys) {
        int u0 = at[p] + c0, u1 = at[p + 1] + c0, u2 = at[p + 2] + c0, u3 = at[p + 3] + c0;
        int u4 = at[p + 4] + c0, u5 = at[p + 5] + c0, u6 = at[p + 6] + c0, u7 = at[p + 7] + c0;
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int t = 0, wo = c0; t < taps; t++, wo += padded) {
            int o = tapOffset[t];
            FloatVector wv = FloatVector.fromArray(S, w, wo);
            a0 = wv.fma(FloatVector.fromArray(S, x, u0 + o), a0);
            a1 = wv.fma(FloatVector.fromArray(S, x, u1 + o), a1);
            a2 = wv.fma(FloatVector.fromArray(S, x, u2 + o), a2);
            a3 = wv.fma(FloatVector.fromArray(S, x, u3 + o), a3);
            a4 = wv.fma(FloatVector.fromArray(S, x, u4 + o), a4);
            a5 = wv.fma(FloatVector.fromArray(S, x, u5 + o), a5);
            a6 = wv.fma(FloatVector.fromArray(S, x, u6 + o), a6);
            a7 = wv.fma(FloatVector.fromArray(S, x, u7 + o), a7);
        }
        FloatVector b = FloatVector.fromArray(S, biasRow, c0);
        a0.add(b).intoMemorySegment(ys, (to[p + 0] + c0) * ES, NO);
        a1.add(b).intoMemorySegment(ys, (to[p + 1] + c0) * ES, NO);
        a2.add(b).intoMemorySegment(ys, (to[p + 2] + c0) * ES, NO);
        a3.add(b).intoMemorySegment(ys, (to[p + 3] + c0) * ES, NO);
        a4.add(b).intoMemorySegment(ys, (to[p + 4] + c0) * ES, NO);
        a5.add(b).intoMemorySegment(ys, (to[p + 5] + c0) * ES, NO);
        a6.add(b).intoMemorySegment(ys, (to[p + 6] + c0) * ES, NO);
        a7.add(b).intoMemorySegment(ys, (to[p + 7] + c0) * ES, NO);
  }
  // 8 consecutive outputs of a row, 3x3 stride 1: per kernel row 10 input vectors loaded once, each used by up to 3 taps
  static void tileR(float[] x, int u, int pp, int rowPitch, long out, float[] w, int wo, int padded, float[] biasRow, float lo, float hi, MemorySegment ys) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int kh = 0; kh < 3; kh++, u += rowPitch, wo += 3 * padded) {
            FloatVector w0 = FloatVector.fromArray(S, w, wo), w1 = FloatVector.fromArray(S, w, wo + padded), w2 = FloatVector.fromArray(S, w, wo + 2 * padded);
            FloatVector i0 = FloatVector.fromArray(S, x, u), i1 = FloatVector.fromArray(S, x, u + pp);
            FloatVector i2 = FloatVector.fromArray(S, x, u + 2 * pp), i3 = FloatVector.fromArray(S, x, u + 3 * pp);
            FloatVector i4 = FloatVector.fromArray(S, x, u + 4 * pp), i5 = FloatVector.fromArray(S, x, u + 5 * pp);
            FloatVector i6 = FloatVector.fromArray(S, x, u + 6 * pp), i7 = FloatVector.fromArray(S, x, u + 7 * pp);
            FloatVector i8 = FloatVector.fromArray(S, x, u + 8 * pp), i9 = FloatVector.fromArray(S, x, u + 9 * pp);
            a0 = w2.fma(i2, w1.fma(i1, w0.fma(i0, a0)));
            a1 = w2.fma(i3, w1.fma(i2, w0.fma(i1, a1)));
            a2 = w2.fma(i4, w1.fma(i3, w0.fma(i2, a2)));
            a3 = w2.fma(i5, w1.fma(i4, w0.fma(i3, a3)));
            a4 = w2.fma(i6, w1.fma(i5, w0.fma(i4, a4)));
            a5 = w2.fma(i7, w1.fma(i6, w0.fma(i5, a5)));
            a6 = w2.fma(i8, w1.fma(i7, w0.fma(i6, a6)));
            a7 = w2.fma(i9, w1.fma(i8, w0.fma(i7, a7)));
        }
        FloatVector b = FloatVector.fromArray(S, biasRow, wo - 9 * padded);
        a0.add(b).max(lo).min(hi).intoMemorySegment(ys, out * ES, NO);
        a1.add(b).max(lo).min(hi).intoMemorySegment(ys, (out + pp) * ES, NO);
        a2.add(b).max(lo).min(hi).intoMemorySegment(ys, (out + 2 * pp) * ES, NO);
        a3.add(b).max(lo).min(hi).intoMemorySegment(ys, (out + 3 * pp) * ES, NO);
        a4.add(b).max(lo).min(hi).intoMemorySegment(ys, (out + 4 * pp) * ES, NO);
        a5.add(b).max(lo).min(hi).intoMemorySegment(ys, (out + 5 * pp) * ES, NO);
        a6.add(b).max(lo).min(hi).intoMemorySegment(ys, (out + 6 * pp) * ES, NO);
        a7.add(b).max(lo).min(hi).intoMemorySegment(ys, (out + 7 * pp) * ES, NO);
  }
}
