// frontend/sampled.cc: the allocations the sampler (prof/sampler.h) takes off the fast
// path. A heap-profile sample (one in about 2^lg_prof_sample requested bytes) gets a
// large run of its own (or its huge mapping), marked in the page map, so that its free
// leaves the fast path by the test free already makes (chunk.h: kSampledFastBin), and its
// call stack goes into the profiler's table. A guarded sample (one allocation in
// guard_sample) goes to the guard pool (guard/guard_pool.h), whose chunk kind sends its
// free to the slow path too. No lock is held on entry or exit; the arena lock, the
// profiler's lock and the guard pool's are taken inside, one at a time.
#include <cstring>

#include "chunk/chunk_registry.h"
#include "config/options.h"
#include "frontend/slow.h"
#include "guard/guard_pool.h"
#include "prof/sample_table.h"

namespace bento {

namespace {
// Guarded samples are taken once bento maps guard_min_heap_mb: the first one pulls in the
// unwinder and the call-frame tables of every object on the stack (in a two-thread C++
// program, 300 KiB of libbento, libc and libstdc++ that stay resident: 8 % of a 3.8 MiB
// program). Asked only when a countdown runs out.
bool guard_heap_big_enough() noexcept {
  return registry_chunks() * (kChunkSize >> 20) >= options().guard_min_heap_mb;
}
}  // namespace

SampleKind sample_taken(ThreadState* ts, std::size_t size) noexcept {
  const bool in_bin = ts->tcache != nullptr && size <= kLookupMaxBytes;
  if (!in_bin && size <= kGuardMaxBytes && guard_rate() != 0 && --ts->guard_countdown < 0) {
    ts->guard_countdown = guard_next_count(ts->sample_rng);
    if (guard_heap_big_enough()) return SampleKind::kGuard;
  }
  std::int64_t& countdown = sample_countdown(ts, size);
  SampleKind kind = SampleKind::kNone;
  if (BENTO_UNLIKELY(countdown < 0)) {
    // Only the fast path leaves a bin's below zero, after popping an object of it: that
    // object goes back.
    ts->tcache->bins[size_to_class_lookup(size)].unpop();
  }
  if (countdown < 0 || (countdown -= static_cast<std::int64_t>(size)) < 0) {
    const std::size_t guardable =
        in_bin && guard_rate() != 0 && guard_heap_big_enough() ? guardable_bytes(size_to_class_lookup(size)) : 0;
    kind = sample_due(countdown, ts->sample_rng, guardable, size);
  }
  // Another thread changed a setting (prof.active, prof.reset, guard.sample): every
  // countdown is drawn again under the new one. A thread that only cycles objects through its cache gets here
  // at its next crossing, which comes within about a MiB (sampler.cc, kMaxDrawn).
  if (BENTO_UNLIKELY(ts->sample_generation != sample_settings_generation())) thread_sample_rearm(ts);
  return kind;
}

namespace {
void* guarded_alloc(ThreadState* ts, std::size_t size, std::size_t align, bool zero, unsigned cls) noexcept {
  if (cls == kNoClass) return nullptr;
  const std::size_t usize = class_bytes(cls);
  void* p = guard_alloc(size, usize, cls, align, ts != nullptr ? ts->tid : 0, ts != nullptr ? ts->choice.favourite : 0);
  if (p == nullptr) return nullptr;
  // Its pages are fresh or purged: zero already, as calloc wants.
  if (options().junk && !zero && !options().zero) std::memset(p, kJunkAlloc, usize);
  count_allocated(ts, usize);
  return p;
}
}  // namespace

void* sampled_alloc(ThreadState* ts, SampleKind kind, std::size_t size, std::size_t align, bool zero, unsigned cls,
                    Arena* arena) noexcept {
  if (size == 0) size = 1;
  if (kind == SampleKind::kGuard) {
    // An explicit arena keeps its objects (arena.<i>.reset and destroy free them all).
    return arena == nullptr ? guarded_alloc(ts, size, align, zero, cls) : nullptr;
  }
  void* p;
  std::size_t usize;
  if (cls != kNoClass) {
    p = arena != nullptr ? arena_alloc_in(arena, ts, cls, align, zero, true) : arena_alloc(ts, cls, align, zero, true);
    usize = class_bytes(cls);
  } else {
    usize = align_up(size, kPageSize);
    const std::size_t huge_align = align < kChunkSize ? kChunkSize : align;
    p = arena != nullptr ? huge_alloc_in(arena, ts, size, huge_align, zero) : huge_alloc_for(ts, size, huge_align, zero);
  }
  if (p == nullptr) return nullptr;
  // Not yet returned, so no free can race the count: it follows what was recorded.
  if (prof_record(p, size, usize, prof_mean_interval(), ts != nullptr ? ts->tid : 0) && cls == kNoClass) {
    prof_note_huge(1);
  }
  return p;
}

void sampled_free(void* p, const ObjectInfo& info) noexcept {
  if (prof_forget(p) && info.cls == kNoClass) prof_note_huge(-1);
}

}  // namespace bento
