package dev.vecnn.nn.demo;

import dev.vecnn.tensor.DType;
import dev.vecnn.nn.layer.Elementwise;
import dev.vecnn.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;

/**
 * Synthetic air-shower events on a square grid of sensors, each recording a time trace: the lecture's
 * A(x, y, t). A plane shower front crosses the array with direction (theta, phi); a sensor at (x, y)
 * sees the front at {@code t = tc + ((x - xc) ux + (y - yc) uy) / c} with (ux, uy) = sin(theta)
 * (cos(phi), sin(phi)); its pulse {@code (tau/rise) e^(1 - tau/rise)} has an amplitude that falls with
 * the distance r to the shower core as {@code A / (1 + (r/r0)^2)}; Gaussian noise is added to every
 * sample. The task is to recover (ux, uy) from the traces.
 *
 * @param grid    sensors per side
 * @param samples time samples per trace
 * @param speed   front speed in sensor spacings per sample
 * @param noise   standard deviation of the noise (the largest pulse peaks near 1 to 3)
 */
public record Showers(int grid, int samples, double speed, double noise) {
    /** The demo's detector: 8 x 8 sensors, 24 samples, the front moving 0.5 spacing per sample. */
    public static Showers standard() {
        return new Showers(8, 24, 0.5, 0.08);
    }

    private static final double MAX_ZENITH = Math.toRadians(50), RISE = 1.2, CORE_RADIUS = 2.5;

    /**
     * Generated events: traces (N, 1, grid, grid, samples) and directions (N, 2), from {@code seed}.
     *
     * @param traces     the detector's traces
     * @param directions (ux, uy) per event
     */
    public record Events(Tensor traces, Tensor directions) {
        /** Number of events. */
        public long size() {
            return traces.size(0);
        }
    }

    /** {@code n} events in {@code dtype}, memory from {@code arena}. */
    public Events generate(Arena arena, DType dtype, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor x = Tensor.allocate(arena, dtype, n, 1, grid, grid, samples);
        Tensor y = Tensor.allocate(arena, dtype, n, 2);
        double centre = (grid - 1) / 2.0;
        long at = x.offset();
        for (int e = 0; e < n; e++) {
            // isotropic flux through a flat array: cos(theta) sin(theta) distribution, cut at MAX_ZENITH
            double theta = Math.asin(Math.sqrt(r.nextDouble()) * Math.sin(MAX_ZENITH));
            double phi = r.nextDouble(2 * Math.PI);
            double ux = Math.sin(theta) * Math.cos(phi), uy = Math.sin(theta) * Math.sin(phi);
            double tc = samples / 2.0 + r.nextDouble(-1.5, 1.5);
            double coreX = r.nextDouble(-0.5, grid - 0.5), coreY = r.nextDouble(-0.5, grid - 0.5);
            double amplitude = 1 + 2 * r.nextDouble();
            y.set(ux, e, 0);
            y.set(uy, e, 1);
            for (int i = 0; i < grid; i++) {
                for (int j = 0; j < grid; j++) {
                    double arrival = tc + ((i - centre) * ux + (j - centre) * uy) / speed - 2 * RISE;
                    double dx = i - coreX, dy = j - coreY;
                    double a = amplitude / (1 + (dx * dx + dy * dy) / (CORE_RADIUS * CORE_RADIUS));
                    for (int t = 0; t < samples; t++) {
                        double tau = (t - arrival) / RISE;
                        double pulse = tau > 0 ? a * tau * Math.exp(1 - tau) : 0;
                        Elementwise.set(x, at++, pulse + noise * gaussian(r));
                    }
                }
            }
        }
        return new Events(x, y);
    }

    private static double gaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /**
     * The classical reconstruction as a baseline: each sensor's peak time (parabola through the
     * largest sample and its neighbours), and a plane {@code t = a + b x + c y} fitted by least squares
     * with weights peak^2; then (ux, uy) = speed (b, c). Returns (N, 2).
     */
    public double[][] planeFit(Events ev) {
        int n = (int) ev.size();
        double[][] out = new double[n][2];
        Tensor x = ev.traces();
        long at = x.offset();
        for (int e = 0; e < n; e++) {
            double sw = 0, sx = 0, sy = 0, st = 0, sxx = 0, syy = 0, sxy = 0, sxt = 0, syt = 0;
            for (int i = 0; i < grid; i++) {
                for (int j = 0; j < grid; j++) {
                    long base = at + ((long) (e * grid + i) * grid + j) * samples;
                    int best = 0;
                    for (int t = 1; t < samples; t++) if (Elementwise.get(x, base + t) > Elementwise.get(x, base + best)) best = t;
                    double peak = Elementwise.get(x, base + best), time = best;
                    if (best > 0 && best < samples - 1) {
                        double l = Elementwise.get(x, base + best - 1), rr = Elementwise.get(x, base + best + 1), den = l - 2 * peak + rr;
                        if (den < 0) time += 0.5 * (l - rr) / den;
                    }
                    double w = peak > 0 ? peak * peak : 0, px = i - (grid - 1) / 2.0, py = j - (grid - 1) / 2.0;
                    sw += w;
                    sx += w * px;
                    sy += w * py;
                    st += w * time;
                    sxx += w * px * px;
                    syy += w * py * py;
                    sxy += w * px * py;
                    sxt += w * px * time;
                    syt += w * py * time;
                }
            }
            // weighted normal equations for (a, b, c), solved by Cramer's rule
            double[][] m = {{sw, sx, sy}, {sx, sxx, sxy}, {sy, sxy, syy}};
            double[] v = {st, sxt, syt};
            double det = det(m);
            double b = det(replace(m, 1, v)) / det, c = det(replace(m, 2, v)) / det;
            out[e][0] = speed * b;
            out[e][1] = speed * c;
        }
        return out;
    }

    private static double det(double[][] m) {
        return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    }

    private static double[][] replace(double[][] m, int col, double[] v) {
        double[][] r = new double[3][];
        for (int i = 0; i < 3; i++) {
            r[i] = m[i].clone();
            r[i][col] = v[i];
        }
        return r;
    }

    /** The angle in degrees between two directions of the upper hemisphere given by their (ux, uy). */
    public static double angle(double ux, double uy, double vx, double vy) {
        double[] a = unit(ux, uy), b = unit(vx, vy);
        double dot = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
        return Math.toDegrees(Math.acos(Math.max(-1, Math.min(1, dot))));
    }

    private static double[] unit(double ux, double uy) {
        double s = Math.hypot(ux, uy);
        if (s > 1) {
            ux /= s;
            uy /= s;
            s = 1;
        }
        return new double[] {ux, uy, Math.sqrt(1 - s * s)};
    }

    /** The angle below which {@code q} of the values fall (e.g. q = 0.68: the 68% resolution). */
    public static double quantile(double[] angles, double q) {
        double[] s = angles.clone();
        java.util.Arrays.sort(s);
        return s[(int) Math.min(s.length - 1, Math.floor(q * s.length))];
    }
}
