import dev.vecnn.nn.*; import dev.vecnn.nn.onnx.*; import dev.vecnn.tensor.*; import dev.vecnn.parallel.*;
import java.lang.foreign.*; import java.nio.file.*;
public class Prof {
  public static void main(String[] a) throws Exception {
    String model=a[0]; int batch=Integer.parseInt(a[1]); int th=Integer.parseInt(a[2]); int reps=Integer.parseInt(a[3]);
    Arena arena=Arena.ofShared();
    Tensor x=Tensor.allocate(arena, DType.F32, batch,3,224,224);
    for (long i=0;i<x.numel();i++) x.setAt(i, ((i*2654435761L)%1000)/500.0-1);
    Execution ex=Execution.withThreads(th);
    Model net=OnnxImport.load(Path.of("/work/main/bench/models/"+model+".onnx"), OnnxImport.Options.defaults().on(ex)); net.freeze();
    Graph g=net.graph();
    for (int i=0;i<3*reps;i++) net.forward(x,false);
    Graph.PROF=new long[g.size()];
    long t0=System.nanoTime();
    for (int i=0;i<reps;i++) net.forward(x,false);
    double tot=(System.nanoTime()-t0)/1e6/reps;
    System.out.printf("total %.2f ms/op%n", tot);
    double s=0;
    for (int k=0;k<g.size();k++){ double ms=Graph.PROF[k]/1e6/reps; s+=ms; if (ms>0.05) System.out.printf("%7.3f %s%n", ms, g.describe(k)); }
    System.out.printf("sum %.2f%n", s);
    for (Layer l : net.layers()) if (l.describe().startsWith(System.getProperty("alone","maxpool"))) {
      long[] sh = java.util.Arrays.stream(System.getProperty("shape","1,64,112,112").split(",")).mapToLong(Long::parseLong).toArray();
      Tensor in = Tensor.allocate(arena, DType.F32, sh); for (long i=0;i<in.numel();i++) in.setAt(i, (i%17)*0.1);
      for (int r=0;r<3;r++){ long t1=System.nanoTime(); for (int i=0;i<2000;i++) l.forward(in,false); System.out.printf("alone %.3f ms%n", (System.nanoTime()-t1)/1e6/2000); }
    }
    if (System.getProperty("direct") != null) {
      dev.vecnn.spec.ConvSpec cs = dev.vecnn.spec.ConvSpec.parse(System.getProperty("direct"));
      dev.vecnn.conv.ConvImpl k = dev.vecnn.conv.Conv.implementation("pointwise");
      Tensor xx = Tensor.allocate(arena, DType.F32, cs.inputShape()); xx.fill(0.5);
      Tensor ww = Tensor.allocate(arena, DType.F32, cs.weightShape()); ww.fill(0.25);
      Tensor yy = Tensor.allocate(arena, DType.F32, cs.outputShape());
      Tensor bb = Tensor.allocate(arena, DType.F32, cs.biasShape());
      dev.vecnn.conv.PreparedWeights pw = k.prepare(cs, ww);
      for (int r=0;r<4;r++){ long t1=System.nanoTime(); for (int i=0;i<2000;i++) k.forward(cs, xx, pw, bb, yy, dev.vecnn.conv.Epilogue.clip(0,6), ex); System.out.printf("direct %.3f ms%n", (System.nanoTime()-t1)/1e6/2000); }
    }
    System.exit(0);
  }
}
