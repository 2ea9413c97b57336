package io.jtrain.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * Extracts regular files from a .tar.gz (ustar) into one folder, flattening paths and refusing anything
 * but plain file names, so an archive cannot write outside the folder.
 */
final class Tar {
    private Tar() { }

    static void extract(Path archive, Path dir, Predicate<String> want) {
        try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(archive), 1 << 16))) {
            byte[] header = new byte[512];
            while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
                String name = text(header, 0, 100);
                String prefix = text(header, 345, 155);
                long size = Long.parseLong(text(header, 124, 12).trim().isEmpty() ? "0" : text(header, 124, 12).trim(), 8);
                char type = (char) header[156];
                String full = prefix.isEmpty() ? name : prefix + "/" + name;
                String base = full.substring(full.lastIndexOf('/') + 1);
                boolean regular = type == '0' || type == 0;
                if (regular && !base.isEmpty() && !base.startsWith(".") && want.test(base)) {
                    Path tmp = dir.resolve(base + ".part");
                    Files.copy(new BoundedStream(in, size), tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, dir.resolve(base), StandardCopyOption.REPLACE_EXISTING);
                } else {
                    in.skipNBytes(size);
                }
                long pad = (512 - size % 512) % 512;
                in.skipNBytes(pad);
            }
        } catch (IOException | NumberFormatException e) {
            throw new DataException(archive + ": cannot extract (" + e.getMessage() + ")");
        }
    }

    private static String text(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.US_ASCII);
    }

    /** Reads exactly {@code size} bytes of the underlying stream. */
    private static final class BoundedStream extends InputStream {
        private final InputStream in;
        private long left;

        BoundedStream(InputStream in, long size) {
            this.in = in;
            this.left = size;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }

        @Override
        public void close() {
            // the archive stream stays open for the next entry
        }
    }
}
