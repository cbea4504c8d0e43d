// frontend/realloc.cc: realloc and reallocarray. In place when the size class does not
// change, when a large run can shrink or grow into free neighbouring pages, or when a
// huge mapping can be resized (mremap moves pages, never copies); otherwise allocate,
// copy, free; the in-place part (resize_in_place) serves rallocx and xallocx too. No lock
// is held on entry.
#include <atomic>
#include <cstring>

#include "arena/arena_set.h"
#include "arena/free_batch.h"
#include "arena/huge.h"
#include "frontend/malloc.h"
#include "frontend/slow.h"
#include "platform/os.h"
#include "prof/sample_table.h"

namespace bento {

namespace {
constinit std::atomic<std::uint64_t> g_zero_reallocs{0};

bool resize_large_in_place(void* p, unsigned new_cls) noexcept {
  Arena* owner = arena_get(chunk_of(p)->arena_index);
  owner->lock();
  const bool ok = owner->resize_large_locked(p, new_cls);
  owner->unlock();
  return ok;
}
}  // namespace

void* resize_in_place(ThreadState* ts, void* p, const ObjectInfo& info, const AlignedPlan& plan, std::size_t size,
                      bool may_move) noexcept {
  if (info.cls != kNoClass) {
    if (plan.cls == kNoClass) return nullptr;
    if (plan.usize == info.usize) return p;
    // A sampled run is not resized: the resize would re-mark it as an ordinary one; nor is
    // a guarded object, whose slot is its size. Small objects never are.
    if (info.sampled || info.guarded || is_small_class(info.cls) || is_small_class(plan.cls)) return nullptr;
    if (!resize_large_in_place(p, plan.cls)) return nullptr;
    count_deallocated(ts, info.usize);
    count_allocated(ts, plan.usize);
    return p;
  }
  if (plan.cls != kNoClass || size <= kLargeMaxBytes) return nullptr;
  if (plan.usize == info.usize) return p;  // the same pages: no table lookup, no call
  void* q = huge_resize(p, size, may_move, info.huge.map_bytes != 0 ? &info.huge : nullptr);
  if (q == nullptr) return nullptr;
  if (prof_live_huge()) prof_moved(p, q);
  count_deallocated(ts, info.usize);
  count_allocated(ts, plan.usize);
  return q;
}

std::uint64_t zero_realloc_count() noexcept { return g_zero_reallocs.load(std::memory_order_relaxed); }

void* realloc_impl(void* p, std::size_t size) noexcept {
  if (p == nullptr) return malloc_fast(size);
  if (size == 0) {  // glibc: frees and returns null
    if constexpr (kStats) g_zero_reallocs.fetch_add(1, std::memory_order_relaxed);
    free_checked(p, nullptr, "realloc");
    return nullptr;
  }
  ObjectInfo info;
  const FreeError e = object_info(p, &info);
  if (e != FreeError::kOk) report_object_error("realloc", p, e);
  if (info.cls != kNoClass && has_free_mark(p)) report_bad_free("realloc", p, FreeError::kUseAfterFree, "");

  ThreadState* ts = thread_state();
  if (void* q = resize_in_place(ts, p, info, plan_aligned(1, size), size, true)) return q;
  void* q = malloc_fast(size);
  if (q == nullptr) return nullptr;  // errno set; p untouched
  std::memcpy(q, p, size < info.usize ? size : info.usize);
  free_checked(p, &info, "realloc");
  return q;
}

void* reallocarray_impl(void* p, std::size_t n, std::size_t size) noexcept {
  std::size_t total;
  if (__builtin_mul_overflow(n, size, &total)) {
    os::set_errno_nomem();
    return nullptr;
  }
  return realloc_impl(p, total);
}

}  // namespace bento
