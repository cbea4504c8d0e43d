// stats/snapshot.h: the numbers behind stats.* and the report, refreshed by an epoch
// write. A refresh copies counters only, one arena at a time (its lock held while they
// are copied): no stop-the-world, and its cost does not grow with the heap. Residency
// measured with mincore (the *.resident_mincore leaves) walks every mapping, so it is
// measured only when one of them is read or a report is printed, at most once an epoch,
// each arena's chunk list copied under its lock and walked outside it. Readers see the
// numbers of the last refresh until the next one.
//
// g_ctl_lock (a ProfiledMutex, "ctl") guards the snapshot and its scratch memory; take it
// with CtlGuard.
#pragma once
#include <cstddef>
#include <cstdint>

#include "arena/arena_set.h"
#include "chunk/chunk_pool.h"
#include "config/stat_fields.h"
#include "platform/mutex.h"

namespace bento {

inline constexpr unsigned kArenasAll = 4096;  // MALLCTL_ARENAS_ALL

// a / b in thousandths (0 when b is 0): the one place occupancies are computed.
constexpr std::uint64_t per_mille(std::uint64_t a, std::uint64_t b) noexcept { return b == 0 ? 0 : a * 1000 / b; }
// A bin's regions in use over the regions of its runs, per mille.
std::uint64_t bin_occupancy(const BinStats& b, unsigned cls) noexcept;

struct ArenaSnapshot {
  bool initialized;
  BENTO_ARENA_STATS(BENTO_STAT_MEMBER)  // config/stat_fields.h
  PageRunStats pages;
  LockCounters lock;
  BinStats bins[kNumSmallClasses];
  LargeStats lruns[kNumLargeClasses];
  HugeStats huge;

  BinStats small_total() const noexcept;
  LargeStats large_total() const noexcept;
  std::size_t small_allocated() const noexcept;
  std::size_t large_allocated() const noexcept;
  std::size_t allocated() const noexcept {
    return small_allocated() + large_allocated() + sampled_bytes + huge.allocated;
  }
  std::size_t retained() const noexcept { return pages.retained_chunks * kChunkSize; }
  // active bytes / chunk bytes, per mille (0 with no chunks).
  std::uint64_t occupancy() const noexcept;
  void merge(const ArenaSnapshot& o) noexcept;
};

enum GlobalLock : unsigned { kLockCtl, kLockArenas, kLockHuge, kLockChunkPool, kLockThreads, kLockBase, kNumGlobalLocks };
inline constexpr const char* kGlobalLockNames[kNumGlobalLocks] = {"ctl", "arenas", "huge", "chunk_pool", "threads", "base"};

struct Snapshot {
  std::uint64_t epoch;
  BENTO_GLOBAL_STATS(BENTO_STAT_MEMBER)  // config/stat_fields.h
  ChunkPoolStats pool;       // wholly free chunks between arenas (chunk/chunk_pool.h)
  unsigned narenas;
  unsigned live_threads;
  std::uint64_t residency_epoch;  // the epoch the resident_mincore figures belong to
  LockCounters global_locks[kNumGlobalLocks];
  ArenaSnapshot* arenas;     // narenas entries, then the merged view at [narenas]

  ArenaSnapshot& merged() noexcept { return arenas[narenas]; }
  // The arena snapshot for a mallctl index (kArenasAll, or narenas as jemalloc's legacy
  // spelling: merged); null if out of range.
  ArenaSnapshot* arena(std::size_t i) noexcept {
    if (i == kArenasAll || i == narenas) return &merged();
    return i < narenas ? &arenas[i] : nullptr;
  }
};

class CtlGuard {
 public:
  CtlGuard() noexcept;
  ~CtlGuard();
  CtlGuard(const CtlGuard&) = delete;
  CtlGuard& operator=(const CtlGuard&) = delete;
  Snapshot& snapshot() noexcept;
  // Re-reads every counter; false when memory for it could not be had (EAGAIN).
  bool refresh() noexcept;
  // Fills the resident_mincore figures for this epoch (a walk of every mapping, once an
  // epoch; refreshes first if nothing has been read yet); false when memory is short.
  bool measure_residency() noexcept;
};

void ctl_prefork() noexcept;
void ctl_postfork_parent() noexcept;
void ctl_postfork_child() noexcept;

}  // namespace bento
