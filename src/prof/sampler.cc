// prof/sampler.cc: the profiler's settings (sampler.h). Relaxed atomics, no lock.
#include "prof/sampler.h"

#include <atomic>

#include "prof/sample_math.h"

namespace bento {

namespace {
constinit std::atomic<bool> g_enabled{false};
constinit std::atomic<bool> g_active{false};
constinit std::atomic<unsigned> g_lg_sample{19};
constinit std::atomic<std::uint64_t> g_guard_every{0};
constinit std::atomic<std::uint32_t> g_generation{0};

// The merged process's mean interval (0: no events, nothing samples this bin) and the
// share of its events that are guards. An inactive profiler has no events of its own.
struct Merged {
  double mean, guard_share;
};
Merged merged(std::size_t guardable) noexcept {
  const double profile_rate = prof_active() ? 1.0 / prof_mean_interval() : 0.0;
  const std::uint64_t n = g_guard_every.load(std::memory_order_relaxed);
  const double guard_rate = guardable != 0 && n != 0 ? 1.0 / (static_cast<double>(n) * static_cast<double>(guardable)) : 0.0;
  const double rate = profile_rate + guard_rate;
  if (rate == 0) return {0, 0};
  return {1.0 / rate, guard_rate / rate};
}
}  // namespace

void prof_boot(bool enabled, bool active, unsigned lg_sample) noexcept {
  g_enabled.store(enabled, std::memory_order_relaxed);
  g_active.store(enabled && active, std::memory_order_relaxed);
  g_lg_sample.store(lg_sample, std::memory_order_relaxed);
}

bool prof_enabled() noexcept { return g_enabled.load(std::memory_order_relaxed); }
bool prof_active() noexcept { return g_active.load(std::memory_order_relaxed); }
void prof_set_active(bool on) noexcept {
  g_active.store(on && prof_enabled(), std::memory_order_relaxed);
  g_generation.fetch_add(1, std::memory_order_relaxed);
}
unsigned prof_lg_sample() noexcept { return g_lg_sample.load(std::memory_order_relaxed); }
void prof_set_lg_sample(unsigned lg) noexcept {
  g_lg_sample.store(lg, std::memory_order_relaxed);
  g_generation.fetch_add(1, std::memory_order_relaxed);
}
std::uint32_t sample_settings_generation() noexcept { return g_generation.load(std::memory_order_relaxed); }
double prof_mean_interval() noexcept { return static_cast<double>(std::uint64_t{1} << prof_lg_sample()); }

void prof_seed_generator(std::uint64_t& rng, std::uint64_t seed) noexcept {
  rng = prof_seed(seed, reinterpret_cast<std::uintptr_t>(&rng));
}

void guard_set_rate(std::uint64_t every) noexcept {
  g_guard_every.store(every, std::memory_order_relaxed);
  g_generation.fetch_add(1, std::memory_order_relaxed);
}
std::uint64_t guard_rate() noexcept { return g_guard_every.load(std::memory_order_relaxed); }

namespace {
// No countdown is drawn longer than this. A slower process (fewer than one event a MiB:
// lg_sample above 20) is drawn at this rate and each crossing is one of its events with
// the probability that keeps its rate (thinning a Poisson process gives a Poisson
// process); the others only redraw. A crossing is where a thread sees that another
// changed a setting (sample_settings_generation), so a new rate takes effect within about
// a MiB of a bin's requests, not after an interval drawn at the old one (2^40 bytes, say).
// The default (512 KiB) is drawn as it is: its fast path crosses no more often. Where
// nothing samples (the profiler inactive, no guards for the bin) the countdown is exactly
// a MiB: a look at the settings, and no random count of crossings in the fast path's
// instruction budget.
constexpr double kMaxDrawn = 1 << 20;

std::int64_t draw(std::uint64_t& rng, const Merged& m, std::size_t guardable) noexcept {
  if (guardable != 0 && m.guard_share != 0 && guard_rate() == 1) return 0;  // every allocation crosses
  if (m.mean == 0) return static_cast<std::int64_t>(kMaxDrawn);
  return prof_draw_interval(rng, m.mean < kMaxDrawn ? m.mean : kMaxDrawn);
}
}  // namespace

std::int64_t sample_next_interval(std::uint64_t& rng, std::size_t guardable) noexcept {
  return draw(rng, merged(guardable), guardable);
}

namespace {
double uniform(std::uint64_t& rng) noexcept {  // [0, 1)
  return static_cast<double>(prof_random(rng) >> 11) * (1.0 / 9007199254740992.0);
}
}  // namespace

SampleKind sample_due(std::int64_t& countdown, std::uint64_t& rng, std::size_t guardable, std::size_t size) noexcept {
  const Merged m = merged(guardable);
  countdown = draw(rng, m, guardable);
  if (m.mean == 0) return SampleKind::kNone;                                                // nothing samples
  if (m.mean > kMaxDrawn && uniform(rng) * m.mean >= kMaxDrawn) return SampleKind::kNone;  // thinned out
  if (m.guard_share != 0) {
    if (guard_rate() == 1) return SampleKind::kGuard;
    if (uniform(rng) < m.guard_share) {
      const bool taken = size <= guardable || uniform(rng) * static_cast<double>(size) < static_cast<double>(guardable);
      return taken ? SampleKind::kGuard : SampleKind::kNone;
    }
  }
  return prof_active() ? SampleKind::kProfile : SampleKind::kNone;
}

std::int64_t guard_next_count(std::uint64_t& rng) noexcept {
  return prof_draw_interval(rng, static_cast<double>(guard_rate()));
}

}  // namespace bento
