# The residual experiment's switch, run by ../harness/prof-with.sh in the profiling copy: GemmConv.SEPARATE adds the
# residual in passes after the convolution, as before the change. First apply residual-in-tasks.patch to the checkout
# (it carries the generated kernels too): git apply bench/results/2026-12-03-zen5-models-in-one-jvm/residual/residual-in-tasks.patch
# Toggle.java for it, from the earlier page's (run in this directory):
#   sed 's/Graph.NOFUSE/dev.vecnn.kernel.conv.gemm.GemmConv.SEPARATE/g; s/"fused"/"tasks"/; s/separate \/ fused/separate \/ tasks/' \
#       ../../2026-12-03-zen4-pointwise-depthwise/harness/Toggle.java
# toggle-resnet18_T_B.txt: "Toggle resnet18 T B R" (threads, batch, rounds: 30 at batch 1, 8 at batch 8).
p='core/src/main/java/dev/vecnn/kernel/conv/gemm/GemmConv.java'
s=open(p).read()
old='''    protected void runForward(ConvSpec s, Tensor x, Tensor w, Object packed, Tensor bias, Tensor residual, Tensor y, Epilogue e, Execution ex) {
'''
assert old in s
s=s.replace(old, '    public static volatile boolean SEPARATE;\n\n    @Override\n' + old + '''        if (SEPARATE) {
            super.runForward(s, x, w, packed, bias, residual, y, e, ex);
            return;
        }
''',1)
s=s.replace('    @Override\n    public static volatile boolean SEPARATE;','    public static volatile boolean SEPARATE;',1)
open(p,'w').write(s)
