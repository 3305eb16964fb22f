# generates Micro.java: mko12 variants
def kernel(name, aidx, bidx):
    o=[]
    o.append(f"    static void {name}(float[] a, int ao, float[] b, int bo, int[] koff, int ko, int kc, float[] c, int co, boolean acc) {{")
    for i in range(12):
        o.append(f"        FloatVector c{i}a, c{i}b;")
    o.append("        if (acc) {")
    for i in range(12):
        o.append(f"            c{i}a = FloatVector.fromArray(S, c, co + {i} * NR); c{i}b = FloatVector.fromArray(S, c, co + {i} * NR + L);")
    o.append("        } else {")
    for i in range(12):
        o.append(f"            c{i}a = FloatVector.zero(S); c{i}b = FloatVector.zero(S);")
    o.append("        }")
    o.append("        for (int k = 0; k < kc; k++) {")
    o.append(f"            int bk = {bidx};")
    o.append("            FloatVector b0 = FloatVector.fromArray(S, b, bk);")
    o.append("            FloatVector b1 = FloatVector.fromArray(S, b, bk + L);")
    for i in range(12):
        o.append(f"            FloatVector a{i} = FloatVector.broadcast(S, a[{aidx(i)}]);")
        o.append(f"            c{i}a = a{i}.fma(b0, c{i}a); c{i}b = a{i}.fma(b1, c{i}b);")
    o.append("        }")
    for i in range(12):
        o.append(f"        c{i}a.intoArray(c, co + {i} * NR); c{i}b.intoArray(c, co + {i} * NR + L);")
    o.append("    }")
    return "\n".join(o)

src = """import jdk.incubator.vector.*;
import java.util.*;
public class Micro {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length(), NR = 2 * L, KC = 256;
"""
src += kernel("v0", lambda i: f"ao + k + {i} * KC", "bo + koff[ko + k]") + "\n"
src += kernel("v1", lambda i: f"ao + k * 12 + {i}", "bo + koff[ko + k]") + "\n"
src += kernel("v2", lambda i: f"ao + k + {i} * KC", "bo + k * NR") + "\n"
src += kernel("v3", lambda i: f"ao + k * 12 + {i}", "bo + k * NR") + "\n"
src += open('/tmp/s33/micro_main.txt').read()
open('/tmp/s33/micro/Micro.java','w').write(src)
