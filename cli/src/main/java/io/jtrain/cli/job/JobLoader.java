package io.jtrain.cli.job;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Reads YAML job files strictly: unknown keys and wrong types are errors that name the file, line and key. */
public final class JobLoader {
    public static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
        .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private JobLoader() { }

    /** Reads a job file; the returned job keeps its text for line numbers in later errors. */
    public static Loaded load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new JobException(file + ": job file not found");
        } catch (IOException e) {
            throw new JobException(file + ": cannot read the job file (" + e.getMessage() + ")");
        }
        return parse(text, file.toString());
    }

    public static Loaded parse(String text, String where) {
        if (text.isBlank()) {
            return new Loaded(new Job(), text, where);
        }
        try {
            Job job = YAML.readValue(text, Job.class);
            return new Loaded(job == null ? new Job() : job, text, where);
        } catch (UnrecognizedPropertyException e) {
            throw new JobException(where + ":" + line(e.getLocation()) + ": unknown key '" + e.getPropertyName() + "'"
                + section(e.getPath()) + "; allowed: " + allowed(e.getKnownPropertyIds()));
        } catch (MismatchedInputException e) {
            String key = e.getPath().isEmpty() ? "?" : pathOf(e.getPath());
            throw new JobException(where + ":" + line(e.getLocation()) + ": key '" + key + "' has a value of the wrong "
                + "type; expected " + expected(e.getTargetType()));
        } catch (JsonProcessingException e) {
            throw new JobException(where + ":" + line(e.getLocation()) + ": not valid YAML ("
                + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
        }
    }

    /** A parsed job and its source text. */
    public record Loaded(Job job, String text, String where) {

        /**
         * "file:line" of the line that sets {@code path} ("optimizer.name": key name inside section
         * optimizer), of its section when the key is absent, or just the file.
         */
        public String locate(String path) {
            String[] lines = text.split("\n", -1);
            String[] parts = path.split("\\.");
            int from = 0;
            int found = -1;
            for (String part : parts) {
                int at = find(lines, part, from);
                if (at < 0) {
                    break;
                }
                found = at;
                from = at + 1;
            }
            return found < 0 ? where : where + ":" + (found + 1);
        }

        private static int find(String[] lines, String key, int from) {
            for (int i = from; i < lines.length; i++) {
                String t = lines[i].trim();
                if (t.startsWith(key + ":") || t.startsWith("- " + key + ":")) {
                    return i;
                }
            }
            return -1;
        }
    }

    private static int line(JsonLocation loc) {
        return loc == null ? 0 : loc.getLineNr();
    }

    private static String section(List<com.fasterxml.jackson.databind.JsonMappingException.Reference> path) {
        if (path.size() < 2) {
            return " at the top level";
        }
        return " in section '" + pathOf(path.subList(0, path.size() - 1)) + "'";
    }

    private static String pathOf(List<com.fasterxml.jackson.databind.JsonMappingException.Reference> path) {
        return path.stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
            .collect(Collectors.joining("."));
    }

    private static String allowed(Collection<Object> known) {
        return new TreeSet<>(known.stream().map(o -> PropertyNamingStrategies.SnakeCaseStrategy.INSTANCE
            .translate(o.toString())).toList()).toString().replaceAll("[\\[\\]]", "");
    }

    private static String expected(Class<?> t) {
        if (t == null) {
            return "another type";
        }
        if (Number.class.isAssignableFrom(t) || t.isPrimitive() && t != boolean.class) {
            return "a number";
        }
        if (t == Boolean.class || t == boolean.class) {
            return "true or false";
        }
        if (t == String.class) {
            return "a text value";
        }
        if (Collection.class.isAssignableFrom(t)) {
            return "a list";
        }
        return "a section (key: value pairs)";
    }

    /** The job as YAML. */
    public static String toYaml(Job job) {
        try {
            return YAML.writeValueAsString(job);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
