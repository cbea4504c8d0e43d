// bench/workloads/common.h: what every workload shares: a seeded generator, a clock, a
// barrier to start threads together, the result line the runner parses, and the
// volatile sink that keeps compilers from optimising allocations away.
//   result line:  bench name=<workload> key=value ...
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace bench {

inline void* volatile g_sink;
inline void sink(void* p) { g_sink = p; }

struct Rng {
  std::uint64_t s;
  explicit Rng(std::uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 7) {}
  std::uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  std::uint64_t below(std::uint64_t n) { return next() % n; }
};

inline double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Runs body(i) on n threads that start together; returns the wall time.
template <class F>
double run_threads(unsigned n, F body) {
  std::atomic<unsigned> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> ts;
  for (unsigned i = 0; i < n; ++i) {
    ts.emplace_back([&, i] {
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      body(i);
    });
  }
  while (ready.load() != n) std::this_thread::yield();
  const double t0 = now();
  go.store(true, std::memory_order_release);
  for (auto& t : ts) t.join();
  return now() - t0;
}

inline unsigned arg_threads(int argc, char** argv, unsigned def = 1) {
  return argc > 1 ? static_cast<unsigned>(std::atoi(argv[1])) : def;
}
inline double arg_scale(int argc, char** argv) { return argc > 2 ? std::atof(argv[2]) : 1.0; }

inline long rss_kib() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  long size = 0, res = 0;
  if (f != nullptr) {
    if (std::fscanf(f, "%ld %ld", &size, &res) != 2) res = 0;
    std::fclose(f);
  }
  return res * 4;
}

}  // namespace bench
