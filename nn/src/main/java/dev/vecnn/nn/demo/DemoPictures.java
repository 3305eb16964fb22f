package dev.vecnn.nn.demo;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYShapeAnnotation;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * The demo's pictures, as SVG files: the distribution of angular errors (network, plane fit, naive
 * answer) and the training loss per epoch of the shower demo; an image with its learned filter and
 * feature map for the weight-sharing example. Drawn by JFreeChart and written by JFreeSVG, which are
 * optional dependencies of vecnn-nn: only {@link Demo#main} calls this class.
 */
public final class DemoPictures {
    private DemoPictures() {
    }

    private static final Color CNN = new Color(0x3b6fb6), FIT = new Color(0xe8873a), NAIVE = new Color(0x888888);
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 14), SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    /** Writes {@code shower-angular-errors.svg} and {@code shower-training-loss.svg} into {@code dir}; returns their paths. */
    public static List<Path> shower(Path dir, ShowerDemo.Result r) throws IOException {
        Files.createDirectories(dir);
        Path errors = dir.resolve("shower-angular-errors.svg"), loss = dir.resolve("shower-training-loss.svg");
        Files.writeString(errors, svg(800, 480, angularErrors(r), "errors"));
        Files.writeString(loss, svg(640, 400, trainingLoss(r.epochLoss()), "loss"));
        return List.of(errors, loss);
    }

    /** Writes {@code pattern-feature-map.svg} into {@code dir}; returns its path. */
    public static Path pattern(Path dir, PatternDemo.Example e) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("pattern-feature-map.svg");
        int w = 330, h = 360;
        SVGGraphics2D g = new SVGGraphics2D(3 * w, h);
        g.setDefsKeyPrefix("pattern");
        g.setPaint(Color.WHITE);
        g.fillRect(0, 0, 3 * w, h);
        heatMap("Test image with the cross", e.image(), e.centre(), null).draw(g, new Rectangle2D.Double(0, 0, w, h));
        heatMap("Learned 3x3 filter (shared)", e.filter(), null, null).draw(g, new Rectangle2D.Double(w, 0, w, h));
        heatMap("Its feature map: peak = cross", e.map(), e.centre(), e.peak()).draw(g, new Rectangle2D.Double(2 * w, 0, w, h));
        Files.writeString(file, g.getSVGElement());
        return file;
    }

    /**
     * Histogram of the angular error per test event, in bins equally spaced in log(angle) from 0.05 to
     * 90 degrees, one line per method, with each method's 68% quantile (the resolution) marked.
     */
    static JFreeChart angularErrors(ShowerDemo.Result r) {
        double lo = 0.05, hi = 90;
        int bins = 45;
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(histogram(String.format(Locale.ROOT, "CNN (68%%: %.2f°)", r.cnn()), r.cnnAngles(), lo, hi, bins));
        data.addSeries(histogram(String.format(Locale.ROOT, "plane fit to peak times (68%%: %.2f°)", r.planeFit()), r.fitAngles(), lo, hi, bins));
        data.addSeries(histogram(String.format(Locale.ROOT, "always vertical (68%%: %.1f°)", r.naive()), r.naiveAngles(), lo, hi, bins));
        JFreeChart chart = ChartFactory.createXYLineChart("Air-shower direction: angular error on " + r.cnnAngles().length + " test events",
                null, "events per bin", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = style(chart);
        LogAxis x = new Log125Axis("angle between true and reconstructed direction (degrees; bins equal in log)");
        x.setRange(lo, hi);
        plot.setDomainAxis(x);
        var note = new org.jfree.chart.title.TextTitle("dashed lines: each method's 68% quantile (the angular resolution)", SMALL);
        note.setPosition(RectangleEdge.TOP);
        chart.addSubtitle(note);
        XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, false);
        Color[] colours = {CNN, FIT, NAIVE};
        double[] q68 = {r.cnn(), r.planeFit(), r.naive()};
        for (int s = 0; s < 3; s++) {
            lines.setSeriesPaint(s, colours[s]);
            lines.setSeriesStroke(s, new BasicStroke(2f));
            ValueMarker m = new ValueMarker(Math.max(q68[s], lo), colours[s], new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10,
                    new float[] {5, 4}, 0));
            plot.addDomainMarker(m);
        }
        plot.setRenderer(lines);
        return chart;
    }

    /** A step histogram as a line: for each bin its two edges at its count. */
    static XYSeries histogram(String name, double[] values, double lo, double hi, int bins) {
        long[] counts = new long[bins];
        double step = Math.log(hi / lo) / bins;
        for (double v : values) {
            int b = (int) Math.floor(Math.log(Math.max(v, lo) / lo) / step);
            counts[Math.min(Math.max(b, 0), bins - 1)]++; // below the range: first bin; above: last
        }
        XYSeries s = new XYSeries(name, false, true);
        for (int b = 0; b < bins; b++) {
            s.add(lo * Math.exp(b * step), counts[b]);
            s.add(lo * Math.exp((b + 1) * step), counts[b]);
        }
        return s;
    }

    /** Mean training loss per epoch, log scale. */
    static JFreeChart trainingLoss(double[] loss) {
        XYSeries s = new XYSeries("mean training loss (MSE of ux, uy)");
        for (int e = 0; e < loss.length; e++) s.add(e + 1, loss[e]);
        JFreeChart chart = ChartFactory.createXYLineChart("Air-shower direction: training loss per epoch", "epoch", null,
                new XYSeriesCollection(s), PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = style(chart);
        NumberAxis x = (NumberAxis) plot.getDomainAxis();
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setRange(0.5, loss.length + 0.5);
        LogAxis y = new Log125Axis("loss (log scale)");
        double min = java.util.Arrays.stream(loss).filter(v -> v > 0).min().orElse(1), max = java.util.Arrays.stream(loss).max().orElse(1);
        y.setRange(Math.pow(10, Math.floor(Math.log10(min))), Math.pow(10, Math.ceil(Math.log10(Math.max(max, min * 1.01)))));
        plot.setRangeAxis(y);
        XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, true);
        lines.setSeriesPaint(0, CNN);
        lines.setSeriesStroke(0, new BasicStroke(2f));
        lines.setSeriesShape(0, new Ellipse2D.Double(-4, -4, 8, 8));
        plot.setRenderer(lines);
        return chart;
    }

    /** A [row][column] array as grey-scale cells (row 0 at the top); circles mark {@code ring} and a cross {@code peak}. */
    static JFreeChart heatMap(String title, double[][] v, int[] ring, int[] peak) {
        int rows = v.length, cols = v[0].length;
        double[][] xyz = new double[3][rows * cols];
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                int k = i * cols + j;
                xyz[0][k] = j;
                xyz[1][k] = i;
                xyz[2][k] = v[i][j];
                min = Math.min(min, v[i][j]);
                max = Math.max(max, v[i][j]);
            }
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("values", xyz);
        NumberAxis x = new NumberAxis("column"), y = new NumberAxis("row");
        for (NumberAxis a : List.of(x, y)) {
            a.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
            a.setLabelFont(SMALL);
        }
        x.setRange(-0.5, cols - 0.5);
        y.setRange(-0.5, rows - 0.5);
        y.setInverted(true); // images: row 0 on top
        XYBlockRenderer cells = new XYBlockRenderer();
        Grey scale = new Grey(min, max > min ? max : min + 1);
        cells.setPaintScale(scale);
        XYPlot plot = new XYPlot(data, x, y, cells);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        if (ring != null) {
            plot.addAnnotation(new XYShapeAnnotation(new Ellipse2D.Double(ring[1] - 1.6, ring[0] - 1.6, 3.2, 3.2),
                    new BasicStroke(2f), new Color(0xe8873a)));
        }
        if (peak != null) {
            plot.addAnnotation(new XYShapeAnnotation(new Rectangle2D.Double(peak[1] - 0.5, peak[0] - 0.5, 1, 1), new BasicStroke(2f), CNN));
        }
        JFreeChart chart = new JFreeChart(title, TITLE, plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        NumberAxis legendAxis = new NumberAxis();
        legendAxis.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 9));
        legendAxis.setRange(scale.getLowerBound(), scale.getUpperBound());
        PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
        legend.setPosition(RectangleEdge.BOTTOM);
        legend.setStripWidth(8);
        legend.setMargin(4, 30, 4, 30);
        chart.addSubtitle(legend);
        if (ring != null || peak != null) {
            var note = new org.jfree.chart.title.TextTitle((ring != null ? "orange circle: the cross" : "")
                    + (ring != null && peak != null ? "; " : "") + (peak != null ? "blue square: peak of the map" : ""), SMALL);
            note.setPosition(RectangleEdge.BOTTOM);
            chart.addSubtitle(note);
        }
        return chart;
    }

    /** White (low) to black (high). */
    private record Grey(double lo, double hi) implements PaintScale {
        @Override
        public double getLowerBound() {
            return lo;
        }

        @Override
        public double getUpperBound() {
            return hi;
        }

        @Override
        public java.awt.Paint getPaint(double value) {
            double t = Double.isNaN(value) ? 0 : Math.max(0, Math.min(1, (value - lo) / (hi - lo)));
            int c = (int) Math.round(255 * (1 - t));
            return new Color(c, c, c);
        }
    }

    /** A base-10 log axis with ticks at 1, 2 and 5 times the powers of ten, labelled as plain numbers. */
    static final class Log125Axis extends LogAxis {
        private static final long serialVersionUID = 1L;

        Log125Axis(String label) {
            super(label);
            setBase(10);
            setLabelFont(SMALL);
        }

        @Override
        @SuppressWarnings({"rawtypes", "unchecked"})
        public List refreshTicks(java.awt.Graphics2D g2, AxisState state, Rectangle2D dataArea, RectangleEdge edge) {
            List ticks = new java.util.ArrayList();
            boolean vertical = RectangleEdge.isLeftOrRight(edge);
            TextAnchor anchor = vertical ? TextAnchor.CENTER_RIGHT : TextAnchor.TOP_CENTER;
            double lo = getLowerBound(), hi = getUpperBound();
            DecimalFormat f = new DecimalFormat("#,##0.######");
            for (int e = (int) Math.floor(Math.log10(lo)); e <= (int) Math.ceil(Math.log10(hi)); e++) {
                for (int m : new int[] {1, 2, 5}) {
                    double v = m * Math.pow(10, e);
                    if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.add(new NumberTick(TickType.MAJOR, v, f.format(v), anchor, TextAnchor.CENTER, 0));
                }
            }
            return ticks;
        }
    }

    private static XYPlot style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getTitle().setFont(TITLE);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        // 1 px: thinner dashed lines vanish in some SVG renderers
        BasicStroke grid = new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {3, 3}, 0);
        plot.setDomainGridlineStroke(grid);
        plot.setRangeGridlineStroke(grid);
        plot.getRangeAxis().setLabelFont(SMALL);
        plot.getDomainAxis().setLabelFont(SMALL);
        return plot;
    }

    /** The chart as an SVG document; {@code ids} prefixes its element ids (fixed, so that a run repeats byte for byte). */
    private static String svg(int width, int height, JFreeChart chart, String ids) {
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        g.setDefsKeyPrefix(ids);
        chart.draw(g, new Rectangle2D.Double(0, 0, width, height));
        return g.getSVGElement();
    }
}
