// tcache/tcache.h: a thread's cache of objects, one CacheBin per size class up to the
// lookup limit (32 KiB), in front of the arenas. malloc and free of cached classes pop
// and push here; the slow paths refill a bin in one batch from the thread's favourite
// arena, flush the older half of a full bin to the objects' own arenas, and visit one bin
// per slow event to shed what an idle bin holds (GC).
//
// Capacity adapts: a bin that runs empty and then full again (its working set is bigger
// than it) doubles, up to the slots reserved for it (8,192 down to 2,048 for classes up to
// 1 KiB, 1 MiB of objects above) and a per-thread budget of 4 MiB of growth; GC halves
// idle bins again. Every bin starts in one packed array of slots (21 KiB for all of them:
// a thread that uses every class touches 6 pages of slots, where it touched one or more
// a bin, 40 in all) and moves to its own reservation, touched only then, when it first
// grows.
//
// The arena never sees a TCache: the cache talks to it through fill_locked and
// arena_free_batch. Owned by one thread, no lock; the arenas' locks are taken inside.
#pragma once
#include <cstddef>
#include <cstdint>

#include "arena/arena_set.h"
#include "sizeclass/size_classes.h"
#include "tcache/cache_bin.h"

namespace bento {

inline constexpr unsigned kRemoteSlots = 256;
inline constexpr unsigned kNoLender = ~0u;

struct TCache {
  CacheBin bins[kNumLookupClasses];
  unsigned home_arena;               // the thread's favourite arena (kept current on refills)
  unsigned nremote;                  // objects waiting in remote[]
  std::uint64_t merged_alloc_bytes;  // bytes of requests already merged into arena stats
  std::uint64_t merged_free_bytes;
  std::size_t grown_bytes;           // capacity the bins gained over their start, in bytes
  unsigned gc_next;                  // next bin the GC visits
  // The arena the thread's refills last borrowed from (a quiet or idle one, fill_locked),
  // or kNoLender. Its objects are the thread's own to cache, as home_arena's are: the
  // thread allocated most of them, and no thread of that arena is refilling. Cleared by a
  // refill that finds it no longer lends.
  unsigned lender_arena;
  std::size_t remote_bytes;          // bytes of the objects in remote[]
  std::uint32_t reserved_at[kNumLookupClasses];  // each bin's reservation, in slots after the cache
  // Objects of other arenas freed into an empty bin: not handed out again from here (a
  // thread whose next object is another thread's shares that thread's cache lines);
  // returned to their arenas in one batch when full, at a flush, and at thread exit.
  void* remote[kRemoteSlots];
  // followed by the slots: the packed ones (for each bin a null sentinel and its start
  // capacity), then the reservations (for each bin a null sentinel and max_slots)
};

// The cache of a thread that has none (not set up yet, exiting, or caches off): every bin
// is empty and full at once, so every pop and push takes the slow path. Thread-locals
// point here instead of holding null, which saves the fast paths a test.
extern constinit TCache g_empty_cache;

// Bytes a TCache (with its slots) needs when classes up to tcache_max are cached.
std::size_t tcache_size(std::size_t tcache_max) noexcept;
// Lays out a block of tcache_size(tcache_max) bytes whose slots are zero (fresh pages, or
// a block this function laid out before: slots below `low` are never written).
// strict_free: every free takes the slow path, for its checks (option strict_free).
void tcache_init(TCache* tc, std::size_t tcache_max, unsigned home_arena, bool strict_free) noexcept;

// A free of an object of another arena (cls: its class): kept aside, returned to its
// arena with the next batch.
void tcache_free_remote(TCache* tc, void* p, unsigned cls) noexcept;

// Slow paths of the fast pop/push. Refill returns null only when memory is exhausted.
void* tcache_refill_and_pop(TCache* tc, unsigned cls, ArenaChoice& choice) noexcept;
// Flushes the older half of a full bin and pushes p; reports an immediate double free.
void tcache_flush_and_push(TCache* tc, unsigned cls, void* p, ArenaChoice& choice) noexcept;
// Empties every bin (thread exit, thread.tcache.flush) and merges the counters.
void tcache_flush_all(TCache* tc, ArenaChoice& choice) noexcept;
// Merges the bins' request counters into the favourite arena (locks it).
void tcache_merge_stats(TCache* tc, ArenaChoice& choice) noexcept;

// Bytes this thread has allocated / freed through the cache so far (thread.allocated).
std::uint64_t tcache_allocated_bytes(const TCache* tc) noexcept;
std::uint64_t tcache_deallocated_bytes(const TCache* tc) noexcept;
// Bytes of the objects in the bins (stats.tcache_bytes). Read by the stats code from
// other threads racily, by design: the bins' pointers, never the objects.
std::size_t tcache_cached_bytes(const TCache* tc) noexcept;

}  // namespace bento
