// stress: a seeded multi-thread torture test of the allocator as the process malloc.
// Not a benchmark.
//
// Waves of threads are created and destroyed while the run lasts. Each thread does a
// fixed, seeded sequence of operations on a shared table of objects, so most frees are
// of objects another (often dead) thread made: malloc, calloc (checked zero), realloc
// (contents checked), posix_memalign/aligned_alloc (alignment checked), free and
// free_sized, sizes from 1 byte to 8 MiB. Every object carries a pattern that is
// checked before it is freed or resized.
//
//   stress [--smoke] [--seconds N] [--threads N] [--seed N]
//   BENTO_STRESS_SCALE=k multiplies the duration (long runs).
//
// Built twice: `stress` calls the C library names (libbento is the process malloc), and
// `stress_prefixed` calls the bento_ API, for the sanitizer builds, where the sanitizer
// owns malloc and bento runs beside it.
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#if defined(BENTO_STRESS_PREFIXED)
#include "bento/bento.h"
#define malloc bento_malloc
#define calloc bento_calloc
#define realloc bento_realloc
#define free bento_free
#define posix_memalign bento_posix_memalign
#define malloc_usable_size bento_malloc_usable_size
#define free_sized bento_free_sized
#define free_aligned_sized bento_free_aligned_sized
#endif

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../support/fill.h"
#include "../support/rng.h"

#if !defined(BENTO_STRESS_PREFIXED)
extern "C" void free_sized(void* p, size_t size) noexcept;
extern "C" void free_aligned_sized(void* p, size_t align, size_t size) noexcept;
#endif

namespace {

struct Slot {
  std::mutex m;
  void* p = nullptr;
  std::size_t n = 0;
  std::uintptr_t tag = 0;
  std::size_t align = 0;  // non-zero: from posix_memalign, never realloc'ed since
};

struct Shared {
  std::vector<Slot> slots;
  std::atomic<long> failures{0};
  std::atomic<long> ops{0};
  explicit Shared(std::size_t n) : slots(n) {}
};

void fail(Shared& sh, const char* what, std::size_t n) {
  if (sh.failures.fetch_add(1) < 10) std::fprintf(stderr, "stress: %s (size %zu)\n", what, n);
}

std::size_t pick_size(bento::test::Rng& rng) {
  const auto r = rng.below(1000);
  if (r < 800) return rng.log_size(1024);
  if (r < 970) return rng.log_size(64 * 1024);
  if (r < 997) return rng.log_size(2 * 1024 * 1024);
  return rng.log_size(8 * 1024 * 1024);
}

void release(Shared& sh, Slot& s, bento::test::Rng& rng) {
  if (s.p == nullptr) return;
  if (!bento::test::check(s.p, s.n, s.tag, 512)) fail(sh, "corrupted object", s.n);
  if (rng.below(4) != 0) {
    free(s.p);
  } else if (s.align != 0) {
    free_aligned_sized(s.p, s.align, s.n);
  } else {
    free_sized(s.p, s.n);
  }
  s.p = nullptr;
}

void worker(Shared& sh, std::uint64_t seed, long nops) {
  bento::test::Rng rng(seed);
  for (long i = 0; i < nops; ++i) {
    Slot& s = sh.slots[rng.below(sh.slots.size())];
    std::lock_guard<std::mutex> g(s.m);
    const auto op = rng.below(100);
    const std::size_t n = pick_size(rng);
    const std::uintptr_t tag = rng.next();
    if (op < 10 && s.p != nullptr) {  // realloc: contents kept up to the smaller size
      if (!bento::test::check(s.p, s.n, s.tag, 512)) fail(sh, "corrupted before realloc", s.n);
      void* q = realloc(s.p, n);
      if (q == nullptr) { fail(sh, "realloc failed", n); continue; }
      // The first 512 bytes were filled whatever the size; they must survive the move.
      std::size_t keep = n < s.n ? n : s.n;
      if (keep > 512) keep = 512;
      if (!bento::test::check(q, keep, s.tag, 512)) fail(sh, "realloc lost contents", n);
      s.p = q;
      s.align = 0;
    } else if (op < 30) {
      release(sh, s, rng);
      continue;
    } else {
      release(sh, s, rng);
      if (op < 40) {
        const auto* z = static_cast<const unsigned char*>(calloc(1, n));
        if (z == nullptr) { fail(sh, "calloc failed", n); continue; }
        for (std::size_t k = 0; k < n; k += (n > 4096 ? 997 : 1))
          if (z[k] != 0) { fail(sh, "calloc not zero", n); break; }
        s.p = const_cast<unsigned char*>(z);
        s.align = 0;
      } else if (op < 48) {
        const std::size_t align = std::size_t{1} << (4 + rng.below(14));  // 16 B .. 128 KiB
        void* q = nullptr;
        if (posix_memalign(&q, align, n) != 0) { fail(sh, "posix_memalign failed", n); continue; }
        if (reinterpret_cast<std::uintptr_t>(q) % align != 0) fail(sh, "misaligned", n);
        s.p = q;
        s.align = align;
      } else {
        s.p = malloc(n);
        if (s.p == nullptr) { fail(sh, "malloc failed", n); continue; }
        s.align = 0;
      }
    }
    s.n = n;
    s.tag = tag;
    if (malloc_usable_size(s.p) < n) fail(sh, "usable size below request", n);
    bento::test::fill(s.p, n, tag, 512);
    sh.ops.fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 60;
  unsigned threads = 8;
  std::uint64_t seed = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--smoke") seconds = 5;
    else if (a == "--seconds" && i + 1 < argc) seconds = std::atof(argv[++i]);
    else if (a == "--threads" && i + 1 < argc) threads = static_cast<unsigned>(std::atoi(argv[++i]));
    else if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else {
      std::fprintf(stderr, "usage: stress [--smoke] [--seconds N] [--threads N] [--seed N]\n");
      return 2;
    }
  }
  if (const char* scale = std::getenv("BENTO_STRESS_SCALE")) seconds *= std::atof(scale);

  Shared sh(8192);
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds);
  unsigned wave = 0;
  long thread_count = 0;
  while (std::chrono::steady_clock::now() < deadline && sh.failures.load() == 0) {
    std::vector<std::thread> ts;
    for (unsigned t = 0; t < threads; ++t) {
      ts.emplace_back(worker, std::ref(sh), seed * 1000003u + wave * 131u + t, 20000);
      ++thread_count;
    }
    for (auto& t : ts) t.join();
    ++wave;
  }
  bento::test::Rng rng(seed);
  for (Slot& s : sh.slots) release(sh, s, rng);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("stress: %ld operations by %ld threads in %u waves, %.1f s, %ld failures\n",
              sh.ops.load(), thread_count, wave, took, sh.failures.load());
  return sh.failures.load() == 0 ? 0 : 1;
}
