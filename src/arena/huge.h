// arena/huge.h: objects too big for a chunk's runs. Each is its own chunk-aligned
// mapping (chunk-rounded, so no other mapping of ours shares its chunks), registered in
// the chunk registry and recorded in a hash table keyed by address. Usable size is the
// page-rounded request; realloc moves pages with mremap instead of copying.
//
// Freed mappings are kept in a cache for the decay time: a later huge request takes part
// of one (the rest stays cached), or grows a smaller one (mremap), and faults no pages in
// for what it reuses; freed neighbours merge. Cached pages beyond two fifths of what live
// huge objects map are purged, oldest first (the range stays cached, clean). Ranges are unmapped when their decay time is up, when the cache
// is full (oldest first), and on purge. Table and caches are split in 32 shards, each with its own lock (the table by
// address, the caches and every arena's HugeStats by arena), and no system call is made
// with one held: threads making huge objects in parallel seldom wait for each other.
#pragma once
#include <cstddef>

#include "arena/arena.h"

namespace bento {

struct HugeInfo {
  std::size_t usize;      // usable bytes
  std::size_t map_bytes;  // mapped bytes (chunk multiple)
  unsigned arena;         // arena whose counters it is charged to
};

// size: any request above kLargeMaxBytes (or smaller, for big alignments); align: power
// of two. *zeroed tells whether the memory reads as zero (a fresh mapping) or was reused
// from the cache. Null when the OS refuses or the size cannot be represented.
void* huge_alloc(Arena* charge, std::size_t size, std::size_t align, bool* zeroed) noexcept;
// False if p is not the start of a live huge object.
bool huge_lookup(const void* p, HugeInfo* out) noexcept;
// Frees the huge object at p; *usize (if not null) gets its usable size.
bool huge_free(void* p, std::size_t* usize = nullptr) noexcept;
// Resizes to `size` (> kLargeMaxBytes), in place or (may_move) by moving pages to a new
// chunk-aligned address; null when neither works (p is then untouched).
// known: p's entry as huge_lookup gave it just before (the caller's object: no other
// thread changes it), to save looking it up again.
void* huge_resize(void* p, std::size_t size, bool may_move = true, const HugeInfo* known = nullptr) noexcept;

// Unmaps cached mappings whose decay time is up (all: every one). Returns bytes unmapped.
std::size_t huge_cache_decay(std::int64_t decay_ms, bool all) noexcept;
std::size_t huge_cached_bytes() noexcept;
std::size_t huge_cached_dirty_bytes() noexcept;  // of those, in ranges not purged since freed

void huge_prefork() noexcept;
void huge_postfork_parent() noexcept;
void huge_postfork_child() noexcept;
// A copy of the arena's HugeStats, read under the lock that guards them.
HugeStats huge_stats_of(const Arena* a) noexcept;
// The shard locks' counters, summed (maxima: the largest).
LockCounters huge_lock_counters() noexcept;
// Copies up to `cap` live huge objects (address, usable size) into out; returns how many
// there are in all.
struct HugeExtent {
  void* addr;
  std::size_t usize;
};
// Cached (freed, kept) mappings are listed too.
std::size_t huge_list(HugeExtent* out, std::size_t cap) noexcept;

}  // namespace bento
