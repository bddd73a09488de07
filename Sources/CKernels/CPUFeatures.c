#include "CKernels.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)

#include <cpuid.h>

// XCR0 bits: the state components the OS saves and restores on a context switch. An
// instruction set is usable only when its registers are among them.
#define CKERNELS_XCR0_AVX (0x2u | 0x4u)              // SSE (XMM) and AVX (upper YMM) state
#define CKERNELS_XCR0_AVX512 (0x20u | 0x40u | 0x80u) // opmask, ZMM_Hi256, Hi16_ZMM state
#define CKERNELS_XCR0_AMX (0x20000u | 0x40000u)      // XTILECFG and XTILEDATA state

// `xgetbv` with ECX = 0 (XCR0); only valid when CPUID.1:ECX.OSXSAVE is set. Written as
// inline assembly so that no `target("xsave")` attribute is needed.
static unsigned long long ckernels_xcr0(void) {
    unsigned int eax, edx;
    __asm__ __volatile__("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

void ckernels_cpu_info_read(ckernels_cpu_info *info) {
    memset(info, 0, sizeof *info);
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx)) return;
    unsigned int maximumLeaf = eax;
    // The vendor string is EBX, EDX, ECX in that order ("GenuineIntel", "AuthenticAMD").
    memcpy(info->vendor, &ebx, 4);
    memcpy(info->vendor + 4, &edx, 4);
    memcpy(info->vendor + 8, &ecx, 4);
    info->vendor[12] = 0;

    __cpuid(1, eax, ebx, ecx, edx);
    // Display family and model (Intel SDM vol. 2A, CPUID leaf 1): the extended family is added
    // when the base family is 0xF; the extended model is prepended for families 6 and 0xF.
    unsigned int baseFamily = (eax >> 8) & 0xF;
    unsigned int baseModel = (eax >> 4) & 0xF;
    info->family = (int)(baseFamily == 0xF ? baseFamily + ((eax >> 20) & 0xFF) : baseFamily);
    info->model = (int)(baseFamily == 0x6 || baseFamily == 0xF ? (((eax >> 16) & 0xF) << 4) | baseModel
                                                               : baseModel);

    int osxsave = (ecx >> 27) & 1;
    unsigned long long xcr0 = osxsave ? ckernels_xcr0() : 0;
    int osAVX = (xcr0 & CKERNELS_XCR0_AVX) == CKERNELS_XCR0_AVX;
    int osAVX512 = osAVX && (xcr0 & CKERNELS_XCR0_AVX512) == CKERNELS_XCR0_AVX512;
    int osAMX = (xcr0 & CKERNELS_XCR0_AMX) == CKERNELS_XCR0_AMX;

    info->sse3 = ecx & 1;
    info->avx = osAVX && ((ecx >> 28) & 1);
    info->fma = osAVX && ((ecx >> 12) & 1);

    if (maximumLeaf < 7) return;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    unsigned int maximumSubleaf = eax;
    info->avx2 = osAVX && ((ebx >> 5) & 1);
    info->avx512f = osAVX512 && ((ebx >> 16) & 1);
    info->avx512dq = osAVX512 && ((ebx >> 17) & 1);
    info->avx512bw = osAVX512 && ((ebx >> 30) & 1);
    info->avx512vl = osAVX512 && ((ebx >> 31) & 1);
    info->amx_bf16 = osAMX && ((edx >> 22) & 1);
    info->amx_tile = osAMX && ((edx >> 24) & 1);
    info->amx_int8 = osAMX && ((edx >> 25) & 1);
    if (maximumSubleaf >= 1) {
        __cpuid_count(7, 1, eax, ebx, ecx, edx);
        info->avx512_bf16 = osAVX512 && ((eax >> 5) & 1);
    }
}

#else

void ckernels_cpu_info_read(ckernels_cpu_info *info) { memset(info, 0, sizeof *info); }

#endif
