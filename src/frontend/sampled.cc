// frontend/sampled.cc: the allocations the heap profiler samples (prof/). One allocation
// in about 2^lg_prof_sample requested bytes comes here instead of its cache bin: it gets
// a large run of its own (or its huge mapping), marked in the page map, so that its free
// leaves the fast path by the test free already makes (chunk.h: kSampledFastBin), and its
// call stack goes into the profiler's table. No lock is held on entry or exit; the arena
// lock and then, separately, the profiler's lock are taken inside.
#include "frontend/slow.h"
#include "prof/sample_table.h"
#include "prof/sampler.h"

namespace bento {

bool sample_taken(ThreadState* ts, std::size_t size) noexcept {
  std::int64_t& countdown = sample_countdown(ts, size);
  if (BENTO_UNLIKELY(countdown < 0)) {
    // Only the fast path leaves a bin's below zero, after popping an object of it: that
    // object goes back.
    ts->tcache->bins[size_to_class_lookup(size)].unpop();
  } else if ((countdown -= static_cast<std::int64_t>(size)) >= 0) {
    return false;
  }
  return prof_due(countdown, ts->sample_rng);
}

void* sampled_alloc(ThreadState* ts, std::size_t size, std::size_t align, bool zero, unsigned cls,
                    Arena* arena) noexcept {
  if (size == 0) size = 1;
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
