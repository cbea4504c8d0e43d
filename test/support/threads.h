// test/support/threads.h: run a function on N threads and count failures. Boost.Test's
// assertions are not thread-safe, so workers only count; the main thread asserts.
#pragma once
#include <atomic>
#include <functional>
#include <thread>
#include <vector>

namespace bento::test {

struct Failures {
  std::atomic<long> count{0};
  void add(long n = 1) { count.fetch_add(n, std::memory_order_relaxed); }
  long get() const { return count.load(); }
};

inline void run_threads(unsigned n, const std::function<void(unsigned)>& body) {
  std::vector<std::thread> ts;
  ts.reserve(n);
  for (unsigned i = 0; i < n; ++i) ts.emplace_back(body, i);
  for (auto& t : ts) t.join();
}

}  // namespace bento::test
