// tcache/cache_bin.h: one size class of a thread cache: a stack of object pointers.
// The fast paths pop and push here. The slot just below `low` is always null, so the
// push-side double-free check (is p already on top?) needs no emptiness test. A popped
// object leaves without the free mark (free_mark.h: strict_free's double-free test).
//
// Counting costs one add, on the allocation side only: `nrequests` counts pops; frees
// are derived when counters are merged (see merged_frees). Owned by one thread; no lock.
#pragma once
#include <cstddef>
#include <cstdint>

#include "base/compiler.h"
#include "tcache/free_mark.h"

namespace bento {

struct alignas(64) CacheBin {
  void** top;    // one past the newest cached object; cached objects are [low, top)
  void** low;    // empty when top == low
  void** high;   // full when top == high
  std::uint64_t nrequests;   // pops since counters were last merged
  // A free whose pointer has a bit of align_mask set takes the slow path: the class's
  // alignment - 1, or all ones with strict_free (every free takes it, for the checks).
  std::uintptr_t align_mask;
  std::uint16_t ncached_max; // current capacity (high - low), grown and shrunk by use
  std::uint16_t max_slots;   // the most it may grow to (the slots reserved for it)
  std::uint16_t ncached_at_merge;  // ncached() when counters were last merged
  std::int32_t net_slow;     // objects refilled minus objects flushed since the merge
  std::uint8_t lg_fill_div;  // a refill brings ncached_max >> lg_fill_div objects
  std::uint8_t touched;      // a refill or flush happened since the last GC visit
  std::uint8_t refilled;     // emptied and refilled since the last flush (working set > capacity)
  std::uint8_t flushed;      // filled and flushed since the last refill
  // Requested bytes of this class to the heap profiler's next sample (prof/sampler.h).
  // Each bin counts its own: independent Poisson processes of one rate over disjoint
  // streams of bytes add up to one over all of them, and the fast path reaches the
  // counter through the bin address it already has (one subtract, one branch).
  std::int64_t sample_countdown;

  std::size_t ncached() const noexcept { return static_cast<std::size_t>(top - low); }
  // Frees served by this bin since the last merge: what came in by push.
  std::uint64_t merged_frees() const noexcept {
    return static_cast<std::uint64_t>(static_cast<std::int64_t>(nrequests) + static_cast<std::int64_t>(ncached()) -
                                      ncached_at_merge - net_slow);
  }

  // False when the bin is empty.
  BENTO_ALWAYS_INLINE bool pop(void*& out) noexcept {
    void** t = top;
    if (BENTO_UNLIKELY(t == low)) return false;
    --t;
    top = t;
    ++nrequests;
    out = *t;
    clear_free_mark(out);
    return true;
  }
  // The malloc fast path's pop: also counts `bytes` down to the next sample. False when
  // the bin is empty, or when the countdown crossed zero: the object is then taken off
  // the stack but not read, and the slow path either puts it back (unpop) or takes it.
  BENTO_ALWAYS_INLINE bool pop_counted(void*& out, std::int64_t bytes) noexcept {
    void** t = top;
    if (BENTO_UNLIKELY(t == low)) return false;
    --t;
    top = t;
    ++nrequests;
    if (BENTO_UNLIKELY((sample_countdown -= bytes) < 0)) return false;
    out = *t;
    clear_free_mark(out);
    return true;
  }
  // Undoes a pop_counted that crossed the countdown (the call went to the sampled path).
  void unpop() noexcept {
    ++top;
    --nrequests;
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
    return true;
  }
};
static_assert(sizeof(CacheBin) == 64);

}  // namespace bento
