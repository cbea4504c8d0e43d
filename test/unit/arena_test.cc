// Arenas: small and large service, frees with their errors, resizing, purging, the
// favourite protocol and its contention counters, and huge objects.
#define BOOST_TEST_MODULE arena
#include <boost/test/unit_test.hpp>

#include <cstdlib>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "arena/arena_set.h"
#include "arena/free_batch.h"
#include "arena/huge.h"
#include "chunk/chunk_registry.h"
#include "platform/os.h"
#include "../support/print.h"
#include "../support/threads.h"

using namespace bento;

namespace {
struct Setup {
  Setup() {
    if (!registry_init()) std::abort();
    if (!arenas_init(4, 0, false)) std::abort();
  }
};
BOOST_GLOBAL_FIXTURE(Setup);

constexpr unsigned kFirstLarge = static_cast<unsigned>(kNumSmallClasses);

// Two runs' worth of class cls from arena a: the first run's objects (it is full, and
// not the current run) and the second's (the current run, full too).
struct TwoRuns {
  std::vector<void*> first, current;
  unsigned first_run;  // page of the first run in the first object's chunk
};
TwoRuns fill_two_runs(Arena* a, unsigned cls) {
  const std::size_t nregs = kClasses[cls].nregs;
  std::vector<void*> held(2 * nregs);
  a->lock();
  BOOST_REQUIRE(a->fill_locked(cls, held.data(), held.size()) == held.size());
  a->unlock();
  TwoRuns r;
  const ChunkHeader* c = chunk_of(held[0]);
  r.first_run = c->pages[page_of(held[0])].run_start;
  for (void* p : held) (c == chunk_of(p) && c->pages[page_of(p)].run_start == r.first_run ? r.first : r.current).push_back(p);
  BOOST_REQUIRE(r.first.size() == nregs);
  return r;
}
}  // namespace

BOOST_AUTO_TEST_CASE(arena_count_and_lazy_creation) {
  BOOST_TEST(narenas() == 4u);
  BOOST_TEST(arena_get(0) != nullptr);
  Arena* a3 = arena_get_or_create(3);
  BOOST_TEST(a3 != nullptr);
  BOOST_TEST(a3->index() == 3u);
  BOOST_TEST(arena_get_or_create(4) == nullptr);
}

BOOST_AUTO_TEST_CASE(fill_gives_small_batches_and_free_batch_returns_them) {
  Arena* a = arena_get_or_create(1);
  void* got[100];
  a->lock();
  const std::size_t n = a->fill_locked(2, got, 100);  // 48 B
  a->unlock();
  BOOST_TEST(n == 100u);
  a->lock();
  BOOST_TEST(a->bin_stats(2).curregs == 100u);
  BOOST_TEST(a->bin_stats(2).nfills == 1u);
  a->unlock();
  void* bad = nullptr;
  BOOST_TEST((arena_free_batch(got, n, 2, 1, &bad) == FreeError::kOk));
  a->lock();
  BOOST_TEST(a->bin_stats(2).curregs == 0u);
  BOOST_TEST(a->bin_stats(2).nflushes == 1u);
  a->unlock();
}

BOOST_AUTO_TEST_CASE(free_batch_groups_objects_of_several_arenas) {
  std::vector<void*> objs;
  for (unsigned i = 0; i < 4; ++i) {
    Arena* a = arena_get_or_create(i);
    a->thread_joined();  // some thread's favourite: it will drain its queue
    void* p[10];
    a->lock();
    a->fill_locked(0, p, 10);
    a->unlock();
    objs.insert(objs.end(), p, p + 10);
  }
  void* bad = nullptr;
  // From a thread whose favourite is arena 0: its objects go back at once, the other
  // arenas' wait on their remote queues for the next holder of each arena's lock.
  BOOST_TEST((arena_free_batch(objs.data(), objs.size(), kNoClass, 0, &bad) == FreeError::kOk));
  for (unsigned i = 0; i < 4; ++i) {
    Arena* a = arena_get(i);
    a->lock();
    BOOST_TEST(a->bin_stats(0).curregs == (i == 0 ? 0u : 10u), "arena " << i);
    BOOST_TEST(a->remote().bytes() == (i == 0 ? 0u : 10u * 16u), "arena " << i);
    a->drain_remote_locked();
    BOOST_TEST(a->bin_stats(0).curregs == 0u);
    BOOST_TEST(a->remote().bytes() == 0u);
    BOOST_TEST(a->remote().empty());
    a->unlock();
    a->thread_left(false);
  }
}

// An arena no thread has as its favourite would hold queued frees until the daemon's
// tick: the freeing thread frees them under its lock, as an observer.
BOOST_AUTO_TEST_CASE(free_batch_to_an_arena_no_thread_uses_frees_at_once) {
  Arena* a = arena_get_or_create(2);
  BOOST_REQUIRE(a->nthreads.load() == 0u);
  void* p[10];
  a->lock();
  BOOST_TEST(a->fill_locked(0, p, 10) == 10u);
  a->unlock();
  const std::uint32_t seq = a->observer_seq();
  void* bad = nullptr;
  BOOST_TEST((arena_free_batch(p, 10, 0, 0, &bad) == FreeError::kOk));
  BOOST_TEST(a->observer_seq() - seq == 2u);
  BOOST_TEST(a->remote().empty());
  a->lock();
  BOOST_TEST(a->bin_stats(0).curregs == 0u);
  a->unlock();
}

// A fill takes free regions of runs that arenas no thread uses hold (threads that came
// and went leave them partly full) before its own, and none from an arena in use.
BOOST_AUTO_TEST_CASE(fill_takes_free_regions_of_idle_arenas_first) {
  constexpr unsigned kCls = 6;  // 112 B: a class no other case here uses
  Arena* donor = arena_get_or_create(3);
  Arena* taker = arena_get_or_create(1);
  void* held[10];
  donor->lock();
  BOOST_REQUIRE(donor->fill_locked(kCls, held, 10) == 10u);
  donor->unlock();
  void* bad = nullptr;
  BOOST_TEST((arena_free_batch(held, 4, kCls, 3, &bad) == FreeError::kOk));  // 4 regions free again

  void* got[3];
  donor->thread_joined();  // in use: not a donor
  BOOST_TEST(!Arena::any_abandoned());
  taker->lock();
  BOOST_TEST(taker->fill_locked(kCls, got, 1) == 1u);
  taker->unlock();
  BOOST_TEST(chunk_of(got[0])->arena_index == 1u);
  BOOST_TEST((arena_free_batch(got, 1, kCls, 1, &bad) == FreeError::kOk));  // the taker has free regions now

  donor->thread_left(true);  // its last thread exited: idle
  BOOST_REQUIRE(donor->idle());
  BOOST_TEST(Arena::any_abandoned());
  taker->lock();
  BOOST_TEST(taker->fill_locked(kCls, got, 3) == 3u);
  taker->unlock();
  for (void* p : got) BOOST_TEST(chunk_of(p)->arena_index == 3u);
  donor->lock();
  BOOST_TEST(donor->bin_stats(kCls).curregs == 9u);  // 6 held + 3 taken, all the donor's
  donor->unlock();
  BOOST_TEST((arena_free_batch(got, 3, kCls, 1, &bad) == FreeError::kOk));
  BOOST_TEST((arena_free_batch(held + 4, 6, kCls, 1, &bad) == FreeError::kOk));
  donor->lock();
  BOOST_TEST(donor->bin_stats(kCls).curregs == 0u);
  donor->unlock();
  donor->thread_joined();  // not idle again, for the cases after this one
  BOOST_TEST(!Arena::any_abandoned());
  donor->thread_left(false);
}

// With no free region anywhere, a fill makes its run of pages an idle arena holds dirty
// (resident already) before pages that would fault in; the objects are that arena's.
BOOST_AUTO_TEST_CASE(fill_makes_a_run_of_an_idle_arenas_dirty_pages_before_fresh_ones) {
  constexpr unsigned kCls = 9;  // 192 B: a class no other case here uses
  const std::size_t nregs = kClasses[kCls].nregs;
  Arena* donor = arena_get_or_create(2);
  Arena* taker = arena_get_or_create(1);
  donor->decay_ms.store(60000);  // its freed pages stay dirty (this module's default: purge at once)
  TwoRuns held = fill_two_runs(donor, kCls);
  void* bad = nullptr;
  BOOST_TEST((arena_free_batch(held.first.data(), nregs, kCls, 2, &bad) == FreeError::kOk));  // its pages: free, dirty
  donor->thread_joined();
  donor->thread_left(true);
  BOOST_REQUIRE(donor->idle());

  taker->lock();
  taker->purge_locked(true);  // no dirty pages of its own
  donor->lock();
  const std::size_t donor_active = donor->pages().stats().pactive;
  donor->unlock();
  void* got[2];
  BOOST_TEST(taker->fill_locked(kCls, got, 2) == 2u);
  taker->unlock();
  for (void* p : got) BOOST_TEST(chunk_of(p)->arena_index == 2u);
  donor->lock();
  BOOST_TEST(donor->pages().stats().pactive == donor_active + kClasses[kCls].run_pages);
  donor->unlock();

  BOOST_TEST((arena_free_batch(got, 2, kCls, 1, &bad) == FreeError::kOk));
  BOOST_TEST((arena_free_batch(held.current.data(), held.current.size(), kCls, 1, &bad) == FreeError::kOk));
  donor->lock();
  BOOST_TEST(donor->bin_stats(kCls).curregs == 0u);
  donor->unlock();
  donor->decay_ms.store(0);
  donor->thread_joined();
  donor->thread_left(false);
}

// Waits for the coarse clock to tick and returns the new tick: what follows runs at the
// start of one (4 ms; the fills take microseconds).
namespace {
std::uint32_t next_tick() {
  const std::uint32_t t = os::coarse_ms();
  while (os::coarse_ms() == t) std::this_thread::yield();
  return os::coarse_ms();
}
}  // namespace

// An arena none of whose threads refilled for a while (a main thread waiting for its
// workers) lends the holes of its runs other than the current one, where its thread
// allocates next; an arena whose thread refilled just now lends nothing.
BOOST_AUTO_TEST_CASE(a_quiet_arena_lends_the_holes_of_its_runs_but_not_its_current_run) {
  constexpr unsigned kCls = 11;  // 256 B: a class no other case here uses
  const std::size_t nregs = kClasses[kCls].nregs;
  Arena* lender = arena_get_or_create(3);
  Arena* taker = arena_get_or_create(1);
  lender->thread_joined();  // a live thread's favourite: not abandoned
  TwoRuns held = fill_two_runs(lender, kCls);
  std::vector<void*>& first = held.first;
  std::vector<void*>& current = held.current;
  const ChunkHeader* c = chunk_of(first[0]);
  const unsigned first_run = held.first_run;
  void* bad = nullptr;
  BOOST_TEST((arena_free_batch(first.data(), 3, kCls, 3, &bad) == FreeError::kOk));    // 3 holes, non-full run
  BOOST_TEST((arena_free_batch(current.data(), 2, kCls, 3, &bad) == FreeError::kOk));  // 2 in the current run

  void* got[4] = {};
  const std::uint32_t missed = next_tick();
  lender->last_fill_ms.store(missed);  // its thread refilled just now
  taker->lock();
  taker->purge_locked(true);
  BOOST_REQUIRE(taker->fill_locked(kCls, got, 3) == 3u);
  taker->unlock();
  for (int i = 0; i < 3; ++i) BOOST_TEST(chunk_of(got[i])->arena_index == 1u);
  BOOST_TEST((arena_free_batch(got, 3, kCls, 1, &bad) == FreeError::kOk));

  // The fill found nothing to borrow: in the same tick of the coarse clock the class's
  // fills do not look again, even with the lender quiet now.
  lender->last_fill_ms.store(missed - Arena::kQuietMs);
  taker->lock();
  BOOST_REQUIRE(taker->fill_locked(kCls, got, 3) == 3u);
  taker->unlock();
  if (os::coarse_ms() == missed) {
    for (int i = 0; i < 3; ++i) BOOST_TEST(chunk_of(got[i])->arena_index == 1u);
  } else {
    BOOST_TEST_MESSAGE("the coarse clock ticked during the fills: the same-tick case went untested");
  }
  BOOST_TEST((arena_free_batch(got, 3, kCls, 1, &bad) == FreeError::kOk));

  next_tick();  // a later tick: the fill borrows again
  lender->last_fill_ms.store(os::coarse_ms() - Arena::kQuietMs);  // quiet
  taker->lock();
  taker->purge_locked(true);  // gives its empty current run back: it has no free region
  BOOST_REQUIRE(taker->fill_locked(kCls, got, 4) == 4u);
  taker->unlock();
  unsigned lent = 0;
  for (void* p : got) {
    if (chunk_of(p)->arena_index != 3u) continue;
    ++lent;
    BOOST_TEST(c->pages[page_of(p)].run_start == first_run);  // a hole, not the current run
  }
  BOOST_TEST(lent == 3u);
  lender->lock();
  BOOST_TEST(lender->bin_stats(kCls).curregs == 2 * nregs - 5 + 3);
  lender->unlock();
  BOOST_TEST((arena_free_batch(got, 4, kCls, 1, &bad) == FreeError::kOk));
  BOOST_TEST((arena_free_batch(first.data() + 3, nregs - 3, kCls, 1, &bad) == FreeError::kOk));
  BOOST_TEST((arena_free_batch(current.data() + 2, current.size() - 2, kCls, 1, &bad) == FreeError::kOk));
  lender->lock();
  lender->drain_remote_locked();  // frees from another thread's arena queue while it has a thread
  BOOST_TEST(lender->bin_stats(kCls).curregs == 0u);
  lender->unlock();
  lender->thread_left(false);
}

// More frees than the queue holds: the rest are freed under the owner's lock, taken as
// an observer's (the owner waits rather than moving on), and the queue drained too.
BOOST_AUTO_TEST_CASE(free_batch_past_a_full_remote_queue_frees_under_the_lock) {
  Arena* a = arena_get_or_create(1);
  a->thread_joined();
  constexpr std::size_t kObjects = RemoteQueue::kCapacity + 100;
  std::vector<void*> objs(kObjects);
  a->lock();
  BOOST_TEST(a->fill_locked(0, objs.data(), kObjects) == kObjects);
  a->unlock();
  for (void* p : objs) BOOST_REQUIRE(chunk_of(p)->arena_index == 1u);
  const std::uint32_t seq = a->observer_seq();
  void* bad = nullptr;
  BOOST_TEST((arena_free_batch(objs.data(), kObjects, 0, 0, &bad) == FreeError::kOk));
  BOOST_TEST(a->observer_seq() - seq == 2u);
  BOOST_TEST(a->remote().empty());
  a->lock();
  BOOST_TEST(a->bin_stats(0).curregs == 0u);
  a->unlock();
  a->thread_left(false);
}

BOOST_AUTO_TEST_CASE(bad_frees_are_named) {
  Arena* a = arena_get(0);
  a->lock();
  void* small = a->alloc_small_locked(4);
  bool zeroed;
  void* large = a->alloc_large_locked(kFirstLarge + 2, kPageSize, &zeroed);
  BOOST_TEST((a->free_locked(static_cast<char*>(small) + 16) == FreeError::kInterior));
  BOOST_TEST((a->free_locked(static_cast<char*>(large) + kPageSize) == FreeError::kInterior));
  BOOST_TEST((a->free_locked(small) == FreeError::kOk));
  BOOST_TEST((a->free_locked(large) == FreeError::kOk));
  BOOST_TEST((a->free_locked(large) == FreeError::kFreePage));
  BOOST_TEST((a->free_locked(chunk_of(small)) == FreeError::kNotAllocated));
  a->unlock();
}

BOOST_AUTO_TEST_CASE(large_objects_resize_in_place_and_keep_their_bytes) {
  Arena* a = arena_get(2) != nullptr ? arena_get(2) : arena_get_or_create(2);
  a->lock();
  bool zeroed = false;
  auto* p = static_cast<unsigned char*>(a->alloc_large_locked(kFirstLarge, kPageSize, &zeroed));
  BOOST_REQUIRE(p != nullptr);
  std::memset(p, 7, class_bytes(kFirstLarge));
  BOOST_TEST(a->resize_large_locked(p, kFirstLarge + 4));  // 16 KiB -> 32 KiB
  BOOST_TEST(p[class_bytes(kFirstLarge) - 1] == 7);
  BOOST_TEST(a->resize_large_locked(p, kFirstLarge + 1));  // shrink to 20 KiB
  BOOST_TEST(a->large_stats(1).curruns == 1u);
  BOOST_TEST((a->free_locked(p) == FreeError::kOk));
  a->unlock();
}

BOOST_AUTO_TEST_CASE(aligned_large_objects_are_aligned) {
  Arena* a = arena_get(0);
  a->lock();
  for (std::size_t align : {8192u, 65536u, 1048576u}) {
    bool zeroed;
    void* p = a->alloc_large_locked(kFirstLarge + 3, align, &zeroed);
    BOOST_REQUIRE(p != nullptr);
    BOOST_TEST(to_addr(p) % align == 0u);
    BOOST_TEST((a->free_locked(p) == FreeError::kOk));
  }
  a->unlock();
}

BOOST_AUTO_TEST_CASE(decay_zero_purges_freed_runs_at_once) {
  Arena* a = arena_get(3) != nullptr ? arena_get(3) : arena_get_or_create(3);
  a->lock();
  bool zeroed;
  void* keep = a->alloc_large_locked(kFirstLarge, kPageSize, &zeroed);
  void* p = a->alloc_large_locked(kFirstLarge + 8, kPageSize, &zeroed);
  std::memset(p, 1, class_bytes(kFirstLarge + 8));
  const auto purged_before = a->pages().stats().purged;
  BOOST_TEST((a->free_locked(p) == FreeError::kOk));
  BOOST_TEST(a->pages().stats().pdirty == 0u);
  BOOST_TEST(a->pages().stats().purged > purged_before);
  BOOST_TEST((a->free_locked(keep) == FreeError::kOk));
  a->unlock();
}

BOOST_AUTO_TEST_CASE(favourite_moves_on_and_counts_when_its_lock_is_busy) {
  Arena* a0 = arena_get(0);
  ArenaChoice c;
  c.favourite = 0;
  a0->nthreads.fetch_add(1);
  const auto switches_before = a0->favourite_switches.load();
  a0->lock();  // someone else holds arena 0
  std::thread t([&] {
    Arena* got = lock_favourite(c);
    BOOST_CHECK(got != nullptr);  // (checked after join below too)
    if (got != nullptr) got->unlock();
  });
  t.join();
  a0->unlock();
  BOOST_TEST(c.favourite == 1u);
  BOOST_TEST(a0->favourite_switches.load() == switches_before + 1);
  a0->lock();
  const LockCounters lc = a0->mutex().read_locked();
  a0->unlock();
  BOOST_TEST(lc.trylock_failures >= 1u);
  // With the lock free, the favourite is kept.
  Arena* again = lock_favourite(c);
  BOOST_TEST(again == arena_get(1));
  again->unlock();
  BOOST_TEST(c.favourite == 1u);
  choice_release(c);
}

BOOST_AUTO_TEST_CASE(blocking_waits_are_timed) {
  Arena* a = arena_get(1);
  a->lock();
  std::atomic<bool> started{false};
  std::thread t([&] {
    started = true;
    a->lock();  // blocks until the main thread lets go
    a->unlock();
  });
  while (!started) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  a->unlock();
  t.join();
  a->lock();
  const LockCounters lc = a->mutex().read_locked();
  a->unlock();
  BOOST_TEST(lc.blocking_waits >= 1u);
  BOOST_TEST(lc.max_wait_ns >= 10'000'000u);
  BOOST_TEST(lc.wait_ns >= lc.max_wait_ns);
  BOOST_TEST(lc.max_waiters >= 1u);
}

BOOST_AUTO_TEST_CASE(huge_objects_map_resize_and_unmap) {
  Arena* a = arena_get(0);
  bool zeroed = false;
  void* p = huge_alloc(a, 3 * kMiB + 1, kChunkSize, &zeroed);
  BOOST_TEST(zeroed);
  BOOST_REQUIRE(p != nullptr);
  BOOST_TEST((to_addr(p) & kChunkMask) == 0u);
  BOOST_TEST(chunk_kind(p) == ChunkKind::kHugeHead);
  BOOST_TEST(chunk_kind(static_cast<char*>(p) + 2 * kMiB) == ChunkKind::kHugeBody);
  HugeInfo h;
  BOOST_TEST(huge_lookup(p, &h));
  BOOST_TEST(h.usize == 3 * kMiB + kPageSize);
  BOOST_TEST(h.map_bytes == 4 * kMiB);
  std::memset(p, 0x5c, h.usize);
  void* q = huge_resize(p, 40 * kMiB);
  BOOST_REQUIRE(q != nullptr);
  BOOST_TEST(static_cast<unsigned char*>(q)[3 * kMiB] == 0x5c);
  BOOST_TEST(huge_lookup(q, &h));
  BOOST_TEST(h.usize == 40 * kMiB);
  void* r = huge_resize(q, 2 * kMiB + 10);
  BOOST_TEST(r == q);
  BOOST_TEST(huge_free(r));
  BOOST_TEST(!huge_free(r));
  BOOST_TEST(chunk_kind(r) == ChunkKind::kNotOurs);
  void* big_align = huge_alloc(a, 5 * kMiB, kGiB, &zeroed);
  BOOST_REQUIRE(big_align != nullptr);
  BOOST_TEST(to_addr(big_align) % kGiB == 0u);
  BOOST_TEST(huge_free(big_align));
}

BOOST_AUTO_TEST_CASE(many_threads_fill_and_free_across_arenas) {
  test::Failures failures;
  test::run_threads(8, [&](unsigned id) {
    ArenaChoice c;
    choice_init(c, id + 1);
    for (int round = 0; round < 500; ++round) {
      void* got[64];
      Arena* a = lock_favourite(c);
      const std::size_t n = a->fill_locked(id % 8, got, 64);
      a->unlock();
      if (n != 64) failures.add();
      void* bad;
      if (arena_free_batch(got, n, id % 8, c.favourite, &bad) != FreeError::kOk) failures.add();
    }
    choice_release(c);
  });
  BOOST_TEST(failures.get() == 0);
}

// The debug walk (debug level 2 runs it at every slow-path entry) accepts a busy arena
// and refuses each kind of damage: a run's free count, a bitmap bit, a page's class, a
// large run's page, a bin's counter.
BOOST_AUTO_TEST_CASE(the_debug_walk_finds_damage) {
  Arena* a = arena_get_or_create(2);
  a->lock();
  std::vector<void*> small, large;
  for (int i = 0; i < 300; ++i) small.push_back(a->alloc_small_locked(static_cast<unsigned>(i % 10)));
  bool zeroed;
  for (int i = 0; i < 5; ++i) large.push_back(a->alloc_large_locked(kFirstLarge + 2, kPageSize, &zeroed));
  for (std::size_t i = 0; i < small.size(); i += 3) BOOST_REQUIRE(a->free_locked(small[i]) == FreeError::kOk);
  BOOST_TEST(a->is_valid_locked());

  ChunkHeader* c = chunk_of(small[1]);
  PageInfo& pi = c->pages[page_of(small[1])];
  RunMeta& run = c->runs[pi.run_start];
  ++run.nfree;
  BOOST_TEST(!a->is_valid_locked());  // free count against the bitmap
  --run.nfree;
  const std::uint64_t word = run.free_regions.word(0);
  run.free_regions.set_word(0, word ^ 1u);
  BOOST_TEST(!a->is_valid_locked());  // a region freed behind the bin's back
  run.free_regions.set_word(0, word);
  const std::uint16_t fast_bin = pi.fast_bin;
  set_page_class(pi, page_class(pi) + 1);
  BOOST_TEST(!a->is_valid_locked());  // a page of the run names another class
  pi.fast_bin = fast_bin;
  PageInfo& tail = chunk_of(large[0])->pages[page_of(large[0]) + 1];
  const PageState state = tail.state;
  tail.state = PageState::kSmall;
  BOOST_TEST(!a->is_valid_locked());  // a large run's second page
  tail.state = state;
  ++a->bin_stats_mut(3).curregs;
  BOOST_TEST(!a->is_valid_locked());  // the bin's live count
  --a->bin_stats_mut(3).curregs;
  BOOST_TEST(a->is_valid_locked());

  for (std::size_t i = 0; i < small.size(); ++i) {
    if (i % 3 != 0) BOOST_REQUIRE(a->free_locked(small[i]) == FreeError::kOk);
  }
  for (void* p : large) BOOST_REQUIRE(a->free_locked(p) == FreeError::kOk);
  BOOST_TEST(a->is_valid_locked());
  a->unlock();
}

// A region whose free is still queued is not handed out first: every allocation drains
// the queue before it takes a region or pages (so a second, direct free of the same
// object is found as a double free, not missed).
BOOST_AUTO_TEST_CASE(an_allocation_drains_the_queue_before_taking_a_region) {
  constexpr unsigned kCls = 7;  // 128 B
  Arena* a = arena_get_or_create(1);
  a->thread_joined();
  void* p[4];
  a->lock();
  BOOST_REQUIRE(a->fill_locked(kCls, p, 4) == 4u);
  a->unlock();
  void* bad = nullptr;
  BOOST_TEST((arena_free_batch(p, 4, kCls, 0, &bad) == FreeError::kOk));
  BOOST_TEST(!a->remote().empty());
  a->lock();
  void* q = a->alloc_small_locked(kCls);
  BOOST_TEST(a->remote().empty());
  BOOST_TEST(a->bin_stats(kCls).curregs == 1u);  // q alone: the four were freed first
  BOOST_TEST((a->free_locked(q) == FreeError::kOk));
  a->unlock();
  a->thread_left(false);
}

// A manual arena (arenas.create) holds its own objects only: it takes no regions of
// idle arenas.
BOOST_AUTO_TEST_CASE(a_manual_arena_takes_nothing_from_idle_arenas) {
  constexpr unsigned kCls = 8;  // 160 B
  Arena* donor = arena_get_or_create(3);
  void* held[6];
  donor->lock();
  BOOST_REQUIRE(donor->fill_locked(kCls, held, 6) == 6u);
  donor->unlock();
  void* bad = nullptr;
  BOOST_TEST((arena_free_batch(held, 3, kCls, 3, &bad) == FreeError::kOk));
  donor->thread_joined();
  donor->thread_left(true);
  BOOST_REQUIRE(donor->idle());
  const unsigned m = arena_create_manual();
  BOOST_REQUIRE(m < kMaxArenas);
  Arena* manual = arena_get(m);
  void* got[3];
  manual->lock();
  BOOST_TEST(manual->fill_locked(kCls, got, 3) == 3u);
  manual->unlock();
  for (void* g : got) BOOST_TEST(chunk_of(g)->arena_index == m);
  BOOST_TEST((arena_free_batch(got, 3, kCls, m, &bad) == FreeError::kOk));
  BOOST_TEST((arena_free_batch(held + 3, 3, kCls, 3, &bad) == FreeError::kOk));
  donor->thread_joined();
  donor->thread_left(false);
}
