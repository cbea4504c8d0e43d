// frontend/slow.h: the pieces the slow paths share (malloc.cc, realloc.cc, aligned.cc):
// uncached allocation from an arena or the OS, uncached free, and looking an object up
// from its address with the checks that make a bad pointer a clear error.
#pragma once
#include <cstddef>

#include "arena/arena.h"
#include "frontend/thread_state.h"

namespace bento {

struct ObjectInfo {
  std::size_t usize;  // usable bytes
  unsigned cls;       // size class, or kNoClass for a huge object
  bool sampled;       // on a sampled large run of its own (frontend/sampled.cc)
};

// Finds the object that starts at p (p != null). kOk or what is wrong with p.
FreeError object_info(const void* p, ObjectInfo* out) noexcept;

// An object of class cls (align: power of two, only > page matters) from ts's
// favourite arena, bypassing the cache; zeroed if `zero`. ts may be null (exiting thread).
// sampled: an object the heap profiler sampled, on a large run of its own.
void* arena_alloc(ThreadState* ts, unsigned cls, std::size_t align, bool zero, bool sampled = false) noexcept;
// A huge object; zeroed if `zero` (a fresh mapping already is; a reused one is cleared).
void* huge_alloc_for(ThreadState* ts, std::size_t size, std::size_t align, bool zero) noexcept;
// Any valid object, bypassing the cache; a bad pointer is reported as `call`. `known`:
// the caller's object_info of p, when it made one (p is then not looked up again).
void free_uncached(ThreadState* ts, void* p, const ObjectInfo* known, const char* call) noexcept;
// Frees a valid object the normal way: cache if it can, else uncached. `fast_bin`: p's
// fast_bin_of (the one decoding of p on the way in), `known` as above or null.
void free_decoded(void* p, unsigned fast_bin, const ObjectInfo* known, const char* call) noexcept;
void free_checked(void* p, const ObjectInfo* known, const char* call) noexcept;  // decodes p

// The heap profiler's sampled path (frontend/sampled.cc). sample_taken: this allocation
// of `size` requested bytes crossed the thread's countdown (the fast path's pop, if any,
// is undone) and the profiler is active. sampled_alloc then allocates it on pages of its
// own, as an object of class cls (what the ordinary path would have used, kNoClass for
// huge: its usable size is the ordinary one), and records it. Null when memory is short:
// the caller falls back to the ordinary path.
bool sample_taken(ThreadState* ts, std::size_t size) noexcept;
void* sampled_alloc(ThreadState* ts, std::size_t size, std::size_t align, bool zero, unsigned cls) noexcept;
// A sampled object is being freed: the profiler forgets it.
void sampled_free(void* p, const ObjectInfo& info) noexcept;

}  // namespace bento
