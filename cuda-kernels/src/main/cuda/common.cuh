// Shared definitions of jtrain's CUDA kernels. Every kernel is extern "C" (stable names for
// cuModuleGetFunction), written as a grid-stride loop over its output elements, deterministic (no
// atomics: gradients that gather from several outputs loop over them in a fixed order), and compiled to
// PTX for compute_75 (see build-ptx.sh). The same sources run on the CPU under cuda-kernels/src/test/emu.
#pragma once

#define GRID_STRIDE(i, n) \
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (long long) blockDim.x * gridDim.x)
