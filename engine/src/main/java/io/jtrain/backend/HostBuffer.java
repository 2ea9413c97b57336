package io.jtrain.backend;

import java.nio.FloatBuffer;

/**
 * Host memory a backend copies from and to fastest: page-locked on a GPU (so uploads and downloads run
 * asynchronously on the backend's stream), plain off-heap memory on the CPU. Obtained from
 * {@link Backend#allocateHost}; write through {@link #floats()} only after {@link Backend#awaitCopies}
 * says the copies that read or fill it have finished.
 */
public interface HostBuffer extends AutoCloseable {
    /** The memory as floats (index 0 is the first float; capacity {@link #size()}). */
    FloatBuffer floats();

    /** Capacity in floats. */
    long size();

    @Override
    void close();
}
