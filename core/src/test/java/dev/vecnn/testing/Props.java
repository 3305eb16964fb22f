package dev.vecnn.testing;

import org.quicktheories.QuickTheory;
import org.quicktheories.core.RandomnessSource;
import org.quicktheories.impl.Constraint;

/**
 * Property-test settings shared by every module. The seed is fixed so CI is reproducible; set
 * {@code -Dvecnn.seed=N} to explore other cases (QuickTheories prints the seed of a failure).
 */
public final class Props {
    private Props() {
    }

    /** Seed for every property run. */
    public static final long SEED = Long.getLong("vecnn.seed", 20261126L);

    /** A QuickTheory with the shared seed and {@code examples} cases. */
    public static QuickTheory qt(int examples) {
        return QuickTheory.qt().withFixedSeed(SEED).withExamples(examples).withShrinkCycles(200);
    }

    /** A shrinkable draw in [min, max] (shrinks towards min). */
    public static int draw(RandomnessSource in, int min, int max) {
        return (int) in.next(Constraint.between(min, max));
    }

    /** True with probability about 1/n (shrinks towards false). */
    public static boolean oneIn(RandomnessSource in, int n) {
        return draw(in, 0, n - 1) == n - 1;
    }
}
