package io.jtrain.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.MemoryPool;
import io.jtrain.tensor.OutOfMemoryException;
import java.util.IdentityHashMap;
import java.util.Map;
import jcuda.Pointer;
import org.junit.jupiter.api.Test;

/**
 * The device pool's logic against a fake device with a fixed amount of memory (no GPU needed): size
 * classes, reuse of cached blocks, emptying the cache and retrying once on cudaErrorMemoryAllocation, the
 * typed out-of-memory exception with the device's free and total bytes, and a pool still usable afterwards.
 * Also the mapping of cuBLAS and cuDNN allocation failures to the same exception.
 */
class CudaMemoryPoolTest {
    private static final long MIB = 1L << 20;

    /** A device of {@code total} bytes; cudaMalloc fails with code 2 when it does not fit. */
    static final class FakeDevice implements DeviceMemory {
        final long total;
        final Map<Pointer, Long> live = new IdentityHashMap<>();
        long used;
        int mallocs;
        int frees;
        int errorsCleared;

        FakeDevice(long total) {
            this.total = total;
        }

        @Override
        public int malloc(Pointer p, long bytes) {
            mallocs++;
            if (used + bytes > total) {
                return Cuda.RUNTIME_OOM;
            }
            used += bytes;
            live.put(p, bytes);
            return 0;
        }

        @Override
        public int free(Pointer p) {
            frees++;
            used -= live.remove(p);
            return 0;
        }

        @Override
        public void clearError() {
            errorsCleared++;
        }

        @Override
        public long[] info() {
            return new long[] {total - used, total};
        }
    }

    @Test
    void sizeClasses() {
        assertEquals(512, CudaMemoryPool.roundUp(1));
        assertEquals(1024, CudaMemoryPool.roundUp(513));
        assertEquals(2047 * 512, CudaMemoryPool.roundUp(MIB - 600));
        assertEquals(2 * MIB, CudaMemoryPool.roundUp(MIB + 1));
        assertEquals(4 * MIB, CudaMemoryPool.roundUp(3 * MIB));
    }

    @Test
    void freedBlocksAreReusedWithinTheirClass() {
        FakeDevice dev = new FakeDevice(64 * MIB);
        CudaMemoryPool pool = new CudaMemoryPool("fake:0", 64 * MIB, dev);
        MemoryPool.Block a = pool.allocate(1000, MemoryCategory.ACTIVATIONS);
        assertEquals(1024, a.bytes());
        pool.release(a);
        MemoryPool.Block b = pool.allocate(900, MemoryCategory.WEIGHTS);
        assertEquals(a.address(), b.address(), "the cached block is reused");
        assertEquals(1, dev.mallocs);
        assertEquals(1024, pool.reservedBytes());
        assertEquals(1024, pool.inUseBytes(MemoryCategory.WEIGHTS));
        assertEquals(0, pool.inUseBytes(MemoryCategory.ACTIVATIONS));
        assertTrue(pool.pointer(b.address() + 8).toString().contains("byteOffset=8"));
        pool.release(b);
        assertEquals(0, pool.inUseBytes());
        assertEquals(1024, pool.peakBytes());
        pool.close();
        assertEquals(0, dev.used);
    }

    @Test
    void outOfMemoryEmptiesTheCacheAndRetriesOnce() {
        FakeDevice dev = new FakeDevice(4 * MIB);
        CudaMemoryPool pool = new CudaMemoryPool("fake:0", 4 * MIB, dev);
        pool.release(pool.allocate(2 * MIB, MemoryCategory.ACTIVATIONS));   // cached, still reserved on the device
        MemoryPool.Block big = pool.allocate(3 * MIB, MemoryCategory.ACTIVATIONS);   // class 4 MiB: only after the cache is freed
        assertEquals(4 * MIB, big.bytes());
        assertEquals(1, dev.frees);
        assertEquals(1, dev.errorsCleared);
        assertEquals(4 * MIB, pool.reservedBytes());
        assertEquals(4 * MIB, pool.peakReservedBytes());
        pool.release(big);
        pool.close();
    }

    @Test
    void secondFailureIsTheTypedExceptionAndThePoolStaysUsable() {
        FakeDevice dev = new FakeDevice(4 * MIB);
        CudaMemoryPool pool = new CudaMemoryPool("fake:0", 8 * MIB, dev);
        MemoryPool.Block held = pool.allocate(2 * MIB, MemoryCategory.WEIGHTS);
        OutOfMemoryException e = assertThrows(OutOfMemoryException.class,
            () -> pool.allocate(4 * MIB, MemoryCategory.ACTIVATIONS));
        assertEquals(4 * MIB, e.requestedBytes());
        assertEquals(2 * MIB, e.inUseBytes());
        assertEquals(2 * MIB, e.freeBytes());
        assertEquals(4 * MIB, e.totalBytes());
        assertEquals(MemoryCategory.ACTIVATIONS, e.category());
        assertTrue(e.getMessage().startsWith("out of memory on fake:0: requested 4"), e.getMessage());
        assertEquals(3, dev.mallocs, "first try, then one retry after emptying the cache");
        assertEquals(2, dev.errorsCleared);
        MemoryPool.Block small = pool.allocate(MIB, MemoryCategory.ACTIVATIONS);
        assertEquals(2 * MIB, small.bytes());
        pool.release(small);
        pool.release(held);
        assertEquals(0, pool.inUseBytes());
        pool.close();
    }

    @Test
    void capacityIsCheckedBeforeTheDevice() {
        FakeDevice dev = new FakeDevice(64 * MIB);
        CudaMemoryPool pool = new CudaMemoryPool("fake:0", MIB, dev);
        OutOfMemoryException e = assertThrows(OutOfMemoryException.class,
            () -> pool.allocate(2 * MIB, MemoryCategory.ACTIVATIONS));
        assertEquals(MIB, e.capacityBytes());
        assertEquals(0, dev.mallocs);
    }

    @Test
    void cublasAndCudnnAllocationFailuresAreTheSameException() {
        CudaMemoryPool pool = new CudaMemoryPool("fake:0", MIB, new FakeDevice(MIB));
        OutOfMemoryException a = assertThrows(OutOfMemoryException.class,
            () -> Cuda.cudnn(Cuda.CUDNN_ALLOC_FAILED, "cudnnConvolutionForward", pool));
        assertTrue(a.getMessage().contains("cudnnConvolutionForward (cuDNN could not allocate)"), a.getMessage());
        assertEquals(MIB, a.freeBytes());
        OutOfMemoryException b = assertThrows(OutOfMemoryException.class,
            () -> Cuda.cublas(Cuda.CUBLAS_ALLOC_FAILED, "cublasSgemm", pool));
        assertTrue(b.getMessage().contains("cublasSgemm (cuBLAS could not allocate)"), b.getMessage());
        Cuda.CudaException other = assertThrows(Cuda.CudaException.class,
            () -> Cuda.cudnn(3, "cudnnSetTensor4dDescriptor", pool));
        assertTrue(other.getMessage().contains("CUDNN_STATUS_BAD_PARAM"), other.getMessage());
        assertEquals(3, other.status);
        Cuda.cudnn(0, "cudnnCreate", pool);
    }
}
