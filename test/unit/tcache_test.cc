// Thread caches: pop/push limits, refill in batches, flush of the older half, GC of idle
// bins, and the counters behind thread.allocated.
#define BOOST_TEST_MODULE tcache
#include <boost/test/unit_test.hpp>

#include <cstdlib>

#include <algorithm>
#include <memory>
#include <set>
#include <vector>

#include "arena/arena_set.h"
#include "chunk/chunk_registry.h"
#include "arena/free_batch.h"
#include "platform/os.h"
#include "tcache/free_mark.h"
#include "tcache/tcache.h"

using namespace bento;

namespace {
struct Setup {
  Setup() {
    if (!registry_init()) std::abort();
    if (!arenas_init(2, 10000, false)) std::abort();
  }
};
BOOST_GLOBAL_FIXTURE(Setup);

// What the free paths do: the free mark, then the push (tcache/free_mark.h).
bool put(CacheBin& b, void* p) {
  set_free_mark(p);
  return b.push(p);
}
void put_or_flush(TCache* tc, unsigned cls, void* p, ArenaChoice& choice) {
  set_free_mark(p);
  if (!tc->bins[cls].push(p)) tcache_flush_and_push(tc, cls, p, choice);
}

struct Cache {
  explicit Cache(std::size_t max = 32768) : mem(new char[tcache_size(max) + 64]()) {
    tc = reinterpret_cast<TCache*>(align_up(to_addr(mem.get()), 64));
    choice_init(choice, 5);
    tcache_init(tc, max, choice.favourite, false);
  }
  ~Cache() {
    tcache_flush_all(tc, choice);
    choice_release(choice);
  }
  std::unique_ptr<char[]> mem;
  TCache* tc;
  ArenaChoice choice;
};
}  // namespace

BOOST_AUTO_TEST_CASE(capacity_follows_the_class_and_tcache_max) {
  Cache c(4096);
  BOOST_TEST(c.tc->bins[0].ncached_max == 200u);   // 16 B: 2 x 256 regions, capped
  BOOST_TEST(c.tc->bins[3].ncached_max == 128u);   // 64 B: 2 x 64
  BOOST_TEST(c.tc->bins[15].ncached_max == 20u);   // 512 B: at least 20 up to 1 KiB
  // Above 1 KiB a refill is one run (2 x its regions, half a bin), at least 4 slots.
  const unsigned k4 = size_to_class(4096), above = size_to_class(4097);  // 4 KiB; 4.5 KiB
  BOOST_TEST(c.tc->bins[k4].ncached_max == std::max(4u, 2u * kClasses[k4].nregs));
  BOOST_TEST(c.tc->bins[above].ncached_max == 0u);  // > tcache_max
  BOOST_TEST(c.tc->bins[0].pop() == nullptr);
  BOOST_TEST(!c.tc->bins[above].push(reinterpret_cast<void*>(0x1000)));
}

BOOST_AUTO_TEST_CASE(refill_brings_half_a_bin_and_pops_lowest_first) {
  Cache c;
  void* first = tcache_refill_and_pop(c.tc, 3, c.choice);
  BOOST_REQUIRE(first != nullptr);
  CacheBin& b = c.tc->bins[3];
  BOOST_TEST(b.ncached() == b.ncached_max / 2u - 1u);
  void* second = b.pop();
  BOOST_TEST(to_addr(second) > to_addr(first));
  BOOST_TEST(put(b, second));
  BOOST_TEST(put(b, first));
}

BOOST_AUTO_TEST_CASE(a_popped_object_leaves_without_the_free_mark) {
  Cache c;
  void* p = tcache_refill_and_pop(c.tc, 3, c.choice);
  BOOST_REQUIRE(p != nullptr);
  BOOST_TEST(!has_free_mark(p));
  set_free_mark(p);  // what the free paths do before they push
  BOOST_TEST(has_free_mark(p));
  CacheBin& b = c.tc->bins[3];
  BOOST_REQUIRE(b.push(p));
  BOOST_TEST(b.pop() == p);
  BOOST_TEST(!has_free_mark(p));
}

BOOST_AUTO_TEST_CASE(full_bin_flushes_its_older_half) {
  Cache c;
  CacheBin& b = c.tc->bins[0];
  std::vector<void*> objs;
  for (unsigned i = 0; i < 2u * b.ncached_max; ++i) {
    void* p = b.pop();
    if (p == nullptr) p = tcache_refill_and_pop(c.tc, 0, c.choice);
    objs.push_back(p);
  }
  BOOST_TEST(std::set<void*>(objs.begin(), objs.end()).size() == objs.size());
  for (void* p : objs) {
    put_or_flush(c.tc, 0, p, c.choice);
  }
  BOOST_TEST(b.ncached() <= b.ncached_max);
  BOOST_TEST(b.ncached() >= b.ncached_max / 2u);
  // The newest objects are the ones kept.
  BOOST_TEST(b.top[-1] == objs.back());
}

BOOST_AUTO_TEST_CASE(bins_start_packed_and_a_growing_bin_moves_with_its_objects) {
  Cache c;
  // Every bin's starting slots lie in one array of a few pages: a thread that uses
  // every class once touches those, not a page or more per bin.
  const CacheBin& first = c.tc->bins[0];
  const CacheBin& last = c.tc->bins[kNumLookupClasses - 1];
  BOOST_TEST(to_addr(first.low) > to_addr(c.tc));
  BOOST_TEST(to_addr(last.high) - to_addr(first.low) < 6 * kPageSize);
  for (unsigned cls = 1; cls < kNumLookupClasses; ++cls) {
    BOOST_TEST(c.tc->bins[cls].low > c.tc->bins[cls - 1].high);  // a sentinel between
  }
  // Refilled, then full: the bin doubles, into its own reservation, objects and all.
  const unsigned cls = kNumSmallClasses;  // 16 KiB, the first large class: 4 slots
  CacheBin& b = c.tc->bins[cls];
  void** const packed = b.low;
  const unsigned start = b.ncached_max;
  BOOST_TEST(start == 4u);
  std::vector<void*> objs;
  for (unsigned i = 0; i <= start; ++i) {
    void* p = b.pop();
    if (p == nullptr) p = tcache_refill_and_pop(c.tc, cls, c.choice);
    BOOST_REQUIRE(p != nullptr);
    objs.push_back(p);
  }
  for (void* p : objs) put_or_flush(c.tc, cls, p, c.choice);  // the last one finds it full
  BOOST_TEST(b.ncached_max == 2 * start);
  BOOST_TEST(b.low != packed);
  BOOST_TEST(b.low[-1] == nullptr);  // its own sentinel
  BOOST_TEST(b.ncached() == objs.size());
  BOOST_TEST(std::set<void*>(b.low, b.top) == std::set<void*>(objs.begin(), objs.end()));
  BOOST_TEST(b.pop() == objs.back());
}

BOOST_AUTO_TEST_CASE(gc_sheds_what_an_idle_bin_holds) {
  Cache c;
  void* p = tcache_refill_and_pop(c.tc, 10, c.choice);
  put(c.tc->bins[10], p);
  const std::size_t held = c.tc->bins[10].ncached();
  BOOST_TEST(held > 4u);
  // Slow events on another class walk the GC round the bins twice. A refill needs an
  // empty bin: take everything out, refill, and put it all back (flushing when full).
  CacheBin& b1 = c.tc->bins[1];
  std::size_t flushes = 0;
  for (unsigned i = 0; i < 2 * kNumLookupClasses; ++i) {
    std::vector<void*> taken;
    while (void* q = b1.pop()) taken.push_back(q);
    taken.push_back(tcache_refill_and_pop(c.tc, 1, c.choice));
    while (void* q = b1.pop()) taken.push_back(q);
    for (void* q : taken) {
      if (b1.top == b1.high) ++flushes;
      put_or_flush(c.tc, 1, q, c.choice);
    }
  }
  BOOST_TEST(flushes > 0u);
  BOOST_TEST(c.tc->bins[10].ncached() < held);
}

BOOST_AUTO_TEST_CASE(allocated_bytes_count_cache_hits) {
  Cache c;
  const auto before = tcache_allocated_bytes(c.tc);
  void* p = tcache_refill_and_pop(c.tc, 3, c.choice);
  void* q = c.tc->bins[3].pop();
  BOOST_TEST(tcache_allocated_bytes(c.tc) - before == 128u);
  put(c.tc->bins[3], q);
  put(c.tc->bins[3], p);
  BOOST_TEST(tcache_deallocated_bytes(c.tc) == 128u);
  BOOST_TEST(tcache_cached_bytes(c.tc) == c.tc->bins[3].ncached() * 64u);
  tcache_flush_all(c.tc, c.choice);
  BOOST_TEST(tcache_cached_bytes(c.tc) == 0u);
  BOOST_TEST(tcache_allocated_bytes(c.tc) - before == 128u);
}

// A refill that takes another arena's holes (that arena is quiet: no refill of its own
// for a while) names it the cache's lender, whose objects the free fast path then keeps
// as its own; a refill that finds it refilling again forgets it.
BOOST_AUTO_TEST_CASE(a_refill_that_borrows_names_its_lender_until_it_lends_no_more) {
  Cache c;
  const unsigned cls = 12;  // 320 B: no other case here uses it
  const unsigned other = 1 - c.choice.favourite;
  Arena* lender = arena_get_or_create(other);
  lender->thread_joined();  // a live thread's favourite: quiet, not abandoned
  Arena* own = arena_get_or_create(c.choice.favourite);
  own->last_fill_ms.store(os::coarse_ms());  // refilling now: it lends nothing to this fill
  std::vector<void*> held(2 * kClasses[cls].nregs);
  lender->lock();
  BOOST_REQUIRE(lender->fill_locked(cls, held.data(), held.size()) == held.size());
  lender->unlock();
  for (void* p : held) BOOST_REQUIRE(chunk_of(p)->arena_index == other);
  std::vector<void*> holes, kept;
  for (std::size_t i = 0; i < held.size(); ++i) (i % 2 == 0 ? holes : kept).push_back(held[i]);
  void* bad = nullptr;
  BOOST_REQUIRE((arena_free_batch(holes.data(), holes.size(), cls, other, &bad) == FreeError::kOk));
  BOOST_TEST(c.tc->lender_arena == kNoLender);

  own->lock();
  own->purge_locked(true);  // no dirty pages of its own to take first
  own->unlock();
  lender->last_fill_ms.store(os::coarse_ms() - Arena::kQuietMs);
  std::vector<void*> got{tcache_refill_and_pop(c.tc, cls, c.choice)};
  BOOST_REQUIRE(got[0] != nullptr);
  BOOST_TEST(chunk_of(got[0])->arena_index == other);
  BOOST_TEST(c.tc->lender_arena == other);

  lender->last_fill_ms.store(os::coarse_ms());  // its thread refills again
  while (void* p = c.tc->bins[cls].pop()) got.push_back(p);
  got.push_back(tcache_refill_and_pop(c.tc, cls, c.choice));
  BOOST_REQUIRE(got.back() != nullptr);
  BOOST_TEST(chunk_of(got.back())->arena_index == c.choice.favourite);
  BOOST_TEST(c.tc->lender_arena == kNoLender);

  for (void* p : got) put_or_flush(c.tc, cls, p, c.choice);
  BOOST_TEST((arena_free_batch(kept.data(), kept.size(), cls, other, &bad) == FreeError::kOk));
  lender->thread_left(false);
}
