// arena/arena.cc: small, large and free operations of one arena. The arena lock is held
// by the caller of every *_locked function.
#include "arena/arena.h"

#include "arena/arena_set.h"
#include "arena/free_batch.h"
#include "chunk/chunk_pool.h"
#include "chunk/chunk_registry.h"
#include "platform/assert.h"
#include "platform/os.h"

namespace bento {

void Arena::init(unsigned index, std::int64_t decay, bool retain) noexcept {
  index_ = index;
  automatic_ = index < narenas_auto();
  retain_ = retain;
  pages_.init(this, index);
  for (unsigned c = 0; c < kNumSmallClasses; ++c) bins_[c].init(c);
  for (auto& l : large_) l = LargeStats{};
  huge = HugeStats{};
  decay_ms.store(decay, std::memory_order_relaxed);
  created_ns = os::monotonic_ns();
}

std::size_t Arena::borrow(unsigned cls, void** out, std::size_t n, Borrow how, std::uint32_t now_ms,
                          unsigned* lender) noexcept {
  std::size_t got = 0;
  const unsigned count = narenas_auto();
  if (index_ >= count) return 0;  // a manual arena (arenas.create) holds its own objects only
  for (unsigned i = 0; i < count && got < n; ++i) {
    Arena* donor = arena_get(i);
    if (donor == nullptr || donor == this) continue;
    if (how == Borrow::kAbandoned ? !donor->idle() : !donor->lends(now_ms)) continue;
    // try_lock only: this arena's lock is held, and a wait here could deadlock with a
    // fork taking every arena lock in order. As an observer: nobody should move on.
    ArenaObserverLock guard(donor, true);
    if (!guard.owns()) continue;
    donor->drain_remote_locked();  // a queued region is never handed out before its free
    Bin& bin = donor->bins_[cls];
    const std::size_t lent = how == Borrow::kAbandoned ? bin.alloc_existing(out + got, n - got)
                             : how == Borrow::kHoles   ? bin.lend_holes(out + got, n - got)
                                                       : bin.lend_dirty_run(donor->pages_, out + got, n - got);
    if (lent != 0 && lender != nullptr) *lender = i;
    got += lent;
  }
  return got;
}

std::size_t Arena::fill_locked(unsigned cls, void** out, std::size_t n, unsigned* lender) noexcept {
  check_locked();
  drain_remote_locked();  // their regions first: reuse before taking pages
  if (is_small_class(cls)) {
    BinStats& s = bins_[cls].stats;
    stat_add(s.nfills, 1);
    Bin& bin = bins_[cls];
    const std::uint32_t now = os::coarse_ms();
    if (last_fill_ms.load(std::memory_order_relaxed) != now) last_fill_ms.store(now, std::memory_order_relaxed);
    // Resident memory before fresh pages. First the free regions between objects that
    // abandoned arenas' runs still hold (they would stay free until a thread chose that
    // arena: with threads that come and go, most live objects are in such runs); then
    // this arena's regions and new runs of its own dirty pages; then the holes in runs of
    // arenas that lend() (idle, or quiet: no refill of their own for a while); then a run
    // of a lending arena's dirty pages (not again in the tick in which neither gave any:
    // borrow_missed_ms_); only then a new run here (best fit: pages that fault in, or a
    // new chunk).
    std::size_t got = any_abandoned() ? borrow(cls, out, n, Borrow::kAbandoned, now, lender) : 0;
    if (got < n) got += bin.alloc_resident(pages_, out + got, n - got);
    if (got < n && borrow_missed_ms_[cls] != now) {
      const std::size_t own = got;
      got += borrow(cls, out + got, n - got, Borrow::kHoles, now, lender);
      if (got < n) got += borrow(cls, out + got, n - got, Borrow::kDirtyRuns, now, lender);
      if (got == own) borrow_missed_ms_[cls] = now;
    }
    return got + bin.alloc_batch(pages_, out + got, n - got);
  }
  bool zeroed;
  void* p = alloc_large_locked(cls, kPageSize, &zeroed);
  if (p == nullptr) return 0;
  stat_add(large_[cls - kNumSmallClasses].nfills, 1);
  out[0] = p;
  return 1;
}

void* Arena::alloc_small_locked(unsigned cls) noexcept {
  BENTO_ASSERT(mutex_.held_by_caller());  // the walk: by the caller (arena_alloc)
  drain_remote_locked();
  void* p = nullptr;
  bins_[cls].alloc_batch(pages_, &p, 1);
  return p;
}

RunMeta* Arena::alloc_one_object_run_locked(unsigned cls, std::size_t npages, std::size_t align,
                                            bool* zeroed) noexcept {
  BENTO_ASSERT(mutex_.held_by_caller());  // fill_locked, or a slow path that checked
  drain_remote_locked();
  RunMeta* run = align <= kPageSize
                     ? pages_.alloc_run(npages, zeroed)
                     : pages_.alloc_run_aligned(npages, align / kPageSize, zeroed, os::coarse_ms());
  if (run != nullptr) pages_.mark_large(run, npages, cls);
  return run;
}

void* Arena::alloc_large_locked(unsigned cls, std::size_t align, bool* zeroed) noexcept {
  RunMeta* run = alloc_one_object_run_locked(cls, kClasses[cls].run_pages, align, zeroed);
  if (run == nullptr) return nullptr;
  LargeStats& s = large_[cls - kNumSmallClasses];
  stat_add(s.nmalloc, 1);
  ++s.curruns;
  return run_addr(run);
}

void* Arena::alloc_sampled_locked(unsigned cls, std::size_t align, bool* zeroed) noexcept {
  void* p;
  if (is_small_class(cls)) {
    RunMeta* run = alloc_one_object_run_locked(cls, sampled_run_pages(cls), align, zeroed);
    if (run == nullptr) return nullptr;
    ++sampled_.cur;
    sampled_.bytes += class_bytes(cls);
    p = run_addr(run);
  } else {
    p = alloc_large_locked(cls, align, zeroed);
    if (p == nullptr) return nullptr;
  }
  chunk_of(p)->pages[page_of(p)].fast_bin |= kSampledFastBin;
  return p;
}

FreeError Arena::free_locked(void* p) noexcept {
  BENTO_ASSERT(mutex_.held_by_caller());  // the walk: once per batch, by the caller
  ChunkHeader* c = chunk_of(p);
  const std::size_t page = page_of(p);
  const PageInfo& pi = c->pages[page];
  switch (pi.state) {
    case PageState::kSmall: {
      RunMeta* run = run_meta_at(c, pi.run_start);
      const std::uintptr_t offset = to_addr(p) - (to_addr(c) + (std::size_t{pi.run_start} << kLgPage));
      RunMeta* emptied;
      const RegionFree r = bins_[page_class(pi)].free_at(run, offset, &emptied);
      if (r == RegionFree::kNotRegionStart) return FreeError::kInterior;
      if (r == RegionFree::kAlreadyFree) return FreeError::kDoubleFree;
      if (emptied != nullptr) {
        pages_.free_run(emptied, kClasses[emptied->cls].run_pages, os::coarse_ms());
        decay_tick_locked();
      }
      return FreeError::kOk;
    }
    case PageState::kLarge: {
      if (pi.run_start != page || (to_addr(p) & (kPageSize - 1)) != 0) return FreeError::kInterior;
      const unsigned cls = page_class(pi);
      if (is_small_class(cls)) {  // only a sampled object (alloc_sampled_locked)
        --sampled_.cur;
        sampled_.bytes -= class_bytes(cls);
      } else {
        LargeStats& s = large_[cls - kNumSmallClasses];
        stat_add(s.ndalloc, 1);
        --s.curruns;
      }
      pages_.free_run(run_meta_at(c, page), pi.run_pages, os::coarse_ms());
      decay_tick_locked();
      return FreeError::kOk;
    }
    case PageState::kFree:
      return FreeError::kFreePage;
    case PageState::kHeader:
      return FreeError::kNotAllocated;
  }
  return FreeError::kNotAllocated;
}

bool Arena::resize_large_locked(void* p, unsigned new_cls) noexcept {
  check_locked();
  drain_remote_locked();  // it may take free pages
  ChunkHeader* c = chunk_of(p);
  const std::size_t page = page_of(p);
  PageInfo& pi = c->pages[page];
  const unsigned old_cls = page_class(pi);
  const std::size_t old_pages = pi.run_pages;
  const std::size_t new_pages = kClasses[new_cls].run_pages;
  RunMeta* run = run_meta_at(c, page);
  if (new_pages > old_pages) {
    if (!pages_.grow_run(run, old_pages, new_pages)) return false;
  } else if (new_pages < old_pages) {
    pages_.shrink_run(run, old_pages, new_pages, os::coarse_ms());
  }
  pages_.mark_large(run, new_pages, new_cls);
  LargeStats& os_ = large_[old_cls - kNumSmallClasses];
  LargeStats& ns_ = large_[new_cls - kNumSmallClasses];
  ++os_.ndalloc;
  --os_.curruns;
  ++ns_.nmalloc;
  ++ns_.curruns;
  if (new_pages < old_pages) decay_tick_locked();
  return true;
}

void Arena::merge_requests_locked(unsigned cls, std::uint64_t n) noexcept {
  if (is_small_class(cls)) {
    stat_add(bins_[cls].stats.nrequests, n);
  } else {
    stat_add(large_[cls - kNumSmallClasses].nrequests, n);
  }
}

void Arena::drain_remote_locked() noexcept {
  if (remote_.empty() || draining_) return;
  draining_ = true;
  void* batch[64];
  while (const std::size_t n = remote_.take(batch, 64)) {
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < n; ++i) {
      void* p = batch[i];
      bytes += queued_bytes(p);
      const FreeError e = free_locked(p);
      if (e != FreeError::kOk) {
        report_bad_free("free", p, e, " (found when another thread's frees were returned to their arena)");
      }
    }
    remote_.taken(bytes);
  }
  draining_ = false;
}

std::size_t Arena::purge_locked(bool all) noexcept {
  check_locked();
  drain_remote_locked();
  const std::uint32_t now = os::coarse_ms();
  const std::int64_t decay = decay_ms.load(std::memory_order_relaxed);
  const bool idle = decay >= 0 && this->idle();
  if (all || idle) {
    for (auto& b : bins_) b.release_empty_current(pages_, now);
  }
  if (idle) pages_.release_empty_chunks(now);
  const PurgePolicy policy{decay, retain_};
  return pages_.purge(now, policy, all || idle) + chunk_pool_purge(now, all ? 0 : decay, retain_, all);
}

void Arena::decay_tick_locked() noexcept {
  drain_remote_locked();
  const std::int64_t decay = decay_ms.load(std::memory_order_relaxed);
  const std::uint32_t now = os::coarse_ms();
  if (chunk_pool_due(now, decay)) chunk_pool_purge(now, decay, retain_, false);
  if (decay < 0) return;
  // Its threads exited and no thread chose it since: nothing will reuse its free pages
  // but a thread that happens to choose it later, so they go back now, wholly free
  // chunks to the pool for the other arenas. (Not when its threads only moved on after a
  // failed try_lock: they come back, and purging behind them cost 7% of mix's speed at
  // 16 threads.) At most once per kIdlePurgeMs: other threads' frees keep emptying its
  // runs one by one, and purging each as it empties is one madvise per run, and refaults
  // later (thread churn: 40,000 faults a run at 0 ms, 26,000 at 8 ms, for 1 MB more at
  // the peak).
  if (idle()) {
    if (now - last_idle_purge_ms_ < kIdlePurgeMs) return;
    last_idle_purge_ms_ = now;
    for (auto& b : bins_) b.release_empty_current(pages_, now);
    pages_.release_empty_chunks(now);
    pages_.purge(now, PurgePolicy{0, retain_}, true);
    return;
  }
  std::uint32_t due;
  if (!pages_.next_purge_due(decay, &due)) return;
  if (decay == 0 || static_cast<std::int32_t>(now - due) >= 0) {
    pages_.purge(now, PurgePolicy{decay, retain_}, decay == 0);
  }
}

}  // namespace bento

namespace bento {

bool Arena::is_valid_locked() const noexcept {
  if (!pages_.is_valid()) return false;
  std::size_t curregs[kNumSmallClasses] = {}, curruns[kNumSmallClasses] = {};
  std::size_t large_runs[kNumLargeClasses] = {};
  std::uint64_t sampled_objects = 0;
  for (ChunkHeader* c = pages_.first_chunk(); c != nullptr; c = pages_.next_chunk(c)) {
    if (c->arena_index != index_ || c->owner != this) return false;
    for (std::size_t i = kFirstRunPage; i < kChunkPages;) {
      const PageInfo& pi = c->pages[i];
      const std::size_t n = pi.run_pages;  // PageRuns::is_valid: n > 0, the run ends in the chunk
      if (pi.state == PageState::kSmall) {
        const RunMeta& m = c->runs[i];
        const unsigned cls = m.cls;
        if (cls >= kNumSmallClasses || n != kClasses[cls].run_pages || m.nregs != kClasses[cls].nregs) return false;
        if (m.nfree > m.nregs || m.free_regions.count() != m.nfree) return false;
        const bool placed = m.bin_state == Bin::kFull      ? m.nfree == 0
                            : m.bin_state == Bin::kCurrent ? &m == bins_[cls].current()
                                                           : m.bin_state == Bin::kNonFull;
        if (!placed) return false;
        for (std::size_t j = i; j < i + n; ++j) {
          const PageInfo& q = c->pages[j];
          if (q.state != PageState::kSmall || q.run_start != i || page_class(q) != cls) return false;
        }
        curregs[cls] += m.nregs - m.nfree;
        ++curruns[cls];
      } else if (pi.state == PageState::kLarge) {
        const unsigned cls = page_class(pi);
        if (cls == kNoClass) return false;
        // A small class on a large run: a sampled object, on the pages its size takes.
        const bool small_sampled = is_small_class(cls) && page_is_sampled(pi);
        if (is_small_class(cls) && !small_sampled) return false;
        if (n != (small_sampled ? sampled_run_pages(cls) : kClasses[cls].run_pages)) {
          return false;
        }
        for (std::size_t j = i + 1; j < i + n; ++j) {
          const PageInfo& q = c->pages[j];
          if (q.state != PageState::kLarge || q.run_start != i || q.fast_bin != kNoFastBin) return false;
        }
        if (small_sampled) ++sampled_objects;
        else ++large_runs[cls - kNumSmallClasses];
      }
      i += n;
    }
  }
  for (unsigned c = 0; c < kNumSmallClasses; ++c) {
    if (!bins_[c].is_valid()) return false;
    if (bins_[c].stats.curregs != curregs[c] || bins_[c].stats.curruns != curruns[c]) return false;
  }
  for (std::size_t l = 0; l < kNumLargeClasses; ++l) {
    if (large_[l].curruns != large_runs[l]) return false;
  }
  return sampled_.cur == sampled_objects;
}

std::size_t Arena::list_chunks(void** out, std::size_t cap) noexcept {
  ArenaObserverLock guard(this);
  if (pages_.stats().chunks > cap) return pages_.stats().chunks;
  std::size_t n = 0;
  for (ChunkHeader* c = pages_.first_chunk(); c != nullptr; c = pages_.next_chunk(c)) out[n++] = c;
  return n;
}

}  // namespace bento
