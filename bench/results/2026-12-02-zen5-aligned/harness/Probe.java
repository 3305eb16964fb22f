import dev.vecnn.conv.*; import dev.vecnn.spec.*; import dev.vecnn.tensor.*; import dev.vecnn.parallel.*;
import java.lang.foreign.*; import java.lang.reflect.*; import java.util.*;
public class Probe {
  static sun.misc.Unsafe U;
  static { try { Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe"); f.setAccessible(true); U=(sun.misc.Unsafe)f.get(null);} catch(Exception e){throw new RuntimeException(e);} }
  static long addr(Object o){ Object[] h={o}; long n = U.getInt(h, (long)U.arrayBaseOffset(Object[].class)) & 0xffffffffL; return (n<<3) + 16; }
  static Object get(Object o, String f) throws Exception { Class<?> c=o.getClass(); while(c!=null){ try{ Field fl=c.getDeclaredField(f); fl.setAccessible(true); return fl.get(o);}catch(NoSuchFieldException e){c=c.getSuperclass();}} throw new NoSuchFieldException(f); }
  static String align(PreparedWeights pw, Execution ex) throws Exception {
    StringBuilder sb=new StringBuilder();
    Object p = get(pw,"packed"); Object rows = get(p,"rows"); sb.append(" w%64=").append(addr(rows)%64);
    Queue<?> q=(Queue<?>)get(ex,"scratches"); for (Object s: q){ Map<?,?> m=(Map<?,?>)get(s,"floats"); for (var en: m.entrySet()) sb.append(" ").append(en.getKey()).append("%64=").append(addr(en.getValue())%64); }
    return sb.toString();
  }
  public static void main(String[] a) throws Exception {
    ConvSpec s = ConvSpec.parse(a[0]); boolean cl=a[1].equals("cl"); int rounds=Integer.parseInt(a[2]);
    java.util.Random rnd = new java.util.Random(Long.getLong("seed", System.nanoTime()));
    double flops = 2.0 * Tensor.numel(s.outputShape()) * Tensor.numel(s.weightShape())/s.outChannels();
    Object[] junk = new Object[rounds];
    for (int r=0;r<rounds;r++) {
      junk[r] = new byte[rnd.nextInt(1<<20)];
      Arena ar=Arena.ofShared();
      MemorySegment pad = ar.allocate(rnd.nextInt(1<<16)*64L, 64);
      Tensor x = cl ? Tensor.allocateChannelsLast(ar, DType.F32, s.inputShape()) : Tensor.allocate(ar, DType.F32, s.inputShape()); x.fill(0.5);
      Tensor w = Tensor.allocate(ar, DType.F32, s.weightShape()); w.fill(0.25);
      Tensor y = cl ? Tensor.allocateChannelsLast(ar, DType.F32, s.outputShape()) : Tensor.allocate(ar, DType.F32, s.outputShape());
      Tensor b = Tensor.allocate(ar, DType.F32, s.biasShape());
      ConvImpl k = Conv.choose(ConvPass.FORWARD, s);
      PreparedWeights pw = k.prepare(s, w);
      Execution ex = Execution.withThreads(1);
      long end = System.nanoTime() + (r==0?4_000_000_000L:500_000_000L);
      while (System.nanoTime() < end) k.forward(s, x, pw, b, y, Epilogue.NONE, ex);
      System.gc(); System.gc();
      double best=0; StringBuilder sb=new StringBuilder();
      for (int m=0;m<3;m++){ int it=0; long t0=System.nanoTime(); while (System.nanoTime()-t0 < 400_000_000L){ k.forward(s, x, pw, b, y, Epilogue.NONE, ex); it++; }
        double g=flops*it/(System.nanoTime()-t0); sb.append(String.format(" %.1f", g)); }
      System.out.printf("round %d x%%64=%d y%%64=%d%s:%s%n", r, x.segment().address()%64, y.segment().address()%64, align(pw, ex), sb);
      ar.close();
    }
    System.exit(0);
  }
}
