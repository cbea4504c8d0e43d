// chunk/page_runs.h: one arena's pages. Maps chunks, hands out page runs (best fit over
// exact-size buckets), takes them back and coalesces free neighbours, and returns dirty
// pages to the OS once they have been free for the decay time.
//
// Dirty pages: a page is dirty from the moment its run is handed out until it is purged
// (MADV_DONTNEED, after which it reads back as zero). Free runs keep their dirty count and
// the coarse time they first held dirty pages; `dirty_` lists them oldest first, so a
// purge walks from the front and stops at the first run that is young enough.
//
// Wholly free chunks: one is kept as a spare; further ones go to the shared chunk pool
// at once (chunk/chunk_pool.h), which other arenas take from before they map, and which
// unmaps them when their decay time is up (or, with retain, purges and keeps them). A new
// chunk comes from the pool first, the OS second.
//
// Not thread-safe: the owning arena's lock guards every member.
#pragma once
#include <cstddef>
#include <cstdint>

#include "base/bitmap.h"
#include "base/list.h"
#include "chunk/chunk.h"
#include "config/stat_fields.h"

namespace bento {

struct PageRunStats {  // config/stat_fields.h
  BENTO_STAT_STRUCT_BODY(PageRunStats, BENTO_PAGE_RUN_STATS)
};

struct PurgePolicy {
  std::int64_t decay_ms;  // -1 never, 0 at once
  bool retain;            // keep wholly free chunks mapped
};

class PageRuns {
 public:
  void init(void* owner, unsigned arena_index) noexcept;

  // A run of `npages` (1..kMaxRunPages), its pages allocated but untyped (see mark_*,
  // which the caller applies before it lets go of the arena lock). Maps a new
  // chunk when no free run fits; nullptr when the OS refuses. *zeroed tells whether every
  // page of the run is known to read as zero.
  RunMeta* alloc_run(std::size_t npages, bool* zeroed) noexcept;
  // A run of `npages` whose pages are all dirty (resident: no page faults, no growth of
  // the process): best fit among the free runs that start with that many dirty pages (a
  // bounded look); nullptr when none is found. Never maps.
  RunMeta* alloc_dirty_run(std::size_t npages) noexcept;
  // A run aligned to `align_pages` pages (a power of two), carved from a larger one.
  RunMeta* alloc_run_aligned(std::size_t npages, std::size_t align_pages, bool* zeroed,
                             std::uint32_t now_ms) noexcept;
  // Pages that were handed out (handed_out) count as dirty whatever their bits say: the
  // program may have written any of them. Pages taken and given back at once (the ends of
  // an aligned run) keep their bits.
  void free_run(RunMeta* run, std::size_t npages, std::uint32_t now_ms, bool handed_out = true) noexcept;
  // Large runs resized in place; grow fails when the following pages are not free.
  bool grow_run(RunMeta* run, std::size_t old_pages, std::size_t new_pages) noexcept;
  void shrink_run(RunMeta* run, std::size_t old_pages, std::size_t new_pages,
                  std::uint32_t now_ms) noexcept;

  // Type a run's pages. A small run's pages are marked dirty (they are about to be
  // written); a large run's are counted dirty when it is freed (free_run), and a large run
  // just taken (take_pages typed every page as its own) has only its first page written
  // here: a 1 MiB run is 256 pages, and typing them twice was 7 % of mix's instructions.
  void mark_small(RunMeta* run, unsigned cls) noexcept;
  void mark_large(RunMeta* run, std::size_t npages, unsigned cls) noexcept;

  // Purges runs whose dirty pages have been free for the decay time (all: every dirty
  // page now). Returns the pages released.
  std::size_t purge(std::uint32_t now_ms, const PurgePolicy& policy, bool all) noexcept;
  // Gives every wholly free chunk, the spare too, to the chunk pool (an arena that no
  // thread allocates from any more keeps none).
  void release_empty_chunks(std::uint32_t now_ms) noexcept;
  // Coarse ms at which the oldest dirty run falls due, or false when nothing is dirty.
  bool next_purge_due(std::int64_t decay_ms, std::uint32_t* due_ms) const noexcept;

  const PageRunStats& stats() const noexcept { return stats_; }
  std::size_t mapped_bytes() const noexcept {
    return (stats_.chunks - stats_.retained_chunks) * kChunkSize;
  }
  ChunkHeader* first_chunk() const noexcept { return chunks_.front(); }
  ChunkHeader* next_chunk(ChunkHeader* c) const noexcept { return chunks_.next(c); }

  // Debug walk: boundary tags, bucket and dirty bookkeeping agree with the page map.
  bool is_valid() const noexcept;

 private:
  using RunList = IntrusiveList<RunMeta, &RunMeta::link>;
  using DirtyList = IntrusiveList<RunMeta, &RunMeta::dirty_link>;
  using ChunkList = IntrusiveList<ChunkHeader, &ChunkHeader::link>;

  bool map_chunk() noexcept;
  void adopt_chunk(ChunkHeader* c) noexcept;
  // Hands the wholly free chunk whose one free run is m to the chunk pool.
  void pool_chunk(RunMeta* m, std::uint32_t now_ms) noexcept;
  // Files a free run; `dirty_after` is where it goes in the dirty list (null: front).
  void insert_free(ChunkHeader* c, std::size_t start, std::size_t npages, std::size_t ndirty,
                   std::uint32_t dirty_since, RunMeta* dirty_after) noexcept;
  // Unfiles a free run; returns its predecessor in the dirty list.
  RunMeta* remove_free(RunMeta* m) noexcept;
  RunMeta* take_pages(RunMeta* m, std::size_t npages, bool* zeroed) noexcept;
  void purge_run(RunMeta* m, const PurgePolicy& policy) noexcept;

  Bitmap<kMaxRunPages + 1> nonempty_;   // bucket n non-empty
  RunList buckets_[kMaxRunPages + 1];   // free runs by exact page count
  DirtyList dirty_;                     // free runs with dirty pages, oldest first
  ChunkList chunks_;
  std::size_t nempty_chunks_ = 0;       // chunks that are one whole free run
  void* owner_ = nullptr;
  unsigned arena_index_ = 0;
  std::uint32_t serial_ = 0;
  PageRunStats stats_;
};

}  // namespace bento
