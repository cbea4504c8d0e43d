// PageRuns: runs are handed out, coalesced, purged and chunks returned, with the page
// map's boundary tags and the dirty bookkeeping checked after every step.
#define BOOST_TEST_MODULE page_runs
#include <boost/test/unit_test.hpp>

#include <cstring>
#include <memory>
#include <vector>

#include "chunk/chunk_pool.h"
#include "chunk/chunk_registry.h"
#include "chunk/page_runs.h"
#include "../support/print.h"
#include "../support/rng.h"

using namespace bento;

namespace {
struct Fixture {
  Fixture() {
    BOOST_REQUIRE(registry_init());
    chunk_pool_purge(0, 0, false, true);  // the pool is shared: start each case with it empty
    pages = std::make_unique<PageRuns>();
    pages->init(nullptr, 0);
  }
  std::unique_ptr<PageRuns> pages;
};
constexpr PurgePolicy kNow{0, false};
}  // namespace

BOOST_FIXTURE_TEST_CASE(first_run_maps_a_registered_chunk_of_zero_pages, Fixture) {
  bool zeroed = false;
  RunMeta* r = pages->alloc_run(3, &zeroed);
  BOOST_REQUIRE(r != nullptr);
  BOOST_TEST(zeroed);
  BOOST_TEST(pages->stats().chunks == 1u);
  BOOST_TEST(pages->stats().pactive == 3u);
  BOOST_TEST((to_addr(run_addr(r)) & (kPageSize - 1)) == 0u);
  BOOST_TEST(chunk_kind(run_addr(r)) == ChunkKind::kArena);
  BOOST_TEST(page_index_of(chunk_of(r), r) == kFirstRunPage);
  pages->mark_large(r, 3, static_cast<unsigned>(kNumSmallClasses));
  BOOST_TEST(pages->is_valid());
}

BOOST_FIXTURE_TEST_CASE(freed_neighbours_coalesce_into_one_run, Fixture) {
  RunMeta* a = pages->alloc_run(4, nullptr);
  RunMeta* b = pages->alloc_run(4, nullptr);
  RunMeta* c = pages->alloc_run(4, nullptr);
  for (RunMeta* r : {a, b, c}) pages->mark_large(r, 4, static_cast<unsigned>(kNumSmallClasses));
  pages->free_run(a, 4, 1);
  pages->free_run(c, 4, 2);  // merges with the chunk's free tail
  BOOST_TEST(pages->is_valid());
  pages->free_run(b, 4, 3);  // now one free run spans the chunk
  BOOST_TEST(pages->is_valid());
  BOOST_TEST(pages->stats().pactive == 0u);
  BOOST_TEST(pages->stats().pdirty == 12u);
  // The whole chunk is one run again: the biggest request fits without a new chunk.
  RunMeta* all = pages->alloc_run(kMaxRunPages, nullptr);
  BOOST_TEST(all == a);
  BOOST_TEST(pages->stats().chunks == 1u);
}

BOOST_FIXTURE_TEST_CASE(purge_returns_dirty_pages_and_they_read_back_zero, Fixture) {
  RunMeta* r = pages->alloc_run(8, nullptr);
  pages->mark_large(r, 8, static_cast<unsigned>(kNumSmallClasses));
  std::memset(run_addr(r), 0xab, 8 * kPageSize);
  RunMeta* keep = pages->alloc_run(1, nullptr);  // keeps the chunk from being wholly free
  pages->mark_large(keep, 1, static_cast<unsigned>(kNumSmallClasses));
  pages->free_run(r, 8, 100);
  BOOST_TEST(pages->stats().pdirty == 8u);
  // Not yet due at a 1000 ms decay, due after it.
  BOOST_TEST(pages->purge(500, PurgePolicy{1000, false}, false) == 0u);
  BOOST_TEST(pages->purge(1200, PurgePolicy{1000, false}, false) == 8u);
  BOOST_TEST(pages->stats().pdirty == 0u);
  BOOST_TEST(pages->stats().nmadvise == 1u);
  bool zeroed = false;
  RunMeta* again = pages->alloc_run(8, &zeroed);
  BOOST_TEST(again == r);
  BOOST_TEST(zeroed);
  pages->mark_large(again, 8, static_cast<unsigned>(kNumSmallClasses));
  const auto* bytes = static_cast<const unsigned char*>(run_addr(again));
  bool all_zero = true;
  for (std::size_t i = 0; i < 8 * kPageSize; ++i) all_zero = all_zero && bytes[i] == 0;
  BOOST_TEST(all_zero);
  BOOST_TEST(pages->is_valid());
}

// A run of dirty pages only: best fit among the free runs that start with enough of them,
// never from clean pages and never by mapping; after a purge there is none.
BOOST_FIXTURE_TEST_CASE(a_dirty_run_comes_only_from_dirty_pages, Fixture) {
  BOOST_TEST(pages->alloc_dirty_run(1) == nullptr);  // nothing mapped yet
  BOOST_TEST(pages->stats().chunks == 0u);
  RunMeta* a = pages->alloc_run(2, nullptr);
  RunMeta* b = pages->alloc_run(5, nullptr);
  RunMeta* c = pages->alloc_run(1, nullptr);  // keeps b's pages apart from the clean tail
  for (RunMeta* r : {a, b, c}) pages->mark_large(r, 1, static_cast<unsigned>(kNumSmallClasses));
  pages->mark_large(a, 2, static_cast<unsigned>(kNumSmallClasses));
  pages->mark_large(b, 5, static_cast<unsigned>(kNumSmallClasses));
  BOOST_TEST(pages->alloc_dirty_run(1) == nullptr);  // free pages, but all clean
  pages->free_run(b, 5, 1);
  BOOST_TEST(pages->alloc_dirty_run(6) == nullptr);  // five dirty pages: not six
  RunMeta* d = pages->alloc_dirty_run(3);
  BOOST_TEST(d == b);
  BOOST_TEST(pages->stats().pdirty == 2u);  // the two left stay free and dirty
  BOOST_TEST(pages->stats().pactive == 2u + 3u + 1u);
  pages->mark_large(d, 3, static_cast<unsigned>(kNumSmallClasses));
  BOOST_TEST(pages->is_valid());
  // Best fit among dirty runs: of five dirty pages (d back with its neighbour) and two
  // freed later apart, a 2-page request takes the two.
  pages->free_run(d, 3, 1);
  pages->free_run(a, 2, 2);
  BOOST_TEST(pages->stats().pdirty == 7u);
  BOOST_TEST(pages->alloc_dirty_run(2) == a);
  BOOST_TEST(pages->stats().pdirty == 5u);
  pages->mark_large(a, 2, static_cast<unsigned>(kNumSmallClasses));
  BOOST_TEST(pages->is_valid());
  pages->purge(2, kNow, true);
  BOOST_TEST(pages->alloc_dirty_run(1) == nullptr);
  BOOST_TEST(pages->stats().chunks == 1u);
  BOOST_TEST(pages->is_valid());
}

BOOST_FIXTURE_TEST_CASE(one_wholly_free_chunk_stays_as_spare_the_next_go_to_the_pool, Fixture) {
  std::vector<RunMeta*> runs;
  for (int i = 0; i < 3; ++i) {
    runs.push_back(pages->alloc_run(kMaxRunPages, nullptr));
    pages->mark_large(runs.back(), kMaxRunPages, static_cast<unsigned>(kNumSmallClasses));
    std::memset(run_addr(runs.back()), 1, kPageSize);
  }
  BOOST_TEST(pages->stats().chunks == 3u);
  for (RunMeta* r : runs) pages->free_run(r, kMaxRunPages, 10);
  // The first chunk to be wholly free stays as the spare; the others are pooled at once,
  // still dirty and still registered (a stray free into them is named, not followed).
  BOOST_TEST(pages->stats().chunks == 1u);
  BOOST_TEST(pages->stats().chunks_pooled == 2u);
  BOOST_TEST(chunk_pool_stats().chunks == 2u);
  BOOST_TEST(chunk_pool_stats().dirty == 2 * kMaxRunPages);
  BOOST_TEST(pages->is_valid());
  int registered = 0;
  for (RunMeta* r : runs) registered += chunk_kind(run_addr(r)) == ChunkKind::kArena;
  BOOST_TEST(registered == 3);
  // Not due before the decay time, then unmapped and unregistered.
  BOOST_TEST(chunk_pool_purge(500, 1000, false, false) == 0u);
  BOOST_TEST(chunk_pool_purge(1010, 1000, false, false) == 2 * kMaxRunPages);
  BOOST_TEST(chunk_pool_stats().chunks == 0u);
  registered = 0;
  for (RunMeta* r : runs) registered += chunk_kind(run_addr(r)) == ChunkKind::kArena;
  BOOST_TEST(registered == 1);
}

BOOST_FIXTURE_TEST_CASE(another_arena_takes_a_pooled_chunk_before_it_maps, Fixture) {
  RunMeta* a = pages->alloc_run(kMaxRunPages, nullptr);
  RunMeta* b = pages->alloc_run(kMaxRunPages, nullptr);
  for (RunMeta* r : {a, b}) pages->mark_large(r, kMaxRunPages, static_cast<unsigned>(kNumSmallClasses));
  std::memset(run_addr(b), 1, 3 * kPageSize);
  pages->free_run(a, kMaxRunPages, 10);  // the spare
  pages->free_run(b, kMaxRunPages, 10);  // pooled
  BOOST_REQUIRE(chunk_pool_stats().chunks == 1u);
  auto other = std::make_unique<PageRuns>();
  other->init(nullptr, 1);
  bool zeroed = true;
  RunMeta* r = other->alloc_run(4, &zeroed);
  BOOST_REQUIRE(r != nullptr);
  BOOST_TEST(chunk_of(r) == chunk_of(b));  // the pooled chunk, not a fresh mapping
  BOOST_TEST(chunk_of(r)->arena_index == 1u);
  BOOST_TEST(!zeroed);                     // its pages are dirty: calloc must clear them
  BOOST_TEST(other->stats().chunks_adopted == 1u);
  BOOST_TEST(other->stats().chunks_mapped == 0u);
  BOOST_TEST(other->stats().pdirty == kMaxRunPages - 4);
  BOOST_TEST(chunk_pool_stats().chunks == 0u);
  other->mark_large(r, 4, static_cast<unsigned>(kNumSmallClasses));
  BOOST_TEST(other->is_valid());
  BOOST_TEST(pages->is_valid());
}

BOOST_FIXTURE_TEST_CASE(retain_keeps_free_chunks_mapped_but_purged, Fixture) {
  std::vector<RunMeta*> runs;
  for (int i = 0; i < 2; ++i) {
    runs.push_back(pages->alloc_run(kMaxRunPages, nullptr));
    pages->mark_large(runs.back(), kMaxRunPages, static_cast<unsigned>(kNumSmallClasses));
  }
  for (RunMeta* r : runs) pages->free_run(r, kMaxRunPages, 10);
  pages->purge(10, PurgePolicy{0, true}, true);
  chunk_pool_purge(10, 0, true, true);
  BOOST_TEST(pages->stats().chunks == 1u);
  BOOST_TEST(pages->stats().retained_chunks == 1u);
  BOOST_TEST(pages->mapped_bytes() == 0u);
  BOOST_TEST(chunk_pool_stats().chunks == 1u);        // purged, kept mapped
  BOOST_TEST(chunk_pool_stats().dirty == 0u);
  int registered = 0;
  for (RunMeta* r : runs) registered += chunk_kind(run_addr(r)) == ChunkKind::kArena;
  BOOST_TEST(registered == 2);
  RunMeta* back = pages->alloc_run(10, nullptr);
  BOOST_REQUIRE(back != nullptr);
  BOOST_TEST(pages->stats().retained_chunks == 0u);
}

BOOST_FIXTURE_TEST_CASE(grow_and_shrink_in_place, Fixture) {
  RunMeta* r = pages->alloc_run(4, nullptr);
  pages->mark_large(r, 4, static_cast<unsigned>(kNumSmallClasses));
  BOOST_TEST(pages->grow_run(r, 4, 10));
  pages->mark_large(r, 10, static_cast<unsigned>(kNumSmallClasses));
  BOOST_TEST(pages->stats().pactive == 10u);
  RunMeta* blocker = pages->alloc_run(1, nullptr);
  pages->mark_large(blocker, 1, static_cast<unsigned>(kNumSmallClasses));
  BOOST_TEST(!pages->grow_run(r, 10, 11));  // the next page is taken
  pages->shrink_run(r, 10, 5, 0);
  pages->mark_large(r, 5, static_cast<unsigned>(kNumSmallClasses));
  BOOST_TEST(pages->stats().pactive == 6u);
  BOOST_TEST(pages->is_valid());
}

BOOST_FIXTURE_TEST_CASE(aligned_runs_start_at_their_alignment, Fixture) {
  for (std::size_t align_pages : {2u, 8u, 64u}) {
    RunMeta* r = pages->alloc_run_aligned(5, align_pages, nullptr, 0);
    BOOST_REQUIRE(r != nullptr);
    BOOST_TEST(to_addr(run_addr(r)) % (align_pages * kPageSize) == 0u);
    pages->mark_large(r, 5, static_cast<unsigned>(kNumSmallClasses));
  }
  BOOST_TEST(pages->alloc_run_aligned(kMaxRunPages, 2, nullptr, 0) == nullptr);
  BOOST_TEST(pages->is_valid());
}

BOOST_FIXTURE_TEST_CASE(random_alloc_free_purge_keeps_every_invariant, Fixture) {
  test::Rng rng(2024);
  struct Live { RunMeta* r; std::size_t n; };
  std::vector<Live> live;
  std::uint32_t now = 0;
  for (int step = 0; step < 20000; ++step) {
    now += static_cast<std::uint32_t>(rng.below(5));
    const auto op = rng.below(10);
    if (op < 5 || live.empty()) {
      const std::size_t n = 1 + rng.log_size(kMaxRunPages - 1);
      RunMeta* r = pages->alloc_run(n, nullptr);
      BOOST_REQUIRE(r != nullptr);
      pages->mark_large(r, n, static_cast<unsigned>(kNumSmallClasses));
      live.push_back({r, n});
    } else if (op < 9) {
      const std::size_t i = rng.below(live.size());
      pages->free_run(live[i].r, live[i].n, now);
      live[i] = live.back();
      live.pop_back();
    } else {
      pages->purge(now, PurgePolicy{50, false}, rng.below(4) == 0);
    }
    if (step % 97 == 0 && !pages->is_valid()) BOOST_FAIL("invalid after step " << step);
  }
  for (auto& l : live) pages->free_run(l.r, l.n, now);
  pages->purge(now, kNow, true);
  BOOST_TEST(pages->is_valid());
  BOOST_TEST(pages->stats().chunks == 1u);
  BOOST_TEST(pages->stats().pdirty == 0u);
}

// A large run's pages are typed once (take_pages) and counted dirty when it is freed,
// whatever their bits said when it was handed out; the ends an aligned request trims
// off are given back as they were (clean here).
BOOST_FIXTURE_TEST_CASE(handed_out_pages_count_dirty_when_freed_and_trimmed_ends_stay_clean, Fixture) {
  bool zeroed = false;
  RunMeta* r = pages->alloc_run_aligned(8, 16, &zeroed, 1);
  BOOST_REQUIRE(r != nullptr);
  BOOST_TEST(zeroed);
  BOOST_TEST(pages->stats().pdirty == 0u);
  const unsigned cls = static_cast<unsigned>(kNumSmallClasses);
  pages->mark_large(r, 8, cls);
  const ChunkHeader* c = chunk_of(r);
  const std::size_t start = page_index_of(c, r);
  for (std::size_t i = start; i < start + 8; ++i) {
    BOOST_TEST((c->pages[i].state == PageState::kLarge && c->pages[i].run_start == start && c->pages[i].run_pages == 8u));
  }
  BOOST_TEST(page_class(c->pages[start]) == cls);
  pages->free_run(r, 8, 2);
  BOOST_TEST(pages->stats().pdirty == 8u);
  BOOST_TEST(pages->is_valid());
  for (std::size_t i = start; i < start + 8; ++i) BOOST_TEST(c->pages[i].dirty == 1u);
  BOOST_TEST(c->pages[start + 8].dirty == 0u);  // the trimmed tail, never handed out
}
