package io.jtrain.run;

import io.jtrain.train.EpochMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * TensorBoard scalars of a run: {@code RUN/tensorboard/events.out.tfevents.SECONDS.jtrain}, which
 * {@code tensorboard --logdir RUN/tensorboard} reads. Per epoch: loss, accuracy, val_loss, val_accuracy and lr
 * (step = epoch); every {@link #STEP_EVERY} optimizer steps and at each epoch's last: the running loss as
 * {@code step/loss} (step = global step). The file is TensorFlow's event format: TFRecord framing (length, masked CRC-32C of the
 * length, the record, masked CRC-32C of the record) around {@code Event} protocol buffers, the three small
 * messages encoded here by hand (docs/dependencies.md says why). Flushed after every epoch; a resumed run
 * appends a new file, as TensorBoard expects.
 */
public final class TensorBoardWriter implements RunListener, AutoCloseable {
    /** Optimizer steps between two {@code step/loss} scalars. */
    public static final int STEP_EVERY = 10;
    private final Path dir;
    private OutputStream out;
    private int stepsPerEpoch;

    /** Writes into {@code dir} (created when the run starts; null: the run's directory + "/tensorboard"). */
    public TensorBoardWriter(Path dir) {
        this.dir = dir;
    }

    @Override
    public void started(Started s) {
        Path d = dir != null ? dir : s.runDir() == null ? null : s.runDir().resolve("tensorboard");
        if (d == null) {
            return;
        }
        try {
            Files.createDirectories(d);
            long now = System.currentTimeMillis();
            out = Files.newOutputStream(d.resolve("events.out.tfevents." + now / 1000 + ".jtrain"));
            record(event(now / 1000.0, 0, "brain.Event:2", null, 0));
        } catch (IOException e) {
            throw new UncheckedIOException("TensorBoard: cannot write " + d + " (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public void epochStart(EpochStart e) {
        stepsPerEpoch = e.steps();
    }

    @Override
    public void stepEnd(StepEnd e) {
        long global = (long) (e.epoch() - 1) * stepsPerEpoch + e.step();
        if (out != null && (global % STEP_EVERY == 0 || e.step() == e.steps())) {
            scalar("step/loss", global, e.loss());
        }
    }

    @Override
    public void epochEnd(EpochEnd e) {
        if (out == null) {
            return;
        }
        EpochMetrics m = e.metrics();
        scalar("loss", m.epoch(), m.loss());
        if (m.accuracy() != null) {
            scalar("accuracy", m.epoch(), m.accuracy());
        }
        if (m.valLoss() != null) {
            scalar("val_loss", m.epoch(), m.valLoss());
        }
        if (m.valAccuracy() != null) {
            scalar("val_accuracy", m.epoch(), m.valAccuracy());
        }
        scalar("lr", m.epoch(), m.lr());
        try {
            out.flush();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void finished(RunResult result) {
        close();
    }

    @Override
    public void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                out = null;
            }
        }
    }

    private void scalar(String tag, long step, double value) {
        record(event(System.currentTimeMillis() / 1000.0, step, null, tag, (float) value));
    }

    /** An Event: wall_time (1, double), step (2, int64), file_version (3) or summary (5) with one simple value. */
    static byte[] event(double wallTime, long step, String fileVersion, String tag, float value) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(9); // field 1, fixed64
        b.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(wallTime).array());
        b.write(16); // field 2, varint
        varint(b, step);
        if (fileVersion != null) {
            bytes(b, 3, fileVersion.getBytes(StandardCharsets.UTF_8));
        } else {
            ByteArrayOutputStream v = new ByteArrayOutputStream(); // Summary.Value: tag (1), simple_value (2)
            bytes(v, 1, tag.getBytes(StandardCharsets.UTF_8));
            v.write(21); // field 2, fixed32
            v.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value).array());
            ByteArrayOutputStream summary = new ByteArrayOutputStream(); // Summary: value (1, repeated)
            bytes(summary, 1, v.toByteArray());
            bytes(b, 5, summary.toByteArray());
        }
        return b.toByteArray();
    }

    private void record(byte[] data) {
        try {
            byte[] len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length).array();
            out.write(len);
            out.write(le32(maskedCrc(len)));
            out.write(data);
            out.write(le32(maskedCrc(data)));
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

    private static void bytes(ByteArrayOutputStream b, int field, byte[] data) {
        b.write(field << 3 | 2);
        varint(b, data.length);
        b.writeBytes(data);
    }

    private static void varint(ByteArrayOutputStream b, long v) {
        while ((v & ~0x7fL) != 0) {
            b.write((int) (v & 0x7f) | 0x80);
            v >>>= 7;
        }
        b.write((int) v);
    }
}
