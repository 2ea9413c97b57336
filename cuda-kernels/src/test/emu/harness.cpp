// The emulated CUDA device of the tests: jtrain's kernels, the .cu sources unchanged, compiled with g++
// against cuda_emu.h, behind a small binary protocol on stdin/stdout that the Java side
// (tests/.../EmulatedCudaApi) speaks as a CudaApi. "Device memory" is this process's memory; a device
// address is a pointer here, so kernels receive real pointers. Requests (little-endian): one opcode byte,
// then its fields; every reply starts with an int32 status (0 = success).
//   M i64 bytes                       -> status, i64 address        (cudaMalloc; 2 when over the limit)
//   F i64 address                     -> status                     (cudaFree)
//   W i64 address, i64 n, n bytes     -> status                     (host to device)
//   R i64 address, i64 n              -> status, n bytes            (device to host)
//   C i64 dst, i64 src, i64 n         -> status                     (device to device)
//   L u16 len, name, i32 gx, gy, block, i32 argBytes, args -> status  (launch; 1 unknown kernel, 2 argument
//                                                                      bytes do not match the signature)
//   G sgemm: i32 opA, opB, m, n, k, f32 alpha, i64 a, i32 lda, i64 b, i32 ldb, f32 beta, i64 c, i32 ldc
//   B strided batched: as G with i64 strides after lda, ldb, ldc and an i32 batch count
//   K                                 -> status, u32 count, names (the registered kernels)
//   Q                                 -> exits
// Argument bytes are the kernel's parameters packed in order, each with its C size (pointers 8 bytes,
// structs of ints 4 bytes per field), so a Java argument list that does not match the signature fails here.
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
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <tuple>
#include <type_traits>

using Invoker = std::function<int(unsigned, unsigned, unsigned, const char*, size_t)>;

template <class T>
static T take(const char*& p) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    p += sizeof(T);
    return v;
}

template <class... P>
static Invoker wrap(void (*k)(P...)) {
    return [k](unsigned gx, unsigned gy, unsigned block, const char* a, size_t len) -> int {
        size_t need = (sizeof(std::decay_t<P>) + ... + 0);
        if (len != need) {
            return 2;
        }
        const char* p = a;
        std::tuple<std::decay_t<P>...> args{take<std::decay_t<P>>(p)...};
        std::apply([&](auto... xs) { launch2(gx, gy, block, k, xs...); }, args);
        return 0;
    };
}

#define REG(name) kernels[#name] = wrap(name)

static std::map<std::string, Invoker> registry() {
    std::map<std::string, Invoker> kernels;
    REG(fillValues);
    REG(axpy);
    REG(scaleValues);
    REG(scaleByDeviceScalar);
    REG(multiplyValues);
    REG(clampValues);
    REG(addRowBias);
    REG(addChannelBias);
    REG(activationForward);
    REG(activationBackward);
    REG(dropoutForward);
    REG(sgdStep);
    REG(adamStep);
    REG(rmspropStep);
    REG(im2colBatch);
    REG(col2imBatch);
    REG(transposeNK);
    REG(maxPoolForward);
    REG(maxPoolBackward);
    REG(avgPoolForward);
    REG(avgPoolBackward);
    REG(channelPartials);
    REG(channelSumFinalize);
    REG(bnStatsFinalize);
    REG(bnBackwardFinalize);
    REG(unitStatsFinalize);
    REG(sumSquaresPartial);
    REG(clipFinalize);
    REG(statsPartial);
    REG(statsFinalize);
    REG(batchNormApply);
    REG(batchNormForwardInference);
    REG(batchNormBackwardDx);
    REG(softmaxCrossEntropy);
    REG(softmaxRows);
    REG(softmaxRowsBackward);
    REG(bceWithLogits);
    REG(meanSquaredError);
    REG(lossAccumulate);
    return kernels;
}

static bool readAll(void* dst, size_t n) {
    return fread(dst, 1, n, stdin) == n;
}

template <class T>
static T in() {
    T v{};
    if (!readAll(&v, sizeof(T))) {
        exit(0);
    }
    return v;
}

static void reply(int32_t status) {
    fwrite(&status, 4, 1, stdout);
}

// Column-major sgemm as cuBLAS defines it; sums in double, in k order (dot products when A is transposed,
// axpy form when it is not, so the inner loops run over contiguous memory).
static void sgemm(int opA, int opB, int m, int n, int k, float alpha, const float* a, int lda, const float* b,
                  int ldb, float beta, float* c, int ldc) {
    std::vector<double> col((size_t) m);
    std::vector<float> bcol((size_t) k);
    for (int j = 0; j < n; j++) {
        for (int l = 0; l < k; l++) {
            bcol[l] = opB ? b[j + (long long) l * ldb] : b[l + (long long) j * ldb];
        }
        if (opA) {
            for (int i = 0; i < m; i++) {
                const float* ar = a + (long long) i * lda;
                double s = 0;
                for (int l = 0; l < k; l++) {
                    s += (double) ar[l] * bcol[l];
                }
                col[i] = s;
            }
        } else {
            std::fill(col.begin(), col.end(), 0.0);
            for (int l = 0; l < k; l++) {
                const float* ac = a + (long long) l * lda;
                double bv = bcol[l];
                for (int i = 0; i < m; i++) {
                    col[i] += (double) ac[i] * bv;
                }
            }
        }
        float* cj = c + (long long) j * ldc;
        for (int i = 0; i < m; i++) {
            cj[i] = (float) (alpha * col[i] + (beta == 0.0f ? 0.0 : (double) beta * cj[i]));
        }
    }
}

int main(int argc, char** argv) {
    long long limit = argc > 1 ? atoll(argv[1]) : (1LL << 32);
    long long used = 0;
    std::map<uintptr_t, size_t> live;
    auto kernels = registry();
    std::vector<char> buf;
    std::map<std::string, double> spent;
    for (;;) {
        int op = fgetc(stdin);
        if (op == EOF || op == 'Q') {
            if (getenv("EMU_PROFILE") != nullptr) {
                for (auto& kv : spent) {
                    fprintf(stderr, "emu-profile %-28s %8.3f s\n", kv.first.c_str(), kv.second);
                }
            }
            return 0;
        }
        switch (op) {
            case 'M': {
                long long n = in<long long>();
                if (used + n > limit) {
                    reply(2);
                    long long zero = 0;
                    fwrite(&zero, 8, 1, stdout);
                    break;
                }
                void* p = aligned_alloc(256, (size_t) ((n + 255) / 256 * 256));
                std::memset(p, 0x7f, (size_t) n);
                live[(uintptr_t) p] = (size_t) n;
                used += n;
                reply(0);
                long long a = (long long) (uintptr_t) p;
                fwrite(&a, 8, 1, stdout);
                break;
            }
            case 'F': {
                long long a = in<long long>();
                auto it = live.find((uintptr_t) a);
                if (it == live.end()) {
                    reply(1);
                    break;
                }
                used -= (long long) it->second;
                free((void*) (uintptr_t) a);
                live.erase(it);
                reply(0);
                break;
            }
            case 'W': {
                long long a = in<long long>();
                long long n = in<long long>();
                readAll((void*) (uintptr_t) a, (size_t) n);
                reply(0);
                break;
            }
            case 'R': {
                long long a = in<long long>();
                long long n = in<long long>();
                reply(0);
                fwrite((void*) (uintptr_t) a, 1, (size_t) n, stdout);
                break;
            }
            case 'C': {
                long long d = in<long long>();
                long long s = in<long long>();
                long long n = in<long long>();
                std::memmove((void*) (uintptr_t) d, (void*) (uintptr_t) s, (size_t) n);
                reply(0);
                break;
            }
            case 'L': {
                uint16_t len = in<uint16_t>();
                std::string name(len, '\0');
                readAll(name.data(), len);
                unsigned gx = (unsigned) in<int32_t>();
                unsigned gy = (unsigned) in<int32_t>();
                unsigned block = (unsigned) in<int32_t>();
                int32_t bytes = in<int32_t>();
                buf.resize((size_t) bytes);
                readAll(buf.data(), (size_t) bytes);
                auto it = kernels.find(name);
                auto t0 = std::chrono::steady_clock::now();
                reply(it == kernels.end() ? 1 : it->second(gx, gy, block, buf.data(), (size_t) bytes));
                spent[name] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                break;
            }
            case 'G':
            case 'B': {
                int opA = in<int32_t>();
                int opB = in<int32_t>();
                int m = in<int32_t>();
                int n = in<int32_t>();
                int k = in<int32_t>();
                float alpha = in<float>();
                long long a = in<long long>();
                int lda = in<int32_t>();
                long long sa = op == 'B' ? in<long long>() : 0;
                long long b = in<long long>();
                int ldb = in<int32_t>();
                long long sb = op == 'B' ? in<long long>() : 0;
                float beta = in<float>();
                long long c = in<long long>();
                int ldc = in<int32_t>();
                long long sc = op == 'B' ? in<long long>() : 0;
                int batch = op == 'B' ? in<int32_t>() : 1;
                auto g0 = std::chrono::steady_clock::now();
                for (int i = 0; i < batch; i++) {
                    sgemm(opA, opB, m, n, k, alpha, (const float*) (uintptr_t) a + i * sa, lda,
                          (const float*) (uintptr_t) b + i * sb, ldb, beta, (float*) (uintptr_t) c + i * sc, ldc);
                }
                spent[op == 'B' ? "cublasSgemmStridedBatched" : "cublasSgemm"] +=
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - g0).count();
                reply(0);
                break;
            }
            case 'K': {
                reply(0);
                uint32_t count = (uint32_t) kernels.size();
                fwrite(&count, 4, 1, stdout);
                for (auto& kv : kernels) {
                    uint16_t l = (uint16_t) kv.first.size();
                    fwrite(&l, 2, 1, stdout);
                    fwrite(kv.first.data(), 1, l, stdout);
                }
                break;
            }
            default:
                fprintf(stderr, "harness: unknown request %d\n", op);
                return 2;
        }
        fflush(stdout);
    }
}
