package dev.vecnn.conv;

/**
 * The elementwise activation functions of vecnn: the one vocabulary of the convolutions' fused
 * epilogue ({@link Epilogue}) and of the elementwise kernels ({@code dev.vecnn.kernel.elementwise}).
 * Parameters travel in {@link Epilogue} ({@code alpha}, {@code beta}).
 *
 * <p>Each constant gives the function f, its derivative f' as the backward passes apply it (PyTorch's
 * conventions at kinks and for NaN), and the source. "Passes gy" means the backward pass selects
 * {@code gy} (not {@code gy * 1}), so an infinite or NaN {@code gy} is not turned into NaN by a zero
 * slope, as PyTorch's {@code threshold_backward}/{@code hardtanh_backward} select.
 */
public enum Activation {
    /** f(x) = x; f' = 1. */
    IDENTITY,
    /**
     * f(x) = max(x, 0), NaN stays NaN (PyTorch {@code torch.nn.ReLU}, ONNX {@code Relu}).
     * f'(x) = 0 for x &lt;= 0 (so ReLU'(0) = 0), passes gy otherwise (also for NaN), as PyTorch's
     * {@code threshold_backward}; equal from x or from y.
     */
    RELU,
    /**
     * f(x) = x for x &gt; 0, else alpha * x (PyTorch {@code LeakyReLU(negative_slope=alpha)}, ONNX
     * {@code LeakyRelu}). f'(x) = 1 for x &gt; 0, else alpha (f'(0) = alpha; NaN gets alpha), as PyTorch's
     * {@code leaky_relu_backward}. From y only when alpha &gt;= 0 (then y &gt; 0 exactly when x &gt; 0; PyTorch
     * refuses the in-place form with a negative slope for the same reason).
     */
    LEAKY_RELU,
    /**
     * f(x) = 1 / (1 + e^-x), computed as 1/(1+e) for x &gt;= 0 and e/(1+e) for x &lt; 0 with e = e^-|x|, which
     * keeps relative accuracy for large |x| (PyTorch {@code Sigmoid}, ONNX {@code Sigmoid}).
     * f' = y (1 - y), applied as {@code gy * (1 - y) * y} (PyTorch's {@code sigmoid_backward}).
     */
    SIGMOID,
    /**
     * f(x) = tanh(x), computed as sign(x) * (-m / (2 + m)) with m = expm1(-2|x|) (PyTorch {@code Tanh},
     * ONNX {@code Tanh}). f' = 1 - y^2, applied as {@code gy * fma(-y, y, 1)}.
     */
    TANH,
    /**
     * GELU in its tanh approximation, PyTorch's {@code GELU(approximate='tanh')}:
     * f(x) = x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), computed as the identical x * sigmoid(z) with
     * z = 2 sqrt(2/pi) x (1 + 0.044715 x^2) (no cancellation for negative x). ONNX {@code Gelu} with
     * {@code approximate="tanh"} (opset 20). f'(x) = s + x s (1 - s) z'(x) with s = sigmoid(z),
     * z' = 2 sqrt(2/pi) (1 + 3 * 0.044715 x^2) (the derivative of PyTorch's {@code gelu_backward}, tanh
     * form, rewritten with 1 + tanh(u) = 2 sigmoid(2u)); from x only.
     */
    GELU,
    /**
     * f(x) = max(0, min(1, alpha x + beta)), ONNX {@code HardSigmoid} (defaults alpha 0.2, beta 0.5);
     * PyTorch's {@code Hardsigmoid} is alpha 1/6, beta 1/2 ({@link Epilogue#hardSigmoid()}). Requires
     * alpha &gt; 0. Computed as min(max(x + beta/alpha, 0), 1/alpha) / (1/alpha), which for PyTorch's
     * constants is PyTorch's own {@code min(max(x + 3, 0), 6) / 6} bit for bit.
     * f'(x) = alpha for -beta/alpha &lt; x &lt; (1-beta)/alpha, else 0 (0 at both kinks and for NaN), as
     * PyTorch's {@code hardsigmoid_backward} ({@code -3 < x < 3 ? gy/6 : 0}). From y: alpha where
     * 0 &lt; y &lt; 1 (equal to the above except within an ulp of the kinks).
     */
    HARD_SIGMOID,
    /**
     * f(x) = x * min(max(x + 3, 0), 6) / 6, PyTorch's {@code Hardswish} (ONNX {@code HardSwish}: x *
     * HardSigmoid(x) with alpha 1/6, beta 1/2). f'(x) = 0 for x &lt; -3, x/3 + 1/2 for -3 &lt;= x &lt;= 3,
     * passes gy for x &gt; 3 and NaN (PyTorch's {@code hardswish_backward}); from x only.
     */
    HARD_SWISH,
    /**
     * f(x) = min(max(x, alpha), beta): clip to [alpha, beta] = [min, max], NaN stays NaN (ONNX
     * {@code Clip}, PyTorch {@code Hardtanh(min_val, max_val)}; {@code ReLU6} is [0, 6]). Bounds may be
     * infinite. f'(x) = 0 for x &lt;= min or x &gt;= max (0 at the kinks), passes gy otherwise (also NaN),
     * as PyTorch's {@code hardtanh_backward} (note: autograd of {@code torch.clamp} passes the kinks
     * instead); equal from x or from y.
     */
    CLIP;

    /** Whether f' can be computed from the output y alone (for LEAKY_RELU also requires alpha &gt;= 0). */
    public boolean derivativeFromOutput() {
        return this != GELU && this != HARD_SWISH;
    }
}
