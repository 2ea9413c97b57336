package io.jtrain.tensor;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * A float32 tensor on one device. Storage comes from the device's {@link MemoryPool} and is released
 * by {@link #close()} (deterministically; the garbage collector never frees device memory). A view
 * ({@link #view}, {@link #narrow}) shares its owner's storage and does not release it.
 *
 * <p>On the CPU, {@link #host()} is a direct {@link FloatBuffer} over the off-heap block and
 * {@link #hostPointer()} the same memory as a JavaCPP pointer for OpenBLAS; neither copies.
 */
public final class Tensor implements AutoCloseable {
    private final Shape shape;
    private final Storage storage;
    private final long offset;
    private final boolean owner;
    private FloatBuffer hostBuffer;
    private FloatPointer hostPointer;
    private HostMemory hostMemory;

    private Tensor(Shape shape, Storage storage, long offset, boolean owner) {
        this.shape = shape;
        this.storage = storage;
        this.offset = offset;
        this.owner = owner;
    }

    /** Allocates an uninitialised tensor from {@code pool}; {@code host} says whether the memory is host memory. */
    public static Tensor allocate(MemoryPool pool, Shape shape, MemoryCategory category, boolean host) {
        return new Tensor(shape, new Storage(pool, shape.size(), category, host), 0, true);
    }

    public Shape shape() {
        return shape;
    }

    public long size() {
        return shape.size();
    }

    /** Size of dimension {@code i} (negative counts from the end). */
    public int dim(int i) {
        return shape.dim(i);
    }

    public MemoryCategory category() {
        return storage.block.category();
    }

    public MemoryPool pool() {
        return storage.pool;
    }

    public boolean isHost() {
        return storage.host;
    }

    /** Address of element 0 of this tensor (host or device address). */
    public long address() {
        checkLive();
        storage.touched();
        return storage.block.address() + offset * Float.BYTES;
    }

    /** A tensor of another shape over the same elements (from this tensor's first element). */
    public Tensor view(Shape newShape) {
        checkLive();
        if (newShape.size() + offset > storage.elements) {
            throw new IllegalArgumentException("view " + newShape + " exceeds storage of " + storage.elements
                + " elements");
        }
        return new Tensor(newShape, storage, offset, false);
    }

    /** The first {@code n} entries of the leading dimension, as a view. */
    public Tensor narrow(int n) {
        if (n == shape.dim(0)) {
            return this;
        }
        int[] d = shape.dims();
        if (n > d[0] || n < 0) {
            throw new IllegalArgumentException("cannot narrow " + shape + " to " + n);
        }
        d[0] = n;
        return view(Shape.of(d));
    }

    /** Entries {@code [from, from+n)} of the leading dimension, as a view. */
    public Tensor slice(int from, int n) {
        checkLive();
        int[] d = shape.dims();
        if (from < 0 || from + n > d[0]) {
            throw new IllegalArgumentException("cannot slice [" + from + ", " + (from + n) + ") of " + shape);
        }
        long per = shape.sampleSize();
        d[0] = n;
        return new Tensor(Shape.of(d), storage, offset + from * per, false);
    }

    /** Host memory of this tensor as a direct buffer (index 0 is element 0). CPU tensors only. */
    public FloatBuffer host() {
        if (hostBuffer == null) {
            hostBuffer = hostPointer().asBuffer();
        }
        return hostBuffer;
    }

    /** Raw accessors over this tensor's host memory (index 0 is element 0). CPU tensors only. */
    public HostMemory mem() {
        checkLive();
        if (!storage.host) {
            throw new IllegalStateException("tensor " + shape + " is in device memory, not host memory");
        }
        storage.touched();
        if (hostMemory == null) {
            hostMemory = new HostMemory(address(), shape.size());
        }
        return hostMemory;
    }

    /** Host memory of this tensor as a JavaCPP pointer (for native libraries). CPU tensors only. */
    public FloatPointer hostPointer() {
        checkLive();
        if (!storage.host) {
            throw new IllegalStateException("tensor " + shape + " is in device memory, not host memory");
        }
        storage.touched();
        if (hostPointer == null) {
            long addr = address();
            Pointer raw = new Pointer() {
                {
                    address = addr;
                }
            };
            hostPointer = new FloatPointer(raw);
            hostPointer.capacity(shape.size());
            hostPointer.limit(shape.size());
        }
        return hostPointer;
    }

    /** A fact about a storage's values ({@link #markValues}): none is NaN or −∞. */
    public static final int NO_NAN_OR_NEGATIVE_INFINITY = 1;
    /** A fact about a storage's values: each is +0 or greater (+∞ included), so none is NaN or −∞ either. */
    public static final int NON_NEGATIVE = 3;

    /**
     * Records a fact about every value in this tensor's storage ({@link #NO_NAN_OR_NEGATIVE_INFINITY},
     * {@link #NON_NEGATIVE}) that the op which has just written it guarantees (the CPU backend's ReLU, say). Facts
     * hold until the next host access to the storage through any of its tensors ({@link #mem()}, {@link #host()},
     * {@link #hostPointer()}, {@link #address()}: each may write), and let a later op take a path that is exact only
     * on such values (oneDNN's max pooling, which skips NaN).
     */
    public void markValues(int fact) {
        checkLive();
        storage.mark(fact);
    }

    /** Whether {@code fact} was recorded by {@link #markValues} with no host access since. */
    public boolean hasValues(int fact) {
        checkLive();
        return (storage.facts() & fact) == fact;
    }

    /** The {@link Shadow} attached to this tensor's storage, or null. */
    public Shadow shadow() {
        checkLive();
        return storage.shadow();
    }

    /**
     * Attaches {@code s} to this tensor's storage as its shadow, out of date for now; an earlier shadow that held
     * newer values writes them back first, and is closed.
     */
    public void attachShadow(Shadow s) {
        checkLive();
        storage.attachShadow(s);
    }

    /** Whether the shadow holds the current values of this tensor's storage (with or without its memory). */
    public boolean shadowCurrent() {
        checkLive();
        return storage.shadowCurrent();
    }

    /** Whether only the shadow holds the current values (the storage's memory is stale until a host access). */
    public boolean shadowNewer() {
        checkLive();
        return storage.shadowNewer();
    }

    /**
     * The backend has just written this storage's new values into its shadow only: the memory is stale, and the
     * next host access writes the shadow back first. Call after writing the shadow, with no host access between.
     */
    public void shadowWritten() {
        checkLive();
        storage.shadowState(Storage.NEWER);
    }

    /**
     * The backend has just copied this storage's current values into its shadow: both hold them, until the next
     * host access (which may write the memory) leaves the shadow out of date.
     */
    public void shadowFilled() {
        checkLive();
        storage.shadowState(Storage.BOTH);
    }

    /** What a backend attached to this tensor's storage under {@code key} ({@link #attach}), or null. */
    public Object attachment(Object key) {
        checkLive();
        return storage.attachment(key);
    }

    /**
     * Attaches {@code value} to this tensor's storage (shared with its views) under {@code key}, closing what was
     * attached there before; closed when the storage is released. Backends keep per-tensor buffers this way (the
     * CPU backend: the argmax workspace of a max pooling, from its forward pass to its backward pass).
     */
    public void attach(Object key, AutoCloseable value) {
        checkLive();
        storage.attach(key, value);
    }

    public boolean isClosed() {
        return storage.released();
    }

    /** Releases the storage if this tensor owns it; views are no-ops. Idempotent. */
    @Override
    public void close() {
        if (owner) {
            storage.release();
        }
    }

    private void checkLive() {
        if (storage.released()) {
            throw new IllegalStateException("tensor " + shape + " used after close()");
        }
    }

    @Override
    public String toString() {
        return "Tensor" + shape + "@" + storage.pool.device() + (owner ? "" : " (view)");
    }
}
