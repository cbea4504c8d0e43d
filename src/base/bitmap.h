// base/bitmap.h: a fixed-size bitmap with find-first-set, used for run regions and for
// the arena's "which free-run buckets are non-empty" index. Not thread-safe.
#pragma once
#include <bit>
#include <cstddef>
#include <cstdint>

namespace bento {

template <std::size_t kBits>
class Bitmap {
 public:
  static constexpr std::size_t kWords = (kBits + 63) / 64;
  static constexpr std::size_t kNone = ~std::size_t{0};

  void clear_all() noexcept {
    for (auto& w : words_) w = 0;
  }
  // Sets bits [0, n) and clears the rest.
  void set_first(std::size_t n) noexcept {
    for (std::size_t i = 0; i < kWords; ++i) {
      const std::size_t lo = i * 64;
      words_[i] = n >= lo + 64 ? ~std::uint64_t{0}
                  : n > lo     ? (std::uint64_t{1} << (n - lo)) - 1
                               : 0;
    }
  }
  bool test(std::size_t i) const noexcept { return (words_[i / 64] >> (i % 64)) & 1; }
  void set(std::size_t i) noexcept { words_[i / 64] |= std::uint64_t{1} << (i % 64); }
  void reset(std::size_t i) noexcept { words_[i / 64] &= ~(std::uint64_t{1} << (i % 64)); }

  std::uint64_t word(std::size_t w) const noexcept { return words_[w]; }
  void set_word(std::size_t w, std::uint64_t v) noexcept { words_[w] = v; }

  // Lowest set bit at or after `from`, or kNone.
  std::size_t find_from(std::size_t from) const noexcept {
    if (from >= kBits) return kNone;
    std::size_t w = from / 64;
    std::uint64_t bits = words_[w] & (~std::uint64_t{0} << (from % 64));
    while (true) {
      if (bits != 0) {
        const std::size_t i = w * 64 + static_cast<std::size_t>(std::countr_zero(bits));
        return i < kBits ? i : kNone;
      }
      if (++w == kWords) return kNone;
      bits = words_[w];
    }
  }
  std::size_t find_first() const noexcept { return find_from(0); }
  std::size_t count() const noexcept {
    std::size_t n = 0;
    for (auto w : words_) n += static_cast<std::size_t>(std::popcount(w));
    return n;
  }

 private:
  std::uint64_t words_[kWords];
};

}  // namespace bento
