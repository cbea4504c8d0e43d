/* bento/bento.h: bento's public C API.
 *
 * The bento_ functions work whether or not bento also replaces malloc in the process
 * (the installed libbento.so and libbento.a define both). Objects from
 * bento_* calls must be freed with bento_free (or free, where bento is the malloc).
 *
 * Errors follow glibc: a failing allocation returns NULL with errno = ENOMEM; a pointer
 * bento did not hand out, or a double free it can see, is reported on stderr and aborts.
 */
#ifndef BENTO_BENTO_H
#define BENTO_BENTO_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#define BENTO_NOTHROW noexcept
#else
#define BENTO_NOTHROW
#endif

#define BENTO_VERSION_MAJOR 0
#define BENTO_VERSION_MINOR 1
#define BENTO_VERSION_PATCH 0

/* mallctl: the index meaning "every arena" in arena.<i> and stats.arenas.<i>. */
#define BENTO_MALLCTL_ARENAS_ALL 4096

void* bento_malloc(size_t size) BENTO_NOTHROW;
void bento_free(void* ptr) BENTO_NOTHROW;
void* bento_calloc(size_t nmemb, size_t size) BENTO_NOTHROW;
void* bento_realloc(void* ptr, size_t size) BENTO_NOTHROW;
void* bento_reallocarray(void* ptr, size_t nmemb, size_t size) BENTO_NOTHROW;
int bento_posix_memalign(void** memptr, size_t alignment, size_t size) BENTO_NOTHROW;
void* bento_aligned_alloc(size_t alignment, size_t size) BENTO_NOTHROW;
void* bento_memalign(size_t alignment, size_t size) BENTO_NOTHROW;
void* bento_valloc(size_t size) BENTO_NOTHROW;
void* bento_pvalloc(size_t size) BENTO_NOTHROW;
size_t bento_malloc_usable_size(const void* ptr) BENTO_NOTHROW;
void bento_free_sized(void* ptr, size_t size) BENTO_NOTHROW;
void bento_free_aligned_sized(void* ptr, size_t alignment, size_t size) BENTO_NOTHROW;

/* jemalloc's non-standard API (jemalloc(3)), with jemalloc 5's flag encoding. flags: 0, or
 * an OR of BENTO_MALLOCX_LG_ALIGN(la) / BENTO_MALLOCX_ALIGN(a) (a power of two),
 * BENTO_MALLOCX_ZERO, BENTO_MALLOCX_TCACHE(tc) / BENTO_MALLOCX_TCACHE_NONE (no thread
 * cache; tc from mallctl "tcache.create") and BENTO_MALLOCX_ARENA(a) (the object comes
 * from arena a; NULL if there is no such arena). Where jemalloc leaves a case undefined,
 * bento: size 0 is a minimum object, rallocx(NULL, ...) is mallocx, dallocx(NULL) does
 * nothing, an unknown tcache id is reported and aborts, and a sized free must give a
 * size whose nallocx (with the same alignment flags) is the object's usable size. */
#define BENTO_MALLOCX_LG_ALIGN(la) ((int)(la))
#define BENTO_MALLOCX_ALIGN(a) ((int)(__builtin_ffsll((long long)(a)) - 1))
#define BENTO_MALLOCX_ZERO ((int)0x40)
#define BENTO_MALLOCX_TCACHE(tc) ((int)(((tc) + 2) << 8))
#define BENTO_MALLOCX_TCACHE_NONE BENTO_MALLOCX_TCACHE(-1)
#define BENTO_MALLOCX_ARENA(a) ((int)(((unsigned)(a) + 1) << 20))
#ifndef MALLOCX_LG_ALIGN
#define MALLOCX_LG_ALIGN(la) BENTO_MALLOCX_LG_ALIGN(la)
#endif
#ifndef MALLOCX_ALIGN
#define MALLOCX_ALIGN(a) BENTO_MALLOCX_ALIGN(a)
#endif
#ifndef MALLOCX_ZERO
#define MALLOCX_ZERO BENTO_MALLOCX_ZERO
#endif
#ifndef MALLOCX_TCACHE
#define MALLOCX_TCACHE(tc) BENTO_MALLOCX_TCACHE(tc)
#endif
#ifndef MALLOCX_TCACHE_NONE
#define MALLOCX_TCACHE_NONE BENTO_MALLOCX_TCACHE_NONE
#endif
#ifndef MALLOCX_ARENA
#define MALLOCX_ARENA(a) BENTO_MALLOCX_ARENA(a)
#endif

void* bento_mallocx(size_t size, int flags) BENTO_NOTHROW;
void* bento_rallocx(void* ptr, size_t size, int flags) BENTO_NOTHROW;
size_t bento_xallocx(void* ptr, size_t size, size_t extra, int flags) BENTO_NOTHROW;
size_t bento_sallocx(const void* ptr, int flags) BENTO_NOTHROW;
void bento_dallocx(void* ptr, int flags) BENTO_NOTHROW;
void bento_sdallocx(void* ptr, size_t size, int flags) BENTO_NOTHROW;
size_t bento_nallocx(size_t size, int flags) BENTO_NOTHROW;

/* The mallctl namespace (doc/mallctl.md), with jemalloc's signatures and error codes. */
int bento_mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen) BENTO_NOTHROW;
int bento_mallctlnametomib(const char* name, size_t* mibp, size_t* miblenp) BENTO_NOTHROW;
int bento_mallctlbymib(const size_t* mib, size_t miblen, void* oldp, size_t* oldlenp, void* newp,
                       size_t newlen) BENTO_NOTHROW;

/* The statistics report (doc/stats.md), jemalloc's malloc_stats_print: write_cb NULL
 * writes to stderr; opts letters: J (JSON), g m a b l x (leave sections out). */
void bento_stats_print(void (*write_cb)(void*, const char*), void* cbopaque, const char* opts) BENTO_NOTHROW;

#ifdef __cplusplus
}
#endif
#undef BENTO_NOTHROW

#endif /* BENTO_BENTO_H */
