import jdk.incubator.vector.*; import java.lang.foreign.*; import java.nio.ByteOrder;
public class Pol { public static void main(String[] a) throws Exception {
  String mode = a[0];
  if (mode.contains("heap")) {
    float[] arr = new float[4096]; MemorySegment h = MemorySegment.ofArray(arr);
    for (int r = 0; r < 200000; r++) for (long o = 0; o < 4096*4 - 64; o += 64) FloatVector.fromMemorySegment(FloatVector.SPECIES_512, h, o, ByteOrder.nativeOrder()).add(1f).intoMemorySegment(h, o, ByteOrder.nativeOrder());
    System.out.println("polluted " + arr[5]);
  }
  Cmp.main(new String[]{a[1], "pointwise", "1"});
}}
