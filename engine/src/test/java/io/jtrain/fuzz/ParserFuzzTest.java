package io.jtrain.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jtrain.data.CsvData;
import io.jtrain.data.DataException;
import io.jtrain.data.IdxReader;
import io.jtrain.job.JobException;
import io.jtrain.job.Jobs;
import io.jtrain.model.ModelFiles;
import io.jtrain.model.Safetensors;
import io.jtrain.nn.ShapeException;
import io.jtrain.nn.SpecException;
import java.nio.file.Path;
import java.util.List;

/**
 * Fuzz targets of every parser of user files: IDX (raw and gzip), CSV, the safetensors header, model.json and
 * job YAML. Each may refuse its input only with the documented exception (DataException for data and model
 * files, JobException, SpecException or ShapeException for job files); anything else escaping is a finding.
 *
 * <p>In {@code mvn verify} (regression mode) each target runs its committed corpus
 * ({@code src/test/resources/io/jtrain/fuzz/ParserFuzzTestInputs/TARGET/}, seeds plus every crash found).
 * {@code mvn verify -Pfuzz -pl engine} fuzzes each target for five minutes, one JVM per target.
 */
class ParserFuzzTest {
    private static final Path CSV = Path.of("fuzz.csv");
    private static final Path SAFETENSORS = Path.of("fuzz.safetensors");

    /** The text of a file's bytes, as the readers decode it (malformed sequences replaced). */
    private static String utf8(byte[] data) {
        return new String(data == null ? new byte[0] : data, java.nio.charset.StandardCharsets.UTF_8);
    }

    @FuzzTest(maxDuration = "5m")
    void idx(byte[] data) {
        try {
            IdxReader.decode(data == null ? new byte[0] : data, "fuzz-idx3-ubyte");
        } catch (DataException expected) {
            // a refusal with a message is the documented outcome
        }
    }

    @FuzzTest(maxDuration = "5m")
    void csv(byte[] data) {
        String text = utf8(data);
        for (boolean regression : new boolean[] {false, true}) {
            try {
                CsvData.parse(text, CSV, null, regression);
            } catch (DataException expected) {
                // documented
            }
        }
    }

    @FuzzTest(maxDuration = "5m")
    void safetensors(byte[] data) {
        try {
            Safetensors.parse(data == null ? new byte[0] : data, SAFETENSORS);
        } catch (DataException expected) {
            // documented
        }
    }

    @FuzzTest(maxDuration = "5m")
    void modelJson(byte[] data) {
        String text = utf8(data);
        try {
            ModelFiles.parseMeta(text, "fuzz/model.json");
        } catch (DataException expected) {
            // documented
        }
    }

    @FuzzTest(maxDuration = "5m")
    void jobYaml(byte[] data) {
        String text = utf8(data);
        try {
            Jobs.load(text, "fuzz.yaml", List.of());
        } catch (JobException | SpecException | ShapeException expected) {
            // documented
        }
    }
}
