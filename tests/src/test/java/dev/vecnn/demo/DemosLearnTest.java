package dev.vecnn.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecnn.nn.demo.PatternDemo;
import dev.vecnn.nn.demo.ShowerDemo;
import org.junit.jupiter.api.Test;

/** The README's main job in reduced form: both examples must learn, and the same seed gives the same bits. */
class DemosLearnTest {
    @Test
    void showerDirectionIsLearned() {
        ShowerDemo.Result r = new ShowerDemo(1500, 300, 3, 32, 11).run(null, false);
        // answering "vertical" leaves ~39 degrees (the zenith distribution); the network must do far better
        assertTrue(r.cnn() < 0.5 * r.naive(), "CNN " + r.cnn() + " deg vs naive " + r.naive() + " deg");
        assertTrue(r.lastLoss() < 0.5 * r.firstLoss(), "loss " + r.firstLoss() + " -> " + r.lastLoss());
    }

    /**
     * Seeded and reproducible, as the README says: a second run, after the first has made the JIT compile
     * the kernels, gives the same bits (a kernel whose sums followed the JIT tier once changed the demo's
     * resolution from run to run).
     */
    @Test
    void showerDemoIsReproducible() {
        ShowerDemo d = new ShowerDemo(2000, 300, 2, 32, 5);
        ShowerDemo.Result first = d.run(null, false), second = d.run(null, false);
        assertArrayEquals(first.epochLoss(), second.epochLoss(), "training losses per epoch");
        assertArrayEquals(first.cnnAngles(), second.cnnAngles(), "angular errors of the test events");
    }

    @Test
    void sharedFiltersDetectAndLocateThePattern() {
        PatternDemo.Result r = new PatternDemo(16, 800, 200, 4, 3).run(null, false);
        assertTrue(r.accuracy() > 0.9, "accuracy " + r.accuracy());
        assertTrue(r.located() > 0.8, "located " + r.located());
        assertTrue(r.parameters() < r.denseNeuron() / 5, r.parameters() + " vs " + r.denseNeuron());
    }
}
