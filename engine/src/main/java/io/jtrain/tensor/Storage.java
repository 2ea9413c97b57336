package io.jtrain.tensor;

/** A pool block shared by a tensor and its views; released once, by the owning tensor. */
final class Storage {
    final MemoryPool pool;
    final MemoryPool.Block block;
    final long elements;
    final boolean host;
    private boolean released;

    Storage(MemoryPool pool, long elements, MemoryCategory category, boolean host) {
        this.pool = pool;
        this.elements = elements;
        this.block = pool.allocate(Math.max(1, elements) * Float.BYTES, category);
        this.host = host;
    }

    boolean released() {
        return released;
    }

    void release() {
        if (!released) {
            released = true;
            pool.release(block);
        }
    }
}
