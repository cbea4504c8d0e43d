// run/run.h: regions of a small run. A small run is `run_pages` pages split into `nregs`
// equal regions of one size class; its RunMeta (in the chunk header) holds the bitmap of
// free regions. Region index from an address is a multiply by a precomputed inverse,
// never a division. The caller holds the owning arena's lock.
#pragma once
#include <cstddef>
#include <cstdint>

#include "chunk/chunk.h"

namespace bento {

enum class RegionFree : std::uint8_t { kOk, kNotRegionStart, kAlreadyFree };

inline void run_init_small(RunMeta* m, unsigned cls) noexcept {
  const SizeClassInfo& c = kClasses[cls];
  m->free_regions.set_first(c.nregs);
  m->nfree = c.nregs;
  m->nregs = c.nregs;
  m->cls = static_cast<std::uint8_t>(cls);
  m->link = ListNode{};
}

// Takes up to n free regions, lowest addresses first, into out[0..), a bitmap word at a
// time. `base` is the run's address. Returns how many.
inline std::size_t run_alloc_regions(RunMeta* m, std::uintptr_t base, void** out, std::size_t n) noexcept {
  const std::size_t bytes = kClasses[m->cls].bytes;
  std::size_t got = 0;
  if (n > m->nfree) n = m->nfree;
  for (std::size_t w = 0; got < n; ++w) {
    std::uint64_t bits = m->free_regions.word(w);
    std::uintptr_t at = base + w * 64 * bytes;
    while (bits != 0 && got < n) {
      const unsigned b = static_cast<unsigned>(__builtin_ctzll(bits));
      bits &= bits - 1;
      out[got++] = to_ptr(at + b * bytes);
    }
    m->free_regions.set_word(w, bits);
  }
  m->nfree = static_cast<std::uint16_t>(m->nfree - got);
  return got;
}

inline std::size_t region_index(unsigned cls, std::uintptr_t offset) noexcept {
  return static_cast<std::size_t>((offset * kClasses[cls].reg_inv) >> 32);
}

// Frees the region at `offset` bytes into the run (the caller knows the offset lies
// within the run's pages).
inline RegionFree run_free_region_at(RunMeta* m, std::uintptr_t offset) noexcept {
  const SizeClassInfo& c = kClasses[m->cls];
  const std::size_t i = static_cast<std::size_t>((offset * c.reg_inv) >> 32);
  if (i * c.bytes != offset || i >= c.nregs) return RegionFree::kNotRegionStart;
  const std::uint64_t bit = std::uint64_t{1} << (i % 64);
  const std::uint64_t word = m->free_regions.word(i / 64);
  if ((word & bit) != 0) return RegionFree::kAlreadyFree;
  m->free_regions.set_word(i / 64, word | bit);
  ++m->nfree;
  return RegionFree::kOk;
}

inline RegionFree run_free_region(RunMeta* m, const void* p) noexcept {
  return run_free_region_at(m, to_addr(p) - to_addr(run_addr(m)));
}

}  // namespace bento
