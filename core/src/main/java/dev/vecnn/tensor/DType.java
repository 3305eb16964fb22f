package dev.vecnn.tensor;

import java.lang.foreign.ValueLayout;

/**
 * Element types a {@link Tensor} can hold. Kernels compute in {@link #F32} and {@link #F64};
 * {@link #I64} holds indices (for example the argmax of max pooling).
 */
public enum DType {
    /** IEEE 754 binary32. */
    F32(ValueLayout.JAVA_FLOAT_UNALIGNED, "f4"),
    /** IEEE 754 binary64. */
    F64(ValueLayout.JAVA_DOUBLE_UNALIGNED, "f8"),
    /** Signed 64-bit integer, for indices. */
    I64(ValueLayout.JAVA_LONG_UNALIGNED, "i8");

    private final ValueLayout layout;
    private final String npyCode;

    DType(ValueLayout layout, String npyCode) {
        this.layout = layout;
        this.npyCode = npyCode;
    }

    /** Bytes per element. */
    public long byteSize() {
        return layout.byteSize();
    }

    /** The unaligned value layout used to access elements (unaligned: no alignment test in loops). */
    public ValueLayout layout() {
        return layout;
    }

    /** NumPy's type code without byte order, e.g. {@code f4}. */
    String npyCode() {
        return npyCode;
    }

    /** True for the floating-point types the kernels compute in. */
    public boolean isFloating() {
        return this != I64;
    }

    /** Lower-case short name, as in text forms and benchmark parameters ({@code f32}, {@code f64}, {@code i64}). */
    public String shortName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Parses {@link #shortName()}. */
    public static DType parse(String name) {
        for (DType t : values()) {
            if (t.shortName().equalsIgnoreCase(name)) return t;
        }
        throw new IllegalArgumentException("dtype: unknown value '" + name + "' (expected f32, f64 or i64)");
    }
}
