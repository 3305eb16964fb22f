package dev.vecnn.spec;

/** The pooling operations a {@link PoolSpec} can describe. */
public enum PoolKind {
    /** Sliding-window maximum. */
    MAX("maxpool"),
    /** Sliding-window average. */
    AVG("avgpool"),
    /** Maximum over each whole (n, c) plane. */
    GLOBAL_MAX("globalmaxpool"),
    /** Average over each whole (n, c) plane. */
    GLOBAL_AVG("globalavgpool"),
    /** Maximum over adaptive windows that tile the input into a given output size. */
    ADAPTIVE_MAX("adaptivemaxpool"),
    /** Average over adaptive windows that tile the input into a given output size. */
    ADAPTIVE_AVG("adaptiveavgpool");

    private final String textName;

    PoolKind(String textName) {
        this.textName = textName;
    }

    /** The word that starts this kind's text form, e.g. {@code maxpool}. */
    public String textName() {
        return textName;
    }

    /** True for the kinds with a sliding window (MAX, AVG). */
    public boolean isWindowed() {
        return this == MAX || this == AVG;
    }

    /** True for the kinds that take a maximum (and can return indices). */
    public boolean isMax() {
        return this == MAX || this == GLOBAL_MAX || this == ADAPTIVE_MAX;
    }

    /** True for the adaptive kinds, global ones included. */
    public boolean isAdaptive() {
        return !isWindowed();
    }

    /** True for GLOBAL_MAX and GLOBAL_AVG. */
    public boolean isGlobal() {
        return this == GLOBAL_MAX || this == GLOBAL_AVG;
    }
}
