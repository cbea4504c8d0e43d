// test/support/rng.h: a small seeded generator so every test run is reproducible.
#pragma once
#include <cstdint>

namespace bento::test {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  std::uint64_t next() {
    s_ ^= s_ << 13;
    s_ ^= s_ >> 7;
    s_ ^= s_ << 17;
    return s_;
  }
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }
  // Sizes spread evenly over powers of two in [1, max].
  std::uint64_t log_size(std::uint64_t max) {
    unsigned bits = 0;
    while ((std::uint64_t{1} << bits) < max) ++bits;
    const std::uint64_t top = std::uint64_t{1} << below(bits + 1);
    const std::uint64_t s = 1 + below(top);
    return s > max ? max : s;
  }

 private:
  std::uint64_t s_;
};

}  // namespace bento::test
