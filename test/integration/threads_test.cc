// Threads: cross-thread frees with content checks, caches of exiting threads, many
// short-lived threads, and loading the library with dlopen.
#define BOOST_TEST_MODULE threads
#include <boost/test/unit_test.hpp>

#include <dlfcn.h>
#include <malloc.h>
#include <stdlib.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bento/bento.h"
#include "../support/fill.h"
#include "../support/rng.h"
#include "../support/threads.h"

namespace {
std::size_t resident_kib() {
  FILE* f = fopen("/proc/self/statm", "r");
  unsigned long size = 0, res = 0;
  if (f != nullptr) {
    if (fscanf(f, "%lu %lu", &size, &res) != 2) res = 0;
    fclose(f);
  }
  return res * 4;
}
}  // namespace

BOOST_AUTO_TEST_CASE(objects_freed_by_other_threads_keep_their_contents) {
  constexpr unsigned kThreads = 8;
  constexpr std::size_t kSlots = 4096;
  struct Slot {
    std::mutex m;
    void* p = nullptr;
    std::size_t n = 0;
    std::uintptr_t tag = 0;
  };
  std::vector<Slot> slots(kSlots);
  bento::test::Failures failures;
  bento::test::run_threads(kThreads, [&](unsigned id) {
    bento::test::Rng rng(id + 100);
    for (int i = 0; i < 60000; ++i) {
      Slot& s = slots[rng.below(kSlots)];
      const std::size_t n = rng.below(8) == 0 ? rng.log_size(200000) : rng.log_size(2000);
      void* fresh = malloc(n);
      const std::uintptr_t tag = rng.next();
      bento::test::fill(fresh, n, tag, 256);
      std::lock_guard<std::mutex> g(s.m);
      if (s.p != nullptr) {
        if (!bento::test::check(s.p, s.n, s.tag, 256)) failures.add();
        free(s.p);  // usually allocated by another thread
      }
      s.p = fresh;
      s.n = n;
      s.tag = tag;
    }
  });
  for (Slot& s : slots) {
    if (s.p != nullptr && !bento::test::check(s.p, s.n, s.tag, 256)) failures.add();
    free(s.p);
  }
  BOOST_TEST(failures.get() == 0);
}

BOOST_AUTO_TEST_CASE(objects_outlive_the_thread_that_made_them) {
  std::vector<void*> made(50000);
  std::thread t([&] {
    for (std::size_t i = 0; i < made.size(); ++i) {
      made[i] = malloc(1 + i % 500);
      bento::test::fill(made[i], 1 + i % 500, i);
    }
    // Also leave a full cache behind.
    for (int i = 0; i < 5000; ++i) free(malloc(64));
  });
  t.join();
  long bad = 0;
  for (std::size_t i = 0; i < made.size(); ++i) {
    bad += !bento::test::check(made[i], 1 + i % 500, i);
    free(made[i]);
  }
  BOOST_TEST(bad == 0);
}

BOOST_AUTO_TEST_CASE(ten_thousand_short_lived_threads_do_not_grow_the_heap) {
  auto burst = [](int n) {
    for (int i = 0; i < n; ++i) {
      std::thread t([] {
        void* keep[64];
        for (int k = 0; k < 64; ++k) keep[k] = malloc(16 + 48 * (k % 20));
        for (int k = 0; k < 64; ++k) free(keep[k]);
      });
      t.join();
    }
  };
  burst(1000);  // warm up: thread stacks, pools
  const std::size_t before = resident_kib();
  burst(10000);
  const std::size_t after = resident_kib();
  // Caches of dead threads are flushed and their states reused: no growth per thread.
  BOOST_TEST(after < before + 4096, "resident before " << before << " KiB, after " << after << " KiB");
}

// A thread's state block is taken from the pool when the thread before it exited, and is
// reset. The block is followed at once by other metadata (often an arena made by that
// thread); the reset must stay inside the block (it once zeroed the next arena's head
// when caches were off: the suite's tcache:false run then crashed one time in seven).
BOOST_AUTO_TEST_CASE(reused_thread_states_leave_their_neighbours_alone) {
  unsigned narenas = 0;
  std::size_t len = sizeof(narenas);
  BOOST_REQUIRE(bento_mallctl("arenas.narenas", &narenas, &len, nullptr, 0) == 0);
  bento::test::Failures failures;
  for (int round = 0; round < 20; ++round) {
    bento::test::run_threads(4, [&](unsigned id) {
      for (unsigned a = 0; a < narenas; ++a) {
        unsigned arena = (a + id) % narenas;  // every thread visits every arena
        if (bento_mallctl("thread.arena", nullptr, nullptr, &arena, sizeof(arena)) != 0) failures.add();
        void* keep[32];
        for (int k = 0; k < 32; ++k) {
          const std::size_t n = 16 + static_cast<std::size_t>(k) * 4000;  // small and large
          keep[k] = malloc(n);
          if (keep[k] == nullptr) {
            failures.add();
            continue;
          }
          bento::test::fill(keep[k], n, k);
        }
        for (int k = 0; k < 32; ++k) {
          if (keep[k] != nullptr && !bento::test::check(keep[k], 16 + static_cast<std::size_t>(k) * 4000, k)) failures.add();
          free(keep[k]);
        }
      }
    });
  }
  BOOST_TEST(failures.get() == 0);
}

BOOST_AUTO_TEST_CASE(library_loads_with_dlopen) {
  const char* path = std::getenv("BENTO_LIB");
  BOOST_REQUIRE(path != nullptr);
  // A second copy under its own name, so the dynamic loader really loads it (the
  // process already has libbento mapped as its malloc).
  const std::string copy = std::string("/tmp/bento_dlopen_test_") + std::to_string(getpid()) + ".so";
  {
    FILE* in = fopen(path, "rb");
    FILE* out = fopen(copy.c_str(), "wb");
    BOOST_REQUIRE((in != nullptr && out != nullptr));
    char buf[65536];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0) fwrite(buf, 1, n, out);
    fclose(in);
    fclose(out);
  }
  void* h = dlopen(copy.c_str(), RTLD_NOW | RTLD_LOCAL);
  unlink(copy.c_str());
  BOOST_REQUIRE_MESSAGE(h != nullptr, "dlopen: " << dlerror());
  using MallocFn = void* (*)(std::size_t);
  using FreeFn = void (*)(void*);
  auto m = reinterpret_cast<MallocFn>(dlsym(h, "bento_malloc"));
  auto f = reinterpret_cast<FreeFn>(dlsym(h, "bento_free"));
  BOOST_REQUIRE((m != nullptr && f != nullptr));
  void* p = m(1000);
  BOOST_TEST(p != nullptr);
  std::memset(p, 1, 1000);
  f(p);
}
