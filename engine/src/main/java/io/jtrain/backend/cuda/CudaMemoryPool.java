package io.jtrain.backend.cuda;

import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.MemoryPool;
import io.jtrain.tensor.OutOfMemoryException;
import io.jtrain.tensor.PoolStats;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import jcuda.Pointer;

/**
 * Device memory through a caching pool: sizes rounded to 512 B (small) or 2 MiB (large) classes, freed
 * blocks kept per class for reuse (cudaFree synchronises the device); current, reserved and peak bytes.
 * On an allocation failure the cache is emptied and the allocation retried once; a second failure is the
 * typed {@link OutOfMemoryException} with the driver's free and total bytes. Blocks are named by
 * synthetic addresses (id << 40) so that tensor views can carry byte offsets; {@link #pointer} turns an
 * address back into a device pointer. Not thread-safe: the backend's single GPU thread owns it.
 */
final class CudaMemoryPool implements MemoryPool {
    private static final long SMALL = 512;
    private static final long LARGE = 2L << 20;
    static final int ID_SHIFT = 40;
    private final String device;
    private final DeviceMemory mem;
    private final PoolStats stats = new PoolStats();
    private final Map<Long, ArrayDeque<Long>> free = new HashMap<>();
    private final Map<Long, Pointer> pointers = new HashMap<>();
    private final Map<Long, Long> sizes = new HashMap<>();
    private long capacity;
    private long reserved;
    private long peakReserved;
    private long nextId = 1;

    CudaMemoryPool(String device, long capacity) {
        this(device, capacity, DeviceMemory.CUDA);
    }

    CudaMemoryPool(String device, long capacity, DeviceMemory mem) {
        this.device = device;
        this.capacity = capacity;
        this.mem = mem;
    }

    static long roundUp(long bytes) {
        long unit = bytes >= (1L << 20) ? LARGE : SMALL;
        return Math.max(unit, (bytes + unit - 1) / unit * unit);
    }

    @Override
    public Block allocate(long bytes, MemoryCategory category) {
        long size = roundUp(bytes);
        if (stats.inUse() + size > capacity) {
            throw oom(category, size);
        }
        ArrayDeque<Long> q = free.get(size);
        Long id = q == null ? null : q.poll();
        if (id == null) {
            id = cudaMalloc(size, category);
        }
        stats.add(category, size);
        return new Block(id, size, category);
    }

    private long cudaMalloc(long size, MemoryCategory category) {
        Pointer p = new Pointer();
        int rc = mem.malloc(p, size);
        if (rc == Cuda.RUNTIME_OOM) {
            mem.clearError();
            emptyCache();
            rc = mem.malloc(p, size);
            if (rc == Cuda.RUNTIME_OOM) {
                mem.clearError();
                throw oom(category, size);
            }
        }
        Cuda.runtime(rc, "cudaMalloc(" + size + ")");
        long id = nextId++ << ID_SHIFT;
        pointers.put(id, p);
        sizes.put(id, size);
        reserved += size;
        peakReserved = Math.max(peakReserved, reserved);
        return id;
    }

    private OutOfMemoryException oom(MemoryCategory category, long size) {
        long[] ft = mem.info();
        return new OutOfMemoryException(device, category, size, stats.inUse(), capacity, ft[0], ft[1]);
    }

    /**
     * The typed exception for an allocation failure inside a library (cuBLAS, cuDNN): the requested size is
     * not known there (reported as 0); in-use, capacity, free and total bytes are.
     */
    OutOfMemoryException outOfMemory(String where) {
        mem.clearError();
        OutOfMemoryException e = oom(MemoryCategory.WORKSPACE, 0);
        return new OutOfMemoryException(device + " in " + where, e.category(), 0, e.inUseBytes(), e.capacityBytes(),
            e.freeBytes(), e.totalBytes());
    }

    /** Frees every cached block (not the ones in use). */
    void emptyCache() {
        for (ArrayDeque<Long> q : free.values()) {
            for (Long id : q) {
                Cuda.runtime(mem.free(pointers.remove(id)), "cudaFree");
                reserved -= sizes.remove(id);
            }
        }
        free.clear();
    }

    /** The device pointer of a (block address + byte offset). */
    Pointer pointer(long address) {
        long id = address >>> ID_SHIFT << ID_SHIFT;
        Pointer p = pointers.get(id);
        if (p == null) {
            throw new IllegalStateException("no device block at " + Long.toHexString(address));
        }
        long off = address - id;
        return off == 0 ? p : p.withByteOffset(off);
    }

    @Override
    public void release(Block block) {
        free.computeIfAbsent(block.bytes(), k -> new ArrayDeque<>()).push(block.address());
        stats.remove(block.category(), block.bytes());
    }

    @Override
    public long reservedBytes() {
        return reserved;
    }

    @Override
    public long peakReservedBytes() {
        return peakReserved;
    }

    @Override
    public String device() {
        return device;
    }

    @Override
    public long capacityBytes() {
        return capacity;
    }

    @Override
    public long inUseBytes() {
        return stats.inUse();
    }

    @Override
    public long peakBytes() {
        return stats.peak();
    }

    @Override
    public long inUseBytes(MemoryCategory category) {
        return stats.inUse(category);
    }

    @Override
    public long peakBytes(MemoryCategory category) {
        return stats.peak(category);
    }

    @Override
    public int liveBlocks() {
        return stats.live();
    }

    @Override
    public long allocationCount() {
        return stats.allocations();
    }

    @Override
    public void resetPeaks() {
        stats.resetPeaks();
    }

    @Override
    public void setCapacityBytes(long capacityBytes) {
        this.capacity = capacityBytes;
    }

    void close() {
        emptyCache();
        for (Pointer p : pointers.values()) {
            mem.free(p);
        }
        pointers.clear();
    }
}
