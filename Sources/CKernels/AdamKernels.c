#include "CKernels.h"

// IEEE arithmetic exactly as written: no a·b + c fused into one rounding.
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

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

#define CKERNELS_ADAM_PARAMETERS(T)                                                            \
    T *restrict p, const T *restrict g, T *restrict m, T *restrict v, long n, T w1, T b2,      \
        T w2, T step, T c, T eps, int decays, T shrink, T l2

#if defined(__x86_64__)

static inline __attribute__((always_inline)) void adam_f32(CKERNELS_ADAM_PARAMETERS(float)) {
    CKERNELS_ADAM_BODY(float)
}
static inline __attribute__((always_inline)) void adam_f64(CKERNELS_ADAM_PARAMETERS(double)) {
    CKERNELS_ADAM_BODY(double)
}

__attribute__((target("avx512f"))) static void adam_f32_avx512(CKERNELS_ADAM_PARAMETERS(float)) {
    adam_f32(p, g, m, v, n, w1, b2, w2, step, c, eps, decays, shrink, l2);
}
__attribute__((target("avx2"))) static void adam_f32_avx2(CKERNELS_ADAM_PARAMETERS(float)) {
    adam_f32(p, g, m, v, n, w1, b2, w2, step, c, eps, decays, shrink, l2);
}
__attribute__((target("avx512f"))) static void adam_f64_avx512(CKERNELS_ADAM_PARAMETERS(double)) {
    adam_f64(p, g, m, v, n, w1, b2, w2, step, c, eps, decays, shrink, l2);
}
__attribute__((target("avx2"))) static void adam_f64_avx2(CKERNELS_ADAM_PARAMETERS(double)) {
    adam_f64(p, g, m, v, n, w1, b2, w2, step, c, eps, decays, shrink, l2);
}

int ckernels_vector_bits(void) {
    if (__builtin_cpu_supports("avx512f")) return 512;
    if (__builtin_cpu_supports("avx2")) return 256;
    return 0;
}

int ckernels_adam_f32(CKERNELS_ADAM_PARAMETERS(float)) {
    switch (ckernels_vector_bits()) {
    case 512: adam_f32_avx512(p, g, m, v, n, w1, b2, w2, step, c, eps, decays, shrink, l2); return 1;
    case 256: adam_f32_avx2(p, g, m, v, n, w1, b2, w2, step, c, eps, decays, shrink, l2); return 1;
    default: return 0;
    }
}

int ckernels_adam_f64(CKERNELS_ADAM_PARAMETERS(double)) {
    switch (ckernels_vector_bits()) {
    case 512: adam_f64_avx512(p, g, m, v, n, w1, b2, w2, step, c, eps, decays, shrink, l2); return 1;
    case 256: adam_f64_avx2(p, g, m, v, n, w1, b2, w2, step, c, eps, decays, shrink, l2); return 1;
    default: return 0;
    }
}

#else

int ckernels_vector_bits(void) { return 0; }
int ckernels_adam_f32(CKERNELS_ADAM_PARAMETERS(float)) { return 0; }
int ckernels_adam_f64(CKERNELS_ADAM_PARAMETERS(double)) { return 0; }

#endif
