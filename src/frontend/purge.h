// frontend/purge.h: giving memory back now, for malloc_trim and arena.<i>.purge. The
// calling thread's cache is flushed first (the objects it holds would keep their runs in
// use: after Redis's FLUSHALL, the last few hundred freed objects of a class hold one run
// each), then every dirty page of the arena (or all arenas) is purged, one arena lock at
// a time, and freed huge mappings kept for reuse are unmapped.
#pragma once
#include <cstddef>

namespace bento {

inline constexpr unsigned kPurgeAllArenas = ~0u;

// Arena `index` (not yet created: none), or every arena; the pages and huge bytes given
// back, 0 when there was nothing to give.
std::size_t purge_now(unsigned index) noexcept;

}  // namespace bento
