package io.jtrain.djlbench;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

/**
 * DJL training throughput for the jtrain presets: {@code DjlBench PRESET BATCH WARMUP STEPS} prints one JSON
 * object like tests/pytorch/bench_torch.py (same models, optimizers, learning rates, random MNIST-shaped inputs).
 * Threads: -Dai.djl.pytorch.num_threads=N -Dai.djl.pytorch.num_interop_threads=1.
 */
public final class DjlBench {
    private DjlBench() { }

    public static void main(String[] args) throws Exception {
        String name = args[0];
        int batch = Integer.parseInt(args[1]);
        int warmup = Integer.parseInt(args[2]);
        int steps = Integer.parseInt(args[3]);
        try (Model model = Model.newInstance(name, "PyTorch")) {
            model.setBlock(block(name));
            DefaultTrainingConfig cfg = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(
                optimizer(name));
            try (Trainer trainer = model.newTrainer(cfg)) {
                trainer.initialize(new Shape(batch, 1, 28, 28));
                NDManager m = trainer.getManager();
                int pool = 8;
                NDArray[] xs = new NDArray[pool];
                NDArray[] ys = new NDArray[pool];
                for (int i = 0; i < pool; i++) {
                    xs[i] = m.randomNormal(new Shape(batch, 1, 28, 28));
                    ys[i] = m.randomInteger(0, 10, new Shape(batch), DataType.INT64);
                }
                long t0 = 0;
                for (int s = 0; s < warmup + steps; s++) {
                    if (s == warmup) {
                        t0 = System.nanoTime();
                    }
                    try (GradientCollector gc = trainer.newGradientCollector()) {
                        NDList pred = trainer.forward(new NDList(xs[s % pool]));
                        NDArray loss = trainer.getLoss().evaluate(new NDList(ys[s % pool]), pred);
                        gc.backward(loss);
                        pred.close();
                        loss.close();
                    }
                    trainer.step();
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                System.out.printf("{\"preset\": \"%s\", \"batch\": %d, \"train_samples_per_s\": %.1f}%n", name, batch,
                    steps * batch / secs);
            }
        }
    }

    private static Optimizer optimizer(String name) {
        if (name.equals("dlfs")) {
            return Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).optMomentum(0.9f).build();
        }
        return Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build();
    }

    private static SequentialBlock block(String name) {
        SequentialBlock b = new SequentialBlock();
        switch (name) {
            case "mlp" -> b.add(Blocks.batchFlattenBlock()).add(Linear.builder().setUnits(256).build())
                .add(Activation::relu).add(Linear.builder().setUnits(256).build()).add(Activation::relu)
                .add(Linear.builder().setUnits(10).build());
            case "dlfs" -> b.add(Blocks.batchFlattenBlock()).add(Linear.builder().setUnits(89).build())
                .add(Activation::tanh).add(Linear.builder().setUnits(10).build());
            case "lenet5" -> b.add(conv(6, 5, 2)).add(Activation::relu).add(Pool.maxPool2dBlock(new Shape(2, 2)))
                .add(conv(16, 5, 0)).add(Activation::relu).add(Pool.maxPool2dBlock(new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock()).add(Linear.builder().setUnits(120).build()).add(Activation::relu)
                .add(Linear.builder().setUnits(84).build()).add(Activation::relu)
                .add(Linear.builder().setUnits(10).build());
            case "cnn-bn" -> {
                convReluBn(b, 32);
                convReluBn(b, 32);
                b.add(Pool.maxPool2dBlock(new Shape(2, 2))).add(Dropout.builder().optRate(0.2f).build());
                convReluBn(b, 64);
                convReluBn(b, 64);
                b.add(Pool.maxPool2dBlock(new Shape(2, 2))).add(Dropout.builder().optRate(0.3f).build())
                    .add(Blocks.batchFlattenBlock()).add(Linear.builder().setUnits(10).build());
            }
            default -> throw new IllegalArgumentException("unknown preset " + name);
        }
        return b;
    }

    private static Conv2d conv(int filters, int k, int pad) {
        return Conv2d.builder().setFilters(filters).setKernelShape(new Shape(k, k)).optPadding(new Shape(pad, pad))
            .build();
    }

    private static void convReluBn(SequentialBlock b, int filters) {
        b.add(conv(filters, 3, 1)).add(Activation::relu).add(BatchNorm.builder().build());
    }
}
