// arena/free_batch.cc: grouping frees by owning arena. Locks one arena at a time.
#include "arena/free_batch.h"

#include "arena/arena_set.h"
#include "chunk/chunk.h"
#include "platform/log.h"

namespace bento {

FreeError arena_free_batch(void** ptrs, std::size_t n, unsigned cls, void** bad) noexcept {
  while (n != 0) {
    const unsigned owner_index = chunk_of(ptrs[0])->arena_index;
    Arena* owner = arena_get(owner_index);
    std::size_t kept = 0;  // pointers of other arenas, compacted to the front
    owner->lock();
    owner->check_locked();
    if (is_small_class(cls)) {
      stat_add(owner->bin_stats_mut(cls).nflushes, 1);
    } else if (cls < kNumClasses) {
      stat_add(owner->large_stats_mut(cls - kNumSmallClasses).nflushes, 1);
    }
    for (std::size_t i = 0; i < n; ++i) {
      void* p = ptrs[i];
      if (chunk_of(p)->arena_index != owner_index) {
        ptrs[kept++] = p;
        continue;
      }
      const FreeError e = owner->free_locked(p);
      if (e != FreeError::kOk) {
        owner->unlock();
        *bad = p;
        return e;
      }
    }
    owner->unlock();
    n = kept;
  }
  return FreeError::kOk;
}

}  // namespace bento

namespace bento {

namespace {
const char* describe(FreeError e) noexcept {
  switch (e) {
    case FreeError::kOk: return "no error";
    case FreeError::kNotAllocated: return "invalid pointer: it lies in a chunk header";
    case FreeError::kFreePage: return "double free or invalid pointer: its page is free";
    case FreeError::kInterior: return "invalid pointer: inside an object, not at its start";
    case FreeError::kDoubleFree: return "double free: the object is already free";
    case FreeError::kUnknown: return "invalid pointer: not allocated by bento";
    case FreeError::kHugeInterior: return "invalid pointer: inside a huge object, not at its start";
    case FreeError::kWrongSize: return "size does not match the object's size";
    case FreeError::kFreedBefore: return "double free: the object was freed before and not allocated since";
    case FreeError::kCorruptPageMap: return "heap corrupt: the page map has no class for this large object";
    case FreeError::kUseAfterFree: return "use after free: the object was freed before and not allocated since";
    case FreeError::kWrongAlignment: return "pointer is not aligned as the call says";
  }
  return "invalid pointer";
}
}  // namespace

void report_bad_free(const char* call, const void* p, FreeError e, const char* when) noexcept {
  fatal("{}({}): {}{}", call, p, describe(e), when);
}

}  // namespace bento
