// tcache/free_mark.h: the free mark, how a small or large object that bento holds free
// is told apart at the next free of the same pointer (a double free caught at the call,
// as glibc's tcache does). Every free of such an object writes the mark, a random word
// chosen at start-up, over the object's first word before the object is kept anywhere
// (a cache bin, a remote batch, its arena's run). Every path that hands one out again
// clears it (CacheBin::pop, arena_alloc). So a pointer whose first word is the mark was
// freed and not handed out since: freeing it again, or reallocating it, is an error.
//
// Huge objects carry no mark (their own mapping and table find a double free). The mark
// is written by the freeing thread into memory it was just using; it costs the free fast
// path a load, a compare and a store, the malloc fast path one store.
// g_free_mark is written once, at start-up, before any free; read without a lock.
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
