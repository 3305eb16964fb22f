package dev.vecnn.conv;

import dev.vecnn.parallel.Execution;
import dev.vecnn.ref.ReferenceConv;
import dev.vecnn.spec.ConvSpec;
import dev.vecnn.tensor.Tensor;

/** The reference kernels ("reference") as a peer: supports everything, always last in the lists. */
final class ReferenceConvImpl extends ConvImpl {
    @Override
    public String name() {
        return "reference";
    }

    @Override
    public boolean supports(ConvPass pass, ConvSpec spec) {
        return true;
    }

    @Override
    protected void runForward(ConvSpec s, Tensor x, Tensor w, Tensor bias, Tensor y, Epilogue e, Execution ex) {
        ReferenceConv.forward(s, x, w, bias, y);
        if (e.activation() != Activation.IDENTITY && y.numel() > 0) {
            long[] shape = y.shape();
            long[] idx = new long[shape.length];
            do {
                long off = y.offsetOf(idx);
                y.setAt(off, e.apply(y.getAt(off)));
            } while (next(idx, shape));
        }
    }

    private static boolean next(long[] idx, long[] shape) {
        for (int d = idx.length - 1; d >= 0; d--) {
            if (++idx[d] < shape[d]) return true;
            idx[d] = 0;
        }
        return false;
    }

    @Override
    protected void runBackwardData(ConvSpec s, Tensor gy, Tensor w, Tensor gx, Execution ex) {
        ReferenceConv.backwardData(s, gy, w, gx);
    }

    @Override
    protected void runBackwardWeights(ConvSpec s, Tensor x, Tensor gy, Tensor gw, Execution ex) {
        ReferenceConv.backwardWeights(s, x, gy, gw);
    }
}
