// frontend/allocx.cc: jemalloc's *allocx calls on bento's pieces. No lock is held on
// entry; arena locks are taken inside the shared helpers (slow.h), the huge shard locks
// in huge.cc. Semantics follow jemalloc(3) (5.3):
//   MALLOCX_LG_ALIGN / ALIGN   the aligned plan posix_memalign uses (aligned.cc), so
//                              nallocx, sallocx and sdallocx agree with it
//   MALLOCX_ZERO               the object (rallocx, xallocx: the grown part) reads zero
//   MALLOCX_ARENA(a)           allocated from arena a (an index >= arenas.narenas: null).
//                              jemalloc may hand out a cached object of another arena
//                              here; bento bypasses the thread cache, so the object
//                              really is a's. Frees go to the owner anyway.
//   MALLOCX_TCACHE_NONE, MALLOCX_TCACHE(id)   no thread cache: from and to the arena
//                              directly. Correct, not faster: bento's explicit caches
//                              hold nothing (explicit_tcache.h). An id tcache.create did
//                              not hand out (or tcache.destroy took back) is undefined in
//                              jemalloc; bento reports it in one line and aborts.
// Choices where jemalloc leaves the behaviour undefined: size 0 is a minimum object (as
// malloc(0)); rallocx(NULL, ...) is mallocx; dallocx(NULL) does nothing; a failing
// mallocx/rallocx also sets errno to ENOMEM. Sized frees must name the object's usable
// size through nallocx(size, flags) (as free_sized: any other size is reported).
#include "frontend/allocx.h"

#include <cstring>

#include "arena/free_batch.h"
#include "arena/huge.h"
#include "frontend/explicit_tcache.h"
#include "frontend/init.h"
#include "frontend/malloc.h"
#include "frontend/slow.h"
#include "platform/log.h"
#include "platform/os.h"
#include "prof/sample_table.h"

namespace bento {

namespace {

struct Flags {
  std::size_t align = 1;  // power of two; 1: no alignment asked
  bool zero = false;
  bool cached = true;     // through the thread cache
  Arena* arena = nullptr; // null: the thread's favourite
};

std::size_t align_of(int flags) noexcept {
  const unsigned la = static_cast<unsigned>(flags & kAllocxLgAlignMask);
  return std::size_t{1} << la;  // la <= 63
}

// The tcache field: false for the thread cache, true to bypass it (NONE or a live
// explicit cache). A dead id is fatal.
bool bypass_cache(int flags, const char* call) noexcept {
  const unsigned tc = static_cast<unsigned>(flags >> kAllocxTcacheShift) & kAllocxTcacheMask;
  if (tc == 0) return false;
  if (tc != kAllocxTcacheNone && !explicit_tcache_in_use(tc - 2)) {
    fatal("{}(flags {:#x}): MALLOCX_TCACHE({}) names no cache that tcache.create made (or it was destroyed)",
          call, static_cast<unsigned>(flags), tc - 2);
  }
  return true;
}

// Every flag of an allocating call; false when MALLOCX_ARENA names no arena.
bool decode(int flags, const char* call, Flags* out) noexcept {
  out->align = align_of(flags);
  out->zero = (flags & kAllocxZero) != 0;
  out->cached = !bypass_cache(flags, call);
  const unsigned ar = static_cast<unsigned>(flags) >> kAllocxArenaShift;
  if (ar != 0) {
    if (thread_state() == nullptr && !global_ready()) return false;  // sets bento up first
    if (ar - 1 >= narenas()) return false;
    out->arena = arena_get_or_create(ar - 1);
    if (out->arena == nullptr) return false;
    out->cached = false;
  }
  return true;
}

// The usable size mallocx(size) at `align` gives; 0 when it would fail on the request
// alone (memory aside).
std::size_t usize_for(std::size_t size, std::size_t align) noexcept {
  if (align > kMaxAlign) return 0;
  const AlignedPlan plan = plan_aligned(align, size == 0 ? 1 : size);
  if (plan.cls == kNoClass) {
    const std::size_t mapped = align_up(plan.usize, kChunkSize);
    if (plan.usize == 0 || mapped < plan.usize || mapped > kMaxAlign) return 0;  // huge.cc's limit
  }
  return plan.usize;
}

ObjectInfo info_or_report(const void* p, const char* call) noexcept {
  ObjectInfo info;
  const FreeError e = object_info(p, &info);
  if (e != FreeError::kOk) report_object_error(call, p, e);
  return info;
}

void release(ThreadState* ts, void* p, const ObjectInfo* info, bool cached, const char* call) noexcept {
  if (cached) {
    free_checked(p, info, call);
  } else {
    free_uncached(ts, p, info, call);
  }
}

}  // namespace

void* mallocx_impl(std::size_t size, int flags) noexcept {
  if (flags == 0) return malloc_fast(size);
  Flags f;
  void* p = decode(flags, "mallocx", &f) ? aligned_alloc_with(f.align, size, f.zero, f.arena, f.cached) : nullptr;
  if (p == nullptr) os::set_errno_nomem();
  return p;
}

std::size_t nallocx_impl(std::size_t size, int flags) noexcept { return usize_for(size, align_of(flags)); }

std::size_t sallocx_impl(const void* p, int) noexcept { return info_or_report(p, "sallocx").usize; }

void dallocx_impl(void* p, int flags) noexcept {
  if (p == nullptr) return;
  release(thread_state(), p, nullptr, !bypass_cache(flags, "dallocx"), "dallocx");
}

void sdallocx_impl(void* p, std::size_t size, int flags) noexcept {
  if (p == nullptr) return;
  const std::size_t align = align_of(flags);
  const bool cached = !bypass_cache(flags, "sdallocx");
  const unsigned off = fast_bin_of(p);
  // The common case, as free_sized_slow: a cached class whose page-map byte already names
  // the size's class.
  if (cached && align <= kQuantum && off < kFastBinLimit && size <= kLookupMaxBytes &&
      kSizeToBin[(size + 15) >> 4] == off) {
    free_decoded(p, off, nullptr, "sdallocx");
    return;
  }
  const ObjectInfo info = info_or_report(p, "sdallocx");
  if ((to_addr(p) & (align - 1)) != 0) report_bad_free("sdallocx", p, FreeError::kWrongAlignment, "");
  if (usize_for(size, align) != info.usize) report_bad_free("sdallocx", p, FreeError::kWrongSize, "");
  if (cached) {
    free_decoded(p, off, &info, "sdallocx");
  } else {
    free_uncached(thread_state(), p, &info, "sdallocx");
  }
}

void* rallocx_impl(void* p, std::size_t size, int flags) noexcept {
  if (p == nullptr) return mallocx_impl(size, flags);
  if (size == 0) size = 1;
  Flags f;
  const ObjectInfo info = info_or_report(p, "rallocx");
  if (info.cls != kNoClass && has_free_mark(p)) report_bad_free("rallocx", p, FreeError::kUseAfterFree, "");
  if (!decode(flags, "rallocx", &f) || usize_for(size, f.align) == 0) {
    os::set_errno_nomem();
    return nullptr;
  }
  ThreadState* ts = thread_state();
  if ((to_addr(p) & (f.align - 1)) == 0) {
    // Moved huge pages land chunk-aligned: allowed where that is aligned enough.
    const AlignedPlan plan = plan_aligned(f.align, size);
    if (void* q = resize_in_place(ts, p, info, plan, size, f.align <= kChunkSize)) {
      if (f.zero && plan.usize > info.usize) std::memset(static_cast<char*>(q) + info.usize, 0, plan.usize - info.usize);
      return q;
    }
  }
  void* q = aligned_alloc_with(f.align, size, f.zero, f.arena, f.cached);
  if (q == nullptr) {
    os::set_errno_nomem();
    return nullptr;  // p untouched
  }
  // As jemalloc: every usable byte that both have (MALLOCX_ZERO zeroed the rest).
  const std::size_t new_usize = usize_for(size, f.align);
  std::memcpy(q, p, new_usize < info.usize ? new_usize : info.usize);
  release(ts, p, &info, f.cached, "rallocx");
  return q;
}

std::size_t xallocx_impl(void* p, std::size_t size, std::size_t extra, int flags) noexcept {
  const ObjectInfo info = info_or_report(p, "xallocx");
  if (info.cls != kNoClass && has_free_mark(p)) report_bad_free("xallocx", p, FreeError::kUseAfterFree, "");
  const std::size_t align = align_of(flags);
  const bool zero = (flags & kAllocxZero) != 0;
  if (size == 0) size = 1;
  std::size_t most;
  if (__builtin_add_overflow(size, extra, &most)) most = ~std::size_t{0};
  if ((info.usize >= size && info.usize <= most) || (to_addr(p) & (align - 1)) != 0) return info.usize;
  ThreadState* ts = thread_state();
  // The largest fitting target first, then the least that will do.
  const std::size_t targets[2] = {most, size};
  for (std::size_t want : targets) {
    AlignedPlan plan;
    if (info.cls != kNoClass) {
      if (want > kLargeMaxBytes) want = kLargeMaxBytes;  // a large run stays one
      unsigned cls = size_to_class(want);
      if (is_small_class(cls)) cls = static_cast<unsigned>(kNumSmallClasses);
      if (class_bytes(cls) < size) continue;
      plan = AlignedPlan{cls, false, class_bytes(cls)};
    } else {
      if (want <= kLargeMaxBytes || usize_for(want, align) == 0) continue;
      plan = AlignedPlan{kNoClass, false, align_up(want, kPageSize)};
    }
    if (resize_in_place(ts, p, info, plan, want, false) != nullptr) {
      if (zero && plan.usize > info.usize) std::memset(static_cast<char*>(p) + info.usize, 0, plan.usize - info.usize);
      return plan.usize;
    }
  }
  return info.usize;
}

}  // namespace bento
