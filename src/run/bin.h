// run/bin.h: one size class of one arena. Owns the class's small runs: the current run
// (regions are taken from it first), the non-full runs, and the full runs (linked
// nowhere; found again through the page map when a region of theirs is freed).
// The owning arena's lock guards everything here.
#pragma once
#include <cstddef>
#include <cstdint>

#include "base/list.h"
#include "chunk/page_runs.h"
#include "run/run.h"

namespace bento {

// Per-bin counters, jemalloc's names. Written under the arena lock.
struct BinStats {  // config/stat_fields.h
  BENTO_STAT_STRUCT_BODY(BinStats, BENTO_BIN_STATS)
};

class Bin {
 public:
  enum RunPlace : std::uint8_t { kFull = 0, kCurrent = 1, kNonFull = 2 };

  void init(unsigned cls) noexcept;

  // Up to n regions into out[]; fewer only when the OS refuses memory.
  std::size_t alloc_batch(PageRuns& pages, void** out, std::size_t n) noexcept;
  // Up to n regions from the runs the bin has (current and non-full), making none.
  std::size_t alloc_existing(void** out, std::size_t n) noexcept;
  // The same, then from runs it makes of dirty pages only (PageRuns::alloc_dirty_run).
  std::size_t alloc_resident(PageRuns& pages, void** out, std::size_t n) noexcept;
  // For another arena's thread, lent without touching the current run (where this
  // arena's own thread allocates next): up to n regions of the non-full runs; or of one
  // new run of dirty pages, which goes to the non-full list.
  std::size_t lend_holes(void** out, std::size_t n) noexcept;
  std::size_t lend_dirty_run(PageRuns& pages, void** out, std::size_t n) noexcept;
  // Returns region p of `run` (a run of this bin). When that leaves a run other than the
  // current one empty, the run is detached from the bin and handed back in *emptied for
  // the caller to return to the pages (with the time, which only the caller reads).
  RegionFree free_one(RunMeta* run, const void* p, RunMeta** emptied) noexcept {
    return free_at(run, to_addr(p) - to_addr(run_addr(run)), emptied);
  }
  // The same, given p's offset in its run (the arena computes it from the page map).
  RegionFree free_at(RunMeta* run, std::uintptr_t offset, RunMeta** emptied) noexcept;
  // Gives the current run back if it is empty (purge and trim paths).
  void release_empty_current(PageRuns& pages, std::uint32_t now_ms) noexcept;

  unsigned cls() const noexcept { return cls_; }
  const RunMeta* current() const noexcept { return cur_; }
  // Debug walk: the current run and the non-full list hold runs of this class in the
  // state their place says, their bitmaps agreeing with their free counts.
  bool is_valid() const noexcept;
  BinStats stats;

 private:
  using RunList = IntrusiveList<RunMeta, &RunMeta::link>;

  // Where a new run may come from.
  enum class NewRun : std::uint8_t { kNone, kDirtyPages, kAnyPages };
  // Makes the next non-full run, or a new one, the current run; false when there is
  // neither.
  bool next_run(PageRuns* pages, NewRun source) noexcept;
  // A new run of the class from pages (counted, typed, its regions all free), or null.
  RunMeta* make_run(PageRuns* pages, NewRun source) noexcept;
  // Counts got regions handed out; returns got.
  std::size_t took(std::size_t got) noexcept;
  std::size_t alloc_from(PageRuns* pages, NewRun source, void** out, std::size_t n) noexcept;

  RunMeta* cur_ = nullptr;
  std::uintptr_t cur_base_ = 0;  // cur_'s address
  RunList nonfull_;
  unsigned cls_ = 0;
};

}  // namespace bento
