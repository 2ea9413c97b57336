package io.jtrain.util;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A protocol-buffers message written by hand from published field numbers and types (TensorBoard's events,
 * ONNX models): varints, 32- and 64-bit little-endian values, and length-delimited strings, bytes and
 * sub-messages. Fields are written in the order they are added.
 */
public final class Proto {
    private final ByteArrayOutputStream b = new ByteArrayOutputStream();

    /** An int32, int64, enum or bool field (wire type 0). */
    public Proto varint(int field, long v) {
        tag(field, 0);
        raw(v);
        return this;
    }

    /** A double field (wire type 1). */
    public Proto fixed64(int field, double v) {
        tag(field, 1);
        b.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(v).array());
        return this;
    }

    /** A float field (wire type 5). */
    public Proto fixed32(int field, float v) {
        tag(field, 5);
        b.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array());
        return this;
    }

    /** A string field (UTF-8). */
    public Proto string(int field, String s) {
        return bytes(field, s.getBytes(StandardCharsets.UTF_8));
    }

    /** A bytes field. */
    public Proto bytes(int field, byte[] data) {
        tag(field, 2);
        raw(data.length);
        b.writeBytes(data);
        return this;
    }

    /** A sub-message field. */
    public Proto message(int field, Proto m) {
        return bytes(field, m.toByteArray());
    }

    /** A packed repeated int64 field. */
    public Proto packed(int field, long[] values) {
        Proto p = new Proto();
        for (long v : values) {
            p.raw(v);
        }
        return bytes(field, p.toByteArray());
    }

    /** A packed repeated double field. */
    public Proto packedDoubles(int field, double[] values) {
        ByteBuffer bb = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            bb.putDouble(v);
        }
        return bytes(field, bb.array());
    }

    public byte[] toByteArray() {
        return b.toByteArray();
    }

    private void tag(int field, int wire) {
        raw((long) field << 3 | wire);
    }

    private void raw(long v) {
        while ((v & ~0x7fL) != 0) {
            b.write((int) (v & 0x7f) | 0x80);
            v >>>= 7;
        }
        b.write((int) v);
    }
}
