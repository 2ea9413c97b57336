package io.jtrain.model;

import io.jtrain.nn.LayerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Named model presets with the training settings they are known for. Layer lists follow PyTorch's
 * {@code nn.Sequential} order, so parameter names ("0.weight") match an equivalent PyTorch model.
 */
public final class Presets {

    /**
     * A preset: layers plus the optimizer, learning rate and batch size it is meant to train with.
     *
     * @param weightDecayTarget "kernels" for L2 on convolution kernels only, or null for none
     */
    public record Preset(String name, String description, List<LayerSpec> layers, String optimizer, double lr,
                         double momentum, int batchSize, double weightDecay, String weightDecayTarget) { }

    private static final Map<String, Preset> PRESETS = new TreeMap<>();

    static {
        add(new Preset("mlp", "784-256-256-10 multi-layer perceptron with ReLU", mlp(), "adam", 1e-3, 0, 128, 0,
            null));
        add(new Preset("dlfs", "784-89-10 with a tanh hidden layer and Glorot init (Deep Learning from Scratch)",
            dlfs(), "sgd", 0.1, 0.9, 60, 0, null));
        add(new Preset("lenet5", "LeNet-5: conv6 5x5 pad 2, pool, conv16 5x5, pool, dense 120-84-10", lenet5(),
            "adam", 1e-3, 0, 128, 0, null));
        add(new Preset("cnn-bn", "conv32-conv32-pool-drop-conv64-conv64-pool-drop-dense10, ReLU then BatchNorm",
            cnnBn(), "adam", 1e-3, 0, 128, 0, null));
        add(new Preset("vgg-cifar", "six 3x3 convolutions (32-32-64-64-128-128), BatchNorm, pooling and dropout "
            + "per pair, dense 10", vggCifar(), "adam", 1e-4, 0, 128, 1e-4, "kernels"));
    }

    private Presets() { }

    private static void add(Preset p) {
        PRESETS.put(p.name(), p);
    }

    public static Preset get(String name) {
        Preset p = PRESETS.get(name);
        if (p == null) {
            throw new io.jtrain.util.UsageException("unknown preset '" + name + "'; allowed: "
                + String.join(", ", PRESETS.keySet()));
        }
        return p;
    }

    public static List<String> names() {
        return new ArrayList<>(PRESETS.keySet());
    }

    private static LayerSpec l(String type, Object... kv) {
        return LayerSpec.of(type, kv);
    }

    static List<LayerSpec> mlp() {
        return List.of(l("flatten"), l("dense", "units", 256), l("relu"), l("dense", "units", 256), l("relu"),
            l("dense", "units", 10));
    }

    static List<LayerSpec> dlfs() {
        return List.of(l("flatten"), l("dense", "units", 89, "init", "glorot_uniform"), l("tanh"),
            l("dense", "units", 10, "init", "glorot_uniform"));
    }

    static List<LayerSpec> lenet5() {
        return List.of(l("conv2d", "filters", 6, "kernel", 5, "padding", 2), l("relu"), l("max_pool2d", "kernel", 2),
            l("conv2d", "filters", 16, "kernel", 5), l("relu"), l("max_pool2d", "kernel", 2), l("flatten"),
            l("dense", "units", 120), l("relu"), l("dense", "units", 84), l("relu"), l("dense", "units", 10));
    }

    private static void convReluBn(List<LayerSpec> ls, int filters) {
        ls.add(l("conv2d", "filters", filters, "kernel", 3, "padding", "same", "init", "he_uniform"));
        ls.add(l("relu"));
        ls.add(l("batch_norm"));
    }

    static List<LayerSpec> cnnBn() {
        List<LayerSpec> ls = new ArrayList<>();
        convReluBn(ls, 32);
        convReluBn(ls, 32);
        ls.add(l("max_pool2d", "kernel", 2));
        ls.add(l("dropout", "rate", 0.2));
        convReluBn(ls, 64);
        convReluBn(ls, 64);
        ls.add(l("max_pool2d", "kernel", 2));
        ls.add(l("dropout", "rate", 0.3));
        ls.add(l("flatten"));
        ls.add(l("dense", "units", 10));
        return ls;
    }

    static List<LayerSpec> vggCifar() {
        List<LayerSpec> ls = new ArrayList<>();
        int[] filters = {32, 64, 128};
        double[] drop = {0.2, 0.3, 0.4};
        for (int b = 0; b < 3; b++) {
            convReluBn(ls, filters[b]);
            convReluBn(ls, filters[b]);
            ls.add(l("max_pool2d", "kernel", 2));
            ls.add(l("dropout", "rate", drop[b]));
        }
        ls.add(l("flatten"));
        ls.add(l("dense", "units", 10));
        return ls;
    }
}
