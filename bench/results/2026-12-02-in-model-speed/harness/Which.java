import dev.vecnn.conv.*; import dev.vecnn.spec.ConvSpec;
public class Which { public static void main(String[] a){ for (String s: a) System.out.println(s+" -> "+Conv.choose(ConvPass.FORWARD, ConvSpec.parse(s)).name()); } }
