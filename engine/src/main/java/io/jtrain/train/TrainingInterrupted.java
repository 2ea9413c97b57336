package io.jtrain.train;

/** Training stopped on request (Ctrl-C, SIGTERM) after a checkpoint was written (exit code 130). */
public final class TrainingInterrupted extends RuntimeException {
    private final int epoch;
    private final int step;

    public TrainingInterrupted(int epoch, int step) {
        super("interrupted at epoch " + epoch + ", step " + step + "; a checkpoint was saved: continue with --resume");
        this.epoch = epoch;
        this.step = step;
    }

    public int epoch() {
        return epoch;
    }

    public int step() {
        return step;
    }
}
