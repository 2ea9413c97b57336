package io.jtrain.doctor;

import io.jtrain.backend.cpu.CpuBackend;
import io.jtrain.diagnose.Doctor;
import io.jtrain.diagnose.Finding;
import io.jtrain.job.JobSpec;
import io.jtrain.job.Jobs;
import io.jtrain.run.PreparedData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/** Runs the doctor on suite cases and measures precision and recall per fault kind. */
final class EvalRunner {
    /** Ids that are facts or information, not diagnoses of a fault kind. */
    static final Set<String> NOT_DIAGNOSES = Set.of("nan_in_training", "constant_features", "network_too_deep",
        "learning_rate_suggestion");

    private EvalRunner() { }

    /**
     * What the doctor said about one case (the warning/error ids and the root cause it ranks first) and what
     * the live diagnosis of a training run said (its root cause, or "refused" when train refuses the job).
     */
    record Outcome(EvalSuite.Case c, Set<String> named, double seconds, String doctorRoot, String liveRoot) {
        boolean agree() {
            return java.util.Objects.equals(doctorRoot, liveRoot) || "refused".equals(liveRoot)
                && io.jtrain.diagnose.Doctor.BLOCKING.contains(doctorRoot);
        }
    }

    static List<Outcome> run(List<EvalSuite.Case> cases, Consumer<String> log) {
        List<Outcome> out = new ArrayList<>();
        try (CpuBackend be = CpuBackend.createDefault()) {
            for (EvalSuite.Case c : cases) {
                long t0 = System.nanoTime();
                Set<String> named = new TreeSet<>();
                String doctorRoot = null;
                String liveRoot = null;
                try {
                    JobSpec job = Jobs.load(c.yaml(), c.name(), List.of()).spec();
                    PreparedData data = PreparedData.prepare(job, c.data().get(), null);
                    Doctor.Report r = Doctor.examine(job, data, be, c.targetError(), f -> { });
                    for (Finding f : r.findings()) {
                        if (f.severity() != Finding.Severity.INFO && !NOT_DIAGNOSES.contains(f.id())) {
                            named.add(f.id());
                        }
                    }
                    doctorRoot = io.jtrain.diagnose.RootCauses.root(r.findings());
                    liveRoot = live(job, data, be, c.targetError());
                } catch (RuntimeException e) {
                    named.add("crashed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
                }
                Outcome o = new Outcome(c, named, (System.nanoTime() - t0) / 1e9, doctorRoot, liveRoot);
                log.accept(String.format(Locale.ROOT, "%-55s %-26s %s root %s live %s (%.1f s)", c.name(),
                    c.fault() == null ? "-" : c.fault(), named, doctorRoot, liveRoot, o.seconds()));
                out.add(o);
            }
        }
        return out;
    }

    /** The root cause the live diagnosis of a training run ranks first (as train prints it), or "refused". */
    static String live(JobSpec job, PreparedData data, io.jtrain.backend.Backend be, Double target) {
        List<Finding> seen = new ArrayList<>();
        try {
            io.jtrain.run.TrainingRun.of(job.with("training.early_stopping.restore_best", "false")).backend(be)
                .data(data).inMemory().options(io.jtrain.run.TrainingRun.Options.defaults().withLiveDiagnosis(true,
                    false, target)).listener(new io.jtrain.run.RunListener() {
                        @Override
                        public void finding(Finding f) {
                            seen.add(f);
                        }
                    }).build().run();
        } catch (io.jtrain.data.DataException | io.jtrain.job.JobException e) {
            return "refused";
        } catch (io.jtrain.train.DivergedException e) {
            seen.add(new Finding("learning_rate_too_high", Finding.Severity.WARNING, "diverged", "", "", ""));
        }
        return io.jtrain.diagnose.RootCauses.root(seen);
    }

    /** Counts per kind: {true positives, false positives, missed}. */
    static Map<String, int[]> counts(List<Outcome> outcomes) {
        Map<String, int[]> m = new LinkedHashMap<>();
        EvalSuite.KINDS.forEach(k -> m.put(k, new int[3]));
        for (Outcome o : outcomes) {
            for (String k : EvalSuite.KINDS) {
                boolean expected = k.equals(o.c().fault());
                boolean found = o.named().contains(k);
                int[] c = m.get(k);
                c[0] += expected && found ? 1 : 0;
                c[1] += !expected && found ? 1 : 0;
                c[2] += expected && !found ? 1 : 0;
            }
        }
        return m;
    }

    /** The 95 % Wilson score interval of k successes in n trials. */
    static double[] wilson(int k, int n) {
        if (n == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double z = 1.959964;
        double p = (double) k / n;
        double d = 1 + z * z / n;
        double centre = (p + z * z / (2 * n)) / d;
        double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / d;
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }

    static String table(List<Outcome> outcomes) {
        StringBuilder sb = new StringBuilder("| fault kind | true pos. | false pos. | missed | precision (95 % CI) "
            + "| recall (95 % CI) |\n|---|---|---|---|---|---|\n");
        counts(outcomes).forEach((k, c) -> {
            double[] pi = wilson(c[0], c[0] + c[1]);
            double[] ri = wilson(c[0], c[0] + c[2]);
            sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %s | %s |%n", k, c[0], c[1], c[2],
                ratio(c[0], c[0] + c[1], pi), ratio(c[0], c[0] + c[2], ri)));
        });
        long healthy = outcomes.stream().filter(o -> o.c().fault() == null).count();
        long noisy = outcomes.stream().filter(o -> o.c().fault() == null && !o.named().isEmpty()).count();
        sb.append(String.format(Locale.ROOT, "%nHealthy and below-threshold jobs with any warning or error: %d of %d.%n",
            noisy, healthy));
        long agree = outcomes.stream().filter(Outcome::agree).count();
        sb.append(String.format(Locale.ROOT, "Live diagnosis (train) ranks the same root cause first as doctor: %d of %d "
            + "jobs.%n", agree, outcomes.size()));
        return sb.toString();
    }

    private static String ratio(int k, int n, double[] ci) {
        return n == 0 ? "—" : String.format(Locale.ROOT, "%.2f (%.2f–%.2f)", (double) k / n, ci[0], ci[1]);
    }
}
