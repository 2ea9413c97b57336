package io.jtrain.job;

import io.jtrain.util.Suggest;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;

/**
 * Reads job YAML strictly into a tree and binds it to {@link JobFile}: a tab in the indentation, a YAML
 * anchor or alias, a key given twice and a document that is not a mapping are refused by name, with the
 * file and line; unknown keys name the allowed ones and the closest ("did you mean"); wrong types name the
 * expected type. Writes a {@link JobSpec} back with every key.
 */
final class JobYaml {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
        .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION))
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JobYaml() { }

    /** The document as a tree of sections (an empty document is an empty mapping). */
    static ObjectNode readTree(String text, String where) {
        String t = text.startsWith("\uFEFF") ? text.substring(1) : text;
        checkTabs(t, where);
        checkAliases(t, where);
        if (t.isBlank()) {
            return JsonNodeFactory.instance.objectNode();
        }
        JsonNode n;
        try {
            n = YAML.readTree(t);
        } catch (JsonParseException e) {
            String m = e.getOriginalMessage();
            if (m.startsWith("Duplicate field")) {
                String key = m.replaceAll(".*'(.*)'.*", "$1");
                throw new JobException(where + ":" + line(e) + ": key '" + key + "' is given twice" + in(e)
                    + "; keep one (YAML would silently keep the last)");
            }
            throw new JobException(where + ":" + line(e) + ": not valid YAML (" + m.lines().findFirst().orElse("") + ")");
        } catch (JsonProcessingException e) {
            throw new JobException(where + ":" + line(e) + ": not valid YAML ("
                + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
        }
        if (n == null || n.isMissingNode() || n.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!n.isObject()) {
            throw new JobException(where + ": a job file is a mapping of sections (data:, model:, optimizer:, "
                + "training:, ...), not " + kind(n));
        }
        return (ObjectNode) n;
    }

    private static String in(JsonParseException e) {
        var ctx = e.getProcessor() == null ? null : e.getProcessor().getParsingContext();
        String section = ctx == null || ctx.getParent() == null ? null : ctx.getParent().getCurrentName();
        return section == null ? " at the top level" : " in section '" + section + "'";
    }

    private static int line(JsonProcessingException e) {
        return e.getLocation() == null ? 0 : e.getLocation().getLineNr();
    }

    private static String kind(JsonNode n) {
        return n.isArray() ? "a list" : n.isTextual() ? "the text '" + n.asText() + "'" : "a single value";
    }

    /** YAML forbids tabs in indentation; SnakeYAML's own message names another line, so say it here. */
    private static void checkTabs(String text, String where) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            int indent = 0;
            while (indent < l.length() && (l.charAt(indent) == ' ' || l.charAt(indent) == '\t')) {
                indent++;
            }
            if (l.substring(0, indent).indexOf('\t') >= 0) {
                throw new JobException(where + ":" + (i + 1) + ": found a tab character ('\\t') in the indentation; "
                    + "YAML indents with spaces only");
            }
        }
    }

    /** Anchors and aliases would let one key silently stand for another: refused by name. */
    private static void checkAliases(String text, String where) {
        try {
            for (Event e : new Yaml(new LoaderOptions()).parse(new java.io.StringReader(text))) {
                if (e instanceof AliasEvent a) {
                    throw new JobException(where + ":" + (a.getStartMark().getLine() + 1) + ": YAML alias '*"
                        + a.getAnchor() + "' is not supported in job files; write the value out");
                }
                if (e instanceof NodeEvent ne && ne.getAnchor() != null) {
                    throw new JobException(where + ":" + (e.getStartMark().getLine() + 1) + ": YAML anchor '&"
                        + ne.getAnchor() + "' is not supported in job files; write the values out");
                }
            }
        } catch (org.yaml.snakeyaml.error.YAMLException e) {
            // not valid YAML: readTree reports it with Jackson's message
        }
    }

    /** Binds a tree to the raw job; errors name the key by its path, with its origin from {@code src}. */
    static JobFile bind(ObjectNode tree, JobSource src) {
        try {
            JobFile j = YAML.treeToValue(tree, JobFile.class);
            return j == null ? new JobFile() : j;
        } catch (UnrecognizedPropertyException e) {
            String section = section(e.getPath());
            String key = section.isEmpty() ? e.getPropertyName() : section + "." + e.getPropertyName();
            List<String> allowed = allowed(e.getKnownPropertyIds());
            String near = Suggest.closest(snake(e.getPropertyName()), allowed);
            throw new JobException(src.locate(key) + ": unknown key '" + e.getPropertyName() + "'"
                + (section.isEmpty() ? " at the top level" : " in section '" + section + "'")
                + (near == null ? "" : "; did you mean '" + near + "'?") + "; allowed: " + String.join(", ", allowed));
        } catch (MismatchedInputException e) {
            String key = e.getPath().isEmpty() ? "?" : pathOf(e.getPath());
            throw new JobException(src.locate(key) + ": key '" + key + "' has a value of the wrong type; expected "
                + expected(e.getTargetType()));
        } catch (JsonProcessingException e) {
            throw new JobException(src.where() + ": " + e.getOriginalMessage());
        }
    }

    private static String section(List<JsonMappingException.Reference> path) {
        return path.size() < 2 ? "" : pathOf(path.subList(0, path.size() - 1));
    }

    static String pathOf(List<JsonMappingException.Reference> path) {
        return path.stream().map(r -> r.getFieldName() != null ? snake(r.getFieldName()) : "[" + r.getIndex() + "]")
            .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String snake(String name) {
        return PropertyNamingStrategies.SnakeCaseStrategy.INSTANCE.translate(name);
    }

    private static List<String> allowed(Collection<Object> known) {
        return List.copyOf(new TreeSet<>(known.stream().map(o -> snake(o.toString())).toList()));
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

    /** A spec as a tree (every key, snake_case). */
    static ObjectNode tree(JobSpec spec) {
        return YAML.valueToTree(spec);
    }

    /** A spec as YAML with every key. */
    static String toYaml(JobSpec spec) {
        try {
            return YAML.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A value given on the command line as YAML (5, 0.01, true, cpu, [1, 28, 28]); plain text otherwise. */
    static JsonNode value(String text) {
        if (text == null || text.isEmpty()) {
            return JsonNodeFactory.instance.nullNode();
        }
        try {
            JsonNode n = YAML.readTree(text);
            return n == null ? JsonNodeFactory.instance.textNode(text) : n;
        } catch (JsonProcessingException e) {
            return JsonNodeFactory.instance.textNode(text);
        }
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
