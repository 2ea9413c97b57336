package io.jtrain.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files (MNIST, Fashion-MNIST), raw or gzip-compressed (detected from the content). Only
 * unsigned-byte data (type 0x08) is used by these data sets and supported.
 */
public final class IdxReader {
    private IdxReader() { }

    /** The dimensions and bytes of an IDX file. */
    public record Idx(int[] dims, byte[] data) {
        public int count() {
            return dims[0];
        }
    }

    public static Idx read(Path file) {
        try (InputStream in = open(file)) {
            return read(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": file not found");
        } catch (IOException e) {
            throw new DataException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** Opens a file, decompressing when it starts with the gzip magic number. */
    static InputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
        }
        return raw;
    }

    public static Idx read(InputStream stream, String where) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new DataException(where + ": truncated: the file ends before its 4-byte IDX header");
        }
        int type = (magic >> 8) & 0xff;
        int rank = magic & 0xff;
        if ((magic >>> 16) != 0 || type != 0x08 || rank < 1 || rank > 4) {
            throw new DataException(String.format("%s: not an IDX file of unsigned bytes (magic number 0x%08x, "
                + "expected 0x00000801 for labels or 0x00000803 for images); check the file name and that it is "
                + "not corrupt", where, magic));
        }
        int[] dims = new int[rank];
        long total = 1;
        try {
            for (int i = 0; i < rank; i++) {
                dims[i] = in.readInt();
                if (dims[i] <= 0) {
                    throw new DataException(where + ": dimension " + i + " is " + dims[i] + " in the IDX header");
                }
                total *= dims[i];
            }
        } catch (EOFException e) {
            throw new DataException(where + ": truncated: the file ends inside its header");
        }
        if (total > Integer.MAX_VALUE - 16) {
            throw new DataException(where + ": too large (" + total + " values)");
        }
        byte[] data = new byte[(int) total];
        int got = in.readNBytes(data, 0, data.length);
        if (got < data.length) {
            throw new DataException(where + ": truncated: the header promises " + total + " bytes of data but the file "
                + "holds " + got + "; download it again");
        }
        return new Idx(dims, data);
    }

    /** Writes an IDX file of unsigned bytes (for the embedded data set and tests). */
    public static byte[] encode(int[] dims, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(0);
        out.write(0x08);
        out.write(dims.length);
        for (int d : dims) {
            out.write(d >>> 24);
            out.write(d >>> 16);
            out.write(d >>> 8);
            out.write(d);
        }
        out.write(data, 0, data.length);
        return out.toByteArray();
    }
}
