// arena/free_batch.cc: grouping frees by owning arena. Locks one arena at a time.
#include "arena/free_batch.h"

#include "arena/arena_set.h"
#include "chunk/chunk.h"
#include "platform/log.h"

namespace bento {

namespace {
// Frees the pointers of ptrs[0..n) that owner (locked) owns; compacts the others to the
// front and returns how many, or sets *bad and *e at the first invalid free.
std::size_t free_owned_locked(Arena* owner, void** ptrs, std::size_t n, unsigned cls, void** bad,
                              FreeError* e) noexcept {
  owner->check_locked();
  if (is_small_class(cls)) {
    stat_add(owner->bin_stats_mut(cls).nflushes, 1);
  } else if (cls < kNumClasses) {
    stat_add(owner->large_stats_mut(cls - kNumSmallClasses).nflushes, 1);
  }
  std::size_t kept = 0;
  for (std::size_t i = 0; i < n; ++i) {
    void* p = ptrs[i];
    if (chunk_of(p)->arena_index != owner->index()) {
      ptrs[kept++] = p;
      continue;
    }
    *e = owner->free_locked(p);
    if (*e != FreeError::kOk) {
      *bad = p;
      return 0;
    }
  }
  return kept;
}

// Queues owner's pointers of ptrs[0..n) on its remote queue, compacting the rest to the
// front; returns how many are left. Stops queueing (*full) when the queue is full: those
// of owner's left then need its lock.
std::size_t queue_owned(Arena* owner, void** ptrs, std::size_t n, bool* full) noexcept {
  void* batch[64];
  std::size_t nbatch = 0, bytes = 0, kept = 0;
  *full = false;
  // Pushes the batch; what does not fit goes back to the front with the others.
  auto push_batch = [&] {
    if (nbatch != 0 && !owner->remote().push(batch, nbatch, bytes)) {
      *full = true;
      for (std::size_t j = 0; j < nbatch; ++j) ptrs[kept++] = batch[j];
    }
    nbatch = bytes = 0;
  };
  for (std::size_t i = 0; i < n; ++i) {
    void* p = ptrs[i];
    if (*full || chunk_of(p)->arena_index != owner->index()) {
      ptrs[kept++] = p;
      continue;
    }
    batch[nbatch++] = p;
    bytes += queued_bytes(p);
    if (nbatch == 64) push_batch();
  }
  push_batch();
  return kept;
}
}  // namespace

FreeError arena_free_batch(void** ptrs, std::size_t n, unsigned cls, unsigned home, void** bad) noexcept {
  FreeError e = FreeError::kOk;
  while (n != 0 && e == FreeError::kOk) {
    Arena* owner = arena_get(chunk_of(ptrs[0])->arena_index);
    if (owner->index() == home) {
      LockGuard guard(owner->mutex());
      n = free_owned_locked(owner, ptrs, n, cls, bad, &e);
      continue;
    }
    // Another thread's arena: queued for its lock holder, without its lock. When the
    // queue is full, or no thread has the arena as its favourite (nobody would drain it
    // soon: threads that came and went), this thread frees them itself, holding the
    // lock as an observer does (ArenaObserverLock), and drains the queue.
    if (owner->nthreads.load(std::memory_order_relaxed) != 0) {
      bool full;
      n = queue_owned(owner, ptrs, n, &full);
      if (!full) continue;
    }
    ArenaObserverLock guard(owner);
    n = free_owned_locked(owner, ptrs, n, cls, bad, &e);
    if (e == FreeError::kOk) owner->drain_remote_locked();
  }
  return e;
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
