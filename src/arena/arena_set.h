// arena/arena_set.h: the table of arenas and how a thread picks one.
//
// The founding design: each thread starts with a random favourite arena and try_locks
// it; if that fails, it moves its favourite to the next arena and blocks on that one's
// lock (one try_lock per attempt). Both events are counted on the arena (try_lock
// failures in its mutex, favourite switches and thread counts here).
//
// Arenas are created on first use, under g_arenas_lock, from metadata pages, and never
// destroyed. arenas.create adds manual arenas after the automatic ones: no thread starts
// on one or moves onto one by itself, and a thread moved to one stays there. The table is read without a lock: a slot goes from null to its arena once
// (release/acquire).
#pragma once
#include <atomic>
#include <cstdint>

#include "arena/arena.h"

namespace bento {

inline constexpr unsigned kMaxArenas = 4095;  // MALLCTL_ARENAS_ALL (4096) stays free

struct ArenaChoice {  // per thread
  unsigned favourite = 0;
  std::uint64_t rng = 0;
};

// Sets the arena count (0 = 4 x available CPUs, capped) and creates arena 0.
bool arenas_init(unsigned narenas, std::int64_t decay_ms, bool retain) noexcept;
unsigned narenas() noexcept;       // every arena, manual ones included (arenas.narenas)
unsigned narenas_auto() noexcept;  // the ones threads are given and move between
// arenas.create: a new arena no thread is given unless moved to it (thread.arena);
// returns its index, or kMaxArenas when the table is full or memory is short.
unsigned arena_create_manual() noexcept;
Arena* arena_get(unsigned i) noexcept;            // null if not created yet
Arena* arena_get_or_create(unsigned i) noexcept;  // null only when out of memory

// Picks a random favourite for a new thread and counts it on that arena.
void choice_init(ArenaChoice& c, std::uint64_t seed) noexcept;
// Moves a thread's favourite (thread.arena); false if i is out of range or unavailable.
bool choice_move(ArenaChoice& c, unsigned i) noexcept;
void choice_release(ArenaChoice& c) noexcept;  // the thread is exiting
// The founding protocol; returns the locked arena, or null when no arena can be made.
Arena* lock_favourite(ArenaChoice& c) noexcept;

LockCounters arenas_lock_counters() noexcept;  // the arena-table lock
std::int64_t default_decay_ms() noexcept;       // arenas.dirty_decay_ms: for new arenas
void set_default_decay_ms(std::int64_t ms) noexcept;

// Fork: every arena lock, in index order, then the table lock.
void arenas_prefork() noexcept;
void arenas_postfork_parent() noexcept;
void arenas_postfork_child(const ArenaChoice* survivor) noexcept;

}  // namespace bento
