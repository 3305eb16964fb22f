# The parts experiment's switch, run by ../harness/prof-with.sh in the profiling copy: ChannelsLastGemmF32.WHOLE runs
# every reduction whole, as before the parts. First apply reduction-parts.patch to the checkout (it changes the
# template and its generator) and regenerate the kernels from its root with a JDK 25 java:
#   git apply bench/results/2026-12-03-zen5-models-in-one-jvm/parts/reduction-parts.patch
#   java core/src/test/java/dev/vecnn/codegen/KernelTemplates.java .
# Toggle.java for it, from the earlier page's (run in this directory):
#   sed 's/Graph.NOFUSE/dev.vecnn.kernel.conv.gemm.ChannelsLastGemmF32.WHOLE/g; s/"separate"/"whole"/; s/"fused"/"parts"/;
#        s/separate \/ fused/whole \/ parts/' ../../2026-12-03-zen4-pointwise-depthwise/harness/Toggle.java
# toggle-resnet18_T_B.txt: "Toggle resnet18 T B R" (threads, batch, rounds: 30 at batch 1, 8 at batch 8).
p='core/src/main/java/dev/vecnn/kernel/conv/gemm/ChannelsLastGemmF32.java'
s=open(p).read()
s=s.replace('    private static final int PART_STEPS','    public static volatile boolean WHOLE;\n    private static final int PART_STEPS',1)
assert 'red > 2 * PART_STEPS' in s
s=s.replace('red > 2 * PART_STEPS','!WHOLE && red > 2 * PART_STEPS')
open(p,'w').write(s)
