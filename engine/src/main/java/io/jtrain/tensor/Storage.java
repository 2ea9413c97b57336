package io.jtrain.tensor;

import java.util.HashMap;
import java.util.Map;

/**
 * A pool block shared by a tensor and its views; released once, by the owning tensor. It also carries what a
 * backend records about the block's values ({@link #facts}, cleared by every host access), objects a
 * backend attaches to it (closed when the block is released), and a {@link Shadow} with its state: whether it
 * holds the current values, and whether the block's own memory is stale until the shadow is written back — which
 * {@link #touched} does before any host access. Host accesses may come from several threads of a backend's
 * parallel loop at once: the write-back happens once, under this storage's lock.
 */
final class Storage {
    final MemoryPool pool;
    final MemoryPool.Block block;
    final long elements;
    final boolean host;
    private boolean released;
    private volatile int facts;
    private Map<Object, AutoCloseable> attachments;
    private Shadow shadow;
    /** NONE: the shadow (if any) is out of date; NEWER: only the shadow is current; BOTH: both are. */
    private volatile int shadowState;
    static final int NONE = 0;
    static final int NEWER = 1;
    static final int BOTH = 2;

    Storage(MemoryPool pool, long elements, MemoryCategory category, boolean host) {
        this.pool = pool;
        this.elements = elements;
        this.block = pool.allocate(Math.max(1, elements) * Float.BYTES, category);
        this.host = host;
    }

    boolean released() {
        return released;
    }

    /**
     * Host access that may write: a shadow holding newer values writes them back first; then neither the shadow
     * nor what was recorded about the values holds any more.
     */
    void touched() {
        if (shadowState != NONE || facts != 0) {
            synchronized (this) {
                if (shadowState == NEWER) {
                    shadow.writeBack(block.address());
                }
                shadowState = NONE;
                facts = 0;
            }
        }
    }

    Shadow shadow() {
        return shadow;
    }

    /** Whether the shadow holds the current values (newer than the memory, or a copy of them). */
    boolean shadowCurrent() {
        return shadowState != NONE;
    }

    /** Whether only the shadow holds the current values (the memory is stale until the next host access). */
    boolean shadowNewer() {
        return shadowState == NEWER;
    }

    synchronized void attachShadow(Shadow s) {
        if (shadowState == NEWER) {
            shadow.writeBack(block.address());
        }
        Shadow old = shadow;
        shadow = s;
        shadowState = NONE;
        if (old != null && old != s) {
            old.close();
        }
    }

    synchronized void shadowState(int state) {
        if (shadow == null) {
            throw new IllegalStateException("no shadow attached");
        }
        shadowState = state;
    }

    void mark(int fact) {
        facts |= fact;
    }

    int facts() {
        return facts;
    }

    Object attachment(Object key) {
        return attachments == null ? null : attachments.get(key);
    }

    void attach(Object key, AutoCloseable value) {
        if (attachments == null) {
            attachments = new HashMap<>();
        }
        closeQuietly(attachments.put(key, value));
    }

    void release() {
        if (!released) {
            released = true;
            if (shadow != null) {
                shadow.close();
                shadow = null;
                shadowState = NONE;
            }
            if (attachments != null) {
                attachments.values().forEach(Storage::closeQuietly);
                attachments = null;
            }
            pool.release(block);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing " + c + " failed: " + e.getMessage(), e);
        }
    }
}
