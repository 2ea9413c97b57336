package io.jtrain.backend.cpu;

import io.jtrain.backend.HostBuffer;
import io.jtrain.tensor.HostMemory;
import io.jtrain.tensor.Tensor;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Off-heap staging memory of the CPU backend (JavaCPP's allocator, like CPU tensors), or a view of a tensor's own
 * memory ({@link #of(Tensor)}), which closing leaves alone.
 */
final class CpuHostBuffer implements HostBuffer {
    private final FloatPointer memory;
    private final HostMemory mem;
    private final FloatBuffer floats;

    CpuHostBuffer(long floats) {
        if (floats > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a host buffer holds at most " + Integer.MAX_VALUE + " floats");
        }
        this.memory = new FloatPointer(Math.max(1, floats));
        this.mem = HostMemory.at(memory.address(), floats);
        this.floats = memory.capacity(Math.max(1, floats)).asBuffer();
    }

    private CpuHostBuffer(HostMemory mem, FloatBuffer floats) {
        this.memory = null;
        this.mem = mem;
        this.floats = floats;
    }

    /** The memory of {@code t} (a host access: newer values in its shadow are written back first). */
    static CpuHostBuffer of(Tensor t) {
        HostMemory m = t.mem();
        return new CpuHostBuffer(m, t.host());
    }

    HostMemory mem() {
        return mem;
    }

    @Override
    public FloatBuffer floats() {
        return floats;
    }

    @Override
    public long size() {
        return mem.size();
    }

    @Override
    public void close() {
        if (memory != null) {
            memory.close();
        }
    }
}
