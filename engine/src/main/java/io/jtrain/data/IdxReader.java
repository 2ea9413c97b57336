package io.jtrain.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
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
        if (Files.isDirectory(file)) {
            throw new DataException(file + ": is a directory, not an IDX file");
        }
        try (InputStream in = open(file)) {
            return read(in, file.toString(), expandedSize(file));
        } catch (IOException e) {
            throw DataException.reading(file, e);
        }
    }

    /** Opens a file, decompressing when it starts with the gzip magic number. */
    static InputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        if (isGzip(file)) {
            return new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
        }
        return raw;
    }

    private static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /**
     * How many bytes the file holds once expanded: its length, or for gzip the trailer's ISIZE (the expanded
     * length modulo 2^32, exact below 4 GiB); a bound checked before any allocation.
     */
    static long expandedSize(Path file) throws IOException {
        long len = Files.size(file);
        if (!isGzip(file)) {
            return len;
        }
        if (len < 18) {
            return 0;
        }
        try (var ch = Files.newByteChannel(file)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            ch.position(len - 4);
            int n = 0;
            while (b.hasRemaining() && n >= 0) {
                n = ch.read(b);
            }
            return Integer.toUnsignedLong(b.getInt(0));
        }
    }

    /** Decodes the bytes of an IDX file, raw or gzip-compressed ({@code where} names it in messages). */
    public static Idx decode(byte[] bytes, String where) {
        boolean gz = bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b;
        try (InputStream raw = new java.io.ByteArrayInputStream(bytes);
             InputStream in = gz ? new GZIPInputStream(raw) : raw) {
            long expanded = !gz ? bytes.length : bytes.length < 18 ? 0 : Integer.toUnsignedLong(
                java.nio.ByteBuffer.wrap(bytes, bytes.length - 4, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());
            return read(in, where, expanded);
        } catch (java.util.zip.ZipException | EOFException e) {
            throw new DataException(where + ": corrupt gzip data (" + e.getMessage() + "); the file is damaged, "
                + "download it again");
        } catch (IOException e) {
            throw new DataException(where + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** Reads an IDX stream whose expanded size is unknown. */
    public static Idx read(InputStream stream, String where) throws IOException {
        return read(stream, where, -1);
    }

    /**
     * Reads an IDX stream to its end (so that a gzip stream's CRC and length are checked).
     *
     * @param expanded the stream's length when known (-1 if not): a header promising more data is refused
     *     before its data is allocated
     */
    static Idx read(InputStream stream, String where, long expanded) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        try {
            int[] dims = header(in, where);
            long total = 1;
            for (int d : dims) {
                total = total > Integer.MAX_VALUE ? total : total * d;   // at most 2^62: never overflows
            }
            long needed = 4 + 4L * dims.length + total;
            if (total > Integer.MAX_VALUE - 16) {
                throw new DataException(where + ": the header's dimensions " + java.util.Arrays.toString(dims)
                    + " hold more values than an IDX file read here may (2^31); the header is corrupt or the file "
                    + "is not IDX");
            }
            byte[] data = expanded >= needed ? readFully(in, (int) total) : readBounded(in, (int) total);
            int got = data.length;
            if (got < total) {
                throw new DataException(where + ": truncated: the header promises " + total + " bytes of data but the "
                    + "file holds " + got + "; download it again");
            }
            long extra = in.skip(1 << 20);
            if (extra > 0 || in.read() >= 0) {
                throw new DataException(where + ": holds more bytes than its header promises (" + total + " bytes of "
                    + "data); the header or the file is corrupt");
            }
            return new Idx(dims, data);
        } catch (java.util.zip.ZipException e) {
            throw new DataException(where + ": corrupt gzip data (" + e.getMessage() + "); the file is damaged, "
                + "download it again");
        } catch (EOFException e) {
            throw new DataException(where + ": truncated: the file ends inside its compressed data; download it "
                + "again");
        }
    }

    private static byte[] readFully(InputStream in, int n) throws IOException {
        byte[] data = new byte[n];
        int got = in.readNBytes(data, 0, n);
        return got == n ? data : java.util.Arrays.copyOf(data, got);
    }

    /** Reads up to {@code n} bytes in chunks, so that a header claiming more than the file holds allocates no more. */
    private static byte[] readBounded(InputStream in, int n) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(n, 1 << 20));
        byte[] chunk = new byte[1 << 20];
        while (out.size() < n) {
            int got = in.readNBytes(chunk, 0, Math.min(chunk.length, n - out.size()));
            if (got == 0) {
                break;
            }
            out.write(chunk, 0, got);
        }
        return out.size() == n ? out.toByteArray() : java.util.Arrays.copyOf(out.toByteArray(), out.size());
    }

    private static int[] header(DataInputStream in, String where) throws IOException {
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
        try {
            for (int i = 0; i < rank; i++) {
                dims[i] = in.readInt();
                if (dims[i] <= 0) {
                    throw new DataException(where + ": dimension " + i + " is " + dims[i] + " in the IDX header");
                }
            }
        } catch (EOFException e) {
            throw new DataException(where + ": truncated: the file ends inside its header");
        }
        return dims;
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
