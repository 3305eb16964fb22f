import jdk.incubator.vector.*;
public class P3 {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_512; static final int L=16, KB=64;
  static void tile(float[] x, int base, int[] off, float[] w, int wo0, float[] tile) {
    FloatVector a0 = FloatVector.zero(S), a1=a0,a2=a0,a3=a0,a4=a0,a5=a0, b0=a0,b1=a0,b2=a0,b3=a0,b4=a0,b5=a0;
    FloatVector c0=a0,c1=a0,c2=a0,c3=a0,c4=a0,c5=a0, d0=a0,d1=a0,d2=a0,d3=a0,d4=a0,d5=a0;
    for (int r = 0; r < off.length; r++) {
        int q = base + off[r]; int wo = wo0 + r * KB;
        FloatVector w0 = FloatVector.fromArray(S, w, wo), w1 = FloatVector.fromArray(S, w, wo + L), w2 = FloatVector.fromArray(S, w, wo + 2*L), w3 = FloatVector.fromArray(S, w, wo + 3*L);
        FloatVector v;
        v = FloatVector.broadcast(S, x[q]); a0 = w0.fma(v,a0); b0 = w1.fma(v,b0); c0 = w2.fma(v,c0); d0 = w3.fma(v,d0);
        v = FloatVector.broadcast(S, x[q+16]); a1 = w0.fma(v,a1); b1 = w1.fma(v,b1); c1 = w2.fma(v,c1); d1 = w3.fma(v,d1);
        v = FloatVector.broadcast(S, x[q+32]); a2 = w0.fma(v,a2); b2 = w1.fma(v,b2); c2 = w2.fma(v,c2); d2 = w3.fma(v,d2);
        v = FloatVector.broadcast(S, x[q+48]); a3 = w0.fma(v,a3); b3 = w1.fma(v,b3); c3 = w2.fma(v,c3); d3 = w3.fma(v,d3);
        v = FloatVector.broadcast(S, x[q+64]); a4 = w0.fma(v,a4); b4 = w1.fma(v,b4); c4 = w2.fma(v,c4); d4 = w3.fma(v,d4);
        v = FloatVector.broadcast(S, x[q+80]); a5 = w0.fma(v,a5); b5 = w1.fma(v,b5); c5 = w2.fma(v,c5); d5 = w3.fma(v,d5);
    }
    a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(b0.add(b1).add(b2).add(b3).add(b4).add(b5))
     .add(c0.add(c1).add(c2).add(c3).add(c4).add(c5)).add(d0.add(d1).add(d2).add(d3).add(d4).add(d5)).intoArray(tile, 0);
  }
  public static void main(String[] a) {
    int cg = Integer.parseInt(a[0]), W = Integer.parseInt(a[1]);
    int rows = 4;
    float[] x = new float[(cg/16) * rows * W * 16 + 64]; for (int i=0;i<x.length;i++) x[i]=(i%7)*0.01f;
    int[] tapOff = new int[9]; for (int kh=0;kh<3;kh++) for (int kw=0;kw<3;kw++) tapOff[kh*3+kw]=(kh*W+kw)*16;
    int[] off = new int[9*cg]; for (int t=0;t<9;t++) for (int c=0;c<cg;c++) off[t*cg+c]=tapOff[t]+(c/16)*rows*W*16+c%16;
    float[] w = new float[9*cg*KB]; for (int i=0;i<w.length;i++) w[i]=(i%5)*0.01f;
    float[] tile = new float[16];
    int tiles = (W-2)/6;
    for (int rep=0; rep<6; rep++) {
      long t0=System.nanoTime(); long n=0;
      while (System.nanoTime()-t0 < 1_000_000_000L) { for (int i=0;i<tiles;i++) tile(x, i*6*16, off, w, 0, tile); n+=tiles; }
      System.out.printf("cg %d: %.1f GFLOP/s%n", cg, 2.0*n*6*KB*9*cg/(System.nanoTime()-t0));
    }
  }
}
