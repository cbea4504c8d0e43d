// frontend/aligned.cc: posix_memalign, aligned_alloc, memalign, valloc, pvalloc and the
// aligned frees. One plan decides where an aligned request goes, so allocation and
// free_aligned_sized agree on the usable size:
//   align <= 16                 the ordinary class of the size
//   align <= page, small size   the smallest small class >= size whose region size is a
//                               multiple of align (regions of page-aligned runs are then
//                               aligned), served through the thread cache
//   large size (or no small class fits)   a large run carved at the alignment
//   beyond what a chunk run can align     a huge mapping at the alignment (up to 2^46)
#include <cerrno>
#include <cstring>

#include "arena/free_batch.h"
#include "arena/huge.h"
#include "frontend/init.h"
#include "frontend/malloc.h"
#include "frontend/slow.h"
#include "platform/os.h"

namespace bento {

AlignedPlan plan_aligned(std::size_t align, std::size_t size) noexcept {
  if (align <= kQuantum) {
    if (size <= kLargeMaxBytes) {
      const unsigned cls = size_to_class(size);
      return {cls, true, class_bytes(cls)};
    }
    return {kNoClass, false, usable_size_for(size)};
  }
  if (align <= kPageSize && size <= kSmallMaxBytes) {
    for (unsigned c = size_to_class(size); c < kNumSmallClasses; ++c) {
      if (class_bytes(c) % align == 0) return {c, true, class_bytes(c)};
    }
  }
  if (size <= kLargeMaxBytes) {
    unsigned cls = size_to_class(size);
    if (cls < kNumSmallClasses) cls = static_cast<unsigned>(kNumSmallClasses);
    const std::size_t align_pages = align / kPageSize;
    if (align <= kPageSize || kClasses[cls].run_pages + align_pages - 1 <= kMaxRunPages) {
      return {cls, false, class_bytes(cls)};
    }
  }
  // Huge: page-rounded; a request that cannot be represented has usize 0.
  const std::size_t usize = align_up(size, kPageSize);
  return {kNoClass, false, usize < size ? 0 : usize};
}

void* aligned_alloc_with(std::size_t align, std::size_t size, bool zero, Arena* arena, bool cached) noexcept {
  if (size == 0) size = 1;
  const AlignedPlan plan = plan_aligned(align, size);
  if (plan.usize == 0 || align > kMaxAlign) return nullptr;
  if (plan.via_cache && cached && arena == nullptr) {
    void* p = malloc_fast(plan.usize);
    // A cached object is not zeroed by the cache (opt.zero turns the caches off).
    if (p != nullptr && zero) std::memset(p, 0, plan.usize);
    return p;
  }
  ThreadState* ts = thread_state();
  if (ts == nullptr && !global_ready()) return nullptr;
  void* p = nullptr;
  if (ts != nullptr) {
    if (const SampleKind kind = sample_taken(ts, size); kind != SampleKind::kNone) {
      p = sampled_alloc(ts, kind, size, align, zero, plan.cls, arena);
    }
  }
  if (p != nullptr) return p;
  if (arena != nullptr) {
    return plan.cls != kNoClass ? arena_alloc_in(arena, ts, plan.cls, align, zero)
                                : huge_alloc_in(arena, ts, size, align, zero);
  }
  return plan.cls != kNoClass ? arena_alloc(ts, plan.cls, align, zero) : huge_alloc_for(ts, size, align, zero);
}

namespace {
void* aligned_alloc_checked(std::size_t align, std::size_t size) noexcept {
  void* p = aligned_alloc_with(align, size, false, nullptr, true);
  if (p == nullptr) os::set_errno_nomem();
  return p;
}
}  // namespace

int posix_memalign_impl(void** out, std::size_t align, std::size_t size) noexcept {
  if (align < sizeof(void*) || !is_pow2(align)) return EINVAL;
  void* p = aligned_alloc_checked(align, size);
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}

void* aligned_alloc_impl(std::size_t align, std::size_t size) noexcept {
  if (align == 0 || !is_pow2(align)) {
    os::set_errno_inval();
    return nullptr;
  }
  return aligned_alloc_checked(align, size);
}

void* memalign_impl(std::size_t align, std::size_t size) noexcept {
  // glibc: a non-power-of-two alignment is rounded up to the next power of two.
  if (align > (std::size_t{1} << 46)) {
    os::set_errno_inval();
    return nullptr;
  }
  if (!is_pow2(align)) align = align == 0 ? 1 : std::size_t{1} << lg_ceil(align);
  return aligned_alloc_checked(align, size);
}

void* valloc_impl(std::size_t size) noexcept { return aligned_alloc_checked(kPageSize, size); }

void* pvalloc_impl(std::size_t size) noexcept {
  const std::size_t rounded = align_up(size == 0 ? 1 : size, kPageSize);
  if (rounded < size) {
    os::set_errno_nomem();
    return nullptr;
  }
  return aligned_alloc_checked(kPageSize, rounded);
}

void free_aligned_impl(void* p, std::size_t align) noexcept {
  if (p == nullptr) return;
  if (!is_pow2(align) || (to_addr(p) & (align - 1)) != 0) {
    report_bad_free("operator delete", p, FreeError::kWrongAlignment, "");
  }
  free_checked(p, nullptr, "operator delete");
}

void free_aligned_sized_impl(void* p, std::size_t align, std::size_t size) noexcept {
  if (p == nullptr) return;
  if (!is_pow2(align) || (to_addr(p) & (align - 1)) != 0) {
    report_bad_free("free_aligned_sized", p, FreeError::kWrongAlignment, "");
  }
  ObjectInfo info;
  const FreeError e = object_info(p, &info);
  if (e != FreeError::kOk) report_object_error("free_aligned_sized", p, e);
  if (plan_aligned(align, size == 0 ? 1 : size).usize != info.usize) {
    report_bad_free("free_aligned_sized", p, FreeError::kWrongSize, "");
  }
  free_checked(p, &info, "free_aligned_sized");
}

}  // namespace bento
