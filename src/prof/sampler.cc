// prof/sampler.cc: the profiler's settings (sampler.h). Relaxed atomics, no lock.
#include "prof/sampler.h"

#include <atomic>

#include "prof/sample_math.h"

namespace bento {

namespace {
constinit std::atomic<bool> g_enabled{false};
constinit std::atomic<bool> g_active{false};
constinit std::atomic<unsigned> g_lg_sample{19};
}  // namespace

void prof_boot(bool enabled, bool active, unsigned lg_sample) noexcept {
  g_enabled.store(enabled, std::memory_order_relaxed);
  g_active.store(enabled && active, std::memory_order_relaxed);
  g_lg_sample.store(lg_sample, std::memory_order_relaxed);
}

bool prof_enabled() noexcept { return g_enabled.load(std::memory_order_relaxed); }
bool prof_active() noexcept { return g_active.load(std::memory_order_relaxed); }
void prof_set_active(bool on) noexcept { g_active.store(on && prof_enabled(), std::memory_order_relaxed); }
unsigned prof_lg_sample() noexcept { return g_lg_sample.load(std::memory_order_relaxed); }
void prof_set_lg_sample(unsigned lg) noexcept { g_lg_sample.store(lg, std::memory_order_relaxed); }
double prof_mean_interval() noexcept { return static_cast<double>(std::uint64_t{1} << prof_lg_sample()); }

void prof_seed_generator(std::uint64_t& rng, std::uint64_t seed) noexcept {
  rng = prof_seed(seed, reinterpret_cast<std::uintptr_t>(&rng));
}

std::int64_t prof_next_interval(std::uint64_t& rng) noexcept {
  return prof_draw_interval(rng, prof_mean_interval());
}

bool prof_due(std::int64_t& countdown, std::uint64_t& rng) noexcept {
  countdown = prof_draw_interval(rng, prof_mean_interval());
  return prof_active();
}

}  // namespace bento
