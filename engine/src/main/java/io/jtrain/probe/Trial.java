package io.jtrain.probe;

/** Runs one trial at a batch size; must leave the memory pool at its baseline whatever happens. */
@FunctionalInterface
public interface Trial {
    TrialResult run(int batchSize);
}
