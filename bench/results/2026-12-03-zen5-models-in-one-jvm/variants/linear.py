# python3 linear.py <profiling copy>/core/.../gemm/ChannelsLastGemmF32.java: behind ChannelsLastGemmF32.TOGGLE, the
# 6x4, 12x2 and 24x1 tiles compute the weights' byte offset from the loop counter (wo + r * step) instead of stepping it.
import re,sys
p=sys.argv[1]
s=open(p).read()
s=s.replace('    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;','    public static volatile boolean TOGGLE;\n    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;',1)
for name,v in (('tile6x4',4),('tile24x1',1),('tile12x2',2)):
    i=s.index('    private static void %s('%name)
    a=s.index('        for (int r = 0; r < red; r++, wo += %d * L * ES) {'%v, i) if v>1 else s.index('        for (int r = 0; r < red; r++, wo += L * ES) {', i)
    # end of loop: the line "        }\n" after a
    e=s.index('\n        }\n', a)+len('\n        }\n')
    loop=s[a:e]
    head=loop.split('\n')[0]
    body=loop[len(head):]
    step='%d * L * ES'%v if v>1 else 'L * ES'
    newhead='        for (int r = 0; r < red; r++) {\n            long wr = wo + (long) r * (%s);'%step
    body2=body.replace('FloatVector.fromMemorySegment(S, w, wo', 'FloatVector.fromMemorySegment(S, w, wr')
    alt='        if (TOGGLE) {\n'+newhead+body2+'        } else {\n'+loop+'        }\n'
    s=s[:a]+alt+s[e:]
open(p,'w').write(s)
