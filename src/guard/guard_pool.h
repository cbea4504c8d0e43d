// guard/guard_pool.h: the guarded sampling of guard_sample:N (GWP-ASan's idea). A few
// sampled objects live in a fixed pool of slots, each slot a page or two between guard
// pages, the object flush against the guard after it; a freed slot is made inaccessible
// and purged, and reused last. A use after free, a write or read past either end, or a
// double free then ends in one message naming the object, with the call stacks of its
// allocation and its free (guard/guard_report.h).
//
// The pool is one 2 MiB chunk, registered as ChunkKind::kGuard, mapped on the first
// guarded allocation. g_guard_lock (a leaf Mutex) guards the slots; it is never held
// while unwinding or across a system call that can wait for another bento lock.
#pragma once
#include <cstddef>
#include <cstdint>

#include "arena/arena.h"
#include "prof/unwind.h"

namespace bento {

inline constexpr std::size_t kGuardSlotPages = 2;
inline constexpr std::size_t kGuardMaxBytes = kGuardSlotPages * kPageSize;  // the largest object guarded
inline constexpr unsigned kGuardSlots = 64;   // at most 512 KiB resident
inline constexpr unsigned kGuardFrames = 24;  // frames kept of each stack

// An object of `usize` usable bytes (its class's: cls) for a request of `size` at
// `align`, on a guarded slot; null when the pool is full or cannot hold it (the caller
// uses the ordinary path). Its memory reads as zero. tid: the allocating thread's;
// arena: the arena it is charged to (what arenas.lookup answers for it).
void* guard_alloc(std::size_t size, std::size_t usize, unsigned cls, std::size_t align, int tid,
                  unsigned arena) noexcept;
// The arena a live guarded object at p is charged to; false if p is not one.
bool guard_arena_of(const void* p, unsigned* arena) noexcept;

// p in the pool (chunk_kind says kGuard): kOk with its usable size and class, kInterior
// for a pointer that is not an object's start, kFreedBefore for a freed one, kUnknown for
// a slot that holds nothing.
FreeError guard_info(const void* p, std::size_t* usize, unsigned* cls) noexcept;

// Frees p (guard_info said kOk). A second free of it between guard_info and here is
// reported as a double free, as `call`.
void guard_free(void* p, int tid, const char* call) noexcept;

// One slot as the reports need it, copied out.
struct GuardSlotView {
  enum State : std::uint8_t { kUnused, kLive, kFreed } state;
  std::uintptr_t object;  // start of the object
  std::size_t usize, requested;
  int alloc_tid, free_tid;
  unsigned alloc_depth, free_depth;
  std::uintptr_t alloc_pcs[kGuardFrames], free_pcs[kGuardFrames];
};
// Where addr falls: false if outside the pool; else the slot it belongs to (a guard page
// is the slot's before it, the one it protects the end of) and whether it is a guard page.
bool guard_slot_at(std::uintptr_t addr, GuardSlotView* out, bool* in_guard_page) noexcept;

struct GuardStats {
  std::size_t live_bytes;    // usable bytes of the live guarded objects
  std::size_t live_pages;    // their pages (the pool's resident memory)
  std::size_t mapped;        // the pool's chunk, once mapped
  std::uint64_t allocs;      // objects guarded since start-up
  std::uint64_t full;        // guarded allocations not made: every slot was live
};
GuardStats guard_stats() noexcept;

void guard_prefork() noexcept;
void guard_postfork_parent() noexcept;
void guard_postfork_child() noexcept;

}  // namespace bento
