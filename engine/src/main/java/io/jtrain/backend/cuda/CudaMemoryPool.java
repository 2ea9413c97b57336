package io.jtrain.backend.cuda;

import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.MemoryPool;
import io.jtrain.tensor.OutOfMemoryException;
import io.jtrain.tensor.PoolStats;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Device memory through a caching pool: sizes rounded to 512 B (small) or 2 MiB (large) classes, freed
 * blocks kept per class for reuse (cudaFree synchronises the device); current, reserved and peak bytes.
 * The capacity limits <em>reserved</em> bytes (what the pool holds from the device, cached blocks
 * included): a new device block is taken only while reserved + its size fits, after emptying the cache
 * once if needed. A cudaErrorMemoryAllocation also empties the cache and retries once; a second failure is
 * the typed {@link OutOfMemoryException} with the driver's free and total bytes. Block addresses are the
 * device addresses. Cleanup ({@link #emptyCache}, {@link #close}) is best effort: after a sticky device error
 * every cudaFree may fail, and that must not turn a fallback into a crash; failures are counted and kept in
 * {@link #cleanupProblems}. Not thread-safe: the backend's single GPU thread owns it.
 */
final class CudaMemoryPool implements MemoryPool {
    private static final long SMALL = 512;
    private static final long LARGE = 2L << 20;
    private final String device;
    private final CudaApi mem;
    private final PoolStats stats = new PoolStats();
    private final Map<Long, ArrayDeque<Long>> free = new HashMap<>();
    private final Map<Long, Long> sizes = new HashMap<>();
    private final List<String> cleanupProblems = new ArrayList<>();
    private long capacity;
    private long reserved;
    private long peakReserved;

    CudaMemoryPool(String device, long capacity, CudaApi mem) {
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
        ArrayDeque<Long> q = free.get(size);
        Long address = q == null ? null : q.poll();
        if (address == null) {
            if (reserved + size > capacity) {
                emptyCache();
                if (reserved + size > capacity) {
                    throw oom(category, size);
                }
            }
            address = deviceMalloc(size, category);
        }
        stats.add(category, size);
        return new Block(address, size, category);
    }

    private long deviceMalloc(long size, MemoryCategory category) {
        long[] p = {0};
        int rc = mem.malloc(p, size);
        if (rc == Cuda.RUNTIME_OOM) {
            mem.getLastError();
            emptyCache();
            rc = mem.malloc(p, size);
            if (rc == Cuda.RUNTIME_OOM) {
                mem.getLastError();
                throw oom(category, size);
            }
        }
        Cuda.runtime(mem, rc, "cudaMalloc(" + size + ")");
        sizes.put(p[0], size);
        reserved += size;
        peakReserved = Math.max(peakReserved, reserved);
        return p[0];
    }

    private OutOfMemoryException oom(MemoryCategory category, long size) {
        long[] f = {-1};
        long[] t = {-1};
        if (mem.memGetInfo(f, t) != 0) {
            f[0] = -1;
            t[0] = -1;
        }
        return new OutOfMemoryException(device, category, size, reserved, capacity, f[0], t[0]);
    }

    /**
     * The typed exception for an allocation failure inside a library (cuBLAS, cuDNN) or another runtime call:
     * the requested size is not known there (reported as 0); reserved, capacity, free and total bytes are.
     */
    OutOfMemoryException outOfMemory(String where) {
        mem.getLastError();
        OutOfMemoryException e = oom(MemoryCategory.WORKSPACE, 0);
        return new OutOfMemoryException(device + " in " + where, e.category(), 0, e.inUseBytes(), e.capacityBytes(),
            e.freeBytes(), e.totalBytes());
    }

    /** Frees every cached block (not the ones in use); best effort, never throws. */
    void emptyCache() {
        for (ArrayDeque<Long> q : free.values()) {
            for (Long address : q) {
                release(address);
            }
        }
        free.clear();
    }

    private void release(long address) {
        Long size = sizes.remove(address);
        reserved -= size == null ? 0 : size;
        try {
            int rc = mem.free(address);
            if (rc != 0) {
                cleanupProblems.add("cudaFree: " + mem.runtimeErrorName(rc));
            }
        } catch (RuntimeException | LinkageError e) {
            cleanupProblems.add("cudaFree: " + e);
        }
    }

    /** What went wrong while freeing memory (after a sticky device error), for the one-line reports. */
    List<String> cleanupProblems() {
        return List.copyOf(cleanupProblems);
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

    /** Frees everything the pool holds, blocks still in use included; best effort, never throws. */
    void close() {
        emptyCache();
        for (Long address : new ArrayList<>(sizes.keySet())) {
            release(address);
        }
    }
}
