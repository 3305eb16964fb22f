package dev.vecnn.nn.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's pictures, from tiny runs of both demos: what they show, and that they repeat exactly. */
class DemoPicturesTest {

    @Test
    void showerPictures(@TempDir Path dir) throws Exception {
        ShowerDemo.Result r = new ShowerDemo(96, 40, 2, 32, 5).run(null, false);
        assertEquals(40, r.cnnAngles().length);
        assertEquals(2, r.epochLoss().length);
        assertEquals(r.firstLoss(), r.epochLoss()[0]);
        assertEquals(r.cnn(), Showers.quantile(r.cnnAngles(), 0.68));
        List<Path> files = DemoPictures.shower(dir.resolve("pics"), r);
        assertEquals(List.of(dir.resolve("pics/shower-angular-errors.svg"), dir.resolve("pics/shower-training-loss.svg")), files);
        String errors = Files.readString(files.get(0)), loss = Files.readString(files.get(1));
        assertTrue(errors.startsWith("<svg") && errors.contains("angular error on 40 test events"), errors);
        // the legend carries each method's resolution as the demo prints it
        assertTrue(errors.contains(String.format(Locale.ROOT, "CNN (68%%: %.2f°)", r.cnn())), errors);
        assertTrue(errors.contains(String.format(Locale.ROOT, "plane fit to peak times (68%%: %.2f°)", r.planeFit())), errors);
        assertTrue(loss.startsWith("<svg") && loss.contains("training loss per epoch"), loss);
        // seeded: the same run draws the same picture, byte for byte
        ShowerDemo.Result again = new ShowerDemo(96, 40, 2, 32, 5).run(null, false);
        assertArrayEquals(r.cnnAngles(), again.cnnAngles());
        assertEquals(errors, Files.readString(DemoPictures.shower(dir.resolve("again"), again).get(0)));
    }

    @Test
    void everyEventIsInOneHistogramBin() {
        double[] angles = {0.0, 0.01, 0.05, 0.3, 1, 2.5, 10, 45, 89.9, 90, 120};
        var series = DemoPictures.histogram("a", angles, 0.05, 90, 45);
        assertEquals(90, series.getItemCount()); // two edges per bin
        double total = 0;
        for (int i = 0; i < series.getItemCount(); i += 2) {
            assertEquals(series.getY(i).doubleValue(), series.getY(i + 1).doubleValue());
            total += series.getY(i).doubleValue();
        }
        assertEquals(angles.length, total);
        // below the range counts in the first bin (0, 0.01, 0.05), above it in the last (with 89.9 and 90)
        assertEquals(3, series.getY(0).doubleValue());
        assertEquals(3, series.getY(89).doubleValue());
    }

    @Test
    void patternPicture(@TempDir Path dir) throws Exception {
        PatternDemo.Result r = new PatternDemo(16, 200, 40, 1, 3).run(null, false);
        PatternDemo.Example e = r.example();
        assertNotNull(e, "a test image with the cross");
        assertEquals(16, e.image().length);
        assertEquals(3, e.filter().length);
        assertEquals(16, e.map()[0].length);
        // the cross's centre pixel is bright in the image (crosses are drawn at 1 over noise in [-0.3, 0.3])
        assertEquals(1.0, e.image()[e.centre()[0]][e.centre()[1]]);
        Path f = DemoPictures.pattern(dir, e);
        String svg = Files.readString(f);
        assertTrue(svg.startsWith("<svg") && svg.contains("Learned 3x3 filter") && svg.contains("peak of the map"), svg);
    }
}
