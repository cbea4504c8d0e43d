// tcache/cache_bin.h: one size class of a thread cache: a stack of object pointers.
// The fast paths pop and push here and touch nothing else. The slot just below `low`
// is always null, so the push-side double-free check (is p already on top?) needs no
// emptiness test. Owned by one thread; no lock.
#pragma once
#include <cstddef>
#include <cstdint>

#include "base/compiler.h"

namespace bento {

struct alignas(64) CacheBin {
  void** top;    // one past the newest cached object; cached objects are [low, top)
  void** low;    // empty when top == low
  void** high;   // full when top == high; capacity 0 bins have high == low
  std::uint64_t nrequests;  // allocations served since stats were last merged
  std::uint64_t nfrees;     // frees taken since stats were last merged
  std::uint16_t ncached_max;
  std::uint8_t lg_fill_div;  // a refill brings ncached_max >> lg_fill_div objects
  std::uint8_t touched;      // a refill or flush happened since the last GC visit

  std::size_t ncached() const noexcept { return static_cast<std::size_t>(top - low); }

  // False when the bin is empty.
  BENTO_ALWAYS_INLINE bool pop(void*& out) noexcept {
    void** t = top;
    if (BENTO_UNLIKELY(t == low)) return false;
    --t;
    top = t;
    ++nrequests;
    out = *t;
    return true;
  }
  BENTO_ALWAYS_INLINE void* pop() noexcept {
    void* p = nullptr;
    pop(p);
    return p;
  }
  // False when the bin is full or p is the object on top (an immediate double free).
  BENTO_ALWAYS_INLINE bool push(void* p) noexcept {
    void** t = top;
    if (BENTO_UNLIKELY(t == high || t[-1] == p)) return false;
    *t = p;
    top = t + 1;
    ++nfrees;
    return true;
  }
};
static_assert(sizeof(CacheBin) == 64);

}  // namespace bento
