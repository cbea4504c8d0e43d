// chunk/page_runs.cc: the page-run allocator of one arena (see page_runs.h). The arena's
// lock is held for every call.
#include "chunk/page_runs.h"

#include "chunk/chunk_map.h"
#include "chunk/chunk_pool.h"
#include "chunk/chunk_registry.h"
#include "platform/assert.h"
#include "platform/os.h"

namespace bento {

namespace {
// Wrap-safe age of a coarse-ms timestamp.
inline std::uint32_t age_ms(std::uint32_t now, std::uint32_t since) noexcept { return now - since; }
inline std::uint32_t older_of(std::uint32_t now, std::uint32_t a, std::uint32_t b) noexcept {
  return age_ms(now, a) >= age_ms(now, b) ? a : b;
}
}  // namespace

void PageRuns::init(void* owner, unsigned arena_index) noexcept {
  nonempty_.clear_all();
  for (auto& b : buckets_) b.reset();
  dirty_.reset();
  chunks_.reset();
  nempty_chunks_ = 0;
  owner_ = owner;
  arena_index_ = arena_index;
  serial_ = 0;
  stats_ = PageRunStats{};
}

void PageRuns::adopt_chunk(ChunkHeader* c) noexcept {
  c->owner = owner_;
  c->arena_index = arena_index_;
  c->serial = serial_++;
  chunks_.push_back(c);
  ++stats_.chunks;
}

bool PageRuns::map_chunk() noexcept {
  std::size_t ndirty = 0;
  if (ChunkHeader* c = chunk_pool_take(&ndirty)) {  // reuse before mapping
    adopt_chunk(c);
    stat_add(stats_.chunks_adopted, 1);
    if (c->retained) ++stats_.retained_chunks;
    // Its dirty pages join the dirty list as the newest: reused, they are what is wanted.
    insert_free(c, kFirstRunPage, kMaxRunPages, ndirty, os::coarse_ms(), ndirty != 0 ? dirty_.back() : nullptr);
    return true;
  }
  void* p = chunk_map(kChunkSize);
  if (p == nullptr) return false;
  auto* c = static_cast<ChunkHeader*>(p);
  c->nfree_pages = static_cast<std::uint16_t>(kMaxRunPages);
  c->retained = false;
  for (std::size_t i = 0; i < kChunkPages; ++i) {
    PageInfo& pi = c->pages[i];
    pi.fast_bin = kNoFastBin;
    pi.state = i < kFirstRunPage ? PageState::kHeader : PageState::kFree;
    pi.dirty = 0;
  }
  adopt_chunk(c);
  stat_add(stats_.chunks_mapped, 1);
  insert_free(c, kFirstRunPage, kMaxRunPages, 0, 0, nullptr);
  registry_set(c, kChunkSize, ChunkKind::kArena, ChunkKind::kArena);
  return true;
}

void PageRuns::pool_chunk(RunMeta* m, std::uint32_t now_ms) noexcept {
  ChunkHeader* c = chunk_of(m);
  BENTO_ASSERT(m->npages == kMaxRunPages);
  const std::size_t ndirty = m->ndirty;
  remove_free(m);
  if (c->retained) --stats_.retained_chunks;
  chunks_.remove(c);
  --stats_.chunks;
  stat_add(stats_.chunks_pooled, 1);
  chunk_pool_put(c, ndirty, now_ms);
}

void PageRuns::release_empty_chunks(std::uint32_t now_ms) noexcept {
  while (RunMeta* m = buckets_[kMaxRunPages].front()) pool_chunk(m, now_ms);
}

void PageRuns::insert_free(ChunkHeader* c, std::size_t start, std::size_t npages,
                           std::size_t ndirty, std::uint32_t dirty_since,
                           RunMeta* dirty_after) noexcept {
  const std::size_t last = start + npages - 1;
  for (std::size_t i : {start, last}) {
    PageInfo& pi = c->pages[i];
    pi.state = PageState::kFree;
    pi.fast_bin = kNoFastBin;
    pi.run_start = static_cast<std::uint16_t>(start);
    pi.run_pages = static_cast<std::uint16_t>(npages);
  }
  RunMeta* m = run_meta_at(c, start);
  m->npages = static_cast<std::uint16_t>(npages);
  m->ndirty = static_cast<std::uint16_t>(ndirty);
  m->dirty_since = dirty_since;
  buckets_[npages].push_front(m);
  nonempty_.set(npages);
  if (ndirty != 0) {
    dirty_.insert_after(dirty_after, m);
    stats_.pdirty += ndirty;
  } else {
    m->dirty_link = ListNode{};
  }
  if (npages == kMaxRunPages) ++nempty_chunks_;
}

RunMeta* PageRuns::remove_free(RunMeta* m) noexcept {
  buckets_[m->npages].remove(m);
  if (buckets_[m->npages].empty()) nonempty_.reset(m->npages);
  RunMeta* before = nullptr;
  if (m->ndirty != 0) {
    before = dirty_.prev(m);
    dirty_.remove(m);
    stats_.pdirty -= m->ndirty;
  }
  if (m->npages == kMaxRunPages) --nempty_chunks_;
  return before;
}

// Takes the first `npages` of free run m; the rest stays free in m's place.
RunMeta* PageRuns::take_pages(RunMeta* m, std::size_t npages, bool* zeroed) noexcept {
  ChunkHeader* c = chunk_of(m);
  const std::size_t start = page_index_of(c, m);
  const std::size_t total = m->npages;
  const std::size_t total_dirty = m->ndirty;
  const std::uint32_t since = m->dirty_since;
  if (c->retained) {  // a purged chunk kept mapped comes back into use
    c->retained = false;
    --stats_.retained_chunks;
  }
  RunMeta* dirty_before = remove_free(m);
  std::size_t dirty = 0;
  for (std::size_t i = start; i < start + npages; ++i) {
    // Allocated but untyped until the caller's mark_*: never mistaken for a free run.
    PageInfo& pi = c->pages[i];
    dirty += pi.dirty;
    pi.fast_bin = kNoFastBin;
    pi.state = PageState::kLarge;
    pi.run_start = static_cast<std::uint16_t>(start);
    pi.run_pages = static_cast<std::uint16_t>(npages);
  }
  if (zeroed != nullptr) *zeroed = dirty == 0;
  if (total > npages) {
    const std::size_t rest_dirty = total_dirty - dirty;
    insert_free(c, start + npages, total - npages, rest_dirty, since,
                rest_dirty != 0 ? dirty_before : nullptr);
  }
  c->nfree_pages = static_cast<std::uint16_t>(c->nfree_pages - npages);
  stats_.pactive += npages;
  RunMeta* run = run_meta_at(c, start);
  return run;
}

RunMeta* PageRuns::alloc_run(std::size_t npages, bool* zeroed) noexcept {
  BENTO_ASSERT(npages >= 1 && npages <= kMaxRunPages);
  std::size_t b = nonempty_.find_from(npages);
  if (b == decltype(nonempty_)::kNone) {
    if (!map_chunk()) return nullptr;
    b = kMaxRunPages;
  }
  return take_pages(buckets_[b].front(), npages, zeroed);
}

RunMeta* PageRuns::alloc_dirty_run(std::size_t npages) noexcept {
  BENTO_ASSERT(npages >= 1 && npages <= kMaxRunPages);
  // Best fit, as alloc_run, among free runs that start with npages dirty pages: a bounded
  // look (the arena lock is held), a few runs of each size from the smallest that fits.
  constexpr unsigned kLook = 16, kPerSize = 4;
  unsigned looked = 0;
  for (std::size_t b = nonempty_.find_from(npages); b != decltype(nonempty_)::kNone && looked < kLook;
       b = b < kMaxRunPages ? nonempty_.find_from(b + 1) : decltype(nonempty_)::kNone) {
    unsigned k = 0;
    for (RunMeta* m = buckets_[b].front(); m != nullptr && k < kPerSize; m = buckets_[b].next(m), ++k, ++looked) {
      if (m->ndirty < npages) continue;
      const ChunkHeader* c = chunk_of(m);
      const std::size_t start = page_index_of(c, m);
      std::size_t i = start;
      while (i < start + npages && c->pages[i].dirty != 0) ++i;
      if (i == start + npages) return take_pages(m, npages, nullptr);
    }
  }
  return nullptr;
}

RunMeta* PageRuns::alloc_run_aligned(std::size_t npages, std::size_t align_pages,
                                     bool* zeroed, std::uint32_t now_ms) noexcept {
  const std::size_t span = npages + align_pages - 1;
  if (span > kMaxRunPages) return nullptr;
  RunMeta* big = alloc_run(span, zeroed);
  if (big == nullptr) return nullptr;
  ChunkHeader* c = chunk_of(big);
  const std::size_t start = page_index_of(c, big);
  const std::size_t aligned = align_up(start, align_pages);
  const std::size_t lead = aligned - start;
  const std::size_t trail = span - lead - npages;
  if (lead != 0) free_run(big, lead, now_ms, false);
  if (trail != 0) free_run(run_meta_at(c, aligned + npages), trail, now_ms, false);
  RunMeta* run = run_meta_at(c, aligned);
  if (zeroed != nullptr && !*zeroed) {  // the pages kept may still be clean
    bool clean = true;
    for (std::size_t i = aligned; i < aligned + npages; ++i) clean = clean && c->pages[i].dirty == 0;
    *zeroed = clean;
  }
  return run;
}

void PageRuns::free_run(RunMeta* run, std::size_t npages, std::uint32_t now_ms, bool handed_out) noexcept {
  ChunkHeader* c = chunk_of(run);
  std::size_t start = page_index_of(c, run);
  std::size_t ndirty = 0;
  for (std::size_t i = start; i < start + npages; ++i) {
    PageInfo& pi = c->pages[i];
    pi.fast_bin = kNoFastBin;
    pi.state = PageState::kFree;
    if (handed_out) pi.dirty = 1;
    ndirty += pi.dirty;
  }
  c->nfree_pages = static_cast<std::uint16_t>(c->nfree_pages + npages);
  stats_.pactive -= npages;
  std::uint32_t since = now_ms;
  RunMeta* dirty_after = dirty_.back();  // the newest position, unless a neighbour is older

  auto absorb = [&](RunMeta* nb) {
    const bool nb_dirty = nb->ndirty != 0;
    const std::uint32_t nb_since = nb->dirty_since;
    RunMeta* before = remove_free(nb);
    if (dirty_after == nb) dirty_after = before;
    if (nb_dirty && (ndirty == 0 || older_of(now_ms, nb_since, since) == nb_since)) {
      // The merged run takes the oldest dirty time and that neighbour's place in line.
      since = nb_since;
      dirty_after = before;
    }
    ndirty += nb->ndirty;
    return nb->npages;
  };
  if (start > kFirstRunPage && c->pages[start - 1].state == PageState::kFree) {
    const std::size_t pstart = c->pages[start - 1].run_start;
    npages += absorb(run_meta_at(c, pstart));
    start = pstart;
  }
  const std::size_t end = start + npages;
  if (end < kChunkPages && c->pages[end].state == PageState::kFree) {
    npages += absorb(run_meta_at(c, end));
  }
  insert_free(c, start, npages, ndirty, since, ndirty != 0 ? dirty_after : nullptr);
  if (npages == kMaxRunPages && nempty_chunks_ > 1) pool_chunk(run_meta_at(c, start), now_ms);
}

bool PageRuns::grow_run(RunMeta* run, std::size_t old_pages, std::size_t new_pages) noexcept {
  ChunkHeader* c = chunk_of(run);
  const std::size_t start = page_index_of(c, run);
  const std::size_t end = start + old_pages;
  const std::size_t need = new_pages - old_pages;
  if (end >= kChunkPages || c->pages[end].state != PageState::kFree) return false;
  RunMeta* next = run_meta_at(c, end);
  if (next->npages < need) return false;
  take_pages(next, need, nullptr);
  return true;
}

void PageRuns::shrink_run(RunMeta* run, std::size_t old_pages, std::size_t new_pages,
                          std::uint32_t now_ms) noexcept {
  ChunkHeader* c = chunk_of(run);
  const std::size_t start = page_index_of(c, run);
  free_run(run_meta_at(c, start + new_pages), old_pages - new_pages, now_ms);
}

void PageRuns::mark_small(RunMeta* run, unsigned cls) noexcept {
  ChunkHeader* c = chunk_of(run);
  const std::size_t start = page_index_of(c, run);
  const std::size_t n = kClasses[cls].run_pages;
  for (std::size_t i = start; i < start + n; ++i) {
    PageInfo& pi = c->pages[i];
    pi.state = PageState::kSmall;
    pi.dirty = 1;
    pi.run_start = static_cast<std::uint16_t>(start);
    pi.run_pages = static_cast<std::uint16_t>(n);
    set_page_class(pi, cls);
  }
}

void PageRuns::mark_large(RunMeta* run, std::size_t npages, unsigned cls) noexcept {
  ChunkHeader* c = chunk_of(run);
  const std::size_t start = page_index_of(c, run);
  const PageInfo& first = c->pages[start];
  const bool typed = first.state == PageState::kLarge && first.run_start == start && first.run_pages == npages &&
                     c->pages[start + npages - 1].run_start == start;
  if (!typed) {  // grown or shrunk in place: every page names the new run
    for (std::size_t i = start; i < start + npages; ++i) {
      PageInfo& pi = c->pages[i];
      pi.state = PageState::kLarge;
      pi.run_start = static_cast<std::uint16_t>(start);
      pi.run_pages = static_cast<std::uint16_t>(npages);
      pi.fast_bin = kNoFastBin;
    }
  }
  set_page_class(c->pages[start], cls);
}

void PageRuns::purge_run(RunMeta* m, const PurgePolicy& policy) noexcept {
  ChunkHeader* c = chunk_of(m);
  const std::size_t start = page_index_of(c, m);
  const std::size_t npages = m->npages;
  const std::size_t ndirty = m->ndirty;
  os::purge(page_addr(c, start), npages * kPageSize);
  stat_add(stats_.nmadvise, 1);
  stat_add(stats_.purged, ndirty);
  for (std::size_t i = start; i < start + npages; ++i) c->pages[i].dirty = 0;
  dirty_.remove(m);
  stats_.pdirty -= ndirty;
  m->ndirty = 0;
  if (npages == kMaxRunPages && policy.retain && !c->retained) {
    c->retained = true;
    ++stats_.retained_chunks;
  }
}

std::size_t PageRuns::purge(std::uint32_t now_ms, const PurgePolicy& policy, bool all) noexcept {
  if (!all && policy.decay_ms < 0) return 0;
  std::size_t released = 0;
  while (RunMeta* m = dirty_.front()) {
    if (!all && age_ms(now_ms, m->dirty_since) < static_cast<std::uint64_t>(policy.decay_ms)) break;
    released += m->ndirty;
    purge_run(m, policy);
  }
  if (released != 0) stat_add(stats_.npurge, 1);
  return released;
}

bool PageRuns::next_purge_due(std::int64_t decay_ms, std::uint32_t* due_ms) const noexcept {
  const RunMeta* m = dirty_.front();
  if (m == nullptr || decay_ms < 0) return false;
  *due_ms = m->dirty_since + static_cast<std::uint32_t>(decay_ms);
  return true;
}

bool PageRuns::is_valid() const noexcept {
  std::size_t dirty = 0, active = 0, nchunks = 0;
  for (ChunkHeader* c = chunks_.front(); c != nullptr; c = chunks_.next(c)) {
    ++nchunks;
    std::size_t i = kFirstRunPage;
    while (i < kChunkPages) {
      const PageInfo& pi = c->pages[i];
      if (pi.state == PageState::kFree) {
        const RunMeta& m = c->runs[i];
        if (pi.run_start != i || pi.run_pages != m.npages || m.npages == 0) return false;
        const PageInfo& tail = c->pages[i + m.npages - 1];
        if (tail.run_start != i || tail.state != PageState::kFree) return false;
        std::size_t d = 0;
        for (std::size_t j = i; j < i + m.npages; ++j) d += c->pages[j].dirty;
        if (d != m.ndirty) return false;
        dirty += d;
        const std::size_t next = i + m.npages;
        if (next < kChunkPages && c->pages[next].state == PageState::kFree) return false;  // uncoalesced
        i = next;
      } else {
        if (pi.run_start != i || pi.run_pages == 0) return false;
        active += pi.run_pages;
        i += pi.run_pages;
      }
    }
    if (i != kChunkPages) return false;
  }
  return nchunks == stats_.chunks && dirty == stats_.pdirty && active == stats_.pactive;
}

}  // namespace bento
