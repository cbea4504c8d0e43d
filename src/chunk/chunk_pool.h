// chunk/chunk_pool.h: wholly free arena chunks that no arena holds, shared by all arenas.
// An arena gives a chunk here the moment it becomes wholly free (beyond the one spare an
// arena in use keeps), and takes one from here before it maps a new chunk: the dirty
// pages one arena freed are reused by another instead of sitting out the decay time
// while fresh memory is mapped beside them (threads that come and go, a producer that
// moves arena while its consumer frees).
//
// A pooled chunk keeps its page map (one free run, dirty bits) and its registry entry
// (kArena), so a stray free into it is still named. The newest is taken first (its pages
// are the likeliest to be resident and cached); the oldest are released first, when
// they have been pooled for the decay time: unmapped, or with retain purged and kept.
//
// g_pool_lock (a ProfiledMutex, "chunk_pool") guards the list and the counters. It is
// taken with at most one arena lock held, never the other way round, and no system call
// is made under it.
#pragma once
#include <cstddef>
#include <cstdint>

#include "chunk/chunk.h"
#include "config/stat_fields.h"
#include "platform/mutex.h"

namespace bento {

struct ChunkPoolStats {  // config/stat_fields.h
  BENTO_STAT_STRUCT_BODY(ChunkPoolStats, BENTO_CHUNK_POOL_STATS)
};

// c is wholly free (one free run of kMaxRunPages) with `ndirty` dirty pages, already
// unlinked from its arena. now_ms: coarse ms (os::coarse_ms()).
void chunk_pool_put(ChunkHeader* c, std::size_t ndirty, std::uint32_t now_ms) noexcept;
// The newest pooled chunk, or null; *ndirty gets its dirty page count.
ChunkHeader* chunk_pool_take(std::size_t* ndirty) noexcept;
// Releases chunks pooled for at least decay_ms (all: every chunk; decay_ms < 0 and not
// all: none): unmapped, or with retain purged and kept pooled. Returns pages released.
std::size_t chunk_pool_purge(std::uint32_t now_ms, std::int64_t decay_ms, bool retain, bool all) noexcept;

// Whether the oldest pooled chunk may be due (no lock: a hint for the decay ticks).
bool chunk_pool_due(std::uint32_t now_ms, std::int64_t decay_ms) noexcept;

ChunkPoolStats chunk_pool_stats() noexcept;
// Addresses of the pooled chunks into out[0..cap); returns how many there are.
std::size_t chunk_pool_list(void** out, std::size_t cap) noexcept;
LockCounters chunk_pool_lock_counters() noexcept;

void chunk_pool_prefork() noexcept;
void chunk_pool_postfork_parent() noexcept;
void chunk_pool_postfork_child() noexcept;

}  // namespace bento
