// jemalloc's non-standard allocation API on bento (mallocx, rallocx, xallocx, sallocx,
// dallocx, sdallocx, nallocx), called by its unprefixed names as a jemalloc 5 client
// calls them, with every flag: alignment, zero, arena, tcache none and explicit caches.
// The misuse cases run in a child that must abort with one clear line.
#define BOOST_TEST_MODULE allocx
#include <boost/test/unit_test.hpp>

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <string>
#include <vector>

#include "bento/bento.h"
#include "../support/mallctl_read.h"

#include "../support/subprocess.h"

extern "C" {
void* mallocx(size_t size, int flags) noexcept;
void* rallocx(void* ptr, size_t size, int flags) noexcept;
size_t xallocx(void* ptr, size_t size, size_t extra, int flags) noexcept;
size_t sallocx(const void* ptr, int flags) noexcept;
void dallocx(void* ptr, int flags) noexcept;
void sdallocx(void* ptr, size_t size, int flags) noexcept;
size_t nallocx(size_t size, int flags) noexcept;
}

namespace {
using bento::test::ctl_read;
using bento::test::opaque;
using bento::test::ChildResult;
using bento::test::run_in_child;

constexpr size_t kMiB = size_t{1} << 20;

// No std::string: the counters must not see the read's own allocation.
uint64_t counter(const char* name) {
  uint64_t v = 0;
  size_t len = sizeof(v);
  BOOST_REQUIRE(bento_mallctl(name, &v, &len, nullptr, 0) == 0);
  return v;
}

unsigned arena_of(void* p) {
  unsigned owner = ~0u;
  size_t len = sizeof(owner);
  BOOST_REQUIRE(bento_mallctl("arenas.lookup", &owner, &len, &p, sizeof(p)) == 0);
  return owner;
}

unsigned new_arena() {
  unsigned index = 0;
  size_t len = sizeof(index);
  BOOST_REQUIRE(bento_mallctl("arenas.create", &index, &len, nullptr, 0) == 0);
  return index;
}

unsigned new_tcache() {
  unsigned id = 0;
  size_t len = sizeof(id);
  BOOST_REQUIRE(bento_mallctl("tcache.create", &id, &len, nullptr, 0) == 0);
  return id;
}

bool all_bytes(const void* p, size_t from, size_t to, unsigned char v) {
  const auto* c = static_cast<const unsigned char*>(p);
  for (size_t i = from; i < to; ++i) {
    if (c[i] != v) return false;
  }
  return true;
}

// Dirties memory of about `size` so that a later allocation of it is likely reused.
void dirty(size_t size) {
  std::vector<void*> ps;
  for (int i = 0; i < 8; ++i) {
    void* p = malloc(size);
    memset(p, 0xee, size);
    ps.push_back(p);
  }
  for (void* p : ps) free(p);
}

const size_t kSizes[] = {0, 1, 8, 16, 17, 48, 100, 257, 1000, 4096, 5000, 14336, 20000, 65536, 100000,
                         300000, 524288, 600000, 3 * kMiB, 5 * kMiB + 123};

// allocx-prof samples every allocation; a sampled large run is never resized in place.
bool sampling_everything() {
  bool on = false;
  size_t len = sizeof(on);
  return bento_mallctl("prof.active", &on, &len, nullptr, 0) == 0 && on && ctl_read<size_t>("prof.lg_sample") == 0;
}

void expect_abort(const ChildResult& r, const std::string& call, const std::string& problem) {
  BOOST_TEST(r.signal == SIGABRT);
  BOOST_TEST(r.err.find("bento: " + call + "(") == 0u, "stderr was: " << r.err);
  BOOST_TEST(r.err.find(problem) != std::string::npos, "stderr was: " << r.err);
  // One line, except for a guarded object (allocx-guarded): its report goes on with the
  // object's call stacks.
  if (r.err.find("(a guarded sample") == std::string::npos) {
    BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1, "one line: " << r.err);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_flag_macros_are_jemallocs) {
  BOOST_TEST(MALLOCX_LG_ALIGN(12) == 12);
  BOOST_TEST(MALLOCX_ALIGN(4096) == 12);
  BOOST_TEST(MALLOCX_ALIGN(1) == 0);
  BOOST_TEST(MALLOCX_ZERO == 0x40);
  BOOST_TEST(MALLOCX_TCACHE_NONE == (1 << 8));
  BOOST_TEST(MALLOCX_TCACHE(3) == (5 << 8));
  BOOST_TEST(MALLOCX_ARENA(0) == (1 << 20));
  BOOST_TEST(MALLOCX_ARENA(7) == (8 << 20));
}

BOOST_AUTO_TEST_CASE(alignment_is_honoured_for_lg_align_4_to_21) {
  for (int la = 4; la <= 21; ++la) {
    const size_t align = size_t{1} << la;
    for (size_t size : {size_t{1}, size_t{24}, size_t{100}, size_t{3000}, size_t{40000}, size_t{700000}}) {
      for (int extra : {0, MALLOCX_TCACHE_NONE}) {
        void* p = mallocx(size, MALLOCX_LG_ALIGN(la) | extra);
        BOOST_REQUIRE_MESSAGE(p != nullptr, "la " << la << " size " << size);
        BOOST_TEST((reinterpret_cast<uintptr_t>(p) & (align - 1)) == 0u, "la " << la << " size " << size);
        const size_t usize = sallocx(p, 0);
        BOOST_TEST(usize >= size);
        BOOST_TEST(usize == nallocx(size, MALLOCX_LG_ALIGN(la)), "la " << la << " size " << size);
        memset(p, 0x5c, usize);
        if (la % 2 == 0) {
          dallocx(p, MALLOCX_LG_ALIGN(la) | extra);
        } else {
          sdallocx(p, size, MALLOCX_ALIGN(align) | extra);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(an_alignment_beyond_what_bento_can_map_fails) {
  BOOST_TEST(mallocx(64, MALLOCX_LG_ALIGN(50)) == nullptr);
  BOOST_TEST(errno == ENOMEM);
  BOOST_TEST(nallocx(64, MALLOCX_LG_ALIGN(50)) == 0u);
  BOOST_TEST(nallocx(SIZE_MAX - 4096, 0) == 0u);
  BOOST_TEST(mallocx(SIZE_MAX - 4096, 0) == nullptr);
}

BOOST_AUTO_TEST_CASE(size_zero_is_a_minimum_object) {
  void* p = mallocx(0, 0);
  BOOST_REQUIRE(p != nullptr);
  BOOST_TEST(sallocx(p, 0) == nallocx(0, 0));
  BOOST_TEST(nallocx(0, 0) == nallocx(1, 0));
  dallocx(p, 0);
  p = mallocx(0, MALLOCX_ZERO | MALLOCX_LG_ALIGN(6));
  BOOST_REQUIRE(p != nullptr);
  BOOST_TEST((reinterpret_cast<uintptr_t>(p) & 63) == 0u);
  dallocx(p, 0);
}

BOOST_AUTO_TEST_CASE(nallocx_is_the_sallocx_of_what_mallocx_gives) {
  for (size_t size : kSizes) {
    for (int la : {0, 3, 4, 5, 6, 7, 8, 10, 12, 13, 16, 22}) {
      for (int extra : {0, MALLOCX_TCACHE_NONE, MALLOCX_ZERO}) {
        const int flags = MALLOCX_LG_ALIGN(la) | extra;
        void* p = mallocx(size, flags);
        BOOST_REQUIRE(p != nullptr);
        BOOST_TEST(sallocx(p, flags) == nallocx(size, flags), "size " << size << " la " << la);
        BOOST_TEST(sallocx(p, 0) == malloc_usable_size(p));
        sdallocx(p, size, flags);
      }
    }
  }
  for (size_t size = 1; size < 70000; size += size / 8 + 1) {
    void* p = mallocx(size, 0);
    BOOST_TEST(sallocx(p, 0) == nallocx(size, 0), "size " << size);
    void* q = malloc(size);
    BOOST_TEST(sallocx(q, 0) == nallocx(size, 0), "size " << size);
    dallocx(p, 0);
    sdallocx(q, size, 0);
  }
}

BOOST_AUTO_TEST_CASE(zero_zeroes_every_usable_byte) {
  for (size_t size : kSizes) {
    dirty(size == 0 ? 1 : size);
    for (int extra : {0, MALLOCX_TCACHE_NONE, MALLOCX_LG_ALIGN(12)}) {
      void* p = mallocx(size, MALLOCX_ZERO | extra);
      BOOST_REQUIRE(p != nullptr);
      BOOST_TEST(all_bytes(p, 0, sallocx(p, 0), 0), "size " << size);
      memset(p, 0xab, sallocx(p, 0));
      dallocx(p, extra);
    }
  }
}

BOOST_AUTO_TEST_CASE(rallocx_keeps_the_contents_and_zeroes_what_grew) {
  const size_t steps[] = {10, 100, 3000, 20000, 40000, 200000, 600000, 3 * kMiB, 9 * kMiB, 1000, 5};
  for (int flags : {0, MALLOCX_TCACHE_NONE}) {
    void* p = mallocx(1, flags);
    size_t usize = sallocx(p, 0);
    memset(p, 0x11, usize);
    for (size_t size : steps) {
      dirty(size);
      void* q = rallocx(p, size, flags | MALLOCX_ZERO);
      BOOST_REQUIRE(q != nullptr);
      const size_t nsize = sallocx(q, 0);
      BOOST_TEST(nsize == nallocx(size, 0));
      const size_t kept = std::min(usize, nsize);  // jemalloc copies usable bytes too
      BOOST_TEST(all_bytes(q, 0, kept, 0x11), "to " << size);
      BOOST_TEST(all_bytes(q, kept, nsize, 0), "to " << size);
      memset(q, 0x11, nsize);
      p = q;
      usize = nsize;
    }
    dallocx(p, flags);
  }
}

BOOST_AUTO_TEST_CASE(rallocx_moves_an_object_that_lacks_the_alignment) {
  for (size_t size : {size_t{48}, size_t{5000}, size_t{100000}, 3 * kMiB}) {
    for (int la : {6, 12, 16, 22}) {
      void* p = mallocx(size, 0);
      memset(p, 0x3c, size);
      void* q = rallocx(p, size, MALLOCX_LG_ALIGN(la));
      BOOST_REQUIRE(q != nullptr);
      BOOST_TEST((reinterpret_cast<uintptr_t>(q) & ((size_t{1} << la) - 1)) == 0u);
      BOOST_TEST(all_bytes(q, 0, size, 0x3c));
      BOOST_TEST(sallocx(q, 0) == nallocx(size, MALLOCX_LG_ALIGN(la)));
      sdallocx(q, size, MALLOCX_LG_ALIGN(la));
    }
  }
}

BOOST_AUTO_TEST_CASE(arena_allocations_come_from_that_arena) {
  const unsigned manual = new_arena();
  const unsigned narenas = ctl_read<unsigned>("arenas.narenas");
  BOOST_REQUIRE(manual < narenas);
  for (unsigned a : {0u, manual, narenas - 1}) {
    for (size_t size : kSizes) {
      for (int extra : {0, MALLOCX_ZERO, MALLOCX_LG_ALIGN(13), MALLOCX_TCACHE_NONE}) {
        void* p = mallocx(size, MALLOCX_ARENA(a) | extra);
        BOOST_REQUIRE(p != nullptr);
        BOOST_TEST(arena_of(p) == a, "size " << size << " arena " << a);
        dallocx(p, 0);
      }
    }
    // A move lands in the arena asked for.
    void* p = mallocx(40, 0);
    void* q = rallocx(p, 70000, MALLOCX_ARENA(a));
    BOOST_REQUIRE(q != nullptr);
    BOOST_TEST(arena_of(q) == a);
    dallocx(q, MALLOCX_ARENA(a));
  }
  BOOST_TEST(mallocx(64, MALLOCX_ARENA(narenas)) == nullptr);
  BOOST_TEST(mallocx(64, MALLOCX_ARENA(4000)) == nullptr);
  void* p = mallocx(64, 0);
  BOOST_TEST(rallocx(p, 100000, MALLOCX_ARENA(narenas)) == nullptr);  // p untouched
  dallocx(p, 0);
}

BOOST_AUTO_TEST_CASE(tcache_none_and_explicit_caches_allocate_and_free) {
  unsigned tc = new_tcache();
  for (int flags : {MALLOCX_TCACHE_NONE, MALLOCX_TCACHE(tc)}) {
    std::vector<void*> ps;
    for (size_t size : kSizes) {
      for (int i = 0; i < 20; ++i) {
        void* p = mallocx(size, flags);
        BOOST_REQUIRE(p != nullptr);
        memset(p, 0x7e, size);
        ps.push_back(p);
      }
    }
    for (size_t i = 0; i < ps.size(); ++i) {
      if (i % 3 == 0) dallocx(ps[i], flags);
      else if (i % 3 == 1) sdallocx(ps[i], sallocx(ps[i], 0), flags);
      else free(ps[i]);
    }
    // Objects from the thread cache may be freed around it, and the other way round.
    void* p = opaque(malloc(40));
    dallocx(p, flags);
    p = mallocx(40, flags);
    free(p);
  }
  BOOST_TEST(bento_mallctl("tcache.flush", nullptr, nullptr, &tc, sizeof(tc)) == 0);
  BOOST_TEST(bento_mallctl("tcache.destroy", nullptr, nullptr, &tc, sizeof(tc)) == 0);
}

BOOST_AUTO_TEST_CASE(allocations_are_counted_as_mallocs_are) {
  for (int flags : {0, MALLOCX_TCACHE_NONE, MALLOCX_LG_ALIGN(12), MALLOCX_ARENA(0) | MALLOCX_ZERO}) {
    for (size_t size : {size_t{100}, size_t{40000}, 3 * kMiB}) {
      const uint64_t a0 = counter("thread.allocated"), d0 = counter("thread.deallocated");
      void* p = mallocx(size, flags);
      const size_t usize = sallocx(p, 0);
      const uint64_t a1 = counter("thread.allocated");
      dallocx(p, flags);
      const uint64_t d1 = counter("thread.deallocated");
      BOOST_TEST(a1 - a0 == usize, "size " << size << " flags " << flags);
      BOOST_TEST(d1 - d0 == usize, "size " << size << " flags " << flags);
    }
  }
}

BOOST_AUTO_TEST_CASE(xallocx_grows_in_place_when_it_can_and_never_moves) {
  // A fresh arena's first large run has free pages behind it.
  const unsigned a = new_arena();
  const int flags = MALLOCX_ARENA(a) | MALLOCX_TCACHE_NONE;
  void* p = mallocx(20000, flags);
  BOOST_REQUIRE(p != nullptr);
  const size_t old = sallocx(p, 0);
  memset(p, 0x44, old);
  if (sampling_everything()) {  // in place is not possible: the size stays, p stays
    BOOST_TEST(xallocx(p, 60000, 0, 0) == old);
    BOOST_TEST(sallocx(p, 0) == old);
    BOOST_TEST(all_bytes(p, 0, old, 0x44));
  } else {
    size_t got = xallocx(p, 60000, 0, MALLOCX_ZERO);
    BOOST_TEST(got >= 60000u);
    BOOST_TEST(got == sallocx(p, 0));
    BOOST_TEST(all_bytes(p, 0, old, 0x44));
    BOOST_TEST(all_bytes(p, old, got, 0));
    // extra: as much as it can get of size + extra, at least size.
    got = xallocx(p, 70000, 100000, 0);
    BOOST_TEST(got >= 70000u);
    BOOST_TEST(got <= nallocx(170000, 0));
    BOOST_TEST(got == sallocx(p, 0));
    // Already within [size, size + extra]: nothing changes.
    BOOST_TEST(xallocx(p, 1000, got, 0) == got);
    // Shrinks in place.
    got = xallocx(p, 30000, 0, 0);
    BOOST_TEST(got == nallocx(30000, 0));
    BOOST_TEST(all_bytes(p, 0, old, 0x44));
  }
  size_t got = sallocx(p, 0);
  // Blocked by a neighbour: the old size, and p is unchanged.
  void* q = mallocx(20000, flags);
  const size_t blocked = xallocx(p, 400000, 0, 0);
  BOOST_TEST(blocked == sallocx(p, 0));
  BOOST_TEST(all_bytes(p, 0, old, 0x44));
  // Not to a huge size: a large run stays one.
  BOOST_TEST(xallocx(p, 8 * kMiB, 0, 0) == sallocx(p, 0));
  dallocx(q, flags);
  dallocx(p, flags);

  // Small objects keep their class.
  void* s = mallocx(40, 0);
  const size_t small = sallocx(s, 0);
  BOOST_TEST(xallocx(s, 4000, 0, 0) == small);
  BOOST_TEST(xallocx(s, 1, 0, 0) == small);
  BOOST_TEST(sallocx(s, 0) == small);
  dallocx(s, 0);

  // Huge: resized where the mapping is, or left as it was.
  void* h = mallocx(4 * kMiB, 0);
  memset(h, 0x21, 4 * kMiB);
  got = xallocx(h, 3 * kMiB, 0, 0);
  BOOST_TEST(got == 3 * kMiB);
  BOOST_TEST(sallocx(h, 0) == got);
  got = xallocx(h, 12 * kMiB, 0, MALLOCX_ZERO);
  BOOST_TEST((got == 12 * kMiB || got == 3 * kMiB));
  BOOST_TEST(sallocx(h, 0) == got);
  BOOST_TEST(all_bytes(h, 0, 3 * kMiB, 0x21));
  BOOST_TEST(all_bytes(h, 3 * kMiB, got, 0));
  dallocx(h, 0);
}

BOOST_AUTO_TEST_CASE(sdallocx_accepts_every_size_that_names_the_class) {
  for (size_t size : kSizes) {
    void* p = mallocx(size, 0);
    const size_t usize = sallocx(p, 0);
    const size_t pick = size + (usize - size) / 2;
    sdallocx(p, pick == 0 ? usize : pick, 0);
  }
}

BOOST_AUTO_TEST_CASE(sdallocx_with_a_wrong_size_is_reported) {
  expect_abort(run_in_child([] {
                 void* p = opaque(mallocx(100, 0));
                 sdallocx(p, 5000, 0);
               }),
               "sdallocx", "size does not match");
  expect_abort(run_in_child([] {
                 void* p = opaque(mallocx(100000, MALLOCX_TCACHE_NONE));
                 sdallocx(p, 16, MALLOCX_TCACHE_NONE);
               }),
               "sdallocx", "size does not match");
  expect_abort(run_in_child([] {
                 void* p = opaque(mallocx(3 * kMiB, 0));
                 sdallocx(p, 9 * kMiB, 0);
               }),
               "sdallocx", "size does not match");
}

BOOST_AUTO_TEST_CASE(flagged_frees_of_bad_pointers_are_reported) {
  expect_abort(run_in_child([] {
                 char* p = static_cast<char*>(opaque(mallocx(100, 0)));
                 dallocx(p + 16, MALLOCX_TCACHE_NONE);
               }),
               "dallocx", "inside an object");
  expect_abort(run_in_child([] {
                 void* p = opaque(mallocx(100000, 0));
                 dallocx(p, MALLOCX_TCACHE_NONE);
                 dallocx(p, MALLOCX_TCACHE_NONE);
               }),
               "dallocx", "double free");
  expect_abort(run_in_child([] {
                 static char not_ours[64];
                 sallocx(opaque(not_ours), 0);
               }),
               "sallocx", "not allocated by bento");
}

BOOST_AUTO_TEST_CASE(a_tcache_id_never_created_is_reported) {
  const ChildResult r = run_in_child([] { opaque(mallocx(64, MALLOCX_TCACHE(4000))); });
  BOOST_TEST(r.signal == SIGABRT);
  BOOST_TEST(r.err.find("bento: mallocx(flags 0xfa200): MALLOCX_TCACHE(4000)") == 0u, "stderr was: " << r.err);
  const ChildResult d = run_in_child([] {
    unsigned id = 0;
    size_t len = sizeof(id);
    bento_mallctl("tcache.create", &id, &len, nullptr, 0);
    void* p = opaque(mallocx(64, MALLOCX_TCACHE(id)));
    bento_mallctl("tcache.destroy", nullptr, nullptr, &id, sizeof(id));
    dallocx(p, MALLOCX_TCACHE(id));
  });
  BOOST_TEST(d.signal == SIGABRT);
  BOOST_TEST(d.err.find("bento: dallocx(flags ") == 0u, "stderr was: " << d.err);
}

BOOST_AUTO_TEST_CASE(the_prefixed_names_are_the_same_calls) {
  void* p = bento_mallocx(300, BENTO_MALLOCX_LG_ALIGN(9) | BENTO_MALLOCX_ZERO);
  BOOST_REQUIRE(p != nullptr);
  BOOST_TEST((reinterpret_cast<uintptr_t>(p) & 511) == 0u);
  BOOST_TEST(bento_sallocx(p, 0) == bento_nallocx(300, BENTO_MALLOCX_LG_ALIGN(9)));
  p = bento_rallocx(p, 900, 0);
  BOOST_TEST(bento_xallocx(p, 900, 0, 0) == bento_sallocx(p, 0));
  bento_sdallocx(p, 900, 0);
  bento_dallocx(bento_mallocx(10, BENTO_MALLOCX_TCACHE_NONE), BENTO_MALLOCX_TCACHE_NONE);
}

// Run with BENTO_CONF=prof:true,prof_active:true,lg_prof_sample:0 (test allocx-prof): every allocation is
// sampled, the flagged ones too, and their frees forget them.
BOOST_AUTO_TEST_CASE(the_heap_profiler_samples_them_as_mallocs) {
  if (!sampling_everything()) return;
  const unsigned a = new_arena();
  const uint64_t before = counter("prof.nsamples");
  const uint64_t live = counter("prof.nlive");
  const int flags[] = {0, MALLOCX_ZERO, MALLOCX_LG_ALIGN(12), MALLOCX_TCACHE_NONE, MALLOCX_ARENA(a)};
  std::vector<void*> ps;
  for (int f : flags) {
    for (size_t size : {size_t{24}, size_t{3000}, size_t{40000}, 3 * kMiB}) {
      void* p = mallocx(size, f);
      BOOST_REQUIRE(p != nullptr);
      BOOST_TEST(sallocx(p, 0) == nallocx(size, f));
      if (f == MALLOCX_ARENA(a)) BOOST_TEST(arena_of(p) == a);
      if (f == MALLOCX_ZERO) BOOST_TEST(all_bytes(p, 0, sallocx(p, 0), 0));
      ps.push_back(p);
    }
  }
  const uint64_t n = counter("prof.nsamples") - before;
  BOOST_TEST(n >= ps.size());
  for (size_t i = 0; i < ps.size(); ++i) {
    if (i % 2 == 0) dallocx(ps[i], 0);
    else sdallocx(ps[i], sallocx(ps[i], 0), MALLOCX_TCACHE_NONE);
  }
  BOOST_TEST(counter("prof.nlive") <= live + 2);  // the vector's own buffer, perhaps
}
