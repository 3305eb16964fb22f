import dev.vecnn.conv.*; import dev.vecnn.spec.*; import dev.vecnn.tensor.*; import dev.vecnn.parallel.*;
import java.lang.foreign.*;
// one conv, settings of boolean switches alternated in one JVM: args spec cl|cf rounds Class.FIELD=v,Class.FIELD=v ; Class.FIELD=v ...
public class RunAB {
  public static void main(String[] a) throws Exception {
    ConvSpec s = ConvSpec.parse(a[0]); boolean cl=a[1].equals("cl"); int rounds=Integer.parseInt(a[2]);
    Arena ar=Arena.ofShared();
    Tensor x = cl ? Tensor.allocateChannelsLast(ar, DType.F32, s.inputShape()) : Tensor.allocate(ar, DType.F32, s.inputShape()); x.fill(0.5);
    Tensor w = Tensor.allocate(ar, DType.F32, s.weightShape()); w.fill(0.25);
    Tensor y = cl ? Tensor.allocateChannelsLast(ar, DType.F32, s.outputShape()) : Tensor.allocate(ar, DType.F32, s.outputShape());
    Tensor b = Tensor.allocate(ar, DType.F32, s.biasShape());
    ConvImpl k = Conv.choose(ConvPass.FORWARD, s);
    PreparedWeights pw = k.prepare(s, w);
    Execution ex = Execution.withThreads(Integer.getInteger("threads",1));
    double flops = 2.0 * Tensor.numel(s.outputShape()) * Tensor.numel(s.weightShape())/s.outChannels();
    int n = a.length-3; double[] sum=new double[n];
    for (int r=-2;r<rounds;r++) for (int c=0;c<n;c++) {
      for (String kv : a[3+c].split(",")) { if (kv.isEmpty()) continue; String[] p=kv.split("="); String f=p[0];
        var fld=Class.forName(f.substring(0,f.lastIndexOf('.'))).getField(f.substring(f.lastIndexOf('.')+1)); fld.setAccessible(true); fld.setBoolean(null, Boolean.parseBoolean(p[1])); }
      long t0=System.nanoTime(); int it=0;
      while (System.nanoTime()-t0 < 5e8) { k.forward(s, x, pw, b, y, Epilogue.NONE, ex); it++; }
      double g=flops*it/(System.nanoTime()-t0);
      if (r>=0) sum[c]+=g/rounds;
    }
    for (int c=0;c<n;c++) System.out.printf("%-80s %.1f GFLOP/s%n", a[3+c], sum[c]);
    System.exit(0);
  }
}
