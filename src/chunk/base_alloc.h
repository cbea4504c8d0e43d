// chunk/base_alloc.h: memory for bento's own metadata (arenas, thread states, the huge
// table). Bump-allocated from OS blocks under one lock and never returned; callers that
// recycle (thread states) keep their own free lists. Nothing here calls malloc.
#pragma once
#include <cstddef>

#include "platform/mutex.h"

namespace bento {

struct BaseStats {
  std::size_t mapped = 0;     // bytes of OS blocks taken for metadata
  std::size_t allocated = 0;  // bytes handed out
};

// Zeroed memory of `bytes` aligned to `align` (<= page), or nullptr when the OS says no.
void* base_alloc(std::size_t bytes, std::size_t align = 64) noexcept;
BaseStats base_stats() noexcept;
LockCounters base_lock_counters() noexcept;
// Resident bytes of the metadata blocks (mincore).
std::size_t base_resident_bytes() noexcept;

// Fork support: the lock is taken before fork and released/re-initialised after.
void base_prefork() noexcept;
void base_postfork_parent() noexcept;
void base_postfork_child() noexcept;

}  // namespace bento
