// Runs and bins: regions come out lowest first, every region of a run is distinct and
// aligned, bad frees are recognised, and empty runs go back to the pages.
#define BOOST_TEST_MODULE bin
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <memory>
#include <set>
#include <vector>

#include "chunk/chunk_registry.h"
#include "run/bin.h"
#include "../support/print.h"
#include "../support/rng.h"

using namespace bento;

namespace {
struct Fixture {
  Fixture() {
    BOOST_REQUIRE(registry_init());
    pages = std::make_unique<PageRuns>();
    pages->init(nullptr, 0);
  }
  std::unique_ptr<PageRuns> pages;
};
}  // namespace

BOOST_FIXTURE_TEST_CASE(every_class_fills_whole_runs_of_distinct_aligned_regions, Fixture) {
  for (unsigned cls = 0; cls < kNumSmallClasses; ++cls) {
    Bin bin;
    bin.init(cls);
    const std::size_t n = 3 * kClasses[cls].nregs + 1;
    std::vector<void*> out(n);
    BOOST_REQUIRE(bin.alloc_batch(*pages, out.data(), n) == n);
    std::set<void*> seen(out.begin(), out.end());
    BOOST_TEST(seen.size() == n);
    for (void* p : out) {
      BOOST_TEST((to_addr(p) & kClasses[cls].align_mask) == 0u);
      BOOST_TEST(page_class(chunk_of(p)->pages[page_of(p)]) == cls);
    }
    BOOST_TEST(bin.stats.curruns == 4u);
    BOOST_TEST(bin.stats.curregs == n);
    for (void* p : out) {
      RunMeta* emptied = nullptr;
      const PageInfo& pi = chunk_of(p)->pages[page_of(p)];
      BOOST_TEST((bin.free_one(run_meta_at(chunk_of(p), pi.run_start), p, &emptied) == RegionFree::kOk));
      if (emptied != nullptr) pages->free_run(emptied, kClasses[cls].run_pages, 0);
    }
    BOOST_TEST(bin.stats.curregs == 0u);
    BOOST_TEST(bin.stats.curruns == 1u);  // the current run is kept
    bin.release_empty_current(*pages, 0);
    BOOST_TEST(bin.stats.curruns == 0u);
  }
  BOOST_TEST(pages->stats().pactive == 0u);
  BOOST_TEST(pages->is_valid());
}

BOOST_FIXTURE_TEST_CASE(regions_are_handed_out_lowest_address_first, Fixture) {
  Bin bin;
  bin.init(3);  // 64 B
  std::vector<void*> out(10);
  bin.alloc_batch(*pages, out.data(), out.size());
  BOOST_TEST(std::is_sorted(out.begin(), out.end()));
}

BOOST_FIXTURE_TEST_CASE(double_free_and_interior_pointers_are_recognised, Fixture) {
  Bin bin;
  bin.init(5);  // 96 B, 3-page runs: regions straddle pages
  void* p[4];
  bin.alloc_batch(*pages, p, 4);
  RunMeta* run = run_meta_at(chunk_of(p[0]), chunk_of(p[0])->pages[page_of(p[0])].run_start);
  RunMeta* emptied;
  BOOST_TEST((bin.free_one(run, static_cast<char*>(p[1]) + 16, &emptied) == RegionFree::kNotRegionStart));
  BOOST_TEST((bin.free_one(run, p[1], &emptied) == RegionFree::kOk));
  BOOST_TEST((bin.free_one(run, p[1], &emptied) == RegionFree::kAlreadyFree));
  BOOST_TEST(bin.stats.curregs == 3u);
}

BOOST_FIXTURE_TEST_CASE(freed_regions_are_reused_and_runs_cycle_through_nonfull, Fixture) {
  Bin bin;
  bin.init(0);  // 16 B, 256 per run
  test::Rng rng(9);
  std::vector<void*> live;
  for (int step = 0; step < 50000; ++step) {
    if (rng.below(3) != 0 || live.empty()) {
      void* p;
      BOOST_REQUIRE(bin.alloc_batch(*pages, &p, 1) == 1u);
      live.push_back(p);
    } else {
      const std::size_t i = rng.below(live.size());
      void* p = live[i];
      live[i] = live.back();
      live.pop_back();
      RunMeta* emptied;
      RunMeta* run = run_meta_at(chunk_of(p), chunk_of(p)->pages[page_of(p)].run_start);
      if (bin.free_one(run, p, &emptied) != RegionFree::kOk) BOOST_FAIL("free failed at " << step);
      if (emptied != nullptr) pages->free_run(emptied, 1, 0);
    }
  }
  BOOST_TEST(bin.stats.curregs == live.size());
  // Runs needed for the live regions, plus little slack.
  BOOST_TEST(bin.stats.curruns <= live.size() / 256 * 4 + 8);
  BOOST_TEST(pages->is_valid());
}
