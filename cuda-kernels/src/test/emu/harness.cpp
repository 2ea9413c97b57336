// Runs one of jtrain's kernels under the CPU emulation. Usage: harness OP GRID BLOCK < input > output.
// Input: int32 count of parameters, that many float64 parameters, int32 count of arrays, and for each
// array an int64 length and that many float32 values. Output: every array after the kernel, same format
// (int64 length + float32 values). Compared with the CPU backend by CudaKernelEmulationTest.
#include "cuda_emu.h"
#include "../../main/cuda/elementwise.cu"
#include "../../main/cuda/activations.cu"
#include "../../main/cuda/dropout.cu"
#include "../../main/cuda/optimizers.cu"
#include "../../main/cuda/im2col.cu"
#include "../../main/cuda/pooling.cu"
#include "../../main/cuda/reductions.cu"
#include "../../main/cuda/batchnorm.cu"
#include "../../main/cuda/losses.cu"
#include <cstdio>
#include <cstdint>
#include <string>

static std::vector<double> P;
static std::vector<std::vector<float>> A;

static void readAll() {
    int32_t np = 0;
    fread(&np, 4, 1, stdin);
    P.resize(np);
    fread(P.data(), 8, np, stdin);
    int32_t na = 0;
    fread(&na, 4, 1, stdin);
    A.resize(na);
    for (auto& a : A) {
        int64_t len = 0;
        fread(&len, 8, 1, stdin);
        a.resize(len);
        fread(a.data(), 4, len, stdin);
    }
}

static ConvGeo conv() {
    return ConvGeo{(int) P[0], (int) P[1], (int) P[2], (int) P[3], (int) P[4], (int) P[5], (int) P[6], (int) P[7],
                   (int) P[8], (int) P[9], (int) P[10]};
}

static PoolGeo pool() {
    return PoolGeo{(int) P[1], (int) P[2], (int) P[3], (int) P[4], (int) P[5], (int) P[6], (int) P[7], (int) P[8],
                   (int) P[9], (int) P[10]};
}

int main(int argc, char** argv) {
    std::string op = argv[1];
    unsigned grid = (unsigned) atoi(argv[2]);
    unsigned block = (unsigned) atoi(argv[3]);
    readAll();
    long long n = (long long) P.empty() ? 0 : (long long) P[0];
    auto f = [](int i) { return A[i].data(); };
    if (op == "fill") launch(grid, block, fillValues, n, (float) P[1], f(0));
    else if (op == "axpy") launch(grid, block, axpy, n, (float) P[1], (const float*) f(0), f(1));
    else if (op == "scale") launch(grid, block, scaleValues, n, (float) P[1], f(0));
    else if (op == "multiply") launch(grid, block, multiplyValues, n, (const float*) f(0), (const float*) f(1), f(2));
    else if (op == "clamp") launch(grid, block, clampValues, n, (float) P[1], (float) P[2], f(0));
    else if (op == "addRowBias") launch(grid, block, addRowBias, n, (int) P[1], (const float*) f(0), f(1));
    else if (op == "rowBiasGrad") launch(grid, block, rowBiasGrad, n, (int) P[1], (const float*) f(0), f(1));
    else if (op == "addChannelBias") launch(grid, block, addChannelBias, n, (int) P[1], (int) P[2], (const float*) f(0), f(1));
    else if (op == "channelBiasGrad") launch(grid, block, channelBiasGrad, (int) P[0], (int) P[1], (int) P[2],
                                             (const float*) f(0), f(1));
    else if (op == "actFwd") launch(grid, block, activationForward, n, (int) P[1], (float) P[2], (const float*) f(0), f(1));
    else if (op == "actBwd") launch(grid, block, activationBackward, n, (int) P[1], (float) P[2], (const float*) f(0),
                                    (const float*) f(1), (const float*) f(2), f(3));
    else if (op == "dropout") {
        unsigned long long seed = ((unsigned long long) (uint32_t) (int64_t) P[2] << 32) | (uint32_t) (int64_t) P[3];
        launch(grid, block, dropoutForward, n, (float) P[1], seed, (const float*) f(0), f(1), f(2));
    } else if (op == "sgd") launch(grid, block, sgdStep, n, (float) P[1], (float) P[2], (float) P[3], (int) P[4],
                                   (int) P[5], f(0), (const float*) f(1), f(2));
    else if (op == "adam") launch(grid, block, adamStep, n, (float) P[1], (float) P[2], (float) P[3], (float) P[4],
                                  (float) P[5], (float) P[6], (float) P[7], f(0), (const float*) f(1), f(2), f(3));
    else if (op == "rmsprop") launch(grid, block, rmspropStep, n, (float) P[1], (float) P[2], (float) P[3], (float) P[4],
                                     f(0), (const float*) f(1), f(2));
    else if (op == "im2col") launch(grid, block, im2col, conv(), (const float*) f(0), f(1), (int) P[11], (int) P[12]);
    else if (op == "col2im") launch(grid, block, col2im, conv(), (const float*) f(0), (int) P[11], (int) P[12], f(1));
    else if (op == "maxFwd") launch(grid, block, maxPoolForward, n, pool(), (const float*) f(0), f(1));
    else if (op == "maxBwd") launch(grid, block, maxPoolBackward, n, pool(), (const float*) f(0), (const float*) f(1), f(2));
    else if (op == "avgFwd") launch(grid, block, avgPoolForward, n, pool(), (const float*) f(0), f(1));
    else if (op == "avgBwd") launch(grid, block, avgPoolBackward, n, pool(), (const float*) f(0), f(1));
    else if (op == "sumsq") {
        std::vector<double> partial(grid);
        launch(grid, block, sumSquaresPartial, n, (const float*) f(0), partial.data());
        double total = 0;
        for (double p : partial) total += p;
        A[1][0] = (float) total;
    } else if (op == "bnTrain") launch(grid, block, batchNormForwardTraining, (int) P[0], (int) P[1], (int) P[2],
                                       (float) P[3], (float) P[4], (const float*) f(0), f(1), (const float*) f(2),
                                       (const float*) f(3), f(4), f(5), f(6), f(7));
    else if (op == "bnInfer") launch(grid, block, batchNormForwardInference, (long long) P[0] * (long long) P[1] * (long long) P[2],
                                     (int) P[1], (int) P[2], (float) P[4], (const float*) f(0), f(1), (const float*) f(2),
                                     (const float*) f(3), (const float*) f(4), (const float*) f(5));
    else if (op == "bnBackward") launch(grid, block, batchNormBackward, (int) P[0], (int) P[1], (int) P[2],
                                        (const float*) f(0), (const float*) f(1), f(2), (const float*) f(3),
                                        (const float*) f(4), (const float*) f(5), f(6), f(7));
    else if (op == "sce") launch(grid, block, softmaxCrossEntropy, n, (int) P[1], (const float*) f(0), (const float*) f(1),
                                 f(2), (float) P[2], f(3));
    else if (op == "softmax") launch(grid, block, softmaxRows, n, (int) P[1], (const float*) f(0), f(1));
    else if (op == "bce") launch(grid, block, bceWithLogits, n, (const float*) f(0), (const float*) f(1), f(2),
                                 (float) P[1], f(3));
    else if (op == "mse") launch(grid, block, meanSquaredError, n, (const float*) f(0), (const float*) f(1), f(2),
                                 (float) P[1], f(3));
    else {
        fprintf(stderr, "unknown op %s\n", op.c_str());
        return 2;
    }
    for (auto& a : A) {
        int64_t len = (int64_t) a.size();
        fwrite(&len, 8, 1, stdout);
        fwrite(a.data(), 4, len, stdout);
    }
    return 0;
}
