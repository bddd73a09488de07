#ifndef CKERNELS_H
#define CKERNELS_H

// Elementwise kernels compiled for AVX2 and AVX-512 and chosen at run time from the CPU.
//
// Swift has no per-function target attribute, and a package that others depend on cannot pass
// -target-cpu (unsafeFlags), so the Swift code of this package is built for baseline x86-64
// (SSE2). These C functions carry `target` attributes instead: the same arithmetic as the
// Swift loops they stand in for, in the same order and without contraction into FMA, so their
// results are bit-identical to the Swift loops; only the vector width differs.
//
// Each function returns 1 if it did the work, 0 if this CPU (or architecture) has no
// accelerated variant and the caller must run its portable loop.

/// The Adam step over `n` elements (see `Adam` in Sources/Perceptron/Optimizers/Adam.swift):
/// with `decays`: p ← p·shrink, d = g + l2·p; otherwise d = g (shrink and l2 ignored);
/// m ← m + w1·(d − m), v ← b2·v + w2·d², p ← p − step·(m / (√|v|·c + eps)).
/// With `stream`, p is written with non-temporal stores (then a store fence): faster when
/// another core has just read p (a multi-threaded GEMM), slower when p is small and read
/// again soon by this core. The results are the same either way.
int ckernels_adam_f32(float *p, const float *g, float *m, float *v, long n, float w1, float b2,
                      float w2, float step, float c, float eps, int decays, float shrink, float l2,
                      int stream);

/// ``ckernels_adam_f32`` in double precision.
int ckernels_adam_f64(double *p, const double *g, double *m, double *v, long n, double w1,
                      double b2, double w2, double step, double c, double eps, int decays,
                      double shrink, double l2, int stream);

/// The CPU's hint for a spin-wait loop (x86 `pause`, ARM `yield`): it saves power and leaves
/// a sibling hardware thread the core's resources while this one polls.
static inline void ckernels_spin_wait_hint(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/// The widest vector extension the kernels use on this CPU: 512, 256, or 0 (none: the callers'
/// portable loops run).
int ckernels_vector_bits(void);

/// What CPUID says about the CPU, with each instruction set counted only when the OS also saves
/// its registers (XCR0, read with `xgetbv`): AVX needs the XMM and YMM state, AVX-512 the
/// opmask and ZMM state, AMX the XTILECFG and XTILEDATA state. A flag is 1 or 0; off x86 every
/// field is zero and `vendor` is empty.
typedef struct ckernels_cpu_info {
    /// CPUID leaf 0: "GenuineIntel", "AuthenticAMD", …; NUL-terminated.
    char vendor[13];
    /// The display family and model (extended fields folded in, as /proc/cpuinfo shows them).
    int family;
    int model;
    int sse3;
    int avx;
    int avx2;
    int fma;
    int avx512f;
    int avx512bw;
    int avx512dq;
    int avx512vl;
    int avx512_bf16;
    int amx_tile;
    int amx_bf16;
    int amx_int8;
} ckernels_cpu_info;

/// Fills `info` from CPUID leaves 0, 1, 7.0 and 7.1 and XCR0.
void ckernels_cpu_info_read(ckernels_cpu_info *info);

#endif
