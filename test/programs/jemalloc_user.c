/* jemalloc_user: a program written only against jemalloc's documented mallctl API (no
 * bento header), linked with libjemalloc. Under LD_PRELOAD=libbento it must run on bento
 * unchanged. Prints what it read; exits non-zero if a call fails or a number is absurd. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen);
int mallctlnametomib(const char* name, size_t* mibp, size_t* miblenp);
int mallctlbymib(const size_t* mib, size_t miblen, void* oldp, size_t* oldlenp, void* newp,
                 size_t newlen);

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
  return 0;
}
