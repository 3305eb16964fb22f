import ai.onnxruntime.*; import java.nio.*; import java.nio.file.*; import java.util.*;
public class OrtProf {
  public static void main(String[] a) throws Exception {
    String model=a[0]; int batch=Integer.parseInt(a[1]); int th=Integer.parseInt(a[2]); int reps=Integer.parseInt(a[3]);
    OrtEnvironment env=OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions o=new OrtSession.SessionOptions();
    o.setIntraOpNumThreads(th); o.setInterOpNumThreads(1); o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    if (a.length>4) o.enableProfiling(a[4]);
    OrtSession s=env.createSession(Files.readAllBytes(Path.of("/work/main/bench/models/"+model+".onnx")), o);
    float[] x=new float[batch*3*224*224]; for (int i=0;i<x.length;i++) x[i]=(float)((((long)i*2654435761L)%1000)/500.0-1);
    OnnxTensor t=OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[]{batch,3,224,224});
    String in=s.getInputNames().iterator().next();
    for (int i=0;i<reps;i++) s.run(Map.of(in,t)).close();
    long t0=System.nanoTime(); for (int i=0;i<reps;i++) s.run(Map.of(in,t)).close();
    System.out.printf("ort total %.2f ms/op%n", (System.nanoTime()-t0)/1e6/reps);
    if (a.length>4) System.out.println(s.endProfiling());
  }
}
