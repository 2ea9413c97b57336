package io.jtrain.backend.cuda;

import io.jtrain.backend.HostBuffer;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * Page-locked host memory of the CUDA backend (cudaHostAlloc) with an event recorded after each copy that
 * reads or fills it: {@link #await} returns at once when the copies are done (cudaEventQuery, which does not
 * block) and blocks only when they are not. Released best effort.
 */
final class PinnedBuffer implements HostBuffer {
    private final CudaBackend be;
    private final ByteBuffer bytes;
    private final FloatBuffer floats;
    private final long event;
    private final long size;
    private boolean pending;
    private boolean closed;

    PinnedBuffer(CudaBackend be, long floats) {
        if (floats > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("a page-locked buffer holds at most " + Integer.MAX_VALUE / 4
                + " floats");
        }
        this.be = be;
        this.size = floats;
        CudaApi api = be.api();
        ByteBuffer[] out = new ByteBuffer[1];
        Cuda.runtime(api, api.hostAlloc(4 * Math.max(1, floats), out), "cudaHostAlloc(" + 4 * floats + ")",
            (CudaMemoryPool) be.pool());
        this.bytes = out[0];
        this.floats = bytes.asFloatBuffer();
        long[] e = {0};
        int rc = api.eventCreate(e);
        if (rc != 0) {
            api.hostFree(bytes);
            Cuda.runtime(api, rc, "cudaEventCreate");
        }
        this.event = e[0];
    }

    CudaBackend owner() {
        return be;
    }

    ByteBuffer bytes() {
        return bytes;
    }

    /** A copy that uses this buffer was queued on {@code stream}. */
    void recorded(long stream) {
        Cuda.runtime(be.api(), be.api().eventRecord(event, stream), "cudaEventRecord");
        pending = true;
    }

    /** Waits for the copies that use this buffer (blocking only while they run). */
    void await() {
        if (!pending) {
            return;
        }
        CudaApi api = be.api();
        int rc = api.eventQuery(event);
        if (rc == Cuda.NOT_READY) {
            rc = api.eventSynchronize(event);
        }
        Cuda.runtime(api, rc, "waiting for a copy from page-locked memory");
        pending = false;
    }

    @Override
    public FloatBuffer floats() {
        return floats;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            be.api().eventDestroy(event);
            be.api().hostFree(bytes);
        } catch (RuntimeException | LinkageError e) {
            // best effort: the context may be unusable after a sticky error
        }
    }
}
