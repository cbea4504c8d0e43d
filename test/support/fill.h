// test/support/fill.h: fill objects with a pattern derived from their address and a tag,
// and check it later, so any overlap or corruption between objects is caught.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace bento::test {

inline std::uint8_t pattern_byte(std::uintptr_t tag, std::size_t i) {
  return static_cast<std::uint8_t>((tag * 131u) ^ (i * 7u) ^ (i >> 8));
}

// Fills at most `limit` bytes at the start and end of the object (whole object if small).
inline void fill(void* p, std::size_t n, std::uintptr_t tag, std::size_t limit = 4096) {
  auto* b = static_cast<std::uint8_t*>(p);
  if (n <= 2 * limit) {
    for (std::size_t i = 0; i < n; ++i) b[i] = pattern_byte(tag, i);
    return;
  }
  for (std::size_t i = 0; i < limit; ++i) b[i] = pattern_byte(tag, i);
  for (std::size_t i = n - limit; i < n; ++i) b[i] = pattern_byte(tag, i);
}

inline bool check(const void* p, std::size_t n, std::uintptr_t tag, std::size_t limit = 4096) {
  const auto* b = static_cast<const std::uint8_t*>(p);
  if (n <= 2 * limit) {
    for (std::size_t i = 0; i < n; ++i)
      if (b[i] != pattern_byte(tag, i)) return false;
    return true;
  }
  for (std::size_t i = 0; i < limit; ++i)
    if (b[i] != pattern_byte(tag, i)) return false;
  for (std::size_t i = n - limit; i < n; ++i)
    if (b[i] != pattern_byte(tag, i)) return false;
  return true;
}

}  // namespace bento::test
