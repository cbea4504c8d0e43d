// prof/sampler.h: whether the heap profiler samples, and how often (opt.prof,
// prof.active, prof.lg_sample). Each thread counts requested bytes down to its next
// sample: per cache bin (tcache/cache_bin.h, where the malloc fast path subtracts) and
// on the thread for what no bin serves. A crossing sends that one call to the slow path,
// which asks prof_due whether to sample and draws the next interval. Where nothing
// samples (the profiler inactive, no guards) a countdown is a fixed MiB, and every change
// of a setting bumps a generation that a thread compares at each crossing and refill: a
// change takes effect in every thread within about a MiB of a bin's requests, with no
// cross-thread write. The settings are atomics: read racily by design, written by mallctl.
//
// The same countdowns serve the guarded sampling (guard_sample:N, guard/guard_pool.h),
// one allocation in N of the sizes it can hold. For a bin of such objects the countdown
// runs to the next event of either kind: two Poisson processes over the bin's bytes, one
// of rate 1/P (P = 2^lg_sample), one of rate 1/(N x m), m the smallest request the class
// serves, merge into one whose events are each a guard candidate with probability
// P/(P + N x m). A candidate of `size` bytes is guarded with probability m/size, which
// makes it one allocation in N whatever the sizes. So the fast path is the same subtract
// and branch, and the heap profile's samples and weights are unchanged.
#pragma once
#include <cstddef>
#include <cstdint>

namespace bento {

// Start-up, from the options (opt.prof, opt.prof_active, opt.lg_prof_sample).
void prof_boot(bool enabled, bool active, unsigned lg_sample) noexcept;

// Bumped at every change of a setting (prof.active, prof.reset with a value, guard.sample):
// a thread whose countdowns were drawn under another generation draws them again at its
// next slow path, not only after an interval at the old rate (which can be gigabytes).
std::uint32_t sample_settings_generation() noexcept;

bool prof_enabled() noexcept;  // opt.prof: the machinery is there (prof.* answers)
bool prof_active() noexcept;   // prof.active
void prof_set_active(bool on) noexcept;
unsigned prof_lg_sample() noexcept;
void prof_set_lg_sample(unsigned lg) noexcept;  // prof.reset with a value
double prof_mean_interval() noexcept;  // 2^lg_sample bytes

// Seeds a new thread's generator from its identity; then each countdown (one per cache
// bin, one for the thread) is an independent draw.
void prof_seed_generator(std::uint64_t& rng, std::uint64_t seed) noexcept;

// guard_sample (start-up) and guard.sample: one allocation in `every` guarded; 0 off.
inline constexpr std::uint64_t kMaxGuardRate = std::uint64_t{1} << 40;
void guard_set_rate(std::uint64_t every) noexcept;
std::uint64_t guard_rate() noexcept;

// What a crossing of the countdown is for.
enum class SampleKind : std::uint8_t { kNone, kProfile, kGuard };

// A countdown for a bin whose smallest request is `guardable` bytes (0: objects the
// guard pool cannot hold, or sizes no bin serves): to the next heap-profile sample or
// guard candidate.
std::int64_t sample_next_interval(std::uint64_t& rng, std::size_t guardable) noexcept;
// A countdown crossed zero at an allocation of `size` bytes: redraws it, and says what
// this allocation is for.
SampleKind sample_due(std::int64_t& countdown, std::uint64_t& rng, std::size_t guardable, std::size_t size) noexcept;
// Allocations to the next guard where no bin counts (threads without a cache): mean
// guard_rate().
std::int64_t guard_next_count(std::uint64_t& rng) noexcept;

inline constexpr unsigned kMaxLgSample = 40;

}  // namespace bento
