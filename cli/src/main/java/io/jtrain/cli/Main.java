package io.jtrain.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jtrain} command line. */
@Command(name = "jtrain", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Deep-learning training on the JVM: CPU (OpenBLAS) or NVIDIA GPU.",
    subcommands = {TrainCommand.class, EvalCommand.class, PredictCommand.class, SummaryCommand.class,
        DevicesCommand.class, BenchCommand.class, ProbeCommand.class, DoctorCommand.class, SelftestCommand.class,
        LrFindCommand.class, ExportCommand.class, CompletionCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "Examples:", "  jtrain train                      train lenet5 on the embedded Fashion-MNIST subset",
        "  jtrain train --preset dlfs --data mnist --epochs 5",
        "  jtrain eval runs/lenet5-20260101-120000/best", "",
        "Exit codes: 0 ok, 1 internal error, 2 usage or job file, 3 data or model file, 4 out of memory,",
        "5 training diverged, 6 output not writable, 7 device unavailable, 8 doctor found an error,",
        "130 interrupted by Ctrl-C, 143 stopped by SIGTERM (both after saving a checkpoint)."})
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
        onlyRelevant(cl);
        cl.setOut(out);
        cl.setErr(err);
        boolean json = java.util.Arrays.asList(args).contains("--json");
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> jsonError(report(unwrap(e), verbose(parsed), err),
            describe(unwrap(e)), json, out));
        cl.setParameterExceptionHandler((e, a) -> {
            String unused = unused(e);
            err.println("jtrain: error: " + (unused != null ? unused : e.getMessage()));
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            err.flush();
            return jsonError(ExitCodes.USAGE, e.getMessage(), json, out);
        });
        int code;
        try {
            code = cl.execute(args);
        } catch (Throwable t) {
            code = jsonError(report(unwrap(t), java.util.Arrays.asList(args).contains("--verbose"), err),
                describe(unwrap(t)), json, out);
        }
        out.flush();
        err.flush();
        return code;
    }

    /**
     * The shared job options a command has no use for, removed from it (so its --help lists only what it uses
     * and a flag that would do nothing is refused, with a did-you-mean): summary runs nothing; bench and probe
     * time steps and write no run directory.
     */
    private static final java.util.Map<String, java.util.List<String>> IRRELEVANT = java.util.Map.of(
        "summary", java.util.List.of("--force", "--out", "--epochs", "--lr", "--seed", "--device", "--cudnn",
            "--deterministic", "--onednn", "--memory-limit", "--download", "--mirror"),
        "bench", java.util.List.of("--epochs", "--force", "--out"),
        "probe", java.util.List.of("--epochs", "--force", "--out"));

    /** The message for a shared job option given to a command that has no use for it, or null. */
    private static String unused(CommandLine.ParameterException e) {
        String cmd = e.getCommandLine().getCommandName();
        java.util.List<String> names = IRRELEVANT.get(cmd);
        if (names == null || !(e instanceof CommandLine.UnmatchedArgumentException u)) {
            return null;
        }
        for (String arg : u.getUnmatched()) {
            String flag = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            if (names.contains(flag)) {
                return flag + " has no effect on 'jtrain " + cmd + "' (" + (cmd.equals("summary") ? "it runs nothing"
                    : "it times training steps and writes no run directory") + "); remove it, or use it with "
                    + "'jtrain train'";
            }
        }
        return null;
    }

    static void onlyRelevant(CommandLine cl) {
        IRRELEVANT.forEach((cmd, names) -> {
            CommandLine sub = cl.getSubcommands().get(cmd);
            for (String n : names) {
                CommandLine.Model.OptionSpec o = sub.getCommandSpec().findOption(n);
                if (o != null) {
                    sub.getCommandSpec().remove(o);
                }
            }
        });
    }

    /**
     * The one {@code jtrain:} line for a failure (with the stack trace under --verbose, or the bug notice for
     * an internal error) and its exit code. Errors of the JVM get messages of their own: the heap is too small
     * (exit 4), a library failed to load (exit 1), the stack overflowed (exit 1, a bug).
     */
    static int report(Throwable cause, boolean verbose, PrintWriter err) {
        int code = ExitCodes.of(cause);
        err.println("jtrain: " + ExitCodes.label(cause) + ": " + describe(cause));
        if (verbose) {
            cause.printStackTrace(err);
        } else if (code == ExitCodes.INTERNAL) {
            err.println("(this is a bug in jtrain; run again with --verbose for the stack trace)");
        }
        err.flush();
        return code;
    }

    /**
     * With {@code --json}, a failure prints only {@code {"error": {"code": NAME, "exit": N, "message": TEXT}}} on
     * standard output (the {@code jtrain:} line stays on standard error), so that a script reading standard
     * output always gets one JSON object.
     */
    static int jsonError(int code, String message, boolean json, PrintWriter out) {
        if (json) {
            com.fasterxml.jackson.databind.node.ObjectNode root = io.jtrain.run.RunDirectory.JSON.createObjectNode();
            com.fasterxml.jackson.databind.node.ObjectNode e = root.putObject("error");
            e.put("code", ExitCodes.name(code));
            e.put("exit", code);
            e.put("message", message);
            out.println(root.toPrettyString());
            out.flush();
        }
        return code;
    }

    static String describe(Throwable t) {
        if (t instanceof OutOfMemoryError) {
            return "the Java heap is full (" + message(t) + ", maximum " + io.jtrain.util.Sizes.format(Runtime
                .getRuntime().maxMemory()) + "); give Java more with JAVA_OPTS=-Xmx8g (bin/jtrain passes it on), or "
                + "use less data (data.limit) or a smaller evaluation batch";
        }
        if (t instanceof StackOverflowError) {
            return "stack overflow";
        }
        if (t instanceof LinkageError) {
            return "a class or native library failed to load (" + t.getClass().getSimpleName() + ": " + message(t)
                + "); jtrain runs on Linux x86-64 with Java 17 or later — check that the jar is complete";
        }
        return message(t);
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
