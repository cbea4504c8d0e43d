// override/malloc_override.cc: the C library's allocation entry points, defined by bento
// (used through LD_PRELOAD or by linking libbento). One-line forwards to the frontend's
// inline fast paths. glibc's __libc_* names are defined too, for programs that call them
// directly (the pointers must never reach glibc's own free).
#include <cstddef>

#include "frontend/allocx.h"
#include "frontend/malloc.h"
#include "mallctl/ctl.h"
#include "override/library_start.h"

BENTO_KEEP_LIBRARY_START;

using namespace bento;

#define BENTO_LIBC extern "C" BENTO_EXPORT

BENTO_LIBC void* malloc(size_t size) noexcept { return malloc_fast(size); }
BENTO_LIBC void free(void* p) noexcept { free_fast(p); }
BENTO_LIBC void* calloc(size_t n, size_t size) noexcept { return calloc_impl(n, size); }
BENTO_LIBC void* realloc(void* p, size_t size) noexcept { return realloc_fast(p, size); }
BENTO_LIBC void* reallocarray(void* p, size_t n, size_t size) noexcept {
  return reallocarray_impl(p, n, size);
}
BENTO_LIBC int posix_memalign(void** out, size_t align, size_t size) noexcept {
  return posix_memalign_impl(out, align, size);
}
BENTO_LIBC void* aligned_alloc(size_t align, size_t size) noexcept { return aligned_alloc_impl(align, size); }
BENTO_LIBC void* memalign(size_t align, size_t size) noexcept { return memalign_impl(align, size); }
BENTO_LIBC void* valloc(size_t size) noexcept { return valloc_impl(size); }
BENTO_LIBC void* pvalloc(size_t size) noexcept { return pvalloc_impl(size); }
BENTO_LIBC size_t malloc_usable_size(void* p) noexcept { return usable_size_impl(p); }
BENTO_LIBC void free_sized(void* p, size_t size) noexcept { free_sized_fast(p, size); }
BENTO_LIBC void free_aligned_sized(void* p, size_t align, size_t size) noexcept {
  free_aligned_sized_impl(p, align, size);
}
BENTO_LIBC void cfree(void* p) noexcept { free_fast(p); }

// jemalloc's control interface, for programs written against it.
BENTO_LIBC int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen) noexcept {
  return ctl_byname(name, oldp, oldlenp, newp, newlen);
}
BENTO_LIBC int mallctlnametomib(const char* name, size_t* mibp, size_t* miblenp) noexcept {
  return ctl_nametomib(name, mibp, miblenp);
}
BENTO_LIBC int mallctlbymib(const size_t* mib, size_t miblen, void* oldp, size_t* oldlenp, void* newp,
                            size_t newlen) noexcept {
  return ctl_bymib(mib, miblen, oldp, oldlenp, newp, newlen);
}

// jemalloc's non-standard allocation API (frontend/allocx.h): a program linked with
// libjemalloc gets these from bento too, so that its objects never meet two allocators.
BENTO_LIBC void* mallocx(size_t size, int flags) noexcept { return mallocx_impl(size, flags); }
BENTO_LIBC void* rallocx(void* p, size_t size, int flags) noexcept { return rallocx_impl(p, size, flags); }
BENTO_LIBC size_t xallocx(void* p, size_t size, size_t extra, int flags) noexcept {
  return xallocx_impl(p, size, extra, flags);
}
BENTO_LIBC size_t sallocx(const void* p, int flags) noexcept { return sallocx_impl(p, flags); }
BENTO_LIBC void dallocx(void* p, int flags) noexcept { dallocx_impl(p, flags); }
BENTO_LIBC void sdallocx(void* p, size_t size, int flags) noexcept { sdallocx_impl(p, size, flags); }
BENTO_LIBC size_t nallocx(size_t size, int flags) noexcept { return nallocx_impl(size, flags); }

BENTO_LIBC void* __libc_malloc(size_t size) noexcept { return malloc_fast(size); }
BENTO_LIBC void __libc_free(void* p) noexcept { free_fast(p); }
BENTO_LIBC void* __libc_calloc(size_t n, size_t size) noexcept { return calloc_impl(n, size); }
BENTO_LIBC void* __libc_realloc(void* p, size_t size) noexcept { return realloc_fast(p, size); }
BENTO_LIBC void* __libc_memalign(size_t align, size_t size) noexcept { return memalign_impl(align, size); }
BENTO_LIBC void* __libc_valloc(size_t size) noexcept { return valloc_impl(size); }
BENTO_LIBC void* __libc_pvalloc(size_t size) noexcept { return pvalloc_impl(size); }
BENTO_LIBC int __posix_memalign(void** out, size_t align, size_t size) noexcept {
  return posix_memalign_impl(out, align, size);
}
