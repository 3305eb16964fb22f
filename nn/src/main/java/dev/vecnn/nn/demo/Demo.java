package dev.vecnn.nn.demo;

/**
 * The README's main command: the air-shower direction demo ({@link ShowerDemo}), then the weight
 * sharing example ({@link PatternDemo}). Seeded and reproducible.
 */
public final class Demo {
    private Demo() {
    }

    /** Runs both; prints to standard output (a live progress line on a terminal). */
    public static void main(String[] args) {
        boolean live = System.console() != null && System.console().isTerminal();
        ShowerDemo.standard().run(System.out, live);
        PatternDemo.standard().run(System.out, live);
    }
}
