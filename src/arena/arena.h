// arena/arena.h: an arena owns chunks (through PageRuns) and one Bin per small class,
// and serves small batches, large runs and frees of its own objects.
//
// Locking: one ProfiledMutex per arena (mutex()) guards pages_, bins_, large_ and the
// counters here unless a field says otherwise. Callers lock it through ArenaSet (the
// favourite protocol); a thread freeing its own arena's objects locks it directly, one
// freeing another arena's objects queues them (remote_ has its own lock) or takes the
// lock as an observer (ArenaObserverLock). Every *_locked function expects it held;
// fill_locked, with it held, try_locks other arenas to borrow (never waits for one).
// Huge objects are not arena memory; only their counters live here, guarded by the
// arena's huge shard lock (huge.h).
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "arena/remote_queue.h"
#include "chunk/page_runs.h"
#include "platform/assert.h"
#include "platform/mutex.h"
#include "run/bin.h"

namespace bento {

struct LargeStats {  // config/stat_fields.h
  BENTO_STAT_STRUCT_BODY(LargeStats, BENTO_LARGE_STATS)
};

struct HugeStats {  // config/stat_fields.h; guarded by the arena's huge shard lock (arena/huge.cc)
  BENTO_STAT_STRUCT_BODY(HugeStats, BENTO_HUGE_STATS)
};

// What a free found wrong; kOk otherwise.
enum class FreeError : std::uint8_t {
  kOk,
  kNotAllocated,    // the page is part of the chunk header
  kFreePage,        // the page is free: a double free, or a pointer never handed out
  kInterior,        // inside an object, not at its start
  kDoubleFree,      // the region is already free
  kUnknown,         // not in any chunk of bento's
  kHugeInterior,    // inside a huge object, not at its start
  kWrongSize,       // free_sized / sized delete with a size of another class
  kWrongAlignment,  // aligned delete / free_aligned_sized of a pointer not so aligned
  kFreedBefore,     // the object carries the free mark: freed and not allocated since
  kUseAfterFree,    // realloc of an object that carries the free mark
  kCorruptPageMap,  // the page map contradicts itself at p's page
};

class Arena {
 public:
  void init(unsigned index, std::int64_t decay_ms, bool retain) noexcept;

  unsigned index() const noexcept { return index_; }
  ProfiledMutex& mutex() noexcept { return mutex_; }
  void lock() noexcept { mutex_.lock(); }
  void unlock() noexcept { mutex_.unlock(); }
  // Odd while a thread that does not allocate from it holds or is taking the lock
  // (ArenaObserverLock: statistics, the daemon, purges), bumped before each such
  // acquisition and after each release. A
  // thread whose try_lock failure overlapped one waits instead of moving its favourite
  // on (arena_set.cc): the hold is too short to test the holder after the failure.
  std::uint32_t observer_seq() const noexcept { return observer_seq_.load(std::memory_order_relaxed); }

  // Fills out[] with up to n objects of cached class cls (small: a batch from the bin;
  // large: one run). Returns the count; 0 when the OS refuses memory. *lender, when given,
  // is set to the last other arena that lent objects to this fill (left alone if none).
  std::size_t fill_locked(unsigned cls, void** out, std::size_t n, unsigned* lender = nullptr) noexcept;
  void* alloc_small_locked(unsigned cls) noexcept;
  // A large object of class cls aligned to `align` (a power of two, >= page). *zeroed
  // says whether its pages are known to be zero.
  void* alloc_large_locked(unsigned cls, std::size_t align, bool* zeroed) noexcept;
  // An object of class cls the heap profiler sampled, on a large run of its own marked
  // kSampledFastBin: a small class gets the fewest pages that hold it, counted in
  // sampled_stats() (not in its bin: it has no region), a large class its own run.
  void* alloc_sampled_locked(unsigned cls, std::size_t align, bool* zeroed) noexcept;
  // Sampled objects of small classes, by their class size.
  struct SampledStats {
    std::uint64_t cur;
    std::size_t bytes;
  };
  const SampledStats& sampled_stats() const noexcept { return sampled_; }
  // Pages of a sampled object of small class cls: the fewest that hold it.
  static constexpr std::size_t sampled_run_pages(unsigned cls) noexcept {
    return (class_bytes(cls) + kPageSize - 1) / kPageSize;
  }
  // Frees an object of this arena; p's chunk belongs to it.
  FreeError free_locked(void* p) noexcept;
  // Resizes a large object in place to class new_cls; false if it cannot.
  bool resize_large_locked(void* p, unsigned new_cls) noexcept;

  // Decay: purges what is due (all: everything dirty; an idle() arena: everything too,
  // and its wholly free chunks go to the chunk pool). Returns pages released.
  std::size_t purge_locked(bool all) noexcept;
  void decay_tick_locked() noexcept;

  // Other threads' frees waiting for this arena's lock holder (remote_queue.h); pushed
  // without the lock, drained under it: at each fill, tick and purge, and before any
  // region or page is handed out, so a region still queued is never reused before its
  // queued free runs (a double free is then found by that free, not missed).
  RemoteQueue& remote() noexcept { return remote_; }
  void drain_remote_locked() noexcept;

  // Counters merged from a thread cache (requests it served without the arena).
  void merge_requests_locked(unsigned cls, std::uint64_t n) noexcept;

  // Debug levels (platform/assert.h), at each entry from a slow path: level 1 asserts
  // the calling thread holds the lock; level 2 also walks the whole arena.
  void check_locked() const noexcept {
    BENTO_ASSERT(mutex_.held_by_caller());
    BENTO_ASSERT_SLOW(is_valid_locked());
  }
  // The walk: every chunk's pages and free runs (PageRuns::is_valid); every small run's
  // pages, bitmap, free count and place in its bin; every large run's pages; the bins'
  // own lists; and the live region and run counts against the bins' counters.
  bool is_valid_locked() const noexcept;

  // Takes the lock and copies the addresses of the arena's chunks into out; returns how
  // many it has (more than cap: nothing copied). For the observers: the snapshot's
  // residency walk and the daemon's heap map read the chunks outside the lock.
  std::size_t list_chunks(void** out, std::size_t cap) noexcept;

  // Read under the lock.
  const PageRuns& pages() const noexcept { return pages_; }
  const BinStats& bin_stats(unsigned cls) const noexcept { return bins_[cls].stats; }
  BinStats& bin_stats_mut(unsigned cls) noexcept { return bins_[cls].stats; }
  const LargeStats& large_stats(unsigned large_index) const noexcept { return large_[large_index]; }
  LargeStats& large_stats_mut(unsigned large_index) noexcept { return large_[large_index]; }

  std::atomic<unsigned> nthreads{0};             // threads whose favourite this is
  // The last thread whose favourite it was exited (not moved on), and none chose it
  // since: the arena gives its free pages back at once (decay_tick_locked), and other
  // arenas fill from its runs before their own (fill_locked).
  std::atomic<bool> abandoned{false};
  void thread_joined() noexcept {
    nthreads.fetch_add(1, std::memory_order_relaxed);
    if (abandoned.load(std::memory_order_relaxed) && abandoned.exchange(false, std::memory_order_relaxed) &&
        automatic_) {
      abandoned_arenas_.fetch_sub(1, std::memory_order_relaxed);
    }
  }
  void thread_left(bool exiting) noexcept {
    if (nthreads.fetch_sub(1, std::memory_order_relaxed) == 1 && exiting) mark_abandoned();
  }
  void mark_abandoned() noexcept {
    if (!abandoned.exchange(true, std::memory_order_relaxed) && automatic_) {
      abandoned_arenas_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  bool idle() const noexcept {
    return abandoned.load(std::memory_order_relaxed) && nthreads.load(std::memory_order_relaxed) == 0;
  }
  // Coarse ms of the last refill by one of its threads (fill_locked). An arena none of
  // whose threads refilled for kQuietMs (a main thread waiting for its workers, say), or
  // an idle one, lends the holes in its runs other than the current one, and runs of its
  // dirty pages, to arenas that would otherwise fault fresh pages in (fill_locked).
  std::atomic<std::uint32_t> last_fill_ms{0};
  static constexpr std::uint32_t kQuietMs = 8;  // two ticks of the coarse clock
  bool lends(std::uint32_t now_ms) const noexcept {
    return idle() || now_ms - last_fill_ms.load(std::memory_order_relaxed) >= kQuietMs;
  }
  // How many automatic arenas are abandoned: a hint (flag and count change apart), so
  // that a fill walks the arenas for idle ones only when there may be some. Exact again
  // after set_abandoned_count (the fork child, single-threaded).
  static bool any_abandoned() noexcept { return abandoned_arenas_.load(std::memory_order_relaxed) != 0; }
  static void set_abandoned_count(unsigned n) noexcept { abandoned_arenas_.store(n, std::memory_order_relaxed); }
  std::atomic<std::uint64_t> favourite_switches{0};  // threads that left it for the next
  std::atomic<std::uint32_t> observer_seq_{0};       // written by ArenaObserverLock (and fork)
  std::atomic<std::int64_t> decay_ms{0};         // arena.<i>.dirty_decay_ms
  std::uint64_t created_ns = 0;                  // monotonic time of creation
  HugeStats huge;                                // guarded by the arena's huge shard lock

 private:
  // Objects of class cls from other automatic arenas, for a fill of this one; they stay
  // their arena's (their frees go back there). kAbandoned: regions of any run of idle()
  // arenas (their threads are gone: the free regions between the objects other threads
  // still hold are resident and would stay free). Of arenas that lend(): kHoles, the
  // free regions of runs other than their current one; kDirtyRuns, a run of their dirty
  // pages each (Bin::lend_*). try_lock only, as an observer. Returns how many went to out;
  // *lender (if given) names the last arena that gave any.
  enum class Borrow : std::uint8_t { kAbandoned, kHoles, kDirtyRuns };
  std::size_t borrow(unsigned cls, void** out, std::size_t n, Borrow how, std::uint32_t now_ms,
                     unsigned* lender) noexcept;
  // A run of npages for one object of class cls (large, or a sampled small one).
  RunMeta* alloc_one_object_run_locked(unsigned cls, std::size_t npages, std::size_t align, bool* zeroed) noexcept;
  static constexpr std::uint32_t kIdlePurgeMs = 8;  // two ticks of the coarse clock

  static inline std::atomic<unsigned> abandoned_arenas_{0};
  bool automatic_ = false;  // one of the arenas threads are given (not arenas.create's)

  ProfiledMutex mutex_;
  unsigned index_ = 0;
  bool retain_ = false;
  std::uint32_t last_idle_purge_ms_ = 0;  // coarse ms of the last purge while no thread used it
  bool draining_ = false;                 // drain_remote_locked is running (its frees tick)
  PageRuns pages_;
  Bin bins_[kNumSmallClasses];
  // Coarse ms of the last fill of each class whose borrowing (holes, dirty runs) found
  // nothing in any other arena: later fills of the class in the same tick go straight to
  // this arena's pages. A heap that only grows (a program that allocates and exits)
  // would otherwise walk every arena, and try-lock the lending ones, at each refill.
  std::uint32_t borrow_missed_ms_[kNumSmallClasses] = {};
  LargeStats large_[kNumLargeClasses];
  SampledStats sampled_{};
  RemoteQueue remote_;  // its own lock
};

// The arena's lock, taken by a thread that does not allocate from it (statistics, the
// daemon, purges, a cache flushing another thread's objects back), marked so: allocating
// threads that find it held wait instead of moving their favourite to the next arena,
// which would leave their working set behind for the decay time (and a flusher follows
// the objects wherever they are allocated). `try_only`: take it only if free (owns()
// says whether it did).
class ArenaObserverLock {
 public:
  // The count goes odd before the lock is tried and even after it is released, so a
  // try_lock that fails because of this holder always sees it.
  explicit ArenaObserverLock(Arena* a, bool try_only = false) noexcept : a_(a) {
    a_->observer_seq_.fetch_add(1, std::memory_order_seq_cst);
    if (try_only) {
      owns_ = a_->mutex().try_lock();
      if (!owns_) a_->observer_seq_.fetch_add(1, std::memory_order_seq_cst);
    } else {
      a_->lock();
      owns_ = true;
    }
  }
  ~ArenaObserverLock() {
    if (!owns_) return;
    a_->unlock();
    a_->observer_seq_.fetch_add(1, std::memory_order_seq_cst);
  }
  ArenaObserverLock(const ArenaObserverLock&) = delete;
  ArenaObserverLock& operator=(const ArenaObserverLock&) = delete;
  bool owns() const noexcept { return owns_; }

 private:
  Arena* a_;
  bool owns_ = false;
};

}  // namespace bento
