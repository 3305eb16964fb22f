package dev.vecnn.nn.train;

/**
 * Training stopped because a batch's loss was not finite (NaN or infinite): one NaN in the inputs or
 * targets, or a diverging learning rate, would otherwise turn every weight into NaN while
 * {@link Trainer#fit} returns normally. Thrown before that batch's backward pass and optimizer step,
 * so the model keeps the weights it had before the batch. {@link Trainer#onNonFiniteLoss} chooses to
 * skip such batches or to continue instead.
 */
public final class NonFiniteLossException extends ArithmeticException {
    private static final long serialVersionUID = 1L;

    private final int epoch;
    private final long batch;
    private final double loss;

    NonFiniteLossException(int epoch, long batch, long firstSample, long samples, double loss) {
        super("loss is " + loss + " at epoch " + epoch + ", batch " + batch + " (samples " + firstSample + ".." + (firstSample + samples - 1)
                + " of the epoch's shuffled order); the weights are those before this batch. Look for NaN or infinity in the"
                + " inputs and targets, or lower the learning rate; Trainer.onNonFiniteLoss(SKIP_BATCH or CONTINUE) keeps going");
        this.epoch = epoch;
        this.batch = batch;
        this.loss = loss;
    }

    /** The epoch, 1-based. */
    public int epoch() {
        return epoch;
    }

    /** The batch within the epoch, 1-based. */
    public long batch() {
        return batch;
    }

    /** The loss: NaN or an infinity. */
    public double loss() {
        return loss;
    }
}
