package io.jtrain.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.MemoryPool;
import io.jtrain.tensor.OutOfMemoryException;
import java.util.Map;
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
    static class FakeDevice extends NullCudaApi {
        final long total;
        final Map<Long, Long> live = new java.util.HashMap<>();
        long used;
        long next = 1L << 20;
        int mallocs;
        int frees;
        int errorsCleared;

        FakeDevice(long total) {
            super(total);
            this.total = total;
        }

        @Override
        public int malloc(long[] address, long bytes) {
            mallocs++;
            if (used + bytes > total) {
                return Cuda.RUNTIME_OOM;
            }
            used += bytes;
            address[0] = next;
            next += bytes;
            live.put(address[0], bytes);
            return 0;
        }

        @Override
        public int free(long address) {
            frees++;
            used -= live.remove(address);
            return 0;
        }

        @Override
        public int getLastError() {
            errorsCleared++;
            return 0;
        }

        @Override
        public int memGetInfo(long[] free, long[] total) {
            free[0] = this.total - used;
            total[0] = this.total;
            return 0;
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
        pool.release(b);
        assertEquals(0, pool.inUseBytes());
        assertEquals(1024, pool.peakBytes());
        pool.close();
        assertEquals(0, dev.used);
    }

    @Test
    void outOfMemoryEmptiesTheCacheAndRetriesOnce() {
        FakeDevice dev = new FakeDevice(4 * MIB);
        CudaMemoryPool pool = new CudaMemoryPool("fake:0", 8 * MIB, dev);
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
    void capacityCountsReservedBytesAndEmptiesTheCacheBeforeGivingUp() {
        FakeDevice dev = new FakeDevice(64 * MIB);
        CudaMemoryPool pool = new CudaMemoryPool("fake:0", 4 * MIB, dev);
        pool.release(pool.allocate(2 * MIB, MemoryCategory.ACTIVATIONS));
        assertEquals(2 * MIB, pool.reservedBytes(), "a cached block stays reserved");
        MemoryPool.Block big = pool.allocate(3 * MIB, MemoryCategory.ACTIVATIONS);
        assertEquals(4 * MIB, pool.reservedBytes(), "the cache was emptied so that 4 MiB fit under the limit");
        assertEquals(1, dev.frees);
        assertEquals(0, dev.errorsCleared, "no device out-of-memory was needed to find that out");
        OutOfMemoryException e = assertThrows(OutOfMemoryException.class,
            () -> pool.allocate(512, MemoryCategory.WEIGHTS));
        assertEquals(4 * MIB, e.inUseBytes());
        pool.release(big);
        pool.close();
    }

    @Test
    void cleanupAfterAStickyErrorIsBestEffort() {
        FakeDevice dev = new FakeDevice(64 * MIB) {
            @Override
            public int free(long address) {
                frees++;
                return 700;
            }
        };
        CudaMemoryPool pool = new CudaMemoryPool("fake:0", 64 * MIB, dev);
        pool.release(pool.allocate(2 * MIB, MemoryCategory.ACTIVATIONS));
        pool.allocate(5 * MIB, MemoryCategory.WEIGHTS);
        pool.close();
        assertEquals(2, dev.frees, "every block was still tried");
        assertEquals(2, pool.cleanupProblems().size());
        assertTrue(pool.cleanupProblems().get(0).contains("cudaErrorIllegalAddress"), pool.cleanupProblems().toString());
        assertEquals(0, pool.reservedBytes());
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
            () -> Cuda.cudnn(new NullCudnnApi(), Cuda.CUDNN_ALLOC_FAILED, "cudnnConvolutionForward", pool));
        assertTrue(a.getMessage().contains("cudnnConvolutionForward (cuDNN could not allocate)"), a.getMessage());
        assertEquals(MIB, a.freeBytes());
        OutOfMemoryException b = assertThrows(OutOfMemoryException.class,
            () -> Cuda.cublas(new NullCudaApi(), Cuda.CUBLAS_ALLOC_FAILED, "cublasSgemm", pool));
        assertTrue(b.getMessage().contains("cublasSgemm (cuBLAS could not allocate)"), b.getMessage());
        Cuda.CudaException other = assertThrows(Cuda.CudaException.class,
            () -> Cuda.cudnn(new NullCudnnApi(), 3, "cudnnSetTensor4dDescriptor", pool));
        assertTrue(other.getMessage().contains("CUDNN_STATUS_BAD_PARAM"), other.getMessage());
        assertEquals(3, other.status);
        Cuda.cudnn(new NullCudnnApi(), 0, "cudnnCreate", pool);
        OutOfMemoryException c = assertThrows(OutOfMemoryException.class,
            () -> Cuda.runtime(new NullCudaApi(), Cuda.RUNTIME_OOM, "cudaHostAlloc", pool));
        assertTrue(c.getMessage().contains("cudaHostAlloc"), c.getMessage());
        OutOfMemoryException d = assertThrows(OutOfMemoryException.class,
            () -> Cuda.driver(new NullCudaApi(), Cuda.RUNTIME_OOM, "cuModuleLoadData", pool));
        assertTrue(d.getMessage().contains("cuModuleLoadData"), d.getMessage());
    }
}
