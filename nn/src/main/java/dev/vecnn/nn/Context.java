package dev.vecnn.nn;

import dev.vecnn.kernel.elementwise.ElementwiseKernels;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.MemoryFormat;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What a model's layers share: the data type, the memory (one shared arena, and the arenas of the frozen
 * evaluation passes' outputs, {@link OutputMemory}; closed with the model),
 * the executor the kernels run on, the seeded random generator for initialisation and dropout, and a
 * cache of work tensors. Tensors come from {@link #buffer}: one per (owner, name, shape), allocated on
 * first use and reused afterwards, so that a training step allocates no tensors after warm-up.
 */
public final class Context implements AutoCloseable {
    private final DType dtype;
    private final Arena arena = Arena.ofShared();
    private final Execution execution;
    private final SplittableRandom random;
    private final ElementwiseKernels kernels = ElementwiseKernels.defaults();
    private final Map<Key, Tensor> buffers = new HashMap<>();
    private long allocations;
    private boolean closed;
    /** Non-zero while frozen: the generation of the weights that packed copies may be made from. */
    private long frozen, generations;
    /** What drops the layers' packed copies (run by {@link #unfreeze()}). */
    private final java.util.List<Runnable> packedCopies = new java.util.ArrayList<>();
    /** Memory lent to the outputs of a frozen evaluation pass ({@link #output}); null outside one. */
    private OutputMemory plan;
    /** The lending's memory, kept from pass to pass (its plan too). */
    private final OutputMemory outputMemory;

    /** How the layers lay out the (N, C, spatial...) tensors they write: outputs and input gradients. */
    private MemoryFormat memoryFormat = MemoryFormat.CHANNELS_FIRST;

    private record Key(Object owner, String name, MemoryFormat format, long[] shape) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.owner == owner && k.name.equals(name) && k.format == format && Arrays.equals(k.shape, shape);
        }

        @Override
        public int hashCode() {
            return (System.identityHashCode(owner) * 31 * 31 + name.hashCode() * 31 + Arrays.hashCode(shape)) * 2 + format.ordinal();
        }
    }

    /** A context for {@code dtype} (F32 or F64), kernels on {@code execution}, random numbers from {@code seed}. */
    public Context(DType dtype, Execution execution, long seed) {
        java.util.Objects.requireNonNull(dtype, "dtype");
        if (dtype != DType.F32 && dtype != DType.F64) throw new IllegalArgumentException("dtype: " + dtype + " is not f32 or f64");
        this.dtype = dtype;
        this.outputMemory = new OutputMemory(dtype, () -> allocations++);
        this.execution = java.util.Objects.requireNonNull(execution, "execution");
        this.random = new SplittableRandom(seed);
    }

    /** The models' data type. */
    public DType dtype() {
        return dtype;
    }

    /** The executor the kernels run on. */
    public Execution execution() {
        return execution;
    }

    /** The elementwise kernels (activations, normalisation, losses, optimizer updates) of the running JVM's backend. */
    public ElementwiseKernels kernels() {
        return kernels;
    }

    /** The seeded generator (initialisation, dropout masks, shuffling). */
    public SplittableRandom random() {
        return random;
    }

    /** A new zeroed tensor in this context's memory (parameters and other long-lived state). */
    public Tensor allocate(long... shape) {
        allocations++;
        return Tensor.allocate(arena, dtype, shape);
    }

    /** A new zeroed tensor of another dtype (e.g. I64 argmax indices). */
    public Tensor allocate(DType type, long... shape) {
        allocations++;
        return Tensor.allocate(arena, type, shape);
    }

    /** The memory format of the tensors the layers write ({@link #memoryFormat(MemoryFormat)}). */
    public MemoryFormat memoryFormat() {
        return memoryFormat;
    }

    /**
     * Lays out the (N, C, spatial...) tensors the layers write from now on, outputs and input gradients, in
     * {@code format}, as PyTorch's {@code model.to(memory_format=torch.channels_last)}: convolutions then run the
     * channels-last kernels, and pooling, batch normalisation and the elementwise layers keep the format (they walk
     * memory in order); layers that move elements around write channels-first (see {@link Model#memoryFormat}).
     * Layers take inputs in either format; one in another format than the model's is copied where a layer needs
     * it in the model's. Values are the same in both formats, bit for bit, except average pooling and the
     * depthwise convolution's backward-data (and so a transposed depthwise forward), which sum in another order:
     * they differ by rounding, which a later division by a value near zero can turn into a difference of
     * infinities. {@link Model#memoryFormat} is the usual way in.
     */
    public void memoryFormat(MemoryFormat format) {
        memoryFormat = java.util.Objects.requireNonNull(format, "format");
    }

    /**
     * The tensor {@code owner}, a layer, writes its whole output into (every element, on every forward pass):
     * its work tensor named "y" ({@link #buffer}), except in a frozen evaluation pass of a graph, where it is
     * memory that held a value no later layer reads: a slice of one arena planned from the last pass's
     * lifetimes ({@link OutputMemory}), as ONNX Runtime plans its memory, so that the outputs are written over
     * memory the pass touched shortly before instead of into one cold buffer per layer (inside MobileNet-V2, with
     * buffers lent by element count, vecnn's convolutions took 1.16x as long as when their output memory had been
     * read just before).
     */
    public Tensor output(Object owner, long... shape) {
        return output(owner, memoryFormat, shape);
    }

    /** As {@link #output(Object, long...)}, laid out in {@code format} instead of the model's memory format. */
    public Tensor output(Object owner, MemoryFormat format, long... shape) {
        return plan == null ? buffer(owner, "y", dtype, format, shape) : format.view(plan.take(Tensor.numel(shape)), shape);
    }

    /**
     * Starts a frozen evaluation pass of a graph: every output buffer of the last such pass is free again (a
     * pass's outputs are valid until the next pass), except those holding one of this pass's {@code inputs} (an
     * output fed back in), which are released like any other value once their last reader has run. Ended by
     * {@link #endOutputPlan}.
     */
    void beginOutputPlan(Iterable<Tensor> inputs) {
        outputMemory.begin(inputs);
        plan = outputMemory;
    }

    /** Elements of the memory lent to frozen evaluation passes' outputs now, not counting retired memory (for tests). */
    long outputMemoryElements() {
        return outputMemory.elements();
    }

    void endOutputPlan() {
        try {
            plan.end();
        } finally {
            plan = null;
        }
    }

    /**
     * The memory of {@code dead}, a value no later layer of this pass reads, is free for later outputs, unless
     * a value in {@code live} still lies in the same buffer (a view such as a flatten's). Tensors not from
     * {@link #output} are left alone.
     */
    void release(Tensor dead, Iterable<Tensor> live) {
        if (plan != null) plan.release(dead, live);
    }

    /** The work tensor of {@code owner} named {@code name} with this shape (contents left from last use). */
    public Tensor buffer(Object owner, String name, long... shape) {
        return buffer(owner, name, dtype, shape);
    }

    /**
     * Whether {@code t} lies in a work tensor ({@link #buffer}) of a layer, a merge or a graph: an output of an earlier
     * pass that a layer wrote there (a softmax's, a channels-last flatten's copy), which the layer would overwrite if
     * the tensor came back as an input. Work tensors of other owners (a trainer's batch) are not written by a pass.
     */
    boolean inLayersWorkTensor(Tensor t) {
        for (var e : buffers.entrySet()) {
            Object owner = e.getKey().owner();
            if ((owner instanceof Layer || owner instanceof Merge || owner instanceof Graph) && e.getValue().overlaps(t)) return true;
        }
        return false;
    }

    /** As {@link #buffer(Object, String, long...)} with an explicit dtype. */
    public Tensor buffer(Object owner, String name, DType type, long... shape) {
        return buffer(owner, name, type, MemoryFormat.CHANNELS_FIRST, shape);
    }

    /** As {@link #buffer(Object, String, long...)}, laid out in {@code format} (an input gradient: the model's). */
    public Tensor buffer(Object owner, String name, MemoryFormat format, long... shape) {
        return buffer(owner, name, dtype, format, shape);
    }

    /** As {@link #buffer(Object, String, long...)} with an explicit dtype and memory format. */
    public Tensor buffer(Object owner, String name, DType type, MemoryFormat format, long... shape) {
        return buffers.computeIfAbsent(new Key(owner, name, format, shape.clone()), k -> {
            allocations++;
            return k.format.allocate(arena, type, k.shape);
        });
    }

    /**
     * Promises that the parameters will not change: convolution layers whose kernel packs its weights
     * (the GEMM kernels; not depthwise or transposed ones) pack them once per input shape, keeping the last 4
     * shapes, dense layers once ({@code Matmul.prepare}), and they reuse the packed copy in forward passes, as
     * ONNX Runtime does with constant initializers, until {@link #unfreeze()}. Calling it again (or {@link #weightsChanged()})
     * makes the next forward passes pack afresh. {@link Model#freeze()} is the usual way in.
     */
    public void freeze() {
        frozen = ++generations;
    }

    /**
     * Ends {@link #freeze()}: the packed copies are dropped, forward passes read the weights as they lie
     * again, and training is allowed.
     */
    public void unfreeze() {
        frozen = 0;
        for (Runnable drop : packedCopies) drop.run();
    }

    /**
     * Registers what drops a layer's packed copies when the model is unfrozen. It runs on {@link #unfreeze()}
     * only: a layer that packs also compares {@link #frozenGeneration()} with the generation of its copies
     * at each forward pass, which a new {@link #freeze()} or {@link #weightsChanged()} changes.
     */
    public void onUnfreeze(Runnable dropPackedCopies) {
        packedCopies.add(java.util.Objects.requireNonNull(dropPackedCopies, "dropPackedCopies"));
    }

    /** Whether the parameters are frozen ({@link #freeze()}). */
    public boolean frozen() {
        return frozen != 0;
    }

    /**
     * The parameters were written while frozen (a loader, or the caller's own writes): the packed copies
     * are remade at the next forward pass. Does nothing when not frozen.
     */
    public void weightsChanged() {
        if (frozen != 0) frozen = ++generations;
    }

    /** The generation of a frozen model's weights, 0 when not frozen: packed copies of another generation are stale. */
    public long frozenGeneration() {
        return frozen;
    }

    /**
     * Throws {@link IllegalStateException} naming {@code what} while frozen: backward passes (even for an
     * input gradient alone), {@code Trainer.fit} and optimizer steps are refused, since training changes
     * the weights, which the packed copies would not follow.
     */
    public void requireUnfrozen(String what) {
        if (frozen != 0) {
            throw new IllegalStateException(what + ": the model is frozen for inference (freeze()): call unfreeze() before training it");
        }
    }

    /** Throws {@link IllegalStateException} naming {@code what} unless frozen: what only frozen evaluation passes do. */
    public void requireFrozen(String what) {
        if (frozen == 0) throw new IllegalStateException(what + ": only in a frozen model's evaluation passes (freeze())");
    }

    /** Tensors allocated so far: constant across training steps once every batch size has been seen. */
    public long allocations() {
        return allocations;
    }

    /** @throws IllegalStateException when this context is closed (its tensors freed) */
    void ensureOpen() {
        if (closed) throw new IllegalStateException("the model is closed: its parameters and buffers are freed");
    }

    /** Frees every tensor of the models built on this context; closing it again does nothing. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            outputMemory.close();
        } finally {
            arena.close();
        }
    }
}
