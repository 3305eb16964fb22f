package dev.vecnn.nn;

import dev.vecnn.nn.layer.ConvLayer;
import dev.vecnn.nn.layer.Residual;
import dev.vecnn.nn.layer.Sequential;
import dev.vecnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The lecture's bookkeeping for a model: per layer its output shape, its parameters (for a convolution
 * n_c * prod(kernel) * n_f / groups + n_f), its receptive field in input positions per spatial
 * dimension (size, and jump between neighbouring outputs), and for each convolution what a fully
 * connected layer between the same input and output would need (whole layer, and one neuron).
 *
 * <p>In a {@link Graph} each node starts from the field of its inputs; where paths meet (a merge) the
 * field is the widest of theirs, so every row gives the reach along its longest path. A merge's row
 * names the nodes it joins.
 *
 * @param rows  one per leaf layer or merge, in graph order
 * @param total trainable parameters
 */
public record Summary(List<Row> rows, long total) {

    /**
     * One line of the table.
     *
     * @param name          the layer's path, e.g. {@code 2.inner.0}
     * @param layer         its text form
     * @param outputShape   output sample shape
     * @param parameters    trainable parameters
     * @param receptive     receptive field size per spatial dimension (null once every input position mixes)
     * @param jump          distance in input positions between neighbouring outputs, per dimension
     * @param denseLayer    parameters of a dense layer with the same input and output sizes (convolutions; else -1)
     * @param denseNeuron   parameters of one dense neuron over the same input (convolutions; else -1)
     */
    public record Row(String name, String layer, long[] outputShape, long parameters, double[] receptive, double[] jump,
                      long denseLayer, long denseNeuron) {
    }

    static Summary of(Model m) {
        List<Row> rows = new ArrayList<>();
        Graph g = m.graph();
        // receptive field and jump of each node's output, per spatial dimension (null: every position mixes)
        java.util.Map<String, double[][]> at = new java.util.HashMap<>();
        for (String node : g.nodeNames()) {
            List<String> from = g.inputsOf(node);
            if (from.isEmpty()) { // an input: each position sees itself
                int spatial = g.shape(node).length - 1;
                double[] r = new double[spatial], j = new double[spatial];
                Arrays.fill(r, 1);
                Arrays.fill(j, 1);
                at.put(node, new double[][] {r, j});
                continue;
            }
            double[][] rj = widest(from.stream().map(at::get).toList());
            Layer l = g.layer(node);
            if (l != null) {
                walk(node, l, rows, rj);
            } else {
                Merge mg = g.merge(node);
                long params = mg.params().stream().mapToLong(p -> p.value().numel()).sum();
                rows.add(new Row(node, mg.describe() + " " + String.join(", ", from), mg.outputShape(), params,
                        rj[0] == null ? null : rj[0].clone(), rj[1] == null ? null : rj[1].clone(), -1, -1));
            }
            at.put(node, rj);
        }
        return new Summary(rows, m.parameterCount());
    }

    /**
     * Where paths meet, the field of the result is the widest of the incoming ones (every path's
     * positions are read), with the largest jump; a path that already mixes everything wins.
     */
    private static double[][] widest(List<double[][]> in) {
        double[] r = null, j = null;
        for (double[][] rj : in) {
            if (rj[0] == null || r != null && rj[0].length != r.length) return new double[2][];
            if (r == null) {
                r = rj[0].clone();
                j = rj[1].clone();
            } else {
                for (int d = 0; d < r.length; d++) {
                    r[d] = Math.max(r[d], rj[0][d]);
                    j[d] = Math.max(j[d], rj[1][d]);
                }
            }
        }
        return new double[][] {r, j};
    }

    private static void walk(String name, Layer l, List<Row> rows, double[][] rj) {
        if (l instanceof Sequential s) {
            for (int i = 0; i < s.children().size(); i++) walk(name + "." + i, s.children().get(i), rows, rj);
            return;
        }
        if (l instanceof Residual res) { // the skip path adds no reach: the inner path sets the field
            walk(name + ".inner", res.children().get(0), rows, rj);
            return;
        }
        double[][] step = l.receptiveStep();
        if (rj[0] != null && step == Layer.MIXES_ALL) {
            rj[0] = null;
            rj[1] = null;
        } else if (rj[0] != null && step != null) {
            for (int d = 0; d < rj[0].length && d < step.length; d++) {
                rj[0][d] += (step[d][0] - 1) * rj[1][d];
                rj[1][d] *= step[d][1];
            }
        }
        long params = l.params().stream().mapToLong(p -> p.value().numel()).sum();
        long denseLayer = -1, denseNeuron = -1;
        if (l instanceof ConvLayer c) {
            denseLayer = c.denseEquivalentParameters();
            denseNeuron = Tensor.numel(c.inputShape()) + 1;
        }
        rows.add(new Row(name, l.describe(), l.outputShape(), params, rj[0] == null ? null : rj[0].clone(),
                rj[1] == null ? null : rj[1].clone(), denseLayer, denseNeuron));
    }

    @Override
    public String toString() {
        String[] head = {"#", "layer", "output", "params", "receptive field (jump)", "dense layer / one neuron"};
        List<String[]> cells = new ArrayList<>();
        cells.add(head);
        for (Row row : rows) {
            cells.add(new String[] {row.name, row.layer, shape(row.outputShape), String.format("%,d", row.parameters),
                    row.receptive == null ? "all inputs" : dims(row.receptive) + " (" + dims(row.jump) + ")",
                    row.denseLayer < 0 ? "" : row.denseLayer == Long.MAX_VALUE ? String.format("> 2^63 / %,d", row.denseNeuron)
                            : String.format("%,d / %,d", row.denseLayer, row.denseNeuron)});
        }
        int[] w = new int[head.length];
        for (String[] c : cells) for (int i = 0; i < c.length; i++) w[i] = Math.max(w[i], c[i].length());
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < cells.size(); k++) {
            String[] c = cells.get(k);
            for (int i = 0; i < c.length; i++) {
                boolean right = i == 3 || i == 5;
                String pad = " ".repeat(w[i] - c[i].length());
                b.append(right ? pad + c[i] : c[i] + pad).append(i + 1 < c.length ? "  " : "");
            }
            b.append('\n');
            if (k == 0) b.append("-".repeat(Arrays.stream(w).sum() + 2 * (w.length - 1))).append('\n');
        }
        b.append(String.format("total trainable parameters: %,d%n", total));
        return b.toString();
    }

    private static String shape(long[] s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length; i++) b.append(i == 0 ? "" : "x").append(s[i]);
        return b.toString();
    }

    private static String dims(double[] v) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            b.append(i == 0 ? "" : "x");
            b.append(v[i] == Math.rint(v[i]) ? Long.toString((long) v[i]) : String.format("%.3g", v[i]));
        }
        return b.toString();
    }
}
