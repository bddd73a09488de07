#ifndef CBLAS_SHIM_H
#define CBLAS_SHIM_H
#include <cblas.h>

// OpenBLAS built with DYNAMIC_ARCH exports these two, though no header declares them:
// `gotoblas_dynamic_quit` forgets the kernels chosen at load, `gotoblas_dynamic_init` chooses
// again (reading OPENBLAS_CORETYPE). Declared weak so that a build against an OpenBLAS without
// them still links; their addresses are then null.
extern void gotoblas_dynamic_quit(void) __attribute__((weak));
extern void gotoblas_dynamic_init(void) __attribute__((weak));

// Chooses OpenBLAS's kernels again, as at load. Exists because Swift cannot test a weak
// function's address: returns 0, doing nothing, when the library lacks either function.
static inline int CBLAS_reload_kernels(void) {
    if (!gotoblas_dynamic_quit || !gotoblas_dynamic_init) return 0;
    gotoblas_dynamic_quit();
    gotoblas_dynamic_init();
    return 1;
}

#endif
