// arena/background.cc: the background purge switch and counters; atomics only.
#include "arena/background.h"

#include <atomic>

namespace bento {

namespace {
constinit std::atomic<BackgroundStarter> g_starter{nullptr};
constinit std::atomic<bool> g_running{false};
constinit std::atomic<bool> g_purging{true};
constinit std::atomic<std::uint64_t> g_runs{0};
constinit std::atomic<std::uint64_t> g_first_run_ns{0};
constinit std::atomic<std::uint64_t> g_last_run_ns{0};
}  // namespace

void background_register(BackgroundStarter start) noexcept { g_starter.store(start, std::memory_order_release); }

bool background_set(bool on) noexcept {
  if (!on) {
    g_purging.store(false, std::memory_order_relaxed);
    return true;
  }
  g_purging.store(true, std::memory_order_relaxed);
  if (g_running.load(std::memory_order_acquire)) return true;
  const BackgroundStarter start = g_starter.load(std::memory_order_acquire);
  return start != nullptr && start();
}

bool background_purging() noexcept { return g_purging.load(std::memory_order_relaxed); }
void background_set_running(bool running) noexcept { g_running.store(running, std::memory_order_release); }

void background_count_run(std::uint64_t now_ns) noexcept {
  if (g_runs.fetch_add(1, std::memory_order_relaxed) == 0) g_first_run_ns.store(now_ns, std::memory_order_relaxed);
  g_last_run_ns.store(now_ns, std::memory_order_relaxed);
}

BackgroundStats background_stats() noexcept {
  BackgroundStats s;
  s.running = g_running.load(std::memory_order_acquire);
  s.purging = s.running && g_purging.load(std::memory_order_relaxed);
  s.runs = g_runs.load(std::memory_order_relaxed);
  const std::uint64_t first = g_first_run_ns.load(std::memory_order_relaxed);
  const std::uint64_t last = g_last_run_ns.load(std::memory_order_relaxed);
  s.interval_ns = s.runs > 1 && last > first ? (last - first) / (s.runs - 1) : 0;
  return s;
}

}  // namespace bento
