package io.jtrain.backend.cpu;

import io.jtrain.backend.HostBuffer;
import io.jtrain.tensor.HostMemory;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;

/** Off-heap staging memory of the CPU backend (JavaCPP's allocator, like CPU tensors). */
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
        memory.close();
    }
}
