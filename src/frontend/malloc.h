// frontend/malloc.h: the allocation and free fast paths, inline, one screen each.
//
// Allocation code overview
//   malloc_fast        TLS cache, size -> class (one table load), pop          -> malloc_slow
//   malloc_slow        set-up, cache refill, uncached small/large, huge
//   free_fast          registry byte, page-map class byte, alignment, push     -> free_slow
//   free_slow          null, huge, uncached classes, full bin, bad pointers
//   everything else (calloc, realloc, aligned, sized) lives in malloc.cc / realloc.cc /
//   aligned.cc and reaches the arenas through the same pieces.
// Every exit of a fast path is a tail call, so the fast path saves no registers.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

#include "arena/arena.h"

#include "base/compiler.h"
#include "chunk/chunk.h"
#include "chunk/chunk_registry.h"
#include "frontend/thread_state.h"
#include "sizeclass/size_classes.h"

namespace bento {

BENTO_SLOW void* malloc_slow(std::size_t size) noexcept;
BENTO_SLOW void free_slow(void* p) noexcept;
BENTO_SLOW void free_sized_slow(void* p, std::size_t size) noexcept;

// The byte offset of a size's cache bin in a TCache, by (size + 15) >> 4: the size-class
// lookup and the bin address in one table load.
inline constexpr auto kSizeToBin = [] {
  std::array<std::uint16_t, kSizeLookup.size()> t{};
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = static_cast<std::uint16_t>(kSizeLookup[i] << kFastBinShift);
  return t;
}();
inline constexpr unsigned kFastBinLimit = kNumLookupClasses << kFastBinShift;
static_assert(sizeof(CacheBin) == std::size_t{1} << kFastBinShift && offsetof(TCache, bins) == 0);

BENTO_ALWAYS_INLINE CacheBin& bin_at(TCache* tc, unsigned offset) noexcept {
  return *reinterpret_cast<CacheBin*>(reinterpret_cast<char*>(tc) + offset);
}

// The cache pop every allocation entry point starts with; false means "take your slow
// path". Release build: TLS load, compare, one table load, bin address, pop, count, and
// the heap profiler's countdown (one subtract, one branch). When the countdown crosses
// zero, malloc_slow puts the object back (sample_taken): every caller's slow path
// reaches malloc_slow before any other pop.
BENTO_ALWAYS_INLINE bool cache_pop(std::size_t size, void*& out) noexcept {
  if (BENTO_UNLIKELY(size > kLookupMaxBytes)) return false;
  return bin_at(tls_tcache, kSizeToBin[(size + 15) >> 4]).pop_counted(out, static_cast<std::int64_t>(size));
}

BENTO_ALWAYS_INLINE void* malloc_fast(std::size_t size) noexcept {
  void* p;
  if (BENTO_LIKELY(cache_pop(size, p))) return p;
  BENTO_SLOW_PATH_BARRIER();
  BENTO_MUSTTAIL return malloc_slow(size);
}

// The page map's fast_bin for p (its class << kFastBinShift, at or above kFastBinLimit
// for classes no cache holds), or kNoFastBin when p is not in an arena chunk or not where
// an object starts. Null and foreign pointers fail the registry test.
BENTO_ALWAYS_INLINE unsigned fast_bin_of(const void* p) noexcept {
  if (BENTO_UNLIKELY(chunk_kind(p) != ChunkKind::kArena)) return kNoFastBin;
  return chunk_of(p)->pages[page_of(p)].fast_bin;
}

// Objects of the thread's own arena, or of the arena its refills borrow from, go back
// into its cache; others take the slow path, which keeps them for reuse only behind
// objects of the thread's own (free_checked). Without the lender, a thread whose objects
// come from a quiet arena's runs sends every free down the slow path (larson: 0.7 x).
BENTO_ALWAYS_INLINE bool is_home(const TCache* tc, const void* p) noexcept {
  const unsigned a = chunk_of(p)->arena_index;
  return a == tc->home_arena || a == tc->lender_arena;
}

// Release build: registry byte, page-map load, home arena, bin address, alignment, push.
// The object's line is prefetched: the next malloc of its class hands it out (the bin is
// a stack) and the program writes it at once. It is not read: a free that reads a cold
// object waits for memory (larson: 2 x slower with the free mark tested here).
BENTO_ALWAYS_INLINE void free_fast(void* p) noexcept {
  const unsigned off = fast_bin_of(p);
  TCache* const tc = tls_tcache;
  if (BENTO_LIKELY(off < kFastBinLimit && is_home(tc, p))) {
    CacheBin& b = bin_at(tc, off);
    __builtin_prefetch(p, 1, 3);
    if (BENTO_LIKELY((to_addr(p) & b.align_mask) == 0 && b.push(p))) return;
  }
  BENTO_SLOW_PATH_BARRIER();
  BENTO_MUSTTAIL return free_slow(p);
}

// free_sized / sized delete: as free (prefetch included), and the size must be of the
// object's class.
BENTO_ALWAYS_INLINE void free_sized_fast(void* p, std::size_t size) noexcept {
  const unsigned off = fast_bin_of(p);
  TCache* const tc = tls_tcache;
  if (BENTO_LIKELY(off < kFastBinLimit && size <= kLookupMaxBytes && kSizeToBin[(size + 15) >> 4] == off &&
                   is_home(tc, p))) {
    CacheBin& b = bin_at(tc, off);
    __builtin_prefetch(p, 1, 3);
    if (BENTO_LIKELY((to_addr(p) & b.align_mask) == 0 && b.push(p))) return;
  }
  BENTO_SLOW_PATH_BARRIER();
  BENTO_MUSTTAIL return free_sized_slow(p, size);
}

// The rest of the family (malloc.cc, realloc.cc, aligned.cc). Each sets errno to ENOMEM
// (EINVAL where the call says so) and returns null on failure.
void* calloc_impl(std::size_t n, std::size_t size) noexcept;
void* realloc_impl(void* p, std::size_t size) noexcept;
// realloc(p, 0) calls with p not null so far (stats.zero_reallocs; 0 with -Dstats=false).
std::uint64_t zero_realloc_count() noexcept;
void* reallocarray_impl(void* p, std::size_t n, std::size_t size) noexcept;
int posix_memalign_impl(void** out, std::size_t align, std::size_t size) noexcept;
void* aligned_alloc_impl(std::size_t align, std::size_t size) noexcept;
void* memalign_impl(std::size_t align, std::size_t size) noexcept;
void* valloc_impl(std::size_t size) noexcept;
void* pvalloc_impl(std::size_t size) noexcept;
std::size_t usable_size_impl(const void* p) noexcept;
void free_aligned_sized_impl(void* p, std::size_t align, std::size_t size) noexcept;
void free_aligned_impl(void* p, std::size_t align) noexcept;  // aligned delete

// One line ("out of memory, and no C++ runtime is loaded to throw std::bad_alloc"), then
// abort: operator new in a program without libstdc++ (override/new_delete.cc).
[[noreturn]] void fatal_out_of_memory(const char* call, std::size_t size) noexcept;

// realloc that stays in the same small or large size class has nothing to do but check
// p as free does; anything else goes to realloc_impl.
BENTO_ALWAYS_INLINE void* realloc_fast(void* p, std::size_t size) noexcept {
  if (BENTO_LIKELY(size - 1 < kLargeMaxBytes)) {  // 1 ..= kLargeMaxBytes
    const unsigned off = fast_bin_of(p);
    if (BENTO_LIKELY(off != kNoFastBin && size_to_class(size) == off >> kFastBinShift &&
                     (to_addr(p) & kClasses[off >> kFastBinShift].align_mask) == 0)) {
      return p;
    }
  }
  BENTO_SLOW_PATH_BARRIER();
  BENTO_MUSTTAIL return realloc_impl(p, size);
}

}  // namespace bento
