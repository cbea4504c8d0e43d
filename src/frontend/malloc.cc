// frontend/malloc.cc: the slow paths of malloc and free, calloc, usable size and the
// sized frees. No lock is held on entry; arena locks are taken through lock_favourite
// (allocation) or on the owner (free), the huge shard locks inside huge.cc.
#include "frontend/malloc.h"

#include <cstring>

#include "arena/free_batch.h"
#include "arena/huge.h"
#include "config/options.h"
#include "frontend/init.h"
#include "frontend/slow.h"
#include "guard/guard_report.h"
#include "platform/log.h"
#include "platform/os.h"
#include "prof/sample_table.h"

namespace bento {

namespace {
Arena* lock_for(ThreadState* ts) noexcept {
  if (ts != nullptr) {
    Arena* a = lock_favourite(ts->choice);
    if (ts->tcache != nullptr) ts->tcache->home_arena = ts->choice.favourite;
    return a;
  }
  Arena* a = arena_get(0);  // an exiting thread: no favourite any more
  a->lock();
  return a;
}

// The class for an uncached request, or kNoClass for huge.
unsigned class_for(std::size_t size) noexcept {
  return size <= kLargeMaxBytes ? size_to_class(size) : kNoClass;
}
}  // namespace

FreeError object_info(const void* p, ObjectInfo* out) noexcept {
  switch (chunk_kind(p)) {
    case ChunkKind::kArena: {
      const ChunkHeader* c = chunk_of(p);
      const std::size_t page = page_of(p);
      const PageInfo& pi = c->pages[page];
      if (pi.state == PageState::kFree) return FreeError::kFreePage;
      if (pi.state == PageState::kHeader) return FreeError::kNotAllocated;
      if (pi.state == PageState::kLarge) {
        if (pi.run_start != page || (to_addr(p) & (kPageSize - 1)) != 0) return FreeError::kInterior;
        // A large run's first page always names its class; a page map that says
        // otherwise is not indexed into the class table (g++'s -Warray-bounds saw that).
        const unsigned cls = page_class(pi);
        if (cls == kNoClass) return FreeError::kCorruptPageMap;
        *out = ObjectInfo{class_bytes(cls), cls, page_is_sampled(pi), false};
        return FreeError::kOk;
      }
      // Every page of a small run names its class: the run's metadata, a cache line
      // elsewhere in the header, is not read (malloc_usable_size on every allocation and
      // free, as redis makes them, waited for both lines).
      const unsigned cls = page_class(pi);
      if (cls >= kNumSmallClasses) return FreeError::kCorruptPageMap;
      const std::uintptr_t offset = to_addr(p) - (to_addr(c) + (std::size_t{pi.run_start} << kLgPage));
      if (region_index(cls, offset) * class_bytes(cls) != offset) return FreeError::kInterior;
      *out = ObjectInfo{class_bytes(cls), cls, false, false};
      return FreeError::kOk;
    }
    case ChunkKind::kHugeHead: {
      HugeInfo h;
      if ((to_addr(p) & kChunkMask) != 0) return FreeError::kHugeInterior;
      if (!huge_lookup(p, &h)) return FreeError::kUnknown;
      *out = ObjectInfo{h.usize, kNoClass, false, false, h};
      return FreeError::kOk;
    }
    case ChunkKind::kGuard: {
      *out = ObjectInfo{0, kNoClass, false, true};
      return guard_info(p, &out->usize, &out->cls);
    }
    case ChunkKind::kHugeBody:
      return FreeError::kHugeInterior;
    case ChunkKind::kNotOurs:
      break;
  }
  return FreeError::kUnknown;
}

void report_object_error(const char* call, const void* p, FreeError e) noexcept {
  if (chunk_kind(p) == ChunkKind::kGuard) {
    const ThreadState* ts = thread_state();
    guard_report_bad_free(call, p, ts != nullptr ? ts->tid : 0);
  }
  report_bad_free(call, p, e, "");
}

namespace {
// The one allocation path from an arena, for arena_alloc and arena_alloc_in: a is locked
// on entry, unlocked on return.
void* alloc_from_locked(Arena* a, ThreadState* ts, unsigned cls, std::size_t align, bool zero,
                        bool sampled) noexcept {
  bool zeroed = false;
  a->check_locked();
  void* p = sampled                ? a->alloc_sampled_locked(cls, align, &zeroed)
            : is_small_class(cls) ? a->alloc_small_locked(cls)
                                  : a->alloc_large_locked(cls, align, &zeroed);
  if (p != nullptr) a->merge_requests_locked(cls, 1);
  a->decay_tick_locked();
  a->unlock();
  if (p == nullptr) return nullptr;
  const std::size_t bytes = class_bytes(cls);
  if (zero || options().zero) {
    if (!zeroed) std::memset(p, 0, bytes);
  } else if (options().junk) {
    std::memset(p, kJunkAlloc, bytes);
  } else {
    clear_free_mark(p);  // it may carry the mark of its last free (fresh pages do not)
  }
  count_allocated(ts, bytes);
  return p;
}
}  // namespace

void* arena_alloc(ThreadState* ts, unsigned cls, std::size_t align, bool zero, bool sampled) noexcept {
  Arena* a = lock_for(ts);
  if (a == nullptr) return nullptr;
  return alloc_from_locked(a, ts, cls, align, zero, sampled);
}

void* arena_alloc_in(Arena* a, ThreadState* ts, unsigned cls, std::size_t align, bool zero,
                     bool sampled) noexcept {
  a->lock();
  return alloc_from_locked(a, ts, cls, align, zero, sampled);
}

void* huge_alloc_in(Arena* charge, ThreadState* ts, std::size_t size, std::size_t align, bool zero) noexcept {
  bool zeroed = false;
  void* p = huge_alloc(charge, size, align, &zeroed);
  if (p == nullptr) return nullptr;
  // Every usable byte: mallocx(MALLOCX_ZERO) promises the page-rounded tail too.
  const std::size_t usize = align_up(size, kPageSize);
  if ((zero || options().zero) && !zeroed) std::memset(p, 0, usize);
  count_allocated(ts, usize);
  return p;
}

void* huge_alloc_for(ThreadState* ts, std::size_t size, std::size_t align, bool zero) noexcept {
  return huge_alloc_in(arena_get(ts != nullptr ? ts->choice.favourite : 0), ts, size, align, zero);
}

namespace {
FreeError free_drained_locked(Arena* owner, void* p) noexcept {
  owner->check_locked();
  owner->drain_remote_locked();
  return owner->free_locked(p);
}
}  // namespace

void free_uncached(ThreadState* ts, void* p, const ObjectInfo* known, const char* call) noexcept {
  // A huge object's start, not profiled: its table entry is found once, by the free
  // itself (object_info would look it up first, under the same shard lock).
  if (known == nullptr && chunk_kind(p) == ChunkKind::kHugeHead && (to_addr(p) & kChunkMask) == 0 &&
      !prof_live_huge()) {
    std::size_t usize;
    if (!huge_free(p, &usize)) report_object_error(call, p, FreeError::kUnknown);
    count_deallocated(ts, usize);
    return;
  }
  ObjectInfo info;
  if (known == nullptr) {
    const FreeError e = object_info(p, &info);
    if (e != FreeError::kOk) report_object_error(call, p, e);
    known = &info;
  }
  if (known->guarded) {
    guard_free(p, ts != nullptr ? ts->tid : 0, call);
    count_deallocated(ts, known->usize);
    return;
  }
  if (known->sampled || (known->cls == kNoClass && prof_live_huge())) sampled_free(p, *known);
  if (known->cls == kNoClass) {
    if (!huge_free(p)) report_bad_free(call, p, FreeError::kUnknown, "");
  } else {
    if (options().junk) std::memset(p, kJunkFree, known->usize);
    // The arena checks p again under its lock: that check is the one that counts. Its
    // queue first, so that a free of p queued there is found before p is freed again.
    // Another thread's arena is locked as an observer's (ArenaObserverLock).
    Arena* owner = arena_get(chunk_of(p)->arena_index);
    FreeError fe;
    if (ts != nullptr && owner->index() != ts->choice.favourite) {
      ArenaObserverLock guard(owner);
      fe = free_drained_locked(owner, p);
    } else {
      LockGuard guard(owner->mutex());
      fe = free_drained_locked(owner, p);
    }
    if (fe != FreeError::kOk) report_bad_free(call, p, fe, "");
  }
  count_deallocated(ts, known->usize);
}

void free_decoded(void* p, unsigned fast_bin, const ObjectInfo* known, const char* call) noexcept {
  ThreadState* ts = thread_state();
  TCache* tc = ts != nullptr ? ts->tcache : nullptr;
  if (fast_bin < kFastBinLimit && tc != nullptr) {
    const unsigned cls = fast_bin >> kFastBinShift;
    CacheBin& b = tc->bins[cls];
    if (b.max_slots != 0 && (to_addr(p) & kClasses[cls].align_mask) == 0) {
      const bool strict = b.align_mask == ~std::uintptr_t{0};
      if (strict) {
        // strict_free sent every free here: the exact test that p starts an object
        // (the alignment alone does not show it), then the free mark (free_mark.h).
        if (known == nullptr) {
          ObjectInfo info;
          const FreeError e = object_info(p, &info);
          if (e != FreeError::kOk) report_object_error(call, p, e);
        }
        if (has_free_mark(p)) report_bad_free(call, p, FreeError::kFreedBefore, "");
        set_free_mark(p);
      }
      // Another arena's object is kept for reuse only behind objects of the thread's own:
      // into an empty bin it would be the next one handed out, which is how a thread ends
      // up writing an object on another thread's cache lines (cache-scratch).
      const bool home = is_home(tc, p);
      if (!home && b.ncached() == 0) {
        tcache_free_remote(tc, p, cls);
        return;
      }
      // As on the fast path, the line is fetched for the next malloc of the class, but
      // only where this thread allocates from it: a thread that only frees (a consumer)
      // would pull every object's line over for nothing (producer/consumer: 0.7x).
      if (home || b.nrequests != 0) __builtin_prefetch(p, 1, 3);
      if (!b.push(p)) tcache_flush_and_push(tc, cls, p, ts->choice);
      return;
    }
  }
  free_uncached(ts, p, known, call);
}

void free_checked(void* p, const ObjectInfo* known, const char* call) noexcept {
  free_decoded(p, fast_bin_of(p), known, call);
}

void* malloc_slow(std::size_t size) noexcept {
  ThreadState* ts = thread_state();
  if (ts == nullptr && !global_ready()) {
    os::set_errno_nomem();
    return nullptr;
  }
  void* p;
  if (ts != nullptr) {
    if (const SampleKind kind = sample_taken(ts, size); kind != SampleKind::kNone) {
      if ((p = sampled_alloc(ts, kind, size, kQuantum, false, class_for(size))) != nullptr) return p;
    }
  }
  if (size <= kLookupMaxBytes && ts != nullptr && ts->tcache != nullptr &&
      ts->tcache->bins[size_to_class_lookup(size)].max_slots != 0) {
    const unsigned cls = size_to_class_lookup(size);
    p = ts->tcache->bins[cls].pop();
    if (p == nullptr) p = tcache_refill_and_pop(ts->tcache, cls, ts->choice);
  } else {
    const unsigned cls = class_for(size);
    p = cls != kNoClass ? arena_alloc(ts, cls, kQuantum, false) : huge_alloc_for(ts, size, kChunkSize, false);
  }
  if (p == nullptr) os::set_errno_nomem();
  return p;
}

void free_slow(void* p) noexcept {
  if (p == nullptr) return;
  free_checked(p, nullptr, "free");
}

namespace {
// free_sized of an uncached class, a huge object, a wrong size or a bad pointer: the
// full decoding names the problem.
BENTO_NOINLINE void free_sized_checked(void* p, std::size_t size, unsigned fast_bin) noexcept {
  if (p == nullptr) return;
  ObjectInfo info;
  const FreeError e = object_info(p, &info);
  if (e != FreeError::kOk) report_object_error("free_sized", p, e);
  if (usable_size_for(size) != info.usize) report_bad_free("free_sized", p, FreeError::kWrongSize, "");
  free_decoded(p, fast_bin, &info, "free_sized");
}
}  // namespace

void free_sized_slow(void* p, std::size_t size) noexcept {
  // A cached class (most sized deletes that miss the fast path: another arena's object,
  // a full bin): the page map's class byte already names the object's class, so the
  // size is checked against it and free_decoded does the rest. No frame here: the rest
  // is a tail call either way (another arena's objects come this way, larson-sized).
  const unsigned off = fast_bin_of(p);
  if (BENTO_LIKELY(off < kFastBinLimit && size <= kLookupMaxBytes && kSizeToBin[(size + 15) >> 4] == off)) {
    return free_decoded(p, off, nullptr, "free_sized");
  }
  return free_sized_checked(p, size, off);
}

void* calloc_impl(std::size_t n, std::size_t size) noexcept {
  std::size_t total;
  if (__builtin_mul_overflow(n, size, &total)) {
    os::set_errno_nomem();
    return nullptr;
  }
  if (total <= kLookupMaxBytes) {
    void* p = malloc_fast(total);
    if (p != nullptr) std::memset(p, 0, total);
    return p;
  }
  ThreadState* ts = thread_state();
  if (ts == nullptr && !global_ready()) {
    os::set_errno_nomem();
    return nullptr;
  }
  const unsigned cls = class_for(total);
  if (ts != nullptr) {
    if (const SampleKind kind = sample_taken(ts, total); kind != SampleKind::kNone) {
      if (void* p = sampled_alloc(ts, kind, total, kQuantum, true, cls)) return p;
    }
  }
  void* p = cls != kNoClass ? arena_alloc(ts, cls, kQuantum, true) : huge_alloc_for(ts, total, kChunkSize, true);
  if (p == nullptr) os::set_errno_nomem();
  return p;
}

void fatal_out_of_memory(const char* call, std::size_t size) noexcept {
  fatal("{}({}): out of memory, and no C++ runtime is loaded to throw std::bad_alloc", call, size);
}

std::size_t usable_size_impl(const void* p) noexcept {
  if (p == nullptr) return 0;
  ObjectInfo info;
  const FreeError e = object_info(p, &info);
  if (e == FreeError::kUnknown) return 0;  // not bento's, as glibc answers for what is not its own
  if (e != FreeError::kOk) report_object_error("malloc_usable_size", p, e);
  return info.usize;
}

}  // namespace bento
