package dev.vecnn.spec;

/**
 * How a convolution reads positions outside its input: the values a padded position takes.
 * Semantics follow PyTorch's {@code padding_mode} ({@code F.pad} modes), for every spatial rank.
 */
public enum PaddingMode {
    /** Padded positions read 0. */
    ZEROS,
    /** Mirror without repeating the edge: index -1 reads 1, index n reads n-2. Needs padding {@code < size}. */
    REFLECT,
    /** Repeat the edge value: index -1 reads 0, index n reads n-1. */
    REPLICATE,
    /** Wrap around: index -1 reads n-1, index n reads 0. Needs padding {@code <= size}. */
    CIRCULAR;

    /**
     * The input index a padded position {@code p} reads, or -1 when it reads zero.
     * Valid for {@code -size <= p < 2*size}, which the spec's padding limits guarantee.
     */
    public long source(long p, long size) {
        if (p >= 0 && p < size) return p;
        return switch (this) {
            case ZEROS -> -1;
            case REFLECT -> p < 0 ? -p : 2 * (size - 1) - p;
            case REPLICATE -> p < 0 ? 0 : size - 1;
            case CIRCULAR -> Math.floorMod(p, size);
        };
    }

    /** Lower-case name used in the text form ({@code zeros}, {@code reflect}, ...). */
    public String textName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
