// prof/sampler.h: whether the heap profiler samples, and how often (opt.prof,
// prof.active, prof.lg_sample). Each thread counts requested bytes down to its next
// sample: per cache bin (tcache/cache_bin.h, where the malloc fast path subtracts) and
// on the thread for what no bin serves. A crossing sends that one call to the slow path,
// which asks prof_due whether to sample and draws the next interval. An inactive
// profiler keeps drawing, so prof.active takes effect in every thread within one
// interval, with no cross-thread write. The settings are atomics: read racily by
// design, written by mallctl.
#pragma once
#include <cstddef>
#include <cstdint>

namespace bento {

// Start-up, from the options (opt.prof, opt.prof_active, opt.lg_prof_sample).
void prof_boot(bool enabled, bool active, unsigned lg_sample) noexcept;

bool prof_enabled() noexcept;  // opt.prof: the machinery is there (prof.* answers)
bool prof_active() noexcept;   // prof.active
void prof_set_active(bool on) noexcept;
unsigned prof_lg_sample() noexcept;
void prof_set_lg_sample(unsigned lg) noexcept;  // prof.reset with a value
double prof_mean_interval() noexcept;  // 2^lg_sample bytes

// Seeds a new thread's generator from its identity; then each countdown (one per cache
// bin, one for the thread) is an independent draw.
void prof_seed_generator(std::uint64_t& rng, std::uint64_t seed) noexcept;
std::int64_t prof_next_interval(std::uint64_t& rng) noexcept;
// A countdown crossed zero: redraws it, and says whether this allocation is sampled.
bool prof_due(std::int64_t& countdown, std::uint64_t& rng) noexcept;

inline constexpr unsigned kMaxLgSample = 40;

}  // namespace bento
