// tcache/free_mark.h: the free mark, strict_free's test for a double free at the call
// (as glibc's tcache makes). With strict_free every free of a cached class takes the slow
// path, which refuses a pointer whose first word is the mark and then writes it there,
// a random word chosen at start-up. Every path that hands an object out clears it
// (CacheBin::pop, arena_alloc), whatever the option: a pointer that carries the mark was
// freed and not handed out since, wherever the object went after its first free (deeper
// in the bin, its run, another thread's cache or batch).
//
// Not on the default fast path: a free that reads or writes the object waits for memory
// when the object is cold (larson: half the throughput). The clear costs malloc one store
// to a line the program writes next. Huge objects carry none (their table finds a
// double free). g_free_mark is written once, at start-up, before any free.
#pragma once
#include <cstdint>

#include "base/compiler.h"

namespace bento {

extern constinit BENTO_HIDDEN std::uintptr_t g_free_mark;

// Picks the mark for this process (start-up, before the first free).
void free_mark_init(std::uint64_t seed) noexcept;

using MarkWord __attribute__((may_alias)) = std::uintptr_t;

BENTO_ALWAYS_INLINE bool has_free_mark(const void* p) noexcept {
  return *static_cast<const MarkWord*>(p) == g_free_mark;
}
BENTO_ALWAYS_INLINE void set_free_mark(void* p) noexcept { *static_cast<MarkWord*>(p) = g_free_mark; }
BENTO_ALWAYS_INLINE void clear_free_mark(void* p) noexcept { *static_cast<MarkWord*>(p) = 0; }

}  // namespace bento
