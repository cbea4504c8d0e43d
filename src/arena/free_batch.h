// arena/free_batch.h: returns a batch of objects to the arenas that own them, one lock
// acquisition per owning arena (jemalloc's grouping). Every pointer must lie in an arena
// chunk (the caller checked the registry). Stops at the first invalid free and reports
// which pointer and why; the caller then aborts.
#pragma once
#include <cstddef>

#include "arena/arena.h"

namespace bento {

// Frees ptrs[0..n). On an invalid free returns its error and sets *bad; kOk otherwise.
// The order of ptrs is not preserved. `cls` (a cached class, or kNoClass) is counted as
// one flush in each owning arena's bin. `home` is the caller's favourite arena: other
// arenas' objects go to their remote-free queues, or are freed under their locks taken
// as an observer's (ArenaObserverLock) when a queue is full or no thread uses the arena.
FreeError arena_free_batch(void** ptrs, std::size_t n, unsigned cls, unsigned home, void** bad) noexcept;

// One line naming the call, the pointer and the problem, then abort. `when` adds where
// it was found (e.g. while flushing a thread cache), or is empty.
[[noreturn]] void report_bad_free(const char* call, const void* p, FreeError e,
                                  const char* when) noexcept;

}  // namespace bento
