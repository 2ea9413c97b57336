package io.jtrain.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jtrain.diagnose.LrRangeTest;
import io.jtrain.job.Jobs;
import io.jtrain.run.RunDirectory;
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

/**
 * {@code jtrain lr-find [JOB.yaml]}: the learning-rate range test (fastai's LR finder) of a job: one step per
 * rate on an exponential sweep from 1e-6 to 1, the bias-corrected smoothed loss, and a suggested rate (a tenth
 * of the rate at the smoothed minimum) marked on the chart. Exits 0 with or without a suggestion.
 */
@Command(name = "lr-find", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Run the learning-rate range test and suggest a learning rate.",
    footer = {"", "Examples:", "  jtrain lr-find --preset lenet5", "  jtrain lr-find job.yaml --json",
        "  jtrain lr-find --data iris.csv --set optimizer.name=sgd --chart lr.png"})
public final class LrFindCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "JOB.yaml", description = "Job file (optional).")
    Path jobFile;

    @Mixin
    CommonOptions common;

    @Option(names = "--chart", paramLabel = "FILE.png", defaultValue = "lr-find.png", description = "The chart.")
    Path chart;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Jobs.Loaded loaded = common.load(jobFile, err);
        LrRangeTest.Result r = LrRangeTest.forJob(loaded.spec(), common.runOptions(err), l -> {
            err.println(l);
            err.flush();
        });
        Charts.lrFind(chart, r.rates(), r.rawLosses(), r.losses(), r.suggestion());
        if (common.json) {
            ObjectNode o = RunDirectory.JSON.createObjectNode();
            if (Double.isNaN(r.suggestion())) {
                o.putNull("suggested_lr");
            } else {
                o.put("suggested_lr", r.suggestion());
            }
            o.put("reason", r.reason());
            array(o.putArray("lrs"), r.rates());
            array(o.putArray("losses"), r.rawLosses());
            array(o.putArray("smoothed_losses"), r.losses());
            o.put("chart", chart.toString());
            out.println(o.toPrettyString());
        } else {
            out.println(Double.isNaN(r.suggestion()) ? "no suggestion: " + r.reason()
                : String.format(Locale.ROOT, "suggested lr: %.3g", r.suggestion()));
            out.println("chart: " + chart);
        }
        return ExitCodes.OK;
    }

    private static void array(ArrayNode a, List<Double> v) {
        v.forEach(a::add);
    }
}
