#ifndef ALLOC_COUNTER_H
#define ALLOC_COUNTER_H
#include <stdint.h>
/// 0 when built with a sanitizer (counting is off, counters stay 0).
int alloc_counter_enabled(void);
/// Number of malloc/calloc/realloc/aligned allocations made by the calling thread since it started.
uint64_t alloc_counter_mallocs(void);
uint64_t alloc_counter_bytes(void);
uint64_t alloc_counter_frees(void);
/// Allocations made by every thread of the process since it started.
uint64_t alloc_counter_mallocs_all_threads(void);
#endif
