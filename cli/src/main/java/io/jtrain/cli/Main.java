package io.jtrain.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jtrain} command line. */
@Command(name = "jtrain", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Deep-learning training on the JVM: CPU (OpenBLAS) or NVIDIA GPU.",
    subcommands = {TrainCommand.class, EvalCommand.class, PredictCommand.class, SummaryCommand.class,
        DevicesCommand.class, BenchCommand.class, ProbeCommand.class, DoctorCommand.class, SelftestCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "Examples:", "  jtrain train                      train lenet5 on the embedded Fashion-MNIST subset",
        "  jtrain train --preset dlfs --data mnist --epochs 5",
        "  jtrain eval runs/lenet5-20260101-120000/best", "",
        "Exit codes: 0 ok, 1 internal error, 2 usage or job file, 3 data or model file, 4 out of memory,",
        "5 training diverged, 6 output not writable, 7 device unavailable, 130 interrupted (after saving)."})
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.err);
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line and returns the exit code (for tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            Throwable cause = unwrap(e);
            boolean verbose = verbose(parsed);
            err.println("jtrain: " + ExitCodes.label(cause) + ": " + message(cause));
            if (verbose || ExitCodes.of(cause) == ExitCodes.INTERNAL) {
                if (verbose) {
                    cause.printStackTrace(err);
                } else {
                    err.println("(this is a bug in jtrain; run again with --verbose for the stack trace)");
                }
            }
            err.flush();
            return ExitCodes.of(cause);
        });
        cl.setParameterExceptionHandler((e, a) -> {
            err.println("jtrain: error: " + e.getMessage());
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            err.flush();
            return ExitCodes.USAGE;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    static boolean verbose(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CommandLine.ExecutionException || t instanceof java.io.UncheckedIOException)
            && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static String message(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getName() : m.lines().findFirst().orElse(m);
    }

    /** --version: jtrain and the libraries it runs on. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"jtrain " + version(), "Java " + System.getProperty("java.version") + " ("
                + System.getProperty("java.vm.name") + ")", "OpenBLAS (bytedeco) 0.3.28-1.5.11"};
        }
    }

    public static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-dev" : v;
    }
}
