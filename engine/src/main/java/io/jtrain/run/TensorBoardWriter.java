package io.jtrain.run;

import io.jtrain.train.EpochMetrics;
import io.jtrain.util.Proto;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * TensorBoard event files of a run in Keras's layout, so that training and validation curves overlay:
 * {@code RUN/tb/train/}, {@code RUN/tb/validation/} and (when the test split is evaluated during training)
 * {@code RUN/tb/test/}, each holding {@code events.out.tfevents.SECONDS.HOST.PID}; {@code tensorboard --logdir
 * RUN/tb} reads them. Scalars, all at the global optimizer step: {@code batch_loss} (the running loss) and
 * {@code batch_learning_rate} every {@link #STEP_EVERY} steps and at each epoch's last; at the end of each
 * epoch {@code epoch_loss}, {@code epoch_accuracy} (classification), {@code epoch_mae}, {@code epoch_rmse}
 * (regression) in each split's folder, and {@code epoch_learning_rate} in train/; with histograms on, one
 * histogram per parameter tensor ({@code weights/NAME}, e.g. {@code weights/1.weight}) in train/ after each
 * epoch (TensorBoard's Histograms tab). A resumed run appends new
 * files that begin with a {@code SessionLog.START} event at the first step it trains, so TensorBoard drops
 * what the interrupted run had written from that step on. The format is TensorFlow's: TFRecord framing
 * (length, masked CRC-32C of the length, the record, masked CRC-32C of the record) around {@code Event}
 * messages encoded with {@link Proto} from TensorBoard's published field numbers (docs/dependencies.md).
 * Flushed after every epoch.
 */
public final class TensorBoardWriter implements RunListener, AutoCloseable {
    /** Optimizer steps between two {@code batch_*} scalars. */
    public static final int STEP_EVERY = 10;
    /** Buckets of a parameter histogram. */
    static final int BUCKETS = 30;
    private final Path dir;
    private final boolean histograms;
    private io.jtrain.nn.Sequential model;
    private Path root;
    private final Map<String, OutputStream> out = new LinkedHashMap<>();
    private int stepsPerEpoch;
    private boolean resumed;
    private long lastStep;
    /** The step of the resumed run's SessionLog.START, once written; -1 before (or in a fresh run). */
    private long resumedAt = -1;

    /** Writes into {@code dir} (null: the run directory's {@code tb/}). */
    public TensorBoardWriter(Path dir) {
        this(dir, false);
    }

    /** As {@link #TensorBoardWriter(Path)}, with a histogram of every parameter tensor after each epoch. */
    public TensorBoardWriter(Path dir, boolean histograms) {
        this.dir = dir;
        this.histograms = histograms;
    }

    @Override
    public void started(Started s) {
        root = dir != null ? dir : s.runDir() == null ? null : s.runDir().resolve("tb");
        resumed = s.firstEpoch() > 1;
        model = s.model();
        if (root != null) {
            open("train");
            open("validation");
        }
    }

    @Override
    public void epochStart(EpochStart e) {
        stepsPerEpoch = e.steps();
    }

    @Override
    public void stepEnd(StepEnd e) {
        if (root == null) {
            return;
        }
        long global = (long) (e.epoch() - 1) * stepsPerEpoch + e.step();
        lastStep = global;
        if (resumed) {
            resumed = false;
            resumedAt = global;
            for (OutputStream o : out.values()) {
                record(o, sessionStart(global));
            }
        }
        if (global % STEP_EVERY == 0 || e.step() == e.steps()) {
            scalar("train", "batch_loss", global, e.loss());
            scalar("train", "batch_learning_rate", global, e.lr());
        }
    }

    @Override
    public void epochEnd(EpochEnd e) {
        if (root == null) {
            return;
        }
        EpochMetrics m = e.metrics();
        long step = lastStep;
        scalar("train", "epoch_learning_rate", step, m.lr());
        if (histograms && model != null) {
            for (io.jtrain.nn.Parameter p : model.parameters()) {
                float[] v = new float[(int) p.value().size()];
                model.backend().download(p.value(), v, 0);
                record(open("train"), histogram(System.currentTimeMillis() / 1000.0, step, "weights/" + p.name(), v));
            }
        }
        for (String split : new String[] {"train", "validation", "test"}) {
            String prefix = split.equals("train") ? "" : split.equals("validation") ? "val_" : "test_";
            for (String metric : new String[] {"loss", "accuracy", "mae", "rmse"}) {
                Double v = m.metric(prefix + metric);
                if (v != null && Double.isFinite(v)) {
                    scalar(split, "epoch_" + metric, step, v);
                }
            }
        }
        try {
            for (OutputStream o : out.values()) {
                o.flush();
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("TensorBoard: cannot write the event files (" + ex.getMessage() + ")", ex);
        }
    }

    @Override
    public void finished(RunResult result) {
        close();
    }

    @Override
    public void close() {
        IOException first = null;
        for (OutputStream o : out.values()) {
            try {
                o.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        out.clear();
        root = null;
        if (first != null) {
            throw new UncheckedIOException(first);
        }
    }

    /** The split's event file, opened (with its file_version record) on first use. */
    private OutputStream open(String split) {
        OutputStream o = out.get(split);
        if (o != null) {
            return o;
        }
        Path d = root.resolve(split);
        try {
            Files.createDirectories(d);
            long now = System.currentTimeMillis();
            o = Files.newOutputStream(d.resolve("events.out.tfevents." + now / 1000 + "." + host() + "."
                + ProcessHandle.current().pid()));
            out.put(split, o);
            record(o, new Proto().fixed64(1, now / 1000.0).varint(2, 0).string(3, "brain.Event:2").toByteArray());
            if (resumedAt >= 0) {
                record(o, sessionStart(resumedAt));    // a file opened after the resumed run's first step
            }
            return o;
        } catch (IOException e) {
            throw new UncheckedIOException("TensorBoard: cannot write " + d + " (" + e.getMessage() + ")", e);
        }
    }

    private static String host() {
        try {
            String h = java.net.InetAddress.getLocalHost().getHostName();
            return h.replaceAll("[^A-Za-z0-9.-]", "_");
        } catch (IOException e) {
            return "localhost";
        }
    }

    private void scalar(String split, String tag, long step, double value) {
        record(open(split), event(System.currentTimeMillis() / 1000.0, step, tag, (float) value));
    }

    /** Event: wall_time (1, double), step (2, int64), summary (5) = Summary {value (1): {tag (1), simple_value (2)}}. */
    static byte[] event(double wallTime, long step, String tag, float value) {
        Proto v = new Proto().string(1, tag).fixed32(2, value);
        return new Proto().fixed64(1, wallTime).varint(2, step).message(5, new Proto().message(1, v)).toByteArray();
    }

    /**
     * Event with summary (5) = Summary {value (1): {tag (1), histo (5) = HistogramProto {min (1), max (2), num (3),
     * sum (4), sum_squares (5), bucket_limit (6, packed), bucket (7, packed)}}}: {@link #BUCKETS} equal-width
     * buckets from the minimum to the maximum, each limit the bucket's right edge.
     */
    static byte[] histogram(double wallTime, long step, String tag, float[] v) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        double sq = 0;
        for (float f : v) {
            min = Math.min(min, f);
            max = Math.max(max, f);
            sum += f;
            sq += (double) f * f;
        }
        if (v.length == 0) {
            min = 0;
            max = 0;
        }
        double width = max > min ? (max - min) / BUCKETS : 1;
        double[] limits = new double[BUCKETS];
        double[] counts = new double[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            limits[i] = i == BUCKETS - 1 ? max : min + (i + 1) * width;
        }
        for (float f : v) {
            counts[Math.min(BUCKETS - 1, (int) ((f - min) / width))]++;
        }
        Proto h = new Proto().fixed64(1, min).fixed64(2, max).fixed64(3, v.length).fixed64(4, sum).fixed64(5, sq)
            .packedDoubles(6, limits).packedDoubles(7, counts);
        Proto value = new Proto().string(1, tag).message(5, h);
        return new Proto().fixed64(1, wallTime).varint(2, step).message(5, new Proto().message(1, value)).toByteArray();
    }

    /** Event with session_log (6) = SessionLog {status (1): START = 1}, at {@code step}. */
    private byte[] sessionStart(long step) {
        return new Proto().fixed64(1, System.currentTimeMillis() / 1000.0).varint(2, step)
            .message(6, new Proto().varint(1, 1)).toByteArray();
    }

    private static void record(OutputStream o, byte[] data) {
        try {
            byte[] len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length).array();
            o.write(len);
            o.write(le32(maskedCrc(len)));
            o.write(data);
            o.write(le32(maskedCrc(data)));
        } catch (IOException e) {
            throw new UncheckedIOException("TensorBoard: cannot write the event file (" + e.getMessage() + ")", e);
        }
    }

    /** TFRecord's masked CRC-32C: rotate right by 15 and add 0xa282ead8. */
    static int maskedCrc(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b);
        int crc = (int) c.getValue();
        return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
    }

    private static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }
}
