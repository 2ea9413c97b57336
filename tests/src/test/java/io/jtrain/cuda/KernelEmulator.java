package io.jtrain.cuda;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Builds cuda-kernels/src/test/emu/harness.cpp with g++ (the CUDA sources unchanged, under the CPU
 * emulation of the execution model) and runs one kernel per call on arrays passed through pipes.
 */
final class KernelEmulator {
    private final Path binary;

    private KernelEmulator(Path binary) {
        this.binary = binary;
    }

    /** Compiles the harness, or returns null when g++ is not available (the test then skips). */
    static KernelEmulator build(Path root) throws IOException, InterruptedException {
        Path out = root.resolve("tests/target/emu-harness");
        Files.createDirectories(out.getParent());
        Process p;
        try {
            p = new ProcessBuilder("g++", "-std=c++20", "-O1", "-pthread", "-x", "c++",
                root.resolve("cuda-kernels/src/test/emu/harness.cpp").toString(), "-o", out.toString())
                .redirectErrorStream(true).start();
        } catch (IOException e) {
            return null;
        }
        String log = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("the kernel emulation harness does not compile:\n" + log);
        }
        return new KernelEmulator(out);
    }

    /** Runs {@code op} on a grid of {@code grid} blocks of {@code block} threads; returns every array after it. */
    float[][] run(String op, int grid, int block, double[] params, float[]... arrays)
        throws IOException, InterruptedException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        bo.write(b.clear().putInt(params.length).array(), 0, 4);
        for (double d : params) {
            bo.write(b.clear().putDouble(d).array(), 0, 8);
        }
        bo.write(b.clear().putInt(arrays.length).array(), 0, 4);
        for (float[] a : arrays) {
            bo.write(b.clear().putLong(a.length).array(), 0, 8);
            ByteBuffer fb = ByteBuffer.allocate(a.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            fb.asFloatBuffer().put(a);
            bo.write(fb.array(), 0, a.length * 4);
        }
        Process p = new ProcessBuilder(binary.toString(), op, Integer.toString(grid), Integer.toString(block))
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (OutputStream o = p.getOutputStream()) {
            o.write(bo.toByteArray());
        }
        float[][] out = new float[arrays.length][];
        try (InputStream in = p.getInputStream()) {
            byte[] all = in.readAllBytes();
            ByteBuffer r = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < arrays.length; i++) {
                int len = (int) r.getLong();
                out[i] = new float[len];
                for (int j = 0; j < len; j++) {
                    out[i][j] = r.getFloat();
                }
            }
        }
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("harness failed for " + op);
        }
        return out;
    }

}
