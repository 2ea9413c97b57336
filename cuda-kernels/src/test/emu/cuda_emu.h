// A CPU emulation of the CUDA execution model for testing jtrain's kernels without a GPU (GPU.md §8):
// blocks run one after another; the threads of a block run as real threads; __syncthreads() is a barrier
// of the block's threads; __shared__ storage is per block (blocks never overlap in time); threadIdx and
// blockIdx are thread-local. Compile the unchanged .cu sources with g++ -std=c++20 -pthread.
#pragma once
#include <barrier>
#include <cmath>
#include <cstring>
#include <thread>
#include <vector>

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};

inline thread_local dim3 threadIdx;
inline thread_local dim3 blockIdx;
inline dim3 blockDim;
inline dim3 gridDim;
inline std::barrier<>* emuBarrier = nullptr;

#define __global__
#define __device__
#define __shared__ static
#define __syncthreads() emuBarrier->arrive_and_wait()

using std::fmaxf;
using std::fminf;

template <class... P, class... A>
void launch(unsigned grid, unsigned block, void (*kernel)(P...), A... args) {
    gridDim = dim3{grid, 1, 1};
    blockDim = dim3{block, 1, 1};
    for (unsigned b = 0; b < grid; b++) {
        std::barrier<> bar(block);
        emuBarrier = &bar;
        std::vector<std::thread> threads;
        threads.reserve(block);
        for (unsigned t = 0; t < block; t++) {
            threads.emplace_back([=]() {
                threadIdx = dim3{t, 1, 1};
                blockIdx = dim3{b, 1, 1};
                kernel(args...);
            });
        }
        for (auto& th : threads) {
            th.join();
        }
    }
    emuBarrier = nullptr;
}
