package io.jtrain.cuda;

import io.jtrain.backend.cuda.CudaApi;
import io.jtrain.backend.cuda.NullCudaApi;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * An emulated CUDA device: the kernel sources of cuda-kernels, compiled with g++ against
 * {@code cuda_emu.h} into the harness process, which holds the "device memory", runs kernel launches and a
 * column-major sgemm (the cuBLAS semantics); this class speaks its protocol (harness.cpp) as a
 * {@link CudaApi}. So the CUDA backend itself — its host code, its kernel launches and argument lists, its
 * cuBLAS mappings — runs on a machine without a GPU, and the results can be compared with the CPU backend.
 * Launch grids are capped at {@link #MAX_GRID} blocks per dimension (the kernels are grid-stride and their
 * results do not depend on the grid), so the emulation stays fast. Streams and events are synchronous.
 */
final class EmulatedCudaApi extends NullCudaApi implements AutoCloseable {
    static final int MAX_GRID = 3;
    private final Process process;
    private final DataInputStream in;
    private final OutputStream out;
    private final ByteBuffer scratch = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private final Set<String> launched = new TreeSet<>();

    private EmulatedCudaApi(Process p, long totalBytes) {
        super(totalBytes);
        this.process = p;
        this.in = new DataInputStream(new BufferedInputStream(p.getInputStream(), 1 << 16));
        this.out = new BufferedOutputStream(p.getOutputStream(), 1 << 16);
    }

    /** Compiles the harness (once per build) and starts it; null when g++ is not available. */
    static Path build(Path root) throws IOException, InterruptedException {
        Path bin = root.resolve("tests/target/emu-device");
        Path src = root.resolve("cuda-kernels/src/test/emu/harness.cpp");
        Files.createDirectories(bin.getParent());
        Process p;
        try {
            p = new ProcessBuilder("g++", "-std=c++20", "-O3", "-x", "c++", src.toString(), "-o", bin.toString())
                .redirectErrorStream(true).start();
        } catch (IOException e) {
            return null;
        }
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("the emulated device does not compile:\n" + log);
        }
        return bin;
    }

    static EmulatedCudaApi start(Path binary, long totalBytes) throws IOException {
        Process p = new ProcessBuilder(binary.toString(), Long.toString(totalBytes))
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        return new EmulatedCudaApi(p, totalBytes);
    }

    /** Kernels the backend launched so far. */
    Set<String> launched() {
        return new TreeSet<>(launched);
    }

    /** The kernels the harness registered. */
    Set<String> registered() {
        send(ByteBuffer.allocate(1).put((byte) 'K'));
        try {
            status();
            int n = Integer.reverseBytes(in.readInt());
            Set<String> names = new TreeSet<>();
            for (int i = 0; i < n; i++) {
                int len = Short.toUnsignedInt(Short.reverseBytes(in.readShort()));
                names.add(new String(in.readNBytes(len), StandardCharsets.US_ASCII));
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ByteBuffer req(char op) {
        return scratch.clear().put((byte) op);
    }

    private void send(ByteBuffer b) {
        try {
            out.write(b.array(), 0, b.position());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("the emulated device stopped", e);
        }
    }

    private int status() throws IOException {
        return Integer.reverseBytes(in.readInt());
    }

    private int call(ByteBuffer b) {
        send(b);
        try {
            return status();
        } catch (IOException e) {
            throw new UncheckedIOException("the emulated device stopped", e);
        }
    }

    @Override
    public int malloc(long[] address, long bytes) {
        send(req('M').putLong(bytes));
        try {
            int rc = status();
            address[0] = Long.reverseBytes(in.readLong());
            return rc;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public int free(long address) {
        return call(req('F').putLong(address));
    }

    private int write(long address, byte[] data, int off, int len) {
        send(req('W').putLong(address).putLong(len));
        try {
            out.write(data, off, len);
            out.flush();
            return status();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] read(long address, int len) {
        send(req('R').putLong(address).putLong(len));
        try {
            int rc = status();
            if (rc != 0) {
                throw new IllegalStateException("read failed: " + rc);
            }
            return in.readNBytes(len);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public int copyToDevice(long dst, float[] src, int srcOffset, long count) {
        ByteBuffer b = ByteBuffer.allocate((int) (4 * count)).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(src, srcOffset, (int) count);
        return write(dst, b.array(), 0, b.capacity());
    }

    @Override
    public int copyToHost(float[] dst, int dstOffset, long src, long count) {
        ByteBuffer b = ByteBuffer.wrap(read(src, (int) (4 * count))).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().get(dst, dstOffset, (int) count);
        return 0;
    }

    @Override
    public int copyToDeviceAsync(long dst, ByteBuffer src, long srcByteOffset, long bytes, long stream) {
        byte[] a = new byte[(int) bytes];
        src.duplicate().order(src.order()).position((int) srcByteOffset).get(a);
        return write(dst, a, 0, a.length);
    }

    @Override
    public int copyToHostAsync(ByteBuffer dst, long dstByteOffset, long src, long bytes, long stream) {
        byte[] a = read(src, (int) bytes);
        dst.duplicate().position((int) dstByteOffset).put(a);
        return 0;
    }

    @Override
    public int copyDeviceAsync(long dst, long src, long bytes, long stream) {
        return call(req('C').putLong(dst).putLong(src).putLong(bytes));
    }

    @Override
    public int launch(long function, String name, int gridX, int gridY, int block, long stream, Object[] args) {
        launched.add(name);
        ByteBuffer a = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        for (Object o : args) {
            if (o instanceof Long l) {
                a.putLong(l);
            } else if (o instanceof Integer i) {
                a.putInt(i);
            } else if (o instanceof Float f) {
                a.putFloat(f);
            } else if (o instanceof int[] s) {
                for (int v : s) {
                    a.putInt(v);
                }
            } else if (o instanceof CudaApi.DevPtr p) {
                a.putLong(p.address());
            } else if (o == null) {
                a.putLong(0);
            } else {
                throw new IllegalArgumentException("unsupported kernel argument " + o.getClass());
            }
        }
        byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = req('L').putShort((short) nameBytes.length).put(nameBytes).putInt(Math.min(gridX, MAX_GRID))
            .putInt(Math.min(gridY, MAX_GRID)).putInt(block).putInt(a.position()).put(a.array(), 0, a.position());
        int rc = call(b);
        if (rc == 1) {
            throw new IllegalStateException("the emulated device has no kernel " + name);
        }
        if (rc == 2) {
            throw new IllegalStateException(name + ": " + a.position() + " argument bytes do not match the kernel's "
                + "parameters");
        }
        return rc;
    }

    @Override
    public int sgemm(long handle, int opA, int opB, int m, int n, int k, float alpha, long a, int lda, long b, int ldb,
                     float beta, long c, int ldc) {
        launched.add("cublasSgemm");
        return call(req('G').putInt(opA).putInt(opB).putInt(m).putInt(n).putInt(k).putFloat(alpha).putLong(a)
            .putInt(lda).putLong(b).putInt(ldb).putFloat(beta).putLong(c).putInt(ldc));
    }

    @Override
    public int sgemmStridedBatched(long handle, int opA, int opB, int m, int n, int k, float alpha, long a, int lda,
                                   long strideA, long b, int ldb, long strideB, float beta, long c, int ldc,
                                   long strideC, int batch) {
        launched.add("cublasSgemmStridedBatched");
        return call(req('B').putInt(opA).putInt(opB).putInt(m).putInt(n).putInt(k).putFloat(alpha).putLong(a)
            .putInt(lda).putLong(strideA).putLong(b).putInt(ldb).putLong(strideB).putFloat(beta).putLong(c)
            .putInt(ldc).putLong(strideC).putInt(batch));
    }

    @Override
    public void close() {
        try {
            out.write('Q');
            out.flush();
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
