package io.jtrain.tensor;

/**
 * The memory of one device. Every tensor's storage comes from a pool, which has a capacity and counts
 * current and peak bytes per {@link MemoryCategory}. Allocation beyond the capacity throws
 * {@link OutOfMemoryException}; memory is returned by {@link #release}, never by the garbage collector.
 */
public interface MemoryPool {

    /** A raw block: an address (host or device) and its size in bytes. */
    record Block(long address, long bytes, MemoryCategory category) { }

    /** Allocates {@code bytes} (not zeroed) or throws {@link OutOfMemoryException}. */
    Block allocate(long bytes, MemoryCategory category);

    /** Returns a block to the pool. Releasing a block twice is an error. */
    void release(Block block);

    /** Name of the device, e.g. "cpu" or "cuda:0". */
    String device();

    long capacityBytes();

    long inUseBytes();

    long peakBytes();

    /**
     * Bytes held from the device, in use or cached for reuse (the GPU pool keeps freed blocks; the CPU pool
     * returns them, so there it equals {@link #inUseBytes()}).
     */
    default long reservedBytes() {
        return inUseBytes();
    }

    /** The largest {@link #reservedBytes()} so far. */
    default long peakReservedBytes() {
        return peakBytes();
    }

    long inUseBytes(MemoryCategory category);

    long peakBytes(MemoryCategory category);

    /** Number of live blocks. */
    int liveBlocks();

    /** Allocations made since the pool was created. */
    long allocationCount();

    /** Resets all peak counters to the current values. */
    void resetPeaks();

    /** Changes the capacity; it may not be set below the bytes in use. */
    void setCapacityBytes(long capacityBytes);
}
