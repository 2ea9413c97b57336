package io.jtrain.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jtrain.data.DataException;
import io.jtrain.util.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header mapping each tensor name
 * to {dtype, shape, data_offsets} (plus optional string {@code __metadata__}), then the raw
 * little-endian data. Only F32 tensors are written and read.
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper().enable(
        com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final long MAX_HEADER = 100L << 20;

    private Safetensors() { }

    /** A named float32 tensor. */
    public record Entry(String name, int[] shape, float[] data) { }

    /** Tensors in file order and the metadata strings. */
    public record Contents(Map<String, Entry> tensors, Map<String, String> metadata) { }

    /** Writes atomically (temporary file, flush, rename). */
    public static void write(Path file, List<Entry> entries, Map<String, String> metadata) {
        byte[] header = header(entries, metadata);
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            out.write(len.array());
            out.write(header);
            for (Entry e : entries) {
                ByteBuffer b = ByteBuffer.allocate(e.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(e.data());
                out.write(b.array());
            }
        });
    }

    private static byte[] header(List<Entry> entries, Map<String, String> metadata) {
        ObjectNode h = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = h.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long off = 0;
        for (Entry e : entries) {
            ObjectNode t = h.putObject(e.name());
            t.put("dtype", "F32");
            var shape = t.putArray("shape");
            long n = 1;
            for (int d : e.shape()) {
                shape.add(d);
                n *= d;
            }
            if (n != e.data().length) {
                throw new IllegalArgumentException(e.name() + ": shape holds " + n + " values, data " + e.data().length);
            }
            t.putArray("data_offsets").add(off).add(off + 4 * n);
            off += 4 * n;
        }
        byte[] json = h.toString().getBytes(StandardCharsets.UTF_8);
        int pad = (8 - json.length % 8) % 8;
        byte[] out = new byte[json.length + pad];
        System.arraycopy(json, 0, out, 0, json.length);
        for (int i = json.length; i < out.length; i++) {
            out[i] = ' ';
        }
        return out;
    }

    /**
     * Reads and validates a file; corrupt or truncated files raise {@link DataException} naming the problem.
     * The header must be a JSON object without duplicate names; each tensor F32 with a shape of non-negative
     * integers and two data offsets that fit it; and the tensors' byte ranges must cover the data exactly —
     * no overlap, no gap, nothing after the last (the format's own rule, which keeps a file from being read
     * two ways).
     */
    public static Contents read(Path file) {
        return parse(bytes(file), file);
    }

    /** Validates and decodes the bytes of a safetensors file ({@code file} names it in messages). */
    public static Contents parse(byte[] all, Path file) {
        if (all.length < 8) {
            throw new DataException(file + ": truncated: shorter than the 8-byte safetensors header length");
        }
        long hlen = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (hlen <= 0 || hlen > MAX_HEADER || 8 + hlen > all.length) {
            throw new DataException(file + ": not a safetensors file or truncated (header length " + hlen + ", file "
                + all.length + " bytes)");
        }
        JsonNode h;
        try {
            h = JSON.readTree(new String(all, 8, (int) hlen, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new DataException(file + ": corrupt safetensors header (" + e.getMessage().lines().findFirst()
                .orElse("") + ")");
        }
        if (h == null || !h.isObject()) {
            throw new DataException(file + ": corrupt safetensors header (not a JSON object)");
        }
        long dataStart = 8 + hlen;
        Map<String, Entry> tensors = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        List<long[]> ranges = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = h.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equals("__metadata__")) {
                metadata(file, f.getValue(), meta);
                continue;
            }
            long[] range = new long[2];
            tensors.put(f.getKey(), entry(file, f.getKey(), f.getValue(), all, dataStart, range));
            ranges.add(range);
        }
        coverage(file, ranges, all.length - dataStart);
        return new Contents(tensors, meta);
    }

    private static byte[] bytes(Path file) {
        try {
            if (Files.isDirectory(file)) {
                throw new DataException(file + ": is a directory, not a safetensors file");
            }
            if (Files.size(file) > Integer.MAX_VALUE - 16) {
                throw new DataException(file + ": " + Files.size(file) + " bytes, more than the 2 GiB a model or "
                    + "checkpoint file read here may hold");
            }
            try (InputStream in = Files.newInputStream(file)) {
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw DataException.reading(file, e);
        }
    }

    private static void metadata(Path file, JsonNode m, Map<String, String> meta) {
        if (!m.isObject()) {
            throw new DataException(file + ": corrupt safetensors header (__metadata__ is not an object)");
        }
        m.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) {
                throw new DataException(file + ": corrupt safetensors header (__metadata__." + e.getKey()
                    + " is not a string)");
            }
            meta.put(e.getKey(), e.getValue().asText());
        });
    }

    /** The tensors' byte ranges, sorted, must tile [0, dataLength) exactly. */
    private static void coverage(Path file, List<long[]> ranges, long dataLength) {
        ranges.sort((x, y) -> Long.compare(x[0], y[0]) != 0 ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]));
        long at = 0;
        for (long[] r : ranges) {
            if (r[0] != at) {
                throw new DataException(file + ": tensor data " + (r[0] < at ? "overlaps" : "leaves a gap") + " at byte "
                    + Math.min(r[0], at) + " of the data; the file is corrupt");
            }
            at = r[1];
        }
        if (at != dataLength) {
            throw new DataException(file + ": " + (dataLength - at) + " bytes after the last tensor's data; the file "
                + "is corrupt or not written by jtrain");
        }
    }

    private static Entry entry(Path file, String name, JsonNode t, byte[] all, long dataStart, long[] range) {
        if (!t.isObject() || !"F32".equals(t.path("dtype").asText())) {
            throw new DataException(file + ": tensor '" + name + "' has dtype " + t.path("dtype").asText("(none)")
                + "; only F32 is supported");
        }
        JsonNode sh = t.path("shape");
        JsonNode offs = t.path("data_offsets");
        List<Integer> shape = new ArrayList<>();
        long n = 1;
        boolean ok = sh.isArray() && offs.isArray() && offs.size() == 2 && offs.get(0).canConvertToLong()
            && offs.get(1).canConvertToLong() && offs.get(0).isIntegralNumber() && offs.get(1).isIntegralNumber();
        for (JsonNode d : sh) {
            ok &= d.isIntegralNumber() && d.canConvertToInt() && d.asInt() >= 0;
            shape.add(d.asInt());
            n = n > Integer.MAX_VALUE ? n : n * Math.max(0, d.asInt());   // at most 2^62: no overflow
        }
        long begin = ok ? offs.get(0).asLong() : -1;
        long end = ok ? offs.get(1).asLong() : -1;
        if (!ok || n > Integer.MAX_VALUE || begin < 0 || end < begin || end - begin != 4 * n
            || end > all.length - dataStart) {
            throw new DataException(file + ": tensor '" + name + "' has shape " + sh + " and data offsets " + offs
                + " that do not fit each other or the file (" + all.length + " bytes); the file is truncated or "
                + "corrupt");
        }
        range[0] = begin;
        range[1] = end;
        float[] data = new float[(int) n];
        ByteBuffer.wrap(all, (int) (dataStart + begin), (int) (4 * n)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
            .get(data);
        return new Entry(name, shape.stream().mapToInt(Integer::intValue).toArray(), data);
    }
}
