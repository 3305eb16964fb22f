package dev.vecnn.kernel.elementwise;

/**
 * The four elementwise arithmetic operators of ONNX's Add, Sub, Mul and Div (PyTorch's {@code +},
 * {@code -}, {@code *}, {@code /} on tensors): each an IEEE 754 operation rounded once in the tensors'
 * dtype, so every backend and vector width gives the same bits.
 */
public enum BinaryOp {
    /** {@code a + b}. */
    ADD,
    /** {@code a - b}. */
    SUB,
    /** {@code a * b}. */
    MUL,
    /** {@code a / b}. */
    DIV
}
