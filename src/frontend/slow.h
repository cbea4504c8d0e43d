// frontend/slow.h: the pieces the slow paths share (malloc.cc, realloc.cc, aligned.cc):
// uncached allocation from an arena or the OS, uncached free, and looking an object up
// from its address with the checks that make a bad pointer a clear error.
#pragma once
#include <cstddef>

#include "arena/arena.h"
#include "arena/huge.h"
#include "frontend/thread_state.h"
#include "prof/sampler.h"

namespace bento {

struct ObjectInfo {
  std::size_t usize;  // usable bytes
  unsigned cls;       // size class, or kNoClass for a huge object
  bool sampled;       // on a sampled large run of its own (frontend/sampled.cc)
  bool guarded;       // in the guard pool (guard/guard_pool.h)
  // A huge object's table entry as object_info found it (all 0 otherwise), so that a
  // resize need not look it up again (realloc of a huge object: mix).
  HugeInfo huge{};
};

// What opt.junk writes into new and freed objects.
inline constexpr unsigned char kJunkAlloc = 0xa5, kJunkFree = 0x5a;

// Finds the object that starts at p (p != null). kOk or what is wrong with p.
FreeError object_info(const void* p, ObjectInfo* out) noexcept;
// Reports what object_info found wrong with p, as `call`, and aborts; a pointer into the
// guard pool gets the guard's report, with the object's history.
[[noreturn]] void report_object_error(const char* call, const void* p, FreeError e) noexcept;

// An object of class cls (align: power of two, only > page matters) from ts's
// favourite arena, bypassing the cache; zeroed if `zero`. ts may be null (exiting thread).
// sampled: an object the heap profiler sampled, on a large run of its own.
void* arena_alloc(ThreadState* ts, unsigned cls, std::size_t align, bool zero, bool sampled = false) noexcept;
// The same from arena a (MALLOCX_ARENA), which must exist; counted on ts as above.
void* arena_alloc_in(Arena* a, ThreadState* ts, unsigned cls, std::size_t align, bool zero,
                     bool sampled = false) noexcept;
// A huge object; zeroed if `zero` (a fresh mapping already is; a reused one is cleared).
// huge_alloc_for charges it to ts's favourite arena, huge_alloc_in to `charge` (the arena
// arenas.lookup then names).
void* huge_alloc_for(ThreadState* ts, std::size_t size, std::size_t align, bool zero) noexcept;
void* huge_alloc_in(Arena* charge, ThreadState* ts, std::size_t size, std::size_t align, bool zero) noexcept;

// Where an aligned request goes (aligned.cc): the class (kNoClass: huge), whether a
// malloc of usize through the thread cache serves it, and the usable size (0: the
// request cannot be represented). align: a power of two; size > 0.
struct AlignedPlan {
  unsigned cls;
  bool via_cache;
  std::size_t usize;
};
AlignedPlan plan_aligned(std::size_t align, std::size_t size) noexcept;
inline constexpr std::size_t kMaxAlign = std::size_t{1} << 46;  // what huge mappings can align
// An object of `size` (0 counts as 1) at `align`, zeroed if `zero`, sampled by the heap
// profiler as malloc's are. arena null and `cached`: the thread's cache and favourite
// arena, as posix_memalign; otherwise from `arena` (null: the favourite) bypassing the
// thread cache. Null (errno untouched) when memory is short or the request impossible.
void* aligned_alloc_with(std::size_t align, std::size_t size, bool zero, Arena* arena, bool cached) noexcept;
// realloc without a copy (realloc.cc): p (described by info) resized to `size`, whose
// plan is `plan`, where it is: a large run into the pages after it, a huge mapping with
// mremap (may_move: its pages may go to another chunk-aligned address). The object, or
// null when that needs a copy. Counted on ts.
void* resize_in_place(ThreadState* ts, void* p, const ObjectInfo& info, const AlignedPlan& plan, std::size_t size,
                      bool may_move) noexcept;
// Any valid object, bypassing the cache; a bad pointer is reported as `call`. `known`:
// the caller's object_info of p, when it made one (p is then not looked up again).
void free_uncached(ThreadState* ts, void* p, const ObjectInfo* known, const char* call) noexcept;
// Frees a valid object the normal way: cache if it can, else uncached. `fast_bin`: p's
// fast_bin_of (the one decoding of p on the way in), `known` as above or null.
void free_decoded(void* p, unsigned fast_bin, const ObjectInfo* known, const char* call) noexcept;
void free_checked(void* p, const ObjectInfo* known, const char* call) noexcept;  // decodes p

// The sampled paths (frontend/sampled.cc). sample_taken: this allocation of `size`
// requested bytes crossed the thread's countdown (the fast path's pop, if any, is
// undone): kProfile when the heap profiler is active and takes it, kGuard when the guard
// pool does. sampled_alloc then allocates it, as an object of class cls (what the
// ordinary path would have used, kNoClass for huge: its usable size is the ordinary
// one): on pages of its own, recorded by the profiler, or between guard pages. Null when
// memory is short or the guard pool full: the caller falls back to the ordinary path.
SampleKind sample_taken(ThreadState* ts, std::size_t size) noexcept;
// arena: where it comes from (null: ts's favourite; an explicit arena is never guarded).
void* sampled_alloc(ThreadState* ts, SampleKind kind, std::size_t size, std::size_t align, bool zero, unsigned cls,
                    Arena* arena = nullptr) noexcept;
// A sampled object is being freed: the profiler forgets it.
void sampled_free(void* p, const ObjectInfo& info) noexcept;

}  // namespace bento
