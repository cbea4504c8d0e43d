// test/support/busy_threads.h: busy allocating threads, each pinned to an arena of its
// own (thread.arena, put back every 64 operations, so a move for any reason does not
// keep counting), for the tests that check what moves threads between arenas (fork,
// stats readers). Started on construction, ready when the constructor returns; stopped
// and joined by stop() or the destructor. Worker threads make no Boost assertions.
#pragma once
#include <stdlib.h>

#include <atomic>
#include <thread>
#include <vector>

#include "bento/bento.h"
#include "rng.h"

namespace bento::test {

class BusyThreads {
 public:
  // n threads on arenas 1..n, seeds seed..seed+n-1: 512 live objects each, 16 B-64 KiB.
  BusyThreads(unsigned n, unsigned seed) {
    for (unsigned t = 0; t < n; ++t) {
      threads_.emplace_back([this, t, seed] {
        unsigned mine = t + 1;
        bento_mallctl("thread.arena", nullptr, nullptr, &mine, sizeof(mine));
        Rng rng(seed + t);
        void* live[512] = {};
        ready_.fetch_add(1);
        for (unsigned i = 0; !stop_.load(std::memory_order_relaxed); ++i) {
          if (i % 64 == 0) bento_mallctl("thread.arena", nullptr, nullptr, &mine, sizeof(mine));
          const std::size_t k = rng.below(512);
          free(live[k]);
          live[k] = malloc(rng.log_size(65536));
        }
        for (void* p : live) free(p);
      });
    }
    while (ready_.load() < n) std::this_thread::yield();
  }
  ~BusyThreads() { stop(); }
  BusyThreads(const BusyThreads&) = delete;
  BusyThreads& operator=(const BusyThreads&) = delete;

  void stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<unsigned> ready_{0};
  std::vector<std::thread> threads_;
};

}  // namespace bento::test
