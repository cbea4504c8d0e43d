/* jemalloc_user: a program written only against jemalloc 5's documented API (mallctl,
 * mallctlnametomib, mallctlbymib, malloc_stats_print, malloc_usable_size, and the *allocx
 * calls with their flags; no bento header), linked with libjemalloc. It runs on real
 * jemalloc, and under LD_PRELOAD=libbento it must run on bento unchanged, every call served
 * by bento (objects of mallocx are freed with free and malloc's with dallocx: two
 * allocators mixed would crash).
 *
 * Prints what it read, one "FAIL ..." line per absurd value or failed call, and exits
 * non-zero if there was any. With a path argument it also writes
 * malloc_stats_print(..., "J") there, for the caller to parse as JSON.
 *
 * usage: jemalloc_user [STATS_JSON_PATH] */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen);
int mallctlnametomib(const char* name, size_t* mibp, size_t* miblenp);
int mallctlbymib(const size_t* mib, size_t miblen, void* oldp, size_t* oldlenp, void* newp,
                 size_t newlen);
void malloc_stats_print(void (*write_cb)(void*, const char*), void* cbopaque, const char* opts);
size_t malloc_usable_size(void* ptr);
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

static int failures;

static void fail(const char* what) {
  printf("FAIL %s\n", what);
  failures++;
}

/* A call that must return 0; otherwise one FAIL line naming the call and its error. */
#define CHECK(call)                                      \
  do {                                                   \
    int rc_ = (call);                                    \
    if (rc_ != 0) {                                      \
      char m_[256];                                      \
      snprintf(m_, sizeof(m_), "%s: %d", #call, rc_);    \
      fail(m_);                                          \
    }                                                    \
  } while (0)
#define EXPECT(cond, ...)                                \
  do {                                                   \
    if (!(cond)) {                                       \
      char m_[256];                                      \
      snprintf(m_, sizeof(m_), __VA_ARGS__);             \
      fail(m_);                                          \
    }                                                    \
  } while (0)

/* Reads of a node of a given type; a failed read is a FAIL line and reads as all ones. */
static bool read_node(const char* name, void* v, size_t size, const char* type) {
  size_t len = size;
  int rc = mallctl(name, v, &len, NULL, 0);
  EXPECT(rc == 0 && len == size, "read %s %s: error %d, length %zu", type, name, rc, len);
  return rc == 0;
}
static size_t read_size(const char* name) {
  size_t v = 0;
  return read_node(name, &v, sizeof(v), "size_t") ? v : (size_t)-1;
}
static uint64_t read_u64(const char* name) {
  uint64_t v = 0;
  return read_node(name, &v, sizeof(v), "uint64_t") ? v : UINT64_MAX;
}
static unsigned read_unsigned(const char* name) {
  unsigned v = 0;
  return read_node(name, &v, sizeof(v), "unsigned") ? v : UINT32_MAX;
}
static bool read_bool(const char* name) {
  bool v = false;
  read_node(name, &v, sizeof(v), "bool");
  return v;
}
static void refresh(void) {
  uint64_t epoch = 1;
  size_t len = sizeof(epoch);
  CHECK(mallctl("epoch", &epoch, &len, &epoch, sizeof(epoch)));
}
static const char* name_of(char* buf, size_t n, const char* fmt, unsigned i, unsigned j) {
  snprintf(buf, n, fmt, i, j);
  return buf;
}

static void write_cb(void* opaque, const char* s) { fputs(s, (FILE*)opaque); }

/* The mallctl API every jemalloc version has: version, epoch, stats.*, bins by MIB. */
static bool is_bento;
static void classic(void) {
  const char* version = "?";
  size_t len = sizeof(version);
  CHECK(mallctl("version", &version, &len, NULL, 0));
  is_bento = strncmp(version, "0.", 2) == 0;
  unsigned narenas = read_unsigned("arenas.narenas");
  refresh();
  const size_t before = read_size("stats.allocated");
  void* volatile block = malloc(8 << 20);
  memset(block, 1, 8 << 20);
  refresh();
  const size_t after = read_size("stats.allocated");
  const size_t resident = read_size("stats.resident");
  const size_t mapped = read_size("stats.mapped");
  EXPECT(malloc_usable_size(block) >= (8u << 20), "malloc_usable_size of 8 MiB: %zu",
         malloc_usable_size(block));
  free(block);

  size_t mib[4], miblen = 4, bin_size, total = 0;
  unsigned nbins = read_unsigned("arenas.nbins");
  CHECK(mallctlnametomib("arenas.bin.0.size", mib, &miblen));
  for (unsigned i = 0; i < nbins && nbins != UINT32_MAX; i++) {
    mib[2] = i;
    len = sizeof(bin_size);
    CHECK(mallctlbymib(mib, miblen, &bin_size, &len, NULL, 0));
    total += bin_size;
  }
  uint64_t allocated = read_u64("thread.allocated");
  CHECK(mallctl("thread.tcache.flush", NULL, NULL, NULL, 0));
  unsigned arena = 0;
  CHECK(mallctl("thread.arena", NULL, NULL, &arena, sizeof(arena)));
  CHECK(mallctl("arena.0.purge", NULL, NULL, NULL, 0));

  printf("version %s\nnarenas %u\nbins %u (sizes sum %zu)\n", version, narenas, nbins, total);
  printf("allocated grew by %zu for an 8 MiB block; resident %zu, mapped %zu\n",
         after - before, resident, mapped);
  printf("thread.allocated %llu\n", (unsigned long long)allocated);
  EXPECT(after - before >= (8u << 20), "stats.allocated grew by %zu for 8 MiB", after - before);
  EXPECT(resident != 0 && mapped >= resident, "resident %zu, mapped %zu", resident, mapped);
  EXPECT(narenas != 0, "arenas.narenas is 0");
}

/* jemalloc 5's names: slabs, large extents, arenas.create/lookup, explicit caches, the
 * background thread, stats.zero_reallocs, the all-arenas purge, the resident bound. */
static void jemalloc5(void) {
  char n[128];
  const size_t page = read_size("arenas.page");
  const unsigned nbins = read_unsigned("arenas.nbins");
  size_t largest_bin = 0;
  bool slabs_ok = nbins != UINT32_MAX;
  for (unsigned j = 0; j < nbins && nbins != UINT32_MAX; j++) {
    const size_t slab = read_size(name_of(n, sizeof(n), "arenas.bin.%u.slab_size", j, 0));
    const size_t size = read_size(name_of(n, sizeof(n), "arenas.bin.%u.size", j, 0));
    if (slab == (size_t)-1 || slab == 0 || slab % page != 0 || slab < size) {
      EXPECT(false, "arenas.bin.%u.slab_size %zu (page %zu, size %zu)", j, slab, page, size);
      slabs_ok = false;
    }
    if (size != (size_t)-1 && size > largest_bin) largest_bin = size;
  }
  const unsigned nlextents = read_unsigned("arenas.nlextents");
  const size_t lextent0 = read_size("arenas.lextent.0.size");
  printf("page %zu; %u bins, slab sizes page multiples: %s; largest bin %zu\n", page, nbins,
         slabs_ok ? "yes" : "NO", largest_bin);
  printf("nlextents %u, lextent.0.size %zu\n", nlextents, lextent0);
  EXPECT(nlextents > 0 && nlextents != UINT32_MAX, "arenas.nlextents %u", nlextents);
  EXPECT(lextent0 > largest_bin && lextent0 != (size_t)-1,
         "arenas.lextent.0.size %zu not above the largest bin %zu", lextent0, largest_bin);

  /* Small objects: the thread's arena has a slab of that bin (bin 0's size, 8 bytes). */
  const unsigned arena = read_unsigned("thread.arena");
  enum { NSMALL = 1000, NLARGE = 64 };
  void* small[NSMALL];
  for (int i = 0; i < NSMALL; i++) small[i] = malloc(8);
  refresh();
  const size_t curslabs = read_size(name_of(n, sizeof(n), "stats.arenas.%u.bins.%u.curslabs", arena, 0));
  const uint64_t nslabs = read_u64(name_of(n, sizeof(n), "stats.arenas.%u.bins.%u.nslabs", arena, 0));
  const size_t nonfull = read_size(name_of(n, sizeof(n), "stats.arenas.%u.bins.%u.nonfull_slabs", arena, 0));
  printf("arena %u bin 0 after %d x 8 B: curslabs %zu, nslabs %llu, nonfull_slabs %zu\n", arena,
         NSMALL, curslabs, (unsigned long long)nslabs, nonfull);
  EXPECT(curslabs >= 1 && curslabs != (size_t)-1, "curslabs %zu after %d small objects", curslabs, NSMALL);
  EXPECT(nslabs >= curslabs && nslabs != UINT64_MAX, "nslabs %llu < curslabs %zu",
         (unsigned long long)nslabs, curslabs);
  for (int i = 0; i < NSMALL; i++) free(small[i]);

  /* Large extents: objects of lextent.0.size count in lextents.0.nmalloc. */
  CHECK(mallctl("thread.tcache.flush", NULL, NULL, NULL, 0));
  refresh();
  const char* lx = "stats.arenas.%u.lextents.%u.nmalloc";
  const uint64_t nmalloc0 = read_u64(name_of(n, sizeof(n), lx, arena, 0));
  void* large[NLARGE];
  for (int i = 0; i < NLARGE; i++) large[i] = malloc(lextent0);
  refresh();
  const uint64_t nmalloc1 = read_u64(name_of(n, sizeof(n), lx, arena, 0));
  const size_t cur = read_size(name_of(n, sizeof(n), "stats.arenas.%u.lextents.%u.curlextents", arena, 0));
  const uint64_t nreq = read_u64(name_of(n, sizeof(n), "stats.arenas.%u.lextents.%u.nrequests", arena, 0));
  for (int i = 0; i < NLARGE; i++) free(large[i]);
  CHECK(mallctl("thread.tcache.flush", NULL, NULL, NULL, 0));
  refresh();
  const uint64_t ndalloc = read_u64(name_of(n, sizeof(n), "stats.arenas.%u.lextents.%u.ndalloc", arena, 0));
  printf("lextents.0 after %d x %zu B: nmalloc %llu -> %llu, curlextents %zu, nrequests %llu; "
         "ndalloc %llu after freeing\n", NLARGE, lextent0, (unsigned long long)nmalloc0,
         (unsigned long long)nmalloc1, cur, (unsigned long long)nreq, (unsigned long long)ndalloc);
  EXPECT(nmalloc1 > nmalloc0 && nmalloc1 != UINT64_MAX, "lextents.0.nmalloc %llu -> %llu",
         (unsigned long long)nmalloc0, (unsigned long long)nmalloc1);
  EXPECT(ndalloc != UINT64_MAX && ndalloc >= 1, "lextents.0.ndalloc %llu after frees",
         (unsigned long long)ndalloc);

  /* A new arena; the thread moves there and a new allocation says so. */
  const unsigned created = read_unsigned("arenas.create");
  unsigned old_arena = 0, lookup = UINT32_MAX;
  size_t len = sizeof(old_arena);
  CHECK(mallctl("thread.arena", &old_arena, &len, (void*)&created, sizeof(created)));
  CHECK(mallctl("thread.tcache.flush", NULL, NULL, NULL, 0));
  void* there = malloc(3000);
  len = sizeof(lookup);
  CHECK(mallctl("arenas.lookup", &lookup, &len, &there, sizeof(there)));
  const unsigned now = read_unsigned("thread.arena");
  printf("arenas.create %u; thread.arena %u -> %u; arenas.lookup of a new object %u\n", created,
         old_arena, now, lookup);
  EXPECT(created != UINT32_MAX && now == created && lookup == created,
         "arenas.create %u, thread.arena %u, arenas.lookup %u", created, now, lookup);
  free(there);
  CHECK(mallctl("thread.arena", NULL, NULL, &old_arena, sizeof(old_arena)));

  /* Explicit caches. */
  unsigned tc = UINT32_MAX;
  len = sizeof(tc);
  CHECK(mallctl("tcache.create", &tc, &len, NULL, 0));
  CHECK(mallctl("tcache.flush", NULL, NULL, &tc, sizeof(tc)));
  CHECK(mallctl("tcache.destroy", NULL, NULL, &tc, sizeof(tc)));
  printf("tcache.create %u, flush and destroy done\n", tc);

  /* The background thread: readable and writable (each value written back). */
  const bool opt_bg = read_bool("opt.background_thread");
  bool bg = false, on = true, was = false;
  len = sizeof(bg);
  CHECK(mallctl("background_thread", &bg, &len, NULL, 0));
  len = sizeof(was);
  CHECK(mallctl("background_thread", &was, &len, &on, sizeof(on)));
  const bool now_on = read_bool("background_thread");
  refresh();
  const size_t nthreads = read_size("stats.background_thread.num_threads");
  const uint64_t nruns = read_u64("stats.background_thread.num_runs");
  const uint64_t interval = read_u64("stats.background_thread.run_interval");
  CHECK(mallctl("background_thread", NULL, NULL, &bg, sizeof(bg)));
  const bool restored = read_bool("background_thread");
  printf("opt.background_thread %d; background_thread %d, set 1 -> %d (num_threads %zu, num_runs "
         "%llu, run_interval %llu ns), restored %d\n", opt_bg, bg, now_on, nthreads,
         (unsigned long long)nruns, (unsigned long long)interval, restored);
  EXPECT(now_on && restored == bg && was == bg, "background_thread %d, set 1 -> %d (old %d), restored %d",
         bg, now_on, was, restored);
  EXPECT(nthreads != (size_t)-1 && nthreads >= 1, "stats.background_thread.num_threads %zu while on",
         nthreads);

  /* realloc(p, 0): counted in stats.zero_reallocs (jemalloc's type is size_t). jemalloc
   * reads this counter live; the epoch write makes it current on either. */
  refresh();
  const size_t zr0 = read_size("stats.zero_reallocs");
  void* p = malloc(40);
  p = realloc(p, 0);
  free(p);
  refresh();
  const size_t zr1 = read_size("stats.zero_reallocs");
  printf("stats.zero_reallocs %zu -> %zu after one realloc(p, 0)\n", zr0, zr1);
  EXPECT(zr1 != (size_t)-1 && zr1 == zr0 + 1, "stats.zero_reallocs %zu -> %zu", zr0, zr1);

  /* Purge of every arena through arena.<narenas>.purge (what Redis's MEMORY PURGE does),
   * and the whole-process figures. */
  const unsigned narenas = read_unsigned("arenas.narenas");
  CHECK(mallctl(name_of(n, sizeof(n), "arena.%u.purge", narenas, 0), NULL, NULL, NULL, 0));
  refresh();
  const size_t allocated = read_size("stats.allocated"), active = read_size("stats.active");
  const size_t metadata = read_size("stats.metadata"), resident = read_size("stats.resident");
  const size_t mapped = read_size("stats.mapped"), retained = read_size("stats.retained");
  printf("arena.%u.purge done; stats allocated %zu, active %zu, metadata %zu, resident %zu, mapped "
         "%zu, retained %zu\n", narenas, allocated, active, metadata, resident, mapped, retained);
  EXPECT(allocated <= active && active <= resident && resident <= mapped && active != (size_t)-1 &&
         mapped != (size_t)-1, "allocated %zu, active %zu, resident %zu, mapped %zu", allocated,
         active, resident, mapped);
  const char* per_arena[] = {"pactive", "pdirty", "pmuzzy", "mapped", "retained", "resident"};
  printf("stats.arenas.%u:", arena);
  for (size_t k = 0; k < sizeof(per_arena) / sizeof(per_arena[0]); k++) {
    char full[128];
    snprintf(full, sizeof(full), "stats.arenas.%u.%s", arena, per_arena[k]);
    printf(" %s %zu", per_arena[k], read_size(full));
  }
  printf("\n");
}

static int all_zero(const void* p, size_t from, size_t to) {
  const unsigned char* c = p;
  for (size_t i = from; i < to; i++) {
    if (c[i] != 0) return 0;
  }
  return 1;
}

/* The non-standard API with every kind of flag. */
static void allocx_calls(void) {
  unsigned char* p = mallocx(1000, MALLOCX_LG_ALIGN(12) | MALLOCX_ZERO);
  EXPECT(p != NULL && ((uintptr_t)p & 4095) == 0, "mallocx(1000, LG_ALIGN(12) | ZERO) = %p", (void*)p);
  if (p == NULL) return;
  const size_t usize = sallocx(p, 0);
  EXPECT(usize >= 1000 && usize == nallocx(1000, MALLOCX_LG_ALIGN(12)) && all_zero(p, 0, usize),
         "sallocx %zu, nallocx %zu, zeroed %d", usize, nallocx(1000, MALLOCX_LG_ALIGN(12)), all_zero(p, 0, usize));
  memset(p, 7, usize);
  p = rallocx(p, 100000, MALLOCX_ZERO);
  EXPECT(p != NULL && p[usize - 1] == 7 && all_zero(p, usize, sallocx(p, 0)), "rallocx(100000, ZERO) kept and zeroed");
  const size_t grown = sallocx(p, 0);
  EXPECT(xallocx(p, 100000, 0, 0) == grown && grown == nallocx(100000, 0), "xallocx/nallocx of %zu", grown);
  sdallocx(p, 100000, 0);

  unsigned arena = 0, tc = 0, owner = 0;
  size_t len = sizeof(arena);
  CHECK(mallctl("arenas.create", &arena, &len, NULL, 0));
  void* q = mallocx(5000, MALLOCX_ARENA(arena) | MALLOCX_TCACHE_NONE);
  EXPECT(q != NULL, "mallocx(5000, ARENA(%u) | TCACHE_NONE)", arena);
  len = sizeof(owner);
  CHECK(mallctl("arenas.lookup", &owner, &len, &q, sizeof(q)));
  EXPECT(owner == arena, "mallocx with ARENA(%u) came from arena %u", arena, owner);
  dallocx(q, MALLOCX_TCACHE_NONE);

  len = sizeof(tc);
  CHECK(mallctl("tcache.create", &tc, &len, NULL, 0));
  void* r = mallocx(64, MALLOCX_TCACHE(tc));
  EXPECT(r != NULL && sallocx(r, 0) >= 64, "mallocx(64, TCACHE(%u))", tc);
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
}

int main(int argc, char** argv) {
  classic();
  jemalloc5();
  allocx_calls();
  if (argc > 1) {
    FILE* f = fopen(argv[1], "w");
    if (f == NULL) {
      fail("cannot open the stats file");
    } else {
      malloc_stats_print(write_cb, f, "J");
      fclose(f);
    }
  }
  printf("%s: %d failures\n", is_bento ? "bento" : "jemalloc", failures);
  return failures != 0;
}
