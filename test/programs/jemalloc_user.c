/* jemalloc_user: a program written only against jemalloc's documented API (mallctl and
 * the *allocx calls with their flags; no bento header), linked with libjemalloc. Under
 * LD_PRELOAD=libbento it must run on bento unchanged, every call served by bento (objects
 * of mallocx are freed with free and malloc's with dallocx: two allocators mixed would
 * crash). Prints what it read; exits non-zero if a call fails or a number is absurd. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen);
int mallctlnametomib(const char* name, size_t* mibp, size_t* miblenp);
int mallctlbymib(const size_t* mib, size_t miblen, void* oldp, size_t* oldlenp, void* newp,
                 size_t newlen);
void* mallocx(size_t size, int flags);
void* rallocx(void* ptr, size_t size, int flags);
size_t xallocx(void* ptr, size_t size, size_t extra, int flags);
size_t sallocx(const void* ptr, int flags);
void dallocx(void* ptr, int flags);
void sdallocx(void* ptr, size_t size, int flags);
size_t nallocx(size_t size, int flags);

/* jemalloc_macros.h */
#define MALLOCX_LG_ALIGN(la) ((int)(la))
#define MALLOCX_ZERO ((int)0x40)
#define MALLOCX_TCACHE(tc) ((int)(((tc) + 2) << 8))
#define MALLOCX_TCACHE_NONE MALLOCX_TCACHE(-1)
#define MALLOCX_ARENA(a) ((int)(((unsigned)(a) + 1) << 20))

#define CHECK(call)                                              \
  do {                                                           \
    int rc_ = (call);                                            \
    if (rc_ != 0) {                                              \
      fprintf(stderr, "%s failed: %d\n", #call, rc_);            \
      return 1;                                                  \
    }                                                            \
  } while (0)

static size_t read_size(const char* name) {
  size_t v = 0, len = sizeof(v);
  if (mallctl(name, &v, &len, NULL, 0) != 0) return (size_t)-1;
  return v;
}

static int all_zero(const void* p, size_t from, size_t to) {
  const unsigned char* c = p;
  for (size_t i = from; i < to; i++) {
    if (c[i] != 0) return 0;
  }
  return 1;
}

#define EXPECT(cond)                                             \
  do {                                                           \
    if (!(cond)) {                                               \
      fprintf(stderr, "allocx: %s is false\n", #cond);           \
      return 1;                                                  \
    }                                                            \
  } while (0)

/* The non-standard API with every kind of flag. */
static int allocx_calls(void) {
  unsigned char* p = mallocx(1000, MALLOCX_LG_ALIGN(12) | MALLOCX_ZERO);
  EXPECT(p != NULL && ((uintptr_t)p & 4095) == 0);
  const size_t usize = sallocx(p, 0);
  EXPECT(usize >= 1000 && usize == nallocx(1000, MALLOCX_LG_ALIGN(12)) && all_zero(p, 0, usize));
  memset(p, 7, usize);
  p = rallocx(p, 100000, MALLOCX_ZERO);
  EXPECT(p != NULL && p[usize - 1] == 7 && all_zero(p, usize, sallocx(p, 0)));
  const size_t grown = sallocx(p, 0);
  EXPECT(xallocx(p, 100000, 0, 0) == grown && grown == nallocx(100000, 0));
  sdallocx(p, 100000, 0);

  unsigned arena, tc, owner;
  size_t len = sizeof(arena);
  CHECK(mallctl("arenas.create", &arena, &len, NULL, 0));
  void* q = mallocx(5000, MALLOCX_ARENA(arena) | MALLOCX_TCACHE_NONE);
  EXPECT(q != NULL);
  len = sizeof(owner);
  CHECK(mallctl("arenas.lookup", &owner, &len, &q, sizeof(q)));
  EXPECT(owner == arena);
  dallocx(q, MALLOCX_TCACHE_NONE);

  len = sizeof(tc);
  CHECK(mallctl("tcache.create", &tc, &len, NULL, 0));
  void* r = mallocx(64, MALLOCX_TCACHE(tc));
  EXPECT(r != NULL && sallocx(r, 0) >= 64);
  dallocx(r, MALLOCX_TCACHE(tc));
  CHECK(mallctl("tcache.destroy", NULL, NULL, &tc, sizeof(tc)));

  /* Across the families: an allocator mixed in would crash or abort here. */
  for (int i = 0; i < 1000; i++) {
    void* a = mallocx((size_t)(i * 37 % 5000) + 1, i % 2 ? MALLOCX_TCACHE_NONE : 0);
    void* b = malloc((size_t)(i * 53 % 70000) + 1);
    free(a);
    dallocx(b, 0);
  }
  printf("allocx: aligned %zu usable, grown to %zu, arena %u served, explicit tcache %u\n", usize, grown,
         arena, tc);
  return 0;
}

int main(void) {
  const char* version;
  size_t len = sizeof(version);
  CHECK(mallctl("version", &version, &len, NULL, 0));
  unsigned narenas;
  len = sizeof(narenas);
  CHECK(mallctl("arenas.narenas", &narenas, &len, NULL, 0));
  uint64_t epoch = 1;
  len = sizeof(epoch);
  CHECK(mallctl("epoch", &epoch, &len, &epoch, sizeof(epoch)));
  const size_t before = read_size("stats.allocated");
  void* volatile block = malloc(8 << 20);
  memset(block, 1, 8 << 20);
  CHECK(mallctl("epoch", NULL, NULL, &epoch, sizeof(epoch)));
  const size_t after = read_size("stats.allocated");
  const size_t resident = read_size("stats.resident");
  const size_t mapped = read_size("stats.mapped");
  free(block);

  size_t mib[4], miblen = 4, bin_size, total = 0;
  unsigned nbins;
  len = sizeof(nbins);
  CHECK(mallctl("arenas.nbins", &nbins, &len, NULL, 0));
  CHECK(mallctlnametomib("arenas.bin.0.size", mib, &miblen));
  for (unsigned i = 0; i < nbins; i++) {
    mib[2] = i;
    len = sizeof(bin_size);
    CHECK(mallctlbymib(mib, miblen, &bin_size, &len, NULL, 0));
    total += bin_size;
  }
  uint64_t allocated;
  len = sizeof(allocated);
  CHECK(mallctl("thread.allocated", &allocated, &len, NULL, 0));
  CHECK(mallctl("thread.tcache.flush", NULL, NULL, NULL, 0));
  unsigned arena = 0;
  CHECK(mallctl("thread.arena", NULL, NULL, &arena, sizeof(arena)));
  CHECK(mallctl("arena.0.purge", NULL, NULL, NULL, 0));

  printf("version %s\nnarenas %u\nbins %u (sizes sum %zu)\n", version, narenas, nbins, total);
  printf("allocated grew by %zu for an 8 MiB block; resident %zu, mapped %zu\n",
         after - before, resident, mapped);
  printf("thread.allocated %llu\n", (unsigned long long)allocated);
  if (after - before < (8u << 20) || resident == 0 || mapped < resident || narenas == 0) return 1;
  return allocx_calls();
}
