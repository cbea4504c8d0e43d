// Contention counters: near zero for one thread, rising when eight threads share one
// arena (this test runs with BENTO_CONF=narenas:1,tcache:false), and the jemalloc-layout
// mutex counters agree with bento's.
#define BOOST_TEST_MODULE contention
#include <boost/test/unit_test.hpp>

#include <stdint.h>
#include <stdlib.h>

#include "bento/bento.h"
#include "../support/threads.h"

namespace {
// Reads from the current snapshot; counter() refreshes it first.
template <class T = uint64_t>
T snapshot_value(const char* name) {
  T v = 0;
  size_t len = sizeof(v);
  BOOST_REQUIRE_MESSAGE(bento_mallctl(name, &v, &len, nullptr, 0) == 0, name);
  return v;
}
template <class T = uint64_t>
T counter(const char* name) {
  uint64_t e = 1;
  bento_mallctl("epoch", nullptr, nullptr, &e, sizeof(e));
  return snapshot_value<T>(name);
}
void churn(int n) {
  void* volatile keep;
  for (int i = 0; i < n; ++i) {
    keep = malloc(64 + static_cast<size_t>(i % 7) * 16);
    free(keep);
  }
}
}  // namespace

BOOST_AUTO_TEST_CASE(one_thread_sees_no_contention_eight_threads_do) {
  unsigned narenas = 0;
  size_t len = sizeof(narenas);
  bento_mallctl("arenas.narenas", &narenas, &len, nullptr, 0);
  BOOST_REQUIRE(narenas == 1u);

  const uint64_t ops0 = counter("stats.arenas.0.contention.lock_ops");
  const uint64_t fail0 = counter("stats.arenas.0.contention.trylock_failures");
  const uint64_t waits0 = counter("stats.arenas.0.contention.blocking_waits");
  churn(100000);
  const uint64_t ops1 = counter("stats.arenas.0.contention.lock_ops");
  BOOST_TEST(ops1 - ops0 >= 200000u);  // no cache: every malloc and free locks the arena
  BOOST_TEST(counter("stats.arenas.0.contention.trylock_failures") - fail0 <= 2u);
  BOOST_TEST(counter("stats.arenas.0.contention.blocking_waits") - waits0 <= 2u);

  bento::test::run_threads(8, [](unsigned) { churn(200000); });
  BOOST_TEST(counter("stats.arenas.0.contention.trylock_failures") - fail0 > 100u);
  BOOST_TEST(counter("stats.arenas.0.contention.blocking_waits") - waits0 > 100u);
  BOOST_TEST(counter("stats.arenas.0.contention.wait_ns") > 0u);
  BOOST_TEST(counter<uint32_t>("stats.arenas.0.contention.max_waiters") >= 1u);
  // One snapshot (the refresh itself takes the lock once more each time).
  const uint64_t ops = counter("stats.arenas.0.contention.lock_ops");
  BOOST_TEST(snapshot_value("stats.arenas.0.mutexes.arena.num_ops") == ops);
  BOOST_TEST(snapshot_value("stats.arenas.4096.contention.lock_ops") == ops);
}
