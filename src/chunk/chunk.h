// chunk/chunk.h: the 2 MiB chunk and its header.
//
// A chunk is a 2 MiB, 2 MiB-aligned mapping owned by one arena. Its first pages hold this
// header; the rest are split into runs: free runs, small runs (regions of one size
// class) and large runs (one object). Pointer -> chunk is a mask; pointer -> page is a
// shift; the page map then says what the page belongs to.
//
//   pages[i]  one PageInfo per page (header pages included, marked kHeader).
//             fast_bin: for a page where an object may start (every page of a small
//             run, the first page of a large run), its size class << kFastBinShift, the
//             byte offset of the class's bin in a thread cache; else kNoFastBin. It is
//             the one field free() reads on its fast path (page_class() decodes it).
//             Boundary tags: a free run has run_start/run_pages on its first and last
//             page; a large run on its first page; a small run on every page.
//   runs[i]   one RunMeta per page, meaningful at the first page of a run: a small run's
//             region bitmap and counts, a free run's size, dirty count and decay links.
//
// Everything here is guarded by the owning arena's lock, except fast_cls, which free()
// reads without it: it is written before the pages are handed out and stays put while
// any object of the run is live.
#pragma once
#include <cstddef>
#include <cstdint>

#include "base/bitmap.h"
#include "base/list.h"
#include "base/units.h"
#include "sizeclass/size_classes.h"

namespace bento {

inline constexpr std::uint8_t kNoClass = 0xFF;
inline constexpr unsigned kFastBinShift = 6;  // a thread-cache bin is 64 bytes
inline constexpr std::uint16_t kNoFastBin = 0xFFFF;

enum class PageState : std::uint8_t { kHeader, kFree, kSmall, kLarge };

struct PageInfo {
  std::uint16_t fast_bin;  // see above
  PageState state;
  std::uint8_t dirty;      // 1: may hold non-zero bytes (touched since mapped or purged)
  std::uint16_t run_start;  // first page of the run this page belongs to (see tags above)
  std::uint16_t run_pages;  // pages in that run
};
static_assert(sizeof(PageInfo) == 8);

// A large run that holds one object the heap profiler sampled (frontend/sampled.cc)
// has this bit in its first page's fast_bin: the value is then above every cached class,
// so each free of it takes the slow path, where the profiler forgets it. The class in
// fast_bin is the one the object would have had unsampled (a small class, often), so
// its usable size is what it would have been; the run has as many pages as that takes.
inline constexpr std::uint16_t kSampledFastBin = 0x8000;

// The class of an object that may start in this page, or kNoClass.
inline unsigned page_class(const PageInfo& pi) noexcept {
  return pi.fast_bin == kNoFastBin ? kNoClass : (pi.fast_bin & ~kSampledFastBin) >> kFastBinShift;
}
inline bool page_is_sampled(const PageInfo& pi) noexcept {
  return pi.fast_bin != kNoFastBin && (pi.fast_bin & kSampledFastBin) != 0;
}
inline void set_page_class(PageInfo& pi, unsigned cls) noexcept {
  pi.fast_bin = cls == kNoClass ? kNoFastBin : static_cast<std::uint16_t>(cls << kFastBinShift);
}

struct RunMeta {
  ListNode link;        // small: the bin's non-full list; free: its size bucket
  ListNode dirty_link;  // free runs holding dirty pages, oldest first
  Bitmap<kMaxRegionsPerRun> free_regions;  // small: 1 = region free
  std::uint16_t nfree;        // small: free regions
  std::uint16_t nregs;        // small: regions in the run
  std::uint8_t cls;           // small: size class
  std::uint8_t bin_state;     // small: which of its bin's places holds it (run/bin.h)
  std::uint16_t npages;       // free: pages in the run
  std::uint16_t ndirty;       // free: dirty pages in the run
  std::uint32_t dirty_since;  // free: coarse ms when it first held dirty pages
};

inline constexpr std::size_t kChunkHeaderFixed = 64;

struct ChunkHeader {
  void* owner;            // the arena (opaque at this layer)
  unsigned arena_index;
  std::uint32_t serial;   // order of creation within the arena
  ListNode link;          // the arena's list of chunks, or the chunk pool's
  std::uint16_t nfree_pages;
  bool retained;          // wholly free and purged, kept mapped (retain)
  std::uint16_t pooled_dirty;  // in the chunk pool: its dirty pages
  std::uint32_t pooled_since;  // in the chunk pool: coarse ms when it was put there
  alignas(kChunkHeaderFixed) PageInfo pages[kChunkPages];
  RunMeta runs[kChunkPages];
};

inline constexpr std::size_t kHeaderPages = (sizeof(ChunkHeader) + kPageSize - 1) / kPageSize;
inline constexpr std::size_t kFirstRunPage = kHeaderPages;
inline constexpr std::size_t kMaxRunPages = kChunkPages - kHeaderPages;

static_assert(kChunkSize == 2 * kMiB && is_pow2(kChunkSize));
static_assert(kHeaderPages <= 12, "chunk header must stay small");
static_assert(kClasses[kNumClasses - 1].run_pages <= kMaxRunPages,
              "the largest large class fits a chunk");
static_assert(offsetof(ChunkHeader, pages) == kChunkHeaderFixed);

inline ChunkHeader* chunk_of(const void* p) noexcept {
  return to_ptr<ChunkHeader>(to_addr(p) & ~kChunkMask);
}
inline std::size_t page_of(const void* p) noexcept {
  return (to_addr(p) & kChunkMask) >> kLgPage;
}
inline void* page_addr(ChunkHeader* c, std::size_t page) noexcept {
  return to_ptr(to_addr(c) + (page << kLgPage));
}
inline std::size_t page_index_of(const ChunkHeader* c, const RunMeta* m) noexcept {
  return static_cast<std::size_t>(m - c->runs);
}
inline ChunkHeader* chunk_of_meta(const RunMeta* m) noexcept { return chunk_of(m); }
inline void* run_addr(RunMeta* m) noexcept {
  ChunkHeader* c = chunk_of(m);
  return page_addr(c, page_index_of(c, m));
}
inline RunMeta* run_meta_at(ChunkHeader* c, std::size_t page) noexcept { return &c->runs[page]; }

}  // namespace bento
