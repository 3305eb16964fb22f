package dev.vecnn.conv;

/** The three passes of a convolution. */
public enum ConvPass {
    /** y = conv(x, w) (+ bias, activation). */
    FORWARD,
    /** gx = dL/dx from gy = dL/dy. */
    BACKWARD_DATA,
    /** gw = dL/dw from x and gy. */
    BACKWARD_WEIGHTS
}
