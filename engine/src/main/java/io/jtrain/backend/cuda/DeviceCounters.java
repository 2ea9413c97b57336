package io.jtrain.backend.cuda;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a device was asked to do, counted by {@link CountingCudaApi} and {@link CountingCudnnApi}: launches
 * (our kernels, cuBLAS and cuDNN compute calls), calls that block the host (synchronous copies, stream,
 * event and device synchronisation, cudaFree and cudaFreeHost, which synchronise the device), copies in
 * each direction, and device and page-locked host allocations. The step budget is differences of
 * snapshots taken at step ends.
 */
public final class DeviceCounters {
    /** A snapshot of the counters. */
    public record Snapshot(long launches, long blockingSyncs, long hostToDevice, long deviceToHost, long deviceAllocs,
                           long hostAllocs) {
        /** This snapshot minus an earlier one. */
        public Snapshot minus(Snapshot o) {
            return new Snapshot(launches - o.launches, blockingSyncs - o.blockingSyncs, hostToDevice - o.hostToDevice,
                deviceToHost - o.deviceToHost, deviceAllocs - o.deviceAllocs, hostAllocs - o.hostAllocs);
        }
    }

    long launches;
    long blockingSyncs;
    long hostToDevice;
    long deviceToHost;
    long deviceAllocs;
    long hostAllocs;
    private final Map<String, Long> byName = new TreeMap<>();

    void launch(String name) {
        launches++;
        byName.merge(name, 1L, Long::sum);
    }

    public Snapshot snapshot() {
        return new Snapshot(launches, blockingSyncs, hostToDevice, deviceToHost, deviceAllocs, hostAllocs);
    }

    /** Launches so far by kernel or library call name. */
    public Map<String, Long> launchesByName() {
        return new TreeMap<>(byName);
    }
}
