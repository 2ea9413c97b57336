package io.jtrain.tensor;

import io.jtrain.util.Sizes;

/**
 * A device memory pool could not satisfy an allocation. Carries the requested, in-use and capacity
 * bytes (and, on a GPU, the free and total bytes the driver reported; -1 where unknown).
 */
public final class OutOfMemoryException extends RuntimeException {
    private final long requestedBytes;
    private final long inUseBytes;
    private final long capacityBytes;
    private final long freeBytes;
    private final long totalBytes;
    private final MemoryCategory category;
    private final String device;

    public OutOfMemoryException(String device, MemoryCategory category, long requestedBytes, long inUseBytes,
                                long capacityBytes, long freeBytes, long totalBytes) {
        super(message(device, category, requestedBytes, inUseBytes, capacityBytes, freeBytes, totalBytes));
        this.device = device;
        this.category = category;
        this.requestedBytes = requestedBytes;
        this.inUseBytes = inUseBytes;
        this.capacityBytes = capacityBytes;
        this.freeBytes = freeBytes;
        this.totalBytes = totalBytes;
    }

    private static String message(String device, MemoryCategory category, long req, long inUse, long cap,
                                  long free, long total) {
        StringBuilder sb = new StringBuilder();
        sb.append("out of memory on ").append(device).append(": requested ").append(Sizes.format(req))
          .append(" for ").append(category.label()).append(", ").append(Sizes.format(inUse))
          .append(" in use of a capacity of ").append(Sizes.format(cap));
        if (total >= 0) {
            sb.append(" (device reports ").append(Sizes.format(free)).append(" free of ")
              .append(Sizes.format(total)).append(")");
        }
        sb.append("; use a smaller batch size ('jtrain probe' finds the largest that fits) or a smaller model, or "
            + "raise --memory-limit");
        return sb.toString();
    }

    public long requestedBytes() {
        return requestedBytes;
    }

    public long inUseBytes() {
        return inUseBytes;
    }

    public long capacityBytes() {
        return capacityBytes;
    }

    public long freeBytes() {
        return freeBytes;
    }

    public long totalBytes() {
        return totalBytes;
    }

    public MemoryCategory category() {
        return category;
    }

    public String device() {
        return device;
    }
}
