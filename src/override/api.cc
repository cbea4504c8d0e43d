// override/api.cc: the prefixed C API of include/bento/bento.h, one-line forwards to the
// frontend. Usable without replacing malloc (libbento_prefixed.a links only this).
#include "bento/bento.h"

#include "frontend/allocx.h"
#include "frontend/malloc.h"
#include "mallctl/ctl.h"
#include "override/library_start.h"
#include "stats/report.h"

using namespace bento;

#define BENTO_API extern "C" BENTO_EXPORT

BENTO_API void* bento_malloc(size_t size) noexcept { return malloc_fast(size); }
BENTO_API void bento_free(void* p) noexcept { free_fast(p); }
BENTO_API void* bento_calloc(size_t n, size_t size) noexcept { return calloc_impl(n, size); }
BENTO_API void* bento_realloc(void* p, size_t size) noexcept { return realloc_fast(p, size); }
BENTO_API void* bento_reallocarray(void* p, size_t n, size_t size) noexcept {
  return reallocarray_impl(p, n, size);
}
BENTO_API int bento_posix_memalign(void** out, size_t align, size_t size) noexcept {
  return posix_memalign_impl(out, align, size);
}
BENTO_API void* bento_aligned_alloc(size_t align, size_t size) noexcept {
  return aligned_alloc_impl(align, size);
}
BENTO_API void* bento_memalign(size_t align, size_t size) noexcept { return memalign_impl(align, size); }
BENTO_API void* bento_valloc(size_t size) noexcept { return valloc_impl(size); }
BENTO_API void* bento_pvalloc(size_t size) noexcept { return pvalloc_impl(size); }
BENTO_API size_t bento_malloc_usable_size(const void* p) noexcept { return usable_size_impl(p); }
BENTO_API void bento_free_sized(void* p, size_t size) noexcept { free_sized_fast(p, size); }
BENTO_API void bento_free_aligned_sized(void* p, size_t align, size_t size) noexcept {
  free_aligned_sized_impl(p, align, size);
}

BENTO_API void* bento_mallocx(size_t size, int flags) noexcept { return mallocx_impl(size, flags); }
BENTO_API void* bento_rallocx(void* p, size_t size, int flags) noexcept { return rallocx_impl(p, size, flags); }
BENTO_API size_t bento_xallocx(void* p, size_t size, size_t extra, int flags) noexcept {
  return xallocx_impl(p, size, extra, flags);
}
BENTO_API size_t bento_sallocx(const void* p, int flags) noexcept { return sallocx_impl(p, flags); }
BENTO_API void bento_dallocx(void* p, int flags) noexcept { dallocx_impl(p, flags); }
BENTO_API void bento_sdallocx(void* p, size_t size, int flags) noexcept { sdallocx_impl(p, size, flags); }
BENTO_API size_t bento_nallocx(size_t size, int flags) noexcept { return nallocx_impl(size, flags); }

BENTO_API int bento_mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp,
                            size_t newlen) noexcept {
  return ctl_byname(name, oldp, oldlenp, newp, newlen);
}
BENTO_API int bento_mallctlnametomib(const char* name, size_t* mibp, size_t* miblenp) noexcept {
  return ctl_nametomib(name, mibp, miblenp);
}
BENTO_API int bento_mallctlbymib(const size_t* mib, size_t miblen, void* oldp, size_t* oldlenp,
                                 void* newp, size_t newlen) noexcept {
  return ctl_bymib(mib, miblen, oldp, oldlenp, newp, newlen);
}
BENTO_API void bento_stats_print(void (*write_cb)(void*, const char*), void* cbopaque,
                                 const char* opts) noexcept {
  stats_print(write_cb, cbopaque, opts);
}

BENTO_KEEP_LIBRARY_START;
