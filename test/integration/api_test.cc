// The whole malloc family against libbento as the process malloc: results, alignment,
// errno, contents through realloc, and the C++ operators.
#define BOOST_TEST_MODULE api
#include <boost/test/unit_test.hpp>

// This file makes impossible requests and reuses pointers after failed reallocs on
// purpose; GCC's static checks for those would stop the build.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuse-after-free"
#pragma GCC diagnostic ignored "-Walloc-size-larger-than="
#endif

#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cstddef>
#include <new>
#include <set>
#include <vector>

#include "bento/bento.h"
#include "../support/errno_check.h"
#include "../support/fill.h"

extern "C" void free_sized(void* p, size_t size) noexcept;
extern "C" void free_aligned_sized(void* p, size_t align, size_t size) noexcept;

namespace {
constexpr size_t kMiB = 1u << 20;
bool aligned(const void* p, size_t a) { return reinterpret_cast<uintptr_t>(p) % a == 0; }
// A size list crossing every kind: small classes, large runs, huge mappings.
std::vector<size_t> sizes() {
  std::vector<size_t> out;
  for (size_t s = 1; s <= 20000; s = s * 5 / 4 + 1) out.push_back(s);
  for (size_t s : {16384u, 65536u, 100000u, 524288u, 524289u, 1000000u, 3u << 20, 9u << 20})
    out.push_back(s);
  return out;
}
}  // namespace

BOOST_AUTO_TEST_CASE(malloc_is_bento) {
  void* p = malloc(100);
  BOOST_TEST(bento_malloc_usable_size(p) == 112u);  // bento's 112-byte class
  free(p);
  void* q = bento_malloc(10);
  free(q);  // one allocator: bento_ and plain calls mix
}

BOOST_AUTO_TEST_CASE(every_result_is_16_aligned_and_usable_size_covers_the_request) {
  for (size_t s : sizes()) {
    void* p = malloc(s);
    BOOST_REQUIRE(p != nullptr);
    BOOST_TEST(aligned(p, 16));
    BOOST_TEST(malloc_usable_size(p) >= s);
    memset(p, 0xee, malloc_usable_size(p));  // the whole usable size is ours to write
    free(p);
  }
}

BOOST_AUTO_TEST_CASE(malloc_zero_gives_distinct_freeable_pointers) {
  void* a = malloc(0);
  void* b = malloc(0);
  BOOST_TEST(a != nullptr);
  BOOST_TEST(b != nullptr);
  BOOST_TEST(a != b);
  free(a);
  free(b);
  free(nullptr);
}

BOOST_AUTO_TEST_CASE(impossible_sizes_fail_with_enomem) {
  for (size_t s : {SIZE_MAX, SIZE_MAX - 4095, static_cast<size_t>(PTRDIFF_MAX),
                   static_cast<size_t>(PTRDIFF_MAX) + 1, size_t{1} << 62}) {
    bento::test::clear_errno();
    BOOST_TEST(malloc(s) == nullptr);
    BOOST_TEST(bento::test::read_errno() == ENOMEM);
    bento::test::clear_errno();
    BOOST_TEST(calloc(1, s) == nullptr);
    BOOST_TEST(bento::test::read_errno() == ENOMEM);
    void* p = malloc(10);
    bento::test::clear_errno();
    BOOST_TEST(realloc(p, s) == nullptr);
    BOOST_TEST(bento::test::read_errno() == ENOMEM);
    free(p);  // realloc failure leaves p alive
  }
}

BOOST_AUTO_TEST_CASE(calloc_overflow_and_zeroing) {
  bento::test::clear_errno();
  BOOST_TEST(calloc(SIZE_MAX / 2, 3) == nullptr);
  BOOST_TEST(bento::test::read_errno() == ENOMEM);
  for (size_t s : sizes()) {
    // Dirty a block of the size first, so calloc cannot get lucky with fresh pages.
    void* d = malloc(s);
    memset(d, 0xff, s);
    free(d);
    auto* p = static_cast<unsigned char*>(calloc(1, s));
    BOOST_REQUIRE(p != nullptr);
    bool zero = true;
    for (size_t i = 0; i < s; ++i) zero = zero && p[i] == 0;
    if (!zero) BOOST_FAIL("calloc(" << s << ") not zeroed");
    free(p);
  }
}

BOOST_AUTO_TEST_CASE(realloc_keeps_contents_across_small_large_and_huge) {
  const size_t steps[] = {1, 24, 100, 4000, 16384, 70000, 1500000, 3 * kMiB, 40 * kMiB,
                          2 * kMiB + 1, 900000, 30000, 500, 17, 1};
  void* p = malloc(steps[0]);
  bento::test::fill(p, steps[0], 77);
  size_t have = steps[0];
  for (size_t i = 1; i < sizeof(steps) / sizeof(steps[0]); ++i) {
    const size_t s = steps[i];
    p = realloc(p, s);
    BOOST_REQUIRE(p != nullptr);
    const size_t keep = have < s ? have : s;
    BOOST_TEST(bento::test::check(p, keep, 77, SIZE_MAX / 4), "step " << i << " to " << s);
    bento::test::fill(p, s, 77, SIZE_MAX / 4);
    have = s;
  }
  free(p);
}

BOOST_AUTO_TEST_CASE(realloc_stays_in_place_within_a_class) {
  void* p = malloc(100);
  BOOST_TEST(realloc(p, 110) == p);  // both in the 112-byte class
  void* q = realloc(p, 200);
  BOOST_TEST(q != p);
  free(q);
  void* h = malloc(5 * kMiB);
  BOOST_TEST(realloc(h, 5 * kMiB + 100) == h);  // the huge mapping has room
  BOOST_TEST(malloc_usable_size(h) == 5 * kMiB + 4096);
  static_cast<char*>(h)[5 * kMiB + 4095] = 1;
  BOOST_TEST(realloc(h, 5 * kMiB + 1) == h);  // the same pages: nothing to do
  BOOST_TEST(malloc_usable_size(h) == 5 * kMiB + 4096);
  BOOST_TEST(realloc(h, 5 * kMiB) == h);  // a page fewer
  BOOST_TEST(malloc_usable_size(h) == 5 * kMiB);
  free(h);
}

BOOST_AUTO_TEST_CASE(realloc_null_and_zero_follow_glibc) {
  void* p = realloc(nullptr, 50);
  BOOST_TEST(p != nullptr);
  BOOST_TEST(realloc(p, 0) == nullptr);  // frees p
  void* q = realloc(nullptr, 0);
  BOOST_TEST(q != nullptr);
  free(q);
}

BOOST_AUTO_TEST_CASE(reallocarray_checks_overflow) {
  void* p = malloc(8);
  bento::test::clear_errno();
  BOOST_TEST(reallocarray(p, SIZE_MAX / 2, 4) == nullptr);
  BOOST_TEST(bento::test::read_errno() == ENOMEM);
  void* q = reallocarray(p, 100, 8);
  BOOST_TEST(q != nullptr);
  BOOST_TEST(malloc_usable_size(q) >= 800u);
  free(q);
}

BOOST_AUTO_TEST_CASE(posix_memalign_rejects_bad_alignments_and_honours_good_ones) {
  void* p = reinterpret_cast<void*>(0x1);
  for (size_t a : {0u, 1u, 2u, 4u, 3u, 24u, 48u, 1000u}) {
    BOOST_TEST(posix_memalign(&p, a, 10) == EINVAL);
  }
  BOOST_TEST(p == reinterpret_cast<void*>(0x1));  // untouched on failure
  for (size_t a = sizeof(void*); a <= (size_t{1} << 30); a <<= 1) {
    for (size_t s : {1u, 100u, 5000u, 70000u, 3000000u}) {
      void* q = nullptr;
      BOOST_REQUIRE(posix_memalign(&q, a, s) == 0);
      if (!aligned(q, a)) BOOST_FAIL("align " << a << " size " << s);
      BOOST_TEST(malloc_usable_size(q) >= s);
      memset(q, 1, s);
      free(q);
    }
  }
  BOOST_TEST(posix_memalign(&p, 64, SIZE_MAX) == ENOMEM);
}

BOOST_AUTO_TEST_CASE(aligned_alloc_memalign_valloc_pvalloc) {
  volatile size_t odd_align = 24;  // opaque: compilers warn about constant bad alignments
  bento::test::clear_errno();
  BOOST_TEST(aligned_alloc(odd_align, 48) == nullptr);
  BOOST_TEST(bento::test::read_errno() == EINVAL);
  void* a = aligned_alloc(64, 100);
  BOOST_TEST(aligned(a, 64));
  free_aligned_sized(a, 64, 100);
  void* m = memalign(odd_align, 10);  // glibc rounds the alignment up to 32
  BOOST_TEST(aligned(m, 32));
  free(m);
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  void* v = valloc(10);
  BOOST_TEST(aligned(v, page));
  free(v);
  void* pv = pvalloc(page + 1);
  BOOST_TEST(aligned(pv, page));
  BOOST_TEST(malloc_usable_size(pv) >= 2 * page);
  free(pv);
  void* pv0 = pvalloc(0);
  BOOST_TEST(malloc_usable_size(pv0) >= page);
  free(pv0);
}

// Each sized free really frees: the thread's deallocated bytes grow by the object's size.
BOOST_AUTO_TEST_CASE(sized_frees_accept_the_right_size) {
  auto deallocated = [] {
    uint64_t v = 0;
    size_t len = sizeof(v);
    BOOST_REQUIRE(bento_mallctl("thread.deallocated", &v, &len, nullptr, 0) == 0);
    return v;
  };
  for (size_t s : sizes()) {
    void* p = malloc(s);
    const size_t pu = malloc_usable_size(p);
    uint64_t before = deallocated();
    free_sized(p, s);
    BOOST_TEST(deallocated() - before == pu, "free_sized of " << s);
    void* q = aligned_alloc(256, s);
    const size_t qu = malloc_usable_size(q);
    before = deallocated();
    free_aligned_sized(q, 256, s);
    BOOST_TEST(deallocated() - before == qu, "free_aligned_sized of " << s);
  }
  const uint64_t before = deallocated();
  free_sized(nullptr, 10);
  BOOST_TEST(deallocated() == before);
}

BOOST_AUTO_TEST_CASE(many_live_objects_never_overlap) {
  std::vector<std::pair<unsigned char*, size_t>> live;
  for (size_t i = 0; i < 20000; ++i) {
    const size_t s = 1 + (i * 7919) % 3000;
    auto* p = static_cast<unsigned char*>(malloc(s));
    bento::test::fill(p, s, i);
    live.emplace_back(p, s);
  }
  for (size_t i = 0; i < live.size(); ++i) {
    if (!bento::test::check(live[i].first, live[i].second, i)) BOOST_FAIL("object " << i);
    free(live[i].first);
  }
}

namespace {
int g_handler_calls = 0;
void handler() {
  ++g_handler_calls;
  std::set_new_handler(nullptr);  // next failure throws
}
struct alignas(256) Wide {
  char bytes[300];
};
}  // namespace

BOOST_AUTO_TEST_CASE(operator_new_calls_the_handler_then_throws_bad_alloc) {
  std::set_new_handler(handler);
  bool threw = false;
  try {
    void* p = ::operator new(size_t{1} << 62);
    ::operator delete(p);
  } catch (const std::bad_alloc&) {
    threw = true;
  }
  BOOST_TEST(threw);
  BOOST_TEST(g_handler_calls == 1);
  BOOST_TEST(::operator new(size_t{1} << 62, std::nothrow) == nullptr);
}

BOOST_AUTO_TEST_CASE(every_new_and_delete_form_works) {
  int* i = new int(5);
  delete i;
  int* arr = new int[1000];
  delete[] arr;
  Wide* w = new Wide;
  BOOST_TEST(aligned(w, 256));
  delete w;  // sized + aligned delete
  Wide* wa = new Wide[3];
  BOOST_TEST(aligned(wa, 256));
  delete[] wa;
  void* n = ::operator new(100, std::nothrow);
  ::operator delete(n, std::nothrow);
  void* al = ::operator new(64, std::align_val_t{4096});
  BOOST_TEST(aligned(al, 4096));
  ::operator delete(al, std::align_val_t{4096});
  void* sz = ::operator new(333);
  ::operator delete(sz, 333);
  void* an = ::operator new(10, std::align_val_t{128}, std::nothrow);
  BOOST_TEST(aligned(an, 128));
  ::operator delete(an, 10, std::align_val_t{128});
}
