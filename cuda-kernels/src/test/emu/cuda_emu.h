// A CPU emulation of the CUDA execution model for testing jtrain's kernels without a GPU (GPU.md §8).
// Blocks run one after another (1-D or 2-D grids). The threads of a block are fibers on one OS thread
// (a minimal x86-64 context switch: callee-saved registers and the stack pointer), scheduled round-robin: a fiber runs until it finishes or waits at a barrier, so kernels without
// barriers cost two context switches per thread. __syncthreads() waits until every thread of the block
// has arrived; __shfl_down_sync exchanges values through a per-warp buffer between two warp barriers
// (lanes past the warp or the block get their own value back, as on a GPU with a full mask). __shared__
// storage is per block (blocks never overlap in time). A block whose threads cannot all reach a barrier
// (undefined behaviour on a GPU) aborts the emulation with a message. Compile the unchanged .cu sources
// with g++ -std=c++20.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <functional>
#include <vector>

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};

namespace emu {
constexpr size_t STACK = 128 * 1024;

// A suspended fiber: its saved stack pointer (the callee-saved registers are on its stack).
struct Context {
    void* rsp = nullptr;
};

extern "C" void emu_switch(Context* from, Context* to);
asm(R"(
.text
.globl emu_switch
.type emu_switch,@function
emu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq (%rsi), %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
.size emu_switch, .-emu_switch
)");

struct Fiber {
    Context ctx;
    std::vector<char> stack;
    bool done = false;
};
inline std::vector<Fiber> fibers;
inline Context scheduler;
inline unsigned current = 0;
inline dim3 block;
inline dim3 grid;
inline dim3 blockIndex;
inline std::function<void()> body;
inline unsigned arrived = 0;
inline unsigned generation = 0;
inline std::vector<unsigned> warpArrived;
inline std::vector<unsigned> warpGeneration;
inline std::vector<std::vector<unsigned char>> warpSlots;
inline unsigned long long progress = 0;

inline void yield() {
    emu_switch(&fibers[current].ctx, &scheduler);
}

// The first frame of every fiber: runs the kernel, then returns to the scheduler for good.
inline void entry() {
    body();
    fibers[current].done = true;
    emu_switch(&fibers[current].ctx, &scheduler);
    abort();
}

// A fresh stack whose first switch "returns" into entry() with the alignment of a call.
inline void prepare(Fiber& f) {
    if (f.stack.empty()) {
        f.stack.resize(STACK);
    }
    uintptr_t top = ((uintptr_t) f.stack.data() + f.stack.size()) & ~(uintptr_t) 15;
    void** sp = (void**) top;
    *--sp = nullptr;                 // entry()'s return address (never used)
    *--sp = (void*) &entry;          // where the first switch returns to
    for (int i = 0; i < 6; i++) {
        *--sp = nullptr;             // rbp, rbx, r12-r15
    }
    f.ctx.rsp = sp;
    f.done = false;
}

inline void syncthreads() {
    unsigned g = generation;
    if (++arrived == block.x) {
        arrived = 0;
        generation++;
        progress++;
        return;
    }
    while (generation == g) {
        yield();
    }
}

inline unsigned warpSize(unsigned w) {
    return std::min(32u, block.x - 32 * w);
}

inline void warpBarrier() {
    unsigned w = current / 32;
    unsigned g = warpGeneration[w];
    if (++warpArrived[w] == warpSize(w)) {
        warpArrived[w] = 0;
        warpGeneration[w]++;
        progress++;
        return;
    }
    while (warpGeneration[w] == g) {
        yield();
    }
}

// Runs one block: every fiber from its start until all have finished.
inline void runBlock() {
    unsigned n = block.x;
    if (fibers.size() < n) {
        fibers.resize(n);
    }
    arrived = 0;
    warpArrived.assign((n + 31) / 32, 0);
    warpGeneration.assign((n + 31) / 32, 0);
    warpSlots.assign((n + 31) / 32, std::vector<unsigned char>(32 * 8));
    for (unsigned t = 0; t < n; t++) {
        prepare(fibers[t]);
    }
    unsigned remaining = n;
    long long idleRounds = 0;
    while (remaining > 0) {
        unsigned long long before = progress;
        unsigned finishedNow = 0;
        for (unsigned t = 0; t < n; t++) {
            if (fibers[t].done) {
                continue;
            }
            current = t;
            emu_switch(&scheduler, &fibers[t].ctx);
            if (fibers[t].done) {
                finishedNow++;
            }
        }
        remaining -= finishedNow;
        idleRounds = finishedNow == 0 && progress == before ? idleRounds + 1 : 0;
        if (idleRounds > 3) {
            fprintf(stderr, "emulation: the threads of a block cannot all reach a barrier\n");
            abort();
        }
    }
}
}  // namespace emu

#define threadIdx (dim3{emu::current, 0, 0})
#define blockIdx (emu::blockIndex)
#define blockDim (emu::block)
#define gridDim (emu::grid)

#define __global__
#define __device__
#define __shared__ static
#define __syncthreads() emu::syncthreads()

using std::fmaxf;
using std::fminf;
using std::max;
using std::min;

template <class T>
T __shfl_down_sync(unsigned /*mask*/, T v, int delta) {
    static_assert(sizeof(T) <= 8, "shuffle of at most 8 bytes");
    unsigned lane = emu::current % 32;
    unsigned w = emu::current / 32;
    unsigned char* slots = emu::warpSlots[w].data();
    std::memcpy(slots + 8 * lane, &v, sizeof(T));
    emu::warpBarrier();
    T r = v;
    if (lane + delta < 32 && w * 32 + lane + delta < emu::block.x) {
        std::memcpy(&r, slots + 8 * (lane + delta), sizeof(T));
    }
    emu::warpBarrier();
    return r;
}

// Runs kernel(args...) on a gridX x gridY grid of `block` threads.
template <class... P, class... A>
void launch2(unsigned gridX, unsigned gridY, unsigned block, void (*kernel)(P...), A... args) {
    emu::grid = dim3{gridX, gridY, 1};
    emu::block = dim3{block, 1, 1};
    emu::body = [=]() { kernel(args...); };
    for (unsigned by = 0; by < gridY; by++) {
        for (unsigned bx = 0; bx < gridX; bx++) {
            emu::blockIndex = dim3{bx, by, 1};
            emu::runBlock();
        }
    }
}

template <class... P, class... A>
void launch(unsigned grid, unsigned block, void (*kernel)(P...), A... args) {
    launch2(grid, 1, block, kernel, args...);
}
