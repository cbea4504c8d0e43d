// fork while other threads allocate: every child can allocate at once and exits
// cleanly, many times over, within a bounded time.
#define BOOST_TEST_MODULE fork
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "../support/busy_threads.h"
#include "../support/rng.h"
#include "bento/bento.h"

namespace {
// Waits for pid for at most `seconds`; kills it (and counts a hang) on timeout.
bool wait_bounded(pid_t pid, int seconds, int* status) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    const pid_t r = waitpid(pid, status, WNOHANG);
    if (r == pid) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  kill(pid, SIGKILL);
  waitpid(pid, status, 0);
  return false;
}

std::uint64_t favourite_switches() {
  std::uint64_t e = 1, v = 0;
  std::size_t len = sizeof(v);
  bento_mallctl("epoch", nullptr, nullptr, &e, sizeof(e));
  bento_mallctl("stats.arenas.4096.contention.favourite_switches", &v, &len, nullptr, 0);
  return v;
}

void child_work() {
  bento::test::Rng rng(static_cast<std::uint64_t>(getpid()));
  void* live[256] = {};
  for (int i = 0; i < 3000; ++i) {
    const std::size_t k = rng.below(256);
    free(live[k]);
    live[k] = malloc(rng.log_size(rng.below(10) == 0 ? 300000 : 3000));
    if (live[k] == nullptr) _exit(3);
  }
  for (void* p : live) free(p);
  std::thread t([] { free(malloc(100)); });  // threads work in the child too
  t.join();
}
}  // namespace

BOOST_AUTO_TEST_CASE(children_of_a_busy_parent_allocate_and_exit_cleanly) {
  std::atomic<bool> stop{false};
  std::vector<std::thread> busy;
  for (unsigned t = 0; t < 4; ++t) {
    busy.emplace_back([&stop, t] {
      bento::test::Rng rng(t + 1);
      void* live[512] = {};
      while (!stop.load(std::memory_order_relaxed)) {
        const std::size_t k = rng.below(512);
        free(live[k]);
        live[k] = malloc(rng.log_size(rng.below(20) == 0 ? 2000000 : 5000));
      }
      for (void* p : live) free(p);
    });
  }
  const char* count = std::getenv("BENTO_FORKS");  // 1000 in the main run (meson.build)
  const int kForks = count != nullptr ? std::atoi(count) : 300;
  int clean = 0, hung = 0, failed = 0;
  for (int i = 0; i < kForks; ++i) {
    const pid_t pid = fork();
    if (pid == 0) {
      child_work();
      _exit(0);
    }
    int status = 0;
    if (!wait_bounded(pid, 20, &status)) {
      ++hung;
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      ++clean;
    } else {
      ++failed;
    }
  }
  stop = true;
  for (auto& t : busy) t.join();
  BOOST_TEST(hung == 0);
  BOOST_TEST(failed == 0);
  BOOST_TEST(clean == kForks);
}

// fork holds every arena lock while it copies the process; a busy thread that finds its
// favourite locked then must wait for it, not move on to the next arena (each fork would
// move every busy thread one arena on, round all of them, leaving dirty pages in each).
BOOST_AUTO_TEST_CASE(fork_does_not_move_busy_threads_to_other_arenas) {
  unsigned narenas = 0;
  std::size_t len = sizeof(narenas);
  bento_mallctl("arenas.narenas", &narenas, &len, nullptr, 0);
  constexpr unsigned kBusy = 4;
  if (narenas < kBusy + 1) {
    BOOST_TEST_MESSAGE("fewer than 5 arenas: the busy threads would share them; skipped");
    return;
  }
  unsigned zero = 0;
  BOOST_REQUIRE(bento_mallctl("thread.arena", nullptr, nullptr, &zero, sizeof(zero)) == 0);
  bento::test::BusyThreads busy(kBusy, 7);  // one arena each (test/support/busy_threads.h)
  const std::uint64_t before = favourite_switches();
  constexpr int kForks = 200;
  for (int i = 0; i < kForks; ++i) {
    const pid_t pid = fork();
    if (pid == 0) _exit(0);
    int status = 0;
    BOOST_REQUIRE(wait_bounded(pid, 20, &status));
  }
  const std::uint64_t moved = favourite_switches() - before;
  busy.stop();
  // Without the fork guard: about one move per busy thread and fork (hundreds).
  BOOST_TEST(moved <= static_cast<std::uint64_t>(kForks / 20));
}
