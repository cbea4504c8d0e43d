// Guarded sampling (guard_sample, guard.sample): objects between inaccessible pages, and
// the one message each misuse of them ends in. Each case switches guarding on for
// itself through guard.sample (1: every allocation the pool can hold; 100: the rate), so
// the test framework's own long-lived objects, allocated before, do not fill the pool.
// A misuse runs in a child that must abort with the report; assertions stay on the main
// thread. meson runs it as configured, without the cache and with one arena.
#define BOOST_TEST_MODULE guard
#include <boost/test/unit_test.hpp>

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuse-after-free"
#pragma GCC diagnostic ignored "-Wfree-nonheap-object"
#endif

#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <bento/bento.h>

#include "../support/mallctl_read.h"
#include "../support/subprocess.h"

namespace {
using bento::test::ChildResult;
using bento::test::ctl_read;
using bento::test::ctl_refresh;
using bento::test::opaque;
using bento::test::run_in_child;

constexpr std::size_t kPage = 4096;
constexpr unsigned kSlots = 64;  // guard/guard_pool.h

// guard.sample for one case: the rate in force from construction (for the calling
// thread at once, and for threads started later), off again at the end.
struct Guarding {
  explicit Guarding(std::size_t every) { set(every); }
  ~Guarding() { set(0); }
  static void set(std::size_t every) {
    BOOST_REQUIRE(bento_mallctl("guard.sample", nullptr, nullptr, &every, sizeof(every)) == 0);
  }
};

std::uint64_t guarded_allocs() {
  ctl_refresh();
  return ctl_read<std::uint64_t>("stats.guarded_allocs");
}
std::size_t guarded_bytes() {
  ctl_refresh();
  return ctl_read<std::size_t>("stats.guarded");
}

// A guarded object ends where a page ends (right-aligned against its guard page).
bool ends_at_page(const void* p) { return (reinterpret_cast<std::uintptr_t>(p) + malloc_usable_size(const_cast<void*>(p))) % kPage == 0; }

void expect_report(const ChildResult& r, const std::string& first_line, bool freed) {
  BOOST_TEST(r.signal == SIGABRT, "signal " << r.signal << ", stderr: " << r.err);
  BOOST_TEST(r.err.find("bento: " + first_line) == 0u, "stderr was: " << r.err);
  BOOST_TEST(r.err.find("allocated by thread") != std::string::npos, "stderr was: " << r.err);
  BOOST_TEST((r.err.find("freed by thread") != std::string::npos) == freed, "stderr was: " << r.err);
  BOOST_TEST(r.err.find("bento:     #0 0x") != std::string::npos, "a call stack: " << r.err);
}

volatile char g_read;

__attribute__((noinline)) char* make(std::size_t n) { return static_cast<char*>(opaque(malloc(n))); }
}  // namespace

BOOST_AUTO_TEST_CASE(every_size_up_to_two_pages_is_guarded_with_its_usual_usable_size) {
  Guarding on(1);
  const std::size_t bytes_before = guarded_bytes();
  std::vector<char*> ps;
  std::size_t usable = 0;
  for (std::size_t n : {1, 16, 64, 100, 1000, 4096, 5000, 8192}) {
    const std::size_t g0 = guarded_bytes();
    char* p = make(n);
    const std::size_t g1 = guarded_bytes();
    BOOST_TEST_REQUIRE(p != nullptr);
    BOOST_TEST(g1 - g0 == bento_nallocx(n, 0), n);  // this object, guarded
    BOOST_TEST(malloc_usable_size(p) == bento_nallocx(n, 0), n);
    BOOST_TEST(ends_at_page(p), n);
    BOOST_TEST(reinterpret_cast<std::uintptr_t>(p) % 16 == 0u);
    memset(p, 0x5c, malloc_usable_size(p));  // every usable byte is writable
    usable += malloc_usable_size(p);
    ps.push_back(p);
  }
  const std::size_t g0 = guarded_bytes();
  char* big = make(9000);  // more than two pages: the ordinary path
  const std::size_t g1 = guarded_bytes();
  BOOST_TEST(g1 == g0);
  free(big);
  for (char* p : ps) free(p);
  BOOST_TEST(guarded_bytes() < bytes_before + 1024);  // what the framework keeps of its own
  BOOST_TEST(usable >= 18469u);
}

BOOST_AUTO_TEST_CASE(calloc_realloc_and_aligned_requests_keep_their_promises) {
  Guarding on(1);
  const std::uint64_t before = guarded_allocs();
  auto* z = static_cast<unsigned char*>(opaque(calloc(300, 1)));
  BOOST_TEST(ends_at_page(z));
  BOOST_TEST(std::all_of(z, z + 300, [](unsigned char c) { return c == 0; }));
  memset(z, 7, 300);
  free(z);
  // The slot comes back only after every other one: the next calloc gets zeros anyway.
  z = static_cast<unsigned char*>(opaque(calloc(300, 1)));
  BOOST_TEST(std::all_of(z, z + 300, [](unsigned char c) { return c == 0; }));
  free(z);

  char* p = make(64);
  for (int i = 0; i < 64; ++i) p[i] = static_cast<char>(i);
  p = static_cast<char*>(realloc(p, 3000));
  BOOST_TEST_REQUIRE(p != nullptr);
  BOOST_TEST(ends_at_page(p));
  bool same = true;
  for (int i = 0; i < 64; ++i) same = same && p[i] == static_cast<char>(i);
  BOOST_TEST(same);
  free(p);

  void* a = nullptr;
  BOOST_TEST(posix_memalign(&a, 64, 192) == 0);
  BOOST_TEST(reinterpret_cast<std::uintptr_t>(a) % 64 == 0u);
  free(a);
  void* pagealigned = aligned_alloc(kPage, kPage);
  BOOST_TEST(reinterpret_cast<std::uintptr_t>(pagealigned) % kPage == 0u);
  free(pagealigned);
  void* wide = aligned_alloc(2 * kPage, 2 * kPage);  // more than a page: slots cannot promise it
  BOOST_TEST(reinterpret_cast<std::uintptr_t>(wide) % (2 * kPage) == 0u);
  free(wide);
  BOOST_TEST(guarded_allocs() - before >= 5u);
}

BOOST_AUTO_TEST_CASE(a_full_pool_falls_back_to_the_ordinary_path_and_frees_reuse_the_oldest_slot) {
  Guarding on(1);
  ctl_refresh();
  const std::uint64_t full_before = ctl_read<std::uint64_t>("stats.guard_pool_full");
  std::vector<char*> ps;
  for (unsigned i = 0; i < kSlots + 36; ++i) ps.push_back(make(48));
  std::set<char*> distinct(ps.begin(), ps.end());
  BOOST_TEST(distinct.size() == ps.size());
  for (char* p : ps) memset(p, 1, 48);
  ctl_refresh();
  BOOST_TEST(ctl_read<std::uint64_t>("stats.guard_pool_full") - full_before >= 36u);
  BOOST_TEST(ctl_read<std::size_t>("stats.guarded") >= (kSlots - 4) * bento_nallocx(48, 0));
  // Freed in order: the first freed slot is the next one handed out again.
  for (char* p : ps) free(p);
  char* again = make(48);
  BOOST_TEST(static_cast<void*>(again + 48) == static_cast<void*>(ps[0] + 48));
  free(again);
}

BOOST_AUTO_TEST_CASE(objects_cross_threads_and_fork) {
  Guarding on(1);
  char* p = make(200);
  memset(p, 3, 200);
  char* q = nullptr;
  std::thread([&] {
    free(p);
    q = make(200);
  }).join();
  BOOST_TEST(ends_at_page(q));
  const ChildResult r = run_in_child(
      [q] {
        free(q);  // the parent's guarded object, freed in the child
        std::vector<void*> v;
        for (int i = 0; i < 100; ++i) v.push_back(opaque(malloc(64)));
        for (void* x : v) free(x);
      },
      true);
  BOOST_TEST(r.exited);
  BOOST_TEST(r.exit_code == 0, r.err);
  q[0] = 1;  // still the parent's
  free(q);
}

BOOST_AUTO_TEST_CASE(a_read_after_free_ends_in_the_report) {
  Guarding on(1);
  const ChildResult r = run_in_child(
      [] {
        char* p = make(64);
        free(p);
        g_read = p[8];
      },
      true);
  expect_report(r, "use after free of a 64-byte object at 0x", true);
  BOOST_TEST(r.err.find("a read at offset 8") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(a_write_after_free_from_another_thread_names_both_threads) {
  Guarding on(1);
  const ChildResult r = run_in_child(
      [] {
        char* p = make(100);
        std::thread([p] { free(p); }).join();
        p[0] = 1;
      },
      true);
  expect_report(r, "use after free of a 112-byte object at 0x", true);
  BOOST_TEST(r.err.find("a write at offset 0") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(a_write_one_past_the_end_ends_in_the_report) {
  Guarding on(1);
  const ChildResult r = run_in_child(
      [] {
        char* p = make(64);
        p[malloc_usable_size(p)] = 1;
      },
      true);
  expect_report(r, "write past the end of a 64-byte object at 0x", false);
  BOOST_TEST(r.err.find("0 bytes past its end") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(a_double_free_names_the_first_free) {
  Guarding on(1);
  expect_report(run_in_child(
                    [] {
                      char* p = make(64);
                      free(p);
                      free(p);
                    },
                    true),
                "free(0x", true);
  const ChildResult r = run_in_child(
      [] {
        char* p = make(64);
        free(p);
        free(p);
      },
      true);
  BOOST_TEST(r.err.find("double free: the 64-byte object was freed before and not allocated since") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(realloc_of_a_freed_object_and_an_interior_pointer_are_reported) {
  Guarding on(1);
  const ChildResult r = run_in_child(
      [] {
        char* p = make(64);
        free(p);
        opaque(realloc(p, 100));
      },
      true);
  expect_report(r, "realloc(0x", true);
  BOOST_TEST(r.err.find("use after free: the 64-byte object was freed before") != std::string::npos, r.err);
  const ChildResult i = run_in_child(
      [] {
        char* p = make(112);
        free(p + 16);
      },
      true);
  expect_report(i, "free(0x", false);
  BOOST_TEST(i.err.find("invalid pointer: inside an object, not at its start: 16 bytes from the 112-byte object") != std::string::npos, i.err);
}

// One allocation in N, through the cache bins' countdowns (or the thread's, without a
// cache): 200,000 pairs at N = 100 guard about 2,000 (a binomial count: 6 sigma is 270).
BOOST_AUTO_TEST_CASE(one_allocation_in_n_is_guarded) {
  Guarding on(100);
  for (std::size_t size : {24, 200, 3000}) {
    const std::uint64_t before = guarded_allocs();
    for (int i = 0; i < 200000; ++i) free(opaque(malloc(size)));
    const double n = static_cast<double>(guarded_allocs() - before);
    BOOST_TEST(n > 2000 - 270, size << ": " << n);
    BOOST_TEST(n < 2000 + 270, size << ": " << n);
  }
  const std::uint64_t before = guarded_allocs();
  for (int i = 0; i < 20000; ++i) free(opaque(malloc(20000)));  // too big to guard
  BOOST_TEST(guarded_allocs() == before);
}
