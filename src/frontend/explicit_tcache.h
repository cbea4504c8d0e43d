// frontend/explicit_tcache.h: the ids of jemalloc's explicit thread caches
// (tcache.create / tcache.flush / tcache.destroy, MALLOCX_TCACHE(id)). bento keeps no
// objects in an explicit cache: an allocation naming one bypasses every cache (allocx.cc),
// so a cache is only an id, and flushing one has nothing to return. The table lives
// here, below mallctl, so that the *allocx calls can check an id they are given.
#pragma once

namespace bento {

inline constexpr unsigned kMaxExplicitCaches = 4096;

// A free id, now in use; kMaxExplicitCaches when every one is taken.
unsigned explicit_tcache_create() noexcept;
// False if id is not in use (never created, or destroyed). destroy frees the id.
bool explicit_tcache_flush(unsigned id) noexcept;
bool explicit_tcache_destroy(unsigned id) noexcept;
// Whether id names a live explicit cache; lock-free (a racing destroy is the caller's bug).
bool explicit_tcache_in_use(unsigned id) noexcept;

}  // namespace bento
