// sizeclass/size_classes.h: bento's geometry and size classes, all generated at compile
// time and pinned with static_asserts.
//
//   quantum 16 B; 4 classes per doubling above 64 B, and one more at 9/8 of 1, 2, 4
//   and 8 KiB (1152, 2304, 4608, 9216 B).
//   small  16 B .. 14 KiB   39 classes, regions of runs (a run is the fewest pages the
//                           region size divides: at most 9 pages, at most 256 regions)
//   large  16 KiB .. 512 KiB   21 classes, one page run each inside a chunk
//   huge   beyond           page-rounded, a chunk-aligned mapping of its own
//
// The 9/8 classes catch a power of two plus a header (a 1 KiB page and its cache entry:
// sqlite3 asks 1,032 bytes 134,522 times in bench/run's script), which the next class of
// four would round up by a quarter: 1280 -> 1152 bytes. Each divides 9 pages exactly.
//
// Large stops at a quarter of a chunk: objects between 512 KiB and a chunk strand the
// rest of their chunk (measured: a random mix up to 1 MiB held 2x the memory with large
// runs up to 1792 KiB); as huge objects they get their own mapping, and freed ones are
// reused from the huge cache without page faults.
//
// size -> class: one byte-table load for sizes up to kLookupMaxBytes (32 KiB, the
// thread-cache limit), arithmetic above.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

#include "base/units.h"
#include "platform/os.h"

namespace bento {

inline constexpr std::size_t kQuantum = 16;
inline constexpr std::size_t kPageSize = os::kPageSize;
inline constexpr unsigned kLgPage = os::kLgPage;
inline constexpr unsigned kLgChunk = 21;
inline constexpr std::size_t kChunkSize = std::size_t{1} << kLgChunk;  // 2 MiB
inline constexpr std::size_t kChunkMask = kChunkSize - 1;
inline constexpr std::size_t kChunkPages = kChunkSize / kPageSize;  // 512

inline constexpr std::size_t kSmallMaxBytes = 14 * kKiB;
inline constexpr std::size_t kLargeMaxBytes = 512 * kKiB;
inline constexpr std::size_t kLookupMaxBytes = 32 * kKiB;
inline constexpr std::size_t kMaxRegionsPerRun = 256;

struct SizeClassInfo {
  std::uint32_t bytes;      // usable size of every object of the class
  std::uint16_t run_pages;  // small: pages per run; large: pages of the object
  std::uint16_t nregs;      // small: regions per run; large: 1
  std::uint32_t reg_inv;    // small: ceil(2^32 / bytes), for division-free region index
  std::uint16_t align_mask; // every object of the class starts at a multiple of mask+1
};

namespace detail_sc {

// The 9/8 class above `base` (a power of two), if there is one.
constexpr bool has_eighth_class(std::size_t base) noexcept {
  return base >= 1024 && base + base / 8 <= kSmallMaxBytes;
}
constexpr std::size_t count_eighth_classes() {
  std::size_t n = 0;
  for (std::size_t base = 64; base < kLargeMaxBytes; base *= 2) n += has_eighth_class(base) ? 1 : 0;
  return n;
}
inline constexpr std::size_t kEighthClasses = count_eighth_classes();  // 1152, 2304, 4608, 9216

// Calls emit(bytes) for every class, smallest first.
template <class Emit>
constexpr void for_each_class_size(Emit emit) {
  for (std::size_t s = 16; s <= 64; s += 16) emit(s);
  for (std::size_t base = 64; base < kLargeMaxBytes; base *= 2) {
    if (has_eighth_class(base)) emit(base + base / 8);
    for (std::size_t k = 1; k <= 4; ++k) emit(base + k * (base / 4));
  }
}

constexpr std::size_t count_classes() {
  std::size_t n = 0;
  for_each_class_size([&n](std::size_t) { ++n; });
  return n;
}

constexpr SizeClassInfo make_info(std::size_t bytes) {
  SizeClassInfo c{};
  c.bytes = static_cast<std::uint32_t>(bytes);
  const std::size_t low_bit = bytes & (~bytes + 1);
  if (bytes <= kSmallMaxBytes) {
    std::size_t pages = 1;
    while ((pages * kPageSize) % bytes != 0) ++pages;
    c.run_pages = static_cast<std::uint16_t>(pages);
    c.nregs = static_cast<std::uint16_t>(pages * kPageSize / bytes);
    c.reg_inv = static_cast<std::uint32_t>(((std::uint64_t{1} << 32) + bytes - 1) / bytes);
    c.align_mask = static_cast<std::uint16_t>((low_bit < kPageSize ? low_bit : kPageSize) - 1);
  } else {
    c.run_pages = static_cast<std::uint16_t>(bytes / kPageSize);
    c.nregs = 1;
    c.reg_inv = 0;
    c.align_mask = static_cast<std::uint16_t>(kPageSize - 1);
  }
  return c;
}

}  // namespace detail_sc

inline constexpr std::size_t kNumClasses = detail_sc::count_classes();

inline constexpr std::array<SizeClassInfo, kNumClasses> kClasses = [] {
  std::array<SizeClassInfo, kNumClasses> t{};
  std::size_t n = 0;
  detail_sc::for_each_class_size([&](std::size_t bytes) { t[n++] = detail_sc::make_info(bytes); });
  return t;
}();

inline constexpr std::size_t kNumSmallClasses = [] {
  std::size_t n = 0;
  while (n < kNumClasses && kClasses[n].bytes <= kSmallMaxBytes) ++n;
  return n;
}();
inline constexpr std::size_t kNumLargeClasses = kNumClasses - kNumSmallClasses;
inline constexpr std::size_t kNumLookupClasses = [] {
  std::size_t n = 0;
  while (n < kNumClasses && kClasses[n].bytes <= kLookupMaxBytes) ++n;
  return n;
}();

// The smallest class that holds `size` (<= kLargeMaxBytes), by a walk of the table: the
// definition, for building the lookup table and for tests.
constexpr unsigned size_to_class_search(std::size_t size) noexcept {
  unsigned c = 0;
  while (kClasses[c].bytes < size) ++c;
  return c;
}

inline constexpr std::array<std::uint8_t, (kLookupMaxBytes >> 4) + 1> kSizeLookup = [] {
  std::array<std::uint8_t, (kLookupMaxBytes >> 4) + 1> t{};
  for (std::size_t i = 0; i < t.size(); ++i) {
    t[i] = static_cast<std::uint8_t>(size_to_class_search(i << 4));
  }
  return t;
}();

// The class of a size in [0, kLargeMaxBytes]: the table up to kLookupMaxBytes, arithmetic
// above it (four classes per doubling, after every 9/8 class).
constexpr unsigned size_to_class_compute(std::size_t size) noexcept {
  if (size <= kLookupMaxBytes) return kSizeLookup[(size + 15) >> 4];
  const unsigned lg = lg_floor(size - 1);
  const std::size_t base = std::size_t{1} << lg;
  const std::size_t step = base >> 2;
  const std::size_t k = (size - base + step - 1) / step;  // 1..4
  return static_cast<unsigned>(4u + detail_sc::kEighthClasses + (lg - 6u) * 4u + (k - 1));
}

// The fast lookup: size <= kLookupMaxBytes.
inline unsigned size_to_class_lookup(std::size_t size) noexcept {
  return kSizeLookup[(size + 15) >> 4];
}
// Any size in [0, kLargeMaxBytes].
inline unsigned size_to_class(std::size_t size) noexcept {
  return size <= kLookupMaxBytes ? size_to_class_lookup(size) : size_to_class_compute(size);
}
inline constexpr std::size_t class_bytes(unsigned cls) noexcept { return kClasses[cls].bytes; }
inline constexpr bool is_small_class(unsigned cls) noexcept { return cls < kNumSmallClasses; }

// Usable size bento gives a request of `size` bytes (huge: page-rounded). 0 if the
// request is impossible.
constexpr std::size_t usable_size_for(std::size_t size) noexcept {
  if (size <= kLargeMaxBytes) return kClasses[size_to_class_compute(size)].bytes;
  const std::size_t r = align_up(size, kPageSize);
  return r < size ? 0 : r;
}

// ---- layout facts ----
static_assert(kNumClasses == 60);
static_assert(kNumSmallClasses == 39);
static_assert(kNumLargeClasses == 21);
static_assert(kNumLookupClasses == 44);
static_assert(detail_sc::kEighthClasses == 4 && kSmallMaxBytes <= kLookupMaxBytes,
              "size_to_class_compute's arithmetic above the table counts every 9/8 class");
static_assert(kClasses[0].bytes == kQuantum);
static_assert(kClasses[kNumSmallClasses - 1].bytes == kSmallMaxBytes);
static_assert(kClasses[kNumClasses - 1].bytes == kLargeMaxBytes);
static_assert(kClasses[kNumLookupClasses - 1].bytes == kLookupMaxBytes);
static_assert(kNumClasses < 255, "a class index fits a byte, 255 means 'none'");
static_assert([] {
  for (std::size_t i = 0; i < kNumClasses; ++i) {
    if (kClasses[i].bytes % kQuantum != 0) return false;
    if (i > 0 && kClasses[i].bytes <= kClasses[i - 1].bytes) return false;
    if (size_to_class_compute(kClasses[i].bytes) != i) return false;
    if (size_to_class_compute(kClasses[i].bytes - 1) != (kClasses[i].bytes - 1 <= (i ? kClasses[i - 1].bytes : 0) ? i - 1 : i)) return false;
    if (i < kNumSmallClasses) {
      if (kClasses[i].run_pages > 9 || kClasses[i].nregs > kMaxRegionsPerRun) return false;
      if (kClasses[i].run_pages * kPageSize != std::size_t{kClasses[i].nregs} * kClasses[i].bytes) return false;
    } else if (kClasses[i].bytes % kPageSize != 0) {
      return false;
    }
  }
  return true;
}(), "size classes are monotonic, quantum multiples, and runs divide exactly");

}  // namespace bento
