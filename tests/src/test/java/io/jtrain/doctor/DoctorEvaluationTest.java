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
            .append(EvalRunner.table(out)).append("\n## Per job\n\n| job | held out | fault | named (warning/error) |\n"
                + "|---|---|---|---|\n");
        for (EvalRunner.Outcome o : out) {
            md.append("| ").append(o.c().name()).append(" | ").append(o.c().heldOut() ? "yes" : "").append(" | ")
              .append(o.c().fault() == null ? "—" : o.c().fault()).append(" | ").append(String.join(", ", o.named()))
              .append(" |\n");
        }
        Path f = Path.of("target", "doctor-eval.md");
        Files.createDirectories(f.getParent());
        Files.writeString(f, md.toString());
        System.out.println(md);
    }
}
