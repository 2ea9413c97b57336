package io.jtrain.cli;

import io.jtrain.backend.DeviceUnavailableException;
import io.jtrain.job.JobException;
import io.jtrain.data.DataException;
import io.jtrain.nn.ShapeException;
import io.jtrain.nn.SpecException;
import io.jtrain.tensor.OutOfMemoryException;
import io.jtrain.train.DivergedException;
import io.jtrain.train.TrainingInterrupted;
import io.jtrain.util.OutputException;

/** The exit codes of every command (docs/cli.md has the same table). */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int INTERNAL = 1;
    public static final int USAGE = 2;
    public static final int DATA = 3;
    public static final int OUT_OF_MEMORY = 4;
    public static final int DIVERGED = 5;
    public static final int OUTPUT = 6;
    public static final int DEVICE = 7;
    public static final int DOCTOR_FOUND_ERROR = 8;
    public static final int INTERRUPTED = 130;
    public static final int TERMINATED = 143;

    private ExitCodes() { }

    /** The exit code for an exception that reached the command line. */
    public static int of(Throwable e) {
        if (e instanceof JobException || e instanceof ShapeException || e instanceof SpecException
            || e instanceof io.jtrain.util.UsageException) {
            return USAGE;
        }
        if (e instanceof DataException) {
            return DATA;
        }
        if (e instanceof OutOfMemoryException || e instanceof OutOfMemoryError) {
            return OUT_OF_MEMORY;
        }
        if (e instanceof DivergedException) {
            return DIVERGED;
        }
        if (e instanceof OutputException) {
            return OUTPUT;
        }
        if (e instanceof DeviceUnavailableException) {
            return DEVICE;
        }
        if (e instanceof TrainingInterrupted t) {
            return "TERM".equals(t.signal()) ? TERMINATED : INTERRUPTED;
        }
        if (e instanceof io.jtrain.diagnose.TrainingMonitor.StopOnError) {
            return DOCTOR_FOUND_ERROR;
        }
        return INTERNAL;
    }

    /** The machine-readable name of an exit code (docs/cli.md), for {@code --json} errors. */
    public static String name(int code) {
        return switch (code) {
            case OK -> "ok";
            case USAGE -> "usage";
            case DATA -> "data";
            case OUT_OF_MEMORY -> "out_of_memory";
            case DIVERGED -> "diverged";
            case OUTPUT -> "output";
            case DEVICE -> "device_unavailable";
            case DOCTOR_FOUND_ERROR -> "doctor";
            case INTERRUPTED, TERMINATED -> "interrupted";
            default -> "internal";
        };
    }

    /** The prefix of the one-line message for an exception class. */
    public static String label(Throwable e) {
        return switch (of(e)) {
            case USAGE -> "error";
            case DATA -> "data error";
            case OUT_OF_MEMORY -> "out of memory";
            case DIVERGED -> "training diverged";
            case OUTPUT -> "output error";
            case DEVICE -> "device unavailable";
            case INTERRUPTED, TERMINATED -> "interrupted";
            case DOCTOR_FOUND_ERROR -> "doctor";
            default -> "internal error";
        };
    }
}
