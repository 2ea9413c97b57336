package io.jtrain.train;

/**
 * Training stopped on request after a checkpoint was written: Ctrl-C (SIGINT, exit code 130), SIGTERM (exit
 * 143, as 128 + 15 for a process that handled the signal), or {@code TrainingRun.requestStop()} from Java.
 */
public final class TrainingInterrupted extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int epoch;
    private final int step;
    private final String signal;

    public TrainingInterrupted(int epoch, int step) {
        this(epoch, step, null);
    }

    private TrainingInterrupted(int epoch, int step, String signal) {
        super("interrupted" + (signal == null ? "" : " by SIG" + signal) + " at epoch " + epoch + ", step " + step
            + "; a checkpoint was saved: continue with --resume");
        this.epoch = epoch;
        this.step = step;
        this.signal = signal;
    }

    /** The same interruption, attributed to a signal ("INT", "TERM"). */
    public TrainingInterrupted bySignal(String name) {
        TrainingInterrupted t = new TrainingInterrupted(epoch, step, name);
        t.setStackTrace(getStackTrace());
        return t;
    }

    public int epoch() {
        return epoch;
    }

    public int step() {
        return step;
    }

    /** The signal that asked for the stop ("INT", "TERM"), or null (a request from code). */
    public String signal() {
        return signal;
    }
}
