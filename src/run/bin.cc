// run/bin.cc: run selection for one size class. Arena lock held throughout.
#include "run/bin.h"

#include "base/compiler.h"

namespace bento {

namespace {
bool run_is_sound(const RunMeta& m, unsigned cls) noexcept {
  return m.cls == cls && m.nregs == kClasses[cls].nregs && m.nfree <= m.nregs && m.free_regions.count() == m.nfree;
}
}  // namespace

bool Bin::is_valid() const noexcept {
  if (cur_ != nullptr) {
    if (cur_->bin_state != kCurrent || !run_is_sound(*cur_, cls_) || cur_base_ != to_addr(run_addr(cur_))) {
      return false;
    }
  }
  for (const RunMeta* m = nonfull_.front(); m != nullptr; m = nonfull_.next(const_cast<RunMeta*>(m))) {
    // Non-full and not empty: a run other than the current one is released as it empties.
    if (m->bin_state != kNonFull || !run_is_sound(*m, cls_) || m->nfree == 0 || m->nfree == m->nregs) return false;
  }
  return true;
}

void Bin::init(unsigned cls) noexcept {
  cls_ = cls;
  cur_ = nullptr;
  nonfull_.reset();
  stats = BinStats{};
}

BENTO_ALWAYS_INLINE RunMeta* Bin::make_run(PageRuns* pages, NewRun source) noexcept {
  const std::size_t npages = kClasses[cls_].run_pages;
  RunMeta* run = source == NewRun::kAnyPages     ? pages->alloc_run(npages, nullptr)
                 : source == NewRun::kDirtyPages ? pages->alloc_dirty_run(npages)
                                                 : nullptr;
  if (run == nullptr) return nullptr;
  pages->mark_small(run, cls_);
  run_init_small(run, cls_);
  stat_add(stats.nruns, 1);
  ++stats.curruns;
  return run;
}

BENTO_ALWAYS_INLINE std::size_t Bin::took(std::size_t got) noexcept {
  stat_add(stats.nmalloc, got);
  stats.curregs += got;
  return got;
}

BENTO_ALWAYS_INLINE bool Bin::next_run(PageRuns* pages, NewRun source) noexcept {
  if (cur_ != nullptr) cur_->bin_state = kFull;
  RunMeta* next = nonfull_.pop_front();
  if (next != nullptr) {
    --stats.nonfull_runs;
    stat_add(stats.reruns, 1);
  } else if ((next = make_run(pages, source)) == nullptr) {
    cur_ = nullptr;  // the full run stays found through the page map
    return false;
  }
  next->bin_state = kCurrent;
  cur_ = next;
  cur_base_ = to_addr(run_addr(next));
  return true;
}

std::size_t Bin::alloc_from(PageRuns* pages, NewRun source, void** out, std::size_t n) noexcept {
  std::size_t got = 0;
  while (got < n) {
    if ((cur_ == nullptr || cur_->nfree == 0) && !next_run(pages, source)) break;
    got += run_alloc_regions(cur_, cur_base_, out + got, n - got);
  }
  return took(got);
}

std::size_t Bin::alloc_batch(PageRuns& pages, void** out, std::size_t n) noexcept {
  return alloc_from(&pages, NewRun::kAnyPages, out, n);
}

std::size_t Bin::alloc_existing(void** out, std::size_t n) noexcept {
  return alloc_from(nullptr, NewRun::kNone, out, n);
}

std::size_t Bin::alloc_resident(PageRuns& pages, void** out, std::size_t n) noexcept {
  return alloc_from(&pages, NewRun::kDirtyPages, out, n);
}

std::size_t Bin::lend_holes(void** out, std::size_t n) noexcept {
  std::size_t got = 0;
  while (got < n && !nonfull_.empty()) {
    RunMeta* run = nonfull_.front();
    got += run_alloc_regions(run, to_addr(run_addr(run)), out + got, n - got);
    if (run->nfree == 0) {
      nonfull_.pop_front();
      --stats.nonfull_runs;
      run->bin_state = kFull;
    }
  }
  return took(got);
}

std::size_t Bin::lend_dirty_run(PageRuns& pages, void** out, std::size_t n) noexcept {
  RunMeta* run = make_run(&pages, NewRun::kDirtyPages);
  if (run == nullptr) return 0;
  const std::size_t got = run_alloc_regions(run, to_addr(run_addr(run)), out, n);
  if (run->nfree == 0) {
    run->bin_state = kFull;
  } else {
    run->bin_state = kNonFull;
    nonfull_.push_front(run);
    ++stats.nonfull_runs;
  }
  return took(got);
}

RegionFree Bin::free_at(RunMeta* run, std::uintptr_t offset, RunMeta** emptied) noexcept {
  *emptied = nullptr;
  const RegionFree r = run_free_region_at(run, offset);
  if (r != RegionFree::kOk) return r;
  stat_add(stats.ndalloc, 1);
  --stats.curregs;
  if (run == cur_) return r;  // the current run stays, even when empty
  if (run->nfree == run->nregs) {
    if (run->bin_state == kNonFull) {
      nonfull_.remove(run);
      --stats.nonfull_runs;
    }
    --stats.curruns;
    *emptied = run;
  } else if (run->bin_state == kFull) {
    run->bin_state = kNonFull;
    nonfull_.push_front(run);
    ++stats.nonfull_runs;
  }
  return r;
}

void Bin::release_empty_current(PageRuns& pages, std::uint32_t now_ms) noexcept {
  if (cur_ != nullptr && cur_->nfree == cur_->nregs) {
    pages.free_run(cur_, kClasses[cls_].run_pages, now_ms);
    --stats.curruns;
    cur_ = nullptr;
  }
}

}  // namespace bento
