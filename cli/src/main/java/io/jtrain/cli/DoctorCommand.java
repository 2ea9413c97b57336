package io.jtrain.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jtrain.job.JobSpec;
import io.jtrain.run.PreparedData;
import io.jtrain.run.RunDirectory;
import io.jtrain.data.DataException;
import io.jtrain.diagnose.Doctor;
import io.jtrain.diagnose.Finding;
import io.jtrain.nn.ModelSpec;
import io.jtrain.train.TrainConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jtrain doctor JOB}: find out why a network is stuck, with evidence and a fix. */
@Command(name = "doctor", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Check a job's data and model, run a short diagnostic training, and report problems with fixes.",
    footer = {"", "Examples:", "  jtrain doctor examples/lenet5.yaml", "  jtrain doctor job.yaml --epochs 5 --json",
        "  jtrain doctor job.yaml --target-error 0.02", "",
        "Exit codes: 0 no error-level finding, 8 at least one, others as for train."})
public final class DoctorCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "JOB.yaml", description = "Job file (optional).")
    Path jobFile;

    @Mixin
    CommonOptions common;

    @Option(names = "--target-error", paramLabel = "E",
        description = "Training error you expect to reach (e.g. human-level); enables the underfitting check.")
    Double targetError;

    @Option(names = "--chart", paramLabel = "FILE.png", description = "Learning-rate range test chart "
        + "(default: lr-range.png).")
    Path chart;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        io.jtrain.job.Jobs.Loaded loaded = common.load(jobFile, err);
        JobSpec job = loaded.spec();
        if (common.epochs == null) {
            job = job.withEpochs(Math.min(3, job.training().epochs()));
        }
        Doctor.Report report = Doctor.examine(job, common.runOptions(err), targetError, l -> {
            err.println(l);
            err.flush();
        }, f -> {
            err.println("  found: " + f);
            err.flush();
        });
        if (!report.lrRates().isEmpty()) {
            Charts.xy(chart != null ? chart : Path.of("lr-range.png"), "Learning-rate range test", "learning rate",
                "smoothed loss", report.lrRates(), report.lrLosses(), true);
        }
        return print(out, err, report);
    }

    /** The fix as flags: --set key=value ... */
    static String setFlags(Finding f) {
        StringBuilder sb = new StringBuilder();
        new java.util.TreeMap<>(f.set()).forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append("--set ")
            .append(k).append('=').append(v));
        return sb.toString();
    }

    private int print(PrintWriter out, PrintWriter err, Doctor.Report r) {
        if (common.json) {
            ObjectNode o = RunDirectory.JSON.createObjectNode();
            ArrayNode fs = o.putArray("findings");
            for (Finding f : r.findings()) {
                ObjectNode n = fs.addObject();
                n.put("id", f.id());
                n.put("severity", f.severity().id());
                n.put("summary", f.summary());
                n.put("evidence", f.evidence());
                n.put("cause", f.cause());
                ObjectNode fix = n.putObject("fix");
                fix.put("text", f.fix());
                ObjectNode set = fix.putObject("set");
                f.set().forEach(set::put);
            }
            if (Double.isNaN(r.suggestedLr())) {
                o.putNull("suggested_lr");
            } else {
                o.put("suggested_lr", r.suggestedLr());
            }
            o.put("errors", r.findings().stream().filter(f -> f.severity() == Finding.Severity.ERROR).count());
            out.println(o.toPrettyString());
        } else if (r.findings().isEmpty()) {
            out.println("no problems found");
        } else {
            for (Finding f : r.findings()) {
                out.println(String.format(Locale.ROOT, "%s %s: %s%n  evidence: %s%n  cause:    %s%n  fix:      %s%s",
                    f.severity().id().toUpperCase(Locale.ROOT), f.id(), f.summary(), f.evidence(), f.cause(), f.fix(),
                    f.set().isEmpty() ? "" : "\n  job:      " + setFlags(f)));
            }
        }
        out.flush();
        return r.hasError() ? ExitCodes.DOCTOR_FOUND_ERROR : ExitCodes.OK;
    }
}
