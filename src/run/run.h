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

// Takes up to n free regions, lowest addresses first, into out[0..). Returns how many.
inline std::size_t run_alloc_regions(RunMeta* m, void** out, std::size_t n) noexcept {
  const std::uintptr_t base = to_addr(run_addr(m));
  const std::size_t bytes = kClasses[m->cls].bytes;
  std::size_t got = 0;
  std::size_t from = 0;
  while (got < n && m->nfree != 0) {
    const std::size_t i = m->free_regions.find_from(from);
    m->free_regions.reset(i);
    --m->nfree;
    out[got++] = to_ptr(base + i * bytes);
    from = i + 1;
  }
  return got;
}

inline std::size_t region_index(const RunMeta* m, std::uintptr_t offset) noexcept {
  return static_cast<std::size_t>((offset * kClasses[m->cls].reg_inv) >> 32);
}

inline RegionFree run_free_region(RunMeta* m, const void* p) noexcept {
  const std::uintptr_t offset = to_addr(p) - to_addr(run_addr(m));
  const std::size_t i = region_index(m, offset);
  if (i >= m->nregs || i * kClasses[m->cls].bytes != offset) return RegionFree::kNotRegionStart;
  if (m->free_regions.test(i)) return RegionFree::kAlreadyFree;
  m->free_regions.set(i);
  ++m->nfree;
  return RegionFree::kOk;
}

}  // namespace bento
