#include "alloc_counter.h"
#include <stddef.h>
#include <errno.h>

#if defined(__has_feature)
#  if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#    define ALLOC_COUNTER_OFF 1   /* the sanitizer owns malloc: don't replace it */
#  endif
#endif

#ifndef ALLOC_COUNTER_OFF
int alloc_counter_enabled(void) { return 1; }

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void  __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);

// Per-thread counters: a measurement sees only its own thread's allocations
// (parallel tests and OpenBLAS worker threads don't pollute it).
static _Thread_local uint64_t n_malloc, n_bytes, n_free;
// And one process-wide count, to see allocations on helper threads too.
static uint64_t all_malloc;
#define COUNT(sz) do { n_malloc++; n_bytes += (sz); __atomic_fetch_add(&all_malloc, 1, __ATOMIC_RELAXED); } while (0)

void *malloc(size_t n) { COUNT(n); return __libc_malloc(n); }
void *calloc(size_t c, size_t n) { COUNT(c * n); return __libc_calloc(c, n); }
void *realloc(void *p, size_t n) { COUNT(n); return __libc_realloc(p, n); }
void free(void *p) { if (p) n_free++; __libc_free(p); }
void *memalign(size_t al, size_t n) { COUNT(n); return __libc_memalign(al, n); }
void *aligned_alloc(size_t al, size_t n) { COUNT(n); return __libc_memalign(al, n); }
int posix_memalign(void **out, size_t al, size_t n) {
    COUNT(n);
    void *p = __libc_memalign(al, n);
    if (!p) return ENOMEM;
    *out = p; return 0;
}
#else
int alloc_counter_enabled(void) { return 0; }
static uint64_t n_malloc, n_bytes, n_free, all_malloc;
#endif

uint64_t alloc_counter_mallocs(void) { return n_malloc; }
uint64_t alloc_counter_bytes(void)   { return n_bytes; }
uint64_t alloc_counter_frees(void)   { return n_free; }
uint64_t alloc_counter_mallocs_all_threads(void) { return __atomic_load_n(&all_malloc, __ATOMIC_RELAXED); }
