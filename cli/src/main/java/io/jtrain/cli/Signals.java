package io.jtrain.cli;

/**
 * SIGINT (Ctrl-C) and SIGTERM ask the trainer to checkpoint and stop (the handler receives the signal's name,
 * so that the exit code says which: 130 or 143); a second signal during the save is
 * ignored so the checkpoint is never torn. Uses {@code sun.misc.Signal} (module jdk.unsupported); where it
 * is unavailable, signals keep their default behaviour and only the last epoch checkpoint survives.
 */
final class Signals {
    private Signals() { }

    /** Restores the previous handlers. */
    interface Handle {
        void restore();
    }

    @SuppressWarnings("removal")
    static Handle install(java.util.function.Consumer<String> onSignal) {
        try {
            sun.misc.SignalHandler h = sig -> onSignal.accept(sig.getName());
            sun.misc.SignalHandler oldInt = sun.misc.Signal.handle(new sun.misc.Signal("INT"), h);
            sun.misc.SignalHandler oldTerm = sun.misc.Signal.handle(new sun.misc.Signal("TERM"), h);
            return () -> {
                sun.misc.Signal.handle(new sun.misc.Signal("INT"), oldInt);
                sun.misc.Signal.handle(new sun.misc.Signal("TERM"), oldTerm);
            };
        } catch (IllegalArgumentException | LinkageError e) {
            return () -> { };
        }
    }
}
