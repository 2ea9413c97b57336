package io.jtrain.tensor;

import java.util.EnumMap;
import java.util.Map;

/** Current and peak byte counters per category, shared by the CPU and CUDA pools. Not thread-safe. */
public final class PoolStats {
    private final Map<MemoryCategory, long[]> perCategory = new EnumMap<>(MemoryCategory.class);
    private long inUse;
    private long peak;
    private int live;
    private long allocations;

    public PoolStats() {
        for (MemoryCategory c : MemoryCategory.values()) {
            perCategory.put(c, new long[2]);
        }
    }

    public void add(MemoryCategory c, long bytes) {
        long[] s = perCategory.get(c);
        s[0] += bytes;
        s[1] = Math.max(s[1], s[0]);
        inUse += bytes;
        peak = Math.max(peak, inUse);
        live++;
        allocations++;
    }

    public void remove(MemoryCategory c, long bytes) {
        perCategory.get(c)[0] -= bytes;
        inUse -= bytes;
        live--;
    }

    public long inUse() {
        return inUse;
    }

    public long peak() {
        return peak;
    }

    public long inUse(MemoryCategory c) {
        return perCategory.get(c)[0];
    }

    public long peak(MemoryCategory c) {
        return perCategory.get(c)[1];
    }

    public int live() {
        return live;
    }

    /** Allocations since the pool was created (to check that a steady state allocates nothing). */
    public long allocations() {
        return allocations;
    }

    public void resetPeaks() {
        peak = inUse;
        for (long[] s : perCategory.values()) {
            s[1] = s[0];
        }
    }
}
