package dev.vecnn.nn;

import dev.vecnn.kernel.elementwise.ElementwiseKernels;
import dev.vecnn.parallel.Execution;
import dev.vecnn.tensor.DType;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What a model's layers share: the data type, the memory (one shared arena, closed with the model),
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
    /** Non-zero while frozen: the generation of the weights that packed copies may be made from. */
    private long frozen, generations;
    /** What drops the layers' packed copies (run by {@link #unfreeze()}). */
    private final java.util.List<Runnable> packedCopies = new java.util.ArrayList<>();

    private record Key(Object owner, String name, long[] shape) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.owner == owner && k.name.equals(name) && Arrays.equals(k.shape, shape);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(owner) * 31 * 31 + name.hashCode() * 31 + Arrays.hashCode(shape);
        }
    }

    /** A context for {@code dtype} (F32 or F64), kernels on {@code execution}, random numbers from {@code seed}. */
    public Context(DType dtype, Execution execution, long seed) {
        java.util.Objects.requireNonNull(dtype, "dtype");
        if (dtype != DType.F32 && dtype != DType.F64) throw new IllegalArgumentException("dtype: " + dtype + " is not f32 or f64");
        this.dtype = dtype;
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

    /** The work tensor of {@code owner} named {@code name} with this shape (contents left from last use). */
    public Tensor buffer(Object owner, String name, long... shape) {
        return buffer(owner, name, dtype, shape);
    }

    /** As {@link #buffer(Object, String, long...)} with an explicit dtype. */
    public Tensor buffer(Object owner, String name, DType type, long... shape) {
        return buffers.computeIfAbsent(new Key(owner, name, shape.clone()), k -> allocate(type, k.shape));
    }

    /**
     * Promises that the parameters will not change: convolution layers whose kernel packs its weights
     * (the GEMM kernels; not depthwise or transposed ones, nor dense layers) pack them once per input shape,
     * keeping the last 4 shapes, and reuse the packed copy in forward passes, as ONNX Runtime does with
     * constant initializers, until {@link #unfreeze()}. Calling it again (or {@link #weightsChanged()})
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

    /** Tensors allocated so far: constant across training steps once every batch size has been seen. */
    public long allocations() {
        return allocations;
    }

    /** Frees every tensor of the models built on this context. */
    @Override
    public void close() {
        arena.close();
    }
}
