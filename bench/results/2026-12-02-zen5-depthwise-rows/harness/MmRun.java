import dev.vecnn.kernel.matmul.Matmul; import dev.vecnn.conv.Epilogue; import dev.vecnn.tensor.*; import dev.vecnn.parallel.*; import java.lang.foreign.*;
public class MmRun { public static void main(String[] a){ int n=Integer.parseInt(a[0]), k=Integer.parseInt(a[1]); int th=Integer.parseInt(a[2]); boolean cold=a.length>3;
 Arena ar=Arena.ofShared(); Tensor x=Tensor.allocate(ar,DType.F32,1,k), w=Tensor.allocate(ar,DType.F32,n,k), b=Tensor.allocate(ar,DType.F32,n), y=Tensor.allocate(ar,DType.F32,1,n); x.fill(0.5); w.fill(0.25);
 Matmul.Prepared p=Matmul.prepare(w); Execution ex=Execution.withThreads(th); MemorySegment junk=ar.allocate(64<<20);
 for(int r=0;r<6;r++){ long tot=0; int it=0; long t1=System.nanoTime(); while(System.nanoTime()-t1<1e9){ if(cold) junk.fill((byte)it); long t0=System.nanoTime(); Matmul.forward(x,p,b,Epilogue.NONE,y,ex); tot+=System.nanoTime()-t0; it++; }
  System.out.printf("n%d k%d threads %d %s: %.1f us%n", n,k,th, cold?"cold":"warm", tot/1e3/it);} System.exit(0);} }
