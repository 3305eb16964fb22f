import jdk.incubator.vector.*;
public class P {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_512; static final int L=16, KB=32;
  // x: NHWC slab [rows][cols][cg]; w: [tap][c][KB]; 12 positions starting at cell base (consecutive cols)
  static void tile(float[] x, int base, int[] off, float[] w, int wo0, float[] tile) {
    FloatVector a0 = FloatVector.zero(S), a1=a0,a2=a0,a3=a0,a4=a0,a5=a0,a6=a0,a7=a0,a8=a0,a9=a0,a10=a0,a11=a0;
    FloatVector b0=a0,b1=a0,b2=a0,b3=a0,b4=a0,b5=a0,b6=a0,b7=a0,b8=a0,b9=a0,b10=a0,b11=a0;
    for (int r = 0; r < off.length; r++) {
        int q = base + off[r]; int wo = wo0 + r * KB;
        FloatVector w0 = FloatVector.fromArray(S, w, wo), w1 = FloatVector.fromArray(S, w, wo + L);
        FloatVector v;
        v = FloatVector.broadcast(S, x[q]); a0 = w0.fma(v,a0); b0 = w1.fma(v,b0);
        v = FloatVector.broadcast(S, x[q+16]); a1 = w0.fma(v,a1); b1 = w1.fma(v,b1);
        v = FloatVector.broadcast(S, x[q+32]); a2 = w0.fma(v,a2); b2 = w1.fma(v,b2);
        v = FloatVector.broadcast(S, x[q+48]); a3 = w0.fma(v,a3); b3 = w1.fma(v,b3);
        v = FloatVector.broadcast(S, x[q+64]); a4 = w0.fma(v,a4); b4 = w1.fma(v,b4);
        v = FloatVector.broadcast(S, x[q+80]); a5 = w0.fma(v,a5); b5 = w1.fma(v,b5);
        v = FloatVector.broadcast(S, x[q+96]); a6 = w0.fma(v,a6); b6 = w1.fma(v,b6);
        v = FloatVector.broadcast(S, x[q+112]); a7 = w0.fma(v,a7); b7 = w1.fma(v,b7);
        v = FloatVector.broadcast(S, x[q+128]); a8 = w0.fma(v,a8); b8 = w1.fma(v,b8);
        v = FloatVector.broadcast(S, x[q+144]); a9 = w0.fma(v,a9); b9 = w1.fma(v,b9);
        v = FloatVector.broadcast(S, x[q+160]); a10 = w0.fma(v,a10); b10 = w1.fma(v,b10);
        v = FloatVector.broadcast(S, x[q+176]); a11 = w0.fma(v,a11); b11 = w1.fma(v,b11);
    }
    a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
      .add(b0.add(b1).add(b2).add(b3).add(b4).add(b5).add(b6).add(b7).add(b8).add(b9).add(b10).add(b11)).intoArray(tile, 0);
  }
  public static void main(String[] a) {
    int cg = Integer.parseInt(a[0]), W = Integer.parseInt(a[1]); // row width (cols incl. pad)
    int rows = 3 + 1;
    float[] x = new float[rows * W * cg + 64]; for (int i=0;i<x.length;i++) x[i]=(i%7)*0.01f;
    int[] tapOff = new int[9]; for (int kh=0;kh<3;kh++) for (int kw=0;kw<3;kw++) tapOff[kh*3+kw]=(kh*W+kw)*16;
    int[] off = new int[9*cg]; for (int t=0;t<9;t++) for (int c=0;c<cg;c++) off[t*cg+c]=tapOff[t]+(c/16)*rows*W*16+c%16;
    float[] w = new float[9*cg*KB]; for (int i=0;i<w.length;i++) w[i]=(i%5)*0.01f;
    float[] tile = new float[16];
    int tiles = (W-2)/12;
    for (int rep=0; rep<8; rep++) {
      long t0=System.nanoTime(); long n=0;
      while (System.nanoTime()-t0 < 1_000_000_000L) { for (int i=0;i<tiles;i++) tile(x, i*12*16, off, w, 0, tile); n+=tiles; }
      double fl = 2.0*n*12*KB*9*cg;
      System.out.printf("cg %d: %.1f GFLOP/s%n", cg, fl/(System.nanoTime()-t0));
    }
  }
}
