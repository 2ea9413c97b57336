package io.jtrain.tensor;

import io.jtrain.util.Sizes;
import org.bytedeco.javacpp.Pointer;

/**
 * Host memory for the CPU backend: off-heap blocks from the native allocator (JavaCPP's
 * {@code malloc}), so that OpenBLAS reads tensors without copies and the JVM heap limit does not apply.
 * The pool always has a capacity: the one given, or {@link #defaultCapacityBytes()}.
 */
public final class CpuMemoryPool implements MemoryPool {
    /** Head-room left to the JVM heap, the OS and other processes by the default capacity. */
    public static final long DEFAULT_HEADROOM_BYTES = 1L << 30;
    /** The smallest default capacity, whatever the machine reports. */
    public static final long MIN_DEFAULT_CAPACITY_BYTES = 256L << 20;

    private final PoolStats stats = new PoolStats();
    private long capacityBytes;

    public CpuMemoryPool(long capacityBytes) {
        if (capacityBytes <= 0) {
            throw new io.jtrain.util.UsageException("memory capacity must be positive, got " + capacityBytes);
        }
        this.capacityBytes = capacityBytes;
    }

    /** A pool with the default capacity. */
    public static CpuMemoryPool withDefaultCapacity() {
        return new CpuMemoryPool(defaultCapacityBytes());
    }

    /**
     * Physical memory less the JVM's maximum heap and {@link #DEFAULT_HEADROOM_BYTES}, and at least
     * {@link #MIN_DEFAULT_CAPACITY_BYTES}.
     */
    public static long defaultCapacityBytes() {
        long physical = Pointer.totalPhysicalBytes();
        if (physical <= 0) {
            physical = 4L << 30;
        }
        long rest = physical - Runtime.getRuntime().maxMemory() - DEFAULT_HEADROOM_BYTES;
        return Math.max(MIN_DEFAULT_CAPACITY_BYTES, rest);
    }

    @Override
    public synchronized Block allocate(long bytes, MemoryCategory category) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative allocation: " + bytes);
        }
        long rounded = Math.max(64, (bytes + 63) & ~63L);
        if (stats.inUse() + rounded > capacityBytes) {
            throw new OutOfMemoryException(device(), category, rounded, stats.inUse(), capacityBytes, -1, -1);
        }
        Pointer p = Pointer.malloc(rounded);
        if (p == null || p.isNull()) {
            throw new OutOfMemoryException(device(), category, rounded, stats.inUse(), capacityBytes, -1, -1);
        }
        stats.add(category, rounded);
        return new Block(p.address(), rounded, category);
    }

    @Override
    public synchronized void release(Block block) {
        Pointer.free(new Pointer() { { address = block.address(); } });
        stats.remove(block.category(), block.bytes());
    }

    @Override
    public String device() {
        return "cpu";
    }

    @Override
    public synchronized long capacityBytes() {
        return capacityBytes;
    }

    @Override
    public synchronized long inUseBytes() {
        return stats.inUse();
    }

    @Override
    public synchronized long peakBytes() {
        return stats.peak();
    }

    @Override
    public synchronized long inUseBytes(MemoryCategory category) {
        return stats.inUse(category);
    }

    @Override
    public synchronized long peakBytes(MemoryCategory category) {
        return stats.peak(category);
    }

    @Override
    public synchronized int liveBlocks() {
        return stats.live();
    }

    @Override
    public synchronized long allocationCount() {
        return stats.allocations();
    }

    @Override
    public synchronized void resetPeaks() {
        stats.resetPeaks();
    }

    @Override
    public synchronized void setCapacityBytes(long capacityBytes) {
        if (capacityBytes < stats.inUse()) {
            throw new io.jtrain.util.UsageException("capacity " + Sizes.format(capacityBytes) + " is below the "
                + Sizes.format(stats.inUse()) + " in use");
        }
        this.capacityBytes = capacityBytes;
    }
}
