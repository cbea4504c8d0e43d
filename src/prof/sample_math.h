// prof/sample_math.h: the arithmetic of byte sampling, without libm (libbento.so links
// only libc): a per-thread xorshift generator, the exponential draw of the bytes to the
// next sample, and the weight that makes a sample unbiased. Accurate to ~1e-9 relative,
// far below the sampling noise. No state; callers own the generator word.
#pragma once
#include <bit>
#include <cstdint>

namespace bento {

// xorshift64*: the generator word must not be 0 (seed with prof_seed).
inline std::uint64_t prof_random(std::uint64_t& state) noexcept {
  std::uint64_t x = state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  state = x;
  return x * 0x2545F4914F6CDD1Dull;
}

inline std::uint64_t prof_seed(std::uint64_t a, std::uint64_t b) noexcept {
  std::uint64_t s = (a + 0x9E3779B97F4A7C15ull) * 0xBF58476D1CE4E5B9ull ^ (b * 0x94D049BB133111EBull);
  return s != 0 ? s : 1;
}

// ln(x) for x > 0: x = m 2^e with m in [sqrt(1/2), sqrt(2)), ln m by the atanh series.
inline double prof_ln(double x) noexcept {
  std::uint64_t bits = std::bit_cast<std::uint64_t>(x);
  int e = static_cast<int>((bits >> 52) & 0x7FF) - 1023;
  bits = (bits & ((std::uint64_t{1} << 52) - 1)) | (std::uint64_t{1023} << 52);
  double m = std::bit_cast<double>(bits);  // [1, 2)
  if (m > 1.4142135623730951) {
    m *= 0.5;
    ++e;
  }
  const double s = (m - 1) / (m + 1), s2 = s * s;
  const double series = s * (2 + s2 * (2.0 / 3 + s2 * (2.0 / 5 + s2 * (2.0 / 7 + s2 * (2.0 / 9 + s2 * (2.0 / 11))))));
  return e * 0.6931471805599453 + series;
}

// exp(-x) for x >= 0: 2^-k exp(-r), r in [0, ln 2).
inline double prof_exp_neg(double x) noexcept {
  if (x > 700) return 0;
  const int k = static_cast<int>(x * 1.4426950408889634);
  const double r = x - k * 0.6931471805599453;
  double term = 1, sum = 1;
  for (int i = 1; i < 16; ++i) {
    term *= -r / i;
    sum += term;
  }
  return sum * std::bit_cast<double>(static_cast<std::uint64_t>(1023 - k) << 52);
}

// Bytes to the next sample: an exponential variable of the given mean (a Poisson
// process over allocated bytes). A mean of 1 byte (lg_prof_sample:0) means every
// allocation, as in jemalloc: the interval is then 0.
inline std::int64_t prof_draw_interval(std::uint64_t& rng, double mean) noexcept {
  if (mean <= 1) return 0;
  const double u = (static_cast<double>(prof_random(rng) >> 11) + 1) * (1.0 / 9007199254740992.0);  // (0, 1]
  const double v = -prof_ln(u) * mean;
  return v > 9.0e18 ? static_cast<std::int64_t>(9.0e18) : static_cast<std::int64_t>(v);
}

// How many objects of `bytes` one sample stands for at mean interval `mean`: a sample
// is taken with probability 1 - exp(-bytes/mean), so each is weighted by its inverse.
inline double prof_sample_weight(double bytes, double mean) noexcept {
  const double x = bytes / mean;
  // 1 - exp(-x) loses digits for tiny x: the series there.
  const double p = x < 1e-4 ? x * (1 - x * (0.5 - x / 6)) : 1 - prof_exp_neg(x);
  return 1 / p;
}

}  // namespace bento
