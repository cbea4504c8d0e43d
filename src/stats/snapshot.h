// stats/snapshot.h: the numbers behind stats.* and the report, refreshed by an epoch
// write. A refresh visits one arena at a time (its lock held only to copy counters and
// its chunk list), reads the huge table and the metadata blocks, and measures residency
// with mincore outside every arena lock: no stop-the-world. Readers see the numbers of
// the last refresh until the next one.
//
// g_ctl_lock (a ProfiledMutex, "ctl") guards the snapshot and its scratch memory; take it
// with CtlGuard.
#pragma once
#include <cstddef>
#include <cstdint>

#include "arena/arena_set.h"
#include "chunk/chunk_pool.h"
#include "platform/mutex.h"

namespace bento {

inline constexpr unsigned kArenasAll = 4096;  // MALLCTL_ARENAS_ALL

struct ArenaSnapshot {
  bool initialized;
  unsigned nthreads;
  std::uint64_t uptime_ns;
  std::int64_t dirty_decay_ms;
  std::size_t chunks;
  std::size_t mapped;    // bytes of its chunks still mapped and not retained
  std::size_t retained;  // bytes of wholly free chunks kept mapped but purged
  std::size_t pactive;   // pages in allocated runs
  std::size_t pdirty;    // dirty pages in free runs
  std::size_t resident;  // bytes of its chunks resident in memory (mincore)
  std::uint64_t npurge, nmadvise, purged;
  std::uint64_t favourite_switches;
  LockCounters lock;
  BinStats bins[kNumSmallClasses];
  LargeStats lruns[kNumLargeClasses];
  std::size_t sampled_bytes;  // small objects the heap profiler sampled (on runs of their own)
  HugeStats huge;

  BinStats small_total() const noexcept;
  LargeStats large_total() const noexcept;
  std::size_t small_allocated() const noexcept;
  std::size_t large_allocated() const noexcept;
  std::size_t allocated() const noexcept {
    return small_allocated() + large_allocated() + sampled_bytes + huge.allocated;
  }
  // active bytes / chunk bytes, per mille (0 with no chunks).
  std::uint64_t occupancy() const noexcept;
  void merge(const ArenaSnapshot& o) noexcept;
};

enum GlobalLock : unsigned { kLockCtl, kLockArenas, kLockHuge, kLockChunkPool, kLockThreads, kLockBase, kNumGlobalLocks };
inline constexpr const char* kGlobalLockNames[kNumGlobalLocks] = {"ctl", "arenas", "huge", "chunk_pool", "threads", "base"};

struct Snapshot {
  std::uint64_t epoch;
  std::uint64_t refresh_ns;  // how long the last refresh took
  std::size_t allocated;     // bytes handed to the program (cached objects included)
  std::size_t active;        // bytes of pages backing allocations (runs + huge)
  std::size_t metadata;      // metadata blocks, chunk headers, resident registry pages
  std::size_t resident;      // bytes of bento's mappings resident in memory (mincore)
  std::size_t mapped;        // bytes bento has mapped (chunks, huge, metadata)
  std::size_t retained;      // bytes kept mapped but purged (retain)
  ChunkPoolStats pool;       // wholly free chunks between arenas (chunk/chunk_pool.h)
  std::size_t tcache_bytes;  // bytes of objects in thread caches' bins (read racily)
  std::size_t remote_bytes;  // bytes of other arenas' objects waiting in caches' remote batches
  std::size_t huge_cached;   // bytes of freed huge mappings kept for reuse
  unsigned narenas;
  unsigned live_threads;
  LockCounters global_locks[kNumGlobalLocks];
  ArenaSnapshot* arenas;     // narenas entries, then the merged view at [narenas]

  ArenaSnapshot& merged() noexcept { return arenas[narenas]; }
  // The arena snapshot for a mallctl index (kArenasAll: merged); null if out of range.
  ArenaSnapshot* arena(std::size_t i) noexcept {
    if (i == kArenasAll) return &merged();
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
};

void ctl_prefork() noexcept;
void ctl_postfork_parent() noexcept;
void ctl_postfork_child() noexcept;

}  // namespace bento
