package dev.vecnn.kernel.elementwise;

import dev.vecnn.conv.Epilogue;

/**
 * The elementwise functions in double precision with the JDK's Math, written from their definitions
 * (PyTorch's formulas), independently of the kernels: the oracle of the elementwise tests.
 */
final class Reference {
    private Reference() {
    }

    static final double GELU_C = Math.sqrt(2 / Math.PI);

    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    /** GELU, tanh form: x/2 (1 + tanh(u)) = x sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3) (no cancellation). */
    static double gelu(double x) {
        return x * sigmoid(2 * GELU_C * (x + 0.044715 * x * x * x));
    }

    static double activate(Epilogue e, double x) {
        double a = e.alpha(), b = e.beta();
        return switch (e.activation()) {
            case IDENTITY -> x;
            case RELU -> Double.isNaN(x) ? x : Math.max(x, 0);
            case LEAKY_RELU -> x > 0 ? x : a * x;
            case SIGMOID -> sigmoid(x);
            case TANH -> Math.tanh(x);
            case GELU -> gelu(x);
            case HARD_SIGMOID -> Double.isNaN(x) ? x : Math.max(0, Math.min(1, a * x + b));
            case HARD_SWISH -> x * Math.min(Math.max(x + 3, 0), 6) / 6;
            case CLIP -> Math.min(Math.max(x, a), b);
        };
    }

    /** f'(x) with PyTorch's conventions at the kinks; NaN where the gradient passes gy through a NaN input. */
    static double derivative(Epilogue e, double x) {
        double a = e.alpha(), b = e.beta();
        return switch (e.activation()) {
            case IDENTITY -> 1;
            case RELU -> x > 0 || Double.isNaN(x) ? 1 : 0;
            case LEAKY_RELU -> x > 0 ? 1 : a;
            case SIGMOID -> {
                double s = sigmoid(x), sm = sigmoid(-x);
                yield s * sm;
            }
            case TANH -> {
                double t = Math.tanh(x);
                yield 1 - t * t;
            }
            case GELU -> {
                double z = 2 * GELU_C * (x + 0.044715 * x * x * x), s = sigmoid(z), sm = sigmoid(-z);
                yield s + x * s * sm * 2 * GELU_C * (1 + 3 * 0.044715 * x * x);
            }
            case HARD_SIGMOID -> x > -b / a && x < (1 - b) / a ? a : 0;
            case HARD_SWISH -> x < -3 ? 0 : x <= 3 ? x / 3 + 0.5 : 1;
            case CLIP -> x <= a || x >= b ? 0 : 1;
        };
    }

    /**
     * gy * f'(x): the piecewise functions select 0 where f' is 0 (as PyTorch's threshold/hardtanh/hardsigmoid/
     * hardswish backward do), the smooth ones multiply.
     */
    static double backward(Epilogue e, double x, double gy) {
        double d = derivative(e, x);
        boolean smooth = switch (e.activation()) {
            case IDENTITY, SIGMOID, TANH, GELU -> true;
            default -> false;
        };
        return !smooth && d == 0 ? 0 : gy * d;
    }
}
