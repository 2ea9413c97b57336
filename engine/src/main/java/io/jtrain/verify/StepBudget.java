package io.jtrain.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jtrain.backend.GpuOptions;
import io.jtrain.backend.cuda.CountingCudaApi;
import io.jtrain.backend.cuda.CountingCudnnApi;
import io.jtrain.backend.cuda.CudaBackend;
import io.jtrain.backend.cuda.CudnnDecision;
import io.jtrain.backend.cuda.DeviceCounters;
import io.jtrain.backend.cuda.NullCudaApi;
import io.jtrain.backend.cuda.NullCudnnApi;
import io.jtrain.data.Dataset;
import io.jtrain.data.Normalization;
import io.jtrain.job.JobSpec;
import io.jtrain.run.PreparedData;
import io.jtrain.run.RunListener;
import io.jtrain.run.TrainingRun;
import io.jtrain.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The GPU step budget, measured without a GPU: a preset trains for 12 steps on the recording fake device
 * ({@link CountingCudaApi} around {@link NullCudaApi}; with {@code cudnn}, cuDNN mocked by
 * {@link NullCudnnApi}), with the live monitor on and {@code clip_norm: 1.0}, and every step's launches
 * (kernels plus cuBLAS and cuDNN calls), blocking calls, copies in each direction and device allocations
 * are counted. Each figure reported is the maximum over steps 2 to 11. The limits asserted in CI: launches
 * the same at batch 64 and 256, at most one blocking call and two uploads per step, no allocation after the
 * first step. {@code main} prints the 8 JSON lines of {@code scripts/gpu-step-budget.sh}.
 */
public final class StepBudget {
    static final int STEPS = 12;
    private static final ObjectMapper JSON = new ObjectMapper();

    private StepBudget() { }

    /** The budget of one configuration (maxima over steps 2–11). */
    public record Result(String model, int batch, boolean cudnn, long launches, long blockingSyncs, long hostToDevice,
                         long deviceToHost, long deviceAllocsAfterStep1) {
        public String json() {
            ObjectNode o = JSON.createObjectNode();
            o.put("model", model);
            o.put("batch", batch);
            o.put("cudnn", cudnn);
            o.put("launches_per_step", launches);
            o.put("blocking_syncs_per_step", blockingSyncs);
            o.put("h2d_copies_per_step", hostToDevice);
            o.put("d2h_copies_per_step", deviceToHost);
            o.put("device_allocs_after_step1", deviceAllocsAfterStep1);
            return o.toString();
        }
    }

    /** Trains {@code preset} for 12 steps at {@code batch} on the recording device and returns the budget. */
    public static Result measure(String preset, int batch, boolean cudnn) {
        DeviceCounters counters = new DeviceCounters();
        CudaBackend.CudnnSource source = (dev, o) -> new CudaBackend.CudnnChoice(CudnnDecision.check(8907, 12020,
            dev.ccMajor(), dev.ccMinor()), new CountingCudnnApi(new NullCudnnApi(), counters));
        List<DeviceCounters.Snapshot> ends = new ArrayList<>();
        try (CudaBackend be = CudaBackend.open(new CountingCudaApi(new NullCudaApi(), counters), 0, 0,
            new GpuOptions(cudnn, false), source)) {
            if (cudnn != be.cudnnDecision().enabled()) {
                throw new IllegalStateException("the mocked cuDNN was not taken: " + be.cudnnDecision().line());
            }
            JobSpec job = JobSpec.defaults().with(Map.of("model.preset", preset, "training.batch_size",
                Integer.toString(batch), "training.epochs", "1", "training.seed", "7", "optimizer.name", "adam",
                "optimizer.lr", "0.001", "optimizer.clip_norm", "1.0", "data.validation", "0"));
            PreparedData data = new PreparedData(synthetic(STEPS * batch), null, null, Normalization.none(), null);
            ends.add(counters.snapshot());
            TrainingRun.of(job).backend(be).data(data).inMemory().listener(new RunListener() {
                @Override
                public void stepEnd(StepEnd e) {
                    ends.add(counters.snapshot());
                }
            }).build().run();
        }
        long[] max = new long[5];
        for (int s = 2; s <= STEPS - 1; s++) {
            DeviceCounters.Snapshot d = ends.get(s).minus(ends.get(s - 1));
            long[] v = {d.launches(), d.blockingSyncs(), d.hostToDevice(), d.deviceToHost(), d.deviceAllocs()};
            for (int i = 0; i < v.length; i++) {
                max[i] = Math.max(max[i], v[i]);
            }
        }
        return new Result(preset, batch, cudnn, max[0], max[1], max[2], max[3], max[4]);
    }

    /** Uniform inputs and labels of Fashion-MNIST's shape (values do not matter on the fake device). */
    static Dataset synthetic(int n) {
        SplittableRandom r = new SplittableRandom(7);
        float[] x = new float[n * 784];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble();
        }
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(10);
        }
        String[] names = new String[10];
        java.util.Arrays.setAll(names, Integer::toString);
        return new Dataset("synthetic", Shape.of(1, 28, 28), x, y, 1, 10, names);
    }

    /** The 8 configurations, in the order the script prints them. */
    public static List<Result> all() {
        List<Result> rs = new ArrayList<>();
        for (String model : List.of("lenet5", "cnn-bn")) {
            for (int batch : new int[] {64, 256}) {
                for (boolean cudnn : new boolean[] {false, true}) {
                    rs.add(measure(model, batch, cudnn));
                }
            }
        }
        return rs;
    }

    /** Prints one JSON line per configuration to standard output; nothing else goes there. */
    public static void main(String[] args) {
        for (Result r : all()) {
            System.out.println(r.json());
        }
        System.err.println("step budget: maxima over steps 2-" + (STEPS - 1) + " of " + STEPS + " on the recording "
            + "fake device (no GPU), live monitor on, clip_norm 1.0");
    }
}
