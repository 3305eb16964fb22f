package dev.vecnn.bench.train;

import dev.vecnn.nn.Layer;
import dev.vecnn.nn.Model;
import dev.vecnn.nn.layer.Activation;
import dev.vecnn.nn.layer.BatchNorm;
import dev.vecnn.nn.layer.ConvLayer;
import dev.vecnn.nn.layer.Dense;
import dev.vecnn.nn.layer.Dropout;
import dev.vecnn.nn.layer.Flatten;
import dev.vecnn.nn.layer.Init;
import dev.vecnn.nn.layer.PoolLayer;
import dev.vecnn.nn.layer.Softmax;
import dev.vecnn.nn.loss.Loss;
import dev.vecnn.nn.optim.Optimizer;
import dev.vecnn.parallel.Execution;
import dev.vecnn.spec.PaddingMode;
import dev.vecnn.spec.PoolKind;
import dev.vecnn.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A training benchmark suite ({@code bench/suites/training.suite}): small networks, each with its
 * sample shape, task, optimizer, dtypes and layers, in a text form that this class and the PyTorch
 * peer ({@code bench/python/pytorch_train.py}) both read. The grammar is documented at the top of the
 * committed suite file; in short:
 *
 * <pre>
 *   batch 32 128                      batch sizes (before the first network)
 *   network NAME                      starts a network; its lines follow
 *   input 1x8x8x24                    sample shape (channels, spatial sizes...), without the batch
 *   task regression K | task classification K      MSE over K outputs | softmax cross-entropy over K classes
 *   optimizer adam LR [WD] | optimizer adamw LR WD | optimizer sgd LR MOMENTUM [WD]
 *   dtypes f32 [f64]
 *   parameters N                      trainable parameters, as PyTorch counts them (both sides check it)
 *   LAYER                             any other line: one layer in vecnn's {@link Layer#describe()} form,
 *                                     plus an optional initialiser word 'he' or 'glorot' (default he)
 * </pre>
 *
 * Every line is checked here, so a bad line fails with its file and line number.
 *
 * @param name     the file name without {@code .suite}
 * @param batches  batch sizes, for every network
 * @param networks the networks in file order
 */
public record TrainingSuite(String name, List<Integer> batches, List<Network> networks) {

    /** What is learned: MSE against {@code outputs} targets, or cross-entropy over {@code outputs} classes. */
    public record Task(boolean classification, int outputs) {
        /** The loss of the task. */
        public Loss loss() {
            return classification ? Loss.softmaxCrossEntropy() : Loss.mse();
        }
    }

    /**
     * The optimizer and its hyper-parameters (the betas and epsilon of Adam are fixed at PyTorch's
     * defaults 0.9, 0.999, 1e-8 on both sides).
     *
     * @param kind        adam, adamw or sgd
     * @param lr          learning rate
     * @param momentum    SGD momentum (0 otherwise)
     * @param weightDecay weight decay (L2 for adam and sgd, decoupled for adamw)
     */
    public record Optim(String kind, double lr, double momentum, double weightDecay) {
        /** The vecnn optimizer over {@code model}'s parameters. */
        public Optimizer create(Model model) {
            return switch (kind) {
                case "adam" -> Optimizer.adam(model.context(), model.params(), lr, weightDecay);
                case "adamw" -> Optimizer.adamW(model.context(), model.params(), lr, weightDecay);
                case "sgd" -> Optimizer.sgd(model.context(), model.params(), lr, momentum, weightDecay);
                default -> throw new IllegalStateException(kind);
            };
        }
    }

    /**
     * One network of the suite.
     *
     * @param name       its name (a benchmark parameter)
     * @param input      the sample shape (C, spatial...)
     * @param task       the loss and the number of outputs
     * @param optimizer  the optimizer
     * @param dtypes     the dtypes it is measured in
     * @param parameters the trainable parameter count written in the suite (-1: not given)
     * @param layers     the layer lines, as written (with their initialiser word, if any)
     */
    public record Network(String name, long[] input, Task task, Optim optimizer, List<DType> dtypes, long parameters,
                          List<String> layers) {
        /** Fresh layers (a layer belongs to one model). */
        public Layer[] newLayers() {
            Layer[] out = new Layer[layers.size()];
            for (int i = 0; i < out.length; i++) out[i] = layer(layers.get(i));
            return out;
        }

        /** The network built for {@code dtype}, initialised from {@code seed}, its kernels on {@code execution}. */
        public Model build(DType dtype, long seed, Execution execution) {
            try {
                return Model.of(input, dtype, seed, execution, newLayers());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("network " + name + ": " + e.getMessage(), e);
            }
        }
    }

    private static final Pattern LIST = Pattern.compile("\\d+(x\\d+)*");

    /** Reads and checks a suite file. */
    public static TrainingSuite read(Path file) throws IOException {
        String fn = file.getFileName().toString();
        return parse(fn.endsWith(".suite") ? fn.substring(0, fn.length() - 6) : fn, Files.readAllLines(file), file.toString());
    }

    /** Whether {@code lines} are a training suite (its first item is 'batch' or 'network'), not a kernel suite. */
    public static boolean isTrainingSuite(List<String> lines) {
        for (String l : lines) {
            String s = l.strip();
            if (s.isEmpty() || s.startsWith("#")) continue;
            return s.startsWith("batch ") || s.startsWith("network ");
        }
        return false;
    }

    /** Parses suite text; {@code where} prefixes error messages (a file name). */
    public static TrainingSuite parse(String name, List<String> lines, String where) {
        List<Integer> batches = List.of(32);
        List<Network> networks = new ArrayList<>();
        Builder current = null;
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            int hash = line.indexOf('#');
            if (hash >= 0) line = line.substring(0, hash);
            line = line.strip();
            if (line.isEmpty()) continue;
            String[] f = line.split("\\s+");
            String at = where + ":" + (n + 1) + ": ";
            try {
                switch (f[0]) {
                    case "batch" -> {
                        if (current != null) throw new IllegalArgumentException("'batch' belongs before the first network");
                        if (f.length < 2) throw new IllegalArgumentException("batch: at least one size, e.g. 'batch 32 128'");
                        List<Integer> b = new ArrayList<>();
                        for (int i = 1; i < f.length; i++) b.add(positiveInt(f[i], "batch"));
                        batches = List.copyOf(b);
                    }
                    case "network" -> {
                        if (f.length != 2) throw new IllegalArgumentException("expected 'network NAME'");
                        if (current != null) networks.add(current.done());
                        for (Network w : networks) if (w.name().equals(f[1])) throw new IllegalArgumentException("network " + f[1] + ": defined twice");
                        current = new Builder(f[1], at);
                    }
                    default -> {
                        if (current == null) throw new IllegalArgumentException("'" + f[0] + "' before the first 'network NAME' line");
                        current.line(f, line);
                    }
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(at + e.getMessage(), e);
            }
        }
        if (current != null) {
            try {
                networks.add(current.done());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(current.at + e.getMessage(), e);
            }
        }
        if (networks.isEmpty()) throw new IllegalArgumentException(where + ": no network");
        return new TrainingSuite(name, batches, List.copyOf(networks));
    }

    /** The network called {@code name}. */
    public Network network(String name) {
        for (Network n : networks) if (n.name().equals(name)) return n;
        throw new IllegalArgumentException("network: no '" + name + "' in suite " + this.name + " (" + networks.stream().map(Network::name).toList() + ")");
    }

    /** Collects one network's lines. */
    private static final class Builder {
        final String name, at;
        long[] input;
        Task task;
        Optim optim;
        List<DType> dtypes = List.of(DType.F32);
        long parameters = -1;
        final List<String> layers = new ArrayList<>();

        Builder(String name, String at) {
            this.name = name;
            this.at = at;
        }

        void line(String[] f, String line) {
            switch (f[0]) {
                case "input" -> {
                    if (f.length != 2 || !LIST.matcher(f[1]).matches()) throw new IllegalArgumentException("expected 'input CxS1x...', e.g. 'input 1x8x8x24'");
                    input = Arrays.stream(f[1].split("x")).mapToLong(s -> positiveInt(s, "input")).toArray();
                    if (input.length < 2) throw new IllegalArgumentException("input: (C, at least one spatial size), got " + f[1]);
                }
                case "task" -> {
                    if (f.length != 3 || !(f[1].equals("regression") || f[1].equals("classification"))) {
                        throw new IllegalArgumentException("expected 'task regression K' or 'task classification K'");
                    }
                    task = new Task(f[1].equals("classification"), positiveInt(f[2], "task outputs"));
                    if (task.classification() && task.outputs() < 2) throw new IllegalArgumentException("task: classification needs >= 2 classes, got " + f[2]);
                }
                case "optimizer" -> optim = optimizer(f);
                case "dtypes" -> {
                    List<DType> d = new ArrayList<>();
                    for (int i = 1; i < f.length; i++) {
                        d.add(switch (f[i]) {
                            case "f32" -> DType.F32;
                            case "f64" -> DType.F64;
                            default -> throw new IllegalArgumentException("dtypes: '" + f[i] + "' is not f32 or f64");
                        });
                    }
                    if (d.isEmpty()) throw new IllegalArgumentException("dtypes: at least one of f32, f64");
                    dtypes = List.copyOf(d);
                }
                case "parameters" -> {
                    if (f.length != 2) throw new IllegalArgumentException("expected 'parameters N'");
                    parameters = positiveInt(f[1], "parameters");
                }
                default -> {
                    layer(line); // checked now, so that the error names this line
                    layers.add(String.join(" ", f));
                }
            }
        }

        Network done() {
            if (input == null) throw new IllegalArgumentException("network " + name + ": no 'input' line");
            if (task == null) throw new IllegalArgumentException("network " + name + ": no 'task' line");
            if (optim == null) throw new IllegalArgumentException("network " + name + ": no 'optimizer' line");
            if (layers.isEmpty()) throw new IllegalArgumentException("network " + name + ": no layers");
            return new Network(name, input, task, optim, dtypes, parameters, List.copyOf(layers));
        }
    }

    private static Optim optimizer(String[] f) {
        String usage = "expected 'optimizer adam LR [WD]', 'optimizer adamw LR WD' or 'optimizer sgd LR MOMENTUM [WD]'";
        if (f.length < 3) throw new IllegalArgumentException(usage);
        double lr = number(f[2], "optimizer learning rate");
        return switch (f[1]) {
            case "adam" -> {
                if (f.length > 4) throw new IllegalArgumentException(usage);
                yield new Optim("adam", lr, 0, f.length == 4 ? number(f[3], "optimizer weight decay") : 0);
            }
            case "adamw" -> {
                if (f.length != 4) throw new IllegalArgumentException(usage);
                yield new Optim("adamw", lr, 0, number(f[3], "optimizer weight decay"));
            }
            case "sgd" -> {
                if (f.length < 4 || f.length > 5) throw new IllegalArgumentException(usage);
                yield new Optim("sgd", lr, number(f[3], "optimizer momentum"), f.length == 5 ? number(f[4], "optimizer weight decay") : 0);
            }
            default -> throw new IllegalArgumentException("optimizer: unknown '" + f[1] + "'; " + usage);
        };
    }

    /**
     * One layer from its text: {@link Layer#describe()}'s form, plus an initialiser word ('he',
     * 'glorot') for convolutions and dense layers; and for transposed convolutions an output padding
     * {@code opAxB} (which describe() does not print).
     */
    public static Layer layer(String text) {
        String[] f = text.strip().split("\\s+");
        String kind = f[0];
        Matcher conv = Pattern.compile("conv(\\d)d(-transposed)?").matcher(kind);
        if (conv.matches()) return conv(f, Integer.parseInt(conv.group(1)), conv.group(2) != null);
        for (PoolKind p : PoolKind.values()) if (p.textName().equals(kind)) return pool(f, p);
        switch (kind) {
            case "dense" -> {
                if (f.length < 2) throw new IllegalArgumentException("dense: expected 'dense OUT [nobias] [he|glorot]'");
                Dense d = new Dense(positiveInt(f[1], "dense outputs"));
                for (int i = 2; i < f.length; i++) {
                    switch (f[i]) {
                        case "nobias" -> d.bias(false);
                        case "he" -> d.init(Init.HE);
                        case "glorot" -> d.init(Init.GLOROT);
                        default -> throw new IllegalArgumentException("dense: unknown word '" + f[i] + "' (nobias, he, glorot)");
                    }
                }
                return d;
            }
            case "leakyrelu" -> {
                if (f.length != 2) throw new IllegalArgumentException("leakyrelu: expected 'leakyrelu ALPHA'");
                return Activation.leakyRelu(number(f[1], "leakyrelu alpha"));
            }
            case "dropout" -> {
                if (f.length != 2) throw new IllegalArgumentException("dropout: expected 'dropout P'");
                return new Dropout(number(f[1], "dropout p"));
            }
            default -> {
                Layer plain = switch (kind) { // layers without options
                    case "relu" -> Activation.relu();
                    case "sigmoid" -> Activation.sigmoid();
                    case "tanh" -> Activation.tanh();
                    case "gelu" -> Activation.gelu();
                    case "flatten" -> new Flatten();
                    case "softmax" -> new Softmax();
                    case "batchnorm" -> new BatchNorm();
                    default -> throw new IllegalArgumentException("layer: unknown '" + kind + "' (conv<R>d, conv<R>d-transposed, maxpool, avgpool, "
                            + "globalmaxpool, globalavgpool, adaptivemaxpool, adaptiveavgpool, dense, flatten, relu, leakyrelu, sigmoid, tanh, "
                            + "gelu, softmax, dropout, batchnorm)");
                };
                if (f.length != 1) throw new IllegalArgumentException(kind + ": takes no options, got '" + text.strip() + "'");
                return plain;
            }
        }
    }

    private static ConvLayer conv(String[] f, int rank, boolean transposed) {
        String what = f[0];
        if (rank < 1) throw new IllegalArgumentException(what + ": rank must be >= 1");
        if (f.length < 3) throw new IllegalArgumentException(what + ": expected '" + what + " OUT kAxB... [options]'");
        long out = positiveInt(f[1], what + " outputs");
        int[] kernel = null, stride = null, dilation = null, padBegin = null, padEnd = null, outputPad = null;
        boolean same = false, bias = true;
        long groups = 1;
        PaddingMode mode = PaddingMode.ZEROS;
        Init init = Init.HE;
        for (int i = 2; i < f.length; i++) {
            String t = f[i];
            switch (t) {
                case "same" -> same = true;
                case "nobias" -> bias = false;
                case "he" -> init = Init.HE;
                case "glorot" -> init = Init.GLOROT;
                case "reflect" -> mode = PaddingMode.REFLECT;
                case "replicate" -> mode = PaddingMode.REPLICATE;
                case "circular" -> mode = PaddingMode.CIRCULAR;
                default -> {
                    if (t.startsWith("op")) outputPad = list(t.substring(2), rank, what + " output padding");
                    else if (t.startsWith("k")) kernel = list(t.substring(1), rank, what + " kernel");
                    else if (t.startsWith("s")) stride = list(t.substring(1), rank, what + " stride");
                    else if (t.startsWith("d")) dilation = list(t.substring(1), rank, what + " dilation");
                    else if (t.startsWith("g")) groups = positiveInt(t.substring(1), what + " groups");
                    else if (t.startsWith("p")) {
                        int r = t.indexOf("_r");
                        padBegin = list(t.substring(1, r < 0 ? t.length() : r), rank, what + " padding");
                        padEnd = r < 0 ? padBegin : list(t.substring(r + 2), rank, what + " end padding");
                    } else {
                        throw new IllegalArgumentException(what + ": unknown option '" + t + "' (k s d p same reflect replicate circular g nobias he glorot op)");
                    }
                }
            }
        }
        if (kernel == null) throw new IllegalArgumentException(what + ": the kernel kAxB... is required");
        if (same && padBegin != null) throw new IllegalArgumentException(what + ": 'same' and an explicit padding p... together");
        if (outputPad != null && !transposed) throw new IllegalArgumentException(what + ": output padding op... needs a transposed convolution");
        ConvLayer c = new ConvLayer(out, kernel).groups(groups).bias(bias).paddingMode(mode).init(init);
        if (stride != null) c.stride(stride);
        if (dilation != null) c.dilation(dilation);
        if (same) c.paddingSame();
        if (padBegin != null) c.padding(padBegin, padEnd);
        if (transposed) c.transposed(outputPad == null ? new int[0] : outputPad);
        return c;
    }

    private static PoolLayer pool(String[] f, PoolKind kind) {
        String what = f[0];
        int[] kernel = null, stride = null, dilation = null, padBegin = null, padEnd = null;
        long[] output = null;
        boolean ceil = false, excludePad = false;
        for (int i = 1; i < f.length; i++) {
            String t = f[i];
            switch (t) {
                case "ceil" -> ceil = true;
                case "excludepad" -> excludePad = true;
                default -> {
                    if (t.startsWith("k")) kernel = list(t.substring(1), -1, what + " kernel");
                    else if (t.startsWith("s")) stride = list(t.substring(1), -1, what + " stride");
                    else if (t.startsWith("d")) dilation = list(t.substring(1), -1, what + " dilation");
                    else if (t.startsWith("o")) output = Arrays.stream(list(t.substring(1), -1, what + " output")).asLongStream().toArray();
                    else if (t.startsWith("p")) {
                        int r = t.indexOf("_r");
                        padBegin = list(t.substring(1, r < 0 ? t.length() : r), -1, what + " padding");
                        padEnd = r < 0 ? padBegin : list(t.substring(r + 2), padBegin.length, what + " end padding");
                    } else {
                        throw new IllegalArgumentException(what + ": unknown option '" + t + "' (k s d p ceil excludepad o)");
                    }
                }
            }
        }
        boolean windowed = kind.isWindowed(), global = kind.isGlobal();
        if (windowed && kernel == null) throw new IllegalArgumentException(what + ": the kernel kAxB... is required");
        if (!windowed && (kernel != null || stride != null || dilation != null || padBegin != null || ceil || excludePad)) {
            throw new IllegalArgumentException(what + ": takes no window options");
        }
        if (global && output != null) throw new IllegalArgumentException(what + ": takes no output size");
        if (!windowed && !global && output == null) throw new IllegalArgumentException(what + ": the output size oAxB... is required");
        if (windowed && output != null) throw new IllegalArgumentException(what + ": a windowed pooling takes no output size");
        if (excludePad && kind != PoolKind.AVG) throw new IllegalArgumentException(what + ": 'excludepad' is for avgpool only");
        PoolLayer p = switch (kind) {
            case MAX -> PoolLayer.max(kernel);
            case AVG -> PoolLayer.avg(kernel);
            case GLOBAL_MAX -> PoolLayer.globalMax();
            case GLOBAL_AVG -> PoolLayer.globalAvg();
            case ADAPTIVE_MAX -> PoolLayer.adaptiveMax(output);
            case ADAPTIVE_AVG -> PoolLayer.adaptiveAvg(output);
        };
        if (stride != null) p.stride(stride);
        if (dilation != null) p.dilation(dilation);
        if (padBegin != null) p.padding(padBegin, padEnd);
        if (ceil) p.ceilMode(true);
        if (excludePad) p.countIncludePad(false);
        return p;
    }

    /** {@code AxBxC} with {@code rank} entries (any rank when negative). */
    private static int[] list(String s, int rank, String what) {
        if (!LIST.matcher(s).matches()) throw new IllegalArgumentException(what + ": '" + s + "' is not a list like 3x3x5");
        int[] v = Arrays.stream(s.split("x")).mapToInt(x -> {
            try {
                return Integer.parseInt(x);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + ": " + x + " is too large");
            }
        }).toArray();
        if (rank >= 0 && v.length != rank) throw new IllegalArgumentException(what + ": " + v.length + " values (" + s + ") for rank " + rank);
        return v;
    }

    private static int positiveInt(String s, String what) {
        try {
            int v = Integer.parseInt(s);
            if (v < 1) throw new IllegalArgumentException(what + ": must be >= 1, got " + s);
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": '" + s + "' is not a positive integer");
        }
    }

    private static double number(String s, String what) {
        try {
            double v = Double.parseDouble(s);
            if (!Double.isFinite(v) || v < 0) throw new IllegalArgumentException(what + ": must be finite and >= 0, got " + s);
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": '" + s + "' is not a number");
        }
    }

    /** The layer line without the suite-only words (initialiser, output padding): what describe() prints. */
    static String describeForm(String line) {
        StringBuilder b = new StringBuilder();
        for (String t : line.strip().split("\\s+")) {
            if (t.equals("he") || t.equals("glorot") || t.startsWith("op")) continue;
            b.append(b.isEmpty() ? "" : " ").append(t);
        }
        return b.toString();
    }
}
