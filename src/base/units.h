// base/units.h: byte units and power-of-two arithmetic, all constexpr.
#pragma once
#include <bit>
#include <cstddef>
#include <cstdint>

namespace bento {

inline constexpr std::size_t kKiB = std::size_t{1} << 10;
inline constexpr std::size_t kMiB = std::size_t{1} << 20;
inline constexpr std::size_t kGiB = std::size_t{1} << 30;

constexpr bool is_pow2(std::size_t x) noexcept { return std::has_single_bit(x); }

// Rounds up to a multiple of `align`, which must be a power of two. May wrap to 0 for
// sizes within `align` of SIZE_MAX: callers check for that.
constexpr std::size_t align_up(std::size_t x, std::size_t align) noexcept {
  return (x + align - 1) & ~(align - 1);
}
constexpr std::size_t align_down(std::size_t x, std::size_t align) noexcept {
  return x & ~(align - 1);
}
constexpr unsigned lg_floor(std::size_t x) noexcept {  // x > 0
  return static_cast<unsigned>(std::bit_width(x) - 1);
}
constexpr unsigned lg_ceil(std::size_t x) noexcept {  // x > 0
  return x <= 1 ? 0u : static_cast<unsigned>(std::bit_width(x - 1));
}

inline std::uintptr_t to_addr(const void* p) noexcept {
  return reinterpret_cast<std::uintptr_t>(p);
}
template <class T = void>
inline T* to_ptr(std::uintptr_t a) noexcept {
  return reinterpret_cast<T*>(a);
}

}  // namespace bento
