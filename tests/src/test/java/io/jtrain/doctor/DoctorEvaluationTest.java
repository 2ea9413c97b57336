package io.jtrain.doctor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The doctor on the extended suite ({@link EvalSuite}). {@link #smoke} — one strong case per fault kind and a
 * healthy job — runs in every {@code mvn verify}; {@link #fullSuite} (tag doctor-eval, about 30 minutes) runs
 * from {@code scripts/doctor-eval.sh} and writes target/doctor-eval.md with the figures on the held-out half
 * and on all cases.
 */
class DoctorEvaluationTest {

    @Test
    void smoke() {
        List<EvalSuite.Case> cases = EvalSuite.cases().stream().filter(c -> c.name().endsWith("tabular seed 1")
            && (c.fault() == null ? c.name().startsWith("healthy adam") : !c.name().contains(" below ")
                && !c.name().contains(" mild ") && !c.name().contains("constant ") && !c.name().contains("sigmoid "
                + "softmax") && !c.name().contains(" 8 ") && !c.name().contains(" 120 ") && !c.name().contains(
                "2 units") && !c.name().contains("0.1%") && !c.name().contains("label range one")))
            .collect(Collectors.toList());
        List<EvalRunner.Outcome> out = EvalRunner.run(cases, System.out::println);
        for (EvalRunner.Outcome o : out) {
            if (o.c().fault() == null) {
                assertTrue(o.named().isEmpty(), o.c().name() + ": no warning on a healthy job, got " + o.named());
            } else {
                assertTrue(o.named().contains(o.c().fault()), o.c().name() + ": " + o.c().fault() + " named, got "
                    + o.named());
            }
            assertTrue(o.agree(), o.c().name() + ": train's live diagnosis ranks " + o.liveRoot() + " first, doctor "
                + o.doctorRoot());
        }
    }

    /** The jobs whose names match -Ddoctor.eval.filter=REGEX, with every finding's evidence (for analysis). */
    @Test
    @Tag("doctor-eval")
    void filtered() {
        String re = System.getProperty("doctor.eval.filter", "^$");
        try (var be = io.jtrain.backend.cpu.CpuBackend.createDefault()) {
            for (EvalSuite.Case c : EvalSuite.cases()) {
                if (!c.name().matches(re)) {
                    continue;
                }
                var job = io.jtrain.job.Jobs.load(c.yaml(), c.name(), List.of()).spec();
                var data = io.jtrain.run.PreparedData.prepare(job, c.data().get(), null);
                System.out.println("== " + c.name() + " (" + c.fault() + ")");
                io.jtrain.diagnose.Doctor.examine(job, data, be, c.targetError(), f -> { }).findings()
                    .forEach(f -> System.out.println("   " + f + " | " + f.evidence()));
                if (Boolean.getBoolean("doctor.eval.history")) {    // the job's own training, epoch by epoch
                    io.jtrain.run.TrainingRun.of(job).backend(be).data(data).inMemory().build().run().history()
                        .forEach(m -> System.out.printf(java.util.Locale.ROOT, "   epoch %d: loss %.4f acc %s "
                            + "val_loss %.4f val_acc %s%n", m.epoch(), m.loss(), m.accuracy(), m.valLoss(),
                            m.valAccuracy()));
                }
            }
        }
    }

    @Test
    @Tag("doctor-eval")
    void fullSuite() throws IOException {
        List<EvalSuite.Case> all = EvalSuite.cases();
        List<EvalRunner.Outcome> out = EvalRunner.run(all, System.out::println);
        List<EvalRunner.Outcome> held = out.stream().filter(o -> o.c().heldOut()).collect(Collectors.toList());
        StringBuilder md = new StringBuilder("## Held-out half (" + held.size() + " jobs)\n\n")
            .append(EvalRunner.table(held)).append("\n## All jobs (" + out.size() + ")\n\n")
            .append(EvalRunner.table(out)).append("\n## Per job\n\n| job | held out | fault | named (warning/error) | doctor's root | live root |\n"
                + "|---|---|---|---|---|---|\n");
        for (EvalRunner.Outcome o : out) {
            md.append("| ").append(o.c().name()).append(" | ").append(o.c().heldOut() ? "yes" : "").append(" | ")
              .append(o.c().fault() == null ? "—" : o.c().fault()).append(" | ").append(String.join(", ", o.named()))
              .append(" | ").append(o.doctorRoot() == null ? "—" : o.doctorRoot()).append(" | ")
              .append(o.liveRoot() == null ? "—" : o.liveRoot()).append(" |\n");
        }
        Path f = Path.of("target", "doctor-eval.md");
        Files.createDirectories(f.getParent());
        Files.writeString(f, md.toString());
        System.out.println(md);
    }
}
