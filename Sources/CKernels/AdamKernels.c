#include "CKernels.h"

#include <stdint.h>

// IEEE arithmetic exactly as written: no a·b + c fused into one rounding.
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

// The parameters every Adam kernel takes (see CKernels.h).
#define CKERNELS_ADAM_PARAMETERS(T)                                                            \
    T *restrict p, const T *restrict g, T *restrict m, T *restrict v, long n, T w1, T b2,      \
        T w2, T step, T c, T eps, int decays, T shrink, T l2
#define CKERNELS_ADAM_ARGUMENTS p, g, m, v, n, w1, b2, w2, step, c, eps, decays, shrink, l2

// One loop body per precision, inlined into wrappers that differ only in their target
// attribute; the compiler vectorises each copy for its instruction set. The square root is
// `__builtin_elementwise_sqrt` (no errno, so it vectorises) of |v|, which is v since v ≥ 0;
// the same as Swift's `v.magnitude.squareRoot()`.
#define CKERNELS_ADAM_BODY(T)                                                                  \
    for (long i = 0; i < n; i++) {                                                             \
        T pi = decays ? p[i] * shrink : p[i];                                                  \
        T d = decays ? g[i] + l2 * pi : g[i];                                                  \
        T mi = m[i] + w1 * (d - m[i]);                                                         \
        T vi = b2 * v[i] + w2 * (d * d);                                                       \
        m[i] = mi;                                                                             \
        v[i] = vi;                                                                             \
        p[i] = pi - step * (mi / (__builtin_elementwise_sqrt(__builtin_elementwise_abs(vi)) * c \
                                  + eps));                                                     \
    }

// The same arithmetic on whole vectors (VT, LANES lanes), writing p with non-temporal stores:
// the new parameters go to memory without first fetching their old cache lines from the core
// that last read them. `p + i` is 64-byte aligned here; g, m and v need not be (VTU).
#define CKERNELS_ADAM_STREAM_LOOP(T, VT, VTU, LANES)                                           \
    for (; i + LANES <= n; i += LANES) {                                                       \
        VT p0 = *(const VT *)(p + i);                                                          \
        VT g0 = *(const VTU *)(g + i);                                                         \
        VT m0 = *(const VTU *)(m + i);                                                         \
        VT v0 = *(const VTU *)(v + i);                                                         \
        VT pi = p0;                                                                            \
        VT d = g0;                                                                             \
        if (decays) {                                                                          \
            pi = p0 * shrink;                                                                  \
            d = g0 + l2 * pi;                                                                  \
        }                                                                                      \
        VT mi = m0 + w1 * (d - m0);                                                            \
        VT vi = b2 * v0 + w2 * (d * d);                                                        \
        *(VTU *)(m + i) = mi;                                                                  \
        *(VTU *)(v + i) = vi;                                                                  \
        VT update = step * (mi / (__builtin_elementwise_sqrt(__builtin_elementwise_abs(vi)) * c \
                                  + eps));                                                     \
        __builtin_nontemporal_store(pi - update, (VT *)(p + i));                               \
    }

#if defined(__x86_64__)

typedef float ckernels_f32x16 __attribute__((ext_vector_type(16)));
typedef float ckernels_f32x16u __attribute__((ext_vector_type(16), aligned(4)));
typedef float ckernels_f32x8 __attribute__((ext_vector_type(8)));
typedef float ckernels_f32x8u __attribute__((ext_vector_type(8), aligned(4)));
typedef double ckernels_f64x8 __attribute__((ext_vector_type(8)));
typedef double ckernels_f64x8u __attribute__((ext_vector_type(8), aligned(8)));
typedef double ckernels_f64x4 __attribute__((ext_vector_type(4)));
typedef double ckernels_f64x4u __attribute__((ext_vector_type(4), aligned(8)));

static inline __attribute__((always_inline)) void adam_f32(CKERNELS_ADAM_PARAMETERS(float)) {
    CKERNELS_ADAM_BODY(float)
}
static inline __attribute__((always_inline)) void adam_f64(CKERNELS_ADAM_PARAMETERS(double)) {
    CKERNELS_ADAM_BODY(double)
}

// Streaming: the plain body up to the first 64-byte boundary of p, whole vectors with
// non-temporal stores, the plain body for the rest; then a store fence, so the stores are
// visible to other threads in order before the caller goes on.
#define CKERNELS_ADAM_STREAM(T, VT, VTU, LANES, PLAIN)                                         \
    long head = (long)(((64 - ((uintptr_t)p & 63)) & 63) / sizeof(T));                         \
    if (head > n) head = n;                                                                    \
    PLAIN(p, g, m, v, head, w1, b2, w2, step, c, eps, decays, shrink, l2);                     \
    long i = head;                                                                             \
    CKERNELS_ADAM_STREAM_LOOP(T, VT, VTU, LANES)                                               \
    PLAIN(p + i, g + i, m + i, v + i, n - i, w1, b2, w2, step, c, eps, decays, shrink, l2);    \
    __builtin_ia32_sfence();

__attribute__((target("avx512f"))) static void adam_f32_avx512(CKERNELS_ADAM_PARAMETERS(float)) {
    adam_f32(CKERNELS_ADAM_ARGUMENTS);
}
__attribute__((target("avx2"))) static void adam_f32_avx2(CKERNELS_ADAM_PARAMETERS(float)) {
    adam_f32(CKERNELS_ADAM_ARGUMENTS);
}
__attribute__((target("avx512f"))) static void adam_f64_avx512(CKERNELS_ADAM_PARAMETERS(double)) {
    adam_f64(CKERNELS_ADAM_ARGUMENTS);
}
__attribute__((target("avx2"))) static void adam_f64_avx2(CKERNELS_ADAM_PARAMETERS(double)) {
    adam_f64(CKERNELS_ADAM_ARGUMENTS);
}
__attribute__((target("avx512f"))) static void adam_f32_stream_avx512(CKERNELS_ADAM_PARAMETERS(float)) {
    CKERNELS_ADAM_STREAM(float, ckernels_f32x16, ckernels_f32x16u, 16, adam_f32)
}
__attribute__((target("avx2"))) static void adam_f32_stream_avx2(CKERNELS_ADAM_PARAMETERS(float)) {
    CKERNELS_ADAM_STREAM(float, ckernels_f32x8, ckernels_f32x8u, 8, adam_f32)
}
__attribute__((target("avx512f"))) static void adam_f64_stream_avx512(CKERNELS_ADAM_PARAMETERS(double)) {
    CKERNELS_ADAM_STREAM(double, ckernels_f64x8, ckernels_f64x8u, 8, adam_f64)
}
__attribute__((target("avx2"))) static void adam_f64_stream_avx2(CKERNELS_ADAM_PARAMETERS(double)) {
    CKERNELS_ADAM_STREAM(double, ckernels_f64x4, ckernels_f64x4u, 4, adam_f64)
}

int ckernels_vector_bits(void) {
    if (__builtin_cpu_supports("avx512f")) return 512;
    if (__builtin_cpu_supports("avx2")) return 256;
    return 0;
}

int ckernels_adam_f32(CKERNELS_ADAM_PARAMETERS(float), int stream) {
    switch (ckernels_vector_bits()) {
    case 512:
        if (stream) adam_f32_stream_avx512(CKERNELS_ADAM_ARGUMENTS);
        else adam_f32_avx512(CKERNELS_ADAM_ARGUMENTS);
        return 1;
    case 256:
        if (stream) adam_f32_stream_avx2(CKERNELS_ADAM_ARGUMENTS);
        else adam_f32_avx2(CKERNELS_ADAM_ARGUMENTS);
        return 1;
    default: return 0;
    }
}

int ckernels_adam_f64(CKERNELS_ADAM_PARAMETERS(double), int stream) {
    switch (ckernels_vector_bits()) {
    case 512:
        if (stream) adam_f64_stream_avx512(CKERNELS_ADAM_ARGUMENTS);
        else adam_f64_avx512(CKERNELS_ADAM_ARGUMENTS);
        return 1;
    case 256:
        if (stream) adam_f64_stream_avx2(CKERNELS_ADAM_ARGUMENTS);
        else adam_f64_avx2(CKERNELS_ADAM_ARGUMENTS);
        return 1;
    default: return 0;
    }
}

#else

int ckernels_vector_bits(void) { return 0; }
int ckernels_adam_f32(CKERNELS_ADAM_PARAMETERS(float), int stream) { return 0; }
int ckernels_adam_f64(CKERNELS_ADAM_PARAMETERS(double), int stream) { return 0; }

#endif
