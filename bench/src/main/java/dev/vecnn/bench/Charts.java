package dev.vecnn.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Rectangle2D;
import java.text.DecimalFormat;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.svg.SVGGraphics2D;

/** The benchmark reports' charts, drawn by JFreeChart and written as SVG by JFreeSVG. */
public final class Charts {
    private Charts() {
    }

    /** Series colours: vecnn, then the peer. */
    static final Color[] COLOURS = {new Color(0x3b6fb6), new Color(0xe8873a), new Color(0x6aa84f), new Color(0x999999)};

    private static final BasicStroke GRID = new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {3, 3}, 0);

    /** Height in pixels that a horizontal bar chart of {@code categories} rows of {@code series} bars needs. */
    public static int height(int categories, int series) {
        return 110 + categories * (6 + 9 * series);
    }

    /**
     * Horizontal grouped bars: one group per category (in the order of {@code categories}), one bar per
     * series (NaN: no bar). A log axis when {@code log} (bars start at the power of ten below the least value).
     */
    public static JFreeChart bars(String title, List<String> categories, Map<String, double[]> series, String axis, boolean log) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        double least = Double.POSITIVE_INFINITY, most = 0;
        for (Map.Entry<String, double[]> s : series.entrySet()) {
            for (int c = 0; c < categories.size(); c++) {
                double v = s.getValue()[c];
                boolean shown = Double.isFinite(v) && (!log || v > 0);
                data.addValue(shown ? (Number) v : null, s.getKey(), categories.get(c));
                if (shown) {
                    least = Math.min(least, v);
                    most = Math.max(most, v);
                }
            }
        }
        JFreeChart chart = ChartFactory.createBarChart(title, null, axis, data, PlotOrientation.HORIZONTAL, true, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setPadding(new RectangleInsets(4, 4, 4, 28)); // room for the last value label
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setRangeAxisLocation(AxisLocation.BOTTOM_OR_LEFT);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinesVisible(true);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlineStroke(GRID); // 1 px: thinner dashed lines vanish in some SVG renderers
        plot.setOutlineVisible(false);
        CategoryAxis domain = plot.getDomainAxis();
        domain.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        domain.setMaximumCategoryLabelWidthRatio(0.45f);
        domain.setCategoryMargin(0.15);
        BarRenderer r = (BarRenderer) plot.getRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        r.setItemMargin(0);
        r.setDrawBarOutline(false);
        for (int s = 0; s < series.size(); s++) r.setSeriesPaint(s, COLOURS[s % COLOURS.length]);
        if (log) {
            LogAxis a = new LogAxis(axis);
            a.setBase(10);
            a.setSmallestValue(1e-9);
            a.setTickUnit(new NumberTickUnit(1), false, true); // a tick per decade, labelled as a plain number
            a.setNumberFormatOverride(new DecimalFormat("#,##0.###"));
            a.setMinorTickCount(9);
            a.setMinorTickMarksVisible(true);
            double base = Double.isFinite(least) ? Math.pow(10, Math.floor(Math.log10(least))) : 1;
            r.setBase(base);
            r.setIncludeBaseInRange(true);
            plot.setRangeAxis(a);
            // whole decades; a hair above the top one so that rounding in log10 keeps its tick
            a.setRange(base, Math.max(base * 10, Math.pow(10, Math.ceil(Math.log10(most * 1.05)))) * 1.001);
        }
        return chart;
    }

    /** A dashed vertical line at {@code value} on a bar chart's value axis, labelled. */
    public static void marker(JFreeChart chart, double value, String label, Color colour) {
        ValueMarker m = new ValueMarker(value, colour, new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10,
                new float[] {4, 3}, 0));
        m.setLabel(label);
        m.setLabelPaint(colour);
        m.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
        chart.getCategoryPlot().addRangeMarker(m);
        // keep the marker inside the visible range
        var axis = chart.getCategoryPlot().getRangeAxis();
        if (axis.getUpperBound() < value * 1.1) axis.setUpperBound(value * 1.15);
    }

    /** The charts stacked top to bottom in one SVG document of the given width; heights per chart. */
    public static String svg(int width, List<JFreeChart> charts, List<Integer> heights) {
        int total = heights.stream().mapToInt(Integer::intValue).sum();
        SVGGraphics2D g = new SVGGraphics2D(width, Math.max(total, 1));
        g.setDefsKeyPrefix("chart"); // fixed element ids: the same results give the same file
        g.setPaint(Color.WHITE);
        g.fillRect(0, 0, width, Math.max(total, 1));
        int y = 0;
        for (int i = 0; i < charts.size(); i++) {
            charts.get(i).draw(g, new Rectangle2D.Double(0, y, width, heights.get(i)));
            y += heights.get(i);
        }
        return g.getSVGElement();
    }
}
