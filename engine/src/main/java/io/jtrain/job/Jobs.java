package io.jtrain.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Loads jobs: a YAML job file (or none: every default), then overrides by job-file path in order — the
 * command line's flags and {@code --set key.path=value} — with the same validation and messages as the
 * file, then every default ({@link JobResolver}). Errors are {@link JobException}s naming the file and line
 * or the option, the key and the fix.
 */
public final class Jobs {
    private Jobs() { }

    /** One override: set {@code path} to {@code value} (YAML scalar or flow text), given by {@code origin}. */
    public record Override(String path, String value, String origin) { }

    /** A loaded job and the warnings its loading produced (old spellings accepted, ...). */
    public record Loaded(JobSpec spec, List<String> warnings) { }

    /** Loads {@code file} (null: no file) with {@code overrides} applied in order. */
    public static Loaded load(Path file, List<Override> overrides) {
        if (file == null) {
            return load("", "(defaults)", overrides);
        }
        return load(read(file), file.toString(), overrides);
    }

    /** Loads job text ({@code where} names it in errors) with overrides. */
    public static Loaded load(String text, String where, List<Override> overrides) {
        JobSource src = new JobSource(text, where);
        ObjectNode tree = JobYaml.readTree(text, where);
        apply(tree, overrides, src);
        List<String> warnings = new ArrayList<>();
        JobSpec spec = JobResolver.resolve(JobYaml.bind(tree, src), src, warnings);
        return new Loaded(spec, List.copyOf(warnings));
    }

    /** Parses job text with overrides given as path → value; warnings are dropped. */
    public static JobSpec parse(String text, String where, Map<String, String> overrides) {
        List<Override> os = new ArrayList<>();
        overrides.forEach((k, v) -> os.add(new Override(k, v, "--set " + k)));
        return load(text, where, os).spec();
    }

    /** A spec with keys changed by path (its other values, resolved already, stay as they are). */
    static JobSpec override(JobSpec spec, Map<String, String> changes, String origin) {
        JobSource src = new JobSource(spec.toYaml(), origin);
        ObjectNode tree = JobYaml.tree(spec);
        List<Override> os = new ArrayList<>();
        changes.forEach((k, v) -> os.add(new Override(k, v, origin)));
        apply(tree, os, src);
        return JobResolver.resolve(JobYaml.bind(tree, src), src, new ArrayList<>());
    }

    /** The job text of a file, or a JobException that says why it cannot be read. */
    static String read(Path file) {
        if (Files.isDirectory(file)) {
            throw new JobException(file + ": is a directory, not a job file; give the path of a .yaml file");
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new JobException(file + ": job file not found");
        } catch (AccessDeniedException e) {
            throw new JobException(file + ": permission denied reading the job file; fix its permissions");
        } catch (MalformedInputException e) {
            throw new JobException(file + ": the job file is not UTF-8 text");
        } catch (IOException e) {
            throw new JobException(file + ": cannot read the job file (" + e.getMessage() + ")");
        }
    }

    /** Sets each override's path in the tree; {@code model.preset} and {@code model.layers} replace each other. */
    static void apply(ObjectNode tree, List<Override> overrides, JobSource src) {
        for (Override o : overrides) {
            String[] parts = o.path().split("\\.");
            for (String p : parts) {
                if (p.isEmpty() || !p.matches("[a-z0-9_]+")) {
                    throw new JobException(o.origin() + ": '" + o.path() + "' is not a job-file key path; write it "
                        + "like training.epochs or optimizer.lr (snake_case, dot-separated)");
                }
            }
            ObjectNode at = tree;
            for (int i = 0; i < parts.length - 1; i++) {
                JsonNode next = at.get(parts[i]);
                if (next == null || !next.isObject()) {
                    if (next != null && !next.isNull()) {
                        throw new JobException(o.origin() + ": '" + String.join(".", List.of(parts).subList(0, i + 1))
                            + "' is a value, not a section, so '" + o.path() + "' cannot be set");
                    }
                    next = at.putObject(parts[i]);
                }
                at = (ObjectNode) next;
            }
            String last = parts[parts.length - 1];
            at.set(last, JobYaml.value(o.value()));
            if (o.path().equals("model.preset") && o.value() != null && !o.value().isEmpty()) {
                at.remove("layers");
            } else if (o.path().equals("model.layers")) {
                at.remove("preset");
            }
            src.overridden(o.path(), o.origin());
        }
    }
}
