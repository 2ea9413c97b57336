package io.jtrain.verify;

import io.jtrain.backend.Backend;
import io.jtrain.backend.BackendComparison;
import io.jtrain.backend.cuda.CudaBackend;
import io.jtrain.data.DataLocator;
import io.jtrain.data.Dataset;
import io.jtrain.data.Normalization;
import io.jtrain.job.JobSpec;
import io.jtrain.run.PreparedData;
import io.jtrain.run.RunListener;
import io.jtrain.run.TrainingRun;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * 20 Adam steps of a preset (batch 32, seed 7, the embedded data) on the CPU and on the backend under test:
 * the running loss after each step must agree within {@link #LOSS_RTOL} relative (differences compound over
 * steps), and on the CUDA backend a step must make exactly 2 uploads (inputs, labels) and 1 download (its
 * loss accumulator).
 */
final class TrainingComparison {
    static final double LOSS_RTOL = 2e-2;
    static final int STEPS = 20;
    private final Backend cpu;
    private final Backend gpu;
    private final Consumer<String> out;

    TrainingComparison(Backend cpu, Backend gpu, Consumer<String> out) {
        this.cpu = cpu;
        this.gpu = gpu;
        this.out = out;
    }

    List<BackendComparison.Result> run(String preset) {
        List<BackendComparison.Result> rs = new ArrayList<>();
        double[] ref = losses(preset, cpu, null);
        long[] copies = new long[2];
        double[] got = losses(preset, gpu, copies);
        float[] c = new float[ref.length];
        float[] g = new float[got.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = (float) ref[i];
            g[i] = (float) got[i];
        }
        out.accept(preset + ": " + STEPS + " training steps (loss within " + LOSS_RTOL + " relative of the CPU's)");
        double worst = 0;
        String bad = null;
        for (int i = 0; i < c.length; i++) {
            double d = Math.abs(g[i] - (double) c[i]);
            worst = Math.max(worst, Double.isNaN(d) ? Double.POSITIVE_INFINITY : d);
            if (!(d <= 1e-3 + LOSS_RTOL * Math.abs(c[i])) && bad == null) {
                bad = "step " + (i + 1) + ": gpu " + g[i] + ", cpu " + c[i];
            }
        }
        rs.add(new BackendComparison.Result(preset + " running loss", worst, bad));
        if (gpu instanceof CudaBackend) {
            out.accept("  copies in " + STEPS + " steps: " + copies[0] + " to the device (expected " + 2 * STEPS
                + "), " + copies[1] + " to the host (expected " + STEPS + ")");
            boolean ok = copies[0] == 2L * STEPS && copies[1] == STEPS;
            rs.add(new BackendComparison.Result(preset + " copies per step", 0, ok ? null
                : copies[0] + " uploads and " + copies[1] + " downloads in " + STEPS + " steps"));
        }
        return rs;
    }

    /** The running loss of 20 Adam steps; {@code copies} receives the CUDA backend's copy counts. */
    static double[] losses(String preset, Backend be, long[] copies) {
        Dataset raw = DataLocator.embedded().train().head(STEPS * 32);
        Dataset d = Normalization.fit(Normalization.Mode.GLOBAL, raw).applyTo(raw);
        JobSpec job = JobSpec.defaults().with(Map.of("model.preset", preset, "training.batch_size", "32",
            "training.epochs", "1", "training.seed", "7", "optimizer.name", "adam", "optimizer.lr", "0.001",
            "data.validation", "0"));
        List<Double> ls = new ArrayList<>();
        long[][] snap = new long[2][];
        TrainingRun.of(job).backend(be).data(new PreparedData(d, null, null, Normalization.none(), null)).inMemory()
            .options(TrainingRun.Options.defaults().withLiveDiagnosis(false, false, null))
            .listener(new RunListener() {
                @Override
                public void epochStart(EpochStart e) {
                    snap[0] = be instanceof CudaBackend cb ? cb.copies() : null;
                }

                @Override
                public void stepEnd(StepEnd e) {
                    ls.add(e.loss());
                    snap[1] = be instanceof CudaBackend cb ? cb.copies() : null;
                }
            }).build().run();
        if (snap[0] != null && copies != null) {
            copies[0] = snap[1][0] - snap[0][0];
            copies[1] = snap[1][1] - snap[0][1];
        }
        return ls.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
