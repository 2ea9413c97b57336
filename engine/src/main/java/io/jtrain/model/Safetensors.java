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
import java.nio.file.NoSuchFileException;
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
    private static final ObjectMapper JSON = new ObjectMapper();
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

    /** Reads and validates a file; corrupt or truncated files raise {@link DataException} naming the problem. */
    public static Contents read(Path file) {
        byte[] all;
        try (InputStream in = Files.newInputStream(file)) {
            all = in.readAllBytes();
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": file not found");
        } catch (IOException e) {
            throw new DataException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
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
        long dataStart = 8 + hlen;
        Map<String, Entry> tensors = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = h.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equals("__metadata__")) {
                f.getValue().fields().forEachRemaining(m -> meta.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            tensors.put(f.getKey(), entry(file, f.getKey(), f.getValue(), all, dataStart));
        }
        return new Contents(tensors, meta);
    }

    private static Entry entry(Path file, String name, JsonNode t, byte[] all, long dataStart) {
        if (!"F32".equals(t.path("dtype").asText())) {
            throw new DataException(file + ": tensor '" + name + "' has dtype " + t.path("dtype").asText()
                + "; only F32 is supported");
        }
        List<Integer> shape = new ArrayList<>();
        t.path("shape").forEach(d -> shape.add(d.asInt()));
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        long begin = t.path("data_offsets").path(0).asLong(-1);
        long end = t.path("data_offsets").path(1).asLong(-1);
        if (begin < 0 || end - begin != 4 * n || dataStart + end > all.length) {
            throw new DataException(file + ": tensor '" + name + "' has data offsets [" + begin + ", " + end
                + "] that do not fit its shape " + shape + " or the file (" + all.length + " bytes); the file is "
                + "truncated or corrupt");
        }
        float[] data = new float[(int) n];
        ByteBuffer.wrap(all, (int) (dataStart + begin), (int) (4 * n)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
            .get(data);
        return new Entry(name, shape.stream().mapToInt(Integer::intValue).toArray(), data);
    }
}
