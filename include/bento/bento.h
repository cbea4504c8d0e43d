/* bento/bento.h: bento's public C API.
 *
 * The bento_ functions work whether or not bento also replaces malloc in the process
 * (libbento.so and libbento.a define both; libbento_prefixed.a only these). Objects from
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
